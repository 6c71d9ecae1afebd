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
from graph.store.tables import isin

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
        ``project``, ``year``: the latest year of a flow tied to each of its projects.
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
    """Ties as object columns, copied column by column (never one value at a time: a
    column of Arrow strings iterated in Python costs a call per value)."""
    n = len(org)
    cols = {"org": _objects(org)}
    for c in ("project", "event", "network"):
        cols[c] = _objects(what[c]) if c in what else np.full(n, None, dtype=object)
    return cols


def _objects(values) -> np.ndarray:
    """``values`` as an object array, missing ones as ``None``."""
    if isinstance(values, pd.Series) and values.dtype == object:
        return values.to_numpy()  # the funding pairs: already Python values and None
    return pd.Series(values).to_numpy(dtype=object, na_value=None)


def _stacked(parts: list[dict]) -> pd.DataFrame:
    """Tie columns one above the other, as one table."""
    return pd.DataFrame(
        {c: np.concatenate([p[c] for p in parts]) for c in TIE_COLUMNS}, dtype=object
    )


def facts_from_tables(store, inst: str) -> Around:
    """:class:`Around` of ``inst`` from the store's tables (node tables, relationship
    pairs, funding pairs): the embedded store's answer."""
    every = store.node_table("Project")
    events = store.node_table("Event")
    pairs = {
        t: store.rel_pairs(t) for t in ("PARTNER_IN", "ORGANIZED", "MEMBER_OF", "PART_OF_PROJECT")
    }
    flows = store.funding_pairs("project", "recipient", flow_types=FLOW_TYPES)
    given = store.funding_pairs("project", "donor", flow_types=FLOW_TYPES)
    known = set(every["id"].tolist()) if len(every) else set()
    own = _ends(pairs["PARTNER_IN"], inst)
    own |= set(flows.loc[flows["recipient"] == inst, "project"].dropna().tolist())
    own |= set(given.loc[given["donor"] == inst, "project"].dropna().tolist())
    own &= known
    p = every[isin(every["id"], own)] if len(every) else every
    projects = pd.DataFrame(
        {c: (p[c] if c in p else [None] * len(p)) for c in PROJECT_COLUMNS}, dtype=object
    )
    projects["start_year"], projects["end_year"] = _years(p, "start_year"), _years(p, "end_year")
    of_project = _into(pairs["PART_OF_PROJECT"], own)
    organized = _ends(pairs["ORGANIZED"], inst)
    year = dict(zip(events["id"], _years(events, "year"), strict=True)) if len(events) else {}
    ev = pd.DataFrame(
        {
            "id": list(of_project["start"]) + sorted(organized),
            "project": list(of_project["end"]) + [None] * len(organized),
            "organized": [e in organized for e in of_project["start"]] + [True] * len(organized),
        },
        dtype=object,
    )
    ev.insert(1, "year", ev["id"].map(year).astype(float) if len(ev) else [])
    years = store.funding_pairs("project", "year", flow_types=FLOW_TYPES)
    years = years[isin(years["project"], own)]
    flow_years = (
        pd.to_numeric(years["year"], errors="coerce").groupby(years["project"]).max().dropna()
    )
    networks = _ends(pairs["MEMBER_OF"], inst)
    money = store.funding_pairs("donor", "recipient", flow_types=FLOW_TYPES)
    partner_in = _into(pairs["PARTNER_IN"], own)
    organizers = _into(pairs["ORGANIZED"], set(ev["id"]))
    members = _into(pairs["MEMBER_OF"], networks)
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
        flow_years=pd.DataFrame(
            {"project": flow_years.index.astype(object), "year": flow_years.to_numpy(float)}
        ),
        networks=frozenset(networks),
        ties=ties,
    )
