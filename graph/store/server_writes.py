"""The server store's writes inside one transaction: statements run with their list
parameter in parts, the write clock moved on, and what a sync or a retraction removes.

The clock is one node (``WriteClock``) whose count every load and retraction moves on in
the transaction that writes: a load checks that nothing else wrote since it planned, and
a reader knows whether what it kept is still the data (:mod:`graph.store.keeping`).

>>> parts(list(range(2500)))[-1][:3]
[2000, 2001, 2002]
"""

from __future__ import annotations

from graph.errors import ConcurrentWrite
from graph.store import cypher

__all__ = ["BATCH_SIZE", "parts", "tick", "in_parts", "run_removal"]

#: Rows per ``UNWIND`` statement.
BATCH_SIZE = 1000


def parts(items: list) -> list[list]:
    """``items`` in parts of :data:`BATCH_SIZE`."""
    return [items[i : i + BATCH_SIZE] for i in range(0, len(items), BATCH_SIZE)]


def tick(tx, clock: int) -> None:
    """Move the server's write count on; :class:`ConcurrentWrite` when it had moved from
    ``clock`` (another load wrote after this one read what it plans from)."""
    now = tx.run(cypher.TICK_CLOCK).single()["n"]
    if now != clock + 1:
        raise ConcurrentWrite(
            "another load wrote to the graph while this one was planning", transient=True
        )


def in_parts(tx, query: str, name: str, items: list) -> int:
    """Run ``query`` (which returns ``n``) with ``items`` as ``$name`` in parts; the sum of
    ``n``."""
    return sum(r["n"] for part in parts(items) for r in tx.run(query, {name: part}))


def run_removal(tx, gone) -> tuple[dict, dict]:
    """Run what a :class:`~graph.store.changes.Removal` says in ``tx``: relationships
    first, then the nodes nothing else is tied to. How many were removed and kept."""
    removed: dict = {}
    kept: dict = {}
    for t, (delete, untag) in gone.rels.items():
        removed[t] = in_parts(tx, cypher.delete_rels(t), "ids", delete)
        in_parts(tx, cypher.retag_rels(t), "rows", [{"id": i, "sources": s} for i, s in untag])
    for label, (delete, untag) in gone.nodes.items():
        removed[label] = in_parts(tx, cypher.delete_untied_nodes(label), "ids", delete)
        kept[label] = len(delete) - removed[label]
        in_parts(tx, cypher.retag_nodes(label), "rows", [{"id": i, "sources": s} for i, s in untag])
    return removed, kept
