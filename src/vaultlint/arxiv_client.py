"""A polite arXiv API client with a persistent on-disk cache.

The API (https://info.arxiv.org/help/api/user-manual.html) answers Atom 1.0 only.
This client follows its terms of use and its quirks:

- one :class:`requests.Session`, one request at a time, at least ``min_interval``
  seconds between the starts of two requests (3 s by default, as arXiv asks);
- ``id_list`` queries in batches of at most 100 IDs with ``max_results`` set to
  the batch size (the default of 10 silently truncates longer lists);
- entries are matched to the IDs asked for by their ``<id>`` (always versioned,
  ``http://arxiv.org/abs/2205.12255v1``), never by position: an ID that does not
  exist simply has no entry (HTTP 200), and a malformed one makes the whole
  request fail with HTTP 400, so a failing batch is split until the rejected IDs
  are isolated;
- HTTP 429 and 5xx are retried a bounded number of times, waiting as long as
  ``Retry-After`` says (up to ``max_wait`` seconds, else giving up) or an
  exponential back-off without it;
- a clear ``User-Agent`` and ``(connect, read)`` timeouts on every request.

Any failure to get an answer raises :class:`ArxivUnavailable` with a message
meant for the user. :class:`ArxivCache` keeps every answer as a small JSON file
(written atomically), so a second run asks nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .arxiv import check_id
from .cache import mark_ignored, write_bytes_atomically
from .http_check import retry_after
from .records import dataclass

if TYPE_CHECKING:
    import requests

# requests (with urllib3, ssl, http.client) and the XML parser are imported where a
# request is made or an answer read: every run loads this module through the arXiv
# rules, but only a run with --online asks arXiv anything.

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_MIN_INTERVAL = 3.0
DEFAULT_TIMEOUT = (5.0, 30.0)
DEFAULT_USER_AGENT = f"vaultlint/{__version__} (Obsidian vault linter; arXiv ID consistency checks; python-requests)"
BATCH_SIZE = 100
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

ATOM = "{http://www.w3.org/2005/Atom}"


class ArxivUnavailable(Exception):
    """The arXiv API could not be asked or did not answer usefully; the message says why."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One paper as arXiv describes it: ``id`` without version, the latest ``version``."""

    id: str
    version: int | None
    title: str
    authors: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"id": self.id, "version": self.version, "title": self.title, "authors": list(self.authors)}

    @classmethod
    def from_json(cls, data: dict) -> Entry:
        return cls(str(data["id"]), data.get("version"), str(data["title"]), tuple(data.get("authors") or ()))


FOUND, MISSING, REJECTED = "found", "missing", "rejected"


@dataclass(frozen=True, slots=True)
class Lookup:
    """What arXiv says about one ID: ``found`` (with its entry), ``missing`` (no such
    paper: HTTP 200 without an entry) or ``rejected`` (HTTP 400: arXiv calls it malformed)."""

    status: str
    entry: Entry | None = None


def _entry_id(raw: str) -> tuple[str, int | None] | None:
    """``http://arxiv.org/abs/2205.12255v1`` -> ``("2205.12255", 1)``."""
    match = re.search(r"arxiv\.org/abs/(.+?)/?$", raw.strip())
    if not match:
        return None
    arxiv_id, _ = check_id(match.group(1))
    return (arxiv_id.base, arxiv_id.version) if arxiv_id else None


def parse_feed(text: bytes | str) -> tuple[list[Entry], bool]:
    """Entries of an Atom answer, and whether it is an error feed (arXiv's ``Error`` entry)."""
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise ArxivUnavailable(f"the arXiv API answered something that is not Atom XML ({error})") from None
    if root.tag != f"{ATOM}feed":
        # An error page that happens to be well-formed XML (XHTML) has no entries:
        # read as a feed, it would say every paper does not exist.
        raise ArxivUnavailable(f"the arXiv API answered something that is not Atom XML (a <{root.tag.rsplit('}', 1)[-1]}> document, not a feed)")
    entries: list[Entry] = []
    error = False
    for element in root.iter(f"{ATOM}entry"):
        raw_id = (element.findtext(f"{ATOM}id") or "").strip()
        if "/api/errors" in raw_id:
            error = True
            continue
        parsed = _entry_id(raw_id)
        if parsed is None:
            continue
        title = " ".join((element.findtext(f"{ATOM}title") or "").split())
        authors = tuple(
            " ".join((author.findtext(f"{ATOM}name") or "").split()) for author in element.findall(f"{ATOM}author")
        )
        entries.append(Entry(parsed[0], parsed[1], title, authors))
    return entries, error


def search_phrase(title: str) -> str:
    """A title as an arXiv phrase: letters, digits, hyphens and single spaces only."""
    return " ".join(re.sub(r"[^\w\s-]+", " ", title).split())


class ArxivClient:
    """Asks the arXiv API, one paced request at a time."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        min_interval: float = DEFAULT_MIN_INTERVAL,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        user_agent: str = DEFAULT_USER_AGENT,
        max_attempts: int = 4,
        max_wait: float = 60.0,
        batch_size: int = BATCH_SIZE,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_url = api_url
        self.min_interval = max(0.0, float(min_interval))
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.max_wait = max_wait
        self.batch_size = max(1, batch_size)
        if session is None:
            import requests

            session = requests.Session()
        self.session = session
        self.session.headers["User-Agent"] = user_agent
        self.session.headers["Accept"] = "application/atom+xml"
        self._sleep = sleep
        self._clock = clock
        self._last_start: float | None = None
        self.requests_made = 0

    def close(self) -> None:
        self.session.close()

    # --- transport ------------------------------------------------------------

    def _pace(self) -> None:
        if self._last_start is not None:
            wait = self._last_start + self.min_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_start = self._clock()

    def _get(self, params: dict[str, str]) -> requests.Response:
        import requests

        for attempt in range(1, self.max_attempts + 1):
            self._pace()
            try:
                response = self.session.get(self.api_url, params=params, timeout=self.timeout)
            except requests.Timeout:
                raise ArxivUnavailable(f"no answer from {self.api_url} within {self.timeout[1]:g} s") from None
            except requests.RequestException as error:
                raise ArxivUnavailable(f"cannot reach {self.api_url} ({_reason(error)})") from None
            finally:
                self.requests_made += 1
            if response.status_code not in RETRY_STATUSES:
                return response
            wait = retry_after(response)
            if wait is None:
                wait = self.min_interval * 2 ** (attempt - 1)
            if attempt == self.max_attempts:
                raise ArxivUnavailable(
                    f"{self.api_url} answered HTTP {response.status_code} {attempt} times in a row; try again later"
                )
            if wait > self.max_wait:
                raise ArxivUnavailable(
                    f"{self.api_url} answered HTTP {response.status_code} and asked to wait {wait:.0f} s "
                    f"(more than {self.max_wait:.0f} s); try again later"
                )
            self._sleep(wait)
        raise AssertionError("unreachable")

    # --- queries --------------------------------------------------------------

    def fetch_ids(self, ids: Iterable[str]) -> dict[str, Lookup]:
        """What arXiv says about each ID (without version), asked in batches."""
        wanted = list(dict.fromkeys(ids))
        result: dict[str, Lookup] = {}
        for start in range(0, len(wanted), self.batch_size):
            self._fetch_batch(wanted[start:start + self.batch_size], result)
        return result

    def _fetch_batch(self, batch: list[str], result: dict[str, Lookup]) -> None:
        params = {"id_list": ",".join(batch), "start": "0", "max_results": str(len(batch))}
        response = self._get(params)
        error = response.status_code == 400
        entries: list[Entry] = []
        if response.status_code == 200:
            entries, error = parse_feed(response.content)
        elif not error:
            raise ArxivUnavailable(f"{self.api_url} answered HTTP {response.status_code}")
        if error:
            if len(batch) == 1:
                result[batch[0]] = Lookup(REJECTED)
                return
            middle = len(batch) // 2
            self._fetch_batch(batch[:middle], result)
            self._fetch_batch(batch[middle:], result)
            return
        by_id = {entry.id: entry for entry in entries}
        for arxiv_id in batch:
            entry = by_id.get(arxiv_id)
            result[arxiv_id] = Lookup(FOUND, entry) if entry else Lookup(MISSING)

    def search_title(self, title: str, max_results: int = 5) -> list[Entry]:
        """Papers whose title holds ``title`` as a phrase (``search_query=ti:"..."``)."""
        phrase = search_phrase(title)
        if not phrase:
            return []
        params = {"search_query": f'ti:"{phrase}"', "start": "0", "max_results": str(max_results)}
        response = self._get(params)
        if response.status_code != 200:
            raise ArxivUnavailable(f"{self.api_url} answered HTTP {response.status_code} to a title search")
        entries, error = parse_feed(response.content)
        if error:
            raise ArxivUnavailable(f"{self.api_url} rejected the title search for {title!r}")
        return entries


def _reason(error: requests.RequestException) -> str:
    text = str(error)
    for pattern in (r"\[Errno -?\d+\] ([^'\")]+)", r"(Connection refused)", r"(Name or service not known)"):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip()
    return type(error).__name__


class ArxivCache:
    """Answers kept on disk: ``ids/<id>.json`` and ``search/<hash>.json`` under ``folder``.

    Writes are atomic (a temporary file in the same folder, then a rename), so an
    interrupted run never leaves half a file. A ``missing`` answer is trusted for
    ``missing_ttl`` seconds only (new papers appear); found papers are kept.
    Failing to write (a read-only vault) is not an error: the cache is only an
    optimisation.
    """

    def __init__(self, folder: Path, gitignore_at: Path | None = None, missing_ttl: float = 86400.0) -> None:
        self.folder = folder
        self.gitignore_at = gitignore_at or folder
        self.missing_ttl = missing_ttl

    def _id_path(self, arxiv_id: str) -> Path:
        return self.folder / "ids" / (arxiv_id.replace("/", "_") + ".json")

    def _search_path(self, title: str) -> Path:
        digest = hashlib.sha256(search_phrase(title).casefold().encode("utf-8")).hexdigest()[:32]
        return self.folder / "search" / f"{digest}.json"

    @staticmethod
    def _read(path: Path) -> dict | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def get_id(self, arxiv_id: str) -> Lookup | None:
        data = self._read(self._id_path(arxiv_id))
        if data is None or data.get("id") != arxiv_id:
            return None
        status = data.get("status")
        if status == FOUND and isinstance(data.get("entry"), dict):
            try:
                return Lookup(FOUND, Entry.from_json(data["entry"]))
            except (KeyError, TypeError):
                return None
        if status in (MISSING, REJECTED):
            if status == MISSING and time.time() - float(data.get("fetched", 0)) > self.missing_ttl:
                return None
            return Lookup(status)
        return None

    def put_id(self, arxiv_id: str, lookup: Lookup) -> None:
        data = {"id": arxiv_id, "status": lookup.status, "fetched": time.time()}
        if lookup.entry is not None:
            data["entry"] = lookup.entry.to_json()
        self._write(self._id_path(arxiv_id), data)

    def get_search(self, title: str) -> list[Entry] | None:
        data = self._read(self._search_path(title))
        if data is None or data.get("phrase") != search_phrase(title).casefold():
            return None
        try:
            return [Entry.from_json(item) for item in data.get("entries", [])]
        except (KeyError, TypeError):
            return None

    def put_search(self, title: str, entries: list[Entry]) -> None:
        data = {"phrase": search_phrase(title).casefold(), "fetched": time.time(), "entries": [e.to_json() for e in entries]}
        self._write(self._search_path(title), data)

    def _write(self, path: Path, data: dict) -> None:
        try:
            mark_ignored(self.gitignore_at, "the arXiv answers cached here are not part of the vault")
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomically(path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        except OSError:
            pass  # no cache, same answers


class CachedArxiv:
    """The client behind the cache: asks only what the cache does not know."""

    def __init__(self, client: ArxivClient, cache: ArxivCache) -> None:
        self.client = client
        self.cache = cache

    def lookup(self, ids: Iterable[str]) -> dict[str, Lookup]:
        result: dict[str, Lookup] = {}
        unknown: list[str] = []
        for arxiv_id in dict.fromkeys(ids):
            cached = self.cache.get_id(arxiv_id)
            if cached is None:
                unknown.append(arxiv_id)
            else:
                result[arxiv_id] = cached
        size = self.client.batch_size
        for start in range(0, len(unknown), size):
            fetched = self.client.fetch_ids(unknown[start:start + size])
            for arxiv_id, lookup in fetched.items():
                self.cache.put_id(arxiv_id, lookup)
            result.update(fetched)
        return result

    def search(self, title: str) -> list[Entry]:
        cached = self.cache.get_search(title)
        if cached is not None:
            return cached
        entries = self.client.search_title(title)
        self.cache.put_search(title, entries)
        for entry in entries:
            if self.cache.get_id(entry.id) is None:
                self.cache.put_id(entry.id, Lookup(FOUND, entry))
        return entries
