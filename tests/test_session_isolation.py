"""AppTest: two browser sessions cannot see, evict, rename or switch each other's data; user text stays text.

Each ``AppTest`` is its own session; both run in this process and so share every
``st.cache_data`` / ``st.cache_resource`` store, as sessions of one server do.
"""

from __future__ import annotations

import re

import pytest
from atlas_testing import assert_one_line
from streamlit.testing.v1 import AppTest
from test_app_pages import APP, PAGES, metric_values
from test_data_page import button, upload

from geo.core.errors import DatasetError

pytestmark = pytest.mark.usefixtures("app_navigation")

TABLE = b"place,networks\nLeeds,50\nYork,7\n"
EVIL_NAME = "![f](https:evil.example?fn=1).csv"
EVIL_TABLE = (
    b"place,networks\n"
    b"Leeds,50\n"
    b"[click me](https://evil.example/x),5\n"
    b'"<img src=x onerror=alert(1)>",3\n'
    b"www.evil.example,2\n"
)


def session(page: str | None = "pages/data.py", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        rerun(at, page)
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(at: AppTest, page: str = "pages/data.py") -> AppTest:
    return at.switch_page(page).run()


def load(at: AppTest, name: str, data: bytes) -> str:
    upload(at, "upload_table", name, data)
    button(at, "Load this table").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return current_id(at)


def current_id(at: AppTest) -> str:
    return at.sidebar.selectbox(key="f_dataset").value


def dataset_options(at: AppTest) -> list[str]:
    """The dataset picker's options as the user reads them (titles)."""
    return list(at.sidebar.selectbox(key="f_dataset").options)


def dataset_title(at: AppTest) -> str:
    return at.subheader[0].value.replace("\\", "") if at.subheader else ""


def test_same_bytes_in_two_sessions_stay_two_datasets() -> None:
    alice, bob = session(), session()
    alice_id = load(alice, "alice-private-client-list.csv", TABLE)
    bob_id = load(bob, "bob.csv", TABLE)
    assert alice_id != bob_id
    rerun(alice)
    assert current_id(alice) == alice_id
    assert "alice-private-client-list.csv" in dataset_title(alice)
    assert not any("bob.csv" in o for o in dataset_options(alice))
    assert not any("alice" in o for o in dataset_options(bob))


def test_many_uploads_elsewhere_never_evict_this_sessions_table() -> None:
    alice, mallory = session(), session()
    alice_id = load(alice, "mine.csv", TABLE)
    for i in range(25):
        load(mallory, f"spam-{i}.csv", f"place,networks\nLeeds,{i}\n".encode())
    rerun(alice)
    assert current_id(alice) == alice_id
    assert "mine.csv" in dataset_title(alice)


def test_a_link_to_anothers_upload_opens_nothing_of_theirs() -> None:
    alice = session()
    alice_id = load(alice, "alice.csv", TABLE)
    bob = session(None, dataset=alice_id)  # the first run is what the link shows
    assert current_id(bob) == "top10vpn-2021"
    assert any("another browser session" in w.value for w in bob.warning)
    assert metric_values(bob)["National total"] == "277,986"


@pytest.mark.parametrize(
    "requested", ["../../../etc/passwd", "/etc/passwd", "upload-", "upload-xyz", "top10vpn-2099", "~", "\u202eevil"]
)
def test_a_link_to_no_dataset_says_there_is_none(requested: str) -> None:
    at = session(None, dataset=requested)
    assert current_id(at) == "top10vpn-2021"
    warnings = [w.value for w in at.warning]
    assert not any("another browser session" in w for w in warnings), warnings
    shown = next(w for w in warnings if w.startswith("No dataset called"))
    assert "choose one in the sidebar" in shown and "\n" not in shown
    assert "\u202e" not in shown  # quoted as text: a bidi override would reverse the sentence
    plain = shown.replace("\\", "")  # as the user reads it (Markdown escapes undone)
    assert "'" + requested.replace("\u202e", "u202e") + "'" in plain


@pytest.mark.parametrize(
    ("requested", "needle"),
    [
        ("../../../etc/passwd", "no dataset called '../../../etc/passwd': choose one in the sidebar"),
        ("upload-xyz", "no dataset called 'upload-xyz': choose one in the sidebar"),
        ("a~b", "no dataset called 'a~b': choose one in the sidebar"),
        ("\u202eevil", "no dataset called '\\u202eevil': choose one in the sidebar"),
        ("upload-0123456789abcdef", "that upload is not in this browser session"),
    ],
)
def test_loading_an_id_that_is_not_here_says_what_it_is(requested: str, needle: str) -> None:
    from pages import loaders

    with pytest.raises(DatasetError) as info:
        loaders.load_dataset(requested)
    assert needle in assert_one_line(info.value)


@pytest.mark.parametrize("requested", ["upload-0123456789abcdef", "upload-0123456789abcdef~0123456789"])
def test_a_link_spelt_like_an_upload_names_another_session(requested: str) -> None:
    at = session(None, dataset=requested)
    assert current_id(at) == "top10vpn-2021"
    assert any("another browser session" in w.value for w in at.warning)
    assert not any("No dataset called" in w.value for w in at.warning)


def test_a_table_with_no_mapped_place_is_a_note_on_every_page() -> None:
    at = session()
    load(at, "typos.csv", b"place,networks\nManchestr,5\nUnited Kingdom,100\n")
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
    at.switch_page("pages/map.py").run()
    assert any("no place in this dataset could be mapped" in i.value.replace("\\", "") for i in at.info)


# -- Markdown: every user string is text, everywhere ---------------------------------------

_LIVE = [
    re.compile(r"(?<!\\)!(?<!\\)\["),  # image
    re.compile(r"(?<!\\)\]\("),  # link
    re.compile(r"https?:(?!\\)", re.I),  # a bare URL the renderer could autolink (escaped: "https\:")
    re.compile(r"(?<!\\)<img", re.I),
    re.compile(r"www\.(?!\\)", re.I),
]


def _texts(at: AppTest) -> list[tuple[str, str]]:
    """(what, text) for every string Streamlit renders as Markdown on the page."""
    out: list[tuple[str, str]] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader"):
        out += [(kind, str(e.value)) for e in getattr(at, kind)]
    for table in at.table:
        out += [("table", str(v)) for v in table.value.to_numpy().ravel()]
    for kind in ("selectbox", "multiselect", "radio", "button", "text_input", "slider", "checkbox"):
        for widget in getattr(at, kind):
            out.append((f"{kind} label", str(widget.label)))
            if getattr(widget, "help", None):
                out.append((f"{kind} help", str(widget.help)))
    for metric in at.metric:
        out += [("metric label", str(metric.label)), ("metric help", str(getattr(metric, "help", "") or ""))]
    return out


def test_file_and_place_names_never_become_links_or_images() -> None:
    at = session()
    load(at, EVIL_NAME, EVIL_TABLE)
    for page in [*PAGES, "pages/compare.py"]:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        for what, text in _texts(at):
            if "evil" not in text and "<img" not in text:
                continue
            for pattern in _LIVE:
                assert not pattern.search(text), f"{page} {what}: {text!r}"
