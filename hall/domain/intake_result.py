"""受理初审: the one result a submission at the window gets (Art. 32 行政许可法).

Exactly one of: `accepted` (materials complete → case number and 受理通知书), `refused`
(not this hall's competence, classified, no valid delegation, or the clerk's own finding →
不予受理决定书 with reason and legal basis), or `supplement` (一次性告知书 listing every
missing or defective material). Malformed requests never get a result: they raise
InvalidArgument and nothing is stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import formal_review
from .acceptance import Application, check_delivery, check_item, validate
from .errors import InvalidArgument, Refused

ART32_COMPETENCE = "《中华人民共和国行政许可法》第三十二条第一款第（二）项"
ART32_CLASSIFIED = "《中华人民共和国行政许可法》第三十二条第一款第（二）项；《中华人民共和国保守国家秘密法》"


@dataclass(frozen=True)
class Submission:
    """What the clerk submits: the application, the answers to the item's conditions and,
    when the clerk finds the application inadmissible, the refusal's reason and basis."""
    app: Application
    answers: dict
    refusal_reason: str = ""
    refusal_basis: str = ""


@dataclass(frozen=True)
class Result:
    kind: str                       # accepted, refused, supplement
    finding: formal_review.Finding | None = None
    reason: str = ""
    legal_basis: str = ""


def validate_submission(sub: Submission) -> None:
    """Refuse malformed submissions before anything is looked up or stored."""
    validate(sub.app)
    if len(sub.answers) > 50 or any(not c or len(c) > 200 for c in sub.answers):
        raise InvalidArgument("condition answers: at most 50, each naming a condition of the item")
    if bool(sub.refusal_reason) != bool(sub.refusal_basis):
        raise InvalidArgument("a refusal (不予受理) needs both a reason and its legal basis")
    if len(sub.refusal_reason) > 500 or len(sub.refusal_basis) > 300:
        raise InvalidArgument("refusal reason at most 500, legal basis at most 300 characters")


def competence(item, site, on: date, undelegated: tuple[str, ...]) -> Result | None:
    """A refusal when the hall may not accept the item here; None when it may."""
    try:
        check_item(item, site, on, undelegated)
    except Refused as exc:
        basis = ART32_CLASSIFIED if item.classified else ART32_COMPETENCE
        return Result("refused", reason=str(exc), legal_basis=basis)
    return None


def decide(sub: Submission, item, site, on: date, undelegated: tuple[str, ...],
           licences: dict[str, dict], online: bool = False) -> Result:
    """The single result of a submission whose item exists (unknown items raise)."""
    if item is None:
        raise InvalidArgument("unknown item code: not in the hall's service-item catalogue")
    refused = competence(item, site, on, undelegated)
    if refused:
        return refused
    check_delivery(sub.app, item)
    finding = formal_review.review(item, list(sub.app.materials), sub.answers, licences, online)
    if sub.refusal_reason:
        return Result("refused", finding, sub.refusal_reason, sub.refusal_basis)
    return Result("accepted" if finding.complete else "supplement", finding)
