"""Street centres (为民服务中心) with a node of their own: who numbers whose cases, and what the
clerk is told while the node's link to the district is down."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import Refused


@dataclass(frozen=True)
class Numbering:
    """Which sites' cases this hall accepts (and so numbers). A street centre with a node of
    its own accepts at its node and nowhere else: one place hands out a site's sequence, so
    no case number can be handed out twice, linked or not."""
    own_site: str = ""                  # a street node: the one site it serves
    elsewhere: frozenset = frozenset()  # the district: the sites that accept at their own node

    def check(self, site: str) -> None:
        if self.own_site and site != self.own_site:
            raise Refused(f"this is the street node of {self.own_site}; it accepts cases of "
                          f"{self.own_site} only, not of {site}")
        if site in self.elsewhere:
            raise Refused(f"{site} is a street centre with a node of its own: its cases are "
                          f"accepted (and numbered) at that node, not in the district's hall")


def district_unreachable(since: str, waiting: int) -> str:
    """What a street node's clerk is told while its link to the district is down."""
    return (f"区政务服务中心暂时无法连接（自 {since}）：本中心照常受理，{waiting} 条事件在本中心保存，"
            "连接恢复后自动上报；需要区中心的查询（电子证照库等）暂不可用。"
            f" / The district cannot be reached (since {since}); cases are accepted here and "
            f"{waiting} event(s) wait at this centre until the link is back.")
