"""Where benchmark results are kept: docs/benchmarks.md, each run with the machine it ran on."""
from __future__ import annotations

import os
import platform
from datetime import datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    return (f"{datetime.now():%Y-%m-%d %H:%M} — {os.cpu_count()} cores ({cpu}), "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def append(report: str) -> None:
    with open(RESULTS, "a") as f:
        if f.tell() == 0:
            f.write("# Benchmark results\n\nAppended by `make bench` (bench/pipeline.py, bench/sla_scan.py); "
                    "compare ratios within one run — absolute times on these shared machines drift.\n\n")
        f.write(report + "\n")
