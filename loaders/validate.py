"""Validate raw rows into typed records, reporting every problem in one pass.

Rules, each with its own message and hint: required values; types and number formats
(no thousands separators, no text in number columns); non-negative amounts; ISO 4217
currencies; ISO 3166-1 alpha-3 countries; years in range; start ≤ end; allowed values of
enumerations; duplicate ids; references to organizations, projects, networks, events,
countries and regions that are neither in the same load nor already in the store.

Examples
--------
>>> from loaders.records import RawRow
>>> from loaders.records import Location
>>> rows = [RawRow("countries", {"iso3": "KAZ", "name": "Kazakhstan", "source_id": "s",
...                              "quote": "q"}, Location("countries.csv", line=2))]
>>> records, problems = validate_rows(rows, known={"sources": {"s"}})
>>> records["countries"][0]["iso3"], problems
('KAZ', [])
>>> bad = [RawRow("countries", {"iso3": "KZ", "name": "Kazakhstan", "source_id": "s",
...                             "quote": "q"}, Location("countries.csv", line=2))]
>>> _, problems = validate_rows(bad, known={"sources": {"s"}})
>>> print(problems[0])
countries.csv, line 2, column 'iso3', value 'KZ': not an ISO 3166-1 alpha-3 country code. Fix: use the three-letter code, e.g. KAZ for Kazakhstan
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from graph.schema import KINDS, LOAD_ORDER, YEAR_MAX, YEAR_MIN, Field, Kind
from loaders.records import (
    BadValue,
    Problem,
    RawRow,
    is_country_code,
    is_currency_code,
    parse_date,
    parse_number,
)

DATE_FORMS = "write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-04-24"

__all__ = ["validate_rows", "Records", "derive_link_id"]

#: Validated records: kind → list of dicts of typed values (plus ``_location``).
Records = dict

_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def derive_link_id(kind: Kind, values: dict) -> str:
    """Stable id for a relationship row that has none: its ends (and role).

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


def _convert(f: Field, text: str, *, published: bool = False):
    if published and f.type == "number":
        return _as_signed(f, text)
    return CONVERTERS[f.type](f, text)


def _as_signed(f: Field, text: str):
    """A number of a published standard file: ``xsd:decimal`` has no minimum (reversals,
    decommitments and budget revisions are negative)."""
    value = parse_number(text)
    return int(value) if value.is_integer() and "." not in text else value


def validate_rows(
    rows: Iterable[RawRow], *, known: dict[str, set] | None = None
) -> tuple[Records, list[Problem]]:
    """Check every row; return the typed records and every problem found.

    Parameters
    ----------
    rows : iterable of RawRow
        As read by :mod:`loaders.readers`.
    known : dict of kind → set of keys, optional
        Keys already in the target store; references to them are accepted.

    Returns
    -------
    records : dict of kind → list of dict
        Typed values by column, with the row's ``_location``. Only meaningful when
        ``problems`` is empty.
    problems : list of Problem
        Every problem, in file order.
    """
    known = known or {}
    records: Records = {k: [] for k in LOAD_ORDER}
    problems: list[Problem] = []
    first_seen: dict[tuple[str, str], object] = {}

    for row in rows:
        spec = KINDS[row.kind]
        out = {"_location": row.location}
        bad: set[str] = set()
        for f in spec.fields:
            text = row.values.get(f.name)
            if text is None:
                if f.required:
                    problems.append(
                        Problem(
                            row.location,
                            f.name,
                            None,
                            "a value is required",
                            f"fill in {f.doc or f.name}",
                        )
                    )
                out[f.name] = None
                continue
            try:
                out[f.name] = _convert(f, text, published=row.published)
            except BadValue as e:
                problems.append(Problem(row.location, f.name, text, e.message, e.hint))
                out[f.name] = None
                bad.add(f.name)
        problems.extend(_row_rules(spec, out, bad))
        if spec.rel_type and spec.key == "link_id" and not out.get("link_id"):
            out["link_id"] = derive_link_id(spec, out)
        key = out.get(spec.key)
        if key is not None:
            where = first_seen.get((row.kind, key))
            if where is not None and _same_reference_fact(spec, out, records[row.kind], key):
                continue
            if where is not None:
                problems.append(
                    Problem(
                        row.location,
                        spec.key,
                        key,
                        f"duplicate id (first at {where})",
                        "give each record its own id, or remove the repeated row",
                    )
                )
                continue
            first_seen[(row.kind, key)] = row.location
        records[row.kind].append(out)

    problems.extend(_reference_problems(records, known))
    return records, problems


#: Kinds that are reference facts: the same country or region named by two files is one fact.
_REFERENCE_KINDS = ("countries", "regions")


def _same_reference_fact(spec: Kind, rec: dict, earlier: list[dict], key) -> bool:
    """Whether ``rec`` repeats an earlier country or region row with the same values.

    Two standard files (say an IATI file and a 360Giving file) that both target Kenya each
    name the country; that is one fact, not a duplicate id. Provenance may differ; any other
    value that differs is still a duplicate to report.
    """
    if spec.name not in _REFERENCE_KINDS:
        return False
    first = next(r for r in earlier if r.get(spec.key) == key)
    same = ("source_id", "quote", "_location")
    return all(rec.get(c) == first.get(c) for c in spec.columns if c not in same)


def _row_rules(spec: Kind, rec: dict, bad: set[str]) -> list[Problem]:
    """Rules across columns; columns already reported as ``bad`` are not judged again."""
    loc = rec["_location"]
    out = []
    pairs = (("start_year", "end_year"), ("date", "end_date"))
    for a, b in pairs:
        if a in spec.columns and rec.get(a) is not None and rec.get(b) is not None:
            if str(rec[a]) > str(rec[b]) if isinstance(rec[a], str) else rec[a] > rec[b]:
                out.append(
                    Problem(
                        loc,
                        b,
                        rec[b],
                        f"{b} is before {a} ({rec[a]})",
                        f"make {a} ≤ {b}, or swap them",
                    )
                )
    if spec.name == "funding":
        if rec.get("amount") is not None and not rec.get("currency") and "currency" not in bad:
            out.append(
                Problem(loc, "currency", None, "an amount needs a currency", "fill in e.g. USD")
            )
        if rec.get("currency") == "USD" and rec.get("amount") is not None:
            if rec.get("amount_usd") is None:
                rec["amount_usd"] = rec["amount"]
            if rec.get("usd_rate") is None:
                rec["usd_rate"] = 1
        elif (
            rec.get("amount") is not None
            and rec.get("amount_usd") is None
            and rec.get("usd_rate") is not None
        ):
            rec["amount_usd"] = round(rec["amount"] * rec["usd_rate"], 2)
    if (
        spec.name == "projects"
        and rec.get("budget") is not None
        and not rec.get("currency")
        and "currency" not in bad
    ):
        out.append(Problem(loc, "currency", None, "a budget needs a currency", "fill in e.g. USD"))
    return out


def _reference_problems(records: Records, known: dict[str, set]) -> list[Problem]:
    keys = {
        k: {r[KINDS[k].key] for r in rows if r.get(KINDS[k].key)} for k, rows in records.items()
    }
    for k, extra in known.items():
        keys.setdefault(k, set()).update(extra)
    out = []
    for kind, rows in records.items():
        spec = KINDS[kind]
        for f in spec.fields:
            if f.type != "ref":
                continue
            targets = f.ref.split("|")
            for rec in rows:
                value = rec.get(f.name)
                if value is None:
                    continue
                if any(value in keys.get(t, ()) for t in targets):
                    continue
                if targets == ["countries"] and not is_country_code(str(value)):
                    out.append(
                        Problem(
                            rec["_location"],
                            f.name,
                            value,
                            "not an ISO 3166-1 alpha-3 country code",
                            "use the three-letter code, e.g. KAZ for Kazakhstan",
                        )
                    )
                    continue
                names = " or ".join(targets)
                pool = set().union(*(keys.get(t, set()) for t in targets))
                close = difflib.get_close_matches(str(value), sorted(pool), n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                out.append(
                    Problem(
                        rec["_location"],
                        f.name,
                        value,
                        f"refers to an unknown {names.replace('_', ' ')} id",
                        hint + f"add it to {targets[0]} first, or correct the id",
                    )
                )
    return out
