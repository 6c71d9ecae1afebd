"""Validation that streams: a big file checked in bounded memory, with the same rules and
words as :func:`loaders.validate.validate_rows`.

Rows are checked as they are read and then dropped. What the checks need across rows is
kept in compact form:

* the id of every record and where it was first seen (one int for a line of a file), for
  duplicates;
* the ids of the kinds references point at (organizations, projects, countries…);
* references that cannot be resolved yet (in an IATI file the organisations come after the
  transactions that name them): per referenced id, up to :data:`PLACES_PER_ID` places and a
  count of the rest, resolved at the end;
* the countries and regions read so far (a country named twice with the same values is one
  fact).

Problems are kept up to :data:`MAX_PROBLEMS` and notices up to :data:`MAX_NOTICES`; beyond,
they are counted and the report says how many more there are. ``python -m loaders validate``
and the app's validation step use this, so a 200 MB IATI file is checked in a few hundred MB
(the load itself then holds the records it writes).

Examples
--------
>>> from loaders.records import Location, RawRow
>>> rows = [RawRow("countries", {"iso3": "KAZ", "name": "Kazakhstan", "source_id": "s",
...                              "quote": "q"}, Location("c.csv", line=2)),
...         RawRow("countries", {"iso3": "KAZ", "name": "Other", "source_id": "s",
...                              "quote": "q"}, Location("c.csv", line=3))]
>>> r = check_stream(rows, known={"sources": {"s"}})
>>> r.counts, [str(p) for p in r.problems]  # doctest: +NORMALIZE_WHITESPACE
({'countries': 1},
 ["c.csv, line 3, column 'iso3', value 'KAZ': duplicate id (first at c.csv, line 2).
   Fix: give each record its own id, or remove the repeated row"])
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from graph.schema import KINDS, LOAD_ORDER
from loaders.aliases import AliasTable, aliased
from loaders.columns import LINE, FirstSeen, validate_frame
from loaders.currency import Notice, notices
from loaders.frames import RawFrame
from loaders.records import Location, Problem
from loaders.rules import reference_problem
from loaders.validate import first_time, reference_targets, typed_row

__all__ = ["StreamReport", "check_stream", "MAX_PROBLEMS", "MAX_NOTICES", "PLACES_PER_ID"]

#: Problems kept in one report; the rest are counted.
MAX_PROBLEMS = 50_000
#: Notices kept in one report; the rest are counted.
MAX_NOTICES = 10_000
#: Places kept for one unresolved referenced id; the rest are counted.
PLACES_PER_ID = 1_000
#: The kinds whose records are kept (a repeated country or region is compared with them).
_KEPT_KINDS = ("countries", "regions")


@dataclass
class StreamReport:
    """What a streamed check found: records by kind, the problems (in the order found;
    references resolved at the end come last) and notices, and how many more of each there
    were than are kept."""

    counts: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    more_problems: int = 0
    more_notices: int = 0

    def problem(self, p: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(p)
        else:
            self.more_problems += 1

    def notice(self, n: Notice) -> None:
        if len(self.notices) < MAX_NOTICES:
            self.notices.append(n)
        else:
            self.more_notices += 1

    @property
    def all_problems(self) -> list:
        """The problems, with one more saying how many were not kept."""
        if not self.more_problems:
            return list(self.problems)
        last = self.problems[-1].location if self.problems else Location("the files")
        return [
            *self.problems,
            Problem(
                last,
                None,
                None,
                f"… and {self.more_problems:,} more problems, not listed",
                "fix the ones above and check again",
            ),
        ]


class _Pending:
    """References that could not be resolved when their row was read."""

    def __init__(self):
        # (kind, field) → referenced id → [places], and how many places were not kept
        self.places: dict[tuple, dict] = {}
        self.more: Counter = Counter()

    def add(self, kind: str, column: str, value, loc: Location) -> None:
        at = self.places.setdefault((kind, column), {}).setdefault(value, [])
        if len(at) < PLACES_PER_ID:
            at.append(loc)
        else:
            self.more[(kind, column, value)] += 1


def _resolved(value, targets, keys: dict) -> bool:
    return any(value in keys.get(t, ()) for t in targets)


def _refs(spec):
    return [(f.name, f.ref.split("|")) for f in spec.fields if f.type == "ref"]


def check_stream(items, *, known: dict | None = None, aliases: AliasTable | None = None):
    """Check rows and frames as they stream by (see the module notes).

    Parameters
    ----------
    items : iterable of RawRow, RawFrame or Problem
        As :func:`loaders.readers.iter_path` yields them (read problems pass through).
    known : dict of kind → set of keys, optional
        Keys already in the target store.
    aliases : AliasTable, optional
        Renames published files' organisations (the bundled table by default).

    Returns
    -------
    StreamReport
    """
    known = known or {}
    targets = reference_targets()
    keys = {t: set(known.get(t, ())) for t in targets}
    table = aliases if aliases is not None else AliasTable.bundled()
    said: dict = {}
    rows = aliased(items, table, set(known.get("organizations", ())), said)
    report = StreamReport()
    counts: Counter = Counter()
    seen = FirstSeen(compact=True)
    kept: dict[str, list] = {k: [] for k in _KEPT_KINDS}
    pending = _Pending()
    for row in rows:
        if isinstance(row, Problem):
            report.problem(row)
        elif isinstance(row, RawFrame):
            _frame(row, seen, keys, targets, pending, report, counts)
        else:
            _row(row, seen, keys, targets, pending, report, counts, kept)
    for (kind, column), by_value in pending.places.items():
        ref_targets = dict(_refs(KINDS[kind]))[column]
        for value, places in by_value.items():
            if _resolved(value, ref_targets, keys):
                continue
            for loc in places:
                report.problem(reference_problem(loc, column, value, ref_targets, keys))
            more = pending.more[(kind, column, value)]
            if more:
                report.problem(
                    Problem(
                        places[-1],
                        column,
                        value,
                        f"… and {more:,} more rows refer to the same unknown id",
                        "add it first, or correct the id",
                    )
                )
    order = {k: i for i, k in enumerate(LOAD_ORDER)}
    report.counts = {k: counts[k] for k in sorted(counts, key=lambda k: order.get(k, len(order)))}
    return report


def _row(row, seen, keys, targets, pending, report, counts, kept) -> None:
    out, found = typed_row(row)  # a published row's cells are tidied here, with notices
    for n in notices([row]):
        report.notice(n)
    for p in found:
        report.problem(p)
    problems: list = []
    earlier = kept.get(row.kind, [])
    if first_time(row, out, seen, earlier, problems):
        counts[row.kind] += 1  # a record of the load (a repeated country is one fact)
        if row.kind in kept:
            earlier.append(out)
        spec = KINDS[row.kind]
        if row.kind in targets and out.get(spec.key) is not None:
            keys[row.kind].add(out[spec.key])
    for p in problems:
        report.problem(p)
    for column, ref_targets in _refs(KINDS[row.kind]):
        value = out.get(column)
        if value is not None and not _resolved(value, ref_targets, keys):
            pending.add(row.kind, column, value, row.location)


def _frame(frame, seen, keys, targets, pending, report, counts) -> None:
    for n in notices([frame]):
        report.notice(n)
    typed, found = validate_frame(frame, seen)
    counts[frame.kind] += len(typed)
    for p in found:
        report.problem(p)
    spec = KINDS[frame.kind]
    if frame.kind in targets:
        keys[frame.kind].update(typed[spec.key].dropna())
    for column, ref_targets in _refs(spec):
        values = typed[column]
        ok = values.isna().to_numpy().copy()
        for t in ref_targets:
            ok |= values.isin(keys.get(t, ())).to_numpy()
        for pos in np.flatnonzero(~ok):
            loc = Location(frame.file, line=int(typed[LINE].iat[pos]))
            pending.add(frame.kind, column, values.iat[pos], loc)
