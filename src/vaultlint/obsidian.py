"""Obsidian's own link semantics, in one place.

Every rule asks this module what Obsidian would do: how a heading is normalised,
how a link path resolves to a file, how a subpath resolves to a heading, block
or footnote, and how Obsidian writes a link when it generates one. The behaviour
follows ``reference/obsidian-links.md`` (Obsidian 1.12-1.14); section numbers in
comments point there. Where the reference is unsure, the choice made here is the
one that raises no false alarm, and it says so.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Container, Iterable, Sequence
from functools import lru_cache
from sys import intern
from typing import Protocol
from urllib.parse import quote

from .records import dataclass
from .source import compact_pickle

# JavaScript's \s, which Obsidian's regexes use; Python's \s differs (§1.1).
JS_WHITESPACE = "".join(
    ["\t\n\x0b\x0c\r \u00a0\u1680", *map(chr, range(0x2000, 0x200B)), "\u2028\u2029\u202f\u205f\u3000\ufeff"]
)
_JS_SPACE_RUN = re.compile(f"[{re.escape(JS_WHITESPACE)}]+")
_HEADING_STRIP = re.compile(r"[!\"#$%&()*+,.:;<=>?@^`{|}~/\[\]\\\r\n]")
_HEADING_LINK_STRIP = re.compile(r"([:#|^\\\r\n]|%%|\[\[|]])")
_JS_SPACE = f"[{re.escape(JS_WHITESPACE)}]*"  # §4.2's regex uses JavaScript's \s
_EMBED_SIZE = re.compile(f"^{_JS_SPACE}([0-9]+){_JS_SPACE}(?:x{_JS_SPACE}([0-9]+){_JS_SPACE})?\\Z")
BLOCK_ID_CHARS = re.compile(r"^[A-Za-z0-9-]+\Z")  # JS $: no match before a final newline
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def js_trim(text: str) -> str:
    return text.strip(JS_WHITESPACE)


def strip_heading(heading: str) -> str:
    """``stripHeading``: the form in which Obsidian compares headings (§1.1)."""
    return js_trim(_JS_SPACE_RUN.sub(" ", _HEADING_STRIP.sub(" ", heading)))


def strip_heading_for_link(heading: str) -> str:
    """``stripHeadingForLink``: the form Obsidian writes into a heading link (§1.1)."""
    return js_trim(_JS_SPACE_RUN.sub(" ", _HEADING_LINK_STRIP.sub(" ", heading)))


@lru_cache(maxsize=1 << 16)
def heading_key(heading: str) -> str:
    """What two headings must share to match: stripped, then lower-cased (not casefolded)."""
    return strip_heading(heading).lower()


def clean_string(text: str) -> str:
    """``cleanString``: NBSP to space, trim, NFC (§2.1)."""
    return unicodedata.normalize("NFC", js_trim(text.replace("\u00a0", " ")))


# ECMAScript decodeURI keeps escapes of these characters encoded (§1.5).
_DECODE_URI_RESERVED = frozenset(";/?:@&=+$,#")
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def decode_uri(text: str) -> str | None:
    """ECMAScript ``decodeURI``; ``None`` where JavaScript would throw (malformed %)."""
    if "%" not in text:
        return text
    pieces: list[str] = []
    pos = 0
    for match in _PERCENT_RUN.finditer(text):
        if "%" in text[pos:match.start()]:
            return None
        pieces.append(text[pos:match.start()])
        raw = match.group()
        data = bytes(int(raw[i + 1:i + 3], 16) for i in range(0, len(raw), 3))
        decoded = _decode_utf8_sequences(data, raw)
        if decoded is None:
            return None
        pieces.append(decoded)
        pos = match.end()
    if "%" in text[pos:]:
        return None
    pieces.append(text[pos:])
    return "".join(pieces)


def _decode_utf8_sequences(data: bytes, raw: str) -> str | None:
    out: list[str] = []
    i = 0
    while i < len(data):
        lead = data[i]
        if lead < 0x80:
            char = chr(lead)
            out.append(raw[i * 3:i * 3 + 3] if char in _DECODE_URI_RESERVED else char)
            i += 1
            continue
        width = 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 0
        if width == 0 or i + width > len(data):
            return None
        try:
            out.append(data[i:i + width].decode("utf-8"))
        except UnicodeDecodeError:
            return None
        i += width
    return "".join(out)


def safe_decode_uri(text: str) -> str:
    """``safeDecodeURI``: decodeURI, or the raw text when it would throw (images)."""
    decoded = decode_uri(text)
    return text if decoded is None else decoded


_SPECIAL_CHARS = re.compile(r"[\\\x00\x08\x0b\x0c\x0e-\x1f ]")


def encode_special_chars(text: str) -> str:
    """``encodeSpecialChars``: how Obsidian escapes a Markdown link destination (§2.7)."""
    return _SPECIAL_CHARS.sub(lambda m: quote(m.group(), safe=""), text)


def is_external_destination(destination: str) -> bool:
    """Whether Obsidian treats a Markdown destination as a URL rather than a vault link.

    The exact predicate is not recovered (§1.5, §8.1); the best evidence is that a
    destination is internal when it starts with ``./`` or ``../`` or has no ``:``.
    """
    if destination.startswith(("./", "../")):
        return False
    return ":" in destination


def looks_like_url(destination: str) -> bool:
    """A destination that starts with a URL scheme (``https:``, ``mailto:``, ``C:``)."""
    return bool(_URL_SCHEME.match(destination))


def split_linktext(linktext: str) -> tuple[str, str]:
    """``parseLinktext``: path and subpath, split at the first ``#`` (§2.2)."""
    hash_at = linktext.find("#")
    if hash_at == -1:
        return linktext, ""
    return linktext[:hash_at], linktext[hash_at:]


def split_alias(inner: str) -> tuple[str, str | None, bool]:
    """``parseAliasLink``: target, alias, and whether the ``\\|`` table escape was used.

    Splits at the first ``|`` at index > 0; a trailing backslash on the target is
    dropped, which is what makes ``[[Note\\|alias]]`` work inside tables (§2.1).
    """
    bar = inner.find("|", 1)
    if bar == -1:
        return clean_string(inner), None, False
    target = inner[:bar]
    escaped = target.endswith("\\")
    if escaped:
        target = target[:-1]
    return clean_string(target), js_trim(inner[bar + 1:]), escaped


def parse_embed_size(text: str | None) -> tuple[int, int | None] | None:
    """The ``400`` or ``400x300`` of an embed or image alias (§4.2)."""
    if text is None:
        return None
    match = _EMBED_SIZE.match(text)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def default_display_text(linktext: str) -> str:
    return " > ".join(part for part in linktext.split("#") if part)


# --- Subpaths: headings, blocks, footnotes (§1.2, §3) -------------------------


class HeadingLike(Protocol):
    text: str
    level: int


@dataclass(frozen=True, slots=True)
class SubpathMatch:
    """What a subpath reaches: ``kind`` is ``heading``, ``block`` or ``footnote``.

    ``index`` is the heading's position in document order (for headings);
    ``via_heading_fallback`` marks Obsidian's quirk of a ``#^id`` or ``#[^id]``
    that found no block or footnote and matched a heading instead.
    """

    kind: str
    index: int | None = None
    key: str | None = None
    via_heading_fallback: bool = False


def subpath_segments(subpath: str) -> list[str]:
    if not subpath:
        return []  # most links: every rule asks about each of them
    return [part for part in subpath.split("#") if part]


def resolve_subpath(
    headings: Sequence[HeadingLike],
    block_ids: Container[str],
    footnote_ids: Container[str],
    subpath: str,
    heading_keys: Sequence[str] | None = None,
) -> SubpathMatch | None:
    """``resolveSubpath``: the heading walk, block ids and footnotes, with Obsidian's quirks.

    ``heading_keys`` (each heading's :func:`heading_key`, in order) saves computing
    them again for a note that many links point into.
    """
    parts = subpath_segments(subpath)
    if not parts:
        return None
    fell_back = False
    if len(parts) == 1:
        part = parts[0]
        if part.startswith("^"):
            block = part[1:].lower()
            if block in block_ids:
                return SubpathMatch("block", key=block)
            fell_back = True
        elif part.startswith("[^"):
            footnote = part[2:-1]  # Obsidian slices off the last character unchecked (§1.2)
            if footnote in footnote_ids:
                return SubpathMatch("footnote", key=footnote)
            fell_back = True
    wanted = [heading_key(part) for part in parts]
    if heading_keys is None:
        heading_keys = [heading_key(heading.text) for heading in headings]
    elif len(wanted) == 1:
        # Every heading's level exceeds the walk's starting 0: the first equal key wins.
        try:
            return SubpathMatch("heading", index=heading_keys.index(wanted[0]), via_heading_fallback=fell_back)
        except ValueError:
            return None
    matched = 0
    level = 0
    for index, heading in enumerate(headings):
        if heading.level > level and heading_keys[index] == wanted[matched]:
            matched += 1
            level = heading.level
            if matched == len(wanted):
                return SubpathMatch("heading", index=index, via_heading_fallback=fell_back)
    return None


@dataclass(frozen=True, slots=True)
class _Level:
    level: int
    text: str = ""


@compact_pickle
@dataclass(frozen=True, slots=True)
class SubpathTargets:
    """What a note offers the subpaths of links into it: each heading's level and key
    (in document order), its block ids and its footnotes. Small, and built where the
    note is parsed, so that checking a link into a note parsed in a worker does not
    unpickle that note (``Vault.subpath_targets``; ``Note.subpath_targets``)."""

    levels: tuple[int, ...]
    heading_keys: tuple[str, ...]
    block_ids: frozenset[str]
    footnote_ids: frozenset[str]

    @classmethod
    def of(
        cls,
        headings: Sequence[HeadingLike],
        block_ids: Iterable[str],
        footnote_ids: Iterable[str],
        heading_keys: tuple[str, ...] | None = None,
    ) -> SubpathTargets:
        """``heading_keys``: each heading's :func:`heading_key`, when the caller has them."""
        if heading_keys is None:
            heading_keys = tuple(heading_key(heading.text) for heading in headings)
        return cls(tuple(heading.level for heading in headings), heading_keys, frozenset(block_ids), frozenset(footnote_ids))

    def resolve(self, subpath: str) -> SubpathMatch | None:
        # Given the keys, only the heading walk of a subpath of several segments reads levels.
        several = len(subpath_segments(subpath)) > 1
        headings = [_Level(level) for level in self.levels] if several else ()
        return resolve_subpath(headings, self.block_ids, self.footnote_ids, subpath, self.heading_keys)


def heading_chain_for(headings: Sequence[HeadingLike], index: int) -> list[str] | None:
    """The shortest chain of headings (innermost last) that resolves to ``headings[index]``.

    A later duplicate heading can only be reached through a parent chain
    (``#Week 2#Notes``); ``None`` when no chain reaches it.
    """
    target = headings[index]
    ancestors: list[int] = []
    for position in range(index - 1, -1, -1):
        current_level = headings[ancestors[-1]].level if ancestors else target.level
        if headings[position].level < current_level:
            ancestors.append(position)
    ancestors.reverse()
    # Try chains of growing length: the target alone, then with its nearest ancestors.
    for depth in range(len(ancestors) + 1):
        chain_indices = ancestors[len(ancestors) - depth:] + [index]
        chain = [strip_heading_for_link(headings[i].text) for i in chain_indices]
        if not all(chain):
            continue
        found = resolve_subpath(headings, (), (), "#" + "#".join(chain))
        if found is not None and found.index == index:
            return chain
    return None


# --- Files: the vault-wide name lookup and getLinkpathDest (§2.3) ---------------


def nfc_lower(text: str) -> str:
    # ASCII is always NFC, and the test costs much less than normalising.
    return (text if text.isascii() else unicodedata.normalize("NFC", text)).lower()


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a link path leads: ``candidates`` in Obsidian's order (first one opens).

    ``in_source_folder`` counts the candidates under the linking note's folder,
    which Obsidian prefers. ``escapes_root`` is set for a ``../`` path that climbs above the vault root;
    vaultlint never follows such a link (the reference does not settle what
    Obsidian does there, and a link that leaves the vault is a defect either way).
    """

    candidates: tuple[str, ...]
    escapes_root: bool = False
    by_exact_path: bool = False
    in_source_folder: int = 0

    @property
    def target(self) -> str | None:
        return self.candidates[0] if self.candidates else None


# In ``FileIndex.looked_up``: the whole file list was read, not names looked up. No file
# name holds a "/".
EVERY_NAME = "/"


def file_name_key(path: str) -> str:
    """The name under which ``FileIndex`` files ``path``: its last part, NFC, lower-cased."""
    return nfc_lower(path).rpartition("/")[2]


# In ``FileIndex.looked_up``, and among a note's names: the names close to a name
# were asked for (``FileIndex.read_names_near``), as "/near/CUTOFF/EXTENSION/STEM".
NEAR_NAMES = "/near/"


def near_names_key(stem: str, extension: str, cutoff: float) -> str:
    return f"{NEAR_NAMES}{cutoff!r}/{extension}/{stem}"


def stem_of(name: str, extension: str) -> str:
    """The stem of a file ``name`` known to end with ``extension`` (lower-cased, as
    ``splitext`` gives it): cut off, a few times faster than ``splitext`` on a large
    vault. Only a name starting with a dot (".md", "..md") may have no extension."""
    return name[:-len(extension)] if extension and not name.startswith(".") else posixpath.splitext(name)[0]


def names_touched(names: Iterable[str], changed: frozenset[str]) -> bool:
    """Whether one of the file names in ``changed`` (added, removed or renamed files'
    ``file_name_key``) is among ``names`` (what ``looked_up_names`` gave) or is close to
    a name whose close names were asked for: a fuzzy match (``repair.similar_files``)
    meets only names that score at least its cutoff (one point less is asked here, so
    that a rounding difference re-checks rather than keeps)."""
    if not changed.isdisjoint(names):
        return True
    near = [name for name in names if name.startswith(NEAR_NAMES)]
    if not near:
        return False
    from rapidfuzz import fuzz

    for key in near:
        cutoff, extension, stem = key[len(NEAR_NAMES):].split("/", 2)
        for name in changed:
            if name.endswith(extension) and fuzz.ratio(stem, stem_of(name, extension)) >= float(cutoff) - 1:
                return True
    return False


def looked_up_names(looked_up: Iterable[str | tuple[str]]) -> set[str]:
    """The file names of what ``FileIndex.looked_up`` recorded (``EVERY_NAME`` among
    them when the whole list was read): for a link path, the names ``FileIndex.resolve``
    may look it up by, with ``.md`` added and as written when that has an extension (a
    superset of those it does look up)."""
    names: set[str] = set()
    add = names.add
    for item in looked_up:
        if type(item) is tuple:
            add(item[0])
            continue
        name = file_name_key(item)
        # Interned: the same strings for every note that has them, which the file of kept
        # findings then holds once. (An LRU cache of the names by link path did the same,
        # but missed four times in five at 10,000 notes and cost more than it saved.)
        if "." in name:
            add(intern(name))
        add(intern(name + ".md"))
    return names


class FileIndex:
    """Every file of the vault by lower-cased name and path, as Obsidian's ``uniqueFileLookup``.

    While ``looked_up`` is a set, every lookup adds what it asked about: the link path
    resolved, as given (cheap, for the most frequent lookup), or a 1-tuple of the file
    name (``file_name_key``), ``(EVERY_NAME,)`` for the whole list. ``looked_up_names``
    turns that into the names: what a check of one note depended on, so that a later
    run knows whether an added, removed or renamed file can change its findings
    (``Rule.looks_up_files``)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.looked_up: set[str | tuple[str]] | None = None
        self._by_name: dict[str, list[str]] = {}
        self._by_path: dict[str, str] = {}
        self.paths: list[str] = []
        # Resolutions that do not depend on the linking note (a bare name that one
        # file has, or no file has): most links of a vault, looked up once each.
        self._anywhere: dict[str, Resolution] = {}
        by_name, by_path, listed = self._by_name, self._by_path, self.paths
        for path in paths:
            if not path.isascii():  # ASCII is always NFC; the check is much cheaper than normalising
                path = unicodedata.normalize("NFC", path)
            listed.append(path)
            lower = path.lower()
            by_path[lower] = path
            name = lower.rpartition("/")[2]
            named = by_name.get(name)
            if named is None:
                by_name[name] = [path]
            else:
                named.append(path)

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        if self.looked_up is not None:
            self.looked_up.add((file_name_key(path),))
        return nfc_lower(path) in self._by_path

    def exact(self, path: str) -> str | None:
        if self.looked_up is not None:
            self.looked_up.add((file_name_key(path),))
        return self._by_path.get(nfc_lower(path))

    def named(self, file_name: str) -> list[str]:
        """Every file whose name (with extension) is ``file_name``, case-insensitively."""
        if self.looked_up is not None:
            self.looked_up.add((file_name_key(file_name),))
        return list(self._by_name.get(nfc_lower(file_name), ()))

    def names(self, record: bool = True) -> Iterable[str]:
        """Every file name; ``record=False`` for a caller that records what it depends on
        itself (``read_names_near``)."""
        if record:
            self.read_every_name()
        return self._by_name.keys()

    def read_names_near(self, stem: str, extension: str, cutoff: float) -> None:
        """Record (see ``looked_up``) that what is asked depends on the file names ending
        with ``extension`` whose stem scores ``cutoff`` or more against ``stem``
        (``names_touched``)."""
        if self.looked_up is not None:
            self.looked_up.add((near_names_key(stem, extension, cutoff),))

    def read_every_name(self) -> None:
        """Record (see ``looked_up``) that what is asked depends on every file's name."""
        if self.looked_up is not None:
            self.looked_up.add((EVERY_NAME,))

    def resolve(self, linkpath: str, source_path: str) -> Resolution:
        """``getLinkpathDest``: the files a link path can mean, best first."""
        if linkpath == "":
            return Resolution((source_path,), by_exact_path=True)
        if self.looked_up is not None:
            self.looked_up.add(linkpath)
        known = self._anywhere.get(linkpath)
        if known is not None:
            return known
        if not linkpath.isascii():
            linkpath = unicodedata.normalize("NFC", linkpath)
        wanted = linkpath.lower()
        name = wanted.rpartition("/")[2]
        candidates = self._by_name.get(name) if "." in name else None
        if not candidates:
            wanted = (linkpath + ".md").lower()
            name = wanted.rpartition("/")[2]
            candidates = self._by_name.get(name)
        if not candidates:
            if wanted.startswith(("./", "../")):
                return Resolution((), escapes_root=_climbs_above_root(wanted, source_path))
            found = self._anywhere[linkpath] = Resolution(())
            return found
        if name == wanted and len(candidates) == 1:
            found = self._anywhere[linkpath] = Resolution((candidates[0],))
            return found
        source_folder = posixpath.dirname(nfc_lower(source_path))
        if wanted.startswith(("./", "../")):
            joined, escaped = _join_relative(source_folder, wanted)
            if escaped:
                return Resolution((), escapes_root=True)
            hit = self._exact_among(candidates, joined)
            if hit:
                return Resolution((hit,), by_exact_path=True)
            wanted = joined
        if wanted.startswith("/"):
            wanted = wanted[1:]
        hit = self._exact_among(candidates, wanted)
        if hit:
            # A vault path (a relative one's only hit was tried above): the same from every note.
            found = self._anywhere[linkpath] = Resolution((hit,), by_exact_path=True)
            return found
        if linkpath.startswith("/"):
            return Resolution(())
        same_folder = [p for p in candidates if p.lower().endswith(wanted) and p.lower().startswith(source_folder)]
        elsewhere = [p for p in candidates if p.lower().endswith(wanted) and not p.lower().startswith(source_folder)]
        same_folder.sort(key=len)
        elsewhere.sort(key=len)
        return Resolution(tuple(same_folder + elsewhere), in_source_folder=len(same_folder))

    @staticmethod
    def _exact_among(candidates: Sequence[str], lowered_path: str) -> str | None:
        for path in candidates:
            if path.lower() == lowered_path:
                return path
        return None

    def link_text_for(self, target: str, source_path: str, link_format: str, keep_md: bool) -> str:
        """``fileToLinktext``: the path Obsidian writes for ``target`` from ``source_path``.

        ``link_format`` is ``shortest``, ``relative`` or ``absolute`` (app.json's
        ``newLinkFormat``); ``keep_md`` keeps the ``.md`` extension (Markdown links).
        """
        if link_format == "relative":
            text = relative_path(target, source_path)
        elif link_format == "absolute":
            text = target
        else:
            base = posixpath.basename(target)
            text = base if self.named(base) == [target] else target
        if not keep_md and text.lower().endswith(".md"):
            text = text[:-3]
        return text


def _join_relative(source_folder: str, path: str) -> tuple[str, bool]:
    parts = source_folder.split("/") if source_folder else []
    escaped = False
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts:
                parts.pop()
            else:
                escaped = True
        else:
            parts.append(segment)
    return "/".join(parts), escaped


def _climbs_above_root(path: str, source_path: str) -> bool:
    if not path.startswith(("./", "../")):
        return False
    return _join_relative(posixpath.dirname(source_path), path)[1]


def relative_path(target: str, source_path: str) -> str:
    """A ``../``-style path from the source note's folder, without ``./`` (§2.7)."""
    source_folder = posixpath.dirname(source_path)
    return posixpath.relpath(target, source_folder or ".")


def is_markdown_path(path: str) -> bool:
    return path.lower().endswith(".md")
