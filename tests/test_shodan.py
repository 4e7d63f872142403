"""geo.shodan.importer: importing a raw `shodan download` export (synthetic banners written to tmp_path)."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from atlas_testing import MIRROR_ENV, REPO_ROOT, assert_one_line

from geo.core.errors import AtlasError, Cancelled, DatasetError
from geo.datasets.dataset import parse_observations
from geo.shodan import duckdb_pass as shodan_scan
from geo.shodan import importer as shodan
from geo.shodan import rules as shodan_rules
from geo.shodan import stream as shodan_stream

MANCHESTER = (53.48, -2.24)  # E08000003
LEEDS = (53.80, -1.55)  # E08000035
OFF_BRIGHTON = (50.80, -0.14)  # ~1.8 km out to sea from Brighton and Hove (E06000043)
NORTH_SEA = (55.0, 3.0)  # ~220 km from any LAD
PARIS = (48.85, 2.35)

_counter = iter(range(1, 10**6))


def new_ip() -> str:
    n = next(_counter)
    return f"81.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def banner(
    ip: str | None = None,
    *,
    product: str | None = "Hikvision IP Camera",
    data: str = "HTTP/1.1 200 OK\r\nServer: webserver\r\nContent-Type: text/html\r\n\r\n",
    cc: str | None = "GB",
    at: tuple[float, float] | None = MANCHESTER,
    city: str | None = "Manchester",
    **extra: object,
) -> dict:
    """A Shodan banner in the real schema (only the fields the importer reads vary)."""
    lat, lon = at if at is not None else (None, None)
    out = {
        "_shodan": {"module": "http", "id": "x", "crawler": "y", "options": {}},
        "hash": 1,
        "os": None,
        "opts": {},
        "port": 80,
        "transport": "tcp",
        "timestamp": "2025-03-01T00:00:00",
        "isp": "British Telecommunications PLC",
        "org": "BT",
        "asn": "AS2856",
        "hostnames": [],
        "domains": [],
        "ip_str": ip or new_ip(),
        "data": data,
        "location": {
            "city": city,
            "country_code": cc,
            "country_name": None,
            "latitude": lat,
            "longitude": lon,
            "region_code": None,
            "postal_code": None,
            "area_code": None,
            "dma_code": None,
            "country_code3": None,
        },
    }
    if product is not None:
        out["product"] = product
    out.update(extra)
    return out


def write(path: Path, items: list[dict | str], *, compress: bool | None = None) -> Path:
    """Items as JSON lines (strings are written verbatim); gzip when the name ends .gz unless told."""
    text = "".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in items)
    compress = path.name.endswith(".gz") if compress is None else compress
    path.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
    return path


@pytest.fixture
def run(tmp_path, areas_frame, resolver):
    """Ingest items written to a file: ``run(items, name='x.json.gz', **kwargs)``."""

    def go(items: list[dict | str], name: str = "export.json.gz", **kwargs) -> shodan.ShodanImport:
        return shodan.ingest(write(tmp_path / name, items), areas_frame, resolver, **kwargs)

    return go


def counts(result: shodan.ShodanImport) -> dict[tuple[str, str], int]:
    return {(r.lad_code, r.vendor): int(r.networks) for r in result.observations.itertuples(index=False)}


def ingest_error(path: Path, areas_frame, resolver, *needles: str, **kwargs) -> str:
    with pytest.raises(DatasetError) as info:
        shodan.ingest(path, areas_frame, resolver, **kwargs)
    return assert_one_line(info.value, path.name, *needles)


# -- the API contract --------------------------------------------------------------------------


def test_contract_constants() -> None:
    assert shodan.SKIP_REASONS == ("not_uk", "no_location", "vendor_not_recognised", "malformed")
    assert shodan.DEFAULT_MAX_BYTES == 200 * 1024 * 1024
    assert "hikvision" in shodan.VENDOR_RULES.lower() and "dahua" in shodan.VENDOR_RULES.lower()
    for marker in shodan.HIKVISION_MARKERS + shodan.DAHUA_MARKERS:
        assert marker in shodan.VENDOR_RULES


def test_basic_import(run) -> None:
    result = run([banner(), banner(product="Dahua DVR"), banner(at=LEEDS, city="Leeds")])
    assert list(result.observations.columns) == ["lad_code", "place", "vendor", "networks"]
    assert counts(result) == {("E08000003", "dahua"): 1, ("E08000003", "hikvision"): 1, ("E08000035", "hikvision"): 1}
    assert dict(zip(result.observations["lad_code"], result.observations["place"]))["E08000003"] == "Manchester"
    assert result.records_read == 3 and result.used == 3
    assert result.skipped == {reason: 0 for reason in shodan.SKIP_REASONS}
    assert str(result.observations["networks"].dtype) == "int64"


# -- vendor rules ------------------------------------------------------------------------------

HEADERS = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
VENDOR_CASES = {
    "product hikvision": ({"product": "Hikvision IP Camera"}, "hikvision"),
    "product case-insensitive": ({"product": "HIKVISION DVR"}, "hikvision"),
    "server header DNVRS-Webs": ({"product": None, "data": HEADERS + "Server: DNVRS-Webs\r\n"}, "hikvision"),
    "server header App-webs": ({"product": None, "data": HEADERS + "Server: App-webs/\r\n"}, "hikvision"),
    "server header Hikvision-Webs": ({"product": None, "data": HEADERS + "Server: Hikvision-Webs\r\n"}, "hikvision"),
    "server header DVRDVS-Webs": ({"product": None, "data": HEADERS + "Server: DVRDVS-Webs\r\n"}, "hikvision"),
    "login redirect": (
        {"product": None, "data": "HTTP/1.1 302 Found\r\nLocation: /doc/page/login.asp?_1\r\n"},
        "hikvision",
    ),
    "http.server": ({"product": None, "http": {"server": "dnvrs-webs", "title": ""}}, "hikvision"),
    "http.title": ({"product": None, "http": {"title": "Hikvision Web Client", "server": None}}, "hikvision"),
    "devicetype": ({"product": None, "devicetype": "Hikvision NVR"}, "hikvision"),
    "ssl subject": (
        {"product": None, "ssl": {"cert": {"subject": {"CN": "IPC", "O": "Hikvision"}, "issuer": {"CN": "IPC"}}}},
        "hikvision",
    ),
    "ssl issuer": (
        {"product": None, "ssl": {"cert": {"subject": {"CN": "x"}, "issuer": {"O": "Dahua Technology"}}}},
        "dahua",
    ),
    "cpe23": ({"product": None, "cpe23": ["cpe:2.3:h:hikvision:ds-2cd2042wd"]}, "hikvision"),
    "cpe (old)": ({"product": None, "cpe": ["cpe:/h:dahua:dvr"]}, "dahua"),
    "product dahua": ({"product": "Dahua DVR"}, "dahua"),
    "rtsp server header": (
        {"product": None, "data": "RTSP/1.0 401 Unauthorized\r\nServer: Dahua Rtsp Server\r\n"},
        "dahua",
    ),
    "dahua model prefix": ({"product": None, "data": HEADERS + "X-Device: DHI-NVR4104-4KS2\r\n"}, "dahua"),
    "product wins over data": ({"product": "Dahua NVR", "data": HEADERS + "Server: App-webs/\r\n"}, "dahua"),
    "both in data": ({"product": None, "data": HEADERS + "Server: DNVRS-Webs\r\nX-Note: dahua\r\n"}, None),
    "product names both": ({"product": "Hikvision/Dahua NVR"}, None),
    "product names both, data one": (
        {"product": "Hikvision or Dahua", "data": HEADERS + "Server: App-webs/\r\n"},
        None,
    ),
    "other product": ({"product": "nginx"}, None),
    "nothing at all": ({"product": None}, None),
    "width_ is not a marker": ({"product": None, "data": HEADERS + "X-Width_DH_: 5\r\n"}, None),
}


@pytest.mark.parametrize("case", list(VENDOR_CASES))
def test_vendor_rules(case: str, run) -> None:
    fields, expected = VENDOR_CASES[case]
    subject = banner(**fields)
    assert shodan.vendor_of(subject) == expected
    # The DuckDB scan applies the same rule (a known Leeds Hikvision keeps the import non-empty).
    result = run([subject, banner(at=LEEDS, city="Leeds")])
    found = {vendor for (lad, vendor) in counts(result) if lad == "E08000003"}
    assert found == ({expected} if expected else set())
    assert result.skipped["vendor_not_recognised"] == (0 if expected else 1)


def test_ambiguous_banners_are_noted(run) -> None:
    result = run([banner(), banner(product=None, data="Server: DNVRS-Webs dahua")])
    assert result.skipped["vendor_not_recognised"] == 1
    assert any("both Hikvision and Dahua" in note for note in result.notes)


def test_vendor_of_python_and_sql_agree_on_random_banners(run) -> None:
    rng = random.Random(7)
    words = [
        "Hikvision",
        "DAHUA",
        "dnvrs-webs",
        "App-Webs",
        "DHI-",
        "/doc/page/login.asp",
        "nginx",
        "Boa",
        "webs",
        "",
        "axis",
    ]
    items = []
    expected = {"hikvision": 0, "dahua": 0, None: 0}
    for _ in range(300):
        b = banner(
            product=rng.choice([None, *words]),
            data=HEADERS + f"Server: {rng.choice(words)}\r\nX-A: {rng.choice(words)}\r\n",
            devicetype=rng.choice([None, "webcam", *words]),
            http={"title": rng.choice(words), "server": rng.choice(words)},
        )
        items.append(b)
        expected[shodan.vendor_of(b)] += 1
    result = run(items)
    assert result.used == expected["hikvision"] + expected["dahua"]
    assert result.skipped["vendor_not_recognised"] == expected[None]
    assert counts(result).get(("E08000003", "hikvision"), 0) == expected["hikvision"]
    assert counts(result).get(("E08000003", "dahua"), 0) == expected["dahua"]


# -- country, coordinates, cities --------------------------------------------------------------


def test_non_uk_skipped(run) -> None:
    result = run(
        [
            banner(),
            banner(cc="FR", at=PARIS, city="Paris"),
            banner(cc="IE", at=(53.35, -6.26), city="Dublin"),
            banner(cc="IM", at=(54.15, -4.48), city="Douglas"),  # Isle of Man: no ONS LAD
            banner(cc="US", at=MANCHESTER, product="nginx"),  # not UK beats vendor not recognised
            banner(cc="gb", at=LEEDS, city="Leeds"),  # case-insensitive
        ]
    )
    assert result.skipped["not_uk"] == 4
    assert result.skipped["vendor_not_recognised"] == 0
    assert counts(result) == {("E08000003", "hikvision"): 1, ("E08000035", "hikvision"): 1}


def test_missing_country_uses_coordinates(run) -> None:
    result = run(
        [
            banner(cc=None, at=LEEDS, city=None),  # inside a UK LAD: counted as UK
            banner(cc=None, at=PARIS, city="Paris"),  # coordinates abroad: not UK
            banner(cc=None, at=OFF_BRIGHTON, city=None),  # no country: no coastal snapping
            banner(cc=None, at=None, city="Leeds"),  # no country, no coordinates: no location
        ]
    )
    assert counts(result) == {("E08000035", "hikvision"): 1}
    assert result.skipped["not_uk"] == 2
    assert result.skipped["no_location"] == 1
    assert any("without a country code" in note for note in result.notes)


def test_point_in_polygon(run) -> None:
    result = run([banner(at=MANCHESTER, city="Somewhere else")])
    assert counts(result) == {("E08000003", "hikvision"): 1}


def test_coordinates_as_strings(run) -> None:
    b = banner(at=None)
    b["location"].update(latitude="53.48", longitude="-2.24")
    assert counts(run([b])) == {("E08000003", "hikvision"): 1}


def test_coastal_point_snapped_and_sea_point_skipped(run) -> None:
    result = run([banner(at=OFF_BRIGHTON, city=None), banner(at=NORTH_SEA, city="Leeds")])
    assert counts(result) == {("E06000043", "hikvision"): 1}
    assert result.skipped["no_location"] == 1  # coordinates decide; the city is not a fallback for them
    assert any("off the coast" in note for note in result.notes)


def test_place_points_directly(areas_frame) -> None:
    import pandas as pd

    placed = shodan.place_points(pd.DataFrame({"lat": [53.48, 50.80, 55.0], "lon": [-2.24, -0.14, 3.0]}), areas_frame)
    assert list(placed["lad_code"]) == ["E08000003", "E06000043", None]
    assert list(placed["how"]) == ["inside", "snapped", None]


def test_city_fallback(run) -> None:
    result = run([banner(at=None, city="Leeds"), banner(at=(0.0, 0.0), city="Leeds", product="Dahua DVR")])
    assert counts(result) == {("E08000035", "dahua"): 1, ("E08000035", "hikvision"): 1}
    assert any("2 banners placed by city name" in note for note in result.notes)


def test_unresolvable_and_multi_lad_cities_have_no_location(run) -> None:
    result = run(
        [
            banner(),
            banner(at=None, city="Qwxyzzy Town"),
            banner(at=None, city="London"),  # 33 LADs: not one place to count in
            banner(at=None, city=None),
        ]
    )
    assert result.skipped["no_location"] == 3
    assert result.used == 1
    note = next(n for n in result.notes if n.startswith("city names not placed"))
    assert "London (33 local authorities" in note and "Qwxyzzy Town (unmatched" in note


# -- counting ----------------------------------------------------------------------------------


def test_duplicate_ip_counted_once(run) -> None:
    ip = new_ip()
    result = run(
        [
            banner(ip),
            banner(ip, data="RTSP/1.0 200 OK\r\n"),
            banner(ip),  # three ports of one host
            banner(ip, product="Dahua DVR"),  # the same address with a Dahua banner counts for Dahua too
            banner(),
            banner(f"  {new_ip()}  "),
        ]
    )
    assert counts(result) == {("E08000003", "hikvision"): 3, ("E08000003", "dahua"): 1}
    assert result.used == 6 and result.records_read == 6


def test_ipv6_banner(run) -> None:
    b = banner()
    del b["ip_str"]
    b["ipv6"] = "2a00:23c5::1"
    assert counts(run([b])) == {("E08000003", "hikvision"): 1}


def test_malformed_lines_counted(run) -> None:
    good = json.dumps(banner())
    result = run(
        [
            banner(),
            good[: len(good) // 2],  # cut short
            "<html>502 Bad Gateway</html>",
            "[1, 2, 3]",
            "42",
            json.dumps({"port": 80, "data": "no ip_str here"}),
            "",  # blank lines are not records
            "   ",
            banner(),
        ]
    )
    assert result.skipped["malformed"] == 5
    assert result.records_read == 7
    assert result.used == 2
    assert result.records_read == result.used + sum(result.skipped.values())


def test_invalid_utf8_line_is_malformed(tmp_path, areas_frame, resolver) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(
        json.dumps(banner()).encode() + b"\n" + b'{"ip_str": "\xff\xfe"}\n' + json.dumps(banner()).encode() + b"\n"
    )
    result = shodan.ingest(path, areas_frame, resolver)
    assert result.skipped["malformed"] == 1 and result.used == 2


# -- sources: gzip, plain, bytes ---------------------------------------------------------------


def test_gzip_detected_by_content_not_name(tmp_path, areas_frame, resolver) -> None:
    items = [banner(), banner(at=LEEDS)]
    gz_named_plain = write(tmp_path / "export.json", items, compress=True)
    plain_named_gz = write(tmp_path / "export.json.gz", items, compress=False)
    expected = {("E08000003", "hikvision"): 1, ("E08000035", "hikvision"): 1}
    assert counts(shodan.ingest(gz_named_plain, areas_frame, resolver)) == expected
    assert counts(shodan.ingest(plain_named_gz, areas_frame, resolver)) == expected


def test_bytes_upload(tmp_path, areas_frame, resolver) -> None:
    path = write(tmp_path / "upload.json.gz", [banner(), banner(product="Dahua DVR")])
    result = shodan.ingest(path.read_bytes(), areas_frame, resolver, filename="upload.json.gz")
    assert counts(result) == {("E08000003", "dahua"): 1, ("E08000003", "hikvision"): 1}
    with pytest.raises(DatasetError) as info:
        shodan.ingest(b"", areas_frame, resolver, filename="mine.json.gz")
    assert_one_line(info.value, "mine.json.gz", "empty")


def test_multi_member_gzip(tmp_path, areas_frame, resolver) -> None:
    path = tmp_path / "joined.json.gz"
    path.write_bytes(
        gzip.compress((json.dumps(banner()) + "\n").encode()) + gzip.compress((json.dumps(banner()) + "\n").encode())
    )
    assert shodan.ingest(path, areas_frame, resolver).used == 2


# -- bad input: one line naming the file and the fix -------------------------------------------


def big_export(path: Path, count: int = 3000) -> Path:
    """Enough incompressible banners that a cut lands beyond the importer's 64 KB sniff."""
    rng = random.Random(1)
    items = [banner(data=HEADERS + "X-Id: " + f"{rng.getrandbits(128):032x}" * 20 + "\r\n") for _ in range(count)]
    return write(path, items)


@pytest.mark.parametrize("cut", ["early", "late", "trailer"])
def test_truncated_gzip(cut: str, tmp_path, areas_frame, resolver) -> None:
    whole = big_export(tmp_path / "whole.json.gz").read_bytes()
    at = {"early": 2000, "late": len(whole) * 3 // 4, "trailer": len(whole) - 4}[cut]
    path = tmp_path / "cut.json.gz"
    path.write_bytes(whole[:at])
    message = ingest_error(path, areas_frame, resolver, "incomplete", "download")
    assert "Traceback" not in message


def test_damaged_gzip(tmp_path, areas_frame, resolver) -> None:
    data = bytearray(big_export(tmp_path / "whole.json.gz").read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0x5A
    path = tmp_path / "damaged.json.gz"
    path.write_bytes(bytes(data))
    ingest_error(path, areas_frame, resolver, "download")


@pytest.mark.parametrize(
    "content, needle",
    [
        (b"", "empty"),
        (b"\n\n   \n", "empty"),
        (gzip.compress(b""), "empty"),
    ],
)
def test_empty(content: bytes, needle: str, tmp_path, areas_frame, resolver) -> None:
    path = tmp_path / "empty.json.gz"
    path.write_bytes(content)
    ingest_error(path, areas_frame, resolver, needle)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export.json", json.dumps(banner()))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, needle",
    [
        ("table.csv", b"place,vendor,networks\nLeeds,hikvision,3\n", "not JSON lines"),
        ("notes.txt", b"hello world\n", "not JSON lines"),
        ("page.html", b"<!DOCTYPE html><html></html>\n", "not JSON lines"),
        ("array.json", json.dumps([banner(), banner()]).encode(), "JSON array"),
        ("pretty.json", json.dumps(banner(), indent=2).encode(), "no Shodan banners"),
        ("features.json", b'{"type": "Feature", "properties": {}}\n{"type": "Feature"}\n', "no Shodan banners"),
        ("export.zip", _zip_bytes(), "zip"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
        ("random.bin", bytes(range(256)) * 4, "binary"),
        ("csv.gz", gzip.compress(b"place,networks\nLeeds,3\n"), "not JSON lines"),
    ],
)
def test_wrong_type(name: str, content: bytes, needle: str, tmp_path, areas_frame, resolver) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    ingest_error(path, areas_frame, resolver, needle)


def test_no_usable_banner(run, tmp_path) -> None:
    with pytest.raises(DatasetError) as info:
        run([banner(cc="FR", at=PARIS), banner(product="nginx")], name="foreign.json.gz")
    assert_one_line(info.value, "foreign.json.gz", "not uk 1", "vendor not recognised 1", "country:GB")


def test_over_size_limit(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    path = write(tmp_path / "export.json", [banner() for _ in range(50)])  # plain: ~35 KB
    ingest_error(path, areas_frame, resolver, "over the 100 bytes limit", shodan.MAX_BYTES_ENV, max_bytes=100)
    monkeypatch.setenv(shodan.MAX_BYTES_ENV, "0.01")
    ingest_error(path, areas_frame, resolver, "over the 10.2 KB limit")
    assert shodan.ingest(path, areas_frame, resolver, max_bytes=10**6).used == 50  # the argument wins
    monkeypatch.setenv(shodan.MAX_BYTES_ENV, "lots")
    with pytest.raises(AtlasError) as info:
        shodan.max_bytes_default()
    assert_one_line(info.value, shodan.MAX_BYTES_ENV)
    monkeypatch.delenv(shodan.MAX_BYTES_ENV)
    assert shodan.max_bytes_default() == shodan.DEFAULT_MAX_BYTES
    with pytest.raises(DatasetError) as big:
        shodan.ingest(b"x" * (shodan.DEFAULT_MAX_BYTES + 1), areas_frame, resolver, filename="huge.json.gz")
    assert_one_line(big.value, "huge.json.gz", "200 MB limit")


def test_missing_file(tmp_path, areas_frame, resolver) -> None:
    with pytest.raises(DatasetError) as info:
        shodan.ingest(tmp_path / "nope.json.gz", areas_frame, resolver)
    assert_one_line(info.value, "nope.json.gz", "not found")


# -- progress and CSV --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["gzip file", "plain file", "uploaded bytes"])
def test_progress(kind: str, tmp_path, areas_frame, resolver) -> None:
    calls: list[tuple[float, str]] = []
    path = big_export(tmp_path / "export.json.gz", 500)
    if kind == "plain file":
        path = write(tmp_path / "export.json", [json.loads(line) for line in gzip.open(path)])
    source = path.read_bytes() if kind == "uploaded bytes" else path
    shodan.ingest(source, areas_frame, resolver, progress=lambda fraction, message: calls.append((fraction, message)))
    fractions = [f for f, _ in calls]
    assert len(calls) >= 4
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(a < b for a, b in itertools.pairwise(fractions)), fractions
    assert all(isinstance(m, str) and m for _, m in calls)


def test_csv_round_trip(run) -> None:
    result = run([banner(), banner(product="Dahua DVR"), banner(at=LEEDS)])
    data = shodan.to_csv_bytes(result)
    assert data.decode().splitlines()[0] == "lad_code,place,vendor,networks"
    table = parse_observations(data, "observations.csv")
    assert sorted(zip(table["lad_code"], table["vendor"], table["networks"])) == [
        ("E08000003", "dahua", 1),
        ("E08000003", "hikvision", 1),
        ("E08000035", "hikvision", 1),
    ]


def test_csv_is_formula_safe(run) -> None:
    result = run([banner()])
    evil = shodan.ShodanImport(
        observations=result.observations.assign(place='=HYPERLINK("http://x")'),
        records_read=1,
        skipped=result.skipped,
        used=1,
    )
    assert "'=HYPERLINK" in shodan.to_csv_bytes(evil).decode()


def test_summary_line(run) -> None:
    result = run([banner(), banner(cc="FR", at=PARIS), "not json"])
    line = result.summary()
    assert "\n" not in line
    assert "3 banners read, 1 used" in line and "not uk 1" in line and "malformed 1" in line


# -- command line ------------------------------------------------------------------------------


@pytest.fixture
def cli_env(mirror, resolver) -> dict[str, str]:
    # ``resolver`` first: the areas and gazetteer caches the subprocess reads exist by then.
    return {**os.environ, MIRROR_ENV: str(mirror), "PYTHONIOENCODING": "utf-8"}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO_ROOT,
        timeout=180,
    )


def test_cli_ingest(tmp_path, cli_env) -> None:
    export = write(
        tmp_path / "export.json.gz",
        [
            banner(),
            banner(product="Dahua DVR"),
            banner(at=LEEDS),
            banner(cc="FR", at=PARIS),
            banner(product="nginx"),
            "oops",
        ],
    )
    out = tmp_path / "observations.csv"
    done = cli(cli_env, "ingest", "shodan", str(export), "--out", str(out))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "6 banners read, 3 used" in lines[0]
    for part in ("not uk 1", "no location 0", "vendor not recognised 1", "malformed 1"):
        assert part in lines[0]
    table = parse_observations(out.read_bytes(), out.name)
    assert int(table["networks"].sum()) == 3
    assert set(table["lad_code"]) == {"E08000003", "E08000035"}


@pytest.mark.parametrize("problem", ["truncated", "missing", "not-json", "bad-out"])
def test_cli_errors(problem: str, tmp_path, cli_env) -> None:
    export = big_export(tmp_path / "export.json.gz", 600)
    out = tmp_path / "out.csv"
    if problem == "truncated":
        export.write_bytes(export.read_bytes()[:-100])
    elif problem == "missing":
        export = tmp_path / "missing.json.gz"
    elif problem == "not-json":
        export.write_bytes(b"place,networks\nLeeds,3\n")
    else:
        out = tmp_path / "no-such-folder" / "out.csv"
    done = cli(cli_env, "ingest", "shodan", str(export), "--out", str(out))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("error: ")
    assert (export.name if problem != "bad-out" else "no-such-folder") in done.stderr
    assert not out.exists()


def test_cli_usage_error(cli_env) -> None:
    done = cli(cli_env, "ingest", "shodan")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1


# -- streaming internals: sources agree, temporary files, bombs, DuckDB failures ----------------


def test_sources_agree_and_temporary_files_are_removed(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    items = [banner(), banner(product="Dahua DVR"), banner(at=LEEDS), "junk"]
    gz = write(tmp_path / "export.json.gz", items)
    for source in (gz, gz.read_bytes(), write(tmp_path / "plain.json", items).read_bytes()):
        result = shodan.ingest(source, areas_frame, resolver, filename="x.json.gz")
        assert result.used == 3 and result.skipped["malformed"] == 1
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(big_export(tmp_path / "big.json.gz", 1000).read_bytes()[:-50])
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    ingest_error(cut, areas_frame, resolver, "incomplete")
    shodan.ingest(gz.read_bytes(), areas_frame, resolver)
    assert list((tmp_path / "scratch").iterdir()) == []  # segment files and DuckDB's spill folder are removed


def test_trailing_zero_padding_is_fine(tmp_path, areas_frame, resolver) -> None:
    path = tmp_path / "padded.json.gz"
    path.write_bytes(gzip.compress((json.dumps(banner()) + "\n").encode()) + bytes(512))
    assert shodan.ingest(path, areas_frame, resolver).used == 1


def test_gzip_bomb_refused(tmp_path, areas_frame, resolver) -> None:
    head = (json.dumps(banner()) + "\n").encode()
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(head + b" " * (40 << 20), compresslevel=9))  # 40 MB of spaces in ~40 KB
    size = path.stat().st_size
    ingest_error(path, areas_frame, resolver, "when decompressed", max_bytes=size * 2)


def test_duckdb_failure_does_not_hang(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    monkeypatch.setattr(shodan_scan, "scan_sql", lambda: "SELECT * FROM no_such_table")
    path = big_export(tmp_path / "export.json.gz", 1000)
    ingest_error(path, areas_frame, resolver, "could not be read")


def test_every_point_at_sea_and_no_city_placed(run) -> None:
    result = run([banner(at=NORTH_SEA), banner(at=NORTH_SEA, ip=new_ip()), banner(at=None, city="Leeds")])
    assert counts(result) == {("E08000035", "hikvision"): 1}
    assert result.skipped["no_location"] == 2
    with pytest.raises(DatasetError):
        run([banner(at=NORTH_SEA), banner(at=None, city="Qwxyzzy")], name="nowhere.json.gz")


# -- hardening: memory, limits, cancellation, error text, addresses, one place per address -----


def repeated_gzip(path: Path, inflated_mb: int, line: str | None = None) -> Path:
    """A gzip bomb: one banner repeated to ``inflated_mb`` MB, as one 4 MB member written many times (cheap)."""
    text = ((line or json.dumps(banner("81.2.3.4"))) + "\n").encode()
    member = gzip.compress(text * ((4 << 20) // len(text)), compresslevel=9)
    path.write_bytes(member * max(1, inflated_mb // 4))
    return path


def test_memory_bounded_by_distinct_keys_not_inflated_size(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    # DuckDB holds all it reads from a pipe until the query ends (before: Out of Memory here);
    # fed segment files, one query each, a stream far larger than its memory limit imports.
    monkeypatch.setattr(shodan_scan, "DUCKDB_MEMORY_LIMIT", "160MB")
    monkeypatch.setattr(shodan_stream, "SEGMENT_BYTES", 8 << 20)
    path = repeated_gzip(tmp_path / "repeated.json.gz", 320)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    result = shodan.ingest(path, areas_frame, resolver)
    assert counts(result) == {("E08000003", "hikvision"): 1}
    assert result.used == result.records_read > 400_000
    assert list((tmp_path / "scratch").iterdir()) == []  # segment files and DuckDB's spill folder are removed


def test_segments_and_merges_give_the_same_counts(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    rng = random.Random(3)
    items = [
        banner(
            f"81.0.{rng.randrange(4)}.{rng.randrange(40)}",
            at=rng.choice([MANCHESTER, LEEDS]),
            product=rng.choice(["Hikvision IP Camera", "Dahua DVR", "nginx"]),
        )
        for _ in range(600)
    ]
    path = write(tmp_path / "export.json.gz", items + ["junk"])
    whole = shodan.ingest(path, areas_frame, resolver)
    monkeypatch.setattr(shodan_stream, "SEGMENT_BYTES", 4096)  # ~6 banners a segment
    monkeypatch.setattr(shodan_scan, "COMPACT_ROWS", 5)  # and merge the rows often
    for source in (path, path.read_bytes()):
        pieces = shodan.ingest(source, areas_frame, resolver)
        assert counts(pieces) == counts(whole)
        assert (pieces.records_read, pieces.used, pieces.skipped) == (whole.records_read, whole.used, whole.skipped)


def test_two_imports_at_once(tmp_path, areas_frame, resolver) -> None:
    import threading

    path = big_export(tmp_path / "export.json.gz", 800)
    results: list[shodan.ShodanImport] = []
    threads = [
        threading.Thread(target=lambda: results.append(shodan.ingest(path, areas_frame, resolver))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and counts(results[0]) == counts(results[1]) == {("E08000003", "hikvision"): 800}


def test_inflated_limit(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    path = repeated_gzip(tmp_path / "bomb.json.gz", 8)
    monkeypatch.setenv(shodan.MAX_INFLATED_ENV, "2")
    ingest_error(path, areas_frame, resolver, "over the 2 MB limit for decompressed", shodan.MAX_INFLATED_ENV)
    ingest_error(path, areas_frame, resolver, "over the 1 MB limit", max_inflated=1 << 20)
    assert shodan.ingest(path, areas_frame, resolver, max_inflated=16 << 20).used > 10_000  # the argument wins
    monkeypatch.setenv(shodan.MAX_INFLATED_ENV, "-5")
    with pytest.raises(AtlasError) as info:
        shodan.max_inflated_default()
    assert_one_line(info.value, shodan.MAX_INFLATED_ENV)
    monkeypatch.delenv(shodan.MAX_INFLATED_ENV)
    assert shodan.max_inflated_default() == shodan.DEFAULT_MAX_INFLATED_BYTES == 2048 << 20


def test_line_too_long_refused(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    monkeypatch.setattr(shodan_stream, "MAX_LINE_BYTES", 1 << 20)
    monkeypatch.setattr(
        shodan_stream.Feed, "CHUNK", 64 << 10
    )  # blocks (8 chunks) shorter than the longest line, as for real
    path = write(tmp_path / "long.json.gz", [banner(), banner(data="x" * (2 << 20)), banner()])
    message = ingest_error(path, areas_frame, resolver, "a line over 1 MB")
    assert str(tmp_path) not in message


class Stop(Exception):
    pass


@pytest.mark.parametrize("when", ["second call", "while reading"])
def test_cancel_from_progress(when: str, tmp_path, areas_frame, resolver, monkeypatch) -> None:
    import threading

    path = repeated_gzip(tmp_path / "big.json.gz", 400)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    fed: list[shodan_stream.Feed] = []

    class Watched(shodan_stream.Feed):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            fed.append(self)

    monkeypatch.setattr(shodan, "Feed", Watched)
    calls: list[float] = []
    raised = Cancelled()

    def progress(fraction: float, message: str) -> None:
        calls.append(fraction)
        if (when == "second call" and len(calls) == 2) or (when == "while reading" and 0.05 < fraction < 0.7):
            raise raised

    with pytest.raises(Cancelled) as info:
        shodan.ingest(path.read_bytes(), areas_frame, resolver, progress=progress)
    assert info.value is raised
    assert_one_line(info.value, "cancelled")
    assert calls[-1] != 1.0 and len(calls) == (2 if when == "second call" else len(calls))
    if when == "while reading":
        assert 0.05 < calls[-1] < 0.7  # nothing was reported after the callback raised
        assert fed and fed[0].fraction < 1.0  # it stopped before reading the whole export
    assert not [t for t in threading.enumerate() if t.name.startswith("shodan-")]
    assert list((tmp_path / "scratch").iterdir()) == []


@pytest.mark.parametrize("kind", ["gzip (segment files)", "plain file"])
def test_duckdb_error_names_no_server_path(kind: str, tmp_path, areas_frame, resolver, monkeypatch) -> None:
    monkeypatch.setattr(shodan_stream, "MAX_LINE_BYTES", 64 << 20)  # let a 40 MB line reach DuckDB, which refuses it
    items = [banner(), banner(data="y" * (40 << 20)), banner()]
    path = write(tmp_path / ("long.json.gz" if kind.startswith("gzip") else "long.json"), items)
    message = ingest_error(
        path, areas_frame, resolver, "could not be read as JSON lines", "longer than any", max_bytes=1 << 30
    )
    assert "atlas-shodan" not in message and str(tmp_path) not in message and "/" not in message


def test_duckdb_error_text_is_scrubbed() -> None:
    text = shodan_scan.describe_duckdb_error(
        RuntimeError(
            'IO Error: Cannot open file "/tmp/atlas-shodan-x1/segment-0.jsonl": No such file or directory at /srv/a.b\n'
            "LINE 1: SELECT * FROM read_json('/tmp/atlas-shodan-x1/segment-0.jsonl')"
        )
    )
    assert "/" not in text and "atlas-shodan" not in text and "LINE" not in text and "IO Error" not in text
    assert text.startswith("Cannot open file the file")
    memory = shodan_scan.describe_duckdb_error(
        RuntimeError("Out of Memory Error: failed to allocate data of size 15.9 MiB (473.9 MiB/488.2 MiB used)")
    )
    assert memory == "failed to allocate data of size 15.9 MiB (473.9 MiB/488.2 MiB used)"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("81.2.3.4", "81.2.3.4"),
        ("010.000.001.002", "10.0.1.2"),
        ("  10.0.1.2 ", "10.0.1.2"),
        ("::ffff:10.0.1.2", "10.0.1.2"),
        ("::FFFF:0a00:0102", "10.0.1.2"),
        ("2A00:23C5:0000:0000:0000:0000:0000:0001", "2a00:23c5::1"),
        ("2a00:23c5::0001", "2a00:23c5::1"),
        ("256.1.1.1", None),
        ("1.2.3", None),
        ("0001.2.3.4", None),
        ("١.2.3.4", None),  # a non-ASCII digit
        ("hikvision", None),
        ("", None),
    ],
)
def test_canonical_ip(text: str, expected: str | None) -> None:
    assert shodan.canonical_ip(text) == expected


def test_spellings_of_one_address_count_once(run) -> None:
    def at(ip: str, **kwargs) -> dict:
        b = banner(None, **kwargs)
        b["ip_str"] = ip
        return b

    v6 = banner(None)
    del v6["ip_str"]
    v6["ipv6"] = "2A00:23C5:0:0:0:0:0:1"
    result = run(
        [
            at("2a00:23c5::1"),
            at("2a00:23c5:0000::0001"),
            v6,  # one IPv6 address, three spellings
            at("10.0.1.2"),
            at("010.000.001.002"),
            at("::ffff:10.0.1.2"),  # one IPv4 address, three spellings
            at("not-an-address"),
            at("300.1.1.1", cc="FR", at=PARIS),  # not addresses: malformed, whatever else
        ]
    )
    assert counts(result) == {("E08000003", "hikvision"): 2}
    assert result.used == 6 and result.skipped["malformed"] == 2 and result.skipped["not_uk"] == 0
    assert result.records_read == result.used + sum(result.skipped.values())


def test_one_address_counts_in_one_local_authority(run) -> None:
    moved, tied = new_ip(), new_ip()
    result = run(
        [
            banner(moved, at=LEEDS),
            banner(moved, at=LEEDS),
            banner(moved, at=MANCHESTER),  # mostly Leeds
            banner(tied, at=LEEDS),
            banner(tied, at=MANCHESTER),  # a tie: the lowest code (Manchester, E08000003)
            banner(tied, at=LEEDS, product="Dahua DVR"),  # the same address as Dahua: counted for Dahua too
        ]
    )
    assert counts(result) == {("E08000035", "hikvision"): 1, ("E08000003", "hikvision"): 1, ("E08000035", "dahua"): 1}
    assert result.used == 6
    assert any(
        n.startswith("2 addresses were placed in more than one local authority; each counted once")
        for n in result.notes
    )
    assert "most of its banners" in shodan.VENDOR_RULES and "most of its banners" in " ".join(shodan.__doc__.split())
    assert not any("more than one local authority" in n for n in run([banner(), banner(at=LEEDS)]).notes)


# -- the rules: one table, from which the SQL, the Python reference and the text derive ---------


def test_rules_text_sql_and_python_derive_from_one_table(tmp_path) -> None:
    import duckdb

    acme = shodan_rules.Vendor("acme", "Acme", ("acme-cam", "acme's"))
    table = (*shodan_rules.VENDORS, acme)
    assert shodan.VENDOR_RULES == shodan_rules.rules_text()
    text = shodan_rules.rules_text(table)
    assert 'Acme when it contains "acme-cam", "acme\'s"' in text and "more than one vendor or none" in text
    for _, label in shodan_rules.SEARCHED_FIELDS:
        assert label in shodan.VENDOR_RULES and label in text
    rng = random.Random(11)
    words = ["Hikvision", "dahua", "ACME-CAM", "acme's", "App-webs", "nginx", "", "DHI-x"]
    items = [
        {
            "product": rng.choice([None, *words]),
            "devicetype": rng.choice([None, *words]),
            "http": {"title": rng.choice(words), "server": rng.choice(words)},
            "data": f"Server: {rng.choice(words)}",
            "ssl": {"cert": {"subject": {"O": rng.choice(words)}, "issuer": {}}},
            "cpe23": [rng.choice(words)],
        }
        for _ in range(300)
    ]
    path = write(tmp_path / "banners.json", items)
    case = shodan_rules.vendor_case_sql(table)
    sql = (
        f"SELECT CASE {case} END FROM read_json('{path}', columns = {shodan_scan.read_columns()}, "
        "format = 'newline_delimited', records = true)"
    )
    found = [row[0] for row in duckdb.connect().execute(sql).fetchall()]
    expected = [shodan_rules.vendor_of(item, table) for item in items]
    assert [v if v in ("hikvision", "dahua", "acme") else None for v in found] == expected
    assert {"acme", "hikvision", "dahua", None} <= set(expected)


def test_duckdb_out_of_memory_is_one_line(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    monkeypatch.setattr(shodan_scan, "DUCKDB_MEMORY_LIMIT", "8MB")  # less than one of DuckDB's read buffers
    path = write(tmp_path / "export.json.gz", [banner(), banner(at=LEEDS)])
    message = ingest_error(path, areas_frame, resolver, "short of memory", "try again")
    assert "/" not in message


def test_server_cannot_write_temporary_files(tmp_path, areas_frame, resolver, monkeypatch) -> None:
    import errno

    def full(file, mode="r", *args, **kwargs):  # the disk is full: reading works, writing does not
        if "w" in mode:
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return open(file, mode, *args, **kwargs)

    monkeypatch.setattr(shodan_stream, "open", full, raising=False)
    path = write(tmp_path / "export.json.gz", [banner(), banner(at=LEEDS)])
    message = ingest_error(path, areas_frame, resolver, "cannot write temporary files", "no space left", "try again")
    assert "/" not in message
