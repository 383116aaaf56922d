"""The approval service's settings, all from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass

MIN_SEAL_SECRET = 16  # hall.domain.seal.seed_from_secret refuses shorter ones


@dataclass(frozen=True)
class ApprovalConfig:
    seal_secret: str  # HALL_SEAL_SECRET: derive the seal keys from it; empty: keys stored in the database


def load(env=os.environ) -> ApprovalConfig:
    secret = env.get("HALL_SEAL_SECRET", "")
    if secret and len(secret) < MIN_SEAL_SECRET:
        raise RuntimeError(f"HALL_SEAL_SECRET must be at least {MIN_SEAL_SECRET} characters "
                           "(or unset, to keep generated keys in approval's database)")
    return ApprovalConfig(seal_secret=secret)
