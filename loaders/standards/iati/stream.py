"""The streaming XML parser: one ``iati-activity`` element at a time, DOCTYPE refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from xml.parsers import expat

CHUNK = 1 << 16

# -- streaming parser ------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class ActivityStream:
    """Feed expat chunk by chunk; hand out each finished ``iati-activity`` as an element tree.

    Events: ``("root", tag, attrs, line)`` once, then ``("activity", element, lines)`` where
    ``lines`` maps each element of the activity to the line its start tag is on.
    """

    def __init__(self):
        p = expat.ParserCreate()
        p.buffer_text = True
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._text
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._entity
        p.ExternalEntityRefHandler = self._external
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.p = p
        self.depth = 0
        self.stack: list[ET.Element] = []
        self.lines: dict = {}
        self.events: deque = deque()

    def _doctype(self, *args):
        raise Refused(
            self.p.CurrentLineNumber,
            "the file declares a DOCTYPE; IATI files never do, and it is refused for safety "
            "(entity expansion)",
        )

    def _entity(self, *args):
        raise Refused(self.p.CurrentLineNumber, "entity declarations are refused for safety")

    def _external(self, *args):
        raise Refused(self.p.CurrentLineNumber, "external entities are refused for safety")

    def _start(self, tag, attrs):
        line = self.p.CurrentLineNumber
        self.depth += 1
        if self.depth == 1:
            self.events.append(("root", tag, dict(attrs), line))
        if self.stack:
            el = ET.SubElement(self.stack[-1], tag, attrs)
        elif tag == "iati-activity" and self.depth <= 2:
            el = ET.Element(tag, attrs)
            self.lines = {}
        else:
            return
        self.lines[el] = line
        self.stack.append(el)

    def _end(self, tag):
        self.depth -= 1
        if self.stack:  # inside an activity every element was pushed; expat checks nesting
            el = self.stack.pop()
            if not self.stack:
                self.events.append(("activity", el, self.lines))

    def _text(self, data):
        if self.stack:
            el = self.stack[-1]
            if len(el) == 0:
                el.text = (el.text or "") + data

    def where(self) -> tuple[str | None, str | None]:
        """The path of the elements open in the current activity, and its identifier."""
        if not self.stack:
            return None, None
        ident = self.stack[0].find("iati-identifier")
        aid = " ".join((ident.text or "").split()) if ident is not None else None
        return "/".join(el.tag for el in self.stack), aid or None

    def events_of(self, f) -> Iterator[tuple]:
        """Parse the binary file ``f``; yield events as they complete."""
        while True:
            chunk = f.read(CHUNK)
            self.p.Parse(chunk, not chunk)
            while self.events:
                yield self.events.popleft()
            if not chunk:
                return
