"""What-if scenarios: donors leave, or a new donor arrives.

A leaving donor takes its known money with it. When it is a member of a pool, the pool
loses that member's even share (pool amount / members) and no longer stands for it; when
it is a pool, the whole pool goes. Projects left with no funder (no flow and no ``donor``
role from anyone who stays) are treated as stopping, so the partnership network is
recomputed without the leaving donors and without those projects. A new donor can join
in the same scenario (``add=``, see :func:`add_donor`): its amount counts in the money and
concentration after, and a project it funds keeps a funder.

Examples
--------
>>> s = donor_exit(example_store(), ["uni"])
>>> s["money_before"], s["money_after"], s["money_lost"]
(1200.0, 950.0, 250.0)
>>> s["projects_unfunded"]
[]
>>> a = add_donor(example_store(), amount=500, sector="foundation", country="KEN")
>>> round(a["concentration_before"]["high"]["hhi"]), round(a["concentration_after"]["high"]["hhi"])
(3090, 2405)
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from graph.analyses.adjacency import Adjacency, members
from graph.analyses.cliff import project_donors
from graph.analyses.concentration import concentration_of
from graph.analyses.diversity import diversity_index
from graph.analyses.funding import (
    check_org,
    coverage,
    donor_amounts,
    donor_totals,
    org_names,
    pool_members,
    require_money,
)
from graph.analyses.institute import main_recipient
from graph.analyses.network import partnership_adjacency
from graph.analyses.regional import country_regions
from graph.analyses.results import AddedDonor, ExitScenario
from graph.errors import AnalysisError, EmptySelection, UnknownEntity
from graph.schema import SECTORS
from graph.store import Filters, GraphStore, check_flow_types, isin, reads_once, side_by_side
from graph.store.totals import spread_rows

__all__ = ["donor_exit", "add_donor"]


def _factors(removed: set, totals: pd.DataFrame, members: dict) -> dict:
    """Donor id → share of its money that stays (0 for leavers, (k-r)/k for pools)."""
    f = {}
    rows = zip(totals["donor_id"].tolist(), totals["pooled"].astype(bool).tolist(), strict=True)
    for d, pooled in rows:
        if d in removed:
            f[d] = 0.0
        elif pooled and members.get(d):
            ms = members[d]
            f[d] = (len(ms) - len(set(ms) & removed)) / len(ms)
        else:
            f[d] = 1.0
    return f


def _received(store, filters, keys, *, recipient, flow_types, donors=None) -> pd.DataFrame:
    """The money received, summed by ``keys`` (with ``recipient``; of ``recipient`` only,
    if given: then the flows to it summed by the other keys), from ``donors`` if given."""
    f = filters or Filters()
    which = f if donors is None else replace(f, donors=donors)
    if recipient is None:
        return store.funding_totals(keys, which, flow_types=flow_types)
    rest = [k for k in keys if k != "recipient"]
    t = store.funding_totals(rest, replace(which, recipients=(recipient,)), flow_types=flow_types)
    t.insert(list(keys).index("recipient"), "recipient", recipient)
    return t


def _project_money(store, filters, money, *, recipient, flow_types, factors: dict) -> pd.DataFrame:
    """Each project's money before and after the exit (``project`` None: money tied to no
    project), for the losses by project and by region. Before: the money by recipient and
    project (``money``, :func:`_received`), less the recipients' own funds. After: less
    what the donors whose factor is below 1 take (those that leave, the pools they leave),
    whose flows only are read by donor (:attr:`Filters.donors`). Projects in order of
    first appearance."""
    receivers = [recipient] if recipient is not None else money["recipient"].dropna().unique()
    leaving = [d for d, x in factors.items() if x != 1.0]
    by_donor = _received(  # one read
        store,
        filters,
        ("donor", "recipient", "project"),
        recipient=recipient,
        flow_types=flow_types,
        donors=[*receivers, *leaving],
    )
    is_own = (by_donor["donor"] == by_donor["recipient"]).to_numpy()
    own, taken = by_donor[is_own], by_donor[~is_own & isin(by_donor["donor"], leaving)]
    share = 1.0 - taken["donor"].map(factors).fillna(1.0).astype(float).to_numpy()
    keys = pd.concat([money["project"], own["project"], taken["project"]], ignore_index=True)
    codes, projects = pd.factorize(keys.astype(object), use_na_sentinel=False)
    n, parts = len(projects), np.cumsum([0, len(money), len(own)])
    before = np.bincount(codes[: parts[1]], _usd(money), n)
    before -= np.bincount(codes[parts[1] : parts[2]], _usd(own), n)
    lost = np.bincount(codes[parts[2] :], _usd(taken) * share, n)
    return pd.DataFrame(
        {
            "project": pd.Series(_nones(projects), dtype=object),
            "before": before,
            "after": before - lost,
        }
    )


def _nones(values) -> np.ndarray:
    """``values`` as objects, each missing one (NaN, None, NA) as None.

    >>> _nones(pd.Index(["p", np.nan])).tolist()
    ['p', None]
    """
    out = np.array(values, dtype=object)
    out[pd.isna(out)] = None
    return out


def _usd(t: pd.DataFrame) -> np.ndarray:
    return t["amount_usd"].astype(float).to_numpy()


def _project_losses(per: pd.DataFrame, titles: dict) -> pd.DataFrame:
    """:func:`_loss_table` by project (money tied to no project left out)."""
    named = per[per["project"].notna().to_numpy()]
    if named.empty:
        return pd.DataFrame(columns=["project", "name", "before", "after", "lost"])
    # one row per project already: no grouping
    return _loss_table(named["project"], named["before"], named["after"], "project", titles, True)


def _region_losses(per: pd.DataFrame, names: dict, targets: pd.DataFrame):
    """:func:`_loss_table` by target region: each project's money before and after
    (:func:`_project_money`) spread over its target regions (``targets``; a project's tens
    of donors are not spread one by one)."""
    key = "target_region"
    if per.empty:
        return pd.DataFrame(columns=[key, "name", "before", "after", "lost"])
    weights = per.assign(amount_usd=1.0)  # spread: each row's weight (1 where none)
    spread = spread_rows(weights, "project", key, targets)
    weight = spread["amount_usd"].to_numpy(float)
    before, after = spread["before"].to_numpy(float), spread["after"].to_numpy(float)
    return _loss_table(spread[key], before * weight, after * weight, key, names)


def _loss_table(
    keys_of, before, after, key: str, names: dict, distinct: bool = False
) -> pd.DataFrame:
    """Per distinct value of ``keys_of`` (None too): ``before`` and ``after`` summed, the
    loss, and the name a person reads (``names``, the key itself where it has none);
    largest loss first. ``distinct``: no two rows share a key (nothing to group)."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if distinct:
        keys = pd.Series(keys_of).to_numpy(dtype=object)
        codes = np.arange(len(keys))
    else:  # one group per region or project (None too), in order of first appearance
        codes, keys = pd.factorize(pd.Series(keys_of).astype(object), use_na_sentinel=False)
    df = pd.DataFrame(
        {
            "before": np.bincount(codes, before, len(keys)),
            "after": np.bincount(codes, after, len(keys)),
        }
    )
    keys = _nones(keys)
    missing = pd.isna(keys)
    df.insert(0, key, pd.Series(keys, dtype=object))
    df["lost"] = df["before"] - df["after"]
    named = [names.get(k, k) for k in keys.tolist()]  # 50,000 titles: dict lookups
    df.insert(1, "name", np.where(missing, "Unassigned", np.array(named, dtype=object)).tolist())
    df = df.sort_values(["lost", "before"], ascending=[False, False], kind="stable")
    return df.reset_index(drop=True)


@reads_once
def donor_exit(
    store: GraphStore,
    donors,
    filters: Filters | None = None,
    *,
    scheme: str = "focus",
    recipient: str | None = None,
    institute: str | None = None,
    flow_types=None,
    add: dict | None = None,
) -> ExitScenario:
    """Remove one or more donors (and optionally add a new one) and report what changes.

    Parameters
    ----------
    donors : str or list of str
        Organization ids of the leaving donors (may be empty when ``add`` is given).
    scheme : str, default "focus"
        Region scheme for the money lost per target region.
    recipient : str, optional
        Only funding of this organization.
    institute : str, optional
        The organization whose partners are checked for losing their link (default: the
        one receiving the most flows, see :func:`main_recipient`).
    add : dict, optional
        A new donor joining in the same scenario: the keyword arguments of
        :func:`add_donor` (``amount``, ``sector``, ``country``, ``name``, ``scheme`` for
        the donor-region diversity) and ``project``, a project id it funds (that project
        then keeps a funder).

    Returns
    -------
    dict
        ``removed``, ``removed_names``, ``money_before`` / ``money_after`` (known USD;
        after includes a new donor's amount), ``money_lost`` (what the leaving donors
        take), ``money_added``, ``lost_from_pools`` (part of the loss that is an even share
        of a pool), ``concentration_before`` / ``concentration_after`` (see
        :func:`graph.analyses.concentration.concentration_of`; ``after`` is None when no
        known money is left), ``lost_by_region`` (``target_region``, ``name``, before,
        after, lost; money not tied to a project or to a region of ``scheme`` is the
        ``None`` row, named "Unassigned") and ``lost_by_project`` (``project``, ``name``
        = its title, before, after, lost), ``projects_unfunded`` (ids) and ``unfunded``
        (DataFrame ``project``, ``title``, ``donors``: the names of the funders it
        loses), ``partners_cut_off`` (ids of organizations no longer connected to the
        institute), ``components_before`` / ``components_after`` (connected parts of the
        partnership graph), ``new_brokers`` (organizations that become cut vertices),
        ``added`` (None, or the new donor with its sector and region diversity before and
        after, as in :func:`add_donor`), ``flow_types`` and ``note``.

    Raises
    ------
    UnknownEntity
        A donor id is not an organization of the store.
    AnalysisError
        A donor has no funding flow in the selection, no donor is named or added, or the
        new donor is not valid (see :func:`add_donor`).

    Examples
    --------
    >>> s = donor_exit(example_store(), "firm")
    >>> s["projects_unfunded"], s["partners_cut_off"], s["money_lost"]
    ([], [], 200.0)
    >>> s["lost_by_project"][["project", "before", "after", "lost"]]
      project  before  after   lost
    0      p2   100.0    0.0  100.0
    1      p1   150.0  150.0    0.0
    >>> both = donor_exit(example_store(), ["uni", "fdn"],
    ...                   add={"amount": 300, "sector": "ngo", "country": "KEN", "project": "p1"})
    >>> both["money_lost"], both["money_added"], both["money_after"], both["projects_unfunded"]
    (250.0, 300.0, 1250.0, [])
    >>> both["added"]["region"], round(both["added"]["sector_after"]["effective_number"], 2)
    (['unesco:africa'], 3.51)
    """
    removed = [donors] if isinstance(donors, str) else list(donors or [])
    if not removed and not add:
        raise AnalysisError("name at least one donor to remove, or a donor to add")
    for d in removed:
        check_org(store, d, what="donor")
    removed_set = set(removed)
    new = _new_donor(store, **_add_options(add)) if add else None
    # the reads that need nothing of the others, side by side on a server
    totals, money, pairs, graph, targets = side_by_side(
        store,
        lambda: donor_totals(store, filters, recipient=recipient, flow_types=flow_types),
        lambda: _received(
            store, filters, ("recipient", "project"), recipient=recipient, flow_types=flow_types
        ),
        lambda: project_donors(store, filters, flow_types=flow_types, sort=False),
        lambda: partnership_adjacency(store),
        lambda: store.project_targets(scheme=scheme),
    )
    if not int(totals["flows"].sum()):  # the selection's donor flows, own funds left out
        raise EmptySelection("no donor flows in the selection; widen the years or drop a filter")
    members = pool_members(store)
    givers = set(totals["donor_id"]) | {m for p in totals["donor_id"] for m in members.get(p, [])}
    for d in removed:
        if d not in givers:
            raise AnalysisError(
                f"{d!r} has no funding flow in this selection; it is not a donor here"
            )
    factors = _factors(removed_set, totals, members)
    money_before = math.fsum(totals["amount_usd"])
    kept = {
        d: a * factors[d] for d, a in zip(totals["donor_id"], totals["amount_usd"], strict=True)
    }
    money_kept = math.fsum(kept.values())
    money_added = new["amount"] if new else 0.0
    pooled = totals.set_index("donor_id")["pooled"].to_dict()
    lost_from_pools = math.fsum(
        a * (1 - factors[d])
        for d, a in zip(totals["donor_id"], totals["amount_usd"], strict=True)
        if pooled[d] and d not in removed_set
    )

    known_before, pools_before = donor_amounts(store, totals=totals)
    before = concentration_of(known_before, pools_before) if money_before > 0 else None
    after_totals = totals.assign(amount_usd=[kept[d] for d in totals["donor_id"]])
    known, pools = donor_amounts(store, totals=after_totals)
    pools = [(a, [m for m in ms if m not in removed_set] or ms) for a, ms in pools]
    if new:
        known = {**known, _NEW: new["amount"]}
    try:
        after = concentration_of(known, pools) if money_kept + money_added > 0 else None
    except EmptySelection:
        after = None
    added = None
    if new:
        added = _diversity_change(store, new, known_before, known)
        if after is not None:
            after["allocations"] = _named_new(after["allocations"], new["name"])

    region_names = _names(store, "Region", "name")
    project_titles = _names(store, "Project", "title")
    per_project = _project_money(
        store, filters, money, recipient=recipient, flow_types=flow_types, factors=factors
    )
    lost_by_region = _region_losses(per_project, region_names, targets)
    lost_by_project = _project_losses(per_project, project_titles)

    names = org_names(store)

    def name_of(d):
        return names.at[d, "name"] if d in names.index else d

    unfunded, unfunded_table = _unfunded(
        store,
        filters,
        pairs,
        removed_set,
        new["project"] if new else None,
        project_titles,
        name_of,
    )
    inst = institute or recipient or main_recipient(store)
    gone = [f"Organization:{d}" for d in removed] + [f"Project:{p}" for p in unfunded]
    keep = graph.mask_without(gone)
    start = graph.position(f"Organization:{inst}") if inst is not None else None
    parts_before, comp_before = graph.components()
    parts_after, comp_after = graph.components(keep)
    cut_off = sorted(
        _reach(graph, comp_before, start) - _reach(graph, comp_after, start) - removed_set
    )
    new_brokers = sorted(_new_brokers(store, graph, keep))
    return {
        "removed": removed,
        "removed_names": [name_of(d) for d in removed],
        "money_before": money_before,
        "money_after": money_kept + money_added,
        "money_lost": money_before - money_kept,
        "money_added": money_added,
        "lost_from_pools": lost_from_pools,
        "concentration_before": before,
        "concentration_after": after,
        "lost_by_region": lost_by_region,
        "lost_by_project": lost_by_project,
        "projects_unfunded": unfunded,
        "unfunded": unfunded_table,
        "partners_cut_off": cut_off,
        "institute": inst,
        "components_before": parts_before,
        "components_after": parts_after,
        "new_brokers": new_brokers,
        "added": added,
        "flow_types": check_flow_types(flow_types),
        "note": (
            "Known USD only; a leaving pool member takes its even share of the pool. Projects "
            "with no remaining funder are treated as stopping."
            + (
                " The new donor's amount counts in the money and concentration after."
                if new
                else ""
            )
        ),
    }


def _unfunded(store, filters, pairs, removed: set, keeps_funder, titles: dict, name_of):
    """Projects whose every funder leaves (but the one a new donor funds): their ids, and a
    table of project, title and the funders it loses, from ``pairs`` (each project's
    donors, :func:`~graph.analyses.cliff.project_donors`). Each pair's project is marked by
    its code, as touched by a leaver or kept by a stayer: no set of projects is built per
    pair (the largest donor at a million flows touches 47,000 projects)."""
    project = pairs["project"].array
    leaving = isin(pairs["donor"], removed)
    touched = np.zeros(len(project.categories) + 1, dtype=bool)  # the last: no project
    touched[project.codes[leaving]] = True
    touched[project.codes[~leaving]] = False  # a stayer still funds it
    gone = set(np.asarray(project.categories, dtype=object)[touched[:-1]].tolist())
    gone.discard(keeps_funder)
    if gone:
        gone &= set(store.nodes("Project", filters or Filters())["id"].tolist())
    gone = sorted(gone)
    lost = pairs[isin(project, gone)].drop_duplicates()
    funders = lost.groupby("project", observed=True)["donor"].agg(
        lambda ds: sorted(name_of(d) for d in ds)
    )
    table = pd.DataFrame(
        [{"project": p, "title": titles.get(p, p), "donors": ", ".join(funders[p])} for p in gone],
        columns=["project", "title", "donors"],
    )
    return gone, table


def _reach(graph: Adjacency, comp, start: int | None) -> set:
    """Organizations connected to node ``start`` (the institute) in the partnership graph
    whose components are ``comp`` (see :meth:`Adjacency.components`)."""
    if start is None:
        return set()
    at = members(comp, start)
    return set(graph.ids[at[graph.labels[at] == "Organization"]].tolist())


def _new_brokers(store: GraphStore, graph: Adjacency, keep) -> set:
    """Organizations that become cut vertices once the nodes not in ``keep`` are gone.
    A new cut vertex lies in a biconnected block that held a removed node, so in a part
    of what is left that holds a neighbour of one: only those parts are searched."""
    before = store.memo("partnership_cut_vertices", graph.articulation_points)
    removed = np.flatnonzero(~keep)
    touched = graph.matrix[removed].indices if len(removed) else np.array([], dtype=np.int64)
    near = np.unique(touched[keep[touched]])
    after = graph.articulation_points(keep, within=near) if len(near) else set()
    new = np.array(sorted(after - before), dtype=np.int64)
    return set(graph.ids[new[graph.labels[new] == "Organization"]].tolist())


#: Key of the hypothetical new donor in the allocations, until it is given its name.
_NEW = "\0new"


def _names(store: GraphStore, label: str, column: str) -> dict:
    """Node id → ``column`` (falling back to the id) of the nodes of ``label`` (kept per
    load where the store can; callers only read it)."""
    return store.memo(("names", label, column), lambda: _named(store.node_table(label), column))


def _named(table: pd.DataFrame, column: str) -> dict:
    if table.empty:
        return {}
    values = table[column] if column in table.columns else table["id"]
    ids, values = table["id"].tolist(), values.tolist()  # not one Arrow value at a time
    return {i: (v if isinstance(v, str) and v else i) for i, v in zip(ids, values, strict=True)}


def _add_options(add: dict) -> dict:
    """The keyword arguments of :func:`_new_donor` from a scenario's ``add`` dict."""
    known = {"amount", "sector", "country", "name", "scheme", "project"}
    unknown = sorted(set(add) - known)
    if unknown:
        raise AnalysisError(
            f"a new donor is described by {', '.join(sorted(known))}; not by {', '.join(unknown)}"
        )
    return dict(add)


def _new_donor(
    store: GraphStore,
    *,
    amount,
    sector: str,
    country: str | None = None,
    name: str = "New donor",
    scheme: str = "unesco",
    project: str | None = None,
) -> dict:
    """A hypothetical donor, checked: amount (USD > 0), sector, country, regions, project."""
    try:
        value = float(amount)
    except (TypeError, ValueError) as e:
        raise AnalysisError(f"amount must be a number of USD > 0, not {amount!r}") from e
    if not value > 0 or math.isinf(value):
        raise AnalysisError(f"amount must be a number of USD > 0, not {amount!r}")
    if sector not in SECTORS or sector == "pool":
        raise AnalysisError(
            f"unknown sector {sector!r}; use one of: {', '.join(s for s in SECTORS if s != 'pool')}"
        )
    if country is not None:
        countries = set(store.node_table("Country")["id"].tolist())
        if country not in countries:
            raise UnknownEntity(f"no country {country!r} in the store; use an ISO3 code it holds")
    if project is not None and project not in set(store.node_table("Project")["id"].tolist()):
        raise UnknownEntity(f"no project {project!r} in the store")
    c2r = country_regions(store, scheme)
    return {
        "name": name,
        "amount": value,
        "sector": sector,
        "country": country,
        "region": c2r.get(country, []) if country else [],
        "project": project,
        "scheme": scheme,
        "c2r": c2r,
    }


def _named_new(allocations: dict, name: str) -> dict:
    return {
        k: {(name if d == _NEW else d): v for d, v in a.items()} for k, a in allocations.items()
    }


def _diversity_change(store: GraphStore, new: dict, before: dict, after: dict):
    """The new donor and the diversity of money by donor sector and region, before and after
    (``before``, ``after``: donor → known direct amount). Pooled money is left out, as in
    :func:`graph.analyses.diversity.donor_diversity`: no document gives the members' shares."""
    names = org_names(store)
    c2r = new["c2r"]

    def sector_of(d):
        if d == _NEW:
            return [(new["sector"], 1.0)]
        return [(names.at[d, "sector"] if d in names.index else None, 1.0)]

    def region_of(d):
        regs = new["region"] if d == _NEW else None
        if regs is None:
            c = names.at[d, "country"] if d in names.index else None
            regs = c2r.get(c, []) if isinstance(c, str) else []
        return [(g, 1.0 / len(regs)) for g in regs] or [(None, 1.0)]

    def by(amounts, group_of):
        acc: dict = {}
        for d, v in amounts.items():
            for g, w in group_of(d):
                if g is not None:  # a group no document states is no group
                    acc[str(g)] = acc.get(str(g), 0.0) + v * w
        return diversity_index(acc)

    out = {k: v for k, v in new.items() if k not in ("c2r",)}
    out.update(
        sector_before=by(before, sector_of),
        sector_after=by(after, sector_of),
        region_before=by(before, region_of),
        region_after=by(after, region_of),
    )
    return out


def add_donor(
    store: GraphStore,
    *,
    amount: float,
    sector: str,
    country: str | None = None,
    name: str = "New donor",
    filters: Filters | None = None,
    recipient: str | None = None,
    scheme: str = "unesco",
    flow_types=None,
) -> AddedDonor:
    """Add a hypothetical donor with a yearly ``amount`` (USD), ``sector`` and ``country``.

    Returns
    -------
    dict
        ``concentration_before`` / ``concentration_after``, ``sector_before`` /
        ``sector_after`` and ``region_before`` / ``region_after`` (diversity indices of
        money by donor sector and by donor region of ``scheme``), ``region`` (where the new
        donor counts) and ``name``.

    Raises
    ------
    AnalysisError
        ``amount`` is not a positive number, or ``sector`` is not one of the schema's.
    UnknownEntity
        ``country`` is not a country of the store.

    Examples
    --------
    >>> a = add_donor(example_store(), amount=300, sector="ngo", country="KEN")
    >>> a["region"], round(a["sector_after"]["effective_number"], 2)
    (['unesco:africa'], 4.35)
    """
    new = _new_donor(store, amount=amount, sector=sector, country=country, name=name, scheme=scheme)
    cov = coverage(store, filters, recipient=recipient, flow_types=flow_types)
    require_money(cov)
    totals = donor_totals(store, filters, recipient=recipient, flow_types=flow_types)
    known, pools = donor_amounts(store, totals=totals)
    before = concentration_of(known, pools)
    after = concentration_of({**known, _NEW: new["amount"]}, pools)
    change = _diversity_change(store, new, known, {**known, _NEW: new["amount"]})
    after["allocations"] = _named_new(after["allocations"], name)
    return {
        "name": name,
        "amount": new["amount"],
        "sector": sector,
        "country": country,
        "region": new["region"],
        "concentration_before": before,
        "concentration_after": after,
        "sector_before": change["sector_before"],
        "sector_after": change["sector_after"],
        "region_before": change["region_before"],
        "region_after": change["region_after"],
        "flow_types": cov["flow_types"],
    }
