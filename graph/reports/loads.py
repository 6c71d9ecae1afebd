"""What loads did, in words: the load history (:func:`load_history`), and one load's
outcome per kind of record (:func:`load_outcome`) and its changed values
(:func:`load_changes`), as the Data page, the board report and the command line show them.

Examples
--------
>>> from graph.store.load_report import LoadReport
>>> r = LoadReport("x", "s", {"Project": 1}, {"Project": 2}, {}, {}, nodes_updated={"Project": 1})
>>> load_outcome(r).to_dict("records")
[{'what': 'project', 'new': 1, 'updated': 1, 'unchanged': 1, 'kept (another source differs)': 0, 'removed': 0}]
"""

from __future__ import annotations

import pandas as pd

from graph.store import GraphStore
from graph.store.changes import shown
from graph.store.load_report import LoadReport
from graph.text import label

__all__ = ["LOAD_OUTCOMES", "load_history", "load_outcome", "load_changes"]

MINIMAL = "tests/fixtures/minimal"

#: What each status of a load means, in words.
LOAD_OUTCOMES = {
    "complete": "finished",
    "started": "did not finish: the store was left as it was",
    "superseded": "did not finish; a later load of the same source took its place",
    "closed": "did not finish; closed by hand",
    "retracted": "records taken out",
}


def load_history(store: GraphStore) -> pd.DataFrame:
    """The loads the store records, newest first, in words: ``when`` (UTC, to the minute),
    ``what`` (the source: a folder or files, or the name given), ``outcome``, ``records``
    and ``new records`` (nodes written, and of those new), ``ties`` and ``new ties``
    (relationships), ``updated`` (records whose values changed), ``conflicts`` (records
    another source loaded with other values, kept) and ``removed``.

    >>> from loaders.load import load_memory
    >>> h = load_history(load_memory(MINIMAL))
    >>> h.columns.tolist()
    ['when', 'what', 'outcome', 'records', 'new records', 'ties', 'new ties', 'updated', 'conflicts', 'removed']
    >>> h["outcome"].tolist()
    ['finished']
    """
    h = store.load_history()
    cols = ["when", "what", "outcome", "records", "new records", "ties", "new ties"]
    cols += ["updated", "conflicts", "removed"]
    if not len(h):
        return pd.DataFrame(columns=cols)
    if "started_ns" in h:
        h = h.sort_values("started_ns", ascending=False, kind="stable")

    def count(c):
        return pd.to_numeric(h[c], errors="coerce").astype("Int64") if c in h else pd.NA

    when = (
        h["finished"].where(h["finished"].notna(), h["started"])
        if "finished" in h
        else h["started"]
    )
    return pd.DataFrame(
        {
            "when": when.astype(str).str[:16].str.replace("T", " ", regex=False) + " UTC",
            "what": h.get("source", ""),
            "outcome": h["status"].map(LOAD_OUTCOMES).fillna(h["status"]),
            "records": count("nodes"),
            "new records": count("nodes_created"),
            "ties": count("relationships"),
            "new ties": count("relationships_created"),
            "updated": count("updated"),
            "conflicts": count("conflicts"),
            "removed": count("removed"),
        }
    ).reset_index(drop=True)


def load_outcome(report: LoadReport) -> pd.DataFrame:
    """One row per kind of record a load touched: ``what``, ``new``, ``updated``,
    ``unchanged``, ``kept (another source differs)`` and ``removed``."""
    kinds = sorted(
        set(report.nodes_created)
        | set(report.nodes_existing)
        | set(report.rels_created)
        | set(report.rels_existing)
        | set(report.removed)
    )

    def of(*counts):
        return [sum(c.get(k, 0) for c in counts) for k in kinds]

    new = of(report.nodes_created, report.rels_created)
    existing = of(report.nodes_existing, report.rels_existing)
    updated = of(report.nodes_updated, report.rels_updated)
    conflicts = of(report.in_conflict)
    return pd.DataFrame(
        {
            "what": [label(k) for k in kinds],
            "new": new,
            "updated": updated,
            "unchanged": [e - u - c for e, u, c in zip(existing, updated, conflicts, strict=True)],
            "kept (another source differs)": conflicts,
            "removed": of(report.removed),
        }
    )


def load_changes(report: LoadReport) -> pd.DataFrame:
    """Every value a load changed, and every one it kept because another source loaded the
    record with another value: ``record``, ``field``, ``was``, ``now`` (or ``this load
    had``) and ``what happened``."""
    rows = [
        {
            "record": f"{label(c.kind)} {c.id}",
            "field": c.field,
            "before": shown(c.old),
            "this load": shown(c.new),
            "what happened": "changed",
        }
        for c in report.changes
    ] + [
        {
            "record": f"{label(c.kind)} {c.id}",
            "field": c.field,
            "before": shown(c.stored),
            "this load": shown(c.new),
            "what happened": f"kept: {', '.join(c.sources)} loaded it",
        }
        for c in report.conflicts
    ]
    cols = ["record", "field", "before", "this load", "what happened"]
    return pd.DataFrame(rows, columns=cols)
