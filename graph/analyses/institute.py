"""Who "the institute" is: the organization whose funding the figures describe.

By default the figures are for money received by the institute, the organization that
receives the most funding flows (:func:`main_recipient`); ``recipient=None`` takes every
recipient in the data, and an organization id takes that organization.

Examples
--------
>>> recipient_of(example_store()), recipient_name(example_store(), None)
('inst', 'every recipient in the data')
"""

from __future__ import annotations

from graph.analyses.funding import org_names
from graph.schema import FLOW_TYPES
from graph.store import GraphStore

__all__ = [
    "EVERY_RECIPIENT",
    "INSTITUTE",
    "InstituteMarker",
    "main_recipient",
    "recipient_name",
    "recipient_of",
    "recipients",
]


def main_recipient(store: GraphStore) -> str | None:
    """The organization that receives the most funding flows (the institute), or None.
    >>> main_recipient(example_store())
    'inst'
    """
    t = store.funding_totals(("recipient",), flow_types=FLOW_TYPES)
    if not len(t):
        return None
    top = t.loc[t["flows"] == t["flows"].max(), "recipient"]
    return sorted(top)[0]


class InstituteMarker:
    """The type of :data:`INSTITUTE`."""

    def __repr__(self) -> str:
        return "INSTITUTE"


#: ``recipient=INSTITUTE`` (the default of this module): money received by the institute,
#: the organization that receives the most funding flows
#: (:func:`main_recipient`, as in the text report); on a store with no
#: funding flow, every recipient. ``recipient=None``: every recipient in the data. An
#: organization id: money received by that organization.
INSTITUTE = InstituteMarker()

#: How "every recipient" (``recipient=None``) reads on the pages and in the board report.
EVERY_RECIPIENT = "every recipient in the data"


def recipient_of(store: GraphStore, recipient=INSTITUTE) -> str | None:
    """The organization id the figures are for, or ``None`` for every recipient.

    Examples
    --------
    >>> from graph.store.memory import MemoryStore
    >>> recipient_of(example_store()), recipient_of(example_store(), None)
    ('inst', None)
    >>> recipient_of(MemoryStore()) is None   # no funding: every recipient
    True
    """
    if isinstance(recipient, InstituteMarker):
        return main_recipient(store)
    return recipient


def recipients(store: GraphStore) -> list[str]:
    """The organizations that receive donor money (own funds left out), sorted.
    >>> recipients(example_store())
    ['inst']
    """
    t = store.funding_totals(("donor", "recipient"))
    return sorted(set(t.loc[t["donor"] != t["recipient"], "recipient"]))


def recipient_name(store: GraphStore, recipient: str | None, *, short: bool = True) -> str:
    """How the recipient of the figures reads: its acronym (``short``, else its name with
    the acronym), or :data:`EVERY_RECIPIENT` for ``None``.

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> s = load_memory(MINIMAL)
    >>> recipient_name(s, "iite"), recipient_name(s, "iite", short=False)
    ('IITE', 'UNESCO Institute for Information Technologies in Education (IITE)')
    >>> recipient_name(s, None)
    'every recipient in the data'
    """
    if recipient is None:
        return EVERY_RECIPIENT
    names = org_names(store)
    if recipient not in names.index:
        return str(recipient)
    name, acronym = names.at[recipient, "name"], names.at[recipient, "acronym"]
    if not isinstance(acronym, str) or not acronym.strip():
        return str(name)
    if short:
        return acronym
    return name if acronym in name else f"{name} ({acronym})"
