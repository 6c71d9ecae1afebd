"""The funding cliff: what ends when.

An agreement is a project; it ends on 31 December of its ``end_year`` (the documents give
years, not days, so this is the latest date the year allows, and the results say so).
A project's committed funding is the known USD of the flows tied to it (summed in the
store) and its stated budget; its donors are the organizations with a flow tied to it or
a ``donor`` role in it. Completed projects are left out of what is still to end.

Examples
--------
>>> print(funding_cliff(example_store()).to_string())
  end_year  projects  funding_usd  budget_usd  flows  flows_with_usd  donors project_ids
0     2025         1        150.0         0.0      2               1       2          p1
1     2026         1        100.0       600.0      2               1       2          p2
2     2027         1          0.0         0.0      0               0       0          p3
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from graph.analyses.funding import org_names
from graph.errors import AnalysisError
from graph.store import Filters, GraphStore
from graph.store.totals import isnull

__all__ = [
    "DEFAULT_AS_OF",
    "DEFAULT_AS_OF_REASON",
    "CliffPeak",
    "cliff_peak",
    "project_funding",
    "funding_cliff",
    "ending_within",
    "donors_ending",
    "months_after",
    "as_date",
]


#: The date "what ends soon" counts from by default: when the Director's report was prepared.
DEFAULT_AS_OF = dt.date(2025, 8, 15)
DEFAULT_AS_OF_REASON = (
    "From 15 August 2025 by default: when the Director's report was prepared (it covers the "
    "year after the Board's August 2024 session; its latest dated activity is July 2025). "
    "Pick another date to look from there."
)


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


def as_date(value) -> dt.date:
    """A date from a ``date``, a ``datetime`` or text ``YYYY-MM-DD`` (AnalysisError else).

    >>> as_date("2025-12-31")
    datetime.date(2025, 12, 31)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as e:
        raise AnalysisError(f"{value!r} is not a date; write it as YYYY-MM-DD") from e


def months_after(value, months: int) -> dt.date:
    """The date ``months`` whole months after ``value`` (the day kept, or the month's last
    day when the month is shorter): the end of the window :func:`ending_within` looks at.

    >>> months_after("2025-08-15", 12), months_after("2025-01-31", 1)
    (datetime.date(2026, 8, 15), datetime.date(2025, 2, 28))
    """
    d = as_date(value)
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise AnalysisError(f"months must be a whole number >= 0, not {months!r}")
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


def project_funding(
    store: GraphStore, filters: Filters | None = None, *, flow_types=None
) -> pd.DataFrame:
    """Every project with its end, status, committed funding and donors.

    Returns
    -------
    DataFrame
        ``project_id``, ``title``, ``status``, ``start_year``, ``end_year`` (None if not
        stated), ``end_date`` (31 December of ``end_year``), ``funding_usd`` (known USD of
        flows tied to it), ``budget_usd``, ``flows``, ``flows_with_usd`` and ``donors``
        (sorted ids).

    Examples
    --------
    >>> project_funding(example_store())[["project_id", "end_year", "funding_usd", "donors"]]
      project_id end_year  funding_usd       donors
    0         p1     2025        150.0   [fdn, uni]
    1         p2     2026        100.0  [fdn, firm]
    2         p3     2027          0.0           []
    """
    f = filters or Filters()
    projects = store.nodes("Project", f)
    sums = store.funding_totals(("project", "donor"), f, flow_types=flow_types)
    sums = sums[sums["project"].notna()]
    donors: dict = {}
    for rec in sums.to_dict("records"):
        donors.setdefault(rec["project"], set()).add(rec["donor"])
    partners = store.rel_table("PARTNER_IN")
    for rec in partners.to_dict("records") if len(partners) else []:
        if rec.get("role") == "donor":
            donors.setdefault(rec["end"], set()).add(rec["start"])
    grouped = sums.groupby("project")[["amount_usd", "flows", "usd_known"]].sum()
    by_project = grouped.to_dict("index")
    rows = []
    for rec in projects.to_dict("records"):
        p = rec["id"]
        end = rec.get("end_year")
        end = (
            int(end)
            if end is not None and not (isinstance(end, float) and math.isnan(end))
            else None
        )
        start = rec.get("start_year")
        start = (
            int(start)
            if start is not None and not (isinstance(start, float) and math.isnan(start))
            else None
        )
        budget = rec.get("budget_usd")
        s = by_project.get(p)
        rows.append(
            {
                "project_id": p,
                "title": rec.get("title"),
                "status": rec.get("status"),
                "start_year": start,
                "end_year": end,
                "end_date": dt.date(end, 12, 31) if end is not None else None,
                "funding_usd": float(s["amount_usd"]) if s is not None else 0.0,
                "budget_usd": math.nan if isnull(budget) else float(budget),
                "flows": int(s["flows"]) if s is not None else 0,
                "flows_with_usd": int(s["usd_known"]) if s is not None else 0,
                "donors": sorted(donors.get(p, ())),
            }
        )
    cols = ["project_id", "title", "status", "start_year", "end_year", "end_date"]
    cols += ["funding_usd", "budget_usd", "flows", "flows_with_usd", "donors"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("start_year", "end_year", "end_date", "title", "status", "donors"):
        df[c] = pd.Series([r[c] for r in rows], dtype=object)
    return df


def funding_cliff(
    store: GraphStore, filters: Filters | None = None, *, flow_types=None, include_completed=False
) -> pd.DataFrame:
    """Committed funding and number of projects by agreement end year.

    Parameters
    ----------
    include_completed : bool, default False
        Also count projects whose status is ``completed``.

    Returns
    -------
    DataFrame
        ``end_year`` (None = not stated, last), ``projects``, ``funding_usd``,
        ``budget_usd`` (stated budgets; 0 where none), ``flows``, ``flows_with_usd``,
        ``donors`` (distinct) and ``project_ids``.
    """
    pf = project_funding(store, filters, flow_types=flow_types)
    if not include_completed:
        pf = pf[pf["status"] != "completed"]
    rows = []
    keys = sorted(set(pf["end_year"]), key=lambda v: (v is None, v or 0))
    for y in keys:
        part = pf[pf["end_year"].map(lambda v, y=y: v == y if y is not None else v is None)]
        rows.append(
            {
                "end_year": y,
                "projects": len(part),
                "funding_usd": math.fsum(part["funding_usd"]),
                "budget_usd": math.fsum(part["budget_usd"].fillna(0)),
                "flows": int(part["flows"].sum()),
                "flows_with_usd": int(part["flows_with_usd"].sum()),
                "donors": len(set().union(*part["donors"].map(set))) if len(part) else 0,
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


def ending_within(
    store: GraphStore,
    *,
    as_of,
    months: int = 12,
    until=None,
    filters: Filters | None = None,
    flow_types=None,
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
    pf = project_funding(store, filters, flow_types=flow_types)
    keep = pf["end_date"].map(lambda d: d is not None and start <= d <= end) & (
        pf["status"] != "completed"
    )
    return pf[keep].sort_values(["end_date", "project_id"]).reset_index(drop=True)


def donors_ending(
    store: GraphStore,
    *,
    by,
    since=None,
    filters: Filters | None = None,
    flow_types=None,
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
        ``funding_usd`` (known USD tied to those projects).

    Examples
    --------
    >>> donors_ending(example_store(), by="2025-12-31")[["donor_id", "projects", "last_end"]]
      donor_id projects    last_end
    0      uni     [p1]  2025-12-31
    """
    cutoff = as_date(by)
    f = filters or Filters()
    pf = project_funding(store, f, flow_types=flow_types).set_index("project_id")
    sums = store.funding_totals(("donor", "project"), f, flow_types=flow_types)
    money = {(r["donor"], r["project"]): r["amount_usd"] for r in sums.to_dict("records")}
    by_donor: dict = {}
    for p, ds in zip(pf.index, pf["donors"], strict=True):
        for d in ds:
            by_donor.setdefault(d, []).append(p)
    end_of = dict(zip(pf.index, pf["end_date"], strict=True))
    core = set(sums.loc[sums["project"].isna(), "donor"])
    first = as_date(since) if since is not None else None
    names = org_names(store)
    rows = []
    for d, ps in sorted(by_donor.items()):
        ends = [end_of[p] for p in ps]
        if d in core or any(e is None for e in ends) or max(ends) > cutoff:
            continue
        if first is not None and max(ends) < first:
            continue
        rows.append(
            {
                "donor_id": d,
                "donor": names.at[d, "name"] if d in names.index else d,
                "projects": sorted(ps),
                "last_end": max(ends),
                "funding_usd": math.fsum(money.get((d, p), 0.0) for p in ps),
            }
        )
    return pd.DataFrame(rows, columns=["donor_id", "donor", "projects", "last_end", "funding_usd"])
