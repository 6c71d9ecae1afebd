"""The embedded store: a networkx multigraph for structure and a columnar table for money.

Nodes are keyed ``"Label:id"`` and carry ``label``, ``id`` and their properties; every
relationship but a funding flow is an edge keyed by its own id. Funding flows (``FUNDS``)
live in a :class:`~graph.store.flows.FlowTable`, one row per flow, so two flows between the
same pair stay two and every sum is a vectorised group-by, not a walk over edges.

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

import threading

import networkx as nx
import numpy as np
import pandas as pd

from graph.pause import collection_paused
from graph.schema import FLOW_TYPES, NODE_LABELS
from graph.store.base import Filters, GraphStore
from graph.store.batch import GraphBatch
from graph.store.changes import SOURCES, Removal, loaded_by
from graph.store.edge_tables import role_table, target_table
from graph.store.flows import GROUP_COLUMNS, FlowCodes, FlowTable, flow_view, plain_missing
from graph.store.graph_writes import FUNDS, apply_removal, checked_flows, write_edges, write_nodes
from graph.store.graph_writes import key as _key
from graph.store.graph_writes import remove_ids as _remove_ids
from graph.store.matching import matching_ids
from graph.store.tables import display_name, isin, pairs_frame, ties_frame, ties_in_tables
from graph.store.totals import check_flow_types, frame
from graph.store.vocabulary import FLOW_COLUMNS, check_label, check_rel_type

__all__ = ["MemoryStore"]


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
        self.flows = FlowTable()
        self._view: pd.DataFrame | None = None
        self._codes: FlowCodes | None = None
        self._by_type: dict[str, list] | None = None
        self._by_label: dict[str, list] | None = None
        self._reads: dict = {}  # tables and objects read since the last write
        self._kept: dict = {}  # tables every read starts from, built by each write
        self._lock = threading.RLock()

    def describe(self) -> str:
        return f"In-memory store ({self.name})"

    # -- writing -----------------------------------------------------------------------
    def existing_ids(self, label, ids):
        check_label(label)
        return {i for i in ids if _key(label, i) in self.graph}

    def existing_rel_ids(self, rel_type, ids):
        check_rel_type(rel_type)
        if rel_type == FUNDS:
            return self.flows.existing(ids)
        return {i for i in ids if (rel_type, i) in self._edge_index}

    def write_lock(self):
        return self._lock

    def write_planned(self, batch: GraphBatch, progress=None, existing=None, gone=None, clock=None):
        # a graph of many small dicts, none of them garbage; collected once when written
        with collection_paused(settle=True):
            return self._write_paused(batch, gone or Removal())

    def _write_paused(self, batch: GraphBatch, gone: Removal):
        # Work on a copy and swap at the end: all or nothing.
        g = self.graph.copy()
        index = dict(self._edge_index)
        flows = self.flows
        for label, rows in batch.nodes.items():
            check_label(label)
            write_nodes(g, label, rows)
        for (t, sl, el), rows in batch.rels.items():
            check_rel_type(t)
            if t == FUNDS:
                flows = flows.upsert(checked_flows(g, sl, el, rows), getattr(rows, "clears", None))
            else:
                write_edges(g, index, t, (sl, el), rows)
        flows, removed, kept = apply_removal(g, index, flows, gone)
        self._swap(g, index, flows)
        return removed, kept

    def _swap(self, g, index, flows) -> None:
        self.graph, self._edge_index, self.flows = g, index, flows
        self._view = self._codes = self._by_type = self._by_label = None
        self._reads = {}
        with collection_paused():
            self._prepare_reads()

    def remove_ids(self, ids):
        with collection_paused():
            g, index = self.graph.copy(), dict(self._edge_index)
            flows, removed = _remove_ids(g, index, self.flows, ids)
            self._swap(g, index, flows)
        return removed, {}

    def stored_nodes(self, label, ids):
        check_label(label)
        t = self.memo(("node_table", label), lambda: self._node_table(label))
        return t[isin(t["id"], ids)].reset_index(drop=True)

    def stored_rels(self, rel_type, ids):
        check_rel_type(rel_type)
        if rel_type == FUNDS:
            t = self.flows.frame
        else:
            t = self.memo(("rel_table", rel_type), lambda: self._rel_table(rel_type))
            t = t.drop(columns=["start_label", "end_label"], errors="ignore")
        return t[isin(t["id"], ids)].reset_index(drop=True)

    def of_source(self, source):
        out = {}
        for label in self._nodes_by_label():
            out[("node", label)] = self._of(
                self.memo(("node_table", label), lambda x=label: self._node_table(x)), source
            )
        for t in self._edges_by_type():
            out[("rel", t)] = self._of(
                self.memo(("rel_table", t), lambda t=t: self._rel_table(t)), source
            )
        if len(self.flows):
            out[("rel", FUNDS)] = self._of(self.flows.frame, source)
        return out

    @staticmethod
    def _of(t: pd.DataFrame, source: str) -> pd.DataFrame:
        if SOURCES not in t:
            return pd.DataFrame(columns=["id", SOURCES])
        return t.loc[loaded_by(t[SOURCES], source), ["id", SOURCES]].reset_index(drop=True)

    def _prepare_reads(self) -> None:
        """Build what every read starts from, once per write (so a load's time includes
        it): the flows with their donors joined, their grouping keys as integer codes,
        the nodes by label and relationships by type, and as columns every label's node
        table, every relationship type's pairs of ends, the partners' roles and the
        projects' targets (:mod:`graph.store.edge_tables`)."""
        self._flow_codes()
        self._kept = {}
        for label in self._nodes_by_label():
            self._kept[("node_table", label)] = self._node_table(label)
        for t in self._edges_by_type():
            self._kept[("rel_pairs", t)] = self._edge_pairs(t)
        self._kept["partner_roles"] = role_table(self._edges("PARTNER_IN"))
        self._kept["target_ties"] = target_table(self._edges("TARGETS"))
        if len(self.flows):
            self._kept[("rel_pairs", FUNDS)] = self._flow_pairs()

    def mark_load(self, load_id, props):
        self._loads.setdefault(load_id, {"load_id": load_id}).update(props)

    def load_history(self) -> pd.DataFrame:
        return frame(list(self._loads.values()), ("load_id", "source", "status"), sort="started")

    # -- reading -----------------------------------------------------------------------
    def counts(self):
        # from the lists each write builds, not a walk over every node and edge
        nodes = {label: 0 for label in NODE_LABELS}
        nodes.update({label: len(keys) for label, keys in self._nodes_by_label().items()})
        rels = {t: len(edges) for t, edges in self._edges_by_type().items() if edges}
        if len(self.flows):
            rels[FUNDS] = len(self.flows)
        return {"nodes": nodes, "relationships": dict(sorted(rels.items()))}

    def _props(self, k: str) -> dict:
        d = self.graph.nodes[k]
        return {kk: vv for kk, vv in d.items() if kk != "label"}

    def memo(self, key, build):
        """The object ``build()`` made for ``key`` since the store last changed (the store
        is written only by :meth:`write`, which forgets them all). Callers that change the
        object copy it first."""
        if key in self._kept:
            return self._kept[key]
        if key not in self._reads:
            with collection_paused():  # a table or graph of many small objects
                self._reads[key] = build()
        return self._reads[key]

    def forget_reads(self) -> None:
        """Drop every table and object kept by :meth:`memo` (the benchmarks time each
        analysis from a cold start this way). What :meth:`_prepare_reads` built stays: it
        belongs to the data as written, built once by each write."""
        self._reads = {}

    def node_table(self, label):
        check_label(label)
        return self.memo(("node_table", label), lambda: self._node_table(label)).copy()

    def _node_table(self, label):
        return frame([self._props(k) for k in self._nodes_by_label().get(label, [])], ("id",))

    def _nodes_by_label(self) -> dict[str, list]:
        if self._by_label is None:
            by_label: dict[str, list] = {}
            for k, d in self.graph.nodes(data=True):
                by_label.setdefault(d["label"], []).append(k)
            self._by_label = by_label
        return self._by_label

    def _edges(self, rel_type):
        """``(u, v, data)`` of every relationship of ``rel_type`` (the graph is walked once
        per write for all types, not once per call)."""
        return self._edges_by_type().get(rel_type, [])

    def _edges_by_type(self) -> dict[str, list]:
        if self._by_type is None:
            by_type: dict[str, list] = {}
            for u, v, d in self.graph.edges(data=True):
                by_type.setdefault(d["type"], []).append((u, v, d))
            self._by_type = by_type
        return self._by_type

    def rel_table(self, rel_type):
        check_rel_type(rel_type)
        if rel_type == FUNDS:
            return self.flows.rel_table("Organization")
        return self.memo(("rel_table", rel_type), lambda: self._rel_table(rel_type)).copy()

    def rel_pairs(self, rel_type):
        check_rel_type(rel_type)
        if rel_type != FUNDS:
            build = self._edge_pairs
            return self.memo(("rel_pairs", rel_type), lambda: build(rel_type)).copy()
        return self.memo(("rel_pairs", rel_type), self._flow_pairs).copy()

    def ties_of(self, label, node_id, rel_types):
        check_label(label)
        parts = []
        for t in rel_types:
            if t != FUNDS:
                parts.append(ties_in_tables(self, label, node_id, [t]))
            elif label == "Organization":  # flows join organizations only
                f = self.flows.frame  # the flows of one organization, not a copy of them all
                f = f[((f["start"] == node_id) | (f["end"] == node_id)).to_numpy()]
                parts.append(f.assign(start_label=label, end_label=label, type=t))
        return ties_frame(parts, rel_types)

    def _edge_pairs(self, rel_type) -> pd.DataFrame:
        """The relationships of ``rel_type`` counted per pair of node keys (their
        properties are not read)."""
        edges = self._edges(rel_type)
        if not edges:
            return super().rel_pairs(rel_type)
        keys = pd.DataFrame({"u": [u for u, _, _ in edges], "v": [v for _, v, _ in edges]})
        pairs = keys.groupby(["u", "v"], sort=False).size().reset_index(name="count")
        for side, col in (("start", "u"), ("end", "v")):
            split = pairs[col].str.partition(":")
            pairs[f"{side}_label"], pairs[side] = split[0], split[2]
        return pairs_frame(pairs)

    def _flow_pairs(self) -> pd.DataFrame:
        t = self.flows.frame
        pairs = t.groupby(["start", "end"], sort=False).size().reset_index(name="count")
        pairs.insert(0, "start_label", "Organization")
        pairs.insert(2, "end_label", "Organization")
        return pairs_frame(pairs)

    def _rel_table(self, rel_type):
        edges = self._edges(rel_type)
        first = ("id", "start", "end", "start_label", "end_label")
        if not edges:
            return frame([], first)
        table = pd.DataFrame([d for _, _, d in edges]).drop(columns="type")
        for side, at in (("start", 0), ("end", 1)):
            split = pd.Series([e[at] for e in edges], dtype=object).str.partition(":")
            table[side], table[f"{side}_label"] = split[2].to_numpy(), split[0].to_numpy()
        return frame(table, first)

    def partners_in_role(self, role):
        roles = self.memo("partner_roles", lambda: role_table(self._edges("PARTNER_IN")))
        hit = roles[(roles["role"] == role).to_numpy(dtype=bool)]  # in id order
        return pd.DataFrame(
            {"project": hit["project"].to_numpy(object), "org": hit["org"].to_numpy(object)},
            dtype=object,
        )

    # filters -------------------------------------------------------------------------
    def _out(self, k: str, rel_type: str, label: str | None = None) -> list[str]:
        return [
            v
            for _, v, d in self.graph.out_edges(k, data=True)
            if d["type"] == rel_type and (label is None or self.graph.nodes[v]["label"] == label)
        ]

    def _region_countries(self) -> dict[str, set]:
        """Each region's key → the ids of what lies in it, from the ``IN_REGION`` ties only
        (a region's in-edges also hold every project that targets it: scanning them once
        per region made the region tables grow with the projects)."""
        within: dict[str, set] = {}
        for c, g, _d in self._edges("IN_REGION"):
            within.setdefault(g, set()).add(self.graph.nodes[c]["id"])
        return within

    def nodes(self, label, filters=None):
        check_label(label)
        f = filters or Filters()
        ids = matching_ids(self, label, f)  # column by column, not node by node
        if ids is None:
            return self.node_table(label)
        keys = self._nodes_by_label().get(label, [])
        rows = [self._props(k) for k in keys if self.graph.nodes[k]["id"] in ids]
        return frame(rows, ("id",))

    def _orgs(self) -> pd.DataFrame:
        """id, sector, country and display name of every organization."""
        rows = [
            {"id": d["id"], "sector": d.get("sector"), "country": d.get("country")}
            | {"name": display_name(d)}
            for d in map(
                self.graph.nodes.__getitem__, self._nodes_by_label().get("Organization", [])
            )
        ]
        return pd.DataFrame(rows, columns=["id", "sector", "country", "name"])

    def _flow_view(self) -> pd.DataFrame:
        """The flows with donor attributes joined; built once per write."""
        if self._view is None:
            self._view = flow_view(self.flows, self._orgs())
        return self._view

    def _flow_mask(self, view: pd.DataFrame, f: Filters) -> pd.Series:
        """Flows whose year and donor pass ``f``: a vectorised mask (donors tested once
        each, not once per flow)."""
        keep = view["external"] == bool(f.external)
        if f.year_from is not None or f.year_to is not None:
            year = pd.to_numeric(view["year"], errors="coerce")
            if f.year_from is not None:
                keep &= year >= f.year_from
            if f.year_to is not None:
                keep &= year <= f.year_to
        if f.sector is not None or f.country is not None or f.region is not None:
            donors = matching_ids(self, "Organization", f)  # organizations have no years
            keep &= isin(view["start"], donors)
        for ends, column in ((f.donors, "donor"), (f.recipients, "recipient")):
            if ends is not None:  # each one tested once, by its code
                keep &= self._flow_codes().isin(GROUP_COLUMNS[column], ends)
        if f.projects is not None:
            keep &= self._flow_codes().isin(GROUP_COLUMNS["project"], f.projects)
        return keep

    def funding_flows(self, filters=None):
        f = filters or Filters()
        view, codes = self._flow_view(), self._flow_codes()
        keep = self._flow_mask(view, f).to_numpy()  # the view is in the table's row order
        t = self.flows.frame[keep]
        if t.empty:
            return pd.DataFrame(columns=list(FLOW_COLUMNS))
        names = self._orgs().set_index("id")["name"]  # looked up once per organization
        cols = {
            **{c: t[c].array for c in FLOW_COLUMNS if c in t},
            "flow_id": t["id"].array,
            "donor_id": t["start"].array,
            "recipient_id": t["end"].array,
            "donor": codes.mapped(GROUP_COLUMNS["donor"], names, keep),
            "recipient": codes.mapped(GROUP_COLUMNS["recipient"], names, keep),
            "donor_sector": view["donor_sector"].array[keep],
            "donor_country": view["donor_country"].array[keep],
        }
        # one table from the columns, already in flow id order (as the table keeps them);
        # a property no flow has is None all the way down, with nothing to infer
        typed = plain_missing(pd.DataFrame(cols, copy=False))
        none = np.full(len(t), None, dtype=object)
        return pd.DataFrame({c: typed.get(c, none) for c in FLOW_COLUMNS}, copy=False)

    def _flows_touching(self, keys: set[str]) -> list[tuple[str, str, str]]:
        """``(donor key, recipient key, flow id)`` of the flows from or to ``keys``."""
        orgs = {self.graph.nodes[k]["id"] for k in keys if k.startswith("Organization:")}
        t = self.flows.frame
        if not orgs or t.empty:
            return []
        hit = t[isin(t["start"], orgs) | isin(t["end"], orgs)]
        return [
            (_key("Organization", u), _key("Organization", v), rid)
            for u, v, rid in zip(hit["start"], hit["end"], hit["id"], strict=True)
        ]

    def neighbourhood(self, label, node_id, depth=1):
        check_label(label)
        start = _key(label, node_id)
        if start not in self.graph:
            return frame([], ("label", "id", "name")), frame([], ("id", "type", "start", "end"))
        seen = {start}
        frontier = {start}
        rels = {}
        for _ in range(max(0, int(depth))):
            ties = [
                (d["type"], d["id"], u, v)
                for k in frontier
                for u, v, _ek, d in [
                    *self.graph.out_edges(k, keys=True, data=True),
                    *self.graph.in_edges(k, keys=True, data=True),
                ]
            ]
            ties += [(FUNDS, rid, u, v) for u, v, rid in self._flows_touching(frontier)]
            nxt = set()
            for t, rid, u, v in ties:
                rels[(t, rid)] = (u, v)
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
    def _flow_codes(self) -> FlowCodes:
        """The grouping columns of the flow view as integer codes; built once per write."""
        if self._codes is None:
            self._codes = FlowCodes(self._flow_view(), (*GROUP_COLUMNS.values(), "flow_type"))
        return self._codes

    def _negative_rows(self, filters, flow_types):
        # the flows' codes and one mask, not a frame of every flow selected
        view = self._flow_view()
        usd = np.asarray(view["amount_usd"], dtype=float)
        keep = self._kept_flows(filters, flow_types) & (usd < 0)
        if not keep.any():
            return []
        columns = (GROUP_COLUMNS["donor"], GROUP_COLUMNS["recipient"])
        sums = self._flow_codes().sums(columns, keep)
        sums = sums.rename(columns=dict(zip(columns, ("donor", "recipient"), strict=True)))
        sums = sums.sort_values(["donor", "recipient"], ignore_index=True)
        return sums[["donor", "recipient", "flows", "amount_usd"]].to_dict("records")

    def funding_pairs(self, a, b, filters=None, *, flow_types=None):
        for k in (a, b):
            if k not in GROUP_COLUMNS:
                return super().funding_pairs(a, b, filters, flow_types=flow_types)  # says why
        f, types = filters or Filters(), check_flow_types(flow_types)
        key = ("funding_pairs", a, b, f, types)  # kept per load: several analyses share them
        return self.memo(key, lambda: self._pairs(a, b, f, types)).copy()

    def funding_links(self, a, b, filters=None, *, flow_types=None):
        if a not in GROUP_COLUMNS or b not in GROUP_COLUMNS:
            return super().funding_links(a, b, filters, flow_types=flow_types)  # says why
        f, types = filters or Filters(), check_flow_types(flow_types)
        key = ("funding_links", a, b, f, types)  # kept per load, as the pairs are
        return self.memo(key, lambda: self._pairs(a, b, f, types, repeats=True)).copy()

    def _pairs(self, a, b, f, types, repeats=False):
        # Categoricals made from the flow codes: the portfolio and the cliff match and
        # sort them by distinct value (745,000 project–donor pairs at a million flows).
        keep = self._kept_flows(f, types)
        columns = (GROUP_COLUMNS[a], GROUP_COLUMNS[b])
        codes = self._flow_codes()
        pairs = codes.taken(columns, keep) if repeats else codes.distinct(columns, keep)
        pairs.columns = [a, b]
        return pairs[pairs[b].notna().to_numpy()].reset_index(drop=True)

    def _in_money(self):
        # the donors' and recipients' codes of the own flows counted: nothing summed
        keep, codes = self._kept_flows(Filters(), FLOW_TYPES), self._flow_codes()
        return frozenset(
            codes.present(GROUP_COLUMNS["donor"], keep)
            | codes.present(GROUP_COLUMNS["recipient"], keep)
        )

    def _money_projects(self, org):
        # the flows it gives or receives as one mask, their projects read by code: nothing
        # summed, no pair of project and recipient made
        ends = (Filters(donors=(org,)), Filters(recipients=(org,)))
        keep = np.logical_or(*(self._kept_flows(f, FLOW_TYPES) for f in ends))
        return frozenset(self._flow_codes().present(GROUP_COLUMNS["project"], keep))

    def _kept_flows(self, filters: Filters, flow_types) -> np.ndarray:
        """A mask of the flows that pass ``filters`` and are of ``flow_types``."""
        codes = self._flow_codes()
        return self._flow_mask(self._flow_view(), filters).to_numpy() & codes.isin(
            "flow_type", flow_types
        )

    def _funding_sums(self, keys, filters, flow_types):
        codes = self._flow_codes()
        keep = self._kept_flows(filters, flow_types)
        if not keep.any():
            return [] if keys else [{"amount_usd": 0.0, "flows": 0, "usd_known": 0}]
        columns = tuple(GROUP_COLUMNS[k] for k in keys)
        sums = codes.sums(columns, keep, amount=True, ranked=True)
        names = {GROUP_COLUMNS[k]: k for k in keys}
        return sums.rename(
            columns={**names, **{f"rank:{c}": f"rank:{k}" for c, k in names.items()}}
        )

    def _ordered_keys(self, keys) -> dict:
        codes = self._flow_codes()
        ranks = {k: codes.ranks(GROUP_COLUMNS[k]) for k in keys if k in GROUP_COLUMNS}
        return {k: r[1] for k, r in ranks.items() if r is not None}

    def _org_region_rows(self, scheme):
        rows = []
        for k in self._nodes_by_label().get("Organization", []):
            d = self.graph.nodes[k]
            regions = {
                self.graph.nodes[g]["id"]
                for c in self._out(k, "BASED_IN")
                for g in self._out(c, "IN_REGION")
                if self.graph.nodes[g].get("scheme") == scheme
            }
            if regions:
                rows.append({"id": d["id"], "regions": sorted(regions)})
        return rows

    def _target_ties(self, scheme):
        """The project targets, and each target's place once. Each region's countries and
        each country's regions of ``scheme`` are looked up once, not once per target: a
        region that a hundred thousand projects target holds those targets among its
        in-edges, and scanning them for every target made this quadratic."""
        nodes = self.graph.nodes
        regions_at: dict[str, list] = {}

        def regions_of(k):
            if k not in regions_at:
                regions_at[k] = sorted(
                    {
                        nodes[g]["id"]
                        for g in self._out(k, "IN_REGION")
                        if nodes[g].get("scheme") == scheme
                    }
                )
            return regions_at[k]

        ties, targets = self.memo("target_ties", lambda: target_table(self._edges("TARGETS")))
        within = self._region_countries()
        places = {}
        for v in targets:  # each target once
            x = nodes[v]
            countries = sorted(within.get(v, ())) if x["label"] == "Region" else []
            places[(x["label"], x["id"])] = {
                "target_scheme": x.get("scheme"),
                "regions": regions_of(v) if x["label"] == "Country" else [],
                "members": [[c, regions_of(_key("Country", c))] for c in countries],
            }
        return ties, places

    def _region_member_rows(self, scheme):
        rows, within = [], self._region_countries()
        for k in self._nodes_by_label().get("Region", []):
            d = self.graph.nodes[k]
            if d.get("scheme") == scheme:
                rows.append({"region": d["id"], "countries": sorted(within.get(k, ()))})
        return rows
