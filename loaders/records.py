"""Rows as read, where they came from, what is wrong with them, and the one rule for each kind
of value that every reader shares (CSV, XLSX, JSON, IATI and 360Giving alike).

=================  ==============================================================
rule               function
=================  ==============================================================
null               :func:`clean_cell`: empty or blank text is no value (``None``)
number             :func:`parse_number` / :func:`is_number`: digits with an optional
                   sign and decimal point; exponents only where the reader's format
                   allows them (``exponent=False`` for IATI and 360Giving decimals)
date               :func:`parse_date`: ``YYYY-MM-DD``; ``strict`` takes only
                   ``YYYY[-MM[-DD]]`` (record files), otherwise date-times and
                   ``DD/MM/YYYY`` as published files write them
currency, country  :func:`is_currency_code` (ISO 4217), :func:`is_country_code`
                   (ISO 3166-1 alpha-3)
=================  ==============================================================

A :class:`Location` names the file and the line (CSV), the sheet and row (XLSX) or the item
(JSON) of a record. A :class:`Problem` adds the column, the value and a hint how to fix it.
Loaders collect *every* problem before they give up, so a user fixes a file in one pass.

Examples
--------
>>> loc = Location("organizations.csv", line=12)
>>> p = Problem(loc, "country", "XKX", "unknown ISO 3166-1 alpha-3 country code",
...             "use a code such as KAZ or RUS")
>>> print(p)
organizations.csv, line 12, column 'country', value 'XKX': unknown ISO 3166-1 alpha-3 country code. Fix: use a code such as KAZ or RUS
>>> print(format_report([p]))
1 problem found; nothing was written.
  organizations.csv, line 12, column 'country', value 'XKX': unknown ISO 3166-1 alpha-3 country code. Fix: use a code such as KAZ or RUS
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass

__all__ = [
    "DATE_HINT",
    "BadValue",
    "Location",
    "Problem",
    "RawRow",
    "clean_cell",
    "counted_list",
    "format_report",
    "is_country_code",
    "is_currency_code",
    "is_number",
    "number_text",
    "parse_date",
    "parse_number",
]


@dataclass(frozen=True, order=True)
class Location:
    """Where a record sits in its file.

    Parameters
    ----------
    file : str
        File name as the user gave it.
    line : int, optional
        1-based line of a CSV file where the record starts (the header is line 1).
    sheet : str, optional
        Worksheet of an XLSX workbook; ``line`` is then the row number.
    item : str, optional
        For JSON and XML: a path such as ``organizations[3]`` or an activity identifier.
    """

    file: str
    line: int | None = None
    sheet: str | None = None
    item: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
            if self.line is not None:
                parts.append(f"row {self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.item is not None:
            parts.append(self.item)
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value.

    Parameters
    ----------
    location : Location
        Where the record is.
    column : str or None
        The column (or element/attribute) at fault; None for a whole-file problem.
    value : object
        The offending value as read (None when the value is missing).
    message : str
        What is wrong.
    hint : str
        What to do about it.
    """

    location: Location
    column: str | None
    value: object
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = str(self.location)
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.value is not None and self.value != "":
            shown = str(self.value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            where += f", value {shown!r}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f". Fix: {self.hint}"
        return text

    def as_dict(self) -> dict:
        """Plain data for tables and JSON output."""
        loc = self.location
        return {
            "file": loc.file,
            "sheet": loc.sheet,
            "line": loc.line,
            "item": loc.item,
            "column": self.column,
            "value": None if self.value is None else str(self.value),
            "problem": self.message,
            "fix": self.hint,
        }


def format_report(problems) -> str:
    """Every problem, one a line, under a count.

    Parameters
    ----------
    problems : iterable of Problem

    Returns
    -------
    str
    """
    return counted_list(problems, "problem", "found; nothing was written.", "No problems found.")


def counted_list(items, noun: str, after: str, empty: str = "") -> str:
    """Items one a line under a count (``"2 problems found…"``); ``empty`` when there are none.

    >>> print(counted_list(["a", "b"], "notice", "(loaded anyway):"))
    2 notices (loaded anyway):
      a
      b
    """
    items = list(items)
    if not items:
        return empty
    n = len(items)
    head = f"{n} {noun}{'s' if n != 1 else ''} {after}"
    return "\n".join([head, *(f"  {x}" for x in items)])


@dataclass(frozen=True)
class RawRow:
    """One record as read: kind, cell texts (``None`` for an empty cell), location.

    ``published`` marks a row read from a published standard file (IATI, 360Giving), whose
    standard allows more than the user's own records do (a negative amount is a reversal)."""

    kind: str
    values: dict
    location: Location
    published: bool = False


class BadValue(ValueError):
    """A value that breaks one of the rules here: ``message`` says what, ``hint`` how to fix it."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


# -- the one null rule ----------------------------------------------------------------------


def clean_cell(value) -> str | None:
    """A cell's value as text; empty or blank → ``None``. Workbook numbers, booleans and
    dates become the text a CSV would hold.

    >>> clean_cell("  x "), clean_cell("  "), clean_cell(None), clean_cell(3.0), clean_cell(True)
    ('x', None, None, '3', 'true')
    """
    if type(value) is str:  # the common case (every CSV cell), first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, _dt.datetime):
        value = value.date() if value.time() == _dt.time() else value
    if isinstance(value, _dt.date | _dt.datetime):
        value = value.isoformat()
    text = str(value).strip()
    return text or None


# -- the one number rule --------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_SEPARATED = re.compile(r"^[+-]?\d{1,3}([ ,'\u00a0]\d{3})+(\.\d+)?$")


def is_number(text: str, *, exponent: bool = True) -> bool:
    """Whether ``text`` is a number under the one rule (``exponent=False``: a plain decimal,
    as ``xsd:decimal`` in IATI and 360Giving).

    >>> is_number("1e3"), is_number("1e3", exponent=False), is_number("-12.5", exponent=False)
    (True, False, True)
    >>> is_number("1,000"), is_number("")
    (False, False)
    """
    return bool((_NUMBER if exponent else _DECIMAL).match(text.strip()))


def parse_number(text: str, *, exponent: bool = True) -> float:
    """The number in ``text``, or :class:`BadValue` saying what is wrong and how to write it.

    >>> parse_number("414000"), parse_number("+1.5e2")
    (414000.0, 150.0)
    >>> parse_number("1 000")
    Traceback (most recent call last):
    ...
    loaders.records.BadValue: numbers must not contain thousands separators
    """
    t = text.strip()
    if not is_number(t, exponent=exponent):  # say what is wrong, most specific first
        if _SEPARATED.match(t) and not _NUMBER.match(t):
            raise BadValue(
                "numbers must not contain thousands separators",
                f"write {re.sub(r'[ ,' + chr(39) + chr(160) + ']', '', t)} (a dot for decimals)",
            )
        if re.match(r"^[+-]?\d+,\d+$", t):
            raise BadValue("decimal comma is not accepted", f"write {t.replace(',', '.')}")
        raise BadValue("not a number", "write digits only, e.g. 414000 or 885654.00")
    value = float(t)
    if math.isnan(value) or math.isinf(value):
        raise BadValue("not a finite number", "write a number")
    return value


# -- currencies and countries ---------------------------------------------------------------


def is_country_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-3 code.

    >>> is_country_code("MUS"), is_country_code("XYZ"), is_country_code("mus")
    (True, False, False)
    """
    import pycountry

    return (
        bool(re.fullmatch(r"[A-Z]{3}", code)) and pycountry.countries.get(alpha_3=code) is not None
    )


def is_currency_code(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency code.

    >>> is_currency_code("RUB"), is_currency_code("RUR"), is_currency_code("usd")
    (True, False, False)
    """
    import pycountry

    return (
        bool(re.fullmatch(r"[A-Z]{3}", code)) and pycountry.currencies.get(alpha_3=code) is not None
    )


# -- the one date rule ----------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
DATE_HINT = (
    "write YYYY-MM-DD (DD/MM/YYYY and date-times such as 2024-03-01T00:00:00+00:00 work too)"
)


_STRICT = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(text: str, *, partial: bool = False, strict: bool = False) -> str:
    """A date as ``YYYY-MM-DD`` from the forms real files use.

    Accepts ISO dates, ISO date-times (with ``T`` or a space, seconds, fractions, ``Z`` or an
    offset — the date is kept as written, not moved to UTC) and ``DD/MM/YYYY`` (with an
    optional time). With ``partial``, ``YYYY`` and ``YYYY-MM`` are kept as they are.

    Raises
    ------
    ValueError
        With a message for the user: not a date, or not a real date.

    Examples
    --------
    >>> parse_date("2024-03-01T00:00:00+00:00"), parse_date("01/03/2024"), parse_date("1/3/2024 09:30")
    ('2024-03-01', '2024-03-01', '2024-03-01')
    >>> parse_date("2024-03", partial=True)
    '2024-03'
    >>> parse_date("2025-04", strict=True), parse_date("2025", strict=True)
    ('2025-04', '2025')
    >>> parse_date("31/02/2024")
    Traceback (most recent call last):
    ...
    ValueError: not a real date (day is out of range for month)
    """
    t = text.strip()
    if strict:
        return _strict_date(t)
    m = _ISO.match(t)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _DMY.match(t)
        if m:
            d, mo, y = int(m[1]), int(m[2]), int(m[3])
        else:
            m = _PARTIAL.match(t)
            if partial and m:
                if m[2] is None:
                    return m[1]
                if 1 <= int(m[2]) <= 12:
                    return f"{m[1]}-{int(m[2]):02d}"
            raise ValueError("not a date")
    try:
        _dt.date(y, mo, d)
    except ValueError as e:
        raise ValueError(f"not a real date ({e})") from e
    return f"{y:04d}-{mo:02d}-{d:02d}"


def number_text(value: float) -> str:
    """A sum as plain text: whole numbers without a decimal point, else two decimals.

    >>> number_text(1500.0), number_text(1500.256)
    ('1500', '1500.26')
    """
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _strict_date(t: str) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as written (a real date), or ValueError."""
    m = _STRICT.match(t)
    if not m:
        raise ValueError("not a date")
    try:
        _dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError as e:
        raise ValueError(f"not a real date ({e})") from e
    return t
