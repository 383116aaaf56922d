"""The ports the service layer works through, as abstract classes the adapters (MongoDB,
the outbox relay) and the in-memory fakes of the unit tests both subclass
(cosmicpython's unit of work; eventsourcing's one contract for every backend).

A command handler (services/<name>/handlers.py) is a plain function over a `UnitOfWork`:
the service's repository, whose every save writes the change and its events in one document
and hands the events to the outbox at once; the time of the command; the reference data in
force. Nothing here knows gRPC, Nameko or MongoDB."""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from .clock import SHANGHAI


class EventOutbox(abc.ABC):
    """Where events stored with their change leave for the bus (hall.infra.outbox.Outbox)."""

    @abc.abstractmethod
    def handed(self, events: list[dict]) -> None:
        """These events were just stored with their change: publish them now."""


class Catalogue(abc.ABC):
    """The reference data in force (hall.infra.catalogue_client.CatalogueClient, or the
    routing service's own keeper)."""

    @property
    @abc.abstractmethod
    def current(self):
        """The catalogue version in force."""


def shanghai_now() -> datetime:
    return datetime.now(SHANGHAI)


@dataclass
class UnitOfWork:
    """One command's work: the repository (built with the outbox, so no write that causes an
    event can leave it behind), the clock, the reference data and the working-day calendar."""
    repo: Any
    outbox: EventOutbox
    catalogue: Catalogue | None = None
    calendar: Any = None
    clock: Callable[[], datetime] = field(default=shanghai_now)

    def now(self) -> datetime:
        return self.clock()
