"""Load benchmark: N concurrent real-browser sessions against ONE Streamlit server.

Run: ``CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_load.py [--sessions N]``

One ``streamlit run app.py`` (``StreamlitServer`` from ``tests/browser/browser_harness.py``),
one headless Debian Chromium (the harness's flags; every non-local request aborted and
counted, as the browser tests' ThirdPartyBlocker does), and N browser
contexts driven concurrently with the Playwright async API (``asyncio.gather``). Each
session, timed step by step:

1. ``open``     - load the app; wait until the map iframe has drawn >= 4 areas.
2. ``filter``   - click a sidebar radio (metric or geography, varied per session); wait
                  until the map's drawn content differs from before.
3. ``png``      - pick "PNG image", click "Create the snapshot", download it; check it is a
                  PNG >= 1600 px wide.
4. ``upload``   - on the Data page upload its own ``session-NN.csv`` (a session-unique
                  number of places and counts), click "Load this table"; check the sidebar
                  shows "Your table: session-NN.csv", the match report counts its places,
                  and the sidebar's Dataset options hold its upload and no other session's.

After every session has finished, each successful uploader re-reads its Dataset options
(now all uploads are in the server) and a fresh observer session with no upload checks it
sees none: both count towards ``isolation_violations``.

Prints ``name: value unit`` lines and never asserts a time. The exit code is non-zero
only when the benchmark cannot run at all (no Chromium, the server
does not start, or no session could even open the app).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))

from browser_harness import CHROMIUM, CHROMIUM_ARGS, INSTALL_CHROMIUM, MAP_IFRAME, StreamlitServer, is_local_url
from playwright.async_api import (
    Browser,
    BrowserContext,
    Frame,
    Page,
    Route,
    WebSocketRoute,
    async_playwright,
    expect,
)
from timing import percentile, show

STEPS = ("open", "filter", "png", "upload")
MIN_AREAS = 4  # the four places of the shipped dataset
MIN_PNG_WIDTH = 1600
# (sidebar radio group, option label) - session i clicks FILTERS[i % len(FILTERS)].
FILTERS = [
    ("Metric", "Networks per 1,000 residents"),
    ("Metric", "Networks per km²"),
    ("Geography", "Regions & nations"),
]
# LAD names that resolve unambiguously (checked with `python -m geo resolve`).
PLACES = [
    "Leeds", "York", "Sheffield", "Bradford", "Wakefield", "Coventry", "Nottingham", "Leicester",
    "Cardiff", "Swansea", "Plymouth", "Sunderland", "Wigan", "Bolton", "Derby", "Southampton",
]  # fmt: skip
APP_IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
# Content of the map's document: every drawn area's fill, stroke and outline plus the
# legend/SVG text, reduced to a count and a hash so polling stays cheap.
SIGNATURE_JS = """() => {
  const els = document.querySelectorAll('path.leaflet-interactive');
  let s = '';
  for (const e of els) s += e.getAttribute('fill') + '|' + e.getAttribute('stroke-width') + '|' + e.getAttribute('d') + ';';
  for (const t of document.querySelectorAll('svg text')) s += t.textContent + ';';
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return [els.length, h, s.length];
}"""

# Counts Streamlit script runs from now on (window.__benchReruns), for download diagnostics.
COUNT_RERUNS_JS = """() => {
  window.__benchReruns = 0;
  if (window.__benchObserver) window.__benchObserver.disconnect();
  const app = document.querySelector('[data-testid="stApp"]');
  window.__benchObserver = new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__benchReruns += 1;
  });
  window.__benchObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


class StepError(Exception):
    """A step ran but its check failed (the message is the reason)."""


@dataclass
class Session:
    index: int
    filter_group: str
    filter_label: str
    filename: str
    places: list[str]
    csv: bytes
    context: BrowserContext | None = None
    page: Page | None = None
    times: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    retries: list[str] = field(default_factory=list)
    total: float | None = None
    uploaded: bool = False
    violations: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"session-{self.index:02d}"


def make_session(index: int) -> Session:
    group, label = FILTERS[index % len(FILTERS)]
    n_places = index % len(PLACES) + 1  # session-unique place count (for up to 16 sessions)
    chosen = PLACES[:n_places]
    # Counts carry the session index too, so every file's content (and upload id) differs.
    rows = [f"{place},{1000 * (index + 1) + row}" for row, place in enumerate(chosen)]
    csv = ("place,networks\n" + "\n".join(rows) + "\n").encode()
    return Session(index, group, label, f"session-{index:02d}.csv", chosen, csv)


# --------------------------------------------------------------------------- browser plumbing


# Every third-party URL any context attempted (all aborted), for the report.
THIRD_PARTY: list[str] = []


async def install_blocker(context: BrowserContext) -> None:
    """The harness's ThirdPartyBlocker, for the async API: every non-local request aborted and recorded."""

    async def abort(route: Route) -> None:
        THIRD_PARTY.append(route.request.url)
        await route.abort("blockedbyclient")

    async def block(ws: WebSocketRoute) -> None:
        THIRD_PARTY.append(ws.url)
        await ws.close()

    await context.route(lambda url: not is_local_url(url), abort)
    await context.route_web_socket(lambda url: not is_local_url(url), block)


async def wait_for_app(page: Page, timeout_ms: float) -> None:
    """Connected, the script run finished and no running indicator (as the harness's wait_for_app)."""
    await page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout_ms)
    await page.wait_for_selector('[data-testid="stMainBlockContainer"]', state="attached", timeout=timeout_ms)
    await page.wait_for_selector('[data-testid="stStatusWidgetRunningIcon"]', state="detached", timeout=timeout_ms)


async def map_frame(page: Page, timeout_ms: float) -> Frame:
    iframe = page.locator(MAP_IFRAME).first
    await iframe.wait_for(state="attached", timeout=timeout_ms)
    handle = await iframe.element_handle(timeout=timeout_ms)
    frame = await handle.content_frame()
    if frame is None:
        raise StepError("the map iframe has no content frame")
    return frame


async def map_signature(page: Page, timeout_ms: float) -> list:
    frame = await map_frame(page, timeout_ms)
    await frame.wait_for_function(
        "n => document.querySelectorAll('path.leaflet-interactive').length >= n", arg=1, timeout=timeout_ms
    )
    return await frame.evaluate(SIGNATURE_JS)


async def wait_for_map_change(page: Page, before: list, timeout_s: float) -> list:
    """Poll until the app is idle and the map's content differs from ``before``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        try:
            await wait_for_app(page, 5_000)
            after = await map_signature(page, 5_000)
        except Exception:  # noqa: BLE001 - mid-rerun or the iframe is reloading
            continue
        if after and after != before:
            return after
    raise StepError(f"the map did not change within {timeout_s:.0f} s")


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


async def dataset_options(page: Page, timeout_ms: float) -> list[str]:
    """Open the sidebar's Dataset selectbox, read every option, close it again."""
    box = sidebar(page).get_by_test_id("stSelectbox").filter(has_text="Dataset").first
    await box.get_by_role("button", name="Open").click(timeout=timeout_ms)
    options = page.get_by_role("option")
    await options.first.wait_for(state="visible", timeout=timeout_ms)
    texts = [t.strip() for t in await options.all_inner_texts()]
    await page.keyboard.press("Escape")
    await options.first.wait_for(state="detached", timeout=timeout_ms)
    return texts


async def page_state(page: Page, s: Session) -> str:
    """A one-line picture of the page after a failed step (for the error's reason)."""
    parts = []
    try:
        parts.append(f"url {urlsplit(page.url).path or '/'}?{urlsplit(page.url).query}")
        state = await page.locator('[data-testid="stApp"]').first.get_attribute("data-test-script-state", timeout=5_000)
        parts.append(f"script {state}")
        iframes = await page.locator(MAP_IFRAME).count()
        parts.append(f"map iframes {iframes}")
        if iframes:
            handle = await page.locator(MAP_IFRAME).first.element_handle(timeout=5_000)
            frame = await handle.content_frame()
            if frame is not None:
                leaflet, paths, all_paths = await frame.evaluate(
                    "() => [typeof L !== 'undefined', document.querySelectorAll('path.leaflet-interactive').length,"
                    " document.querySelectorAll('.leaflet-overlay-pane path').length]"
                )
                parts.append(f"leaflet {'loaded' if leaflet else 'missing'}, {paths} interactive / {all_paths} paths")
        exceptions = await page.get_by_test_id("stException").all_inner_texts()
        alerts = await page.get_by_test_id("stAlert").all_inner_texts()
        if exceptions:
            parts.append(f"exceptions {[e[:160] for e in exceptions]}")
        if alerts:
            parts.append(f"alerts {[a[:160] for a in alerts]}")
    except Exception as exc:  # noqa: BLE001
        parts.append(f"state unreadable: {reason(exc)}")
    if s.js_errors:
        parts.append(f"js errors {len(s.js_errors)}: {s.js_errors[0]}")
    return "; ".join(parts)


def http_status(url: str) -> str:
    """Status of a GET on ``url`` (diagnostics for a failed download)."""
    if not url.startswith(("http://", "https://")):
        return f"n/a ({url[:40]})"
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return f"{resp.status}, {len(resp.read())} bytes"
    except urllib.error.HTTPError as err:
        return str(err.code)
    except (urllib.error.URLError, OSError) as err:
        return f"error {err}"


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise StepError(f"download is not a PNG (starts {data[:16]!r})")
    return struct.unpack(">II", data[16:24])


def reason(exc: BaseException) -> str:
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) and not str(exc).strip():
        return f"{type(exc).__name__}: the step took longer than its overall limit"
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    # Playwright puts the useful part ("Timeout 5000ms exceeded", locator) on line 1.
    return f"{type(exc).__name__}: {first[:240]}"


# --------------------------------------------------------------------------- the session


async def run_session(
    browser: Browser, url: str, s: Session, all_files: list[str], timeout_s: float, shots: Path
) -> None:
    timeout_ms = timeout_s * 1000
    s.context = await browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    await install_blocker(s.context)
    s.page = page = await s.context.new_page()
    page.set_default_timeout(timeout_ms)
    page.on("pageerror", lambda error: s.js_errors.append(str(error).splitlines()[0][:160]))
    session_start = time.perf_counter()

    async def step(name: str, body) -> bool:
        start = time.perf_counter()
        try:
            await asyncio.wait_for(body(), timeout=timeout_s * 2)
        except Exception as exc:  # noqa: BLE001 - every failure is a counted error, never a crash
            try:
                state = await asyncio.wait_for(page_state(page, s), 30)
            except Exception as err:  # noqa: BLE001
                state = f"state unreadable: {reason(err)}"
            s.errors.append(f"{s.name} {name}: {reason(exc)} [{state}]")
            try:
                await page.screenshot(path=str(shots / f"{s.name}-{name}.png"), full_page=True, timeout=30_000)
            except Exception:  # noqa: BLE001 - a broken page must not hide the real error
                pass
            return False
        s.times[name] = time.perf_counter() - start
        return True

    async def open_app() -> None:
        await page.goto(url, timeout=timeout_ms)
        await wait_for_app(page, timeout_ms)
        frame = await map_frame(page, timeout_ms)
        await frame.wait_for_function(
            "n => document.querySelectorAll('path.leaflet-interactive').length >= n",
            arg=MIN_AREAS,
            timeout=timeout_ms,
        )

    async def change_filter() -> None:
        before = await map_signature(page, timeout_ms)
        group = sidebar(page).get_by_test_id("stRadio").filter(has_text=s.filter_group).first
        await group.get_by_text(s.filter_label, exact=True).click(timeout=timeout_ms)
        await wait_for_map_change(page, before, timeout_s)

    async def download_png() -> None:
        # Under load Chromium sometimes reports a download as cancelled: retry once, and
        # report every cancelled attempt with what the server answers for its URL now.
        for attempt in (1, 2):
            await wait_for_app(page, timeout_ms)
            await page.evaluate(COUNT_RERUNS_JS)
            formats = page.get_by_test_id("stRadio").filter(has_text="Format").first
            await formats.get_by_text("PNG image", exact=True).click(timeout=timeout_ms)
            await page.get_by_role("button", name="Create the snapshot").click(timeout=timeout_ms)
            button = page.get_by_role("button", name="Download PNG image", exact=True)
            await button.wait_for(state="visible", timeout=timeout_ms)
            async with page.expect_download(timeout=timeout_ms) as info:
                await button.click(timeout=timeout_ms)
            download = await info.value
            failure = await download.failure()
            if not failure:
                break
            status = await asyncio.to_thread(http_status, download.url)
            reruns = await page.evaluate("window.__benchReruns")
            detail = (
                f"download {failure}; GET {urlsplit(download.url).path} now answers {status}; "
                f"script reruns since the click: {reruns}"
            )
            if attempt == 2:
                raise StepError(f"{detail}; also on retry")
            s.retries.append(f"{s.name} png: {detail}")
        data = Path(await download.path()).read_bytes()
        width, height = png_size(data)
        if width < MIN_PNG_WIDTH:
            raise StepError(f"PNG is {width}x{height} px, narrower than {MIN_PNG_WIDTH} px")

    async def upload_table() -> None:
        await sidebar(page).get_by_role("link", name="Data", exact=True).click(timeout=timeout_ms)
        await page.get_by_role("heading", name="Data", exact=True).first.wait_for(timeout=timeout_ms)
        await wait_for_app(page, timeout_ms)
        uploader = page.get_by_test_id("stFileUploader").filter(has_text="Upload a table").first
        try:
            await uploader.wait_for(state="attached", timeout=min(timeout_ms, 30_000))
        except Exception as exc:
            raise StepError("no 'Upload a table' file uploader on the Data page") from exc
        await uploader.locator('input[type="file"]').set_input_files(
            files=[{"name": s.filename, "mimeType": "text/csv", "buffer": s.csv}]
        )
        load = page.get_by_role("button", name="Load this table")
        try:
            await load.wait_for(state="visible", timeout=timeout_ms)
        except Exception as exc:
            errors = await page.get_by_test_id("stAlert").all_inner_texts()
            raise StepError(f"no 'Load this table' button after the upload; alerts: {errors}") from exc
        await load.click(timeout=timeout_ms)
        wanted = f"Your table: {s.filename}"
        # The selectbox is a combobox: its chosen option is the <input>'s value, not text.
        chosen = sidebar(page).get_by_role("combobox", name="Dataset")
        try:
            await expect(chosen).to_have_value(wanted, timeout=timeout_ms)
        except AssertionError as exc:
            errors = await page.get_by_test_id("stAlert").all_inner_texts()
            shown = await chosen.input_value()
            raise StepError(f"sidebar Dataset shows {shown!r}, not {wanted!r}; alerts: {errors}") from exc
        s.uploaded = True
        await wait_for_app(page, timeout_ms)
        matched = page.get_by_test_id("stMetric").filter(has_text="Matched places").get_by_test_id("stMetricValue")
        value = (await matched.first.inner_text(timeout=timeout_ms)).strip()
        if value != str(len(s.places)):
            raise StepError(f"match report shows {value} matched places, the upload has {len(s.places)}")
        check_isolation(s, await dataset_options(page, timeout_ms), all_files)

    if await step("open", open_app):
        await step("filter", change_filter)
        await step("png", download_png)
        await step("upload", upload_table)
        if all(name in s.times for name in STEPS):
            s.total = time.perf_counter() - session_start


def check_isolation(s: Session | None, options: list[str], all_files: list[str]) -> list[str]:
    """Record options naming another session's file; raise if this session's own upload is missing."""
    own = s.filename if s else None
    foreign = sorted({f for f in all_files if f != own and any(f in o for o in options)})
    if s is not None:
        for f in foreign:
            if f not in s.violations:
                s.violations.append(f)
        if not any(f"Your table: {own}" in o for o in options):
            raise StepError(f"own upload {own} missing from the Dataset options {options}")
    return foreign


async def final_isolation_checks(
    browser: Browser, url: str, sessions: list[Session], all_files: list[str], timeout_s: float
) -> tuple[int, list[str], list[str]]:
    """Once every upload is in the server: re-check each uploader, and a fresh observer session."""
    timeout_ms = timeout_s * 1000
    errors: list[str] = []

    async def recheck(s: Session) -> None:
        try:
            options = await asyncio.wait_for(dataset_options(s.page, timeout_ms), timeout_s)
            check_isolation(s, options, all_files)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{s.name} isolation-recheck: {reason(exc)}")

    uploaders = [s for s in sessions if s.uploaded and s.page is not None]
    await asyncio.gather(*(recheck(s) for s in uploaders))

    observer_seen: list[str] = []
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        await install_blocker(context)
        page = await context.new_page()
        page.set_default_timeout(timeout_ms)
        await page.goto(url, timeout=timeout_ms)
        await wait_for_app(page, timeout_ms)
        options = await dataset_options(page, timeout_ms)
        observer_seen = check_isolation(None, options, all_files)
        observer_seen += [o for o in options if o.startswith("Your table:") and not any(f in o for f in all_files)]
    except Exception as exc:  # noqa: BLE001
        errors.append(f"observer isolation-check: {reason(exc)}")
    finally:
        await context.close()
    return len(uploaders) + 1, observer_seen, errors


# --------------------------------------------------------------------------- figures


def proc_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def tree_cpu_seconds(root: int, exclude: int) -> float:
    """CPU seconds of ``root``'s live descendants, minus ``exclude``'s subtree (here: the
    Playwright driver and Chromium, without the Streamlit server). Exited processes are lost."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0.0, [c for c in children.get(root, []) if c != exclude]
    while todo:
        pid = todo.pop()
        total += proc_cpu_seconds(pid) or 0.0
        todo += children.get(pid, [])
    return total


def loadavg_1m() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def proc_status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


# --------------------------------------------------------------------------- main


async def warm_up(browser: Browser, url: str, timeout_s: float) -> None:
    """One untimed page load, so the server's caches (boundaries, gazetteer) are filled."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        await install_blocker(context)
        page = await context.new_page()
        await page.goto(url, timeout=timeout_s * 1000)
        await wait_for_app(page, timeout_s * 1000)
        frame = await map_frame(page, timeout_s * 1000)
        await frame.wait_for_function(
            "n => document.querySelectorAll('path.leaflet-interactive').length >= n",
            arg=MIN_AREAS,
            timeout=timeout_s * 1000,
        )
    finally:
        await context.close()


async def drive(url: str, n: int, timeout_s: float, server_pid: int, warm: bool, shots: Path) -> tuple[int, int]:
    sessions = [make_session(i) for i in range(n)]
    all_files = [s.filename for s in sessions]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            if warm:
                start = time.perf_counter()
                await warm_up(browser, url, timeout_s)
                show("warmup", time.perf_counter() - start, "s")
            show("host_loadavg_1m_start", loadavg_1m())
            cpu_start = proc_cpu_seconds(server_pid)
            browser_cpu_start = tree_cpu_seconds(os.getpid(), server_pid)
            wall_start = time.perf_counter()
            results = await asyncio.gather(
                *(run_session(browser, url, s, all_files, timeout_s, shots) for s in sessions), return_exceptions=True
            )
            wall = time.perf_counter() - wall_start
            cpu_end = proc_cpu_seconds(server_pid)
            browser_cpu = tree_cpu_seconds(os.getpid(), server_pid) - browser_cpu_start
            for s, result in zip(sessions, results):
                if isinstance(result, BaseException):  # e.g. new_context failed
                    s.errors.append(f"{s.name} setup: {reason(result)}")
            checks, observer_seen, check_errors = await final_isolation_checks(
                browser, url, sessions, all_files, timeout_s
            )
        finally:
            for s in sessions:
                if s.context is not None:
                    try:
                        await s.context.close()
                    except Exception:  # noqa: BLE001 - closing the browser below closes it anyway
                        pass
            await browser.close()

    errors = [e for s in sessions for e in s.errors] + check_errors
    violations = sum(len(s.violations) for s in sessions) + len(observer_seen)

    show("sessions", n)
    show("sessions_ok", sum(1 for s in sessions if not s.errors))
    show("wall", wall, "s")
    for name in STEPS:
        times = [s.times[name] for s in sessions if name in s.times]
        show(f"{name}_ok", len(times), "sessions")
        if times:
            show(f"{name}_p50", statistics.median(times), "s")
            show(f"{name}_p95", percentile(times, 95), "s")
            show(f"{name}_max", max(times), "s")
    totals = [s.total for s in sessions if s.total is not None]
    show("session_complete", len(totals), "sessions")
    if totals:
        show("session_p50", statistics.median(totals), "s")
        show("session_p95", percentile(totals, 95), "s")
    show("errors", len(errors))
    for e in errors:
        print(f"  error: {e}", flush=True)
    retries = [r for s in sessions for r in s.retries]
    show("png_retries", len(retries))
    for r in retries:
        print(f"  retry: {r}", flush=True)
    show("third_party_requests", len(THIRD_PARTY), "(all aborted)")
    for u in sorted(set(THIRD_PARTY)):
        print(f"  third party: {u}", flush=True)
    show("isolation_checks", sum(1 for s in sessions if s.uploaded) + checks)
    show("isolation_violations", violations)
    for s in sessions:
        for f in s.violations:
            print(f"  violation: {s.name} sees {f}", flush=True)
    for o in observer_seen:
        print(f"  violation: a fresh session sees {o}", flush=True)
    hwm = proc_status_kb(server_pid, "VmHWM")
    rss = proc_status_kb(server_pid, "VmRSS")
    show("server_peak_rss", f"{hwm / 1024:.1f}" if hwm else "unknown", "MiB")
    show("server_rss_end", f"{rss / 1024:.1f}" if rss else "unknown", "MiB")
    if cpu_start is not None and cpu_end is not None:
        show("server_cpu", cpu_end - cpu_start, "s")
    show("browser_cpu", browser_cpu, "s")
    show("host_cpus", os.cpu_count() or 0)
    show("host_loadavg_1m_end", loadavg_1m())
    if errors:
        print(f"  screenshots of failed steps and server logs: {shots}", flush=True)
    return (0 if "open" in {k for s in sessions for k in s.times} else 1), len(errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions (default 10)")
    parser.add_argument("--timeout", type=float, default=240, help="seconds allowed per wait (default 240)")
    parser.add_argument("--warm", action="store_true", help="load the app once, untimed, before the sessions start")
    args = parser.parse_args()
    if args.sessions < 1:
        parser.error("--sessions must be at least 1")

    if not CHROMIUM.is_file():
        print(INSTALL_CHROMIUM, file=sys.stderr)
        return 2
    if not os.environ.get("CAMERA_ATLAS_GEO_MIRROR"):
        print("warning: CAMERA_ATLAS_GEO_MIRROR is not set; the server may try the ONS URLs", file=sys.stderr)

    signal.signal(signal.SIGTERM, _interrupt)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    server = StreamlitServer(REPO_ROOT / "app.py", log_dir)
    code, failures = 2, 0
    try:
        start = time.perf_counter()
        try:
            url = server.start(timeout=120)
        except RuntimeError as exc:
            print(f"cannot start the server: {exc}", file=sys.stderr)
            return 2
        show("server_start", time.perf_counter() - start, "s")
        pid = server._proc.pid  # the streamlit process itself (`python -m streamlit run`)
        base = proc_status_kb(pid, "VmRSS")
        show("server_rss_idle", f"{base / 1024:.1f}" if base else "unknown", "MiB")
        try:
            code, failures = asyncio.run(drive(url, args.sessions, args.timeout, pid, args.warm, log_dir))
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            code = 130
            return code
        except Exception:  # noqa: BLE001 - the benchmark itself broke (e.g. Chromium would not launch)
            traceback.print_exc()
            print(f"server logs: {log_dir}", file=sys.stderr)
            return code
        if code:
            print(f"no session could open the app; server logs: {log_dir}\n{server.stderr()}", file=sys.stderr)
        return code
    finally:
        server.stop()
        if code == 0 and failures == 0:
            shutil.rmtree(log_dir, ignore_errors=True)  # keep logs and screenshots only when something broke


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM behaves like Ctrl-C, so the finally blocks close the browser and the server."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
