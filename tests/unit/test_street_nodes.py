"""Street centres with a node of their own: one place numbers a site's cases, and the clerk
is told when the district cannot be reached."""
from __future__ import annotations

import pytest

from hall.domain.errors import Refused
from hall.domain.nodes import Numbering
from hall.infra import settings
from hall.runtime.broker_node import Link, LinkStatus, LinkWatch

LINK = Link("LX03", "amqp://node", "http://node:15672", "amqp://district")


def test_a_street_node_numbers_only_its_own_site_s_cases():
    Numbering(own_site="LX03").check("LX03")
    with pytest.raises(Refused, match="accepts cases of LX03 only, not of LX00"):
        Numbering(own_site="LX03").check("LX00")


def test_the_district_does_not_number_the_cases_of_a_site_that_has_its_own_node():
    district = Numbering(elsewhere=frozenset({"LX03"}))
    district.check("LX00")
    with pytest.raises(Refused, match="accepted \\(and numbered\\) at that node"):
        district.check("LX03")


def test_the_settings_name_the_street_nodes_and_refuse_a_street_node_without_a_site(monkeypatch):
    monkeypatch.setenv("HALL_STREET_NODES", "LX03=http://127.0.0.1:15682, LX04=http://10.0.0.4:15672/")
    s = settings.load()
    assert s.street_nodes == (("LX03", "http://127.0.0.1:15682"), ("LX04", "http://10.0.0.4:15672"))
    assert s.numbering.elsewhere == {"LX03", "LX04"} and s.role == "district"
    monkeypatch.setenv("HALL_STREET_NODES", "LX03")
    with pytest.raises(SystemExit, match="expected SITE=http"):
        settings.load()
    monkeypatch.delenv("HALL_STREET_NODES")
    monkeypatch.setenv("HALL_ROLE", "street")
    with pytest.raises(SystemExit, match="needs HALL_SITE"):
        settings.load()
    monkeypatch.setenv("HALL_SITE", "LX03")
    assert settings.load().numbering == Numbering(own_site="LX03")
    monkeypatch.setenv("HALL_ROLE", "branch")
    with pytest.raises(SystemExit, match="one of district, street"):
        settings.load()


def test_the_clerk_is_told_while_the_link_is_down_and_no_longer_once_it_is_back():
    states = iter([LinkStatus("LX03", True, {"LX03-up-intake": "running"}, 0),
                   LinkStatus("LX03", True, {"LX03-up-intake": "starting"}, 7),
                   LinkStatus("LX03", False, {}, -1),
                   LinkStatus("LX03", True, {"LX03-up-intake": "running"}, 0)])
    watch = LinkWatch(LINK, status=lambda link: next(states))
    watch.check()
    assert watch.warning() == ""
    watch.check()
    assert "暂时无法连接" in watch.warning() and "7 event(s) wait" in watch.warning()
    since = watch.down_since
    watch.check()  # the node's own broker not answering either: still down, since the same time
    assert watch.down_since == since and "0 event(s)" in watch.warning()
    watch.check()
    assert watch.warning() == ""
