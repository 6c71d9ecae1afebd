"""Overview: what was loaded — counts by kind, organizations by sector, funding coverage."""

import streamlit as st

from graph.summary import loaded_summary
from views.state import get_store

store, _ = get_store()
summary = loaded_summary(store)

st.title("Overview")
st.caption(f"What the store holds ({store.describe()}).")

cols = st.columns(6)
for col, (label, n) in zip(cols, summary["headline"].items(), strict=False):
    col.metric(label, f"{n:,}")

left, right = st.columns(2)
with left:
    st.subheader("Organizations by sector")
    st.dataframe(summary["by_sector"], hide_index=True, width="stretch")
with right:
    st.subheader("Records by kind")
    st.dataframe(summary["by_kind"], hide_index=True, width="stretch")

cov = summary["coverage"]
st.subheader("Funding flows: how much is known")
st.write(
    f"{cov['flows']:,} funding flows; {cov['with_amount']:,} state an amount "
    f"({cov['share_with_amount']:.0%}); {cov['without_amount']:,} name a donor but no amount — "
    "no amount is ever guessed."
)
