"""The names a store checks and answers with: the node labels and relationship types of
the schema (never text from users), and the columns of a listing of flows.

>>> check_label("Project"), FLOW_COLUMNS[:2]
('Project', ('flow_id', 'donor_id'))
"""

from __future__ import annotations

from graph.schema import NODE_LABELS, REL_TYPES

__all__ = ["FLOW_COLUMNS", "check_label", "check_rel_type"]

#: Columns of :meth:`GraphStore.funding_flows`, in order.
FLOW_COLUMNS = (
    "flow_id",
    "donor_id",
    "donor",
    "donor_sector",
    "donor_country",
    "recipient_id",
    "recipient",
    "project_id",
    "year",
    "amount",
    "currency",
    "amount_usd",
    "usd_rate",
    "kind",
    "channel",
    "pooled",
    "period",
    "flow_type",
    "date",
    "provider_project_id",
    "source_id",
    "quote",
)


def check_label(label: str) -> str:
    """Return ``label`` if the schema knows it; labels never come from users as text.

    >>> check_label("Project")
    'Project'
    """
    if label not in NODE_LABELS:
        raise ValueError(f"unknown node label {label!r}; known: {', '.join(NODE_LABELS)}")
    return label


def check_rel_type(rel_type: str) -> str:
    """Return ``rel_type`` if the schema knows it.

    >>> check_rel_type("FUNDS")
    'FUNDS'
    """
    if rel_type not in REL_TYPES:
        raise ValueError(f"unknown relationship type {rel_type!r}; known: {', '.join(REL_TYPES)}")
    return rel_type
