"""Case events: facts in the past tense that services exchange over the bus.

Every event carries an id, the case number, the site, a time, the actor and a schema version.
An event caused by another event gets a derived id, so a redelivered cause can never produce
a second, different effect.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

SCHEMA_VERSION = 1
_NAMESPACE = uuid.UUID("6f1c2b1e-8d0a-4c55-9a57-3c1d2f0e7b11")

# type -> service that publishes it (the exchange is "<service>.events")
EVENT_SOURCES = {
    "case_accepted": "intake",
    "case_routed": "routing",
    "case_held": "routing",
    "decision_made": "approval",
    "case_decided": "approval",
    "result_ready": "delivery",
    "result_issued": "delivery",
    "result_forwarded": "delivery",
    "result_returned": "delivery",
    "result_archived": "delivery",
    "reminder_sent": "delivery",
    "shipment_created": "delivery",
    "shipment_updated": "delivery",
    "carrier_status": "carrier",
    "case_closed": "sla",
    "supplement_requested": "approval",
    "supplement_submitted": "intake",
    "procedure_started": "approval",
    "procedure_ended": "approval",
    "extension_granted": "approval",
    "licence_issued": "approval",
    "decision_revoked": "approval",
    "case_dispatched": "approval",
    "supervision_raised": "sla",
    "supervision_escalated": "sla",
}


class InvalidEvent(ValueError):
    """A message that is not a well-formed case event; it goes to the dead-letter queue."""


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    case_no: str
    site: str
    at: str
    actor: dict
    data: dict = field(default_factory=dict)
    schema: int = SCHEMA_VERSION

    @property
    def source(self) -> str:
        return EVENT_SOURCES[self.type]

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "case_no": self.case_no, "site": self.site,
                "at": self.at, "actor": dict(self.actor), "data": self.data, "schema": self.schema}

    @classmethod
    def from_dict(cls, payload) -> "Event":
        """Parse a message body, refusing anything that is not a case event of a known schema."""
        if not isinstance(payload, dict):
            raise InvalidEvent(f"event body must be an object, got {type(payload).__name__}")
        missing = [k for k in ("id", "type", "case_no", "site", "at", "actor", "schema")
                   if k not in payload]
        if missing:
            raise InvalidEvent(f"event is missing {', '.join(missing)}")
        if payload["type"] not in EVENT_SOURCES:
            raise InvalidEvent(f"unknown event type {payload['type']!r}")
        if payload["schema"] != SCHEMA_VERSION:
            raise InvalidEvent(f"unsupported schema version {payload['schema']!r}")
        for key in ("id", "case_no", "site", "at"):
            if not isinstance(payload[key], str) or not payload[key]:
                raise InvalidEvent(f"event field {key} must be a non-empty string")
        if not isinstance(payload["actor"], dict) or not isinstance(payload.get("data", {}), dict):
            raise InvalidEvent("event actor and data must be objects")
        try:
            datetime.fromisoformat(payload["at"])
        except ValueError:
            raise InvalidEvent(f"event time {payload['at']!r} is not ISO 8601") from None
        return cls(id=payload["id"], type=payload["type"], case_no=payload["case_no"],
                   site=payload["site"], at=payload["at"], actor=payload["actor"],
                   data=payload.get("data", {}), schema=payload["schema"])


def new_event(type_: str, case_no: str, site: str, at: datetime, actor: dict, data: dict,
              caused_by: str | None = None) -> Event:
    """Make an event; with caused_by its id is derived from the cause, so it is reproducible."""
    if type_ not in EVENT_SOURCES:
        raise ValueError(f"unknown event type {type_!r}")
    if caused_by:
        event_id = str(uuid.uuid5(_NAMESPACE, f"{caused_by}/{type_}/{case_no}"))
    else:
        event_id = str(uuid.uuid4())
    return Event(event_id, type_, case_no, site, at.isoformat(), actor, data)
