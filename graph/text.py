"""How figures read for people: amounts in USD, shares, plain numbers and low–high ranges.

The one place for these formats: the text report (:mod:`graph.reports.findings`), the board report
(:mod:`graph.reports.board`) and the app's pages (through :mod:`views.fmt`) all use them, so
a figure reads the same everywhere. Missing values (None, NaN, ``pd.NA``) read as
``unknown`` (money) or ``n/a``.

Examples
--------
>>> usd(4648786.0), usd_short(2_350_000), usd_short(675208), usd_short(None)
('USD 4,648,786', 'USD 2.35 M', 'USD 675.2 k', 'unknown')
>>> pct(0.4234), pct(0.5, 0), num(1234.5, 1), num(float("nan"))
('42.3 %', '50 %', '1,234.5', 'n/a')
>>> span(2882.4, 3090.2, num), span(0.61, 0.61, pct), span(1, 2, num, sep=" - ")
('2,882 – 3,090', '61.0 %', '1 - 2')
"""

from __future__ import annotations

import pandas as pd

__all__ = ["missing", "usd", "usd_short", "pct", "num", "span"]


def missing(x) -> bool:
    """True for None, NaN and ``pd.NA`` (a list or other container is not missing)."""
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def usd(x, *, unknown: str = "unknown") -> str:
    """A USD amount in full: ``USD 1,234,567``."""
    return unknown if missing(x) else f"USD {float(x):,.0f}"


def usd_short(x, *, unknown: str = "unknown") -> str:
    """A USD amount for a headline: thousands as ``k``, millions as ``M``."""
    if missing(x):
        return unknown
    x = float(x)
    if abs(x) >= 1_000_000:
        return f"USD {x / 1_000_000:,.2f} M"
    if abs(x) >= 1_000:
        return f"USD {x / 1_000:,.1f} k"
    return f"USD {x:,.0f}"


def pct(x, digits: int = 1, *, unknown: str = "n/a") -> str:
    """A share 0–1 as a percentage: ``42.3 %``."""
    return unknown if missing(x) else f"{100 * float(x):.{digits}f} %"


def num(x, digits: int = 0, *, unknown: str = "n/a") -> str:
    """A plain number with thousands separators."""
    return unknown if missing(x) else f"{float(x):,.{digits}f}"


def span(lo, hi, fmt, *, sep: str = " – ") -> str:
    """``lo`` and ``hi`` formatted with ``fmt`` as a range, or one value when they read the
    same (a pooled range that makes no difference at this precision)."""
    a, b = fmt(lo), fmt(hi)
    return a if a == b else f"{a}{sep}{b}"
