"""Group commit and coalescing (hall/infra/batch.py): concurrent callers share one run of the
work, each gets its own answer or its own error, and a linger gathers callers that arrive
a little apart."""
from __future__ import annotations

import threading
import time

from hall.infra.batch import Coalescer


def _submit_all(coalescer, keys, spacing=0.0):
    results, errors = {}, {}

    def one(k):
        try:
            results[k] = coalescer.submit(k)
        except Exception as exc:  # noqa: BLE001 - the test looks at which error each caller got
            errors[k] = exc

    threads = []
    for k in keys:
        t = threading.Thread(target=one, args=(k,))
        t.start()
        threads.append(t)
        time.sleep(spacing)
    for t in threads:
        t.join(5)
    return results, errors


def test_callers_that_come_while_a_run_goes_share_the_next_run_and_each_get_their_own_result():
    runs, gate = [], threading.Event()

    def work(keys):
        runs.append(list(keys))
        gate.wait(5)
        return {k: k * 10 for k in keys}

    c = Coalescer(work, "test")
    first = threading.Thread(target=c.submit, args=(1,))
    first.start()
    while not runs:
        time.sleep(0.001)
    later = threading.Thread(target=lambda: results.update(_submit_all(c, [2, 3, 4])[0]))
    results: dict = {}
    later.start()
    time.sleep(0.1)  # 2, 3 and 4 queue while the first run is held
    gate.set()
    first.join(5)
    later.join(5)
    assert runs == [[1], [2, 3, 4]]
    assert results == {2: 20, 3: 30, 4: 40}


def test_a_linger_gathers_callers_that_arrive_a_little_apart_into_one_run():
    runs = []
    c = Coalescer(lambda keys: (runs.append(list(keys)), {k: k for k in keys})[1], "test", linger=0.3)
    results, errors = _submit_all(c, [1, 2, 3], spacing=0.02)
    assert not errors and results == {1: 1, 2: 2, 3: 3}
    assert runs == [[1, 2, 3]]


def test_without_a_linger_callers_apart_in_time_get_runs_of_their_own():
    runs = []
    c = Coalescer(lambda keys: (runs.append(list(keys)), {k: k for k in keys})[1], "test")
    _submit_all(c, [1, 2], spacing=0.1)
    assert runs == [[1], [2]]


def test_a_failed_run_fails_each_of_its_callers_and_the_next_run_works():
    calls = []

    def work(keys):
        calls.append(list(keys))
        if len(calls) == 1:
            raise RuntimeError("database away")
        return {k: "ok" for k in keys}

    c = Coalescer(work, "test", linger=0.2)
    _, errors = _submit_all(c, ["a", "b"], spacing=0.01)
    assert set(errors) == {"a", "b"} and all(isinstance(e, RuntimeError) for e in errors.values())
    assert c.submit("c") == "ok"


def test_a_run_takes_at_most_its_batch_size():
    runs = []
    c = Coalescer(lambda keys: (runs.append(list(keys)), {k: k for k in keys})[1], "test",
                  max_batch=2, linger=0.3)
    _submit_all(c, [1, 2, 3], spacing=0.01)
    assert sorted(len(r) for r in runs) == [1, 2]
