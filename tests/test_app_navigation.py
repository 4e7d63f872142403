"""AppTest: after another page is chosen, app.py adds the script that closes the sidebar on a narrow screen
(Streamlit itself closes it only for a phone's user agent); a filter change adds no new one."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import APP

pytestmark = pytest.mark.usefixtures("app_navigation")


def scripts(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.sidebar.get("html") if h.proto.unsafe_allow_javascript]


def page_changes(at: AppTest) -> int:
    (body,) = scripts(at)
    return int(re.match(r"<script>/\* page change (\d+) \*/", body).group(1))


def test_choosing_a_page_adds_the_closing_script_and_a_filter_does_not() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert scripts(at) == []  # the first page of a visit: nothing to close, no element
    at.switch_page("pages/rankings.py").run()
    assert page_changes(at) == 1
    body = scripts(at)[0]
    # It presses the sidebar's own collapse button, only when narrow and open.
    assert "window.innerWidth <= 767.98" in body and 'getAttribute("data-collapsed") === "false"' in body
    assert '[data-testid="stSidebarCollapseButton"] button' in body
    at.sidebar.radio(key="f_level").set_value("lad").run()
    assert page_changes(at) == 1  # a filter change keeps the sidebar as the user left it
    at.switch_page("pages/per_capita.py").run()
    assert page_changes(at) == 2  # a new number: the browser runs the script again


def test_the_script_holds_no_user_text() -> None:
    """Only a number varies in it: the dataset, places and titles never reach it."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["place"] = "</script><script>alert(1)</script>"
    at.run()
    at.switch_page("pages/rankings.py").run()
    first = scripts(at)[0]
    at.switch_page("pages/about.py").run()
    assert re.sub(r"\d+", "N", scripts(at)[0]) == re.sub(r"\d+", "N", first)
    assert "alert" not in first and first.count("<script>") == 1
