"""The analyses' results, each a TypedDict with its fields documented (they stay plain dicts
at run time, so they cache, pickle and compare as before).

A figure that has a low and a high value because of pooled money is a
:class:`~graph.metrics.concentration.Summary` on each side.

Examples
--------
>>> from graph.analyses.funding import coverage
>>> from loaders.load import load_memory
>>> c: Coverage = coverage(load_memory(MINIMAL))
>>> sorted(Coverage.__annotations__) == sorted(c)
True
"""

from __future__ import annotations

from typing import Any, TypedDict

import pandas as pd

__all__ = [
    "AddedDonor",
    "Balance",
    "Collaborations",
    "Concentration",
    "Coverage",
    "Diversity",
    "DiversityIndex",
    "DonorConcentration",
    "ExitScenario",
    "MergerEffect",
]


class Coverage(TypedDict):
    """How much of the funding picture is known (:func:`graph.analyses.funding.coverage`).

    ``flows``, ``flows_with_amount``, ``flows_without_amount``: donor flows (own funds left
    out) and how many state an amount; ``flows_without_usd``: an amount but no USD value;
    ``donors``, ``donors_with_amount``, ``donors_without_amount`` (of whom
    ``donors_without_amount_in_pools`` are members of a pooled fund with known money, which
    may hold theirs); ``donor_usd``: known USD
    from donors, of which ``direct_usd`` from named donors and ``pooled_usd`` through pools;
    ``known_donor_share`` = direct / donor USD (NaN with no money); ``own_funds_usd``;
    ``flow_types`` counted; ``negative_flows`` and ``negative_usd``: flows with a negative
    amount (reversals, decommitments) and their sum, netted in every figure; ``statement``:
    all of it in one sentence.
    """

    flows: int
    flows_with_amount: int
    flows_without_amount: int
    flows_without_usd: int
    donors: int
    donors_with_amount: int
    donors_without_amount: int
    donors_without_amount_in_pools: int
    donor_usd: float
    direct_usd: float
    pooled_usd: float
    known_donor_share: float
    own_funds_usd: float
    flow_types: tuple[str, ...]
    negative_flows: int
    negative_usd: float
    statement: str


class Concentration(TypedDict):
    """Concentration of known amounts plus pools
    (:func:`graph.analyses.concentration.concentration_of`).

    ``low`` / ``high``: every figure of :data:`graph.metrics.METRICS` and the bands of each
    end; ``concentrated`` / ``spread``: the two attributions of the pools; ``allocations``:
    the donor totals of each; ``note``: the rule in words; ``pooled``: whether a range was
    needed; ``bands``: ``{"2023": text, "2010": text}`` (one band, or "X to Y").
    """

    low: dict[str, Any]
    high: dict[str, Any]
    concentrated: dict[str, Any]
    spread: dict[str, Any]
    allocations: dict[str, dict]
    note: str
    pooled: bool
    bands: dict[str, str]


class DonorConcentration(Concentration):
    """:class:`Concentration` of a store's selection
    (:func:`graph.analyses.concentration.donor_concentration`), plus ``coverage``,
    ``top_donors`` (DataFrame: donor, sector, pooled, amount_usd, share), ``pools`` (pool id →
    members) and ``flow_types``."""

    coverage: Coverage
    top_donors: pd.DataFrame
    pools: dict[str, list[str]]
    flow_types: tuple[str, ...]


class MergerEffect(TypedDict):
    """HHI before and after two donors merge (:func:`graph.analyses.concentration.merger_effect`):
    ``hhi_before`` / ``hhi_after`` / ``delta``, the two donors' shares, the bands before and
    after, whether pooled money was spread (``pooled``) and ``flow_types``."""

    hhi_before: float
    hhi_after: float
    delta: float
    share_a: float
    share_b: float
    bands_before: dict[str, str]
    bands_after: dict[str, str]
    pooled: bool
    flow_types: tuple[str, ...]


class DiversityIndex(TypedDict):
    """Diversity over groups (:func:`graph.analyses.diversity.diversity_index`): ``groups``
    with a positive value, ``shannon`` H, ``evenness`` J and ``effective_number`` exp(H)."""

    groups: int
    shannon: float
    evenness: float
    effective_number: float


class Diversity(TypedDict):
    """Donors and money by sector, country or region
    (:func:`graph.analyses.diversity.donor_diversity`): ``table`` (one row per group),
    ``index`` (``{"donors": DiversityIndex, "money": DiversityIndex}``), ``note``,
    ``flow_types`` and ``donors`` (the donor ids counted)."""

    table: pd.DataFrame
    index: dict[str, DiversityIndex]
    note: str
    flow_types: tuple[str, ...]
    donors: list


class Balance(TypedDict):
    """Regional balance against target shares (:func:`graph.analyses.regional.regional_balance`).

    ``table`` (region, name, value, share, target, gap); ``evenness``,
    ``distance_to_targets`` and ``score`` (1 = on target); ``unassigned`` and
    ``unassigned_share`` (what no region of the scheme holds); ``measure``, ``scheme``,
    ``targets`` used and their ``reasoning``; ``splits`` (how multi-target projects were
    split), ``note`` and ``portfolio`` (whose portfolio it counts, in a sentence).
    """

    table: pd.DataFrame
    evenness: float
    distance_to_targets: float
    score: float
    unassigned: float
    unassigned_share: float
    measure: str
    scheme: str
    targets: dict
    reasoning: str | None
    splits: dict
    note: str
    portfolio: str


class AddedDonor(TypedDict):
    """A hypothetical new donor (:func:`graph.analyses.scenarios.add_donor`): its ``name``,
    ``amount``, ``sector``, ``country`` and ``region`` (region ids), concentration before
    and after, and sector and region diversity before and after; ``flow_types``."""

    name: str
    amount: float
    sector: str
    country: str | None
    region: list[str]
    concentration_before: Concentration | None
    concentration_after: Concentration | None
    sector_before: DiversityIndex | None
    sector_after: DiversityIndex | None
    region_before: DiversityIndex | None
    region_after: DiversityIndex | None
    flow_types: tuple[str, ...]


class ExitScenario(TypedDict):
    """What changes when donors leave (and a new one may join)
    (:func:`graph.analyses.scenarios.donor_exit`).

    ``removed`` (ids) and ``removed_names``; known USD ``money_before`` / ``money_after``
    (after includes a new donor's amount), ``money_lost`` (what the leavers take),
    ``money_added``, ``lost_from_pools`` (the part that is an even share of a pool);
    ``concentration_before`` / ``concentration_after`` (None when no known money is left);
    ``lost_by_region`` and ``lost_by_project`` (DataFrames: key, name, before, after, lost);
    ``projects_unfunded`` (ids) and ``unfunded`` (DataFrame: project, title, donors);
    ``partners_cut_off`` (ids no longer connected to ``institute``); connected parts of the
    partnership graph ``components_before`` / ``components_after``; ``new_brokers``;
    ``added`` (None, or the new donor as in :class:`AddedDonor`); ``flow_types``; ``note``.
    """

    removed: list[str]
    removed_names: list[str]
    money_before: float
    money_after: float
    money_lost: float
    money_added: float
    lost_from_pools: float
    concentration_before: Concentration | None
    concentration_after: Concentration | None
    lost_by_region: pd.DataFrame
    lost_by_project: pd.DataFrame
    projects_unfunded: list[str]
    unfunded: pd.DataFrame
    partners_cut_off: list[str]
    institute: str | None
    components_before: int
    components_after: int
    new_brokers: list[str]
    added: dict | None
    flow_types: tuple[str, ...]
    note: str


class Collaborations(TypedDict):
    """Who works where (:func:`graph.analyses.collaborations.collaborations`): the
    ``projects``, ``events`` and ``networks`` of the place, the ``partners`` in them (id,
    name, sector, country, what brings them in), how many of them are ``based_there``
    (:func:`graph.analyses.regional.partners_based`, Regional balance's count) and the
    ``pairs`` who work together there (organization, with, shared, where)."""

    projects: pd.DataFrame
    events: pd.DataFrame
    networks: pd.DataFrame
    partners: pd.DataFrame
    based_there: int
    pairs: pd.DataFrame
