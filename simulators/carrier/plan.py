"""How the simulated EMS moves a booked shipment: its steps, their delays, and whether it comes
back. Delays are configurable so that tests run in seconds instead of a day."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

STEPS = ("label_printed", "picked_up", "in_transit", "delivered")
# realistic defaults, seconds after the previous step: label within minutes, collected from the
# hall the same afternoon, sorted overnight, delivered in the city the next day
DEFAULT_DELAYS = {"label_printed": 600, "picked_up": 7200, "in_transit": 21600, "delivered": 28800}
# what makes a real shipment come back, as written on the address by the tests and the demo
RETURN_MARKS = ("查无此人", "拒收", "地址不详")
LOCATIONS = {"label_printed": "历下区政务服务中心EMS揽收点", "picked_up": "济南邮区中心局",
             "in_transit": "{district}投递部", "delivered": "{district}", "returned": "济南邮区中心局（退回）"}


@dataclass(frozen=True)
class SimConfig:
    delays: dict
    tick: float
    return_rate: float

    @classmethod
    def from_env(cls, env=os.environ) -> "SimConfig":
        """HALL_CARRIER_DELAYS: one number of seconds for every step, or step=seconds,...;
        HALL_CARRIER_TICK: how often the simulator looks for due steps;
        HALL_CARRIER_RETURN_RATE: the share of other shipments that come back (0..1)."""
        raw, delays = env.get("HALL_CARRIER_DELAYS", ""), dict(DEFAULT_DELAYS)
        try:
            if raw and "=" not in raw:
                delays = {s: float(raw) for s in STEPS}
            elif raw:
                for part in raw.split(","):
                    step, value = part.split("=")
                    if step.strip() not in delays:
                        raise ValueError(f"unknown step {step!r}")
                    delays[step.strip()] = float(value)
            tick, rate = float(env.get("HALL_CARRIER_TICK", "5")), float(env.get("HALL_CARRIER_RETURN_RATE", "0.02"))
        except ValueError as exc:
            raise SystemExit(f"carrier simulator settings: {exc}") from None
        if tick <= 0 or not 0 <= rate <= 1 or any(v < 0 for v in delays.values()):
            raise SystemExit("carrier simulator: tick > 0, 0 <= return rate <= 1, delays >= 0")
        return cls(delays, tick, rate)


def plan(waybill: str, address: str, district: str, config: SimConfig) -> list[dict]:
    """The steps one shipment will go through: [{status, after, location, note}]."""
    mark = next((m for m in RETURN_MARKS if m in address), "")
    roll = int(hashlib.sha256(waybill.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    returned = mark or ("收件人拒收" if roll < config.return_rate else "")
    steps = []
    for status in STEPS:
        final = status == "delivered" and returned
        steps.append({"status": "returned" if final else status, "after": config.delays[status],
                      "location": LOCATIONS["returned" if final else status].format(district=district),
                      "note": returned if final else ""})
    return steps
