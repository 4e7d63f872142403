"""Pytest fixtures for real-browser tests (Playwright sync API + Debian's Chromium).

Fixtures
--------
streamlit_server  session  factory: ``streamlit_server(script, env=None) -> base URL``
app_url           session  base URL of the repo's ``app.py``
browser           session  headless Chromium from /usr/bin/chromium
cdn_router        function the third-party guard of ``page``: a CdnRouter (NETWORK_MODE
                           "route") or a ThirdPartyBlocker ("abort"); both have
                           ``unanswered()`` and ``report()``
js_errors         function uncaught JS errors seen by ``page`` (all frames)
page              function fresh context + page with that guard installed
blocker           function ThirdPartyBlocker of ``offline_page``
offline_page      function fresh context + page with every non-local request aborted and
                           recorded, whatever NETWORK_MODE says
routed_page       function fresh context + page whose CDN requests are routed to the npm
                           copies (``cdn_router`` is then a CdnRouter), whatever NETWORK_MODE says

Page helpers (``wait_for_app``, ``map_frame``, ``count_map_paths``,
``wait_for_map_paths``, ``save_screenshot``) live in ``browser_harness``.
Missing Chromium or vendor files FAIL the test with an install hint; never skip.
The vendor copies are needed only where requests are routed to them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path

import pytest

# Tests import `browser_harness` by name; make that independent of pytest's import mode.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    INSTALL_CHROMIUM,
    INSTALL_VENDOR,
    REPO_ROOT,
    CdnRouter,
    StreamlitServer,
    ThirdPartyBlocker,
    missing_vendor_files,
    network_guard,
    save_screenshot,
)
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

Guard = CdnRouter | ThirdPartyBlocker

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


def _require_vendor(guard: Guard) -> None:
    if isinstance(guard, CdnRouter):
        missing = missing_vendor_files()
        if missing:
            pytest.fail(f"{INSTALL_VENDOR} (missing: {', '.join(missing)})", pytrace=False)


@pytest.fixture
def cdn_router() -> Guard:
    """The third-party guard of ``page`` (see browser_harness.NETWORK_MODE); ``report()`` lists what it saw."""
    guard = network_guard()
    _require_vendor(guard)
    return guard


@pytest.fixture
def blocker() -> ThirdPartyBlocker:
    """Record of the non-local requests ``offline_page`` attempted (all aborted)."""
    return ThirdPartyBlocker()


@pytest.fixture
def js_errors() -> list[str]:
    """Uncaught JavaScript errors raised in the current test's page."""
    return []


def _page_with(browser: Browser, guard: Guard, js_errors: list[str], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh 1400x1000 context (downloads accepted) with ``guard`` installed; closed after the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    guard.install(context)
    new_page = context.new_page()
    new_page.on("pageerror", lambda error: js_errors.append(str(error)))
    yield new_page
    if request.node.stash.get(_CALL_FAILED, False):
        try:
            path = save_screenshot(new_page, f"FAILED-{request.node.name}")
            print(f"\nscreenshot of failed test: {path}\n{guard.report()}")
        except Exception as exc:  # a broken page must not mask the real failure
            print(f"\ncould not screenshot failed test: {exc}")
    context.close()


@pytest.fixture
def page(browser: Browser, cdn_router: Guard, js_errors: list[str], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page guarded as NETWORK_MODE says (see ``cdn_router``)."""
    yield from _page_with(browser, cdn_router, js_errors, request)


@pytest.fixture
def offline_page(
    browser: Browser, blocker: ThirdPartyBlocker, js_errors: list[str], request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh page whose every non-local request is aborted and recorded in ``blocker``."""
    yield from _page_with(browser, blocker, js_errors, request)


@pytest.fixture
def routed_page(browser: Browser, js_errors: list[str], request: pytest.FixtureRequest) -> Iterator[tuple[Page, CdnRouter]]:
    """(page, router): CDN requests answered from the npm copies, whatever NETWORK_MODE says."""
    router = CdnRouter()
    _require_vendor(router)
    for new_page in _page_with(browser, router, js_errors, request):
        yield new_page, router
