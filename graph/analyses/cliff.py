"""The funding cliff: what ends when.

An agreement is a project; it ends on 31 December of its ``end_year`` (the documents give
years, not days, so this is the latest date the year allows, and the results say so).
A project's committed funding is the known USD of the flows tied to it (summed in the
store) and its stated budget; its donors are the organizations with a flow tied to it or
a ``donor`` role in it. Completed projects are left out of what is still to end. By
default the cliff counts the institute's current projects
(:mod:`graph.analyses.portfolio`); ``scope="network"`` counts every project in the data.

Examples
--------
>>> print(funding_cliff(example_store()).to_string())
  end_year  projects  funding_usd  budget_usd  flows  flows_with_usd  donors project_ids
0     2025         1        150.0         NaN      2               1       2          p1
1     2026         1        100.0       600.0      2               1       2          p2
2     2027         1          NaN         NaN      0               0       0          p3
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from graph.analyses.dates import DEFAULT_AS_OF, DEFAULT_AS_OF_REASON, as_date, months_after
from graph.analyses.funding import org_names
from graph.analyses.portfolio import portfolio
from graph.store import (
    Filters,
    GraphStore,
    categorical,
    check_flow_types,
    isin,
    reads_once,
    side_by_side,
    sorted_factorize,
    stacked,
)

__all__ = [
    "DEFAULT_AS_OF",
    "DEFAULT_AS_OF_REASON",
    "CliffPeak",
    "cliff_peak",
    "project_funding",
    "project_donors",
    "funding_cliff",
    "ending_within",
    "donors_ending",
    "months_after",
    "as_date",
]


@dataclass(frozen=True)
class CliffPeak:
    """The end year in which the most running projects end.

    Attributes
    ----------
    end_year : int
        The year (the earliest, when two years tie).
    projects : int
        Projects whose agreement ends that year.
    donors : int
        Distinct donors behind them.
    running : int
        Projects in the cliff table.
    undated : int
        Projects that state no end year.
    """

    end_year: int
    projects: int
    donors: int
    running: int
    undated: int


def cliff_peak(cliff: pd.DataFrame) -> CliffPeak | None:
    """The peak of a :func:`funding_cliff` table, or None when no project states an end year.

    >>> t = pd.DataFrame({"end_year": [2025, 2026, None], "projects": [3, 3, 1],
    ...                   "donors": [2, 1, 0]})
    >>> cliff_peak(t)
    CliffPeak(end_year=2025, projects=3, donors=2, running=7, undated=1)
    """
    dated = cliff[cliff["end_year"].notna()]
    if not len(dated):
        return None
    peak = dated.sort_values(["projects", "end_year"], ascending=[False, True]).iloc[0]
    return CliffPeak(
        end_year=int(peak["end_year"]),
        projects=int(peak["projects"]),
        donors=int(peak["donors"]),
        running=int(cliff["projects"].sum()),
        undated=int(cliff.loc[cliff["end_year"].isna(), "projects"].sum()),
    )


def project_funding(
    store: GraphStore, filters: Filters | None = None, *, flow_types=None, scope="institute"
) -> pd.DataFrame:
    """Every project with its end, status, committed funding and donors.

    ``scope`` (:data:`graph.analyses.portfolio.SCOPES`): the institute's current projects
    (default) or every project of the wider network (``"network"``).

    Returns
    -------
    DataFrame
        ``project_id``, ``title``, ``status``, ``start_year``, ``end_year`` (None if not
        stated), ``end_date`` (31 December of ``end_year``), ``funding_usd`` (known USD of
        flows tied to it; NaN when no flow states one), ``budget_usd``, ``flows``, ``flows_with_usd`` and ``donors``
        (sorted ids).

    Examples
    --------
    >>> project_funding(example_store())[["project_id", "end_year", "funding_usd", "donors"]]
      project_id end_year  funding_usd       donors
    0         p1     2025        150.0   [fdn, uni]
    1         p2     2026        100.0  [fdn, firm]
    2         p3     2027          NaN           []
    """
    f = filters or Filters()
    types = check_flow_types(flow_types)

    def build():
        mine, _ = side_by_side(  # on a server, the reads of _project_funding beside it
            store,
            lambda: portfolio(store, scope, f),
            # the sums after the pairs: a server adds them up in the pairs' pass and keeps them
            lambda: (
                store.funding_links("project", "donor", f, flow_types=types),
                store.funding_totals(("project",), f, flow_types=types),
            ),
        )
        return _project_funding(store, f, types, mine)

    key = ("project_funding", f, types, scope)  # kept per load: nothing read ahead again
    return store.memo(key, build).copy()


def _projects_of(store: GraphStore, f: Filters, mine) -> pd.DataFrame:
    """The projects that pass ``f`` and that the portfolio ``mine`` counts."""
    projects = store.nodes("Project", f)
    if len(projects):
        projects = projects[mine.keep("projects", projects["id"])].reset_index(drop=True)
    return projects


def _project_funding(store: GraphStore, f: Filters, flow_types, mine) -> pd.DataFrame:
    projects = _projects_of(store, f, mine)
    ids = projects["id"] if len(projects) else pd.Series([], dtype=object)
    pairs = project_donors(store, f, flow_types=flow_types, projects=ids)
    donors = _sorted_lists(pairs["project"], pairs["donor"])
    sums = store.funding_totals(("project",), f, flow_types=flow_types)
    grouped = sums[sums["project"].notna()].set_index("project")[
        ["amount_usd", "flows", "usd_known"]
    ]
    n = len(ids)

    def column(name):
        return projects[name] if name in projects else pd.Series([None] * n, dtype=object)

    end = _whole_years(column("end_year"))
    funded = grouped.reindex(ids.to_numpy())
    df = pd.DataFrame(
        {
            "project_id": ids.to_numpy(dtype=object),
            "title": column("title").to_numpy(dtype=object),
            "status": column("status").to_numpy(dtype=object),
            "start_year": _whole_years(column("start_year")),
            "end_year": end,
            "end_date": _year_ends(end),
            "funding_usd": funded["amount_usd"]
            .where(funded["usd_known"].fillna(0) > 0)
            .astype(float)
            .to_numpy(),
            "budget_usd": pd.to_numeric(column("budget_usd"), errors="coerce")
            .astype(float)
            .to_numpy(),
            "flows": funded["flows"].fillna(0).astype(int).to_numpy(),
            "flows_with_usd": funded["usd_known"].fillna(0).astype(int).to_numpy(),
            "donors": _lists(donors.reindex(ids.to_numpy())),
        }
    )
    for c in ("title", "status"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def project_donors(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    flow_types=None,
    projects=None,
    donors=None,
    sort: bool = True,
) -> pd.DataFrame:
    """``project``, ``donor``: each project's funders, from its funding flows and from
    the partners whose role in it is donor (a pair may appear more than once), as
    categoricals; with ``projects`` or ``donors`` (ids), the pairs of those only.
    ``sort``: the donors' categories in id order, so their codes rank the ids (else in no
    set order). The projects' categories are in no set order either way: sorting the
    ids of 50,000 projects took 35 ms at a million flows, and no caller ranks them.

    >>> project_donors(example_store()).drop_duplicates().sort_values(["project", "donor"]).values.tolist()
    [['p1', 'fdn'], ['p1', 'uni'], ['p2', 'fdn'], ['p2', 'firm']]
    >>> sorted(project_donors(example_store(), projects=["p2"]).drop_duplicates().values.tolist())
    [['p2', 'fdn'], ['p2', 'firm']]
    >>> project_donors(example_store(), donors={"uni"}).drop_duplicates().values.tolist()
    [['p1', 'uni']]
    """
    flows = store.funding_links("project", "donor", filters, flow_types=flow_types)
    flows = flows[flows["project"].notna().to_numpy()]
    funders = store.partners_in_role("donor")
    # kept before the pairs are united and sorted: fewer of them
    for wanted, of_flows, of_funders in (
        (projects, "project", "project"),
        (donors, "donor", "org"),
    ):
        if wanted is not None:
            # a set: each column below matched against it without hashing the ids again
            wanted = wanted if isinstance(wanted, frozenset) else frozenset(_ids(wanted))
            flows = flows[isin(flows[of_flows], wanted)]
            funders = funders[isin(funders[of_funders], wanted)]
    return pd.DataFrame(
        {
            "project": stacked([flows["project"], funders["project"]]),
            "donor": stacked([flows["donor"], funders["org"]], sort=sort),
        }
    )


def _known_sum(values) -> float:
    """The sum of the known values (a Series or array), NaN when none is known (unknown,
    never 0).

    >>> _known_sum(pd.Series([1.0, None])), _known_sum(np.array([np.nan]))
    (1.0, nan)
    """
    numbers = np.asarray(values, dtype=float)
    known = numbers[~np.isnan(numbers)]
    return math.fsum(known) if len(known) else math.nan


def _year_ends(years: np.ndarray) -> np.ndarray:
    """31 December of each year (Python ints, or None: None), an object array; one date
    made per distinct year, not per project.

    >>> _year_ends(np.array([2025, None, 2025], dtype=object)).tolist()
    [datetime.date(2025, 12, 31), None, datetime.date(2025, 12, 31)]
    """
    values = years.tolist()
    ends = {y: dt.date(y, 12, 31) for y in set(values) if y is not None}
    out = np.empty(len(values), dtype=object)
    out[:] = [ends.get(y) for y in values]
    return out


def _whole_years(values: pd.Series) -> np.ndarray:
    """Years as Python ints, None where there is none (an object array)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    out = np.full(len(numbers), None, dtype=object)
    known = ~np.isnan(numbers)
    out[known] = numbers[known].astype(np.int64).astype(object)
    return out


def _sorted_lists(keys: pd.Series, values: pd.Series) -> pd.Series:
    """The distinct ``values`` of each key, sorted, indexed by key in no set order (the
    pairs are numbered as integers: the keys by their codes, the values by one sort of
    the distinct values, not of every pair).

    >>> lists = _sorted_lists(pd.Series(["p2", "p1", "p2", "p2"]), pd.Series(["b", "x", "a", "b"]))
    >>> lists.sort_index().to_dict()
    {'p1': ['x'], 'p2': ['a', 'b']}
    """
    if not len(keys):
        return pd.Series([], dtype=object)
    kc, ku = _numbered(keys)
    vc, vu = _ranked(values)
    pairs = np.sort(pd.unique(kc.astype(np.int64) * len(vu) + vc))
    k, flat = pairs // len(vu), vu[pairs % len(vu)].tolist()
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    ends = np.r_[starts[1:], len(k)].tolist()
    lists = [flat[a:b] for a, b in zip(starts.tolist(), ends, strict=True)]
    return pd.Series(lists, index=ku[k[starts]])


def _numbered(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``values`` (none missing) in no set order, and the value of each code (an
    object array): a categorical's own codes, else those :func:`~graph.store.categorical`
    gives.

    >>> codes, values = _numbered(pd.Series(["b", "a", "b"]))
    >>> codes.tolist(), values.tolist()
    ([0, 1, 0], ['b', 'a'])
    """
    numbered = categorical(values)
    return np.asarray(numbered.codes), np.asarray(numbered.categories, dtype=object)


def _ids(values) -> list:
    """``values`` (a Series, an index, an array or any collection) as a list.

    >>> _ids(pd.Series(["p1", "p2"])), _ids({"p1"})
    (['p1', 'p2'], ['p1'])
    """
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _ranked(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes that sort as ``values`` do, and the values in that order (an object array):
    a categorical whose categories are in order (:func:`~graph.store.stacked` with
    ``sort``) gives its own codes, without sorting a value again.

    >>> codes, values = _ranked(pd.Series(["b", "a", "b"]))
    >>> codes.tolist(), values.tolist()
    ([1, 0, 1], ['a', 'b'])
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and not values.isna().any():
        categories = values.cat.categories
        if categories.is_monotonic_increasing and categories.is_unique:
            return values.cat.codes.to_numpy(), np.asarray(categories, dtype=object)
    return sorted_factorize(values.to_numpy(dtype=object))


def _lists(values: pd.Series) -> np.ndarray:
    """Each value a list (an empty one where there is none), as an object array."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values.to_numpy(dtype=object)):
        out[i] = v if isinstance(v, list) else []
    return out


@reads_once
def funding_cliff(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    flow_types=None,
    include_completed=False,
    scope="institute",
) -> pd.DataFrame:
    """Committed funding and number of projects by agreement end year.

    Parameters
    ----------
    include_completed : bool, default False
        Also count projects whose status is ``completed``.
    scope : {"institute", "network"}, default "institute"
        The institute's current projects, or every project in the data
        (:mod:`graph.analyses.portfolio`).

    Returns
    -------
    DataFrame
        ``end_year`` (None = not stated, last), ``projects``, ``funding_usd``,
        ``budget_usd`` (the known sums; NaN where none is stated), ``flows``, ``flows_with_usd``,
        ``donors`` (distinct) and ``project_ids``.
    """
    pf = project_funding(store, filters, flow_types=flow_types, scope=scope)
    if not include_completed:
        pf = pf[pf["status"] != "completed"]
    year = pd.to_numeric(pf["end_year"], errors="coerce").astype(float)
    groups = pf.assign(_year=year.to_numpy()).groupby("_year", dropna=False, sort=True)
    rows = []
    for y, part in groups:  # one group per end year: a few dozen, whatever the portfolio
        rows.append(
            {
                "end_year": None if math.isnan(y) else int(y),
                "projects": len(part),
                "funding_usd": _known_sum(part["funding_usd"]),
                "budget_usd": _known_sum(part["budget_usd"]),
                "flows": int(part["flows"].sum()),
                "flows_with_usd": int(part["flows_with_usd"].sum()),
                "donors": int(part["donors"].explode().dropna().nunique()),
                "project_ids": ", ".join(sorted(part["project_id"])),
            }
        )
    df = pd.DataFrame(
        rows,
        columns=["end_year", "projects", "funding_usd", "budget_usd", "flows", "flows_with_usd"]
        + ["donors", "project_ids"],
    )
    df["end_year"] = pd.Series([r["end_year"] for r in rows], dtype=object)
    return df


@reads_once
def ending_within(
    store: GraphStore,
    *,
    as_of,
    months: int = 12,
    until=None,
    filters: Filters | None = None,
    flow_types=None,
    scope="institute",
) -> pd.DataFrame:
    """Projects whose agreement ends within ``months`` of ``as_of`` (both ends included).

    ``until`` (a date) replaces ``months`` as the end of the window.

    Parameters
    ----------
    as_of : date or "YYYY-MM-DD"
    months : int, default 12
        Whole months, >= 0.

    Returns
    -------
    DataFrame
        The rows of :func:`project_funding` that end in the window (completed projects
        left out), soonest first.

    Examples
    --------
    >>> ending_within(example_store(), as_of="2025-01-01", months=12)[["project_id", "end_date"]]
      project_id    end_date
    0         p1  2025-12-31
    """
    start = as_date(as_of)
    end = as_date(until) if until is not None else months_after(start, months)
    pf = project_funding(store, filters, flow_types=flow_types, scope=scope)
    keep = pf["end_date"].map(lambda d: d is not None and start <= d <= end) & (
        pf["status"] != "completed"
    )
    return pf[keep].sort_values(["end_date", "project_id"]).reset_index(drop=True)


@reads_once
def donors_ending(
    store: GraphStore,
    *,
    by,
    since=None,
    filters: Filters | None = None,
    flow_types=None,
    scope="institute",
) -> pd.DataFrame:
    """Donors whose every agreement (project they fund) ends on or before ``by``.

    Donors with a project of unknown end are not counted as ending; donors with any flow
    not tied to a project (core contributions, which have no agreement end) are left out.
    With ``since`` (a date), only donors with an agreement ending on or after it (still
    running then) are listed.

    Returns
    -------
    DataFrame
        ``donor_id``, ``donor``, ``projects`` (ids), ``last_end`` (latest end date) and
        ``funding_usd`` (known USD tied to those projects; NaN when none is known).

    Examples
    --------
    >>> donors_ending(example_store(), by="2025-12-31")[["donor_id", "projects", "last_end"]]
      donor_id projects    last_end
    0      uni     [p1]  2025-12-31
    """
    cutoff, first = as_date(by), (as_date(since) if since is not None else None)
    f = filters or Filters()
    mine, flows = side_by_side(  # on a server, each project's donors read beside the portfolio
        store,
        lambda: portfolio(store, scope, f),
        lambda: store.funding_links("project", "donor", f, flow_types=flow_types),
    )
    projects = _projects_of(store, f, mine)
    ids = projects["id"] if len(projects) else pd.Series([], dtype=object)
    ends = _whole_years(projects["end_year"]) if "end_year" in projects else [None] * len(ids)
    end = pd.to_numeric(pd.Series(ends, dtype=object), errors="coerce").to_numpy(float)
    # each project's funders, as codes: a donor ends when every project of the portfolio
    # it funds has an end year, the latest on or before ``by``
    pairs = project_donors(store, f, flow_types=flow_types, projects=ids)
    at = pd.Index(ids.to_numpy(dtype=object)).get_indexer(pairs["project"].cat.categories)
    at = at[pairs["project"].cat.codes.to_numpy()]
    inside = at >= 0
    donors = pairs["donor"].cat.categories  # in id order (project_donors sorts them)
    code = pairs["donor"].cat.codes.to_numpy()[inside]
    year = end[at[inside]]
    n = len(donors)
    funds = np.bincount(code, minlength=n) > 0
    unknown = np.bincount(code, np.isnan(year), n) > 0
    last = pd.Series(year).groupby(code).max().reindex(range(n)).to_numpy(float)
    # a donor of core money (a flow tied to no project) has no agreement end
    core = isin(pd.Series(donors), flows.loc[flows["project"].isna().to_numpy(), "donor"])
    limit = cutoff.year if (cutoff.month, cutoff.day) == (12, 31) else cutoff.year - 1
    ending = funds & ~unknown & ~core & (np.nan_to_num(last, nan=np.inf) <= limit)
    if first is not None:  # still running on ``since``: 31 December of its year or later
        ending &= last >= first.year
    gone = np.flatnonzero(ending)
    of_gone = np.isin(code, gone)
    ties = pd.DataFrame(
        {
            "donor": np.asarray(donors, dtype=object)[code[of_gone]],
            "project": ids.to_numpy(dtype=object)[at[inside][of_gone]],
        }
    ).drop_duplicates()
    names = org_names(store)
    money = pd.DataFrame(columns=["donor", "project", "amount_usd"])
    if len(gone):  # the money of the donors that end only
        which = replace(f, donors=donors[gone].tolist())
        money = store.funding_totals(("donor", "project"), which, flow_types=flow_types)
        money = money[money["project"].notna().to_numpy()][["donor", "project", "amount_usd"]]
    ties = ties.merge(money, on=["donor", "project"], how="left")
    ties = ties.sort_values(["donor", "project"], kind="stable", ignore_index=True)
    donor = ties["donor"].to_numpy(dtype=object)
    projects = ties["project"].to_numpy(dtype=object)
    usd = pd.to_numeric(ties["amount_usd"], errors="coerce").to_numpy(dtype=float)
    ends_at = dict(zip(np.asarray(donors, dtype=object)[gone], last[gone], strict=True))
    # the rows are sorted by donor: one slice of plain arrays per donor that ends
    starts = np.flatnonzero(np.r_[True, donor[1:] != donor[:-1]]) if len(donor) else []
    stops = np.r_[starts[1:], len(donor)] if len(donor) else []
    rows = []
    for a, b in zip(starts, stops, strict=True):
        d = donor[a]
        rows.append(
            {
                "donor_id": d,
                "donor": names.at[d, "name"] if d in names.index else d,
                "projects": projects[a:b].tolist(),
                "last_end": dt.date(int(ends_at[d]), 12, 31),
                "funding_usd": _known_sum(usd[a:b]),
            }
        )
    return pd.DataFrame(rows, columns=["donor_id", "donor", "projects", "last_end", "funding_usd"])
