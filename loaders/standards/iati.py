"""Read IATI activity files (standard 2.0x, and 1.0x) into the explorer's record kinds.

The file is streamed: the XML parser is fed 64 KiB at a time, each ``iati-activity`` is built
as a small element tree, turned into rows, then dropped — a 100 MB file never sits in memory.
What is read, and what it becomes (the same record kinds the CSV loaders give, so the rows go
through the same validation, batch and stores):

=========================================  =============================================
IATI                                       record
=========================================  =============================================
the file                                   ``sources`` ``iati:<file name>``
``reporting-org``, ``participating-org``,  ``organizations``: ``@ref`` or ``name:<slug>``;
``provider-org``, ``receiver-org``         sector and type from ``@type``
``iati-activity``                          ``projects``: identifier, title, status, years,
                                           budget, description (+ sectors)
``participating-org/@role``                ``partnerships``: 1 → donor, 2 → lead,
                                           3 → coordinator, 4 → implementer
``recipient-country``                      ``targets`` to a ``countries`` row (alpha-2 →
                                           alpha-3), share = ``@percentage``
``recipient-region``                       ``targets`` to a ``regions`` row: ``dac:<code>``,
                                           ``m49:<code>`` or ``iati:<org>:<code>``
``transaction``                            ``funding``: one flow ``<activity>#t<n>``
=========================================  =============================================

Every choice (defaults for a missing provider or receiver, status and role mappings, budgets)
is written out in ``docs/standards.md``; the code tables below are the single source.

Each row carries its provenance: ``source_id`` (the file) and ``quote``, a short literal
description of the element the fact came from, e.g.
``iati-activity XM-DAC-41304-123 / transaction[2] (type 2, value 50000 USD, 2024-03-01)``.

Bad input is reported as :class:`~loaders.records.Problem` items naming the file, the line,
the activity identifier (``Location.item``), the element and the value — every one, in one
pass; a file with any problem loads nothing. A DOCTYPE is refused outright (IATI files never
have one, and it is how entity-expansion attacks start).

Examples
--------
>>> xml = b'''<iati-activities version="2.03">
...  <iati-activity default-currency="EUR">
...   <iati-identifier>XM-EX-1</iati-identifier>
...   <reporting-org ref="XM-EX" type="40"><narrative>Example Agency</narrative></reporting-org>
...   <title><narrative>Schools online</narrative></title>
...   <participating-org role="1" ref="GB-GOV-1" type="10"><narrative>UK</narrative></participating-org>
...   <activity-status code="2"/>
...   <recipient-country code="KZ"/>
...   <transaction><transaction-type code="1"/><transaction-date iso-date="2024-03-01"/>
...    <value>50000</value></transaction>
...  </iati-activity></iati-activities>'''
>>> import io
>>> items = list(read_iati(io.BytesIO(xml), name="ex.xml"))
>>> [i.kind for i in items]  # doctest: +NORMALIZE_WHITESPACE
['sources', 'projects', 'partnerships', 'targets', 'funding', 'organizations',
 'organizations', 'countries', 'countries']
>>> flow = items[4].values
>>> flow["donor_id"], flow["recipient_id"], flow["flow_type"], flow["amount"], flow["currency"]
('GB-GOV-1', 'XM-EX', 'incoming_funds', '50000', 'EUR')
>>> flow["quote"]
'iati-activity XM-EX-1 / transaction[1] (type 1, value 50000 EUR, 2024-03-01)'
>>> bad = xml.replace(b'code="KZ"', b'code="QQ"')
>>> print([p for p in read_iati(io.BytesIO(bad), name="ex.xml") if isinstance(p, Problem)][0])
ex.xml, line 8, XM-EX-1, column 'recipient-country[1]/@code', value 'QQ': unknown ISO 3166-1 alpha-2 country code. Fix: use the two-letter code IATI uses, e.g. KZ for Kazakhstan
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from loaders.currency import NOTICES_KEY, Notice, RateTable, missing_rate_hint, missing_rate_message
from loaders.readers import RawRow
from loaders.records import Location, Problem

__all__ = [
    "read_iati",
    "parse_date",
    "country_from_alpha2",
    "country_of_identifier",
    "slug",
    "ROLES",
    "ROLE_TO_PARTNERSHIP",
    "TRANSACTION_TYPES",
    "TRANSACTION_TYPES_1X",
    "INCOMING_TYPES",
    "ACTIVITY_STATUS",
    "DATE_TYPES",
    "ORGANISATION_TYPES",
    "DAC_REGIONS",
    "M49_REGIONS",
]

# -- code tables (IATI codelists, checked against the published 2.03 lists) -----------------

#: OrganisationRole: code → name; 1.0x used the names themselves as codes.
ROLES = {"1": "Funding", "2": "Accountable", "3": "Extending", "4": "Implementing"}
#: Role of a participating organisation → ``partnerships.role``.
ROLE_TO_PARTNERSHIP = {"1": "donor", "2": "lead", "3": "coordinator", "4": "implementer"}

#: TransactionType: code → (name, ``funding.flow_type``).
TRANSACTION_TYPES = {
    "1": ("Incoming Funds", "incoming_funds"),
    "2": ("Outgoing Commitment", "commitment"),
    "3": ("Disbursement", "disbursement"),
    "4": ("Expenditure", "expenditure"),
    "5": ("Interest Payment", "other"),
    "6": ("Loan Repayment", "other"),
    "7": ("Reimbursement", "disbursement"),
    "8": ("Purchase of Equity", "other"),
    "9": ("Sale of Equity", "other"),
    "10": ("Credit Guarantee", "other"),
    "11": ("Incoming Commitment", "incoming_commitment"),
    "12": ("Outgoing Pledge", "other"),
    "13": ("Incoming Pledge", "other"),
}
#: IATI 1.0x transaction type codes → 2.0x codes (IATI's 2.01 upgrade table).
TRANSACTION_TYPES_1X = {
    "IF": "1",
    "C": "2",
    "D": "3",
    "E": "4",
    "IR": "5",
    "LR": "6",
    "R": "7",
    "QP": "8",
    "QS": "9",
    "CG": "10",
}
#: Transaction types that bring money *into* the reporting activity.
INCOMING_TYPES = frozenset({"1", "11", "13"})

#: ActivityStatus: code → (name, ``projects.status``). Cancelled counts as completed (the
#: schema has no "cancelled"), suspended as ongoing; the IATI name stays in the quote.
ACTIVITY_STATUS = {
    "1": ("Pipeline/identification", "planned"),
    "2": ("Implementation", "ongoing"),
    "3": ("Finalisation", "completed"),
    "4": ("Closed", "completed"),
    "5": ("Cancelled", "completed"),
    "6": ("Suspended", "ongoing"),
}
_STATUS_NAMES = {
    "pipeline/identification": "1",
    "pipeline": "1",
    "identification": "1",
    "implementation": "2",
    "finalisation": "3",
    "completion": "3",
    "closed": "4",
    "post-completion": "4",
    "cancelled": "5",
    "suspended": "6",
}

#: ActivityDateType: code → name; 1.0x used the names as codes.
DATE_TYPES = {"1": "start-planned", "2": "start-actual", "3": "end-planned", "4": "end-actual"}

#: OrganisationType: code → (name, ``organizations.sector``, ``organizations.org_type``).
ORGANISATION_TYPES = {
    "10": ("Government", "government", "government_agency"),
    "11": ("Local Government", "government", "government_agency"),
    "15": ("Other Public Sector", "government", "government_agency"),
    "21": ("International NGO", "ngo", "ngo"),
    "22": ("National NGO", "ngo", "ngo"),
    "23": ("Regional NGO", "ngo", "ngo"),
    "24": ("Partner Country based NGO", "ngo", "ngo"),
    "30": ("Public Private Partnership", "other", "other"),
    "40": ("Multilateral", "un_system", "intergovernmental"),
    "60": ("Foundation", "foundation", "foundation"),
    "70": ("Private Sector", "private_company", "company"),
    "71": ("Private Sector in Provider Country", "private_company", "company"),
    "72": ("Private Sector in Aid Recipient Country", "private_company", "company"),
    "73": ("Private Sector in Third Country", "private_company", "company"),
    "80": ("Academic, Training and Research", "university", "university"),
    "90": ("Other", "other", "other"),
}

#: Region codelist (RegionVocabulary 1, OECD DAC): code → name. Regional buckets, never
#: countries.
DAC_REGIONS = {
    "88": "States Ex-Yugoslavia unspecified",
    "89": "Europe, regional",
    "189": "North of Sahara, regional",
    "289": "South of Sahara, regional",
    "298": "Africa, regional",
    "380": "West Indies, regional",
    "389": "Caribbean & Central America, regional",
    "489": "South America, regional",
    "498": "America, regional",
    "589": "Middle East, regional",
    "619": "Central Asia, regional",
    "679": "South Asia, regional",
    "689": "South & Central Asia, regional",
    "789": "Far East Asia, regional",
    "798": "Asia, regional",
    "889": "Oceania, regional",
    "998": "Developing countries, unspecified",
    "1027": "Eastern Africa, regional",
    "1028": "Middle Africa, regional",
    "1029": "Southern Africa, regional",
    "1030": "Western Africa, regional",
    "1031": "Caribbean, regional",
    "1032": "Central America, regional",
    "1033": "Melanesia, regional",
    "1034": "Micronesia, regional",
    "1035": "Polynesia, regional",
}

#: UN M49 regions (RegionVocabulary 2): code → (name, scheme). Ids ``m49:<code>`` match the
#: bundled ``data/regions.csv``.
M49_REGIONS = {
    "001": ("World", "m49"),
    "002": ("Africa", "m49"),
    "009": ("Oceania", "m49"),
    "019": ("Americas", "m49"),
    "142": ("Asia", "m49"),
    "150": ("Europe", "m49"),
    "005": ("South America", "m49_subregion"),
    "011": ("Western Africa", "m49_subregion"),
    "013": ("Central America", "m49_subregion"),
    "014": ("Eastern Africa", "m49_subregion"),
    "015": ("Northern Africa", "m49_subregion"),
    "017": ("Middle Africa", "m49_subregion"),
    "018": ("Southern Africa", "m49_subregion"),
    "021": ("Northern America", "m49_subregion"),
    "029": ("Caribbean", "m49_subregion"),
    "030": ("Eastern Asia", "m49_subregion"),
    "034": ("Southern Asia", "m49_subregion"),
    "035": ("South-eastern Asia", "m49_subregion"),
    "039": ("Southern Europe", "m49_subregion"),
    "053": ("Australia and New Zealand", "m49_subregion"),
    "054": ("Melanesia", "m49_subregion"),
    "057": ("Micronesia", "m49_subregion"),
    "061": ("Polynesia", "m49_subregion"),
    "143": ("Central Asia", "m49_subregion"),
    "145": ("Western Asia", "m49_subregion"),
    "151": ("Eastern Europe", "m49_subregion"),
    "154": ("Northern Europe", "m49_subregion"),
    "155": ("Western Europe", "m49_subregion"),
    "202": ("Sub-Saharan Africa", "m49_subregion"),
    "419": ("Latin America and the Caribbean", "m49_subregion"),
}

_CHUNK = 1 << 16
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_PERCENT_TOLERANCE = 1.0

# -- helpers shared with the 360Giving reader -----------------------------------------------

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
DATE_HINT = (
    "write YYYY-MM-DD (DD/MM/YYYY and date-times such as 2024-03-01T00:00:00+00:00 work too)"
)


def parse_date(text: str, *, partial: bool = False) -> str:
    """A date as ``YYYY-MM-DD`` from the forms real files use.

    Accepts ISO dates, ISO date-times (with ``T`` or a space, seconds, fractions, ``Z`` or an
    offset — the date is kept as written, not moved to UTC) and ``DD/MM/YYYY`` (with an
    optional time). With ``partial``, ``YYYY`` and ``YYYY-MM`` are kept as they are.

    Raises
    ------
    ValueError
        With a message for the user: not a date, or not a real date.

    Examples
    --------
    >>> parse_date("2024-03-01T00:00:00+00:00"), parse_date("01/03/2024"), parse_date("1/3/2024 09:30")
    ('2024-03-01', '2024-03-01', '2024-03-01')
    >>> parse_date("2024-03", partial=True)
    '2024-03'
    >>> parse_date("31/02/2024")
    Traceback (most recent call last):
    ...
    ValueError: not a real date (day is out of range for month)
    """
    t = text.strip()
    m = _ISO.match(t)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _DMY.match(t)
        if m:
            d, mo, y = int(m[1]), int(m[2]), int(m[3])
        else:
            m = _PARTIAL.match(t)
            if partial and m:
                if m[2] is None:
                    return m[1]
                if 1 <= int(m[2]) <= 12:
                    return f"{m[1]}-{int(m[2]):02d}"
            raise ValueError("not a date")
    try:
        _dt.date(y, mo, d)
    except ValueError as e:
        raise ValueError(f"not a real date ({e})") from e
    return f"{y:04d}-{mo:02d}-{d:02d}"


def country_from_alpha2(code: str) -> tuple[str, str] | None:
    """``(iso3, name)`` for an ISO 3166-1 alpha-2 code, or ``None``.

    >>> country_from_alpha2("KZ"), country_from_alpha2("kz"), country_from_alpha2("QQ")
    (('KAZ', 'Kazakhstan'), ('KAZ', 'Kazakhstan'), None)
    """
    import pycountry

    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        return None
    c = pycountry.countries.get(alpha_2=code)
    return (c.alpha_3, c.name) if c else None


def country_of_identifier(org_id: str) -> tuple[str, str] | None:
    """The country of an organisation identifier's registration agency prefix, if any.

    Organisation identifiers (org-id.guide, used by IATI and 360Giving) start with the
    agency's country: ``GB-CHC-…`` is England and Wales' Charity Commission. International
    prefixes (``XM-DAC``, ``XI-IATI``, ``360G``) name no country.

    >>> country_of_identifier("GB-CHC-1234567"), country_of_identifier("XM-DAC-41304")
    (('GBR', 'United Kingdom'), None)
    """
    m = re.match(r"^([A-Z]{2})-[A-Za-z0-9]", org_id or "")
    return country_from_alpha2(m[1]) if m else None


def slug(name: str) -> str:
    """A lower-case ASCII slug of a name, for ids of organisations that have no identifier.

    >>> slug("  Fundación Niños del Sur (FNS) ")
    'fundacion-ninos-del-sur-fns'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"


def _norm_name(name: str) -> str:
    return " ".join(name.lower().split())


def number_text(value: float) -> str:
    """A sum as plain text: whole numbers without a decimal point, else two decimals.

    >>> number_text(1500.0), number_text(1500.256)
    ('1500', '1500.26')
    """
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


@dataclass
class Registry:
    """Organizations, countries and regions met in one file, each yielded once at the end.

    The first mention of an id gives its name and provenance; a later mention may add an
    organization type the first one lacked. Organizations based in a country (from their
    identifier prefix) get that country too.
    """

    name: str
    source_id: str
    orgs: dict = field(default_factory=dict)
    countries: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)

    def org(self, org_id, name, sector, org_type, *, typed, quote, location) -> None:
        """Note an organization."""
        seen = self.orgs.get(org_id)
        if seen is None:
            self.orgs[org_id] = {
                "values": {
                    "org_id": org_id,
                    "name": name or org_id,
                    "sector": sector,
                    "org_type": org_type,
                    "source_id": self.source_id,
                    "quote": quote,
                },
                "typed": typed,
                "location": location,
            }
        elif typed and not seen["typed"]:
            seen["values"].update(sector=sector, org_type=org_type)
            seen["typed"] = True

    def country(self, iso3, name, *, quote, location) -> None:
        """Note a country."""
        self.countries.setdefault(
            iso3,
            (
                {"iso3": iso3, "name": name, "source_id": self.source_id, "quote": quote},
                location,
            ),
        )

    def region(self, region_id, name, scheme, *, quote, location) -> None:
        """Note a region."""
        self.regions.setdefault(
            region_id,
            (
                {
                    "region_id": region_id,
                    "name": name,
                    "scheme": scheme,
                    "source_id": self.source_id,
                    "quote": quote,
                },
                location,
            ),
        )

    def merge(self, other: Registry) -> None:
        """Add what ``other`` met (a registry of one activity or grant that had no problem)."""
        for org_id, o in other.orgs.items():
            v = o["values"]
            self.org(
                org_id,
                v["name"],
                v["sector"],
                v["org_type"],
                typed=o["typed"],
                quote=v["quote"],
                location=o["location"],
            )
        for k, v in other.countries.items():
            self.countries.setdefault(k, v)
        for k, v in other.regions.items():
            self.regions.setdefault(k, v)

    def rows(self) -> Iterator[RawRow]:
        """``organizations``, then ``countries`` (with those the organizations are based in),
        then ``regions``."""
        for org_id, o in self.orgs.items():
            values = dict(o["values"])
            home = country_of_identifier(org_id)
            if home:
                values["country"] = home[0]
                self.country(
                    home[0],
                    home[1],
                    quote=f"country prefix {org_id[:2]} of organisation identifier {org_id}",
                    location=o["location"],
                )
            yield RawRow("organizations", values, o["location"])
        for values, loc in self.countries.values():
            yield RawRow("countries", values, loc)
        for values, loc in self.regions.values():
            yield RawRow("regions", values, loc)


# -- streaming parser ------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class _ActivityStream:
    """Feed expat chunk by chunk; hand out each finished ``iati-activity`` as an element tree.

    Events: ``("root", tag, attrs, line)`` once, then ``("activity", element, lines)`` where
    ``lines`` maps each element of the activity to the line its start tag is on.
    """

    def __init__(self):
        p = expat.ParserCreate()
        p.buffer_text = True
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._text
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._entity
        p.ExternalEntityRefHandler = self._external
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.p = p
        self.depth = 0
        self.stack: list[ET.Element] = []
        self.lines: dict = {}
        self.events: deque = deque()

    def _doctype(self, *args):
        raise _Refused(
            self.p.CurrentLineNumber,
            "the file declares a DOCTYPE; IATI files never do, and it is refused for safety "
            "(entity expansion)",
        )

    def _entity(self, *args):
        raise _Refused(self.p.CurrentLineNumber, "entity declarations are refused for safety")

    def _external(self, *args):
        raise _Refused(self.p.CurrentLineNumber, "external entities are refused for safety")

    def _start(self, tag, attrs):
        line = self.p.CurrentLineNumber
        self.depth += 1
        if self.depth == 1:
            self.events.append(("root", tag, dict(attrs), line))
        if self.stack:
            el = ET.SubElement(self.stack[-1], tag, attrs)
        elif tag == "iati-activity" and self.depth <= 2:
            el = ET.Element(tag, attrs)
            self.lines = {}
        else:
            return
        self.lines[el] = line
        self.stack.append(el)

    def _end(self, tag):
        self.depth -= 1
        if self.stack:  # inside an activity every element was pushed; expat checks nesting
            el = self.stack.pop()
            if not self.stack:
                self.events.append(("activity", el, self.lines))

    def _text(self, data):
        if self.stack:
            el = self.stack[-1]
            if len(el) == 0:
                el.text = (el.text or "") + data

    def where(self) -> tuple[str | None, str | None]:
        """The path of the elements open in the current activity, and its identifier."""
        if not self.stack:
            return None, None
        ident = self.stack[0].find("iati-identifier")
        aid = " ".join((ident.text or "").split()) if ident is not None else None
        return "/".join(el.tag for el in self.stack), aid or None

    def events_of(self, f) -> Iterator[tuple]:
        """Parse the binary file ``f``; yield events as they complete."""
        while True:
            chunk = f.read(_CHUNK)
            self.p.Parse(chunk, not chunk)
            while self.events:
                yield self.events.popleft()
            if not chunk:
                return


# -- reading one file ------------------------------------------------------------------------


@dataclass
class _OrgMention:
    ref: str | None
    name: str | None
    type: str | None
    element: ET.Element
    column: str
    org_id: str | None = None


def read_iati(source, *, name: str, rates: RateTable | None = None) -> Iterator[RawRow | Problem]:
    """Stream an IATI activity file; yield raw rows of the explorer's kinds and problems.

    Parameters
    ----------
    source : str, Path or binary file object
        The file, or its content (``io.BytesIO`` for an upload).
    name : str
        File name to show in messages and to name the source (``iati:<name>``).
    rates : RateTable, optional
        Exchange rates to USD; the bundled table by default.

    Yields
    ------
    RawRow or Problem
        Rows for ``sources``, ``projects``, ``partnerships``, ``targets``, ``funding``,
        ``organizations``, ``countries`` and ``regions``; problems for bad input. Rows of an
        activity with a problem are left out (the file will be rejected anyway).
    """
    yield from _IatiFile(name, rates or RateTable.bundled()).run(source)


class _IatiFile:
    def __init__(self, name: str, rates: RateTable):
        self.name = name
        self.rates = rates
        self.source_id = f"iati:{name}"
        self.registry = Registry(name, self.source_id)
        self.refs_by_name: dict[str, str] = {}
        # identifier → line of its first activity; negative when that activity had a problem.
        # The only state that grows with the file: identifiers, not documents.
        self.seen: dict[str, int] = {}
        self.pending: list[tuple[dict, str, Location]] = []

    # -- the file --------------------------------------------------------------------------
    def run(self, source) -> Iterator[RawRow | Problem]:
        if isinstance(source, str | Path):
            try:
                f = open(source, "rb")  # noqa: SIM115 - closed below, streamed meanwhile
            except OSError as e:
                yield Problem(Location(self.name), None, None, f"cannot read file: {e.strerror}")
                return
        else:
            f = source
        stream = _ActivityStream()
        n = 0
        root_seen = False
        try:
            for event in stream.events_of(f):
                if event[0] == "root":
                    root_seen = True
                    _, tag, attrs, line = event
                    bad = self._check_root(tag, line)
                    if bad:
                        yield bad
                        return
                    yield self._source_row(tag, attrs, line)
                    continue
                n += 1
                _, el, lines = event
                yield from self._activity(el, lines, n)
        except _Refused as e:
            yield Problem(
                Location(self.name, line=e.line),
                None,
                None,
                e.message,
                "remove the <!DOCTYPE …> declaration",
            )
            return
        except expat.ExpatError as e:
            if not root_seen and e.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]:
                yield Problem(
                    Location(self.name), None, None, "the file is empty", "give an IATI file"
                )
                return
            open_path, aid = stream.where()
            yield Problem(
                Location(self.name, line=e.lineno, item=aid),
                open_path,
                None,
                f"malformed XML: {expat.ErrorString(e.code)} (column {e.offset + 1})",
                "check the tags near that place: every element must be closed, and & written "
                "as &amp;",
            )
            return
        finally:
            if f is not source:
                f.close()
        if n == 0:
            yield Problem(
                Location(self.name),
                "iati-activity",
                None,
                "no <iati-activity> in the file",
                "give an IATI activity file with at least one activity",
            )
            return
        yield from self._resolve_pending()
        yield from self.registry.rows()

    def _check_root(self, tag: str, line: int) -> Problem | None:
        if tag in ("iati-activities", "iati-activity"):
            return None
        hint = "give an IATI activity file (root <iati-activities> or <iati-activity>)"
        if tag == "iati-organisations":
            hint = "this is an IATI organisation file; give the activity file instead"
        return Problem(
            Location(self.name, line=line),
            None,
            tag,
            f"not an IATI activity file (the root element is <{tag}>)",
            hint,
        )

    def _source_row(self, tag, attrs, line) -> RawRow:
        version = attrs.get("version")
        when = attrs.get("generated-datetime") or ""
        try:
            date = parse_date(when) if when else None
        except ValueError:
            date = None
        title = f"IATI activity file {self.name}" + (f" (version {version})" if version else "")
        return RawRow(
            "sources",
            {
                "source_id": self.source_id,
                "file": self.name,
                "title": title,
                "date": date,
                "kind": "IATI activity file",
            },
            Location(self.name, line=line),
        )

    def _resolve_pending(self) -> Iterator[RawRow]:
        """Outgoing flows naming a receiver activity: for that activity when it is in the file."""
        for values, target, loc in self.pending:
            if self.seen.get(target, -1) > 0:
                values["provider_project_id"] = values["project_id"]
                values["project_id"] = target
            else:
                values["quote"] += f"; receiver-activity-id {target} is not in this file"
            yield RawRow("funding", values, loc)
        self.pending = []

    # -- one activity ----------------------------------------------------------------------
    def _activity(self, act: ET.Element, lines: dict, n: int) -> Iterator[RawRow | Problem]:
        a = _Activity(self, act, lines, n)
        line = lines.get(act) or 0
        if a.aid:
            first = self.seen.setdefault(a.aid, line)
            if first != line:
                yield Problem(
                    a.loc(),
                    "iati-identifier",
                    a.aid,
                    f"duplicate iati-identifier (first at line {abs(first)})",
                    "give each activity its own identifier, or remove the repeated one",
                )
                return
        a.read()
        if a.problems:
            if a.aid:
                self.seen[a.aid] = -line
            yield from a.problems
            return
        self.registry.merge(a.registry)
        for m in a.mentions:
            if m.ref and m.name:
                self.refs_by_name.setdefault(_norm_name(m.name), m.ref)
        self.pending.extend(a.pending)
        yield from a.rows


def _text(el: ET.Element | None) -> str:
    """The name or title of an element: its first non-empty ``narrative`` (2.0x), else its
    own text (1.0x); white space collapsed."""
    if el is None:
        return ""
    for nar in el.iter("narrative"):
        t = " ".join((nar.text or "").split())
        if t:
            return t
    return " ".join((el.text or "").split())


def _long_text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    for nar in el.iter("narrative"):
        t = (nar.text or "").strip()
        if t:
            return t
    return (el.text or "").strip()


class _Activity:
    """Turn one ``iati-activity`` element into rows, or problems."""

    def __init__(self, file: _IatiFile, act: ET.Element, lines: dict, n: int):
        self.f = file
        self.act = act
        self.lines = lines
        self.n = n
        self.problems: list[Problem] = []
        self.rows: list[RawRow] = []
        self.mentions: list[_OrgMention] = []
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

    def missing(self, el, column, tag, hint) -> None:
        self.problem(el, column, None, f"missing required element <{tag}>", hint)

    def row(self, kind: str, values: dict, el=None) -> None:
        values.setdefault("source_id", self.f.source_id)
        self.rows.append(RawRow(kind, values, self.loc(el)))

    def where(self, path: str = "") -> str:
        return f"iati-activity {self.item}" + (f" / {path}" if path else "")

    def date_of(self, el, column) -> str | None:
        """``@iso-date`` (or, in 1.0x, the element's text) as ``YYYY-MM-DD``."""
        raw = (el.get("iso-date") or el.text or "").strip()
        if not raw:
            self.problem(el, f"{column}/@iso-date", None, "missing date", DATE_HINT)
            return None
        try:
            return parse_date(raw)
        except ValueError as e:
            self.problem(el, f"{column}/@iso-date", raw, str(e), DATE_HINT)
            return None

    def amount_of(self, value_el, column) -> str | None:
        raw = (value_el.text or "").strip()
        if not raw:
            self.problem(value_el, column, None, "missing value", "write the amount, e.g. 50000")
            return None
        if not _DECIMAL.match(raw):
            self.problem(
                value_el, column, raw, "not a number", "write digits only, e.g. 50000 or 1234.56"
            )
            return None
        if float(raw) < 0:
            self.problem(
                value_el,
                column,
                raw,
                "negative value",
                "amounts must be zero or more; record a reversal as its own transaction type "
                "or leave it out",
            )
            return None
        return raw

    def currency_of(self, value_el, column) -> str | None:
        from loaders.validate import is_currency_code

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
    def mention(self, el, column) -> _OrgMention | None:
        """An organisation element as a mention (resolved to an id later), checking its type."""
        if el is None:
            return None
        ref = (el.get("ref") or "").strip() or None
        name = _text(el) or None
        typ = (el.get("type") or "").strip() or None
        if typ is not None and typ not in ORGANISATION_TYPES:
            self.problem(
                el,
                f"{column}/@type",
                typ,
                "unknown OrganisationType code",
                "use one of: " + ", ".join(f"{k} {v[0]}" for k, v in ORGANISATION_TYPES.items()),
            )
            typ = None
        if ref is None and name is None:
            return None
        m = _OrgMention(ref, name, typ, el, column)
        self.mentions.append(m)
        return m

    def resolve_orgs(self) -> None:
        """Give every mention an id: ``@ref``; else the ref of the same name met in this
        activity or earlier in the file; else ``name:<slug>``."""
        local = {_norm_name(m.name): m.ref for m in self.mentions if m.ref and m.name}
        for m in self.mentions:
            if m.ref:
                m.org_id = m.ref
            else:
                key = _norm_name(m.name)
                m.org_id = local.get(key) or self.f.refs_by_name.get(key) or f"name:{slug(m.name)}"

    def register(self, m: _OrgMention, quote: str) -> None:
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
            from loaders.validate import is_currency_code

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
            self.rows.insert(0, project)

    def _participants(self) -> list[tuple[str, _OrgMention, int]]:
        out = []
        for k, po in enumerate(self.act.findall("participating-org"), 1):
            col = f"participating-org[{k}]"
            raw = (po.get("role") or "").strip()
            role = raw if raw in ROLES else _by_name(raw, ROLES)
            if not raw:
                self.problem(po, f"{col}/@role", None, "missing @role", _ROLE_HINT)
            elif role is None:
                self.problem(po, f"{col}/@role", raw, "unknown OrganisationRole code", _ROLE_HINT)
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

    def _project(self) -> RawRow | None:
        act = self.act
        title_el = act.find("title")
        title = _text(title_el)
        if not title:
            self.missing(
                title_el if title_el is not None else act,
                "title",
                "title",
                "add <title><narrative>…</narrative></title>",
            )
        status_el = act.find("activity-status")
        status_code = None
        if status_el is None:
            self.missing(
                act,
                "activity-status",
                "activity-status",
                'add <activity-status code="2"/> (1 pipeline, 2 implementation, 3 finalisation, '
                "4 closed, 5 cancelled, 6 suspended)",
            )
        else:
            raw = (status_el.get("code") or "").strip()
            status_code = raw if raw in ACTIVITY_STATUS else None
            if not raw:
                status_code = _STATUS_NAMES.get((status_el.text or "").strip().lower())
            if status_code is None:
                self.problem(
                    status_el,
                    "activity-status/@code",
                    raw or (status_el.text or "").strip() or None,
                    "unknown ActivityStatus code",
                    "use one of: " + ", ".join(f"{k} {v[0]}" for k, v in ACTIVITY_STATUS.items()),
                )
        dates: dict[str, str] = {}
        for k, ad in enumerate(act.findall("activity-date"), 1):
            col = f"activity-date[{k}]"
            raw = (ad.get("type") or "").strip()
            code = raw if raw in DATE_TYPES else _by_name(raw, DATE_TYPES)
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
        budget = self._budget()
        description = _long_text(_general_description(act))
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
            "quote": quote,
            "source_id": self.f.source_id,
            **budget,
        }
        return RawRow("projects", values, self.loc(self.act))

    def _budget(self) -> dict:
        """Sum of the budgets, per period the revised one (type 2) over the original."""
        by_period: dict[tuple, dict[str, list]] = {}
        for k, b in enumerate(self.act.findall("budget"), 1):
            col = f"budget[{k}]"
            v = b.find("value")
            if v is None:
                self.missing(b, f"{col}/value", "value", "add <value> to the budget")
                continue
            amount = self.amount_of(v, f"{col}/value")
            cur = self.currency_of(v, f"{col}/value")
            ps, pe = b.find("period-start"), b.find("period-end")
            start = self.date_of(ps, f"{col}/period-start") if ps is not None else None
            end = self.date_of(pe, f"{col}/period-end") if pe is not None else None
            vd_raw = (v.get("value-date") or "").strip()
            year = None
            if vd_raw:
                try:
                    year = parse_date(vd_raw)[:4]
                except ValueError as e:
                    self.problem(v, f"{col}/value/@value-date", vd_raw, str(e), DATE_HINT)
            year = year or (start[:4] if start else None)
            if amount is None or cur is None:
                continue
            revised = (b.get("type") or "1").strip().lower() in ("2", "revised")
            kind = "revised" if revised else "original"
            by_period.setdefault((start, end), {}).setdefault(kind, []).append(
                (float(amount), cur, year, k)
            )
        chosen = []
        for kinds in by_period.values():
            chosen.extend(kinds.get("revised") or kinds.get("original") or [])
        if not chosen:
            return {}
        currencies = sorted({c for _, c, _, _ in chosen})
        usd = [self.f.rates.convert(a, c, y) if y else None for a, c, y, _ in chosen]
        convertible = all(u is not None for u in usd)
        notes = []
        if len(currencies) == 1:
            out = {
                "budget": number_text(sum(a for a, _, _, _ in chosen)),
                "currency": currencies[0],
            }
            if convertible and currencies[0] != "USD":
                out["budget_usd"] = number_text(sum(usd))
            elif currencies[0] == "USD":
                out["budget_usd"] = out["budget"]
        elif convertible:
            out = {"budget": number_text(sum(usd)), "currency": "USD"}
            out["budget_usd"] = out["budget"]
            notes.append(
                Notice(
                    self.loc(self.act),
                    "budget/value/@currency",
                    ", ".join(currencies),
                    "budgets in several currencies: the project budget is their sum in USD at "
                    "annual average rates",
                )
            )
        else:
            out = {}
        if not convertible:
            missing = sorted(
                {(c, y) for (_, c, y, _), u in zip(chosen, usd, strict=True) if u is None}
            )
            shown = ", ".join(f"{c} {y}" for c, y in missing)
            notes.append(
                Notice(
                    self.loc(self.act),
                    "budget/value/@currency",
                    shown,
                    f"no exchange rate to USD for {shown}: "
                    + (
                        "the budget has no USD figure"
                        if len(currencies) == 1
                        else "budgets in several currencies cannot be added up, so the project "
                        "budget is left empty"
                    ),
                    missing_rate_hint(*missing[0]),
                )
            )
        if notes:
            out[NOTICES_KEY] = tuple(notes)
        return out

    def _sectors(self) -> str:
        parts = []
        for s in self.act.findall("sector"):
            code = (s.get("code") or "").strip() or (s.text or "").strip()
            if not code:
                continue
            vocab = (s.get("vocabulary") or "1").strip()
            pct = (s.get("percentage") or "").strip()
            label = code if vocab in ("1", "DAC") else f"{code} (vocabulary {vocab})"
            parts.append(label + (f" {pct}%" if pct else ""))
        return "IATI sectors: " + ", ".join(parts) if parts else ""

    def _partnership(self, role: str, m: _OrgMention, k: int) -> None:
        quote = self.where(
            f"participating-org[{k}] (role {m.element.get('role')}"
            + (f", type {m.type}" if m.type else "")
            + f", {m.org_id})"
        )
        self.register(m, quote)
        if not self.aid:
            return
        role_name = ROLE_TO_PARTNERSHIP[role]
        key = (m.org_id, role_name)
        if key in self.partners:
            return
        self.partners.add(key)
        self.row(
            "partnerships",
            {"org_id": m.org_id, "project_id": self.aid, "role": role_name, "quote": quote},
            m.element,
        )

    def _places(self) -> None:
        act = self.act
        targets = []  # (target_id, pct or None, element, quote)
        for k, rc in enumerate(act.findall("recipient-country"), 1):
            col = f"recipient-country[{k}]"
            code = (rc.get("code") or "").strip()
            hit = country_from_alpha2(code)
            pct = self._percentage(rc, col)
            if hit is None:
                self.problem(
                    rc,
                    f"{col}/@code",
                    code or None,
                    "unknown ISO 3166-1 alpha-2 country code" if code else "missing @code",
                    "use the two-letter code IATI uses, e.g. KZ for Kazakhstan",
                )
                targets.append((None, pct, rc, ""))
                continue
            quote = self.where(f"recipient-country {code}" + (f" ({pct}%)" if pct else ""))
            self.registry.country(hit[0], hit[1], quote=quote, location=self.loc(rc))
            targets.append((hit[0], pct, rc, quote))
        for k, rr in enumerate(act.findall("recipient-region"), 1):
            col = f"recipient-region[{k}]"
            region = self._region(rr, col)
            pct = self._percentage(rr, col)
            if region is None:
                targets.append((None, pct, rr, ""))
                continue
            region_id, rname, scheme = region
            quote = self.where(
                f"recipient-region {rr.get('code')} vocabulary {rr.get('vocabulary') or '1'}"
                + (f" ({pct}%)" if pct else "")
            )
            self.registry.region(region_id, rname, scheme, quote=quote, location=self.loc(rr))
            targets.append((region_id, pct, rr, quote))
        given = [t for t in targets if t[1] is not None]
        if given and len(given) < len(targets):
            for _, pct, el, _ in targets:
                if pct is None:
                    self.problem(
                        el,
                        f"{el.tag}/@percentage",
                        None,
                        "percentage missing while other recipient countries or regions have one",
                        "give every recipient-country and recipient-region a percentage",
                    )
        elif given:
            total = sum(float(p) for _, p, _, _ in given)
            if abs(total - 100) > _PERCENT_TOLERANCE:
                self.problem(
                    self.act,
                    "recipient-country/@percentage + recipient-region/@percentage",
                    number_text(total),
                    f"percentages of recipient-country and recipient-region add up to "
                    f"{number_text(total)}, not 100",
                    "make them add up to 100 (±1)",
                )
        seen = set()
        for target_id, pct, el, quote in targets:
            if target_id is None or not self.aid or target_id in seen:
                continue
            seen.add(target_id)
            self.row(
                "targets",
                {
                    "project_id": self.aid,
                    "target_id": target_id,
                    "share": f"{pct}%" if pct is not None else None,
                    "quote": quote,
                },
                el,
            )

    def _percentage(self, el, col) -> str | None:
        raw = (el.get("percentage") or "").strip()
        if not raw:
            return None
        if not _DECIMAL.match(raw) or not 0 <= float(raw) <= 100:
            self.problem(
                el,
                f"{col}/@percentage",
                raw,
                "not a percentage between 0 and 100",
                "write a number such as 40 or 12.5",
            )
            return None
        return raw

    def _region(self, rr, col) -> tuple[str, str, str] | None:
        code = (rr.get("code") or "").strip()
        vocab = (rr.get("vocabulary") or "1").strip()
        if not code:
            self.problem(rr, f"{col}/@code", None, "missing @code", "give the region code")
            return None
        if vocab == "1":
            if code not in DAC_REGIONS:
                self.problem(
                    rr,
                    f"{col}/@code",
                    code,
                    "unknown OECD DAC region code",
                    "use a code of IATI's Region codelist, e.g. 298 Africa, regional",
                )
                return None
            return f"dac:{code}", DAC_REGIONS[code], "dac"
        if vocab == "2":
            key = code.zfill(3)
            if key not in M49_REGIONS:
                self.problem(
                    rr,
                    f"{col}/@code",
                    code,
                    "unknown UN M49 region code",
                    "use an M49 region or sub-region code, e.g. 002 Africa or 143 Central Asia",
                )
                return None
            rname, scheme = M49_REGIONS[key]
            return f"m49:{key}", rname, scheme
        if vocab == "99":
            owner = self.reporting.org_id if self.reporting else "reporting-org"
            return f"iati:{owner}:{code}", _text(rr) or f"{owner} region {code}", "iati"
        self.problem(
            rr,
            f"{col}/@vocabulary",
            vocab,
            "unknown RegionVocabulary code",
            "use 1 (OECD DAC), 2 (UN M49) or 99 (the reporting organisation's own)",
        )
        return None

    # -- transactions ----------------------------------------------------------------------
    def _transaction(self, k, tx, provider, receiver, participants) -> None:
        col = f"transaction[{k}]"
        before = len(self.problems)
        tt = tx.find("transaction-type")
        raw_type = (tt.get("code") or "").strip() if tt is not None else ""
        code = raw_type if raw_type in TRANSACTION_TYPES else TRANSACTION_TYPES_1X.get(raw_type)
        if tt is None:
            self.missing(
                tx,
                f"{col}/transaction-type",
                "transaction-type",
                'add <transaction-type code="…"/> (1 incoming funds, 2 commitment, 3 '
                "disbursement, 4 expenditure, 11 incoming commitment…)",
            )
        elif code is None:
            self.problem(
                tt,
                f"{col}/transaction-type/@code",
                raw_type or None,
                "unknown TransactionType code",
                "use 1–13 (2.0x) or IF, C, D, E, IR, LR, R, QP, QS, CG (1.0x)",
            )
        td = tx.find("transaction-date")
        date = None
        if td is None:
            self.missing(
                tx,
                f"{col}/transaction-date",
                "transaction-date",
                'add <transaction-date iso-date="YYYY-MM-DD"/>',
            )
        else:
            date = self.date_of(td, f"{col}/transaction-date")
        v = tx.find("value")
        amount = cur = value_date = None
        if v is None:
            self.missing(tx, f"{col}/value", "value", 'add <value currency="…">amount</value>')
        else:
            amount = self.amount_of(v, f"{col}/value")
            cur = self.currency_of(v, f"{col}/value")
            vd_raw = (v.get("value-date") or "").strip()
            if vd_raw:
                try:
                    value_date = parse_date(vd_raw)
                except ValueError as e:
                    self.problem(v, f"{col}/value/@value-date", vd_raw, str(e), DATE_HINT)
        incoming = code in INCOMING_TYPES
        donor = provider
        if donor is None:
            if incoming:
                donor = next((m for r, m, _ in participants if r == "1"), None)
            else:
                donor = self.reporting
        recipient = receiver
        if recipient is None:
            if incoming:
                recipient = self.reporting
            else:
                recipient = next((m for r, m, _ in participants if r == "4"), None)
        if code is not None and donor is None:
            self.problem(
                tx,
                f"{col}/provider-org",
                None,
                "no provider-org, and the activity names no funding participating-org to "
                "stand for it",
                'add <provider-org ref="…"> to the transaction',
            )
        if code is not None and recipient is None:
            self.problem(
                tx,
                f"{col}/receiver-org",
                None,
                "no receiver-org, and the activity names no implementing participating-org to "
                "stand for it",
                'add <receiver-org ref="…"> to the transaction',
            )
        if len(self.problems) > before or not self.aid:
            return
        type_name, flow_type = TRANSACTION_TYPES[code]
        quote = self.where(f"{col} (type {raw_type}, value {amount} {cur}, {date})")
        for m, what in ((provider, "provider-org"), (receiver, "receiver-org")):
            if m is not None:
                self.register(m, self.where(f"{col}/{what} ({m.org_id})"))
        values = {
            "flow_id": f"{self.aid}#t{k}",
            "donor_id": donor.org_id,
            "recipient_id": recipient.org_id,
            "project_id": self.aid,
            "year": date[:4],
            "amount": amount,
            "currency": cur,
            "kind": "cash",
            "channel": "extrabudgetary",
            "flow_type": flow_type,
            "date": date,
            "value_date": value_date,
            "quote": quote,
            "source_id": self.f.source_id,
        }
        year = (value_date or date)[:4]
        rate = self.f.rates.rate(cur, year)
        notes = ()
        if cur != "USD":
            if rate is not None:
                values["usd_rate"] = repr(rate)
            else:
                notes = (
                    Notice(
                        self.loc(v),
                        f"{col}/value/@currency",
                        f"{cur} {year}",
                        missing_rate_message(cur, year),
                        missing_rate_hint(cur, year),
                    ),
                )
        values[NOTICES_KEY] = notes
        if incoming:
            pid = (provider.element.get("provider-activity-id") or "").strip() if provider else ""
            if pid and pid != self.aid:
                values["provider_project_id"] = pid
        else:
            rid = (receiver.element.get("receiver-activity-id") or "").strip() if receiver else ""
            if rid and rid != self.aid:
                self.pending.append((values, rid, self.loc(tx)))
                return
        self.row("funding", values, tx)


_ROLE_HINT = (
    "use 1 Funding, 2 Accountable, 3 Extending or 4 Implementing (1.0x: the names themselves)"
)


def _by_name(raw: str, table: dict) -> str | None:
    low = raw.strip().lower()
    for code, name in table.items():
        if name.lower() == low:
            return code
    return None


def _general_description(act: ET.Element) -> ET.Element | None:
    descriptions = act.findall("description")
    for d in descriptions:
        if (d.get("type") or "1").strip() in ("1", "general"):
            return d
    return descriptions[0] if descriptions else None
