"""hall.v1.FrontDesk: the front desk's calls, served by intake-api (the gateway forwards
them). The caller is the one the token names, verified by this process's interceptor."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from hall.domain.clock import SHANGHAI
from hall.domain.identity import Actor
from hall.infra import auth
from hall.domain.queueing import Caps
from hall.v1 import frontdesk_pb2_grpc
from services.intake.rpc_acceptance import AcceptanceRpcs
from services.intake.rpc_followup import FollowupRpcs
from services.intake.rpc_prereview import PrereviewRpcs
from services.intake.rpc_queue import QueueRpcs

CAPS_FILE = Path(__file__).with_name("queue_caps.yaml")


def load_caps(path: Path | str | None = None) -> Caps:
    data = yaml.safe_load(Path(path or CAPS_FILE).read_text(encoding="utf-8"))
    return Caps(dict(data.get("by_site_kind", {})), dict(data.get("by_sector", {})))


class FrontDeskServicer(QueueRpcs, AcceptanceRpcs, PrereviewRpcs, FollowupRpcs,
                        frontdesk_pb2_grpc.FrontDeskServicer):
    def __init__(self, repo, desk, maker, catalogues, calendar, licences, caps: Caps):
        self.repo, self.desk, self.maker = repo, desk, maker
        self.catalogues, self.calendar, self.licences, self.caps = catalogues, calendar, licences, caps

    @staticmethod
    def actor(context) -> Actor:
        return auth.caller()

    @staticmethod
    def now() -> datetime:
        return datetime.now(SHANGHAI)
