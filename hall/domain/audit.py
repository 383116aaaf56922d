"""The audit of access to cases and personal data: which calls are recorded, what an entry
holds, and the rules of its hash chain (each entry carries the hash of the one before, so
an entry changed or removed breaks the chain from there on).

Never the ID number in clear: a call that names a person by ID number records a keyed hash
of it (`subject`), which the supervision office can match against a number it is given but
nobody can turn back into the number without the hall's audit key."""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

READ, CHANGE = "read", "change"
GENESIS = "0" * 64  # the "previous hash" of a chain's first entry

_REVIEW_STEPS = ("Claim", "Release", "Assign", "Decide", "SignOff", "RequestSupplement",
                 "StartProcedure", "EndProcedure", "RequestExtension", "DecideExtension",
                 "SetJointMode", "ExtendJoint", "Revoke")
_TICKET_STEPS = ("TakeTicket", "CallNext", "RecallTicket", "MarkNoShow", "TransferTicket", "FinishTicket")
_STAFF_CHANGES = ("AddStaff", "UpdateStaff", "DeactivateStaff", "ReactivateStaff", "SetPassword",
                  "UnlockStaff", "ResetTotp")

# Every call that reads or changes a case or personal data (an applicant's, a ticket holder's,
# a member of staff's directory record). A call not listed here is not recorded: catalogue
# reads, statistics, signing in and out, public checks of a document one holds.
METHODS: dict[str, str] = {
    "hall.v1.HallGateway/AcceptApplication": CHANGE,
    "hall.v1.HallGateway/GetCase": READ,
    "hall.v1.HallGateway/ListWorklist": READ,
    "hall.v1.HallGateway/RecordDecision": CHANGE,
    "hall.v1.HallGateway/RecordPickup": CHANGE,

    **{f"hall.v1.FrontDesk/{m}": CHANGE for m in _TICKET_STEPS},
    "hall.v1.FrontDesk/Consult": CHANGE,
    "hall.v1.FrontDesk/GetConsultation": READ,
    "hall.v1.FrontDesk/SubmitApplication": CHANGE,
    "hall.v1.FrontDesk/GetDocument": READ,
    "hall.v1.FrontDesk/SubmitOnline": CHANGE,
    "hall.v1.FrontDesk/ListPrereviews": READ,
    "hall.v1.FrontDesk/PassPrereview": CHANGE,
    "hall.v1.FrontDesk/ReturnPrereview": CHANGE,
    "hall.v1.FrontDesk/ListHandovers": READ,
    "hall.v1.FrontDesk/SignHandover": CHANGE,
    "hall.v1.FrontDesk/ListSupplements": READ,
    "hall.v1.FrontDesk/SubmitSupplement": CHANGE,

    "hall.v1.BackOffice/Worklist": READ,
    "hall.v1.BackOffice/GetReview": READ,
    **{f"hall.v1.BackOffice/{m}": CHANGE for m in _REVIEW_STEPS},
    "hall.v1.BackOffice/ListHeld": READ,
    "hall.v1.BackOffice/DispatchHeld": CHANGE,
    "hall.v1.BackOffice/FindLicences": READ,

    "hall.v1.Issuance/GetIssuance": READ,
    "hall.v1.Issuance/ListPickupQueue": READ,
    "hall.v1.Issuance/RecordProxy": CHANGE,
    "hall.v1.Issuance/Collect": CHANGE,
    "hall.v1.Issuance/ChooseCourier": CHANGE,
    "hall.v1.Issuance/ReceiveHandover": CHANGE,

    "hall.v1.Supervision/GetCaseClock": READ,
    "hall.v1.Supervision/ListCasesAtRisk": READ,
    "hall.v1.Supervision/ListNotices": READ,
    "hall.v1.Supervision/AcknowledgeNotice": CHANGE,
    "hall.v1.Supervision/RateService": CHANGE,

    "hall.v1.Staff/ListStaff": READ,
    "hall.v1.Staff/GetStaff": READ,
    **{f"hall.v1.Staff/{m}": CHANGE for m in _STAFF_CHANGES},
    "hall.v1.Staff/ListStaffChanges": READ,
}

# request fields that name a person by ID number (top level or one message down, e.g.
# applicant.id_number): recorded only as a keyed hash
ID_FIELDS = ("id_number", "holder_id")
CASE_FIELD = "case_no"
MAX_CASE_NO = 40  # longer is no case number: recorded cut, it is what the caller sent


def kind_of(method: str) -> str | None:
    """READ or CHANGE for an audited method ("/hall.v1.X/Y" or "hall.v1.X/Y"), else None."""
    return METHODS.get(method.lstrip("/"))


def subject(id_numbers, key: bytes) -> str:
    """A keyed hash standing for the people a call names ("" when none, or without a key)."""
    numbers = sorted({n.strip().upper() for n in id_numbers if n and n.strip()})
    if not numbers or not key:
        return ""
    return hmac.new(key, "\n".join(numbers).encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Access:
    """What one audited call was: who, when, which call, which case, and how it ended."""
    at: str            # ISO 8601 UTC, milliseconds: "2026-12-03T10:30:00.123Z"
    service: str       # the service whose chain records it: intake, approval…
    method: str        # hall.v1.BackOffice/Decide
    kind: str          # READ or CHANGE
    outcome: str       # the status code's name: OK, PERMISSION_DENIED…
    staff_id: str = ""  # "" for a caller without a valid token
    role: str = ""
    site: str = ""
    department: str = ""
    case_no: str = ""
    subject: str = ""

    def fields(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


HASHED = tuple(Access.__dataclass_fields__) + ("seq", "prev")


def canonical(entry: dict) -> bytes:
    """The bytes an entry's hash is taken over: its recorded fields, sorted, as compact JSON."""
    return json.dumps({k: entry.get(k) for k in HASHED}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()


def digest(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def link(access: Access, seq: int, prev: str) -> dict:
    """The entry that follows the one numbered seq - 1 whose hash is `prev`."""
    entry = {**access.fields(), "seq": seq, "prev": prev}
    entry["hash"] = digest(entry)
    return entry


@dataclass(frozen=True)
class Break:
    """The first place a chain is broken: the entry numbered `seq` and what is wrong there."""
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.reason}"


def first_break(entries) -> Break | None:
    """Walk a chain in the order of seq; the first entry changed, inserted or removed (None:
    unbroken). Removing the newest entries leaves a shorter, valid chain: compare the head
    (`head`) with one noted elsewhere to see that."""
    expected, prev = 1, GENESIS
    for e in entries:
        seq = e.get("seq")
        if not isinstance(seq, int) or seq < expected:
            return Break(expected, f"an entry numbered {seq!r} where {expected} belongs")
        if seq > expected:
            more = f" (and every one up to {seq - 1})" if seq > expected + 1 else ""
            return Break(expected, f"removed{more}: the next entry stored is {seq}")
        if e.get("hash") != digest(e):
            return Break(seq, "changed: its contents do not match its hash")
        if e.get("prev") != prev:
            if seq == 1:
                return Break(1, "changed: the chain's first entry does not start from the genesis hash")
            # this entry is as it was written, so the one before was rewritten, hash and all
            return Break(seq - 1, f"changed (its hash recomputed): entry {seq} was written after "
                                  "an entry with another hash")
        expected, prev = seq + 1, e["hash"]
    return None


def head(entries) -> tuple[int, str]:
    """The newest (seq, hash) of a chain, (0, GENESIS) for an empty one."""
    last = (0, GENESIS)
    for e in entries:
        last = (e["seq"], e["hash"])
    return last
