"""Regional balance: money, projects, partners and events per target region and country,
against target shares.

Rules (the same on both stores; the store sums money by project, see
:meth:`graph.store.GraphStore.funding_totals`):

* A project's money, and the project itself, is split over its targets by their stated
  shares when every target states one, otherwise evenly; the result says how many
  projects were split which way.
* One definition of where a project is, the same as the filters'
  (:meth:`graph.store.GraphStore.nodes`) and so the same as Collaborations by region: the
  countries and regions it targets, and each country of a region it targets.
* A target country counts in its region of the chosen scheme; a region nested in a larger
  one of the same scheme (``focus:central-asia`` in ``focus:eeca``) rolls up into it, so
  nothing is counted twice; a region target of another scheme (e.g. an M49 continent
  under the focus scheme) counts for its countries (those the data lists in it): its part
  is split evenly over them and each share goes where its country goes. A regional bucket
  with no countries and money not tied to a project are *unassigned* and reported apart.
* Partners are organizations that take part in something (a project, network, event or a
  funding flow), counted in the region where they are based (in the institute's portfolio,
  the institute itself is not one of its partners); events count in the regions
  of the countries where they are held or whose people take part.
* By default only the institute's current portfolio counts (its projects, events, money and
  partners, :mod:`graph.analyses.portfolio`); ``scope="network"`` counts everything in
  the data.

Examples
--------
>>> p = regional_picture(example_store())
>>> print(p[["region", "money_usd", "projects", "projects_weighted", "partners", "events"]].to_string())
         region  money_usd  projects  projects_weighted  partners  events
0  focus:africa      150.0         1                1.0         1       1
1    focus:eeca      100.0         1                1.0         2       1
2          None      990.0         1                1.0         3       1
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace

import numpy as np
import pandas as pd

from graph.analyses.institute import recipient_of
from graph.analyses.portfolio import external_projects, portfolio
from graph.analyses.results import Balance
from graph.errors import AnalysisError, EmptySelection, UnknownEntity
from graph.metrics import balance as bal
from graph.schema import REGION_SCHEMES
from graph.store import Filters, GraphStore, isin, read_ahead, reads_once, side_by_side
from graph.store.totals import isnull, spread_rows
from graph.text import plural

__all__ = [
    "OTHER",
    "DEFAULT_TARGETS",
    "DEFAULT_TARGET_NAMES",
    "TARGETS_REASONING",
    "MEASURES",
    "regional_picture",
    "country_picture",
    "regional_balance",
    "scheme_regions",
    "country_regions",
    "partners_based",
]

#: Target key that stands for every region not named in the targets.
OTHER = "other"

#: Default target shares over the focus scheme (see :data:`TARGETS_REASONING`).
DEFAULT_TARGETS = {
    "focus:africa": 0.40,
    "focus:eeca": 0.35,
    "focus:middle-east": 0.15,
    OTHER: 0.10,
}
#: The names of the regions the default targets are for (as ``data/regions.csv`` gives them),
#: to say which are missing from a store that does not hold them.
DEFAULT_TARGET_NAMES = {
    "focus:africa": "Africa",
    "focus:eeca": "Eastern Europe and Central Asia",
    "focus:middle-east": "Middle East",
}

TARGETS_REASONING = (
    "Default targets follow the Director's report, Part 6 ('Priorities and Regional Focus'): "
    "'Maintain regional focus on Eastern Europe and Central Asia, Africa, and the Middle East' "
    "and 'Continue contributing to UNESCO priorities, including Priority Africa'. So the three "
    "focus regions share 90 %: Africa the most (40 %) because Priority Africa is one of "
    "UNESCO's two global priorities; Eastern Europe and Central Asia 35 %, the institute's "
    "established base (Russian-language platforms, health education in EECA); the Middle East "
    "15 %, a named focus with a newer, smaller portfolio (the Huawei project, the Riyadh "
    "events); and 10 % for the rest of the world, the global networks and platforms. Central "
    "Asia rolls up into EECA. These are a starting point for the governing board to set, not "
    "figures from the documents: pass your own dict of region id -> share (summing to 1, "
    "'other' for all regions not named)."
)

#: What a region's balance can be measured on.
MEASURES = ("money", "projects", "partners", "events")
_MEASURE_COLUMN = {
    "money": "money_usd",
    "projects": "projects_weighted",
    "partners": "partners",
    "events": "events",
}


def _scheme(scheme: str) -> str:
    if scheme not in REGION_SCHEMES:
        raise AnalysisError(
            f"unknown region scheme {scheme!r}; use one of: {', '.join(REGION_SCHEMES)}"
        )
    return scheme


def scheme_regions(store: GraphStore, scheme: str = "focus") -> dict:
    """The regions ``scheme`` reports under, id → name, by name: a region nested in a larger
    one of the scheme (``focus:central-asia`` in ``focus:eeca``) is left out, since it rolls
    up into the larger one. These are the regions targets can be set for.

    Examples
    --------
    >>> scheme_regions(example_store())
    {'focus:africa': 'Africa', 'focus:eeca': 'Eastern Europe and Central Asia', 'focus:middle-east': 'Middle East'}
    """
    regions = store.node_table("Region")
    if regions.empty:
        return {}
    part = regions[regions["scheme"] == _scheme(scheme)]
    up = store.region_rollup(scheme)
    names = {
        i: (n if isinstance(n, str) else i) for i, n in zip(part["id"], part["name"], strict=True)
    }
    top = {i: n for i, n in names.items() if up.get(i, i) == i}
    return dict(sorted(top.items(), key=lambda kv: (kv[1], kv[0])))


def country_regions(store: GraphStore, scheme: str) -> dict:
    """Country → sorted list of (rolled-up) regions of ``scheme``."""
    regions = store.node_table("Region")
    ids = set(regions.loc[regions["scheme"] == scheme, "id"]) if len(regions) else set()
    up = store.region_rollup(scheme)
    links = store.rel_table("IN_REGION")
    out: dict = {}
    for rec in links.to_dict("records") if len(links) else []:
        if rec["end"] in ids:
            out.setdefault(rec["start"], set()).add(up.get(rec["end"], rec["end"]))
    return {c: sorted(v) for c, v in out.items()}


def partners_based(
    store: GraphStore, filters: Filters | None = None, *, scope: str = "institute"
) -> set:
    """The partners based in the place of ``filters`` (all, without one): organizations
    based there that take part in something (a project, network, event or a funding flow),
    pools left out; by default only the institute's partners (``scope="network"``: every
    organization that takes part). The one count of "partners in a region" of Regional
    balance and Collaborations by region.

    >>> sorted(partners_based(example_store(), Filters(country="KAZ")))
    ['ngo']
    """
    f = filters or Filters()
    orgs = store.nodes("Organization", f)
    if not len(orgs):
        return set()
    sector = orgs["sector"] if "sector" in orgs else pd.Series(None, index=orgs.index)
    keep = isin(orgs["id"], _active_orgs(store)) & (sector != "pool").to_numpy()
    keep &= portfolio(store, scope, f, partners=True).keep("partners", orgs["id"])
    return set(orgs.loc[keep, "id"])


def _active_orgs(store: GraphStore) -> set:
    """Organizations that take part in anything: a project, a network, an event, money
    (kept per load: the regional picture reads it ahead, beside its other reads)."""
    return store.memo("active_orgs", lambda: _taking_part(store))


def _taking_part(store: GraphStore) -> set:
    active = set()
    for t in ("PARTNER_IN", "MEMBER_OF", "ORGANIZED"):
        rt = store.rel_pairs(t)  # who takes part is all it needs: the ends, counted
        if len(rt):
            active |= set(rt["start"].unique().tolist())  # each end once, not per pair
    return active | store.in_money()


def _event_places(store: GraphStore) -> dict:
    out: dict = {}
    for t in ("HELD_IN", "INVOLVES"):
        rt = store.rel_pairs(t)
        for start, end in zip(rt["start"].tolist(), rt["end"].tolist(), strict=True):
            out.setdefault(start, set()).add(end)
    return out


def _figure(x: float) -> str:
    """A count or amount for a sentence: ``4,648,786``, ``2.5``.

    >>> _figure(4648786.0), _figure(2.5), _figure(0.125)
    ('4,648,786', '2.5', '0.12')
    """
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.2f}".rstrip("0")


def _sort_key(v):
    return (v is None, str(v))


_ROW = {
    "money_usd": 0.0,
    "flows": 0,
    "flows_with_usd": 0,
    "projects": 0,
    "projects_weighted": 0.0,
    "partners": 0,
    "events": 0,
}
_PICTURE_COLUMNS = ["name", *_ROW]


def _groups_of(store, level: str, scheme: str):
    """country → the groups it counts in: its regions of ``scheme``, or itself."""
    if level == "country":
        return lambda c: [c]
    c2r = country_regions(store, scheme)
    return lambda c: c2r.get(c) or []


def _count_people(rows, store, f, groups, mine) -> None:
    """Partners (where based; pools and inactive organizations left out) and events (where
    held or drawing people from) per group."""
    orgs = store.nodes("Organization", f)
    orgs = orgs[isin(orgs["id"], partners_based(store, f, scope=mine.scope))]
    for c in orgs["country"].tolist() if "country" in orgs else [None] * len(orgs):
        for g in (groups(c) if isinstance(c, str) else []) or [None]:
            rows[g]["partners"] += 1
    places = _event_places(store)
    events = store.nodes("Event", f)["id"]
    for e in set(events[mine.keep("events", events)]):
        found = {g for c in places.get(e, ()) for g in groups(c)}
        for g in sorted(found, key=_sort_key) or [None]:
            rows[g]["events"] += 1


def _project_sums(store, f: Filters, flow_types) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The funding sums by project of every flow, and of the flows to the institute (its
    core money, tied to no project, is among them): what the portfolio's money is kept
    from (:meth:`~graph.analyses.portfolio.Portfolio.money`). Two sums by one key, not one
    by project and recipient (228,000 pairs at a million flows)."""
    every = store.funding_totals(("project",), f, flow_types=flow_types)
    inst = recipient_of(store)
    if inst is None:
        return every, every.iloc[:0]
    to_it = replace(f, recipients=(inst,))
    return every, store.funding_totals(("project",), to_it, flow_types=flow_types)


def _portfolio_money(sums, mine, key, targets) -> pd.DataFrame:
    """``key`` (target region or country), ``amount_usd``, ``flows``, ``usd_known`` of the
    flows the portfolio ``mine`` counts (``sums``: :func:`_project_sums`), each project's
    sums spread over its targets (``targets``,
    :meth:`~graph.store.GraphStore.project_targets`; amounts by weight, rounded to the
    cent; counts whole), as :meth:`~graph.store.GraphStore.funding_totals` spreads them.
    """
    cols = ["amount_usd", "flows", "usd_known"]
    per = mine.money(*sums)[["project", *cols]]
    spread = spread_rows(per, "project", key, targets)
    spread["amount_usd"] = spread["amount_usd"].round(2)
    return spread.groupby(key, dropna=False, sort=False)[cols].sum().reset_index()


def _picture(store, filters, *, level, scheme, flow_types, scope):
    f = filters or Filters()
    key = "target_region" if level == "region" else "target_country"
    # independent reads, side by side on a server: the portfolio, the small tables read
    # after it, the sums by project and recipient, who takes part in anything (counted at
    # the end), the projects' targets
    mine, _, sums, _, targets = side_by_side(
        store,
        lambda: portfolio(store, scope, f, partners=True),  # counted at the end
        lambda: _read_tail(store, f, scheme),
        lambda: None if scope == "network" else _project_sums(store, f, flow_types),
        lambda: _active_orgs(store),
        lambda: store.project_targets(scheme=scheme, level=level),
    )
    rows: dict = defaultdict(lambda: dict(_ROW))
    if mine.everything:
        money = store.funding_totals((key,), f, scheme=scheme, flow_types=flow_types)
    else:  # flows tied to its projects, and core money it receives
        money = _portfolio_money(sums, mine, key, targets)
    for rec in money.to_dict("records"):
        r = rows[None if isnull(rec[key]) else rec[key]]
        r["money_usd"] += rec["amount_usd"]
        r["flows"] += rec["flows"]
        r["flows_with_usd"] += rec["usd_known"]
    projects = store.nodes("Project", f)["id"]
    projects = set(projects[mine.keep("projects", projects)])
    weights = targets[isin(targets["project"], projects)]
    # per region or country: how many projects, and their weights summed in row order
    codes, keys = pd.factorize(weights["key"].astype(object), use_na_sentinel=False)
    counts = np.bincount(codes, minlength=len(keys))
    weighted = np.bincount(codes, weights["weight"].to_numpy(dtype=float), len(keys))
    for k, n, w in zip(keys.tolist(), counts.tolist(), weighted.tolist(), strict=True):
        k = None if isnull(k) else k
        rows[k]["projects"] += n
        rows[k]["projects_weighted"] += w
    for _p in projects - set(weights["project"]):
        rows[None]["projects"] += 1
        rows[None]["projects_weighted"] += 1.0
    _count_people(rows, store, f, _groups_of(store, level, scheme), mine)
    return _picture_frame(store, rows, level)


def _read_tail(store, f: Filters, scheme: str) -> None:
    """What the picture reads once it has the portfolio (the projects, organizations and
    events of the filters, where events are, the regions' countries, the published data's
    projects), read ahead beside the portfolio on a server (one after the other after it
    they took 0.2 s at 100,000 flows)."""
    read_ahead(
        store,
        *(
            lambda label=label: store.nodes(label, f)
            for label in ("Project", "Organization", "Event")
        ),
        *(lambda t=t: store.rel_pairs(t) for t in ("HELD_IN", "INVOLVES")),
        lambda: store.rel_table("IN_REGION"),
        lambda: store.region_rollup(scheme),
        lambda: external_projects(store),
    )


def _picture_frame(store, rows: dict, level: str) -> pd.DataFrame:
    out = [{level: k, **v} for k, v in sorted(rows.items(), key=lambda kv: _sort_key(kv[0]))]
    cols = [level, *_PICTURE_COLUMNS]
    if not out:
        return pd.DataFrame(columns=cols)
    table = store.node_table("Region" if level == "region" else "Country")
    names = dict(zip(table["id"], table["name"], strict=True)) if len(table) else {}
    df = pd.DataFrame(out)
    df[level] = pd.Series([r[level] for r in out], dtype=object)
    df["name"] = pd.Series(
        [names.get(k, k) if k is not None else "Unassigned" for k in df[level]], dtype=object
    )
    df["money_usd"] = df["money_usd"].round(2)
    return df[cols]


@reads_once
def regional_picture(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    scheme: str = "focus",
    flow_types=None,
    scope: str = "institute",
) -> pd.DataFrame:
    """Money, projects, partners and events per target region of ``scheme``.

    Parameters
    ----------
    store : GraphStore
    filters : Filters, optional
        Years (flow year, project overlap, event year), sector, country/region.
    scheme : str, default "focus"
        One of ``unesco``, ``m49``, ``m49_subregion``, ``focus``.
    scope : {"institute", "network"}, default "institute"
        The institute's current portfolio, or everything in the data
        (:mod:`graph.analyses.portfolio`).

    Returns
    -------
    DataFrame
        ``region`` (None = unassigned), ``name``, ``money_usd`` (known USD, split as the
        module says), ``flows``, ``flows_with_usd``, ``projects`` (each project once per
        region it reaches), ``projects_weighted`` (its split shares, summing to the number
        of projects), ``partners`` and ``events``.

    Examples
    --------
    >>> p = regional_picture(example_store(), scheme="unesco")
    >>> print(p[["region", "name", "money_usd", "projects_weighted"]].to_string())
                            region                      name  money_usd  projects_weighted
    0                unesco:africa                    Africa      150.0               1.00
    1          unesco:asia-pacific      Asia and the Pacific       75.0               1.75
    2  unesco:europe-north-america  Europe and North America       25.0               0.25
    3                         None                Unassigned      990.0               0.00
    """
    return _picture(
        store, filters, level="region", scheme=_scheme(scheme), flow_types=flow_types, scope=scope
    )


@reads_once
def country_picture(
    store: GraphStore, filters: Filters | None = None, *, flow_types=None, scope="institute"
) -> pd.DataFrame:
    """Money, projects, partners and events per target country.

    A region target counts for its countries: its part is split evenly over them (a region
    with no countries, a regional bucket, stays unassigned).

    Examples
    --------
    >>> c = country_picture(example_store())
    >>> print(c[["country", "money_usd", "projects", "partners", "events"]].to_string())
      country  money_usd  projects  partners  events
    0     CHN        0.0         1         2       0
    1     FRA        0.0         0         1       0
    2     KAZ       75.0         1         1       1
    3     KEN       75.0         1         1       1
    4     MUS       75.0         1         0       1
    5     RUS       25.0         1         1       0
    6    None      990.0         0         0       1
    """
    return _picture(
        store, filters, level="country", scheme="focus", flow_types=flow_types, scope=scope
    )


def _check_targets(store: GraphStore, targets: dict, scheme: str) -> dict:
    if not isinstance(targets, dict) or not targets:
        raise AnalysisError("targets must be a non-empty dict region id -> share (summing to 1)")
    regions = store.node_table("Region")
    known = set(regions.loc[regions["scheme"] == scheme, "id"]) if len(regions) else set()
    for k in targets:
        if k != OTHER and k not in known:
            raise UnknownEntity(
                f"target region {k!r} is not a region of the {scheme!r} scheme in the store; "
                f"use one of: {', '.join(sorted(known)) or '(none)'}, or {OTHER!r}"
            )
    return dict(targets)


@reads_once
def regional_balance(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    scheme: str = "focus",
    targets: dict | None = None,
    measure: str = "projects",
    flow_types=None,
    scope: str = "institute",
) -> Balance:
    """Actual shares per region against target shares, with a balance score.

    Parameters
    ----------
    scheme : str, default "focus"
    targets : dict or False, optional
        Region id → target share (fractions summing to 1); the key ``"other"`` stands
        for every region not named. Default :data:`DEFAULT_TARGETS` for the focus scheme
        (reasoning in :data:`TARGETS_REASONING`); for other schemes no targets (evenness
        only) unless given. ``False``: no targets, for any scheme.
    measure : {"money", "projects", "partners", "events"}, default "projects"
        What is balanced. Money counts known USD tied to projects only.
    scope : {"institute", "network"}, default "institute"
        The institute's current portfolio, or everything in the data
        (:mod:`graph.analyses.portfolio`); ``portfolio`` in the result says which.

    Returns
    -------
    dict
        ``table`` (region, name, actual, actual_share, target_share, gap), ``evenness``,
        ``distance_to_targets`` (total variation, 0 = on target), ``score``
        (``1 - distance``), ``unassigned`` (the measure's value left out) and
        ``unassigned_share``, ``measure``, ``targets``, ``reasoning``, ``splits`` (projects
        split by stated shares / evenly / single target) and ``note``.

    Raises
    ------
    EmptySelection
        Nothing of the measure is assigned to a region (e.g. every amount unknown).
    UnknownEntity
        A target names a region the scheme does not have.

    Examples
    --------
    >>> b = regional_balance(example_store(), measure="money")
    >>> print(b["table"].round(3).to_string())
                  region                             name  actual  actual_share  target_share   gap
    0       focus:africa                           Africa   150.0           0.6          0.40  0.20
    1         focus:eeca  Eastern Europe and Central Asia   100.0           0.4          0.35  0.05
    2  focus:middle-east                      Middle East     0.0           0.0          0.15 -0.15
    3              other                    other regions     0.0           0.0          0.10 -0.10
    >>> round(b["score"], 2), b["unassigned"]
    (0.75, 990.0)
    >>> b = regional_balance(example_store(), measure="money", targets=False)
    >>> b["targets"], b["score"], round(b["evenness"], 3)
    (None, None, 0.971)
    """
    scheme = _scheme(scheme)
    if measure not in MEASURES:
        raise AnalysisError(f"unknown measure {measure!r}; use one of: {', '.join(MEASURES)}")
    if targets is False:
        targets = None
    elif targets is None:
        targets = dict(DEFAULT_TARGETS) if scheme == "focus" else None
    if targets is not None:
        targets = _check_targets(store, targets, scheme)
    pic = regional_picture(store, filters, scheme=scheme, flow_types=flow_types, scope=scope)
    mine = portfolio(store, scope, filters)
    col = _MEASURE_COLUMN[measure]
    assigned = pic[pic["region"].notna()]
    unassigned = float(pic.loc[pic["region"].isna(), col].sum()) if len(pic) else 0.0
    actual: dict = {}
    names = dict(zip(pic["region"], pic["name"], strict=True))
    for rec in assigned.to_dict("records"):
        k = rec["region"]
        if targets is not None and OTHER in targets and k not in targets:
            k = OTHER
        actual[k] = actual.get(k, 0.0) + float(rec[col])
    if targets is not None:
        for k in targets:
            actual.setdefault(k, 0.0)
    if not actual or math.fsum(actual.values()) <= 0:
        raise EmptySelection(
            f"no {measure} is assigned to a region of the {scheme!r} scheme in this selection"
            + (f" ({_figure(unassigned)} unassigned)" if unassigned else "")
            + "; try another measure or scheme"
        )
    regions = store.node_table("Region")
    all_names = dict(zip(regions["id"], regions["name"], strict=True)) if len(regions) else {}
    names = {**all_names, **names, OTHER: "other regions"}
    if targets is not None:
        table = bal.target_shares_check(actual, targets)
        score = bal.balance_score(actual, targets)
    else:
        s = pd.Series(actual)
        table = pd.DataFrame(
            {
                "region": list(s.index),
                "actual": s.to_numpy(dtype=float),
                "actual_share": s.to_numpy(dtype=float) / s.sum(),
                "target_share": math.nan,
                "gap": math.nan,
            }
        )
        score = bal.balance_score(actual)
    table.insert(1, "name", [names.get(r, r) for r in table["region"]])
    w = store.project_targets(scheme=scheme)
    projects = store.nodes("Project", filters or Filters())["id"]
    projects = set(projects[mine.keep("projects", projects)])
    w = w[isin(w["project"], projects)].drop_duplicates("project")
    splits = {k: int((w["split"] == k).sum()) for k in ("shares", "even", "single")}
    total = math.fsum(actual.values()) + unassigned
    note = (
        f"{plural(splits['shares'], 'project')} split by their "
        f"stated shares, {splits['even']:,} evenly "
        f"over their targets (no shares stated), {splits['single']:,} with one target. Nested "
        "regions roll up into the region that contains them; a region of another scheme counts "
        "for its countries, split evenly over them; countries outside every region of the "
        "scheme, regional buckets with no countries and money not tied to a project are "
        f"unassigned ({_figure(unassigned)} of {_figure(total)})."
    )
    return {
        "table": table,
        "evenness": score["evenness"],
        "distance_to_targets": score["distance_to_targets"],
        "score": score["score"],
        "unassigned": unassigned,
        "unassigned_share": unassigned / total if total > 0 else math.nan,
        "measure": measure,
        "scheme": scheme,
        "targets": targets,
        "reasoning": TARGETS_REASONING if targets == DEFAULT_TARGETS else "targets as given",
        "splits": splits,
        "note": note,
        "portfolio": mine.says(),
    }
