"""No guessing at the public edge: a caller may look documents up by verification code only so
many times a minute (identity.LOOKUPS names the calls, LOOKUPS_PER_MINUTE the limit). A
sliding minute per caller, kept in memory by each gateway process."""
from __future__ import annotations

import threading
import time
from collections import deque


class PerMinute:
    """At most `limit` calls by one caller in any `window` seconds."""

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic, callers_kept: int = 100_000):
        self.limit, self.window, self.clock, self.callers_kept = limit, window, clock, callers_kept
        self._calls: dict[str, deque] = {}
        self._lock = threading.Lock()

    def admit(self, caller: str) -> float:
        """0 when the call may go ahead (and it is counted); otherwise the seconds until it may."""
        now = self.clock()
        with self._lock:
            calls = self._calls.setdefault(caller, deque())
            while calls and calls[0] <= now - self.window:
                calls.popleft()
            if len(calls) >= self.limit:
                return calls[0] + self.window - now
            calls.append(now)
            if len(self._calls) > self.callers_kept:
                self._forget(now)
            return 0.0

    def _forget(self, now: float) -> None:
        """Drop callers with no call inside the window, so memory stays bounded."""
        for key in [k for k, c in self._calls.items() if not c or c[-1] <= now - self.window]:
            del self._calls[key]
