"""Concentration by funding channel beside concentration by donor, and core against voluntary
money.

One donor can stand for sources of very different stability: UNESCO's regular budget (an
assessed contribution, the same every year) and its decentralized funds (allocated for
activities, changing from year to year) are both "UNESCO". So the board sees two answers side
by side: how concentrated the money is by *donor* (:func:`graph.analyses.donor_concentration`)
and by *channel*, each channel counted as one source, and how much of it is **core** (the
channels in :data:`CORE_CHANNELS`: the regular budget and the host country's contribution,
agreed for the year) against **voluntary** (every other donor channel: extrabudgetary,
decentralized, special accounts, in-kind, other). Own funds (carry-over, interest) are not
donor money and are left out, as everywhere.

Examples
--------
>>> c = channel_concentration(example_store())
>>> c.table[["channel", "usd"]].values.tolist()
[['host_country', 500.0], ['extrabudgetary', 450.0], ['regular_budget', 250.0], ['in_kind', 0.0]]
>>> round(c.hhi), c.top_channel, round(c.core_share, 3)
(3576, 'host_country', 0.625)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from graph.analyses.funding import totals_by
from graph.analyses.institute import INSTITUTE, recipient_of
from graph.errors import EmptySelection
from graph.metrics.concentration import concentration_summary
from graph.store import Filters, GraphStore, reads_once

__all__ = ["CORE_CHANNELS", "WHY", "ChannelPicture", "channel_concentration"]

#: The donor channels whose money is agreed for the year (assessed or host-country
#: contributions): "core". Every other donor channel is "voluntary".
CORE_CHANNELS = ("regular_budget", "host_country")


@dataclass(frozen=True)
class ChannelPicture:
    """Known donor money by channel (see the module notes).

    Attributes
    ----------
    table : DataFrame
        One row per channel (largest first; a channel no flow states as None): ``channel``,
        ``core`` (bool), ``usd`` (known USD), ``share`` (of the known money), ``donors``,
        ``flows``, ``flows_with_usd``.
    hhi, cr1 : float
        Concentration with each channel as one source (NaN with no known money).
    top_channel : str or None
    core_usd, voluntary_usd : float
    core_share : float
        ``core_usd`` over the known donor money (NaN with none).
    note : str
        The rule in plain words.
    """

    table: pd.DataFrame
    hhi: float
    cr1: float
    top_channel: str | None
    core_usd: float
    voluntary_usd: float
    core_share: float
    note: str


#: Why both views: said with them on the page, in the board report and in the CLI.
WHY = (
    "One donor can stand for sources of different stability (UNESCO's regular budget and its "
    "decentralized funds are both UNESCO), so concentration is shown by donor and by channel."
)

NOTE = (
    "Each channel counts as one source: the regular budget and the host country's "
    "contribution are core money (agreed for the year); extrabudgetary, decentralized, "
    "special-account, in-kind and other money is voluntary. Own funds are left out."
)


@reads_once
def channel_concentration(
    store: GraphStore, filters: Filters | None = None, *, recipient=INSTITUTE, flow_types=None
) -> ChannelPicture:
    """Known donor money by channel, its concentration and its core and voluntary parts,
    for money received by ``recipient`` (the institute by default; None: every recipient).

    Raises
    ------
    EmptySelection
        No donor flow matches.
    """
    t, _own, _types = totals_by(
        store,
        ("channel",),
        filters,
        recipient=recipient_of(store, recipient),
        flow_types=flow_types,
    )
    if t.empty:
        raise EmptySelection("no donor flows match the selection; widen the years or drop a filter")
    key = t["channel"].astype(object).where(t["channel"].notna(), None)
    g = t.assign(channel=key).groupby("channel", dropna=False, sort=False)
    table = pd.DataFrame(
        {
            "usd": g["amount_usd"].sum(),
            "donors": g["donor"].nunique(),
            "flows": g["flows"].sum(),
            "flows_with_usd": g["usd_known"].sum(),
        }
    ).reset_index()
    table["channel"] = table["channel"].astype(object).where(table["channel"].notna(), None)
    table["core"] = table["channel"].isin(CORE_CHANNELS)
    total = math.fsum(table["usd"])
    table["share"] = table["usd"] / total if total > 0 else math.nan
    table = table.sort_values(["usd", "flows"], ascending=False, kind="stable", ignore_index=True)
    table = table[["channel", "core", "usd", "share", "donors", "flows", "flows_with_usd"]]
    known = {c: float(v) for c, v in zip(table["channel"], table["usd"], strict=True) if v > 0}
    s = concentration_summary(known) if known else None
    core = math.fsum(table.loc[table["core"], "usd"])
    return ChannelPicture(
        table=table,
        hhi=s["hhi"] if s else math.nan,
        cr1=s["cr1"] if s else math.nan,
        top_channel=table["channel"].iloc[0] if s else None,
        core_usd=core,
        voluntary_usd=total - core,
        core_share=core / total if total > 0 else math.nan,
        note=NOTE,
    )
