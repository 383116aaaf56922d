"""hall.v1.FrontDeskIntake: the front desk's calls, served by intake-api behind the gateway.

The gateway verifies the caller's token and passes the Actor as JSON in the metadata
"hall-actor"; intake trusts only that (the internal network is reached only by the gateway).
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import yaml

from hall.domain.clock import SHANGHAI
from hall.domain.errors import PermissionDenied
from hall.domain.identity import Actor
from hall.domain.queueing import Caps
from hall.v1 import frontdesk_pb2_grpc
from services.intake.rpc_acceptance import AcceptanceRpcs
from services.intake.rpc_followup import FollowupRpcs
from services.intake.rpc_prereview import PrereviewRpcs
from services.intake.rpc_queue import QueueRpcs

ACTOR_KEY = "hall-actor"
CAPS_FILE = Path(__file__).with_name("queue_caps.yaml")


def load_caps(path: Path | str | None = None) -> Caps:
    data = yaml.safe_load(Path(path or CAPS_FILE).read_text(encoding="utf-8"))
    return Caps(dict(data.get("by_site_kind", {})), dict(data.get("by_sector", {})))


def actor_metadata(actor: Actor) -> tuple:
    return ((ACTOR_KEY, json.dumps(actor.to_dict())),)


class FrontDeskServicer(QueueRpcs, AcceptanceRpcs, PrereviewRpcs, FollowupRpcs,
                        frontdesk_pb2_grpc.FrontDeskIntakeServicer):
    def __init__(self, repo, desk, maker, catalogues, calendar, licences, caps: Caps):
        self.repo, self.desk, self.maker = repo, desk, maker
        self.catalogues, self.calendar, self.licences, self.caps = catalogues, calendar, licences, caps

    @staticmethod
    def actor(context) -> Actor:
        raw = dict(context.invocation_metadata()).get(ACTOR_KEY)
        if not raw:
            raise PermissionDenied("no verified caller was passed by the gateway")
        return Actor.from_dict(json.loads(raw))

    @staticmethod
    def now() -> datetime:
        return datetime.now(SHANGHAI)
