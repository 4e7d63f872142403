"""A hostile count server against the live-count path: bombs (too many facets, huge, slow, deep,
redirecting answers), the key echoed back in every spelling, work after the session has gone,
and the hostile corpus as city names through scan -> dataset folder -> table.

Everything talks to the local fake (``fake_shodan``) through the real ``shodan`` package."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from atlas_testing import DATA_ENV, MIRROR_ENV, REPO_ROOT, assert_one_line
from fake_shodan import CITIES, MEMBER_KEY, FakeShodan, Reply
from hostile import CORPUS, assert_nothing_ran, everything, new_token

from geo.core.errors import Cancelled
from geo.core.text import MAX_PLACE_NAME
from geo.datasets import folders
from geo.figures import metrics
from geo.scan import as_dataset as scan_dataset
from geo.scan import provider as scan
from geo.scan import summary as scan_summary
from geo.scan.provider import ScanError
from geo.scan.shodan_api import ShodanCountProvider

QUERIES = scan.read_queries()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    with FakeShodan() as server:
        monkeypatch.setenv("SHODAN_API_URL", server.url)
        yield server


def run_scan(facet_size: int = 1000, **provider_options):
    options = {"timeout": 5.0, **provider_options}
    return scan.scan(ShodanCountProvider(MEMBER_KEY, **options), QUERIES, facet_size, sleep=lambda s: None)


def refused(*needles: str, facet_size: int = 1000, **provider_options) -> str:
    with pytest.raises(ScanError) as caught:
        run_scan(facet_size, **provider_options)
    message = assert_one_line(caught.value, *needles)
    assert not carries_key(message)
    return message


def answer(cities: list[tuple[str, int]], total: int | None = None) -> Reply:
    total = sum(c for _, c in cities) if total is None else total
    return Reply(
        200, {"total": total, "matches": [], "facets": {"city": [{"value": v, "count": c} for v, c in cities]}}
    )


def carries_key(text: str, key: str = MEMBER_KEY) -> bool:
    """Does ``text`` hold ``key`` in any spelling? (Written apart from geo.scan.key_scrub, as a second opinion.)"""
    text = unquote(unquote(text))
    text = html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text))
    skeleton = lambda s: "".join(ch for ch in unicodedata.normalize("NFKC", s).casefold() if ch.isalnum())  # noqa: E731
    return skeleton(key) in skeleton(text)


# -- work bounded by what was asked -----------------------------------------------------------


def test_more_facet_entries_than_asked_are_refused(fake: FakeShodan) -> None:
    six = [(f"Town{i}", 10) for i in range(6)]
    fake.script(answer(six))
    refused("6 city entries, more than the 5 asked for", "malformed", facet_size=5)
    # The bomb: 100,000 entries for a facet of 1,000 (3.3 MB, under the size cap).
    bomb = [(f"c{i}", 1) for i in range(100_000)]
    fake.script(answer(bomb))
    refused("100,000 city entries, more than the 1,000 asked for", "SHODAN_API_URL")


def test_facet_counts_above_the_total_are_refused(fake: FakeShodan) -> None:
    fake.script(answer([("Leeds", 70), ("York", 20)], total=1))
    refused("city counts add up to 90, more than the total of 1", "malformed")


def test_facet_size_is_bounded_before_any_call(fake: FakeShodan) -> None:
    with pytest.raises(ScanError) as caught:
        run_scan(scan.MAX_FACET_SIZE + 1)
    assert_one_line(caught.value, "above 10,000")
    assert fake.requests == []


def test_more_distinct_cities_than_a_dataset_holds_are_refused_before_resolving(
    fake: FakeShodan, resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMERA_ATLAS_MAX_TABLE_PLACES", "10")
    looked_up: list[str] = []
    monkeypatch.setattr(type(resolver), "resolve_many", lambda self, names, *a: looked_up.extend(names) or [])
    with pytest.raises(ScanError) as caught:
        scan_summary.summarise(run_scan(), resolver)
    assert_one_line(caught.value, "more than the 9 a dataset may hold", "fewer cities per vendor")
    assert looked_up == []


def test_each_distinct_city_is_resolved_once(fake: FakeShodan, resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up: list[str] = []
    real_many = type(resolver).resolve_many

    def many(self, names, *args):
        looked_up.extend(names)
        return real_many(self, names, *args)

    monkeypatch.setattr(type(resolver), "resolve_many", many)
    summary = scan_summary.summarise(run_scan(), resolver)
    assert sorted(looked_up) == sorted(set(CITIES["hikvision"]) | set(CITIES["dahua"])), "each name once, both vendors"
    assert len(summary.cities) == len(CITIES["hikvision"]) + len(CITIES["dahua"])


def test_resolving_stops_when_the_session_has_gone(fake: FakeShodan, resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_summary, "RESOLVE_BATCH", 5)
    batches: list[int] = []
    real_many = type(resolver).resolve_many
    monkeypatch.setattr(
        type(resolver), "resolve_many", lambda self, names, *a: batches.append(len(names)) or real_many(self, names, *a)
    )
    calls = 0

    def progress(fraction: float, message: str) -> None:
        nonlocal calls
        calls += 1
        if calls > 2:
            raise Cancelled()

    result = run_scan()
    with pytest.raises(Cancelled):
        scan_summary.summarise(result, resolver, progress=progress)
    assert batches == [5, 5], "two batches, then the gone session stopped the rest"


def test_a_gone_session_stops_the_scan_between_calls(fake: FakeShodan) -> None:
    def gone(seconds: float) -> None:
        raise Cancelled()

    with pytest.raises(Cancelled):
        scan.scan(ShodanCountProvider(MEMBER_KEY, timeout=5.0), QUERIES, 10, sleep=gone)
    assert len(fake.requests) == 1


# -- bombs: size, time, depth, redirects ----------------------------------------------------------


def long_string_body(megabytes: int):
    """A valid-looking answer whose one city name is ``megabytes`` MB long, streamed in 1 MB pieces."""

    def pieces():
        yield b'{"total": 1, "facets": {"city": [{"count": 1, "value": "'
        for _ in range(megabytes):
            yield b"x" * (1024 * 1024)
        yield b'"}]}}'

    return pieces


def test_a_huge_answer_is_not_read_past_the_cap(fake: FakeShodan) -> None:
    fake.script(Reply(200, long_string_body(64)))
    refused("larger than 4 MB", "not read further", "SHODAN_API_URL")
    assert fake.sent < 32 * 1024 * 1024, f"the client read on: {fake.sent:,} bytes sent"


def test_a_declared_huge_answer_is_refused_before_reading(fake: FakeShodan) -> None:
    fake.script(Reply(200, long_string_body(64), length=64 * 1024 * 1024 + 60))
    refused("larger than 4 MB", "it declared 64.0 MB")


def test_a_trickled_body_ends_at_the_deadline(fake: FakeShodan) -> None:
    body = json.dumps({"total": 1, "facets": {"city": [{"count": 1, "value": "Leeds"}]}}).encode()
    pieces = [body[i : i + 1] for i in range(len(body))]
    fake.script(Reply(200, lambda: iter(pieces), pace=0.1))  # ~7 s at 10 bytes a second; every read well within timeout
    refused("did not finish answering within 1.5 s", deadline=1.5)
    assert fake.sent < len(body), "the client stopped reading before the answer ended"


def test_trickled_headers_end_at_the_deadline(fake: FakeShodan) -> None:
    fake.script(Reply(200, {"total": 0, "facets": {"city": []}}, header_pace=0.05))  # ~4 s of headers
    refused("did not finish answering within 1 s", deadline=1.0)
    assert fake.sent == 0, "the body never started"


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"total": 1, "facets": {"city": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
        b'{"total": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b', "facets": {"city": []}}',
    ],
    ids=["list", "in-facets", "in-total"],
)
def test_deep_json_is_malformed(fake: FakeShodan, body: bytes) -> None:
    fake.script(Reply(200, body))
    refused("malformed", "nested deeper")


def test_deep_values_are_described_not_repr(fake: FakeShodan) -> None:
    fake.script(Reply(200, b'{"total": ' + b"[" * 900 + b"]" * 900 + b', "facets": {"city": []}}'))
    refused("total is a JSON list, not a whole number")


def test_a_redirect_is_not_followed(fake: FakeShodan) -> None:
    with FakeShodan() as elsewhere:
        target = f"{elsewhere.url}/shodan/host/count?key={MEMBER_KEY}&query=x"
        port = elsewhere.url.rsplit(":", 1)[1]
        for status in (301, 302, 307, 308):
            fake.script(Reply(status, b"", {"Location": target}))
            message = refused(f"HTTP {status} to 127.0.0.1:{port}", "not followed", "check that SHODAN_API_URL")
            assert "/shodan" not in message and "query" not in message, "the host only"
        assert elsewhere.requests == []


# -- the key, in every spelling -----------------------------------------------------------------

SPELLINGS = {
    "as given": lambda k: k,
    "upper": str.upper,
    "lower": str.lower,
    "title": str.title,
    "spaced": lambda k: " ".join(k),
    "dotted": lambda k: ".".join(k.replace("-", "")),
    "k-e-y": lambda k: "-".join(k.replace("-", "")),
    "url-encoded": lambda k: "".join(f"%{ord(c):02X}" for c in k),
    "url-encoded twice": lambda k: quote("".join(f"%{ord(c):02x}" for c in k)),
    "quoted": lambda k: quote(k.upper()),
    "html entities": lambda k: "".join(f"&#{ord(c)};" for c in k),
    "json escapes": lambda k: "".join(f"\\u{ord(c):04x}" for c in k),
    "fullwidth": lambda k: "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in k),
    "zero-width joined": lambda k: "\u200b".join(k),
}


@pytest.mark.parametrize("spelling", SPELLINGS, ids=list(SPELLINGS))
@pytest.mark.parametrize("status", [400, 401])
def test_an_echoed_key_is_scrubbed(fake: FakeShodan, spelling: str, status: int) -> None:
    echoed = SPELLINGS[spelling](MEMBER_KEY)
    assert carries_key(echoed)
    fake.script(Reply(status, {"error": f"bad request for key {echoed} please check"}))
    message = refused()
    assert "***" in message and "please check" in message


def test_a_key_in_an_answers_values_is_scrubbed_or_refused(fake: FakeShodan) -> None:
    fake.script(Reply(200, {"total": MEMBER_KEY.upper(), "facets": {"city": []}}))
    refused("total is", "***")
    fake.script(answer([("Leeds", 5), (" ".join(MEMBER_KEY), 1)]))
    refused("a city name echoes your API key")


def test_log_lines_are_scrubbed(fake: FakeShodan, caplog: pytest.LogCaptureFixture) -> None:
    """urllib3 logs each URL, with the key URL-encoded: no spelling of it reaches a log."""
    caplog.set_level(logging.DEBUG)
    key = "Odd+Key/With Space=0123456789ABCDEF"
    with pytest.raises(ScanError) as caught:
        scan.scan(ShodanCountProvider(key, timeout=5.0), QUERIES, 10, sleep=lambda s: None)
    assert "refused the API key" in str(caught.value)
    assert any("/shodan/host/count" in r.getMessage() for r in caplog.records), "urllib3 logged the request"
    assert not carries_key(caplog.text, key) and not carries_key(str(caught.value), key)


# -- the hostile corpus as city names ---------------------------------------------------------------

# Not a place a count server may name: refused in one line, with this reason.
REFUSED = {
    "bidi_override": "invisible or control characters (U+202E)",
    "zero_width": "invisible or control characters (U+200B, U+200D)",
    "nul": "invisible or control characters (U+0000)",
    "newlines": "invisible or control characters (U+000A, U+000D)",
    "long": f"is 10,000 characters long, more than {MAX_PLACE_NAME}",
    "only_punctuation": "has no letters or digits",
    "only_dashes": "has no letters or digits",
    "only_bangs": "has no letters or digits",
    "jinja_close": "has no letters or digits",
}


def test_corpus_refusals(fake: FakeShodan) -> None:
    assert set(REFUSED) <= set(CORPUS)
    for name, reason in REFUSED.items():
        fake.script(answer([("Leeds", 50), (CORPUS[name], 10)]))
        message = refused("malformed", reason)
        assert "\u202e" not in message and "\x00" not in message and len(message) < 400


ACCEPTED = [name for name in CORPUS if name not in REFUSED] + ["rce_expression", "rce_statement", "rce_cycler"]


@pytest.mark.parametrize("name", ACCEPTED)
def test_a_corpus_city_name_round_trips_literally(
    fake: FakeShodan, resolver, areas_frame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """One hostile city per scan (as both vendors' second city): folder, reading back, table."""
    token = new_token()
    monkeypatch.chdir(tmp_path)
    text = everything(token)[name]
    fake.script(answer([("Leeds", 50), (text, 10)], total=100), answer([("Leeds", 30), (text, 20)], total=100))
    out = scan_dataset.write_dataset(scan_summary.summarise(run_scan(), resolver), tmp_path / "scan")
    dataset = folders.load(str(out))
    assert text in set(dataset.observations["place"]), "read back from observations.csv literally"
    for vendor, networks in (("hikvision", 10), ("dahua", 20)):
        report = metrics.build_table(dataset, resolver, areas_frame, vendor=vendor).match_report
        row = report[(report["input"] == text) & (report["vendor"] == vendor)]
        assert list(row["networks"]) == [networks], f"{vendor}: the table lists it literally, once"
    assert_nothing_ran(token, tmp_path, REPO_ROOT)


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory, resolver) -> tuple[Path, dict[str, str], str]:
    """One scan whose two answers name every accepted corpus string and payload as a city, written as a folder."""
    token = new_token()
    accepted = {name: text for name, text in everything(token).items() if name not in REFUSED}
    cities = [("Leeds", 500)] + [(text, 10 + i) for i, text in enumerate(accepted.values())]
    out = tmp_path_factory.mktemp("hostile") / "scan"
    with FakeShodan() as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHODAN_API_URL", server.url)
        server.script(answer(cities, total=10_000), answer(cities, total=10_000))
        result = run_scan()
    scan_dataset.write_dataset(scan_summary.summarise(result, resolver), out)
    return out, accepted, token


def test_corpus_city_names_come_back_literally(hostile_folder, resolver, areas_frame, tmp_path: Path) -> None:
    out, accepted, token = hostile_folder
    dataset = folders.load(str(out))
    places = set(dataset.observations["place"])
    table = metrics.build_table(dataset, resolver, areas_frame, vendor="hikvision")
    inputs = set(table.match_report["input"])
    for name, text in accepted.items():
        assert text in places, f"{name}: not read back literally from observations.csv"
        assert text in inputs, f"{name}: not in the table's match report literally"
    assert table.national_total == 10_000
    assert_nothing_ran(token, REPO_ROOT, out, tmp_path)


def test_corpus_city_names_through_the_cli_table(hostile_folder, mirror: Path, fetched, atlas_data_dir: Path) -> None:
    out, accepted, token = hostile_folder
    env = {**os.environ, MIRROR_ENV: str(mirror), DATA_ENV: str(atlas_data_dir), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "geo", "table", "--dataset", str(out), "--vendor", "dahua", "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO_ROOT,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    table = json.loads(done.stdout)
    inputs = {row["input"] for row in table["match_report"]}
    for name, text in accepted.items():
        assert text in inputs, f"{name}: not in `geo table --json` literally"
    assert_nothing_ran(token, REPO_ROOT, out)


def test_a_gzip_bomb_is_capped_as_it_inflates(fake: FakeShodan) -> None:
    """256 MB of JSON whitespace in a 0.25 MB gzip body: the cap counts inflated bytes, piece by piece."""
    import zlib

    packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # gzip framing
    zipped = packer.compress(b"{" + b" " * (256 * 1024 * 1024)) + packer.flush()
    fake.script(Reply(200, zipped, {"Content-Encoding": "gzip"}))
    refused("larger than 4 MB", "not read further")


def test_a_scan_folder_neutralises_formulas_and_reads_them_back(fake: FakeShodan, resolver, tmp_path: Path) -> None:
    """City names that a spreadsheet would run are written with an apostrophe, and read back as named."""
    formula = CORPUS["formula"]
    fake.script(answer([("Leeds", 50), (formula, 10)], total=100), answer([("Leeds", 30), (formula, 20)], total=100))
    out = scan_dataset.write_dataset(scan_summary.summarise(run_scan(), resolver), tmp_path / "scan")
    written = (out / "observations.csv").read_text(encoding="utf-8")
    assert '\n"=' not in written and ',"=' not in written, "no cell starts with = in the file"
    assert "'=HYPERLINK" in written
    assert formula in set(folders.load(str(out)).observations["place"])
