"""Reading one IATI file: the root, the file's source row, every activity in turn."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from loaders.currency import RateTable
from loaders.records import (
    Location,
    Problem,
    RawRow,
    parse_date,
)
from loaders.standards.common import Registry, norm_name
from loaders.standards.iati.activity import Activity
from loaders.standards.iati.stream import ActivityStream, Refused


def read_iati(
    source, *, name: str, rates: RateTable | None = None, strict: bool = False
) -> Iterator[RawRow | Problem]:
    """Stream an IATI activity file; yield raw rows of the explorer's kinds and problems.

    Parameters
    ----------
    source : str, Path or binary file object
        The file, or its content (``io.BytesIO`` for an upload).
    name : str
        File name to show in messages and to name the source (``iati:<name>``).
    rates : RateTable, optional
        Exchange rates to USD; the bundled table by default.
    strict : bool
        Refuse what the standard allows but the explorer's own records do not (negative
        values, partial percentages, free-text dates, placeholder dates, flows with no
        recipient): the behaviour before published files were taken as they are.

    Yields
    ------
    RawRow or Problem
        Rows for ``sources``, ``projects``, ``partnerships``, ``targets``, ``funding``,
        ``organizations``, ``countries`` and ``regions``; problems for bad input. Rows of an
        activity with a problem are left out (the file will be rejected anyway).
    """
    yield from IatiFile(name, rates or RateTable.bundled(), strict=strict).run(source)


class IatiFile:
    def __init__(self, name: str, rates: RateTable, *, strict: bool = False):
        self.name = name
        self.rates = rates
        self.strict = strict
        self.source_id = f"iati:{name}"
        self.registry = Registry(name, self.source_id)
        self.refs_by_name: dict[str, str] = {}
        # identifier → line of its first activity; negative when that activity had a problem.
        # The only state that grows with the file: identifiers, not documents.
        self.seen: dict[str, int] = {}
        self.pending: list[tuple[dict, str, Location]] = []

    # -- the file --------------------------------------------------------------------------
    def run(self, source) -> Iterator[RawRow | Problem]:
        if isinstance(source, str | Path):
            try:
                f = open(source, "rb")  # noqa: SIM115 - closed below, streamed meanwhile
            except OSError as e:
                yield Problem(Location(self.name), None, None, f"cannot read file: {e.strerror}")
                return
        else:
            f = source
        stream = ActivityStream()
        n = 0
        root_seen = False
        try:
            for event in stream.events_of(f):
                if event[0] == "root":
                    root_seen = True
                    _, tag, attrs, line = event
                    bad = self._check_root(tag, line)
                    if bad:
                        yield bad
                        return
                    yield self._source_row(tag, attrs, line)
                    continue
                n += 1
                _, el, lines = event
                yield from self._activity(el, lines, n)
        except Refused as e:
            yield Problem(
                Location(self.name, line=e.line),
                None,
                None,
                e.message,
                e.hint,
            )
            return
        except expat.ExpatError as e:
            if not root_seen and e.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS]:
                yield Problem(
                    Location(self.name), None, None, "the file is empty", "give an IATI file"
                )
                return
            open_path, aid = stream.where()
            yield Problem(
                Location(self.name, line=e.lineno, item=aid),
                open_path,
                None,
                f"malformed XML: {expat.ErrorString(e.code)} (column {e.offset + 1})",
                "check the tags near that place: every element must be closed, and & written "
                "as &amp;",
            )
            return
        finally:
            if f is not source:
                f.close()
        if n == 0:
            yield Problem(
                Location(self.name),
                "iati-activity",
                None,
                "no <iati-activity> in the file",
                "give an IATI activity file with at least one activity",
            )
            return
        yield from self._resolve_pending()
        yield from self.registry.rows()

    def _check_root(self, tag: str, line: int) -> Problem | None:
        if tag in ("iati-activities", "iati-activity"):
            return None
        hint = "give an IATI activity file (root <iati-activities> or <iati-activity>)"
        if tag == "iati-organisations":
            hint = "this is an IATI organisation file; give the activity file instead"
        return Problem(
            Location(self.name, line=line),
            None,
            tag,
            f"not an IATI activity file (the root element is <{tag}>)",
            hint,
        )

    def _source_row(self, tag, attrs, line) -> RawRow:
        version = attrs.get("version")
        when = attrs.get("generated-datetime") or ""
        try:
            date = parse_date(when) if when else None
        except ValueError:
            date = None
        title = f"IATI activity file {self.name}" + (f" (version {version})" if version else "")
        return RawRow(
            "sources",
            {
                "source_id": self.source_id,
                "file": self.name,
                "title": title,
                "date": date,
                "kind": "IATI activity file",
            },
            Location(self.name, line=line),
            published=True,
        )

    def _resolve_pending(self) -> Iterator[RawRow]:
        """Outgoing flows naming a receiver activity: for that activity when it is in the file."""
        for values, target, loc in self.pending:
            if self.seen.get(target, -1) > 0:
                values["provider_project_id"] = values["project_id"]
                values["project_id"] = target
            else:
                values["quote"] += f"; receiver-activity-id {target} is not in this file"
            yield RawRow("funding", values, loc, published=True)
        self.pending = []

    # -- one activity ----------------------------------------------------------------------
    def _activity(self, act: ET.Element, lines: dict, n: int) -> Iterator[RawRow | Problem]:
        a = Activity(self, act, lines, n)
        line = lines.get(act) or 0
        if a.aid:
            first = self.seen.setdefault(a.aid, line)
            if first != line:
                yield Problem(
                    a.loc(),
                    "iati-identifier",
                    a.aid,
                    f"duplicate iati-identifier (first at line {abs(first)})",
                    "give each activity its own identifier, or remove the repeated one",
                )
                return
        a.read()
        if a.problems:
            if a.aid:
                self.seen[a.aid] = -line
            yield from a.problems
            return
        self.registry.merge(a.registry)
        for m in a.mentions:
            if m.ref and m.name:
                self.refs_by_name.setdefault(norm_name(m.name), m.ref)
        self.pending.extend(a.pending)
        yield from a.rows
