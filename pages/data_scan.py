"""The Data page's "Count with Shodan": fresh per-city Hikvision and Dahua counts with the user's own API key.

The key lives only in this session's widget state: it is never put in the URL, passed to a
cache, written to disk or logged, and no error shows it. The scan runs in this script run
(not cached); its result becomes a dataset of this session, which the page offers as a
zip to keep, share and reopen without a key.
"""

from __future__ import annotations

import streamlit as st

from geo import scan, scan_dataset
from geo.errors import AtlasError
from geo.markup import md_escape
from geo.shodan_count import ShodanCountProvider
from pages import data_imports, loaders, sidebar

SUMMARY_KEY = "scan_summary_lines"


def run_scan(key: str, facet_size: int) -> None:
    """Count, resolve the cities, keep the result as this session's dataset and switch to it."""
    bar = st.progress(0.0, text="Asking Shodan…")
    try:
        provider = ShodanCountProvider(key)
        result = scan.scan(provider, scan.read_queries(), facet_size=facet_size, progress=loaders.progress_reporter(bar, "this count"))
        summary = scan_dataset.summarise(result, loaders.load_resolver())
        dataset = scan_dataset.as_dataset(summary, f"shodan-{result.date}")
    except AtlasError as err:
        data_imports.error_for("scan", str(err))  # one line, never the key; the dataset in use stays
        return
    finally:
        bar.empty()
    data_imports.error_for("scan", None)
    st.session_state[SUMMARY_KEY] = summary.lines()
    sidebar.switch_dataset(loaders.register_dataset(dataset))  # reruns the page on the new dataset


def scan_tab() -> None:
    """The panel: key, facet size, the button, and what the last count found."""
    st.caption(
        "Counts straight from Shodan's count API with your own key: one call per vendor for the whole UK, with the "
        "largest cities broken out. Count calls spend no query credits, but the country: and product: filters need "
        "a Shodan membership or API plan. A count is Shodan results (services: IP address and port), not cameras. "
        "Your key stays in this browser session: it is not saved, logged or put in the link."
    )
    with st.form("scan_form", border=False):
        key = st.text_input("Shodan API key", type="password", key="shodan_api_key", autocomplete="off")
        facet_size = st.number_input(
            "Cities per vendor", min_value=10, max_value=10_000, value=scan.DEFAULT_FACET_SIZE, step=100,
            help="How many of the largest cities Shodan breaks each total into; the rest is shown as not attributed.",
        )
        submitted = st.form_submit_button("Count with Shodan", type="primary", icon=":material/travel_explore:")
    if submitted:
        run_scan(key, int(facet_size))
    data_imports.show_error("scan")
    lines = st.session_state.get(SUMMARY_KEY)
    if lines:
        st.success("\n".join(f"- {md_escape(line.strip())}" for line in lines), icon=":material/check_circle:")
