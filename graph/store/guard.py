"""What the read-only console refuses: a Cypher lexer, the text guard, and the reading of a
server's own plan (``EXPLAIN``).

The console has three layers (:mod:`graph.store.console`); two of them are here.

* :func:`check_query` reads the text as the server's lexer does — a ``//`` comment ends
  at any line terminator the server accepts (``\\n``, ``\\r``, ``\\u2028``, ``\\u2029``,
  ``\\x85``), ``/* … */`` comments, strings with escapes and backtick-quoted names are
  tokens of their own — and refuses writing clauses, ``LOAD CSV``, ``CALL … IN
  TRANSACTIONS``, administration commands, more than one statement, any procedure not on
  :data:`ALLOWED_PROCEDURES` and any namespaced function not under
  :data:`ALLOWED_FUNCTION_SPACES`. Names are compared with whitespace and comments removed
  (``apoc . util . md5`` is ``apoc.util.md5``).
* :func:`plan_refusal` reads what the server's own parser made of the query (its
  ``EXPLAIN`` plan: Neo4j's operator tree, or ArcadeDB's list of steps) and names the first
  step that writes, reads a file or calls a procedure not on the list.

Examples
--------
>>> check_query("MATCH (o:Organization) RETURN o.name LIMIT 5")
'MATCH (o:Organization) RETURN o.name LIMIT 5'
>>> check_query("WITH 1 AS one // x\\rLOAD CSV FROM 'file:///etc/passwd' AS r RETURN r")
Traceback (most recent call last):
...
graph.errors.QueryRefused: refused: LOAD CSV reads files and is not allowed in the console
>>> check_query("RETURN apoc . util . md5(['x'])")
Traceback (most recent call last):
...
graph.errors.QueryRefused: refused: the function apoc.util.md5 is not allowed in the console (functions under date, datetime, duration, localdatetime, localtime, point, time only)
>>> check_query("MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n  // DELETE")
"MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n  // DELETE"
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.errors import QueryRefused

__all__ = [
    "ALLOWED_PROCEDURES",
    "ALLOWED_FUNCTION_SPACES",
    "ALLOWED_FUNCTIONS",
    "LINE_ENDS",
    "MAX_QUERY_CHARS",
    "Token",
    "tokens",
    "check_query",
    "plan_steps",
    "plan_refusal",
]

#: Characters that end a line (and a ``//`` comment) for the servers' lexers.
LINE_ENDS = "\n\r\u2028\u2029\x85"
#: The longest query the console reads.
MAX_QUERY_CHARS = 20_000

#: Procedures the console may call: schema look-ups that read nothing but names.
ALLOWED_PROCEDURES = (
    "db.labels",
    "db.relationshiptypes",
    "db.propertykeys",
    "db.schema.visualization",
    "db.schema.nodetypeproperties",
    "db.schema.reltypeproperties",
)
#: Namespaces whose functions the console may call (Cypher's own temporal and spatial
#: functions: ``date.truncate``, ``duration.between``…). Any other namespaced function
#: (``apoc.…``, ``util.sleep``, ``algo.…``) is refused.
ALLOWED_FUNCTION_SPACES = (
    "date",
    "datetime",
    "duration",
    "localdatetime",
    "localtime",
    "point",
    "time",
)

#: Cypher's own functions (and pattern and predicate functions) the console may call
#: without a namespace; any other name followed by ``(`` that is not a keyword is refused.
ALLOWED_FUNCTIONS = frozenset(
    [
        "abs",
        "acos",
        "all",
        "allshortestpaths",
        "any",
        "asin",
        "atan",
        "atan2",
        "avg",
        "btrim",
        "ceil",
        "char_length",
        "character_length",
        "coalesce",
        "collect",
        "cos",
        "cot",
        "count",
        "date",
        "datetime",
        "degrees",
        "distance",
        "duration",
        "e",
        "elementid",
        "endnode",
        "exists",
        "exp",
        "floor",
        "haversin",
        "head",
        "id",
        "isempty",
        "keys",
        "labels",
        "last",
        "left",
        "length",
        "localdatetime",
        "localtime",
        "log",
        "log10",
        "lower",
        "ltrim",
        "max",
        "min",
        "none",
        "nodes",
        "normalize",
        "nullif",
        "percentilecont",
        "percentiledisc",
        "pi",
        "point",
        "properties",
        "radians",
        "rand",
        "range",
        "reduce",
        "relationships",
        "replace",
        "reverse",
        "right",
        "round",
        "rtrim",
        "shortestpath",
        "sign",
        "sin",
        "single",
        "size",
        "split",
        "sqrt",
        "startnode",
        "stdev",
        "stdevp",
        "substring",
        "sum",
        "tail",
        "tan",
        "time",
        "timestamp",
        "toboolean",
        "tobooleanornull",
        "tofloat",
        "tofloatornull",
        "tointeger",
        "tointegerornull",
        "tolower",
        "tostring",
        "tostringornull",
        "toupper",
        "trim",
        "type",
        "upper",
        "valuetype",
    ]
)
#: Words that are followed by ``(`` without being a function call.
_NOT_CALLS = frozenset(
    [
        "match",
        "optional",
        "where",
        "return",
        "with",
        "unwind",
        "as",
        "and",
        "or",
        "xor",
        "not",
        "in",
        "is",
        "null",
        "case",
        "when",
        "then",
        "else",
        "end",
        "distinct",
        "order",
        "by",
        "skip",
        "limit",
        "asc",
        "desc",
        "ascending",
        "descending",
        "starts",
        "ends",
        "contains",
        "call",
        "yield",
        "union",
        "exists",
        "count",
        "collect",
        "explain",
        "profile",
        "set",
    ]
)

#: Clauses that change data or schema.
_WRITES = {
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "REMOVE",
    "DROP",
    "FOREACH",
    "DETACH",
    "INSERT",
}
#: Administration and session commands.
_ADMIN = {
    "GRANT",
    "REVOKE",
    "DENY",
    "ALTER",
    "RENAME",
    "START",
    "STOP",
    "TERMINATE",
    "ENABLE",
    "DISABLE",
    "USE",
    "FINISH",
}
#: Words a query may start with.
_STARTS = ("MATCH", "OPTIONAL", "WITH", "RETURN", "UNWIND", "CALL", "EXPLAIN", "PROFILE", "SHOW")


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is ``"word"`` (a bare name or keyword), ``"quoted"`` (a
    backtick-quoted name), ``"string"``, ``"number"``, ``"param"`` or ``"punct"``."""

    kind: str
    text: str
    at: int


_SPACE = re.compile(r"\s+", re.UNICODE)
_WORD = re.compile(r"[^\W\d]\w*", re.UNICODE)
_NUMBER = re.compile(r"\d[\w.]*", re.UNICODE)
_PARAM = re.compile(r"\$(?:[^\W\d]\w*|\d+|`(?:[^`]|``)*`)", re.UNICODE)


def _string_end(text: str, i: int) -> int:
    """The index after the string literal that opens at ``i`` (backslash escapes)."""
    quote = text[i]
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        j += 1
    raise QueryRefused("refused: the query has an unclosed quote")


def tokens(text: str) -> list[Token]:
    """The tokens of ``text``, comments and whitespace left out.

    >>> [t.text for t in tokens("MATCH (n)// c\\rRETURN n /* x */ . name")]
    ['MATCH', '(', 'n', ')', 'RETURN', 'n', '.', 'name']
    """
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            ends = [k for k in (text.find(e, i) for e in LINE_ENDS) if k >= 0]
            i = min(ends) if ends else n
        elif text.startswith("/*", i):
            k = text.find("*/", i + 2)
            if k < 0:
                raise QueryRefused("refused: the query has an unclosed comment")
            i = k + 2
        elif c in "'\"":
            j = _string_end(text, i)
            out.append(Token("string", text[i:j], i))
            i = j
        elif c == "`":
            m = re.compile(r"`(?:[^`]|``)*`").match(text, i)
            if m is None:
                raise QueryRefused("refused: the query has an unclosed backtick name")
            out.append(Token("quoted", m.group()[1:-1].replace("``", "`"), i))
            i = m.end()
        elif (m := _SPACE.match(text, i)) is not None:
            i = m.end()
        elif (m := _PARAM.match(text, i)) is not None:
            out.append(Token("param", m.group(), i))
            i = m.end()
        elif (m := _WORD.match(text, i)) is not None:
            out.append(Token("word", m.group(), i))
            i = m.end()
        elif (m := _NUMBER.match(text, i)) is not None:
            out.append(Token("number", m.group(), i))
            i = m.end()
        else:
            out.append(Token("punct", c, i))
            i += 1
    return out


def _names(toks: list[Token]) -> list[tuple[int, int, str]]:
    """Dotted names ``a.b.c`` (bare or backtick-quoted parts, whitespace and comments in
    between removed): ``(first token, last token, name)``, lower case."""
    out = []
    i = 0
    while i < len(toks):
        if toks[i].kind not in ("word", "quoted"):
            i += 1
            continue
        j = i
        parts = [toks[i].text]
        while (
            j + 2 < len(toks)
            and toks[j + 1].text == "."
            and toks[j + 1].kind == "punct"
            and toks[j + 2].kind in ("word", "quoted")
        ):
            parts.append(toks[j + 2].text)
            j += 2
        out.append((i, j, ".".join(parts).lower()))
        i = j + 1
    return out


def _is_keyword(toks: list[Token], i: int) -> bool:
    """A bare word that is not a property key, label or map key (``n.set``, ``:Set``,
    ``{set: 1}`` are names)."""
    t = toks[i]
    if t.kind != "word":
        return False
    before = toks[i - 1].text if i > 0 else ""
    after = toks[i + 1].text if i + 1 < len(toks) else ""
    return before not in (".", ":") and not (after == ":" and before in ("{", ","))


def _check_calls(toks: list[Token]) -> None:
    """Procedures (``CALL name``) on the list only; namespaced functions under the allowed
    namespaces only."""
    for first, last, name in _names(toks):
        calling = (
            first > 0 and toks[first - 1].kind == "word" and toks[first - 1].text.upper() == "CALL"
        )
        if calling:
            if name not in ALLOWED_PROCEDURES:
                raise QueryRefused(
                    f"refused: the procedure {name} is not on the console's list "
                    f"({', '.join(ALLOWED_PROCEDURES)}); procedures can write"
                )
            continue
        opens = last + 1 < len(toks) and toks[last + 1].text == "("
        if not opens:
            continue
        if "." in name and name.split(".", 1)[0] not in ALLOWED_FUNCTION_SPACES:
            raise QueryRefused(
                f"refused: the function {name} is not allowed in the console (functions "
                f"under {', '.join(ALLOWED_FUNCTION_SPACES)} only)"
            )
        bare = "." not in name
        keyword = toks[first].kind == "word" and name in _NOT_CALLS
        if bare and not keyword and name not in ALLOWED_FUNCTIONS:
            raise QueryRefused(
                f"refused: the function {name} is not one of Cypher's own functions the "
                "console allows"
            )


_PAIRS = {
    ("LOAD", "CSV"): "refused: LOAD CSV reads files and is not allowed in the console",
    ("DETACH", "DELETE"): "refused: DETACH DELETE changes the data, and the console is read-only",
}
_IN_TRANSACTIONS = "refused: CALL … IN TRANSACTIONS is for batched writes; the console only reads"


def _check_clauses(toks: list[Token]) -> None:
    words = [(i, t.text.upper()) for i, t in enumerate(toks) if _is_keyword(toks, i)]
    for (i, w), nxt in zip(words, [*words[1:], (None, "")], strict=True):
        if (w, nxt[1]) in _PAIRS and nxt[0] == i + 1:
            raise QueryRefused(_PAIRS[(w, nxt[1])])
        if w == "LOAD":
            raise QueryRefused(_PAIRS[("LOAD", "CSV")])
        if w == "TRANSACTIONS":
            raise QueryRefused(_IN_TRANSACTIONS)
        if w in _WRITES:
            raise QueryRefused(f"refused: {w} changes the data, and the console is read-only")
        if w in _ADMIN:
            raise QueryRefused(f"refused: {w} is an administration command; the console only reads")


def _check_start(toks: list[Token]) -> None:
    first = toks[0].text.upper() if toks[0].kind == "word" else toks[0].text
    if first not in _STARTS:
        raise QueryRefused(
            f"refused: a console query starts with {', '.join(_STARTS)}; this one starts "
            f"with {toks[0].text[:40]}"
        )
    if first == "SHOW":
        second = toks[1].text.upper() if len(toks) > 1 else ""
        if second not in ("CONSTRAINTS", "INDEXES", "INDEX"):
            raise QueryRefused("refused: only SHOW CONSTRAINTS and SHOW INDEXES are allowed")


def check_query(query: str) -> str:
    """Return ``query`` if the console may run it, else raise :class:`QueryRefused` with a
    message that says what was refused and why."""
    if not isinstance(query, str) or not query.strip():
        raise QueryRefused("refused: the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryRefused(f"refused: the query is longer than {MAX_QUERY_CHARS:,} characters")
    if "\x00" in query:
        raise QueryRefused("refused: the query holds a NUL character")
    toks = tokens(query)
    while toks and toks[-1].text == ";":
        toks.pop()
    if not toks:
        raise QueryRefused("refused: no Cypher clause found")
    if any(t.kind == "punct" and t.text in ";；" for t in toks):
        raise QueryRefused("refused: one statement at a time (the query contains ';')")
    _check_clauses(toks)
    _check_start(toks)
    _check_calls(toks)
    return query


# --------------------------------------------------------------------------- the plan


def plan_steps(plan) -> list[str]:
    """The steps of a server's ``EXPLAIN`` plan as text: ArcadeDB's step lines (``+ MATCH
    NODE (n)``, without the ``+``), or each operator of Neo4j's tree (``LoadCSV``,
    ``ProcedureCall db.labels()``…).

    >>> plan_steps({"args": {"string-representation":
    ...     "Execution Plan:\\n+ MATCH NODE (n)\\n    + SET (1 items)\\nOrderByStep"}})
    ['MATCH NODE (n)', 'SET (1 items)']
    >>> plan_steps({"operatorType": "ProduceResults@neo4j", "args": {}, "children": [
    ...     {"operatorType": "LoadCSV@neo4j", "args": {}, "children": []}]})
    ['ProduceResults', 'LoadCSV']
    """
    if not isinstance(plan, dict):
        return []
    text = (plan.get("args") or {}).get("string-representation")
    if isinstance(text, str) and "+" in text:
        return [m.group(1).strip() for m in re.finditer(r"(?m)^\s*\+\s+(.+)$", text)]
    out = []
    stack = [plan]
    while stack:
        node = stack.pop(0)
        op = str(node.get("operatorType", "")).split("@", 1)[0]
        details = (node.get("args") or {}).get("Details", "")
        out.append(f"{op} {details}".strip() if op.lower() == "procedurecall" else op)
        stack.extend(node.get("children") or [])
    return out


#: Steps (and Neo4j operators) that change the data or read a file, by how they start once
#: spaces are removed and upper-cased.
_STEP_WRITES = (
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "DETACHDELETE",
    "REMOVE",
    "FOREACH",
    "LOADCSV",
    "INSERT",
    "DROP",
    "TRANSACTIONAPPLY",
    "TRANSACTIONFOREACH",
)


def plan_refusal(steps: list[str]) -> str | None:
    """Why the plan ``steps`` (:func:`plan_steps`) may not run in the console, or None.

    >>> plan_refusal(["DUMMY ROW (for standalone expressions)", "LOAD CSV FROM 'file:///x'"])
    "refused: the server's plan reads a file (LOAD CSV FROM 'file:///x')"
    >>> plan_refusal(["MATCH NODE (n) [filter: n.x = 'SET']", "PROJECT RETURN n"]) is None
    True
    >>> plan_refusal(["CALL algo.dijkstra(4 args) YIELD 1 fields"])
    "refused: the server's plan calls algo.dijkstra, which is not on the console's list"
    """
    for step in steps:
        head = re.match(r"[A-Za-z][A-Za-z ]*", step)
        key = re.sub(r"\s+", "", head.group()).upper() if head else ""
        shown = step[:80]
        if key.startswith("LOADCSV"):
            return f"refused: the server's plan reads a file ({shown})"
        if key.startswith(_STEP_WRITES):
            return f"refused: the server's plan changes the data ({shown})"
        if key.startswith(("CALL", "PROCEDURECALL")):
            m = re.match(r"(?:CALL|ProcedureCall)\s+([A-Za-z_][\w.]*)", step, re.I)
            name = m.group(1).lower() if m else ""
            if name in ("subquery", ""):
                continue  # a CALL { subquery }: its text was checked clause by clause
            if name not in ALLOWED_PROCEDURES:
                return (
                    f"refused: the server's plan calls {name}, which is not on the console's list"
                )
    return None
