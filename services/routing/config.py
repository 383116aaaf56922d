"""Routing's settings, all from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hall.infra import settings


@dataclass(frozen=True)
class RoutingConfig:
    reference_dir: Path   # HALL_REFERENCE_DIR (hall.infra.settings): the reference files routing-api owns
    poll_seconds: float   # HALL_CATALOGUE_POLL_SECONDS: how often routing-api looks at the files' modification times (0: only on request)


def load() -> RoutingConfig:
    poll = float(os.environ.get("HALL_CATALOGUE_POLL_SECONDS", "5"))
    if poll < 0:
        raise RuntimeError(f"HALL_CATALOGUE_POLL_SECONDS must be 0 (only on request) or more, not {poll}")
    return RoutingConfig(reference_dir=settings.load().reference_dir, poll_seconds=poll)
