"""Case numbers: site + date + sequence, unique across restarts."""
import threading
from datetime import date

from hall.domain.case_number import SequenceBlocks, format_case_no, parse_case_no


def test_a_case_number_reads_site_date_and_sequence():
    assert format_case_no("LX05", date(2026, 11, 25), 42) == "LX05-20261125-00042"
    assert parse_case_no("LX05-20261125-00042") == ("LX05", date(2026, 11, 25), 42)


def test_malformed_case_numbers_are_not_case_numbers():
    for bad in ("", "LX00", "lx00-20261125-00001", "LX00-20261341-00001", "LX00-2026112-00001"):
        assert parse_case_no(bad) is None


class Counter:
    """The storage side: atomically advance a counter, as the repository does."""

    def __init__(self):
        self.values, self.calls, self.lock = {}, 0, threading.Lock()

    def reserve(self, site, day, size):
        with self.lock:
            self.calls += 1
            nxt = self.values.get((site, day), 0) + size
            self.values[(site, day)] = nxt
            return nxt - size + 1


def test_sequences_come_from_reserved_blocks_one_storage_call_per_block():
    counter = Counter()
    seq = SequenceBlocks(counter.reserve, block_size=10)
    day = date(2026, 11, 25)
    assert [seq.next("LX00", day) for _ in range(25)] == list(range(1, 26))
    assert counter.calls == 3


def test_each_site_and_day_counts_on_its_own():
    seq = SequenceBlocks(Counter().reserve, block_size=5)
    assert seq.next("LX00", date(2026, 11, 25)) == 1
    assert seq.next("LX01", date(2026, 11, 25)) == 1
    assert seq.next("LX00", date(2026, 11, 25)) == 2
    assert seq.next("LX00", date(2026, 11, 26)) == 1


def test_a_restart_leaves_a_gap_never_a_duplicate():
    counter = Counter()
    day = date(2026, 11, 25)
    first = [SequenceBlocks(counter.reserve, 10).next("LX00", day) for _ in range(1)]
    after_restart = SequenceBlocks(counter.reserve, 10).next("LX00", day)
    assert after_restart > first[-1]


def test_concurrent_callers_never_share_a_number():
    seq = SequenceBlocks(Counter().reserve, block_size=7)
    got, lock = [], threading.Lock()

    def take():
        for _ in range(50):
            n = seq.next("LX00", date(2026, 11, 25))
            with lock:
                got.append(n)
    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 401))
