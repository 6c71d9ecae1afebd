"""What a load did (:class:`LoadReport`): created versus already present."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LoadReport"]


@dataclass
class LoadReport:
    """What a load did: created versus already present, per label and type."""

    load_id: str
    source: str
    nodes_created: dict[str, int] = field(default_factory=dict)
    nodes_existing: dict[str, int] = field(default_factory=dict)
    rels_created: dict[str, int] = field(default_factory=dict)
    rels_existing: dict[str, int] = field(default_factory=dict)

    @property
    def created(self) -> dict[str, int]:
        """Totals of nodes and relationships created."""
        return {
            "nodes": sum(self.nodes_created.values()),
            "relationships": sum(self.rels_created.values()),
        }

    @property
    def existing(self) -> dict[str, int]:
        """Totals of nodes and relationships that were already there."""
        return {
            "nodes": sum(self.nodes_existing.values()),
            "relationships": sum(self.rels_existing.values()),
        }

    def summary(self) -> str:
        """Plain-words summary, one line per label and type.

        >>> r = LoadReport("abc", "data", {"Project": 2}, {"Project": 1}, {}, {})
        >>> print(r.summary())
        Created 2 nodes and 0 relationships; 1 node and 0 relationships were already there.
          Project: 2 created, 1 already there
        """
        c, e = self.created, self.existing

        def n(k, word):
            return f"{k} {word}{'' if k == 1 else 's'}"

        word_r = "relationship"
        lines = [
            f"Created {n(c['nodes'], 'node')} and {n(c['relationships'], word_r)}; "
            f"{n(e['nodes'], 'node')} and {n(e['relationships'], word_r)} were already there."
        ]
        for created, existing in (
            (self.nodes_created, self.nodes_existing),
            (self.rels_created, self.rels_existing),
        ):
            for k in sorted(set(created) | set(existing)):
                lines.append(
                    f"  {k}: {created.get(k, 0)} created, {existing.get(k, 0)} already there"
                )
        return "\n".join(lines)
