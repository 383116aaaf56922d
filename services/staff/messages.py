"""Staff protobuf messages ↔ the plain values the handlers take and give, with the length
limits of staff.proto checked on the way in."""
from __future__ import annotations

from hall.domain.errors import InvalidArgument
from hall.domain.staff import Change, iso
from hall.v1 import staff_pb2 as pb

LIMITS = {"staff_id": 32, "name": 40, "password": 128, "totp_code": 6, "role": 16, "reason": 200,
          "site": 32, "department": 32, "code": 6}
MAX_LIST, MAX_ENTRY = 50, 32


def text(value: str, field: str, required: bool = False, limit: int | None = None) -> str:
    limit = limit or LIMITS[field]
    if len(value) > limit:
        raise InvalidArgument(f"{field} has at most {limit} characters")
    if required and not value:
        raise InvalidArgument(f"{field} is required")
    return value


def strings(values, field: str) -> tuple[str, ...]:
    if len(values) > MAX_LIST:
        raise InvalidArgument(f"{field} lists at most {MAX_LIST} entries")
    return tuple(text(v, field, limit=MAX_ENTRY) for v in values)


def sign_in(r: pb.SignInRequest) -> dict:
    return {"staff_id": text(r.staff_id, "staff_id", True), "password": text(r.password, "password", True),
            "totp_code": text(r.totp_code, "totp_code"), "role": text(r.role, "role")}


def member_fields(m: pb.StaffMember) -> dict:
    """The editable fields of a member (and the id) as the handlers take them."""
    return {"staff_id": text(m.staff_id, "staff_id"), "name": text(m.name, "name"),
            "roles": strings(m.roles, "roles"), "site": text(m.site, "site"),
            "department": text(m.department, "department"), "sectors": strings(m.sectors, "sectors"),
            "windows": strings(m.windows, "windows")}


def member(profile: dict) -> pb.StaffMember:
    return pb.StaffMember(**{k: v for k, v in profile.items() if k in _MEMBER_FIELDS})


_MEMBER_FIELDS = set(pb.StaffMember.DESCRIPTOR.fields_by_name)


def sign_in_response(result) -> pb.SignInResponse:
    return pb.SignInResponse(access_token=result.access_token, expires_at=iso(result.expires_at),
                             member=member(result.member), role=result.role)


def change(c: Change) -> pb.StaffChange:
    return pb.StaffChange(staff_id=c.staff_id, by=c.by, at=iso(c.at), what=c.what,
                          fields={k: _flat(v) for k, v in c.fields.items()})


def _flat(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
