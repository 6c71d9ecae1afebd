"""Turn validated records into the nodes and relationships both stores write.

A :class:`GraphBatch` is plain data: nodes grouped by label, relationships grouped by
``(type, start label, end label)``. Each node is ``{"id": key, "props": {...}}``; each
relationship ``{"id": key, "start": id, "end": id, "props": {...}}``. Empty values are left
out of ``props`` (graph databases do not store nulls), so both stores hold the same
properties.

Examples
--------
>>> records = {
...     "organizations": [
...         {"org_id": "iite", "name": "IITE", "sector": "un_system", "org_type": "un_institute",
...          "country": "RUS", "parent_id": None, "source_id": "doc001", "quote": "q"}],
...     "countries": [{"iso3": "RUS", "name": "Russian Federation", "source_id": "iso",
...                    "quote": "q"}],
... }
>>> batch = build_batch(records)
>>> batch.nodes["Organization"][0]["props"]["name"]
'IITE'
>>> batch.rels[("BASED_IN", "Organization", "Country")][0]["id"]
'iite|BASED_IN|RUS'
>>> batch.counts()
{'nodes': 2, 'relationships': 1}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from graph.schema import KINDS, LOAD_ORDER

__all__ = ["sources_apart", "FrameRows", "GraphBatch", "build_batch", "row_ids"]


@dataclass
class GraphBatch:
    """Nodes by label and relationships by (type, start label, end label)."""

    nodes: dict[str, list[dict]] = field(default_factory=dict)
    rels: dict[tuple[str, str, str], list[dict]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many nodes and relationships the batch holds."""
        return {
            "nodes": sum(len(v) for v in self.nodes.values()),
            "relationships": sum(len(v) for v in self.rels.values()),
        }

    def fingerprint(self) -> str:
        """A content hash: the same records give the same fingerprint.

        >>> GraphBatch().fingerprint()[:12]
        '64c82b6fb245'
        """
        # The canonical JSON of ``{"n": {label: rows}, "r": {"type|start|end": rows}}`` (keys
        # sorted, rows by id), hashed as it is written, a few thousand rows at a time: the
        # same digest as hashing the whole text, without a million flows in one string.
        digest = hashlib.sha256()

        def put(text: str) -> None:
            digest.update(text.encode())

        def put_rows(rows) -> None:
            if isinstance(rows, FrameRows):  # columns: hashed as columns, by sorted id
                t = rows.frame.sort_values("id", kind="stable")
                t = t[sorted(t.columns)]
                put(json.dumps([list(t.columns), [str(d) for d in t.dtypes]]))
                put(pd.util.hash_pandas_object(t, index=False).to_numpy().tobytes().hex())
                return
            put("[")
            ordered = sorted(rows, key=lambda r: r["id"])
            for i in range(0, len(ordered), 5000):
                part = ", ".join(_canon(r) for r in ordered[i : i + 5000])
                put((", " if i else "") + part)
            put("]")

        for n, (section, groups) in enumerate(
            (("n", dict(self.nodes)), ("r", {"|".join(k): v for k, v in self.rels.items()}))
        ):
            put(("{" if n == 0 else ", ") + f'"{section}": {{')
            for i, key in enumerate(sorted(groups)):
                put((", " if i else "") + json.dumps(key) + ": ")
                put_rows(groups[key])
            put("}")
        put("}")
        return digest.hexdigest()


class FrameRows(Sequence):
    """Relationship rows held as one DataFrame: ``id``, ``start``, ``end`` and one column per
    property (missing = the row does not give it). A sequence of the row dicts the stores
    write (``{"id", "start", "end", "props"}``), built a slice at a time, so a store that
    sends rows over the wire takes them as it always did, and one that keeps columns (the
    embedded store's flow table) takes :attr:`frame` as it is.

    >>> rows = FrameRows(pd.DataFrame({"id": ["f1", "f2"], "start": ["a", "a"],
    ...                                "end": ["b", "b"], "year": pd.Series([2024, None], dtype=object)}))
    >>> len(rows), rows[1]
    (2, {'id': 'f2', 'start': 'a', 'end': 'b', 'props': {}})
    >>> rows[:1]
    [{'id': 'f1', 'start': 'a', 'end': 'b', 'props': {'year': 2024}}]
    """

    def __init__(self, frame: pd.DataFrame, *, clears: dict | None = None, apart=()):
        self.frame = frame.reset_index(drop=True)
        #: column → ids of the rows whose stored value this write clears (a value the file
        #: no longer gives); a missing cell otherwise means "not given", kept as stored
        self.clears = clears or {}
        #: columns given beside ``props`` (as ``row[column]``, ``None`` when empty), not in it
        self.apart = tuple(apart)

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return _row_dicts(self.frame.iloc[i], self.clears, self.apart)
        return _row_dicts(self.frame.iloc[[i]], self.clears, self.apart)[0]

    def __iter__(self):
        for i in range(0, len(self), 5000):
            yield from self[i : i + 5000]

    def ids(self) -> list:
        return self.frame["id"].tolist()


def _given(v) -> bool:
    """Whether a cell holds a value (a list or tuple always does; None and NaN do not)."""
    return isinstance(v, list | tuple) or (v is not None and v == v)


def _row_dicts(part: pd.DataFrame, clears: dict | None = None, apart=()) -> list[dict]:
    props = [c for c in part.columns if c not in ("id", "start", "end", *apart)]
    ends = [c for c in ("id", "start", "end") if c in part.columns]
    out = []
    for rec in part.to_dict("records"):
        given = {c: rec[c] for c in props if _given(rec[c])}
        for c, ids in (clears or {}).items():
            if rec["id"] in ids:
                given[c] = None  # cleared: SET r += {c: null} removes it
        row = {**{c: rec[c] for c in ends}, "props": given}
        for c in apart:
            row[c] = rec[c] if c in rec and _given(rec[c]) else None
        out.append(row)
    return out


def sources_apart(rows, name: str, column: str) -> list | FrameRows:
    """``rows`` with the property ``column`` given beside ``props`` as ``row[name]``
    (``None`` when a row has none): for a statement that writes it its own way.

    >>> sources_apart([{"id": "a", "props": {"x": 1, "s": ("f",)}}], "sources", "s")
    [{'id': 'a', 'props': {'x': 1}, 'sources': ('f',)}]
    """
    if isinstance(rows, FrameRows):
        frame = rows.frame.rename(columns={column: name}) if column in rows.frame else rows.frame
        if name not in frame:
            frame = frame.assign(**{name: None})
        return FrameRows(frame, clears=rows.clears, apart=(name,))
    return [
        {
            **r,
            "props": {k: v for k, v in r["props"].items() if k != column},
            name: r["props"].get(column),
        }
        for r in rows
    ]


def row_ids(rows) -> list:
    """The ids of a group of rows (a list of row dicts or :class:`FrameRows`)."""
    return rows.ids() if isinstance(rows, FrameRows) else [r["id"] for r in rows]


def _canon(row: dict) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def _props(rec: dict, skip: set) -> dict:
    return {
        k: v for k, v in rec.items() if not k.startswith("_") and k not in skip and v is not None
    }


def _add_node_rows(batch: GraphBatch, spec, rows: list[dict]) -> None:
    """A node kind's rows as nodes, and their reference columns as relationships."""
    nodes = batch.nodes.setdefault(spec.label, [])
    for rec in rows:
        nodes.append({"id": rec[spec.key], "props": _props(rec, {spec.key})})
        for ref in spec.references:
            target = rec.get(ref.column)
            if target is None:
                continue
            key = (ref.rel_type, spec.label, KINDS[ref.target_kind].label)
            batch.rels.setdefault(key, []).append(
                {
                    "id": f"{rec[spec.key]}|{ref.rel_type}|{target}",
                    "start": rec[spec.key],
                    "end": target,
                    "props": {"source_id": rec.get("source_id"), "quote": rec.get("quote")},
                }
            )


def _add_rel_rows(batch: GraphBatch, spec, rows: list[dict], end_label) -> None:
    """A relationship kind's rows, each end labelled by the kind its id belongs to."""
    start_ref = spec.field(spec.start).ref
    end_ref = spec.field(spec.end).ref
    for rec in rows:
        key = (
            spec.rel_type,
            end_label(start_ref, rec[spec.start]),
            end_label(end_ref, rec[spec.end]),
        )
        batch.rels.setdefault(key, []).append(
            {
                "id": rec[spec.key],
                "start": rec[spec.start],
                "end": rec[spec.end],
                "props": _props(rec, {spec.key}),
            }
        )


def build_batch(records: dict) -> GraphBatch:
    """Nodes and relationships for validated records.

    Parameters
    ----------
    records : dict of kind → list of dict
        As returned by :func:`loaders.validate.validate_rows` (without problems).

    Returns
    -------
    GraphBatch

    Examples
    --------
    >>> b = build_batch(example_records())
    >>> b.counts()["nodes"] > 0, ("FUNDS", "Organization", "Organization") in b.rels
    (True, True)
    """
    batch = GraphBatch()
    label_by_key = {
        spec.label: {rec[spec.key] for rec in records.get(k, [])}
        for k, spec in KINDS.items()
        if spec.is_node
    }

    def end_label(ref: str, value) -> str:
        targets = ref.split("|")
        for t in targets:
            if value in label_by_key.get(KINDS[t].label, ()):
                return KINDS[t].label
        return KINDS[targets[0]].label  # already in the store: the first choice

    frames = getattr(records, "frames", {})
    for kind in LOAD_ORDER:
        spec = KINDS[kind]
        rows = records.get(kind, [])
        if spec.is_node:
            _add_node_rows(batch, spec, rows)
        else:
            _add_rel_rows(batch, spec, rows, end_label)
            for typed in frames.get(kind, ()):
                _add_rel_frame(batch, spec, typed, end_label)
    batch.nodes = {k: v for k, v in batch.nodes.items() if v}
    return batch


def _add_rel_frame(batch: GraphBatch, spec, typed: pd.DataFrame, end_label) -> None:
    """A relationship kind's records checked as columns, kept as columns
    (:class:`FrameRows`); rows of the same relationships from other files join them."""
    refs = [spec.field(spec.start).ref, spec.field(spec.end).ref]
    if any("|" in ref for ref in refs):  # ends of several kinds: labelled row by row
        rows = typed.drop(columns=[c for c in typed.columns if c.startswith("_")])
        records = rows.astype(object).where(rows.notna(), None).to_dict("records")
        _add_rel_rows(batch, spec, records, end_label)
        return
    key = (spec.rel_type, *(KINDS[ref].label for ref in refs))
    t = typed[[c for c in typed.columns if not c.startswith("_")]]
    t = t.rename(columns={spec.key: "id"})
    t.insert(1, "start", t[spec.start])
    t.insert(2, "end", t[spec.end])
    earlier = batch.rels.get(key)
    if earlier:
        if isinstance(earlier, FrameRows):
            before = earlier.frame
        else:
            before = pd.DataFrame(
                [
                    {**r["props"], "id": r["id"], "start": r["start"], "end": r["end"]}
                    for r in earlier
                ]
            )
        t = pd.concat([before, t], ignore_index=True)
    batch.rels[key] = FrameRows(t)
