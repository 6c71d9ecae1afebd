"""Streamlit entry point: a router and the shared sidebar. Pages live in ``views/``.

Run with ``streamlit run app.py``. With ``NEO4J_URI`` set (or a ``[neo4j]`` section in
``.streamlit/secrets.toml``) the app reads the Neo4j store; otherwise it loads the bundled
``data/`` into the in-memory store.
"""

import streamlit as st

from views import state

st.set_page_config(page_title="Partner graph explorer", page_icon="🌐", layout="wide")

store = state.sidebar()

pages = [
    st.Page("views/overview.py", title="Overview", icon="🏠", default=True),
]
st.navigation(pages).run()
