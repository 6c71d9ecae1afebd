"""The attack corpus: hostile input in one place, so the next review can add to it.

``CONSOLE`` holds Cypher the read-only console must refuse (the text guard, the server's
plan or the server itself), each with a word on what it tries. ``{canary}`` stands for a
``file:`` URL of a file the tests write and must never see again. ``CONSOLE_PLAN`` is the
part the server's own parser must refuse even when the text guard is switched off.
``NAMES`` are hostile names for records (markup, spreadsheet formulas, control characters).
"""

from __future__ import annotations

#: (what it tries, query) — every one must be refused and change nothing.
CONSOLE = [
    # the review's own findings (issue 12)
    (
        "a // comment ended by \\r hides LOAD CSV",
        "WITH 1 AS one // x\rLOAD CSV FROM '{canary}' AS row RETURN row LIMIT 3",
    ),
    ("a // comment ended by \\r hides CREATE", "WITH 1 AS one // x\rCREATE (n:LeakR) RETURN n"),
    (
        "a // comment ended by U+2028",
        "WITH 1 AS one // x\u2028LOAD CSV FROM '{canary}' AS row RETURN row",
    ),
    ("a // comment ended by U+2029", "WITH 1 AS one // x\u2029CREATE (n:LeakP) RETURN n"),
    ("a // comment ended by NEL (U+0085)", "WITH 1 AS one // x\x85CREATE (n:LeakN) RETURN n"),
    ("spaces inside a namespace", "RETURN apoc . util . md5(['x']) AS h"),
    ("a sleep function", "RETURN util.sleep(100000) AS s"),
    ("a bare sleep function", "RETURN sleep(100000) AS s"),
    # comments and whitespace
    ("a block comment between LOAD and CSV", "LOAD/* x */CSV FROM '{canary}' AS r RETURN r"),
    ("a keyword split by a comment", "LO/**/AD CSV FROM '{canary}' AS r RETURN r"),
    ("no nested comments in Cypher", "RETURN 1 /* /* */ CREATE (n:LeakC) /* */"),
    ("an unclosed block comment", "MATCH (n) RETURN n /* unclosed"),
    ("a no-break space between LOAD and CSV", "LOAD\u00a0CSV FROM '{canary}' AS r RETURN r"),
    ("tabs and form feeds", "LOAD\tCSV\x0cFROM '{canary}' AS r RETURN r"),
    ("a vertical tab before CREATE", "RETURN 1 AS x\x0bCREATE (n:LeakV)"),
    ("lower case", "load csv from '{canary}' as r return r"),
    ("mixed case", "MaTcH (n) WiTh n LiMiT 1 DeTaCh DeLeTe n"),
    # strings and quoted names
    ("an escaped backslash ends the string", "RETURN 'a\\\\' AS x CREATE (n:LeakS) //'"),
    ("a double-quoted string the same way", 'RETURN "a\\\\" AS x CREATE (n:LeakD) //"'),
    ("an unclosed string", "RETURN 'abc AS x"),
    ("a backtick-quoted procedure", "CALL `apoc`.`util`.`md5`(['x'])"),
    ("a backtick-quoted function", "RETURN `apoc.util.md5`(['x']) AS h"),
    ("backticks around a variable do not hide SET", "MATCH (`n`) SET `n`.x = 1 RETURN `n`"),
    ("fullwidth letters", "ＣＲＥＡＴＥ (n:LeakF)"),
    ("a NUL byte", "MATCH (n) RETURN n\x00CREATE (m:LeakZ)"),
    # more than one statement
    ("two statements", "RETURN 1; CREATE (n:Leak2)"),
    ("a fullwidth semicolon", "RETURN 1 ；CREATE (n:Leak3)"),
    # writes in every form
    ("CREATE", "CREATE (n:LeakW {id: 'x'})"),
    ("MERGE", "MERGE (n:Organization {id: 'intruder'}) RETURN n"),
    ("MERGE … ON MATCH SET", "MERGE (n:Organization {id: 'x'}) ON MATCH SET n.name = 'y' RETURN n"),
    ("SET a property", "MATCH (n) SET n.x = 1 RETURN n"),
    ("SET a label", "MATCH (n) SET n:LeakL RETURN n"),
    ("SET +=", "MATCH (n) SET n += {x: 1} RETURN n"),
    ("REMOVE a property", "MATCH (n) REMOVE n.name RETURN n"),
    ("REMOVE a label", "MATCH (n:Organization) REMOVE n:Organization RETURN n"),
    ("DELETE", "MATCH ()-[r]->() DELETE r"),
    ("DETACH DELETE", "MATCH (n) WITH n LIMIT 1 DETACH DELETE n"),
    ("FOREACH", "MATCH (n) FOREACH (x IN [1] | SET n.y = x)"),
    ("a write in a CALL subquery", "CALL { CREATE (n:LeakSub) } RETURN 1"),
    ("a write in a correlated subquery", "MATCH (n) CALL { WITH n SET n.z = 1 } RETURN n"),
    (
        "IN TRANSACTIONS",
        "UNWIND range(1, 3) AS x CALL { WITH x RETURN x } IN TRANSACTIONS RETURN x",
    ),
    (
        "IN CONCURRENT TRANSACTIONS",
        "UNWIND [1] AS x CALL { WITH x RETURN x } IN 2 CONCURRENT TRANSACTIONS RETURN x",
    ),
    ("EXPLAIN of a write", "EXPLAIN CREATE (n:LeakE)"),
    ("PROFILE of a write", "PROFILE CREATE (n:LeakPr)"),
    # files
    ("LOAD CSV", "LOAD CSV FROM '{canary}' AS r RETURN r"),
    ("LOAD CSV WITH HEADERS", "LOAD CSV WITH HEADERS FROM '{canary}' AS r RETURN r"),
    ("LOAD CSV in a subquery", "CALL { LOAD CSV FROM '{canary}' AS r RETURN r } RETURN r"),
    ("USING PERIODIC COMMIT", "USING PERIODIC COMMIT LOAD CSV FROM '{canary}' AS r RETURN r"),
    # procedures and functions
    ("apoc", "CALL apoc.create.node(['X'], {}) YIELD node RETURN node"),
    ("apoc.load", "CALL apoc.load.json('{canary}') YIELD value RETURN value"),
    ("dbms", "CALL dbms.components() YIELD name RETURN name"),
    ("a user from a procedure", "CALL dbms.security.createUser('a', 'b')"),
    ("a label from a procedure", "CALL db.createLabel('LeakProc')"),
    ("an index from a procedure", "CALL db.index.fulltext.createNodeIndex('i', ['X'], ['y'])"),
    (
        "an algorithm procedure",
        "MATCH (o) CALL algo.dijkstra(o, o, 'FUNDS', 'w') YIELD path RETURN path",
    ),
    (
        "an allowed procedure followed by a write",
        "CALL db.labels() YIELD label CREATE (x:LeakY) RETURN label",
    ),
    ("a function reading a file", "RETURN file('{canary}') AS f"),
    ("a namespaced math function", "RETURN math.random() AS r"),
    # administration
    ("a new user", "CREATE USER intruder SET PASSWORD 'secret'"),
    ("drop a database", "DROP DATABASE graph"),
    ("alter a user", "ALTER USER root SET PASSWORD 'x'"),
    ("grant a role", "GRANT ROLE admin TO intruder"),
    ("show users", "SHOW USERS"),
    ("show transactions", "SHOW TRANSACTIONS"),
    ("terminate transactions", "TERMINATE TRANSACTIONS 'q1'"),
    ("switch database", "USE system MATCH (n) RETURN n"),
    ("start a database", "START DATABASE graph"),
    ("create an index", "CREATE INDEX leak FOR (n:Organization) ON (n.name)"),
    ("drop a constraint", "DROP CONSTRAINT organization_id"),
    ("create a constraint", "CREATE CONSTRAINT leak FOR (n:LeakK) REQUIRE n.id IS UNIQUE"),
    # odd shapes
    ("an empty query", "   "),
    ("only a comment", "// nothing"),
    ("too long", "RETURN 1 " + "// padding\n" * 2500),
]

#: Queries the server's own plan must refuse with the text guard switched off (defence in
#: depth): the layer behind the guard sees what the server's lexer made of the text.
CONSOLE_PLAN = [
    (
        "a // comment ended by \\r hides LOAD CSV",
        "WITH 1 AS one // x\rLOAD CSV FROM '{canary}' AS row RETURN row LIMIT 3",
    ),
    ("CREATE", "CREATE (n:LeakPlan)"),
    ("SET", "MATCH (n) SET n.x = 1 RETURN n"),
    ("MERGE", "MERGE (n:Organization {id: 'x'}) RETURN n"),
    ("DETACH DELETE", "MATCH (n) DETACH DELETE n"),
    ("REMOVE", "MATCH (n) REMOVE n.name RETURN n"),
    ("FOREACH", "MATCH (n) FOREACH (x IN [1] | SET n.y = x)"),
    ("LOAD CSV", "LOAD CSV FROM '{canary}' AS r RETURN r"),
    (
        "an algorithm procedure",
        "MATCH (o) CALL algo.dijkstra(o, o, 'FUNDS', 'w') YIELD path RETURN path",
    ),
]

#: Reads the console must still run (so the guard does not refuse ordinary work).
CONSOLE_READS = [
    "MATCH (o:Organization) RETURN o.name AS name ORDER BY name",
    "MATCH (n) WHERE n.name CONTAINS 'CREATE' RETURN count(n) AS n // SET",
    "MATCH (o:Organization) OPTIONAL MATCH (o)-[r:FUNDS]->() RETURN o.id AS id, count(r) AS flows",
    "CALL db.labels() YIELD label RETURN label",
    "CALL db . labels() YIELD label RETURN label",
    "PROFILE MATCH (n) RETURN count(n) AS n",
    "EXPLAIN MATCH (n) RETURN n",
    "MATCH (o:Organization) RETURN o.id AS id, COUNT { (o)-->() } AS ties",
    "UNWIND [1, 2, 3] AS x WITH x WHERE x > 1 RETURN DISTINCT x",
    "RETURN date('2025-01-01').year AS y, duration.between(date('2024-01-01'), date('2025-01-01')) AS d",
    "MATCH (n {set: 1}) RETURN n",
    "RETURN {create: 1, load: 2} AS m",
]

#: Hostile names for records: markup, spreadsheet formulas, control characters.
NAMES = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '=HYPERLINK("http://example.invalid/x","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTab first",
    "\rCarriage return first",
    "constructor",
    "__proto__",
    "Name with a NUL\x00inside",
    "Right-to-left \u202eoverride",
    "Zero\u200bwidth\u200djoiners\ufeff",
]
