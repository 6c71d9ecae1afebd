"""One identity per organisation: the identifiers and names that published files use for an
organisation the explorer already knows under its own id.

An alias table (``alias, org_id, source``) maps an organisation identifier as a file writes
it (IATI's ``XM-DAC-41304``, an org-id such as ``GB-CHC-1000147``) or the id a reader gives a
name without one (``name:<slug>``) to the explorer's id (``unesco``). The project ships one
for the organisations of the bundled data (``data/reference/aliases.csv``); a user adds their
own with ``--aliases FILE`` (same columns; theirs win). Only rows read from published
standard files are renamed, every merge is reported as a notice, and nothing is merged
that the table does not name.

Examples
--------
>>> table = AliasTable.bundled()
>>> table.target("XM-DAC-41304")
'unesco'
>>> table.target("XM-DAC-99999") is None
True
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

from graph.errors import ValidationFailed
from loaders.currency import NOTICES_KEY, Notice
from loaders.records import Location, Problem, RawRow

__all__ = ["BUNDLED_ALIASES", "ORG_COLUMNS", "AliasTable", "aliased", "apply_aliases"]

#: The table that ships with the project.
BUNDLED_ALIASES = Path(__file__).resolve().parent.parent / "data" / "reference" / "aliases.csv"
#: The columns of each record kind that hold an organisation id.
ORG_COLUMNS = {
    "organizations": ("org_id", "parent_id"),
    "funding": ("donor_id", "recipient_id"),
    "partnerships": ("org_id",),
    "memberships": ("org_id",),
    "event_organizers": ("org_id",),
    "pool_members": ("pool_id", "org_id"),
}
#: Source ids of rows read from published standard files.
PUBLISHED = ("iati:", "360giving:")


class AliasTable:
    """alias → (explorer org id, where the alias comes from)."""

    def __init__(self, aliases: dict | None = None, *, name: str = ""):
        self._aliases: dict[str, tuple[str, str]] = dict(aliases or {})
        self.name = name

    @classmethod
    def load(cls, path, *, name: str | None = None) -> AliasTable:
        """Read an alias CSV; every bad row is reported at once."""
        path = Path(path)
        shown = name or path.name
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise ValidationFailed(
                [Problem(Location(shown), None, None, f"cannot read the alias file: {e}")]
            ) from e
        reader = csv.DictReader(io.StringIO(text, newline=""))
        problems, out = [], {}
        for rec in reader:
            loc = Location(shown, line=reader.line_num)
            alias, org = (rec.get("alias") or "").strip(), (rec.get("org_id") or "").strip()
            if not alias or not org:
                problems.append(
                    Problem(
                        loc,
                        "alias" if not alias else "org_id",
                        None,
                        "a value is required",
                        "give the identifier as files write it and the explorer's id",
                    )
                )
            elif alias in out and out[alias][0] != org:
                problems.append(
                    Problem(
                        loc,
                        "alias",
                        alias,
                        f"already an alias of {out[alias][0]!r}",
                        "an identifier can stand for one organisation only",
                    )
                )
            else:
                out[alias] = (org, (rec.get("source") or "").strip())
        if problems:
            raise ValidationFailed(problems)
        return cls(out, name=shown)

    @classmethod
    @functools.cache
    def bundled(cls) -> AliasTable:
        """The aliases of the bundled data's organisations (read once per process)."""
        return cls.load(BUNDLED_ALIASES, name="data/reference/aliases.csv")

    def overlay(self, other: AliasTable) -> AliasTable:
        """This table with ``other``'s aliases on top."""
        names = " + ".join(n for n in (other.name, self.name) if n)
        return AliasTable({**self._aliases, **other._aliases}, name=names)

    def target(self, org_id) -> str | None:
        """The explorer's id for ``org_id``, or None when it is no alias."""
        hit = self._aliases.get(org_id)
        return hit[0] if hit else None

    def __len__(self) -> int:
        return len(self._aliases)


def _published(row) -> bool:
    """Whether ``row`` comes from a published file (a file read as columns never does)."""
    values = getattr(row, "values", None)
    return values is not None and str(values.get("source_id") or "").startswith(PUBLISHED)


def apply_aliases(rows: list[RawRow], table: AliasTable, known: set | None = None) -> list:
    """Rename aliased organisations in the rows of published files, in place.

    An aliased organisation's own ``organizations`` row is dropped when the explorer's id is
    already known (in ``known``, the store's organisation ids, or among the load's other
    rows); otherwise it is kept under the explorer's id. Each merge is reported once, as a
    notice on the first row that names the organisation. Returns the notices.
    """
    have = set(known or ()) | {
        r.values.get("org_id") for r in rows if r.kind == "organizations" and not _published(r)
    }
    said: dict[str, Notice] = {}
    rows[:] = list(aliased(rows, table, have, said))
    return list(said.values())


def aliased(rows, table: AliasTable, have: set, said: dict | None = None):
    """:func:`apply_aliases` as rows stream by: each row renamed as it comes (``have``: the
    organisation ids known so far, which grows with the own organisation rows that pass;
    ``said``: the merges reported so far). A row that is dropped hands its notices to the
    next row that is kept (or to the last one)."""
    said = {} if said is None else said
    carry: tuple = ()
    last = None
    for row in rows:
        if not _published(row) or row.kind not in ORG_COLUMNS:
            if getattr(row, "kind", None) == "organizations" and hasattr(row, "values"):
                have.add(row.values.get("org_id"))
            last = row
            yield row
            continue
        renamed = _rename(row, table, said)
        if carry:
            row.values[NOTICES_KEY] = (*carry, *(row.values.get(NOTICES_KEY) or ()))
            carry = ()
        if row.kind == "organizations":
            org = row.values.get("org_id")
            if renamed and org in have:  # the explorer's own row stands; the merge is said
                carry = tuple(row.values.get(NOTICES_KEY) or ())
                continue
            have.add(org)
        last = row
        yield row
    if carry and last is not None and hasattr(last, "values"):
        last.values[NOTICES_KEY] = (*(last.values.get(NOTICES_KEY) or ()), *carry)


def _rename(row: RawRow, table: AliasTable, said: dict) -> bool:
    """Rename the aliased organisation columns of ``row``; whether its own id was renamed.
    The first rename of each alias is said on the row."""
    own = False
    for col in ORG_COLUMNS[row.kind]:
        old = row.values.get(col)
        new = table.target(old)
        if new is None:
            continue
        row.values[col] = new
        own = own or (row.kind == "organizations" and col == "org_id")
        if old not in said:
            said[old] = Notice(
                row.location,
                col,
                old,
                f"organisation {old} is the explorer's {new!r} (alias table {table.name})",
            )
            row.values[NOTICES_KEY] = (*(row.values.get(NOTICES_KEY) or ()), said[old])
    return own
