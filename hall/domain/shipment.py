"""物流寄送: a result sent by EMS, the carrier port that books it, and the carrier's statuses.

The hall's EMS contract covers the city of Jinan: inside 历下区 the district pays the postage,
elsewhere in the city the applicant pays the fee of the zone on delivery. An address that
names no district of the area is refused. The area and tariff are reference data
(reference/courier.yaml), reaching the carrier as the catalogue's `delivery_area`.
"""
from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Mapping

from .contact import is_mobile
from .errors import InvalidArgument, quote as quoted

CARRIER = "EMS"
# what the carrier reports, in order; delivered and returned end a shipment
STATUSES = ("booked", "label_printed", "picked_up", "in_transit", "delivered", "returned")
FINAL = ("delivered", "returned")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)



@dataclass(frozen=True)
class Quote:
    district: str
    zone: str
    fee_fen: int


@dataclass(frozen=True)
class DeliveryArea:
    """The contract's area and tariff, as reference/courier.yaml gives it:
    city -> district -> (zone, fee in fen)."""
    tariff: Mapping[str, Mapping[str, tuple[str, int]]]

    def quote(self, address: str) -> Quote:
        """The zone and fee of a postal address, or InvalidArgument when it is outside the area."""
        address = re.sub(r"\s+", "", address or "")
        if not 8 <= len(address) <= 300:
            raise InvalidArgument("a postal address needs city, district, street and number (8 to 300 characters)")
        city = re.search(r"(?:.{2,3}省)?(.{2,6}?市)", address)
        if not city or city.group(1) not in self.tariff:
            raise InvalidArgument(f"address {quoted(address)} is outside the delivery area: EMS delivery "
                                  f"covers {'、'.join(self.tariff) or 'no city'} only; choose pickup")
        districts, rest = self.tariff[city.group(1)], address[city.end():]
        district = next((d for d in districts if rest.startswith(d)), None)
        if district is None:
            raise InvalidArgument(f"address {quoted(address)} names no district of the delivery area "
                                  f"({'、'.join(districts)}); choose pickup or correct the address")
        if len(rest) - len(district) < 4:
            raise InvalidArgument(f"address {quoted(address)} lacks the street and number after {district}")
        zone, fee = districts[district]
        return Quote(district, zone, fee)


def waybill_number(case_no: str, attempt: int) -> str:
    """A UPU S10 item number (EA12345678 + check digit + CN), the same for the same booking."""
    digest = hashlib.sha256(f"{case_no}/{attempt}".encode()).digest()
    serial = f"{int.from_bytes(digest[:8], 'big') % 10**8:08d}"
    check = 11 - sum(int(c) * w for c, w in zip(serial, _S10_WEIGHTS)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"EA{serial}{check}CN"


def waybill_valid(number: str) -> bool:
    m = re.fullmatch(r"[A-Z]{2}(\d{8})(\d)[A-Z]{2}", number or "")
    if not m:
        return False
    check = 11 - sum(int(c) * w for c, w in zip(m[1], _S10_WEIGHTS)) % 11
    return {10: 0, 11: 5}.get(check, check) == int(m[2])


@dataclass
class Shipment:
    waybill: str
    attempt: int
    address: str
    district: str
    zone: str
    fee_fen: int
    recipient: dict                     # name, phone
    status: str = "booked"
    track: list = field(default_factory=list)  # [{status, at, location, note, event}]

    @property
    def done(self) -> bool:
        return self.status in FINAL

    def apply(self, status: str, at: str, location: str, note: str, event_id: str) -> bool:
        """Follow one carrier status; False for a repeat, a late one, or one after the end."""
        if status not in STATUSES[1:]:
            raise InvalidArgument(f"unknown carrier status {status!r}")
        if self.done or any(t["status"] == status for t in self.track):
            return False
        if status not in FINAL and STATUSES.index(status) <= STATUSES.index(self.status):
            self.track.append({"status": status, "at": at, "location": location, "note": note,
                               "event": event_id})  # late, kept for the record only
            return False
        self.status = status
        self.track.append({"status": status, "at": at, "location": location, "note": note,
                           "event": event_id})
        return True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> "Shipment | None":
        return cls(**d) if d else None


class Carrier(ABC):
    """The port to the courier: validates the address, prices it and books a waybill."""

    @abstractmethod
    def book(self, case_no: str, attempt: int, address: str, recipient: dict) -> Shipment:
        """A booked shipment, or InvalidArgument when it cannot be sent there."""


class EmsCarrier(Carrier):
    """EMS under the hall's contract: its area and tariff (the catalogue's `delivery_area`),
    S10 waybill numbers. The booking reaches the carrier as the `shipment_created` event
    stored with the change."""

    def __init__(self, area: DeliveryArea):
        self.area = area

    def book(self, case_no: str, attempt: int, address: str, recipient: dict) -> Shipment:
        quote = self.area.quote(address)
        phone = recipient.get("phone", "")
        if not is_mobile(phone):
            raise InvalidArgument(f"EMS needs the recipient's mobile number to deliver; {quoted(phone)} is not one")
        return Shipment(waybill_number(case_no, attempt), attempt, re.sub(r"\s+", "", address),
                        quote.district, quote.zone, quote.fee_fen,
                        {"name": recipient.get("name", ""), "phone": phone})
