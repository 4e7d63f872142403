"""A local stand-in for Shodan's count API, for unit, AppTest and browser tests (never the internet).

It answers ``GET /shodan/host/count?key=…&query=…&facets=city:N`` the way the documented API
does — ``{"total": n, "facets": {"city": [{"count": c, "value": "London"}, …]}, "matches": []}``,
cities largest first, at most N of them — and ``{"error": "…"}`` bodies with the real status
codes. Point the official ``shodan`` package at it with ``SHODAN_API_URL``::

    with FakeShodan() as fake:
        monkeypatch.setenv("SHODAN_API_URL", fake.url)
        provider = ShodanCountProvider(MEMBER_KEY)

Keys: :data:`MEMBER_KEY` is answered; :data:`FREE_KEY` gets 403 (no membership, as Shodan
answers filters on a free account); any other key gets 401. Queries containing "hikvision" or
"dahua" get that vendor's figures (the instance's ``cities`` and ``totals``, by default
:data:`CITIES` and :data:`TOTALS`; change them between two counts to make a later "month"),
any other query a total of 0.

Misbehaviour on demand: ``fake.script(Reply(429, {...}), ...)`` answers the next calls with
those replies, in order, before answering normally again; ``fake.delay`` (seconds) holds every
answer back (to hit a client timeout). ``fake.requests`` records each call (``Seen``).

The bombs a hostile count server can throw, without holding them in memory here either: a
``Reply`` whose ``body`` is a callable yields the body in pieces (streamed, with no
``Content-Length`` unless ``length`` declares one), ``pace`` seconds apart; ``header_pace``
sends the status line and headers one byte at a time. ``fake.sent`` counts the body bytes
written, so a test can tell that a client stopped reading early.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MEMBER_KEY = "fake-member-key-0123456789abcdef"
FREE_KEY = "fake-free-key-0123456789abcdef"

# GeoIP city names as Shodan's city facet gives them: big cities, an alias ("Hull"), a town in a
# borough ("Ilford"), ambiguous names ("Newport", "Kingston", "Bangor") and misspellings.
CITIES: dict[str, dict[str, int]] = {
    "hikvision": {
        "London": 21_500,
        "Birmingham": 3_120,
        "Manchester": 2_650,
        "Leeds": 1_810,
        "Liverpool": 1_720,
        "Glasgow": 1_460,
        "Bristol": 1_210,
        "Leicester": 1_100,
        "Sheffield": 1_050,
        "Nottingham": 950,
        "Cardiff": 900,
        "Newcastle upon Tyne": 820,
        "Belfast": 700,
        "Preston": 610,
        "Hull": 505,
        "Newport": 420,
        "Edinbrugh": 380,
        "Croydon": 310,
        "Ilford": 260,
        "Kingston": 150,
        "Sheffeild": 95,
    },
    "dahua": {
        "London": 9_800,
        "Birmingham": 1_400,
        "Manchester": 1_230,
        "Leeds": 800,
        "Liverpool": 700,
        "Glasgow": 610,
        "Bristol": 520,
        "Cardiff": 400,
        "Newport": 180,
        "Ilford": 140,
        "Edinbrugh": 120,
        "Bangor": 90,
    },
}
TOTALS = {"hikvision": 52_340, "dahua": 21_870}
UNMATCHED = ("Edinbrugh", "Sheffeild")
AMBIGUOUS = ("Newport", "Kingston", "Bangor")
COUNT_PATH = "/shodan/host/count"


@dataclass(frozen=True)
class Reply:
    """A scripted answer: status, body (a dict is sent as JSON; str/bytes as they are; a callable
    returning byte pieces is streamed) and headers; ``pace`` seconds between body pieces,
    ``header_pace`` between the bytes of the status line and headers, ``length`` a declared
    Content-Length for a streamed body."""

    status: int
    body: dict | list | str | bytes | Callable[[], Iterable[bytes]] = b""
    headers: dict[str, str] = field(default_factory=dict)
    pace: float = 0.0
    header_pace: float = 0.0
    length: int | None = None


@dataclass(frozen=True)
class Seen:
    """One request the fake received."""

    path: str
    params: dict[str, str]
    at: float  # time.monotonic() on arrival


def vendor_of(query: str) -> str | None:
    """Which vendor's figures a query gets."""
    lowered = query.lower()
    return next((v for v in CITIES if v in lowered), None)


def expected(
    vendor: str, size: int = 1000, cities: dict[str, dict[str, int]] | None = None, totals: dict[str, int] | None = None
) -> tuple[int, list[tuple[str, int]]]:
    """What the fake answers for ``vendor`` with a city facet of ``size``: total and cities
    (of ``cities``/``totals``, by default :data:`CITIES` and :data:`TOTALS`)."""
    ranked = sorted((cities or CITIES)[vendor].items(), key=lambda item: -item[1])[:size]
    return (totals or TOTALS)[vendor], ranked


def count_answer(
    query: str, facets: str, cities: dict[str, dict[str, int]] | None = None, totals: dict[str, int] | None = None
) -> dict:
    """The JSON body for a successful count."""
    vendor = vendor_of(query)
    answer: dict = {"total": (totals or TOTALS)[vendor] if vendor else 0, "matches": [], "facets": {}}
    for spec in filter(None, facets.split(",")):
        name, _, size = spec.partition(":")
        limit = int(size) if size.isdigit() else 10
        cities_ = expected(vendor, limit, cities, totals)[1] if vendor and name == "city" else []
        answer["facets"][name] = [{"count": count, "value": value} for value, count in cities_]
    return answer


class FakeShodan:
    """The fake server, on 127.0.0.1 and a free port, in a background thread (use ``with``)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        # The figures answered: vendor → city → results, and vendor → total (change them between counts).
        self.cities: dict[str, dict[str, int]] = {vendor: dict(found) for vendor, found in CITIES.items()}
        self.totals: dict[str, int] = dict(TOTALS)
        self.requests: list[Seen] = []
        self.sent = 0  # body bytes written, all answers together
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                try:
                    fake._answer(self)
                except (TimeoutError, BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a cap, a deadline, a timeout)

            def log_message(self, *args: object) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        """The base URL for ``SHODAN_API_URL``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def script(self, *replies: Reply) -> None:
        """Answer the next calls with ``replies``, in order."""
        with self._lock:
            self._script.extend(replies)

    def __enter__(self) -> FakeShodan:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next_script(self) -> Reply | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _reply_for(self, path: str, params: dict[str, str]) -> Reply:
        scripted = self._next_script()
        if scripted is not None:
            return scripted
        if path != COUNT_PATH:
            return Reply(404, {"error": "No information available for that path."})
        key = params.get("key", "")
        if key == FREE_KEY:
            return Reply(403, {"error": "Access denied (403 Forbidden)"})
        if key != MEMBER_KEY:
            return Reply(401, {"error": "Invalid API key"})
        if not params.get("query"):
            return Reply(400, {"error": "Empty search query"})
        return Reply(200, count_answer(params["query"], params.get("facets", ""), self.cities, self.totals))

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.requests.append(Seen(parts.path, params, time.monotonic()))
        reply = self._reply_for(parts.path, params)
        if self.delay:
            time.sleep(self.delay)
        body = reply.body
        streamed = callable(body)
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        headers = {"Content-Type": "application/json", **reply.headers}
        if not streamed:
            headers["Content-Length"] = str(len(body))
        elif reply.length is not None:
            headers["Content-Length"] = str(reply.length)
        else:
            headers["Connection"] = "close"  # the body ends when the connection does
            handler.close_connection = True
        head = f"HTTP/1.1 {reply.status} Fake\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        out = handler.wfile
        if reply.header_pace:
            for byte in head.encode("latin-1"):
                out.write(bytes([byte]))
                out.flush()
                time.sleep(reply.header_pace)
        else:
            out.write(head.encode("latin-1"))
        for piece in body() if streamed else [body]:
            out.write(piece)
            out.flush()
            self.sent += len(piece)
            if reply.pace:
                time.sleep(reply.pace)
