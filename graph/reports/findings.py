"""Headline findings for the governing board, as data and as plain text.

:func:`findings` gathers the figures (every one from the analyses of this package);
:func:`render_report` writes them as a plain-text report; :func:`board_report` does both.
``python -m graph report`` prints it for the bundled data (see :mod:`graph.__main__`).

Examples
--------
>>> text = board_report(example_store(), as_of="2025-01-01")
>>> print(text.splitlines()[0])
DONOR AND PARTNERSHIP FINDINGS
>>> "highly concentrated" in text and "USD 1,200" in text
True
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from graph.analyses.channels import WHY, channel_concentration
from graph.analyses.cliff import as_date, donors_ending, ending_within, funding_cliff
from graph.analyses.concentration import concentration_trend, donor_concentration
from graph.analyses.diversity import POOLED, donor_diversity
from graph.analyses.funding import org_names
from graph.analyses.portfolio import portfolio
from graph.analyses.regional import regional_balance, regional_picture
from graph.analyses.scenarios import donor_exit, main_recipient
from graph.errors import AnalysisError, EmptySelection
from graph.reports.figures import part_years
from graph.store import GraphStore, display_names
from graph.text import label, num, pct, pooled_name, span, usd

__all__ = ["Findings", "Unavailable", "findings", "render_report", "board_report", "largest_donor"]


def largest_donor(
    store: GraphStore, *, channel: str | None = "extrabudgetary", recipient=None, flow_types=None
) -> str | None:
    """The donor with the most known USD (through ``channel``), own funds left out.

    Ties and all-unknown amounts go to the donor with more flows, then the smaller id.
    >>> largest_donor(example_store()), largest_donor(example_store(), channel=None)
    ('pool', 'gov')
    """
    t = store.funding_totals(("donor", "recipient", "channel"), flow_types=flow_types)
    t = t[t["donor"] != t["recipient"]]
    if recipient is not None:
        t = t[t["recipient"] == recipient]
    if channel is not None:
        t = t[t["channel"] == channel]
    if t.empty:
        return None
    g = t.groupby("donor")[["amount_usd", "flows"]].sum().reset_index()
    g = g.sort_values(["amount_usd", "flows", "donor"], ascending=[False, False, True])
    return str(g.iloc[0]["donor"])


@dataclass(frozen=True)
class Unavailable:
    """A part of the findings that cannot be computed, and why (in plain words)."""

    reason: str


def _safe(fn, *a, **kw):
    """``fn(*a, **kw)``, or :class:`Unavailable` with the analysis' own reason."""
    try:
        return fn(*a, **kw)
    except (EmptySelection, AnalysisError) as e:
        return Unavailable(str(e))


@dataclass
class Findings:
    """Every headline figure of the board report. A part that cannot be computed is an
    :class:`Unavailable` holding the reason.

    Attributes
    ----------
    store : str
        Where the figures were read (the store's description).
    recipient : str or None
        The institute.
    as_of : date
        The date the funding cliff counts from.
    names : DataFrame
        Organization names (:func:`graph.analyses.funding.org_names`).
    places : dict
        Country code → the country's name in the store.
    concentration, trend, sectors, countries, regions, regional_money, cliff
        :func:`~graph.analyses.concentration.donor_concentration`,
        :func:`~graph.analyses.concentration.concentration_trend`,
        :func:`~graph.analyses.diversity.donor_diversity` by sector and by country,
        :func:`~graph.analyses.regional.regional_balance` on projects,
        :func:`~graph.analyses.regional.regional_picture` and
        :func:`~graph.analyses.cliff.funding_cliff`.
    portfolio : str
        Whose portfolio the regional balance and the cliff count, in a sentence.
    ending : dict
        ``{year: {"projects": ..., "donors": ...}}`` for the as-of year and the next.
    exit_donor : str or None
        The largest extrabudgetary donor; ``exit`` its
        :func:`~graph.analyses.scenarios.donor_exit` scenario.
    """

    store: str
    recipient: str | None
    as_of: dt.date
    names: pd.DataFrame
    places: dict = field(default_factory=dict)
    concentration: Any = None
    trend: Any = None
    channels: Any = None
    part_years: dict = field(default_factory=dict)
    sectors: Any = None
    countries: Any = None
    regions: Any = None
    regional_money: Any = None
    cliff: Any = None
    portfolio: str = ""
    ending: dict = field(default_factory=dict)
    exit_donor: str | None = None
    exit: Any = None


def findings(
    store: GraphStore,
    *,
    as_of=None,
    recipient: str | None = None,
    scheme: str = "focus",
    targets: dict | None = None,
    flow_types=None,
    scope: str = "institute",
) -> Findings:
    """Every headline figure of the board report, as :class:`Findings`.

    Parameters
    ----------
    as_of : date or "YYYY-MM-DD", optional
        The date the funding cliff counts from (default: 1 January of the latest year
        with a funding flow).
    recipient : str, optional
        The institute (default: the organization receiving the most flows).
    scheme, targets : see :func:`graph.analyses.regional.regional_balance`.
    scope : {"institute", "network"}, default "institute"
        What the regional balance and the funding cliff count: the institute's current
        portfolio, or the wider network (:mod:`graph.analyses.portfolio`).
    """
    inst = recipient or main_recipient(store)
    flows = store.funding_totals(("year",), flow_types=flow_types)
    years = [y for y in flows["year"] if y is not None]
    start = (
        as_date(as_of)
        if as_of is not None
        else dt.date(max(years) if years else dt.date.today().year, 1, 1)
    )
    types = {"flow_types": flow_types}
    mine = {"recipient": inst, **types}
    out = Findings(store=store.describe(), recipient=inst, as_of=start, names=org_names(store))
    out.places = dict(zip(*_country_names(store), strict=True))
    out.concentration = _safe(donor_concentration, store, **mine)
    out.trend = _safe(concentration_trend, store, **mine)
    out.channels = _safe(channel_concentration, store, **mine)
    out.part_years = part_years(store, None, inst)
    out.sectors = _safe(donor_diversity, store, by="donor_sector", **mine)
    out.countries = _safe(donor_diversity, store, by="donor_country", **mine)
    whose = {"scope": scope, **types}
    out.portfolio = portfolio(store, scope).says()
    out.regions = _safe(
        regional_balance, store, scheme=scheme, targets=targets, measure="projects", **whose
    )
    out.regional_money = _safe(regional_picture, store, scheme=scheme, **whose)
    out.cliff = _safe(funding_cliff, store, **whose)
    for y in (start.year, start.year + 1):
        end = dt.date(y, 12, 31)
        out.ending[y] = {
            "projects": _safe(ending_within, store, as_of=start, until=end, **whose),
            "donors": _safe(donors_ending, store, by=end, since=start, **whose),
        }
    out.exit_donor = largest_donor(store, recipient=inst, flow_types=flow_types)
    out.exit = (
        _safe(donor_exit, store, [out.exit_donor], recipient=inst, scheme=scheme, **types)
        if out.exit_donor
        else Unavailable("no extrabudgetary donor in the data")
    )
    return out


def _country_names(store: GraphStore) -> tuple[list, list]:
    """The store's country codes and the names a person reads."""
    t = store.node_table("Country")
    if not len(t):
        return [], []
    return t["id"].tolist(), display_names(t)


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=92, initial_indent=indent, subsequent_indent=indent)


def _name(f: Findings, org_id) -> str:
    names = f.names
    if org_id in names.index:
        n, a = names.at[org_id, "name"], names.at[org_id, "acronym"]
        return f"{n} ({a})" if isinstance(a, str) and a and a not in n else n
    return str(org_id)


#: Low–high ranges in the report are written tight: ``2,882–3,090``.
_range = partial(span, sep="–")


def _two(x) -> str:
    return num(x, 2)


def _concentration(f: Findings) -> list[str]:
    c = f.concentration
    if isinstance(c, Unavailable):
        return ["", "1. Donor concentration", _wrap(f"Cannot be computed: {c.reason}")]
    lo, hi = c["low"], c["high"]
    L = ["", "1. What is known", _wrap(c["coverage"]["statement"])]
    L += ["", "2. Donor concentration (known amounts, own funds excluded)"]
    L.append(
        _wrap(
            f"HHI {_range(lo['hhi'], hi['hhi'], num)} of 10,000: "
            f"{c['bands']['2023']} under the 2023 US merger guidelines (above 1,800), "
            f"{c['bands']['2010']} under the 2010 guidelines (above 2,500)."
        )
    )
    L.append(
        _wrap(
            f"Largest donor's share (CR1) {_range(lo['cr1'], hi['cr1'], pct)}; "
            f"top three (CR3) {_range(lo['cr3'], hi['cr3'], pct)}; "
            f"Gini {_range(lo['gini'], hi['gini'], _two)}."
        )
    )
    L.append(
        _wrap(
            "Effective number of donors: "
            f"{_range(lo['effective_order2'], hi['effective_order2'], _two)} "
            f"(1/sum of squared shares), "
            f"{_range(lo['effective_order1'], hi['effective_order1'], _two)} "
            f"(exp of Shannon entropy), among "
            f"{_range(lo['n_donors'], hi['n_donors'], num)} donors with a known amount."
        )
    )
    if c["pooled"]:
        pools = ", ".join(
            f"{_name(f, p)} stands for {len(m):,} donors" for p, m in c["pools"].items()
        )
        L.append(
            _wrap(
                f"Range: pooled money ({pools}) cannot be traced to one donor. The first figure "
                "spreads each pool evenly over its members or gives it whole to one member, "
                "whichever is lower; the second whichever is higher. Neither is a guess of the "
                "real split."
            )
        )
    t = f.trend
    if isinstance(t, pd.DataFrame) and len(t):
        parts = [
            f"{r['year']}: {_range(r['hhi_low'], r['hhi_high'], num)}"
            + (f" ({f.part_years[r['year']]})" if r["year"] in f.part_years else "")
            for r in t.to_dict("records")
            if not math.isnan(r["hhi_low"])
        ]
        L.append(_wrap("HHI by year: " + "; ".join(parts) + "."))
    L += _channels(f)
    L += ["", "3. Largest donors (known USD)"]
    for r in c["top_donors"].to_dict("records"):
        who = pooled_name(_name(f, r["donor_id"]), r["pooled"])
        L.append(f"  {who}: {usd(r['amount_usd'])} ({pct(r['share'])})")
    return L


def _channels(f: Findings) -> list[str]:
    """Concentration by channel beside concentration by donor, and core against voluntary."""
    ch = f.channels
    if ch is None or isinstance(ch, Unavailable) or math.isnan(ch.hhi):
        return []
    top = label(ch.top_channel)
    return [
        _wrap(
            f"By channel (each channel one source): HHI {num(ch.hhi)}; the largest, {top}, "
            f"gives {pct(ch.cr1)}. Core money (regular budget, host country) "
            f"{usd(ch.core_usd)} ({pct(ch.core_share)}); voluntary {usd(ch.voluntary_usd)} "
            f"({pct(1 - ch.core_share)}). {WHY}"
        )
    ]


def _group_words(r: dict, by: str, places: dict) -> str:
    """One group of a diversity table in words: its name, its donors and its known money (an
    amount no document gives is unknown, not 0)."""
    if r[by] == POOLED:
        return f"pooled money not attributed ({usd(r['amount_usd'])})"
    money = usd(r["amount_usd"]) if r["donors_with_amount"] else "amounts unknown"
    name = places.get(r[by], r[by]) if by == "donor_country" else label(r[by])
    return f"{name or 'not stated'} {r['donors']} ({money})"


def _diversity(f: Findings) -> list[str]:
    L = ["", "4. Donors by sector and by country"]
    for key, by, d in (
        ("sectors", "donor_sector", f.sectors),
        ("countries", "donor_country", f.countries),
    ):
        if isinstance(d, Unavailable):
            L.append(_wrap(f"{key}: {d.reason}"))
            continue
        parts = [_group_words(r, by, f.places) for r in d["table"].to_dict("records")]
        what = "Sector" if key == "sectors" else "Country"
        L.append(_wrap(f"{what}: " + "; ".join(parts) + "."))
        ix = d["index"]
        L.append(
            _wrap(
                f"Diversity ({key}): effective number {num(ix['donors']['effective_number'], 1)} "
                f"by donor count, {num(ix['money']['effective_number'], 1)} by money; evenness "
                f"{_two(ix['donors']['evenness'])} and {_two(ix['money']['evenness'])}."
            )
        )
    L.append(
        _wrap(
            "Pooled money is not split over the pool's members (no document gives their "
            "shares): it is a line of its own, left out of the money diversity, and its donors "
            "count in their own sectors and countries."
        )
    )
    return L


def _regions(f: Findings) -> list[str]:
    L = ["", "5. Regional balance (projects per focus region, against targets)"]
    if f.portfolio:
        L.append(_wrap(f.portfolio + " The funding cliff and what ends count the same."))
    r = f.regions
    if isinstance(r, Unavailable):
        return [*L, _wrap(r.reason)]
    for row in r["table"].to_dict("records"):
        L.append(
            f"  {row['name']:<34} {row['actual']:5.1f} projects  {pct(row['actual_share']):>8}"
            f"  target {pct(row['target_share']):>8}  gap {100 * row['gap']:+.1f} pts"
        )
    L.append(
        _wrap(
            f"Balance score {_two(r['score'])} (1 = on target; distance "
            f"{_two(r['distance_to_targets'])}), evenness {_two(r['evenness'])}. "
            f"{num(r['unassigned'], 1)} projects ({pct(r['unassigned_share'])}) are not tied "
            f"to a focus region. {r['note']}"
        )
    )
    m = f.regional_money
    if isinstance(m, pd.DataFrame) and len(m):
        tied = m.loc[m["region"].notna(), "money_usd"].sum()
        L.append(
            _wrap(
                f"Money: {usd(tied)} of known USD is tied to a focus region; the rest is core or "
                "pooled funding with no project, so money cannot be balanced by region yet."
            )
        )
    L.append(_wrap("Targets: " + (r["reasoning"] or "")))
    return L


def _ending(f: Findings) -> list[str]:
    L = ["", "6. What ends (agreements end on 31 December of their end year)"]
    for y, e in f.ending.items():
        p, d = e["projects"], e["donors"]
        if isinstance(p, Unavailable):
            L.append(_wrap(f"By end of {y}: {p.reason}"))
            continue
        names = ", ".join(f"{x['title']} ({x['end_year']})" for x in p.to_dict("records"))
        known = p["funding_usd"].dropna()
        money = usd(known.sum()) if len(known) else "not stated in the documents"
        L.append(
            _wrap(
                f"By end of {y}: {len(p):,} projects, known committed funding {money}: "
                f"{names or 'none'}."
            )
        )
        if isinstance(d, pd.DataFrame):
            who = ", ".join(_name(f, x) for x in d["donor_id"])
            L.append(_wrap(f"Donors whose agreements all end by then: {who or 'none'}."))
    return L


#: The heading of the donor-exit finding: the largest extrabudgetary source is one donor, or a
#: pool of several whose shares are not known (then they leave together, and it says so).
EXIT_HEADING = "7. If the largest extrabudgetary donor left"
EXIT_POOL_HEADING = "7. If the largest extrabudgetary source, a pool of donors, stopped"


def _exit(f: Findings) -> list[str]:
    who = f.exit_donor
    pools = {} if isinstance(f.concentration, Unavailable) else f.concentration.get("pools", {})
    pooled = who in pools
    L = ["", EXIT_POOL_HEADING if pooled else EXIT_HEADING]
    x = f.exit
    if isinstance(x, Unavailable):
        return [*L, _wrap(x.reason)]
    tag = f", a pool of {len(pools[who]):,} donors who all leave together" if pooled else ""
    share = x["money_lost"] / x["money_before"] if x["money_before"] else math.nan
    L.append(
        _wrap(
            f"{_name(f, who)}{tag}: known donor money falls from {usd(x['money_before'])} to "
            f"{usd(x['money_after'])}, {usd(x['money_lost'])} ({pct(share)}) less."
        )
    )
    a, b = x["concentration_before"], x["concentration_after"]
    if a and b:
        L.append(
            _wrap(
                f"HHI goes from {_range(a['low']['hhi'], a['high']['hhi'], num)} to "
                f"{_range(b['low']['hhi'], b['high']['hhi'], num)} "
                f"({b['bands']['2023']}, 2023 guidelines)."
            )
        )
    reg = x["lost_by_region"]
    lost = reg[reg["lost"] > 0] if len(reg) else reg
    if len(lost):
        where = "; ".join(
            f"{r['target_region'] or 'not tied to a region'} {usd(r['lost'])}"
            for r in lost.to_dict("records")
        )
        L.append(_wrap(f"Money lost by target region: {where}."))
    L.append(
        _wrap(
            f"Projects left with no known funder: {', '.join(x['projects_unfunded']) or 'none'}. "
            f"Partners that lose their only link to the institute: "
            f"{', '.join(_name(f, p) for p in x['partners_cut_off']) or 'none'}. "
            f"Partnership network: {x['components_before']} connected parts before, "
            f"{x['components_after']} after; new brokers: "
            f"{', '.join(_name(f, p) for p in x['new_brokers']) or 'none'}."
        )
    )
    return L


def render_report(f: Findings) -> str:
    """The findings of :func:`findings` as a plain-text board report."""
    L = ["DONOR AND PARTNERSHIP FINDINGS", "=" * 30]
    L.append(f"Data: {f.store}. Institute: {_name(f, f.recipient)}.")
    for part in (_concentration, _diversity, _regions, _ending, _exit):
        L += part(f)
    return "\n".join(L) + "\n"


def board_report(store: GraphStore, **kw) -> str:
    """:func:`findings` rendered by :func:`render_report`."""
    return render_report(findings(store, **kw))
