"""The hostile corpus through every way a name enters without a file: ``resolve`` on the command line, and URL parameters.

Each string of :data:`hostile.CORPUS` and :func:`hostile.payloads` goes

* through ``python -m geo resolve NAME… --json`` in a subprocess (argv cannot hold a NUL, so
  strings with one go through the same ``main`` in this process): the JSON echoes each input
  literally, never matches a name it does not show, and a name of punctuation only or with
  invisible characters carries a one-line note;
* into every URL parameter the app reads (``place``, ``dataset``, ``vendor``, ``metric``,
  ``level``, ``scheme``, ``k``) of every page under AppTest: no exception and no error; the
  values the app allows from lists are refused (the URL falls back to the defaults); the two
  it quotes, a dataset that does not exist and a place not found, are quoted literally as
  :func:`geo.core.text.shown` writes them, on one line, and no invisible character of them
  reaches the page raw.

And no payload ran (:func:`hostile.assert_nothing_ran`) anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from atlas_testing import REPO_ROOT, assert_one_line
from hostile import CORPUS, assert_nothing_ran, everything, new_token, payloads
from streamlit.testing.v1 import AppTest
from test_app_pages import APP, PAGES

from geo.cli import main as cli
from geo.core.errors import AtlasError
from geo.core.markup import md_escape
from geo.core.text import invisible, shown
from geo.figures.selection import MAX_PLACE_CHARS

TOKEN = new_token()
STRINGS = everything(TOKEN)
PARAMS = ("place", "dataset", "vendor", "metric", "level", "scheme", "k")
ALL_PAGES = [*PAGES, "pages/compare.py"]


def check_resolution(name: str, result: dict) -> None:
    assert result["input"] == name  # literally, whatever it holds
    assert result["status"] in ("matched", "ambiguous", "unmatched")
    if invisible(name):
        assert result["status"] == "unmatched", result
        assert_one_line(AtlasError(result["note"]), "invisible", "type the name without")
    elif not any(ch.isalnum() for ch in name):
        assert result["status"] == "unmatched", result
        assert_one_line(AtlasError(result["note"]), "holds no place name")


def test_resolve_on_the_command_line(tmp_path: Path) -> None:
    names = [s for s in STRINGS.values() if "\x00" not in s]
    done = subprocess.run(
        [sys.executable, "-m", "geo", "resolve", "--json", "--", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == len(names)
    for name, result in zip(names, results):
        check_resolution(name, result)
    assert_nothing_ran(TOKEN, tmp_path, REPO_ROOT)


def test_resolve_of_punctuation_only_names_one_each(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "geo", "resolve", "???", "!!!", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert done.returncode == 0, done.stderr
    for name, result in zip(("???", "!!!"), json.loads(done.stdout)):
        assert (result["input"], result["status"], result["lad_codes"]) == (name, "unmatched", [])
        assert_one_line(AtlasError(result["note"]), f"'{name}'", "type the place's name")


@pytest.mark.parametrize("key", [k for k, s in STRINGS.items() if "\x00" in s])
def test_resolve_of_a_nul_in_process(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["resolve", "--json", "--", STRINGS[key]]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    check_resolution(STRINGS[key], result)


# -- URL parameters, every page ----------------------------------------------------------------


def rendered(at: AppTest) -> list[str]:
    """Every text the page shows (Markdown sources, labels, options, URL aside)."""
    texts: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader", "text"):
        texts += [str(e.value) for e in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "radio", "text_input", "button"):
        for widget in getattr(at, kind):
            texts.append(str(widget.label))
            texts += [str(o) for o in getattr(widget, "options", [])]
    return texts


@pytest.mark.usefixtures("app_navigation")
@pytest.mark.parametrize("page", ALL_PAGES)
@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_url_parameter_on_every_page(page: str, key: str) -> None:
    value = STRINGS[key]
    at = AppTest.from_file(APP, default_timeout=120)
    for param in PARAMS:
        at.query_params[param] = value
    at.switch_page(page)  # the page the link opens, with the link's parameters
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for param in ("dataset", "vendor", "metric", "level", "scheme", "k"):  # refused: the defaults are back
        assert at.query_params.get(param) in (None, "", []) or at.query_params.get(param) != value
    warnings = [w.value for w in at.warning]
    assert all("\n" not in w for w in warnings), warnings
    quoted = md_escape(shown(value))
    assert any(w.startswith("No dataset called '" + quoted + "'") for w in warnings), warnings
    place = value[:MAX_PLACE_CHARS]
    if page == "pages/map.py":  # the page that says which places were not found
        assert any(w.startswith("Not found: " + md_escape(shown(place))) for w in warnings), warnings
    if page != "pages/about.py":
        assert shown(place, MAX_PLACE_CHARS) in at.sidebar.multiselect(key="f_places").options
    hidden = [ch for ch in value if invisible(ch)]
    for text in rendered(at):
        assert not any(ch in text for ch in hidden), (page, text)
    assert_nothing_ran(TOKEN, REPO_ROOT)


@pytest.mark.usefixtures("app_navigation")
def test_a_place_link_with_an_override_selects_nothing_and_says_so() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["place"] = ["\u202eLeeds", "Lee\u200dds", "York"]
    at.query_params["level"] = "lad"
    at.run()
    assert not at.exception
    warning = next(w.value for w in at.warning if w.value.startswith("Not found"))
    assert "\u202e" not in warning and "\u200d" not in warning
    assert md_escape("\\u202eLeeds") in warning and md_escape("Lee\\u200dds") in warning
    assert "York" not in warning
    details = " ".join(c.value for c in at.caption)  # Area details: the first place chosen that resolved
    assert "E06000014" in details and "E08000035" not in details


def test_the_corpus_is_the_shared_one() -> None:
    assert set(CORPUS) <= set(STRINGS) and set(payloads(TOKEN)) <= set(STRINGS)
