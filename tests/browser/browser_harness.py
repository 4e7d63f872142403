"""Real-browser test harness: Streamlit servers, the third-party request guard and page helpers.

The pytest fixtures in ``conftest.py`` are thin wrappers around this module; tests
import the page helpers (``wait_for_app``, ``map_frame``, ...) from here directly.

Nothing the browser requests may leave the machine. Two guards, chosen by
:data:`NETWORK_MODE` for the ``page`` fixture:

- ``"abort"``: :class:`ThirdPartyBlocker` aborts every request whose host is not
  127.0.0.1/localhost and records it. A page that works this way works offline and
  tells no third party what its user looks at: the atlas's target.
- ``"route"`` (legacy): :class:`CdnRouter` answers such requests from the npm copies
  in ``tests/browser/vendor/node_modules`` or with an empty stub body, for pages that
  still reference CDN URLs.
"""

from __future__ import annotations

import mimetypes
import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Frame, FrameLocator, Page, Route, WebSocketRoute

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
VENDOR_DIR = HERE / "vendor" / "node_modules"
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
INSTALL_VENDOR = (
    f"CDN copies missing under {VENDOR_DIR}: run `npm install --prefix tests/browser/vendor` in the repo root"
)

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# The guard the `page` fixture installs: "route" (CDN copies, legacy) or "abort" (every
# non-local request aborted and recorded). Flip the default to "abort" once every page
# loads its scripts from the dashboard's own server (geo.assets); then the vendor copies,
# CdnRouter and the `npm install` step can go. ATLAS_BROWSER_NETWORK overrides it per run.
NETWORK_MODE = os.environ.get("ATLAS_BROWSER_NETWORK", "route")
if NETWORK_MODE not in ("route", "abort"):
    raise ValueError(f"ATLAS_BROWSER_NETWORK={NETWORK_MODE!r}: use 'route' or 'abort'")

# CDN URL (host + path) -> file in node_modules. Each regex is matched with
# re.search against "host/path"; group references in the target are expanded.
# URLs come from folium 0.20 (folium.py, features.py) and streamlit_folium 0.27.4
# (__init__.py adds d3 v3 + v4 for branca colormaps).
LOCAL_COPIES: list[tuple[re.Pattern[str], str]] = [
    # https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.{js,css}, and the
    # images/*.png that leaflet.css references relative to itself.
    (re.compile(r"/leaflet@1\.9\.3/dist/((?:images/)?[\w.-]+)$"), r"leaflet/dist/\1"),
    # https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js
    (re.compile(r"/d3/3\.5\.5/d3(?:\.min)?\.js$"), "d3-v3/d3.min.js"),
    (re.compile(r"/d3@3\.5\.5/d3(?:\.min)?\.js$"), "d3-v3/d3.min.js"),
    (re.compile(r"^d3js\.org/d3\.v3(?:\.min)?\.js$"), "d3-v3/d3.min.js"),
    # https://d3js.org/d3.v4.min.js
    (re.compile(r"^d3js\.org/d3\.v4(?:\.min)?\.js$"), "d3-v4/build/d3.min.js"),
    (re.compile(r"/d3@4\.13\.0/(?:build/|dist/)?d3(?:\.min)?\.js$"), "d3-v4/build/d3.min.js"),
    (re.compile(r"/d3/4\.13\.0/d3(?:\.min)?\.js$"), "d3-v4/build/d3.min.js"),
    # https://code.jquery.com/jquery-3.7.1.min.js
    (re.compile(r"/jquery-3\.7\.1(?:\.min)?\.js$"), "jquery/dist/jquery.min.js"),
    (re.compile(r"/jquery@3\.7\.1/dist/jquery(?:\.min)?\.js$"), "jquery/dist/jquery.min.js"),
]

# Files whose absence means `npm install` was not run (checked before any browser test).
REQUIRED_VENDOR_FILES = [
    "leaflet/dist/leaflet.js",
    "leaflet/dist/leaflet.css",
    "d3-v3/d3.min.js",
    "d3-v4/build/d3.min.js",
    "jquery/dist/jquery.min.js",
]

def _png_1x1_transparent() -> bytes:
    """A valid 1x1 RGBA PNG with alpha 0 (built, not pasted, so the CRCs are right)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)  # 1x1, 8-bit RGBA
    pixels = zlib.compress(b"\x00" + b"\x00\x00\x00\x00")  # filter byte + one transparent pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# Stubbed map tiles render blank instead of as broken-image icons.
TRANSPARENT_PNG = _png_1x1_transparent()

# Access-Control-Allow-Origin keeps `crossorigin` script/font loads from failing CORS checks.
CORS = {"access-control-allow-origin": "*"}


def missing_vendor_files() -> list[str]:
    """Required node_modules files that are not present."""
    return [name for name in REQUIRED_VENDOR_FILES if not (VENDOR_DIR / name).is_file()]


def is_local_url(url: str) -> bool:
    """True for URLs that never leave the machine (loopback hosts, data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


def local_copy_for(url: str) -> Path | None:
    """The vendored file that serves a CDN URL, or None if there is no local copy."""
    parts = urlsplit(url)
    key = f"{parts.hostname}{parts.path}"
    for pattern, target in LOCAL_COPIES:
        match = pattern.search(key)
        if match:
            path = (VENDOR_DIR / match.expand(target)).resolve()
            # Guard against "../" in matched groups escaping node_modules.
            if path.is_relative_to(VENDOR_DIR.resolve()) and path.is_file():
                return path
    return None


def content_type_for(url: str) -> str:
    """Best-guess MIME type from the URL path (stubs must still carry the right type)."""
    path = urlsplit(url).path
    guessed, _ = mimetypes.guess_type(path)
    if guessed:
        return "text/javascript" if guessed == "application/javascript" else guessed
    if re.search(r"/\d+/\d+/\d+(?:@2x)?$", path):  # extension-less slippy-map tile
        return "image/png"
    return "text/plain"


@dataclass
class CdnRouter:
    """Answers every non-local request of a browser context, and logs what it did.

    ``served_local`` maps URL -> vendored file; ``stubbed`` lists URLs answered with
    an empty (or transparent-PNG) 200. ``requested`` is filled from the context's
    ``request`` event, independently of routing, so :meth:`unanswered` can prove no
    request bypassed the router.
    """

    served_local: dict[str, Path] = field(default_factory=dict)
    stubbed: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    websockets_blocked: list[str] = field(default_factory=list)

    def install(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self._record(request.url))
        context.route(lambda url: not is_local_url(url), self._handle)
        context.route_web_socket(lambda url: not is_local_url(url), self._block_websocket)

    def _record(self, url: str) -> None:
        if not is_local_url(url):
            self.requested.append(url)

    def _handle(self, route: Route) -> None:
        url = route.request.url
        local = local_copy_for(url)
        if local is not None:
            self.served_local[url] = local
            route.fulfill(status=200, path=local, content_type=content_type_for(str(local)), headers=CORS)
            return
        self.stubbed.append(url)
        ctype = content_type_for(url)
        body = TRANSPARENT_PNG if ctype == "image/png" else b""
        route.fulfill(status=200, body=body, content_type=ctype, headers=CORS)

    def _block_websocket(self, ws: WebSocketRoute) -> None:
        # Not calling ws.connect_to_server() means nothing is opened to the real host.
        self.websockets_blocked.append(ws.url)
        ws.close()

    @property
    def handled(self) -> set[str]:
        return set(self.served_local) | set(self.stubbed)

    def unanswered(self) -> list[str]:
        """External requests the browser made that the router did not answer."""
        handled = self.handled
        return sorted({url for url in self.requested if url not in handled})

    def report(self) -> str:
        """Human-readable summary for test output."""
        lines = [f"external requests: {len(set(self.requested))}"]
        local = sorted(self.served_local.items())
        lines += [f"  local  {url} <- {path.relative_to(VENDOR_DIR)}" for url, path in local]
        lines += [f"  stub   {url}" for url in sorted(set(self.stubbed))]
        lines += [f"  ws-blocked {url}" for url in sorted(set(self.websockets_blocked))]
        lines += [f"  LEAKED {url}" for url in self.unanswered()]
        return "\n".join(lines)


@dataclass
class ThirdPartyBlocker:
    """Aborts every non-local request of a browser context (nothing is answered, nothing
    stubbed, nothing routed to copies) and records what the page tried to fetch.

    ``attempted`` lists the URLs in request order (from the context's ``request`` event,
    so requests the route would not see are counted too); ``websockets_blocked`` the
    WebSocket URLs closed before connecting.
    """

    attempted: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    websockets_blocked: list[str] = field(default_factory=list)

    def install(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self._record(request.url))
        context.route(lambda url: not is_local_url(url), self._abort)
        context.route_web_socket(lambda url: not is_local_url(url), self._block_websocket)

    def _record(self, url: str) -> None:
        if not is_local_url(url):
            self.attempted.append(url)

    def _abort(self, route: Route) -> None:
        self.aborted.append(route.request.url)
        route.abort("blockedbyclient")

    def _block_websocket(self, ws: WebSocketRoute) -> None:
        self.websockets_blocked.append(ws.url)
        ws.close()

    def third_party(self) -> list[str]:
        """Every non-local URL the page tried to reach (requests and WebSockets), sorted."""
        return sorted(set(self.attempted) | set(self.aborted) | set(self.websockets_blocked))

    def unanswered(self) -> list[str]:
        """Same as :meth:`third_party` (in this mode no third-party request is answered),
        so tests written for :class:`CdnRouter` assert "no third-party request" unchanged."""
        return self.third_party()

    def report(self) -> str:
        """Human-readable summary for test output."""
        urls = self.third_party()
        return "\n".join([f"third-party requests attempted (all aborted): {len(urls)}", *(f"  {u}" for u in urls)])


def network_guard(mode: str = NETWORK_MODE) -> CdnRouter | ThirdPartyBlocker:
    """The guard for ``mode``: "abort" -> :class:`ThirdPartyBlocker`, "route" -> :class:`CdnRouter`."""
    return ThirdPartyBlocker() if mode == "abort" else CdnRouter()


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


def wait_for_app(page: Page, timeout: float = 60_000) -> None:
    """Wait until Streamlit is connected, the script run has finished and the main block exists.

    ``data-test-script-state`` starts as "initial", so this does not return before
    the first run. After a widget interaction, call it only once the rerun has
    visibly started (or wait for the expected element) to avoid returning early.
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


def save_screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Write ``<repo>/artifacts/screenshots/<name>.png`` and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", name).strip("_") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
