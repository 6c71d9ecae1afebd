"""Funding sums as both stores return them: the grouping keys, the flow types, and the shared
code that spreads per-donor or per-project sums over regions.

A store groups flows by flow-level keys itself (Cypher on Neo4j, pandas in memory); the
region keys are then spread here, in one place, so both stores give the same numbers.

Examples
--------
>>> check_flow_types(None)
('commitment', 'grant', 'income', 'incoming_commitment', 'incoming_funds')
>>> check_funding_keys("year")
('year',)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from graph.store.grouping import group_index, group_sums, one_row_each, sorted_factorize

__all__ = [
    "grouped_totals",
    "DEFAULT_FLOW_TYPES",
    "FLOW_KEYS",
    "REGION_KEYS",
    "FUNDING_KEYS",
    "TOTALS_COLUMNS",
    "check_funding_keys",
    "check_flow_types",
    "frame",
    "isnull",
    "regroup_rows",
    "rollup_map",
    "ranked_keys",
    "spread_rows",
    "target_weights",
    "totals_frame",
]


def isnull(v) -> bool:
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
    "period",
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
    graph.errors.AnalysisError: cannot group funding by 'colour'; use any of: donor, donor_sector, donor_country, recipient, project, year, channel, kind, flow_type, pooled, currency, period, donor_region, target_region, target_country
    """  # noqa: E501
    from graph.errors import AnalysisError

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
    from graph.errors import AnalysisError
    from graph.schema import FLOW_TYPES

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


def grouped_totals(rows, keys: tuple[str, ...], ordered: dict | None = None) -> pd.DataFrame:
    """:func:`regroup_rows` then :func:`totals_frame`, vectorised: the same table, computed
    column by column (the sums of many groups, e.g. by project and donor, cost no Python
    loop per group). Falls back to the row path when a key column mixes types that pandas
    cannot sort together.

    ``ordered`` (key → every value the key can take, in key order, as
    :meth:`graph.store.flows.FlowCodes.ranks` gives them) spares the ranking of a key
    whose rows carry their rank in a column ``rank:<key>``: a store that factorised its
    flows once need not hash a million key values again for each table.

    >>> rows = [{"year": 2025.0, "amount_usd": 1.004, "flows": 1, "usd_known": 1,
    ...          "amount_known": 1},
    ...         {"year": None, "amount_usd": 2, "flows": 2, "usd_known": 1, "amount_known": 2},
    ...         {"year": 2024, "amount_usd": 3, "flows": 1, "usd_known": 1, "amount_known": 1}]
    >>> grouped_totals(rows, ("year",)).equals(totals_frame(regroup_rows(rows, ("year",)),
    ...                                                     ("year",)))
    True
    """
    keys = tuple(keys)
    df = pd.DataFrame(list(rows) if not isinstance(rows, pd.DataFrame) else rows)
    if df.empty or not keys:
        records = df.to_dict("records") if not df.empty else []
        return totals_frame(regroup_rows(records, keys), keys)
    ranked, kept_ranks = [], 0
    for c in keys:
        if ordered and c in ordered and f"rank:{c}" in df.columns:
            ranked.append((df[f"rank:{c}"].to_numpy(np.int64), ordered[c]))
            kept_ranks += 1
            continue
        col = df[c] if c in df.columns else pd.Series([None] * len(df), dtype=object)
        try:
            ranked.append(ranked_keys(col))
        except TypeError:  # e.g. strings and numbers in one key column
            return totals_frame(regroup_rows(df.to_dict("records"), keys), keys)
    codes = [(r, len(v)) for r, v in ranked]
    first = one_row_each(codes, len(df)) if kept_ranks == len(keys) else None
    if first is not None:  # sums the store grouped by these keys: only put in key order
        sums = {c: _numbers(df, c)[first] + 0.0 for c in TOTALS_COLUMNS}  # -0.0 as bincount
    else:
        inverse, groups, first = group_index(codes, len(df))
        order = np.argsort(groups, kind="stable")  # the groups in key order
        first = first[order]
        sums = {
            c: np.bincount(inverse, _numbers(df, c), len(groups))[order] for c in TOTALS_COLUMNS
        }
    data = {
        c: pd.Series(values[rank[first]], dtype=object)
        for c, (rank, values) in zip(keys, ranked, strict=True)
    }
    data["amount_usd"] = pd.Series(np.round(sums["amount_usd"], 2), dtype=float)
    for c in ("flows", "usd_known", "amount_known"):
        data[c] = pd.Series(np.rint(sums[c]).astype("int64"), dtype="int64")
    return pd.DataFrame(data, columns=[*keys, *TOTALS_COLUMNS])


def _numbers(df: pd.DataFrame, column: str) -> np.ndarray:
    """A sum column as floats (missing: 0; a column not there: all 0)."""
    if column not in df:
        return np.zeros(len(df))
    return pd.to_numeric(df[column], errors="coerce").fillna(0).to_numpy(float)


def ranked_keys(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's rank among the column's distinct key values, and those values as plain
    Python objects in key order: by type name, then value, missing (``None``) last. Each
    distinct value is looked at once; TypeError when two of one type cannot be ordered.

    >>> rank, values = ranked_keys(pd.Series([2025.0, None, 2024, 2025], dtype=object))
    >>> rank.tolist(), values.tolist()
    ([1, 2, 0, 1], [2024, 2025, None])
    """
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    plain = _plain_keys(pd.Series(uniques, dtype=object)).tolist()
    kinds = set(map(type, plain))
    if len(kinds) == 1 and kinds <= {str, int, float}:  # one type: NumPy sorts them
        order = np.argsort(np.asarray(plain, dtype=object), kind="stable").tolist()
    else:
        order = sorted(range(len(plain)), key=lambda i: (type(plain[i]).__name__, plain[i]))
    position = np.empty(len(plain) + 1, dtype=np.int64)
    position[np.asarray(order, dtype=np.int64)] = np.arange(len(plain))
    position[len(plain)] = len(plain)  # missing last
    values = np.empty(len(plain) + 1, dtype=object)
    values[: len(plain)] = [plain[i] for i in order]
    values[len(plain)] = None
    return position[np.where(codes < 0, len(plain), codes)], values


def _plain_keys(col: pd.Series) -> pd.Series:
    """Key values as plain Python objects: ``None`` for missing, whole floats as ints.

    Column-wise for numbers, booleans and text; one look per value only for a column that
    still mixes kinds after inference.

    >>> _plain_keys(pd.Series([2025.0, None])).tolist(), _plain_keys(pd.Series(["a", None])).tolist()
    ([2025, None], ['a', None])
    """
    if col.dtype == object:
        col = col.infer_objects()
    if pd.api.types.is_float_dtype(col):
        present = col.dropna()
        if bool((present == present.round()).all()):
            col = col.astype("Int64")
    if col.dtype != object:
        return col.astype(object).where(col.notna(), None)
    out = []
    for v in col.where(col.notna(), None).tolist():
        if hasattr(v, "item") and not isinstance(v, str):
            v = v.item()
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(v)
    return pd.Series(out, index=col.index, dtype=object)


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


def _target_parts(r: dict, w: float, level: str, scheme, up: dict) -> list:
    """Where one target's part ``w`` of a project goes (see :func:`target_weights`)."""
    members = r.get("members") or []
    if r["label"] == "Region" and level == "country":
        return [(c, w / len(members)) for c, _regs in members] or [(None, w)]
    if level == "country":
        return [(r["target"], w)]
    if r["label"] == "Region" and r.get("target_scheme") == scheme:
        return [(up.get(r["target"], r["target"]), w)]
    if r["label"] == "Region":  # another scheme: through its countries
        return [p for c, regs in members for p in _country_parts(regs, w / len(members), up)] or [
            (None, w)
        ]
    return _country_parts(r.get("regions") or [], w, up)


def _country_parts(regions, w: float, up: dict) -> list:
    regs = sorted({up.get(g, g) for g in regions})
    return [(g, w / len(regs)) for g in regs] if regs else [(None, w)]


def target_weights(
    ties: pd.DataFrame,
    places: dict,
    *,
    level: str,
    scheme: str | None = None,
    rollup: dict | None = None,
) -> pd.DataFrame:
    """How each project's money is spread over its targets' regions (or countries).

    ``ties`` hold one target each: ``project``, ``target``, ``label`` (``Country`` or
    ``Region``) and ``share`` (or None); ``places`` give, per ``(label, target)``, its
    ``target_scheme`` (for a region), ``regions`` (the regions of ``scheme`` a country
    lies in) and ``members`` (a region's countries, each ``[iso3, [its regions]]``). Rules,
    the same for both stores:

    * A project whose every target states a share is split by those shares (divided by
      their sum); otherwise it is split evenly over its targets.
    * ``level="region"``: a country's part goes to its region of the scheme, split evenly
      when it lies in several that do not nest; a region of the scheme keeps its part; a
      region nested in a larger one of the same scheme (``rollup``, see :func:`rollup_map`)
      is reported under the larger one; a region of another scheme counts for its countries
      (``members``): its part is split evenly over them, each share going where that
      country goes; a country outside every region of the scheme, or a region of another
      scheme with no countries, goes to ``None`` (unassigned).
    * ``level="country"``: a country keeps its part; a region target's part is split evenly
      over its countries (``None`` when it has none).

    Returns
    -------
    DataFrame with ``project``, ``key`` (region or country, or None), ``weight``, ``split``
    (``"shares"``, ``"even"`` or ``"single"``); weights of a project sum to 1.

    >>> ties = pd.DataFrame({"project": ["p", "p"], "target": ["KAZ", "focus:africa"],
    ...                      "label": ["Country", "Region"], "share": [0.6, 0.4]})
    >>> places = {("Country", "KAZ"): {"regions": ["focus:eeca"]},
    ...           ("Region", "focus:africa"): {"target_scheme": "focus"}}
    >>> target_weights(ties, places, level="region", scheme="focus")
      project           key  weight   split
    0       p  focus:africa     0.4  shares
    1       p    focus:eeca     0.6  shares
    """
    up = rollup or {}
    cols = ("project", "key", "weight", "split")
    if not len(ties):
        return pd.DataFrame(
            {c: pd.Series([], dtype=float if c == "weight" else object) for c in cols}
        )
    # where a target's part goes depends on the target only: worked out once per target
    label, target = ties["label"].to_numpy(object), ties["target"].to_numpy(object)
    (lcode, labels), (tcode, targets) = pd.factorize(label), pd.factorize(target)
    at, _keys, first = group_index([(lcode, len(labels)), (tcode, len(targets))], len(ties))
    each = [{"target": target[i], "label": label[i], **places.get((label[i], target[i]), {})}
            for i in first.tolist()]  # fmt: skip
    spread = [_target_parts(place, 1.0, level, scheme, up) for place in each]
    # by project, then target; each project's split: one target, its stated shares, or even
    pcode, projects = sorted_factorize(ties["project"].to_numpy(dtype=object))
    # targets in the order of their text: each distinct target's text ranked once
    rank = sorted_factorize(np.array([str(t) for t in targets], dtype=object))[0]
    order = np.lexsort((np.append(rank, -1)[tcode], pcode))
    pcode, at, m = pcode[order], np.asarray(at, dtype=np.int64)[order], len(projects)
    share = pd.to_numeric(pd.Series(ties["share"].to_numpy(dtype=object))).to_numpy(float)[order]
    n = np.bincount(pcode, minlength=m)[pcode]
    stated = np.bincount(pcode, np.isnan(share), m)[pcode] == 0
    stated_at = ~np.isnan(share)  # summed as pandas sums a group: the stated ones
    total = group_sums(pcode[stated_at], share[stated_at], m)[pcode]
    use_shares = (n > 1) & stated & (total > 0)
    w = np.where(n == 1, 1.0, np.where(use_shares, share / np.where(total > 0, total, 1), 1.0 / n))
    split = np.array(["single", "shares", "even"], dtype=object)[
        np.where(n == 1, 0, np.where(use_shares, 1, 2))
    ]
    # each target row once per place its part goes, weighted; then summed per project and
    # place (places in text order, None last), in row order
    lengths = np.array([len(p) for p in spread], dtype=np.int64)  # parts of each target
    sizes, starts = lengths[at], (np.cumsum(lengths) - lengths)[at]
    rows = np.repeat(np.arange(len(at)), sizes)
    part = np.arange(len(rows)) - np.repeat(np.cumsum(sizes) - sizes - starts, sizes)
    keys = np.array([k for p in spread for k, _ in p], dtype=object)[part]
    frac = np.array([f for p in spread for _, f in p], dtype=float)[part]
    kcode, named = pd.factorize(keys, sort=True)  # None: -1, ranked last
    kcode = np.where(kcode < 0, len(named), kcode)
    groups, inverse = np.unique(pcode[rows] * (len(named) + 1) + kcode, return_inverse=True)
    first = np.empty(len(groups), dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(rows) - 1, -1, -1)
    return pd.DataFrame(
        {
            "project": pd.Series(
                np.asarray(projects, dtype=object)[pcode[rows][first]], dtype=object
            ),
            "key": pd.Series(keys[first], dtype=object),
            "weight": group_sums(inverse, w[rows] * frac, len(groups)),
            "split": pd.Series(split[rows][first], dtype=object),
        }
    )


def spread_rows(rows, via: str, new: str, weights: pd.DataFrame) -> pd.DataFrame:
    """Spread sums grouped by ``via`` over ``weights`` (``via``, ``key``, ``weight``), as a
    table: each row once per key of its ``via``, in order (the row's own order, then the
    weights' order), in a column ``new``.

    Amounts are multiplied by the weight; counts are kept whole. Rows whose ``via`` has
    no weights go to ``new = None``.

    >>> sums = pd.DataFrame({"project": ["p1", "p2"], "amount_usd": [10.0, 4.0], "flows": [1, 2]})
    >>> w = pd.DataFrame({"project": ["p1", "p1"], "key": ["a", "b"], "weight": [0.5, 0.5]})
    >>> spread_rows(sums, "project", "region", w).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'project': 'p1', 'amount_usd': 5.0, 'flows': 1, 'region': 'a'},
     {'project': 'p1', 'amount_usd': 5.0, 'flows': 1, 'region': 'b'},
     {'project': 'p2', 'amount_usd': 4.0, 'flows': 2, 'region': None}]
    """
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if df.empty:
        return df.assign(**{new: pd.Series([], dtype=object)})
    if "amount_usd" not in df:
        df = df.assign(amount_usd=0.0)
    if via not in df:
        df = df.assign(**{via: None})
    w = weights[weights[via].notna().to_numpy()]
    # a left join by positions (no merge of two object columns): the weights grouped by
    # their ``via`` in their own order, each row repeated once per weight of its ``via``
    wcode, wvias = pd.factorize(w[via].to_numpy(dtype=object))
    order = np.argsort(wcode, kind="stable")
    count = np.append(np.bincount(wcode, minlength=len(wvias)), 0)  # last: no weight
    start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    at = pd.Index(wvias, dtype=object).get_indexer(df[via].to_numpy(dtype=object))
    hit_row = at >= 0
    at = np.where(hit_row, at, len(wvias))
    k = np.where(hit_row, count[at], 1)  # a row with no weight stays once
    rows_at = np.repeat(np.arange(len(df)), k)
    step = np.arange(len(rows_at)) - np.repeat(np.cumsum(k) - k, k)
    hit = np.repeat(hit_row, k)
    which = np.full(len(rows_at), len(w), dtype=np.int64)  # len(w): "no weight", below
    which[hit] = order[(np.repeat(start[at], k) + step)[hit]]
    out = df.iloc[rows_at].reset_index(drop=True)
    weight = np.append(pd.to_numeric(w["weight"], errors="coerce").to_numpy(float), 1.0)[which]
    usd = pd.to_numeric(out["amount_usd"], errors="coerce").fillna(0.0).to_numpy(float)
    out["amount_usd"] = usd * np.where(np.isnan(weight), 1.0, weight)
    keys = np.append(w["key"].to_numpy(dtype=object), None)[which]
    out[new] = pd.Series(keys, dtype=object).where(pd.notna(keys), None)
    return out


def regroup_rows(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
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
