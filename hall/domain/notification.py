"""Telling the applicant: the text messages delivery sends, and the port they go out through.

A notice is decided by the domain and stored with the change that caused it; the service then
hands it to a `Notifier`. Every notice has a stable id, so handing it over twice sends it once.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from datetime import datetime

SIGNATURE = "【历下区政务服务中心】"
KINDS = ("pickup_code", "reminder", "shipped", "returned", "not_shippable", "archived", "code_locked",
         "code_unlocked")


@dataclass(frozen=True)
class Notice:
    id: str          # "<case_no>/<n>": the n-th notice about the case
    case_no: str
    kind: str
    to: str          # the applicant's mobile number
    at: str          # ISO 8601
    text: str
    code: str = ""   # the pickup code the text carries, if any
    channel: str = "sms"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Notice":
        return cls(**{k: d.get(k, "") for k in cls.__dataclass_fields__})


class Notifier(ABC):
    """The port to the applicant's phone, and the record of what went out through it.
    `send` is idempotent by notice id. Adapters: the recording notifier of delivery's
    database (services/delivery/repository.py) and the in-memory fake of the unit tests."""

    @abstractmethod
    def send(self, notice: Notice) -> bool:
        """Hand a notice over; False when this notice id was already sent."""

    @abstractmethod
    def sent(self, ids: list[str]) -> set[str]:
        """Which of these notice ids were sent."""


def compose(case_no: str, n: int, kind: str, to: str, now: datetime, code: str = "", **facts) -> Notice:
    """The notice of `kind` about a case, its text filled in from `facts`."""
    texts = {
        "pickup_code": "您的办件 {case_no} 已办结，请凭取件码 {code} 及本人证件（代领人凭授权委托书）"
                       "到{place}领取，请于 {due} 前领取。",
        "reminder": "提醒：您的办件 {case_no} 的办理结果尚未领取，请凭取件码及本人证件到{place}领取。",
        "shipped": "您的办件 {case_no} 的办理结果已交 EMS 寄出，运单号 {waybill}。",
        "returned": "您的办件 {case_no} 的邮件（运单号 {waybill}）被退回：{reason}。请凭取件码 {code} "
                    "及本人证件到{place}领取。",
        "not_shippable": "您的办件 {case_no} 无法邮寄：{reason}。请凭取件码 {code} 及本人证件到{place}领取，"
                         "或联系窗口更改地址。",
        "archived": "您的办件 {case_no} 的办理结果逾期未领取，已于 {day} 转存档案室（{archive_no}），"
                    "请携本人证件到{place}申请调取。",
        "code_locked": "您的办件 {case_no} 的取件码已连续 {attempts} 次输入错误，凭取件码领取已锁定。"
                       "请本人携身份证件到{place}核验身份后领取；如非本人操作，请留意信息安全。",
        "code_unlocked": "您的办件 {case_no} 已在{place}核验身份并解除锁定，新的取件码为 {code}，"
                         "原取件码作废。",
    }
    if kind not in texts:
        raise ValueError(f"unknown notice kind {kind!r}")
    text = SIGNATURE + texts[kind].format(case_no=case_no, code=code, **facts)
    return Notice(f"{case_no}/{n}", case_no, kind, to, now.isoformat(), text, code)
