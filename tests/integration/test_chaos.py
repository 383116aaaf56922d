"""The chaos campaign, short: ~200 cases through the gateway while every worker and intake-api
is SIGKILLed once and the hall's RabbitMQ node (its own, not the shared one) is killed and
restarted; nothing accepted may be lost or done twice."""
from __future__ import annotations

from bench.chaos import WORKERS, Campaign, parser


def test_no_case_is_lost_or_doubled_when_every_worker_intake_and_the_broker_die_under_load():
    targets = [*WORKERS, "intake-api"]
    args = parser().parse_args(["--cases", "200", "--rate", "8", "--seed", "17", "--kills", "1",
                                "--targets", ",".join(targets), "--no-window", "--broker", "1",
                                "--database", "0", "--freeze", "0"])
    campaign = Campaign(args)
    try:
        result = campaign.run()
    finally:
        campaign.close()
    print(result["report"])
    assert result["kills"] == {t: 1 for t in targets}
    assert result["restarts"]["broker"] == 1
    assert result["accepted"] == 200 and result["closed"] == 200
    assert result["lost"] == 0 and result["duplicated"] == 0, result["problems"]
    assert result["dead_letters"] == [] and result["queued"] == 0
    assert result["client_failures"] == 0
