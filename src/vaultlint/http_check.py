"""Checking external ``http(s)`` links: one polite Session, a bounded pool of threads, a disk cache.

How one URL is checked (:meth:`HttpChecker.check`):

- **HEAD first**, following redirects. A HEAD answer below 400 is trusted: the link
  works. When HEAD is refused (405, 501), answers another error status (some
  servers mishandle HEAD; not 429, 502, 503 or 504, which a GET would get too), or
  the connection breaks, a **streamed GET** follows (the body is never read), and
  its answer is the verdict: when
  HEAD and GET disagree, GET wins, since it is what a browser sees. A server that
  answers HEAD with 200 and GET with 404 is therefore not detected: finding it
  would cost a GET, and a download, for every working link.
- **Retries**: 429 and 5xx answers are retried (``max_retries`` times), waiting what
  ``Retry-After`` asks (seconds or an HTTP date) or else an exponential back-off
  (``backoff``, doubled each time). A wait longer than ``max_wait`` is not made:
  the answer stands.
- **Timeouts**: ``(connect, read)`` seconds on every request.
- **Politeness**: at most ``per_host`` requests in flight per host (the link's own
  host), and at most ``max_workers`` in all; a Retry-After wait keeps the host's
  slot, so nothing else is sent to that host meanwhile.
- **Redirects**: the answer records where the leading permanent redirects (301,
  308) lead (``moved_to``), when the final answer is a success; a temporary
  redirect (302, 303, 307) ends that run, so a link is only ever moved to where
  the server said it moved for good.

Outcomes (:class:`LinkResult.outcome`): ``ok``; ``broken`` (404, 410); ``dns`` (the
host name does not resolve); ``tls`` (certificate or handshake error); ``timeout``;
``connection`` (refused, reset); ``server-error`` (5xx after the retries);
``client-error`` (another 4xx); ``redirect-loop``; ``invalid`` (not a URL requests
can ask); ``restricted`` (401, 403: the page exists behind a login or a bot
wall); ``rate-limited`` (429 after the retries); ``unknown`` (any other status).

:class:`LinkCache` keeps definite answers (``ok`` and ``broken``) as one small JSON
file per URL, written atomically, for a configurable lifetime. Transient failures
(timeouts, DNS, 5xx...) are never cached: the next run asks again.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from . import __version__
from .cache import mark_ignored, write_bytes_atomically
from .records import dataclass

if TYPE_CHECKING:
    import requests

# requests (with urllib3, http.client), ssl and the thread pool are imported
# where links are checked: every run loads this module through the
# broken-external-link rule, but only a run with --online asks a server anything.

DEFAULT_TIMEOUT = (5.0, 15.0)
DEFAULT_USER_AGENT = f"vaultlint/{__version__} (Obsidian vault linter; link check; python-requests)"
DEFAULT_CACHE_LIFETIME = 7 * 24 * 3600.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# HEAD answers that a GET would get too (rate limiting, a gateway or server down):
# every other error status is confirmed with a GET.
NOT_METHOD_SPECIFIC = frozenset({429, 502, 503, 504})
PERMANENT_REDIRECTS = frozenset({301, 308})

OK = "ok"
BROKEN = "broken"
DNS = "dns"
TLS = "tls"
TIMEOUT = "timeout"
CONNECTION = "connection"
SERVER_ERROR = "server-error"
CLIENT_ERROR = "client-error"
REDIRECT_LOOP = "redirect-loop"
INVALID = "invalid"
RESTRICTED = "restricted"
RATE_LIMITED = "rate-limited"
UNKNOWN = "unknown"
CACHEABLE = frozenset({OK, BROKEN})


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What checking one URL found.

    ``status``: the deciding HTTP status (``None`` when no answer came);
    ``final_url``: where the redirects ended; ``moved_to``: where the leading
    permanent redirects lead, when the final answer is a success; ``method``: the
    request whose answer decided (``HEAD`` or ``GET``); ``attempts``: requests made
    for it, retries included; ``detail``: the reason, for messages.
    """

    url: str
    outcome: str
    status: int | None = None
    final_url: str | None = None
    moved_to: str | None = None
    moved_status: int | None = None
    method: str = "HEAD"
    attempts: int = 0
    detail: str = ""
    checked_at: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> LinkResult:
        return cls(
            url=str(data["url"]),
            outcome=str(data["outcome"]),
            status=data.get("status"),
            final_url=data.get("final_url"),
            moved_to=data.get("moved_to"),
            moved_status=data.get("moved_status"),
            method=str(data.get("method", "HEAD")),
            attempts=int(data.get("attempts", 0)),
            detail=str(data.get("detail", "")),
            checked_at=float(data.get("checked_at", 0.0)),
        )


def status_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def retry_after(response: requests.Response) -> float | None:
    """Seconds ``Retry-After`` asks to wait (delta-seconds or an HTTP date), or ``None``."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    import email.utils  # with what it imports, a tenth of a pre-commit run's imports; online runs only

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _chain(error: BaseException) -> list[object]:
    """The error and what it wraps (requests -> urllib3 -> socket/ssl), breadth first, bounded."""
    seen: list[object] = []
    queue: list[object] = [error]
    while queue and len(seen) < 32:
        item = queue.pop(0)
        if item is None or any(item is other for other in seen):
            continue
        seen.append(item)
        if isinstance(item, BaseException):
            queue.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
            queue.extend(arg for arg in item.args if isinstance(arg, BaseException))
    return seen


def _is_dns_failure(error: BaseException) -> bool:
    import socket

    from urllib3.exceptions import NameResolutionError

    for item in _chain(error):
        if isinstance(item, (NameResolutionError, socket.gaierror)):
            return True
    text = str(error)
    return any(sign in text for sign in ("Name or service not known", "nodename nor servname", "getaddrinfo failed", "Temporary failure in name resolution"))


def _tls_reason(error: BaseException) -> str:
    import ssl

    for item in _chain(error):
        if isinstance(item, ssl.SSLCertVerificationError) and item.verify_message:
            return f"certificate verify failed: {item.verify_message}"
    for item in _chain(error):
        if isinstance(item, ssl.SSLError) and getattr(item, "reason", None):
            return str(item.reason).replace("_", " ").lower()
    return "TLS handshake failed"


def _connection_reason(error: BaseException) -> str:
    for item in _chain(error):
        if isinstance(item, ConnectionRefusedError):
            return "connection refused"
        if isinstance(item, ConnectionResetError):
            return "connection reset"
    text = str(error)
    if "RemoteDisconnected" in text or "closed connection without response" in text:
        return "the server closed the connection without an answer"
    return type(error).__name__


def classify_error(url: str, error: requests.RequestException, method: str, attempts: int) -> LinkResult:
    """A request that got no answer, as an outcome with a reason."""
    import requests

    if isinstance(error, requests.exceptions.SSLError):
        outcome, detail = TLS, _tls_reason(error)
    elif isinstance(error, requests.exceptions.Timeout):
        outcome, detail = TIMEOUT, "connect" if isinstance(error, requests.exceptions.ConnectTimeout) else "read"
    elif isinstance(error, requests.exceptions.TooManyRedirects):
        outcome, detail = REDIRECT_LOOP, "too many redirects"
    elif isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        outcome, detail = INVALID, str(error)
    elif isinstance(error, requests.exceptions.ConnectionError) and _is_dns_failure(error):
        outcome, detail = DNS, "the host name does not resolve"
    else:
        outcome, detail = CONNECTION, _connection_reason(error)
    return LinkResult(url, outcome, method=method, attempts=attempts, detail=detail, checked_at=time.time())


def outcome_of_status(status: int) -> str:
    if status < 400:
        return OK
    if status in (404, 410):
        return BROKEN
    if status in (401, 403):
        return RESTRICTED
    if status == 429:
        return RATE_LIMITED
    if status < 500:
        return CLIENT_ERROR
    if status < 600:
        return SERVER_ERROR
    return UNKNOWN


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HttpChecker:
    """Checks URLs with one :class:`requests.Session`, politely and in parallel."""

    def __init__(
        self,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        user_agent: str = DEFAULT_USER_AGENT,
        max_workers: int = 8,
        per_host: int = 2,
        max_retries: int = 2,
        backoff: float = 1.0,
        max_wait: float = 30.0,
        max_redirects: int = 10,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        self.timeout = timeout
        self.max_workers = max(1, int(max_workers))
        self.per_host = max(1, int(per_host))
        self.max_retries = max(0, int(max_retries))
        self.backoff = max(0.0, float(backoff))
        self.max_wait = max(0.0, float(max_wait))
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "*/*"
        self.session.max_redirects = max_redirects
        adapter = HTTPAdapter(pool_connections=16, pool_maxsize=self.max_workers, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._sleep = sleep
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._slots_lock = threading.Lock()
        self.requests_made = 0
        self._count_lock = threading.Lock()

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpChecker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _slot(self, url: str) -> threading.BoundedSemaphore:
        host = host_of(url)
        with self._slots_lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.BoundedSemaphore(self.per_host)
            return slot

    def _request(self, method: str, url: str) -> tuple[requests.Response, int]:
        """One request, retried on 429/5xx; the answer (closed, body unread) and the attempts made."""
        import requests

        slot = self._slot(url)
        attempts = 0
        with slot:
            while True:
                attempts += 1
                with self._count_lock:
                    self.requests_made += 1
                try:
                    response = self.session.request(method, url, timeout=self.timeout, allow_redirects=True, stream=True)
                except requests.RequestException as error:
                    error.attempts = attempts  # type: ignore[attr-defined]
                    raise
                response.close()
                if response.status_code not in RETRY_STATUSES or attempts > self.max_retries:
                    return response, attempts
                wait = retry_after(response)
                if wait is None:
                    wait = self.backoff * 2 ** (attempts - 1)
                if wait > self.max_wait:
                    return response, attempts
                self._sleep(wait)

    def _answer(self, url: str, response: requests.Response, method: str, attempts: int) -> LinkResult:
        status = response.status_code
        outcome = outcome_of_status(status)
        hops = [hop.url for hop in response.history] + [response.url]
        moved_to = moved_status = None
        if outcome == OK:
            leading = 0
            for hop in response.history:
                if hop.status_code not in PERMANENT_REDIRECTS:
                    break
                leading += 1
            if leading:
                moved_to, moved_status = hops[leading], response.history[leading - 1].status_code
        return LinkResult(
            url,
            outcome,
            status=status,
            final_url=response.url if response.history else None,
            moved_to=moved_to,
            moved_status=moved_status,
            method=method,
            attempts=attempts,
            detail=status_phrase(status),
            checked_at=time.time(),
        )

    def check(self, url: str) -> LinkResult:
        """Check one URL; never raises."""
        try:
            return self._check(url)
        except Exception as error:  # a bug must cost one link, not the run
            return LinkResult(url, UNKNOWN, detail=f"{type(error).__name__}: {error}", checked_at=time.time())

    def _check(self, url: str) -> LinkResult:
        import requests

        head_attempts = 0
        try:
            response, head_attempts = self._request("HEAD", url)
        except requests.RequestException as error:
            failed = classify_error(url, error, "HEAD", getattr(error, "attempts", 1))
            if failed.outcome != CONNECTION:
                return failed  # DNS, TLS, a timeout, a bad URL: a GET would fare no better
            head_attempts = failed.attempts
        else:
            if response.status_code < 400 or response.status_code in NOT_METHOD_SPECIFIC:
                return self._answer(url, response, "HEAD", head_attempts)
        try:
            response, attempts = self._request("GET", url)
        except requests.RequestException as error:
            failed = classify_error(url, error, "GET", getattr(error, "attempts", 1))
            return LinkResult(**{**failed.to_json(), "attempts": head_attempts + failed.attempts})
        return self._answer(url, response, "GET", head_attempts + attempts)

    def check_all(self, urls: Iterable[str], cache: LinkCache | None = None) -> dict[str, LinkResult]:
        """Every URL's result: from ``cache`` when it holds a fresh answer, else asked, in parallel."""
        results: dict[str, LinkResult] = {}
        todo: list[str] = []
        for url in dict.fromkeys(urls):
            cached = cache.get(url) if cache is not None else None
            if cached is not None:
                results[url] = cached
            else:
                todo.append(url)
        if not todo:
            return results
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(todo)), thread_name_prefix="vaultlint-http") as pool:
            for url, result in zip(todo, pool.map(self.check, todo)):
                results[url] = result
                if cache is not None:
                    cache.put(result)
        return results


class LinkCache:
    """Definite answers on disk, ``<folder>/<hash>.json``, trusted for ``lifetime`` seconds.

    The folder holds its own ``.gitignore`` (``*``), so the cache never reaches a
    repository. Writes are atomic (a temporary file in the same folder, then a
    rename); failing to write (a read-only vault) is not an error, the cache is
    only an optimisation. A lifetime of 0 turns the cache off.
    """

    def __init__(self, folder: Path, lifetime: float = DEFAULT_CACHE_LIFETIME, clock: Callable[[], float] = time.time) -> None:
        self.folder = folder
        self.lifetime = lifetime
        self._clock = clock
        self._lock = threading.Lock()

    def _file(self, url: str) -> Path:
        return self.folder / (hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".json")

    def get(self, url: str) -> LinkResult | None:
        if self.lifetime <= 0:
            return None
        try:
            data = json.loads(self._file(url).read_text(encoding="utf-8"))
            result = LinkResult.from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if result.url != url or result.outcome not in CACHEABLE:
            return None
        age = self._clock() - result.checked_at
        if age < 0 or age > self.lifetime:
            return None
        return result

    def put(self, result: LinkResult) -> None:
        if self.lifetime <= 0 or result.outcome not in CACHEABLE:
            return
        path = self._file(result.url)
        try:
            with self._lock:
                mark_ignored(self.folder, "cached answers of the link check, not part of the vault")
            write_bytes_atomically(path, json.dumps(result.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
        except OSError:
            pass  # no cache, same answers
