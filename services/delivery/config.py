"""Delivery's settings, all from the environment (periods in seconds so tests can run them fast)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from hall.domain.collection import CollectionPolicy

DAY = 86400.0


@dataclass(frozen=True)
class DeliveryConfig:
    scan_seconds: float       # HALL_DELIVERY_SCAN_SECONDS: how often the worker looks for uncollected results
    policy: CollectionPolicy  # HALL_DELIVERY_REMIND_AFTER, HALL_DELIVERY_ARCHIVE_AFTER
    resend_window: timedelta  # HALL_DELIVERY_RESEND_WINDOW: notices of documents changed this recently are checked as sent


def load(env=os.environ) -> DeliveryConfig:
    def seconds(name: str, default: float) -> float:
        raw = env.get(name, "")
        try:
            value = float(raw) if raw else default
        except ValueError:
            raise SystemExit(f"{name}={raw!r} is not a number of seconds") from None
        if value <= 0:
            raise SystemExit(f"{name} must be positive")
        return value
    return DeliveryConfig(
        seconds("HALL_DELIVERY_SCAN_SECONDS", 60.0),
        CollectionPolicy(timedelta(seconds=seconds("HALL_DELIVERY_REMIND_AFTER", 3 * DAY)),
                         timedelta(seconds=seconds("HALL_DELIVERY_ARCHIVE_AFTER", 60 * DAY))),
        timedelta(seconds=seconds("HALL_DELIVERY_RESEND_WINDOW", 600.0)))


def street_site() -> str:
    """The site a street node serves (HALL_SITE); '' in the district."""
    from hall.infra import settings
    return settings.load().site
