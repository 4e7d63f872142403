"""Downloading over HTTP with retries: transient failures are tried again with backoff.

:func:`get` returns a response body; :func:`save` streams one to a file. Both retry
HTTP 429/5xx answers, reset or refused connections and timeouts as a :class:`Retry`
policy says (4 tries in all, waiting 1 s, then 2 s, 4 s), say what they do through
``progress``, and raise :class:`Unreachable` with the last reason when every try failed
or the failure is not worth retrying (HTTP 404, no DNS, no network). Callers turn that
into their own one-line user error.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

Progress = Callable[[str], None]
T = TypeVar("T")

USER_AGENT = "uk-camera-atlas (python urllib)"
# Statuses a server sends when it is briefly overloaded or restarting.
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Retry:
    """How patiently to download: ``attempts`` tries in all, the first wait ``backoff``
    seconds and each next one twice as long; ``timeout`` per request; ``sleep`` waits
    (tests pass a recorder instead of :func:`time.sleep`)."""

    attempts: int = 4
    backoff: float = 1.0
    timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep


DEFAULT_RETRY = Retry()


class Unreachable(Exception):
    """Every try failed; ``reason`` says why in a few words (no traceback, one line)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _quiet(_: str) -> None:
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    reason = getattr(exc, "reason", None) or exc
    text = " ".join(str(reason).split()) or type(reason).__name__
    return text


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code in _RETRY_STATUS or exc.code >= 500
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
        if isinstance(exc, urllib.error.URLError):
            return False  # a plain message, e.g. "unknown url type"
    if isinstance(exc, socket.gaierror):
        return False  # no DNS: the machine is offline, trying again will not help
    return isinstance(
        exc,
        (ConnectionResetError, ConnectionAbortedError, ConnectionRefusedError, BrokenPipeError,
         TimeoutError, socket.timeout, http.client.IncompleteRead, http.client.RemoteDisconnected),
    )  # fmt: skip


def _with_retries(what: str, attempt: Callable[[], T], retry: Retry, progress: Progress) -> T:
    delay = retry.backoff
    for number in range(1, retry.attempts + 1):
        try:
            return attempt()
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if not _is_transient(exc) or number == retry.attempts:
                raise Unreachable(_reason(exc)) from None
            progress(f"{what}: {_reason(exc)}, trying again in {delay:g} s (try {number + 1} of {retry.attempts})")
            retry.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def _open(url: str, timeout: float):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    return urllib.request.urlopen(request, timeout=timeout)


def get(url: str, what: str, *, retry: Retry = DEFAULT_RETRY, progress: Progress | None = None) -> bytes:
    """The body of ``url`` (read whole), retrying transient failures. ``what`` names it in progress lines."""

    def attempt() -> bytes:
        with _open(url, retry.timeout) as response:
            return response.read()

    return _with_retries(what, attempt, retry, progress or _quiet)


def save(url: str, target: Path, what: str, *, retry: Retry = DEFAULT_RETRY, progress: Progress | None = None) -> Path:
    """Stream ``url`` into ``target`` through a ``.part`` file (never a half-written target)."""
    report = progress or _quiet
    partial = target.with_suffix(target.suffix + ".part")

    def attempt() -> Path:
        written = 0
        next_report = 8 << 20
        try:
            with _open(url, retry.timeout) as response, open(partial, "wb") as out:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    written += len(chunk)
                    if written >= next_report:
                        report(f"{what}: {written / 1e6:.0f} MB")
                        next_report += 8 << 20
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(target)
        report(f"{what}: {written / 1e6:.1f} MB downloaded")
        return target

    return _with_retries(what, attempt, retry, report)
