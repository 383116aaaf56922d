"""Reading one YAML entry into checked fields, with errors that name the file and entry."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import CatalogueError

_REQUIRED = object()


class Entry:
    """One mapping from a reference file; `get` checks presence and type of each field."""

    def __init__(self, file: str, raw: Any, index: int, key: str):
        self.file = file
        label = raw.get(key) if isinstance(raw, dict) else None
        self.name = str(label) if label not in (None, "") else f"entry #{index + 1}"
        if not isinstance(raw, dict):
            self.fail(f"expected a mapping, got {type(raw).__name__}")
        self.raw = raw
        self.seen: set[str] = set()

    def fail(self, problem: str):
        raise CatalogueError(self.file, self.name, problem)

    def get(self, field: str, kind: type, default: Any = _REQUIRED) -> Any:
        self.seen.add(field)
        value = self.raw.get(field)
        if value is None:
            if default is _REQUIRED:
                self.fail(f"missing required field '{field}'")
            return default
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            self.fail(f"field '{field}' must be a whole number, got {value!r}")
        if kind is date and not isinstance(value, date):
            self.fail(f"field '{field}' must be a date YYYY-MM-DD, got {value!r}")
        if kind is Decimal:
            try:
                return Decimal(str(value))
            except InvalidOperation:
                self.fail(f"field '{field}' must be an amount, got {value!r}")
        if kind in (str, bool, list, dict) and not isinstance(value, kind):
            self.fail(f"field '{field}' must be {kind.__name__}, got {value!r}")
        if kind is str and not value.strip():
            self.fail(f"field '{field}' is empty")
        return value

    def strings(self, field: str, default: Any = _REQUIRED) -> tuple[str, ...]:
        values = self.get(field, list, default)
        if values is None:
            return None
        for v in values:
            if not isinstance(v, str) or not v.strip():
                self.fail(f"field '{field}' must list non-empty strings, got {v!r}")
        return tuple(values)

    def done(self) -> None:
        """Reject fields nobody read: a typo must not silently drop a value."""
        unknown = sorted(set(self.raw) - self.seen)
        if unknown:
            self.fail(f"unknown field(s) {', '.join(map(str, unknown))}")


def entries(file: str, doc: Any, section: str, key: str = "code") -> list[Entry]:
    """The entries of `section` in a parsed file, each wrapped for checked reading."""
    if not isinstance(doc, dict) or not isinstance(doc.get(section), list):
        raise CatalogueError(file, section, f"file must hold a list under '{section}:'")
    return [Entry(file, raw, i, key) for i, raw in enumerate(doc[section])]
