"""Real-browser test harness: Streamlit servers, the third-party request guard and page helpers.

The pytest fixtures in ``conftest.py`` are thin wrappers around this module; tests
import the page helpers (``wait_for_app``, ``map_frame``, ...) from here directly.

Nothing the browser requests may leave the machine: :class:`ThirdPartyBlocker` aborts
every request whose host is not 127.0.0.1/localhost (nothing is answered, stubbed or
routed to a copy) and records it, so a test can assert that none was even attempted. A
page that works this way works offline and tells no third party what its user looks at.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import (
    BrowserContext,
    Frame,
    FrameLocator,
    Locator,
    Page,
    Route,
    WebSocketRoute,
    expect,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

INSTALL_CHROMIUM = (
    f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium` (never `playwright install`)"
)

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_local_url(url: str) -> bool:
    """True for URLs that never leave the machine (loopback hosts, data:, blob:, about:, file:)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class ThirdPartyBlocker:
    """Aborts every non-local request of a browser context (nothing is answered, nothing
    stubbed, nothing routed to copies) and records what the page tried to fetch.

    ``attempted`` lists the URLs in request order (from the context's ``request`` event,
    so requests the route would not see are counted too); ``websockets_blocked`` the
    WebSocket URLs closed before connecting. ``allow_loopback=False`` blocks the loopback
    host too: the whole network is off (for a downloaded file opened from ``file://``).
    """

    attempted: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    websockets_blocked: list[str] = field(default_factory=list)
    allow_loopback: bool = True

    def install(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self._record(request.url))
        context.route(self._blocked, self._abort)
        context.route_web_socket(self._blocked, self._block_websocket)

    def _blocked(self, url: str) -> bool:
        if self.allow_loopback:
            return not is_local_url(url)
        return urlsplit(url).scheme in ("http", "https", "ws", "wss")

    def _record(self, url: str) -> None:
        if self._blocked(url):
            self.attempted.append(url)

    def _abort(self, route: Route) -> None:
        self.aborted.append(route.request.url)
        route.abort("blockedbyclient")

    def _block_websocket(self, ws: WebSocketRoute) -> None:
        # Not calling ws.connect_to_server() means nothing is opened to the real host.
        self.websockets_blocked.append(ws.url)
        ws.close()

    def third_party(self) -> list[str]:
        """Every blocked URL the page tried to reach (requests and WebSockets), sorted."""
        return sorted(set(self.attempted) | set(self.aborted) | set(self.websockets_blocked))

    def report(self) -> str:
        """Human-readable summary for test output."""
        urls = self.third_party()
        what = "third-party" if self.allow_loopback else "network"
        return "\n".join([f"{what} requests attempted (all aborted): {len(urls)}", *(f"  {u}" for u in urls)])


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    """An unused TCP port on 127.0.0.1 (tiny race window is acceptable for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, limit: int = 4000) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return text[-limit:]


class StreamlitServer:
    """One ``streamlit run`` subprocess on a free loopback port."""

    def __init__(self, script: Path, log_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.script = script
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stdout_path = log_dir / f"{script.stem}-{self.port}.stdout.log"
        self.stderr_path = log_dir / f"{script.stem}-{self.port}.stderr.log"
        self._env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> str:
        """Start the server and block until /_stcore/health says "ok"; returns the base URL."""
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(self.script),
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            # Other engineers edit the tree while tests run: no watcher, no surprise reruns.
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
        ]  # fmt: skip
        # Log files, not pipes: a chatty server must never block on a full pipe buffer.
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self._proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=self._env, stdout=out, stderr=err)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"streamlit server for {self.script} exited with code {self._proc.returncode} "
                    f"before becoming healthy.\n--- stderr ---\n{_tail(self.stderr_path)}"
                    f"\n--- stdout ---\n{_tail(self.stdout_path)}"
                )
            if self._healthy():
                return self.url
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"streamlit server for {self.script} not healthy on {self.url} after {timeout:.0f}s."
            f"\n--- stderr ---\n{_tail(self.stderr_path)}"
        )

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                return resp.status == 200 and resp.read().strip() == b"ok"
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def stop(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)

    def stderr(self) -> str:
        return _tail(self.stderr_path)


# --------------------------------------------------------------------------- page helpers


def wait_for_app(page: Page, timeout: float = 180_000) -> None:
    """Wait until Streamlit is connected, the script run has finished and the main block exists.

    ``data-test-script-state`` starts as "initial", so this does not return before
    the first run. After a widget interaction, call it only once the rerun has
    visibly started (or wait for the expected element) to avoid returning early.
    The default allows for a cold server's first page on a loaded 2-core machine
    (measured up to 60 s at load average 8).
    """
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]',
        state="attached",
        timeout=timeout,
    )
    page.wait_for_selector('[data-testid="stMainBlockContainer"]', state="attached", timeout=timeout)
    page.wait_for_selector('[data-testid="stStatusWidgetRunningIcon"]', state="detached", timeout=timeout)


def map_frame(page: Page, index: int = 0, timeout: float = 60_000) -> tuple[FrameLocator, Frame]:
    """Wait for the ``index``-th st_folium iframe; return its FrameLocator and its Frame.

    Use the FrameLocator for auto-waiting locators and the Frame for ``evaluate``.
    """
    iframe = page.locator(MAP_IFRAME).nth(index)
    iframe.wait_for(state="attached", timeout=timeout)
    frame = iframe.element_handle(timeout=timeout).content_frame()
    if frame is None:
        raise AssertionError(f"{MAP_IFRAME} #{index} has no content frame")
    return page.frame_locator(MAP_IFRAME).nth(index), frame


def count_map_paths(frame: Frame | FrameLocator) -> int:
    """Number of Leaflet vector shapes (SVG ``path.leaflet-interactive``) in a map frame."""
    return frame.locator("path.leaflet-interactive").count()


def wait_for_map_paths(frame: Frame, minimum: int = 1, timeout: float = 60_000) -> int:
    """Wait until Leaflet has drawn at least ``minimum`` interactive paths; return the count."""
    frame.wait_for_function(
        "n => document.querySelectorAll('path.leaflet-interactive').length >= n",
        arg=minimum,
        timeout=timeout,
    )
    return count_map_paths(frame)


def pick_option(page: Page, widget: Locator, name: str, timeout: float = 30_000) -> None:
    """Open a select/multiselect ``widget``, type ``name`` and click that exact option.

    Clicking the option (not pressing Enter) picks ``name`` even on a slow machine, where
    Enter can land before the list has filtered and pick whatever was first.
    """
    widget.click()
    page.keyboard.type(name)
    page.get_by_role("option", name=name, exact=True).click(timeout=timeout)


def hover_for_tooltip(target: Locator, tooltip: Locator, expected: Sequence[str], timeout: float = 30.0) -> str:
    """Hover ``target`` until ``tooltip`` holds every string in ``expected``; return its text.

    The tooltip is read in one piece, and the hover is repeated while waiting: a page
    still settling (a late element above the map, a scroll) can move the shape away from
    a pointer that stays put, and Leaflet then closes the tooltip. Fails with the last
    text seen if the tooltip never holds them all.
    """
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        target.hover(force=True)
        try:
            tooltip.first.wait_for(state="visible", timeout=2_000)
            text = tooltip.first.inner_text(timeout=2_000)
        except PlaywrightTimeoutError:
            continue
        if all(piece in text for piece in expected):
            return text
    raise AssertionError(f"tooltip never showed {list(expected)}; last text: {text!r}")


def upload_table(page: Page, app_url: str, name: str, data: bytes) -> None:
    """Upload ``data`` as a table named ``name`` on the Data page, load it, and wait until it is the dataset in use."""
    page.goto(f"{app_url}/data")
    wait_for_app(page)
    # The table uploader by its label (the Data page has several).
    page.get_by_test_id("stFileUploader").filter(has_text="Upload a table").locator(
        'input[type="file"]'
    ).set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    load = page.get_by_role("button", name="Load this table")
    expect(load).to_be_visible(timeout=60_000)
    load.click()
    try:
        expect(page.get_by_text(f"Your table: {name}").first).to_be_visible(timeout=60_000)
    except AssertionError:
        save_screenshot(page, f"FAILED-upload-{name}")
        raise
    wait_for_app(page)


def save_screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Write ``<repo>/artifacts/screenshots/<name>.png`` and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", name).strip("_") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def save_full_page(page: Page, name: str) -> Path:
    """A screenshot of the whole page, ``<repo>/artifacts/screenshots/<name>.png``.

    Streamlit scrolls inside its main block (``stMain``), not the document, so Playwright's
    ``full_page`` sees one viewport: the viewport is grown to the content's height for the
    shot (re-measured until it holds, as charts draw late and a taller window can reflow),
    then restored.
    """
    size = page.viewport_size
    assert size is not None, "the page has no fixed viewport"
    measure = """() => Math.max(...['stMain', 'stSidebarContent'].map(id => {
        const e = document.querySelector(`[data-testid="${id}"]`);
        const box = e && e.getBoundingClientRect();  // a collapsed sidebar sits off-screen
        return box && box.width > 0 && box.right > 0 && box.left < window.innerWidth ? e.scrollHeight : 0;
    }), document.documentElement.scrollHeight)"""
    # Charts and tables draw after the script run: wait until the height holds still.
    height, steady = 0, 0
    for _ in range(40):
        measured = int(page.evaluate(measure))
        steady = steady + 1 if measured == height else 0
        if steady == 2:
            break
        height = measured
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
        page.wait_for_timeout(300)
    try:
        return save_screenshot(page, name, full_page=False)
    finally:
        page.set_viewport_size(size)
