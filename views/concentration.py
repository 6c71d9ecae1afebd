"""Donor concentration — the governing board's page.

The board report's downloads first (for the period and recipient chosen), then the indices
with their bands, concentration by donor and by channel, the trend by year, a Lorenz
curve, the top donors, the breakdown by channel, sector and donor region, the range that
pooled money leaves open and the funding cliff (what ends when), each with a sentence in
plain words. A period with no known amount says so and keeps the cliff and the downloads.
Donor money is that received by the institute, as in the text report, or by every
recipient in the data if the reader asks. Figures come from
:mod:`graph.analyses.concentration` (shaped by :mod:`graph.reports.figures`),
:mod:`graph.metrics.concentration` and :mod:`graph.analyses.cliff`.
"""

import pandas as pd
import streamlit as st

from graph.analyses import institute
from graph.analyses.channels import WHY
from graph.analyses.cliff import DEFAULT_AS_OF, DEFAULT_AS_OF_REASON, cliff_peak
from graph.reports import board as board_report
from graph.reports import figures as support
from views import charts, planning, state
from views.fmt import (
    figure_row,
    in_millions,
    label_of,
    md,
    num,
    pct,
    plural,
    pooled_name,
    scheme_name,
    span,
    table,
    usd,
    usd_k,
    year_text,
)

store, _ = state.get_store()

#: Badge colours of the HHI bands.
BADGE = {
    "highly concentrated": "red",
    "moderately concentrated": "orange",
    "unconcentrated": "green",
}


def pct_span(lo, hi) -> str:
    """Two shares as one short range, ``81–100 %`` (one value when they read the same),
    so that it fits a metric."""
    return span(lo, hi, lambda v: num(100 * float(v)), sep="–") + " %"


def choices():
    """The period and whose money, as picked at the top of the page."""
    years = state.flow_years(store)
    inst, inst_short, inst_long, others = state.institute(store)
    with st.container(horizontal=True, gap="large"):
        choice = st.segmented_control(
            "Period",
            ["All years"] + [str(y) for y in years],
            default="All years",
            key="conc-period",
        )
        if inst is not None:
            whose = st.segmented_control(
                "Money received by",
                ["institute", "every"],
                default="institute",
                format_func=lambda o: inst_short if o == "institute" else institute.EVERY_RECIPIENT,
                key="conc-recipient",
                help=f"{inst_long}: the organization that receives the most funding flows, as in "
                "the text report. 'Every recipient' adds money that donors gave to other "
                "organizations in the data.",
            )
        else:  # no funding flow at all: nothing to choose
            whose = "every"
    year = None if choice in (None, "All years") else int(choice)
    recipient = inst if whose != "every" else None
    who = inst_short if recipient is not None else institute.EVERY_RECIPIENT
    if recipient is not None:
        st.caption(f"Figures for money received by {md(inst_long)}.")
    else:
        st.caption(
            "Figures for money received by every recipient in the data"
            + (
                f": the institute and {plural(len(others), 'other organization')}."
                if others
                else "."
            )
        )
    return year, recipient, who


def downloads(year, recipient, who) -> None:
    """The board report, HTML and PDF, for the period and recipient chosen, with the
    projection and the board limits of the Strategy page's assumptions."""
    plan = planning.board_plan(store)
    with st.container(border=True):
        c = st.columns([1, 1, 2])
        c[0].download_button(
            "Board report (HTML)",
            state.board_download(store, recipient, "html", year, plan),
            file_name=state.board_filename(recipient, "html", year),
            mime="text/html",
            key="report-html",
            icon=":material/download:",
            type="primary",
        )
        c[1].download_button(
            "Board report (PDF)",
            state.board_download(store, recipient, "pdf", year, plan),
            file_name=state.board_filename(recipient, "pdf", year),
            mime="application/pdf",
            key="report-pdf",
            icon=":material/picture_as_pdf:",
        )
        period = "all years" if year is None else str(year)
        c[2].caption(
            f"For {period} and money received by {md(who)}, as chosen above; the report "
            "prints both. It ends with the board limits and the projection for "
            f"{plan[0].period[0]}–{plan[0].period[1]} with the Strategy page's renewals and "
            "prospects. Each file is built from the data loaded now when you click."
        )


def indices(pic, year, recipient, who) -> None:
    """The headline indices, their bands and the words for them."""
    cov = pic["coverage"]
    lo, hi = pic["low"], pic["high"]
    st.subheader("The indices")
    c = figure_row()
    c.metric("HHI (0–10,000)", span(lo["hhi"], hi["hhi"], num))
    c.metric("Largest donor's share (CR1)", pct_span(lo["cr1"], hi["cr1"]))
    c.metric("Top three (CR3)", pct_span(lo["cr3"], hi["cr3"]))
    c.metric(
        "Effective number of donors",
        span(lo["effective_order2"], hi["effective_order2"], lambda v: num(v, 1)),
        help="1 / Σ share²: how many equal donors would give the same concentration",
    )
    with st.container(horizontal=True):
        st.badge(
            f"2023 US guidelines: {pic['bands']['2023']}", color=BADGE.get(hi["band_2023"], "gray")
        )
        st.badge(
            f"2010 US guidelines: {pic['bands']['2010']}", color=BADGE.get(hi["band_2010"], "gray")
        )
    st.markdown("**In plain words.** " + md(board_report.plain_words(pic)))
    st.caption(f"Coverage of money received by {md(who)}: " + md(cov["statement"]))

    ch = state.channels(store, year, recipient=recipient)
    if ch is not None and ch.core_usd + ch.voluntary_usd > 0:
        st.subheader("By donor and by channel")
        c = figure_row()
        c.metric("HHI by channel", num(ch.hhi), help="each funding channel counted as one source")
        c.metric(f"Largest channel: {label_of(ch.top_channel)}", pct(ch.cr1, 0))
        for what, money, share in (
            ("Core money", ch.core_usd, ch.core_share),
            ("Voluntary money", ch.voluntary_usd, 1 - ch.core_share),
        ):  # the share beside the figure, not in the label
            c.metric(
                what,
                usd(money),
                delta=f"{pct(share, 0)} of known",
                delta_color="off",
                delta_arrow="off",
            )
        st.caption(
            f"By donor, HHI is {span(lo['hhi'], hi['hhi'], num)} and the largest donor gives "
            f"{pct_span(lo['cr1'], hi['cr1'])}; by channel, HHI is {num(ch.hhi)}. "
            + md(f"{WHY} {ch.note}")
        )

    with st.expander("All the figures"):
        names = {
            "n_donors": ("Donors", lambda v: num(v)),
            "hhi": ("HHI", lambda v: num(v)),
            "cr1": ("CR1", lambda v: pct(v)),
            "cr3": ("CR3", lambda v: pct(v)),
            "cr5": ("CR5", lambda v: pct(v)),
            "gini": ("Gini", lambda v: num(v, 3)),
            "shannon": ("Shannon entropy H", lambda v: num(v, 3)),
            "evenness": ("Evenness J = H / ln n", lambda v: num(v, 3)),
            "effective_order1": ("Effective donors, exp(H)", lambda v: num(v, 2)),
            "effective_order2": ("Effective donors, 1 / Σ s²", lambda v: num(v, 2)),
        }
        rows = [{"figure": n, "low": f(lo[k]), "high": f(hi[k])} for k, (n, f) in names.items()]
        table(pd.DataFrame(rows), "concentration_figures")
        st.caption(pic["note"])


def trend_and_lorenz(pic, recipient) -> None:
    """The trend by year (every year) and the Lorenz curve of the period."""
    trend = state.trend(store, recipient=recipient)
    left, right = st.columns(2)
    with left:
        st.subheader("Trend by year")
        if len(trend):
            st.altair_chart(charts.hhi_trend(trend), width="stretch")
            st.caption(
                "Bars: HHI between the two ways of attributing pooled money; line: the high "
                "case. Dashed lines: the 2023 guideline thresholds. A year with few known "
                "amounts can look more concentrated than it is — see 'flows with amount' below."
            )
        else:
            st.info("No year has a known amount.")
    with right:
        st.subheader("Lorenz curve")
        case = st.radio(
            "Pooled money",
            ["spread", "concentrated"],
            horizontal=True,
            key="lorenz-case",
            format_func=lambda c: (
                "spread evenly over its members" if c == "spread" else "given by one member"
            ),
        )
        st.altair_chart(charts.lorenz(pic["lorenz"][case]), width="stretch")
        st.caption(
            "Donors from smallest to largest. The further the curve sags below the dashed line "
            "of equal giving, the more the money depends on the largest donors."
        )
    if len(trend):
        t = pd.DataFrame(
            {
                "year": trend["year"].map(year_text),
                "donors": trend["donors"],
                "USD k": trend["total"].map(usd_k),
                "HHI": [
                    span(a, b, num)
                    for a, b in zip(trend["hhi_low"], trend["hhi_high"], strict=True)
                ],
                "band (2023)": trend["band"],
                "CR1": [
                    pct_span(a, b) for a, b in zip(trend["cr1_low"], trend["cr1_high"], strict=True)
                ],
                "flows with amount": trend["share_with_amount"],
                "covers": trend["covers"],
            }
        )
        table(
            t,
            "concentration_by_year",
            money=["USD k"],
            shares=["flows with amount"],
            column_config={"covers": st.column_config.TextColumn("covers", width="large")},
        )


def top_donors(pic, recipient) -> None:
    st.subheader("Top donors")
    top = pic["top"]
    shown = pd.DataFrame(
        {
            "rank": top["rank"],
            "donor": [pooled_name(d, p) for d, p in zip(top["donor"], top["pooled"], strict=True)],
            "USD k": top["usd"].map(usd_k),
            "share": top["share"],
            "cumulative": top["cumulative"],
        }
    )
    table(shown, "top_donors", money=["USD k"], shares=["share", "cumulative"])
    if len(top):
        first = top.iloc[0]
        st.caption(
            f"{md(first['donor'])} alone gives {pct(first['share'], 0)} of known donor money. "
            "A pooled fund is one line here; the indices above count its members."
        )
    if pic["own_funds"] > 0:
        st.caption(
            ("The institute's" if recipient is not None else "Recipients'")
            + f" own funds (carry-over, interest: {usd(pic['own_funds'])}) are not donor "
            "money and are left out."
        )


def breakdown(year, recipient) -> None:
    st.subheader("Breakdown")
    schemes = support.region_schemes(store)
    tabs = st.tabs(["By channel", "By donor sector", "By donor region"])
    for tab, by in zip(tabs, ["channel", "donor_sector", "donor_region"], strict=False):
        with tab:
            scheme = "focus"
            if by == "donor_region":
                if not schemes:
                    st.info("The store holds no regions.")
                    continue
                scheme = st.selectbox(
                    "Region scheme",
                    schemes,
                    format_func=scheme_name,
                    key="conc-scheme",
                    index=schemes.index("unesco") if "unesco" in schemes else 0,
                )
            b = state.breakdown(store, by, year, scheme=scheme, recipient=recipient)
            if b.empty:
                st.info("No donor flows in this period.")
                continue
            shown = pd.DataFrame(
                {
                    "group": b["group"].map(label_of),
                    "donors": b["donors"],
                    "flows": b["flows"],
                    "flows with amount": b["flows_with_usd"],
                    "USD k": b["usd"].map(usd_k),
                    "share": b["share"],
                    "concentration within": b["band"],
                }
            )
            table(
                shown,
                f"funding_by_{by}",
                money=["USD k"],
                shares=["share"],
                key=f"dl-by-{by}",
                column_config={
                    "concentration within": st.column_config.TextColumn(
                        "concentration within", width="medium"
                    ),
                },
            )
            known = shown[shown["USD k"].notna() & (shown["USD k"] > 0)]
            if len(known):
                known, names = in_millions(known, ["USD k"])  # as the table above reads
                col = names.get("USD k", "USD k")
                st.altair_chart(
                    charts.bars(known, "group", col, title=f"Known funding, {col}"),
                    width="stretch",
                )
            lead = shown.iloc[0]
            if pd.notna(lead["share"]):
                st.caption(
                    f"{md(lead['group']).capitalize()} brings {pct(lead['share'], 0)} of known "
                    "donor money. Donors are counted whether or not their amount is known; an "
                    "amount no document gives reads 'not stated', never 0. 'Concentration "
                    "within' is the group's own HHI band (2023 guidelines); a group with one "
                    "donor has none."
                )


def pooled(pic) -> None:
    lo, hi = pic["low"], pic["high"]
    st.subheader("What pooled money leaves open")
    if pic["has_range"]:
        st.markdown(
            f"{usd(pic['pooled_total'])} arrived through pooled funds whose split between "
            "members is not given. If each pool came from one member, HHI would be "
            f"**{num(hi['hhi'])}**; spread evenly over the members, **{num(lo['hhi'])}**. "
            + (
                f"The largest donor's share is {pct(hi['cr1'], 0)} either way."
                if abs(lo["cr1"] - hi["cr1"]) < 0.005
                else f"The largest donor's share lies between {pct(lo['cr1'], 0)} and "
                f"{pct(hi['cr1'], 0)}."
            )
        )
        st.caption(pic["note"])
    else:
        st.write(
            "No pooled money in this period: the figures above are exact for the known amounts."
        )


def funding_cliff() -> None:
    """The funding cliff (every period) and what ends soon."""
    st.subheader("Funding cliff: when agreements end")
    st.caption(
        "An agreement is a project. The documents give the year it ends, not the day, so each "
        "is taken to end on 31 December of that year. Completed projects are left out; "
        "'known funding' is the money the documents tie to the project, which for most "
        "projects they do not state (they give money per donor), so budgets stated in project "
        "documents are shown beside it. "
        + md(state.whose(store, state.scope()))
        + " The sidebar switches between the institute's own portfolio and the wider network."
    )
    cliff = state.funding_cliff(store, scope=state.scope())
    if cliff.empty:
        st.info("No project that is still running is in the store.")
        return
    ends = cliff["end_year"].map(year_text)
    titles = state.names(store, "Project")
    cl, cr = st.columns([2, 3])
    with cl:
        st.altair_chart(
            charts.cliff(
                pd.DataFrame(
                    {
                        "end": ends,
                        "projects": cliff["projects"],
                        "funding": cliff["funding_usd"].map(lambda v: usd(v, unknown="not stated")),
                        "budget": cliff["budget_usd"].map(lambda v: usd(v, unknown="not stated")),
                    }
                )
            ),
            width="stretch",
        )
    with cr:
        table(
            pd.DataFrame(
                {
                    "agreements end": ends,
                    "projects": cliff["projects"],
                    "known funding, USD k": cliff["funding_usd"].map(usd_k),
                    "stated budgets, USD k": cliff["budget_usd"].map(usd_k),
                    "donors": cliff["donors"],
                    "flows with amount": cliff["flows_with_usd"],
                    "flows": cliff["flows"],
                    "which projects": cliff["project_ids"].map(
                        lambda ids: "; ".join(
                            str(titles.get(i.strip(), i.strip())) for i in str(ids).split(",")
                        )
                    ),
                }
            ),
            "funding_cliff",
            money=["known funding, USD k", "stated budgets, USD k"],
            key="dl-cliff",
        )
    peak = cliff_peak(cliff)
    if peak is not None:
        undated = peak.undated
        st.markdown(
            f"**In plain words.** Of {plural(peak.running, 'running project')}, "
            f"the most end in **{peak.end_year}** ({peak.projects}), with "
            f"{plural(peak.donors, 'donor')} behind them"
            + (
                f"; {plural(undated, 'project')} state{'s' if undated == 1 else ''} no end year"
                if undated
                else ""
            )
            + "."
        )
    ends_soon(titles)


def ends_soon(titles) -> None:
    st.markdown("**What ends soon**")
    c = st.columns([1, 1, 2])
    months = c[0].number_input(
        "Within (months)", min_value=0, max_value=240, value=12, step=1, key="cliff-months"
    )
    as_of = c[1].date_input("From", value=DEFAULT_AS_OF, format="YYYY-MM-DD", key="cliff-date")
    c[2].caption(DEFAULT_AS_OF_REASON)
    end, ending, leaving = state.ending(store, as_of, int(months), state.scope())
    org_name = state.names(store, "Organization")
    known = ending["funding_usd"].dropna() if len(ending) else pd.Series([], dtype=float)
    st.markdown(
        f"Between **{as_of:%d %B %Y}** and **{end:%d %B %Y}**, "
        f"**{plural(len(ending), 'agreement')}** end"
        + (f", with {usd(known.sum())} of known funding" if len(known) else "")
        + f"; **{plural(len(leaving), 'donor')}** would then have no agreement left running."
    )
    if len(ending):
        st.markdown("**Agreements that end**")
        shown = pd.DataFrame(
            {
                "project": ending["title"],
                "ends (year)": ending["end_year"].map(year_text),
                "status": ending["status"].map(label_of),
                "known funding, USD k": ending["funding_usd"].map(usd_k),
                "stated budget, USD k": ending["budget_usd"].map(usd_k),
                "donors": ending["donors"].map(
                    lambda ds: ", ".join(str(org_name.get(d, d)) for d in ds) or "none recorded"
                ),
            }
        )
        if ending["budget_usd"].isna().all():
            shown = shown.drop(columns="stated budget, USD k")
        table(
            shown,
            "agreements_ending",
            money=[c for c in shown.columns if c.endswith("USD k")],
            key="dl-ending",
        )
    if len(leaving):
        st.markdown("**Donors left with no agreement running**")
        table(
            pd.DataFrame(
                {
                    "donor": leaving["donor"],
                    "agreements": leaving["projects"].map(
                        lambda ps: "; ".join(str(titles.get(p, p)) for p in ps)
                    ),
                    "last one ends (year)": leaving["last_end"].map(lambda d: year_text(d.year)),
                    "known funding, USD k": leaving["funding_usd"].map(usd_k),
                }
            ),
            "donors_whose_agreements_all_end",
            money=["known funding, USD k"],
            key="dl-donors-ending",
        )
        st.caption(
            "Donors whose every agreement ends in this window. A donor that also gives core "
            "money (not tied to a project, so with no end date), or has an agreement with no "
            "end year, is not listed: its support does not visibly stop."
        )


st.title("Donor concentration")
st.caption(
    "How dependent the institute is on a few donors. Built from funding flows whose amount the "
    "documents give; flows without an amount are counted but never guessed."
)
year, recipient, who = choices()
downloads(year, recipient, who)
pic = state.concentration(store, year, recipient=recipient)
if pic is None:
    period = "any year" if year is None else str(year)
    flows = state.coverage(store, year, recipient=recipient)["flows"]
    why = (
        f"the data holds {plural(flows, 'donor flow')} of that period, none with an amount a "
        "document states"
        if flows
        else "the data holds no donor flow of that period"
    )
    st.warning(
        f"No donor funding with a known amount was received by {md(who)} in {period}, so "
        f"concentration cannot be measured for it: {why}. Pick another period above, or every "
        "recipient. The funding cliff below counts agreements whatever the period; the board "
        "report for this period says the same as this page.",
        icon=":material/info:",
    )
else:
    indices(pic, year, recipient, who)
    trend_and_lorenz(pic, recipient)
    top_donors(pic, recipient)
    breakdown(year, recipient)
    pooled(pic)
funding_cliff()
