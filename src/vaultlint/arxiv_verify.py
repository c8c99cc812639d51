"""Online verification of paper records against the arXiv API (only with ``--online``).

For every paper with a record in a checked note, each ID it claims is looked up
(batched per note, cached on disk) and the title arXiv gives is compared with the
paper's titles (its headings, title cells and short names), normalised and fuzzy
(rapidfuzz ``ratio`` >= 90, or the paper's title equal to the part of arXiv's
title before a colon, so ``MRKL Systems`` matches ``MRKL Systems: A modular ...``).

When an ID's title is another paper's, or arXiv has no such ID, the right ID is
the paper's other ID that arXiv confirms, else the best match of a title search
(``search_query=ti:"..."``). A paper's verdict is all or nothing: if any lookup it
needs fails, it gets no verdict, so no fix is ever made on half an answer.

The first network failure of a run is remembered with the note being checked; no
further request is made in that run, answers already cached are still used, and
the online rule reports the failure once, in that note.

Settings come from ``context.online_settings`` (``arxiv-api-url``,
``arxiv-min-interval``, ``cache-dir``, ``timeout``, ``user-agent``); the
environment variables ``VAULTLINT_ARXIV_API_URL`` and
``VAULTLINT_ARXIV_MIN_INTERVAL`` take precedence.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .arxiv_client import (
    DEFAULT_API_URL,
    DEFAULT_MIN_INTERVAL,
    DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
    FOUND,
    ArxivCache,
    ArxivClient,
    ArxivUnavailable,
    CachedArxiv,
    Entry,
    Lookup,
)
from .diagnostics import Applicability
from .papers import Paper, PaperIndex, paper_index, title_key, titles_compatible
from .records import dataclass
from .rule import Context

ENV_API_URL = "VAULTLINT_ARXIV_API_URL"
ENV_MIN_INTERVAL = "VAULTLINT_ARXIV_MIN_INTERVAL"
DEFAULT_CACHE_DIR = ".vaultlint_cache"

TITLE_MATCH = 90.0  # rapidfuzz ratio of normalised titles: the same paper
SAFE_MATCH = 97.0  # a search result this close, and no rival, is a safe fix
PREFIX_MATCH = 95.0  # one title is the other's first words: the same paper, probably


@dataclass(frozen=True, slots=True)
class OnlineSettings:
    api_url: str = DEFAULT_API_URL
    min_interval: float = DEFAULT_MIN_INTERVAL
    cache_dir: Path = Path(DEFAULT_CACHE_DIR)
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    user_agent: str = DEFAULT_USER_AGENT

    @property
    def arxiv_cache(self) -> Path:
        return self.cache_dir / "arxiv"

    @classmethod
    def resolve(
        cls, vault_root: Path, settings: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
    ) -> tuple[OnlineSettings, list[str]]:
        """Settings from the configuration, overridden by the environment; problems as messages."""
        settings = dict(settings or {})
        environ = os.environ if environ is None else environ
        problems: list[str] = []
        api_url = str(environ.get(ENV_API_URL) or settings.get("arxiv-api-url") or DEFAULT_API_URL)
        interval_source, interval = ENV_MIN_INTERVAL, environ.get(ENV_MIN_INTERVAL)
        if interval in (None, ""):
            interval_source, interval = "arxiv-min-interval", settings.get("arxiv-min-interval", DEFAULT_MIN_INTERVAL)
        try:
            min_interval = float(interval)
            if min_interval < 0 or min_interval != min_interval:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"{interval_source} must be a number of seconds >= 0, got {interval!r}")
            min_interval = DEFAULT_MIN_INTERVAL
        timeout = DEFAULT_TIMEOUT
        raw_timeout = settings.get("timeout")
        if raw_timeout is not None:
            try:
                if isinstance(raw_timeout, (list, tuple)):
                    connect, read = (float(value) for value in raw_timeout)
                else:
                    connect = read = float(raw_timeout)
                if connect <= 0 or read <= 0:
                    raise ValueError
                timeout = (connect, read)
            except (TypeError, ValueError):
                problems.append(f"timeout must be seconds > 0 or [connect, read], got {raw_timeout!r}")
        cache_dir = Path(str(settings.get("cache-dir") or DEFAULT_CACHE_DIR)).expanduser()
        if not cache_dir.is_absolute():
            cache_dir = vault_root / cache_dir
        user_agent = str(settings.get("user-agent") or DEFAULT_USER_AGENT)
        return cls(api_url, min_interval, cache_dir, timeout, user_agent), problems


def _key(text: str) -> str:
    return title_key(text)


def title_score(names: Iterable[str], arxiv_title: str) -> float:
    """How well arXiv's title matches the best of a paper's names (0-100).

    100 when a name equals arXiv's title once normalised; ``PREFIX_MATCH`` (a
    match, but never a safe fix on its own) when one is the other's first words
    (``ReAct``, ``MRKL Systems``, ``Attention`` for ``Attention Is All You
    Need``); else the rapidfuzz ratio of the normalised titles.
    """
    from rapidfuzz import fuzz

    full = _key(arxiv_title)
    best = 0.0
    for name in names:
        key = _key(name)
        if len(key) < 2:
            continue
        if key == full:
            return 100.0
        best = max(best, fuzz.ratio(key, full))
        shorter, longer = sorted((key, full), key=len)
        if (longer + " ").startswith(shorter + " ") and titles_compatible(shorter, longer):
            best = max(best, PREFIX_MATCH)
    return best


def comparable(names: Iterable[str]) -> bool:
    """Whether a paper has a name of two words or more; a lone acronym (``CoT``,
    ``GQA``) says too little to tell arXiv's title right or wrong."""
    return any(len(_key(name).split()) >= 2 for name in names)


@dataclass(frozen=True, slots=True)
class IdVerdict:
    """What arXiv says about one of a paper's IDs.

    ``status``: ``ok`` (the title matches), ``other-paper`` (arXiv's title is
    another paper's), ``unknown`` (no such ID), ``rejected`` (arXiv calls it
    malformed). For the last three, ``replacement`` is the right ID when one was
    found, with the fix's applicability and how it was found.
    """

    base: str
    status: str
    arxiv_title: str | None = None
    replacement: str | None = None
    replacement_title: str | None = None
    applicability: Applicability | None = None
    how: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True, slots=True)
class PaperVerdict:
    ids: dict[str, IdVerdict]


class Verifier:
    """One run's online state: the cached client, the answers so far, the first failure."""

    def __init__(self, vault_root: Path, settings: OnlineSettings, problems: list[str] | None = None, client: ArxivClient | None = None) -> None:
        self.settings = settings
        self.client = client or ArxivClient(
            settings.api_url, settings.min_interval, settings.timeout, settings.user_agent
        )
        self.cache = ArxivCache(settings.arxiv_cache, gitignore_at=settings.cache_dir)
        self.arxiv = CachedArxiv(self.client, self.cache)
        self.failure: str | None = ("invalid online settings: " + "; ".join(problems)) if problems else None
        self.failure_path: str | None = None
        self._lookups: dict[str, Lookup] = {}
        self._searches: dict[str, list[Entry]] = {}
        self._verdicts: dict[tuple, PaperVerdict] = {}
        self._prefetched: set[str] = set()

    @property
    def offline(self) -> bool:
        return self.failure is not None

    def _fail(self, message: str, path: str) -> None:
        if self.failure is None:
            self.failure = message
        if self.failure_path is None:
            self.failure_path = path

    def lookup(self, bases: Iterable[str], path: str) -> dict[str, Lookup]:
        """What arXiv says about each ID; IDs it could not be asked about are left out."""
        wanted = [base for base in dict.fromkeys(bases) if base not in self._lookups]
        if wanted:
            if self.offline:
                for base in wanted:
                    cached = self.cache.get_id(base)
                    if cached is not None:
                        self._lookups[base] = cached
                self._fail(self.failure or "", path)
            else:
                try:
                    self._lookups.update(self.arxiv.lookup(wanted))
                except ArxivUnavailable as error:
                    self._fail(str(error), path)
                    return self.lookup(bases, path)
        return {base: self._lookups[base] for base in bases if base in self._lookups}

    def search(self, title: str, path: str) -> list[Entry] | None:
        key = _key(title)
        if key in self._searches:
            return self._searches[key]
        cached = self.cache.get_search(title)
        if cached is None:
            if self.offline:
                self._fail(self.failure or "", path)
                return None
            try:
                cached = self.arxiv.search(title)
            except ArxivUnavailable as error:
                self._fail(str(error), path)
                return None
        self._searches[key] = cached
        for entry in cached:
            self._lookups.setdefault(entry.id, Lookup(FOUND, entry))
        return cached

    def prefetch(self, index: PaperIndex, path: str) -> None:
        """Look up, in one batch, every ID the note at ``path`` states (its papers' IDs,
        wherever they are claimed, and its citations), once per note and run."""
        if path in self._prefetched:
            return
        self._prefetched.add(path)
        bases = [claim.base for paper in index.papers_in(path) for claim in paper.claims if claim.base]
        bases += [claim.base for claim in index.claims_in(path) if claim.base]
        self.lookup(bases, path)

    def verdict(self, paper: Paper, path: str) -> PaperVerdict | None:
        """The paper's verdict, or ``None`` when arXiv could not be asked everything needed."""
        bases = sorted({claim.base for claim in paper.claims if claim.base})
        names = paper.names
        key = (tuple(names), tuple(bases))
        if key in self._verdicts:
            return self._verdicts[key]
        lookups = self.lookup(bases, path)
        if len(lookups) != len(bases):
            return None
        judged = comparable(names)
        ok = [
            base for base in bases
            if lookups[base].status == FOUND
            and (not judged or title_score(names, lookups[base].entry.title) >= TITLE_MATCH)
        ]
        verdicts: dict[str, IdVerdict] = {}
        searched: list[Entry] | None = None
        for base in bases:
            lookup = lookups[base]
            arxiv_title = lookup.entry.title if lookup.entry else None
            if base in ok:
                verdicts[base] = IdVerdict(base, "ok", arxiv_title)
                continue
            status = "other-paper" if lookup.status == FOUND else "unknown" if lookup.status == "missing" else "rejected"
            if len(ok) == 1:
                confirmed = lookups[ok[0]].entry
                verdicts[base] = IdVerdict(
                    base, status, arxiv_title, ok[0], confirmed.title, Applicability.SAFE,
                    "the paper's other ID, whose title arXiv confirms",
                )
                continue
            if ok:
                verdicts[base] = IdVerdict(base, status, arxiv_title, how="the paper's other IDs all match on arXiv")
                continue
            if searched is None:
                searched = self.search(paper.title, path)
                if searched is None:
                    return None
            verdicts[base] = self._from_search(base, status, arxiv_title, names, searched)
        verdict = PaperVerdict(verdicts)
        self._verdicts[key] = verdict
        return verdict

    @staticmethod
    def _from_search(base: str, status: str, arxiv_title: str | None, names: list[str], entries: list[Entry]) -> IdVerdict:
        scored = sorted(
            ((title_score(names, entry.title), entry) for entry in entries if entry.id != base),
            key=lambda pair: -pair[0],
        )
        matching = [(score, entry) for score, entry in scored if score >= TITLE_MATCH]
        if not matching:
            return IdVerdict(base, status, arxiv_title, how="a title search on arXiv found no paper of this title")
        score, best = matching[0]
        rivals = {entry.id for _, entry in matching} - {best.id}
        applicability = Applicability.SAFE if score >= SAFE_MATCH and not rivals else Applicability.UNSAFE
        how = "found by a title search on arXiv" + (f" (also matching: {', '.join(sorted(rivals))})" if rivals else "")
        return IdVerdict(base, status, arxiv_title, best.id, best.title, applicability, how)


_VERIFIER_KEY = "vaultlint.arxiv-verifier"


def verifier(context: Context) -> Verifier | None:
    """The run's verifier when online checks are on, else ``None`` (created once per vault)."""
    if not context.online:
        return None
    vault = context.vault
    found = vault.memo.get(_VERIFIER_KEY)
    if found is None:
        settings, problems = OnlineSettings.resolve(vault.root, context.online_settings)
        found = Verifier(vault.root, settings, problems)
        vault.memo[_VERIFIER_KEY] = found
    return found


def settled(context: Context, papers: Iterable[Paper], path: str) -> bool:
    """Whether arXiv gave a verdict on every one of ``papers`` (so the online rule speaks for them)."""
    checker = verifier(context)
    if checker is None:
        return False
    checker.prefetch(paper_index(context.vault, context.prepared_focus), path)
    return all(checker.verdict(paper, path) is not None for paper in papers)


def describe_failure(message: str) -> str:
    return re.sub(r"\s+", " ", message).strip()
