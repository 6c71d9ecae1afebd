"""The partner graph explorer's domain: schema, stores, formulas, analyses and reports.

Layers, each importing only the ones before it (see ``docs/architecture.md``):

* :mod:`graph.schema` (record kinds, labels, relationship types), :mod:`graph.errors`
  (one root, :class:`ExplorerError`), :mod:`graph.text` (number formats);
* :mod:`graph.store`: :class:`GraphStore` and its two implementations,
  :class:`MemoryStore` (networkx) and :class:`Neo4jStore` (Bolt); :class:`Filters`;
* :mod:`graph.metrics`: pure formulas (HHI, CR_k, Gini, entropy, balance);
* :mod:`graph.analyses`: read a store, return typed results;
* :mod:`graph.reports`: the text findings and the board report.

``graph`` never imports ``loaders``, ``views`` or Streamlit (``python -m graph`` loads files).

Examples
--------
>>> import graph
>>> store = graph.MemoryStore()
>>> graph.donor_concentration(store)
Traceback (most recent call last):
...
graph.errors.EmptySelection: no donor flows in the selection; widen the years or drop a filter
"""

from graph.analyses import (
    INSTITUTE,
    add_donor,
    centrality,
    collaborations,
    concentration_by,
    concentration_trend,
    country_picture,
    coverage,
    donor_concentration,
    donor_diversity,
    donor_exit,
    donor_totals,
    donors_ending,
    ego_network,
    ending_within,
    funding_cliff,
    main_recipient,
    merger_effect,
    regional_balance,
    regional_picture,
    shortest_paths,
)
from graph.errors import (
    AnalysisError,
    EmptySelection,
    ExplorerError,
    QueryRefused,
    StoreError,
    UnknownEntity,
    ValidationFailed,
)
from graph.reports import board_report, build, findings
from graph.store import Filters, GraphStore, LoadReport, MemoryStore, Neo4jSettings, Neo4jStore

__all__ = [
    "INSTITUTE",
    "AnalysisError",
    "EmptySelection",
    "ExplorerError",
    "Filters",
    "GraphStore",
    "LoadReport",
    "MemoryStore",
    "Neo4jSettings",
    "Neo4jStore",
    "QueryRefused",
    "StoreError",
    "UnknownEntity",
    "ValidationFailed",
    "add_donor",
    "board_report",
    "build",
    "centrality",
    "collaborations",
    "concentration_by",
    "concentration_trend",
    "country_picture",
    "coverage",
    "donor_concentration",
    "donor_diversity",
    "donor_exit",
    "donor_totals",
    "donors_ending",
    "ego_network",
    "ending_within",
    "findings",
    "funding_cliff",
    "main_recipient",
    "merger_effect",
    "regional_balance",
    "regional_picture",
    "shortest_paths",
]
