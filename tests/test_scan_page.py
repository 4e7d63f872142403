"""AppTest: "Count with Shodan" on the Data page, against the local stand-in for Shodan (never the internet)."""

from __future__ import annotations

import pytest
from fake_shodan import FREE_KEY, MEMBER_KEY, TOTALS, FakeShodan
from streamlit.testing.v1 import AppTest
from test_app_pages import APP, metric_values

pytestmark = pytest.mark.usefixtures("app_navigation")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    with FakeShodan() as server:
        monkeypatch.setenv("SHODAN_API_URL", server.url)
        yield server


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def count(at: AppTest, key: str, cities: int = 1000) -> AppTest:
    at.text_input(key="shodan_api_key").set_value(key)
    at.number_input[0].set_value(cities)
    next(b for b in at.button if b.label == "Count with Shodan").click()
    return at.run()


def test_a_count_becomes_this_sessions_dataset(fake: FakeShodan) -> None:
    at = count(data_page(), MEMBER_KEY)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    chosen = at.sidebar.selectbox(key="f_dataset").value
    assert chosen.startswith("upload-")
    assert not at.sidebar.radio(key="f_vendor").disabled  # a vendor split
    assert any("hikvision" in s.value and "resolved" in s.value for s in at.success)
    # The key is nowhere but in the password field: not in the URL, not in the page's text.
    assert MEMBER_KEY not in str(dict(at.query_params))
    assert not any(MEMBER_KEY in m.value for m in [*at.markdown, *at.caption, *at.success, *at.info])
    at.switch_page("pages/map.py").run()
    assert metric_values(at)["National total"] == f"{sum(TOTALS.values()):,}"
    at.sidebar.radio(key="f_level").set_value("lad").run()
    assert int(metric_values(at)["In mapped local authorities"].replace(",", "")) > 0
    at.sidebar.radio(key="f_vendor").set_value("dahua").run()
    assert metric_values(at)["National total"] == f"{TOTALS['dahua']:,}"


def test_a_refused_key_is_one_line_and_keeps_the_dataset(fake: FakeShodan) -> None:
    at = count(data_page(), "not-a-real-key")
    assert at.sidebar.selectbox(key="f_dataset").value == "top10vpn-2021"
    errors = [e.value.replace("\\", "") for e in at.error]
    assert len(errors) == 1 and "key" in errors[0].lower() and "not-a-real-key" not in errors[0]
    at = count(data_page(), FREE_KEY)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert len(errors) == 1 and "membership" in errors[0]


def test_a_saved_count_opens_again_without_a_key(fake: FakeShodan) -> None:
    at = count(data_page(), MEMBER_KEY)
    saved = next(b for b in at.get("download_button") if b.key == "download-dataset-zip")
    assert saved.label == "Save this dataset (zip)"
    from geo.datasets import folders

    # The bytes the button offers are the session's dataset as a zip (AppTest cannot fetch downloads).
    stored = at.session_state["atlas_uploads"][at.sidebar.selectbox(key="f_dataset").value]
    zipped = folders.to_zip(folders.folder_files(stored))
    assert MEMBER_KEY.encode() not in zipped
    again = folders.from_zip(zipped, "scan.zip")
    assert again.package["scan"]["vendors"]["hikvision"]["total"] == TOTALS["hikvision"]


def test_the_key_does_not_stay_in_the_field(fake: FakeShodan) -> None:
    """After a count (or a refusal) the password field is empty: its DOM value holds no key."""
    at = count(data_page(), MEMBER_KEY)
    assert at.sidebar.selectbox(key="f_dataset").value.startswith("upload-"), "the count went through"
    assert at.text_input(key="shodan_api_key").value == ""
    assert all(MEMBER_KEY not in str(value) for value in at.session_state.to_dict().values())
    at = count(data_page(), "not-a-real-key-0123456789abcdef")
    assert len(at.error) == 1 and at.text_input(key="shodan_api_key").value == ""


def test_resolving_stops_when_the_session_has_gone(fake: FakeShodan, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tab closes while the cities are being resolved: the work stops, nothing is registered."""
    from geo.scan import summary as scan_summary
    from pages import loaders

    resolving = False
    real_summarise = scan_summary.summarise

    def summarise(*args, **kwargs):
        nonlocal resolving
        resolving = True
        return real_summarise(*args, **kwargs)

    at = data_page()
    monkeypatch.setattr(scan_summary, "summarise", summarise)
    monkeypatch.setattr(loaders, "session_alive", lambda: not resolving)
    at = count(at, MEMBER_KEY)
    assert resolving and len(fake.requests) == 2
    assert at.sidebar.selectbox(key="f_dataset").value == "top10vpn-2021", "no dataset from a cancelled count"
    assert not any(s.value.startswith("hikvision: total") for s in at.success), "no summary of a cancelled count"


# -- without a key: where to get one, what it costs, what it counts ---------------------------

INVISIBLE = ("\u2060", "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad")
ACCOUNT = "https://account.shodan.io"


def shown_texts(at: AppTest) -> list[str]:
    """Every text the page shows (Markdown as written, link buttons' labels and URLs)."""
    texts = [e.value for kind in ("markdown", "caption", "info", "success", "warning", "error") for e in at.get(kind)]
    texts += [f"{b.proto.label} {b.proto.url}" for b in at.get("link_button")]
    return texts


def account_links(text: str) -> list[tuple[str, str]]:
    """The Markdown links ``[text](url)`` to Shodan's account pages in ``text``."""
    import re

    return re.findall(r"\[([^\]]*)\]\((https://account\.shodan\.io[^)]*)\)", text)


def test_without_a_key_the_panel_links_to_the_account_page_and_says_what_it_costs() -> None:
    at = data_page()
    buttons = [b.proto for b in at.get("link_button") if "shodan" in b.proto.url]
    assert [b.url for b in buttons] == [ACCOUNT]  # exactly the URL: a real link, nothing hidden in it
    texts = shown_texts(at)
    help_text = next(t for t in texts if "No key yet?" in t)
    # A real Markdown link whose text is the URL itself: copying either gives the URL.
    assert (ACCOUNT, ACCOUNT) in account_links(help_text)
    assert (f"{ACCOUNT}/billing", f"{ACCOUNT}/billing") in account_links(help_text)
    for needle in (
        "Membership",
        "paid once",
        "API plan",
        "monthly",
        "403",
        "no query credits",
        "country:",
        "product:",
        "results",
        "services",
        'TOP10VPN\'s "networks"',
    ):
        assert needle in help_text, needle
    for text in texts:
        assert not any(ch in text for ch in INVISIBLE), repr(text)


def test_pressing_count_without_a_key_says_where_to_get_one_as_a_real_link(fake: FakeShodan) -> None:
    at = count(data_page(), "")
    assert at.sidebar.selectbox(key="f_dataset").value == "top10vpn-2021"
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "no Shodan API key given" in errors[0], errors
    assert account_links(errors[0]) == [(ACCOUNT, ACCOUNT)], errors[0]
    assert not any(ch in errors[0] for ch in INVISIBLE), repr(errors[0])  # today: "https:/\u2060/account…"
    assert fake.requests == []  # nothing asked of Shodan


def test_a_free_key_is_told_about_membership_with_a_real_billing_link(fake: FakeShodan) -> None:
    at = count(data_page(), FREE_KEY)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "403" in errors[0] and "membership" in errors[0], errors
    assert account_links(errors[0]) == [(f"{ACCOUNT}/billing", f"{ACCOUNT}/billing")], errors[0]
    assert not any(ch in text for text in shown_texts(at) for ch in INVISIBLE)


def test_only_the_account_page_becomes_a_link_in_a_message() -> None:
    """A server's words in a message stay text: only Shodan's account pages are linked."""
    from pages.data_scan import linked

    assert linked(f"copy the key from {ACCOUNT} and try again") == (
        f"copy the key from [{ACCOUNT}]({ACCOUNT}) and try again"
    )
    hostile = f"[click](https://evil.example) {ACCOUNT}.evil.example/x <b>{ACCOUNT}/billing</b>"
    out = linked(hostile)
    assert account_links(out) == [(f"{ACCOUNT}/billing", f"{ACCOUNT}/billing")]
    assert "](https://evil" not in out and "\\[click\\]" in out
