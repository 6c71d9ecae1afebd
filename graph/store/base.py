"""What every graph store answers, and the plain-data types it answers with.

Two stores implement :class:`GraphStore`: :class:`graph.store.memory.MemoryStore`
(networkx, the embedded default) and :class:`graph.store.neo4j.Neo4jStore` (a Bolt server).
Both take the same :class:`~graph.store.batch.GraphBatch` and answer the same questions with the
same pandas DataFrames, so tests load the same records into both and compare.

Examples
--------
>>> f = Filters(year_from=2024, region="focus:africa")
>>> f.year_from, f.year_to, f.region
(2024, None, 'focus:africa')
"""

from __future__ import annotations

import abc
import contextlib

import pandas as pd

from graph.schema import FLOW_TYPES, KINDS, NODE_LABELS, REL_TYPES
from graph.store import writing
from graph.store.around import Around, facts_from_tables
from graph.store.batch import GraphBatch
from graph.store.changes import SOURCES
from graph.store.filters import Filters
from graph.store.load_report import LoadReport
from graph.store.reading import block, keep, kept
from graph.store.tables import PAIR_COLUMNS, distinct_set, pairs_frame, ties_in_tables
from graph.store.totals import (
    FLOW_KEYS,
    check_flow_types,
    check_funding_keys,
    grouped_totals,
    isnull,
    rollup_map,
    spread_rows,
    target_weights,
)
from graph.store.vocabulary import check_label

__all__ = ["Filters", "LoadReport", "GraphStore"]


class GraphStore(abc.ABC):
    """The questions every store answers. Subclasses implement the abstract methods."""

    #: "memory" or "neo4j"; reads it may have in flight at once (:func:`side_by_side`)
    kind, read_sessions = "", 1

    # -- description -------------------------------------------------------------------
    @abc.abstractmethod
    def describe(self) -> str:
        """Where the data lives, for the sidebar and the CLI (no credentials)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- writing -----------------------------------------------------------------------
    @abc.abstractmethod
    def existing_ids(self, label: str, ids: list) -> set:
        """Which of ``ids`` the store holds as nodes of ``label``."""

    @abc.abstractmethod
    def existing_rel_ids(self, rel_type: str, ids: list) -> set:
        """Which of ``ids`` the store holds as relationships of ``rel_type``."""

    @abc.abstractmethod
    def write_planned(self, batch: GraphBatch, progress=None, existing=None, gone=None, clock=None):
        """Write a planned batch (:mod:`graph.store.writing`: each row with every value to
        set, ``None`` to clear one, and its sources) and remove what ``gone`` (a
        :class:`~graph.store.changes.Removal`) says, all in one transaction; a store that
        sends rows in parts calls ``progress(rows_written, rows_in_all)`` between parts.
        ``existing`` (type → set of ids) says which relationships the store already holds:
        the others are new and are created without a merge. Returns how many records were
        removed and how many nodes were kept (still tied to other records), by label and
        type. ``clock`` is what :meth:`clock` said before the plan was made: a store that
        keeps one raises :class:`~graph.errors.ConcurrentWrite` when another write came in
        since (the plan is made again)."""

    @abc.abstractmethod
    def mark_load(self, load_id: str, props: dict) -> None:
        """Create or update the load-history marker ``load_id``."""

    @abc.abstractmethod
    def load_history(self) -> pd.DataFrame:
        """One row per load: load_id, source, status, started, finished, counts."""

    def write(
        self,
        batch: GraphBatch,
        *,
        source: str = "",
        progress=None,
        sync: bool = False,
        replace: bool = False,
    ) -> LoadReport:
        """Write a batch as a load from ``source``; report what it created, updated, left
        unchanged, found in conflict and (with ``sync``) removed.

        Each record remembers the sources that loaded it. A record already there is read
        first: one of this source whose values differ is updated (a value the file no
        longer gives is cleared), one whose values are the same is not written again, and
        one that another source loaded with different values is kept as it is and reported
        (``replace=True`` overwrites it); see :mod:`graph.store.changes`. With ``sync``, the
        records of ``source`` that the batch no longer holds are removed (only the source's
        name, from records other sources loaded too).

        A marker with status ``started`` is written first and set to ``complete`` at the
        end, so a load that dies part-way is visible (:meth:`incomplete_loads`); the next
        complete load of the same source closes it. The writes themselves run in one
        transaction, tried again with waits when another client's write gets in the way.
        ``progress(rows_written, rows_in_all)`` is called while the rows are sent.

        When the newest load of the store is a complete load of the very same records (same
        fingerprint), nothing is written again, and a re-load of unchanged data costs the
        reading and the checks only.
        """
        return writing.write(
            self, batch, source=source, progress=progress, sync=sync, replace=replace
        )

    def retract(self, *, source: str | None = None, ids=()) -> LoadReport:
        """Remove on purpose every record of ``source`` (records other sources also
        loaded only lose its name), or the records with ``ids`` (a node with its ties).
        Recorded in the load history."""
        return writing.retract(self, source=source, ids=ids)

    def write_lock(self):
        """What a load holds while it plans and writes: nothing here (a server keeps
        transactions apart, and a load whose write clashes is planned again); the embedded
        store, which swaps in a changed copy of itself, holds a lock so that two loads in
        one process do not both plan from the same state."""
        return contextlib.nullcontext()

    def clock(self):
        """How many writes the store has taken, read before a load plans (``None`` for a
        store whose :meth:`write_lock` already keeps loads apart)."""
        return None

    @abc.abstractmethod
    def stored_nodes(self, label: str, ids) -> pd.DataFrame:
        """The stored versions of the nodes of ``label`` among ``ids``: ``id`` and one
        column per property (``loaded_from`` among them)."""

    @abc.abstractmethod
    def stored_rels(self, rel_type: str, ids) -> pd.DataFrame:
        """The stored versions of the relationships of ``rel_type`` among ``ids``: ``id``,
        ``start``, ``end`` and one column per property."""

    @abc.abstractmethod
    def of_source(self, source: str) -> dict:
        """The records ``source`` loaded: ``("node", label)`` or ``("rel", type)`` → DataFrame
        of ``id`` and ``loaded_from``."""

    @abc.abstractmethod
    def remove_ids(self, ids) -> tuple[dict, dict]:
        """Remove the nodes (with their ties) and relationships whose id is one of ``ids``,
        in one transaction: how many were removed, by label and type, and ``{}``."""

    def is_latest_complete(self, load_id: str) -> bool:
        """Whether the newest load the store records is a complete load ``load_id``."""
        h = self.load_history()
        if not len(h) or "started_ns" not in h:
            return False
        last = h.sort_values("started_ns", kind="stable").iloc[-1]
        return last["load_id"] == load_id and last["status"] == "complete"

    def incomplete_loads(self) -> pd.DataFrame:
        """Loads that started and never finished and that no later complete load of the same
        source closed (see :func:`graph.store.writing.close_stale`)."""
        h = self.load_history()
        return h[h["status"] == "started"].reset_index(drop=True) if len(h) else h

    def known_keys(self) -> dict[str, set]:
        """Keys of every node kind the store holds, for validating references."""
        out = {}
        for name, spec in KINDS.items():
            if spec.is_node:
                out[name] = set(self.node_table(spec.label)["id"])
        return out

    # -- reading -----------------------------------------------------------------------
    @abc.abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: n}, "relationships": {type: n}}`` (load markers left out)."""

    @abc.abstractmethod
    def node_table(self, label: str) -> pd.DataFrame:
        """Every node of ``label``: ``id`` and its properties, sorted by id."""

    @abc.abstractmethod
    def rel_table(self, rel_type: str) -> pd.DataFrame:
        """Every relationship of a type: id, start, end, start_label, end_label, properties."""

    def external_ids(self) -> set:
        """Ids of the projects loaded as published data about other funders."""
        t = self.node_table("Project")
        ext = t["external"].fillna(False).astype(bool) if "external" in t else []
        return set(t.loc[ext, "id"].tolist()) if len(ext) else set()

    def memo(self, key, build):
        """``build()``, or the object it made for ``key`` while the store has not changed,
        where the store knows that (the embedded store, written only through :meth:`write`;
        a server store while its write clock stands still, for a few minutes at most: see
        :mod:`graph.store.keeping`). Callers that change the object copy it first.

        Inside :meth:`reading`, a server store keeps what it built too, until the block
        ends.

        >>> example_store().memo("answer", lambda: 42)
        42
        """
        held = kept()  # built once, even for parts read side by side (see reading.keep)
        return build() if held is None else keep(held, (id(self), key), build)

    @contextlib.contextmanager
    def reading(self):
        """A block in which :meth:`memo` keeps what it builds (on this thread, until the
        outermost block ends): an analysis that needs one aggregate in several places reads
        it from a server once, and sees one state of the data. Nested blocks share the
        outer one.

        >>> store = example_store()
        >>> with store.reading():
        ...     store.funding_totals(("donor",)).equals(store.funding_totals(("donor",)))
        True
        """
        with block():
            yield self

    def rel_pairs(self, rel_type: str) -> pd.DataFrame:
        """Relationships of a type counted per pair of ends, where the data lives: columns
        ``start_label``, ``start``, ``end_label``, ``end``, ``count`` and ``id``
        (``start|end``), sorted by the ends. A million flows between a thousand pairs come
        back as a thousand rows.

        >>> example_store().rel_pairs("FUNDS").head(2)[["start", "end", "count"]]
          start   end  count
        0   fdn  inst      2
        1  firm  inst      1
        """
        rt = self.rel_table(rel_type)
        if not len(rt):
            return pairs_frame(pd.DataFrame(columns=list(PAIR_COLUMNS)))
        ends = list(PAIR_COLUMNS[:4])
        return pairs_frame(
            rt.groupby(ends, sort=False, dropna=False).size().reset_index(name="count")
        )

    def ties_of(self, label: str, node_id: str, rel_types) -> pd.DataFrame:
        """The relationships of ``rel_types`` from or to one node, with their properties:
        columns ``type``, ``id``, ``start_label``, ``start``, ``end_label``, ``end``, then
        one per property, in type order then table order.

        >>> example_store().ties_of("Organization", "ngo", ["PARTNER_IN"])[["type", "end"]]
                 type end
        0  PARTNER_IN  p2
        """
        return ties_in_tables(self, check_label(label), node_id, rel_types)

    @abc.abstractmethod
    def nodes(self, label: str, filters: Filters | None = None) -> pd.DataFrame:
        """Nodes of ``label`` that pass ``filters`` (see :class:`Filters`), sorted by id."""

    @abc.abstractmethod
    def funding_flows(self, filters: Filters | None = None) -> pd.DataFrame:
        """Funding flows with donor and recipient names; columns :data:`FLOW_COLUMNS`.

        Filters: years (flow year), sector (donor sector), country and region (where the
        donor is based).
        """

    @abc.abstractmethod
    def neighbourhood(self, label: str, node_id: str, depth: int = 1):
        """Nodes and relationships within ``depth`` hops of a node, ignoring direction.

        Returns
        -------
        nodes : DataFrame with label, id, name
        rels : DataFrame with id, type, start, end
        """

    def snapshot(self, *, sources: bool = False) -> dict:
        """Every node id and relationship triple with properties, for comparing stores;
        the sources that loaded each record (``loaded_from``) only with ``sources``."""
        skip = () if sources else (SOURCES,)
        nodes = {}
        for label in NODE_LABELS:
            t = self.node_table(label)
            for rec in t.to_dict("records"):
                nodes[(label, rec["id"])] = {
                    k: v for k, v in rec.items() if k not in ("id", *skip) and not isnull(v)
                }
        rels = {}
        for rel_type in REL_TYPES:
            t = self.rel_table(rel_type)
            for rec in t.to_dict("records"):
                triple = (rec["start_label"], rec["start"], rel_type, rec["end_label"], rec["end"])
                props = {
                    k: v
                    for k, v in rec.items()
                    if k not in ("id", "start", "end", "start_label", "end_label", *skip)
                    and not isnull(v)
                }
                rels[(rel_type, rec["id"])] = (triple, props)
        return {"nodes": nodes, "relationships": rels}

    # -- funding aggregation (added for the analyses; see graph.analyses.funding) --------------
    @abc.abstractmethod
    def _funding_sums(self, keys: tuple[str, ...], filters: Filters, flow_types: tuple) -> list:
        """Rows of sums grouped by ``keys`` (all in :data:`FLOW_KEYS`), as a list of dicts or
        a DataFrame: the keys, then ``amount_usd``, ``flows``, ``usd_known``,
        ``amount_known``. Filters as for
        :meth:`funding_flows`; only flows whose type (empty = income) is in ``flow_types``."""

    @abc.abstractmethod
    def _org_region_rows(self, scheme: str) -> list:
        """``[{"id": org id, "regions": [region ids of scheme]}]`` for organizations based
        in a country that lies in a region of ``scheme``."""

    @abc.abstractmethod
    def _target_ties(self, scheme: str) -> tuple[pd.DataFrame, dict]:
        """The TARGETS relationships (``project``, ``target``, ``label``, ``share``) and,
        per ``(label, target)``, the place: ``target_scheme``, ``regions`` (regions of
        ``scheme`` of a country), ``members`` (a region's countries, ``[iso3, [regions]]``)."""

    @abc.abstractmethod
    def _region_member_rows(self, scheme: str) -> list:
        """``[{"region": id, "countries": [iso3...]}]`` for every region of ``scheme``."""

    @abc.abstractmethod
    def _negative_rows(self, filters: Filters, flow_types: tuple) -> list:
        """``[{"donor", "recipient", "flows", "amount_usd"}]`` of flows with a negative USD
        amount."""

    def negative_flows(self, filters: Filters | None = None, *, flow_types=None) -> pd.DataFrame:
        """Flows with a negative USD amount (reversals, decommitments, which published
        standards allow), counted and summed where the data lives, by donor and recipient."""
        rows = self._negative_rows(filters or Filters(), check_flow_types(flow_types))
        out = pd.DataFrame(rows, columns=["donor", "recipient", "flows", "amount_usd"])
        out["flows"] = out["flows"].astype(int)
        out["amount_usd"] = out["amount_usd"].astype(float).round(2)
        return out.sort_values(["donor", "recipient"], ignore_index=True)

    def region_rollup(self, scheme: str = "focus") -> dict:
        """Each region of ``scheme`` → the region it is reported under (see
        :func:`rollup_map`); kept per load where the store can. Callers do not change it."""
        return self.memo(
            ("region_rollup", scheme), lambda: rollup_map(self._region_member_rows(scheme))
        )

    def funding_totals(
        self,
        by=("donor",),
        filters: Filters | None = None,
        *,
        scheme: str = "focus",
        flow_types=None,
    ) -> pd.DataFrame:
        """Sums of funding in USD, grouped where the data lives (Cypher, or pandas).

        Parameters
        ----------
        by : str or tuple of str
            Keys from :data:`FUNDING_KEYS`; ``()`` gives one row of grand totals.
        filters : Filters, optional
            As for :meth:`funding_flows`: flow year, donor sector, donor country/region.
        scheme : str
            Region scheme for ``donor_region`` and ``target_region``.
        flow_types : iterable of str, optional
            Flow types to count (default :data:`DEFAULT_FLOW_TYPES`; empty = income).

        Returns
        -------
        DataFrame
            The key columns, then ``amount_usd`` (sum of the known USD amounts, in cents
            precision), ``flows`` (number of flows), ``usd_known`` (flows with a USD
            amount) and ``amount_known`` (flows with an amount in any currency).

        Notes
        -----
        Flow-level keys (:data:`FLOW_KEYS`) are grouped by the store itself. Region keys
        are sums by donor (``donor_region``) or by project (``target_region``,
        ``target_country``) computed by the store, then spread with the weights of
        :meth:`org_regions` / :meth:`project_targets`: amounts are multiplied by the
        weight, counts stay whole (a flow counts in every region it reaches).

        Examples
        --------
        >>> from loaders.load import load_memory
        >>> from pathlib import Path
        >>> store = load_memory(Path(MINIMAL))
        >>> store.funding_totals(("year",))
           year  amount_usd  flows  usd_known  amount_known
        0  2024       500.0      1          1             1
        1  2025       262.0      3          2             2
        >>> store.funding_totals(("target_region",))
          target_region  amount_usd  flows  usd_known  amount_known
        0    focus:eeca       750.0      2          2             2
        1          None        12.0      2          1             1
        """
        from graph.errors import AnalysisError
        from graph.schema import REGION_SCHEMES

        keys = check_funding_keys(by)
        types = check_flow_types(flow_types)
        if scheme not in REGION_SCHEMES:
            raise AnalysisError(
                f"unknown region scheme {scheme!r}; use one of: {', '.join(REGION_SCHEMES)}"
            )
        f = filters or Filters()
        memo_key = ("funding_totals", tuple(keys), tuple(types), scheme, f)
        return self.memo(memo_key, lambda: self._totals(keys, f, types, scheme)).copy()

    def partners_in_role(self, role: str) -> pd.DataFrame:
        """``project``, ``org``: the organizations that take part in a project in ``role``
        (a ``PARTNER_IN`` role such as ``donor``), nothing else of the relationship read.

        >>> example_store().partners_in_role("donor").values.tolist()
        [['p2', 'firm'], ['p1', 'uni']]
        """
        rt = self.rel_table("PARTNER_IN")
        if not len(rt) or "role" not in rt:
            return pd.DataFrame({"project": [], "org": []}, dtype=object)
        hit = rt[(rt["role"] == role).to_numpy(dtype=bool, na_value=False)]
        return pd.DataFrame(
            {"project": hit["end"].to_numpy(object), "org": hit["start"].to_numpy(object)}
        )

    def in_money(self) -> frozenset:
        """The organizations at either end of a funding flow of any type (published data
        about others, loaded as external, left out): who takes part in money. Kept per
        load where the store can; a server tests each organization for one tie rather
        than adding up every flow.

        >>> sorted(example_store().in_money())  # all but the NGO, a partner only
        ['fdn', 'firm', 'gov', 'inst', 'pool', 'un', 'uni']
        """
        return self.memo("in_money", self._in_money)

    def _in_money(self) -> frozenset:
        ends = (self.funding_totals((k,), flow_types=FLOW_TYPES)[k] for k in ("donor", "recipient"))
        return frozenset().union(*(distinct_set(e) for e in ends))

    def money_projects(self, org: str) -> frozenset:
        """The projects of the funding flows (any type, the data's own) that ``org`` gives
        or receives: the money side of its portfolio
        (:func:`graph.store.around.facts_from_tables`). Kept per load where the store can.

        >>> sorted(example_store().money_projects("inst"))
        ['p1', 'p2']
        """
        return self.memo(("money_projects", org), lambda: self._money_projects(org))

    def _money_projects(self, org: str) -> frozenset:
        ends = (Filters(donors=(org,)), Filters(recipients=(org,)))
        sums = (self.funding_totals(("project",), f, flow_types=FLOW_TYPES) for f in ends)
        return frozenset().union(*(distinct_set(s["project"]) for s in sums))

    def around(self, inst: str, *, ties: bool = False) -> Around:
        """The facts around the organization ``inst`` that its portfolio is worked out
        from (:class:`graph.store.around.Around`): its own neighbourhood only, so a server
        store sends a few small tables. Its ties (the partners' facts) are worked out when
        first asked for; ``ties``: a figure will count partners, so a server reads them
        beside the rest.

        >>> sorted(example_store().around("inst").projects["id"])
        ['p1', 'p2', 'p3']
        """
        return self.memo(("around", inst), lambda: facts_from_tables(self, inst))

    def funding_pairs(
        self, a: str, b: str, filters: Filters | None = None, *, flow_types=None
    ) -> pd.DataFrame:
        """The distinct pairs of two flow keys (:data:`FLOW_KEYS`, e.g. project and donor)
        among the flows that pass ``filters`` and ``flow_types``, in no set order; a
        missing ``a`` is missing (None, or NaN in the embedded store's categorical columns),
        flows whose ``b`` is missing are left out. Cheaper than :meth:`funding_totals`
        when only which pairs occur matters (each project's donors): nothing is summed.

        >>> pairs = example_store().funding_pairs("project", "donor")
        >>> sorted(map(tuple, pairs.dropna().to_numpy().tolist()))[:2]
        [('p1', 'fdn'), ('p1', 'uni')]
        """
        for k in (a, b):
            if k not in FLOW_KEYS:
                from graph.errors import AnalysisError

                raise AnalysisError(f"{k!r} is not a flow key; use one of {', '.join(FLOW_KEYS)}")
        sums = self.funding_totals((a, b), filters, flow_types=flow_types)
        return sums[sums[b].notna()][[a, b]].reset_index(drop=True)

    def funding_links(
        self, a: str, b: str, filters: Filters | None = None, *, flow_types=None
    ) -> pd.DataFrame:
        """:meth:`funding_pairs`, where a pair may come back more than once (once per
        flow): for a caller that only asks which values of ``b`` are tied to some values
        of ``a``. The embedded store then skips finding the pairs distinct (a pass that
        hashes every flow: at a million flows 0.035 s for projects and donors) and hands
        each flow's codes as categoricals; a server store gives the distinct pairs.

        >>> links = example_store().funding_links("project", "donor")
        >>> sorted(set(map(tuple, links.dropna().to_numpy().tolist())))[:2]
        [('p1', 'fdn'), ('p1', 'uni')]
        """
        return self.funding_pairs(a, b, filters, flow_types=flow_types)

    def _totals(self, keys, f: Filters, types, scheme: str) -> pd.DataFrame:
        need = [k for k in keys if k in FLOW_KEYS]
        if "donor_region" in keys and "donor" not in need:
            need.append("donor")
        if ({"target_region", "target_country"} & set(keys)) and "project" not in need:
            need.append("project")
        # Cents first: the stores may add up in different orders; from here on the same
        # Python code works on the same numbers.
        need = tuple(sorted(need))  # one key order: (project, donor) is (donor, project)
        sums = self.memo(self._sums_key(need, types, f), lambda: self._funding_sums(need, f, types))
        sums = sums.copy() if isinstance(sums, pd.DataFrame) else pd.DataFrame(list(sums))
        if "amount_usd" in sums:
            usd = pd.to_numeric(sums["amount_usd"], errors="coerce").fillna(0.0)
            sums["amount_usd"] = usd.astype(float).round(2)
        ordered = self._ordered_keys(keys)
        if not set(keys) & {"donor_region", "target_region", "target_country"}:
            return grouped_totals(sums, keys, ordered)
        # spread shares such as 1/7 make float sums depend on the order of the rows: one
        # order (by the keys, or their ranks) on every store, kept per load
        by = [f"rank:{c}" if f"rank:{c}" in sums else c for c in need if c in sums]
        rows = self.memo(
            ("funding_sums_in_order", need, types, f),
            lambda: sums.sort_values(by, kind="stable", ignore_index=True),
        ).copy()
        for key in keys:
            if key == "donor_region":
                rows = spread_rows(rows, "donor", key, self.org_regions(scheme))
            elif key in ("target_region", "target_country"):
                level = "region" if key == "target_region" else "country"
                rows = spread_rows(
                    rows, "project", key, self.project_targets(scheme=scheme, level=level)
                )
        return grouped_totals(rows, keys, ordered)

    @staticmethod
    def _sums_key(keys, types, f) -> tuple:
        """Where the sums by flow ``keys`` of ``types`` under ``f`` are kept (:meth:`memo`)."""
        return ("funding_sums", tuple(sorted(keys)), types, f)

    def _ordered_keys(self, keys) -> dict:
        """Keys whose sums carry a rank column, with their values in order; none here."""
        return {}

    def org_regions(self, scheme: str = "focus") -> pd.DataFrame:
        """Where organizations are based, as regions of ``scheme``.

        Returns
        -------
        DataFrame with ``donor`` (organization id), ``key`` (region id) and ``weight``
        (``1/k`` for an organization whose country lies in ``k`` regions of the scheme
        that do not nest; nested regions roll up, see :func:`rollup_map`). Organizations
        with no region are left out.
        """
        return self.memo(("org_regions", scheme), lambda: self._org_regions(scheme)).copy()

    def _org_regions(self, scheme: str) -> pd.DataFrame:
        up = self.region_rollup(scheme)
        out = []
        for r in sorted(self._org_region_rows(scheme), key=lambda r: r["id"]):
            regs = sorted({up.get(g, g) for g in r["regions"] or []})
            for g in regs:
                out.append({"donor": r["id"], "key": g, "weight": 1.0 / len(regs)})
        return pd.DataFrame(out, columns=["donor", "key", "weight"])

    def project_targets(self, *, scheme: str = "focus", level: str = "region") -> pd.DataFrame:
        """How each project's money spreads over target regions (or countries).

        See :func:`target_weights` for the rules; ``level`` is ``"region"`` or ``"country"``.
        """
        return self.memo(
            ("project_targets", scheme, level),
            lambda: target_weights(
                *self._target_ties(scheme),
                level=level,
                scheme=scheme,
                rollup=self.region_rollup(scheme),
            ),
        ).copy()
