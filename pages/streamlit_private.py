"""The private Streamlit internals the dashboard relies on, in one place (checked against Streamlit 1.67).

Streamlit 1.67 has no public API for either job, so each is wrapped here and
``tests/test_streamlit_private.py`` fails as soon as an attribute used here changes or goes:

- **Legacy ``pages/`` mode.** ``PagesManager.uses_pages_directory`` is a class-wide flag set when
  a ``pages/`` folder sits beside the entry script and cleared only when ``st.navigation`` runs.
  Until some session has run app.py, a deep link such as ``/rankings`` runs that page file alone
  (multipage v1), without the sidebar. Streamlit keeps the flag as "a relic of v1 of Multipage
  apps", and its review notes this very fallback with a ``pages`` folder and ``st.navigation``:
  https://github.com/streamlit/streamlit/pull/10276 (deep links on first load:
  https://github.com/streamlit/streamlit/issues/9624). Renaming ``pages/`` would avoid it, at the
  cost of every ``from pages import …``.
- **Whether the browser session is still there.** Long work (a Shodan import, a live count) stops
  when the tab that asked for it has closed; only ``Runtime.is_active_session`` says so. Upstream
  request for a public way: https://github.com/streamlit/streamlit/issues/8545 (and #6166).
"""

from __future__ import annotations


def leave_legacy_pages_mode() -> bool:
    """Clear Streamlit's legacy ``pages/`` flag (as ``st.navigation`` does); True when it was set,
    so the caller reruns through app.py."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        return True
    return False


def session_is_active() -> bool:
    """False once the browser session running this script has gone; True outside a server (tests, bare mode)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return True
    return Runtime.instance().is_active_session(ctx.session_id)
