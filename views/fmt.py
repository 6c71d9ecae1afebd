"""Formatting for the pages: money in USD thousands, percentages, safe text.

Nothing here computes a metric; it only turns numbers and names into what a person reads.
Amounts, shares, numbers and ranges read as in the reports (:mod:`graph.text`).
Names and titles come from data, so every function that puts one into Markdown escapes it.

Examples
--------
>>> usd(675208)
'USD 675.2 k'
>>> usd(2_350_000)
'USD 2.35 M'
>>> usd(None)
'unknown'
>>> pct(0.5)
'50.0 %'
>>> print(md("<b>[x](y)</b>"))
\\<b\\>\\[x\\]\\(y\\)\\<\\/b\\>
>>> plural(1, "donor"), plural(3, "donor")
('1 donor', '3 donors')
"""

from __future__ import annotations

import csv
import string
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import streamlit as st

from graph.text import label, num, pct, plural, pooled_name, rounded, span
from graph.text import missing as _missing
from graph.text import usd_short as usd

__all__ = [
    "usd",
    "usd_k",
    "pct",
    "num",
    "span",
    "md",
    "plural",
    "safe_uri",
    "money_config",
    "table",
    "readable",
    "csv_bytes",
    "neutralised",
    "SHOWN_ROWS",
    "download_csv",
    "label_of",
    "pooled_name",
    "year_text",
    "points",
    "fact_rows",
    "SCHEME_NAMES",
    "scheme_name",
    "HEADLINE_CHARS",
    "fits_headline",
    "figure_row",
    "MILLIONS_FROM_K",
    "in_millions",
    "chart_unit",
]

_PUNCT = set(string.punctuation)


def usd_k(x) -> float | None:
    """An amount in USD thousands (for table columns headed "USD k")."""
    return None if _missing(x) else float(x) / 1000.0


def md(text) -> str:
    """Text from data, escaped for Markdown: every ASCII punctuation mark gets a backslash,
    so ``<tag>``, ``[link](...)``, ``**`` and ``$math$`` all show as typed."""
    s = "" if _missing(text) else str(text)
    s = s.replace("\r", " ").replace("\n", " ")
    return "".join("\\" + c if c in _PUNCT else c for c in s)


def safe_uri(uri: str) -> str:
    """A server URI without any user name or password in it.

    >>> safe_uri("neo4j+s://user:secret@db.example:7687")
    'neo4j+s://db.example:7687'
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "(unreadable URI)"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


#: Region schemes in words.
SCHEME_NAMES = {
    "focus": "Institute focus regions",
    "unesco": "UNESCO regions",
    "m49": "UN M49 regions",
    "m49_subregion": "UN M49 sub-regions",
}


def scheme_name(scheme, *, one: bool = False) -> str:
    """A region scheme in words; with ``one``, what one region of it is called.

    >>> scheme_name("unesco"), scheme_name("focus", one=True), scheme_name("dac")
    ('UNESCO regions', 'Institute focus region', 'dac')
    """
    name = SCHEME_NAMES.get(scheme, str(scheme))
    return name[:-1] if one and scheme in SCHEME_NAMES else name


def label_of(code) -> str:
    """A code such as ``private_company`` as words (:func:`graph.text.label`).

    >>> label_of("private_company"), label_of("un_system"), label_of(None)
    ('private company', 'UN system', 'not stated')
    """
    return label(code)


def year_text(y) -> str:
    """A year as text (``2024``, not ``2,024``), "not stated" when there is none.

    >>> year_text(2024.0), year_text(None)
    ('2024', 'not stated')
    """
    return "not stated" if _missing(y) else str(int(y))


def points(gap) -> str:
    """A gap between two shares (0–1) in percentage points, signed; "no gap" at zero.

    >>> points(0.0216), points(-0.0935), points(0.0), points(None)
    ('+2.2 pts', '-9.4 pts', 'no gap', 'not stated')
    """
    if _missing(gap):
        return "not stated"
    v = rounded(100 * float(gap), 1)
    return "no gap" if v == 0 else f"{v:+.1f} pts"


#: A record's fields in words; any other field reads as its name with spaces.
FIELD_WORDS = {
    "name": "Name",
    "title": "Title",
    "acronym": "Acronym",
    "sector": "Sector",
    "org_type": "Type",
    "country": "Country",
    "city": "City",
    "parent_id": "Part of",
    "project_id": "Project",
    "status": "Status",
    "start_year": "Starts",
    "end_year": "Ends",
    "budget": "Budget as stated",
    "currency": "Currency",
    "budget_usd": "Budget (USD)",
    "budget_rate_source": "Exchange rate used",
    "description": "What it is",
    "scope": "Scope",
    "kind": "Kind",
    "date": "Date",
    "end_date": "Until",
    "year": "Year",
    "online": "Online",
    "participants": "Participants",
    "scheme": "Region scheme",
}
#: Fields whose values are codes (:func:`graph.text.label` says them in words).
CODE_FIELDS = {"sector", "org_type", "status", "kind", "scheme", "role", "channel", "scope"}


def fact_rows(facts: dict, *, names: dict, countries: dict) -> pd.DataFrame:
    """A record's fields as a person reads them: ``field`` and ``value`` in words (codes as
    labels, a country by its name, a reference by the name of what it points to, years
    without separators, money in USD).

    >>> fact_rows({"sector": "un_system", "parent_id": "unesco", "country": "RUS",
    ...            "start_year": 2024.0, "budget_usd": 885654.0, "loaded_from": ("data/",)},
    ...           names={"unesco": "UNESCO"}, countries={"RUS": "Russian Federation"}
    ...           ).values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['Sector', 'UN system'], ['Part of', 'UNESCO'], ['Country', 'Russian Federation'],
     ['Starts', '2024'], ['Budget (USD)', 'USD 885.7 k'], ['Loaded from', 'data/']]
    """
    rows = []
    for field, value in facts.items():
        if _missing(value):
            continue
        if field in CODE_FIELDS:
            text = label(value)
        elif field == "country":
            text = countries.get(value, str(value))
        elif field.endswith("_id"):
            text = str(names.get(value, value))
        elif field.endswith("_year") or field == "year":
            text = str(int(float(value)))
        elif field == "budget_usd":
            text = usd(value)
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, float) and value.is_integer():
            text = f"{int(value):,}"
        elif isinstance(value, (list, tuple, set, frozenset)):  # e.g. the loads it came from
            text = ", ".join(sorted(map(str, value)))
        else:
            text = str(value)
        rows.append((FIELD_WORDS.get(field, field.replace("_", " ").capitalize()), text))
    return pd.DataFrame(rows, columns=["field", "value"])


def money_config(columns, *, share_columns=(), int_columns=()) -> dict:
    """Column settings: money columns in USD thousands, shares as percentages."""
    cfg = {}
    for c in columns:
        cfg[c] = st.column_config.NumberColumn(c, format="%,.1f")
    for c in share_columns:  # shown × 100 by :func:`table`: 42.2 %, as everywhere else
        cfg[c] = st.column_config.NumberColumn(c, format="%.1f %%")
    for c in int_columns:
        cfg[c] = st.column_config.NumberColumn(c, format="%,d")
    return cfg


def readable(df: pd.DataFrame, *, money=(), shares=(), ints=()) -> tuple[pd.DataFrame, set]:
    """``df`` as a person reads it: in every column with a missing value, numbers become text
    in the column's format and the missing ones "not stated" (text columns: empty), so no
    ``None`` or ``nan`` shows. Returns the table and the columns turned into text.

    >>> t, cols = readable(pd.DataFrame({"usd k": [1234.5, None], "who": ["A", None]}),
    ...                    money=["usd k"])
    >>> t.values.tolist(), sorted(cols)
    ([['1,234.5', 'A'], ['not stated', '']], ['usd k', 'who'])
    """
    out, as_text = df, set()
    for c in df.columns:
        col = df[c]
        if not col.isna().any():
            continue
        if out is df:
            out = df.copy()
        as_text.add(c)
        if c in money:
            words = [None if _missing(v) else num(v, 1) for v in col]
        elif c in shares:
            words = [None if _missing(v) else pct(v) for v in col]
        elif c in ints:
            words = [None if _missing(v) else f"{int(v):,}" for v in col]
        elif pd.api.types.is_numeric_dtype(col) and "year" in str(c).lower():
            words = [None if _missing(v) else str(int(v)) for v in col]  # 2024, not 2,024
        elif pd.api.types.is_numeric_dtype(col):
            words = [None if _missing(v) else num(v) for v in col]
        else:
            out[c] = pd.Series(
                ["" if _missing(v) else str(v) for v in col], index=col.index, dtype=object
            )
            continue
        out[c] = pd.Series(
            ["not stated" if w is None else w for w in words], index=col.index, dtype=object
        )
    return out, as_text


#: Rows a long table sends to the page (the CSV download has all of them).
SHOWN_ROWS = 2000


#: What a spreadsheet reads as the start of a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    r"""A text cell that a spreadsheet would run as a formula, with a leading ``'`` so it
    shows as typed; numbers and other text unchanged.

    >>> neutralised('=HYPERLINK("http://x")'), neutralised("-5"), neutralised(-5.0)
    ('\'=HYPERLINK("http://x")', "'-5", -5.0)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    r"""A table as UTF-8 CSV (with a BOM, so spreadsheet programs read accents right).

    Every field is quoted, and a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return gets a leading ``'`` (a name from data cannot become a formula);
    numbers stay numbers.

    >>> csv_bytes(pd.DataFrame({"name": ["=1+1", "ok"], "usd": [-2.5, 3.0]})).decode("utf-8-sig")
    '"name","usd"\n"\'=1+1","-2.5"\n"ok","3.0"\n'
    """
    out = df.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].astype(object).map(neutralised)
    return out.to_csv(index=False, quoting=csv.QUOTE_ALL).encode("utf-8-sig")


def download_csv(df: pd.DataFrame, name: str, *, key: str | None = None, label: str = "CSV"):
    """A small download button for a table."""
    st.download_button(
        label,
        data=lambda: csv_bytes(df),  # written when clicked, not on every run of the page
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key or f"dl-{name}",
        icon=":material/download:",
        type="tertiary",
    )


def table(
    df: pd.DataFrame,
    name: str,
    *,
    money=(),
    shares=(),
    ints=(),
    height: int | None = None,
    download: bool = True,
    key: str | None = None,
    column_config: dict | None = None,
    cap: int | None = None,
):
    """A table with formatted money and share columns and a CSV download under it.

    ``money`` columns must already be in USD thousands (their heading says so); when one of
    them reaches a billion USD the page shows them in millions (:func:`in_millions`), the
    download keeps thousands. With
    ``cap``, only the first ``cap`` rows are sent to the page (a browser cannot use a
    million rows) and a caption says so; the download holds every row. A missing value
    never reaches the page as ``None`` or ``nan`` (:func:`readable`); the CSV keeps it empty.
    """
    shown = df if cap is None or len(df) <= cap else df.head(cap)
    shown, names = in_millions(shown, money)
    if names:  # the headings the caller named, as the page now shows them; a setting the
        # caller made for a money column would show its old heading: money's own is used
        money = [names.get(c, c) for c in money]
        column_config = {c: v for c, v in (column_config or {}).items() if c not in names}
    shown, as_text = readable(shown, money=money, shares=shares, ints=ints)
    numeric_shares = [c for c in shares if c in shown and c not in as_text]
    if numeric_shares:
        shown = shown.assign(**{c: shown[c].astype(float) * 100 for c in numeric_shares})
    cfg = money_config(
        [c for c in money if c not in as_text],
        share_columns=[c for c in shares if c not in as_text],
        int_columns=[c for c in ints if c not in as_text],
    )
    if column_config:
        for c, conf in column_config.items():
            number = isinstance(conf, dict) and conf.get("type_config", {}).get("type") == "number"
            if c in as_text and number:  # a column turned into words keeps only its heading
                conf = st.column_config.TextColumn(conf.get("label") or c)
            cfg[c] = conf
    kwargs = {"hide_index": True, "width": "stretch", "column_config": cfg}
    if height is not None:
        kwargs["height"] = height
    st.dataframe(shown, **kwargs)
    if len(shown) < len(df):
        st.caption(f"Showing the first {len(shown):,} of {len(df):,} rows; the CSV has them all.")
    if download:
        download_csv(df, name, key=key)


#: Where a table's money goes from USD thousands to USD millions: a billion USD, which in
#: thousands is a seven-digit figure with a decimal (``835,921,245.5``) that nobody reads
#: at a glance.
MILLIONS_FROM_K = 1_000_000


def in_millions(df: pd.DataFrame, money) -> tuple[pd.DataFrame, dict]:
    """``df`` with its ``money`` columns (USD thousands, headed ``USD k``) in USD millions
    when one of them reaches :data:`MILLIONS_FROM_K`, each heading saying ``USD M``; and
    each renamed column's old heading → its new one (empty when nothing changed). A column
    whose heading does not say ``USD k`` is left as it is.

    >>> t = pd.DataFrame({"region": ["A"], "before, USD k": [835_921_245.5]})
    >>> shown, names = in_millions(t, ["before, USD k"])
    >>> shown.to_dict("records"), names
    ([{'region': 'A', 'before, USD M': 835921.2455}], {'before, USD k': 'before, USD M'})
    >>> in_millions(pd.DataFrame({"USD k": [1.5]}), ["USD k"])[1]
    {}
    """
    cols = [c for c in money if c in df and "USD k" in str(c)]
    per, unit = chart_unit(*(df[c] for c in cols))
    if unit == "k":
        return df, {}
    names = {c: str(c).replace("USD k", "USD M") for c in cols}
    out = df.assign(**{c: pd.to_numeric(df[c], errors="coerce") / per for c in cols})
    return out.rename(columns=names), names


def chart_unit(*amounts_k) -> tuple[float, str]:
    """What to divide amounts in USD thousands by, and the unit they are then in (``k`` or
    ``M``): millions when the largest reaches :data:`MILLIONS_FROM_K` (a billion USD), so
    an axis reads ``60,000`` USD millions, not ``60,000,000`` USD thousands. The one rule
    of the charts and the tables (:func:`in_millions`). Missing amounts are left aside.

    >>> chart_unit([58_046_808.9, 3_005_790.3]), chart_unit([837.2], None)
    ((1000.0, 'M'), (1.0, 'k'))
    """
    parts = [pd.to_numeric(pd.Series(a), errors="coerce") for a in amounts_k if a is not None]
    tops = [top for part in parts if not _missing(top := part.abs().max())]
    return (1000.0, "M") if max(tops, default=0) >= MILLIONS_FROM_K else (1.0, "k")


#: The characters of a headline figure (``st.metric``) that still sits beside three others
#: on a laptop screen (in equal columns, ``USD 1,449,4…`` was all a board member saw of a
#: donor agency's known funding at 1,400 pixels); a longer text, such as a donor's full
#: name, would take a line of its own.
HEADLINE_CHARS = 12


def fits_headline(text) -> bool:
    """Whether ``text`` is short enough for a headline figure beside others.

    >>> fits_headline("UNESCO"), fits_headline("USD 1.45 bn"), fits_headline("Synthetic donor-1")
    (True, True, False)
    """
    return len(str(text)) <= HEADLINE_CHARS


def figure_row():
    """A row for headline figures (``st.metric``, called on it in order): each figure takes
    the width it needs and the row goes on to a second line when they do not fit side by
    side, so no figure, label or note is cut off with an ellipsis, as the equal columns of
    ``st.columns`` cut them on a laptop with the sidebar open (1,024 pixels: ``USD 4.38 M``
    read ``USD 1…``)."""
    return st.container(horizontal=True, gap="medium")
