"""The short fuzz campaign (bench/fuzz.py; `make fuzz N=10000` runs the long one): about a
thousand requests generated from the protos for every public gateway method, by every role and
with bad tokens, get clear answers; the hall keeps its earlier cases as they were and still
takes a case end to end."""
from __future__ import annotations

from collections import Counter

from bench import fuzz
from hall.catalogue import load_catalogue


def test_generated_requests_get_clear_answers_and_leave_the_hall_whole(own_hall, tmp_path):
    h = own_hall
    h.hall.start_all()
    item = fuzz.simple_item(load_catalogue())
    earlier = [fuzz.end_to_end(h, item)]
    before, traces = fuzz.snapshot(h, earlier), fuzz.tracebacks(h.hall.log_dir)
    assert before, "the earlier case's documents were found"

    campaign = fuzz.Campaign(h, seed=12)
    campaign.run(1000, seed=12)

    assert campaign.sent >= 800 and len(campaign.table) == len(fuzz.methods())
    assert not campaign.findings, "\n".join(campaign.findings[:20])
    new = {k: v - traces.get(k, 0) for k, v in fuzz.tracebacks(h.hall.log_dir).items() if v > traces.get(k, 0)}
    assert not new, f"tracebacks in the service logs: {new}"
    codes = sum(campaign.table.values(), Counter())
    assert codes["OK"] > 100 and codes["INVALID_ARGUMENT"] > 50 and codes["UNAUTHENTICATED"] > 30, codes
    after = fuzz.snapshot(h, earlier)
    assert [k for k in before if before[k] != after.get(k)] == [], "an earlier case changed"
    fuzz.end_to_end(h, item)
    chains = fuzz.audit_chains(h, tmp_path)
    assert chains.returncode == 0 and "BROKEN" not in chains.stdout, chains.stdout + chains.stderr
