"""Intake's settings, all from the environment: the daily queue-ticket caps (自动取号)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hall.domain.queueing import Caps

# A sector's tickets are refused once its cap is reached; the kiosk warns from 90% of it.
DEFAULT_CAPS = Caps(by_site_kind={"hall": 300, "subcentre": 200, "street": 60}, by_sector={"商事登记": 500})


@dataclass(frozen=True)
class IntakeConfig:
    # HALL_QUEUE_CAPS: a YAML file `{by_site_kind: {hall: 300, ...}, by_sector: {商事登记: 500}}`
    # that replaces the defaults (a kind it leaves out gets Caps' own default of 200)
    caps: Caps = field(default=DEFAULT_CAPS)


def load(env=os.environ) -> IntakeConfig:
    path = env.get("HALL_QUEUE_CAPS")
    if not path:
        return IntakeConfig()
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise RuntimeError(f"HALL_QUEUE_CAPS {path}: expected by_site_kind and by_sector mappings")
    return IntakeConfig(Caps(dict(data.get("by_site_kind") or {}), dict(data.get("by_sector") or {})))
