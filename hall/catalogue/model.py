"""Frozen records of the hall's reference data: sites, departments, windows, items, letters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

SITE_KINDS = ("hall", "subcentre", "street")
SECTOR_KINDS = ("comprehensive", "professional", "subcentre")
WINDOW_KINDS = ("front", "issuance", "consultation")
# The 12 front windows that are not tied to one sector (公共服务综合受理窗口).
PUBLIC_CATEGORY = "公共服务综合"
CASE_TYPES = ("即办件", "承诺件", "联办件", "上报件")
# Art. 45 行政许可法 plus the local 现场勘验: procedures whose time is not counted in the limit.
SPECIAL_PROCEDURES = ("现场勘验", "专家评审", "听证", "检验检测", "检疫", "鉴定", "招标", "拍卖")
MATERIAL_FORMS = ("original", "copy", "original_and_copy")
FORM_LABELS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}
SIBIAN = ("网上办", "一次办", "我来办", "自助办")
TRUST_LEVELS = ("A", "B", "C", "D")
# Roles a member of staff of the directory may hold; "system" belongs to the hall's own
# processes (svc-<service>), which are not in the directory.
STAFF_ROLES = ("clerk", "reviewer", "chief", "issuer", "supervisor", "admin")


@dataclass(frozen=True)
class Person:
    """A named member of staff (首席代表 or contact); phone is empty when not published."""
    staff_id: str
    name: str
    phone: str = ""


@dataclass(frozen=True)
class Sector:
    """A business sector (板块) of windows and departments, with an ASCII code for file names."""
    name: str
    code: str
    kind: str


@dataclass(frozen=True)
class Site:
    """A place that accepts cases: the district hall, a sub-centre or a street centre."""
    code: str
    name: str
    kind: str
    address: str
    phone: str = ""


@dataclass(frozen=True)
class Department:
    """A department whose items the hall accepts; `delegated` when it entered the comprehensive windows."""
    code: str
    name: str
    sector: str
    site: str
    chief: Person
    contact: Person
    delegated: bool


@dataclass(frozen=True)
class LicenceType:
    """An e-licence type of the licence library (GB/T 36902), with its trust level A-D."""
    code: str
    name: str
    issuer: str
    department: str | None
    trust_level: str
    validity_years: int = 0   # how long a licence of this type is valid; 0: 长期有效 (no end)


@dataclass(frozen=True)
class Material:
    """One line of an item's checklist; conditional when `condition` is set."""
    name: str
    form: str
    count: int
    condition: str | None = None
    licence_type: str | None = None

    @property
    def required(self) -> bool:
        return self.condition is None

    @property
    def form_label(self) -> str:
        return FORM_LABELS[self.form]


@dataclass(frozen=True)
class Fee:
    """A charge with its legal basis; amount in yuan."""
    name: str
    amount: Decimal
    basis: str = ""


@dataclass(frozen=True)
class StaffSeed:
    """A member of staff as the hall is first set up (reference/staff.yaml); no secrets.

    The staff service inserts these once; what the administrator changes later is the
    staff service's own, never overwritten by the seed."""
    staff_id: str
    name: str
    roles: tuple[str, ...]
    site: str
    department: str = ""
    sectors: tuple[str, ...] = ()
    windows: tuple[str, ...] = ()


@dataclass(frozen=True)
class CourierZone:
    """A zone of the courier contract's tariff: the districts of a city it covers and the fee
    the applicant pays on delivery, in fen (0 where the district pays the postage)."""
    zone: str
    city: str
    fee_fen: int
    districts: tuple[str, ...]


@dataclass(frozen=True)
class Window:
    """A window or position; it accepts items of `sectors`, narrowed to `items` when given."""
    id: str
    site: str
    kind: str
    category: str | None
    sectors: tuple[str, ...]
    items: tuple[str, ...] = ()

    def accepts(self, item: "Item") -> bool:
        if self.kind != "front" or item.sector not in self.sectors:
            return False
        return not self.items or item.code in self.items


@dataclass(frozen=True)
class Delegation:
    """A 委托授权书: a department delegates acceptance of its items (all when `items` is None)."""
    id: str
    department: str
    items: tuple[str, ...] | None
    valid_from: date
    valid_to: date
    signed_by: str
    signed_on: date

    def covers(self, item_code: str, on_date: date) -> bool:
        in_force = self.valid_from <= on_date <= self.valid_to
        return in_force and (self.items is None or item_code in self.items)


@dataclass(frozen=True)
class Item:
    """A service item (事项) as the windows accept it and the departments decide it."""
    code: str
    name: str
    departments: tuple[str, ...]
    sector: str
    case_type: str
    legal_limit: int
    promised_limit: int
    special_procedures: tuple[str, ...]
    materials: tuple[Material, ...]
    fees: tuple[Fee, ...]
    online: bool
    one_trip: bool
    agency: bool
    self_service: bool
    street_allowed: bool
    courier_allowed: bool
    classified: bool
    licence_type: str | None
    basis: str = ""

    @property
    def lead(self) -> str:
        return self.departments[0]

    @property
    def is_joint(self) -> bool:
        return self.case_type == "联办件" or len(self.departments) > 1

    @property
    def item_type(self) -> str:
        """The two-letter item type of the code (XK 行政许可, QR 行政确认, ...)."""
        return self.code[:2]

    @property
    def sibian(self) -> tuple[str, ...]:
        flags = (self.online, self.one_trip, self.agency, self.self_service)
        return tuple(label for label, on in zip(SIBIAN, flags) if on)

    def snapshot(self) -> dict:
        """Plain JSON-ready fields a case carries, so later catalogue changes leave it unchanged."""
        return {
            "code": self.code,
            "name": self.name,
            "departments": list(self.departments),
            "sector": self.sector,
            "case_type": self.case_type,
            "legal_limit": self.legal_limit,
            "promised_limit": self.promised_limit,
            "courier_allowed": self.courier_allowed,
            "licence_type": self.licence_type,
        }
