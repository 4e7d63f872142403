"""UK Camera Atlas: the Streamlit entry point.

Page config, the shared sidebar (its selection lives in the URL) and navigation over the
pages in ``pages/``. Run with ``streamlit run app.py``.
"""

import streamlit as st

from pages import sidebar

PAGE_KEY = "atlas_page"  # the page the last run showed (url_path)
PAGE_CHANGES_KEY = "atlas_page_changes"  # how many times this session has chosen another page
NARROW_MAX_PX = 767.98  # Streamlit's "md" breakpoint (768px): below it the sidebar lies over the page

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
        st.Page("pages/trends.py", title="Trends", icon=":material/timeline:"),
        st.Page("pages/data.py", title="Data", icon=":material/table:"),
        st.Page("pages/about.py", title="About", icon=":material/info:"),
    ]
)


def close_sidebar_after_page_change() -> None:
    """On a narrow screen, close the sidebar once another page has been chosen.

    Streamlit closes it after a click on its page list only when the browser's user agent
    says "phone" (ua-parser's device type): at 390 px, iPad Safari, a phone's "desktop site"
    mode or a narrowed desktop window keep it open over the page just chosen. Neither the
    sidebar's widgets nor ``initial_sidebar_state`` change that (a state the user set by
    opening the sidebar outlives it). So after each page change this run adds a script that
    presses the sidebar's own collapse button when the window is narrower than Streamlit's
    breakpoint and the sidebar is open: a click as the user would make, remembered the same
    way. The script is a constant with one number in it (the count of page changes, so the
    browser runs it again for each change); no user text reaches it.
    """
    changes = st.session_state.get(PAGE_CHANGES_KEY, 0)
    previous = st.session_state.get(PAGE_KEY)
    if previous is not None and previous != navigation.url_path:
        changes += 1
    st.session_state[PAGE_KEY] = navigation.url_path
    st.session_state[PAGE_CHANGES_KEY] = changes
    if not changes:  # the visit's first page: nothing to close, and no HTML element to load on a first open
        return
    st.sidebar.html(
        f"""<script>/* page change {int(changes)} */
(() => {{
  const narrow = window.innerWidth > 0 && window.innerWidth <= {NARROW_MAX_PX};
  const bar = document.querySelector('[data-testid="stSidebar"]');
  if ({int(changes)} > 0 && narrow && bar && bar.getAttribute("data-collapsed") === "false") {{
    bar.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click();
  }}
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


sidebar.sidebar()
close_sidebar_after_page_change()
navigation.run()
