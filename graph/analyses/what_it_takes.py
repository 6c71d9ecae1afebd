"""What it takes: the least new money a year that brings the projected HHI under a chosen
level and each focus region (or donor sector) to its target share, given the base.

The base is the money of the chosen year: secured (default) or expected
(:mod:`graph.analyses.projection`). New money comes from **new donors**, each giving the
same typical amount ``m`` a year (default: the median of the base's donors, or of the
expected donors when nothing is secured; the last one may give less). With base donor amounts ``b_d`` (total ``B``, ``S = Σ b_d²``), region amounts
``g_r`` (``A`` assigned to a region) and new money ``X``, of which ``x_r`` goes to region
``r``, the least ``X`` meets

* **concentration**: ``10,000 · (S + m·X) / (B + X)² ≤ H`` (the new donors' squares add at
  most ``m·X``): a quadratic in ``X``, solved in closed form; beyond its larger root it holds
  for good;
* **regions**: ``(g_r + x_r) / (A + X) ≥ t_r`` for each focus region, with ``t_r`` its target
  minus the tolerance: each region needs ``x_r = max(0, t_r·(A + X) − g_r)``, and the sum of
  those can be no more than ``X``. That sum minus ``X`` falls as ``X`` grows (the targets
  sum to less than 1), piecewise linearly, so its root is found exactly segment by segment.

The answer is the larger of the two (or the regions' alone when the concentration already
holds there), each region's part, and what is left free to go anywhere. It is checked by
running the projection again with the money added (:func:`check`).

Examples
--------
One donor of 900 in Africa, a second region with a 40 % target at 0 and 20 points of
tolerance: 20 % of the new total must go there (225 would do), but the HHI of 10,000 comes
under 2,500 only with 1,662 from new donors of 500 (``0.25·(900+X)² = 810,000 + 500·X``);
512 of it goes to the second region.

>>> w = least_new_money({"A": 900.0}, {"focus:africa": 900.0},
...                     {"focus:africa": 0.5, "focus:eeca": 0.4, "other": 0.1},
...                     hhi_max=2500, tolerance=0.2, donor_size=500.0)
>>> round(w.total), w.donors, w.binding
(1662, 4, 'concentration')
>>> w.table[["group", "new"]].round().to_dict("records")
[{'group': 'focus:africa', 'new': 0.0}, {'group': 'focus:eeca', 'new': 512.0}]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.analyses.projection import Projection, project_lines
from graph.analyses.regional import OTHER
from graph.errors import AnalysisError

__all__ = ["WhatItTakes", "least_new_money", "what_it_takes", "check", "HOW"]

#: How the answer is worked out, in words (shown with it).
HOW = (
    "Solved exactly, not searched: the concentration condition is a quadratic in the new "
    "money (new donors each giving the typical amount), the regional one piecewise linear; "
    "the least amount meeting both is the larger of their roots. Checked by running the "
    "projection again with the money added."
)


@dataclass(frozen=True)
class WhatItTakes:
    """The least new money a year (see the module).

    Attributes
    ----------
    total : float
        New money a year (USD); ``nan`` when the targets cannot be met (they leave nothing
        for other regions: ``feasible`` is False).
    donors : int
        New donors of ``donor_size`` it takes.
    table : DataFrame
        Per focus region (or sector): ``group``, ``now`` (base money), ``now_share``,
        ``floor`` (the share to reach), ``new`` (new money for it) and ``after_share``.
    free : float
        New money not needed by any region: it may go anywhere.
    binding : str
        What decides the amount: ``concentration``, ``regions``, ``both`` or ``none``.
    """

    year: int | None
    base: str
    hhi_max: float
    tolerance: float
    donor_size: float
    total: float
    donors: int
    table: pd.DataFrame
    free: float
    hhi_before: float
    hhi_after: float
    binding: str
    feasible: bool
    how: str = HOW


def _hhi_root(b: np.ndarray, h: float, m: float) -> tuple[float, float]:
    """The roots (r1, r2) of h·(B+X)² − S − m·X; (−inf, −inf) when it is never negative."""
    big, s = float(b.sum()), float((b**2).sum())
    qa, qb, qc = h, 2 * h * big - m, h * big**2 - s
    disc = qb * qb - 4 * qa * qc
    if disc < 0:
        return -math.inf, -math.inf
    root = math.sqrt(disc)
    return (-qb - root) / (2 * qa), (-qb + root) / (2 * qa)


def _regional_root(g: np.ndarray, t: np.ndarray, assigned: float) -> float:
    """The least X ≥ 0 with Σ max(0, t·(A+X) − g) ≤ X (nan when there is none)."""

    def excess(x):
        return np.maximum(0.0, t * (assigned + x) - g).sum() - x

    if excess(0.0) <= 1e-9:
        return 0.0
    points = sorted(
        {0.0, *[float(gi / ti - assigned) for gi, ti in zip(g, t, strict=True) if ti > 0]}
    )
    points = [p for p in points if p >= 0] + [math.inf]
    for lo, hi in zip(points, points[1:], strict=False):
        mid = lo + 1.0 if math.isinf(hi) else (lo + hi) / 2
        active = t * (assigned + mid) - g > 0
        slope = t[active].sum() - 1.0
        const = (t[active] * assigned - g[active]).sum()
        if slope >= 0:
            continue
        x = const / -slope
        if lo - 1e-9 <= x <= hi + 1e-9:
            return max(x, 0.0)
    return math.nan


def least_new_money(
    donors: dict,
    groups: dict,
    floors: dict,
    *,
    hhi_max: float = 2500.0,
    tolerance: float = 0.10,
    donor_size: float | None = None,
    over_all: bool = False,
    year=None,
    base: str = "secured",
) -> WhatItTakes:
    """The least new money for base ``donors`` (donor → amount) and ``groups`` (region or
    sector → amount) to reach ``floors`` (group → target share, ``other`` ignored) less
    ``tolerance`` and an HHI of at most ``hhi_max``. ``over_all``: group shares are of all
    money (sectors), not of the money assigned to a group (regions)."""
    b = np.array([v for v in donors.values() if v > 0], dtype=float)
    keys = [k for k in floors if k != OTHER]
    g = np.array([float(groups.get(k, 0.0)) for k in keys])
    t = np.array([max(0.0, floors[k] - tolerance) for k in keys])
    assigned = float(b.sum()) if over_all else float(sum(v for k, v in groups.items() if k))
    m = float(donor_size) if donor_size else (float(np.median(b)) if len(b) else math.nan)
    if not m > 0:
        raise AnalysisError("give the typical size of a new donor's money (donor_size)")
    h = hhi_max / 10_000
    x_reg = _regional_root(g, t, assigned) if len(keys) else 0.0
    r1, r2 = _hhi_root(b, h, m)
    feasible = not math.isnan(x_reg)

    def hhi_ok(x):  # with no money at all there is no HHI to meet: some must come
        return (x <= r1 + 1e-9 and b.sum() + x > 0) or x >= r2 - 1e-9

    x = x_reg if feasible and hhi_ok(x_reg) else max(x_reg if feasible else 0.0, r2)
    total = x if feasible else math.nan
    binding = (
        "none"
        if x <= 0
        else "both"
        if x_reg > 0 and abs(x - x_reg) < 1e-6 and not hhi_ok(x_reg - 1e-3)
        else "regions"
        if x_reg > 0 and abs(x - x_reg) < 1e-6
        else "concentration"
    )
    need = np.maximum(0.0, t * (assigned + x) - g) if feasible else np.full(len(keys), math.nan)
    big = float(b.sum())
    before = 10_000 * float((b**2).sum()) / big**2 if big > 0 else math.nan
    after = 10_000 * (float((b**2).sum()) + m * x) / (big + x) ** 2 if big + x > 0 else math.nan
    table = pd.DataFrame(
        {
            "group": keys,
            "now": g,
            "now_share": g / assigned if assigned > 0 else np.full(len(keys), math.nan),
            "floor": t,
            "new": need,
            "after_share": (g + need) / (assigned + x) if assigned + x > 0 else math.nan,
        }
    )
    return WhatItTakes(
        year=year,
        base=base,
        hhi_max=hhi_max,
        tolerance=tolerance,
        donor_size=m,
        total=total,
        donors=int(math.ceil(x / m - 1e-9)) if feasible and x > 0 else 0,
        table=table,
        free=float(x - need.sum()) if feasible else math.nan,
        hhi_before=before,
        hhi_after=after,
        binding=binding,
        feasible=feasible,
    )


def _base(p: Projection, year: int, base: str) -> pd.DataFrame:
    """The lines of the base in ``year``, each with its expected amount that year."""
    if base not in ("secured", "expected"):
        raise AnalysisError(f"unknown base {base!r}; use 'secured' or 'expected'")
    lines = p.lines
    covers = (lines["first"] <= year) & (lines["last"] >= year) & lines["amount"].notna()
    lines = lines[covers.fillna(False).to_numpy()]
    if base == "secured":
        lines = lines[lines["kind"] == "secured"]
    return lines.assign(value=lines["amount"] * lines["probability"])


def what_it_takes(
    p: Projection,
    *,
    year: int | None = None,
    by: str = "region",
    hhi_max: float = 2500.0,
    tolerance: float = 0.10,
    base: str = "secured",
    donor_size: float | None = None,
    sector_floors: dict | None = None,
) -> WhatItTakes:
    """The least new money in ``year`` (default the last of the projection) over the
    projection's ``base`` money; ``by="region"`` against the projection's target shares,
    ``by="sector"`` against ``sector_floors`` (donor sector → share; none: concentration
    only)."""
    year = int(p.period[1] if year is None else year)
    lines = _base(p, year, base)
    donors = lines.groupby("donor")["value"].sum().to_dict() if len(lines) else {}
    if donor_size is None and not donors:  # nothing secured: the expected donors' median
        expected = _base(p, year, "expected")
        sizes = expected.groupby("donor")["value"].sum() if len(expected) else pd.Series()
        donor_size = float(sizes[sizes > 0].median()) if (sizes > 0).any() else None
    if by == "region":
        groups: dict = {}
        for regions, v in zip(lines["regions"], lines["value"], strict=True):
            for r, w in regions:
                k = r if (r is None or r in p.targets) else OTHER
                groups[k] = groups.get(k, 0.0) + v * w
        floors = p.targets
        over_all = False
    elif by == "sector":
        groups = lines.groupby("sector")["value"].sum().to_dict() if len(lines) else {}
        floors, over_all = dict(sector_floors or {}), True
    else:
        raise AnalysisError(f"cannot work out new money by {by!r}; use 'region' or 'sector'")
    return least_new_money(
        donors,
        groups,
        floors,
        hhi_max=hhi_max,
        tolerance=tolerance,
        donor_size=donor_size,
        over_all=over_all,
        year=year,
        base=base,
    )


def check(w: WhatItTakes, p: Projection, *, by: str = "region") -> Projection:
    """The projection of ``w.year`` run again on the base with the new money added: new
    donors of ``w.donor_size`` (the last one smaller) for each region's part and for the
    free part, certain (probability 1)."""
    base = _base(p, w.year, w.base).assign(probability=1.0, amount=lambda t: t["value"])
    base = base.assign(first=w.year, last=w.year)
    new = []
    parts = list(zip(w.table["group"], w.table["new"], strict=True)) + [(None, w.free)]
    n = 0
    for group, money in parts:
        while money > 1e-9:
            give = min(w.donor_size, money)
            money -= give
            n += 1
            new.append(
                {
                    "kind": "prospect",
                    "id": f"new-{n}",
                    "donor": f"new:{n}",
                    "donor_name": f"new donor {n}",
                    "sector": group if by == "sector" else None,
                    "channel": "extrabudgetary",
                    "first": w.year,
                    "last": w.year,
                    "probability": 1.0,
                    "amount": give,
                    "agreement": True,
                    "regions": ((group if by == "region" else None, 1.0),),
                }
            )
    lines = pd.concat([base, pd.DataFrame(new)], ignore_index=True) if new else base
    return project_lines(lines.drop(columns="value"), (w.year, w.year), targets=p.targets)
