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

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from graph.schema import FLOW_TYPES
from graph.store.tables import categorical, isin, positions

__all__ = [
    "Around",
    "facts_from_tables",
    "project_years",
    "tie_part",
    "PROJECT_COLUMNS",
    "EVENT_COLUMNS",
]

#: Columns of :attr:`Around.projects`.
PROJECT_COLUMNS = ("id", "start_year", "end_year")
#: Columns of :attr:`Around.events`.
EVENT_COLUMNS = ("id", "year", "project", "organized")
#: What a part of :attr:`Around.ties` may name beside ``org``: what ties it.
TIED_BY = ("project", "event", "network")


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
    tied : callable
        Makes :attr:`ties` when first asked for: only a figure that counts partners needs
        them, and they are the dearest facts (at a million flows the embedded store's cost
        0.08 s of the portfolio's 0.31 s; on a server, a pass that collects each project's
        donors and recipients).
    ties : tuple of DataFrame
        Parts (:func:`tie_part`), each an ``org`` column and at most one of ``project``,
        ``event`` or ``network``, what ties it to the organization (no second column: the
        other end of its own money): a partner in one of its projects, an organizer of
        one of its events, a member of one of its networks, a donor or recipient of a flow
        tied to one of its projects, or a donor to it or recipient from it. Kept apart:
        at a million flows its projects' funders alone are 745,000 rows, and each part is
        matched as it is, never copied into one table.
    """

    projects: pd.DataFrame
    all_projects: int
    events: pd.DataFrame
    flow_years: pd.DataFrame
    networks: frozenset
    tied: Callable[[], tuple] = field(repr=False, compare=False)

    @cached_property
    def ties(self) -> tuple:
        """The parts described above, made by :attr:`tied` once."""
        return tuple(self.tied())


def _ends(pairs: pd.DataFrame, start: str) -> set:
    """The ends of the relationships from ``start`` (a :meth:`GraphStore.rel_pairs` table)."""
    return set(_end_column(pairs, start).tolist())


def _end_column(pairs: pd.DataFrame, start: str) -> pd.Series:
    """:func:`_ends` as the column it is (Arrow text stays Arrow text: no Python string
    made for each of 50,000 projects at a million flows), repeats and all.

    >>> _end_column(pd.DataFrame({"start": ["a", "b", "a"], "end": ["p", "q", "r"]}), "a").tolist()
    ['p', 'r']
    """
    if not len(pairs):
        return pd.Series([], dtype=object)
    return pairs.loc[(pairs["start"] == start).to_numpy(dtype=bool, na_value=False), "end"]


def _into(pairs: pd.DataFrame, ends) -> pd.DataFrame:
    """``start``, ``end`` of the relationships into any of ``ends``."""
    if not len(pairs):
        return pd.DataFrame({"start": [], "end": []}, dtype=object)
    return pairs.loc[isin(pairs["end"], ends), ["start", "end"]]


def _into_held(pairs: pd.DataFrame, ids: pd.Series, held: np.ndarray) -> pd.DataFrame:
    """:func:`_into` the ``ids`` that ``held`` (a mask over them) marks, found by position
    (:func:`_held`): at a million flows 10,000 events and 100,000 partner ties among
    50,000 projects.

    >>> pairs = pd.DataFrame({"start": ["e1", "e2", "e3"], "end": ["p", "q", "x"]})
    >>> _into_held(pairs, pd.Series(["p", "q"]), np.array([False, True]))["start"].tolist()
    ['e2']
    """
    if not len(pairs) or not len(ids):
        return _into(pairs.iloc[:0], ())
    return pairs.loc[_held(pairs["end"], ids, held), ["start", "end"]]


def _held(values: pd.Series, ids: pd.Series, held: np.ndarray, made: dict | None = None):
    """A mask over ``values`` of those among ``ids`` that ``held`` (a mask over ``ids``)
    marks, found by position: a column of Arrow text matched by Arrow, no set of Python
    strings made; a categorical's categories looked up once each, and only once for the
    columns that share them when they are passed the same ``made`` (the projects of the
    flows' links to donors and to recipients).

    >>> ids, held = pd.Series(["p", "q"]), np.array([False, True])
    >>> _held(pd.Series(["q", "x", None, "p"]), ids, held).tolist()
    [True, False, False, False]
    >>> _held(pd.Series(["q", None], dtype="category"), ids, held).tolist()
    [True, False]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        every = values.cat.categories
        made = {} if made is None else made
        if made.get("of") is not every:  # the last cell: a missing value's code, -1
            hit = np.zeros(len(every) + 1, dtype=bool)
            hit[:-1] = _held(pd.Series(every, dtype=object), ids, held) if len(every) else []
            made.update(of=every, hit=hit)
        return made["hit"][values.cat.codes.to_numpy()]
    at = positions(values, ids)
    keep = at >= 0
    keep[keep] = held[at[keep]]
    return keep


def _years(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table:
        return pd.Series([None] * len(table), index=table.index, dtype=object)
    return pd.to_numeric(table[column], errors="coerce")


def tie_part(org, by: str | None = None, at=None) -> pd.DataFrame:
    """One part of :attr:`Around.ties`: ``org`` (a Series or array), tied by ``by`` (one of
    :data:`TIED_BY`; None: the other end of the organization's money) to ``at``, the same
    length. Series are taken by position, their values as they are (a categorical stays
    one).

    >>> tie_part(["a", "b"], "project", ["p", "p"]).columns.tolist()
    ['org', 'project']
    >>> tie_part(pd.Series(["c"], index=[7])).to_dict("list")
    {'org': ['c']}
    """
    if by is not None and by not in TIED_BY:
        raise ValueError(f"a tie is by one of {', '.join(TIED_BY)}, not {by!r}")
    cols = {"org": org.array if isinstance(org, pd.Series) else org}
    if by is not None:
        cols[by] = at.array if isinstance(at, pd.Series) else at
    return pd.DataFrame(cols)


def _latest(years: pd.DataFrame, ids, held: np.ndarray) -> pd.DataFrame:
    """``project``, ``year``: the latest known year of each project held (``held``, a mask
    over the project ids ``ids``) among ``project``, ``year`` pairs; each project's years
    compared by its code, and only the distinct projects looked up among ``ids``.

    >>> pairs = pd.DataFrame({"project": ["p", "q", "p", "r"], "year": [2024, None, 2026, 2020]})
    >>> _latest(pairs, pd.Series(["q", "p", "r"]), np.array([True, True, False]))
      project    year
    0       p  2026.0
    """
    cat = categorical(years["project"])
    year = _numbers(years["year"])
    latest = np.full(len(cat.categories), np.nan)
    dated = (cat.codes >= 0) & ~np.isnan(year)
    np.fmax.at(latest, cat.codes[dated], year[dated])
    named = np.asarray(cat.categories, dtype=object)
    keep = _held(pd.Series(named, dtype=object), ids, held) & ~np.isnan(latest)
    return pd.DataFrame({"project": named[keep], "year": latest[keep]})


def _numbers(values: pd.Series) -> np.ndarray:
    """A column as floats (NaN where not a number); a categorical one converted once per
    distinct value.

    >>> _numbers(pd.Series([2024, None, 2024], dtype="category")).tolist()
    [2024.0, nan, 2024.0]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        each = pd.to_numeric(pd.Series(values.cat.categories), errors="coerce").to_numpy(float)
        return np.where(codes >= 0, np.append(each, np.nan)[codes], np.nan)
    return pd.to_numeric(values, errors="coerce").to_numpy(float)


def project_years(every: pd.DataFrame, ids: frozenset | None = None) -> pd.DataFrame:
    """:data:`PROJECT_COLUMNS` of the projects of ``every`` (a project node table) whose id
    is among ``ids`` (None: every one), years as numbers (NaN where unknown), in the
    table's order.

    >>> every = pd.DataFrame({"id": ["p1", "p2"], "start_year": [2024, None]})
    >>> project_years(every, frozenset({"p2", "p9"})).to_dict("list")
    {'id': ['p2'], 'start_year': [nan], 'end_year': [None]}
    """
    p = every[isin(every["id"], ids)] if len(every) and ids is not None else every
    projects = pd.DataFrame(
        {c: (p[c] if c in p else [None] * len(p)) for c in PROJECT_COLUMNS}, dtype=object
    )
    projects["start_year"], projects["end_year"] = _years(p, "start_year"), _years(p, "end_year")
    return projects.reset_index(drop=True)


def facts_from_tables(store, inst: str) -> Around:
    """:class:`Around` of ``inst`` from the store's tables (node tables, relationship
    pairs, funding pairs): the embedded store's answer. The ties of its projects'
    funders and recipients are the funding pairs' categoricals, matched against sets of
    ids once per distinct value, not per row, when first asked for.
    """

    def pairs(a, b):
        return store.funding_pairs(a, b, flow_types=FLOW_TYPES)

    every = store.node_table("Project")
    events = store.node_table("Event")
    rels = {
        t: store.rel_pairs(t) for t in ("PARTNER_IN", "ORGANIZED", "MEMBER_OF", "PART_OF_PROJECT")
    }
    # its projects as rows of the project table, found by position: no set of ids made
    # and matched for each source (at a million flows every one of 50,000 projects)
    held = np.zeros(len(every), dtype=bool)
    for found in (_end_column(rels["PARTNER_IN"], inst), store.money_projects(inst)):
        at = positions(found, every["id"]) if len(found) and len(every) else np.empty(0, int)
        held[at[at >= 0]] = True
    projects = project_years(every[held])
    of_project = _into_held(rels["PART_OF_PROJECT"], every["id"], held)
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
    flow_years = _latest(pairs("project", "year"), every["id"], held)
    networks = _ends(rels["MEMBER_OF"], inst)

    def ties():
        # each flow's ends, repeats and all: only which organizations are tied counts
        given = store.funding_links("project", "donor", flow_types=FLOW_TYPES)
        flows = store.funding_links("project", "recipient", flow_types=FLOW_TYPES)
        money = pairs("donor", "recipient")
        partner_in = _into_held(rels["PARTNER_IN"], every["id"], held)
        organizers = _into(rels["ORGANIZED"], set(ev["id"]))
        members = _into(rels["MEMBER_OF"], networks)
        made: dict = {}  # the flows' project categories, looked up once for both
        funders = given[_held(given["project"], every["id"], held, made)]
        receivers = flows[_held(flows["project"], every["id"], held, made)]
        return (
            tie_part(partner_in["start"], "project", partner_in["end"]),
            tie_part(organizers["start"], "event", organizers["end"]),
            tie_part(members["start"], "network", members["end"]),
            tie_part(funders["donor"], "project", funders["project"]),
            tie_part(receivers["recipient"], "project", receivers["project"]),
            tie_part(money.loc[money["recipient"] == inst, "donor"]),
            tie_part(money.loc[money["donor"] == inst, "recipient"]),
        )

    return Around(
        projects=projects,
        all_projects=len(every),
        events=ev.reset_index(drop=True),
        flow_years=flow_years,
        networks=frozenset(networks),
        tied=ties,
    )
