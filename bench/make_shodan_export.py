"""A synthetic `shodan download` export: gzip JSON lines of realistic camera banners.

Each line is one banner in Shodan's schema (``ip_str``, ``port``, ``product``, ``data``,
``location{country_code, city, latitude, longitude}``, ``http{title, server, html}``, ``ssl``,
``cpe23``, ``_shodan``, …) with about 1 KB of ``data`` (raw HTTP/RTSP response headers, with
random cookies and tags so it compresses like real exports, roughly 5-6x).

The mix (fractions of banners; see ``MIX``): Hikvision, Dahua and other products; about 85 %
GB banners with coordinates inside UK local authorities (GeoIP-style: a few thousand
distinct points, weighted by population), some GB banners with a city but no coordinates,
a few GB points just off the coast or far out at sea, non-UK banners, and a few malformed
lines. IP addresses repeat (several ports per host), as in real exports.

    .venv/bin/python bench/make_shodan_export.py OUT.json.gz [--banners 200000] [--plain]

Nothing here is real scan data; addresses come from documentation-free random ranges.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# What a banner is, by weight. The location kinds are drawn independently of the vendor.
VENDOR_MIX = {"hikvision": 0.45, "dahua": 0.30, "other": 0.25}
LOCATION_MIX = {
    "gb_point": 0.85,  # GB, coordinates inside a LAD
    "gb_city": 0.04,  # GB, no coordinates, a city name
    "gb_coast": 0.005,  # GB, coordinates just off the coast (snapped to the nearest LAD)
    "gb_sea": 0.002,  # GB, coordinates far out at sea
    "gb_nothing": 0.003,  # GB, neither coordinates nor city
    "foreign": 0.10,  # not the UK
}
MALFORMED_SHARE = 0.0005

CITIES_NO_COORDS = [  # how GeoIP names UK places; London is 33 LADs, so it places nowhere
    "Leeds",
    "Manchester",
    "Birmingham",
    "Bristol",
    "Glasgow",
    "Cardiff",
    "Sheffield",
    "Liverpool",
    "Edinburgh",
    "Belfast",
    "Croydon",
    "Reading",
    "Ilford",
    "Nottingham",
    "London",
    "Newcastle upon Tyne",
]
COAST_POINTS = [(50.805, -0.137), (53.83, -3.07), (51.46, -2.72), (55.95, -3.05), (50.36, -4.15)]
SEA_POINTS = [(55.0, 3.0), (52.0, -8.9), (49.5, -3.0), (58.0, -12.0)]
FOREIGN = [
    ("IE", "Ireland", "Dublin", 53.3498, -6.2603),
    ("FR", "France", "Paris", 48.8566, 2.3522),
    ("US", "United States", "Ashburn", 39.0438, -77.4874),
    ("NL", "Netherlands", "Amsterdam", 52.3676, 4.9041),
    ("DE", "Germany", "Frankfurt am Main", 50.1109, 8.6821),
    ("CN", "China", "Hangzhou", 30.2741, 120.1551),
    ("IM", "Isle of Man", "Douglas", 54.15, -4.48),
    ("JE", "Jersey", "Saint Helier", 49.19, -2.11),
]
ISPS = [
    ("British Telecommunications PLC", "AS2856"),
    ("Virgin Media Limited", "AS5089"),
    ("Sky UK Limited", "AS5607"),
    ("TalkTalk Communications Limited", "AS13285"),
    ("Vodafone Limited", "AS5378"),
    ("Hyperoptic Ltd", "AS56478"),
]


@dataclass
class ExportStats:
    """What was written: banners by kind, for checking the importer's figures by eye."""

    path: Path
    banners: int = 0
    malformed: int = 0
    bytes_written: int = 0
    by_vendor: dict[str, int] = field(default_factory=dict)
    by_location: dict[str, int] = field(default_factory=dict)
    distinct_ips: int = 0


def uk_points(areas: gpd.GeoDataFrame, count: int, seed: int) -> list[tuple[float, float, str]]:
    """``count`` GeoIP-style points inside LADs, LADs drawn by population: ``(lat, lon, city)``."""
    rng = np.random.default_rng(seed)
    weights = areas["population"].to_numpy(dtype=float)
    picks = rng.choice(len(areas), size=count, p=weights / weights.sum())
    per_lad = np.bincount(picks, minlength=len(areas))
    out: list[tuple[float, float, str]] = []
    for index in np.flatnonzero(per_lad):
        row = areas.iloc[index]
        sample = gpd.GeoSeries([row.geometry], crs=areas.crs).sample_points(int(per_lad[index]), rng=rng).iloc[0]
        points = list(sample.geoms) if hasattr(sample, "geoms") else [sample]
        out += [(round(p.y, 4), round(p.x, 4), row["name"]) for p in points]
    random.Random(seed).shuffle(out)
    return out


class _Maker:
    def __init__(self, rng: random.Random, points: list[tuple[float, float, str]]) -> None:
        self.rng = rng
        self.points = points
        self.ips: list[str] = []
        self.hosts: dict[str, tuple[str, dict]] = {}  # ip -> (vendor, location): a host keeps both

    def hex(self, n: int) -> str:
        return self.rng.randbytes((n + 1) // 2).hex()[:n]

    def ip(self) -> str:
        # About 1 banner in 5 is another port of a host already seen.
        if self.ips and self.rng.random() < 0.2:
            return self.rng.choice(self.ips)
        return self.new_ip()

    def new_ip(self) -> str:
        r = self.rng
        address = f"{r.choice((2, 5, 31, 51, 77, 81, 82, 86, 90, 109, 151, 176, 212, 217))}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        self.ips.append(address)
        return address

    def location(self, kind: str) -> dict:
        r = self.rng
        blank = {
            "city": None,
            "region_code": None,
            "area_code": None,
            "longitude": None,
            "latitude": None,
            "country_code3": None,
            "country_name": "United Kingdom",
            "postal_code": None,
            "dma_code": None,
            "country_code": "GB",
        }
        if kind == "gb_point":
            lat, lon, city = r.choice(self.points)
            return {
                **blank,
                "city": city,
                "region_code": r.choice(("ENG", "SCT", "WLS", "NIR")),
                "latitude": lat,
                "longitude": lon,
                "postal_code": f"{r.choice('BLMSEGN')}{r.randrange(1, 30)}",
            }
        if kind == "gb_city":
            return {**blank, "city": r.choice(CITIES_NO_COORDS)}
        if kind == "gb_coast":
            lat, lon = r.choice(COAST_POINTS)
            return {**blank, "latitude": lat, "longitude": lon}
        if kind == "gb_sea":
            lat, lon = r.choice(SEA_POINTS)
            return {**blank, "latitude": lat, "longitude": lon}
        if kind == "gb_nothing":
            return blank
        code, country, city, lat, lon = r.choice(FOREIGN)
        return {
            **blank,
            "city": city,
            "country_name": country,
            "country_code": code,
            "latitude": round(lat + r.uniform(-0.2, 0.2), 4),
            "longitude": round(lon + r.uniform(-0.2, 0.2), 4),
        }

    def headers(self, status: str, server: str | None, extra: list[str]) -> str:
        """About 1 KB of response headers: the part of a banner that dominates file size."""
        r = self.rng
        lines = [status]
        if server:
            lines.append(f"Server: {server}")
        lines += [
            f"Date: {r.choice(('Mon', 'Tue', 'Wed', 'Thu', 'Fri'))}, {r.randrange(1, 28):02d} Mar 2025 {r.randrange(24):02d}:{r.randrange(60):02d}:{r.randrange(60):02d} GMT",
            "Content-Type: text/html; charset=UTF-8",
            f"Content-Length: {r.randrange(200, 9000)}",
            "Connection: close",
            f'ETag: "{self.hex(8)}-{self.hex(4)}-{self.hex(8)}"',
            f"Set-Cookie: SESSIONID={self.hex(32)}; path=/; HttpOnly; SameSite=Strict",
            f"Set-Cookie: lang=en; tk={self.hex(24)}; Max-Age={r.randrange(600, 86400)}",
            "X-Frame-Options: SAMEORIGIN",
            "X-XSS-Protection: 1; mode=block",
            "X-Content-Type-Options: nosniff",
            "Cache-Control: no-cache, no-store, must-revalidate",
            "Pragma: no-cache",
            "Content-Security-Policy: default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; "
            f"frame-ancestors 'self'; report-uri /csp/{self.hex(12)}",
            f"Strict-Transport-Security: max-age={r.choice((31536000, 15768000))}; includeSubDomains",
            f"X-Request-Id: {self.hex(8)}-{self.hex(4)}-{self.hex(4)}-{self.hex(4)}-{self.hex(12)}",
            *extra,
        ]
        text = "\r\n".join(lines)
        if len(text) < 950:
            text += f"\r\nX-Trace: {self.hex(max(950 - len(text), 8))}"
        return text + "\r\n\r\n"

    def banner(self, vendor: str, location_kind: str) -> dict:
        r = self.rng
        ip = self.ip()
        if ip in self.hosts:  # another port of a known host: same device maker, same geolocation
            vendor, location, location_kind = self.hosts[ip]
        else:
            location = self.location(location_kind)
            self.hosts[ip] = (vendor, location, location_kind)
        self.last = (vendor, location_kind)
        port = r.choice((80, 443, 554, 8000, 8080, 8443, 37777))
        product, title, server, extra, cpe, ssl = None, "", None, [], [], None
        if vendor == "hikvision":
            style = r.random()
            server = r.choice(("DNVRS-Webs", "App-webs/", "Hikvision-Webs", "webserver"))
            if style < 0.6:
                product = r.choice(("Hikvision IP Camera", "Hikvision DVR", "Hikvision NVR"))
            elif style < 0.8:
                server = r.choice(("DNVRS-Webs", "App-webs/"))  # only the server header tells
            elif style < 0.9:
                extra = ["Location: /doc/page/login.asp?_" + self.hex(10)]
                server = None
            else:
                ssl = {
                    "cert": {
                        "subject": {"CN": "IPC", "O": "Hikvision", "C": "CN"},
                        "issuer": {"CN": "IPC", "O": "Hikvision"},
                    }
                }
                server = None
            cpe = ["cpe:2.3:h:hikvision:ip_camera"] if product else []
            title = r.choice(("", "index", "Document Error: Unauthorized"))
        elif vendor == "dahua":
            style = r.random()
            if style < 0.6:
                product = r.choice(("Dahua DVR", "Dahua IP Camera", "Dahua NVR"))
                server = r.choice((None, "Webs"))
            elif style < 0.85:
                server = "Dahua Rtsp Server"  # an RTSP banner
                port = 554
            else:
                extra = [f"X-Device: DHI-NVR{r.randrange(4104, 5864)}-4KS2"]
            cpe = ["cpe:2.3:h:dahua:dvr"] if product else []
            title = r.choice(("WEB SERVICE", "", "Login"))
        else:
            product = r.choice(
                ("nginx", "Apache httpd", "Boa HTTPd", "lighttpd", "Axis Network Camera", "Uniview NVR", None)
            )
            server = r.choice((product or "Webs", "GoAhead-Webs", "uc-httpd 1.0.0"))
            title = r.choice(("", "Welcome", "NETSurveillance WEB", "Login", "AXIS"))
        status = (
            "RTSP/1.0 401 Unauthorized"
            if port == 554
            else r.choice(("HTTP/1.1 200 OK", "HTTP/1.1 401 Unauthorized", "HTTP/1.0 302 Found"))
        )
        isp, asn = r.choice(ISPS)
        octets = [int(x) for x in ip.split(".")]
        out = {
            "_shodan": {
                "id": f"{self.hex(8)}-{self.hex(4)}-{self.hex(4)}-{self.hex(4)}-{self.hex(12)}",
                "options": {},
                "ptr": True,
                "module": "rtsp" if port == 554 else ("https" if port in (443, 8443) else "http"),
                "crawler": self.hex(40),
            },
            "hash": r.randrange(-(2**31), 2**31),
            "os": None,
            "opts": {},
            "ip": (octets[0] << 24) + (octets[1] << 16) + (octets[2] << 8) + octets[3],
            "isp": isp,
            "port": port,
            "hostnames": [
                f"host{octets[3]}-{octets[2]}-{octets[1]}-{octets[0]}.range{octets[0]}-{octets[1]}.example.net"
            ],
            "location": location,
            "timestamp": f"2025-03-{r.randrange(1, 29):02d}T{r.randrange(24):02d}:{r.randrange(60):02d}:{r.randrange(60):02d}.{r.randrange(10**6):06d}",
            "domains": ["example.net"],
            "org": isp,
            "data": self.headers(status, server, extra),
            "asn": asn,
            "transport": "tcp",
            "ip_str": ip,
        }
        if product:
            out["product"] = product
        if vendor != "other" or r.random() < 0.5:
            out["devicetype"] = r.choice(("webcam", "DVR", "NVR"))
        if port != 554:
            out["http"] = {
                "status": 200,
                "title": title,
                "server": server,
                "host": ip,
                "location": "/",
                "html": f'<!DOCTYPE html><html><head><title>{title}</title><script src="/js/{self.hex(10)}.js"></script></head>'
                f'<body onload="init()"><div id="app" data-v="{self.hex(16)}"></div></body></html>',
                "html_hash": r.randrange(-(2**31), 2**31),
                "headers_hash": r.randrange(-(2**31), 2**31),
                "robots": None,
                "sitemap": None,
                "securitytxt": None,
                "components": {},
                "redirects": [],
                "favicon": {"hash": r.randrange(-(2**31), 2**31), "location": f"http://{ip}:{port}/favicon.ico"},
            }
        if ssl or port in (443, 8443):
            out["ssl"] = ssl or {
                "cert": {
                    "subject": {"CN": ip},
                    "issuer": {"CN": ip},
                    "expired": True,
                    "serial": r.randrange(10**12),
                    "sig_alg": "sha256WithRSAEncryption",
                },
                "versions": ["TLSv1.2", "-TLSv1.3"],
                "cipher": {"name": "ECDHE-RSA-AES128-GCM-SHA256", "bits": 128},
            }
        if cpe:
            out["cpe23"] = cpe
        return out


def _pick(rng: random.Random, mix: dict[str, float]) -> str:
    return rng.choices(list(mix), weights=list(mix.values()))[0]


def make_export(
    path: str | os.PathLike[str],
    areas: gpd.GeoDataFrame,
    banners: int = 200_000,
    *,
    seed: int = 20250301,
    compress: bool = True,
    points: int = 4000,
) -> ExportStats:
    """Write ``banners`` banners (plus a few malformed lines) to ``path``; gzip unless ``compress=False``."""
    rng = random.Random(seed)
    maker = _Maker(rng, uk_points(areas, points, seed))
    stats = ExportStats(Path(path))
    opener = gzip.open(path, "wt", encoding="utf-8", compresslevel=6) if compress else open(path, "w", encoding="utf-8")
    with opener as out:
        for _ in range(banners):
            vendor, location = _pick(rng, VENDOR_MIX), _pick(rng, LOCATION_MIX)
            line = json.dumps(maker.banner(vendor, location), separators=(", ", ": "))
            vendor, location = maker.last
            stats.banners += 1
            stats.by_vendor[vendor] = stats.by_vendor.get(vendor, 0) + 1
            stats.by_location[location] = stats.by_location.get(location, 0) + 1
            if rng.random() < MALFORMED_SHARE:
                stats.malformed += 1
                out.write(rng.choice((line[: len(line) // 2], "<html>502 Bad Gateway</html>", '{"ip_str": ')) + "\n")
            out.write(line + "\n")
    stats.distinct_ips = len(set(maker.ips))
    stats.bytes_written = Path(path).stat().st_size
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="output file (e.g. export.json.gz)")
    parser.add_argument("--banners", type=int, default=200_000)
    parser.add_argument("--plain", action="store_true", help="write plain JSON lines, not gzip")
    parser.add_argument("--seed", type=int, default=20250301)
    args = parser.parse_args(argv)
    from geo.official import areas

    stats = make_export(args.out, areas.load_areas(), args.banners, seed=args.seed, compress=not args.plain)
    print(
        f"wrote {stats.path}: {stats.banners:,} banners + {stats.malformed} malformed lines, "
        f"{stats.bytes_written / 1e6:.1f} MB, {stats.distinct_ips:,} distinct IPs; "
        f"vendors {stats.by_vendor}; locations {stats.by_location}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
