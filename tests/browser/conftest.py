"""Pytest fixtures for real-browser tests (Playwright sync API + Debian's Chromium).

Fixtures
--------
streamlit_server  session  factory: ``streamlit_server(script, env=None) -> base URL``
app_url           session  base URL of the repo's ``app.py``
browser           session  headless Chromium from /usr/bin/chromium
third_party       function the ThirdPartyBlocker of ``page``: every non-local request is
                           aborted (never answered, stubbed or routed) and recorded;
                           ``third_party.third_party()`` lists them, ``report()`` prints them
js_errors         function uncaught JS errors seen by ``page`` (all frames)
page              function fresh 1400x1000 context + page with ``third_party`` installed
new_page          function factory: ``new_page(width, height, allow_loopback=True, **options) ->
                           (page, blocker)``, more guarded pages (other viewports, or the
                           whole network off); closed after the test

Page helpers (``wait_for_app``, ``map_frame``, ``count_map_paths``,
``wait_for_map_paths``, ``save_screenshot``, ``save_full_page``) live in ``browser_harness``.
A missing Chromium FAILS the test with an install hint; never skip.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path

import pytest

# Tests import `browser_harness` by name; make that independent of pytest's import mode.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    INSTALL_CHROMIUM,
    REPO_ROOT,
    StreamlitServer,
    ThirdPartyBlocker,
    save_screenshot,
)
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

StartServer = Callable[..., str]
_CALL_FAILED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/browser is a browser test, marked or not.
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Expose the call-phase outcome so `page` can screenshot failures at teardown.
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartServer]:
    """Factory starting ``streamlit run <script>`` once per (script, env) per session.

    ``script`` is relative to the repo root (or absolute). The server inherits the
    environment (CAMERA_ATLAS_* included) plus ``env``, runs with cwd=<repo root>,
    and is terminated at session end. Returns the base URL, e.g. http://127.0.0.1:PORT.
    """
    log_dir = tmp_path_factory.mktemp("streamlit-logs")
    servers: dict[tuple[Path, tuple[tuple[str, str], ...]], StreamlitServer] = {}

    def start(script: str | Path, env: Mapping[str, str] | None = None) -> str:
        path = Path(script) if Path(script).is_absolute() else REPO_ROOT / script
        if not path.is_file():
            pytest.fail(f"Streamlit script not found: {path}", pytrace=False)
        key = (path.resolve(), tuple(sorted((env or {}).items())))
        if key not in servers:
            server = StreamlitServer(path, log_dir, env)
            try:
                server.start()
            except RuntimeError as exc:
                pytest.fail(str(exc), pytrace=False)
            servers[key] = server
        return servers[key].url

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def app_url(streamlit_server: StartServer) -> str:
    """Base URL of the real dashboard (the repo's app.py), one server per session."""
    return streamlit_server("app.py")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Session-wide headless Chromium (Debian's binary; Playwright's bundled one is never used)."""
    if not CHROMIUM.is_file():
        pytest.fail(INSTALL_CHROMIUM, pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def third_party() -> ThirdPartyBlocker:
    """Every non-local request ``page`` attempted (all aborted); assert ``third_party.third_party() == []``."""
    return ThirdPartyBlocker()


@pytest.fixture
def js_errors() -> list[str]:
    """Uncaught JavaScript errors raised in the current test's page."""
    return []


def _guarded_context(
    browser: Browser, guard: ThirdPartyBlocker, width: int, height: int, **options: object
) -> BrowserContext:
    """A fresh context (downloads accepted; further ``new_context`` options) with ``guard`` installed."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, **options)
    guard.install(context)
    return context


@pytest.fixture
def page(
    browser: Browser, third_party: ThirdPartyBlocker, js_errors: list[str], request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh 1400x1000 page whose every non-local request is aborted and recorded in ``third_party``."""
    context = _guarded_context(browser, third_party, 1400, 1000)
    new = context.new_page()
    new.on("pageerror", lambda error: js_errors.append(str(error)))
    yield new
    if request.node.stash.get(_CALL_FAILED, False):
        try:
            path = save_screenshot(new, f"FAILED-{request.node.name}")
            print(f"\nscreenshot of failed test: {path}\n{third_party.report()}")
        except Exception as exc:  # a broken page must not mask the real failure
            print(f"\ncould not screenshot failed test: {exc}")
    context.close()


NewPage = Callable[..., tuple[Page, ThirdPartyBlocker]]


@pytest.fixture
def new_page(browser: Browser, js_errors: list[str]) -> Iterator[NewPage]:
    """Factory of further guarded pages: ``new_page(width=1400, height=1000, allow_loopback=True, **options)``.

    Each gets its own context (``options`` go to ``browser.new_context``, e.g.
    ``is_mobile=True, has_touch=True``) and :class:`ThirdPartyBlocker`
    (``allow_loopback=False`` aborts every network request, the test's own server
    included); JS errors go to ``js_errors``. Every context is closed after the test.
    """
    contexts: list[BrowserContext] = []

    def make(
        width: int = 1400, height: int = 1000, allow_loopback: bool = True, **options: object
    ) -> tuple[Page, ThirdPartyBlocker]:
        guard = ThirdPartyBlocker(allow_loopback=allow_loopback)
        context = _guarded_context(browser, guard, width, height, **options)
        contexts.append(context)
        made = context.new_page()
        made.on("pageerror", lambda error: js_errors.append(str(error)))
        return made, guard

    yield make
    for context in contexts:
        context.close()
