"""The rule for each cell and each record, shared by the row-by-row and the column-wise
validators (:mod:`loaders.validate`, :mod:`loaders.columns`): one converter per field type
(cell text → typed value, or :class:`~loaders.records.BadValue` with the message and the
hint), the rules across columns of one record, and the words of a bad reference and of a
duplicate id.

Examples
--------
>>> from graph.schema import KINDS
>>> f = KINDS["funding"].field("amount")
>>> convert(f, "414000"), convert(f, "885654.00")
(414000, 885654.0)
>>> convert(f, "1,000")
Traceback (most recent call last):
...
loaders.records.BadValue: numbers must not contain thousands separators
"""

from __future__ import annotations

import difflib

from graph.schema import YEAR_MAX, YEAR_MIN, Field, Kind
from loaders.limits import INVISIBLE, MAX_CELL_CHARS, MAX_NAME_CHARS, NAME_FIELDS
from loaders.records import (
    BadValue,
    Location,
    Problem,
    is_country_code,
    is_currency_code,
    parse_date,
    parse_number,
)

__all__ = [
    "CONVERTERS",
    "DATE_FORMS",
    "convert",
    "derive_link_id",
    "duplicate_problem",
    "reference_problem",
    "required_problem",
    "row_rules",
]

DATE_FORMS = "write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-04-24"

_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def derive_link_id(kind: Kind, values: dict) -> str:
    """Stable id for a relationship row that has none: its ends (and role).

    >>> from graph.schema import KINDS
    >>> derive_link_id(KINDS["partnerships"], {"org_id": "bnu", "project_id": "p1", "role": "donor"})
    'bnu|p1|donor'
    """
    parts = [values.get(kind.start), values.get(kind.end)]
    if "role" in kind.columns and values.get("role"):
        parts.append(values["role"])
    return "|".join(str(p) for p in parts)


def _as_text(f: Field, text: str):
    return text


def _as_number(f: Field, text: str):
    value = parse_number(text)
    if value < 0:
        raise BadValue("amounts cannot be negative", "give the amount as a positive number")
    return int(value) if value.is_integer() and "." not in text else value


def _as_whole(f: Field, text: str):
    value = parse_number(text)
    if not value.is_integer():
        raise BadValue("not a whole number", "write a whole number")
    value = int(value)
    if f.type == "year" and not YEAR_MIN <= value <= YEAR_MAX:
        raise BadValue(
            f"year out of range {YEAR_MIN}–{YEAR_MAX}", "write a four-digit year, e.g. 2025"
        )
    if value < 0:
        raise BadValue("cannot be negative", "write a count of zero or more")
    return value


def _as_share(f: Field, text: str):
    pct = text.endswith("%")
    value = parse_number(text.rstrip("%").strip())
    if pct or value > 1:
        value = value / 100
    if not 0 <= value <= 1:
        raise BadValue("a share must be between 0 and 1 (or 0% and 100%)", "e.g. 0.4 or 40%")
    return value


def _as_date(f: Field, text: str):
    try:
        parse_date(text, partial=True, strict=True)
    except ValueError as e:
        hint = "check the month and the day" if "real" in str(e) else DATE_FORMS
        raise BadValue(str(e), hint) from e
    if not YEAR_MIN <= int(text[:4]) <= YEAR_MAX:
        raise BadValue(f"year out of range {YEAR_MIN}–{YEAR_MAX}", "check the year")
    return text


def _as_bool(f: Field, text: str):
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise BadValue("not true or false", "write true or false")


def _as_enum(f: Field, text: str):
    low = text.lower().replace(" ", "_").replace("-", "_")
    if low in f.choices:
        return low
    close = difflib.get_close_matches(low, f.choices, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise BadValue("not an allowed value", hint + f"allowed: {', '.join(f.choices)}")


def _as_iso3(f: Field, text: str):
    if not is_country_code(text):
        raise BadValue(
            "not an ISO 3166-1 alpha-3 country code",
            "use the three-letter code, e.g. KAZ for Kazakhstan",
        )
    return text


def _as_currency(f: Field, text: str):
    if not is_currency_code(text):
        raise BadValue("not an ISO 4217 currency code", "use a code such as USD, EUR or RUB")
    return text


#: One converter per field type of :mod:`graph.schema`: cell text → typed value, or BadValue.
CONVERTERS = {
    "str": _as_text,
    "text": _as_text,
    "ref": _as_text,
    "number": _as_number,
    "int": _as_whole,
    "year": _as_whole,
    "share": _as_share,
    "date": _as_date,
    "bool": _as_bool,
    "enum": _as_enum,
    "iso3": _as_iso3,
    "currency": _as_currency,
}


def convert(f: Field, text: str, *, published: bool = False):
    """The typed value of one cell of field ``f``, or :class:`BadValue`; ``published``: the
    row comes from a published standard file, whose numbers may be negative.

    Every cell is held to the limits of :mod:`loaders.limits` (a name, title or acronym to
    :data:`~loaders.limits.MAX_NAME_CHARS` characters, any other cell to
    :data:`~loaders.limits.MAX_CELL_CHARS`), and a cell of your own records may hold no
    invisible character (a published file's are removed with a notice before this).

    >>> from graph.schema import KINDS
    >>> name = KINDS["organizations"].field("name")
    >>> convert(name, "Acme\u202eLtd")
    Traceback (most recent call last):
    ...
    loaders.records.BadValue: the value holds an invisible or control character (U+202E at position 5)
    """
    limit = MAX_NAME_CHARS if f.name in NAME_FIELDS else MAX_CELL_CHARS
    if len(text) > limit:
        raise BadValue(
            f"the value is {len(text):,} characters long, more than the {limit:,} a "
            f"{'name' if f.name in NAME_FIELDS else 'cell'} may have",
            "shorten it (a description belongs in its own column, or a document)",
        )
    if not published and (m := INVISIBLE.search(text)) is not None:
        raise BadValue(
            f"the value holds an invisible or control character (U+{ord(m.group()):04X} at "
            f"position {m.start() + 1})",
            "remove it: it cannot be seen, and it can make a name read differently from what it is",
        )
    if published and f.type == "number":
        return _as_signed(f, text)
    return CONVERTERS[f.type](f, text)


def _as_signed(f: Field, text: str):
    """A number of a published standard file: ``xsd:decimal`` has no minimum (reversals,
    decommitments and budget revisions are negative)."""
    value = parse_number(text)
    return int(value) if value.is_integer() and "." not in text else value


def row_rules(spec: Kind, rec: dict, bad: set[str]) -> list[Problem]:
    """Rules across columns; columns already reported as ``bad`` are not judged again."""
    loc = rec["_location"]
    out = []
    pairs = (("start_year", "end_year"), ("date", "end_date"), ("from_year", "to_year"))
    pairs += (("amount_low", "amount_high"),)
    for a, b in pairs:
        if a in spec.columns and rec.get(a) is not None and rec.get(b) is not None:
            if str(rec[a]) > str(rec[b]) if isinstance(rec[a], str) else rec[a] > rec[b]:
                out.append(
                    Problem(
                        loc,
                        b,
                        rec[b],
                        f"{b} is before {a} ({rec[a]})"
                        if "year" in a or "date" in a
                        else f"{b} is below {a} ({rec[a]})",
                        f"make {a} ≤ {b}, or swap them",
                    )
                )
    out += _KIND_RULES.get(spec.name, _no_rules)(rec, loc, bad)
    return out


def _no_rules(rec: dict, loc: Location, bad: set[str]) -> list[Problem]:
    return []


def _money(rec: dict, loc: Location, bad: set[str], pairs, what: str = "an amount"):
    """An amount needs a currency; a USD amount is its own USD; another currency's USD is
    amount × ``usd_rate`` when a rate is given. ``pairs`` = ``(amount column, USD column)``."""
    given = [a for a, _usd in pairs if rec.get(a) is not None]
    if given and not rec.get("currency") and "currency" not in bad:
        return [Problem(loc, "currency", None, f"{what} needs a currency", "fill in e.g. USD")]
    for a, usd in pairs:
        if rec.get(a) is None or rec.get(usd) is not None:
            continue
        if rec.get("currency") == "USD":
            rec[usd] = rec[a]
        elif rec.get("usd_rate") is not None:
            rec[usd] = round(rec[a] * rec["usd_rate"], 2)
    if rec.get("currency") == "USD" and given and rec.get("usd_rate") is None:
        rec["usd_rate"] = 1
    return []


def _funding_rules(rec: dict, loc: Location, bad: set[str]) -> list[Problem]:
    return _money(rec, loc, bad, (("amount", "amount_usd"),))


def _project_rules(rec: dict, loc: Location, bad: set[str]) -> list[Problem]:
    if rec.get("budget") is not None and not rec.get("currency") and "currency" not in bad:
        return [Problem(loc, "currency", None, "a budget needs a currency", "fill in e.g. USD")]
    return []


def _in_usd(rec: dict, loc: Location, pairs) -> list[Problem]:
    """An assumption's amount that could not be put in USD: a problem (a planning figure
    without a rate cannot be compared with anything)."""
    for a, usd in pairs:
        if rec.get(a) is not None and rec.get(usd) is None and rec.get("currency"):
            return [
                Problem(
                    loc,
                    "usd_rate",
                    None,
                    f"an amount in {rec['currency']} needs a rate to USD",
                    "fill in usd_rate (USD per unit), or give the amounts in USD",
                )
            ]
    return []


_PROSPECT_MONEY = (
    ("amount", "amount_usd"),
    ("amount_low", "amount_usd_low"),
    ("amount_high", "amount_usd_high"),
)


def _prospect_rules(rec: dict, loc: Location, bad: set[str]) -> list[Problem]:
    out = []
    if not rec.get("donor_id") and not rec.get("donor_name") and "donor_id" not in bad:
        out.append(
            Problem(
                loc,
                "donor_id",
                None,
                "a prospect needs a donor",
                "give donor_id of an organization in the data, or donor_name for a new donor",
            )
        )
    low, high = rec.get("amount_low") is not None, rec.get("amount_high") is not None
    if low != high:
        missing = "amount_high" if low else "amount_low"
        out.append(
            Problem(
                loc,
                missing,
                None,
                "a range needs both ends",
                "fill in amount_low and amount_high, or give one amount",
            )
        )
    out += _money(rec, loc, bad, _PROSPECT_MONEY) or _in_usd(rec, loc, _PROSPECT_MONEY)
    return out


def _renewal_rules(rec: dict, loc: Location, bad: set[str]) -> list[Problem]:
    out = []
    if (
        not rec.get("project_id")
        and not rec.get("donor_id")
        and not {"project_id", "donor_id"} & bad
    ):
        out.append(
            Problem(
                loc,
                "project_id",
                None,
                "a renewal needs the agreement it extends",
                "give project_id, or donor_id (and channel) for a donor's yearly contribution",
            )
        )
    if rec.get("amount") is not None and rec.get("level") is not None:
        out.append(
            Problem(
                loc,
                "level",
                rec["level"],
                "give a level or an amount, not both",
                "empty one of them",
            )
        )
    pairs = (("amount", "amount_usd"),)
    out += _money(rec, loc, bad, pairs) or _in_usd(rec, loc, pairs)
    return out


#: The rules across the columns of one record, by record kind.
_KIND_RULES = {
    "funding": _funding_rules,
    "projects": _project_rules,
    "prospects": _prospect_rules,
    "renewals": _renewal_rules,
}


def required_problem(loc: Location, f: Field) -> Problem:
    """The words for a required value that is missing."""
    return Problem(loc, f.name, None, "a value is required", f"fill in {f.doc or f.name}")


def duplicate_problem(loc: Location, column: str, key, first) -> Problem:
    """The words for a record whose id an earlier record (at ``first``) already has."""
    return Problem(
        loc,
        column,
        key,
        f"duplicate id (first at {first})",
        "give each record its own id, or remove the repeated row",
    )


def reference_problem(loc: Location, column: str, value, targets: list[str], keys: dict) -> Problem:
    """The words for a reference to an id that is neither loaded nor in the store: a bad
    country code, or an unknown id with the closest known one suggested."""
    if targets == ["countries"] and not is_country_code(str(value)):
        return Problem(
            loc,
            column,
            value,
            "not an ISO 3166-1 alpha-3 country code",
            "use the three-letter code, e.g. KAZ for Kazakhstan",
        )
    names = " or ".join(targets)
    pool = set().union(*(keys.get(t, set()) for t in targets))
    close = difflib.get_close_matches(str(value), sorted(pool), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return Problem(
        loc,
        column,
        value,
        f"refers to an unknown {names.replace('_', ' ')} id",
        hint + f"add it to {targets[0]} first, or correct the id",
    )
