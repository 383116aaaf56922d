"""`make run`'s own start (hall.runtime.run), in a directory of the test's: it says where the
administrator's first password is, and every file holding a key or a password is 0600."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pymongo

from hall.runtime import rabbit
from hall.runtime.launcher import DATABASES
from hall.infra.settings import ROOT
from tests.integration.hallfixture import free_port_base

SECRET_FILES = ("signing.key", "service-accounts", "admin-password", "svc-gateway.secret",
                "svc-intake.secret", "svc-routing.secret", "svc-approval.secret", "svc-delivery.secret",
                "svc-sla.secret", "audit.key")


def test_make_run_keeps_keys_and_passwords_in_files_only_their_owner_reads(tmp_path):
    vhost = rabbit.create_vhost(f"hall-test-run-{os.getpid()}")
    base = free_port_base()
    env = {**os.environ, "HALL_VAR_DIR": str(tmp_path / "var"), "HALL_PORT_BASE": str(base),
           "HALL_DB_PORT": str(base + 90), "HALL_AMQP_URI": rabbit.amqp_uri(vhost)}
    env.pop("MONGO_URI", None)
    proc = subprocess.Popen([sys.executable, "-m", "hall.runtime.run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 150
        while not any("Ctrl-C stops everything" in line for line in lines):
            assert proc.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.5)
        out = "".join(lines)
        secrets_dir = tmp_path / "var" / "secrets"
        assert f"password in {secrets_dir / 'admin-password'}" in out
        password = (secrets_dir / "admin-password").read_text().strip()
        assert len(password) >= 16 and password not in out
        for name in SECRET_FILES:
            assert (secrets_dir / name).stat().st_mode & 0o777 == 0o600, name
        assert (tmp_path / "var" / "run.env").stat().st_mode & 0o777 == 0o600
        assert secrets_dir.stat().st_mode & 0o777 == 0o700
        assert not (tmp_path / "var" / "token_secret").exists()

        # the README's session: the administrator signs in with the tool, the demo signs staff in
        tools_env = {**os.environ, "HALL_VAR_DIR": str(tmp_path / "var"),
                     "HALL_PASSWORD_FILE": str(secrets_dir / "admin-password")}
        signed = subprocess.run([sys.executable, "-m", "hall.tools.signin", "admin"], cwd=ROOT, env=tools_env,
                                capture_output=True, text=True, timeout=60)
        assert signed.returncode == 0 and signed.stdout.count(".") == 2, signed.stderr
        demo = subprocess.run([sys.executable, "-m", "hall.tools.demo"], cwd=ROOT, env=tools_env,
                              capture_output=True, text=True, timeout=120)
        assert demo.returncode == 0 and "status closed" in demo.stdout, demo.stdout + demo.stderr
        assert "signed in: clerk LX00-C" in demo.stdout

        # one embedded server per service, each holding that service's database and no other
        run_env = dict(line.split("=", 1) for line in (tmp_path / "var" / "run.env").read_text().splitlines())
        uris = {d: run_env[f"HALL_{d.upper()}_MONGO_URI"] for d in DATABASES}
        assert len(set(uris.values())) == len(DATABASES)
        prefix = run_env.get("HALL_DB_PREFIX", "lixia")
        for d, uri in uris.items():
            assert "retryWrites=false" in uri
            with pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
                ours = [n for n in client.list_database_names() if n.startswith(prefix + "_")]
            assert ours == [f"{prefix}_{d}"], (d, ours)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
        rabbit.delete_vhost(vhost)
