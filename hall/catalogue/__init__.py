"""The hall's reference data: sites, departments, windows, delegation letters and items.

Plain Python over the YAML files in reference/ (pyyaml and stdlib only), so every service
and tool can import it without a framework.
"""
from .catalogue import Catalogue
from .errors import CatalogueError
from .loader import DEFAULT_ROOT, load_catalogue
from .model import (CourierZone, Delegation, Department, Fee, Item, LicenceType, Material, Person, Sector,
                    Site, StaffSeed, Window)
from .snapshot import from_snapshot, to_snapshot
from .store import CatalogueStore

__all__ = [
    "Catalogue", "CatalogueError", "CatalogueStore", "CourierZone", "DEFAULT_ROOT", "Delegation", "Department",
    "Fee", "Item", "LicenceType", "Material", "Person", "Sector", "Site", "StaffSeed", "Window",
    "from_snapshot", "load_catalogue", "to_snapshot",
]
