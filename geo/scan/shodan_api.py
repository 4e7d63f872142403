"""Shodan as a :class:`geo.scan.provider.CountProvider`: ``/shodan/host/count`` through the official ``shodan`` package.

One call per query: ``api.count(query, facets=[("city", N)])``. Count calls spend no query
credits, but the ``country:`` and ``product:`` filters need a Shodan membership or API plan.

What this module adds to the package, and why:

* **Bounds on every call.** ``shodan.Shodan`` calls ``requests`` without a timeout, follows
  redirects and reads any answer whole. A mounted :class:`geo.scan.http.BoundedAdapter`
  gives each request ``(CONNECT_TIMEOUT, timeout)``, an overall ``deadline``
  (:data:`geo.scan.http.DEADLINE`), a size cap (:data:`geo.scan.http.MAX_ANSWER_BYTES`,
  read streamed) and refuses redirects; the package still makes the call and parses the answer.
* **Status codes.** The package turns every failure into ``shodan.APIError(text)`` and keeps
  the HTTP status only for 401/403/502; a response hook records the status (and any
  ``Retry-After``) so 429 and 5xx can be told apart from a refused query.
* **One-line errors without the key.** Each failure becomes a :class:`geo.scan.provider.ScanError`
  (or :class:`geo.scan.provider.TransientError` for 429 and 5xx, which :func:`geo.scan.provider.scan` retries),
  naming the problem and the fix. The key travels in the URL (``?key=``), so every message
  is scrubbed of it in every spelling (:mod:`geo.scan.key_scrub`: cased, spaced out, URL-encoded,
  ...), ``repr`` hides it, the log lines of urllib3, requests and shodan are scrubbed while a
  call runs, and an answer whose city names echo the key is refused. An answer nested too
  deep for the JSON parser is "malformed", not a RecursionError.
* **Pacing is left to the scan.** The package's own 1 request/second wait is switched off
  (``api_rate_limit = 0``) because :func:`geo.scan.provider.scan` paces every provider the same way.

``SHODAN_API_URL`` (read by the package) points the client at another server; the tests use
it to talk to a local fake.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import metadata
from typing import Any, TypeGuard

import requests
import shodan

from geo import settings
from geo.core.text import shown
from geo.scan import http as count_http
from geo.scan.key_scrub import LogScrub, Scrubber, http_loggers
from geo.scan.provider import CountResult, ScanError, TransientError

KEY_ENV = settings.SHODAN_API_KEY
DEFAULT_TIMEOUT = 30.0  # seconds to wait for each read (a faceted count takes a few)
CONNECT_TIMEOUT = 10.0
MAX_SCRUBBED = 16_384  # characters of a server's error text searched for the key (16 KB: it shows 160)
ACCOUNT_URL = "https://account.shodan.io"
SERVER_FIX = "check that SHODAN_API_URL (if set) points at the Shodan API"
MEMBERSHIP_FIX = (
    "the country: and product: filters need a Shodan membership or API plan: "
    f"upgrade at {ACCOUNT_URL}/billing, or use a key from an account that has one"
)
_TRANSIENT_STATUS = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_PLAN_WORDS = ("membership", "upgrade", "api plan", "paid account", "paid plan")


class ShodanCountProvider:
    """Counts through Shodan's ``/shodan/host/count`` with the user's own API key.

    ``ShodanCountProvider(key)`` with the key as the user gave it (a page passes it straight
    from the form; the command line reads :data:`KEY_ENV`, see :func:`from_env`). ``timeout``
    bounds each wait for data, ``deadline`` a whole call and ``max_bytes`` an answer's size;
    ``base_url`` overrides the API address (else ``SHODAN_API_URL``, else api.shodan.io).
    """

    name = "Shodan"
    min_interval = 1.0  # Shodan allows about one request a second
    source = "Shodan count API (/shodan/host/count)"
    source_url = "https://developer.shodan.io/api"
    server_fix = SERVER_FIX

    def __init__(
        self,
        key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        deadline: float = count_http.DEADLINE,
        max_bytes: int = count_http.MAX_ANSWER_BYTES,
        base_url: str | None = None,
    ) -> None:
        key = (key or "").strip()
        if not key:
            raise ScanError(f"no Shodan API key given: copy yours from {ACCOUNT_URL}")
        self.version = f"shodan {metadata.version('shodan')}"
        self.timeout = float(timeout)
        self.deadline = float(deadline)
        self._key = key
        self._scrubber = Scrubber(key)
        self._api = shodan.Shodan(key)
        self._api.api_rate_limit = 0  # scan() paces the calls
        if base_url:
            self._api.base_url = base_url.rstrip("/")
        adapter = count_http.BoundedAdapter(
            self.name,
            SERVER_FIX,
            (min(CONNECT_TIMEOUT, self.timeout), self.timeout),
            deadline=self.deadline,
            max_bytes=max_bytes,
        )
        self._api._session.mount("http://", adapter)
        self._api._session.mount("https://", adapter)
        self._api._session.max_redirects = 0  # the adapter refuses redirects; this is the second lock
        self._api._session.hooks["response"].append(self._remember)
        self._last: requests.Response | None = None

    def __repr__(self) -> str:
        return f"ShodanCountProvider({self.version!r}, timeout={self.timeout:g}, deadline={self.deadline:g})"

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        self._last = response
        return response

    def count(self, query: str, facet: str, size: int) -> CountResult:
        """``query``'s total and its ``size`` largest ``facet`` values; :class:`ScanError` on failure."""
        self._last = None
        scrub = LogScrub(self._scrubber)
        loggers = http_loggers()
        for logger in loggers:
            logger.addFilter(scrub)
        try:
            try:
                answer = self._api.count(query, facets=[(facet, int(size))])
            except shodan.APIError as err:
                raise self._error(err) from None
            except RecursionError:
                raise malformed("JSON nested deeper than a count answer can be") from None
            result = parse_count(answer, facet, size)
            if any(self._scrubber.holds(name) for name, _ in result.facets.get(facet, ())):
                raise malformed(f"a {facet} name echoes your API key")
            return result
        except TransientError:
            raise  # its words are ours, never the server's
        except ScanError as err:
            # Server text reaches these messages (error bodies, names, values): the key goes, in any spelling.
            raise ScanError(self._scrub(str(err))) from None
        finally:
            for logger in loggers:
                logger.removeFilter(scrub)

    def _error(self, err: shodan.APIError) -> ScanError:
        """The one-line error for a failed call (never with the key in it)."""
        cause = err.__context__
        if isinstance(cause, ScanError):
            return cause  # the adapter refused the answer (redirect, size, deadline): its line says why
        text = (
            shown(self._scrub(" ".join(str(getattr(err, "value", err))[:MAX_SCRUBBED].split())), 160)
            or type(err).__name__
        )
        status = self._last.status_code if self._last is not None else None
        if status is None and isinstance(cause, requests.Timeout):
            connecting = isinstance(cause, requests.ConnectTimeout)
            waited = min(CONNECT_TIMEOUT, self.timeout) if connecting else self.timeout
            return ScanError(
                f"Shodan did not answer within {waited:g} s ({'connecting' if connecting else 'connection hung'}): "
                "check your internet connection and try again later"
            )
        if status is None and isinstance(cause, requests.RequestException):
            return ScanError(
                f"cannot reach Shodan ({type(cause).__name__}): check your internet connection "
                "(and proxy settings), then try again"
            )
        lowered = text.lower()
        if status == 403:
            return ScanError(f"Shodan refused the count (403 Forbidden): {MEMBERSHIP_FIX}")
        if any(word in lowered for word in _PLAN_WORDS):
            return ScanError(f"Shodan refused the count ({text}): {MEMBERSHIP_FIX}")
        if status == 401 or "invalid api key" in lowered:
            return ScanError(
                f"Shodan refused the API key (401 Unauthorized: {text}): copy the key from {ACCOUNT_URL} and try again"
            )
        if status == 429 or "rate limit" in lowered:
            return TransientError(
                "Shodan's rate limit was reached (429 Too Many Requests)",
                "wait a minute and scan again; Shodan allows about one request a second",
                self._retry_after(),
            )
        if status in _TRANSIENT_STATUS:
            return TransientError(
                f"Shodan's server failed ({status} {_TRANSIENT_STATUS[status]})",
                "Shodan is having trouble: try again in a few minutes",
                self._retry_after(),
            )
        if status == 404:
            return ScanError(
                "Shodan's count endpoint was not found (404): check SHODAN_API_URL if you set it, else try again later"
            )
        if "unable to parse json" in lowered and self._last is not None and not self._last.content.strip():
            return ScanError(f"Shodan's answer was empty (HTTP {status}): try again in a few minutes")
        if "unable to parse json" in lowered:
            return ScanError(
                f"Shodan's answer was not JSON (HTTP {status}): try again later; if it persists, "
                "check that SHODAN_API_URL (if set) points at the Shodan API"
            )
        return ScanError(
            f"Shodan refused the query ({status or 'error'}: {text}): check the query in data/scan_queries.csv"
        )

    def _retry_after(self) -> float | None:
        value = self._last.headers.get("Retry-After") if self._last is not None else None
        try:
            return max(float(value), 0.0) if value is not None else None
        except ValueError:
            return None

    def _scrub(self, text: str) -> str:
        return self._scrubber.scrub(text)


def from_env(environ: Mapping[str, str] | None = None, **options: Any) -> ShodanCountProvider:
    """The provider with the key from ``SHODAN_API_KEY``; a one-line error when it is unset."""
    key = settings.text(KEY_ENV, environ)
    if not key:
        raise ScanError(
            f"{KEY_ENV} is not set: copy your API key from {ACCOUNT_URL} and run export {KEY_ENV}=<your key>"
        )
    return ShodanCountProvider(key, **options)


def malformed(what: str) -> ScanError:
    """The one-line error for an answer that is not what the count API documents."""
    return ScanError(
        f"Shodan's answer is malformed ({what}): try again later; if it persists, {SERVER_FIX}, else report it to Shodan"
    )


def parse_count(answer: object, facet: str, size: int | None = None) -> CountResult:
    """Check a ``/shodan/host/count`` answer and turn it into a :class:`CountResult`.

    Required: ``total`` (a whole number ≥ 0) and ``facets[facet]``, a list of at most ``size``
    ``{"value": str, "count": int ≥ 0}``. Fewer facet entries than asked is normal (a city
    list shorter than N); more than asked, a missing ``facets`` key or non-integer counts are
    malformed (:func:`geo.scan.provider.scan` checks the rest of the contract for every provider).
    Repeated names are kept (:func:`geo.scan.summary.summarise` sums names that differ only
    in spelling).
    """
    if not isinstance(answer, dict) or not answer:
        raise malformed("empty answer" if not answer else f"a JSON {_kind(answer)}, not an object")
    total = answer.get("total")
    if not _count_like(total):
        raise malformed(f"total is {_describe(total)}, not a whole number")
    facets = answer.get("facets")
    if not isinstance(facets, dict):
        raise malformed("no facets in the answer" if facets is None else f"facets is {_describe(facets)}")
    entries = facets.get(facet)
    if not isinstance(entries, list):
        raise malformed(f"no {facet} facet" if entries is None else f"the {facet} facet is {_describe(entries)}")
    if size is not None and len(entries) > size:
        # Checked before any entry is read: the work stays bounded by what was asked.
        raise malformed(f"{len(entries):,} {facet} entries, more than the {size:,} asked for")
    pairs: list[tuple[str, int]] = []
    for position, entry in enumerate(entries, start=1):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("value", None), (str, int))
            or isinstance(entry.get("value"), bool)
        ):
            raise malformed(f"{facet} facet entry {position} has no value")
        value, count = str(entry["value"]).strip(), entry.get("count")
        if not _count_like(count):
            raise malformed(f"{facet} '{shown(value)}' has count {_describe(count)}")
        pairs.append((value, int(count)))
    pairs.sort(key=lambda pair: -pair[1])
    return CountResult(int(total), {facet: tuple(pairs)})


def _count_like(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _kind(value: object) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean", float: "number", int: "number"}.get(
        type(value), type(value).__name__
    )


def _describe(value: object) -> str:
    """A server's value as a message quotes it: scalars shown (cut short), containers by kind only
    (a repr of a deep or huge container would cost what the caps save)."""
    if isinstance(value, (dict, list)):
        return f"a JSON {_kind(value)}"
    if value is None:
        return "null"
    return f"'{shown(value, 40)}'" if isinstance(value, str) else shown(repr(value), 40)
