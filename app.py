"""UK Camera Atlas: the Streamlit entry point.

Page config, the shared sidebar (its selection lives in the URL) and navigation over the
pages in ``pages/``. Run with ``streamlit run app.py``.
"""

import streamlit as st

from pages import sidebar

st.set_page_config(
    page_title="UK Camera Atlas",
    # An emoji becomes a data: URI; a ":material/…:" page icon would be fetched from Google's font host.
    page_icon="📹",
    layout="wide",
    menu_items={"About": "Hikvision and Dahua camera networks on official UK boundaries."},
)

navigation = st.navigation(
    [
        st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
        st.Page("pages/rankings.py", title="Rankings", icon=":material/leaderboard:"),
        st.Page("pages/per_capita.py", title="Per capita", icon=":material/groups:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page("pages/data.py", title="Data", icon=":material/table:"),
        st.Page("pages/about.py", title="About", icon=":material/info:"),
    ]
)
sidebar.sidebar()
navigation.run()
