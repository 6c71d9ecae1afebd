"""What a load changes: each record new, updated (and how), unchanged, or in conflict with a
record of another source; and what a sync or a retraction removes.

Every record a load writes remembers the sources that loaded it (``loaded_from``, a list:
the path a load was given, or the name given with ``--source``). Before writing, a load
reads the stored version of each record it holds and plans (:func:`plan`):

* **new** records are created;
* records of this source (or of none, written before sources were kept) whose values
  differ are **updated**: a value the file no longer gives is cleared, not kept;
* records whose values are the same are **unchanged** and not written again;
* a record another source also loaded, whose values differ, is a **conflict**: it is not
  overwritten, and the report says which source holds what (``replace=True`` overwrites);
  when only its provenance differs (the same country named by two files), the load adds
  itself to the record's sources and keeps the first provenance.

Comparisons run column by column over the whole load (numbers as numbers, text as text),
never record by record in Python.

Examples
--------
>>> stored = pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"], "loaded_from": [("s",), ("t",)]})
>>> rows = [{"id": "a", "props": {"name": "A2"}}, {"id": "b", "props": {"name": "B9"}},
...         {"id": "c", "props": {"name": "C"}}]
>>> p = plan_nodes("Organization", rows, stored, source="s")
>>> p.counts, [c.what() for c in p.changes], [c.what() for c in p.conflicts]
({'created': 1, 'updated': 1, 'unchanged': 0, 'conflicts': 1}, ["organization a: name 'A' → 'A2'"], ["organization b: name is 'B' from t; this load has 'B9' (kept as it was)"])
>>> [r["props"] for r in p.rows]
[{'name': 'A2', 'loaded_from': ('s',)}, {'name': 'C', 'loaded_from': ('s',)}]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graph.store.batch import FrameRows
from graph.store.tables import isin
from graph.text import label

__all__ = [
    "SOURCES",
    "PROVENANCE",
    "Change",
    "Conflict",
    "KindPlan",
    "plan_nodes",
    "plan_rels",
    "with_source",
    "without_source",
    "loaded_by",
    "shown",
    "Removal",
    "removal",
]

#: The property that lists the sources that loaded a record.
SOURCES = "loaded_from"
#: Properties that say where a fact comes from, not what it is: two sources may differ in
#: them without a conflict.
PROVENANCE = ("source_id", "quote", SOURCES)
_ENDS = ("id", "start", "end")


@dataclass(frozen=True)
class Change:
    """One value a load changes."""

    kind: str
    id: str
    field: str
    old: object
    new: object

    def what(self) -> str:
        """The change in words."""
        return f"{label(self.kind)} {self.id}: {self.field} {shown(self.old)} → {shown(self.new)}"


@dataclass(frozen=True)
class Conflict:
    """A record another source loaded with different values."""

    kind: str
    id: str
    field: str
    stored: object
    new: object
    sources: tuple

    def what(self) -> str:
        """The conflict in words."""
        return (
            f"{label(self.kind)} {self.id}: {self.field} is {shown(self.stored)} from "
            f"{', '.join(self.sources)}; this load has {shown(self.new)} (kept as it was)"
        )


def shown(v) -> str:
    """A stored value as the reports show it: ``empty`` for none, whole numbers without
    ``.0``, text quoted, cut at 80 characters."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "empty"
    if isinstance(v, float | np.floating) and float(v).is_integer():
        v = int(v)  # 500, not 500.0: a column with a gap is held as floats
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
        return f"{v:,}"
    text = repr(v) if isinstance(v, str) else str(v)
    return text if len(text) <= 80 else text[:79] + "…"


@dataclass
class KindPlan:
    """The plan for one label or relationship type: the rows to write (each with all its
    values, ``None`` to clear one, and its sources), the ids of those that are new, the
    counts and the changes and conflicts found."""

    kind: str
    rows: list | FrameRows = field(default_factory=list)
    new_ids: set = field(default_factory=set)
    moved: set = field(default_factory=set)
    counts: dict = field(default_factory=dict)
    changes: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)


def with_source(sources, source: str) -> tuple:
    """``sources`` (a list or tuple, or missing) with ``source`` added, in order, as a tuple
    (hashable, so a million records' sources factorise at C speed; a server stores it as a
    list).

    >>> with_source(None, "a"), with_source(["b"], "a"), with_source(("a",), "a")
    (('a',), ('b', 'a'), ('a',))
    """
    held = tuple(sources) if isinstance(sources, list | tuple | np.ndarray) else ()
    return held if source in held else (*held, source)


def without_source(sources, source: str) -> tuple:
    """``sources`` without ``source``."""
    held = tuple(sources) if isinstance(sources, list | tuple | np.ndarray) else ()
    return tuple(s for s in held if s != source)


def loaded_by(sources: pd.Series, source: str) -> np.ndarray:
    """A mask of the records whose sources (a column of tuples or lists) hold ``source``;
    each distinct combination is looked at once.

    >>> loaded_by(pd.Series([("a",), ("a", "b"), None, ("b",)]), "a").tolist()
    [True, True, False, False]
    """
    codes, lists = _distinct_lists(sources.reset_index(drop=True), np.ones(len(sources), bool))
    hit = np.array([source in x for x in lists] + [False], dtype=bool)
    return hit[codes]


def _distinct_lists(sources: pd.Series, exists: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes of the records' source lists (the last code for a record with none) and the
    distinct lists, as tuples."""
    held = np.flatnonzero(exists & sources.notna().to_numpy())
    codes = np.full(len(sources), -1, dtype=np.int64)
    if not len(held):
        return codes, []
    values = sources.iloc[held].to_numpy()
    try:
        c, uniques = pd.factorize(values)  # tuples, as the stores keep them: hashed in C
    except TypeError:  # lists, as a server sends them
        as_tuples = [tuple(x) if isinstance(x, list | np.ndarray) else x for x in values]
        c, uniques = pd.factorize(pd.Series(as_tuples, dtype=object).to_numpy())
    codes[held] = c
    return codes, list(uniques)


def _frame_of(rows) -> pd.DataFrame:
    """Rows (dicts with ``props``, or :class:`FrameRows`) as one DataFrame."""
    if isinstance(rows, FrameRows):
        return rows.frame.copy()
    if not rows:
        return pd.DataFrame(columns=["id"])
    props = pd.DataFrame.from_records([r["props"] for r in rows])
    for c in reversed([c for c in _ENDS if c in rows[0]]):
        props.insert(0, c, [r[c] for r in rows])
    return props


def _differs(new: pd.Series, old: pd.Series) -> np.ndarray:
    """Where two aligned columns hold different values, compared as Python values (2024 is
    2024.0, a text is a text); two missing values are the same.

    >>> _differs(pd.Series([2024, None, "a", 1.5]), pd.Series([2024.0, None, "b", None])).tolist()
    [False, False, True, True]
    """
    a_missing, b_missing = new.isna().to_numpy(), old.isna().to_numpy()
    values_differ = new.to_numpy(dtype=object) != old.to_numpy(dtype=object)
    return np.where(a_missing | b_missing, a_missing != b_missing, values_differ)


def _compare(new: pd.DataFrame, old: pd.DataFrame, exists: np.ndarray, fields) -> tuple:
    """Which records differ at all, which differ in a value that is not provenance, and the
    differing columns (field → (mask, new values, stored values)). Only the records the
    store holds are compared (a first load compares nothing)."""
    n = len(new)
    changed = np.zeros(n, dtype=bool)
    in_kind = np.zeros(n, dtype=bool)
    diffs = {}
    at = np.flatnonzero(exists)
    if not len(at):
        return changed, in_kind, diffs
    for f in fields:
        a = new[f] if f in new else pd.Series([None] * n, dtype=object)
        b = old[f] if f in old else pd.Series([None] * n, dtype=object)
        a, b = a.reset_index(drop=True), b.reset_index(drop=True)
        d = np.zeros(n, dtype=bool)
        d[at] = _differs(a.iloc[at].reset_index(drop=True), b.iloc[at].reset_index(drop=True))
        if d.any():
            diffs[f] = (d, a, b)
            changed |= d
            if f not in PROVENANCE:
                in_kind |= d
    return changed, in_kind, diffs


def _note(plan: KindPlan, new, diffs, updated, conflict, sources, source) -> None:
    """Put the changes and conflicts in the plan (up to 10,000 of each)."""
    for f, (d, a, b) in diffs.items():
        for i in np.flatnonzero(d & updated)[: 10_000 - len(plan.changes)]:
            plan.changes.append(Change(plan.kind, str(new["id"].iat[i]), f, b.iat[i], a.iat[i]))
        if f in PROVENANCE:
            continue
        for i in np.flatnonzero(d & conflict)[: 10_000 - len(plan.conflicts)]:
            held = tuple(without_source(sources.iat[i], source))
            plan.conflicts.append(
                Conflict(plan.kind, str(new["id"].iat[i]), f, b.iat[i], a.iat[i], held)
            )


def _clears(new, old, fields, updated, keep) -> dict:
    """Field → ids of the written records whose stored value is cleared: a value the file
    no longer gives, on an updated record."""
    clears = {}
    for f in fields:
        if f in PROVENANCE or f not in old:
            continue
        given = new[f].notna().to_numpy() if f in new else np.zeros(len(new), dtype=bool)
        held = old[f].reset_index(drop=True).notna().to_numpy()
        gone = (updated & held & ~given)[keep]
        if gone.any():
            clears[f] = set(new["id"].to_numpy()[keep][gone].tolist())
    return clears


def _plan(kind: str, new: pd.DataFrame, stored: pd.DataFrame, source: str, replace: bool):
    """The plan over aligned frames (see the module notes): the plan, and what is written
    (:class:`_Written`)."""
    plan = KindPlan(kind)
    stored = stored if len(stored) else pd.DataFrame(columns=["id"])
    old = stored.set_index("id").reindex(new["id"].to_numpy())
    exists = isin(new["id"], stored["id"]) if len(stored) else np.zeros(len(new), dtype=bool)
    fields = sorted((set(new.columns) | set(old.columns)) - {"id", SOURCES})
    changed, in_kind, diffs = _compare(new, old, exists, fields)
    held = old[SOURCES] if SOURCES in old else pd.Series([None] * len(new), dtype=object)
    sources = held.reset_index(drop=True)
    # a record's sources decide it; the distinct lists are few (one per combination of
    # loads), so each is looked at once and the answer spread back over the records
    codes, lists = _distinct_lists(sources, exists)
    other_of = np.array([bool(without_source(x, source)) for x in lists] + [False], dtype=bool)
    mine_of = np.array([source in x for x in lists] + [False], dtype=bool)
    others, has_me = other_of[codes] & exists, mine_of[codes]
    conflict = exists & others & in_kind & (not replace)
    shared = exists & others & ~in_kind & ~conflict  # the same fact: join it, keep provenance
    updated = exists & changed & ~conflict & ~shared
    unchanged = exists & ~changed & ~conflict & ~shared
    tag = (shared | unchanged) & ~has_me
    write = ~exists | updated | tag
    _note(plan, new, diffs, updated, conflict, sources, source)
    keep = np.flatnonzero(write)
    joined = np.empty(len(lists) + 1, dtype=object)  # each distinct list with the source
    joined[:] = [with_source(x, source) for x in lists] + [(source,)]
    plan.new_ids = set(new["id"][~exists].tolist())
    ends = [diffs[e][0] for e in ("start", "end") if e in diffs]
    if ends:  # a relationship whose ends change is taken away and made again
        plan.moved = set(new["id"][np.logical_or.reduce(ends) & updated].tolist())
    plan.counts = {
        "created": int((~exists).sum()),
        "updated": int(updated.sum()),
        "unchanged": int((unchanged | shared).sum()),
        "conflicts": int(conflict.sum()),
    }
    written = _Written(
        keep=keep,
        ids=new["id"].to_numpy()[keep],
        sources=joined[codes[keep]],
        # a record that only joins keeps its values: only its sources are written
        only_sources=(tag & ~updated)[keep],
        clears=_clears(new, old, fields, updated, keep),
    )
    return plan, written


@dataclass
class _Written:
    """Which of a load's records are written (their positions and ids), with which sources,
    which of them get their sources only, and the values cleared (field → ids)."""

    keep: np.ndarray
    ids: np.ndarray
    sources: np.ndarray
    only_sources: np.ndarray
    clears: dict


def _frame_rows(new: pd.DataFrame, w: _Written) -> FrameRows:
    """The records to write as columns."""
    out = new.iloc[w.keep].reset_index(drop=True)
    out[SOURCES] = w.sources
    if w.only_sources.any():
        for f in [c for c in out.columns if c not in (*_ENDS, SOURCES)]:
            col = out[f].astype(object)
            col[w.only_sources] = None
            out[f] = col
    return FrameRows(out, clears=w.clears)


def _dict_rows(rows: list, w: _Written) -> list[dict]:
    """The records to write as row dicts, made from the load's own rows (no round trip
    through a table): every value given, ``None`` for each one to clear."""
    out = []
    for i, sources, only in zip(w.keep.tolist(), w.sources, w.only_sources.tolist(), strict=True):
        r = rows[i]
        props = {SOURCES: sources} if only else {**r["props"], SOURCES: sources}
        out.append({**r, "props": props})
    if w.clears:
        at = {rid: j for j, rid in enumerate(w.ids.tolist())}
        for f, ids in w.clears.items():
            for rid in ids:
                out[at[rid]]["props"][f] = None  # cleared: SET n += {f: null} removes it
    return out


def plan_nodes(label_: str, rows, stored: pd.DataFrame, *, source: str, replace=False):
    """The :class:`KindPlan` of one label's rows against the stored nodes (``id``, their
    properties and ``loaded_from``)."""
    return plan_rels(label_, rows, stored, source=source, replace=replace)


def plan_rels(rel_type: str, rows, stored: pd.DataFrame, *, source: str, replace=False):
    """The :class:`KindPlan` of one relationship type's rows against the stored ones (``id``,
    ``start``, ``end``, their properties and ``loaded_from``); rows given as columns
    (:class:`FrameRows`) stay columns."""
    new = _frame_of(rows)
    plan, written = _plan(rel_type, new, stored, source, replace)
    if isinstance(rows, FrameRows):
        plan.rows = _frame_rows(new, written)
    else:
        plan.rows = _dict_rows(list(rows), written)
    return plan


@dataclass
class Removal:
    """What a sync or a retraction takes away, per label (``nodes``) and per relationship
    type (``rels``): the ids whose only source is the one removed (deleted) and, for those
    other sources also loaded, ``(id, the remaining sources)`` (written back without it).
    ``moved`` (type → ids) names the relationships a load gives new ends: a server takes
    them away before it writes them again (not counted as removed)."""

    nodes: dict = field(default_factory=dict)
    rels: dict = field(default_factory=dict)
    moved: dict = field(default_factory=dict)

    def empty(self) -> bool:
        return not any(d or u for d, u in (*self.nodes.values(), *self.rels.values()))


def removal(held: dict, keep: dict, source: str) -> Removal:
    """The :class:`Removal` of ``source``'s records that a load no longer holds.

    Parameters
    ----------
    held : dict
        ``("node", label)`` or ``("rel", type)`` → DataFrame of ``id`` and ``loaded_from``:
        the store's records that ``source`` loaded.
    keep : dict
        The same keys → the ids the load holds (empty for a retraction).

    >>> held = {("node", "Project"): pd.DataFrame({"id": ["p1", "p2", "p3"],
    ...                                             "loaded_from": [["s"], ["s", "t"], ["s"]]})}
    >>> r = removal(held, {("node", "Project"): {"p3"}}, "s")
    >>> r.nodes
    {'Project': (['p1'], [('p2', ('t',))])}
    """
    out = Removal()
    for (what, kind), t in held.items():
        if not len(t):
            continue
        gone = t[~t["id"].isin(list(keep.get((what, kind), ())))]
        codes, lists = _distinct_lists(
            gone[SOURCES].reset_index(drop=True), np.ones(len(gone), bool)
        )
        rest = [without_source(x, source) for x in lists] + [()]
        delete, untag = [], []
        for rid, c in zip(gone["id"].tolist(), codes.tolist(), strict=True):
            (untag.append((rid, rest[c])) if rest[c] else delete.append(rid))
        if delete or untag:
            (out.nodes if what == "node" else out.rels)[kind] = (delete, untag)
    return out
