"""In-memory fakes of the ports in hall/domain/ports.py, for unit tests of handlers."""
from __future__ import annotations

from hall.domain.ports import Catalogue, EventOutbox


class MemoryOutbox(EventOutbox):
    def __init__(self):
        self.published: list[dict] = []

    def handed(self, events: list[dict]) -> None:
        self.published.extend(events)


class FixedCatalogue(Catalogue):
    def __init__(self, catalogue):
        self._catalogue = catalogue

    @property
    def current(self):
        return self._catalogue
