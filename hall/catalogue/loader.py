"""Reading the reference directory into a validated `Catalogue` with a content-hash version."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from . import parse
from .catalogue import Catalogue
from .errors import CatalogueError
from .fields import entries
from .validate import check
from hall.domain.workdays import CalendarDataError, load_year_file

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "reference"
# Files read, in order; items/*.yaml and the operators' calendar years calendar/*.yaml follow.
SECTIONS = (
    ("sectors.yaml", "sectors", "name", parse.sector),
    ("sites.yaml", "sites", "code", parse.site),
    ("departments.yaml", "departments", "code", parse.department),
    ("licence_types.yaml", "licence_types", "code", parse.licence_type),
    ("windows.yaml", "windows", "id", parse.window),
    ("delegations.yaml", "delegations", "id", parse.delegation),
    ("staff.yaml", "staff", "staff_id", parse.staff_member),
    ("courier.yaml", "courier_zones", "zone", parse.courier_zone),
)
VERSION_LENGTH = 12


def catalogue_files(root: Path) -> list[Path]:
    """Every file that makes up a catalogue version, in a stable order."""
    fixed = [root / name for name, *_ in SECTIONS]
    return fixed + sorted((root / "items").glob("*.yaml")) + sorted((root / "calendar").glob("*.yaml"))


def version_of(files: dict[str, bytes]) -> str:
    """Short sha256 over file names and contents: any change gives a new version."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    return h.hexdigest()[:VERSION_LENGTH]


def read_files(root: Path) -> dict[str, bytes]:
    files = {}
    for path in catalogue_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            files[rel] = path.read_bytes()
        except FileNotFoundError:
            raise CatalogueError(rel, "-", f"file missing under {root}") from None
    return files


def _parse_yaml(name: str, data: bytes) -> Any:
    try:
        return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise CatalogueError(name, "-", f"not valid YAML: {exc}") from None


def _records(name: str, doc: Any, section: str, key: str, build) -> list[tuple[str, Any]]:
    out = []
    for e in entries(name, doc, section, key):
        record = build(e)
        e.done()
        out.append((name, e.name, record))
    return out


def load_catalogue(root: str | Path | None = None) -> Catalogue:
    """Read, validate and freeze the reference data under `root` (default: repo's reference/)."""
    root = Path(root) if root is not None else DEFAULT_ROOT
    files = read_files(root)
    parts: dict[str, list] = {}
    for name, section, key, build in SECTIONS:
        parts[section] = _records(name, _parse_yaml(name, files[name]), section, key, build)
    parts["items"] = []
    for name in sorted(n for n in files if n.startswith("items/")):
        doc = _parse_yaml(name, files[name])
        if isinstance(doc, dict):
            doc = {k: v for k, v in doc.items() if k != "shared"}  # YAML anchors only
            if set(doc) - {"items"}:
                raise CatalogueError(name, "-", f"unknown section(s) {sorted(set(doc) - {'items'})}")
        parts["items"] += _records(name, doc, "items", "code", parse.item)
    rules = tuple(_year(root, n) for n in sorted(n for n in files if n.startswith("calendar/")))
    return Catalogue.build(version=version_of(files), root=str(root), calendar_rules=rules, **check(parts))


def _year(root: Path, name: str):
    try:
        return load_year_file(root / name)
    except CalendarDataError as exc:
        raise CatalogueError(name, "-", str(exc).split(": ", 1)[-1]) from None
