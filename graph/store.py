"""What every graph store answers, and the plain-data types it answers with.

Two stores implement :class:`GraphStore`: :class:`graph.memory_store.MemoryStore`
(networkx, the embedded default) and :class:`graph.neo4j_store.Neo4jStore` (a Bolt server).
Both take the same :class:`~graph.batch.GraphBatch` and answer the same questions with the
same pandas DataFrames, so tests load the same records into both and compare.

Examples
--------
>>> f = Filters(year_from=2024, region="focus:africa")
>>> f.year_from, f.year_to, f.region
(2024, None, 'focus:africa')
>>> Filters().is_empty()
True
"""

from __future__ import annotations

import abc
import datetime as _dt
from dataclasses import asdict, dataclass, field

import pandas as pd

from .batch import GraphBatch
from .schema import KINDS, NODE_LABELS, REL_TYPES

__all__ = [
    "Filters",
    "LoadReport",
    "GraphStore",
    "FLOW_COLUMNS",
    "check_label",
    "check_rel_type",
    "display_name",
]

#: Columns of :meth:`GraphStore.funding_flows`, in order.
FLOW_COLUMNS = (
    "flow_id",
    "donor_id",
    "donor",
    "donor_sector",
    "donor_country",
    "recipient_id",
    "recipient",
    "project_id",
    "year",
    "amount",
    "currency",
    "amount_usd",
    "usd_rate",
    "kind",
    "channel",
    "pooled",
    "period",
    "source_id",
    "quote",
)


def check_label(label: str) -> str:
    """Return ``label`` if the schema knows it; labels never come from users as text.

    >>> check_label("Project")
    'Project'
    """
    if label not in NODE_LABELS:
        raise ValueError(f"unknown node label {label!r}; known: {', '.join(NODE_LABELS)}")
    return label


def check_rel_type(rel_type: str) -> str:
    """Return ``rel_type`` if the schema knows it.

    >>> check_rel_type("FUNDS")
    'FUNDS'
    """
    if rel_type not in REL_TYPES:
        raise ValueError(f"unknown relationship type {rel_type!r}; known: {', '.join(REL_TYPES)}")
    return rel_type


def display_name(props: dict) -> str:
    """The name a person reads for a node: name, title, or id.

    >>> display_name({"id": "p1", "title": "Smart Education"})
    'Smart Education'
    """
    return str(props.get("name") or props.get("title") or props.get("id"))


@dataclass(frozen=True)
class Filters:
    """Filters that read operations accept; ``None`` means no filter.

    Parameters
    ----------
    year_from, year_to : int, optional
        Inclusive year range. Projects overlap it; events and flows fall in it.
    region : str, optional
        A ``region_id``: organizations based, projects targeting, events held there.
    country : str, optional
        An ISO3 code, with the same meaning.
    sector : str, optional
        Organization sector (organizations; funding flows by donor sector).
    """

    year_from: int | None = None
    year_to: int | None = None
    region: str | None = None
    country: str | None = None
    sector: str | None = None

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return all(v is None for v in asdict(self).values())

    def params(self) -> dict:
        """The filters as query parameters."""
        return asdict(self)


@dataclass
class LoadReport:
    """What a load did: created versus already present, per label and type."""

    load_id: str
    source: str
    nodes_created: dict[str, int] = field(default_factory=dict)
    nodes_existing: dict[str, int] = field(default_factory=dict)
    rels_created: dict[str, int] = field(default_factory=dict)
    rels_existing: dict[str, int] = field(default_factory=dict)

    @property
    def created(self) -> dict[str, int]:
        """Totals of nodes and relationships created."""
        return {
            "nodes": sum(self.nodes_created.values()),
            "relationships": sum(self.rels_created.values()),
        }

    @property
    def existing(self) -> dict[str, int]:
        """Totals of nodes and relationships that were already there."""
        return {
            "nodes": sum(self.nodes_existing.values()),
            "relationships": sum(self.rels_existing.values()),
        }

    def summary(self) -> str:
        """Plain-words summary, one line per label and type.

        >>> r = LoadReport("abc", "data", {"Project": 2}, {"Project": 1}, {}, {})
        >>> print(r.summary())
        Created 2 nodes and 0 relationships; 1 node and 0 relationships were already there.
          Project: 2 created, 1 already there
        """
        c, e = self.created, self.existing

        def n(k, word):
            return f"{k} {word}{'' if k == 1 else 's'}"

        word_r = "relationship"
        lines = [
            f"Created {n(c['nodes'], 'node')} and {n(c['relationships'], word_r)}; "
            f"{n(e['nodes'], 'node')} and {n(e['relationships'], word_r)} were already there."
        ]
        for created, existing in (
            (self.nodes_created, self.nodes_existing),
            (self.rels_created, self.rels_existing),
        ):
            for k in sorted(set(created) | set(existing)):
                lines.append(
                    f"  {k}: {created.get(k, 0)} created, {existing.get(k, 0)} already there"
                )
        return "\n".join(lines)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


class GraphStore(abc.ABC):
    """The questions every store answers. Subclasses implement the abstract methods."""

    #: "memory" or "neo4j"
    kind: str = ""

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
    def _write_batch(self, batch: GraphBatch) -> None:
        """Write all nodes and relationships, idempotently, all or nothing."""

    @abc.abstractmethod
    def _mark_load(self, load_id: str, props: dict) -> None:
        """Create or update the load-history marker ``load_id``."""

    @abc.abstractmethod
    def load_history(self) -> pd.DataFrame:
        """One row per load: load_id, source, status, started, finished, counts."""

    def write(self, batch: GraphBatch, *, source: str = "") -> LoadReport:
        """Write a batch; report what was created and what was already there.

        A marker with status ``started`` is written first and set to ``complete`` at the
        end, so a load that dies part-way is visible (:meth:`incomplete_loads`) and a
        re-run completes it. The writes themselves run in one transaction.
        """
        load_id = batch.fingerprint()[:16]
        report = LoadReport(load_id, source)
        for label, rows in batch.nodes.items():
            ids = [r["id"] for r in rows]
            have = self.existing_ids(label, ids)
            report.nodes_existing[label] = len(have)
            report.nodes_created[label] = len(set(ids) - have)
        by_type: dict[str, list] = {}
        for (t, _s, _e), rows in batch.rels.items():
            by_type.setdefault(t, []).extend(r["id"] for r in rows)
        for t, ids in by_type.items():
            have = self.existing_rel_ids(t, ids)
            report.rels_existing[t] = len(have)
            report.rels_created[t] = len(set(ids) - have)
        counts = batch.counts()
        self._mark_load(
            load_id,
            {
                "source": source,
                "status": "started",
                "started": _now(),
                "nodes": counts["nodes"],
                "relationships": counts["relationships"],
            },
        )
        self._write_batch(batch)
        self._mark_load(
            load_id,
            {
                "status": "complete",
                "finished": _now(),
                "nodes_created": report.created["nodes"],
                "relationships_created": report.created["relationships"],
            },
        )
        return report

    def incomplete_loads(self) -> pd.DataFrame:
        """Loads that started and never finished (a re-run of the same files completes them)."""
        h = self.load_history()
        return h[h["status"] != "complete"].reset_index(drop=True) if len(h) else h

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

    def snapshot(self) -> dict:
        """Every node id and relationship triple with properties, for comparing stores."""
        nodes = {}
        for label in NODE_LABELS:
            t = self.node_table(label)
            for rec in t.to_dict("records"):
                nodes[(label, rec["id"])] = {
                    k: v for k, v in rec.items() if k != "id" and not _isnull(v)
                }
        rels = {}
        for rel_type in REL_TYPES:
            t = self.rel_table(rel_type)
            for rec in t.to_dict("records"):
                triple = (rec["start_label"], rec["start"], rel_type, rec["end_label"], rec["end"])
                props = {
                    k: v
                    for k, v in rec.items()
                    if k not in ("id", "start", "end", "start_label", "end_label")
                    and not _isnull(v)
                }
                rels[(rel_type, rec["id"])] = (triple, props)
        return {"nodes": nodes, "relationships": rels}


def _isnull(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def frame(rows: list[dict], first: tuple[str, ...], *, sort: str | None = "id") -> pd.DataFrame:
    """A DataFrame with ``first`` columns first, the rest sorted; rows sorted by ``sort``."""
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=list(first))
    for c in first:
        if c not in df.columns:
            df[c] = None
    rest = sorted(c for c in df.columns if c not in first)
    df = df[list(first) + rest]
    if sort and sort in df.columns:
        df = df.sort_values(sort, kind="stable").reset_index(drop=True)
    return df
