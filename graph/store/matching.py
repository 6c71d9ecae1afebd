"""Which nodes pass a :class:`~graph.store.Filters`, worked out column by column.

The embedded store used to test each node on its own, walking its relationships in the
networkx graph: a region filter over 50,000 projects took seconds. Here each rule of the
filter table (README, "Filters") is one pass over a relationship table
(:meth:`graph.store.GraphStore.rel_pairs`, the ends of each relationship type) or a node
table, for every node at once.

Examples
--------
>>> from graph.store import Filters
>>> sorted(matching_ids(example_store(), "Project", Filters(country="KAZ")))
['p2']
>>> matching_ids(example_store(), "Source", Filters(country="KAZ")) is None
True
"""

from __future__ import annotations

import pandas as pd

from graph.store.filters import Filters
from graph.store.tables import isin

__all__ = ["matching_ids"]

#: The labels a filter applies to (any other label passes every filter).
FILTERED = ("Organization", "Project", "Event", "Network", "Country")


def matching_ids(store, label: str, f: Filters) -> set | None:
    """Ids of the nodes of ``label`` that pass ``f``; None when every node does (no filter
    set, or none that applies to ``label``).

    ``store`` is any :class:`~graph.store.GraphStore`: only ``node_table`` and
    ``rel_pairs`` are used.
    """
    if f.is_empty() or label not in FILTERED:
        return None
    table = store.node_table(label)
    ids = set(table["id"])
    if label == "Organization":
        if f.sector is not None:
            ids &= set(table.loc[_equals(table, "sector", f.sector), "id"])
        places = _places(store, _links(store, ("BASED_IN",), "Organization"), f)
    elif label == "Project":
        ids &= _project_years(table, f)
        if f.sector is not None:
            ids &= _with_sector(store, "PARTNER_IN", f.sector)
        places = _places(store, _targets(store), f)
    elif label == "Event":
        ids &= _event_years(table, f)
        if f.sector is not None:
            ids &= _with_sector(store, "ORGANIZED", f.sector)
        places = _places(store, _links(store, ("HELD_IN", "INVOLVES"), "Event"), f)
    elif label == "Network":
        if f.sector is not None:
            ids &= _with_sector(store, "MEMBER_OF", f.sector)
        places = _network_places(store, f)
    else:  # Country: itself
        links = pd.DataFrame({"id": table["id"], "plabel": "Country", "place": table["id"]})
        places = _places(store, links.assign(kind="country"), f)
    return ids if places is None else ids & places


def _equals(table: pd.DataFrame, column: str, value) -> pd.Series:
    if column not in table:
        return pd.Series(False, index=table.index)
    return pd.Series((table[column] == value).to_numpy(dtype=bool, na_value=False), table.index)


def _links(store, rel_types, label: str) -> pd.DataFrame:
    """``id`` (a node of ``label``), ``plabel`` and ``place`` (a node it points to by one of
    ``rel_types``), ``kind`` ``"country"``: where it is based, held or drew people from."""
    parts = []
    for t in rel_types:
        p = store.rel_pairs(t)
        p = p[p["start_label"] == label]
        parts.append(pd.DataFrame({"id": p["start"], "plabel": p["end_label"], "place": p["end"]}))
    links = pd.concat(parts, ignore_index=True)
    return links.assign(kind="country")


def _targets(store) -> pd.DataFrame:
    """Where projects are: the countries and regions they target (``kind`` ``"country"`` /
    ``"region"``) and the countries of each region they target (a region target counts for
    each of its countries, ``kind`` ``"country"``)."""
    p = store.rel_pairs("TARGETS")
    p = p[(p["start_label"] == "Project") & p["end_label"].isin(["Country", "Region"])]
    kind = p["end_label"].map({"Country": "country", "Region": "region"})
    direct = pd.DataFrame(
        {"id": p["start"], "plabel": p["end_label"], "place": p["end"], "kind": kind}
    )
    inr = store.rel_pairs("IN_REGION")
    inr = inr[inr["start_label"] == "Country"][["start", "end"]]
    regions = p[p["end_label"] == "Region"][["start", "end"]]
    via = regions.merge(inr.rename(columns={"start": "country"}), on="end")
    countries = pd.DataFrame(
        {"id": via["start"], "plabel": "Country", "place": via["country"], "kind": "country"}
    )
    return pd.concat([direct, countries], ignore_index=True)


def _places(store, links: pd.DataFrame, f: Filters) -> set | None:
    """The ids among ``links`` tied to the country of ``f`` (a ``country`` link to it) and
    to its region (a ``region`` link to it, or a ``country`` link to a place that lies in
    it); None when ``f`` names neither."""
    ids = None
    country = links["kind"] == "country"
    if f.country is not None:
        ids = set(links.loc[country & (links["place"] == f.country), "id"])
    if f.region is not None:
        inr = store.rel_pairs("IN_REGION")
        inr = inr[inr["end"] == f.region]
        members = set(inr["start_label"] + ":" + inr["start"].astype(str))
        at = links["plabel"] + ":" + links["place"].astype(str)
        inside = country & isin(at, members)
        direct = (links["kind"] == "region") & (links["place"] == f.region)
        hit = set(links.loc[inside | direct, "id"])
        ids = hit if ids is None else ids & hit
    return ids


def _network_places(store, f: Filters) -> set | None:
    """Networks with a member based in the place of ``f``."""
    based = _places(store, _links(store, ("BASED_IN",), "Organization"), f)
    if based is None:
        return None
    p = store.rel_pairs("MEMBER_OF")
    return set(
        p.loc[(p["start_label"] == "Organization").to_numpy() & isin(p["start"], based), "end"]
    )


def _with_sector(store, rel_type: str, sector: str) -> set:
    """The ends of ``rel_type`` relationships that start at an organization of ``sector``."""
    orgs = store.node_table("Organization")
    of_sector = set(orgs.loc[_equals(orgs, "sector", sector), "id"])
    p = store.rel_pairs(rel_type)
    return set(
        p.loc[(p["start_label"] == "Organization").to_numpy() & isin(p["start"], of_sector), "end"]
    )


def _years(table: pd.DataFrame, column: str) -> pd.Series:
    values = table[column] if column in table else pd.Series(None, index=table.index)
    return pd.to_numeric(values, errors="coerce")


def _project_years(table: pd.DataFrame, f: Filters) -> set:
    """Projects whose agreement overlaps the years (an unknown start or end passes)."""
    keep = pd.Series(True, index=table.index)
    start, end = _years(table, "start_year"), _years(table, "end_year")
    if f.year_to is not None:
        keep &= ~(start > f.year_to)
    if f.year_from is not None:
        keep &= ~(end < f.year_from)
    return set(table.loc[keep, "id"])


def _event_years(table: pd.DataFrame, f: Filters) -> set:
    """Events held in the years (an event of unknown year does not pass a year filter)."""
    keep = pd.Series(True, index=table.index)
    year = _years(table, "year")
    if f.year_from is not None:
        keep &= year >= f.year_from
    if f.year_to is not None:
        keep &= year <= f.year_to
    return set(table.loc[keep, "id"])
