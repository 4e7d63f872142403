"""Live counts: ``geo.scan.provider`` (provider-independent loop), ``geo.scan.shodan_api`` (Shodan through the
real ``shodan`` package, pointed at the local fake in ``fake_shodan`` by ``SHODAN_API_URL``) and
``geo.scan.as_dataset`` (cities resolved, the dataset folder)."""

from __future__ import annotations

import json
import logging
import os
import socket
from datetime import datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
from atlas_testing import assert_one_line
from fake_shodan import AMBIGUOUS, CITIES, FREE_KEY, MEMBER_KEY, TOTALS, UNMATCHED, FakeShodan, Reply, expected

from geo.core.errors import AtlasError
from geo.datasets import folders
from geo.figures import metrics
from geo.scan import as_dataset, shodan_api
from geo.scan import provider as scan
from geo.scan import summary as scan_summary
from geo.scan.provider import CountResult, ScanError, ScanQuery, TransientError
from geo.scan.shodan_api import ShodanCountProvider

QUERIES = scan.read_queries()


class FakeClock:
    """A clock that only moves when slept on; records each sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    with FakeShodan() as server:
        monkeypatch.setenv("SHODAN_API_URL", server.url)
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def run_scan(
    key: str = MEMBER_KEY, clock: FakeClock | None = None, facet_size: int = 1000, timeout: float = 5.0, **kwargs
):
    """Scan the shipped queries against the fake with a fake clock (no real waiting); collect progress."""
    clock = clock or FakeClock()
    messages: list[str] = []
    result = scan.scan(
        ShodanCountProvider(key, timeout=timeout),
        QUERIES,
        facet_size,
        progress=lambda fraction, message: messages.append(message),
        sleep=clock.sleep,
        clock=clock,
        **kwargs,
    )
    return result, messages


def scan_error(key: str = MEMBER_KEY, **kwargs) -> str:
    with pytest.raises(ScanError) as caught:
        run_scan(key, **kwargs)
    message = assert_one_line(caught.value)
    assert key not in message
    return message


# -- queries ------------------------------------------------------------------------------


def test_shipped_queries_one_per_vendor() -> None:
    assert [q.vendor for q in QUERIES] == ["hikvision", "dahua"]
    for q in QUERIES:
        assert q.note and "country:" not in q.query
        assert q.query.startswith("product:"), "one filter per vendor: its values are ORed, never double counted"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("vendor,query,note\nhikvision,a,x\nhikvision,b,y\n", "twice"),
        ("vendor,query,note\nhikvision,a country:GB,x\n", "country"),
        ("vendor,query,note\naxis,a,x\n", "not one of"),
        ("vendor,query,note\nhikvision,,x\n", "empty"),
        ("vendor,query\nhikvision,a\n", "columns"),
        ("", "columns"),
    ],
)
def test_bad_queries_file(text: str, needle: str) -> None:
    with pytest.raises(ScanError) as caught:
        scan.parse_queries(text)
    assert_one_line(caught.value, needle)


# -- the happy path -----------------------------------------------------------------------


def test_scan_counts_each_vendor_once(fake: FakeShodan) -> None:
    result, messages = run_scan()
    assert [r.params["query"] for r in fake.requests] == [f"{q.query} country:GB" for q in QUERIES]
    assert {r.params["facets"] for r in fake.requests} == {"city:1000"}
    assert result.calls == 2 and result.provider == "Shodan"
    assert result.provider_version == f"shodan {metadata.version('shodan')}"
    for count in result.vendors:
        total, cities = expected(count.vendor)
        assert count.total == total == TOTALS[count.vendor]
        assert list(count.cities) == cities
        assert count.remainder == total - sum(c for _, c in cities) > 0
    assert len(messages) == 2 and messages[0].startswith("[1/2] hikvision: 52,340 results")


def test_facet_size_limits_cities_and_grows_the_remainder(fake: FakeShodan) -> None:
    result, _ = run_scan(facet_size=5)
    assert {r.params["facets"] for r in fake.requests} == {"city:5"}
    hik = result.vendors[0]
    assert len(hik.cities) == 5
    assert hik.remainder == TOTALS["hikvision"] - sum(c for _, c in expected("hikvision", 5)[1])


def test_summary_shares(fake: FakeShodan, resolver) -> None:
    summary = scan_summary.summarise(run_scan()[0], resolver)
    for vendor in summary.vendors:
        rows = summary.cities[summary.cities["vendor"] == vendor.vendor]
        assert sum(vendor.results.values()) + vendor.remainder == vendor.total
        assert sum(vendor.share(s) for s in (*scan_summary.STATUSES, "remainder")) == pytest.approx(1.0)
        assert set(rows.loc[rows["status"] == "unmatched", "place"]) == set(UNMATCHED) & set(CITIES[vendor.vendor])
        assert set(rows.loc[rows["status"] == "ambiguous", "place"]) == set(AMBIGUOUS) & set(CITIES[vendor.vendor])
    problems = summary.problems()
    assert list(problems["vendor"].unique()) == ["hikvision", "dahua"]
    lines = summary.lines()
    assert lines[0].startswith("hikvision: total 52,340; resolved 17 cities 40,675 (77.7%)")
    assert any("Edinbrugh (380): did you mean Edinburgh?" in line for line in lines)
    assert any("Newport (420): one of Newport; Isle of Wight; Telford and Wrekin" in line for line in lines)


def test_written_folder(
    fake: FakeShodan, resolver, areas_frame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, _ = run_scan()
    out = as_dataset.write_dataset(scan_summary.summarise(result, resolver), tmp_path / "2025-06")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-06"], "no temporary folder left behind"
    assert sorted(p.name for p in out.iterdir()) == ["datapackage.json", "observations.csv"]

    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    record = package["scan"]
    counted_at = datetime.fromisoformat(record["counted_at"].replace("Z", "+00:00"))
    assert counted_at.utcoffset().total_seconds() == 0
    assert package["date"] == counted_at.date().isoformat() == result.date
    assert record["provider"] == "Shodan" and record["client"] == f"shodan {metadata.version('shodan')}"
    assert record["facet_size"] == 1000 and record["country"] == "GB"
    assert [q["query"] for q in record["queries"]] == [f"{q.query} country:GB" for q in QUERIES]
    hik = record["vendors"]["hikvision"]
    assert hik["total"] == TOTALS["hikvision"] and hik["remainder"] == hik["total"] - hik["facet_sum"]
    assert hik["facet_sum"] == sum(CITIES["hikvision"].values())
    assert package["name"] == "2025-06" and package["licenses"] and package["sources"][0]["title"].startswith("Shodan")
    assert any("not distinct IP addresses" in note for note in package["method_notes"])

    # The folder loads as a dataset; its national figure is Shodan's total.
    monkeypatch.setenv("CAMERA_ATLAS_DATASETS_DIR", str(tmp_path))
    dataset = folders.load_shipped("2025-06")
    table = dataset.observations.set_index(["place", "vendor"])
    assert table.loc[("United Kingdom", "hikvision"), "networks"] == TOTALS["hikvision"]
    assert table.loc[("Birmingham", "hikvision"), "lad_code"] == "E08000025"
    assert table.loc[("Ilford", "dahua"), "lad_code"] == "E09000026"  # a town: its borough
    assert pd.isna(table.loc[("London", "hikvision"), "lad_code"])  # 33 LADs: resolved by name
    assert pd.isna(table.loc[("Newport", "hikvision"), "lad_code"])  # ambiguous
    for vendor, total in (("hikvision", TOTALS["hikvision"]), ("all", sum(TOTALS.values()))):
        built = metrics.build_table(dataset, resolver, areas_frame, vendor=vendor)
        assert built.national_total == total and built.national_total_source == "dataset"


def test_as_dataset_matches_the_folder(fake: FakeShodan, resolver, areas_frame) -> None:
    summary = scan_summary.summarise(run_scan()[0], resolver)
    dataset = as_dataset.as_dataset(summary, "shodan-live")
    assert dataset.splits_vendors and dataset.date == summary.result.date
    assert metrics.build_table(dataset, resolver, areas_frame, vendor="dahua").national_total == TOTALS["dahua"]


def test_replaces_an_earlier_scan_only(fake: FakeShodan, resolver, tmp_path: Path) -> None:
    summary = scan_summary.summarise(run_scan()[0], resolver)
    out = tmp_path / "scan"
    as_dataset.write_dataset(summary, out)
    (out / "observations.csv").write_text("place,networks\nold,1\n", encoding="utf-8")
    as_dataset.write_dataset(summary, out)
    assert "Birmingham" in (out / "observations.csv").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan"]

    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(AtlasError) as caught:
        as_dataset.write_dataset(summary, other)
    assert_one_line(caught.value, "not an earlier scan")
    assert (other / "mine.txt").read_text(encoding="utf-8") == "keep me"
    with pytest.raises(AtlasError):
        as_dataset.write_dataset(summary, other / "mine.txt")
    with pytest.raises(AtlasError) as caught:
        as_dataset.write_dataset(summary, tmp_path / "missing" / "scan")
    assert_one_line(caught.value, "does not exist")


def test_failed_write_leaves_the_earlier_scan(
    fake: FakeShodan, resolver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = scan_summary.summarise(run_scan()[0], resolver)
    out = as_dataset.write_dataset(summary, tmp_path / "scan")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_replace = os.replace

    def fail_on_arrival(src, dst):
        if ".partial-" in Path(src).name:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(as_dataset.os, "replace", fail_on_arrival)
    with pytest.raises(AtlasError) as caught:
        as_dataset.write_dataset(summary, out)
    assert_one_line(caught.value, "No space left on device")
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan"], "no partial or set-aside folder left"

    def fail_midway(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(as_dataset.os, "fsync", fail_midway)
    with pytest.raises(AtlasError):
        as_dataset.write_dataset(summary, tmp_path / "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan"]


# -- answers at the edge ---------------------------------------------------------------------


def test_odd_but_valid_facets(fake: FakeShodan, resolver) -> None:
    fake.script(
        Reply(
            200,
            {
                "total": 100,
                "facets": {
                    "city": [
                        {"value": "Leeds", "count": 60},
                        {"value": "LEEDS", "count": 3},
                        {"value": "", "count": 10},
                        {"value": "Leeds ", "count": 2},
                        {"value": "United Kingdom", "count": 7},
                    ]
                },
            },
        ),
        Reply(200, {"total": 70, "facets": {"city": [{"value": "Leeds", "count": 70}]}, "matches": []}),
    )
    result, _ = run_scan()
    hik, dahua = result.vendors
    assert hik.no_city == 10 and hik.remainder == 100 - 72  # the nameless entry stays unattributed
    assert dahua.remainder == 0 and not result.notes
    summary = scan_summary.summarise(result, resolver)
    table = as_dataset.observations(summary)
    hik_rows = table[table["vendor"] == "hikvision"].set_index("place")["networks"].to_dict()
    assert hik_rows == {"United Kingdom": 100, "Leeds": 65}, "same name summed; a national 'city' left out"
    assert summary.vendors[0].remainder == 100 - 65
    assert any("names the whole country" in note for note in summary.notes)


def test_stub_provider_shows_the_scan_is_provider_independent(clock: FakeClock) -> None:
    class Stub:
        name, version, min_interval = "Stubscan", "stub 0.1", 2.5
        source, source_url = "Stubscan count API", "https://example.invalid/docs"
        calls: list[float] = []

        def count(self, query: str, facet: str, size: int) -> CountResult:
            self.calls.append(clock())
            return CountResult(10, {facet: (("Leeds", 4),)})

    stub = Stub()
    queries = [ScanQuery("hikvision", "a", ""), ScanQuery("dahua", "b", "")]
    result = scan.scan(stub, queries, 3, sleep=clock.sleep, clock=clock)
    assert result.provider == "Stubscan" and [v.remainder for v in result.vendors] == [6, 6]
    assert [b - a for a, b in zip(stub.calls, stub.calls[1:])] == [2.5], "calls paced by the provider's interval"


def test_calls_are_paced(fake: FakeShodan, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    starts: list[float] = []
    real_count = ShodanCountProvider.count

    def recording(self, *args):
        starts.append(clock())
        return real_count(self, *args)

    monkeypatch.setattr(ShodanCountProvider, "count", recording)
    run_scan(clock=clock)
    assert len(starts) == 2 and starts[1] - starts[0] >= ShodanCountProvider.min_interval
    assert clock.sleeps == [pytest.approx(1.0)]


# -- rate limits and retries ------------------------------------------------------------------

RATE_LIMITED = Reply(
    429,
    {
        "error": "Request rate limit reached (1 request/ second). Please wait a second before trying again and slow down your API calls."
    },
)


def test_rate_limit_retried_then_success(fake: FakeShodan, clock: FakeClock) -> None:
    fake.script(RATE_LIMITED, RATE_LIMITED)
    result, messages = run_scan(clock=clock)
    assert result.calls == 4 and len(fake.requests) == 4
    assert [v.total for v in result.vendors] == [TOTALS["hikvision"], TOTALS["dahua"]]
    assert clock.sleeps[:2] == [2.0, 4.0], "backoff doubles"
    assert [m for m in messages if "retry" in m] == [
        "Shodan: Shodan's rate limit was reached (429 Too Many Requests); retry 1 of 3 for hikvision in 2 s",
        "Shodan: Shodan's rate limit was reached (429 Too Many Requests); retry 2 of 3 for hikvision in 4 s",
    ]


def test_retry_after_is_honoured(fake: FakeShodan, clock: FakeClock) -> None:
    fake.script(Reply(429, {"error": "rate limit"}, {"Retry-After": "7"}))
    run_scan(clock=clock)
    assert clock.sleeps[0] == 7.0


def test_rate_limit_gives_up(fake: FakeShodan, clock: FakeClock) -> None:
    fake.script(*[RATE_LIMITED] * 4)
    message = scan_error(clock=clock)
    assert "429" in message and "4 attempts for hikvision" in message and "wait a minute" in message
    assert len(fake.requests) == 4 and clock.sleeps == [2.0, 4.0, 8.0]


def test_bad_gateway_retried_then_given_up(fake: FakeShodan, clock: FakeClock) -> None:
    fake.script(Reply(502, "<html>Bad Gateway</html>"))
    result, _ = run_scan(clock=clock, retries=1)
    assert result.calls == 3
    fake.script(*[Reply(502, "<html>Bad Gateway</html>")] * 2)
    message = scan_error(clock=clock, retries=1)
    assert "502 Bad Gateway" in message and "try again in a few minutes" in message


# -- errors, one line each, key never shown -----------------------------------------------------


def test_no_key() -> None:
    with pytest.raises(ScanError) as caught:
        shodan_api.from_env({})
    assert_one_line(caught.value, "SHODAN_API_KEY is not set", "account.shodan.io")
    with pytest.raises(ScanError) as caught:
        ShodanCountProvider("   ")
    assert_one_line(caught.value, "no Shodan API key")
    assert shodan_api.from_env({"SHODAN_API_KEY": " abc "})._key == "abc"


def test_key_refused(fake: FakeShodan) -> None:
    message = scan_error("not-a-real-key-7f3a")
    assert "refused the API key (401" in message and "account.shodan.io" in message


def test_membership_needed(fake: FakeShodan) -> None:
    message = scan_error(FREE_KEY)
    assert "403" in message and "the country: and product: filters need a Shodan membership or API plan" in message
    assert len(fake.requests) == 1, "not retried"


def test_plan_message_with_401_is_a_membership_problem(fake: FakeShodan) -> None:
    fake.script(Reply(401, {"error": "Please upgrade your API plan to use filters or paging."}))
    assert "need a Shodan membership or API plan" in scan_error()


def test_hung_connection_times_out(fake: FakeShodan) -> None:
    fake.delay = 2.0
    message = scan_error(timeout=0.3)
    assert "did not answer within 0.3 s" in message


def test_network_down(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SHODAN_API_URL", f"http://127.0.0.1:{port}")
    message = scan_error()
    assert "cannot reach Shodan" in message and "internet connection" in message


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        (Reply(200, b""), "answer was empty"),
        (Reply(200, "<html>maintenance</html>"), "not JSON"),
        (Reply(200, {}), "empty answer"),
        (Reply(200, [1, 2]), "a JSON list"),
        (Reply(200, {"total": 5}), "no facets"),
        (Reply(200, {"total": 5, "facets": {}}), "no city facet"),
        (Reply(200, {"total": "5", "facets": {"city": []}}), "total is '5'"),
        (Reply(200, {"total": 5, "facets": {"city": [{"value": "Leeds", "count": "3"}]}}), "count '3'"),
        (Reply(200, {"total": 5, "facets": {"city": [{"value": "Leeds", "count": -1}]}}), "count -1"),
        (Reply(200, {"total": 5, "facets": {"city": [{"count": 3}]}}), "has no value"),
        (Reply(400, {"error": "Invalid search query"}), "refused the query (400: Invalid search query)"),
        (Reply(400, {"error": "x" * 500}), "x…"),
        (Reply(404, {"error": "No information available"}), "check SHODAN_API_URL"),
    ],
)
def test_malformed_answers(fake: FakeShodan, reply: Reply, needle: str) -> None:
    fake.script(reply)
    assert needle in scan_error()


def test_key_never_shown(
    fake: FakeShodan, resolver, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A recognisable key goes through a scan, its errors and the folder; it appears nowhere."""
    caplog.set_level(logging.DEBUG)
    provider = ShodanCountProvider(MEMBER_KEY, timeout=0.3)
    seen: list[str] = [repr(provider)]
    result = scan.scan(provider, QUERIES, progress=lambda f, m: seen.append(m), sleep=lambda s: None)
    summary = scan_summary.summarise(result, resolver)
    seen += summary.lines()
    as_dataset.write_dataset(summary, tmp_path / "scan")
    for reply in (RATE_LIMITED, Reply(403, {"error": f"denied for {MEMBER_KEY}"}), Reply(500, {"error": MEMBER_KEY})):
        fake.script(*[reply] * 4)
        with pytest.raises(ScanError) as caught:
            scan.scan(provider, QUERIES, progress=lambda f, m: seen.append(m), sleep=lambda s: None)
        seen.extend([str(caught.value), repr(caught.value)])
    fake.delay = 1.0
    with pytest.raises(ScanError) as caught:
        provider.count("product:x", "city", 1)
    seen.append(str(caught.value))
    written = "".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.is_file())
    assert MEMBER_KEY in fake.requests[0].params["key"], "the key did reach the server"
    assert any("urllib3" in r.name for r in caplog.records), "urllib3 logged the requests"
    for text in (*seen, written, caplog.text):
        assert MEMBER_KEY not in text


def test_transient_error_parts() -> None:
    err = TransientError("busy", "later", 3.0)
    assert str(err) == "busy: later" and err.retry_after == 3.0 and isinstance(err, ScanError)


def test_scan_refuses_nothing_to_do() -> None:
    provider = ShodanCountProvider(MEMBER_KEY)
    with pytest.raises(ScanError) as caught:
        scan.scan(provider, [], 10)
    assert_one_line(caught.value, "no scan queries")
    with pytest.raises(ScanError) as caught:
        scan.scan(provider, QUERIES, 0)
    assert_one_line(caught.value, "facet size 0")
