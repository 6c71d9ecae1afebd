"""Read 360Giving grants files (CSV with the standard column titles, and JSON) into records.

Each grant becomes (the same record kinds the CSV loaders give):

* a ``projects`` row — the grant: identifier, title, description, start and end year from
  ``Planned Dates``, budget = ``Amount Awarded`` in the grant's currency (and in USD when the
  rates table has the award year), status from the planned dates on the day of loading;
* ``organizations`` for the funder(s) and recipient(s): id = the organisation identifier
  (``name:<slug>`` when only a name is given), sector guessed from the identifier's
  registration agency (see :func:`org_sector`);
* a ``funding`` flow per funder (``flow_type`` grant, donor = funding organisation, recipient
  = recipient organisation), id ``<grant id>#f<k>``. With one funder the flow carries the
  amount. With several, **the amount is not split** — the standard gives one amount for the
  grant — so every flow has an empty amount, the quote says why, a
  :class:`~loaders.currency.Notice` reports it, and the total stays on the project budget;
* ``partnerships`` (funders → donor, recipients → implementer) and ``targets`` for every
  ``Beneficiary Location`` country code (ISO 3166-1 alpha-2 → alpha-3).

Dates are read in the forms real files use: ISO dates, ISO date-times
(``2024-03-01T00:00:00+00:00``) and ``DD/MM/YYYY``. Descriptions may span lines inside quotes.
The CSV form streams from disk; the JSON form is parsed whole (the standard library has no
incremental JSON parser).

Examples
--------
>>> csv_text = (
...     "Identifier,Title,Description,Currency,Amount Awarded,Award Date,"
...     "Recipient Org:Identifier,Recipient Org:Name,Funding Org:Identifier,Funding Org:Name,"
...     "Beneficiary Location:Country Code\\n"
...     '360G-ex-1,Reading club,"Weekly sessions,\\nall year",GBP,12000,14/02/2019,'
...     "GB-CHC-1111111,Readers Trust,GB-CHC-2222222,Example Foundation,GB\\n")
>>> import io
>>> items = list(read_360_csv(io.BytesIO(csv_text.encode()), name="grants.csv"))
>>> [i.kind for i in items]  # doctest: +NORMALIZE_WHITESPACE
['sources', 'projects', 'partnerships', 'partnerships', 'targets', 'funding',
 'organizations', 'organizations', 'countries']
>>> flow = items[5].values
>>> flow["flow_id"], flow["donor_id"], flow["recipient_id"], flow["amount"], flow["date"]
('360G-ex-1#f1', 'GB-CHC-2222222', 'GB-CHC-1111111', '12000', '2019-02-14')
>>> items[1].values["description"]
'Weekly sessions,\\nall year'
>>> [(o.values["org_id"], o.values["sector"]) for o in items[6:8]]
[('GB-CHC-2222222', 'foundation'), ('GB-CHC-1111111', 'ngo')]
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

from loaders.currency import NOTICES_KEY, Notice, RateTable, missing_rate_hint, missing_rate_message
from loaders.records import (
    DATE_HINT,
    Location,
    Problem,
    RawRow,
    is_currency_code,
    is_number,
    number_text,
    parse_date,
)
from loaders.standards.common import Registry, country_from_alpha2, slug
from loaders.tabular import csv_records

__all__ = [
    "is_360_csv",
    "read_360_csv",
    "read_360_json",
    "org_sector",
    "TOP_FIELDS",
    "GROUPS",
]

#: CSV column title → JSON field of a grant.
TOP_FIELDS = {
    "Identifier": "id",
    "Title": "title",
    "Description": "description",
    "Currency": "currency",
    "Amount Awarded": "amountAwarded",
    "Award Date": "awardDate",
}

#: CSV title prefix → (JSON array field, {sub-title: JSON field}).
GROUPS = {
    "Planned Dates": (
        "plannedDates",
        {"Start Date": "startDate", "End Date": "endDate", "Duration (months)": "duration"},
    ),
    "Recipient Org": (
        "recipientOrganization",
        {
            "Identifier": "id",
            "Name": "name",
            "Charity Number": "charityNumber",
            "Company Number": "companyNumber",
            "Organisation Type": "organisationType",
        },
    ),
    "Funding Org": (
        "fundingOrganization",
        {"Identifier": "id", "Name": "name", "Organisation Type": "organisationType"},
    ),
    "Beneficiary Location": (
        "beneficiaryLocation",
        {"Name": "name", "Country Code": "countryCode"},
    ),
}

#: Columns a 360Giving CSV must have (the standard's required fields that the explorer uses).
REQUIRED_COLUMNS = ("Identifier", "Title", "Currency", "Amount Awarded", "Award Date")


#: Registration agency prefix → (sector, org_type); charities are foundations as funders.
_PREFIX_SECTORS = {
    "GB-CHC": "charity",
    "GB-SC": "charity",
    "GB-NIC": "charity",
    "GB-COH": ("private_company", "company"),
    "GB-GOR": ("government", "government_agency"),
    "GB-GOV": ("government", "government_agency"),
    "GB-LAE": ("government", "government_agency"),
    "GB-LAS": ("government", "government_agency"),
    "GB-LANI": ("government", "government_agency"),
    "GB-PLA": ("government", "government_agency"),
    "GB-NHS": ("government", "government_agency"),
    "GB-UKPRN": ("university", "university"),
    "GB-EDU": ("other", "school"),
    "XM-DAC": ("un_system", "intergovernmental"),
    "360G": ("other", "other"),
}


def org_sector(
    org_id: str, *, funder: bool, organisation_type: str | None = None
) -> tuple[str, str, bool]:
    """Guess ``(sector, org_type, known)`` of a 360Giving organisation.

    ``Organisation Type`` wins when given (Registered Charity, Registered Company, Community
    Group); otherwise the identifier's registration agency: a registered charity
    (``GB-CHC``, ``GB-SC``, ``GB-NIC``) is a *foundation* when it funds and an *NGO* when it
    receives; ``GB-COH`` a company; ``GB-GOR``, ``GB-LAE``… government; ``GB-UKPRN`` a
    university; ``GB-EDU`` a school; ``360G-…`` (a funder's own id, often a community
    group) and anything else *other*. ``known`` is False for the fall-back.

    Examples
    --------
    >>> org_sector("GB-CHC-1000147", funder=True), org_sector("GB-CHC-1000147", funder=False)
    (('foundation', 'foundation', True), ('ngo', 'ngo', True))
    >>> org_sector("GB-COH-09876543", funder=False)[:2], org_sector("360G-xyz-1", funder=False)[:2]
    (('private_company', 'company'), ('other', 'other'))
    """
    t = (organisation_type or "").strip().lower()
    if "charity" in t:
        return ("foundation", "foundation", True) if funder else ("ngo", "ngo", True)
    if "company" in t:
        return "private_company", "company", True
    if "community" in t:
        return "ngo", "association", True
    for prefix, hit in sorted(_PREFIX_SECTORS.items(), key=lambda kv: -len(kv[0])):
        if org_id.upper().startswith(prefix + "-"):
            if hit == "charity":
                return ("foundation", "foundation", True) if funder else ("ngo", "ngo", True)
            return (*hit, True)
    return "other", "other", False


# -- detection -----------------------------------------------------------------------------


def is_360_csv(source) -> bool:
    """Whether a CSV file (path) or content (bytes) has a 360Giving header.

    Only the head of a file is read.

    >>> is_360_csv(b"Identifier,Title,Amount Awarded\\n1,x,5\\n"), is_360_csv(b"org_id,name\\n")
    (True, False)
    """
    if isinstance(source, bytes | bytearray):
        head = bytes(source[: 1 << 16])
    else:
        try:
            with Path(source).open("rb") as f:
                head = f.read(1 << 16)
        except OSError:
            return False
    text = head.decode("utf-8-sig", errors="replace")
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return False
    cols = {c.strip() for c in first}
    return "Identifier" in cols and "Amount Awarded" in cols


# -- CSV -------------------------------------------------------------------------------------


def _header_map(header: list[str]) -> dict[int, tuple]:
    """Column index → ``("top", field)`` or ``(group, index, field)``; unknown columns left
    out (360Giving files may carry more columns than the explorer reads)."""
    out: dict[int, tuple] = {}
    for i, title in enumerate(header):
        if title in TOP_FIELDS:
            out[i] = ("top", TOP_FIELDS[title])
            continue
        parts = title.split(":")
        if len(parts) == 2:
            group, idx, sub = parts[0], 0, parts[1]
        elif len(parts) == 3 and parts[1].isdigit():
            group, idx, sub = parts[0], int(parts[1]), parts[2]
        else:
            continue
        if group in GROUPS and sub in GROUPS[group][1]:
            array, fields = GROUPS[group]
            out[i] = (array, idx, fields[sub])
    return out


def read_360_csv(
    source, *, name: str, rates: RateTable | None = None
) -> Iterator[RawRow | Problem]:
    """Stream a 360Giving CSV file; yield raw rows and problems.

    Parameters
    ----------
    source : str, Path or binary file object
    name : str
        File name for messages and the source id ``360giving:<name>``.
    rates : RateTable, optional
        Exchange rates to USD; the bundled table by default.
    """
    if isinstance(source, str | Path):
        try:
            raw = Path(source).open("rb")  # noqa: SIM115 - closed below, streamed meanwhile
        except OSError as e:
            yield Problem(Location(name), None, None, f"cannot read file: {e.strerror}")
            return
    else:
        raw = source
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    g = _Grants(name, rates or RateTable.bundled())
    try:
        reader = csv.reader(text)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            yield Problem(Location(name), None, None, "the file is empty", "add a header row")
            return
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        for c in missing:
            yield Problem(
                Location(name, line=1),
                c,
                None,
                f"required column '{c}' is missing",
                "use the 360Giving column titles, e.g. Identifier, Title, Currency, "
                "Amount Awarded, Award Date",
            )
        if not any(h.startswith("Funding Org:") for h in header):
            yield _missing_group(name, "Funding Org")
            missing.append("Funding Org")
        if not any(h.startswith("Recipient Org:") for h in header):
            yield _missing_group(name, "Recipient Org")
            missing.append("Recipient Org")
        if missing:
            return
        columns = _header_map(header)
        titles = {v: header[i] for i, v in columns.items()}
        yield g.source_row("360Giving grants file (CSV)")
        for item in csv_records(reader, name):
            if isinstance(item, Problem):
                yield item
                return
            line, cells = item
            grant: dict = {}
            for i, target in columns.items():
                value = cells[i].strip() if i < len(cells) else ""
                if not value:
                    continue
                if target[0] == "top":
                    grant[target[1]] = value
                else:
                    array, idx, fld = target
                    items = grant.setdefault(array, [])
                    while len(items) <= idx:
                        items.append({})
                    items[idx][fld] = value
            for array in ("plannedDates", "recipientOrganization", "fundingOrganization"):
                if array in grant:
                    grant[array] = [x for x in grant[array] if x]

            def column(path, titles=titles):
                return _csv_title(path, titles)

            loc = Location(name, line=line, item=grant.get("id"))
            yield from g.grant(grant, loc, column)
    except UnicodeDecodeError as e:
        yield Problem(
            Location(name),
            None,
            None,
            f"the file is not UTF-8 text (byte 0x{e.object[e.start]:02x})",
            'save it as UTF-8 (in Excel: "CSV UTF-8")',
        )
        return
    finally:
        text.detach()
        if raw is not source:
            raw.close()
    yield from g.finish()


def _missing_group(name, group) -> Problem:
    return Problem(
        Location(name, line=1),
        f"{group}:Identifier",
        None,
        f"required column '{group}:Identifier' is missing",
        f"add '{group}:Identifier' and '{group}:Name' columns",
    )


def _csv_title(path: tuple, titles: dict) -> str:
    """The CSV column title of a field path such as ``("fundingOrganization", 1, "id")``."""
    if len(path) == 1:
        hit = titles.get(("top", path[0]))
        if hit:
            return hit
        return next(t for t, f in TOP_FIELDS.items() if f == path[0])
    array, idx, fld = path
    hit = titles.get((array, idx, fld))
    if hit:
        return hit
    group, fields = next((g, v[1]) for g, v in GROUPS.items() if v[0] == array)
    sub = next(t for t, f in fields.items() if f == fld)
    return f"{group}:{sub}" if idx == 0 else f"{group}:{idx}:{sub}"


# -- JSON ------------------------------------------------------------------------------------


def read_360_json(
    doc: dict, *, name: str, rates: RateTable | None = None
) -> Iterator[RawRow | Problem]:
    """Rows and problems of a parsed 360Giving JSON document (``{"grants": [...]}``).

    Parameters
    ----------
    doc : dict
        The parsed document.
    name : str
        File name for messages and the source id.
    rates : RateTable, optional
        Exchange rates to USD; the bundled table by default.

    Examples
    --------
    >>> doc = {"grants": [{"id": "360G-ex-2", "title": "Bridges", "currency": "EUR",
    ...     "amountAwarded": 90000, "awardDate": "2021-06-30T00:00:00+00:00",
    ...     "recipientOrganization": [{"id": "GB-COH-01234567", "name": "Bridges Ltd"}],
    ...     "fundingOrganization": [{"id": "GB-CHC-1", "name": "A Trust"},
    ...                             {"id": "GB-CHC-2", "name": "B Trust"}]}]}
    >>> items = list(read_360_json(doc, name="g.json"))
    >>> flows = [i.values for i in items if i.kind == "funding"]
    >>> [(f["flow_id"], f["donor_id"], f.get("amount")) for f in flows]
    [('360G-ex-2#f1', 'GB-CHC-1', None), ('360G-ex-2#f2', 'GB-CHC-2', None)]
    >>> [i.values["budget"] for i in items if i.kind == "projects"]
    ['90000']
    """
    g = _Grants(name, rates or RateTable.bundled())
    grants = doc.get("grants")
    if not isinstance(grants, list):
        yield Problem(
            Location(name, item="grants"),
            "grants",
            None,
            "'grants' must be a list of grant objects",
            'use {"grants": [{...}, ...]}',
        )
        return
    yield g.source_row("360Giving grants file (JSON)")
    for i, grant in enumerate(grants):
        if not isinstance(grant, dict):
            yield Problem(
                Location(name, item=f"grants[{i}]"),
                None,
                str(grant)[:40],
                "a grant must be an object",
            )
            continue
        clean = {}
        for k, v in grant.items():
            if isinstance(v, list):
                clean[k] = [x for x in v if isinstance(x, dict)]
            elif v is not None and not isinstance(v, dict):
                clean[k] = v if isinstance(v, str) else _json_scalar(v)
        gid = clean.get("id")
        loc = Location(name, item=str(gid) if gid else f"grants[{i}]")
        yield from g.grant(clean, loc, _json_path)
    yield from g.finish()


def _json_scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _json_path(path: tuple) -> str:
    if len(path) == 1:
        return path[0]
    array, idx, fld = path
    return f"{array}[{idx}].{fld}"


# -- one grant -------------------------------------------------------------------------------


class _Grants:
    """State of one 360Giving file: organisations, countries, the source."""

    def __init__(self, name: str, rates: RateTable):
        self.name = name
        self.rates = rates
        self.source_id = f"360giving:{name}"
        self.registry = Registry(name, self.source_id)
        self.first_seen: dict[str, Location] = {}

    def source_row(self, kind: str) -> RawRow:
        return RawRow(
            "sources",
            {
                "source_id": self.source_id,
                "file": self.name,
                "title": f"360Giving grants file {self.name}",
                "kind": kind,
            },
            Location(self.name),
        )

    def finish(self) -> Iterator[RawRow]:
        yield from self.registry.rows()

    def grant(self, grant: dict, loc: Location, column) -> Iterator[RawRow | Problem]:
        problems: list[Problem] = []
        local = Registry(self.name, self.source_id)

        def problem(path, value, message, hint=""):
            problems.append(Problem(loc, column(path), value, message, hint))

        def text(path) -> str | None:
            v = grant.get(path[0]) if len(path) == 1 else None
            return str(v).strip() or None if v is not None else None

        gid = text(("id",))
        if gid is not None:
            first = self.first_seen.setdefault(gid, loc)
            if first is not loc:
                yield Problem(
                    loc,
                    column(("id",)),
                    gid,
                    "duplicate grant identifier ("
                    + (f"first at line {first.line})" if first.line else "it appears earlier)"),
                    "give each grant its own identifier, or remove the repeated one",
                )
                return
        for fld, hint in (
            ("id", "give each grant its identifier, e.g. 360G-yourprefix-1234"),
            ("title", "give the grant a title"),
        ):
            if not text((fld,)):
                problem((fld,), None, "a value is required", hint)
        title = text(("title",))

        cur = text(("currency",))
        if cur is None:
            problem(("currency",), None, "a value is required", "give the currency, e.g. GBP")
        elif not is_currency_code(cur):
            problem(("currency",), cur, "not an ISO 4217 currency code", "use e.g. GBP, EUR or USD")
            cur = None

        amount = text(("amountAwarded",))
        if amount is None:
            problem(("amountAwarded",), None, "a value is required", "give the amount, e.g. 5000")
        elif not is_number(amount, exponent=False):
            problem(
                ("amountAwarded",),
                amount,
                "not a number",
                "write digits only, without currency signs or thousands separators, e.g. 5000",
            )
            amount = None
        elif float(amount) < 0:
            problem(("amountAwarded",), amount, "negative amount", "amounts must be zero or more")
            amount = None

        award = None
        raw_award = text(("awardDate",))
        if raw_award is None:
            problem(("awardDate",), None, "a value is required", DATE_HINT)
        else:
            try:
                award = parse_date(raw_award)
            except ValueError as e:
                problem(("awardDate",), raw_award, str(e), DATE_HINT)

        start = end = None
        planned = (grant.get("plannedDates") or [{}])[0]
        for fld in ("startDate", "endDate"):
            raw = str(planned.get(fld) or "").strip()
            if raw:
                try:
                    d = parse_date(raw, partial=True)
                except ValueError as e:
                    problem(("plannedDates", 0, fld), raw, str(e), DATE_HINT)
                    continue
                if fld == "startDate":
                    start = d
                else:
                    end = d
        duration = str(planned.get("duration") or "").strip()
        if start and not end and duration:
            if re.fullmatch(r"\d+", duration) and len(start) >= 7:
                months = int(start[:4]) * 12 + int(start[5:7]) - 1 + int(duration)
                end = f"{months // 12:04d}-{months % 12 + 1:02d}"
            elif not re.fullmatch(r"\d+(\.\d+)?", duration):
                problem(
                    ("plannedDates", 0, "duration"),
                    duration,
                    "not a number of months",
                    "write a whole number, e.g. 12",
                )

        funders = self._orgs(grant, "fundingOrganization", True, loc, local, problem)
        recipients = self._orgs(grant, "recipientOrganization", False, loc, local, problem)

        countries = []
        for k, bl in enumerate(grant.get("beneficiaryLocation") or []):
            code = str(bl.get("countryCode") or "").strip()
            if not code:
                continue
            hit = country_from_alpha2(code)
            if hit is None:
                problem(
                    ("beneficiaryLocation", k, "countryCode"),
                    code,
                    "unknown ISO 3166-1 alpha-2 country code",
                    "use the two-letter code, e.g. GB for the United Kingdom",
                )
                continue
            q = f"grant {gid} / Beneficiary Location {code}" + (
                f" ({bl['name']})" if bl.get("name") else ""
            )
            local.country(hit[0], hit[1], quote=q, location=loc)
            if hit[0] not in [c for c, _ in countries]:
                countries.append((hit[0], q))

        if problems:
            yield from problems
            return
        self.registry.merge(local)
        yield from self._rows(grant, loc, gid, title, cur, amount, award, start, end)
        yield from self._links(loc, column, gid, funders, recipients, countries, cur, amount, award)

    def _orgs(self, grant, array, funder, loc, local, problem) -> list[tuple[str, str]]:
        out = []
        items = grant.get(array) or []
        label = "Funding Org" if funder else "Recipient Org"
        if not items:
            problem(
                (array, 0, "id"),
                None,
                "a value is required",
                f"give the {label.lower()}'s identifier and name",
            )
        gid = grant.get("id")
        for k, o in enumerate(items):
            oid = str(o.get("id") or "").strip()
            name = str(o.get("name") or "").strip()
            if not oid and not name:
                problem(
                    (array, k, "id"),
                    None,
                    "a value is required",
                    f"give the {label.lower()}'s identifier (and name)",
                )
                continue
            org_id = oid or f"name:{slug(name)}"
            sector, org_type, known = org_sector(
                org_id, funder=funder, organisation_type=o.get("organisationType")
            )
            quote = f"grant {gid} / {label} {org_id}" + (f" ({name})" if name else "")
            local.org(
                org_id,
                name or org_id,
                sector,
                org_type,
                typed=known,
                quote=quote,
                location=loc,
            )
            if org_id not in [x for x, _ in out]:
                out.append((org_id, quote))
        return out

    def _rows(self, grant, loc, gid, title, cur, amount, award, start, end) -> Iterator[RawRow]:
        quote = f"grant {gid} (Amount Awarded {amount} {cur}, Award Date {award}"
        if start or end:
            quote += f", planned {start or '?'} to {end or '?'}"
        quote += ")"
        values = {
            "project_id": gid,
            "title": title,
            "status": _status(start, end),
            "start_year": start[:4] if start else None,
            "end_year": end[:4] if end else None,
            "budget": amount,
            "currency": cur,
            "description": (str(grant.get("description") or "").strip() or None),
            "source_id": self.source_id,
            "quote": quote,
        }
        usd = self.rates.convert(float(amount), cur, award[:4])
        if usd is not None:
            values["budget_usd"] = number_text(usd)
        values[NOTICES_KEY] = ()
        yield RawRow("projects", values, loc)

    def _links(self, loc, column, gid, funders, recipients, countries, cur, amount, award):
        for parties, role in ((funders, "donor"), (recipients, "implementer")):
            for org_id, quote in parties:
                yield RawRow(
                    "partnerships",
                    {
                        "org_id": org_id,
                        "project_id": gid,
                        "role": role,
                        "source_id": self.source_id,
                        "quote": quote,
                    },
                    loc,
                )
        for iso3, quote in countries:
            yield RawRow(
                "targets",
                {"project_id": gid, "target_id": iso3, "source_id": self.source_id, "quote": quote},
                loc,
            )
        whole = len(funders) == 1 and len(recipients) == 1
        parties = f"{len(funders)} funder{'s' if len(funders) > 1 else ''}"
        if len(recipients) > 1:
            parties += f" and {len(recipients)} recipients"
        year = award[:4]
        rate = self.rates.rate(cur, year)
        for fi, (donor, _) in enumerate(funders, 1):
            for ri, (recipient, _) in enumerate(recipients, 1):
                flow_id = f"{gid}#f{fi}" + (f"-r{ri}" if len(recipients) > 1 else "")
                quote = f"grant {gid} (Amount Awarded {amount} {cur}, Award Date {award})"
                values = {
                    "flow_id": flow_id,
                    "donor_id": donor,
                    "recipient_id": recipient,
                    "project_id": gid,
                    "year": year,
                    "currency": cur,
                    "kind": "cash",
                    "channel": "extrabudgetary",
                    "flow_type": "grant",
                    "date": award,
                    "source_id": self.source_id,
                }
                notes = []
                if whole:
                    values["amount"] = amount
                    if cur != "USD" and rate is not None:
                        values["usd_rate"] = repr(rate)
                    elif cur != "USD":
                        notes.append(
                            Notice(
                                loc,
                                column(("currency",)),
                                f"{cur} {year}",
                                missing_rate_message(cur, year),
                                missing_rate_hint(cur, year),
                            )
                        )
                else:
                    quote += (
                        f"; {parties} share one amount, each flow's part is not stated, so its "
                        "amount is left empty (the total is the project budget)"
                    )
                    if fi == 1 and ri == 1:
                        notes.append(
                            Notice(
                                loc,
                                column(("amountAwarded",)),
                                f"{amount} {cur}",
                                f"grant with {parties}: one flow each, amount left empty "
                                "(the standard gives one amount for the grant; it is not "
                                "split); the total is kept as the project budget",
                            )
                        )
                values["quote"] = quote
                values[NOTICES_KEY] = tuple(notes)
                yield RawRow("funding", values, loc)


def _status(start: str | None, end: str | None, today: _dt.date | None = None) -> str:
    """Project status from planned dates on ``today``: ended → completed, not begun →
    planned, otherwise ongoing.

    >>> d = _dt.date(2024, 6, 1)
    >>> _status("2020-01-01", "2021-12-31", d), _status("2025", None, d), _status(None, None, d)
    ('completed', 'planned', 'ongoing')
    """
    now = (today or _dt.date.today()).isoformat()
    if end and end < now[: len(end)]:
        return "completed"
    if start and start > now[: len(start)]:
        return "planned"
    return "ongoing"
