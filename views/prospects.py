"""Prospects: where new donors are, from published data.

Funders in IATI and 360Giving files loaded as external data (Data page, or
``python -m loaders load FILE --external``) who fund the institute's themes in its focus
regions and are not yet its donors: ranked by that money, with their typical grant, the
regions and themes they fund, the current donors they co-fund with, and what one of them
would do to the projected concentration and regional balance of the Strategy page. The
analysis is :mod:`graph.analyses.prospecting`; the themes are in
``data/reference/prospecting.toml``.
"""

import pandas as pd
import streamlit as st

from graph.errors import SettingsError
from views import planning, state
from views.fmt import md, num, pct, plural, table, usd, usd_k

store, _ = state.get_store()

st.title("Prospects")
st.caption(
    "Funders in published data (IATI, 360Giving) who fund the institute's themes in its "
    "focus regions and are not yet its donors. Published data is loaded as external: it is "
    "never counted in the institute's own figures."
)

try:
    settings, found = planning.prospect_list(store)
except SettingsError as e:
    st.error(f"The prospecting settings have a problem: {md(str(e))}", icon=":material/error:")
    st.stop()

themes = ", ".join(t.name for t in settings.themes)
c = found.counted
if not c["external_flows"]:
    st.info(
        "No published data is loaded as external yet. On the Data page, upload IATI or "
        "360Giving files and tick 'Published data about other funders'; or run "
        "`python -m loaders load FILE --external`.",
        icon=":material/info:",
    )
    st.stop()

t = found.table
one = len(t) == 1
st.markdown(
    f"**{plural(len(t), 'funder')}** in the published data fund{'s' if one else ''} "
    f"{md(themes)} in the focus regions and give{'s' if one else ''} the institute nothing "
    f"yet. Counted: {num(c['in_focus'])} of "
    f"{num(c['themed'])} commitments and grants to the themes serve a focus region "
    f"({num(c['with_usd'])} state a USD amount), out of {num(c['external_flows'])} "
    "commitments and grants in the published data"
    + (
        f"; {num(c['current_donors_left_out'])} are from current donors and left out."
        if c["current_donors_left_out"]
        else "."
    )
)
if not len(t):
    st.info(
        "None of the published data's funders funds these themes in the focus regions. "
        "Load more published files, or widen the themes in data/reference/prospecting.toml.",
        icon=":material/info:",
    )
    st.stop()

shown = pd.DataFrame(
    {
        "Funder": t["name"],
        "Sector": t["sector"],
        "In the themes and focus regions (USD k)": t["focus_usd"].map(usd_k),
        "Grants there": t["themed_flows"],
        "Typical grant (USD k)": t["typical_usd"].map(usd_k),
        "Regions": t["regions"],
        "Themes": t["themes"],
        "Also funds": t["other_sectors"],
        "Co-funds with current donors": t["cofunds_with"],
        "All its commitments and grants (USD k)": t["all_usd"].map(usd_k),
    }
)
table(
    shown,
    "prospects",
    money=(
        "In the themes and focus regions (USD k)",
        "Typical grant (USD k)",
        "All its commitments and grants (USD k)",
    ),
    ints=("Grants there",),
)
st.caption(
    "In the themes and focus regions: each grant's USD amount times its project's share in "
    "the themes (the sector percentages the publisher gives, else an even split) and the "
    "share of its countries that lie in a focus region. Typical grant: the median of those "
    "grants with a USD amount. Co-funds with: current donors that fund one of the same "
    "recipients."
)

st.subheader("What one of them would change")
pick = st.selectbox(
    "Funder",
    list(range(len(t))),
    format_func=lambda i: str(t["name"].iloc[i]),
    key="prospect-pick",
)
effect = planning.prospect_effect(store, t.iloc[pick].to_dict())
if effect is None:
    st.info("None of its grants there states a USD amount, so its size is not known.")
else:
    region = (
        effect.shares.set_index("region")["name"].get(effect.region, "no focus region")
        if effect.region
        else "no focus region"
    )
    st.markdown(
        f"With **{md(t['name'].iloc[pick])}** giving its typical grant of "
        f"{usd(effect.amount)} in {effect.year}, for {md(region)}, on top of the Strategy "
        f"page's projection: the expected HHI goes from {num(effect.hhi_before)} to "
        f"{num(effect.hhi_after)}."
    )
    s = effect.shares
    table(
        pd.DataFrame(
            {
                "Region": s["name"],
                "Share before": s["before"].map(lambda v: pct(v, 0, unknown="not known")),
                "Share after": s["after"].map(lambda v: pct(v, 0, unknown="not known")),
                "Target": s["target"].map(lambda v: pct(v, 0)),
            }
        ),
        "prospect-effect",
    )
    st.caption(
        "Shares of the expected money assigned to a region. 'Not known': no money of that "
        "year is tied to a region before the prospect (the renewals name none)."
    )

with st.expander("Which codes count as the institute's themes"):
    st.markdown(
        "\n".join(f"* **{md(th.name)}**: {md(', '.join(th.codes))}" for th in settings.themes)
    )
    st.caption(
        "IATI DAC sector codes (dac: 5-digit, dac3: 3-digit) and 360Giving classifications; "
        "edit data/reference/prospecting.toml to change them."
    )
