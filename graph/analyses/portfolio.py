"""Whose portfolio the figures count: the institute's own work, or the wider network.

The data holds more than the institute's own work: projects and events of partners that
the documents describe (a UNESCO office's seminar, a partner's school project) and old
projects of the institute. The institute's analyses (regional balance, collaborations by
region, the funding cliff) count **the institute's current portfolio** by default:

* its **projects**: those it takes part in (any role), receives or gives money for;
* its **events**: those it organizes (any role: organizer, co-chair, signatory…) and the
  events of its projects;
* its **money**: flows tied to one of its projects, and flows it receives that are tied to
  no project (core money);
* its **networks**: those it is a member of;
* its **partners**: the organizations in its projects and events, in the networks it is a
  member of, and on the other end of its money (itself and pools left out);
* **current**: with no years chosen, a project whose last dated year (its end year; when it
  states none, its start year or the year of its latest event or flow) is before
  :data:`CURRENT_YEARS` years up to the as-of date is *historical* and left out, and so are
  events dated before then. A project with no year at all stays in. Choosing years
  replaces this rule: then what overlaps the years counts.

``scope="network"`` counts everything in the data, as the pages' "wider network" switch.

Examples
--------
>>> p = portfolio(example_store())
>>> p.institute, sorted(p.projects), p.outside, p.historical
('inst', ['p1', 'p2', 'p3'], 0, ())
>>> portfolio(example_store(), "network").projects is None
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from graph.analyses.dates import DEFAULT_AS_OF, as_date
from graph.analyses.institute import INSTITUTE, recipient_of
from graph.errors import AnalysisError
from graph.schema import FLOW_TYPES
from graph.store import Filters, GraphStore, distinct_set, isin, positions
from graph.text import plural

__all__ = [
    "SCOPES",
    "SCOPE_NAMES",
    "CURRENT_YEARS",
    "Portfolio",
    "portfolio",
    "current_since",
    "external_projects",
    "external_only",
    "without_external",
]

#: What the figures can count: the institute's current portfolio, or the wider network.
SCOPES = ("institute", "network")
#: How each scope reads on the pages, in the board report and the CLI.
SCOPE_NAMES = {
    "institute": "the institute's own portfolio",
    "network": "the wider network (everything in the data)",
}
#: A project of the institute is current when it has a dated year within this many years
#: up to the as-of date (2022–2025 for August 2025: the last strategy period).
CURRENT_YEARS = 4


def current_since(as_of=None) -> int:
    """The first year a project must reach to be current (:data:`CURRENT_YEARS`).

    >>> current_since("2025-08-15")
    2022
    """
    day = DEFAULT_AS_OF if as_of is None else as_date(as_of)
    return day.year - CURRENT_YEARS + 1


@dataclass(frozen=True)
class Portfolio:
    """What one scope counts.

    Attributes
    ----------
    scope : str
        One of :data:`SCOPES`.
    institute : str or None
        The institute's organization id (None: no funding in the store, so no institute).
    projects, events, networks : frozenset or None
        The ids counted; None counts every one (the wider network). Its networks are those
        it is a member of.
    partners_of : callable
        Makes :attr:`partners` (the ids counted, or None for every one) when a figure first
        counts them: the funding cliff and the donors ending never do, and they are the
        dearest part (at a million flows 0.08 s of the portfolio's 0.31 s; on a server, a
        pass that collects each project's donors and recipients).
    outside : int
        How many projects are left out because the institute is not a party.
    historical : tuple
        The institute's projects left out as historical, sorted.
    since : int or None
        The first current year; None when years were chosen (or for the network).
    """

    scope: str
    institute: str | None
    projects: frozenset | None
    events: frozenset | None
    networks: frozenset | None
    partners_of: Callable[[], frozenset | None] = field(repr=False, compare=False)
    outside: int = 0
    historical: tuple = ()
    since: int | None = None

    @cached_property
    def partners(self) -> frozenset | None:
        """The partners' ids counted (None: every organization), made once."""
        return self.partners_of()

    @property
    def everything(self) -> bool:
        """True for the wider network: everything in the data but published data about
        other funders (its projects are then left out of ``projects``)."""
        return self.scope == "network"

    def keep(self, kind: str, ids) -> np.ndarray:
        """A mask over ``ids`` of what this portfolio counts (``kind``: "projects",
        "events", "networks" or "partners").

        >>> portfolio(example_store()).keep("projects", ["p1", "x"]).tolist()
        [True, False]
        """
        held = getattr(self, kind)
        if held is None:
            return np.ones(len(ids), bool)
        # a column as it is: Arrow text is matched by Arrow (50,000 project ids: 2 ms,
        # against 5-14 ms as Python objects)
        return isin(ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object), held)

    def money(self, by_project: pd.DataFrame, to_institute: pd.DataFrame) -> pd.DataFrame:
        """The rows of funding sums by ``project`` that this portfolio counts: those of its
        projects among ``by_project`` (the sums of every flow), and the row of no project
        among ``to_institute`` (the sums of the flows to the institute: its core money).
        The wider network counts ``by_project`` as it is.

        >>> sums = pd.DataFrame({"project": ["p1", "x", None], "flows": [1, 2, 3]})
        >>> portfolio(example_store()).money(sums, sums.tail(1))["flows"].tolist()
        [1, 3]
        """
        if self.everything:
            return by_project
        tied = by_project[by_project["project"].notna().to_numpy()]
        tied = tied[self.keep("projects", tied["project"])]
        core = to_institute[to_institute["project"].isna().to_numpy()]
        return pd.concat([tied, core], ignore_index=True)

    def says(self) -> str:
        """One sentence for a page, the board report or the CLI.

        >>> portfolio(example_store()).says()
        "Counting the institute's own portfolio: 3 projects it takes part in, its events and its partners."
        """
        if self.everything:
            return "Counting the wider network: every project, event and partner in the data."
        n = len(self.projects)
        text = (
            f"Counting the institute's own portfolio: {plural(n, 'project')} it "
            "takes part in, its events and its partners."
        )
        if self.outside:
            k = self.outside
            text += f" Left out: {plural(k, 'project')} it is not part of"
            text += "." if not self.historical else ""
        if self.historical:
            k = len(self.historical)
            text += (" and" if self.outside else " Left out:") + (
                f" {plural(k, 'historical project')} (nothing dated {self.since} or later)."
            )
        return text


def portfolio(
    store: GraphStore,
    scope: str = "institute",
    filters: Filters | None = None,
    *,
    institute=INSTITUTE,
    as_of=None,
    partners: bool = False,
) -> Portfolio:
    """What ``scope`` counts on ``store`` (see the module for the rules).

    Parameters
    ----------
    scope : {"institute", "network"}
    filters : Filters, optional
        Only whether years are chosen matters: then no project is historical.
    institute : str, optional
        The institute's id; default the main recipient (:func:`recipient_of`).
    as_of : date or str, optional
        Where "current" counts back from (default :data:`graph.analyses.dates.DEFAULT_AS_OF`).
    partners : bool, default False
        The caller will count partners: they are worked out now, also on a portfolio kept
        from a figure that did not count them, and a server store reads their facts beside
        the rest (:meth:`GraphStore.around`); else they are read when first counted.

    Raises
    ------
    AnalysisError
        ``scope`` is not one of :data:`SCOPES`.
    """
    if scope not in SCOPES:
        raise AnalysisError(f"unknown portfolio {scope!r}; use one of: {', '.join(SCOPES)}")
    inst = recipient_of(store, institute)
    if scope == "network" or inst is None:
        return store.memo(("portfolio", "network", inst), lambda: _wider(store, inst))
    f = filters or Filters()
    since = None if (f.year_from is not None or f.year_to is not None) else current_since(as_of)
    key = ("portfolio", inst, since)
    mine = store.memo(key, lambda: _portfolio(store, inst, since, partners))
    if partners:
        _ = mine.partners  # here, beside the caller's other reads, not when first counted
    return mine


def _portfolio(store: GraphStore, inst: str, since: int | None, partners: bool) -> Portfolio:
    """The portfolio of ``inst`` from the facts around it (:meth:`GraphStore.around`:
    its own neighbourhood, worked out where the data lives)."""
    f = store.around(inst, ties=partners)
    external = external_projects(store)
    # masks over the projects' rows, not sets of their ids (50,000 at a million flows)
    ids = f.projects["id"].to_numpy(dtype=object)
    own = ~isin(ids, external) if external else np.ones(len(ids), dtype=bool)
    past = np.zeros(len(ids), dtype=bool)
    if since is not None and own.any():
        past = _historical(f, ids, since) & own
    projects = frozenset(ids[own & ~past].tolist())  # frozen: matches against it are kept
    ev = f.events
    mine = set(ev.loc[ev["organized"].astype(bool).to_numpy(), "id"].tolist())
    mine |= set(ev.loc[isin(ev["project"], projects), "id"].tolist())
    if since is not None and mine:
        old = ev[isin(ev["id"], mine) & (pd.to_numeric(ev["year"]) < since).to_numpy()]
        mine -= set(old["id"].tolist())
    mine = frozenset(mine)

    def partners_of():
        found = set().union(*(_partners(part, projects, mine) for part in f.ties))
        return frozenset(p for p in found if isinstance(p, str) and p != inst)

    return Portfolio(
        "institute",
        inst,
        projects,
        mine,
        frozenset(f.networks),
        partners_of,
        outside=f.all_projects - len(external) - int(own.sum()),  # published data's aside
        historical=tuple(sorted(ids[past].tolist())),
        since=since,
    )


def _partners(part: pd.DataFrame, projects: set, events: set) -> set:
    """The organizations of one part of :attr:`~graph.store.around.Around.ties` that count:
    tied by a counted project or event, by a network, or the other end of the money (a
    tie that names no project or event counts as such).

    >>> part = pd.DataFrame({"org": ["a", "b", "c"], "project": ["p1", "p9", None]})
    >>> sorted(_partners(part, {"p1"}, set()))
    ['a', 'c']
    """
    org = part["org"]
    for by, counted in (("project", projects), ("event", events)):
        if by in part:
            kept = isin(part[by], counted) | part[by].isna().to_numpy()
            return distinct_set(org[kept])
    return distinct_set(org)


def _wider(store: GraphStore, inst) -> Portfolio:
    """The wider network: everything but published data about other funders."""
    ext = external_projects(store)
    if not ext:
        return Portfolio("network", inst, None, None, None, lambda: None)
    everyone = set(store.node_table("Project")["id"].tolist()) - ext
    orgs = frozenset(_tied_apart_from(store, ext))
    return Portfolio("network", inst, frozenset(everyone), None, None, lambda: orgs)


def _tied_apart_from(store: GraphStore, external: set) -> set:
    """Organisations with a tie that is not published data about others: in a project
    other than ``external``, a network, an event, or a flow of the own data (kept per
    load where the store can)."""
    return store.memo("tied_apart_from", lambda: _tied(store, external))


def _tied(store: GraphStore, external: set) -> set:
    orgs: set = set()
    for t in ("PARTNER_IN", "MEMBER_OF", "ORGANIZED"):
        r = store.rel_table(t)
        if len(r):
            orgs |= set(r.loc[~isin(r["end"], external), "start"].tolist())
    own = store.funding_totals(("donor", "recipient"), flow_types=FLOW_TYPES)
    return orgs | set(own["donor"].tolist()) | set(own["recipient"].tolist())


def external_only(store: GraphStore) -> tuple[set, set]:
    """The projects of published data about other funders, and the organisations tied to
    nothing else: what the institute's views of its network leave out."""
    ext = external_projects(store)
    if not ext:
        return set(), set()
    orgs: set = set()
    r = store.rel_table("PARTNER_IN")
    if len(r):
        orgs |= set(r.loc[isin(r["end"], ext), "start"].tolist())
    flows = store.funding_totals(
        ("donor", "recipient"), Filters(external=True), flow_types=FLOW_TYPES
    )
    orgs |= set(flows["donor"].tolist()) | set(flows["recipient"].tolist())
    return ext, orgs - _tied_apart_from(store, ext)


def without_external(store: GraphStore, nodes: dict) -> dict:
    """Node columns (``keys`` such as ``Project:id`` and lists beside them, as the network
    analyses build them) less :func:`external_only`."""
    projects, orgs = external_only(store)
    if not projects:
        return nodes
    gone = {f"Project:{p}" for p in projects} | {f"Organization:{o}" for o in orgs}
    keep = ~pd.Index(nodes["keys"]).isin(gone)
    return {k: [x for x, ok in zip(v, keep, strict=True) if ok] for k, v in nodes.items()}


def external_projects(store: GraphStore) -> set:
    """The ids of the projects published data about other funders brought in (loaded as
    external): never part of the institute's portfolio."""
    return store.memo("external_projects", store.external_ids)


def _historical(f, ids: np.ndarray, since: int) -> np.ndarray:
    """A mask over the projects ``ids`` (those of ``f.projects``, in its order) whose last
    dated year is before ``since``: the end year, else the latest of the start year and
    the years of its events and flows (each year put in place by position, found by
    Arrow's hash lookup: at a million flows pandas' own took 0.035 s of the 0.05 s for
    21,000 projects' flow years)."""
    last = pd.to_numeric(f.projects["end_year"], errors="coerce").to_numpy(float)
    seen = pd.to_numeric(f.projects["start_year"], errors="coerce").to_numpy(float)
    dated = (f.events, f.flow_years)  # looked up among the ids together: one hash of them
    at = positions(np.concatenate([d["project"].to_numpy(dtype=object) for d in dated]), ids)
    years = np.concatenate(
        [pd.to_numeric(d["year"], errors="coerce").to_numpy(float) for d in dated]
    )
    np.fmax.at(seen, at[at >= 0], years[at >= 0])  # -1: none of these; NaN leaves it as it is
    latest = np.where(np.isnan(last), seen, last)
    return latest < since  # a project with no year is not historical (NaN)
