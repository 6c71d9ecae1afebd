"""Validate raw rows into typed records, reporting every problem in one pass.

Rules, each with its own message and hint (:mod:`loaders.rules`): required values; types
and number formats (no thousands separators, no text in number columns); non-negative
amounts; ISO 4217 currencies; ISO 3166-1 alpha-3 countries; years in range; start ≤ end;
allowed values of enumerations; duplicate ids; references to organizations, projects,
networks, events, countries and regions that are neither in the same load nor already in
the store. A file read as columns (:class:`~loaders.frames.RawFrame`) is checked column-wise
(:mod:`loaders.columns`) with the same messages.

Examples
--------
>>> from loaders.records import RawRow
>>> from loaders.records import Location
>>> rows = [RawRow("countries", {"iso3": "KAZ", "name": "Kazakhstan", "source_id": "s",
...                              "quote": "q"}, Location("countries.csv", line=2))]
>>> records, problems = validate_rows(rows, known={"sources": {"s"}})
>>> records["countries"][0]["iso3"], problems
('KAZ', [])
>>> bad = [RawRow("countries", {"iso3": "KZ", "name": "Kazakhstan", "source_id": "s",
...                             "quote": "q"}, Location("countries.csv", line=2))]
>>> _, problems = validate_rows(bad, known={"sources": {"s"}})
>>> print(problems[0])
countries.csv, line 2, column 'iso3', value 'KZ': not an ISO 3166-1 alpha-3 country code. Fix: use the three-letter code, e.g. KAZ for Kazakhstan
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from graph.schema import KINDS, LOAD_ORDER, Kind
from loaders.columns import LINE, FirstSeen, validate_frame
from loaders.currency import NOTICES_KEY, Notice
from loaders.frames import RawFrame
from loaders.limits import MAX_CELL_CHARS, MAX_NAME_CHARS, NAME_FIELDS, invisible_removed
from loaders.records import BadValue, Location, Problem, RawRow
from loaders.rules import (
    convert,
    derive_link_id,
    duplicate_problem,
    reference_problem,
    required_problem,
    row_rules,
)

__all__ = [
    "validate_rows",
    "typed_row",
    "first_time",
    "reference_targets",
    "Records",
    "derive_link_id",
    "LINE",
]


class Records(dict):
    """Validated records: kind → list of dicts of typed values (plus ``_location``), and in
    :attr:`frames` the files checked as columns: kind → list of typed DataFrames (one column
    per field, ``None`` for no value, and the line of each record in :data:`LINE`; the file
    in ``attrs["file"]``).

    >>> r = Records({"funding": [{"flow_id": "f1"}]})
    >>> r.frames["funding"] = [pd.DataFrame({"flow_id": ["f2", "f3"]})]
    >>> r.count("funding"), r.counts()
    (3, {'funding': 3})
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frames: dict[str, list[pd.DataFrame]] = {}

    def count(self, kind: str) -> int:
        """How many records of ``kind`` there are, as rows and as columns."""
        return len(self.get(kind, ())) + sum(len(t) for t in self.frames.get(kind, ()))

    def rows(self, kind: str) -> list[dict]:
        """Every record of ``kind`` as a dict (``None`` for no value, and ``_location``),
        the ones checked as columns too: for reading a few, not for a million.

        >>> r = Records({"funding": [{"flow_id": "f1"}]})
        >>> r.frames["funding"] = [pd.DataFrame({"flow_id": ["f2"], "year": [None], LINE: [3]})]
        >>> r.frames["funding"][0].attrs["file"] = "funding.csv"
        >>> [(d["flow_id"], str(d.get("_location"))) for d in r.rows("funding")]
        [('f1', 'None'), ('f2', 'funding.csv, line 3')]
        """
        out = list(self.get(kind, ()))
        for t in self.frames.get(kind, ()):
            fields = t.drop(columns=[LINE])
            values = fields.astype(object).where(fields.notna(), None).to_dict("records")
            for line, rec in zip(t[LINE], values, strict=True):
                rec["_location"] = Location(t.attrs.get("file", "?"), line=int(line))
                out.append(rec)
        return out

    def counts(self) -> dict[str, int]:
        """Records by kind, for every kind that has any."""
        kinds = list(self) + [k for k in self.frames if k not in self]
        return {k: n for k in kinds if (n := self.count(k))}


def validate_rows(
    rows: Iterable[RawRow | RawFrame], *, known: dict[str, set] | None = None
) -> tuple[Records, list[Problem]]:
    """Check every row; return the typed records and every problem found.

    Parameters
    ----------
    rows : iterable of RawRow or RawFrame
        As read by :mod:`loaders.readers`.
    known : dict of kind → set of keys, optional
        Keys already in the target store; references to them are accepted.

    Returns
    -------
    records : Records
        Typed values by column, with the row's ``_location``. Only meaningful when
        ``problems`` is empty.
    problems : list of Problem
        Every problem, in file order.
    """
    known = known or {}
    records = Records({k: [] for k in LOAD_ORDER})
    problems: list[Problem] = []
    seen = FirstSeen()

    for row in rows:
        if isinstance(row, RawFrame):
            typed, found = validate_frame(row, seen)
            typed.attrs["file"] = row.file
            records.frames.setdefault(row.kind, []).append(typed)
            problems.extend(found)
            continue
        out, found = typed_row(row)
        problems.extend(found)
        if first_time(row, out, seen, records[row.kind], problems):
            records[row.kind].append(out)

    problems.extend(_reference_problems(records, known))
    return records, problems


def typed_row(row: RawRow) -> tuple[dict, list[Problem]]:
    """A row's values converted by its kind's fields (``None`` where there is no value or a
    bad one, and ``_location``), with the problems of its cells and of the row as a whole.

    >>> from loaders.records import Location
    >>> out, problems = typed_row(RawRow("countries", {"iso3": "KZ"}, Location("c.csv", line=2)))
    >>> [p.column for p in problems]
    ['iso3', 'name', 'source_id', 'quote']
    """
    spec = KINDS[row.kind]
    out = {"_location": row.location}
    problems: list[Problem] = []
    bad: set[str] = set()
    if row.published:
        _tidy_published(row, spec)
    for f in spec.fields:
        text = row.values.get(f.name)
        if text is None:
            if f.required:
                problems.append(required_problem(row.location, f))
            out[f.name] = None
            continue
        try:
            out[f.name] = convert(f, text, published=row.published)
        except BadValue as e:
            problems.append(Problem(row.location, f.name, text, e.message, e.hint))
            out[f.name] = None
            bad.add(f.name)
    problems.extend(row_rules(spec, out, bad))
    if spec.rel_type and spec.key == "link_id" and not out.get("link_id"):
        out["link_id"] = derive_link_id(spec, out)
    return out, problems


def _tidy_published(row: RawRow, spec: Kind) -> None:
    """A published file is not yours to fix: invisible characters are removed from its
    cells, and a name longer than the limit is cut, each with a notice on the row."""
    said = []
    for f in spec.fields:
        text = row.values.get(f.name)
        if not isinstance(text, str):
            continue
        cleaned, n = invisible_removed(text)
        if n:
            said.append(
                Notice(
                    row.location,
                    f.name,
                    text[:80],
                    f"{n} invisible or control character{'s' if n != 1 else ''} removed",
                )
            )
        limit = MAX_NAME_CHARS if f.name in NAME_FIELDS else MAX_CELL_CHARS
        if len(cleaned) > limit:
            said.append(
                Notice(
                    row.location,
                    f.name,
                    cleaned[:80],
                    f"cut at {limit:,} characters (it had {len(cleaned):,})",
                )
            )
            cleaned = cleaned[:limit].rstrip()
        if cleaned != text:
            row.values[f.name] = cleaned or None
    if said:
        row.values[NOTICES_KEY] = (*(row.values.get(NOTICES_KEY) or ()), *said)


def first_time(row: RawRow, out: dict, seen: FirstSeen, earlier: list, problems: list) -> bool:
    """Whether ``out`` (the typed ``row``) is the first record of its id in the load:
    a repeated id is a duplicate (added to ``problems``), except a country or region named
    again with the same values (one fact; ``earlier`` holds the kind's records so far)."""
    spec = KINDS[row.kind]
    key = out.get(spec.key)
    if key is None:
        return True
    where = seen.where(row.kind, key)
    if where is not None and _same_reference_fact(spec, out, earlier, key):
        return False
    if where is not None:
        problems.append(duplicate_problem(row.location, spec.key, key, where))
        return False
    seen.add(row.kind, key, row.location)
    return True


#: Kinds that are reference facts: the same country or region named by two files is one fact.
_REFERENCE_KINDS = ("countries", "regions")


def _same_reference_fact(spec: Kind, rec: dict, earlier: list[dict], key) -> bool:
    """Whether ``rec`` repeats an earlier country or region row with the same values.

    Two standard files (say an IATI file and a 360Giving file) that both target Kenya each
    name the country; that is one fact, not a duplicate id. Provenance may differ; any other
    value that differs is still a duplicate to report.
    """
    if spec.name not in _REFERENCE_KINDS:
        return False
    first = next(r for r in earlier if r.get(spec.key) == key)
    same = ("source_id", "quote", "_location")
    return all(rec.get(c) == first.get(c) for c in spec.columns if c not in same)


#: The kinds some reference points at: only their keys are gathered.
_TARGETS = {t for spec in KINDS.values() for f in spec.fields if f.ref for t in f.ref.split("|")}


def reference_targets() -> frozenset:
    """The record kinds some reference points at (their keys are what references need)."""
    return frozenset(_TARGETS)


def _reference_problems(records: Records, known: dict[str, set]) -> list[Problem]:
    keys: dict[str, set] = {}
    for k in _TARGETS:
        key = KINDS[k].key
        keys[k] = {r[key] for r in records.get(k, ()) if r.get(key)}
        for t in records.frames.get(k, ()):
            keys[k].update(t[key].dropna())
        keys[k].update(known.get(k, ()))
    out = []
    for kind, rows in records.items():
        spec = KINDS[kind]
        for f in spec.fields:
            if f.type != "ref":
                continue
            targets = f.ref.split("|")
            for rec in rows:
                value = rec.get(f.name)
                if value is None or any(value in keys.get(t, ()) for t in targets):
                    continue
                out.append(reference_problem(rec["_location"], f.name, value, targets, keys))
            for t in records.frames.get(kind, ()):
                values = t[f.name]
                known_value = values.isna().to_numpy().copy()
                for target in targets:
                    known_value |= values.isin(keys.get(target, ())).to_numpy()
                for pos in (~known_value).nonzero()[0]:
                    loc = Location(t.attrs["file"], line=int(t[LINE].iat[pos]))
                    out.append(reference_problem(loc, f.name, values.iat[pos], targets, keys))
    return out
