"""A worker process whose Nameko service container died exits (code 75) so its supervisor
restarts it, instead of living on consuming nothing (the chaos campaign found an SLA worker
in that state after a broker restart)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import eventlet
    eventlet.monkey_patch()
    import sys, time
    from nameko.extensions import DependencyProvider
    from nameko.runners import ServiceRunner
    from hall.runtime.nameko_runner import exit_when_dead

    class Failing(DependencyProvider):
        def start(self):
            def fail():
                eventlet.sleep(0.3)
                raise ConnectionResetError(104, "Connection reset by peer")
            self.container.spawn_managed_thread(fail)

    class Service:
        name = "doomed"
        dep = Failing()

    runner = ServiceRunner()
    runner.add_service(Service)
    runner.start()
    stopping = exit_when_dead(runner, "doomed")
    if sys.argv[1] == "stop":
        stopping.append(True)
    time.sleep(5)
    print("still alive")
""")


def run(mode: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=60)


def test_a_worker_whose_service_container_died_exits_to_be_restarted():
    done = run("die")
    assert done.returncode == 75, done.stderr[-2000:]
    assert "still alive" not in done.stdout
    assert "the service container died" in done.stderr


def test_a_worker_stopping_on_purpose_is_not_made_to_exit_early():
    done = run("stop")
    assert done.returncode == 0 and "still alive" in done.stdout, done.stderr[-2000:]
