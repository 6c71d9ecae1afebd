"""Column-wise validation of a :class:`~loaders.frames.RawFrame`: the rules of
:mod:`loaders.rules`, a column at a time, with the very messages (and their order) of the
row-by-row path.

Each typed column is converted once per *distinct* cell text (a million flows have a few
dozen years, currencies and channels), through the same converter the row path calls, so a
value and a message cannot differ between the paths. Amounts, which are mostly distinct,
take a vectorised path for plain decimals (digits, an optional fraction; converted by
Python's own ``float`` in C) and the converter for everything else. Rules across columns,
duplicate ids and the derived USD amount are masks over the whole table.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from loaders.frames import RawFrame
>>> cells = pd.DataFrame({"flow_id": ["f1", "f1"], "amount": ["10", "1,5"],
...                       "currency": ["USD", None], "year": ["2024", "1800"]})
>>> frame = RawFrame("funding", cells, np.array([2, 3]), "funding.csv")
>>> typed, problems = validate_frame(frame, FirstSeen())
>>> typed[["flow_id", "amount", "amount_usd", "usd_rate", "year"]].to_dict("records")
[{'flow_id': 'f1', 'amount': 10, 'amount_usd': 10, 'usd_rate': 1, 'year': 2024}]
>>> [p.column for p in problems if p.location.line == 3 and p.value is not None]
['year', 'amount', 'flow_id']
>>> print(problems[-1])
funding.csv, line 3, column 'flow_id', value 'f1': duplicate id (first at funding.csv, line 2). Fix: give each record its own id, or remove the repeated row
"""

from __future__ import annotations

from itertools import repeat

import numpy as np
import pandas as pd

from graph.schema import KINDS, Field
from loaders.frames import RawFrame
from loaders.records import BadValue, Location, Problem
from loaders.rules import convert, duplicate_problem, required_problem

__all__ = ["FirstSeen", "validate_frame", "LINE"]

#: The column of a typed frame that holds each record's line in its file.
LINE = "_line"

#: Plain decimals that the vectorised number path converts: at most 15 digits before and
#: after the point, so every one is a finite, exactly comparable, non-negative float.
_PLAIN_DECIMAL = r"\d{1,15}(?:\.\d{1,15})?"


class FirstSeen:
    """Where each record id of one load was first seen, by kind: rows add one id at a
    time, frames a column at once.

    >>> seen = FirstSeen()
    >>> seen.add("funding", "f1", Location("a.csv", line=2))
    >>> seen.add_frame("funding", pd.Series(["f2"]), np.array([5]), "b.csv")
    >>> str(seen.where("funding", "f2")), seen.where("funding", "f3")
    ('b.csv, line 5', None)
    >>> [str(w) for w in seen.where_many("funding", pd.Series(["f1", "f3"]))]
    ['a.csv, line 2', 'None']
    """

    def __init__(self, *, compact: bool = False):
        self._rows: dict[str, dict] = {}
        self._frames: dict[str, list[tuple[pd.Series, str]]] = {}
        # compact: a row's place kept as one int (file number × 2**32 + line), not its
        # Location, so a million ids of a streamed file cost a fraction of the memory
        self._compact = compact
        self._files: dict[str, int] = {}
        self._names: list[str] = []

    def _pack(self, loc: Location):
        if not self._compact or loc.line is None or loc.sheet is not None:
            return loc
        n = self._files.setdefault(loc.file, len(self._files))
        if n == len(self._names):
            self._names.append(loc.file)
        return (n << 32) | int(loc.line)

    def _unpack(self, v) -> Location:
        if isinstance(v, int):
            return Location(self._names[v >> 32], line=v & 0xFFFFFFFF)
        return v

    def add(self, kind: str, key, loc: Location) -> None:
        self._rows.setdefault(kind, {})[key] = self._pack(loc)

    def add_frame(self, kind: str, keys: pd.Series, lines: np.ndarray, file: str) -> None:
        """Register distinct ``keys`` first seen on ``lines`` of ``file``."""
        self._frames.setdefault(kind, []).append((pd.Series(lines, index=keys.to_numpy()), file))

    def where(self, kind: str, key) -> Location | None:
        hit = self._rows.get(kind, {}).get(key)
        if hit is not None:
            return self._unpack(hit)
        for lines, file in self._frames.get(kind, ()):
            if key in lines.index:
                return Location(file, line=int(lines[key]))
        return None

    def where_many(self, kind: str, keys: pd.Series) -> np.ndarray:
        """Where each of ``keys`` was first seen (None for a new one), as an object array."""
        out = np.full(len(keys), None, dtype=object)
        values = keys.to_numpy(dtype=object)
        rows = self._rows.get(kind)
        if rows:
            hit = pd.Series(values).map(rows).to_numpy(dtype=object)
            found = pd.notna(hit)
            out[found] = [self._unpack(v) for v in hit[found]]
        for lines, file in self._frames.get(kind, ()):
            line = pd.Series(values).map(lines).to_numpy()
            found = pd.notna(line) & pd.isna(out)
            out[found] = [Location(file, line=int(n)) for n in line[found]]
        return out


def _by_distinct(f: Field, cells: pd.Series) -> tuple[np.ndarray, dict[int, tuple]]:
    """Convert each distinct cell text once: the typed column (``None`` where there is no
    value or a bad one) and, by row position, ``(text, BadValue)`` for each bad cell."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    values = np.full(len(uniques) + 1, None, dtype=object)  # the last slot: no value
    errors: dict[int, BadValue] = {}
    for j, text in enumerate(uniques):
        try:
            values[j] = convert(f, text)
        except BadValue as e:
            errors[j] = e
    typed = values[codes]  # code -1 takes the last slot
    bad: dict[int, tuple] = {}
    if errors:
        for pos in np.flatnonzero(np.isin(codes, list(errors))):
            bad[int(pos)] = (uniques[codes[pos]], errors[codes[pos]])
    return typed, bad


def _numbers(f: Field, cells: pd.Series) -> tuple[np.ndarray, dict[int, tuple]]:
    """A number column: plain decimals vectorised (a whole number written without a point
    is an ``int``, as the converter makes it), everything else through the converter."""
    plain = cells.str.fullmatch(_PLAIN_DECIMAL).fillna(False).to_numpy(dtype=bool)
    typed = np.full(len(cells), None, dtype=object)
    texts = cells[plain]
    floats = texts.to_numpy(dtype=object).astype(np.float64)
    whole = ~texts.str.contains(".", regex=False).to_numpy(dtype=bool)
    values = floats.astype(object)
    values[whole] = floats[whole].astype(np.int64).astype(object)
    typed[plain] = values
    rest = ~plain & cells.notna().to_numpy()
    bad: dict[int, tuple] = {}
    if rest.any():
        positions = np.flatnonzero(rest)
        other, other_bad = _by_distinct(f, cells[rest].reset_index(drop=True))
        typed[positions] = other
        bad = {int(positions[i]): v for i, v in other_bad.items()}
    return typed, bad


def _typed_column(f: Field, cells: pd.Series) -> tuple[object, dict[int, tuple]]:
    if f.type in ("str", "text", "ref"):
        return cells, {}
    if f.type == "number":
        return _numbers(f, cells)
    return _by_distinct(f, cells)


def _round2(values: np.ndarray) -> np.ndarray:
    """``round(v, 2)`` of each float, as Python rounds (to the nearest two-decimal number,
    then to the nearest float): ``rint(v * 100) / 100`` where ``v * 100`` is exact enough
    to be rounded safely, Python's ``round`` for the few values on a half-cent edge."""
    scaled = values * 100
    out = np.rint(scaled) / 100
    edge = (np.abs(scaled % 1 - 0.5) < 1e-6) | (np.abs(scaled) >= 2**52)
    for i in np.flatnonzero(edge):
        out[i] = round(float(values[i]), 2)
    return out


def _funding_rules(typed: pd.DataFrame, bad_currency: np.ndarray, stage: int, loc) -> list:
    """The funding rules of :func:`loaders.rules.row_rules`, as masks: an amount needs a
    currency; USD amounts are their own USD value at rate 1; a rate gives the USD value."""
    amount = typed["amount"].to_numpy(dtype=object)
    has_amount = pd.notna(amount)
    currency = typed["currency"]
    found = [
        (
            int(pos),
            stage,
            Problem(loc(pos), "currency", None, "an amount needs a currency", "fill in e.g. USD"),
        )
        for pos in np.flatnonzero(has_amount & currency.isna().to_numpy() & ~bad_currency)
    ]
    usd = has_amount & (currency == "USD").fillna(False).to_numpy(dtype=bool)
    amount_usd = typed["amount_usd"].to_numpy(dtype=object).copy()
    rate = typed["usd_rate"].to_numpy(dtype=object).copy()
    fill = usd & pd.isna(amount_usd)
    amount_usd[fill] = amount[fill]
    rate[usd & pd.isna(rate)] = 1
    derive = ~usd & has_amount & pd.isna(amount_usd) & pd.notna(rate)
    if derive.any():
        product = amount[derive] * rate[derive]  # Python's arithmetic: int × int stays int
        floats = np.fromiter(map(isinstance, product, repeat(float)), bool, len(product))
        product[floats] = _round2(product[floats].astype(np.float64)).astype(object)
        amount_usd[derive] = product
    typed["amount_usd"], typed["usd_rate"] = amount_usd, rate
    return found


def validate_frame(frame: RawFrame, seen: FirstSeen) -> tuple[pd.DataFrame, list[Problem]]:
    """Check every cell of ``frame`` as :func:`loaders.validate.validate_rows` checks rows.

    Parameters
    ----------
    frame : RawFrame
    seen : FirstSeen
        The ids the load's earlier files and rows gave; the frame's own are added.

    Returns
    -------
    typed : DataFrame
        One column per field of the kind (typed as the row path types them, ``None`` for no
        value) and :data:`LINE`; duplicate rows left out, as the row path leaves them out.
    problems : list of Problem
        Every problem of the frame's values and ids, in the row path's order (row by row;
        in a row, field by field, then the rules across columns, then a duplicate id).
        References are checked with the load's other records
        (:func:`loaders.validate.validate_rows`).
    """
    spec = KINDS[frame.kind]
    cells = frame.table
    n = len(cells)
    empty = pd.Series([None] * n, dtype=object)
    typed = pd.DataFrame(index=range(n))
    found: list[tuple[int, int, Problem]] = []
    bad_cells: dict[str, np.ndarray] = {}
    for stage, f in enumerate(spec.fields):
        column = cells[f.name].reset_index(drop=True) if f.name in cells else empty
        if f.required:
            for pos in np.flatnonzero(column.isna().to_numpy()):
                found.append((int(pos), stage, required_problem(frame.location(pos), f)))
        values, bad = _typed_column(f, column) if f.name in cells else (empty, {})
        typed[f.name] = values
        mask = np.zeros(n, dtype=bool)
        for pos, (text, e) in bad.items():
            found.append(
                (pos, stage, Problem(frame.location(pos), f.name, text, e.message, e.hint))
            )
            mask[pos] = True
        bad_cells[f.name] = mask
    stage = len(spec.fields)
    if frame.kind == "funding":
        found += _funding_rules(typed, bad_cells["currency"], stage, frame.location)
    typed[LINE] = frame.lines
    keep = _duplicates(spec, typed, frame, seen, found, stage + 1)
    found.sort(key=lambda item: (item[0], item[1]))
    typed = typed[keep].reset_index(drop=True)
    return typed, [p for _pos, _stage, p in found]


def _duplicates(spec, typed, frame: RawFrame, seen: FirstSeen, found: list, stage: int):
    """Report each row whose id an earlier row (of this load) has; the rows to keep."""
    key = typed[spec.key]
    has_key = key.notna().to_numpy()
    earlier = seen.where_many(frame.kind, key)
    before = pd.notna(earlier) & has_key
    dup = key.duplicated(keep="first").to_numpy()
    repeat = dup & has_key & ~before
    if repeat.any():
        first = pd.Series(frame.lines[~dup], index=key[~dup].to_numpy())
        for pos in np.flatnonzero(repeat):
            where = Location(frame.file, line=int(first[key.iat[pos]]))
            found.append(
                (
                    int(pos),
                    stage,
                    duplicate_problem(frame.location(pos), spec.key, key.iat[pos], where),
                )
            )
    for pos in np.flatnonzero(before):
        found.append(
            (
                int(pos),
                stage,
                duplicate_problem(frame.location(pos), spec.key, key.iat[pos], earlier[pos]),
            )
        )
    keep = ~(repeat | before)
    new = keep & has_key
    seen.add_frame(frame.kind, key[new], frame.lines[new], frame.file)
    return keep
