from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from ..cache import CACHE_DIR_NAME
from ..diagnostics import Applicability, Finding, Fix, FixAvailability, Severity
from ..http_check import (
    BROKEN,
    CLIENT_ERROR,
    CONNECTION,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
    DNS,
    INVALID,
    OK,
    REDIRECT_LOOP,
    SERVER_ERROR,
    TIMEOUT,
    TLS,
    HttpChecker,
    LinkCache,
    LinkResult,
    host_of,
    status_phrase,
)
from ..note import ExternalLink, Note
from ..rule import Context, Option, Rule

# Regular-expression characters that a glob never holds; a pattern with `*` or `?`
# and none of these (and no `.*`) is read as a glob.
_REGEX_ONLY = set("\\^$()+{}|")


def url_matcher(pattern: str) -> Callable[[str], bool]:
    """A URL test from an ``exclude`` entry: a glob matching the whole URL, else a regex searched in it."""
    if ("*" in pattern or "?" in pattern) and not (set(pattern) & _REGEX_ONLY) and ".*" not in pattern:
        compiled = re.compile(fnmatch.translate(pattern))
        return lambda url: compiled.match(url) is not None
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise ValueError(f"exclude: {pattern!r} is neither a glob nor a valid regular expression ({error})") from None
    return lambda url: compiled.search(url) is not None


def is_private_host(host: str) -> bool:
    """This machine or a private network: ``localhost``, ``*.local``, loopback and private addresses."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified


def _write_destination(url: str, angle: bool) -> str | None:
    """``url`` as a Markdown link destination, or ``None`` when it cannot be written as one."""
    if any(ord(char) < 0x20 for char in url):
        return None
    if angle:
        return None if any(char in url for char in "<>") else url
    written = url.replace(" ", "%20")
    if written.count("(") != written.count(")"):
        written = written.replace("(", "%28").replace(")", "%29")
    return written


class BrokenExternalLink(Rule):
    """
    ## What it does
    With `--online` only, checks the `http` and `https` links of the notes
    checked (`[text](https://...)`, `![image](https://...)`) and reports those
    that no longer work, each kind with its own message:

    - the page is gone: `404 Not Found`, `410 Gone` (an error);
    - the host name does not resolve (DNS lookup failed; an error);
    - a TLS error (expired or wrong certificate, failed handshake), a timeout, a
      refused or reset connection, a server error (5xx) or another client error
      (4xx) that persists after retries (warnings: these may be passing);
    - a permanent redirect (`301`, `308`): the link works, but its page has moved
      (a warning, with a fix).

    Not reported: `401` and `403` (the page exists behind a login or a bot
    wall), `429` once the retries are spent (the server asked to slow down,
    nothing is known about the page), links in code and inside `%% %%` comments
    (see `check-comments`), links to this machine or a private network
    (`localhost`, `*.local`, `192.168.x.x`; see `include-private`), and URLs matching
    `exclude`. Bare URLs and `<https://...>` autolinks are not checked yet.

    How: all the links of the notes checked are collected first and each URL is
    asked once per run, whatever the number of notes citing it. One HTTP session
    sends a HEAD request, following redirects; a HEAD answer below 400 is
    trusted. When HEAD is refused (`405`, `501`), answers another error, or the
    connection breaks, a streamed GET (the body is not downloaded) decides: when
    HEAD and GET disagree, GET wins, as it is what a browser sees. A server that
    answers HEAD with `200` but GET with `404` is not detected, since that would
    cost a download of every working page. `429` and `5xx` answers are retried
    twice, waiting what `Retry-After` asks (at most 30 s) or else 1 s, then 2 s.
    Requests time out after the `timeout` online setting (default 5 s to connect,
    15 s to read); at most two are in flight per host and `max-workers` in all.
    The online settings `user-agent` and `cache-dir` apply as for the other online
    checks.

    Answers that are definite (the link works, or is gone) are cached in
    `<cache-dir>/links/` (default `.vaultlint_cache/links/` in the vault, with its
    own `.gitignore`) for `cache-days`; failures that may pass (timeouts, DNS,
    5xx) are asked again at the next run.

    ## Why is this bad?
    Links rot: pages move or vanish, domains lapse. A note that cites a dead page
    loses its source, and a reader finds out only when it is too late to look for
    an archived copy. Obsidian does not check external links.

    ## Example
    ```markdown
    The [survey's code](https://example.com/tool-survey/code) is public.
    ```

    (when `https://example.com/tool-survey/code` answers `404 Not Found`)

    Use instead:
    ```markdown
    The [survey's code](https://web.archive.org/web/2024/https://example.com/tool-survey/code) is public.
    ```

    ## Fix safety
    Only permanent redirects have a fix: the link's destination is rewritten to
    where the redirects lead (keeping its `#fragment` unless the new address has
    one), written as a valid Markdown destination and verified by parsing the note
    again. It is unsafe: a site may redirect removed pages permanently to its home
    page, and the old address may be the one a citation should keep. Only the
    leading run of permanent redirects is followed: a link that moves for good to
    an address that then redirects temporarily is rewritten to that address, not to
    the temporary one. Broken links have no fix: where the page went, if anywhere,
    is for the author to find.

    ## Options
    - `exclude` (default none): URLs not to check. An entry with `*` or `?` and no
      other regular-expression syntax is a glob matched against the whole URL
      (`https://intranet.example.com/*`); any other entry is a regular expression
      searched in the URL (`^https?://(www\\.)?linkedin\\.com/`).
    - `max-workers` (default `8`): requests in flight at once, in all.
    - `cache-days` (default `7`): how long a definite answer is trusted, in days;
      `0` turns the cache off.
    - `check-comments` (default `false`): also check links inside `%% %%` comments.
    - `include-private` (default `false`): also check links to this machine and to
      private networks.
    """

    code = "VL403"
    name = "broken-external-link"
    summary = "External http(s) link that is broken or permanently redirected (only with --online)"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    options = (
        Option("exclude", (), "URLs not to check: globs (with * or ?) matched against the whole URL, else regular expressions searched in it."),
        Option("max-workers", 8, "Requests in flight at once, in all."),
        Option("cache-days", 7.0, "How long a definite answer is trusted, in days; 0 turns the cache off."),
        Option("check-comments", False, "Also check links inside %% comments."),
        Option("include-private", False, "Also check links to this machine and to private networks."),
    )
    tags = ("online", "links", "maintenance")
    online_only = True

    # Retries and pacing: fixed, documented on the page.
    MAX_RETRIES = 2
    BACKOFF = 1.0
    MAX_WAIT = 30.0
    PER_HOST = 2

    def __init__(self, **settings) -> None:
        super().__init__(**settings)
        if self.option("max-workers") < 1:
            raise ValueError(f"rule {self.code} ({self.name}): max-workers must be 1 or more")
        if self.option("cache-days") < 0:
            raise ValueError(f"rule {self.code} ({self.name}): cache-days must be 0 or more")
        self._excluded = [url_matcher(pattern) for pattern in self.option("exclude")]

    # --- which links ------------------------------------------------------------------

    def links(self, note: Note) -> list[tuple[ExternalLink, str]]:
        """The links of ``note`` to check, each with the URL asked (its fragment removed)."""
        found = []
        for link in note.external_links:
            if link.reason != "url" or (link.in_comment and not self.option("check-comments")):
                continue
            url = link.destination.strip()
            if url.split(":", 1)[0].lower() not in ("http", "https"):
                continue
            key = url.split("#", 1)[0]
            host = host_of(key)
            if not host or (not self.option("include-private") and is_private_host(host)):
                continue
            if any(excluded(url) for excluded in self._excluded):
                continue
            found.append((link, key))
        return found

    # --- asking, once per run -------------------------------------------------------------

    def _state_key(self) -> tuple:
        return ("vaultlint.external-links", tuple(sorted((k, repr(v)) for k, v in self.settings.items())))

    def _results(self, note: Note, context: Context, keys: list[str]) -> dict[str, LinkResult]:
        """Answers for the URLs of the whole run, asked on the first note that needs them."""
        vault = context.vault
        known: dict[str, LinkResult] = vault.memo.setdefault(self._state_key(), {})  # type: ignore[assignment]
        if note.path in context.checked and not context.run_memo.get(self._state_key()):
            context.run_memo[self._state_key()] = True
            urls: list[str] = []
            for path in context.checked:
                other = vault.notes[path]
                if not other.skipped:
                    urls.extend(key for _, key in self.links(other))
            self._ask([url for url in dict.fromkeys(urls) if url not in known], context, known)
        missing = [key for key in dict.fromkeys(keys) if key not in known]
        if missing:
            self._ask(missing, context, known)
        return known

    def _ask(self, urls: list[str], context: Context, known: dict[str, LinkResult]) -> None:
        if not urls:
            return
        settings = context.online_settings or {}
        timeout = DEFAULT_TIMEOUT
        raw = settings.get("timeout")
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw > 0:
            timeout = (float(raw), float(raw))
        elif isinstance(raw, (list, tuple)) and len(raw) == 2:
            timeout = (float(raw[0]), float(raw[1]))
        cache_dir = Path(str(settings.get("cache-dir") or CACHE_DIR_NAME)).expanduser()
        if not cache_dir.is_absolute():
            cache_dir = context.vault.root / cache_dir
        cache = LinkCache(cache_dir / "links", self.option("cache-days") * 86400.0)
        with HttpChecker(
            timeout=timeout,
            user_agent=str(settings.get("user-agent") or DEFAULT_USER_AGENT),
            max_workers=self.option("max-workers"),
            per_host=self.PER_HOST,
            max_retries=self.MAX_RETRIES,
            backoff=self.BACKOFF,
            max_wait=self.MAX_WAIT,
        ) as checker:
            known.update(checker.check_all(urls, cache))

    # --- reporting --------------------------------------------------------------------------

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        if not context.online:
            return
        links = self.links(note)
        if not links:
            return
        results = self._results(note, context, [key for _, key in links])
        for link, key in links:
            result = results.get(key)
            if result is None:
                continue
            found = self._finding(note, link, key, result)
            if found is not None:
                yield found

    def _finding(self, note: Note, link: ExternalLink, url: str, result: LinkResult) -> Finding | None:
        host = host_of(url)
        after = f" (after redirects, at {result.final_url})" if result.final_url and result.final_url != url else ""
        warning = Severity.WARNING
        if result.outcome == OK:
            if result.moved_to and result.moved_to != url:
                fix = self._moved_fix(note, link, result.moved_to)
                return self.finding(note, link.target_span, f"permanently redirected ({result.moved_status}) to {result.moved_to}", fix, warning)
            return None
        if result.outcome == BROKEN:
            gone = " (removed for good)" if result.status == 410 else ""
            return self.finding(note, link.target_span, f"broken link: {url} answers {status_phrase(result.status or 404)}{gone}{after}")
        if result.outcome == DNS:
            return self.finding(note, link.target_span, f"broken link: the host '{host}' does not resolve (DNS lookup failed)")
        messages = {
            TLS: f"TLS error for '{host}': {result.detail}",
            TIMEOUT: f"no answer from '{host}' in time ({result.detail} timeout)",
            CONNECTION: f"cannot connect to '{host}': {result.detail}",
            SERVER_ERROR: f"{url} answers {result.detail} (a server error, after {result.attempts} requests){after}",
            CLIENT_ERROR: f"{url} answers {result.detail}{after}",
            REDIRECT_LOOP: f"{url} redirects too many times",
            INVALID: f"not a URL that can be checked: {result.detail}",
        }
        message = messages.get(result.outcome)
        if message is None:
            return None  # restricted (401, 403), rate-limited, unknown: nothing known about the page
        return self.finding(note, link.target_span, message, severity=warning)

    def _moved_fix(self, note: Note, link: ExternalLink, moved_to: str) -> Fix | None:
        destination = link.destination.strip()
        target = moved_to
        if "#" in destination and "#" not in moved_to:
            target = f"{moved_to}#{destination.split('#', 1)[1]}"
        span = link.target_span
        angle = span.start > 0 and note.text[span.start - 1] == "<"  # `[t](<url>)`
        written = _write_destination(target, angle)
        if written is None:
            return None
        from ..parser import parse_note

        reparsed = parse_note(note.path, note.text[:span.start] + written + note.text[span.end:])
        if not any(other.span.start == link.span.start and other.destination == written for other in reparsed.external_links):
            return None
        return Fix.replace(f"Link to {target}", span, written, Applicability.UNSAFE)
