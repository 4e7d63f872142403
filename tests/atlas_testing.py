"""Constants and helpers shared by the unit tests (imported by name: ``from atlas_testing import …``)."""

from __future__ import annotations

import io
import re
import socket
import threading
import zipfile
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_ID = "top10vpn-2021"
MIRROR_ENV = "CAMERA_ATLAS_GEO_MIRROR"
DATA_ENV = "CAMERA_ATLAS_DATA_DIR"

# Published figures the tests check against (ONS mid-2022, TOP10VPN November 2021).
UK_POPULATION = 67_596_281
UK_NETWORKS = 277_986
MAPPED_NETWORKS = 82_762
GREATER_LONDON_POPULATION = 8_866_180
LONDON_NETWORKS = 61_504


def zipped(files: dict[str, bytes]) -> bytes:
    """A zip archive holding ``files`` (name -> bytes), as a user might upload one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def assert_one_line(err: BaseException, *needles: str) -> str:
    """Assert ``err`` reads as one line naming the problem and the fix; return the message."""
    message = str(err)
    assert message, "empty error message"
    assert "\n" not in message, f"message spans several lines: {message!r}"
    assert ":" in message, f"message names no fix (expected 'problem: fix'): {message!r}"
    assert "Traceback" not in message
    lowered = message.lower()
    for needle in needles:
        assert needle.lower() in lowered, f"{needle!r} not in {message!r}"
    return message


# -- hostile strings for escaping tests ---------------------------------------------------

HOSTILE = "<script>alert(1)</script>"
QUOTES = 'Tom & Jerry\'s "place"'
HOSTILE_ATTRIBUTION = '</script><img src=x onerror=alert(2)> "Mail" & Co'


def unjs(text: str) -> str:
    """What script string literals hold once the browser has parsed them (every \\uXXXX escape decoded)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def assert_map_escapes_hostile_strings(html: str) -> str:
    """Assert no hostile string reaches a map's HTML raw, and each arrives escaped; returns the decoded text."""
    text = unjs(html)
    for raw in (HOSTILE, QUOTES, "<img src=x", 'Jerry\'s "place"'):
        assert raw not in html
        assert raw not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Tom &amp; Jerry&#x27;s &quot;place&quot;" in text
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &quot;Mail&quot; &amp; Co" in text
    return text


# -- a local HTTP server for network code (tests never reach the internet) ---------------


class LocalServer:
    """An HTTP server on 127.0.0.1 answering GETs with ``respond(path_with_query)``.

    ``respond`` returns ``(status, body, content_type)`` or ``(status, body, content_type,
    headers)``, or ``None`` to close the connection without a word (the client sees the
    connection dropped). ``requests`` records every path asked for, in order. Slow answers
    never hold up shutdown, and a client that gave up mid-answer is ignored. Use as a
    context manager.
    """

    def __init__(self, respond: Callable[[str], tuple | None]) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                reply = respond(self.path)
                if reply is None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, body, content_type, *extra = reply
                try:
                    self.send_response(status)
                    for name, value in {"Content-Type": content_type, **(extra[0] if extra else {})}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: object) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
