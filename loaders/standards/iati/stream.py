"""The streaming XML parser: one ``iati-activity`` element at a time, DOCTYPE refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from xml.parsers import expat

from loaders.limits import MAX_XML_TEXT_CHARS

CHUNK = 1 << 16

# -- streaming parser ------------------------------------------------------------------------


class Refused(Exception):
    """The file is refused for safety: where, why and what to do."""

    def __init__(self, line: int, message: str, hint: str = "remove the <!DOCTYPE …> declaration"):
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


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
        # the text of the element being read, in pieces (joined once at its end: adding
        # each piece to a string copies all before it, quadratic in the text's length)
        self.pieces: list[str] = []
        self.text_chars = 0

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

    def _flush(self) -> None:
        """Give the element being read the text gathered for it."""
        if self.pieces and self.stack:
            el = self.stack[-1]
            if len(el) == 0:
                el.text = (el.text or "") + "".join(self.pieces)
        self.pieces = []
        self.text_chars = 0

    def _start(self, tag, attrs):
        self._flush()
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
        self._flush()
        self.depth -= 1
        if self.stack:  # inside an activity every element was pushed; expat checks nesting
            el = self.stack.pop()
            if not self.stack:
                self.events.append(("activity", el, self.lines))

    def _text(self, data):
        if self.stack and len(self.stack[-1]) == 0:
            self.text_chars += len(data)
            if self.text_chars > MAX_XML_TEXT_CHARS:
                raise Refused(
                    self.p.CurrentLineNumber,
                    f"an element's text is longer than {MAX_XML_TEXT_CHARS:,} characters, "
                    "more than any IATI element holds",
                    "check that it is the file you meant, and that it was saved whole",
                )
            self.pieces.append(data)

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
