"""Small helpers the test modules share: a store's nodes and relationships as plain dicts."""

from __future__ import annotations


def _present(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "id" and v == v and v is not None}


def nodes(store, label: str) -> dict[str, dict]:
    """Nodes of a label: id → properties without empty ones."""
    return {r["id"]: _present(r) for r in store.node_table(label).to_dict("records")}


def rels(store, rel_type: str) -> dict[str, dict]:
    """Relationships of a type: id → properties (with start and end), empty ones left out."""
    return {r["id"]: _present(r) for r in store.rel_table(rel_type).to_dict("records")}
