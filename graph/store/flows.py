"""The embedded store's funding core: every funding flow as one row of a columnar table.

A donor agency's portfolio is hundreds of thousands of flows; as graph edges each one costs
a Python dict and every question walks them one by one. Here the flows are a pandas
DataFrame (``id``, ``start`` = donor id, ``end`` = recipient id, then the flow's
properties), written all or nothing, and every question is a vectorised mask and a
group-by on it. The donor's attributes (sector, country, name) are joined once per change
of the store, not looked up per flow.

Examples
--------
>>> t = FlowTable().upsert([
...     {"id": "f1", "start": "a", "end": "b", "props": {"year": 2024, "amount_usd": 5.0}},
...     {"id": "f2", "start": "a", "end": "b", "props": {"year": 2025}}])
>>> len(t), sorted(t.existing(["f1", "f9"]))
(2, ['f1'])
>>> t = t.upsert([{"id": "f2", "start": "a", "end": "b", "props": {"amount_usd": 7.0}}])
>>> t.frame[["id", "year", "amount_usd"]].to_dict("records")
[{'id': 'f1', 'year': 2024, 'amount_usd': 5.0}, {'id': 'f2', 'year': 2025, 'amount_usd': 7.0}]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.store.grouping import dense_keys, distinct_codes, group_index, split_keys
from graph.store.tables import isin
from graph.store.totals import ranked_keys

__all__ = ["FlowTable", "FlowCodes", "flow_view", "plain_missing", "GROUP_COLUMNS"]

#: The grouping columns of :func:`flow_view`, by the funding key they serve.
GROUP_COLUMNS = {
    "donor": "start",
    "donor_sector": "donor_sector",
    "donor_country": "donor_country",
    "recipient": "end",
    "project": "project_id",
    "year": "year",
    "channel": "channel",
    "kind": "kind",
    "flow_type": "flow_type",
    "pooled": "pooled",
    "currency": "currency",
    "period": "period",
}


class FlowTable:
    """Funding flows as one DataFrame, replaced (never changed in place) by each write,
    its rows in flow id order (each write sorts them once, so a listing needs no sort).

    Parameters
    ----------
    frame : DataFrame, optional
        ``id``, ``start``, ``end`` and property columns.
    """

    def __init__(self, frame: pd.DataFrame | None = None):
        self.frame = frame if frame is not None else pd.DataFrame(columns=["id", "start", "end"])

    def __len__(self) -> int:
        return len(self.frame)

    def existing(self, ids) -> set:
        """Which of ``ids`` are flows of the table."""
        ids = pd.Index(list(ids))
        return set(ids[isin(ids, self.frame["id"])])

    def upsert(self, rows: list[dict] | pd.DataFrame, clears: dict | None = None) -> FlowTable:
        """A new table with ``rows`` (``{"id", "start", "end", "props"}``, or a DataFrame of
        ``id``, ``start``, ``end`` and property columns) written: a new id is added; a known
        id keeps the properties the row does not give (as Neo4j's ``SET r += props`` does)
        and takes the ones it gives, and its new ends. A property given as ``None`` in a
        row's ``props``, or named in ``clears`` (column → ids), is cleared (as
        ``SET r += {p: null}`` does).

        >>> t = FlowTable().upsert([{"id": "f1", "start": "a", "end": "b",
        ...                          "props": {"year": 2024, "channel": "x"}}])
        >>> t.upsert([{"id": "f1", "start": "a", "end": "b", "props": {"channel": None}}]
        ...          ).frame.columns.tolist()
        ['id', 'start', 'end', 'year']
        """
        if not len(rows):
            return self
        clears = {c: set(ids) for c, ids in (clears or {}).items()}
        if isinstance(rows, pd.DataFrame):
            given = rows.notna().any()
            new = rows.loc[:, given | rows.columns.isin(["id", "start", "end"])].infer_objects()
        else:
            new = pd.DataFrame.from_records([r["props"] for r in rows])  # no copy of each row
            for c in ("id", "start", "end"):
                new[c] = [r[c] for r in rows]
            for r in rows:  # rows given as dicts are few; the many come as a DataFrame
                for c in [c for c, v in r["props"].items() if v is None]:
                    clears.setdefault(c, set()).add(r["id"])
        new = new.drop_duplicates("id", keep="last")
        old = self.frame
        known = isin(old["id"], new["id"])
        if known.any():
            kept = old[known].set_index("id")
            new = new.set_index("id").combine_first(kept).reset_index()
        merged = pd.concat([old[~known], new], ignore_index=True) if len(old) else new
        merged = _cleared(merged, clears)
        columns = ["id", "start", "end"] + sorted(set(merged.columns) - {"id", "start", "end"})
        return FlowTable(merged[columns].sort_values("id", kind="stable", ignore_index=True))

    def without(self, ids) -> FlowTable:
        """A new table without the flows whose id is one of ``ids``."""
        return FlowTable(self.frame[~isin(self.frame["id"], ids)].reset_index(drop=True))

    def rel_table(self, label: str) -> pd.DataFrame:
        """The relationship table of the flows (as the stores' ``rel_table`` gives it)."""
        t = self.frame.copy()
        t.insert(3, "start_label", label)
        t.insert(4, "end_label", label)
        return t


def _cleared(t: pd.DataFrame, clears: dict) -> pd.DataFrame:
    """``t`` with the cells ``clears`` names (column → ids) emptied; a column left with no
    value is dropped, as a server holds no property that no record has."""
    for c, ids in clears.items():
        if c not in t or not ids:
            continue
        col = t[c].astype(object)
        col[isin(t["id"], ids)] = None
        t[c] = col
        if not t[c].notna().any():
            t = t.drop(columns=c)
    return t


def flow_view(table: FlowTable, orgs: pd.DataFrame) -> pd.DataFrame:
    """The flows with their donor's sector and country joined on, and ``flow_type``
    (empty = income) and ``pooled`` (the flow, or a donor of sector ``pool``) made explicit.
    Names are not joined: a million copies of them would be kept for the few reads that
    list flows one by one.

    Parameters
    ----------
    orgs : DataFrame
        ``id``, ``sector``, ``country`` of every organization.
    """
    t = table.frame
    n = len(t)
    out = pd.DataFrame(index=t.index)
    for c in ("id", "start", "end", "project_id", "year", "channel", "kind", "currency", "period"):
        out[c] = t[c] if c in t else pd.Series([None] * n, index=t.index, dtype=object)
    for c in ("amount", "amount_usd"):
        out[c] = pd.to_numeric(t[c], errors="coerce") if c in t else np.nan
    by_id = orgs.set_index("id")
    out["donor_sector"] = t["start"].map(by_id["sector"])
    out["donor_country"] = t["start"].map(by_id["country"])
    ft = t["flow_type"] if "flow_type" in t else pd.Series([None] * n, index=t.index)
    out["flow_type"] = ft.where(ft.notna(), "income")
    flagged = t["pooled"].fillna(False).astype(bool) if "pooled" in t else False
    out["pooled"] = flagged | (out["donor_sector"] == "pool")
    ext = t["external"] if "external" in t else pd.Series([None] * n, index=t.index)
    out["external"] = ext.where(ext.notna(), False).astype(bool)
    return out


class FlowCodes:
    """Each grouping column of a flow view as integer codes, factorised once per write.

    A group-by over a million flows spends most of its time hashing the key values; here
    that is done once, and every later sum groups small integers (counted key by key,
    :func:`~graph.store.grouping.dense_keys`, or numbered by
    :func:`~graph.store.grouping.group_index`) with one ``np.bincount`` per figure. Missing
    values get the last code of their column and read back as ``None``; values read back
    as plain Python objects (``int``, ``str``, ``bool``).

    Parameters
    ----------
    view : DataFrame
        The flows as :func:`flow_view` gives them.
    columns : iterable of str
        The columns to code.
    measures : tuple of str
        The columns :meth:`sums` adds up (``amount_usd``) or counts the known values of
        (``amount``): each held once as numbers with 0 where unknown, and which are known.

    Examples
    --------
    >>> view = pd.DataFrame({"start": ["a", "b", "a", None], "year": [2024, 2025, 2024, 2025],
    ...                      "amount_usd": [1.0, 2.0, np.nan, 4.0]})
    >>> codes = FlowCodes(view, ("start", "year"))
    >>> g = codes.sums(("start", "year"), np.ones(4, bool))
    >>> g.to_dict("records")[0]
    {'start': 'a', 'year': 2024, 'amount_usd': 1.0, 'flows': 2, 'usd_known': 1}
    >>> g["start"].tolist()
    ['a', 'b', None]
    >>> bool(codes.isin("start", ["b"]).sum())
    True
    """

    def __init__(self, view: pd.DataFrame, columns, measures=("amount_usd", "amount")):
        # each measure's known values (0 where unknown) and which are known, once per write
        self._measures = {}
        for m in measures:
            values = np.asarray(view[m], dtype=float) if m in view else np.full(len(view), np.nan)
            known = ~np.isnan(values)
            self._measures[m] = (np.where(known, values, 0.0), known)
        self._codes: dict[str, np.ndarray] = {}
        self._values: dict[str, np.ndarray] = {}
        self._ranks: dict[str, tuple | None] = {}
        self._dtypes: dict[str, pd.CategoricalDtype] = {}
        for c in columns:
            codes, uniques = pd.factorize(view[c], use_na_sentinel=True)
            codes[codes < 0] = len(uniques)
            self._codes[c] = codes.astype(np.min_scalar_type(len(uniques)))  # few bytes each
            values = np.empty(len(uniques) + 1, dtype=object)
            values[:-1] = pd.Series(uniques, dtype=object).tolist()
            self._values[c] = values  # the last one, None, is "missing"

    def ranks(self, column: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Each code's rank among the column's values in key order (by type, then value,
        missing last; :func:`~graph.store.totals.ranked_keys`), and the values in that
        order; ``None`` when the values cannot be ordered (two types that do not compare).
        Worked out once per column, on its distinct values only.

        >>> codes = FlowCodes(pd.DataFrame({"y": [2025, None, 2024]}), ("y",))
        >>> rank, values = codes.ranks("y")
        >>> values[rank[codes._codes["y"]]].tolist()
        [2025, None, 2024]
        """
        if column not in self._ranks:
            try:
                position, ordered = ranked_keys(pd.Series(self._values[column][:-1], dtype=object))
            except TypeError:
                self._ranks[column] = None
            else:
                self._ranks[column] = (np.append(position, len(ordered) - 1), ordered)
        return self._ranks[column]

    def mapped(self, column: str, mapping, mask: np.ndarray):
        """``mapping`` (value → what it maps to) of ``column`` for each flow of ``mask``,
        looked up once per distinct value (NaN where there is none). When every mapped
        value is text, a column of pandas text made by Arrow: each distinct text made once,
        then taken for every flow (a million names: 0.01 s, against 0.07 s for pandas to
        read a million Python strings into Arrow); else objects.

        >>> codes = FlowCodes(pd.DataFrame({"d": ["a", "b", "a"]}), ("d",))
        >>> codes.mapped("d", {"a": "Alpha"}, np.array([True, True, False])).tolist()
        ['Alpha', nan]
        >>> codes.mapped("d", {"a": 1}, np.array([True, True, False])).tolist()
        [1.0, nan]
        """
        import pyarrow as pa

        looked = pd.Series(self._values[column], dtype=object).map(mapping).to_numpy(object)
        codes = self._codes[column][np.asarray(mask, dtype=bool)]
        text = _arrow_text(looked)
        if text is None:  # not all text: as objects
            return looked[codes]
        return pd.array(text.take(pa.array(codes)), dtype=pd.StringDtype(na_value=np.nan))

    def isin(self, column: str, values) -> np.ndarray:
        """A mask of the flows whose ``column`` is one of ``values`` (each distinct value
        tested once)."""
        wanted = set(values)
        hit = np.array([v in wanted for v in self._values[column]], dtype=bool)
        return hit[self._codes[column]]

    def distinct(self, columns, mask: np.ndarray) -> pd.DataFrame:
        """The distinct value combinations of ``columns`` among the flows of ``mask``, in
        no set order, each column a pandas categorical (missing values as NaN) made from
        the codes without reading back a value per row: matching it against a set of ids
        then looks up each distinct value once, not each row.

        >>> codes = FlowCodes(pd.DataFrame({"d": ["a", "b", "a", None]}), ("d",))
        >>> pairs = codes.distinct(("d",), np.ones(4, bool))
        >>> pairs["d"].isin(["a"]).tolist(), pairs["d"].isna().tolist()
        ([True, False, False], [False, False, True])
        """
        mask = np.asarray(mask, dtype=bool)
        codes = [(self._codes[c][mask], len(self._values[c])) for c in columns]
        picked = distinct_codes(codes, int(mask.sum()))
        return pd.DataFrame(
            {c: self.categorical(c, p) for c, p in zip(columns, picked, strict=True)}
        )

    def taken(self, columns, mask: np.ndarray) -> pd.DataFrame:
        """The values of ``columns`` of each flow of ``mask``, each column a pandas
        categorical made from the codes (as :meth:`distinct` makes them, repeats kept).

        >>> codes = FlowCodes(pd.DataFrame({"d": ["a", "b", "a", None]}), ("d",))
        >>> codes.taken(("d",), np.array([True, False, True, True]))["d"].tolist()
        ['a', 'a', nan]
        """
        mask = np.asarray(mask, dtype=bool)
        return pd.DataFrame({c: self.categorical(c, self._codes[c][mask]) for c in columns})

    def present(self, column: str, mask: np.ndarray) -> set:
        """The values of ``column`` among the flows of ``mask``, missing ones left out: one
        count per code, no value read per flow.

        >>> codes = FlowCodes(pd.DataFrame({"d": ["a", "b", None]}), ("d",))
        >>> sorted(codes.present("d", np.array([True, False, True])))
        ['a']
        """
        values = self._values[column]
        code = self._codes[column][np.asarray(mask, dtype=bool)]
        seen = np.bincount(code, minlength=len(values)) > 0
        seen[-1] = False  # the code of a missing value
        return set(values[seen].tolist())

    def categorical(self, column: str, codes: np.ndarray) -> pd.Categorical:
        """``codes`` of ``column`` as a pandas categorical (the missing code as NaN).

        >>> codes = FlowCodes(pd.DataFrame({"d": ["a", None]}), ("d",))
        >>> codes.categorical("d", np.array([1, 0])).tolist()
        [nan, 'a']
        """
        values = self._values[column]
        if column not in self._dtypes:
            categories = pd.Index(values[:-1], dtype=object)
            self._dtypes[column] = pd.CategoricalDtype(categories)
        codes = np.asarray(codes, dtype=np.int64)
        codes = np.where(codes == len(values) - 1, -1, codes)
        return pd.Categorical.from_codes(codes, dtype=self._dtypes[column], validate=False)

    def sums(self, columns, mask: np.ndarray, *, amount=False, ranked=False) -> pd.DataFrame:
        """Per group of ``columns`` among the flows of ``mask``: the columns' values, then
        ``amount_usd`` (sum of the known USD amounts), ``flows``, ``usd_known`` and, when
        ``amount``, ``amount_known`` (flows with an amount in any currency). Groups appear
        in no set order. ``ranked`` adds each value's rank (:meth:`ranks`) as
        ``rank:<column>``. Few possible groups are counted key by key
        (:func:`~graph.store.grouping.dense_keys`), else numbered by
        :func:`~graph.store.grouping.group_index`."""
        mask = np.asarray(mask, dtype=bool)
        every = bool(mask.all())  # nothing to select: no copy of each column

        def kept(values):
            return values if every else values[mask]

        codes = [(kept(self._codes[c]), len(self._values[c])) for c in columns]
        rows = len(mask) if every else int(mask.sum())
        dense = dense_keys(codes, rows)
        if dense is not None:
            key, space = dense
            flows = np.bincount(key, minlength=space)
            present = np.flatnonzero(flows)
            picked = split_keys(present, codes)

            def per_group(weights):
                return np.bincount(key, kept(weights), space)[present]

        else:
            key, _, first = group_index(codes, rows)
            picked = [code[first] for code, _ in codes]
            flows = np.bincount(key, minlength=len(first))
            present = slice(None)

            def per_group(weights):
                return np.bincount(key, kept(weights), len(first))

        out = {}
        for c, code in zip(columns, picked, strict=True):
            out[c] = pd.Series(self._values[c][code], dtype=object)
            ranks = self.ranks(c) if ranked else None
            if ranks is not None:
                out[f"rank:{c}"] = ranks[0][code]
        usd, known = self._measures["amount_usd"]
        out["amount_usd"] = per_group(usd)
        out["flows"] = flows[present].astype(np.int64)
        out["usd_known"] = per_group(known).astype(np.int64)
        if amount:
            out["amount_known"] = per_group(self._measures["amount"][1]).astype(np.int64)
        return pd.DataFrame(out)


def plain_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each column's type inferred again from its Python values, missing ones
    as ``None``: the table a store builds from a database's records, without a loop. A
    column already typed (whole numbers, floats, booleans, text) with a value in it is kept
    as it is: read back as Python values it would infer to the same type.

    >>> t = plain_missing(pd.DataFrame({"a": [None, None], "n": [1.0, None]}, dtype=object))
    >>> t["a"].tolist(), t["n"].dtype.kind
    ([None, None], 'f')
    """
    out = {}
    for c in frame.columns:
        col = frame[c]
        typed = _by_arrow(col.to_numpy()) if col.dtype == object else None
        if typed is not None:
            out[c] = typed
            continue
        present = col.notna()
        if not present.any():  # nothing to infer from: None all the way down
            out[c] = np.full(len(col), None, dtype=object)
        elif col.dtype.kind in "ifb" or isinstance(col.dtype, pd.StringDtype):
            out[c] = col  # inference would give this column's own type back
        else:
            out[c] = col.astype(object).where(present, None).tolist()
    return pd.DataFrame(out, index=frame.index)


#: The type pandas infers for a column of text.
_TEXT = pd.Series(["text"]).dtype


def _by_arrow(values: np.ndarray):
    """What :func:`plain_missing` infers for a column of Python ``values`` when it is text
    (or nothing), made by Arrow in one pass over them; None for anything else, which
    pandas then infers. A server's answers are Python objects made one row at a time,
    scattered in memory: pandas went over each of them three times (is it missing, as
    None, its type), 0.8 s for the 100,000 flows of a listing.

    >>> _by_arrow(np.array(["a", None], dtype=object)).dtype
    <StringDtype(na_value=nan)>
    >>> _by_arrow(np.array([1, None], dtype=object)) is None  # pandas infers numbers
    True
    >>> _by_arrow(np.array([None, np.nan], dtype=object)).tolist()
    [None, None]
    """
    text = _arrow_text(values)
    if text is None:  # numbers: Arrow takes False for 0.0 beside floats, pandas keeps objects
        return None
    if text.null_count == len(text):  # nothing to infer from: None all the way down
        return np.full(len(values), None, dtype=object)
    return pd.array(text, dtype=_TEXT) if isinstance(_TEXT, pd.StringDtype) else None


def _arrow_text(values: np.ndarray):
    """Python ``values`` (objects; None or NaN missing) as one Arrow array of large text,
    made in one pass, when every value there is text (or none is there); else None.

    >>> _arrow_text(np.array(["a", np.nan], dtype=object)).to_pylist()
    ['a', None]
    >>> _arrow_text(np.array(["a", 1], dtype=object)) is None
    True
    """
    import pyarrow as pa

    try:
        arr = pa.array(values, from_pandas=True)  # its type inferred, nothing coerced
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None  # mixed types, or values Arrow cannot hold
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.large_string())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr.cast(pa.large_string())
    return None
