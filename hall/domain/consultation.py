"""咨询导办: a consultation answered with the item's guide (conditions, materials, limits,
fees, which window), a pre-filled application for the window, and a pre-guidance record
(预先导办) for complex items."""
from __future__ import annotations

from .errors import InvalidArgument
from .formal_review import conditions_of
from .identity import Actor, require_role


def check(actor: Actor, item, question: str) -> None:
    require_role(actor, "clerk", action="recording a consultation")
    if item is None:
        raise InvalidArgument("unknown item code: not in the hall's service-item catalogue")
    if item.classified:
        raise InvalidArgument(f"{item.name} is a classified item (保密事项); the hall gives no guide")
    if len(question) > 1000:
        raise InvalidArgument("the question is at most 1000 characters")


def guide(cat, item, site_code: str) -> dict:
    """What the applicant needs to know, from the catalogue version in force."""
    return {
        "item_code": item.code, "name": item.name,
        "departments": [cat.department(d).name for d in item.departments],
        "case_type": item.case_type, "legal_limit": item.legal_limit,
        "promised_limit": item.promised_limit,
        "materials": [{"name": m.name, "form": m.form, "count": m.count,
                       "condition": m.condition or "", "licence_type": m.licence_type or ""}
                      for m in item.materials],
        "conditions": conditions_of(item),
        "fees": [{"name": f.name, "amount": str(f.amount), "basis": f.basis} for f in item.fees],
        "windows": [w.id for w in cat.windows_accepting(site_code, item.code)],
        "sibian": list(item.sibian), "special_procedures": list(item.special_procedures),
        "basis": item.basis, "street_allowed": item.street_allowed,
    }


def pre_guidance(cat, item) -> list[str]:
    """Notes for a complex item: joint review, clock-stopping procedures, agency service."""
    notes = []
    if item.is_joint:
        names = "、".join(cat.department(d).name for d in item.departments)
        notes.append(f"联审联办：由{names}共同审查，牵头部门{cat.department(item.lead).name}")
    if item.special_procedures:
        notes.append(f"需{'、'.join(item.special_procedures)}，所需时间不计入办理时限（行政许可法第四十五条）")
    if item.agency and notes:
        notes.append("可申请全程代办（我来办）")
    return notes


def draft(item, applicant: dict) -> dict:
    """A pre-filled application: every required material once in its checklist form."""
    return {"item_code": item.code, "applicant": dict(applicant),
            "materials": [{"name": m.name, "form": "copy" if m.form == "copy" else "original",
                           "count": m.count} for m in item.materials if not m.condition],
            "conditions": {c: False for c in conditions_of(item)}}
