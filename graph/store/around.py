"""What a store holds around one organization: the facts the institute's portfolio is
worked out from (:mod:`graph.analyses.portfolio` holds the rules).

A store answers with the organization's own neighbourhood only — its projects and their
events, partners and flows, its events, its networks and the other ends of its money — so
a server store sends a few small tables, never every project or every flow
(:meth:`graph.store.GraphStore.around`). :func:`facts_from_tables` is the answer from the
store's plain tables (the embedded store's way, and the reference the server's Cypher is
tested against).

Examples
--------
>>> f = facts_from_tables(example_store(), "inst")
>>> sorted(f.projects["id"]), sorted(f.networks), f.all_projects
(['p1', 'p2', 'p3'], ['n1'], 3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.schema import FLOW_TYPES
from graph.store.tables import categorical, isin, stacked

__all__ = ["Around", "facts_from_tables", "PROJECT_COLUMNS", "EVENT_COLUMNS", "TIE_COLUMNS"]

#: Columns of :attr:`Around.projects`.
PROJECT_COLUMNS = ("id", "start_year", "end_year")
#: Columns of :attr:`Around.events`.
EVENT_COLUMNS = ("id", "year", "project", "organized")
#: Columns of :attr:`Around.ties`.
TIE_COLUMNS = ("org", "project", "event", "network")


@dataclass(frozen=True)
class Around:
    """The facts around one organization (every flow type counts).

    Attributes
    ----------
    projects : DataFrame
        ``id``, ``start_year``, ``end_year`` of the projects it takes part in (any role) or
        gives or receives money for, that are projects of the store.
    all_projects : int
        How many projects the store holds.
    events : DataFrame
        ``id``, ``year``, ``project`` (the project of ``projects`` it belongs to, or None)
        and ``organized`` (it organized the event): the events it organized and the events
        of its projects, one row per event and project.
    flow_years : DataFrame
        ``project``, ``year``: the latest year of a flow tied to each of its projects (in
        no set order).
    networks : frozenset
        The networks it is a member of.
    ties : DataFrame
        ``org`` and what ties it to the organization (``project``, ``event`` or
        ``network``; all None for the other end of its own money): a partner in one of its
        projects, an organizer of one of its events, a member of one of its networks, a
        donor or recipient of a flow tied to one of its projects, or a donor to it or
        recipient from it.
    """

    projects: pd.DataFrame
    all_projects: int
    events: pd.DataFrame
    flow_years: pd.DataFrame
    networks: frozenset
    ties: pd.DataFrame


def _ends(pairs: pd.DataFrame, start: str) -> set:
    """The ends of the relationships from ``start`` (a :meth:`GraphStore.rel_pairs` table)."""
    return set(pairs.loc[pairs["start"] == start, "end"].tolist()) if len(pairs) else set()


def _into(pairs: pd.DataFrame, ends) -> pd.DataFrame:
    """``start``, ``end`` of the relationships into any of ``ends``."""
    if not len(pairs):
        return pd.DataFrame({"start": [], "end": []}, dtype=object)
    return pairs.loc[isin(pairs["end"], ends), ["start", "end"]]


def _years(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table:
        return pd.Series([None] * len(table), index=table.index, dtype=object)
    return pd.to_numeric(table[column], errors="coerce")


def _tie_rows(org, **what) -> dict:
    """Ties as categorical columns (an id is matched once per distinct value, not per
    row: the funders of every project of a big portfolio are a million rows)."""
    none = pd.Categorical.from_codes(np.full(len(org), -1), categories=pd.Index([], dtype=object))
    cols = {"org": categorical(org)}
    for c in ("project", "event", "network"):
        cols[c] = categorical(what[c]) if c in what else none
    return cols


def _stacked(parts: list[dict]) -> pd.DataFrame:
    """Tie columns one above the other, as one table of categoricals.

    >>> t = _stacked([_tie_rows(["a", "b"]), _tie_rows(["b"], project=["p"])])
    >>> t["org"].tolist(), t["project"].isna().tolist()
    (['a', 'b', 'b'], [True, True, False])
    """
    return pd.DataFrame({c: stacked([p[c] for p in parts]) for c in TIE_COLUMNS})


def _latest(projects, years: pd.Series) -> pd.DataFrame:
    """``project``, ``year``: the latest known year of each project (grouped by code).

    >>> _latest(pd.Series(["p", "q", "p"]), pd.Series([2024.0, None, 2026.0]))
      project    year
    0       p  2026.0
    """
    cat = categorical(projects)
    latest = pd.Series(years.to_numpy(float)).groupby(cat.codes).max().dropna()
    latest = latest[latest.index >= 0]
    named = np.asarray(cat.categories, dtype=object)[latest.index.to_numpy()]
    return pd.DataFrame({"project": named, "year": latest.to_numpy(float)})


def facts_from_tables(store, inst: str) -> Around:
    """:class:`Around` of ``inst`` from the store's tables (node tables, relationship
    pairs, funding pairs): the embedded store's answer. The ties come back as
    categoricals: a big portfolio's ties are a million rows, matched against sets of ids
    once per distinct value.
    """

    def pairs(a, b):
        return store.funding_pairs(a, b, flow_types=FLOW_TYPES)

    every = store.node_table("Project")
    events = store.node_table("Event")
    rels = {
        t: store.rel_pairs(t) for t in ("PARTNER_IN", "ORGANIZED", "MEMBER_OF", "PART_OF_PROJECT")
    }
    flows = pairs("project", "recipient")
    given = pairs("project", "donor")
    known = set(every["id"].tolist()) if len(every) else set()
    own = _ends(rels["PARTNER_IN"], inst)
    own |= set(flows.loc[flows["recipient"] == inst, "project"].dropna().tolist())
    own |= set(given.loc[given["donor"] == inst, "project"].dropna().tolist())
    own &= known
    p = every[isin(every["id"], own)] if len(every) else every
    projects = pd.DataFrame(
        {c: (p[c] if c in p else [None] * len(p)) for c in PROJECT_COLUMNS}, dtype=object
    )
    projects["start_year"], projects["end_year"] = _years(p, "start_year"), _years(p, "end_year")
    of_project = _into(rels["PART_OF_PROJECT"], own)
    organized = _ends(rels["ORGANIZED"], inst)
    starts = of_project["start"].tolist()  # plain lists: no Python call per Arrow value
    ev = pd.DataFrame(
        {
            "id": starts + sorted(organized),
            "project": of_project["end"].tolist() + [None] * len(organized),
            "organized": isin(of_project["start"], organized).tolist() + [True] * len(organized),
        },
        dtype=object,
    )
    year = _years(events, "year").set_axis(events["id"].tolist()) if len(events) else {}
    ev.insert(1, "year", ev["id"].map(year).astype(float) if len(ev) else [])
    years = pairs("project", "year")
    years = years[isin(years["project"], own)]
    flow_years = _latest(years["project"], pd.to_numeric(years["year"], errors="coerce"))
    networks = _ends(rels["MEMBER_OF"], inst)
    money = pairs("donor", "recipient")
    partner_in = _into(rels["PARTNER_IN"], own)
    organizers = _into(rels["ORGANIZED"], set(ev["id"]))
    members = _into(rels["MEMBER_OF"], networks)
    funders = given[isin(given["project"], own)]
    receivers = flows[isin(flows["project"], own)]
    ties = _stacked(
        [
            _tie_rows(partner_in["start"], project=partner_in["end"]),
            _tie_rows(organizers["start"], event=organizers["end"]),
            _tie_rows(members["start"], network=members["end"]),
            _tie_rows(funders["donor"], project=funders["project"]),
            _tie_rows(receivers["recipient"], project=receivers["project"]),
            _tie_rows(money.loc[money["recipient"] == inst, "donor"]),
            _tie_rows(money.loc[money["donor"] == inst, "recipient"]),
        ],
    )
    return Around(
        projects=projects.reset_index(drop=True),
        all_projects=len(known),
        events=ev.reset_index(drop=True),
        flow_years=flow_years,
        networks=frozenset(networks),
        ties=ties,
    )
