"""The analyses shaped the way the app's pages (and the board report) show them.

Nothing here has a rule of its own: every figure comes from the analysis modules —
concentration from :mod:`graph.analyses.concentration`, money and coverage from
:mod:`graph.analyses.funding`, regions from :mod:`graph.analyses.regional`, the partnership graph and
co-partnership from :mod:`graph.analyses.network` — and this module only picks columns, names
things and fits the results into the tables, maps and drawing the pages need.

Examples
--------
>>> from loaders.load import load_memory
>>> from pathlib import Path
>>> store = load_memory(MINIMAL)
>>> h = headline(store)
>>> h["coverage"]["donors"], h["concentration"]["bands"]["2023"], h["recipient_name"]
(3, 'highly concentrated', 'IITE')

Money is that received by the institute unless asked otherwise (see :data:`INSTITUTE`), as
in the text report (:mod:`graph.reports.findings`); ``recipient=None`` takes every recipient.
"""

from __future__ import annotations

import math
from typing import Any, TypedDict

import pandas as pd

from graph.analyses.channels import ChannelPicture, channel_concentration
from graph.analyses.concentration import concentration_by, concentration_trend, donor_concentration
from graph.analyses.funding import coverage
from graph.analyses.institute import INSTITUTE, recipient_name, recipient_of
from graph.analyses.portfolio import external_projects
from graph.analyses.regional import country_picture
from graph.analyses.results import Coverage, DonorConcentration
from graph.errors import EmptySelection
from graph.metrics import lorenz_curve
from graph.store import Filters, GraphStore
from graph.text import joined, label

__all__ = [
    "ConcentrationView",
    "Headline",
    "YearChanges",
    "headline",
    "year_changes",
    "concentration_view",
    "trend_table",
    "breakdown_table",
    "channel_view",
    "part_years",
    "region_schemes",
]


class ConcentrationView(TypedDict):
    """Donor concentration as the pages and the board report show it
    (:func:`concentration_view`): ``recipient`` (an organization id, or None for every
    recipient); ``low``, ``high``, ``bands``, ``has_range`` (pooled money leaves a range),
    ``note``, ``allocations`` and ``lorenz`` (the Lorenz curve of each allocation);
    ``coverage``; ``total_known`` (donor USD), ``pooled_total``, ``own_funds``; ``top``
    (DataFrame: rank, donor_id, donor, usd, pooled, share, cumulative)."""

    recipient: str | None
    low: dict[str, Any]
    high: dict[str, Any]
    bands: dict[str, str]
    has_range: bool
    note: str
    allocations: dict[str, dict]
    lorenz: dict[str, pd.DataFrame]
    coverage: Coverage
    total_known: float
    pooled_total: float
    own_funds: float
    top: pd.DataFrame


class Headline(TypedDict):
    """The overview's headline figures (:func:`headline`)."""

    partners: int
    projects: int
    countries: int
    concentration: DonorConcentration | None
    coverage: Coverage
    recipient: str | None
    recipient_name: str
    external_projects: int


class YearChanges(TypedDict):
    """What changed since the previous year (:func:`year_changes`): ``year``, ``previous``
    (or None) and ``rows`` (DataFrame: measure, previous, latest, change, note)."""

    year: int | None
    previous: int | None
    rows: pd.DataFrame


# ----------------------------------------------------------------------- concentration


def channel_view(
    store: GraphStore, filters: Filters | None = None, *, recipient=INSTITUTE
) -> ChannelPicture | None:
    """:func:`graph.analyses.channels.channel_concentration` for the pages and the board
    report, or None when no donor flow matches.

    >>> channel_view(example_store()).top_channel
    'host_country'
    """
    try:
        return channel_concentration(store, filters, recipient=recipient_of(store, recipient))
    except EmptySelection:
        return None


def concentration_view(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    recipient=INSTITUTE,
    top: int = 50,
) -> ConcentrationView | None:
    """:func:`graph.analyses.concentration.donor_concentration` shaped for the pages and the
    board report; ``None`` when no donor money with a known amount matches.

    Parameters
    ----------
    recipient : str, None or INSTITUTE
        Whose money: see :data:`INSTITUTE` (the default).

    Returns
    -------
    dict
        ``recipient`` (the organization id, or ``None`` for every recipient), ``low``,
        ``high``, ``bands``, ``has_range``, ``note``, ``allocations``, ``coverage``
        (:func:`graph.analyses.funding.coverage`), ``total_known`` (donor USD), ``pooled_total``,
        ``own_funds``, ``top`` (rank, donor_id, donor, usd, pooled, share, cumulative).

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> v = concentration_view(load_memory(MINIMAL))
    >>> v["total_known"], v["top"]["donor_id"].tolist()
    (762.0, ['evil', 'cypher'])
    >>> v["recipient"]
    'iite'
    """
    rid = recipient_of(store, recipient)
    try:
        c = donor_concentration(store, filters, recipient=rid, top=top)
    except EmptySelection:
        return None
    cov = c["coverage"]
    t = c["top_donors"]
    topdf = pd.DataFrame(
        {
            "rank": range(1, len(t) + 1),
            "donor_id": t["donor_id"],
            "donor": t["donor"],
            "usd": t["amount_usd"].astype(float),
            "pooled": t["pooled"].astype(bool),
            "share": t["share"].astype(float),
        }
    )
    topdf["cumulative"] = topdf["share"].cumsum()
    return {
        "recipient": rid,
        "low": c["low"],
        "high": c["high"],
        "bands": c["bands"],
        "has_range": bool(c["pooled"]),
        "note": c["note"],
        "allocations": c["allocations"],
        "lorenz": {case: lorenz_curve(a) for case, a in c["allocations"].items()},
        "coverage": cov,
        "total_known": float(cov["donor_usd"]),
        "pooled_total": float(cov["pooled_usd"]),
        "own_funds": float(cov["own_funds_usd"]),
        "top": topdf,
    }


def trend_table(
    store: GraphStore, filters: Filters | None = None, *, recipient=INSTITUTE
) -> pd.DataFrame:
    """:func:`graph.analyses.concentration.concentration_trend` for the years with a known
    amount: ``year``, ``donors``, ``total`` (USD), ``hhi_low``, ``hhi_high``, ``band``,
    ``cr1_low``, ``cr1_high``, ``effective_low``, ``effective_high``, ``share_with_amount``
    and ``covers`` (the whole year, or which channels the documents give for part of it:
    such a year is not alike with a whole one).

    Money received by ``recipient`` (see :data:`INSTITUTE`, the default).

    Examples
    --------
    >>> trend_table(example_store())[["year", "total", "hhi_high"]]
       year  total  hhi_high
    0  2023  200.0   10000.0
    1  2024  300.0   10000.0
    2  2025  700.0    2755.1
    """
    cols = [
        "year",
        "donors",
        "total",
        "hhi_low",
        "hhi_high",
        "band",
        "cr1_low",
        "cr1_high",
        "effective_low",
        "effective_high",
        "share_with_amount",
    ]
    try:
        t = concentration_trend(store, filters, recipient=recipient_of(store, recipient))
    except EmptySelection:
        return pd.DataFrame(columns=cols)
    t = t[t["hhi_low"].notna()]
    out = pd.DataFrame(
        {
            "year": t["year"].astype(int),
            "donors": t["n_donors_high"].astype(int),
            "total": t["total_usd"].astype(float),
            "hhi_low": t["hhi_low"],
            "hhi_high": t["hhi_high"],
            "band": t["band_2023"],
            "cr1_low": t["cr1_low"],
            "cr1_high": t["cr1_high"],
            "effective_low": t["effective_order2_low"],
            "effective_high": t["effective_order2_high"],
            "share_with_amount": t["flows_with_usd"] / t["flows"].where(t["flows"] > 0),
        }
    )
    part = part_years(store, filters, recipient_of(store, recipient))
    out["covers"] = [part.get(int(y), "the whole year") for y in out["year"]]
    return out.reset_index(drop=True)[[*cols, "covers"]]


def part_years(store: GraphStore, filters, rid) -> dict:
    """Year → which channels a document gives for part of that year only, in words, for
    the years that have such flows (money received by ``rid``; every recipient with None).

    >>> from loaders.load import load_memory
    >>> part_years(load_memory(), None, "iite")
    {2025: 'part of the year for decentralized and extrabudgetary funds (first 7 months)'}
    """
    t = store.funding_totals(("recipient", "year", "period", "channel"), filters)
    if rid is not None:
        t = t[t["recipient"] == rid]
    t = t[t["period"].notna() & t["year"].notna()]
    out = {}
    for y, part in t.groupby("year"):
        chans = joined(sorted(label(c) for c in set(part["channel"]))) + " funds"
        out[int(y)] = f"part of the year for {chans} ({', '.join(sorted(set(part['period'])))})"
    return out


def breakdown_table(
    store: GraphStore,
    by: str,
    filters: Filters | None = None,
    *,
    recipient=INSTITUTE,
    scheme: str = "focus",
) -> pd.DataFrame:
    """:func:`graph.analyses.concentration.concentration_by` for a table: ``group``,
    ``donors``, ``flows``, ``flows_with_usd``, ``usd``, ``share`` (of known money),
    ``hhi_low``, ``hhi_high``, ``band`` and ``top_donor``, largest first. Region groups
    are named (``donor_region``, ``target_region``).

    A group whose money no document states has ``usd`` and ``share`` missing (unknown, not
    0). ``band`` is the concentration within the group in words: "no amount known", "one
    donor" when a single donor has a known amount (a band means nothing for one), else
    the 2023 guidelines' band.

    Money received by ``recipient`` (see :data:`INSTITUTE`, the default).

    Examples
    --------
    >>> breakdown_table(example_store(), "channel")[["group", "donors", "usd", "band"]]
                group  donors    usd                 band
    0    host_country       1  500.0            one donor
    1  extrabudgetary       4  450.0  highly concentrated
    2  regular_budget       1  250.0            one donor
    3         in_kind       1    NaN      no amount known
    """
    cols = [
        "group",
        "donors",
        "flows",
        "flows_with_usd",
        "usd",
        "share",
        "hhi_low",
        "hhi_high",
        "band",
        "top_donor",
    ]
    try:
        t = concentration_by(
            store, by, filters, recipient=recipient_of(store, recipient), scheme=scheme
        )
    except EmptySelection:
        return pd.DataFrame(columns=cols)
    names = {}
    if by in ("donor_region", "target_region"):
        regions = store.node_table("Region")
        names = dict(zip(regions["id"], regions.get("name", regions["id"]), strict=False))
    group = t[by].map(lambda v: "not stated" if v is None else names.get(v, str(v)))
    out = pd.DataFrame(
        {
            "group": group,
            "donors": t["donors"].astype(int),
            "flows": t["flows"].astype(int),
            "flows_with_usd": t["flows_with_usd"].astype(int),
            "usd": t["total_usd"].astype(float).where(t["flows_with_usd"] > 0),
            "hhi_low": t["hhi_low"],
            "hhi_high": t["hhi_high"],
            "band": [
                "no amount known" if not known else "one donor" if n <= 1 else band
                for known, n, band in zip(
                    t["flows_with_usd"] > 0, t["n_donors_high"], t["band_2023"], strict=True
                )
            ],
            "top_donor": t["top_donor"],
        }
    )
    total = out["usd"].sum()
    out["share"] = out["usd"] / total if total else math.nan
    out = out.sort_values(
        ["usd", "donors", "group"], ascending=[False, False, True], na_position="last"
    )
    return out.reset_index(drop=True)[cols]


# ---------------------------------------------------------------------------- overview


def headline(store: GraphStore, *, recipient=INSTITUTE) -> Headline:
    """The overview's headline figures.

    ``partners`` (organizations in a project, a network or an event other than as a
    donor), ``projects``, ``countries`` (targeted by a project, or where an event took
    place or drew people from: the countries of :func:`graph.analyses.regional.country_picture`
    with a project or an event), ``concentration``
    (:func:`graph.analyses.concentration.donor_concentration` of all years, or ``None``
    when no amount is known), ``coverage`` (:func:`graph.analyses.funding.coverage`, which
    counts the donors), ``recipient`` and ``recipient_name``.

    Money (concentration and coverage) is that received by ``recipient``: the institute
    by default (see :data:`INSTITUTE`), as in the text report.

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> h = headline(load_memory(MINIMAL))
    >>> h["partners"], h["projects"], h["countries"]
    (4, 2, 3)
    """
    external = external_projects(store)  # published data about others: never counted
    partners = set()
    for t in ("PARTNER_IN", "MEMBER_OF", "ORGANIZED"):
        rel = store.rel_table(t)
        if t == "PARTNER_IN" and "role" in rel:
            rel = rel[(rel["role"] != "donor") & ~rel["end"].isin(external)]
        partners |= set(rel["start"]) if len(rel) else set()
    places = country_picture(store)
    reached = places[
        places["country"].notna() & ((places["projects"] > 0) | (places["events"] > 0))
    ]
    rid = recipient_of(store, recipient)
    try:
        concentration = donor_concentration(store, recipient=rid, top=10)
    except EmptySelection:
        concentration = None
    return {
        "partners": len(partners),
        "projects": int(store.counts()["nodes"].get("Project", 0)) - len(external),
        "countries": len(reached),
        "concentration": concentration,
        "coverage": coverage(store, recipient=rid),
        "recipient": rid,
        "recipient_name": recipient_name(store, rid),
        "external_projects": len(external),
    }


def year_changes(store: GraphStore, *, recipient=INSTITUTE) -> YearChanges:
    """What changed from the previous year to the latest year with funding or activity.

    Money and donors are :func:`graph.analyses.funding.coverage` of each year (known USD from
    donors, own funds left out; donors with a known amount; donors named) for money
    received by ``recipient``: the institute by default (see :data:`INSTITUTE`).

    Like is compared with like: known money of the channels whose flows cover the whole year
    in both years is compared; the channels with a flow a document gives for part of a year
    (its ``period``, e.g. "first 7 months") are shown for each year, not subtracted (an
    annualised figure would be a guess).

    Returns
    -------
    dict
        ``year``, ``previous`` (or ``None``) and ``rows``: a DataFrame with ``measure``,
        ``previous``, ``latest``, ``change`` (latest − previous; None where the two are not
        alike) and ``note`` for known money of whole-year flows, known money for part of a
        year, donors with a known amount, donors named, new projects and events.

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> c = year_changes(load_memory(MINIMAL))
    >>> c["year"], float(c["rows"].set_index("measure").at["Known funding (USD)", "change"])
    (2025, -250.0)
    >>> c = year_changes(load_memory())
    >>> r = c["rows"].set_index("measure")
    >>> r.at["Known funding for part of the year (USD)", "note"]
    'decentralized and extrabudgetary funds (2024: whole year; 2025: first 7 months)'
    >>> float(r.at["Known funding (USD)", "change"])  # the regular budget and the host country
    31303.0
    """
    events = store.node_table("Event")
    projects = store.node_table("Project")
    years = {int(y) for y in store.funding_totals(("year",))["year"].dropna()}
    if len(events) and "year" in events:
        years |= {int(y) for y in events["year"].dropna()}
    if not years:
        return {"year": None, "previous": None, "rows": pd.DataFrame()}
    latest = max(years)
    prev = latest - 1
    rid = recipient_of(store, recipient)
    cov = {
        y: coverage(store, Filters(year_from=y, year_to=y), recipient=rid) for y in (prev, latest)
    }
    money = store.funding_totals(("donor", "recipient", "year", "period", "channel"))
    money = money[money["donor"] != money["recipient"]]  # own funds are not donor money
    if rid is not None:
        money = money[money["recipient"] == rid]
    money = money[money["year"].isin([prev, latest])]
    has_part = money["period"].notna()
    part_channels = set(money.loc[has_part, "channel"])
    in_part = money["channel"].isin(part_channels).to_numpy()

    def usd_of(y, partial: bool):
        rows = money[(money["year"] == y).to_numpy() & (in_part == partial)]
        return float(rows["amount_usd"].sum())

    periods = {
        y: sorted({str(p) for p in money.loc[has_part & (money["year"] == y), "period"]})
        for y in (prev, latest)
    }
    part_note = "; ".join(
        f"{y}: {', '.join(ps) if ps else 'whole year'}" for y, ps in periods.items()
    )
    part_note = (
        f"{joined(sorted(label(c) for c in part_channels))} funds ({part_note})"
        if part_channels
        else ""
    )

    def count(table, column, y):
        return int((table[column] == y).sum()) if len(table) and column in table else 0

    measures = [
        ("Known funding (USD)", lambda y: usd_of(y, False)),
        ("Donors with amounts", lambda y: cov[y]["donors_with_amount"]),
        ("Donors named", lambda y: cov[y]["donors"]),
        ("New projects", lambda y: count(projects, "start_year", y)),
        ("Events", lambda y: count(events, "year", y)),
    ]
    rows = [
        {
            "measure": name,
            "previous": fn(prev),
            "latest": fn(latest),
            "change": fn(latest) - fn(prev),
            "note": "channels reported for the whole year in both years"
            if name == "Known funding (USD)" and part_note
            else "",
        }
        for name, fn in measures
    ]
    if part_note:  # shown, never subtracted from a whole year
        rows.insert(
            1,
            {
                "measure": "Known funding for part of the year (USD)",
                "previous": usd_of(prev, True),
                "latest": usd_of(latest, True),
                "change": None,
                "note": part_note,
            },
        )
    return {"year": latest, "previous": prev, "rows": pd.DataFrame(rows)}


# --------------------------------------------------------------------------- regions


def region_schemes(store: GraphStore) -> list[str]:
    """The region schemes the store holds regions of, in a stable order."""
    regions = store.node_table("Region")
    if regions.empty or "scheme" not in regions:
        return []
    order = ["focus", "unesco", "m49", "m49_subregion"]
    have = set(regions["scheme"].dropna())
    return [s for s in order if s in have] + sorted(have - set(order))


# ------------------------------------------------------------------------------ loads
