"""Error messages are safe to send and print, whatever the request carried."""
from __future__ import annotations

from hall.infra.grpcutil import MAX_MESSAGE, clean


def test_control_and_bidirectional_override_characters_are_replaced():
    assert clean("name 'a\x00b\u202ec\u2066d\x1b' is invalid") == "name 'a\ufffdb\ufffdc\ufffdd\ufffd' is invalid"


def test_a_message_is_cut_far_below_the_metadata_limit():
    message = clean("unknown item code " + "x" * 20000)
    assert len(message) == MAX_MESSAGE and message.endswith("…")


def test_chinese_text_passes_unchanged():
    assert clean("申请人名称不能为空") == "申请人名称不能为空"
