"""Analyses: each reads a store (with :class:`~graph.store.Filters`, keyword options) and
returns a typed result (:mod:`.results`), the same on both stores.

Examples
--------
>>> c = donor_concentration(example_store())
>>> round(c["high"]["hhi"]), c["bands"]["2023"]
(3090, 'highly concentrated')
"""

from graph.analyses.channels import ChannelPicture, channel_concentration
from graph.analyses.cliff import donors_ending, ending_within, funding_cliff
from graph.analyses.collaborations import collaborations
from graph.analyses.concentration import (
    concentration_by,
    concentration_of,
    concentration_trend,
    donor_concentration,
    merger_effect,
)
from graph.analyses.diversity import donor_diversity
from graph.analyses.drawing import (
    NodeDetails,
    PartnerDrawing,
    matching_keys,
    node_details,
    partner_drawing,
)
from graph.analyses.funding import coverage, donor_totals, pool_members
from graph.analyses.institute import INSTITUTE, main_recipient, recipient_name, recipient_of
from graph.analyses.network import (
    centrality,
    co_partnership,
    communities,
    ego_network,
    partnership_graph,
    shortest_paths,
)
from graph.analyses.projection import DEFAULT_PERIOD, Projection, projection
from graph.analyses.regional import country_picture, regional_balance, regional_picture
from graph.analyses.scenarios import add_donor, donor_exit
from graph.analyses.summary import facts_citing, loaded_summary
from graph.analyses.what_it_takes import WhatItTakes, what_it_takes

__all__ = [
    "DEFAULT_PERIOD",
    "INSTITUTE",
    "ChannelPicture",
    "NodeDetails",
    "PartnerDrawing",
    "Projection",
    "WhatItTakes",
    "add_donor",
    "centrality",
    "channel_concentration",
    "co_partnership",
    "collaborations",
    "communities",
    "concentration_by",
    "concentration_of",
    "concentration_trend",
    "country_picture",
    "coverage",
    "donor_concentration",
    "donor_diversity",
    "donor_exit",
    "donor_totals",
    "donors_ending",
    "ego_network",
    "ending_within",
    "facts_citing",
    "funding_cliff",
    "loaded_summary",
    "main_recipient",
    "matching_keys",
    "merger_effect",
    "node_details",
    "partner_drawing",
    "partnership_graph",
    "pool_members",
    "projection",
    "recipient_name",
    "recipient_of",
    "regional_balance",
    "regional_picture",
    "shortest_paths",
    "what_it_takes",
]
