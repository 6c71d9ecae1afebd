"""One 360Giving grant into records: the project, the funders' and recipients' organisations,
their partnerships, the beneficiary countries and one funding flow per funder; and the sector
an organisation identifier's registration agency implies."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator

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

PREFIX_SECTORS = {
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
    for prefix, hit in sorted(PREFIX_SECTORS.items(), key=lambda kv: -len(kv[0])):
        if org_id.upper().startswith(prefix + "-"):
            if hit == "charity":
                return ("foundation", "foundation", True) if funder else ("ngo", "ngo", True)
            return (*hit, True)
    return "other", "other", False


# -- detection -----------------------------------------------------------------------------


class Grants:
    """State of one 360Giving file: organisations, countries, the source."""

    def __init__(self, name: str, rates: RateTable, *, strict: bool = False):
        self.name = name
        self.rates = rates
        self.strict = strict
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
            published=True,
        )

    def finish(self) -> Iterator[RawRow]:
        yield from self.registry.rows()

    def grant(self, grant: dict, loc: Location, column) -> Iterator[RawRow | Problem]:
        """Rows of one grant, or every problem it has (then no row)."""
        problems: list[Problem] = []
        local = Registry(self.name, self.source_id)

        def problem(path, value, message, hint=""):
            problems.append(Problem(loc, column(path), value, message, hint))

        def text(path) -> str | None:
            v = grant.get(path[0]) if len(path) == 1 else None
            return str(v).strip() or None if v is not None else None

        gid = text(("id",))
        repeated = self._repeated(gid, loc, column)
        if repeated is not None:
            yield repeated
            return
        for fld, hint in (
            ("id", "give each grant its identifier, e.g. 360G-yourprefix-1234"),
            ("title", "give the grant a title"),
        ):
            if not text((fld,)):
                problem((fld,), None, "a value is required", hint)
        title = text(("title",))
        cur, amount = _currency_and_amount(text, problem)
        award = _award_date(text, problem)
        start, end = _planned_dates(grant, problem)
        notes, end = self._allowed(amount, start, end, loc, column, problem)
        funders = self._orgs(grant, "fundingOrganization", True, loc, local, problem)
        if not grant.get("recipientOrganization") and grant.get("recipientIndividual"):
            recipients = self._individuals(funders, gid, loc, local, problem, notes, column)
        else:
            recipients = self._orgs(grant, "recipientOrganization", False, loc, local, problem)
        countries = _countries(grant, gid, loc, local, problem)
        if problems:
            yield from problems
            return
        self.registry.merge(local)
        rows = list(self._rows(grant, loc, gid, title, cur, amount, award, start, end))
        if notes:
            rows[0].values[NOTICES_KEY] = tuple(rows[0].values.get(NOTICES_KEY) or ()) + tuple(
                notes
            )
        yield from rows
        yield from self._links(loc, column, gid, funders, recipients, countries, cur, amount, award)

    def _allowed(self, amount, start, end, loc, column, problem):
        """What 360Giving allows but the explorer's records do not: a negative amount and a
        planned end before the start. Notices (and the end left out), or with ``strict``
        problems."""
        notes: list[Notice] = []
        if amount is not None and float(amount) < 0:
            if self.strict:
                problem(
                    ("amountAwarded",), amount, "negative amount", "amounts must be zero or more"
                )
            else:
                notes.append(
                    Notice(
                        loc,
                        column(("amountAwarded",)),
                        amount,
                        "negative amount: loaded as given (a reduction or return of a grant, "
                        "which the standard allows); the analyses net it",
                    )
                )
        if start and end and end < start:
            if self.strict:
                problem(("plannedDates", 0, "endDate"), end, "the planned end is before the start")
            else:
                notes.append(
                    Notice(
                        loc,
                        column(("plannedDates", 0, "endDate")),
                        f"{start} to {end}",
                        "the planned end is before the start: the end is left out",
                    )
                )
            end = None
        return notes, end

    def _individuals(self, funders, gid, loc, local, problem, notes, column):
        """A grant to a person: one anonymous "individual recipients" organisation per funder
        stands for them; the person's identifier and name are never kept."""
        if self.strict:
            problem(
                ("recipientOrganization", 0, "id"),
                None,
                "a grant to an individual (recipientIndividual), not an organisation",
                "give the recipient organisation, or load without --strict",
            )
            return []
        if not funders:
            return []
        funder = funders[0][0]
        org_id = f"individuals:{funder}"
        quote = f"grant {gid} / Recipient Ind (a grant to an individual; no personal data kept)"
        local.org(
            org_id,
            f"Individual recipients of {funder}",
            "other",
            "other",
            typed=True,
            quote=quote,
            location=loc,
        )
        notes.append(
            Notice(
                loc,
                column(("recipientIndividual", 0, "id")),
                None,
                f"a grant to an individual: the recipient is recorded as '{org_id}', one "
                "anonymous node for the funder's grants to individuals (no personal data kept)",
            )
        )
        return [(org_id, quote)]

    def _repeated(self, gid, loc: Location, column) -> Problem | None:
        """A problem when the grant's identifier was seen before in this file."""
        if gid is None:
            return None
        first = self.first_seen.setdefault(gid, loc)
        if first is loc:
            return None
        return Problem(
            loc,
            column(("id",)),
            gid,
            "duplicate grant identifier ("
            + (f"first at line {first.line})" if first.line else "it appears earlier)"),
            "give each grant its own identifier, or remove the repeated one",
        )

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
            "status": grant_status(start, end),
            "start_year": start[:4] if start else None,
            "end_year": end[:4] if end else None,
            "budget": amount,
            "currency": cur,
            "description": (str(grant.get("description") or "").strip() or None),
            "themes": grant_themes(grant),
            "source_id": self.source_id,
            "quote": quote,
        }
        rate = self.rates.quote(cur, award)
        if rate is not None:
            values["budget_usd"] = number_text(round(float(amount) * rate.usd_per_unit, 2))
            values["budget_rate_source"] = rate.source
        values[NOTICES_KEY] = ()
        yield RawRow("projects", values, loc, published=True)

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
                    published=True,
                )
        for iso3, quote in countries:
            yield RawRow(
                "targets",
                {"project_id": gid, "target_id": iso3, "source_id": self.source_id, "quote": quote},
                loc,
                published=True,
            )
        whole = len(funders) == 1 and len(recipients) == 1
        parties = f"{len(funders)} funder{'s' if len(funders) > 1 else ''}"
        if len(recipients) > 1:
            parties += f" and {len(recipients)} recipients"
        year = award[:4]
        rate = self.rates.quote(cur, award)
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
                        values["usd_rate"] = repr(rate.usd_per_unit)
                        values["rate_source"] = rate.source
                    elif cur != "USD":
                        notes.append(
                            Notice(
                                loc,
                                column(("currency",)),
                                f"{cur} {award}",
                                missing_rate_message(cur, award),
                                missing_rate_hint(cur, award),
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
                yield RawRow("funding", values, loc, published=True)


def grant_themes(grant: dict) -> str | None:
    """The grant's classifications as ``vocabulary:code`` (the title where no code is
    given) joined by "; "; ``360`` stands for a classification that names no vocabulary.

    >>> grant_themes({"classifications": [{"vocabulary": "TSG", "code": "EDU",
    ...                                    "title": "Education"}, {"title": "Youth"}]})
    'tsg:EDU; 360:Youth'
    >>> grant_themes({}) is None
    True
    """
    found = []
    items = grant.get("classifications")
    for c in items if isinstance(items, list) else []:
        if not isinstance(c, dict):
            continue
        what = str(c.get("code") or c.get("title") or "").strip()
        if what:
            vocab = str(c.get("vocabulary") or "360").strip().lower() or "360"
            found.append(f"{vocab}:{what}")
    return "; ".join(dict.fromkeys(found)) or None


def grant_status(start: str | None, end: str | None, today: _dt.date | None = None) -> str:
    """Project status from planned dates on ``today``: ended → completed, not begun →
    planned, otherwise ongoing.

    >>> d = _dt.date(2024, 6, 1)
    >>> grant_status("2020-01-01", "2021-12-31", d), grant_status("2025", None, d), grant_status(None, None, d)
    ('completed', 'planned', 'ongoing')
    """
    now = (today or _dt.date.today()).isoformat()
    if end and end < now[: len(end)]:
        return "completed"
    if start and start > now[: len(start)]:
        return "planned"
    return "ongoing"


def _currency_and_amount(text, problem) -> tuple[str | None, str | None]:
    """The grant's currency and amount awarded (None where a problem was reported)."""
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
    return cur, amount


def _award_date(text, problem) -> str | None:
    raw = text(("awardDate",))
    if raw is None:
        problem(("awardDate",), None, "a value is required", DATE_HINT)
        return None
    try:
        return parse_date(raw)
    except ValueError as e:
        problem(("awardDate",), raw, str(e), DATE_HINT)
        return None


def _planned_dates(grant: dict, problem) -> tuple[str | None, str | None]:
    """Planned start and end; an end from the start and a duration in months when only
    those are given."""
    dates: dict[str, str | None] = {"startDate": None, "endDate": None}
    planned = (grant.get("plannedDates") or [{}])[0]
    for fld in dates:
        raw = str(planned.get(fld) or "").strip()
        if raw:
            try:
                dates[fld] = parse_date(raw, partial=True)
            except ValueError as e:
                problem(("plannedDates", 0, fld), raw, str(e), DATE_HINT)
    start, end = dates["startDate"], dates["endDate"]
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
    return start, end


def _countries(grant: dict, gid, loc: Location, local: Registry, problem) -> list[tuple[str, str]]:
    """``(iso3, quote)`` of each beneficiary country, registered in ``local``."""
    countries: list[tuple[str, str]] = []
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
    return countries
