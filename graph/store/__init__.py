"""Graph stores: where the records live, and the one read API both stores answer.

=====================  ===========================================================
module                 what it holds
=====================  ===========================================================
:mod:`.base`           :class:`GraphStore` (the read and write API), :class:`Filters`,
                       :class:`LoadReport`
:mod:`.totals`         funding sums: grouping keys, flow types, spreading over regions
:mod:`.grouping`       rows grouped by integer codes: groups, distinct pairs, sums
:mod:`.memory`         :class:`MemoryStore`, the embedded networkx store
:mod:`.edge_tables`    the partners' roles and projects' targets the embedded store
                       keeps as columns, built once per write
:mod:`.neo4j`          :class:`Neo4jStore`, a Neo4j (or Bolt-compatible) server
:mod:`.server_writes`  the server store's writes in one transaction; its write clock
:mod:`.keeping`        what a server store keeps between analyses while its write
                       clock stands still
:mod:`.reading`        reads kept within one analysis; independent parts of an
                       analysis run side by side on a server store
:mod:`.cypher`         every Cypher statement, always parameterized
:mod:`.batch`          :class:`GraphBatch`: validated records as nodes and relationships
:mod:`.settings`       :class:`Neo4jSettings` and the list of connection settings
:mod:`.console`        the read-only Cypher console's guard and runner
:mod:`.arrow_pool`     which allocator holds Arrow's memory (jemalloc, chosen on import)
=====================  ===========================================================

Examples
--------
>>> MemoryStore().counts()["relationships"]
{}
>>> Filters(year_from=2024).params()["year_from"]
2024
"""

from graph.store.arrow_pool import choose_pool
from graph.store.base import GraphStore
from graph.store.batch import GraphBatch, build_batch
from graph.store.filters import Filters
from graph.store.grouping import sorted_factorize
from graph.store.load_report import LoadReport
from graph.store.memory import MemoryStore
from graph.store.neo4j import Neo4jStore
from graph.store.reading import read_ahead, reads_once, side_by_side
from graph.store.settings import CONSOLE_SETTINGS, SETTINGS, ConsoleSettings, Neo4jSettings
from graph.store.tables import (
    categorical,
    display_name,
    display_names,
    distinct_set,
    isin,
    positions,
    stacked,
)
from graph.store.totals import (
    DEFAULT_FLOW_TYPES,
    FLOW_KEYS,
    FUNDING_KEYS,
    REGION_KEYS,
    TOTALS_COLUMNS,
    check_flow_types,
    check_funding_keys,
)
from graph.store.vocabulary import FLOW_COLUMNS, check_label, check_rel_type

# Arrow's memory (every text column) in jemalloc, which hands freed pages back: see
# :mod:`graph.store.arrow_pool` for what it saves.
choose_pool()

__all__ = [
    "DEFAULT_FLOW_TYPES",
    "FLOW_COLUMNS",
    "FLOW_KEYS",
    "FUNDING_KEYS",
    "REGION_KEYS",
    "SETTINGS",
    "TOTALS_COLUMNS",
    "Filters",
    "GraphBatch",
    "choose_pool",
    "GraphStore",
    "LoadReport",
    "MemoryStore",
    "Neo4jSettings",
    "ConsoleSettings",
    "CONSOLE_SETTINGS",
    "Neo4jStore",
    "build_batch",
    "check_flow_types",
    "check_funding_keys",
    "check_label",
    "check_rel_type",
    "display_name",
    "display_names",
    "isin",
    "categorical",
    "stacked",
    "sorted_factorize",
    "distinct_set",
    "positions",
    "reads_once",
    "side_by_side",
    "read_ahead",
]
