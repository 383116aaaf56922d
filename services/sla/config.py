"""The SLA's settings, from the environment like every other setting (defaults for the hall)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from hall.domain.case_clock import Policy


@dataclass(frozen=True)
class SlaConfig:
    policy: Policy
    scan_every: float            # seconds between scans of the clocks (Nameko @timer)
    gauges_every: float          # seconds between refreshes of the Prometheus gauges
    escalate_after: timedelta    # an unacknowledged notice goes to the supervision office
    follow_up_days: int          # working days to fix what a bad rating reported
    scan_batch: int


def _levels(name: str, default: str) -> tuple:
    return tuple(x for x in os.environ.get(name, default).split(",") if x)


def load() -> SlaConfig:
    """Read HALL_SLA_* variables; e.g. HALL_SLA_SCAN_SECONDS=1 makes tests fast."""
    env = os.environ
    policy = Policy(
        due_soon_fraction=float(env.get("HALL_SLA_DUE_SOON_FRACTION", 2 / 3)),
        handover_days=int(env.get("HALL_SLA_HANDOVER_DAYS", 1)),
        decision_days=int(env.get("HALL_SLA_DECISION_DAYS", 1)),
        case_levels=_levels("HALL_SLA_CASE_LEVELS", "due_soon,last_day,overdue"),
        legal_levels=_levels("HALL_SLA_LEGAL_LEVELS", "last_day,overdue"),
        step_levels=_levels("HALL_SLA_STEP_LEVELS", "overdue"))
    return SlaConfig(policy=policy,
                     scan_every=float(env.get("HALL_SLA_SCAN_SECONDS", 60)),
                     gauges_every=float(env.get("HALL_SLA_GAUGES_SECONDS", 60)),
                     escalate_after=timedelta(seconds=float(env.get("HALL_SLA_ESCALATE_AFTER_SECONDS",
                                                                    8 * 3600))),
                     follow_up_days=int(env.get("HALL_SLA_FOLLOW_UP_DAYS", 15)),
                     scan_batch=int(env.get("HALL_SLA_SCAN_BATCH", 500)))
