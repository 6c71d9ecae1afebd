"""The dates the analyses count from: the default as-of date, and reading a date.

>>> as_date("2025-12-31"), DEFAULT_AS_OF
(datetime.date(2025, 12, 31), datetime.date(2025, 8, 15))
"""

from __future__ import annotations

import datetime as dt

from graph.errors import AnalysisError

__all__ = ["DEFAULT_AS_OF", "DEFAULT_AS_OF_REASON", "as_date", "months_after"]

#: The date "what ends soon" counts from by default: when the Director's report was prepared.
DEFAULT_AS_OF = dt.date(2025, 8, 15)
DEFAULT_AS_OF_REASON = (
    "From 15 August 2025 by default: when the Director's report was prepared (it covers the "
    "year after the Board's August 2024 session; its latest dated activity is July 2025). "
    "Pick another date to look from there."
)


def as_date(value) -> dt.date:
    """A date from a ``date``, a ``datetime`` or text ``YYYY-MM-DD`` (AnalysisError else).

    >>> as_date("2025-12-31")
    datetime.date(2025, 12, 31)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as e:
        raise AnalysisError(f"{value!r} is not a date; write it as YYYY-MM-DD") from e


def months_after(value, months: int) -> dt.date:
    """The date ``months`` whole months after ``value`` (the day kept, or the month's last
    day when the month is shorter): the end of the window :func:`ending_within` looks at.

    >>> months_after("2025-08-15", 12), months_after("2025-01-31", 1)
    (datetime.date(2026, 8, 15), datetime.date(2025, 2, 28))
    """
    d = as_date(value)
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise AnalysisError(f"months must be a whole number >= 0, not {months!r}")
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))
