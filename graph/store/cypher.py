"""Every Cypher statement the project sends, in one place, always parameterized.

Labels and relationship types cannot be parameters in Cypher; they are filled in here only
from the schema's fixed lists (:data:`graph.schema.NODE_LABELS`, :data:`REL_TYPES`), never
from user input. Values always travel as ``$parameters``.

The statements stay in the subset that Neo4j 5 and ArcadeDB's openCypher both run.

Examples
--------
>>> print(merge_nodes("Project")[:69])
UNWIND $rows AS row MERGE (n:Project {id: row.id}) SET n += row.props
>>> merge_nodes("Project) DETACH DELETE (x")
Traceback (most recent call last):
...
ValueError: unknown node label 'Project) DETACH DELETE (x'; known: Source, Region, Country, Organization, Project, Network, Event, Prospect, Renewal
"""

from __future__ import annotations

from graph.schema import CLOCK_LABEL, LOAD_LABEL, NODE_LABELS, REL_TYPES
from graph.store.changes import SOURCES
from graph.store.vocabulary import FLOW_COLUMNS, check_label, check_rel_type

__all__ = [
    "node_constraint",
    "rel_constraint",
    "merge_nodes",
    "merge_rels",
    "create_rels",
    "existing_node_ids",
    "existing_rel_ids",
    "stored_nodes",
    "stored_rels",
    "source_nodes",
    "source_rels",
    "delete_rels",
    "delete_untied_nodes",
    "detach_delete_nodes",
    "ties_of_nodes",
    "retag_nodes",
    "retag_rels",
    "PING",
    "MARK_LOAD",
    "READ_CLOCK",
    "TICK_CLOCK",
    "LOAD_HISTORY",
    "COUNT_NODES",
    "EXTERNAL_PROJECTS",
    "COUNT_RELS",
    "node_table",
    "node_by_id",
    "delete_all",
    "rel_table",
    "filtered_nodes",
    "FUNDING_FLOWS",
    "neighbours",
    "all_constraints",
    "FUNDING_KEY_EXPR",
    "funding_sums",
    "funding_pairs",
    "PARTNERS_IN_ROLE",
    "packed",
    "SUM_COLUMNS",
    "ORG_REGIONS",
    "TARGET_TIES",
    "TARGET_PLACES",
    "REGION_MEMBERS",
]


def node_constraint(label: str) -> str:
    """Uniqueness of ``id`` for one label (created before any MERGE)."""
    label = check_label(label) if label not in (LOAD_LABEL, CLOCK_LABEL) else label
    name = f"{label.lower()}_id"
    return f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"


def rel_constraint(rel_type: str) -> str:
    """Uniqueness of ``id`` for one relationship type."""
    t = check_rel_type(rel_type)
    return (
        f"CREATE CONSTRAINT {t.lower()}_id IF NOT EXISTS FOR ()-[r:{t}]-() REQUIRE r.id IS UNIQUE"
    )


def all_constraints() -> list[str]:
    """Every constraint statement, nodes first."""
    return (
        [node_constraint(label) for label in NODE_LABELS]
        + [node_constraint(LOAD_LABEL), node_constraint(CLOCK_LABEL)]
        + [rel_constraint(t) for t in REL_TYPES]
    )


def _add_sources(var: str) -> str:
    """A SET clause that adds ``row.sources`` to a record's sources as the server holds
    them when it writes (another load may have added its own since this one read them)."""
    return (
        f" SET {var}.{SOURCES} = CASE WHEN row.sources IS NULL THEN {var}.{SOURCES} ELSE "
        f"[s IN coalesce({var}.{SOURCES}, []) WHERE NOT s IN row.sources] + row.sources END"
    )


def merge_nodes(label: str) -> str:
    """Idempotent batch write of nodes: ``$rows`` = ``[{id, props, sources}]``."""
    label = check_label(label)
    return (
        f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props"
        + _add_sources("n")
    )


def merge_rels(rel_type: str, start_label: str, end_label: str) -> str:
    """Idempotent batch write of relationships: ``$rows`` = ``[{id, start, end, props}]``."""
    t, a, b = check_rel_type(rel_type), check_label(start_label), check_label(end_label)
    return (
        f"UNWIND $rows AS row MATCH (a:{a} {{id: row.start}}) MATCH (b:{b} {{id: row.end}}) "
        f"MERGE (a)-[r:{t} {{id: row.id}}]->(b) SET r += row.props" + _add_sources("r")
    )


def create_rels(rel_type: str, start_label: str, end_label: str) -> str:
    """Batch write of relationships known to be new (no relationship of the type has their
    ids): ``CREATE``, which needs no look at the relationships already between the two
    ends, where ``MERGE`` compares with every one of them (a donor's thousands of flows to
    one recipient make a ``MERGE`` load quadratic)."""
    t, a, b = check_rel_type(rel_type), check_label(start_label), check_label(end_label)
    return (
        f"UNWIND $rows AS row MATCH (a:{a} {{id: row.start}}) MATCH (b:{b} {{id: row.end}}) "
        f"CREATE (a)-[r:{t} {{id: row.id}}]->(b) SET r += row.props" + _add_sources("r")
    )


def existing_node_ids(label: str) -> str:
    """Which of ``$ids`` exist as nodes of ``label`` (one index look-up per id)."""
    label = check_label(label)
    return f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN n.id AS id"


def existing_rel_ids(rel_type: str) -> str:
    """Which of ``$ids`` exist as relationships of a type (one look-up per id)."""
    t = check_rel_type(rel_type)
    return f"UNWIND $ids AS id MATCH ()-[r:{t} {{id: id}}]->() RETURN r.id AS id"


def stored_nodes(label: str) -> str:
    """The stored versions of the nodes of ``label`` among ``$ids``."""
    label = check_label(label)
    return f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN properties(n) AS p"


def stored_rels(rel_type: str) -> str:
    """The stored versions of the relationships of a type among ``$ids``, with their ends."""
    t = check_rel_type(rel_type)
    return (
        f"UNWIND $ids AS id MATCH (a)-[r:{t} {{id: id}}]->(b) "
        "RETURN properties(r) AS p, a.id AS start, b.id AS end"
    )


def source_nodes(label: str) -> str:
    """The nodes of ``label`` that ``$source`` loaded: id and sources."""
    label = check_label(label)
    return (
        f"MATCH (n:{label}) WHERE $source IN n.{SOURCES} "
        f"RETURN n.id AS id, n.{SOURCES} AS {SOURCES}"
    )


def source_rels(rel_type: str) -> str:
    """The relationships of a type that ``$source`` loaded: id and sources."""
    t = check_rel_type(rel_type)
    return (
        f"MATCH ()-[r:{t}]->() WHERE $source IN r.{SOURCES} "
        f"RETURN r.id AS id, r.{SOURCES} AS {SOURCES}"
    )


def delete_rels(rel_type: str) -> str:
    """Delete the relationships of a type whose id is among ``$ids``; how many."""
    t = check_rel_type(rel_type)
    return f"UNWIND $ids AS id MATCH ()-[r:{t} {{id: id}}]->() DELETE r RETURN count(*) AS n"


def delete_untied_nodes(label: str) -> str:
    """Delete the nodes of ``label`` among ``$ids`` that no relationship touches (one still
    tied to another record stays); how many."""
    label = check_label(label)
    return (
        f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) OPTIONAL MATCH (n)--(m) "
        "WITH n, count(m) AS ties WHERE ties = 0 DELETE n RETURN count(*) AS n"
    )


def detach_delete_nodes(label: str) -> str:
    """Delete the nodes of ``label`` among ``$ids`` with all their relationships; how many."""
    label = check_label(label)
    return f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) DETACH DELETE n RETURN count(*) AS n"


def ties_of_nodes(label: str) -> str:
    """The relationships of the nodes of ``label`` among ``$ids``, counted by type."""
    label = check_label(label)
    return (
        f"UNWIND $ids AS id MATCH (n:{label} {{id: id}})-[r]-() "
        "RETURN type(r) AS type, count(DISTINCT r) AS n"
    )


def retag_nodes(label: str) -> str:
    """Set the sources of nodes: ``$rows`` = ``[{id, sources}]``."""
    label = check_label(label)
    return (
        f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) "
        f"SET n.{SOURCES} = row.sources RETURN count(*) AS n"
    )


def retag_rels(rel_type: str) -> str:
    """Set the sources of relationships: ``$rows`` = ``[{id, sources}]``."""
    t = check_rel_type(rel_type)
    return (
        f"UNWIND $rows AS row MATCH ()-[r:{t} {{id: row.id}}]->() "
        f"SET r.{SOURCES} = row.sources RETURN count(*) AS n"
    )


#: A query that only proves the database answers.
PING = "RETURN 1 AS one"

MARK_LOAD = f"MERGE (l:{LOAD_LABEL} {{id: $id}}) SET l += $props"
LOAD_HISTORY = f"MATCH (l:{LOAD_LABEL}) RETURN properties(l) AS p"

#: The count of writes the server has taken (none yet: no row).
READ_CLOCK = f"MATCH (c:{CLOCK_LABEL} {{id: 'writes'}}) RETURN c.n AS n"

#: Moves the count on, first thing in a load's write transaction: Neo4j's write lock holds
#: other loads back until it commits; on ArcadeDB the second writer fails at commit. Either
#: way a load sees whether anyone wrote since it read the count (does its plan still hold).
TICK_CLOCK = (
    f"MERGE (c:{CLOCK_LABEL} {{id: 'writes'}}) SET c.n = coalesce(c.n, 0) + 1 RETURN c.n AS n"
)

EXTERNAL_PROJECTS = "MATCH (n:Project) WHERE n.external = true RETURN n.id AS id"
COUNT_NODES = "MATCH (n) RETURN labels(n) AS labels, count(*) AS n"
COUNT_RELS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n"


def node_table(label: str) -> str:
    """Every node of a label with its properties."""
    label = check_label(label)
    return f"MATCH (n:{label}) RETURN properties(n) AS p"


def node_by_id(label: str) -> str:
    """The node of ``label`` whose id is ``$id``."""
    label = check_label(label)
    return f"MATCH (n:{label} {{id: $id}}) RETURN properties(n) AS p"


def delete_all() -> list[str]:
    """Statements that delete every node of the schema's labels and the load markers."""
    return [
        f"MATCH (n:{label}) DETACH DELETE n" for label in (*NODE_LABELS, LOAD_LABEL, CLOCK_LABEL)
    ]


def rel_table(rel_type: str) -> str:
    """Every relationship of a type, with its ends' ids and labels."""
    t = check_rel_type(rel_type)
    return (
        f"MATCH (a)-[r:{t}]->(b) RETURN properties(r) AS p, a.id AS start, b.id AS end, "
        "labels(a) AS start_labels, labels(b) AS end_labels"
    )


def rel_pairs(rel_type: str) -> str:
    """Relationships of a type counted per pair of ends (ids and labels), not listed."""
    t = check_rel_type(rel_type)
    return (
        f"MATCH (a)-[r:{t}]->(b) RETURN a.id AS start, b.id AS end, "
        "labels(a) AS start_labels, labels(b) AS end_labels, count(r) AS count"
    )


_PLACE = {
    # label → (country pattern, region pattern) used by the country/region filters
    "Organization": (
        "EXISTS { MATCH (n)-[:BASED_IN]->(:Country {id: $country}) }",
        "EXISTS { MATCH (n)-[:BASED_IN]->(:Country)-[:IN_REGION]->(:Region {id: $region}) }",
    ),
    # a project is where it targets: a country, a region, and each country of a region
    "Project": (
        "(EXISTS { MATCH (n)-[:TARGETS]->(:Country {id: $country}) } OR "
        "EXISTS { MATCH (n)-[:TARGETS]->(:Region)<-[:IN_REGION]-(:Country {id: $country}) })",
        "(EXISTS { MATCH (n)-[:TARGETS]->(:Region {id: $region}) } OR "
        "EXISTS { MATCH (n)-[:TARGETS]->(:Country)-[:IN_REGION]->(:Region {id: $region}) } OR "
        "EXISTS { MATCH (n)-[:TARGETS]->(:Region)<-[:IN_REGION]-(:Country)"
        "-[:IN_REGION]->(:Region {id: $region}) })",
    ),
    "Event": (
        "EXISTS { MATCH (n)-[:HELD_IN|INVOLVES]->(:Country {id: $country}) }",
        "EXISTS { MATCH (n)-[:HELD_IN|INVOLVES]->(:Country)-[:IN_REGION]->(:Region {id: $region}) }",
    ),
    "Network": (
        "EXISTS { MATCH (n)<-[:MEMBER_OF]-(:Organization)-[:BASED_IN]->(:Country {id: $country}) }",
        "EXISTS { MATCH (n)<-[:MEMBER_OF]-(:Organization)-[:BASED_IN]->(:Country)"
        "-[:IN_REGION]->(:Region {id: $region}) }",
    ),
    "Country": (
        "n.id = $country",
        "EXISTS { MATCH (n)-[:IN_REGION]->(:Region {id: $region}) }",
    ),
}

_SECTOR = {
    "Organization": "n.sector = $sector",
    "Project": "EXISTS { MATCH (o:Organization)-[:PARTNER_IN]->(n) WHERE o.sector = $sector }",
    "Event": "EXISTS { MATCH (o:Organization)-[:ORGANIZED]->(n) WHERE o.sector = $sector }",
    "Network": "EXISTS { MATCH (o:Organization)-[:MEMBER_OF]->(n) WHERE o.sector = $sector }",
}

_YEARS = {
    "Project": (
        "($year_to IS NULL OR n.start_year IS NULL OR n.start_year <= $year_to) AND "
        "($year_from IS NULL OR n.end_year IS NULL OR n.end_year >= $year_from)"
    ),
    "Event": (
        "($year_from IS NULL OR (n.year IS NOT NULL AND n.year >= $year_from)) AND "
        "($year_to IS NULL OR (n.year IS NOT NULL AND n.year <= $year_to))"
    ),
}


def filtered_nodes(label: str) -> str:
    """Nodes of a label that pass the filters ``$year_from, $year_to, $region, $country,
    $sector`` (each may be null); the meaning of each filter per label is documented in
    :class:`graph.store.Filters`."""
    label = check_label(label)
    conds = []
    if label in _YEARS:
        conds.append(_YEARS[label])
    if label in _SECTOR:
        conds.append(f"($sector IS NULL OR {_SECTOR[label]})")
    if label in _PLACE:
        country, region = _PLACE[label]
        conds.append(f"($country IS NULL OR {country})")
        conds.append(f"($region IS NULL OR {region})")
    where = " WHERE " + " AND ".join(conds) if conds else ""
    return f"MATCH (n:{label}){where} RETURN properties(n) AS p"


#: The flow columns (:data:`~graph.store.base.FLOW_COLUMNS`) that are not the flow's own
#: properties, as named columns (100,000 rows of values: 2.7 s; of property maps: 6–7 s).
_FLOW_ENDS = {
    "flow_id": "r.id",
    "donor_id": "d.id",
    "donor": "d.name",
    "donor_sector": "d.sector",
    "donor_country": "d.country",
    "recipient_id": "rc.id",
    "recipient": "rc.name",
}

#: The filters of a read of flows (:class:`~graph.store.Filters`).
_FLOW_WHERE = (
    "WHERE ($year_from IS NULL OR (r.year IS NOT NULL AND r.year >= $year_from)) "
    "AND ($year_to IS NULL OR (r.year IS NOT NULL AND r.year <= $year_to)) "
    "AND ($sector IS NULL OR d.sector = $sector) "
    f"AND ($country IS NULL OR {_PLACE['Organization'][0].replace('(n)', '(d)')}) "
    f"AND ($region IS NULL OR {_PLACE['Organization'][1].replace('(n)', '(d)')}) "
    "AND coalesce(r.external, false) = $external "
    "AND ($donors IS NULL OR d.id IN $donors) AND ($recipients IS NULL OR rc.id IN $recipients) "
    "AND ($projects IS NULL OR $projects[coalesce(r.project_id, '')] IS NOT NULL) "
)

FUNDING_FLOWS = (
    "MATCH (d:Organization)-[r:FUNDS]->(rc:Organization) "
    + _FLOW_WHERE
    + "RETURN "
    + ", ".join(f"{_FLOW_ENDS.get(c, f'r.{c}')} AS {c}" for c in FLOW_COLUMNS)
)


def ties_of(label: str) -> str:
    """The relationships whose type is in ``$types`` from or to the node of ``label`` whose
    id is ``$id``, with their properties and their ends."""
    label = check_label(label)
    return (
        f"MATCH (a:{label} {{id: $id}})-[r]-(b) WHERE type(r) IN $types "
        "RETURN type(r) AS type, properties(r) AS p, startNode(r).id AS start, "
        "endNode(r).id AS end, labels(startNode(r)) AS start_labels, "
        "labels(endNode(r)) AS end_labels"
    )


def neighbours(label: str) -> str:
    """One hop from the nodes of ``label`` whose ids are in ``$ids``, either direction."""
    label = check_label(label)
    return (
        f"MATCH (a:{label})-[r]-(b) WHERE a.id IN $ids "
        "RETURN r.id AS id, type(r) AS type, startNode(r).id AS start, endNode(r).id AS end, "
        "labels(startNode(r)) AS start_labels, labels(endNode(r)) AS end_labels, "
        "b.id AS other, labels(b) AS other_labels, "
        "coalesce(b.name, b.title, b.id) AS other_name"
    )


# -- funding aggregation (graph.store.GraphStore.funding_totals) -----------------------

#: Cypher expression of each flow-level grouping key (``d`` donor, ``r`` flow, ``rc``
#: recipient). Keys are checked against :data:`graph.store.FLOW_KEYS`; values never
#: come from users.
FUNDING_KEY_EXPR = {
    "donor": "d.id",
    "donor_sector": "d.sector",
    "donor_country": "d.country",
    "recipient": "rc.id",
    "project": "r.project_id",
    "year": "r.year",
    "channel": "r.channel",
    "kind": "r.kind",
    "flow_type": "coalesce(r.flow_type, 'income')",
    "pooled": "(coalesce(r.pooled, false) OR coalesce(d.sector = 'pool', false))",
    "currency": "r.currency",
    "period": "r.period",
}

_FUNDING_WHERE = _FLOW_WHERE + "AND coalesce(r.flow_type, 'income') IN $flow_types "


#: What :func:`funding_sums` returns after its keys.
SUM_COLUMNS = ("amount_usd", "flows", "usd_known", "amount_known")
_SUMS = (
    "sum(r.amount_usd) AS amount_usd, count(r) AS flows, "
    "count(r.amount_usd) AS usd_known, count(r.amount) AS amount_known"
)


def packed(query: str, columns) -> str:
    """``query``, whose last clause is ``RETURN … AS c1, … AS cn`` (no ORDER BY, SKIP or
    LIMIT), rewritten to send its rows as one list of ``[c1, …, cn]`` lists: a Bolt client
    reads one record of lists much faster than as many records as there are rows (the
    grouping is the same: the ``RETURN`` becomes a ``WITH``).

    >>> packed("MATCH (n:Project) RETURN n.id AS id, count(*) AS n", ("id", "n"))
    'MATCH (n:Project) WITH n.id AS id, count(*) AS n RETURN collect([id, n]) AS rows'
    """
    head, sep, body = query.rpartition("RETURN ")
    if not sep:
        raise ValueError("the query has no RETURN clause")
    return f"{head}WITH {body} RETURN collect([{', '.join(columns)}]) AS rows"


def funding_sums(keys: tuple[str, ...]) -> str:
    """Sums of funding grouped by ``keys`` in the database.

    Parameters: the filters (``$year_from`` … ``$sector``) and ``$flow_types``. Returns
    the keys, ``amount_usd`` (sum of known USD amounts), ``flows``, ``usd_known`` and
    ``amount_known`` (counts of flows with a USD amount, with an amount).

    >>> print(funding_sums(("donor", "year")).split("RETURN ")[1])
    d.id AS donor, r.year AS year, sum(r.amount_usd) AS amount_usd, count(r) AS flows, count(r.amount_usd) AS usd_known, count(r.amount) AS amount_known
    >>> funding_sums(("donor) DETACH DELETE d //",))
    Traceback (most recent call last):
    ...
    ValueError: unknown funding key 'donor) DETACH DELETE d //'
    """  # noqa: E501
    parts = []
    for k in keys:
        if k not in FUNDING_KEY_EXPR:
            raise ValueError(f"unknown funding key {k!r}")
        parts.append(f"{FUNDING_KEY_EXPR[k]} AS {k}")
    return (
        "MATCH (d:Organization)-[r:FUNDS]->(rc:Organization) "
        + _FUNDING_WHERE
        + "RETURN "
        + ", ".join([*parts, _SUMS])
    )


def funding_pairs(a: str, b: str) -> str:
    """Per value of flow key ``a``, the distinct known values of key ``b`` among the
    flows that pass the filters and ``$flow_types`` (as :func:`funding_sums` filters):
    columns ``a`` and ``b`` (a list), then the sums of those flows (:data:`SUM_COLUMNS`),
    which the same pass adds up for little more (100,000 flows on ArcadeDB: 0.39 s for
    both, against 0.33 s for the pairs and 0.31 s for the sums apart).

    >>> print(funding_pairs("project", "donor").split("RETURN ")[1][:46])
    r.project_id AS a, collect(DISTINCT d.id) AS b
    """
    for k in (a, b):
        if k not in FUNDING_KEY_EXPR:
            raise ValueError(f"unknown funding key {k!r}")
    return (
        "MATCH (d:Organization)-[r:FUNDS]->(rc:Organization) "
        + _FUNDING_WHERE
        + f"RETURN {FUNDING_KEY_EXPR[a]} AS a, collect(DISTINCT {FUNDING_KEY_EXPR[b]}) AS b, "
        + _SUMS
    )


#: The organizations taking part in a project in the role ``$role``.
PARTNERS_IN_ROLE = (
    "MATCH (o:Organization)-[r:PARTNER_IN]->(p:Project) WHERE r.role = $role "
    "RETURN p.id AS project, o.id AS org"
)


#: Flows with a negative USD amount (reversals, decommitments), by donor and recipient.
NEGATIVE_FLOWS = (
    "MATCH (d:Organization)-[r:FUNDS]->(rc:Organization) "
    + _FUNDING_WHERE
    + "AND r.amount_usd < 0 "
    "RETURN d.id AS donor, rc.id AS recipient, count(r) AS flows, sum(r.amount_usd) AS amount_usd"
)

#: Organizations and the regions of ``$scheme`` their country lies in.
ORG_REGIONS = (
    "MATCH (o:Organization)-[:BASED_IN]->(:Country)-[:IN_REGION]->(g:Region) "
    "WHERE g.scheme = $scheme RETURN o.id AS id, collect(DISTINCT g.id) AS regions"
)

#: Every TARGETS relationship: the project, the target, its labels and the share.
TARGET_TIES = (
    "MATCH (p:Project)-[t:TARGETS]->(x) "
    "RETURN p.id AS project, x.id AS target, labels(x) AS labels, t.share AS share"
)

#: Every node a project targets, once: its labels and scheme, a country's regions of
#: ``$scheme``, a region's countries with theirs (once per target, not per project).
TARGET_PLACES = (
    "MATCH (:Project)-[:TARGETS]->(x) WITH DISTINCT x "
    "OPTIONAL MATCH (x)-[:IN_REGION]->(g:Region) WHERE g.scheme = $scheme "
    "WITH x, collect(DISTINCT g.id) AS regions "
    "OPTIONAL MATCH (c:Country)-[:IN_REGION]->(x) "
    "OPTIONAL MATCH (c)-[:IN_REGION]->(h:Region) WHERE h.scheme = $scheme "
    "WITH x, regions, c, collect(DISTINCT h.id) AS country_regions "
    "RETURN x.id AS target, labels(x) AS labels, x.scheme AS target_scheme, "
    "regions, collect([c.id, country_regions]) AS members"
)

#: Every region of ``$scheme`` with the countries in it.
REGION_MEMBERS = (
    "MATCH (g:Region) WHERE g.scheme = $scheme "
    "OPTIONAL MATCH (c:Country)-[:IN_REGION]->(g) "
    "RETURN g.id AS region, collect(DISTINCT c.id) AS countries"
)


#: Around one organization ``$inst`` (:mod:`graph.store.around`). Each pattern starts at the
#: node whose id is given: ArcadeDB plans from the first node, else walks every organization.
AROUND_REL_ENDS = {
    rel: f"MATCH (i:Organization {{id: $inst}})-[:{rel}]->(x:{label}) RETURN collect(DISTINCT x.id) AS ids"
    for rel, label in (("PARTNER_IN", "Project"), ("ORGANIZED", "Event"), ("MEMBER_OF", "Network"))
}
#: The projects ``$inst``'s own flows are tied to, and the organizations at their other end.
AROUND_MONEY = (
    "MATCH (i:Organization {id: $inst})-[f:FUNDS]-(o:Organization) "
    "RETURN collect(DISTINCT f.project_id) AS funded, collect(DISTINCT o.id) AS counterparts"
)
#: Organizations at an end of a funding tie of ``$external``, each tested for one tie (no
#: ``IN $list`` inside ``EXISTS``: ArcadeDB then answers none).
IN_MONEY = (
    "MATCH (o:Organization) WHERE EXISTS { MATCH (o)-[r:FUNDS]-() "
    "WHERE coalesce(r.external, false) = $external } RETURN collect(o.id) AS ids"
)
#: The events of the projects ``$ids``, with their years.
AROUND_PROJECT_EVENTS = (
    "UNWIND $ids AS pid MATCH (p:Project {id: pid})<-[:PART_OF_PROJECT]-(e:Event) "
    "RETURN e.id AS id, e.year AS year, p.id AS project"
)
#: The events ``$ids`` with their years.
AROUND_EVENTS = "UNWIND $ids AS eid MATCH (e:Event {id: eid}) RETURN e.id AS id, e.year AS year"
#: Per project that flows are tied to, a pass each (a list tested per flow with ``IN`` costs
#: flows × projects on ArcadeDB): its latest year; its donors and recipients (partners).
_TIED = "MATCH (d:Organization)-[f:FUNDS]->(r:Organization) WHERE f.project_id IS NOT NULL "
PROJECT_YEARS = _TIED + "RETURN f.project_id AS project, max(f.year) AS year"
PROJECT_PARTIES = _TIED + (
    "RETURN f.project_id AS project, collect(DISTINCT d.id) AS donors, "
    "collect(DISTINCT r.id) AS recipients"
)
#: The organizations tied by ``ORGANIZED`` or ``MEMBER_OF`` to the events or networks ``$ids``.
AROUND_TIES = {
    rel: (
        f"UNWIND $ids AS x MATCH (n:{label} {{id: x}})<-[:{rel}]-(o:Organization) "
        "RETURN o.id AS org, n.id AS at"
    )
    for rel, label in (("ORGANIZED", "Event"), ("MEMBER_OF", "Network"))
}

#: The console's own transactions on the server, found by the tag its queries carry
#: (``SHOW TRANSACTIONS``: Neo4j 5 and ArcadeDB; a user sees its own).
CONSOLE_TRANSACTIONS = (
    "SHOW TRANSACTIONS YIELD transactionId, currentQuery "
    "WHERE currentQuery CONTAINS $tag RETURN transactionId"
)
#: End transactions by id (a user may end its own).
TERMINATE_TRANSACTIONS = "TERMINATE TRANSACTIONS $ids"
