"""Projection for a planning period: secured, expected and a low–high band of funding for
each year, per donor, channel, region and sector, with the concentration and regional
balance they would give.

For each year of the period (default :data:`DEFAULT_PERIOD`, the strategy period):

* **secured**: funding flows to the institute dated in that year (agreements in force);
* **expected**: secured, plus each renewal and prospect weighted by its probability
  (a range by its middle);
* **low–high**: the 10th and 90th percentiles over how the uncertain items can turn out,
  each independent: every combination exactly when there are at most
  :data:`~graph.metrics.outcomes.EXACT_UP_TO` of them and none is a range, else
  :data:`DRAWS` seeded draws (a range: any value in it equally likely). The band always
  holds the expected value (see :func:`graph.metrics.outcomes.band`).

The same outcomes give the projected **HHI** and **CR1** over donors (of the expected money;
the band over outcomes; a pooled donor counts as one donor here), the **regional balance**
(each region's share of the money assigned to a region, and of the agreements in force,
against the target shares; balance score ``1 − ½ Σ |share − target|``), and the **gap**
against a required level the user gives (``required − expected``, and ``required − low``
for a bad year).

Nothing here is a fact of the documents but the secured money and the agreements' end
years; every renewal and prospect is an assumption of whoever stated it
(:mod:`graph.analyses.assumptions`).

Examples
--------
A worked example, exactly: 100 secured from donor A in 2026, and a prospect of 100 a year
from a new donor B in 2026–2027 with probability 0.5.

>>> lines = pd.DataFrame([
...   dict(kind="secured", id="a", donor="A", donor_name="A", sector="government",
...        channel="regular_budget", first=2026, last=2026, probability=1.0, amount=100.0,
...        agreement=False, regions=((None, 1.0),)),
...   dict(kind="prospect", id="b", donor="new:B", donor_name="B", sector="foundation",
...        channel="extrabudgetary", first=2026, last=2027, probability=0.5, amount=100.0,
...        agreement=True, regions=(("focus:africa", 1.0),))])
>>> p = project_lines(lines, (2026, 2027))
>>> p.method
'exact: every combination of 1 uncertain item (2 outcomes)'
>>> p.years[["year", "secured", "expected", "low", "high"]].to_dict("records")
[{'year': 2026, 'secured': 100.0, 'expected': 150.0, 'low': 100.0, 'high': 200.0}, {'year': 2027, 'secured': 0.0, 'expected': 50.0, 'low': 0.0, 'high': 100.0}]
>>> p.years[["hhi", "hhi_low", "hhi_high", "cr1"]].iloc[0].round(1).tolist()
[5555.6, 5000.0, 10000.0, 0.7]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graph.analyses.assumptions import projection_lines
from graph.analyses.channels import CORE_CHANNELS
from graph.analyses.institute import INSTITUTE, recipient_of
from graph.analyses.regional import DEFAULT_TARGETS, OTHER
from graph.metrics.outcomes import (
    EXACT_UP_TO,
    band,
    drawn_outcomes,
    exact_outcomes,
    hhi_rows,
    share_rows,
    top_share_rows,
)
from graph.store import GraphStore
from graph.text import label, plural

__all__ = [
    "DEFAULT_PERIOD",
    "PERIOD_REASON",
    "DRAWS",
    "GROUPS",
    "Projection",
    "projection",
    "project_lines",
]

#: The planning period by default: the Medium-Term Strategy the Director's report plans for.
DEFAULT_PERIOD = (2026, 2029)
PERIOD_REASON = "the Medium-Term Strategy 2026–2029 that the Director's report plans for"
#: Seeded draws when the uncertain items are too many to enumerate (or some are ranges).
DRAWS = 10_000

#: At most this many figures (outcomes × years × groups) for one measure: with thousands
#: of donors the draws are fewer, and the method says so.
MAX_CELLS = 20_000_000
MIN_DRAWS = 500
#: What the expected money is broken down by.
GROUPS = ("donor", "channel", "region", "sector")
_NONE = "∅"  # a group key for "not stated" / "not assigned"


@dataclass(frozen=True)
class Projection:
    """A projection over a planning period (see the module).

    Attributes
    ----------
    period : (int, int)
        First and last year.
    years : DataFrame
        One row a year: ``secured``, ``expected``, ``low``, ``high``, ``unknown`` (lines
        in force that year whose amount is not known), ``agreements`` (expected agreements
        in force) with ``agreements_low``/``_high``, ``hhi``/``hhi_low``/``hhi_high``,
        ``cr1``/``cr1_low``/``cr1_high`` (and ``cr1_voluntary``…: of the money of every
        channel but the regular budget and the host country), ``largest`` (the donor of the most expected
        money), ``balance``/``balance_low``/``balance_high`` (money over regions) and
        ``required``/``gap``/``gap_low`` when a required level is given.
    by : dict of DataFrame
        Per :data:`GROUPS` key: ``year``, ``key``, ``name``, ``secured``, ``expected``,
        ``low``, ``high``.
    regions : DataFrame
        ``year``, ``measure`` (``money`` or ``agreements``), ``region``, ``share``,
        ``low``, ``high``, ``target``, ``gap`` (share − target).
    lines : DataFrame
        Every line counted (:func:`graph.analyses.assumptions.projection_lines`).
    method : str
        How the band was worked out.
    targets : dict
        The target shares the regions are held against.
    """

    period: tuple
    years: pd.DataFrame
    by: dict
    regions: pd.DataFrame
    lines: pd.DataFrame
    method: str
    targets: dict = field(default_factory=dict)

    def year(self, y: int) -> dict:
        """The figures of year ``y`` as a dict."""
        return self.years.set_index("year").loc[int(y)].to_dict()


class _Outcomes:
    """How the uncertain lines can turn out: ``taken`` (outcomes × lines, 0/1), ``values``
    (the amount each takes), ``weights``; the certain lines are fixed."""

    def __init__(self, lines: pd.DataFrame, *, draws: int, seed: int, cells: int = 1):
        p = lines["probability"].to_numpy(dtype=float)
        amount = np.nan_to_num(lines["amount"].to_numpy(dtype=float))
        low = np.nan_to_num(lines["low"].to_numpy(dtype=float))
        high = np.nan_to_num(lines["high"].to_numpy(dtype=float))
        ranged = low != high
        self.uncertain = ((p > 0) & (p < 1)) | ranged
        self.fixed = (p >= 1) & ~ranged
        self.mean = np.where(self.uncertain | self.fixed, p, 0.0) * amount
        self.agree = np.where(self.uncertain | self.fixed, p, 0.0)
        u = np.flatnonzero(self.uncertain)
        k = len(u)
        if k <= EXACT_UP_TO and not ranged[u].any():
            self.taken, self.weights = exact_outcomes(p[u])
            self.values = np.broadcast_to(amount[u], self.taken.shape)
            self.method = (
                f"exact: every combination of {plural(k, 'uncertain item')} ({2**k:,} outcomes)"
            )
        else:
            # every outcome holds a figure per year and group: keep that within MAX_CELLS
            fewer = min(draws, max(MIN_DRAWS, MAX_CELLS // max(cells, 1)))
            self.taken, self.values, self.weights = drawn_outcomes(
                p[u], low[u], high[u], draws=fewer, seed=seed
            )
            self.method = f"{fewer:,} seeded draws (seed {seed}) over {k} uncertain items" + (
                f" (fewer than {draws:,}: one figure per outcome for each of {cells:,} "
                "year-and-group cells)"
                if fewer < draws
                else ""
            )
        self.index = u
        self.amount = amount

    def figures(self, parts: _Parts, mask: np.ndarray, money: bool = True):
        """Expected (years × groups) and every outcome's (outcomes × years × groups) of
        each line's ``parts`` of the groups in the years of ``mask`` (lines × years). The
        certain lines are summed once; only the uncertain ones vary by outcome."""
        base = self.amount if money else np.ones(len(self.amount))
        fixed = parts.per_year(mask, np.where(self.fixed, base, 0.0))
        expected = parts.per_year(mask, self.mean if money else self.agree)
        out = np.broadcast_to(fixed, (len(self.weights), *fixed.shape)).copy()
        if len(self.index):
            pos = np.full(len(self.amount), -1)
            pos[self.index] = np.arange(len(self.index))
            sel = pos[parts.li] >= 0
            li, gi, w = parts.li[sel], parts.gi[sel], parts.w[sel]
            taken = self.taken * (self.values if money else 1.0)  # outcomes × uncertain
            each = taken[:, pos[li]][:, None, :] * (mask[li].T * w)[None, :, :]
            for g in np.unique(gi):
                out[:, :, g] += each[:, :, gi == g].sum(axis=2)
        return expected, out


@dataclass(frozen=True)
class _Parts:
    """Each line's part of each group, sparse: entry ``e`` gives line ``li[e]`` the share
    ``w[e]`` of group ``gi[e]`` (a donor's line one entry; a line spread over regions one
    per region); ``size`` groups in all."""

    li: np.ndarray
    gi: np.ndarray
    w: np.ndarray
    size: int

    def scaled(self, by: np.ndarray) -> _Parts:
        """The parts with each line's entries times ``by[line]``."""
        return _Parts(self.li, self.gi, self.w * np.asarray(by, dtype=float)[self.li], self.size)

    def per_year(self, mask: np.ndarray, per_line: np.ndarray) -> np.ndarray:
        """Years × groups: ``Σ per_line[l] · mask[l, y] · w`` over the entries."""
        vals = np.asarray(per_line, dtype=float)[self.li] * self.w
        return np.array(
            [
                np.bincount(self.gi, weights=vals * mask[self.li, y], minlength=self.size)
                for y in range(mask.shape[1])
            ]
        ).reshape(mask.shape[1], self.size)


def _mask(lines: pd.DataFrame, years: list[int]) -> np.ndarray:
    """Lines × years: whether a line covers the year."""
    first = lines["first"].to_numpy(dtype=float, na_value=np.nan)
    last = lines["last"].to_numpy(dtype=float, na_value=np.nan)
    y = np.asarray(years, dtype=float)
    return ((first[:, None] <= y) & (y <= last[:, None])).astype(float)


def _onehot(keys: list) -> tuple[_Parts, list]:
    """Each line in the group of its key (distinct keys in order of first appearance)."""
    k = [_NONE if (x is None or x != x) else x for x in keys]
    codes, names = pd.factorize(pd.Series(k, dtype=object), sort=False)
    n = len(k)
    return _Parts(np.arange(n), codes.astype(np.int64), np.ones(n), len(names)), list(names)


def _region_matrix(lines: pd.DataFrame) -> tuple[_Parts, list]:
    """Each line's region weights (unassigned as :data:`_NONE`)."""
    names: dict = {}
    li, gi, w = [], [], []
    for i, regions in enumerate(lines["regions"]):
        for r, x in regions or ():
            key = _NONE if r is None else r
            li.append(i)
            gi.append(names.setdefault(key, len(names)))
            w.append(float(x))
    parts = _Parts(
        np.asarray(li, dtype=np.int64), np.asarray(gi, dtype=np.int64), np.asarray(w), len(names)
    )
    return parts, list(names)


def _group_table(years, names, labels, secured, expected, outs, weights, what) -> pd.DataFrame:
    """One row per year and group; groups with no money in any outcome left out."""
    low, high = band(outs, weights, expected)
    rows = []
    for j, key in enumerate(names):
        if not (np.abs(outs[..., j]).max(initial=0.0) > 0 or np.abs(expected[:, j]).max() > 0):
            continue
        for i, y in enumerate(years):
            rows.append(
                {
                    "year": y,
                    "key": None if key == _NONE else key,
                    "name": labels.get(key, key) if key != _NONE else f"no {what} stated",
                    "secured": float(secured[i, j]),
                    "expected": float(expected[i, j]),
                    "low": float(low[i, j]),
                    "high": float(high[i, j]),
                }
            )
    return pd.DataFrame(rows)


def _shares(money: np.ndarray, names: list, targets: dict) -> tuple[np.ndarray, list]:
    """Region amounts (… × regions) rolled up to the target keys (others under
    :data:`OTHER`; unassigned left out), and those keys."""
    keys = list(targets) if targets else [n for n in names if n != _NONE]
    out = np.zeros((*money.shape[:-1], len(keys)))
    for j, n in enumerate(names):
        if n == _NONE:
            continue
        k = n if n in keys else (OTHER if OTHER in keys else None)
        if k is not None:
            out[..., keys.index(k)] += money[..., j]
    return out, keys


def _regions(years, expected, outs, weights, names, targets, measure) -> tuple:
    """The region rows of one measure and the balance score (expected, low, high)."""
    amounts, keys = _shares(expected, names, targets)
    shares = share_rows(amounts)
    per = share_rows(_shares(outs, names, targets)[0])
    low, high = band(per, weights, shares)
    t = np.array([targets.get(k, 0.0) for k in keys]) if targets else np.zeros(len(keys))
    score = 1.0 - np.minimum(1.0, 0.5 * np.abs(shares - t).sum(axis=-1))
    scores = 1.0 - np.minimum(1.0, 0.5 * np.abs(per - t).sum(axis=-1))
    rows = [
        {
            "year": y,
            "measure": measure,
            "region": k,
            "share": float(shares[i, j]),
            "low": float(low[i, j]),
            "high": float(high[i, j]),
            "target": float(t[j]) if targets else math.nan,
            "gap": float(shares[i, j] - t[j]) if targets else math.nan,
        }
        for j, k in enumerate(keys)
        for i, y in enumerate(years)
    ]
    if not targets:
        score, scores = np.full(score.shape, np.nan), np.full(scores.shape, np.nan)
    return rows, (score, scores)


def _words(keys: list) -> dict:
    """Codes (channels, sectors) in words."""
    return {k: label(k) for k in keys if k != _NONE}


def _banded(name: str, expected, outcomes, weights) -> dict:
    """``name``, ``name_low`` and ``name_high``: a figure and its band."""
    low, high = band(outcomes, weights, expected)
    return {name: expected, f"{name}_low": low, f"{name}_high": high}


def _largest(donors: np.ndarray, names: list) -> list:
    """The name of the donor of the most expected money, each year (None with none)."""
    if not names:
        return [None] * len(donors)
    return [names[int(np.argmax(r))] if r.sum() > 0 else None for r in donors]


def _unknown(lines: pd.DataFrame, mask: np.ndarray) -> dict:
    """Each year: ``unknown``, the renewals, prospects and secured lines in force whose
    amount no record gives; ``unfunded``, the agreements in force with no money dated in
    that year (the documents give end years, not yearly amounts)."""
    kind = lines["kind"].to_numpy()
    no_money = lines["amount"].isna().to_numpy()
    unknown = (no_money & (kind != "agreement")).astype(float) @ mask
    agreement = kind == "agreement"
    funded = np.zeros(mask.shape[1])
    if agreement.any():
        secured = (kind == "secured") & ~no_money
        paid = {}
        for p, row in zip(lines["project"].to_numpy()[secured], mask[secured], strict=True):
            if p is not None:
                paid[p] = np.maximum(paid.get(p, 0), row)
        for p, row in zip(lines["project"].to_numpy()[agreement], mask[agreement], strict=True):
            funded += row * paid.get(p, 0)
    unfunded = agreement.astype(float) @ mask - funded
    return {"unknown": unknown.astype(int), "unfunded": unfunded.astype(int)}


def project_lines(
    lines: pd.DataFrame,
    period=DEFAULT_PERIOD,
    *,
    required=None,
    targets: dict | None = None,
    draws: int = DRAWS,
    seed: int = 0,
    names: dict | None = None,
) -> Projection:
    """The projection of given lines (:func:`projection` reads them from a store).

    Parameters
    ----------
    lines : DataFrame
        As :func:`graph.analyses.assumptions.projection_lines` gives them (``low`` and
        ``high`` default to ``amount``).
    required : float or dict, optional
        The money a year needs (one figure for every year, or year → USD).
    targets : dict, optional
        Region → target share (default :data:`graph.analyses.regional.DEFAULT_TARGETS`).
    names : dict, optional
        Region id → name.
    """
    years = list(range(int(period[0]), int(period[1]) + 1))
    lines = lines.copy().reset_index(drop=True)
    for c in ("low", "high"):
        lines[c] = (lines[c] if c in lines else lines["amount"]).astype(float)
        lines[c] = lines[c].fillna(lines["amount"].astype(float))
    lines = lines[lines["first"].notna().to_numpy()].reset_index(drop=True)
    targets = dict(DEFAULT_TARGETS) if targets is None else dict(targets)
    cells = len(years) * (lines["donor"].nunique(dropna=False) + 1)
    o = _Outcomes(lines, draws=draws, seed=seed, cells=cells)
    mask = _mask(lines, years)
    money = lines["amount"].notna().to_numpy()
    secured_lines = (lines["kind"] == "secured").to_numpy()
    out: dict = {}
    labels = {"donor": dict(zip(lines["donor"], lines["donor_name"], strict=True))}
    for g in GROUPS:
        m, keys = _region_matrix(lines) if g == "region" else _onehot(list(lines[g]))
        spread = m.scaled(money)
        e, outs = o.figures(spread, mask)
        sec = spread.per_year(mask, o.amount * secured_lines)
        what = {"donor": "donor", "channel": "channel", "region": "region"}.get(g, "sector")
        lab = labels.get(g, names or {}) if g in ("donor", "region") else _words(keys)
        out[g] = (keys, e, outs, _group_table(years, keys, lab, sec, e, outs, o.weights, what))
    keys, e_donor, outs_donor, _ = out["donor"]
    e_total, outs_total = e_donor.sum(axis=1), outs_donor.sum(axis=2)
    low, high = band(outs_total, o.weights, e_total)
    at = [i for i, k in enumerate(keys) if k != _NONE]  # not keys.index: donors × donors
    hhi, hhis = hhi_rows(e_donor[:, at]), hhi_rows(outs_donor[:, :, at])
    cr1, cr1s = top_share_rows(e_donor[:, at]), top_share_rows(outs_donor[:, :, at])
    voluntary = (money & ~lines["channel"].isin(CORE_CHANNELS).to_numpy())[:, None]
    dm, _ = _onehot(list(lines["donor"]))
    v_e, v_outs = o.figures(dm.scaled(voluntary[:, 0]), mask)
    agree = lines["agreement"].to_numpy(dtype=bool)
    n = len(lines)
    one = _Parts(np.arange(n), np.zeros(n, dtype=np.int64), np.ones(n), 1)
    a_e, a_outs = o.figures(one.scaled(agree), mask, money=False)
    rkeys, r_e, r_outs, _ = out["region"]
    rows, money_score_and_outcomes = _regions(
        years, r_e, r_outs, o.weights, rkeys, targets, "money"
    )
    rm, _ = _region_matrix(lines)
    ar_e, ar_outs = o.figures(rm.scaled(agree), mask, money=False)
    more, _ = _regions(years, ar_e, ar_outs, o.weights, rkeys, targets, "agreements")
    table = pd.DataFrame(
        {
            "year": years,
            "secured": (o.amount * secured_lines) @ mask,
            "expected": e_total,
            "low": low,
            "high": high,
            **_unknown(lines, mask),
            **_banded("agreements", a_e[:, 0], a_outs[:, :, 0], o.weights),
            **_banded("hhi", hhi, hhis, o.weights),
            **_banded("cr1", cr1, cr1s, o.weights),
            **_banded(
                "cr1_voluntary",
                top_share_rows(v_e[:, at]),
                top_share_rows(v_outs[:, :, at]),
                o.weights,
            ),
            "largest": _largest(e_donor[:, at], [labels["donor"].get(keys[i]) for i in at]),
            **_banded("balance", *money_score_and_outcomes, o.weights),
        }
    )
    if required is not None:
        need = required if isinstance(required, dict) else dict.fromkeys(years, required)
        table["required"] = [float(need.get(y, math.nan)) for y in years]
        table["gap"] = table["required"] - table["expected"]
        table["gap_low"] = table["required"] - table["low"]
    regions = pd.DataFrame(rows + more)
    if names:
        regions.insert(3, "name", regions["region"].map(lambda r: names.get(r, r)))
    return Projection(
        period=(years[0], years[-1]),
        years=table,
        by={g: v[3] for g, v in out.items()},
        regions=regions,
        lines=lines,
        method=o.method,
        targets=targets,
    )


def projection(
    store: GraphStore,
    period=DEFAULT_PERIOD,
    *,
    prospects: pd.DataFrame | None = None,
    renewals: pd.DataFrame | None = None,
    required=None,
    recipient=INSTITUTE,
    scheme: str = "focus",
    targets: dict | None = None,
    draws: int = DRAWS,
    seed: int = 0,
) -> Projection:
    """The projection of the institute's funding over ``period`` (see the module).

    Parameters
    ----------
    prospects, renewals : DataFrame, optional
        Planning assumptions as their record kinds give them; default: the store's.
    required : float or dict, optional
        The money a year needs (e.g. core staff costs): one figure, or year → USD.
    targets : dict, optional
        Region → target share (default :data:`graph.analyses.regional.DEFAULT_TARGETS`).
    draws, seed : int
        Draws and seed when the outcomes are drawn.
    """
    lines = projection_lines(
        store,
        (int(period[0]), int(period[1])),
        prospects=prospects,
        renewals=renewals,
        recipient=recipient_of(store, recipient),
        scheme=scheme,
    )
    regions = store.node_table("Region")
    names = dict(zip(regions["id"], regions["name"], strict=True)) if len(regions) else {}
    names[OTHER] = "other regions"
    return project_lines(
        lines, period, required=required, targets=targets, draws=draws, seed=seed, names=names
    )
