"""arXiv identifiers: parsing, validation, and finding them in URLs, text and file names.

Two schemes exist (https://info.arxiv.org/help/arxiv_identifier.html):

- new style, from April 2007: ``YYMM.NNNN`` up to 2014-12 and ``YYMM.NNNNN`` from
  2015-01, month 01-12, the number not all zeros, an optional version ``vN`` with
  N >= 1 (``2205.12255``, ``2210.03629v3``);
- old style, 1991-07 to 2007-03: ``archive(.SC)/YYMMNNN`` with a known archive
  (``hep-th/9901001``, ``math.GT/0309136``).

Versions of one identifier name the same paper, so identifiers compare by
:attr:`ArxivId.base`. The finders return every *candidate* with its exact
offsets and either a valid :class:`ArxivId` or the reason it is malformed, so a
rule can report ``arXiv:2213.12345`` (there is no month 13) as well as use the
valid ones. Finders look only where an arXiv identifier is meant: after
``arXiv:``, in an ``arxiv.org/abs|pdf|html/`` URL (or the ``10.48550/arXiv.`` DOI),
in a cell or value known to hold identifiers, or at the head of a file name.
"""

from __future__ import annotations

import datetime
import functools
import re
import time
from collections.abc import Callable

from .records import dataclass
from .source import compact_pickle

# Archives of the old scheme (arXiv's own list of pre-2007 archives).
OLD_ARCHIVES = frozenset(
    """acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas
    cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph mtrl-th nlin nucl-ex
    nucl-th patt-sol physics plasm-ph q-alg q-bio quant-ph solv-int supr-con""".split()
)


def _pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """``pattern``, compiled on its first use.

    Every run imports this module (the arXiv rules do), but only runs that look
    for arXiv identifiers use its patterns, which take about 9 ms to compile.
    """
    return functools.cache(lambda: re.compile(pattern, flags))


NEW_SCHEME_START = 704  # 2007-04
FIVE_DIGITS_FROM = 1501  # 2015-01
OLD_SCHEME_FIRST = (1991, 7)
OLD_SCHEME_LAST = (2007, 3)


@compact_pickle  # in every claim the facts cache keeps
@dataclass(frozen=True, slots=True, order=True)
class ArxivId:
    """A valid arXiv identifier; ``base`` without the version, ``version`` or ``None``."""

    base: str
    version: int | None = None

    @property
    def text(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class IdMatch:
    """A candidate identifier at ``[start, end)`` of the searched string.

    ``raw`` is the candidate's text (with its version, without any ``.pdf``);
    exactly one of ``arxiv_id`` (valid) and ``problem`` (why it is malformed) is set.
    """

    start: int
    end: int
    raw: str
    arxiv_id: ArxivId | None
    problem: str | None = None

    @property
    def valid(self) -> bool:
        return self.arxiv_id is not None


_NEW_SHAPE = _pattern(r"^(\d{2})(\d{2})\.(\d+)(?:v(\d+))?$")
_OLD_SHAPE = _pattern(r"^([A-Za-z][A-Za-z-]*)(?:\.([A-Za-z][A-Za-z-]*))?/(\d{2})(\d{2})(\d+)(?:v(\d+))?$")


_TODAY: list = [0.0, None]  # (when asked, the date): asked at most once a minute


def _today() -> datetime.date:
    now = time.monotonic()
    if _TODAY[1] is None or now - _TODAY[0] > 60:
        _TODAY[:] = [now, datetime.date.today()]
    return _TODAY[1]


def check_id(text: str) -> tuple[ArxivId | None, str | None]:
    """Validate one identifier: ``(ArxivId, None)`` when valid, else ``(None, reason)``."""
    today = _today()
    return _check_id(text, (today.year % 100) * 100 + today.month)


@functools.lru_cache(maxsize=1 << 16)  # the same IDs recur across notes; the answer is immutable
def _check_id(text: str, this_month: int) -> tuple[ArxivId | None, str | None]:
    match = _NEW_SHAPE().match(text)
    if match:
        return _check_new(*match.groups(), this_month)
    match = _OLD_SHAPE().match(text)
    if match:
        return _check_old(*match.groups())
    return None, "not an arXiv identifier (expected YYMM.NNNNN or archive/YYMMNNN)"


def parse_id(text: str) -> ArxivId | None:
    """The valid identifier ``text`` names (surrounding ``arXiv:`` allowed), else ``None``."""
    text = text.strip()
    if text[:6].lower() == "arxiv:":
        text = text[6:].strip()
    return check_id(text)[0]


def _check_version(version: str | None) -> tuple[int | None, str | None]:
    if version is None:
        return None, None
    if version.startswith("0"):
        return None, f"version v{version} is not a version (versions start at v1)"
    return int(version), None


def _check_new(yy: str, mm: str, number: str, version: str | None, this_month: int) -> tuple[ArxivId | None, str | None]:
    yymm = int(yy + mm)
    month = int(mm)
    if not 1 <= month <= 12:
        return None, f"month {mm} does not exist (YYMM.NNNNN: {yy}{mm} is not a year and month)"
    if yymm < NEW_SCHEME_START:
        return None, f"{yy}{mm} is before April 2007, when YYMM.NNNN identifiers began (older ones are archive/YYMMNNN)"
    # A month of slack: an identifier can be minted before a local clock's month turns.
    latest = this_month + (89 if this_month % 100 == 12 else 1)
    if yymm > latest:
        return None, f"{yy}{mm} is a future month (20{yy}-{mm})"
    wanted = 4 if yymm < FIVE_DIGITS_FROM else 5
    if len(number) != wanted:
        era = "until 2014" if wanted == 4 else "from 2015"
        return None, f"{len(number)}-digit number; identifiers of 20{yy}-{mm} have {wanted} ({era}: YYMM.{'N' * wanted})"
    if set(number) == {"0"}:
        return None, "the number is all zeros"
    parsed_version, problem = _check_version(version)
    if problem:
        return None, problem
    return ArxivId(f"{yy}{mm}.{number}", parsed_version), None


def _check_old(archive: str, subject: str | None, yy: str, mm: str, number: str, version: str | None) -> tuple[ArxivId | None, str | None]:
    if archive.lower() not in OLD_ARCHIVES:
        return None, f"unknown archive {archive!r} (old-style identifiers are archive/YYMMNNN, e.g. hep-th/9901001)"
    month = int(mm)
    if not 1 <= month <= 12:
        return None, f"month {mm} does not exist"
    year = (1900 if int(yy) >= 91 else 2000) + int(yy)
    if not OLD_SCHEME_FIRST <= (year, month) <= OLD_SCHEME_LAST:
        return None, f"{yy}{mm} is outside the old scheme (1991-07 to 2007-03)"
    if len(number) != 3:
        return None, f"{len(number)}-digit number; old-style identifiers have 3 (archive/YYMMNNN)"
    if number == "000":
        return None, "the number is all zeros"
    parsed_version, problem = _check_version(version)
    if problem:
        return None, problem
    base = f"{archive.lower()}{'.' + subject if subject else ''}/{yy}{mm}{number}"
    return ArxivId(base, parsed_version), None


def _candidate(start: int, raw: str) -> IdMatch:
    arxiv_id, problem = check_id(raw)
    return IdMatch(start, start + len(raw), raw, arxiv_id, problem)


# --- where identifiers are meant ------------------------------------------------

# What may follow "arXiv:" or an abs/pdf/html path: a loose shape, validated after.
_LOOSE_NEW = r"\d{4}\.\d+(?:v\d+)?"
_LOOSE_OLD = r"[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?/\d+(?:v\d+)?"
_LOOSE_ID = f"(?:{_LOOSE_NEW}|{_LOOSE_OLD})"

_URL = _pattern(
    r"(?:(?<![\w.-])|(?<=://))(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(" + _LOOSE_ID + r")(?:\.pdf)?(?=$|[/?#\s)\]>|,;'\"])",
    re.IGNORECASE,
)
_DOI = _pattern(r"10\.48550/arxiv\.(" + _LOOSE_ID + r")(?![\w.])", re.IGNORECASE)
_PREFIXED = _pattern(r"(?<![\w/.])arxiv:[ \t]?(" + _LOOSE_ID + r")(?![\w./-])", re.IGNORECASE)
# A bare identifier where one is expected (an arXiv cell or field): new style only,
# 4 or 5 digits, or old style with a slash. Numbers like 2023.12 are not candidates.
_BARE = _pattern(r"(?<![\w./:-])(\d{4}\.\d{4,6}(?:v\d+)?|[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?/\d{7}(?:v\d+)?)(?![\w./-])")
# In a file name: a valid-shaped new-style id at the start or after a separator,
# followed by a separator or the extension (2210.03629_Page_02.png, 2210.03629v2.pdf).
_FILE = _pattern(r"(?:^|(?<=[\s_(\[-]))(\d{4}\.\d{4,5}(?:v\d+)?)(?=$|[\s_)\]-]|\.[A-Za-z]{2,4}$)")


# Every candidate has four digits, a dot and a digit (new style), or a letter or
# hyphen, a slash and a digit (old style); most text has neither. The scan looks for
# the rare part, a dot or slash before a digit, and then at what precedes it: a
# regex led by the common part (\d{4}\.\d|[A-Za-z-]/\d) tries every letter and
# takes several times as long over a whole note.
_DOT_OR_SLASH_DIGIT = _pattern(r"[./]\d")
_ARCHIVE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")


def may_hold_id(text: str) -> bool:
    r"""Whether ``text`` may hold an arXiv identifier at all (a fast test before the
    finders): whether it matches ``\d{4}\.\d|[A-Za-z-]/\d`` (``\d``: any decimal digit)."""
    for match in _DOT_OR_SLASH_DIGIT().finditer(text):
        at = match.start()
        if text[at] == ".":
            if at >= 4 and text[at - 4:at].isdecimal():
                return True
        elif at >= 1 and text[at - 1] in _ARCHIVE_CHARS:
            return True
    return False


def may_name_arxiv(url: str) -> bool:
    """Whether ``url`` may hold an identifier at all: the finders' patterns all name
    arXiv. Case-insensitive matching also lets ``ı``, ``İ`` and ``K`` (Kelvin) stand
    for ASCII letters, so text that is not ASCII is always looked at."""
    return "arxiv" in url.lower() or not url.isascii()


def ids_in_url(url: str) -> list[IdMatch]:
    """Identifiers in an arXiv URL (``arxiv.org/abs|pdf|html/``, ``doi.org/10.48550/arXiv.``)."""
    return list(_ids_in_url(url)) if may_name_arxiv(url) else []


# The paper index asks about one link's URL and text several times (is it a claim, a
# label, which IDs), and the same links recur across notes: the answers are memoised,
# as immutable tuples, and each caller gets its own list.
@functools.lru_cache(maxsize=1 << 14)
def _ids_in_url(url: str) -> tuple[IdMatch, ...]:
    found = [_candidate(m.start(1), m.group(1)) for m in _URL().finditer(url)]
    found += [_candidate(m.start(1), m.group(1)) for m in _DOI().finditer(url)]
    return tuple(sorted(found, key=lambda match: match.start))


def ids_in_text(text: str, bare: bool = False) -> list[IdMatch]:
    """Identifiers written in prose: ``arXiv:X``, arXiv URLs and DOIs, and with
    ``bare`` also a lone ``2205.12255`` or ``hep-th/9901001`` (for cells and values
    that are known to hold identifiers). Overlapping candidates are kept once."""
    return list(_ids_in_text(text, bare)) if may_hold_id(text) else []


@functools.lru_cache(maxsize=1 << 14)
def _ids_in_text(text: str, bare: bool) -> tuple[IdMatch, ...]:
    found: list[IdMatch] = []
    for pattern in (_URL, _DOI, _PREFIXED) + ((_BARE,) if bare else ()):
        for match in pattern().finditer(text):
            candidate = _candidate(match.start(1), match.group(1))
            if not any(candidate.start < other.end and other.start < candidate.end for other in found):
                found.append(candidate)
    return tuple(sorted(found, key=lambda match: match.start))


def ids_in_file_name(name: str) -> list[IdMatch]:
    """Valid new-style identifiers in a file name (``2210.03629_Page_02.png``).

    Only valid ones: a file name is evidence, not a claim to be corrected, and
    names such as ``Pasted image 20230615110232.png`` carry no identifier."""
    found = []
    for match in _FILE().finditer(name):
        candidate = _candidate(match.start(1), match.group(1))
        if candidate.valid:
            found.append(candidate)
    return found


@functools.lru_cache(maxsize=1 << 14)
def arxiv_label(text: str) -> bool:
    """Whether a link text merely names an identifier or the arXiv page
    (``arXiv:2205.12255``, ``2205.12255 [cs.CL]``, a URL, ``arXiv``, ``PDF``), as
    opposed to naming a paper (``ReAct``), which makes the link a citation."""
    stripped = text.strip()
    if stripped.lower().strip("[]() ") in _GENERIC_LABELS:
        return True
    candidates = ids_in_text(stripped, bare=True)
    if not candidates:
        return False
    rest = stripped
    for candidate in reversed(candidates):
        rest = rest[:candidate.start] + " " + rest[candidate.end:]
    return not re.search(r"\w", _LABEL_NOISE().sub(" ", rest))


_GENERIC_LABELS = frozenset(
    "arxiv|arxiv link|arxiv page|arxiv paper|arxiv preprint|paper|pdf|abs|abstract|html|preprint|link".split("|")
)
_LABEL_NOISE = _pattern(
    r"(?i)(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/|arxiv\s*:|10\.48550/arxiv\.|\.pdf\b"
    r"|\[[a-z-]+(?:\.[a-z-]+)?\]"
)
