"""形式审核: the window checks what an applicant presents against the item's checklist
(《"一窗受理"事项受理材料标准化手册》), Art. 32 行政许可法.

Required materials must be presented in the form and number the checklist asks; a
conditional material is needed only when the clerk answers that its condition applies. A
material naming an e-licence type is met by a valid A/B-level e-licence of the applicant from
the licence library (电子证照库) instead of paper. Every shortfall is listed at once, so the
applicant can be told everything in one notice (一次性告知).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from .errors import InvalidArgument

USABLE_TRUST = ("A", "B")
FORM_WORDS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}


@dataclass(frozen=True)
class Check:
    """The finding for one checklist line."""
    name: str
    status: str            # met, missing, defective, not_needed
    by: str = ""           # paper, elicence
    licence_number: str = ""
    problem: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "by": self.by,
                "licence_number": self.licence_number, "problem": self.problem}


@dataclass(frozen=True)
class Finding:
    checks: tuple[Check, ...]

    @property
    def complete(self) -> bool:
        return all(c.status in ("met", "not_needed") for c in self.checks)

    @property
    def problems(self) -> list[dict]:
        """The one-time list: every missing or defective material with what is wrong."""
        return [{"name": c.name, "problem": c.problem} for c in self.checks
                if c.status in ("missing", "defective")]


def conditions_of(item) -> list[str]:
    """The questions the clerk must answer for this item, in checklist order."""
    return list(dict.fromkeys(m.condition for m in item.materials if m.condition))


def check_answers(item, answers: dict[str, bool]) -> None:
    """Every condition of the item answered, and nothing else."""
    asked = conditions_of(item)
    unknown = [c for c in answers if c not in asked]
    if unknown:
        raise InvalidArgument(f"{item.name} has no condition {unknown[0]!r}; "
                              f"its conditions are: {'；'.join(asked) or 'none'}")
    unanswered = [c for c in asked if c not in answers]
    if unanswered:
        raise InvalidArgument(f"answer whether each condition applies: {'；'.join(unanswered)}")


def check_names(item, presented: list[dict]) -> None:
    """A presented material must be a line of the checklist (a typo would hide a shortfall)."""
    names = {m.name for m in item.materials}
    for p in presented:
        if p["name"] not in names:
            raise InvalidArgument(f"{p['name']!r} is not on the checklist of {item.name}")


def usable_licences(licences: list[dict], holder_id: str, today: date) -> dict[str, dict]:
    """The applicant's e-licences that may replace paper: valid today, trust level A or B."""
    out: dict[str, dict] = {}
    for lic in licences:
        if lic.get("holder_id") != holder_id or lic.get("status") != "valid":
            continue
        if lic.get("trust_level") not in USABLE_TRUST:
            continue
        start, end = lic.get("valid_from") or "", lic.get("valid_to") or ""
        if (start and start > today.isoformat()) or (end and end < today.isoformat()):
            continue
        out.setdefault(lic["licence_type"], lic)
    return out


def _paper_problem(material, have: dict[str, int], online: bool) -> str:
    need = material.count
    electronic = have["electronic"] if online else 0
    originals = have["original"] + electronic
    copies = have["copy"] + electronic
    if not any(have.values()):
        return f"未提交（需{FORM_WORDS[material.form]}{need}份）"
    if material.form == "original" and originals < need:
        return f"需原件{need}份，收到原件{originals}份"
    if material.form == "copy" and originals + copies < need:
        return f"需复印件{need}份，收到{originals + copies}份"
    if material.form == "original_and_copy" and (originals < need or copies < need):
        return f"需原件及复印件各{need}份，收到原件{originals}份、复印件{copies}份"
    return ""


def review(item, presented: list[dict], answers: dict[str, bool],
           licences: dict[str, dict], online: bool = False) -> Finding:
    """Check the presented materials (name, form, count) against the item's checklist.
    `licences`: usable e-licences by type; `online`: electronic files stand in for paper."""
    check_names(item, presented)
    check_answers(item, answers)
    have: dict[str, dict[str, int]] = defaultdict(lambda: {"original": 0, "copy": 0, "electronic": 0})
    for p in presented:
        have[p["name"]][p["form"]] += p["count"]
    checks = []
    for m in item.materials:
        if m.condition and not answers[m.condition]:
            checks.append(Check(m.name, "not_needed"))
        elif m.licence_type and m.licence_type in licences:
            checks.append(Check(m.name, "met", "elicence", licences[m.licence_type]["licence_number"]))
        elif problem := _paper_problem(m, have[m.name], online):
            status = "missing" if problem.startswith("未提交") else "defective"
            checks.append(Check(m.name, status, problem=problem))
        else:
            checks.append(Check(m.name, "met", "paper"))
    return Finding(tuple(checks))


def paper_received(presented: list[dict], finding: Finding) -> list[dict]:
    """The paper that goes to the department: presented originals and copies of met lines."""
    met = {c.name for c in finding.checks if c.status == "met" and c.by == "paper"}
    return [dict(p) for p in presented if p["name"] in met and p["form"] != "electronic"]
