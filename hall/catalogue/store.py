"""Keeping the catalogue in force across reloads, and older versions for older cases."""
from __future__ import annotations

import threading
from pathlib import Path

from .catalogue import Catalogue
from .loader import load_catalogue


class CatalogueStore:
    """Holds the catalogue in force and every version loaded since start.

    `reload()` re-reads the files; when they are invalid it raises `CatalogueError` and the
    last valid version stays `current`. Versions live in memory only: a case carries its
    item snapshot, so `get(version)` after a restart is a convenience, not a guarantee.
    """

    def __init__(self, root: str | Path | None = None):
        self._root = root
        self._lock = threading.Lock()
        self._current: Catalogue | None = None
        self._versions: dict[str, Catalogue] = {}

    @property
    def current(self) -> Catalogue | None:
        return self._current

    def load(self) -> Catalogue:
        """The catalogue in force, reading the files on first use."""
        return self._current if self._current is not None else self.reload()

    def reload(self) -> Catalogue:
        """Read the files again; a new content version becomes current."""
        catalogue = load_catalogue(self._root)  # raises before anything changes
        with self._lock:
            catalogue = self._versions.setdefault(catalogue.version, catalogue)
            self._current = catalogue
        return catalogue

    def get(self, version: str) -> Catalogue | None:
        return self._versions.get(version)

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(self._versions)
