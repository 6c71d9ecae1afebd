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
import math
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
    "DEFAULT_FLOW_TYPES",
    "FLOW_KEYS",
    "REGION_KEYS",
    "FUNDING_KEYS",
    "TOTALS_COLUMNS",
    "check_funding_keys",
    "check_flow_types",
    "totals_frame",
    "target_weights",
    "rollup_map",
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
    "flow_type",
    "date",
    "provider_project_id",
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

    # -- funding aggregation (added for the analyses; see graph.funding) --------------
    @abc.abstractmethod
    def _funding_sums(self, keys: tuple[str, ...], filters: Filters, flow_types: tuple) -> list:
        """Rows of sums grouped by ``keys`` (all in :data:`FLOW_KEYS`): the keys, then
        ``amount_usd``, ``flows``, ``usd_known``, ``amount_known``. Filters as for
        :meth:`funding_flows`; only flows whose type (empty = income) is in ``flow_types``."""

    @abc.abstractmethod
    def _org_region_rows(self, scheme: str) -> list:
        """``[{"id": org id, "regions": [region ids of scheme]}]`` for organizations based
        in a country that lies in a region of ``scheme``."""

    @abc.abstractmethod
    def _project_target_rows(self, scheme: str) -> list:
        """One row per TARGETS relationship: ``project``, ``target``, ``label``,
        ``target_scheme``, ``share``, ``regions`` (regions of ``scheme`` of a country)."""

    @abc.abstractmethod
    def _region_member_rows(self, scheme: str) -> list:
        """``[{"region": id, "countries": [iso3...]}]`` for every region of ``scheme``."""

    def region_rollup(self, scheme: str = "focus") -> dict:
        """Each region of ``scheme`` → the region it is reported under (see
        :func:`rollup_map`)."""
        return rollup_map(self._region_member_rows(scheme))

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
        >>> store = load_memory(Path("tests/fixtures/minimal"))
        >>> store.funding_totals(("year",))
           year  amount_usd  flows  usd_known  amount_known
        0  2024       500.0      1          1             1
        1  2025       262.0      3          2             2
        >>> store.funding_totals(("target_region",))
          target_region  amount_usd  flows  usd_known  amount_known
        0    focus:eeca       750.0      2          2             2
        1          None        12.0      2          1             1
        """
        from .errors import AnalysisError
        from .schema import REGION_SCHEMES

        keys = check_funding_keys(by)
        types = check_flow_types(flow_types)
        if scheme not in REGION_SCHEMES:
            raise AnalysisError(
                f"unknown region scheme {scheme!r}; use one of: {', '.join(REGION_SCHEMES)}"
            )
        f = filters or Filters()
        need = [k for k in keys if k in FLOW_KEYS]
        if "donor_region" in keys and "donor" not in need:
            need.append("donor")
        if ({"target_region", "target_country"} & set(keys)) and "project" not in need:
            need.append("project")
        # Cents first: the stores may add up in different orders; from here on the same
        # Python code works on the same numbers.
        rows = [
            dict(r, amount_usd=round(float(r.get("amount_usd") or 0.0), 2))
            for r in self._funding_sums(tuple(need), f, types)
        ]
        for key in keys:
            if key == "donor_region":
                rows = _spread(rows, "donor", key, self.org_regions(scheme))
            elif key in ("target_region", "target_country"):
                level = "region" if key == "target_region" else "country"
                rows = _spread(
                    rows, "project", key, self.project_targets(scheme=scheme, level=level)
                )
        rows = _regroup(rows, keys)
        return totals_frame(rows, keys)

    def org_regions(self, scheme: str = "focus") -> pd.DataFrame:
        """Where organizations are based, as regions of ``scheme``.

        Returns
        -------
        DataFrame with ``donor`` (organization id), ``key`` (region id) and ``weight``
        (``1/k`` for an organization whose country lies in ``k`` regions of the scheme
        that do not nest; nested regions roll up, see :func:`rollup_map`). Organizations
        with no region are left out.
        """
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
        return target_weights(
            self._project_target_rows(scheme),
            level=level,
            scheme=scheme,
            rollup=self.region_rollup(scheme),
        )


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


# -- funding aggregation (pushed down to the store) --------------------------------------

#: Flow types counted by default: money received or promised to the recipient. ``None``
#: (an empty ``flow_type``) counts as ``"income"``. Disbursements and expenditures are
#: left out unless asked for, so one grant is not counted twice through an IATI chain.
DEFAULT_FLOW_TYPES = ("income", "incoming_funds", "incoming_commitment", "commitment", "grant")

#: Keys the database groups by itself (properties of the flow or of its donor/recipient).
FLOW_KEYS = (
    "donor",
    "donor_sector",
    "donor_country",
    "recipient",
    "project",
    "year",
    "channel",
    "kind",
    "flow_type",
    "pooled",
    "currency",
)

#: Keys that map a donor or a project onto regions or countries: the database sums by
#: donor or project, then each sum is spread over regions by the store's region weights.
REGION_KEYS = ("donor_region", "target_region", "target_country")

#: Every key :meth:`GraphStore.funding_totals` accepts.
FUNDING_KEYS = FLOW_KEYS + REGION_KEYS

#: Value columns of :meth:`GraphStore.funding_totals`, after the key columns.
TOTALS_COLUMNS = ("amount_usd", "flows", "usd_known", "amount_known")


def check_funding_keys(by) -> tuple[str, ...]:
    """``by`` as a tuple of known, distinct keys (a single key may be given as a string).

    >>> check_funding_keys("donor")
    ('donor',)
    >>> check_funding_keys(["year", "colour"])
    Traceback (most recent call last):
    ...
    graph.errors.AnalysisError: cannot group funding by 'colour'; use any of: donor, donor_sector, donor_country, recipient, project, year, channel, kind, flow_type, pooled, currency, donor_region, target_region, target_country
    """  # noqa: E501
    from .errors import AnalysisError

    keys = (by,) if isinstance(by, str) else tuple(by)
    for k in keys:
        if k not in FUNDING_KEYS:
            raise AnalysisError(
                f"cannot group funding by {k!r}; use any of: {', '.join(FUNDING_KEYS)}"
            )
    if len(set(keys)) != len(keys):
        raise AnalysisError(f"a grouping key is repeated in {keys!r}")
    return keys


def check_flow_types(flow_types) -> tuple[str, ...]:
    """``flow_types`` as a sorted tuple of schema flow types (``None`` means the default).

    >>> check_flow_types(None)
    ('commitment', 'grant', 'income', 'incoming_commitment', 'incoming_funds')
    """
    from .errors import AnalysisError
    from .schema import FLOW_TYPES

    types = DEFAULT_FLOW_TYPES if flow_types is None else flow_types
    types = (types,) if isinstance(types, str) else tuple(types)
    for t in types:
        if t not in FLOW_TYPES:
            raise AnalysisError(f"unknown flow type {t!r}; use any of: {', '.join(FLOW_TYPES)}")
    if not types:
        raise AnalysisError("no flow types given; name at least one, e.g. 'income'")
    return tuple(sorted(set(types)))


def totals_frame(rows: list[dict], keys: tuple[str, ...]) -> pd.DataFrame:
    """Aggregate rows from either store as one canonical DataFrame.

    Key columns hold plain Python values (``None`` for a missing key, never NaN); USD sums
    are rounded to cents so that the order in which a database adds numbers up cannot make
    two stores disagree in the last bit; counts are integers; rows are sorted by the keys,
    missing keys last.

    >>> totals_frame([{"year": None, "amount_usd": 1, "flows": 1, "usd_known": 1,
    ...                "amount_known": 1},
    ...               {"year": 2024, "amount_usd": 2.004, "flows": 2, "usd_known": 2,
    ...                "amount_known": 2}], ("year",))
       year  amount_usd  flows  usd_known  amount_known
    0  2024         2.0      2          2             2
    1  None         1.0      1          1             1
    """

    def norm(v):
        if v is None:
            return None
        if isinstance(v, float) and math.isnan(v):
            return None
        if hasattr(v, "item") and not isinstance(v, str):
            v = v.item()  # numpy scalar
        if isinstance(v, float) and v.is_integer() and not isinstance(v, bool):
            return int(v)
        return v

    def order(rec):
        return tuple(
            (rec[k] is None, type(rec[k]).__name__, rec[k] if rec[k] is not None else 0)
            for k in keys
        )

    clean = []
    for r in rows:
        rec = {k: norm(r.get(k)) for k in keys}
        rec["amount_usd"] = round(float(r.get("amount_usd") or 0.0), 2)
        for c in ("flows", "usd_known", "amount_known"):
            rec[c] = int(r.get(c) or 0)
        clean.append(rec)
    clean.sort(key=order)
    data = {k: pd.Series([r[k] for r in clean], dtype=object) for k in keys}
    data["amount_usd"] = pd.Series([r["amount_usd"] for r in clean], dtype=float)
    for c in ("flows", "usd_known", "amount_known"):
        data[c] = pd.Series([r[c] for r in clean], dtype="int64")
    return pd.DataFrame(data, columns=[*keys, *TOTALS_COLUMNS])


def rollup_map(rows: list[dict]) -> dict:
    """Regions nested in a larger region of the same scheme, mapped to the largest one.

    Region A is nested in B when A's countries are a proper subset of B's (A has at least
    one country). Regions that nest nowhere map to themselves. With the bundled focus
    scheme, ``focus:central-asia`` (five countries, all in EECA) rolls up into
    ``focus:eeca``, so money in Kazakhstan is not counted in both.

    >>> rollup_map([{"region": "eeca", "countries": ["KAZ", "RUS"]},
    ...             {"region": "ca", "countries": ["KAZ"]},
    ...             {"region": "bucket", "countries": []}])
    {'bucket': 'bucket', 'ca': 'eeca', 'eeca': 'eeca'}
    """
    members = {r["region"]: frozenset(r.get("countries") or ()) for r in rows}
    out = {}
    for g, cs in sorted(members.items()):
        top = g
        if cs:
            bigger = [h for h, hs in members.items() if h != g and cs < hs]
            if bigger:
                top = max(bigger, key=lambda h: (len(members[h]), h))
        out[g] = top
    return out


def target_weights(
    rows: list[dict], *, level: str, scheme: str | None = None, rollup: dict | None = None
) -> pd.DataFrame:
    """How each project's money is spread over its targets' regions (or countries).

    ``rows`` hold one target each: ``project``, ``target``, ``label`` (``Country`` or
    ``Region``), ``target_scheme`` (for a region), ``share`` (or None) and ``regions`` (the
    regions of ``scheme`` a country lies in). Rules, the same for both stores:

    * A project whose every target states a share is split by those shares (divided by
      their sum); otherwise it is split evenly over its targets.
    * ``level="region"``: a country's part goes to its region of the scheme, split evenly
      when it lies in several that do not nest; a region of the scheme keeps its part; a
      region nested in a larger one of the same scheme (``rollup``, see :func:`rollup_map`)
      is reported under the larger one; a region of another scheme, or a country outside
      every region of the scheme, goes to ``None`` (unassigned).
    * ``level="country"``: a country keeps its part; a region target goes to ``None``.

    Returns
    -------
    DataFrame with ``project``, ``key`` (region or country, or None), ``weight``, ``split``
    (``"shares"``, ``"even"`` or ``"single"``); weights of a project sum to 1.

    >>> rows = [dict(project="p", target="KAZ", label="Country", target_scheme=None,
    ...              share=0.6, regions=["focus:eeca"]),
    ...         dict(project="p", target="focus:africa", label="Region", target_scheme="focus",
    ...              share=0.4, regions=[])]
    >>> target_weights(rows, level="region", scheme="focus")
      project           key  weight   split
    0       p  focus:africa     0.4  shares
    1       p    focus:eeca     0.6  shares
    """
    up = rollup or {}
    by_project: dict[str, list[dict]] = {}
    for r in rows:
        by_project.setdefault(r["project"], []).append(r)
    out = []
    for project, ts in sorted(by_project.items()):
        ts = sorted(ts, key=lambda r: str(r["target"]))
        shares = [r.get("share") for r in ts]
        if len(ts) == 1:
            split, ws = "single", [1.0]
        elif all(s is not None for s in shares) and sum(shares) > 0:
            split, ws = "shares", [float(s) / float(sum(shares)) for s in shares]
        else:
            split, ws = "even", [1.0 / len(ts)] * len(ts)
        acc: dict = {}
        for r, w in zip(ts, ws, strict=True):
            if level == "country":
                parts = [(r["target"] if r["label"] == "Country" else None, w)]
            elif r["label"] == "Region":
                own = r.get("target_scheme") == scheme
                parts = [(up.get(r["target"], r["target"]) if own else None, w)]
            else:
                regs = sorted({up.get(g, g) for g in r.get("regions") or []})
                parts = [(g, w / len(regs)) for g in regs] if regs else [(None, w)]
            for k, v in parts:
                acc[k] = acc.get(k, 0.0) + v
        for k in sorted(acc, key=lambda x: (x is None, str(x))):
            out.append({"project": project, "key": k, "weight": acc[k], "split": split})
    cols = ("project", "key", "weight", "split")
    return pd.DataFrame(
        {c: pd.Series([r[c] for r in out], dtype=float if c == "weight" else object) for c in cols}
    )


def _spread(rows: list[dict], via: str, new: str, weights: pd.DataFrame) -> list[dict]:
    """Spread sums grouped by ``via`` over ``weights`` (``via``, ``key``, ``weight``).

    Amounts are multiplied by the weight; counts are kept whole. Rows whose ``via`` has
    no weights go to ``new = None``.
    """
    w: dict = {}
    for rec in weights.to_dict("records"):
        w.setdefault(rec[via], []).append((rec["key"], float(rec["weight"])))
    out = []
    for rec in rows:
        for k, weight in w.get(rec.get(via), [(None, 1.0)]):
            row = dict(rec)
            row[new] = k
            row["amount_usd"] = float(rec.get("amount_usd") or 0.0) * weight
            out.append(row)
    return out


def _regroup(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """Add rows up by ``keys`` (plain Python, so both stores give the very same numbers)."""
    acc: dict = {}
    for rec in rows:
        k = tuple(rec.get(c) for c in keys)
        a = acc.setdefault(k, {"amount_usd": [], "flows": 0, "usd_known": 0, "amount_known": 0})
        a["amount_usd"].append(float(rec.get("amount_usd") or 0.0))
        for c in ("flows", "usd_known", "amount_known"):
            a[c] += int(rec.get(c) or 0)
    out = []
    for k, a in acc.items():
        row = dict(zip(keys, k, strict=True))
        row.update(a, amount_usd=math.fsum(a["amount_usd"]))
        out.append(row)
    if not keys and not out:
        out = [{"amount_usd": 0.0, "flows": 0, "usd_known": 0, "amount_known": 0}]
    return out
