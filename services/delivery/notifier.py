"""The recording adapter of the Notifier port: no SMS gateway is reachable here, so each text
message is recorded, once, in delivery's `messages` collection, as it would have been sent."""
from __future__ import annotations

from datetime import datetime, timezone

from prometheus_client import Counter
from pymongo.errors import DuplicateKeyError

from hall.domain.notification import Notice, Notifier
from hall.infra.mongo import ids_present

NOTICES = Counter("hall_notices_recorded_total", "Text messages recorded for applicants", ["kind"])


class RecordingNotifier(Notifier):
    def __init__(self, db):
        self.messages = db.messages
        self.messages.create_index("case_no")

    def send(self, notice: Notice) -> bool:
        try:
            self.messages.insert_one({"_id": notice.id, **notice.to_dict(),
                                      "recorded_at": datetime.now(timezone.utc)})
        except DuplicateKeyError:
            return False
        NOTICES.labels(notice.kind).inc()
        return True

    def sent(self, ids: list[str]) -> set[str]:
        """Which of these notices were already recorded."""
        return ids_present(self.messages, ids)

    def of_case(self, case_no: str) -> list[dict]:
        return list(self.messages.find({"case_no": case_no}).sort("at", 1))
