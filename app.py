"""Streamlit entry point: a router and the shared sidebar. Pages live in ``views/``.

Run with ``streamlit run app.py``. With ``NEO4J_URI`` set (or a ``[neo4j]`` section in
``.streamlit/secrets.toml``) the app reads the Neo4j store; otherwise it loads the bundled
``data/`` (or the folder named by ``EXPLORER_DATA_DIR``) into the in-memory store. When
the server stops answering, every page says so once and offers a retry and the bundled data.
"""

import streamlit as st

from graph.errors import ConcurrentWrite, StoreError
from views import planning, state

st.set_page_config(page_title="Partner graph explorer", page_icon="🌐", layout="wide")

PAGES = {
    "Board and strategy": [
        st.Page("views/overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page("views/concentration.py", title="Donor concentration", icon=":material/bar_chart:"),
        st.Page("views/regional.py", title="Regional balance", icon=":material/public:"),
        st.Page("views/network.py", title="Partnership network", icon=":material/hub:"),
        st.Page("views/scenarios.py", title="Scenarios", icon=":material/alt_route:"),
        st.Page("views/strategy.py", title="Strategy", icon=":material/trending_up:"),
        st.Page("views/prospects.py", title="Prospects", icon=":material/travel_explore:"),
    ],
    "Staff": [
        st.Page(
            "views/collaborations.py", title="Collaborations by region", icon=":material/handshake:"
        ),
        st.Page("views/data.py", title="Data", icon=":material/database:"),
    ],
}

page = st.navigation(PAGES)
store, down = state.sidebar()
if down:  # the server has gone: one clear message, a retry and the bundled data
    st.title(page.title)
    state.offer_fallback(down)
else:
    try:
        planning.limits_panel(store)
        page.run()
    except ConcurrentWrite as e:  # busy with other clients' writes: not gone
        state.offer_retry(str(e))
    except StoreError as e:  # it went while the page was being read
        state.offer_fallback(str(e))
