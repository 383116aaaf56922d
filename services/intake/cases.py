"""Making an accepted case: number, record, 受理通知书, paper hand-over, `case_accepted`.
Shared by the window's acceptance, the formal review and a passed online pre-review."""
from __future__ import annotations

from datetime import date, datetime

from hall.domain import acceptance, documents, handover
from hall.domain.case_number import SequenceBlocks, format_case_no


class CaseMaker:
    def __init__(self, repo, outbox, calendar):
        self.repo, self.outbox, self.calendar = repo, outbox, calendar
        self.sequences = SequenceBlocks(repo.reserve)

    def document_number(self, kind: str, site: str, day: date) -> str:
        return documents.number(kind, site, day, self.sequences.next(f"{site}-DOC", day))

    def create(self, app, item, cat, site: str, actor, now: datetime, paper: list[dict],
               accepted_on: date | None = None, extra: dict | None = None,
               key_checked: bool = False) -> tuple[dict, bool]:
        """Store the case once per idempotency key: (record, replayed). `key_checked`: the
        caller has just looked the key up itself (a replay is still caught by the unique
        index on insert; the read saved is one of the few on the window's path)."""
        if not key_checked:
            existing = self.repo.by_idempotency_key(f"{site}/{app.idempotency_key}")
            if existing:
                return existing, True
        case_no = format_case_no(site, now.date(), self.sequences.next(site, now.date()))
        record, event = acceptance.accept(app, item, cat.version, site, case_no, actor, now,
                                          self.calendar, accepted_on, extra)
        notice = documents.make(
            "acceptance_notice", self.document_number("acceptance_notice", site, now.date()), site,
            now, actor.to_dict(), record["item"], record["applicant"],
            {"promised_limit": item.promised_limit, "promised_due": record["promised_due"],
             "legal_due": record["legal_due"], "deemed_from": (extra or {}).get("deemed_from", "")},
            case_no)
        record["documents"] = [notice]
        record["handover"] = handover.make(item.lead, site, actor, now, paper, self.calendar)
        existing = self.repo.insert(record, [event.to_dict()])
        if existing:
            return existing, True
        self.outbox.handed([event.to_dict()])
        return record, False
