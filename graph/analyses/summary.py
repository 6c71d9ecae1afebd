"""What a store holds, in the words of the overview page.

Examples
--------
>>> from loaders.load import load_memory
>>> s = loaded_summary(load_memory())
>>> sorted(s["headline"])
['Countries', 'Events', 'Funding flows', 'Networks', 'Organizations', 'Projects']
>>> s["coverage"]["flows"] == s["coverage"]["with_amount"] + s["coverage"]["without_amount"]
True
"""

from __future__ import annotations

import pandas as pd

from graph.schema import FLOW_TYPES, NODE_LABELS
from graph.store import GraphStore, display_names

__all__ = ["loaded_summary", "facts_citing", "CITED_RELS"]

_HEADLINE = (
    ("Organizations", "Organization"),
    ("Projects", "Project"),
    ("Networks", "Network"),
    ("Events", "Event"),
    ("Countries", "Country"),
)


def loaded_summary(store: GraphStore) -> dict:
    """Counts by kind, organizations by sector, and how many flows state an amount.

    Parameters
    ----------
    store : GraphStore

    Returns
    -------
    dict
        ``headline`` (label → count), ``by_sector`` and ``by_kind`` (DataFrames),
        ``coverage`` (flows, with_amount, without_amount, share_with_amount).
    """
    counts = store.counts()
    headline = {name: counts["nodes"].get(label, 0) for name, label in _HEADLINE}
    headline["Funding flows"] = counts["relationships"].get("FUNDS", 0)

    orgs = store.node_table("Organization")
    if len(orgs):
        by_sector = (
            orgs.groupby("sector", dropna=False)
            .size()
            .rename("organizations")
            .reset_index()
            .sort_values(["organizations", "sector"], ascending=[False, True])
            .reset_index(drop=True)
        )
    else:
        by_sector = pd.DataFrame(columns=["sector", "organizations"])

    rows = [{"kind": k, "what": "nodes", "count": n} for k, n in counts["nodes"].items()]
    rows += [
        {"kind": k, "what": "relationships", "count": n} for k, n in counts["relationships"].items()
    ]
    by_kind = pd.DataFrame(rows, columns=["kind", "what", "count"])

    totals = store.funding_totals((), flow_types=FLOW_TYPES)  # counted where the data lives
    n = int(totals["flows"].iloc[0])
    known = int(totals["amount_known"].iloc[0])
    coverage = {
        "flows": n,
        "with_amount": known,
        "without_amount": n - known,
        "share_with_amount": (known / n) if n else 0.0,
    }
    return {"headline": headline, "by_sector": by_sector, "by_kind": by_kind, "coverage": coverage}


#: Relationship types whose records cite a document (the provenance page lists them).
CITED_RELS = ("FUNDS", "PARTNER_IN", "MEMBER_OF", "ORGANIZED", "TARGETS", "POOLS")


def facts_citing(store: GraphStore, source_id: str) -> pd.DataFrame:
    """Every record that cites the document ``source_id``, column by column.

    Returns
    -------
    DataFrame
        ``what`` (node label or relationship type), ``id``, ``name`` (the name a person
        reads; ``start → end`` for a relationship) and ``quote`` (the sentence it comes
        from); nodes first, in label order, then relationships.

    Examples
    --------
    >>> f = facts_citing(example_store(), "ex")
    >>> f[f["what"] == "FUNDS"].iloc[0][["id", "name"]].tolist(), bool(f["quote"].notna().all())
    (['f1', 'gov → inst'], True)
    """
    parts = []
    for label in NODE_LABELS:
        t = store.node_table(label) if label != "Source" else pd.DataFrame()
        if "source_id" in t:
            t = t[(t["source_id"] == source_id).to_numpy(dtype=bool, na_value=False)]
            name = pd.Series(display_names(t), index=t.index, dtype=object)
            parts.append(_facts(label, t, name))
    for rel in CITED_RELS:
        t = store.rel_table(rel)
        if "source_id" in t:
            t = t[(t["source_id"] == source_id).to_numpy(dtype=bool, na_value=False)]
            parts.append(_facts(rel, t, t["start"].astype(str) + " → " + t["end"].astype(str)))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["what", "id", "name", "quote"])
    return pd.concat(parts, ignore_index=True)


def _facts(what: str, t: pd.DataFrame, name: pd.Series) -> pd.DataFrame:
    quote = t["quote"] if "quote" in t else pd.Series(None, index=t.index, dtype=object)
    return pd.DataFrame(
        {
            "what": what,
            "id": t["id"].to_numpy(dtype=object),
            "name": name.to_numpy(dtype=object),
            "quote": quote.astype(object).where(quote.notna(), None).to_numpy(dtype=object),
        }
    )
