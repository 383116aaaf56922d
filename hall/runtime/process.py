"""What every service process does at start: logging, settings, metrics port, clean shutdown."""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading

from hall.infra import metrics, settings as settings_mod


def die_with_parent() -> None:
    """Stop when the launcher that started us dies, however it dies (Linux prctl)."""
    if os.environ.get("HALL_LAUNCHED"):
        try:
            ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def start(process: str) -> settings_mod.Settings:
    die_with_parent()
    logging.basicConfig(level=logging.INFO,
                        format=f"%(asctime)s {process} %(levelname)s %(name)s: %(message)s")
    s = settings_mod.load()
    metrics.serve(s.metrics_port(process), s.bind)
    logging.getLogger(process).info("metrics on :%d", s.metrics_port(process))
    return s


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM (Ctrl-C, Kubernetes stopping the pod)."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
