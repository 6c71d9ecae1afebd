"""Who works where: the projects, events, networks and partners of a region or country.

Examples
--------
>>> from loaders.load import load_memory
>>> sorted(collaborations(load_memory(MINIMAL), Filters(country="KAZ")))
['based_there', 'events', 'networks', 'pairs', 'partners', 'projects']
"""

from __future__ import annotations

import pandas as pd

from graph.analyses.funding import org_names
from graph.analyses.network import co_partnership
from graph.analyses.portfolio import portfolio
from graph.analyses.regional import partners_based
from graph.analyses.results import Collaborations
from graph.store import Filters, GraphStore

__all__ = ["collaborations"]


def _kept(things: pd.DataFrame, mine, kind: str) -> pd.DataFrame:
    if not len(things) or (mine.everything and getattr(mine, kind) is None):
        return things
    return things[mine.keep(kind, things["id"])].reset_index(drop=True)


def collaborations(
    store: GraphStore, filters: Filters, *, scope: str = "institute"
) -> Collaborations:
    """Who works where: the projects, events and networks of a region or country, the
    organizations in them, and who works with whom there.

    By default only the institute's current portfolio counts (its projects, events and
    networks, :mod:`graph.analyses.portfolio`), as on Regional balance;
    ``scope="network"`` takes everything in the data.

    Projects, events and networks are those that pass ``filters``
    (:meth:`graph.store.GraphStore.nodes`: projects targeting the place, events held there
    or drawing people from there, networks with a member based there). Partners are the
    organizations taking part in those projects, organizing those events, members of
    those networks based there, or based there. Who works with whom is
    :func:`graph.analyses.network.co_partnership` with the same filters.

    Returns
    -------
    dict
        ``projects``, ``events``, ``networks``, ``partners`` (id, name, sector, country,
        what: the ties that bring them in) and ``pairs`` (organization, with, shared:
        number of projects/events/networks they share, where: their titles).

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> s = load_memory(MINIMAL)
    >>> c = collaborations(s, Filters(country="KAZ"))
    >>> c["projects"]["id"].tolist(), sorted(c["partners"]["id"])
    (['p1'], ['cypher', 'evil', 'iite'])
    >>> c["pairs"][["organization", "with", "shared"]].values.tolist()
    [['<img src=x onerror=alert(1)>', 'UNESCO Institute for Information Technologies in Education', 1]]
    """
    mine = portfolio(store, scope, filters)
    projects = _kept(store.nodes("Project", filters), mine, "projects")
    events = _kept(store.nodes("Event", filters), mine, "events")
    networks = _kept(store.nodes("Network", filters), mine, "networks")
    place = Filters(region=filters.region, country=filters.country)
    based = partners_based(store, place, scope=scope) if not place.is_empty() else set()
    what: dict[str, set] = {}
    for rel, things, word in (
        ("PARTNER_IN", projects, "project"),
        ("ORGANIZED", events, "event"),
        ("MEMBER_OF", networks, "network"),
    ):
        ids = set(things["id"]) if len(things) else set()
        rt = store.rel_pairs(rel)  # who is tied to what: the ends are all it reads
        for start, end in zip(rt["start"].tolist(), rt["end"].tolist(), strict=True):
            if end in ids and (word != "network" or not based or start in based):
                what.setdefault(start, set()).add(word)
    for o in based:
        what.setdefault(o, set()).add("based there")
    names = org_names(store)
    ids = sorted(what)

    def attr(i, column):
        return names.at[i, column] if i in names.index else None

    partners = pd.DataFrame(
        {
            "id": ids,
            "name": [attr(i, "name") or i for i in ids],
            "sector": [attr(i, "sector") for i in ids],
            "country": [attr(i, "country") for i in ids],
            "what": [", ".join(sorted(what[i])) for i in ids],
        },
        columns=["id", "name", "sector", "country", "what"],
    )
    wide = mine.everything and mine.projects is None  # nothing at all left out
    pairs = co_partnership(store, filters=filters, within=None if wide else mine)
    pairs = pairs.rename(columns={"a_name": "organization", "b_name": "with", "weight": "shared"})
    return {
        "projects": projects,
        "events": events,
        "networks": networks,
        "partners": partners.sort_values("name", ignore_index=True),
        "based_there": len(based),
        "pairs": pairs[["organization", "with", "shared", "where"]],
    }
