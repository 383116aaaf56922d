"""The SLA store's contract against the real MongoDB-protocol server (SecantusDB): the same
tests the in-memory fake passes (tests/unit/test_sla_repository_contract.py)."""
import uuid

import pytest

from hall.infra.mongo import connect
from services.sla.repository import SlaRepository
from tests.unit.fakes import MemoryOutbox
from tests.unit.test_sla_repository_contract import SlaRepositoryContract


class TestMongoSlaRepository(SlaRepositoryContract):
    @pytest.fixture
    def repo(self, mongo_uri):
        """A fresh database of its own for each test, dropped after it."""
        with connect(mongo_uri) as client:
            name = f"test_sla_{uuid.uuid4().hex[:10]}"
            yield SlaRepository(client[name], MemoryOutbox())
            client.drop_database(name)


def test_the_cases_by_status_are_kept_by_the_events_and_read_without_counting(mongo_uri):
    """The gauges' counts come from tallies the recorded events keep: reading them sends no
    count (aggregate) over the timeline, another process sees what this one recorded once it
    is stored, a repeated event is not counted twice, and a timeline from before the tallies
    is counted once."""
    from tests.integration.helpers import CommandLog
    from tests.unit.test_sla_repository_contract import accepted, new_case, routed
    log = CommandLog()
    name = f"test_sla_{uuid.uuid4().hex[:10]}"
    with connect(mongo_uri) as client:
        try:
            old = [new_case(n) for n in (1, 2)]
            for c in old:  # a timeline written before tallies existed
                client[name].timeline.insert_one({"_id": uuid.uuid4().hex, "type": "case_accepted", "case_no": c})
            client[name].timeline.insert_one({"_id": uuid.uuid4().hex, "type": "case_routed", "case_no": old[0]})
            worker = SlaRepository(client[name], MemoryOutbox())
            a, b = new_case(3), new_case(4)
            seen = (accepted(a), accepted(b), routed(a))
            for e in seen:
                assert worker.record(e, "intake")
            assert not worker.record(seen[2], "routing")  # delivered again: not counted again
            worker.tallies.flush()
            with type(client)(client.address[0], client.address[1], retryWrites=False,
                              event_listeners=[log]) as watched:
                api = SlaRepository(watched[name], MemoryOutbox())  # another process reading them
                log.seen.clear()
                counts = api.count_by_status()
                assert (counts["accepted"], counts["routed"], counts["held"]) == (2, 2, 0)
                assert [c for c, _ in log.seen] == ["find"]
            again = SlaRepository(client[name], MemoryOutbox())  # a restart does not count again
            assert again.count_by_status() == counts
        finally:
            client.drop_database(name)
