"""Small readers of IATI elements: narratives, long texts, organisation mentions."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

# -- reading one file ------------------------------------------------------------------------


@dataclass
class OrgMention:
    ref: str | None
    name: str | None
    type: str | None
    element: ET.Element
    column: str
    org_id: str | None = None


def text_of(el: ET.Element | None) -> str:
    """The name or title of an element: its first non-empty ``narrative`` (2.0x), else its
    own text (1.0x); white space collapsed."""
    if el is None:
        return ""
    for nar in el.iter("narrative"):
        t = " ".join((nar.text or "").split())
        if t:
            return t
    return " ".join((el.text or "").split())


def long_text_of(el: ET.Element | None) -> str:
    if el is None:
        return ""
    for nar in el.iter("narrative"):
        t = (nar.text or "").strip()
        if t:
            return t
    return (el.text or "").strip()


def general_description(act: ET.Element) -> ET.Element | None:
    descriptions = act.findall("description")
    for d in descriptions:
        if (d.get("type") or "1").strip() in ("1", "general"):
            return d
    return descriptions[0] if descriptions else None
