"""Routing's repository ports: the routes it decided (with the outbox, so each decision's event
leaves at once) and, as the catalogue's owner, every catalogue version it ever loaded.

The MongoDB adapters are in services/routing/repository.py, the in-memory fakes in
tests/unit/test_routing_repository_contract.py; one contract test runs against both."""
from __future__ import annotations

import abc
import threading

from .events import Event
from .identity import Actor
from .ports import Catalogue, EventOutbox


class RouteRepository(abc.ABC):
    """One routing outcome (`case_routed` or `case_held`) per cause, stored with its event."""

    def __init__(self, outbox: EventOutbox):
        self.outbox = outbox

    @abc.abstractmethod
    def record(self, cause_id: str, event: Event) -> bool:
        """Store the outcome caused by `cause_id` once and hand its event to the outbox;
        False (and nothing handed) if that cause was recorded before."""

    @abc.abstractmethod
    def held(self, case_no: str) -> dict | None:
        """The `case_held` event of a case (as a dict), if routing held it."""


class CatalogueVersions(Catalogue):
    """Every catalogue version routing-api ever loaded, the one in force, and every load attempt.

    A version never changes once stored, so the ones built are kept in memory in front of the
    stored snapshots; `current` is the version this process put in force last."""

    def __init__(self):
        self._built: dict = {}
        self._current = None
        self._lock = threading.Lock()

    @property
    def current(self):
        return self._current

    def get(self, version: str):
        """Any version ever loaded (None if never), from memory or rebuilt from its snapshot."""
        if version not in self._built:
            stored = self.stored(version)
            if stored is None:
                return None
            self._built.setdefault(version, stored)
        return self._built[version]

    def put_in_force(self, catalogue) -> tuple[object, str | None]:
        """Make `catalogue` the version in force: (the kept instance, the previous version)."""
        with self._lock:
            previous = self._current.version if self._current is not None else None
            self._current = self._built.setdefault(catalogue.version, catalogue)
            return self._current, previous

    @abc.abstractmethod
    def save_version(self, catalogue, at, actor: Actor) -> bool:
        """Keep a version's snapshot once, keyed by the version; False if it was kept before."""

    @abc.abstractmethod
    def stored(self, version: str):
        """A stored version rebuilt from its snapshot, or None."""

    @abc.abstractmethod
    def list_versions(self) -> list[dict]:
        """Every version ever loaded, oldest first: {_id, loaded_at, loaded_by, items}."""

    @abc.abstractmethod
    def version_record(self, version: str) -> dict | None:
        """One version's record as `list_versions` gives it."""

    @abc.abstractmethod
    def record_attempt(self, at, actor: Actor, outcome: str, version: str | None,
                       previous: str | None, error: str = "") -> None:
        """outcome: loaded (the version came into force or stayed) or refused (invalid files)."""

    @abc.abstractmethod
    def last_in_force(self) -> str | None:
        """The version the last successful load put in force (to fall back on at start)."""
