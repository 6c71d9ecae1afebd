"""Board limits: what the governing board says the portfolio must stay within, checked now
and in the projection.

The limits are data (a TOML file, ``data/reference/limits.toml``; :func:`read_limits`), each
one of a fixed set of measures with its threshold:

* ``top_donor_share`` — the largest donor's share of ``money`` (``voluntary``: every donor
  channel but the regular budget and the host country; or ``all``) at most ``max``;
* ``hhi`` — donor concentration (HHI, 0–10,000) at most ``max``;
* ``region_share`` — each focus region's share at least its target minus ``tolerance``
  (points as a fraction), measured ``on`` projects (as the Regional balance page) or money;
* ``flows_with_amount`` — the share of donor flows that state an amount at least ``min``.

A limit *holds*, is *breached*, or is *unclear*: pooled money leaves a range (one end over the
limit, the other under), or nothing is known to measure. In the projection
(:mod:`graph.analyses.projection`) each limit is checked every year on the expected figures
(the first year it breaks) and on the band (the first year it *may* break).

Examples
--------
>>> limits = parse_limits('''
... [[limit]]
... id = "hhi"
... what = "Donor concentration (HHI) under 2,500"
... measure = "hhi"
... max = 2500
... ''', "limits.toml")
>>> from loaders.load import load_memory
>>> [(c.id, c.status, c.now) for c in check_limits(load_memory(), limits)]
[('hhi', 'breached', 'HHI 4,050–4,443')]
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graph.analyses.channels import CORE_CHANNELS
from graph.analyses.concentration import concentration_of, donor_concentration
from graph.analyses.funding import coverage, donor_amounts, totals_by
from graph.analyses.institute import INSTITUTE, recipient_of
from graph.analyses.regional import regional_balance
from graph.errors import AnalysisError, EmptySelection, SettingsError, UnknownEntity

__all__ = [
    "MEASURES",
    "Limit",
    "LimitCheck",
    "read_limits",
    "parse_limits",
    "check_limits",
    "breached",
    "projected_text",
]

#: Each measure a limit can use, with the threshold it takes and what it reads.
MEASURES = {
    "top_donor_share": ("max", "the largest donor's share of the money"),
    "hhi": ("max", "donor concentration (HHI, 0–10,000)"),
    "region_share": ("tolerance", "each focus region's share against its target"),
    "flows_with_amount": ("min", "the share of donor flows that state an amount"),
}


@dataclass(frozen=True)
class Limit:
    """One board limit, as the file gives it."""

    id: str
    what: str
    measure: str
    threshold: float
    money: str = "voluntary"
    on: str = "projects"


@dataclass(frozen=True)
class LimitCheck:
    """A limit checked now and, when a projection is given, in each year of it.

    Attributes
    ----------
    status : str
        ``holds``, ``breached`` or ``unclear`` (now).
    now : str
        The figure now, in words.
    why : str
        Why it holds or not, in words (the region that falls short, the range…).
    years : DataFrame
        Per projected year: ``year``, ``value`` (expected), ``status`` on the expected
        figures, ``may_break`` (the band reaches past the limit).
    first_break, first_possible : int or None
        The first projected year the limit breaks on the expected figures, and the first
        year it may break within the band.
    """

    id: str
    what: str
    status: str
    now: str
    why: str = ""
    years: pd.DataFrame = field(default_factory=pd.DataFrame)
    first_break: int | None = None
    first_possible: int | None = None


def parse_limits(text: str, name: str = "limits") -> list[Limit]:
    """The limits of a TOML text (see the module); :class:`SettingsError` naming ``name``
    and the limit when one is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{name}: not valid TOML ({e}); see data/reference/limits.toml") from e
    out = []
    for i, item in enumerate(data.get("limit", []), start=1):
        where = f"{name}, limit {i} ({item.get('id', 'no id')})"
        measure = item.get("measure")
        if measure not in MEASURES:
            raise SettingsError(
                f"{where}: unknown measure {measure!r}; use one of: {', '.join(MEASURES)}"
            )
        key = MEASURES[measure][0]
        value = item.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise SettingsError(f"{where}: give {key} as a number ≥ 0 (e.g. {key} = 0.4)")
        if measure != "hhi" and value > 1:
            raise SettingsError(f"{where}: {key} is a share: write 0.4 for 40 %, not {value}")
        if item.get("money", "voluntary") not in ("voluntary", "all"):
            raise SettingsError(f"{where}: money is 'voluntary' or 'all'")
        if item.get("on", "projects") not in ("projects", "money"):
            raise SettingsError(f"{where}: on is 'projects' or 'money'")
        out.append(
            Limit(
                id=str(item.get("id") or f"limit-{i}"),
                what=str(item.get("what") or MEASURES[measure][1]),
                measure=measure,
                threshold=float(value),
                money=item.get("money", "voluntary"),
                on=item.get("on", "projects"),
            )
        )
    return out


def read_limits(path) -> list[Limit]:
    """The limits of the TOML file at ``path``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise SettingsError(f"cannot read the limits file {p}: {e.strerror or e}") from e
    return parse_limits(text, str(p))


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _range(low: float, high: float, fmt) -> str:
    return fmt(low) if fmt(low) == fmt(high) else f"{fmt(low)}–{fmt(high)}"


def _judge(low: float, high: float, threshold: float, at_most: bool) -> str:
    """holds / breached / unclear for a figure between ``low`` and ``high``."""
    if math.isnan(low) or math.isnan(high):
        return "unclear"
    ok_low = low <= threshold if at_most else low >= threshold
    ok_high = high <= threshold if at_most else high >= threshold
    return "holds" if ok_low and ok_high else "breached" if not (ok_low or ok_high) else "unclear"


def _top_share(store, limit: Limit, rid) -> tuple:
    t, _own, _types = totals_by(store, ("channel",), None, recipient=rid, flow_types=None)
    if limit.money == "voluntary":
        t = t[~t["channel"].isin(CORE_CHANNELS)]
    d = t.groupby(["donor", "pooled"], as_index=False)["amount_usd"].sum()
    d = d.rename(columns={"donor": "donor_id"})
    known, pools = donor_amounts(store, totals=d)
    if not known and not pools:
        return math.nan, math.nan, f"no {limit.money} money with a known amount"
    c = concentration_of(known, pools)
    low, high = c["low"]["cr1"], c["high"]["cr1"]
    return low, high, f"largest donor {_range(low, high, _pct)} of {limit.money} money"


def _hhi(store, limit: Limit, rid) -> tuple:
    try:
        c = donor_concentration(store, recipient=rid)
    except EmptySelection:
        return math.nan, math.nan, "no donor money with a known amount"
    low, high = c["low"]["hhi"], c["high"]["hhi"]
    return low, high, f"HHI {_range(low, high, lambda v: f'{v:,.0f}')}"


def _regions(store, limit: Limit, rid) -> tuple:
    measure = "projects" if limit.on == "projects" else "money"
    try:
        b = regional_balance(store, measure=measure)
    except EmptySelection:
        return math.nan, math.nan, f"no {measure} assigned to a region"
    t = b["table"]
    focus = t[t["region"] != "other"]
    worst = focus.sort_values("gap").iloc[0]
    gap = float(worst["gap"])
    return gap, gap, f"{worst['name']} {gap * 100:+.1f} points against its target ({measure})"


def _flows(store, limit: Limit, rid) -> tuple:
    c = coverage(store, recipient=rid)
    if not c["flows"]:
        return math.nan, math.nan, "no donor flows"
    share = c["flows_with_amount"] / c["flows"]
    return share, share, f"{c['flows_with_amount']:,} of {c['flows']:,} donor flows state an amount"


_NOW = {
    "top_donor_share": _top_share,
    "hhi": _hhi,
    "region_share": _regions,
    "flows_with_amount": _flows,
}


def _threshold(limit: Limit) -> tuple[float, bool]:
    """The figure's threshold and whether it is an upper bound."""
    if limit.measure == "region_share":
        return -limit.threshold, False  # the worst gap must not fall below −tolerance
    return limit.threshold, limit.measure != "flows_with_amount"


def _projected(limit: Limit, projection) -> pd.DataFrame:
    """Per year: the expected figure, its status and whether the band may break it."""
    if projection is None or limit.measure == "flows_with_amount":
        return pd.DataFrame(columns=["year", "value", "status", "may_break"])
    y = projection.years
    if limit.measure == "hhi":
        value, low, high = y["hhi"], y["hhi_low"], y["hhi_high"]
    elif limit.measure == "top_donor_share":
        c = "cr1_voluntary" if limit.money == "voluntary" else "cr1"
        value, low, high = y[c], y[f"{c}_low"], y[f"{c}_high"]
    else:
        r = projection.regions
        r = r[(r["measure"] == ("agreements" if limit.on == "projects" else "money"))]
        r = r[r["region"] != "other"]
        g = r.assign(gap_low=r["low"] - r["target"]).groupby("year")
        value = g["gap"].min().reindex(y["year"]).to_numpy()
        low = g["gap_low"].min().reindex(y["year"]).to_numpy()
        high = value
    threshold, at_most = _threshold(limit)
    status = [_judge(v, v, threshold, at_most) for v in value]
    worst = high if at_most else low
    may = [_judge(w, w, threshold, at_most) == "breached" for w in worst]
    return pd.DataFrame({"year": y["year"], "value": value, "status": status, "may_break": may})


def check_limits(
    store, limits: list[Limit], *, projection=None, recipient=INSTITUTE
) -> list[LimitCheck]:
    """Each limit checked now (on the institute's money and portfolio) and, with a
    :class:`~graph.analyses.projection.Projection`, in each of its years."""
    rid = recipient_of(store, recipient)
    out = []
    for limit in limits:
        try:
            low, high, now = _NOW[limit.measure](store, limit, rid)
        except UnknownEntity:  # e.g. a target region the data does not hold
            low, high = math.nan, math.nan
            now = "not measured: the data lack a region the targets name"
        except AnalysisError as e:
            low, high, now = math.nan, math.nan, str(e)
        threshold, at_most = _threshold(limit)
        status = _judge(low, high, threshold, at_most)
        years = _projected(limit, projection)
        broken = years.loc[years["status"] == "breached", "year"]
        possible = years.loc[years["may_break"].astype(bool), "year"]
        out.append(
            LimitCheck(
                id=limit.id,
                what=limit.what,
                status=status,
                now=now,
                why="pooled money leaves a range across the limit"
                if status == "unclear" and not math.isnan(low)
                else "",
                years=years,
                first_break=int(broken.iloc[0]) if len(broken) else None,
                first_possible=int(possible.iloc[0]) if len(possible) else None,
            )
        )
    return out


def projected_text(c: LimitCheck, period) -> str:
    """What the projection says of a limit, in words (the CLI, the pages and the board
    report say the same).

    >>> y = pd.DataFrame({"year": [2026, 2027], "value": [1.0, 2.0],
    ...                   "status": ["holds", "breached"], "may_break": [True, True]})
    >>> projected_text(LimitCheck("x", "x", "holds", "", years=y, first_break=2027,
    ...                           first_possible=2026), (2026, 2027))
    'projected to break in 2027 (on the expected figures; within the band from 2026)'
    """
    y = c.years
    if not len(y):
        return "not projected (a projection holds no flows to count)"
    if c.first_break is not None:
        also = (
            f"; within the band from {c.first_possible}"
            if c.first_possible is not None and c.first_possible < c.first_break
            else ""
        )
        return f"projected to break in {c.first_break} (on the expected figures{also})"
    if c.first_possible is not None:
        return f"may break from {c.first_possible} (within the projection's band)"
    if (y["status"] == "holds").all():
        return f"projected to hold to {period[1]}"
    unclear = y.loc[y["status"] != "holds", "year"].astype(int).tolist()
    years = (
        f"{unclear[0]}–{unclear[-1]}"
        if len(unclear) > 1 and unclear == list(range(unclear[0], unclear[-1] + 1))
        else ", ".join(map(str, unclear))
    )
    return (
        f"cannot be projected for {years}: no money is known for "
        f"{'that year' if len(unclear) == 1 else 'those years'} (add renewals and prospects)"
    )


def breached(checks: list[LimitCheck]) -> list[LimitCheck]:
    """The limits breached now."""
    return [c for c in checks if c.status == "breached"]
