"""One IATI activity: its project, participants and organisations (the element-by-element
parts are in :mod:`.parts`)."""

from __future__ import annotations

import datetime as _dt
import re
import xml.etree.ElementTree as ET

from graph.schema import YEAR_MAX, YEAR_MIN
from loaders.currency import NOTICES_KEY, Notice
from loaders.records import (
    DATE_HINT,
    Location,
    Problem,
    RawRow,
    is_currency_code,
    is_number,
    parse_date,
)
from loaders.standards.common import Registry, norm_name, slug
from loaders.standards.iati.codelists import (
    ACTIVITY_STATUS,
    DATE_TYPES,
    ORGANISATION_TYPES,
    ROLE_HINT,
    ROLES,
    STATUS_NAMES,
    by_name,
)
from loaders.standards.iati.elements import OrgMention, general_description, long_text_of, text_of
from loaders.standards.iati.parts import ActivityParts

PERCENT_TOLERANCE = 1.0


class Activity(ActivityParts):
    """Turn one ``iati-activity`` element into rows, or problems."""

    def __init__(self, file, act: ET.Element, lines: dict, n: int):
        self.f = file
        self.act = act
        self.lines = lines
        self.n = n
        self.problems: list[Problem] = []
        self.notes: list[Notice] = []
        self.rows: list[RawRow] = []
        self.mentions: list[OrgMention] = []
        self.pending: list[tuple[dict, str, Location]] = []
        self.registry = Registry(file.name, file.source_id)
        self.partners: set[tuple[str, str]] = set()
        ident = act.find("iati-identifier")
        self.aid = " ".join((ident.text or "").split()) if ident is not None else ""
        self.item = self.aid or f"iati-activity[{n}]"

    # -- small tools -----------------------------------------------------------------------
    def loc(self, el: ET.Element | None = None) -> Location:
        line = self.lines.get(el) if el is not None else None
        return Location(self.f.name, line=line or self.lines.get(self.act), item=self.item)

    def problem(self, el, column, value, message, hint="") -> None:
        self.problems.append(Problem(self.loc(el), column, value, message, hint))

    def lenient(self, el, column, value, message, hint="") -> None:
        """What the standard allows but the explorer's own records do not: a notice (the
        record loads as described in ``message``), or with ``strict`` a problem."""
        if self.f.strict:
            self.problem(el, column, value, message.split(":")[0], hint)
        else:
            self.notes.append(Notice(self.loc(el), column, value, message, hint))

    def missing(self, el, column, tag, hint) -> None:
        self.problem(el, column, None, f"missing required element <{tag}>", hint)

    def row(self, kind: str, values: dict, el=None) -> None:
        values.setdefault("source_id", self.f.source_id)
        self.rows.append(RawRow(kind, values, self.loc(el), published=True))

    def where(self, path: str = "") -> str:
        return f"iati-activity {self.item}" + (f" / {path}" if path else "")

    def date_of(self, el, column) -> str | None:
        """``@iso-date`` (or, in 1.0x, the element's text) as ``YYYY-MM-DD``."""
        raw = (el.get("iso-date") or el.text or "").strip()
        if not raw:
            self.problem(el, f"{column}/@iso-date", None, "missing date", DATE_HINT)
            return None
        try:
            day = parse_date(raw, partial=True)
        except ValueError as e:
            year = re.search(r"\b(19|20)\d{2}\b", raw)
            if year is None or self.f.strict:
                self.problem(el, f"{column}/@iso-date", raw, str(e), DATE_HINT)
                return None
            self.lenient(
                el,
                f"{column}/@iso-date",
                raw,
                f"not a date: read as the year {year[0]} (IATI 1.0x allows free text here)",
                DATE_HINT,
            )
            return year[0]
        if not YEAR_MIN <= int(day[:4]) <= YEAR_MAX:
            self.lenient(
                el,
                f"{column}/@iso-date",
                raw,
                f"a placeholder date (outside {YEAR_MIN}–{YEAR_MAX}): left out",
                DATE_HINT,
            )
            return None
        return day

    def amount_of(self, value_el, column) -> str | None:
        raw = (value_el.text or "").strip()
        if not raw:
            self.problem(value_el, column, None, "missing value", "write the amount, e.g. 50000")
            return None
        if not is_number(raw, exponent=False):
            self.problem(
                value_el, column, raw, "not a number", "write digits only, e.g. 50000 or 1234.56"
            )
            return None
        if float(raw) < 0:
            self.lenient(
                value_el,
                column,
                raw,
                "negative value: loaded as given (a reversal, decommitment or revision, which "
                "the standard allows); the analyses net it within its flow type",
                "amounts must be zero or more under --strict",
            )
        return raw

    def currency_of(self, value_el, column) -> str | None:

        cur = (value_el.get("currency") or "").strip()
        if cur:
            if not is_currency_code(cur):
                self.problem(
                    value_el,
                    f"{column}/@currency",
                    cur,
                    "not an ISO 4217 currency code",
                    "use a code such as USD, EUR or GBP",
                )
                return None
            return cur
        if self.default_currency:
            return self.default_currency
        if not self.bad_default_currency:
            self.problem(
                value_el,
                f"{column}/@currency",
                None,
                "no currency: the value has no @currency and the activity no @default-currency",
                'add currency="USD" (or the right code) to the value, or default-currency to '
                "the activity",
            )
        return None

    # -- organisations ---------------------------------------------------------------------
    def mention(self, el, column) -> OrgMention | None:
        """An organisation element as a mention (resolved to an id later), checking its type."""
        if el is None:
            return None
        ref = (el.get("ref") or "").strip() or None
        name = text_of(el) or None
        typ = (el.get("type") or "").strip() or None
        if typ is not None and typ not in ORGANISATION_TYPES:
            self.lenient(
                el,
                f"{column}/@type",
                typ,
                "unknown OrganisationType code: the organisation's sector is left as 'other'",
                "use one of: " + ", ".join(f"{k} {v[0]}" for k, v in ORGANISATION_TYPES.items()),
            )
            typ = None
        if ref is None and name is None:
            return None
        m = OrgMention(ref, name, typ, el, column)
        self.mentions.append(m)
        return m

    def resolve_orgs(self) -> None:
        """Give every mention an id: ``@ref``; else the ref of the same name met in this
        activity or earlier in the file; else ``name:<slug>``."""
        local = {norm_name(m.name): m.ref for m in self.mentions if m.ref and m.name}
        for m in self.mentions:
            if m.ref:
                m.org_id = m.ref
            else:
                key = norm_name(m.name)
                m.org_id = local.get(key) or self.f.refs_by_name.get(key) or f"name:{slug(m.name)}"

    def register(self, m: OrgMention, quote: str) -> None:
        if m.type:
            _, sector, org_type = ORGANISATION_TYPES[m.type]
        else:
            sector, org_type = "other", "other"
        self.registry.org(
            m.org_id,
            m.name or m.ref,
            sector,
            org_type,
            typed=m.type is not None,
            quote=quote,
            location=self.loc(m.element),
        )

    # -- the activity ----------------------------------------------------------------------
    def read(self) -> None:
        act = self.act
        if not self.aid:
            self.missing(
                act,
                "iati-identifier",
                "iati-identifier",
                "add <iati-identifier> with the activity's identifier (the reporting "
                "organisation's ref, a hyphen, its own id)",
            )
        self.default_currency = (act.get("default-currency") or "").strip() or None
        self.bad_default_currency = False
        if self.default_currency:
            if not is_currency_code(self.default_currency):
                self.problem(
                    act,
                    "@default-currency",
                    self.default_currency,
                    "not an ISO 4217 currency code",
                    "use a code such as USD, EUR or GBP",
                )
                self.default_currency = None
                self.bad_default_currency = True

        rep_el = act.find("reporting-org")
        self.reporting = self.mention(rep_el, "reporting-org")
        if self.reporting is None:
            self.missing(
                rep_el if rep_el is not None else act,
                "reporting-org",
                "reporting-org",
                'add <reporting-org ref="…" type="…"> with the publisher\'s identifier',
            )
        participants = self._participants()
        transactions = [(k, tx) for k, tx in enumerate(act.findall("transaction"), 1)]
        tx_mentions = {
            k: (
                self.mention(tx.find("provider-org"), f"transaction[{k}]/provider-org"),
                self.mention(tx.find("receiver-org"), f"transaction[{k}]/receiver-org"),
            )
            for k, tx in transactions
        }
        self.resolve_orgs()

        project = self._project()
        for role, m, k in participants:
            self._partnership(role, m, k)
        self._places()
        for k, tx in transactions:
            self._transaction(k, tx, *tx_mentions[k], participants)
        if self.reporting is not None:
            self.register(self.reporting, self.where(f"reporting-org ({self.reporting.org_id})"))
        if project is not None:
            attached = tuple(project.values.get(NOTICES_KEY) or ())
            project.values[NOTICES_KEY] = attached + tuple(self.notes)
            self.rows.insert(0, project)

    def _participants(self) -> list[tuple[str, OrgMention, int]]:
        out = []
        for k, po in enumerate(self.act.findall("participating-org"), 1):
            col = f"participating-org[{k}]"
            raw = (po.get("role") or "").strip()
            role = raw if raw in ROLES else by_name(raw, ROLES)
            if not raw:
                self.problem(po, f"{col}/@role", None, "missing @role", ROLE_HINT)
            elif role is None:
                self.problem(po, f"{col}/@role", raw, "unknown OrganisationRole code", ROLE_HINT)
            m = self.mention(po, col)
            if m is None:
                self.problem(
                    po,
                    col,
                    None,
                    "participating-org has neither @ref nor a name",
                    "give @ref (the organisation identifier) or a <narrative> with its name",
                )
            elif role is not None:
                out.append((role, m, k))
        return out

    def _status_code(self) -> str | None:
        """The ActivityStatus code; ``""`` when the element is missing (taken from the dates
        later), None when it is unknown."""
        act = self.act
        status_el = act.find("activity-status")
        status_code = None
        if status_el is None:
            self.lenient(
                act,
                "activity-status",
                None,
                "missing required element <activity-status>: the status is taken from the "
                "activity's dates (ended → closed, else implementation)",
                'add <activity-status code="2"/> (1 pipeline, 2 implementation, 3 finalisation, '
                "4 closed, 5 cancelled, 6 suspended)",
            )
            status_code = "" if not self.f.strict else None
        else:
            raw = (status_el.get("code") or "").strip()
            status_code = raw if raw in ACTIVITY_STATUS else None
            if not raw:
                status_code = STATUS_NAMES.get((status_el.text or "").strip().lower())
            if status_code is None:
                self.problem(
                    status_el,
                    "activity-status/@code",
                    raw or (status_el.text or "").strip() or None,
                    "unknown ActivityStatus code",
                    "use one of: " + ", ".join(f"{k} {v[0]}" for k, v in ACTIVITY_STATUS.items()),
                )
        return status_code

    def _project(self) -> RawRow | None:
        act = self.act
        title_el = act.find("title")
        title = text_of(title_el)
        if not title:
            self.missing(
                title_el if title_el is not None else act,
                "title",
                "title",
                "add <title><narrative>…</narrative></title>",
            )
        status_code = self._status_code()
        dates: dict[str, str] = {}
        for k, ad in enumerate(act.findall("activity-date"), 1):
            col = f"activity-date[{k}]"
            raw = (ad.get("type") or "").strip()
            code = raw if raw in DATE_TYPES else by_name(raw, DATE_TYPES)
            if code is None:
                self.problem(
                    ad,
                    f"{col}/@type",
                    raw or None,
                    "unknown ActivityDateType code" if raw else "missing @type",
                    "use 1 start-planned, 2 start-actual, 3 end-planned or 4 end-actual",
                )
                continue
            d = self.date_of(ad, col)
            if d:
                dates.setdefault(code, d)
        start = dates.get("2") or dates.get("1")
        end = dates.get("4") or dates.get("3")
        if start and end and end < start:
            self.lenient(
                act,
                "activity-date",
                f"{start} to {end}",
                "the activity ends before it starts: the end date is left out",
                "check the activity-date elements",
            )
            end = None
        if status_code == "":
            status_code = "4" if end and end < _dt.date.today().isoformat() else "2"
        budget = self._budget()
        description = long_text_of(general_description(act))
        sectors = self._sectors()
        if sectors:
            description = (description + "\n\n" if description else "") + sectors
        if not (self.aid and title and status_code):
            return None
        status_name, status = ACTIVITY_STATUS[status_code]
        quote = self.where() + f" (activity-status {status_code} {status_name}"
        if start or end:
            quote += f", {start or '?'} to {end or '?'}"
        quote += ")"
        values = {
            "project_id": self.aid,
            "title": title,
            "status": status,
            "start_year": start[:4] if start else None,
            "end_year": end[:4] if end else None,
            "description": description or None,
            "themes": self._themes(),
            "quote": quote,
            "source_id": self.f.source_id,
            **budget,
        }
        return RawRow("projects", values, self.loc(self.act), published=True)
