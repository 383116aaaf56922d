"""The SLA worker takes its reference data from the catalogue provider (issue 13, point 4): a
reload through the administrator's call reaches the running worker within seconds — a new
chief representative of a department receives that department's next supervision notice,
with no restart."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from hall.catalogue import DEFAULT_ROOT
from hall.v1 import catalogue_pb2 as pb
from tests.integration.hallfixture import eventually
from tests.integration.test_catalogue_service import reader
from tests.integration.test_supervision_clocks import accept, new_case_no

OLD_CHIEF, NEW_CHIEF = ("LX-FGW-01", "王建国"), ("LX-FGW-R01", "李文静")


@pytest.fixture
def ref(own_hall, tmp_path) -> Path:
    """The hall reads a private copy of the reference data that the test may change."""
    root = tmp_path / "reference"
    shutil.copytree(DEFAULT_ROOT, root)
    own_hall.hall.env.update(HALL_REFERENCE_DIR=str(root), HALL_CATALOGUE_REFRESH_SECONDS="0.3",
                             HALL_CATALOGUE_POLL_SECONDS="0", HALL_SLA_SCAN_SECONDS="0.5")
    return root


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def make_fgw_chief(root: Path, staff_id: str, name: str) -> None:
    """李文静 becomes 区发改委's chief representative in place of 王建国 (departments and staff)."""
    replace(root / "departments.yaml", "chief: {staff_id: LX-FGW-01, name: 王建国}",
            f"chief: {{staff_id: {staff_id}, name: {name}}}")
    replace(root / "staff.yaml", "{staff_id: LX-FGW-01, name: 王建国, roles: [chief, reviewer]",
            "{staff_id: LX-FGW-01, name: 王建国, roles: [reviewer]")
    replace(root / "staff.yaml", "{staff_id: LX-FGW-R01, name: 李文静, roles: [reviewer]",
            "{staff_id: LX-FGW-R01, name: 李文静, roles: [chief, reviewer]")


def notice_to(h, case_no: str) -> tuple[str, str]:
    """Whom the overdue decision notice of a case went to, once the scan raised it."""
    n = eventually(lambda: h.db("sla").notices.find_one({"case_no": case_no, "watch": "decision"}),
                   f"the notice of {case_no}", timeout=30)
    return n["to"]["staff_id"], n["to"]["name"]


def test_a_reloaded_chief_representative_receives_the_next_notice_without_a_restart(own_hall, ref):
    h = own_hall
    h.hall.start_all(["sla-worker", "gateway"])
    before = new_case_no("2026-10-12")
    accept(h, before, "2026-10-12", promised=5, legal=20, departments=("FGW",))
    assert notice_to(h, before) == OLD_CHIEF

    make_fgw_chief(ref, *NEW_CHIEF)
    reloaded = reader(h, "admin").ReloadCatalogue(pb.ReloadCatalogueRequest())
    assert reloaded.changed
    worker = h.hall.procs["sla-worker"]

    reloaded_at = time.monotonic()

    def next_notice_goes_to_the_new_chief() -> bool:
        after = new_case_no("2026-10-12")
        accept(h, after, "2026-10-12", promised=5, legal=20, departments=("FGW",))
        return notice_to(h, after) == NEW_CHIEF
    eventually(next_notice_goes_to_the_new_chief, "a notice to the new chief", timeout=20, every=0)
    assert time.monotonic() - reloaded_at < 10  # within seconds (the provider polls every 0.3 s here)
    assert worker.poll() is None and h.hall.procs["sla-worker"] is worker  # the same process
    assert notice_to(h, before) == OLD_CHIEF  # a notice raised stays addressed as it was
