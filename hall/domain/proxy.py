"""代领: someone collecting a result for the applicant, on a written authorization (授权委托书)
that issuance staff have seen and recorded before the pickup."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from .applicant import resident_id_valid
from .errors import InvalidArgument
from .identity import Actor, require_role


@dataclass(frozen=True)
class ProxyAuthorization:
    name: str
    id_number: str       # the proxy's resident ID number
    letter: str          # reference of the signed 授权委托书 kept with the case file
    valid_until: str     # yyyy-mm-dd, last day the authorization may be used
    recorded_by: dict
    recorded_at: str

    def to_dict(self) -> dict:
        return asdict(self)

    def valid_on(self, day: date) -> bool:
        return day <= date.fromisoformat(self.valid_until)


def record_proxy(actor: Actor, applicant: dict, name: str, id_number: str, letter: str,
                 valid_until: str, now: datetime) -> ProxyAuthorization:
    """Check and record an authorization shown at the window."""
    require_role(actor, "issuer", "clerk", action="recording a proxy authorization")
    name, id_number, letter = name.strip(), id_number.strip().upper(), letter.strip()
    if not name or len(name) > 100:
        raise InvalidArgument("the proxy's name is required (at most 100 characters)")
    if not resident_id_valid(id_number):
        raise InvalidArgument("the proxy's resident ID number is not valid (18 digits, check digit)")
    if id_number == str(applicant.get("id_number", "")).upper():
        raise InvalidArgument("the proxy is the applicant; no authorization is needed")
    if not letter or len(letter) > 100:
        raise InvalidArgument("give the reference of the signed authorization letter (授权委托书)")
    try:
        until = date.fromisoformat(valid_until)
    except ValueError:
        raise InvalidArgument(f"valid_until {valid_until!r} is not a date (yyyy-mm-dd)") from None
    if until < now.date():
        raise InvalidArgument(f"the authorization expired on {valid_until}")
    return ProxyAuthorization(name, id_number, letter, until.isoformat(), actor.to_dict(),
                              now.isoformat())


def find_proxy(proxies: list[dict], id_number: str, day: date) -> ProxyAuthorization | None:
    """The recorded authorization of the person with this ID number that is valid on `day`."""
    for p in proxies:
        auth = ProxyAuthorization(**p)
        if auth.id_number == id_number.upper() and auth.valid_on(day):
            return auth
    return None


def mask(id_number: str) -> str:
    """An ID number as printed on a receipt: first 6 and last 4 characters."""
    return id_number[:6] + "*" * max(len(id_number) - 10, 0) + id_number[-4:] if len(id_number) > 10 else "****"
