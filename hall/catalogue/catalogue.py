"""One loaded, validated version of the reference data and the questions asked of it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from types import MappingProxyType
from typing import Mapping

from hall.domain.shipment import DeliveryArea
from hall.domain.workdays import WorkCalendar, YearRule

from .model import CourierZone, Delegation, Department, Item, LicenceType, Sector, Site, StaffSeed, Window


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Immutable reference data; `version` is a content hash of the files it was read from."""
    version: str
    root: str
    sectors: Mapping[str, Sector]
    sites: Mapping[str, Site]
    departments: Mapping[str, Department]
    licence_types: Mapping[str, LicenceType]
    items: Mapping[str, Item]
    windows: Mapping[str, Window]
    delegations: tuple[Delegation, ...]
    staff: Mapping[str, StaffSeed] = field(default_factory=lambda: MappingProxyType({}))
    calendar_rules: tuple[YearRule, ...] = ()  # the operators' calendar years (reference/calendar)
    courier_zones: Mapping[str, CourierZone] = field(default_factory=lambda: MappingProxyType({}))

    @cached_property
    def calendar(self) -> WorkCalendar:
        """The working-day calendar of this version: the operators' years over chinese-calendar's."""
        return WorkCalendar(self.calendar_rules)

    @cached_property
    def delivery_area(self) -> DeliveryArea:
        """Where the courier delivers and the fee of each district (reference/courier.yaml)."""
        tariff: dict[str, dict[str, tuple[str, int]]] = {}
        for z in self.courier_zones.values():
            tariff.setdefault(z.city, {}).update({d: (z.zone, z.fee_fen) for d in z.districts})
        return DeliveryArea(tariff)

    @classmethod
    def build(cls, version: str, root: str, **parts) -> "Catalogue":
        frozen = {k: MappingProxyType(dict(v)) if isinstance(v, dict) else v
                  for k, v in parts.items()}
        return cls(version=version, root=root, **frozen)

    def site(self, code: str) -> Site | None:
        return self.sites.get(code)

    def department(self, code: str) -> Department | None:
        return self.departments.get(code)

    def item(self, code: str) -> Item | None:
        return self.items.get(code)

    def sector(self, name: str) -> Sector | None:
        return self.sectors.get(name)

    def windows_at(self, site_code: str) -> list[Window]:
        return [w for w in self.windows.values() if w.site == site_code]

    def windows_accepting(self, site_code: str, item_code: str) -> list[Window]:
        """Front windows at a site that may take the item: sector and item list match, street
        centres take only street_allowed items, and classified items are taken nowhere."""
        item, site = self.item(item_code), self.site(site_code)
        if item is None or site is None or item.classified:
            return []
        if site.kind == "street" and not item.street_allowed:
            return []
        return [w for w in self.windows_at(site_code) if w.accepts(item)]

    def items_in(self, sector: str) -> list[Item]:
        return sorted((i for i in self.items.values() if i.sector == sector),
                      key=lambda i: i.code)

    def items_of(self, department: str) -> list[Item]:
        return [i for i in self.items.values() if department in i.departments]

    def delegation_for(self, item_code: str, on_date: date) -> Delegation | None:
        """The lead department's letter delegating this item to the hall on that date, if any."""
        item = self.item(item_code)
        if item is None:
            return None
        return self._letter(item.lead, item_code, on_date)

    def missing_delegations(self, item_code: str, on_date: date) -> tuple[str, ...]:
        """Departments of the item that must delegate (sector kind comprehensive) but have
        no valid letter on that date. Departments with their own professional windows or
        sub-centres accept themselves and need none. Empty means intake may accept."""
        item = self.item(item_code)
        if item is None:
            return ()
        return tuple(code for code in item.departments
                     if self.departments[code].delegated
                     and self._letter(code, item_code, on_date) is None)

    def _letter(self, department: str, item_code: str, on_date: date) -> Delegation | None:
        letters = [d for d in self.delegations
                   if d.department == department and d.covers(item_code, on_date)]
        # The most recently signed letter wins when a renewal overlaps the old one.
        return max(letters, key=lambda d: d.signed_on, default=None)
