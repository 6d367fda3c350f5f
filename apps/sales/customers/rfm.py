"""RFM segmentation: recency, frequency and monetary value scored 1–5 by quintile, and a
named segment from the scores. Plain Python: tests feed it by hand.

Scores are relative to the company's other customers who have bought at least once:

- R: days since the last order; the most recent fifth score 5.
- F: number of orders; the most frequent fifth score 5.
- M: revenue; the biggest-spending fifth score 5.

A customer's score comes from their percent rank among the n scored customers,
pct = (worse + (equal − 1) / 2) / (n − 1), where *worse* counts customers strictly worse
on that measure and *equal* those with the same value (the customer included): score =
1 + ⌊5 × pct⌋, capped at 5. Ties share the middle of the places they occupy, so equal
values always get the same score; a lone customer, or customers who are all alike, score
3 (there is nobody to be better or worse than). Five customers who all differ score
1, 2, 3, 4, 5; ten fill each score twice.

The segment comes from R and FM = ⌈(F + M) / 2⌉ on this grid:

| R \\ FM | 1 | 2 | 3 | 4 | 5 |
| --- | --- | --- | --- | --- | --- |
| 5 | new | potential loyalist | potential loyalist | champions | champions |
| 4 | promising | potential loyalist | potential loyalist | loyal | loyal |
| 3 | about to sleep | about to sleep | need attention | loyal | loyal |
| 2 | hibernating | hibernating | at risk | at risk | can't lose |
| 1 | lost | lost | at risk | at risk | can't lose |

Customers without any order are not scored (segment "no orders").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CHAMPIONS = "champions"
LOYAL = "loyal"
POTENTIAL = "potential_loyalist"
NEW = "new"
PROMISING = "promising"
NEED_ATTENTION = "need_attention"
ABOUT_TO_SLEEP = "about_to_sleep"
AT_RISK = "at_risk"
CANT_LOSE = "cant_lose"
HIBERNATING = "hibernating"
LOST = "lost"
NO_ORDERS = "no_orders"

# Best first: the order of the filter and of sorting by segment.
SEGMENTS: dict[str, tuple[str, str]] = {
    CHAMPIONS: ("Champions", "Bought recently, buy often and spend the most."),
    LOYAL: ("Loyal", "Buy often and spend well; not always the most recent."),
    POTENTIAL: ("Potential loyalist", "Recent customers with average frequency and spend."),
    NEW: ("New", "Bought very recently, but only a little so far."),
    PROMISING: ("Promising", "Recent, small buyers."),
    NEED_ATTENTION: ("Need attention", "Average on every measure; may slip."),
    ABOUT_TO_SLEEP: ("About to sleep", "Not seen for a while, small buyers."),
    AT_RISK: ("At risk", "Used to buy often and spend well, but not lately."),
    CANT_LOSE: ("Can't lose", "Among the best customers once; gone quiet."),
    HIBERNATING: ("Hibernating", "Long since the last small order."),
    LOST: ("Lost", "Lowest recency, frequency and spend."),
    NO_ORDERS: ("No orders", "Has not bought yet."),
}
ORDER = list(SEGMENTS)

_GRID = {
    5: (NEW, POTENTIAL, POTENTIAL, CHAMPIONS, CHAMPIONS),
    4: (PROMISING, POTENTIAL, POTENTIAL, LOYAL, LOYAL),
    3: (ABOUT_TO_SLEEP, ABOUT_TO_SLEEP, NEED_ATTENTION, LOYAL, LOYAL),
    2: (HIBERNATING, HIBERNATING, AT_RISK, AT_RISK, CANT_LOSE),
    1: (LOST, LOST, AT_RISK, AT_RISK, CANT_LOSE),
}


@dataclass(frozen=True)
class RfmScore:
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    segment: str

    @property
    def code(self) -> str:
        return f"{self.r}{self.f}{self.m}"

    @property
    def label(self) -> str:
        return SEGMENTS[self.segment][0]


@dataclass(frozen=True)
class Purchases:
    """What RFM needs of one customer's sales."""

    orders: int
    revenue: Decimal
    last_order: date


def segment_for(r: int, f: int, m: int) -> str:
    fm = -(-(f + m) // 2)  # ceiling
    return _GRID[r][fm - 1]


def _scores(values: list, *, lower_is_better: bool = False) -> dict:
    """Quintile score for each distinct value, from its percent rank with ties averaged."""
    n = len(values)
    ordered = sorted(values)
    scores = {}
    for value in set(values):
        below, upto = bisect_left(ordered, value), bisect_right(ordered, value)
        equal = upto - below
        worse = n - upto if lower_is_better else below
        if n == 1:
            scores[value] = 3
            continue
        twice_rank = 2 * worse + equal - 1  # twice the (average) number of places beaten
        scores[value] = min(5, 1 + (5 * twice_rank) // (2 * (n - 1)))
    return scores


def rfm_scores(purchases: Mapping[int, Purchases], *, today: date) -> dict[int, RfmScore]:
    """Scores per customer id, for customers with at least one order."""
    bought = {k: p for k, p in purchases.items() if p.orders > 0}
    if not bought:
        return {}
    recency = {k: max((today - p.last_order).days, 0) for k, p in bought.items()}
    r_scores = _scores(list(recency.values()), lower_is_better=True)
    f_scores = _scores([p.orders for p in bought.values()])
    m_scores = _scores([p.revenue for p in bought.values()])
    result = {}
    for key, p in bought.items():
        r, f, m = r_scores[recency[key]], f_scores[p.orders], m_scores[p.revenue]
        result[key] = RfmScore(recency[key], p.orders, p.revenue, r, f, m, segment_for(r, f, m))
    return result
