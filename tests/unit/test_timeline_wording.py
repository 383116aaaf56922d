"""The timeline's wording is a table (issue 13, point 3): each event type the history shows has
one entry, a template over the data fields it quotes; an unknown type reads as itself."""
from __future__ import annotations

import pytest

from hall.domain import timeline
from hall.domain.timeline import WORDING, Wording, summary

LINES = [  # (type, data, the line a clerk reads)
    ("case_accepted", {"item": {"name": "食品经营许可"}, "promised_due": "2026-03-10"}, "受理 食品经营许可，承诺办结 2026-03-10"),
    ("case_routed", {"departments": ["FGW", "SCJG"]}, "按责转办至 FGW、SCJG"),
    ("case_held", {"reason": "无部门"}, "暂存待分办：无部门"),
    ("decision_made", {"department": "FGW", "outcome": "approved"}, "FGW 审批：approved"),
    ("decision_made", {"department": "FGW", "outcome": "refused", "reason": "不符"}, "FGW 审批：refused 不符"),
    ("case_decided", {"outcome": "approved"}, "办结：approved"),
    ("result_ready", {"delivery": "courier"}, "出件准备就绪（courier）"),
    ("result_issued", {"to": "张三", "via": "courier"}, "已出件给 张三（EMS 投递）"),
    ("result_issued", {"to": "张三", "via": "pickup"}, "已出件给 张三"),
    ("result_forwarded", {"handover_no": "H1", "stage": "sent", "to": "LX01"}, "出件交接 H1：已送往 LX01"),
    ("result_forwarded", {"handover_no": "H1", "stage": "received", "to": "LX01"}, "出件交接 H1：已签收于 LX01"),
    ("shipment_created", {"waybill": "W1"}, "EMS 寄送，运单号 W1"),
    ("shipment_updated", {"waybill": "W1", "status": "投递中"}, "EMS W1：投递中"),
    ("result_returned", {"reason": "查无此人"}, "EMS 退回（查无此人），转窗口领取"),
    ("reminder_sent", {"n": 2}, "第 2 次提醒领取"),
    ("result_archived", {"archive_no": "A1"}, "逾期未领取，转存档案 A1"),
    ("supplement_requested", {"department": "FGW", "reason": "缺件"}, "FGW 要求补正：缺件（计时暂停）"),
    ("supplement_submitted", {"department": "FGW"}, "申请人已补正材料（FGW），恢复计时"),
    ("procedure_started", {"department": "FGW", "expected_days": 5}, "FGW 启动特别程序，预计 5 天，不计入时限"),
    ("procedure_started", {"department": "FGW", "kind": "听证", "expected_days": 5}, "FGW 启动听证，预计 5 天，不计入时限"),
    ("procedure_ended", {"department": "FGW"}, "FGW 特别程序结束，恢复计时"),
    ("extension_granted", {"department": "FGW", "days": 10, "reason": "复杂"}, "FGW 延长办理期限 10 个工作日：复杂"),
    ("supervision_raised", {"text": "【督办】请督促"}, "【督办】请督促"),
    ("supervision_raised", {"watch": "legal", "level": "overdue"}, "督办：legal overdue"),
    ("supervision_escalated", {}, "督办升级至督查室"),
    ("case_closed", {"on_time_promised": True}, "结案：按承诺时限办结"),
    ("case_closed", {"on_time_promised": False}, "结案：超出承诺时限"),
]


@pytest.mark.parametrize("type_, data, line", LINES)
def test_each_event_reads_as_its_table_entry_says(type_, data, line):
    assert summary({"type": type_, "data": data}) == line


def test_the_wording_is_a_table_with_one_entry_per_event_type_and_the_fields_it_quotes():
    assert all(isinstance(w, Wording) for w in WORDING.values())
    assert set(timeline.STEP) <= set(WORDING) and {t for t, _, _ in LINES} == set(WORDING)
    assert WORDING["extension_granted"].fields == ("department", "days", "reason")
    assert WORDING["case_routed"].fields == ("department_list",)


def test_a_field_missing_from_the_data_reads_empty_or_as_its_default():
    assert summary({"type": "case_held", "data": {}}) == "暂存待分办："
    assert summary({"type": "procedure_ended", "data": {"department": "FGW", "kind": None}}) == "FGW 特别程序结束，恢复计时"


def test_an_event_type_without_an_entry_reads_as_itself():
    assert summary({"type": "something_new", "data": {"x": 1}}) == "something_new"


def test_a_new_wording_is_one_more_row():
    row = Wording("{department} 退件：{reason}")
    assert row.line({"department": "FGW", "reason": "不予受理"}) == "FGW 退件：不予受理"
    assert row.fields == ("department", "reason")
