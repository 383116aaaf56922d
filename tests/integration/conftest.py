"""One embedded MongoDB-protocol server and one running hall per test session."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from hall.catalogue import load_catalogue
from hall.runtime.launcher import wait_port
from tests.integration.hallfixture import TestHall, free_port_base


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory):
    if os.environ.get("MONGO_URI"):
        yield os.environ["MONGO_URI"]
        return
    port = free_port_base(1)
    storage = tmp_path_factory.mktemp("secantus")
    log = open(storage / "server.log", "wb")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("secantusd-py")), "--host", "127.0.0.1",
                             "--port", str(port), "--storage-path", str(storage / "data"),
                             "--sync-on-commit"], stdout=log, stderr=subprocess.STDOUT)
    wait_port("127.0.0.1", port, 30)
    yield f"mongodb://127.0.0.1:{port}/?retryWrites=false"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("hall-logs")


# the simulated EMS reports each step after a fraction of a second instead of hours
# no random returns in tests: an address marked 查无此人 is how a test asks for one
FAST_CARRIER = {"HALL_CARRIER_DELAYS": "0.3", "HALL_CARRIER_TICK": "0.2", "HALL_CARRIER_RETURN_RATE": "0"}


@pytest.fixture(scope="session")
def hall(mongo_uri, log_dir):
    h = TestHall(mongo_uri, log_dir)
    h.hall.env.update(FAST_CARRIER)
    try:
        h.hall.start_all()
        yield h
    finally:
        h.close()


@pytest.fixture
def own_hall(mongo_uri, log_dir):
    """A hall of the test's own (vhost, database prefix, ports); the test starts what it needs."""
    h = TestHall(mongo_uri, log_dir)
    yield h
    h.close()


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def items(catalogue):
    """Items the hall accepts today, by kind, for tests to pick from the real catalogue."""
    from datetime import date
    ok = [i for i in catalogue.items.values()
          if not i.classified and not catalogue.missing_delegations(i.code, date.today())]
    return {
        "single": next(i for i in ok if len(i.departments) == 1 and i.promised_limit > 0),
        "joint": next(i for i in ok if len(i.departments) >= 3),
        "classified": next(i for i in catalogue.items.values() if i.classified),
        "no_courier": next(i for i in ok if not i.courier_allowed),
    }


@pytest.fixture
def scratch_db(mongo_uri):
    """An empty database of the test's own on the real server, dropped afterwards (for the
    repositories' contract tests)."""
    from hall.infra.mongo import connect
    client, name = connect(mongo_uri), f"test_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        client.drop_database(name)
        client.close()
