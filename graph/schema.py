"""The graph schema in one place: record kinds, their fields, labels, relationship types, keys.

A *record kind* is one file of input (``organizations.csv``, one sheet of a workbook, one
array of a JSON document). Each kind becomes either nodes of one label or relationships of one
type. Reference columns (``country`` of an organization, ``parent_id``...) become relationships
too, so a record file never needs a separate edge file for them.

Every record carries its provenance: ``source_id`` (a row of ``sources``) and ``quote`` (the
sentence it came from).

Examples
--------
>>> KINDS["organizations"].label
'Organization'
>>> [f.name for f in KINDS["funding"].fields][:4]
['flow_id', 'donor_id', 'recipient_id', 'project_id']
>>> KINDS["funding"].key
'flow_id'
>>> LOAD_ORDER.index("organizations") < LOAD_ORDER.index("funding")
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from graph.codes import (
    CHANNELS,
    EVENT_KINDS,
    FLOW_KINDS,
    FLOW_TYPES,
    ORG_TYPES,
    PROJECT_STATUSES,
    REGION_SCHEMES,
    SECTORS,
    YEAR_MAX,
    YEAR_MIN,
)

__all__ = [
    "Field",
    "Kind",
    "Reference",
    "KINDS",
    "LOAD_ORDER",
    "NODE_LABELS",
    "REL_TYPES",
    "SECTORS",
    "ORG_TYPES",
    "PROJECT_STATUSES",
    "EVENT_KINDS",
    "FLOW_KINDS",
    "FLOW_TYPES",
    "CHANNELS",
    "REGION_SCHEMES",
    "YEAR_MIN",
    "YEAR_MAX",
    "LOAD_LABEL",
    "CLOCK_LABEL",
    "PLANNING_LABELS",
    "GRAPH_LABELS",
    "columns_markdown",
]

#: Label of the marker node that records each load (started / complete).
LOAD_LABEL = "LoadRun"

#: Label of the one node whose counter every load on a server moves on as it writes: a
#: load planned from an older count was planned from a state that has since changed.
CLOCK_LABEL = "WriteClock"


@dataclass(frozen=True)
class Field:
    """One column of a record kind.

    Parameters
    ----------
    name : str
        Column name, exactly as in the file header.
    type : str
        One of ``str``, ``text`` (long free text), ``int``, ``year``, ``number``,
        ``share`` (0-1, or 0-100 with a ``%``), ``date`` (``YYYY``, ``YYYY-MM`` or
        ``YYYY-MM-DD``), ``enum``, ``iso3`` (ISO 3166-1), ``currency`` (ISO 4217), ``ref``, ``bool``.
    required : bool
        Whether an empty cell is a problem.
    choices : tuple of str
        Allowed values for ``enum``.
    ref : str
        For ``ref`` columns: the record kind whose key this column names.
    doc : str
        What the column means (shown in the README and in error hints).
    """

    name: str
    type: str = "str"
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None
    doc: str = ""


@dataclass(frozen=True)
class Reference:
    """A reference column that becomes a relationship of its own.

    ``column`` of the record points at a node of ``target_kind``; the relationship
    ``rel_type`` goes from the record's node to that node (or the other way when
    ``reverse``).
    """

    column: str
    rel_type: str
    target_kind: str
    reverse: bool = False


@dataclass(frozen=True)
class Kind:
    """A record kind: one input file, one label or relationship type.

    Parameters
    ----------
    name : str
        File stem (``organizations`` → ``organizations.csv``).
    key : str
        Column that identifies a record; unique within the kind.
    label : str or None
        Node label for node kinds.
    rel_type : str or None
        Relationship type for relationship kinds, with ``start`` and ``end`` naming the
        columns (and through ``Field.ref``, the kinds) at each end.
    """

    name: str
    key: str
    fields: tuple[Field, ...]
    label: str | None = None
    rel_type: str | None = None
    start: str | None = None
    end: str | None = None
    references: tuple[Reference, ...] = field(default_factory=tuple)
    doc: str = ""

    @property
    def is_node(self) -> bool:
        """True for kinds that become nodes."""
        return self.label is not None

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @functools.cached_property
    def columns(self) -> tuple[str, ...]:
        """Column names in order."""
        return tuple(f.name for f in self.fields)


#: What the ``external`` column of projects and funding flows says.
EXTERNAL_DOC = (
    "true for published data on other funders (--external): never in the institute's figures"
)

_PROV = (
    Field("source_id", "ref", True, ref="sources", doc="the document the fact comes from"),
    Field("quote", "text", True, doc="the sentence of that document that states the fact"),
)

_KINDS = (
    Kind(
        "sources",
        key="source_id",
        label="Source",
        fields=(
            Field("source_id", required=True, doc="short id of the document"),
            Field("file", required=True, doc="file name of the document"),
            Field("title", required=True, doc="title of the document"),
            Field("date", "date", doc="publication or event date, if known"),
            Field("kind", doc="report, news, press release, reference data"),
        ),
        doc="Documents the dataset was built from.",
    ),
    Kind(
        "regions",
        key="region_id",
        label="Region",
        fields=(
            Field("region_id", required=True, doc="e.g. unesco:africa, m49:002, focus:eeca"),
            Field("name", required=True),
            Field("scheme", "enum", True, choices=REGION_SCHEMES),
            *_PROV,
        ),
        doc="Regions, in several schemes.",
    ),
    Kind(
        "countries",
        key="iso3",
        label="Country",
        fields=(
            Field("iso3", "iso3", True, doc="ISO 3166-1 alpha-3 code"),
            Field("name", required=True),
            *_PROV,
        ),
        doc="Countries by ISO 3166-1 alpha-3 code.",
    ),
    Kind(
        "country_regions",
        key="link_id",
        rel_type="IN_REGION",
        start="iso3",
        end="region_id",
        fields=(
            Field("link_id", doc="optional; made from iso3 and region_id when empty"),
            Field("iso3", "ref", True, ref="countries"),
            Field("region_id", "ref", True, ref="regions"),
            *_PROV,
        ),
        doc="Which region (of each scheme) a country belongs to.",
    ),
    Kind(
        "organizations",
        key="org_id",
        label="Organization",
        references=(
            Reference("country", "BASED_IN", "countries"),
            Reference("parent_id", "PART_OF", "organizations"),
        ),
        fields=(
            Field("org_id", required=True, doc="short stable id, e.g. bnu"),
            Field("name", required=True),
            Field("acronym"),
            Field(
                "sector",
                "enum",
                choices=SECTORS,
                doc="for diversity analyses; empty when no document states it (never guessed)",
            ),
            Field("org_type", "enum", True, choices=ORG_TYPES),
            Field("country", "ref", ref="countries", doc="ISO3 of where it is based"),
            Field("parent_id", "ref", ref="organizations", doc="unit or office of"),
            Field("city"),
            *_PROV,
        ),
        doc="Donors, partners, UN units and offices, universities, companies, pools.",
    ),
    Kind(
        "projects",
        key="project_id",
        label="Project",
        fields=(
            Field("project_id", required=True),
            Field("title", required=True),
            Field("status", "enum", True, choices=PROJECT_STATUSES),
            Field("start_year", "year"),
            Field("end_year", "year"),
            Field("budget", "number", doc="total budget when the document gives one"),
            Field("currency", "currency", doc="currency of budget"),
            Field("budget_usd", "number"),
            Field(
                "budget_rate_source",
                doc="where the rate for budget_usd comes from (source and date), when converted",
            ),
            Field("description", "text"),
            Field("themes", doc="sector codes, '; '-separated vocabulary:code ('dac:11420')"),
            Field("external", "bool", doc=EXTERNAL_DOC),
            *_PROV,
        ),
        doc="Projects and agreements.",
    ),
    Kind(
        "networks",
        key="network_id",
        label="Network",
        fields=(
            Field("network_id", required=True),
            Field("name", required=True),
            Field("scope", doc="global, regional, national"),
            *_PROV,
        ),
        doc="Networks and platforms.",
    ),
    Kind(
        "events",
        key="event_id",
        label="Event",
        references=(
            Reference("country", "HELD_IN", "countries"),
            Reference("project_id", "PART_OF_PROJECT", "projects"),
        ),
        fields=(
            Field("event_id", required=True),
            Field("title", required=True),
            Field("kind", "enum", True, choices=EVENT_KINDS),
            Field("date", "date", doc="YYYY, YYYY-MM or YYYY-MM-DD (first day)"),
            Field("end_date", "date"),
            Field("year", "year", doc="year the event took place"),
            Field("city"),
            Field("country", "ref", ref="countries", doc="ISO3 where it was held"),
            Field("online", "bool"),
            Field("participants", "int", doc="participant count the document gives"),
            Field("project_id", "ref", ref="projects"),
            *_PROV,
        ),
        doc="Conferences, forums, webinars, workshops, competitions, study tours.",
    ),
    Kind(
        "funding",
        key="flow_id",
        rel_type="FUNDS",
        start="donor_id",
        end="recipient_id",
        fields=(
            Field("flow_id", required=True, doc="one id per flow"),
            Field("donor_id", "ref", True, ref="organizations"),
            Field("recipient_id", "ref", True, ref="organizations"),
            Field("project_id", "ref", ref="projects", doc="project the money is for"),
            Field("year", "year", doc="year of the flow; empty when the source gives none"),
            Field("amount", "number", doc="as the document gives it; empty = unknown"),
            Field("currency", "currency"),
            Field("amount_usd", "number", doc="USD as the document gives it or at usd_rate"),
            Field("usd_rate", "number", doc="USD per unit of currency used for amount_usd"),
            Field(
                "rate_source",
                doc="where usd_rate comes from: e.g. 'ECB reference rate of 2011-11-01'",
            ),
            Field("kind", "enum", True, choices=FLOW_KINDS),
            Field("channel", "enum", True, choices=CHANNELS),
            Field("period", doc="e.g. 'first 7 months'"),
            Field(
                "flow_type",
                "enum",
                choices=FLOW_TYPES,
                doc="income (default when empty), commitment, disbursement... (IATI, 360Giving)",
            ),
            Field("date", "date", doc="transaction or award date, when known"),
            Field("value_date", "date", doc="date the value's currency was fixed (IATI)"),
            Field("provider_project_id", doc="activity the money came from (IATI chains)"),
            Field("pooled", "bool", doc="true when the donor is a pool of several donors"),
            Field("external", "bool", doc=EXTERNAL_DOC),
            *_PROV,
        ),
        doc="Funding flows, one per flow: donor → recipient.",
    ),
    Kind(
        "pool_members",
        key="link_id",
        rel_type="POOLS",
        start="pool_id",
        end="org_id",
        fields=(
            Field("link_id"),
            Field("pool_id", "ref", True, ref="organizations"),
            Field("org_id", "ref", True, ref="organizations"),
            *_PROV,
        ),
        doc="Donors that a pooled donor (sector=pool) stands for.",
    ),
    Kind(
        "partnerships",
        key="link_id",
        rel_type="PARTNER_IN",
        start="org_id",
        end="project_id",
        fields=(
            Field("link_id"),
            Field("org_id", "ref", True, ref="organizations"),
            Field("project_id", "ref", True, ref="projects"),
            Field(
                "role",
                "enum",
                True,
                choices=("donor", "lead", "implementer", "partner", "coordinator", "beneficiary"),
            ),
            *_PROV,
        ),
        doc="Who takes part in a project, and in what role.",
    ),
    Kind(
        "memberships",
        key="link_id",
        rel_type="MEMBER_OF",
        start="org_id",
        end="network_id",
        fields=(
            Field("link_id"),
            Field("org_id", "ref", True, ref="organizations"),
            Field("network_id", "ref", True, ref="networks"),
            Field("role", doc="member, key member, coordinator, collaborator"),
            *_PROV,
        ),
        doc="Who belongs to a network.",
    ),
    Kind(
        "targets",
        key="link_id",
        rel_type="TARGETS",
        start="project_id",
        end="target_id",
        fields=(
            Field("link_id"),
            Field("project_id", "ref", True, ref="projects"),
            Field(
                "target_id",
                "ref",
                True,
                ref="countries|regions",
                doc="ISO3 of a country, or a region_id (a regional bucket)",
            ),
            Field("share", "share", doc="share of the project for this target, if stated"),
            *_PROV,
        ),
        doc="Countries and regions a project targets.",
    ),
    Kind(
        "event_organizers",
        key="link_id",
        rel_type="ORGANIZED",
        start="org_id",
        end="event_id",
        fields=(
            Field("link_id"),
            Field("org_id", "ref", True, ref="organizations"),
            Field("event_id", "ref", True, ref="events"),
            Field(
                "role",
                "enum",
                True,
                choices=(
                    "organizer",
                    "co_organizer",
                    "host",
                    "co_chair",
                    "sponsor",
                    "contributor",
                    "signatory",
                ),
            ),
            *_PROV,
        ),
        doc="Who organized, co-organized, hosted, chaired, supported or signed an event (an "
        "agreement signed is an event of kind other, its parties signatories).",
    ),
    Kind(
        "event_countries",
        key="link_id",
        rel_type="INVOLVES",
        start="event_id",
        end="iso3",
        fields=(
            Field("link_id"),
            Field("event_id", "ref", True, ref="events"),
            Field("iso3", "ref", True, ref="countries"),
            *_PROV,
        ),
        doc="Countries whose people took part in an event (beyond the host country).",
    ),
)

_ASSUMED = (
    Field(
        "stated_by",
        required=True,
        doc="who set this assumption (a person, a team, a meeting and its date): a planning "
        "assumption, never a fact of the documents",
    ),
    Field("note", "text", doc="why, in a sentence"),
    Field("source_id", "ref", ref="sources", doc="a document that supports it, if any"),
    Field("quote", "text", doc="the sentence of that document, if any"),
)

_MONEY = (
    Field("currency", "currency", doc="currency of the amounts; needed when an amount is given"),
    Field("usd_rate", "number", doc="USD per unit of currency (not needed for USD)"),
)

_KINDS = (
    *_KINDS,
    Kind(
        "prospects",
        key="prospect_id",
        label="Prospect",
        fields=(
            Field("prospect_id", required=True, doc="short id, e.g. p-eu-2027"),
            Field("title", required=True, doc="what the agreement would be"),
            Field("donor_id", "ref", ref="organizations", doc="a donor already in the data"),
            Field("donor_name", doc="a donor not in the data yet (when there is no donor_id)"),
            Field(
                "donor_sector",
                "enum",
                choices=SECTORS,
                doc="a new donor's sector (a known donor's own sector is used)",
            ),
            Field("amount", "number", doc="a year's amount, when one figure is expected"),
            Field("amount_low", "number", doc="a year's amount, low end of a range"),
            Field("amount_high", "number", doc="a year's amount, high end of a range"),
            *_MONEY,
            Field("amount_usd", "number", doc="USD of amount (filled from usd_rate)"),
            Field("amount_usd_low", "number", doc="USD of amount_low (filled from usd_rate)"),
            Field("amount_usd_high", "number", doc="USD of amount_high (filled from usd_rate)"),
            Field("start_year", "year", True, doc="first year the money would come"),
            Field("end_year", "year", doc="last year (the start year when empty)"),
            Field("probability", "share", True, doc="the chance it is signed (0–1 or 0–100 %)"),
            Field("region_id", "ref", ref="regions", doc="the region it would serve"),
            Field("channel", "enum", choices=CHANNELS, doc="extrabudgetary when empty"),
            *_ASSUMED,
        ),
        doc="Possible agreements with a donor, known or new: a planning assumption.",
    ),
    Kind(
        "renewals",
        key="renewal_id",
        label="Renewal",
        fields=(
            Field("renewal_id", required=True, doc="short id, e.g. r-host-country"),
            Field("project_id", "ref", ref="projects", doc="the agreement that would be extended"),
            Field(
                "donor_id",
                "ref",
                ref="organizations",
                doc="or a donor's yearly contribution (with channel), when there is no project",
            ),
            Field("channel", "enum", choices=CHANNELS, doc="the channel of that contribution"),
            Field("probability", "share", True, doc="the chance it is extended (0–1 or 0–100 %)"),
            Field(
                "level",
                "number",
                doc="a year's amount as a multiple of the basis year's (1 = the same; the "
                "default when no amount is given)",
            ),
            Field("amount", "number", doc="or a year's amount, instead of a level"),
            *_MONEY,
            Field("amount_usd", "number", doc="USD of amount (filled from usd_rate)"),
            Field(
                "basis_year",
                "year",
                doc="the year whose known money the level multiplies (default: the latest year "
                "known for the whole year)",
            ),
            Field("from_year", "year", doc="first year of the extension (default: the year after)"),
            Field("to_year", "year", doc="last year (default: the end of the planning period)"),
            Field(
                "region_id",
                "ref",
                ref="regions",
                doc="the region a contribution serves, when it is not a project's",
            ),
            *_ASSUMED,
        ),
        doc="The chance an agreement that ends is extended, and at what level: a planning "
        "assumption.",
    ),
)

#: Labels of planning assumptions (prospects, renewals): stored like any record, never part
#: of the partnership graph the network analyses read.
PLANNING_LABELS = ("Prospect", "Renewal")

#: Every record kind by name, in load order (a kind only refers to kinds before it,
#: except organizations.parent_id, which refers to its own kind).
KINDS: dict[str, Kind] = {k.name: k for k in _KINDS}
LOAD_ORDER: tuple[str, ...] = tuple(KINDS)
NODE_LABELS: tuple[str, ...] = tuple(k.label for k in _KINDS if k.label)
GRAPH_LABELS: tuple[str, ...] = tuple(x for x in NODE_LABELS if x not in PLANNING_LABELS)
REL_TYPES: tuple[str, ...] = tuple(
    sorted(
        {k.rel_type for k in _KINDS if k.rel_type}
        | {r.rel_type for k in _KINDS for r in k.references}
    )
)


def columns_markdown() -> str:
    """The column reference of every record kind as Markdown (the README embeds it).

    >>> print(columns_markdown().splitlines()[0])
    #### `sources.csv` — Documents the dataset was built from.
    """
    out = []
    for kind in _KINDS:
        what = f"node `{kind.label}`" if kind.is_node else f"relationship `{kind.rel_type}`"
        out.append(f"#### `{kind.name}.csv` — {kind.doc}")
        out.append("")
        out.append(f"Becomes: {what}; key column `{kind.key}`.")
        out.append("")
        out.append("| column | type | required | meaning |")
        out.append("|---|---|---|---|")
        for f in kind.fields:
            t = f.type
            if f.type == "enum":
                t = "one of " + ", ".join(f"`{c}`" for c in f.choices)
            elif f.type == "ref":
                t = "id in " + " or ".join(f"`{r}`" for r in f.ref.split("|"))
            out.append(f"| `{f.name}` | {t} | {'yes' if f.required else ''} | {f.doc} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
