"""Facts about the Bolt server that the Neo4j store relies on, checked with the official driver.

They run against the ``bolt`` fixture: ArcadeDB started from the ``arcadedb-embedded`` wheel, or
the server named by ``NEO4J_URI``. Each test module run uses labels, relationship types and
constraint names with a random suffix, and removes them afterwards, so it shares the server with
other tests (and with real data on an external server) without touching them.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from neo4j import Driver, GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ClientError, ConstraintError, ServiceUnavailable
from neo4j.graph import Node, Relationship

from tests.bolt_server import BoltSettings, free_port

pytestmark = pytest.mark.bolt


@dataclass(frozen=True)
class Names:
    """Labels, relationship types and constraint names unique to one test module run."""

    suffix: str

    @property
    def org(self) -> str:
        """Organization label."""
        return f"Organization_{self.suffix}"

    @property
    def project(self) -> str:
        """Project label."""
        return f"Project_{self.suffix}"

    @property
    def funds(self) -> str:
        """Donor-to-organization relationship type."""
        return f"FUNDS_{self.suffix}"

    @property
    def partner_in(self) -> str:
        """Organization-to-project relationship type."""
        return f"PARTNER_IN_{self.suffix}"

    @property
    def plain(self) -> str:
        """A label that never gets a constraint."""
        return f"Scratch_{self.suffix}"

    def constraint_statements(self) -> list[str]:
        """The uniqueness constraints of the design, in the syntax both servers accept."""
        s = self.suffix
        return [
            f"CREATE CONSTRAINT org_id_{s} IF NOT EXISTS FOR (n:{self.org}) REQUIRE n.id IS UNIQUE",
            f"CREATE CONSTRAINT project_id_{s} IF NOT EXISTS "
            f"FOR (n:{self.project}) REQUIRE n.id IS UNIQUE",
            f"CREATE CONSTRAINT funds_id_{s} IF NOT EXISTS "
            f"FOR ()-[r:{self.funds}]-() REQUIRE r.id IS UNIQUE",
            f"CREATE CONSTRAINT partner_in_id_{s} IF NOT EXISTS "
            f"FOR ()-[r:{self.partner_in}]-() REQUIRE r.id IS UNIQUE",
        ]

    def constraint_names(self) -> list[str]:
        """Names of the constraints created by :meth:`constraint_statements`."""
        s = self.suffix
        return [f"org_id_{s}", f"project_id_{s}", f"funds_id_{s}", f"partner_in_id_{s}"]


@pytest.fixture(scope="module")
def driver(bolt: BoltSettings) -> Iterator[Driver]:
    """One driver for the module, connected to the session's Bolt server."""
    with GraphDatabase.driver(bolt.uri, auth=(bolt.user, bolt.password)) as drv:
        drv.verify_connectivity()
        yield drv


@pytest.fixture(scope="module")
def names(driver: Driver, bolt: BoltSettings) -> Iterator[Names]:
    """Module-unique names, with the uniqueness constraints in place; cleaned up afterwards."""
    n = Names(uuid.uuid4().hex[:8])
    for statement in n.constraint_statements():
        driver.execute_query(statement, database_=bolt.database)
    yield n
    for label in (n.org, n.project, n.plain):
        driver.execute_query(f"MATCH (x:{label}) DETACH DELETE x", database_=bolt.database)
    for name in n.constraint_names():
        driver.execute_query(f"DROP CONSTRAINT {name} IF EXISTS", database_=bolt.database)


@pytest.fixture
def clean(driver: Driver, bolt: BoltSettings, names: Names) -> Iterator[Names]:
    """The module's names, with no node of its labels before and after the test."""

    def wipe() -> None:
        for label in (names.org, names.project, names.plain):
            driver.execute_query(f"MATCH (x:{label}) DETACH DELETE x", database_=bolt.database)

    wipe()
    yield names
    wipe()


def count(driver: Driver, db: str, query: str, **params: object) -> int:
    """Run a query returning one row with a column ``c`` and return that value."""
    return driver.execute_query(query, params, database_=db).records[0]["c"]


def is_arcadedb(driver: Driver) -> bool:
    """Whether the server is ArcadeDB (its agent string says so) rather than Neo4j."""
    return "arcadedb" in driver.get_server_info().agent.lower()


NASTY = [
    'O\'Brien & "Partners"',
    "{braces} [brackets] (parens)",
    "'}) DETACH DELETE n //",
    '"}) MATCH (m) DETACH DELETE m RETURN 1 //',
    "<script>alert('x')</script>",
    "back\\slash, $dollar, `backtick`, ;semicolon",
    "Ünïcödé – 日本語 – emoji 🙂",
    "line\nbreak\ttab",
    "",
]


def test_connectivity_and_server_agent(driver: Driver, bolt: BoltSettings) -> None:
    records, _, _ = driver.execute_query("RETURN 1 AS one", database_=bolt.database)
    assert records[0]["one"] == 1
    assert driver.get_server_info().agent


def test_parameters_round_trip_unchanged(driver: Driver, bolt: BoltSettings, clean: Names) -> None:
    rows = [{"id": f"nasty-{i}", "props": {"name": name}} for i, name in enumerate(NASTY)]
    driver.execute_query(
        f"UNWIND $rows AS row MERGE (n:{clean.org} {{id: row.id}}) SET n += row.props",
        rows=rows,
        database_=bolt.database,
    )
    records, _, _ = driver.execute_query(
        f"MATCH (n:{clean.org}) RETURN n.id AS id, n.name AS name", database_=bolt.database
    )
    assert {r["id"]: r["name"] for r in records} == {r["id"]: r["props"]["name"] for r in rows}
    # The injection attempts were data, not code: every node is still there.
    assert count(driver, bolt.database, f"MATCH (n:{clean.org}) RETURN count(n) AS c") == len(NASTY)
    # And a parameter used in a WHERE clause finds the exact value.
    for name in NASTY:
        found = count(
            driver,
            bolt.database,
            f"MATCH (n:{clean.org}) WHERE n.name = $name RETURN count(n) AS c",
            name=name,
        )
        assert found == 1, name


def test_constraints_are_idempotent_and_enforced(
    driver: Driver, bolt: BoltSettings, clean: Names
) -> None:
    db = bolt.database
    for statement in clean.constraint_statements():  # second run: IF NOT EXISTS is a no-op
        summary = driver.execute_query(statement, database_=db).summary
        assert summary.counters.constraints_added == 0
    shown = driver.execute_query("SHOW CONSTRAINTS", database_=db).records
    mine = {r["name"]: r for r in shown if r["name"] in clean.constraint_names()}
    assert set(mine) == set(clean.constraint_names())
    assert mine[f"funds_id_{clean.suffix}"]["entityType"] == "RELATIONSHIP"
    assert mine[f"org_id_{clean.suffix}"]["labelsOrTypes"] == [clean.org]
    assert mine[f"org_id_{clean.suffix}"]["properties"] == ["id"]

    driver.execute_query(f"CREATE (:{clean.org} {{id: 'o1', name: 'A'}})", database_=db)
    with pytest.raises(ConstraintError):
        driver.execute_query(f"CREATE (:{clean.org} {{id: 'o1', name: 'B'}})", database_=db)
    assert count(driver, db, f"MATCH (n:{clean.org} {{id: 'o1'}}) RETURN count(n) AS c") == 1

    driver.execute_query(
        f"CREATE (:{clean.org} {{id: 'd1'}})-[:{clean.funds} {{id: 'f1'}}]->(:{clean.org} {{id: 'o2'}})",
        database_=db,
    )
    with pytest.raises(ConstraintError):
        driver.execute_query(
            f"MATCH (a:{clean.org} {{id: 'd1'}}), (b:{clean.org} {{id: 'o1'}}) "
            f"CREATE (a)-[:{clean.funds} {{id: 'f1'}}]->(b)",
            database_=db,
        )
    assert count(driver, db, f"MATCH ()-[r:{clean.funds}]->() RETURN count(r) AS c") == 1


def test_failed_statement_writes_nothing(driver: Driver, bolt: BoltSettings, clean: Names) -> None:
    db = bolt.database
    driver.execute_query(f"CREATE (:{clean.org} {{id: 'taken'}})", database_=db)
    with pytest.raises(ConstraintError):
        driver.execute_query(
            f"UNWIND ['a', 'b', 'taken', 'c'] AS id CREATE (:{clean.org} {{id: id}})",
            database_=db,
        )
    assert count(driver, db, f"MATCH (n:{clean.org}) RETURN count(n) AS c") == 1


def load_sample(driver: Driver, db: str, n: Names) -> list[object]:
    """MERGE a small donor/organization/project graph; return the four result summaries."""
    orgs = [
        {"id": "d1", "props": {"name": "Donor 1", "kind": "donor", "region": "EU"}},
        {"id": "d2", "props": {"name": "Donor 2", "kind": "donor", "region": "NA"}},
        {"id": "o1", "props": {"name": "Org 1", "kind": "ngo", "region": "AF"}},
        {"id": "o2", "props": {"name": "Org 2", "kind": "ngo", "region": "AF"}},
        {"id": "o3", "props": {"name": "Lonely", "kind": "ngo", "region": None}},
    ]
    projects = [
        {"id": "p1", "props": {"title": "P1", "year": 2020}},
        {"id": "p2", "props": {"title": "P2", "year": 2021}},
    ]
    funds = [
        {"src": "d1", "dst": "o1", "id": "f1", "props": {"amount": 100.0, "year": 2020}},
        {"src": "d1", "dst": "o2", "id": "f2", "props": {"amount": 50.0, "year": 2021}},
        {"src": "d2", "dst": "o1", "id": "f3", "props": {"amount": 25.5, "year": 2020}},
    ]
    partners = [
        {"src": "o1", "dst": "p1", "id": "r1", "props": {"role": "lead"}},
        {"src": "o2", "dst": "p1", "id": "r2", "props": {"role": "partner"}},
        {"src": "o2", "dst": "p2", "id": "r3", "props": {"role": "lead"}},
        {"src": "missing", "dst": "p2", "id": "r4", "props": {"role": "ghost"}},
    ]
    node_merge = "UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row.props"
    rel_merge = (
        "UNWIND $rows AS row "
        "MATCH (a:{src} {{id: row.src}}), (b:{dst} {{id: row.dst}}) "
        "MERGE (a)-[r:{type} {{id: row.id}}]->(b) SET r += row.props"
    )
    return [
        driver.execute_query(node_merge.format(label=n.org), rows=orgs, database_=db).summary,
        driver.execute_query(
            node_merge.format(label=n.project), rows=projects, database_=db
        ).summary,
        driver.execute_query(
            rel_merge.format(src=n.org, dst=n.org, type=n.funds), rows=funds, database_=db
        ).summary,
        driver.execute_query(
            rel_merge.format(src=n.org, dst=n.project, type=n.partner_in),
            rows=partners,
            database_=db,
        ).summary,
    ]


def test_unwind_merge_is_idempotent_and_counted(
    driver: Driver, bolt: BoltSettings, clean: Names
) -> None:
    db = bolt.database
    first = load_sample(driver, db, clean)
    assert [s.counters.nodes_created for s in first] == [5, 2, 0, 0]
    assert [s.counters.relationships_created for s in first] == [0, 0, 3, 3]
    assert all(s.counters.properties_set > 0 for s in first)
    assert all(s.counters.contains_updates for s in first)

    second = load_sample(driver, db, clean)
    assert [s.counters.nodes_created for s in second] == [0, 0, 0, 0]
    assert [s.counters.relationships_created for s in second] == [0, 0, 0, 0]

    assert count(driver, db, f"MATCH (n:{clean.org}) RETURN count(n) AS c") == 5
    assert count(driver, db, f"MATCH (n:{clean.project}) RETURN count(n) AS c") == 2
    assert count(driver, db, f"MATCH ()-[r:{clean.funds}]->() RETURN count(r) AS c") == 3
    assert count(driver, db, f"MATCH ()-[r:{clean.partner_in}]->() RETURN count(r) AS c") == 3
    # A row whose endpoint is missing is dropped by MATCH, not created half-way.
    assert (
        count(driver, db, f"MATCH ()-[r:{clean.partner_in} {{id: 'r4'}}]->() RETURN count(r) AS c")
        == 0
    )


def test_merge_without_constraint_is_idempotent(
    driver: Driver, bolt: BoltSettings, clean: Names
) -> None:
    db = bolt.database
    for _ in range(2):
        driver.execute_query(f"MERGE (n:{clean.plain} {{code: 'EA'}})", database_=db)
    assert count(driver, db, f"MATCH (n:{clean.plain}) RETURN count(n) AS c") == 1


def test_property_values_nulls_lists_numbers_and_date_strings(
    driver: Driver, bolt: BoltSettings, clean: Names
) -> None:
    db = bolt.database
    props = {
        "name": "Org",
        "country": "KE",
        "tags": ["health", "water", "it's"],
        "empty_tags": [],
        "budget": 1.5,
        "whole_float": 2.0,
        "staff": 3,
        "big": 2**53 + 1,
        "active": True,
        "founded": "2001-02-03",
        "nothing": None,
    }
    driver.execute_query(
        f"MERGE (n:{clean.org} {{id: 'x'}}) SET n += $props", props=props, database_=db
    )
    got = driver.execute_query(
        f"MATCH (n:{clean.org} {{id: 'x'}}) RETURN properties(n) AS p", database_=db
    ).records[0]["p"]
    expected = {k: v for k, v in props.items() if v is not None and v != []} | {"id": "x"}
    assert {k: v for k, v in got.items() if k != "empty_tags"} == expected
    assert got.get("empty_tags", []) == []  # Neo4j may not keep an empty list's element type
    assert "nothing" not in got  # SET += with a null value does not create the key
    assert isinstance(got["staff"], int) and isinstance(got["big"], int)
    assert isinstance(got["budget"], float) and isinstance(got["whole_float"], float)
    assert isinstance(got["founded"], str)

    # A null in SET += removes an existing property; other keys stay.
    driver.execute_query(
        f"MATCH (n:{clean.org} {{id: 'x'}}) SET n += {{country: null, staff: 4}}", database_=db
    )
    record = driver.execute_query(
        f"MATCH (n:{clean.org} {{id: 'x'}}) "
        "RETURN keys(n) AS k, n.country AS country, n.staff AS staff, "
        "date(n.founded).year AS year, coalesce(n.country, 'unknown') AS shown",
        database_=db,
    ).records[0]
    assert "country" not in record["k"] and record["country"] is None
    assert record["staff"] == 4
    assert record["year"] == 2001
    assert record["shown"] == "unknown"


def test_explicit_transaction_rollback_and_commit(
    driver: Driver, bolt: BoltSettings, clean: Names
) -> None:
    db = bolt.database
    load_sample(driver, db, clean)
    total = f"MATCH (n) WHERE n:{clean.org} OR n:{clean.project} RETURN count(n) AS c"
    before = count(driver, db, total)
    with driver.session(database=db) as session:
        tx = session.begin_transaction()
        tx.run(f"CREATE (:{clean.org} {{id: 't1'}})").consume()
        tx.run(f"UNWIND range(1, 10) AS i CREATE (:{clean.project} {{id: 'tp' + toString(i)}})")
        tx.run(
            f"MATCH (a:{clean.org} {{id: 't1'}}), (b:{clean.project} {{id: 'p1'}}) "
            f"CREATE (a)-[:{clean.partner_in} {{id: 'tr'}}]->(b)"
        ).consume()
        tx.run(f"MATCH (n:{clean.org} {{id: 'd1'}}) SET n.touched = true").consume()
        tx.run(f"MATCH (n:{clean.org} {{id: 'o3'}}) DETACH DELETE n").consume()
        assert tx.run(total).single()["c"] == before + 11 - 1  # own writes are visible inside
        assert count(driver, db, total) == before  # and invisible outside before commit
        tx.rollback()
    assert count(driver, db, total) == before
    assert count(driver, db, f"MATCH (n:{clean.org} {{id: 'o3'}}) RETURN count(n) AS c") == 1
    assert count(driver, db, f"MATCH ()-[r:{clean.partner_in}]->() RETURN count(r) AS c") == 3
    touched = driver.execute_query(
        f"MATCH (n:{clean.org} {{id: 'd1'}}) RETURN n.touched AS t", database_=db
    ).records[0]["t"]
    assert touched is None

    with driver.session(database=db) as session:
        tx = session.begin_transaction()
        tx.run(f"CREATE (:{clean.org} {{id: 't1'}})").consume()
        tx.run(f"UNWIND range(1, 10) AS i CREATE (:{clean.project} {{id: 'tp' + toString(i)}})")
        tx.commit()
    assert count(driver, db, total) == before + 11


def test_transaction_with_a_constraint_violation_writes_nothing(
    driver: Driver, bolt: BoltSettings, clean: Names
) -> None:
    """The violation surfaces at the statement (Neo4j) or at commit (ArcadeDB); either way, none."""
    db = bolt.database
    driver.execute_query(f"CREATE (:{clean.org} {{id: 'taken'}})", database_=db)
    with driver.session(database=db) as session, pytest.raises(ConstraintError):  # noqa: SIM117
        with session.begin_transaction() as tx:
            tx.run(f"CREATE (:{clean.org} {{id: 'new'}})").consume()
            tx.run(f"CREATE (:{clean.org} {{id: 'taken'}})").consume()
            tx.commit()
    assert count(driver, db, f"MATCH (n:{clean.org}) RETURN count(n) AS c") == 1

    def work(tx) -> None:
        tx.run(f"CREATE (:{clean.org} {{id: 'new2'}})").consume()
        tx.run(f"CREATE (:{clean.org} {{id: 'taken'}})").consume()

    with driver.session(database=db) as session, pytest.raises(ConstraintError):
        session.execute_write(work)
    assert count(driver, db, f"MATCH (n:{clean.org}) RETURN count(n) AS c") == 1


def test_client_killed_mid_transaction_leaves_nothing(
    driver: Driver, bolt: BoltSettings, clean: Names
) -> None:
    db = bolt.database
    script = textwrap.dedent(
        f"""
        import os
        from neo4j import GraphDatabase
        driver = GraphDatabase.driver({bolt.uri!r}, auth=({bolt.user!r}, {bolt.password!r}))
        session = driver.session(database={db!r})
        tx = session.begin_transaction()
        tx.run("CREATE (:{clean.org} {{id: 'killed'}})").consume()
        tx.run("UNWIND range(1, 100) AS i CREATE (:{clean.plain} {{i: i}})").consume()
        print("written", flush=True)
        os._exit(1)
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert child.stdout.strip() == "written", child.stderr
    assert count(driver, db, f"MATCH (n:{clean.plain}) RETURN count(n) AS c") == 0
    assert count(driver, db, f"MATCH (n:{clean.org} {{id: 'killed'}}) RETURN count(n) AS c") == 0
    # The dead transaction holds no lock on the key: the same write now succeeds at once.
    driver.execute_query(f"CREATE (:{clean.org} {{id: 'killed'}})", database_=db)


def test_reads_with_routing_read_and_execute_read(
    driver: Driver, bolt: BoltSettings, clean: Names
) -> None:
    db = bolt.database
    load_sample(driver, db, clean)
    query = f"MATCH (n:{clean.org}) RETURN count(n) AS c"
    records, _, _ = driver.execute_query(query, database_=db, routing_=RoutingControl.READ)
    assert records[0]["c"] == 5
    with driver.session(database=db) as session:
        assert session.execute_read(lambda tx: tx.run(query).single()["c"]) == 5


def test_write_inside_read_transaction(driver: Driver, bolt: BoltSettings, clean: Names) -> None:
    """ArcadeDB runs a write in a READ transaction; Neo4j refuses it. Consoles must guard."""
    db = bolt.database
    write = f"CREATE (n:{clean.plain} {{id: 'sneaky'}}) RETURN n.id AS id"
    written = f"MATCH (n:{clean.plain}) RETURN count(n) AS c"
    if is_arcadedb(driver):
        with driver.session(database=db) as session:
            assert session.execute_read(lambda tx: tx.run(write).single()["id"]) == "sneaky"
        driver.execute_query(write, database_=db, routing_=RoutingControl.READ)
        assert count(driver, db, written) == 2
    else:
        with driver.session(database=db) as session, pytest.raises(ClientError):
            session.execute_read(lambda tx: tx.run(write).consume())
        assert count(driver, db, written) == 0


def test_cypher_subset_used_by_the_store(driver: Driver, bolt: BoltSettings, clean: Names) -> None:
    db = bolt.database
    load_sample(driver, db, clean)
    org, project, funds, partner = clean.org, clean.project, clean.funds, clean.partner_in

    def rows(query: str, **params: object) -> list[dict]:
        return [r.data() for r in driver.execute_query(query, params, database_=db).records]

    assert rows(f"MATCH (n) WHERE n:{org} OR n:{project} RETURN count(n) AS c") == [{"c": 7}]
    assert rows(f"MATCH (n:{project} {{id: 'p1'}}) RETURN labels(n) AS l, properties(n) AS p") == [
        {"l": [project], "p": {"id": "p1", "title": "P1", "year": 2020}}
    ]
    assert rows(
        f"MATCH ()-[r:{funds} {{id: 'f1'}}]->() "
        "RETURN type(r) AS t, startNode(r).id AS s, endNode(r).id AS e"
    ) == [{"t": funds, "s": "d1", "e": "o1"}]
    assert rows(
        f"MATCH (n:{org}) RETURN n.id AS id, count{{ (n)--() }} AS degree, "
        f"COUNT {{ (n)-[:{funds}]->() }} AS out ORDER BY id"
    ) == [
        {"id": "d1", "degree": 2, "out": 2},
        {"id": "d2", "degree": 1, "out": 1},
        {"id": "o1", "degree": 3, "out": 0},
        {"id": "o2", "degree": 3, "out": 0},
        {"id": "o3", "degree": 0, "out": 0},
    ]
    assert rows(
        f"MATCH (n:{org}) WHERE EXISTS {{ (n)-[:{partner}]->() }} RETURN n.id AS id ORDER BY id"
    ) == [{"id": "o1"}, {"id": "o2"}]
    assert rows(
        f"MATCH (n:{org}) OPTIONAL MATCH (n)-[:{funds}]->(m) "
        "RETURN n.id AS id, m.id AS m ORDER BY id, m"
    ) == [
        {"id": "d1", "m": "o1"},
        {"id": "d1", "m": "o2"},
        {"id": "d2", "m": "o1"},
        {"id": "o1", "m": None},
        {"id": "o2", "m": None},
        {"id": "o3", "m": None},
    ]
    assert rows(
        f"MATCH p=(a:{org} {{id: 'd1'}})-[*1..2]-(b) "
        "RETURN b.id AS b, min(length(p)) AS hops ORDER BY hops, b"
    ) == [
        {"b": "o1", "hops": 1},
        {"b": "o2", "hops": 1},
        {"b": "d2", "hops": 2},
        {"b": "p1", "hops": 2},
        {"b": "p2", "hops": 2},
    ]
    assert rows(
        f"MATCH p=shortestPath((a:{org} {{id: 'd2'}})-[*]-(b:{project} {{id: 'p2'}})) "
        "RETURN length(p) AS len, nodes(p)[0].id AS first, nodes(p)[-1].id AS last"
    ) == [{"len": 4, "first": "d2", "last": "p2"}]
    grouped = rows(
        f"MATCH (d:{org})-[r:{funds}]->(o) "
        "RETURN d.id AS donor, sum(r.amount) AS total, count(r) AS n, collect(o.id) AS orgs "
        "ORDER BY total DESC"
    )
    assert [(g["donor"], g["total"], g["n"], sorted(g["orgs"])) for g in grouped] == [
        ("d1", 150.0, 2, ["o1", "o2"]),
        ("d2", 25.5, 1, ["o1"]),
    ]
    assert rows(
        f"MATCH (:{org})-[r:{funds}]->(o) "
        "RETURN o.region AS region, r.year AS year, sum(r.amount) AS total ORDER BY region, year"
    ) == [
        {"region": "AF", "year": 2020, "total": 125.5},
        {"region": "AF", "year": 2021, "total": 50.0},
    ]
    assert rows(
        f"MATCH (n:{org}) RETURN coalesce(n.region, 'unknown') AS region, count(*) AS c "
        "ORDER BY region"
    ) == [
        {"region": "AF", "c": 2},
        {"region": "EU", "c": 1},
        {"region": "NA", "c": 1},
        {"region": "unknown", "c": 1},
    ]
    assert rows(f"MATCH (n:{org}) RETURN n.id AS id ORDER BY n.name DESC SKIP 1 LIMIT 2") == [
        {"id": "o1"},
        {"id": "o3"},
    ]
    assert rows(
        f"MATCH (n:{org}) WHERE n.id IN $ids RETURN n.id AS id ORDER BY id", ids=["o1", "zz"]
    ) == [{"id": "o1"}]


def test_nodes_relationships_and_paths_come_back_as_graph_objects(
    driver: Driver, bolt: BoltSettings, clean: Names
) -> None:
    db = bolt.database
    load_sample(driver, db, clean)
    record = driver.execute_query(
        f"MATCH p=(a:{clean.org} {{id: 'o1'}})-[r:{clean.partner_in}]->(b) RETURN a, r, b, p",
        database_=db,
    ).records[0]
    a, r, b, p = record["a"], record["r"], record["b"], record["p"]
    assert isinstance(a, Node) and isinstance(r, Relationship)
    assert isinstance(a.element_id, str) and a.element_id
    assert a.labels == frozenset({clean.org})
    assert dict(a) == {"id": "o1", "name": "Org 1", "kind": "ngo", "region": "AF"}
    assert a["name"] == "Org 1" and a.get("missing") is None
    assert r.type == clean.partner_in and dict(r) == {"id": "r1", "role": "lead"}
    assert r.start_node.element_id == a.element_id and r.end_node.element_id == b.element_id
    assert len(p) == 1 and [n.element_id for n in p.nodes] == [a.element_id, b.element_id]
    again = driver.execute_query(
        "MATCH (n) WHERE elementId(n) = $eid RETURN n.id AS id", eid=a.element_id, database_=db
    ).records
    assert [x["id"] for x in again] == ["o1"]


def test_detach_delete(driver: Driver, bolt: BoltSettings, clean: Names) -> None:
    db = bolt.database
    load_sample(driver, db, clean)
    summary = driver.execute_query(
        f"MATCH (n:{clean.org} {{id: 'o2'}}) DETACH DELETE n", database_=db
    ).summary
    assert summary.counters.nodes_deleted == 1
    assert count(driver, db, f"MATCH (n:{clean.org} {{id: 'o2'}}) RETURN count(n) AS c") == 0
    assert count(driver, db, f"MATCH ()-[r:{clean.partner_in}]->() RETURN count(r) AS c") == 1


def test_wrong_password_is_an_auth_error(bolt: BoltSettings) -> None:
    # Once only: ArcadeDB locks a user out for ~30 s after 5 consecutive failures, Neo4j after 3.
    started = time.monotonic()
    with (
        GraphDatabase.driver(bolt.uri, auth=(bolt.user, bolt.password + "-wrong")) as bad,
        pytest.raises(AuthError),
    ):
        bad.verify_connectivity()
    assert time.monotonic() - started < 10


def test_unknown_database_is_a_client_error(driver: Driver) -> None:
    with pytest.raises(ClientError) as info:
        driver.execute_query("RETURN 1", database_="no_such_database_" + uuid.uuid4().hex[:6])
    assert info.value.code == "Neo.ClientError.Database.DatabaseNotFound"


def test_closed_port_fails_fast_without_retries() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with (
        GraphDatabase.driver(
            uri, auth=("neo4j", "x"), connection_timeout=3, max_transaction_retry_time=0
        ) as drv,
        pytest.raises(ServiceUnavailable),
    ):
        drv.execute_query("RETURN 1")
    assert time.monotonic() - started < 5


@pytest.mark.bench
def test_batched_merge_throughput(driver: Driver, bolt: BoltSettings, clean: Names) -> None:
    db = bolt.database
    rows = [
        {"id": f"perf{i}", "props": {"name": f"Org {i}", "amount": i * 1.5, "tags": ["a", "b"]}}
        for i in range(5000)
    ]
    query = f"UNWIND $rows AS row MERGE (n:{clean.org} {{id: row.id}}) SET n += row.props"
    started = time.monotonic()
    for k in range(0, len(rows), 1000):
        driver.execute_query(query, rows=rows[k : k + 1000], database_=db)
    elapsed = time.monotonic() - started
    print(f"\nUNWIND MERGE of 5000 nodes in batches of 1000: {len(rows) / elapsed:.0f} rows/s")
    assert count(driver, db, f"MATCH (n:{clean.org}) RETURN count(n) AS c") == 5000
    assert elapsed < 60
