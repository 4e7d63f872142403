"""The Data page's "Count with Shodan": fresh per-city Hikvision and Dahua counts with the user's own API key.

The key is never put in the URL, passed to a cache, written to disk or logged, and no error
shows it. Nor does it stay in the page: the button's callback (which runs before the script)
moves the key out of the password field's state into a one-use request and empties the
field, so after a count the browser's input holds no ``value`` (a password field's DOM value
is readable by anything on the page). The scan runs in this script run (not cached) and
stops when the session has gone; its result becomes a dataset of this session, which the
page offers as a zip to keep, share and reopen without a key.

For someone without a key the panel says where to get one (a real link to Shodan's account
page: its URL, copied, is the URL, with no invisible character in it), what kind of account
the counts need and what they cost, and what a count counts. The count's own messages name
that page too; they are escaped like any text a server can put in them, but the account
page's address in them stays a real link.
"""

from __future__ import annotations

import re
import time

import streamlit as st

from geo.core.errors import AtlasError, Cancelled
from geo.core.markup import md_escape
from geo.scan import as_dataset
from geo.scan import provider as scan
from geo.scan import summary as scan_summary
from geo.scan.shodan_api import ACCOUNT_URL, ShodanCountProvider
from pages import loaders, sidebar

SUMMARY_KEY = "scan_summary_lines"
ERROR_KEY = "scan_error"  # the last count's one-line problem, shown under the button
KEY_WIDGET = "shodan_api_key"
REQUEST_KEY = "_scan_request"  # (key, facet size) from the button's callback, taken once by this run
WAIT_SLICE = 0.5  # seconds between checks that the session is still there while the scan waits
BILLING_URL = f"{ACCOUNT_URL}/billing"
# Shodan's account pages as a message names them (our own fixes): kept as links, all else escaped.
_ACCOUNT_PAGE = re.compile(re.escape(ACCOUNT_URL) + r"(?:/[a-z]+)?(?![\w.-])")
KEY_HELP = (
    f"**No key yet?** Sign up or log in at [{ACCOUNT_URL}]({ACCOUNT_URL}) and copy the API key shown "
    "there. A free account's key is not enough: the `country:` and `product:` filters these counts use need "
    "a paid Shodan account, and Shodan refuses a free key's count with 403 Forbidden. Either kind will do: a "
    "**Membership**, paid once (not a subscription), or an **API plan**, a monthly subscription for heavier "
    f"use (prices at [{BILLING_URL}]({BILLING_URL})).\n\n"
    "**What a count costs:** nothing beyond the account. Count calls spend **no query credits**: Shodan sends "
    "totals and the largest cities, never the results themselves. One count makes two calls (Hikvision, "
    "Dahua), about a second apart.\n\n"
    "**What it counts:** Shodan *results*, that is services (an IP address and port) answering as a "
    'Hikvision or Dahua device. That is not TOP10VPN\'s "networks" (distinct IP addresses; one address can '
    "answer on several ports) and not cameras (one address can front many), so set the two side by side as "
    "different measures."
)


def linked(message: str) -> str:
    """``message`` as Markdown shown as written, except Shodan's account pages, which stay real links.

    Everything else is escaped (:func:`geo.core.markup.md_escape`): a message can carry a server's
    words. A link's text is its URL, so copying either gives the URL, with no invisible character.
    """
    parts, start = [], 0
    for match in _ACCOUNT_PAGE.finditer(message):
        parts += [md_escape(message[start : match.start()]), f"[{match.group(0)}]({match.group(0)})"]
        start = match.end()
    return "".join(parts) + md_escape(message[start:])


def _sleep(seconds: float) -> None:
    """The scan's waits (pacing, a retry's back-off of up to a minute), stopping once the session has gone."""
    ends = time.monotonic() + seconds
    while (left := ends - time.monotonic()) > 0:
        time.sleep(min(left, WAIT_SLICE))
        if not loaders.session_alive():
            raise Cancelled("the browser session that asked for this count has gone: start it again")


def run_scan(key: str, facet_size: int) -> None:
    """Count, resolve the cities, keep the result as this session's dataset and switch to it."""
    bar = st.progress(0.0, text="Asking Shodan…")
    progress = loaders.progress_reporter(bar, "this count")
    try:
        provider = ShodanCountProvider(key)
        result = scan.scan(provider, scan.read_queries(), facet_size=facet_size, progress=progress, sleep=_sleep)
        summary = scan_summary.summarise(result, loaders.load_resolver(), progress=progress)
        dataset = as_dataset.as_dataset(summary, f"shodan-{result.date}")
    except AtlasError as err:
        st.session_state[ERROR_KEY] = str(err)  # one line, never the key; the dataset in use stays
        return
    finally:
        bar.empty()
    st.session_state[ERROR_KEY] = None
    st.session_state[SUMMARY_KEY] = summary.lines()
    sidebar.switch_dataset(loaders.register_dataset(dataset))  # reruns the page on the new dataset


def _take_key() -> None:
    """The button's callback: the key leaves the widget's state (and so the browser's input) for one run."""
    st.session_state[REQUEST_KEY] = (st.session_state.get(KEY_WIDGET, ""), st.session_state.get("scan_facet_size"))
    st.session_state[KEY_WIDGET] = ""


def scan_tab() -> None:
    """The panel: key, facet size, the button, and what the last count found."""
    st.caption(
        "Counts straight from Shodan's count API with your own key: one call per vendor for the whole UK, with the "
        "largest cities broken out. Your key is used for this count only: it is not kept, saved, logged or put in "
        "the link, and the field is emptied once you press the button."
    )
    st.link_button("Get your API key from your Shodan account", ACCOUNT_URL, icon=":material/key:")
    st.markdown(KEY_HELP)
    with st.form("scan_form", border=False):
        st.text_input("Shodan API key", type="password", key=KEY_WIDGET, autocomplete="off")
        st.number_input(
            "Cities per vendor",
            min_value=10,
            max_value=scan.MAX_FACET_SIZE,
            value=scan.DEFAULT_FACET_SIZE,
            step=100,
            key="scan_facet_size",
            help="How many of the largest cities Shodan breaks each total into; the rest is shown as not attributed.",
        )
        st.form_submit_button("Count with Shodan", type="primary", icon=":material/travel_explore:", on_click=_take_key)
    request = st.session_state.pop(REQUEST_KEY, None)
    if request is not None:
        key, facet_size = request
        run_scan(key, int(facet_size or scan.DEFAULT_FACET_SIZE))
    problem = st.session_state.get(ERROR_KEY)
    if problem:
        st.error(linked(problem), icon=":material/error:")
    lines = st.session_state.get(SUMMARY_KEY)
    if lines:
        st.success("\n".join(f"- {md_escape(line.strip())}" for line in lines), icon=":material/check_circle:")
