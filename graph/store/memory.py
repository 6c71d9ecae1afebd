"""The embedded store: a networkx multigraph in memory, no server needed.

Nodes are keyed ``"Label:id"`` and carry ``label``, ``id`` and their properties; every
relationship is an edge keyed by its own id, so two flows between the same pair stay two.

Examples
--------
>>> from graph.store.batch import GraphBatch
>>> store = MemoryStore()
>>> b = GraphBatch(nodes={"Organization": [{"id": "a", "props": {"name": "A"}},
...                                         {"id": "b", "props": {"name": "B"}}]},
...                rels={("FUNDS", "Organization", "Organization"): [
...                    {"id": "f1", "start": "a", "end": "b", "props": {"year": 2024}},
...                    {"id": "f2", "start": "a", "end": "b", "props": {"year": 2025}}]})
>>> store.write(b).created
{'nodes': 2, 'relationships': 2}
>>> store.write(b).created
{'nodes': 0, 'relationships': 0}
>>> store.counts()["relationships"]["FUNDS"]
2
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from graph.schema import NODE_LABELS
from graph.store.base import (
    FLOW_COLUMNS,
    Filters,
    GraphStore,
    check_label,
    check_rel_type,
    display_name,
)
from graph.store.batch import GraphBatch
from graph.store.totals import frame

__all__ = ["MemoryStore"]


def _key(label: str, node_id) -> str:
    return f"{label}:{node_id}"


class MemoryStore(GraphStore):
    """A graph store held in a networkx ``MultiDiGraph``.

    Parameters
    ----------
    name : str
        What :meth:`describe` calls it (e.g. the folder it was loaded from).
    """

    kind = "memory"

    def __init__(self, name: str = "in-memory"):
        self.name = name
        self.graph = nx.MultiDiGraph()
        self._edge_index: dict[tuple[str, str], tuple] = {}
        self._loads: dict[str, dict] = {}

    def describe(self) -> str:
        return f"In-memory store ({self.name})"

    # -- writing -----------------------------------------------------------------------
    def existing_ids(self, label, ids):
        check_label(label)
        return {i for i in ids if _key(label, i) in self.graph}

    def existing_rel_ids(self, rel_type, ids):
        check_rel_type(rel_type)
        return {i for i in ids if (rel_type, i) in self._edge_index}

    def _write_batch(self, batch: GraphBatch) -> None:
        # Work on a copy and swap at the end: all or nothing.
        g = self.graph.copy()
        index = dict(self._edge_index)
        for label, rows in batch.nodes.items():
            check_label(label)
            for r in rows:
                k = _key(label, r["id"])
                if k in g:
                    g.nodes[k].update(dict(r["props"]))
                else:
                    g.add_node(k, label=label, id=r["id"], **dict(r["props"]))
        for (t, sl, el), rows in batch.rels.items():
            check_rel_type(t)
            for r in rows:
                u, v = _key(sl, r["start"]), _key(el, r["end"])
                for end in (u, v):
                    if end not in g:
                        raise KeyError(f"{t} {r['id']}: no node {end}")
                old = index.get((t, r["id"]))
                if old is not None and (old[0], old[1]) == (u, v):
                    g.edges[old].update(dict(r["props"]))
                    continue
                if old is not None:
                    g.remove_edge(*old)
                ek = f"{t}:{r['id']}"
                g.add_edge(u, v, key=ek, type=t, id=r["id"], **dict(r["props"]))
                index[(t, r["id"])] = (u, v, ek)
        self.graph, self._edge_index = g, index

    def _mark_load(self, load_id, props):
        self._loads.setdefault(load_id, {"load_id": load_id}).update(props)

    def load_history(self) -> pd.DataFrame:
        return frame(list(self._loads.values()), ("load_id", "source", "status"), sort="started")

    # -- reading -----------------------------------------------------------------------
    def counts(self):
        nodes = {label: 0 for label in NODE_LABELS}
        for _, d in self.graph.nodes(data=True):
            nodes[d["label"]] += 1
        rels: dict[str, int] = {}
        for *_, d in self.graph.edges(keys=True, data=True):
            rels[d["type"]] = rels.get(d["type"], 0) + 1
        return {"nodes": nodes, "relationships": dict(sorted(rels.items()))}

    def _props(self, k: str) -> dict:
        d = self.graph.nodes[k]
        return {kk: vv for kk, vv in d.items() if kk != "label"}

    def node_table(self, label):
        check_label(label)
        rows = [self._props(k) for k, d in self.graph.nodes(data=True) if d["label"] == label]
        return frame(rows, ("id",))

    def _edges(self, rel_type):
        for u, v, _k, d in self.graph.edges(keys=True, data=True):
            if d["type"] == rel_type:
                yield u, v, d

    def rel_table(self, rel_type):
        check_rel_type(rel_type)
        rows = []
        for u, v, d in self._edges(rel_type):
            row = {kk: vv for kk, vv in d.items() if kk != "type"}
            row.update(
                start=self.graph.nodes[u]["id"],
                end=self.graph.nodes[v]["id"],
                start_label=self.graph.nodes[u]["label"],
                end_label=self.graph.nodes[v]["label"],
            )
            rows.append(row)
        return frame(rows, ("id", "start", "end", "start_label", "end_label"))

    # filters -------------------------------------------------------------------------
    def _out(self, k: str, rel_type: str, label: str | None = None) -> list[str]:
        return [
            v
            for _, v, d in self.graph.out_edges(k, data=True)
            if d["type"] == rel_type and (label is None or self.graph.nodes[v]["label"] == label)
        ]

    def _in(self, k: str, rel_type: str) -> list[str]:
        return [u for u, _, d in self.graph.in_edges(k, data=True) if d["type"] == rel_type]

    def _country_regions(self, country_key: str) -> set[str]:
        return {self.graph.nodes[r]["id"] for r in self._out(country_key, "IN_REGION")}

    def _places_match(self, country_keys: list[str], region_keys: list[str], f: Filters) -> bool:
        ids = {self.graph.nodes[c]["id"] for c in country_keys}
        if f.country is not None and f.country not in ids:
            return False
        if f.region is not None:
            regions = {self.graph.nodes[r]["id"] for r in region_keys}
            for c in country_keys:
                regions |= self._country_regions(c)
            if f.region not in regions:
                return False
        return True

    def _org_matches(self, k: str, f: Filters) -> bool:
        if f.sector is not None and self.graph.nodes[k].get("sector") != f.sector:
            return False
        return self._places_match(self._out(k, "BASED_IN"), [], f)

    def _any_org(self, org_keys, f: Filters) -> bool:
        return any(self.graph.nodes[o].get("sector") == f.sector for o in org_keys)

    def _project_matches(self, k: str, f: Filters) -> bool:
        d = self.graph.nodes[k]
        start, end = d.get("start_year"), d.get("end_year")
        if f.year_to is not None and start is not None and start > f.year_to:
            return False
        if f.year_from is not None and end is not None and end < f.year_from:
            return False
        if f.sector is not None and not self._any_org(self._in(k, "PARTNER_IN"), f):
            return False
        return self._places_match(
            self._out(k, "TARGETS", "Country"), self._out(k, "TARGETS", "Region"), f
        )

    def _event_matches(self, k: str, f: Filters) -> bool:
        y = self.graph.nodes[k].get("year")
        if f.year_from is not None and (y is None or y < f.year_from):
            return False
        if f.year_to is not None and (y is None or y > f.year_to):
            return False
        if f.sector is not None and not self._any_org(self._in(k, "ORGANIZED"), f):
            return False
        return self._places_match(self._out(k, "HELD_IN") + self._out(k, "INVOLVES"), [], f)

    def _network_matches(self, k: str, f: Filters) -> bool:
        members = self._in(k, "MEMBER_OF")
        if f.sector is not None and not self._any_org(members, f):
            return False
        if f.country is None and f.region is None:
            return True
        return any(self._places_match(self._out(m, "BASED_IN"), [], f) for m in members)

    def _matches(self, label: str, k: str, f: Filters) -> bool:
        test = {
            "Organization": self._org_matches,
            "Project": self._project_matches,
            "Event": self._event_matches,
            "Network": self._network_matches,
            "Country": lambda key, flt: self._places_match([key], [], flt),
        }.get(label)
        return True if test is None else test(k, f)

    def nodes(self, label, filters=None):
        check_label(label)
        f = filters or Filters()
        rows = [
            self._props(k)
            for k, d in self.graph.nodes(data=True)
            if d["label"] == label and self._matches(label, k, f)
        ]
        return frame(rows, ("id",))

    def _filtered_flows(self, f: Filters):
        """FUNDS edges ``(donor key, recipient key, data)`` whose year and donor pass ``f``."""
        for u, v, d in self._edges("FUNDS"):
            y = d.get("year")
            if f.year_from is not None and (y is None or y < f.year_from):
                continue
            if f.year_to is not None and (y is None or y > f.year_to):
                continue
            if self._org_matches(u, f):
                yield u, v, d

    def funding_flows(self, filters=None):
        f = filters or Filters()
        rows = []
        for u, v, d in self._filtered_flows(f):
            donor, recipient = self.graph.nodes[u], self.graph.nodes[v]
            row = {c: d.get(c) for c in FLOW_COLUMNS}
            row.update(
                flow_id=d["id"],
                donor_id=donor["id"],
                donor=display_name(donor),
                donor_sector=donor.get("sector"),
                donor_country=donor.get("country"),
                recipient_id=recipient["id"],
                recipient=display_name(recipient),
            )
            rows.append(row)
        return frame(rows, FLOW_COLUMNS, sort="flow_id")

    def neighbourhood(self, label, node_id, depth=1):
        check_label(label)
        start = _key(label, node_id)
        if start not in self.graph:
            return frame([], ("label", "id", "name")), frame([], ("id", "type", "start", "end"))
        seen = {start}
        frontier = {start}
        rels = {}
        for _ in range(max(0, int(depth))):
            nxt = set()
            for k in frontier:
                edges = list(self.graph.out_edges(k, keys=True, data=True)) + list(
                    self.graph.in_edges(k, keys=True, data=True)
                )
                for u, v, _ek, d in edges:
                    rels[(d["type"], d["id"])] = (u, v)
                    for other in (u, v):
                        if other not in seen:
                            seen.add(other)
                            nxt.add(other)
            frontier = nxt
        nodes = [
            {
                "label": self.graph.nodes[k]["label"],
                "id": self.graph.nodes[k]["id"],
                "name": display_name(self.graph.nodes[k]),
            }
            for k in seen
        ]
        rel_rows = [
            {
                "id": rid,
                "type": t,
                "start": self.graph.nodes[u]["id"],
                "end": self.graph.nodes[v]["id"],
                "start_label": self.graph.nodes[u]["label"],
                "end_label": self.graph.nodes[v]["label"],
            }
            for (t, rid), (u, v) in rels.items()
        ]
        nodes_df = frame(nodes, ("label", "id", "name"), sort=None)
        if len(nodes_df):
            nodes_df = nodes_df.sort_values(["label", "id"]).reset_index(drop=True)
        rels_df = frame(rel_rows, ("id", "type", "start", "end"), sort=None)
        if len(rels_df):
            rels_df = rels_df.sort_values(["type", "id"]).reset_index(drop=True)
        return nodes_df, rels_df

    # -- funding aggregation: grouped by pandas ----------------------------------------
    def _flow_rows(self, f: Filters, flow_types) -> list[dict]:
        """One row per flow that passes the filters, with every grouping key."""
        types = set(flow_types)
        rows = []
        for u, v, d in self._filtered_flows(f):
            if (d.get("flow_type") or "income") not in types:
                continue
            y = d.get("year")
            donor, recipient = self.graph.nodes[u], self.graph.nodes[v]
            rows.append(
                {
                    "donor": donor["id"],
                    "donor_sector": donor.get("sector"),
                    "donor_country": donor.get("country"),
                    "recipient": recipient["id"],
                    "project": d.get("project_id"),
                    "year": y,
                    "channel": d.get("channel"),
                    "kind": d.get("kind"),
                    "flow_type": d.get("flow_type") or "income",
                    "pooled": bool(d.get("pooled")) or donor.get("sector") == "pool",
                    "currency": d.get("currency"),
                    "usd": d.get("amount_usd"),
                    "amount": d.get("amount"),
                }
            )
        return rows

    def _negative_rows(self, filters, flow_types):
        flows = pd.DataFrame(self._flow_rows(filters, flow_types))
        if flows.empty:
            return []
        neg = flows[flows["usd"].astype(float) < 0]
        g = neg.groupby(["donor", "recipient"]).agg(
            flows=("usd", "size"), amount_usd=("usd", "sum")
        )
        return g.reset_index().to_dict("records")

    def _funding_sums(self, keys, filters, flow_types):
        flows = pd.DataFrame(self._flow_rows(filters, flow_types))
        if flows.empty:
            return [] if keys else [{"amount_usd": 0.0, "flows": 0, "usd_known": 0}]
        flows["usd_is_known"] = flows["usd"].notna()
        flows["amount_is_known"] = flows["amount"].notna()
        flows["usd"] = flows["usd"].astype(float)
        if not keys:
            flows["_all"] = 0
        group = list(keys) or ["_all"]
        g = (
            flows.astype({k: object for k in group})
            .groupby(group, dropna=False, sort=False)
            .agg(
                amount_usd=("usd", "sum"),
                flows=("usd", "size"),
                usd_known=("usd_is_known", "sum"),
                amount_known=("amount_is_known", "sum"),
            )
            .reset_index()
        )
        return g.drop(columns=["_all"], errors="ignore").to_dict("records")

    def _org_region_rows(self, scheme):
        rows = []
        for k, d in self.graph.nodes(data=True):
            if d["label"] != "Organization":
                continue
            regions = {
                self.graph.nodes[g]["id"]
                for c in self._out(k, "BASED_IN")
                for g in self._out(c, "IN_REGION")
                if self.graph.nodes[g].get("scheme") == scheme
            }
            if regions:
                rows.append({"id": d["id"], "regions": sorted(regions)})
        return rows

    def _project_target_rows(self, scheme):
        rows = []
        for u, v, d in self._edges("TARGETS"):
            x = self.graph.nodes[v]
            regions = sorted(
                {
                    self.graph.nodes[g]["id"]
                    for g in self._out(v, "IN_REGION")
                    if self.graph.nodes[g].get("scheme") == scheme
                }
            )
            rows.append(
                {
                    "project": self.graph.nodes[u]["id"],
                    "target": x["id"],
                    "label": x["label"],
                    "target_scheme": x.get("scheme"),
                    "share": d.get("share"),
                    "regions": regions,
                }
            )
        return rows

    def _region_member_rows(self, scheme):
        rows = []
        for k, d in self.graph.nodes(data=True):
            if d["label"] == "Region" and d.get("scheme") == scheme:
                countries = sorted({self.graph.nodes[c]["id"] for c in self._in(k, "IN_REGION")})
                rows.append({"region": d["id"], "countries": countries})
        return rows
