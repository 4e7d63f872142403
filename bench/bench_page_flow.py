"""Warm page open to a drawn LAD map, and the server's CPU time for a metric change: this tree beside a reference.

Run: ``CAMERA_ATLAS_GEO_MIRROR=/work/shared/geo .venv/bin/python bench/bench_page_flow.py [--reference REF]
[--opens N] [--clicks N]``

Issue 18 §3 ("the view is computed once per script run; the metric is not part of the table's cache key;
downloads are built on request"). Two ``streamlit run`` servers on the same machine, one of this tree and
one of ``--reference`` (a git commit, default 0c3ca23: the tree before this work, unpacked with
``git archive`` into a temporary folder), the same official-data cache, no local scans. Their
measurements are interleaved (reference, this tree, reference, …) so that other load on the machine
falls on both alike. In Debian's Chromium, every non-local request aborted:

(a) **Warm page open → LAD map drawn**: a new browser session opens ``/?level=lad`` on a server whose
    caches are warm (a session drew it before); seconds from navigation start until the map's iframe
    holds all its paths, at the next animation frame. Median and p95 of ``--opens``. Target ≤ 2 s.
    Beside it the server's CPU seconds for that open (its script run and what it sends), which other
    load on the machine barely moves.
(b) **CPU time of one script run for a metric change**: the server process's user + system CPU
    seconds (``/proc/<pid>/stat``, every thread: the script run, the websocket and the map's
    serialisation) from the click on a metric in the sidebar until the app is idle with the map
    redrawn, at LAD level, warm caches (every metric visited once first). Median of ``--clicks``.
    CPU time, not wall time: other work on the machine barely moves it. Beside it the CPU time of the
    script run alone: the same metric changes on the Map page under ``streamlit.testing`` (AppTest), in
    a process of each tree, no browser and no websocket.

Prints ``name: value unit`` lines for each tree, then a table of both. No assertions; exit code
non-zero only when the benchmark cannot run (no Chromium, no map assets, a server does not start).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))

from browser_harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    INSTALL_CHROMIUM,
    MAP_IFRAME,
    ThirdPartyBlocker,
    free_port,
    wait_for_app,
)
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from timing import percentile, show  # noqa: E402

from geo.official import assets  # noqa: E402

REFERENCE = "0c3ca23"
TARGET_OPEN_S = 2.0
LEVEL = "lad"
METRIC_LABELS = ["Camera networks", "Networks per 1,000 residents", "Networks per km²"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Run in the top document from its first moment (an init script): the time from navigation start
# until the map's iframe holds `expected` paths (areas and circles), at the next animation frame (the frame
# that paints them).
DRAWN_JS = """([iframe, expected]) => {
    if (window.top !== window) return;
    const poll = () => {
        const frame = document.querySelector(iframe);
        const doc = frame && frame.contentDocument;
        if (doc && doc.querySelectorAll('.leaflet-overlay-pane path').length >= expected) {
            requestAnimationFrame(() => { window.__drawn = performance.now(); });
            return;
        }
        setTimeout(poll, 5);
    };
    poll();
}"""


# The same metric changes without a browser or a websocket, in a process of the tree's own: the CPU time of
# the script runs alone (AppTest runs the whole page; process time, so other load barely moves it).
SCRIPT_RUN_CPU = """
import json, sys, time
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

class NavigationPagesManager(PagesManager):  # app.py's st.navigation, not pages/ (as tests/conftest.py)
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False

app_test_module.PagesManager = NavigationPagesManager
metrics, runs = ["networks", "per_1k", "per_km2"], int(sys.argv[1])
at = AppTest.from_file("app.py", default_timeout=300)
at.query_params["level"] = "lad"
at.run()
for metric in metrics[1:] + metrics[:1]:
    at.radio(key="f_metric").set_value(metric).run()
times = []
for i in range(runs):
    radio = at.radio(key="f_metric").set_value(metrics[(i + 1) % len(metrics)])
    start = time.process_time()
    radio.run()
    times.append(time.process_time() - start)
assert not at.exception, at.exception
print(json.dumps(times))
"""


def script_run_cpu(tree: Path, env: dict[str, str], runs: int) -> list[float]:
    """CPU seconds of each of ``runs`` Map page script runs for a metric change (AppTest, warm caches)."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT_RUN_CPU, str(runs)],
        cwd=tree,
        env={**os.environ, **env, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode:
        raise RuntimeError(f"AppTest in {tree} failed: {done.stderr[-2000:]}")
    return __import__("json").loads(done.stdout.strip().splitlines()[-1])


class Server:
    """``streamlit run app.py`` of one tree (its own ``geo`` and ``pages`` first on the path)."""

    def __init__(self, tree: Path, name: str, env: dict[str, str], logs: Path) -> None:
        self.tree, self.name, self.port = tree, name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {**os.environ, **env, "PYTHONPATH": str(tree), "PYTHONUNBUFFERED": "1"}
        self._logs = logs
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> None:
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(self.tree / "app.py"),
            "--server.headless", "true", "--server.port", str(self.port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--server.runOnSave", "false",
        ]  # fmt: skip
        with (self._logs / f"{self.name}.log").open("wb") as log:
            self._proc = subprocess.Popen(cmd, cwd=self.tree, env=self._env, stdout=log, stderr=subprocess.STDOUT)
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the {self.name} server exited: see {self._logs / (self.name + '.log')}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return
            except OSError:
                time.sleep(0.25)
        raise RuntimeError(f"the {self.name} server is not healthy after {timeout:.0f} s")

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the server process so far (all its threads)."""
        assert self._proc is not None
        fields = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def stop(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)


def unpack(reference: str, into: Path) -> Path:
    """The tree of git commit ``reference`` in ``into`` (``git archive``: no worktree is registered)."""
    archive = into / "reference.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(REPO_ROOT), "archive", reference], stdout=out, check=True)
    tree = into / f"reference-{reference}"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def map_paths(page: Page) -> int:
    """How many paths the map's iframe holds once it has settled."""
    frame = page.locator(MAP_IFRAME).element_handle(timeout=180_000).content_frame()
    assert frame is not None
    frame.wait_for_selector(".leaflet-overlay-pane path", timeout=180_000)
    count, steady = -1, 0
    while steady < 4:  # the same count for a second
        page.wait_for_timeout(250)
        now = frame.locator(".leaflet-overlay-pane path").count()
        count, steady = now, (steady + 1 if now == count else 0)
    return count


def session(browser: Browser, init: tuple[str, list] | None = None) -> tuple[Page, ThirdPartyBlocker]:
    guard = ThirdPartyBlocker()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    guard.install(context)
    if init:
        context.add_init_script(f"({init[0]})({__import__('json').dumps(init[1])})")
    return context.new_page(), guard


def warm_open(browser: Browser, server: Server, expected: int) -> tuple[float, float]:
    """Seconds from navigation start to the drawn LAD map, in a new session; and the server's CPU seconds
    for it (until the app is idle)."""
    page, _ = session(browser, (DRAWN_JS, [MAP_IFRAME, expected]))
    start = server.cpu_seconds()
    page.goto(f"{server.url}/?level={LEVEL}")
    page.wait_for_function("() => window.__drawn !== undefined", timeout=180_000)
    seconds = page.evaluate("() => window.__drawn") / 1000
    idle(page, server)
    cpu = server.cpu_seconds() - start
    page.context.close()
    return seconds, cpu


def idle(page: Page, server: Server, settle: float = 0.3) -> None:
    """Wait until the app has finished its run and the server's CPU is quiet."""
    wait_for_app(page, timeout=180_000)
    before = server.cpu_seconds()
    while True:
        time.sleep(settle)
        now = server.cpu_seconds()
        if now - before < 0.02:
            return
        before = now


def click_cpu(page: Page, server: Server, label: str) -> float:
    """Server CPU seconds of the run a click on metric ``label`` starts, until the app is idle again."""
    idle(page, server)
    start = server.cpu_seconds()
    page.get_by_test_id("stSidebar").get_by_test_id("stRadio").filter(has_text="Metric").get_by_text(
        label, exact=True
    ).click()
    page.wait_for_timeout(200)
    idle(page, server)
    return server.cpu_seconds() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default=REFERENCE, help="git commit to set beside this tree")
    parser.add_argument("--opens", type=int, default=7, help="timed warm page opens per tree")
    parser.add_argument("--clicks", type=int, default=9, help="timed metric changes per tree")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        print(INSTALL_CHROMIUM, file=sys.stderr)
        return 2
    problem = assets.missing_message()
    if problem:
        print(problem, file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="bench-page-flow-"))
    scans = work / "no-scans"
    scans.mkdir()
    env = {
        "CAMERA_ATLAS_DATA_DIR": os.environ.get("CAMERA_ATLAS_DATA_DIR") or str(REPO_ROOT / "data" / "cache"),
        "CAMERA_ATLAS_SCANS_DIR": str(scans),
    }
    trees = {args.reference: unpack(args.reference, work), "this tree": REPO_ROOT}
    servers = {name: Server(tree, name.replace(" ", "-"), env, work) for name, tree in trees.items()}
    figures: dict[str, dict[str, float | int]] = {name: {} for name in servers}
    opens: dict[str, list[float]] = {name: [] for name in servers}
    open_cpus: dict[str, list[float]] = {name: [] for name in servers}
    cpus: dict[str, list[float]] = {name: [] for name in servers}
    try:
        for server in servers.values():
            server.start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            pages: dict[str, Page] = {}
            third_party = 0
            for name, server in servers.items():
                # A first session fills the caches (cold), and stays for the metric clicks.
                page, guard = session(browser)
                start = time.perf_counter()
                page.goto(f"{server.url}/?level={LEVEL}")
                wait_for_app(page, timeout=180_000)
                figures[name]["paths"] = map_paths(page)
                figures[name]["cold_open_s"] = time.perf_counter() - start
                for label in METRIC_LABELS[1:] + METRIC_LABELS[:1]:  # every metric's caches filled
                    click_cpu(page, server, label)
                pages[name] = page
                third_party += len(guard.third_party())
            for _ in range(args.opens):
                for name, server in servers.items():
                    seconds, cpu = warm_open(browser, server, int(figures[name]["paths"]))
                    opens[name].append(seconds)
                    open_cpus[name].append(cpu)
            for i in range(args.clicks):
                label = METRIC_LABELS[(i + 1) % len(METRIC_LABELS)]
                for name, server in servers.items():
                    cpus[name].append(click_cpu(pages[name], server, label))
            browser.close()
    except RuntimeError as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        return 2
    finally:
        for server in servers.values():
            server.stop()
    try:
        runs = {name: script_run_cpu(tree, env, args.clicks) for name, tree in trees.items()}
    except RuntimeError as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        return 2

    for name in servers:
        print(f"-- {name}")
        show("a_warm_open_to_lad_map_median", statistics.median(opens[name]), "s")
        show("a_warm_open_to_lad_map_p95", percentile(opens[name], 95), "s")
        show("a_warm_opens", " ".join(f"{t:.2f}" for t in opens[name]), "s")
        show("a_warm_open_server_cpu_median", statistics.median(open_cpus[name]), "s")
        show("b_metric_change_cpu_median", statistics.median(cpus[name]), "s")
        show("b_metric_change_cpus", " ".join(f"{t:.2f}" for t in cpus[name]), "s")
        show("b_script_run_cpu_median", statistics.median(runs[name]), "s")
        show("map_paths", int(figures[name]["paths"]))
    show("third_party_requests", third_party)
    names = list(servers)
    print()
    print(f"| {'figure':<46} | {names[0]:>12} | {names[1]:>12} | target |")
    print(f"|{'-' * 48}|{'-' * 14}|{'-' * 14}|--------|")
    rows = [
        ("warm page open -> LAD map drawn, median (s)", [statistics.median(opens[n]) for n in names], f"<= {TARGET_OPEN_S}"),
        ("warm page open -> LAD map drawn, p95 (s)", [percentile(opens[n], 95) for n in names], ""),
        ("server CPU of a warm page open, median (s)", [statistics.median(open_cpus[n]) for n in names], ""),
        ("server CPU of a metric change, median (s)", [statistics.median(cpus[n]) for n in names], ""),
        ("script run CPU of a metric change, median (s)", [statistics.median(runs[n]) for n in names], ""),
    ]  # fmt: skip
    for label, values, target in rows:
        print(f"| {label:<46} | {values[0]:>12.3f} | {values[1]:>12.3f} | {target:<6} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
