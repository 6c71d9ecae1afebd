"""How figures read for people: amounts in USD, shares, plain numbers and low–high ranges.

The one place for these formats: the text report (:mod:`graph.reports.findings`), the board report
(:mod:`graph.reports.board`) and the app's pages (through :mod:`views.fmt`) all use them, so
a figure reads the same everywhere. Missing values (None, NaN, ``pd.NA``) read as
``unknown`` (money) or ``n/a``.

One rounding rule everywhere (:func:`rounded`): half away from zero at the shown precision,
on the number as it prints (an HHI of 4,046.5 reads 4,047 on a page, in the PDF, the CSV
and the CLI; Python's own formatting would round it to the even 4,046, a browser to 4,047).

Examples
--------
>>> usd(4648786.0), usd_short(2_350_000), usd_short(675208), usd_short(None)
('USD 4,648,786', 'USD 2.35 M', 'USD 675.2 k', 'unknown')
>>> pct(0.4234), pct(0.5, 0), num(1234.5, 1), num(float("nan"))
('42.3 %', '50 %', '1,234.5', 'n/a')
>>> span(2882.4, 3090.2, num), span(0.61, 0.61, pct), span(1, 2, num, sep=" - ")
('2,882 – 3,090', '61.0 %', '1 - 2')
>>> num(4046.5), num(0.125, 2), pct(0.0125), usd(2.5)
('4,047', '0.13', '1.3 %', 'USD 3')
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

__all__ = [
    "missing",
    "rounded",
    "words",
    "label",
    "LABELS",
    "joined",
    "pooled_name",
    "clip",
    "usd",
    "usd_short",
    "pct",
    "num",
    "span",
    "plural",
]


def rounded(x, digits: int = 0) -> float:
    """``x`` rounded half away from zero to ``digits`` decimals, the tool's one rule (see
    the module notes), taken on the shortest decimal that prints as ``x``.

    >>> rounded(4046.5), rounded(-2.5), rounded(2.675, 2), rounded(1234.45, 1)
    (4047.0, -3.0, 2.68, 1234.5)
    """
    step = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(x))).quantize(step, rounding=ROUND_HALF_UP))


def missing(x) -> bool:
    """True for None, NaN and ``pd.NA`` (a list or other container is not missing)."""
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def words(code, *, unknown: str = "not stated") -> str:
    """A code such as ``private_company`` in words: ``private company``.

    >>> words("host_country"), words(None)
    ('host country', 'not stated')
    """
    return unknown if missing(code) else str(code).replace("_", " ")


#: Codes whose words are not the code with its underscores as spaces: acronyms keep their
#: capitals, and a few codes read better said otherwise.
LABELS = {
    "un_system": "UN system",
    "un_institute": "UN institute",
    "un_unit": "UN unit",
    "un_field_office": "UN field office",
    "un_agency": "UN agency",
    "un_category2_centre": "UNESCO category 2 centre",
    "ngo": "NGO",
    "pool": "pooled fund",
    "donor_pool": "pooled fund",
    "co_chair": "co-chair",
    "co_organizer": "co-organizer",
    "in_kind": "in kind",
    "incoming_funds": "incoming funds",
    "incoming_commitment": "incoming commitment",
    "m49": "UN M49",
    "m49_subregion": "UN M49 sub-region",
    "unesco": "UNESCO",
    "dac": "OECD DAC",
    "iati": "IATI",
    # node labels and relationship types: what a record is, in words
    "Organization": "organization",
    "Project": "project",
    "Network": "network",
    "Event": "event",
    "Country": "country",
    "Region": "region",
    "Source": "source document",
    "FUNDS": "funding flow",
    "POOLS": "member of a pooled fund",
    "PARTNER_IN": "partner in a project",
    "MEMBER_OF": "member of a network",
    "TARGETS": "country or region a project targets",
    "ORGANIZED": "organizer of an event",
    "INVOLVES": "country an event draws people from",
    "IN_REGION": "country in a region",
    "BASED_IN": "where an organization is based",
    "HELD_IN": "where an event is held",
    "PART_OF": "unit of an organization",
    "PART_OF_PROJECT": "event of a project",
}


def label(code, *, unknown: str = "not stated") -> str:
    """A code (a sector, channel, role, flow type …) as a person reads it: the tool's one
    rule for codes in words, used by the pages, the board report and the command line.

    >>> label("private_company"), label("un_system"), label("ngo"), label(None)
    ('private company', 'UN system', 'NGO', 'not stated')
    """
    if missing(code):
        return unknown
    return LABELS.get(str(code), words(code))


def joined(items, *, last: str = "and") -> str:
    """Items as a list in a sentence: ``a, b and c``.

    >>> joined(["income", "grant", "commitment"]), joined(["one"]), joined([])
    ('income, grant and commitment', 'one', '')
    """
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def clip(text, n: int = 300) -> str:
    """``text`` cut at ``n`` characters with an ellipsis: a name in a table or a PDF stays
    a name, whatever a store holds (a report's cost stays linear in what it shows).

    >>> clip("x" * 10, 4), clip("short")
    ('xxx…', 'short')
    """
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def pooled_name(name, pooled: bool) -> str:
    """A donor's name, marked as a pooled fund when it is one and its name does not say so.

    >>> pooled_name("IITE donors (pooled contributions)", True), pooled_name("Fund A", True)
    ('IITE donors (pooled contributions)', 'Fund A (pooled fund)')
    """
    name = str(name)
    return f"{name} (pooled fund)" if pooled and "pool" not in name.lower() else name


def usd(x, *, unknown: str = "unknown") -> str:
    """A USD amount in full, ``USD 1,234,567``, up to a billion; from there to three
    significant digits as :func:`usd_short` gives it (``USD 1.08 tn``): a donor agency's
    thirteen-digit totals are not read but counted, in a sentence or a table cell alike
    (tables of numbers switch to USD millions at the same size: ``views.fmt.in_millions``).

    >>> usd(1_234_567.4), usd(999_499_999), usd(999_999_499), usd(1_081_237_756_155)
    ('USD 1,234,567', 'USD 999,499,999', 'USD 1.00 bn', 'USD 1.08 tn')
    """
    if missing(x):
        return unknown
    if _reads_at_least(float(x), 1e9):  # what reads USD 1.00 bn is given short
        return usd_short(x)
    return f"USD {rounded(x):,.0f}"


#: Scales a headline amount is given in at three significant digits, from a million up: a
#: whole donor agency's portfolio (or the sum of many) runs to billions, and a page's
#: headline has room for about a dozen characters, so ``USD 1,449,437.95 M`` would be cut off.
_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"))


def usd_short(x, *, unknown: str = "unknown") -> str:
    """A USD amount for a headline: thousands as ``k`` (one decimal); millions as ``M``,
    billions as ``bn`` and trillions as ``tn``, to three significant digits, so that it
    shows whole as a page's headline figure (``USD 781 M``, not ``USD 781.15 M``).

    >>> usd_short(1_449_437_945_242), usd_short(186_737_300_000), usd_short(2_999_999_999)
    ('USD 1.45 tn', 'USD 187 bn', 'USD 3.00 bn')
    >>> usd_short(999_999_999), usd_short(999_400_000), usd_short(-12_345_000_000)
    ('USD 1.00 bn', 'USD 999 M', 'USD -12.3 bn')
    >>> usd_short(781_150_000), usd_short(14_449_000), usd_short(999_400), usd_short(999_950)
    ('USD 781 M', 'USD 14.4 M', 'USD 999.4 k', 'USD 1.00 M')
    """
    if missing(x):
        return unknown
    x = float(x)
    for scale, unit in _SCALES:
        if _reads_at_least(x, scale):
            return f"USD {_three_digits(x / scale)} {unit}"
    if abs(rounded(x / 1_000, 1)) >= 1:
        return f"USD {rounded(x / 1_000, 1):,.1f} k"
    return f"USD {rounded(x):,.0f}"


def _reads_at_least(x: float, scale: float) -> bool:
    """Whether ``x`` reads at least 1.00 of ``scale`` at three significant digits.

    >>> _reads_at_least(999_500_000, 1e9), _reads_at_least(999_499_999, 1e9)
    (True, False)
    """
    return abs(x) >= 0.9995 * scale


def _three_digits(x: float) -> str:
    """``x`` (at least 1 in size) to three significant digits, rounded as :func:`rounded`.

    >>> _three_digits(1.449), _three_digits(14.45), _three_digits(186.7), _three_digits(1449.4)
    ('1.45', '14.5', '187', '1,449')
    """
    for digits in (2, 1):
        r = rounded(x, digits)
        if abs(r) < 10 ** (3 - digits):
            return f"{r:,.{digits}f}"
    return f"{rounded(x):,.0f}"


def pct(x, digits: int = 1, *, unknown: str = "n/a") -> str:
    """A share 0–1 as a percentage: ``42.3 %``."""
    return unknown if missing(x) else f"{rounded(100 * float(x), digits):.{digits}f} %"


def num(x, digits: int = 0, *, unknown: str = "n/a") -> str:
    """A plain number with thousands separators."""
    return unknown if missing(x) else f"{rounded(x, digits):,.{digits}f}"


def span(lo, hi, fmt, *, sep: str = " – ") -> str:
    """``lo`` and ``hi`` formatted with ``fmt`` as a range, or one value when they read the
    same (a pooled range that makes no difference at this precision)."""
    a, b = fmt(lo), fmt(hi)
    return a if a == b else f"{a}{sep}{b}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` with thousands separators and ``word``, in the plural (``many``, else ``word``
    + "s") unless ``n`` is 1: the one way every sentence counts things.

    >>> plural(1, "project"), plural(2126, "project"), plural(0, "agency", "agencies")
    ('1 project', '2,126 projects', '0 agencies')
    """
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
