"""A load into a store, from plan to markers: what it changes (:mod:`graph.store.changes`),
the write itself in one transaction (retried when another client's write gets in the
way), what a sync removes, and the load-history markers. And a retraction.

Both stores go through here (:meth:`graph.store.GraphStore.write`,
:meth:`~graph.store.GraphStore.retract`); each store only reads the stored versions of
records, writes a planned batch and removes what a plan says.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import time

from graph.errors import ConcurrentWrite
from graph.store.batch import GraphBatch, row_ids
from graph.store.changes import Removal, plan_nodes, plan_rels, removal
from graph.store.load_report import LoadReport

__all__ = ["write", "retract", "retrying", "TRIES", "close_stale", "load_id_of"]

#: Attempts of a write that another client's write got in the way of (a deadlock, a lock
#: timeout, the same new record written by two loads), with waits of 0.5, 1, 2, 4 s.
TRIES = 5


def load_id_of(batch: GraphBatch, source: str) -> str:
    """A load's id: the same records from the same source give the same id (so a re-load
    of unchanged files is known), the same records from another source another one."""
    return hashlib.sha256(f"{batch.fingerprint()}\0{source}".encode()).hexdigest()[:16]


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _plan(store, batch: GraphBatch, source: str, replace: bool, report: LoadReport):
    """The batch to write (each record planned), the ids of the relationships that exist
    (the rest are created without a merge), and the report's counts."""
    planned = GraphBatch()
    for label, rows in batch.nodes.items():
        stored = store.stored_nodes(label, row_ids(rows))
        p = plan_nodes(label, rows, stored, source=source, replace=replace)
        planned.nodes[label] = p.rows
        _count(report, "nodes", label, p)
        report.changes += p.changes
        report.conflicts += p.conflicts
    existing: dict[str, set] = {}
    moved: dict[str, set] = {}
    for key, rows in batch.rels.items():
        t = key[0]
        ids = row_ids(rows)
        p = plan_rels(t, rows, store.stored_rels(t, ids), source=source, replace=replace)
        planned.rels[key] = p.rows
        existing.setdefault(t, set()).update(set(row_ids(p.rows)) - p.new_ids - p.moved)
        if p.moved:
            moved.setdefault(t, set()).update(p.moved)
        _count(report, "rels", t, p)
        report.changes += p.changes
        report.conflicts += p.conflicts
    planned.nodes = {k: v for k, v in planned.nodes.items() if len(v)}
    planned.rels = {k: v for k, v in planned.rels.items() if len(v)}
    return planned, existing, moved


def _count(report: LoadReport, what: str, kind: str, p) -> None:
    """Add a plan's counts to the report's ``nodes_*`` or ``rels_*`` counts."""
    c = p.counts

    def add(counts: dict, n: int, always=False):
        if n or always:
            counts[kind] = counts.get(kind, 0) + n

    add(getattr(report, f"{what}_created"), c["created"], always=True)
    add(getattr(report, f"{what}_existing"), c["updated"] + c["unchanged"] + c["conflicts"], True)
    add(getattr(report, f"{what}_updated"), c["updated"])
    add(report.in_conflict, c["conflicts"])


def _unchanged(batch: GraphBatch, report: LoadReport) -> LoadReport:
    for label, rows in batch.nodes.items():
        report.nodes_existing[label] = len(set(row_ids(rows)))
        report.nodes_created[label] = 0
    for (t, _s, _e), rows in batch.rels.items():
        report.rels_existing[t] = report.rels_existing.get(t, 0) + len(rows)
        report.rels_created[t] = 0
    return report


def retrying(action):
    """``action()``, tried again with waits of 0.5, 1, 2, 4 s while another client's write
    gets in the way (:class:`~graph.errors.ConcurrentWrite`); its result and how many tries
    it took. After :data:`TRIES` the error says so in plain words."""
    for attempt in range(TRIES):
        try:
            return action(), attempt + 1
        except ConcurrentWrite as e:
            if attempt == TRIES - 1:
                raise ConcurrentWrite(
                    "other loads kept writing the same records at the same time, and this "
                    f"one could not get through after {TRIES} tries over "
                    f"{sum(0.5 * 2**i for i in range(TRIES - 1)):g} seconds; nothing of it was "
                    f"written. Run it again when the others have finished. (The server said: {e})",
                    transient=False,
                ) from e
            time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def write(
    store,
    batch: GraphBatch,
    *,
    source: str = "",
    progress=None,
    sync: bool = False,
    replace: bool = False,
) -> LoadReport:
    """Write ``batch`` into ``store`` as a load from ``source`` (see
    :meth:`graph.store.GraphStore.write`)."""
    load_id = load_id_of(batch, source)
    if not (replace or sync) and store.is_latest_complete(load_id):
        return _unchanged(batch, LoadReport(load_id, source))
    counts = batch.counts()
    started = {
        "source": source,
        "status": "started",
        "started": _now(),
        "started_ns": time.time_ns(),  # orders loads within the same second
        "nodes": counts["nodes"],
        "relationships": counts["relationships"],
    }
    retrying(lambda: store.mark_load(load_id, started))
    report = LoadReport(load_id, source)
    total = 0

    def attempt():
        nonlocal report, total
        report = LoadReport(load_id, source)
        with store.write_lock():
            clock = store.clock()
            planned, existing, moved = _plan(store, batch, source, replace, report)
            gone = _sync(store, batch, source) if sync else Removal()
            gone.moved = moved
            total = sum(map(len, planned.nodes.values())) + sum(map(len, planned.rels.values()))
            if progress is not None:
                progress(0, total)
            return store.write_planned(planned, progress, existing, gone, clock)

    outcome, report.tries = retrying(attempt)
    if progress is not None:
        progress(total, total)
    _outcome(report, outcome)
    finished = {
        "status": "complete",
        "finished": _now(),
        "nodes_created": report.created["nodes"],
        "relationships_created": report.created["relationships"],
        "updated": report.updated,
        "conflicts": report.conflicting,
        "removed": sum(report.removed.values()),
    }
    retrying(lambda: store.mark_load(load_id, finished))
    report.closed = close_stale(store, source, but=load_id)
    return report


def _sync(store, batch: GraphBatch, source: str) -> Removal:
    """What a sync of ``source`` removes: its records the batch no longer holds."""
    keep = {("node", label): set(row_ids(rows)) for label, rows in batch.nodes.items()}
    for (t, _a, _b), rows in batch.rels.items():
        keep.setdefault(("rel", t), set()).update(row_ids(rows))
    return removal(store.of_source(source), keep, source)


def _outcome(report: LoadReport, outcome) -> None:
    """Put what the store removed and kept into the report."""
    removed, kept = outcome or ({}, {})
    report.removed = {k: n for k, n in removed.items() if n}
    report.kept = {k: n for k, n in kept.items() if n}


def close_stale(store, source: str, *, but: str | None = None) -> list[str]:
    """Mark the loads of ``source`` that started and never finished: ``superseded`` when
    ``but`` (a complete load of the same source, left alone) takes their place, else
    ``closed`` (``python -m loaders history --close``). Their ids."""
    h = store.load_history()
    if not len(h) or "status" not in h:
        return []
    stale = h[(h["status"] == "started") & (h["source"] == source) & (h["load_id"] != but)]
    status = "superseded" if but is not None else "closed"
    for load_id in stale["load_id"]:
        retrying(lambda i=load_id: store.mark_load(i, {"status": status, "closed": _now()}))
    return list(stale["load_id"])


def retract(store, *, source: str | None = None, ids=()) -> LoadReport:
    """Remove on purpose every record of ``source`` (or only its name from the records
    other sources also loaded), or the records with ``ids`` (a node with its ties); the
    retraction is recorded in the load history."""
    if (source is None) == (not ids):
        raise ValueError("give a source or ids to retract, not both")
    tag = f"retract {source}" if source is not None else f"retract {len(ids)} id(s)"
    report = LoadReport(f"r{time.time_ns():x}"[-16:], tag)

    def attempt():
        with store.write_lock():
            if source is not None:
                clock = store.clock()
                gone = removal(store.of_source(source), {}, source)
                return store.write_planned(GraphBatch(), None, {}, gone, clock)
            return store.remove_ids(list(ids))

    outcome, report.tries = retrying(attempt)
    _outcome(report, outcome)
    marker = {
        "source": tag,
        "status": "retracted",
        "started": _now(),
        "finished": _now(),
        "started_ns": time.time_ns(),
        "removed": sum(report.removed.values()),
    }
    retrying(lambda: store.mark_load(report.load_id, marker))
    return report
