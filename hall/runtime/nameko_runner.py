"""Run Nameko services in this process: the event-driven half of a service.

Eventlet must patch the standard library before anything else is imported, so the service
modules are imported only after `patch()`.
"""
from __future__ import annotations

import importlib
import logging
import os


def run(process: str, service_path: str, max_workers: int | None = None) -> None:
    import eventlet
    eventlet.monkey_patch()
    from nameko import config
    from nameko.runners import ServiceRunner

    from hall.runtime import process as proc
    s = proc.start(process)
    # Many events in hand at once let the workers' writes be committed together
    # (hall/infra/batch.py); workers are green threads, so each costs little.
    max_workers = max_workers or int(os.environ.get("HALL_EVENT_WORKERS", "40"))
    config.update({"AMQP_URI": s.amqp_uri, "max_workers": max_workers,
                   "PREFETCH_COUNT": max_workers})
    module, cls = service_path.rsplit(":", 1)
    service = getattr(importlib.import_module(module), cls)
    runner = ServiceRunner()
    runner.add_service(service)
    runner.start()
    from hall.infra.metrics import CONSUMING
    CONSUMING.set(1)  # the launcher waits for this: events published from now on reach our queues
    logging.getLogger(process).info("%s consuming on %s", service.name, s.amqp_uri.rsplit("@", 1)[-1])
    stopping = exit_when_dead(runner, process)
    try:
        proc.wait_for_signal()
    finally:
        stopping.append(True)
        runner.stop()


def exit_when_dead(runner, process: str) -> list:
    """Exit the process (code 75) if its service container dies: Nameko kills a container when
    one of its threads fails and the process would live on consuming nothing, a worker that
    looks alive to its supervisor but never recovers. Exited, it is restarted."""
    import eventlet
    stopping: list = []  # appended to when the process stops on purpose

    def watch():
        try:
            runner.wait()
        except BaseException:
            logging.getLogger(process).exception("the service container died; exiting to be restarted")
        if stopping:
            return
        from hall.infra.metrics import CONSUMING
        CONSUMING.set(0)
        logging.shutdown()
        os._exit(75)
    eventlet.spawn(watch)
    return stopping
