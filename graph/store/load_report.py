"""What a load did (:class:`LoadReport`): created, updated, unchanged, in conflict,
removed, per label and type."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.text import plural

__all__ = ["LoadReport"]


@dataclass
class LoadReport:
    """What a load did, per label (nodes) and type (relationships).

    ``*_created`` are new records; ``*_existing`` were in the store already (``*_updated``
    of them had values the load changed, ``in_conflict`` were loaded by another source
    with other values, the rest are unchanged); ``changes`` and ``conflicts`` list the
    values (:mod:`graph.store.changes`); ``removed`` and
    ``kept`` count what a sync or a retraction removed, and the nodes it kept because
    records of other sources still tie to them; ``closed`` lists earlier loads of the same
    source that never finished and that this complete load closes.
    """

    load_id: str
    source: str
    nodes_created: dict[str, int] = field(default_factory=dict)
    nodes_existing: dict[str, int] = field(default_factory=dict)
    rels_created: dict[str, int] = field(default_factory=dict)
    rels_existing: dict[str, int] = field(default_factory=dict)
    nodes_updated: dict[str, int] = field(default_factory=dict)
    rels_updated: dict[str, int] = field(default_factory=dict)
    in_conflict: dict[str, int] = field(default_factory=dict)
    changes: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    closed: list = field(default_factory=list)
    tries: int = 1

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

    @property
    def updated(self) -> int:
        """Records whose values the load changed."""
        return sum(self.nodes_updated.values()) + sum(self.rels_updated.values())

    @property
    def unchanged(self) -> int:
        """Records already there with the same values."""
        e = self.existing
        return e["nodes"] + e["relationships"] - self.updated - self.conflicting

    @property
    def conflicting(self) -> int:
        """Records another source loaded with other values (kept as they were)."""
        return sum(self.in_conflict.values())

    def summary(self) -> str:
        """Plain-words summary, one line per label and type.

        >>> r = LoadReport("abc", "data", {"Project": 2}, {"Project": 1}, {}, {})
        >>> print(r.summary())
        Created 2 nodes and 0 relationships; 1 node and 0 relationships were already there.
          Project: 2 created, 1 already there
        >>> r.nodes_updated = {"Project": 1}
        >>> print(r.summary())
        Created 2 nodes and 0 relationships; 1 node and 0 relationships were already there: 1 updated, 0 unchanged.
          Project: 2 created, 1 already there (1 updated)
        """
        c, e = self.created, self.existing
        word_r = "relationship"
        head = (
            f"Created {plural(c['nodes'], 'node')} and {plural(c['relationships'], word_r)}; "
            f"{plural(e['nodes'], 'node')} and {plural(e['relationships'], word_r)} were already there"
        )
        if self.updated or self.conflicting:
            head += f": {self.updated:,} updated, {self.unchanged:,} unchanged"
            if self.conflicting:
                head += f", {self.conflicting:,} kept as another source has them"
        lines = [head + "."]
        if self.conflicting:
            lines.append(
                f"{plural(self.conflicting, 'record')} that another source loaded with other "
                "values kept those values (load with --replace to take this load's; "
                "--diff lists them)."
            )
        if self.removed or self.kept:
            gone = sum(self.removed.values())
            lines.append(
                f"Removed {plural(gone, 'record')} of this source that the files no longer hold"
                + (
                    f"; kept {plural(sum(self.kept.values()), 'node')} that records of other "
                    "sources still tie to"
                    if self.kept
                    else ""
                )
                + "."
            )
        if self.tries > 1:
            lines.append(
                f"Other loads were writing the same records at the same time: this one got "
                f"through on try {self.tries}."
            )
        if self.closed:
            lines.append(
                f"Closed {plural(len(self.closed), 'earlier load')} of this source that never finished."
            )
        for created, existing, updated in (
            (self.nodes_created, self.nodes_existing, self.nodes_updated),
            (self.rels_created, self.rels_existing, self.rels_updated),
        ):
            for k in sorted(set(created) | set(existing)):
                line = f"  {k}: {created.get(k, 0):,} created, {existing.get(k, 0):,} already there"
                if updated.get(k):
                    line += f" ({updated[k]:,} updated)"
                lines.append(line)
        return "\n".join(lines)

    def diff(self, limit: int = 200) -> str:
        """Every change and conflict in words, up to ``limit`` lines of each."""
        out = []
        for title, items in (("Changed", self.changes), ("Conflicts", self.conflicts)):
            if not items:
                continue
            out.append(f"{title}:")
            out += [f"  {x.what()}" for x in items[:limit]]
            if len(items) > limit:
                out.append(f"  … and {len(items) - limit:,} more")
        return "\n".join(out) if out else "No value changed."
