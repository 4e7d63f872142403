"""Bounded HTTP for a count API: no redirects, at most :data:`MAX_ANSWER_BYTES`, one deadline per call.

:class:`BoundedAdapter` is a ``requests`` transport adapter, mounted on the session of the
official client (``shodan.Shodan``), so every call the package makes goes through it and the
package still parses the answer. What it adds, and why:

* **A timeout per read** (``requests`` has none by default): a silent server fails after
  ``timeout`` seconds instead of hanging the scan for ever.
* **A deadline per call.** A per-read timeout does not bound a server that sends one byte a
  second (each read succeeds; the answer never ends). A timer started with the call shuts
  the connection's socket down at the deadline, which ends any blocked read, whether the
  server trickles its headers or its body; the call then fails with one line.
* **A size cap.** The body is read in pieces of at most :data:`CHUNK` bytes (after any
  gzip decoding, which urllib3 does piece by piece) and the call fails once it passes
  ``max_bytes``; a declared ``Content-Length`` above the cap is refused before reading. An
  answer is never held whole before it is known to be small.
* **No redirects.** A count API answers in place; a redirect (to another host, or another
  port on this one) means the address is wrong or the server hostile. The adapter refuses
  any 3xx with a ``Location`` before the session could follow it, naming only the target's
  host (the URL's query would carry the key).

Every refusal is a :class:`geo.scan.provider.ScanError` raised inside the client's call; the
``shodan`` package wraps it as ``APIError("Unable to connect")`` with the ScanError as its
``__context__``, where :mod:`geo.scan.shodan_api` finds it again.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from geo.core.text import shown
from geo.scan.provider import ScanError

MB = 1024 * 1024
# A 10,000-city answer is about 0.5 MB (1.3 MB if every name had the longest length a place
# may have). The cap leaves room for that and bounds what parsing may cost: JSON of tiny
# objects ("[{},{},…]") grows about 20x once parsed, so 4 MB stays under ~100 MB in memory.
MAX_ANSWER_BYTES = 4 * MB
DEADLINE = 60.0  # seconds for a whole call: connecting, headers and body
CHUNK = 64 * 1024

_current = threading.local()  # the watch of the call running on this thread


class _Watch:
    """Shuts the call's connection down when the deadline passes (ending any blocked read)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.fired = False
        self.connection: Any = None
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watch:
        _current.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _current.watch = None

    def _fire(self) -> None:
        self.fired = True
        sock = getattr(self.connection, "sock", None)
        if isinstance(sock, socket.socket):
            try:
                # The plain socket's shutdown, also for a TLS socket: it wakes the reading
                # thread without touching the TLS object that thread is using.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def passed(self) -> bool:
        return self.fired or time.monotonic() >= self.ends_at


def _watched(pool_class: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    """``pool_class`` telling the running call's watch which connection it hands out."""

    class Watched(pool_class):  # type: ignore[valid-type, misc]  # a base chosen at run time: mypy checks only static ones
        def _get_conn(self, timeout: float | None = None):
            conn = super()._get_conn(timeout)
            watch = getattr(_current, "watch", None)
            if watch is not None:
                watch.connection = conn
            return conn

    Watched.__name__ = f"Watched{pool_class.__name__}"
    return Watched


_POOLS = {"http": _watched(HTTPConnectionPool), "https": _watched(HTTPSConnectionPool)}


class BoundedAdapter(HTTPAdapter):
    """An adapter for one API: per-read ``timeout``, per-call ``deadline``, ``max_bytes``, no redirects.

    ``name`` ("Shodan") and ``server_fix`` (what to check when the server misbehaves) word
    the one-line errors.
    """

    def __init__(
        self,
        name: str,
        server_fix: str,
        timeout: tuple[float, float],
        *,
        deadline: float = DEADLINE,
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.name, self.server_fix = name, server_fix
        self.timeout, self.deadline, self.max_bytes = timeout, float(deadline), int(max_bytes)
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if getattr(manager, "pool_classes_by_scheme", None) is not None and not proxy.startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> Response:
        with _Watch(self.deadline) as watch:
            try:
                response = super().send(
                    request, stream=True, timeout=timeout or self.timeout, verify=verify, cert=cert, proxies=proxies
                )
            except Exception:
                if watch.passed:
                    raise self._late() from None
                raise
            try:
                self._refuse_redirect(response)
                body = self._read(response, watch)
            except BaseException:
                response.close()  # never hand a half-read connection back to the pool
                raise
        response._content = body  # what .content, .text and .json() read from now on
        response._content_consumed = True
        if not response.encoding:
            response.encoding = "utf-8"  # JSON is UTF-8 (RFC 8259): no guessing over a large body
        return response

    def _refuse_redirect(self, response: Response) -> None:
        if not response.is_redirect:
            return
        target = urlsplit(urljoin(response.url or "", response.headers.get("location", "")))
        host = target.hostname or "the same server"
        if target.port is not None:
            host = f"{host}:{target.port}"
        raise ScanError(
            f"{self.name}'s answer redirects elsewhere (HTTP {response.status_code} to {shown(host)}), which is not "
            f"followed: {self.server_fix}"
        )

    def _read(self, response: Response, watch: _Watch) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise self._large(f"it declared {int(declared) / MB:,.1f} MB")
        pieces: list[bytes] = []
        size = 0
        try:
            while True:
                # read1: whatever has arrived (up to CHUNK), so the checks run as data trickles in.
                piece = response.raw.read1(CHUNK, decode_content=True)
                if watch.passed:
                    raise self._late()
                if not piece:
                    break
                size += len(piece)
                if size > self.max_bytes:
                    raise self._large(f"still arriving past {self.max_bytes / MB:g} MB")
                pieces.append(piece)
        except ScanError:
            raise
        except Exception:
            if watch.passed:
                raise self._late() from None
            raise
        return b"".join(pieces)

    def _large(self, how: str) -> ScanError:
        return ScanError(
            f"{self.name}'s answer is larger than {self.max_bytes / MB:g} MB ({how}; a 10,000-city count is under "
            f"1 MB), so it was not read further: {self.server_fix}"
        )

    def _late(self) -> ScanError:
        return ScanError(
            f"{self.name} did not finish answering within {self.deadline:g} s: try again later; "
            f"if it persists, {self.server_fix}"
        )
