"""Case events: the envelope every service relies on, and what counts as poison."""
from datetime import datetime

import pytest

from hall.domain.clock import SHANGHAI
from hall.domain.events import Event, InvalidEvent, new_event

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=SHANGHAI)


def test_an_event_carries_id_case_site_time_actor_and_schema_version():
    e = new_event("case_accepted", "LX00-20261125-00001", "LX00", NOW, {"staff_id": "c1"}, {"x": 1})
    d = e.to_dict()
    assert set(d) == {"id", "type", "case_no", "site", "at", "actor", "data", "schema"}
    assert d["schema"] == 1 and d["at"] == "2026-11-25T09:30:00+08:00"
    assert Event.from_dict(d) == e


def test_an_effect_of_the_same_cause_always_gets_the_same_id():
    a = new_event("case_routed", "C1", "LX00", NOW, {}, {}, caused_by="cause-1")
    b = new_event("case_routed", "C1", "LX00", NOW, {}, {"other": True}, caused_by="cause-1")
    c = new_event("case_routed", "C1", "LX00", NOW, {}, {}, caused_by="cause-2")
    assert a.id == b.id != c.id


def test_events_without_a_cause_are_unique():
    assert new_event("case_accepted", "C1", "LX00", NOW, {}, {}).id != \
        new_event("case_accepted", "C1", "LX00", NOW, {}, {}).id


@pytest.mark.parametrize("body, words", [
    ([], "must be an object"),
    ({"marker": 1}, "missing"),
    ({**new_event("case_accepted", "C", "S", NOW, {}, {}).to_dict(), "type": "case_exploded"}, "unknown event type"),
    ({**new_event("case_accepted", "C", "S", NOW, {}, {}).to_dict(), "schema": 99}, "schema version"),
    ({**new_event("case_accepted", "C", "S", NOW, {}, {}).to_dict(), "at": "yesterday"}, "ISO 8601"),
    ({**new_event("case_accepted", "C", "S", NOW, {}, {}).to_dict(), "case_no": ""}, "case_no"),
    ({**new_event("case_accepted", "C", "S", NOW, {}, {}).to_dict(), "data": []}, "objects"),
])
def test_a_message_that_is_not_a_case_event_is_refused_with_the_reason(body, words):
    with pytest.raises(InvalidEvent, match=words):
        Event.from_dict(body)


def test_an_unknown_event_type_cannot_be_made():
    with pytest.raises(ValueError):
        new_event("case_exploded", "C", "S", NOW, {}, {})
