"""What every service process does at start: logging, settings, metrics port, clean shutdown."""
from __future__ import annotations

import logging
import signal
import threading

from hall.infra import metrics, settings as settings_mod


def start(process: str) -> settings_mod.Settings:
    logging.basicConfig(level=logging.INFO,
                        format=f"%(asctime)s {process} %(levelname)s %(name)s: %(message)s")
    s = settings_mod.load()
    metrics.serve(s.metrics_port(process))
    logging.getLogger(process).info("metrics on :%d", s.metrics_port(process))
    return s


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM (Ctrl-C, Kubernetes stopping the pod)."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
