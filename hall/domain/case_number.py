"""Case numbers (一号申请): site code + acceptance date + sequence, e.g. LX00-20261125-00042.

Sequences are handed out in blocks reserved from storage, so one database round trip serves
many acceptances; a restart may leave a gap, never a duplicate.
"""
from __future__ import annotations

import re
import threading
from datetime import date
from typing import Callable

PATTERN = re.compile(r"^(?P<site>[A-Z0-9]{2,8})-(?P<day>\d{8})-(?P<seq>\d{5,})$")


def format_case_no(site: str, day: date, seq: int) -> str:
    return f"{site}-{day:%Y%m%d}-{seq:05d}"


def parse_case_no(case_no: str) -> tuple[str, date, int] | None:
    """Split a case number; None when it is not one."""
    m = PATTERN.match(case_no or "")
    if not m:
        return None
    d = m["day"]
    try:
        return m["site"], date(int(d[:4]), int(d[4:6]), int(d[6:])), int(m["seq"])
    except ValueError:
        return None


class SequenceBlocks:
    """Hands out sequence numbers per (site, day) from blocks reserved by `reserve`.

    `reserve(site, day, size)` must atomically advance a stored counter by `size` and return
    the first number of the reserved block.
    """

    def __init__(self, reserve: Callable[[str, date, int], int], block_size: int = 50):
        self._reserve = reserve
        self._size = block_size
        self._blocks: dict[tuple[str, date], tuple[int, int]] = {}
        self._lock = threading.Lock()

    def next(self, site: str, day: date) -> int:
        key = (site, day)
        with self._lock:
            nxt, end = self._blocks.get(key, (0, 0))
            if nxt >= end:
                nxt = self._reserve(site, day, self._size)
                end = nxt + self._size
            self._blocks[key] = (nxt + 1, end)
            # yesterday's blocks are never needed again
            for stale in [k for k in self._blocks if k[1] < day]:
                del self._blocks[stale]
            return nxt
