"""Which files of the vault are referenced, and from where: every kind of reference counted.

Used by the rules that must know whether anything points at a file before calling
it unused (orphan-attachment, empty-note). A reference is counted from:

- every link and embed of every note, wikilink or Markdown, in the body, in tables,
  callouts and headings, in quoted frontmatter properties, and inside ``%% %%``
  comments (a draft that mentions a file still wants it), resolved with Obsidian's
  resolver; when a link resolves to several files, each of them counts;
- a link that resolves to nothing but that a repair would point at a file (the
  only file with that name, the name without stray characters, a clearly closest
  name): that file counts, so a typo never makes its target an orphan;
- frontmatter values that name a file with an extension, such as
  ``cover: Attachments/cover.jpg``, which plugins read (Obsidian itself does not);
- ``.canvas`` files (JSON Canvas): ``file`` of file nodes, ``background`` of groups,
  and the links in text nodes (resolved from the canvas's folder);
- ``.base`` files (YAML): every string value that is a vault path, a link path, or
  holds a wikilink or a quoted path (``link("Attachments/x.png")``).

Obsidian Publish's own uses count too: favicons named as Publish expects them
(``favicon.ico``, ``favicon-32.png``, ``favicon-32x32.png``), and any file whose
name appears in ``publish.css``, ``publish.js`` or ``site-options.json`` (the site's
logo) at the vault root.

A note, canvas or base that cannot be read (bad UTF-8, invalid JSON or YAML, not
the expected shape) is recorded as a :class:`SourceProblem`, and its raw text is
kept: any file whose name appears in it counts as referenced. Nothing is ever
called unreferenced because a file could not be parsed.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from .note import Note
from .records import dataclass
from .rule import Context
from .vault import Vault

NOTE_LIKE_EXTENSIONS = (".md", ".canvas", ".base")
# A canvas or base bigger than this is not parsed; only searched for file names.
MAX_SOURCE_BYTES = 16 * 1024 * 1024
_WIKILINK = re.compile(r"!?\[\[([^\[\]\n]+?)\]\]")
_QUOTED = re.compile(r"\"([^\"\n]{1,400})\"|'([^'\n]{1,400})'")
# Obsidian Publish: files it reads at the vault root, and the favicon names it serves.
PUBLISH_SITE_FILES = ("publish.css", "publish.js", "site-options.json")
PUBLISH_FAVICON = re.compile(r"^favicon(?:-\d+(?:x\d+)?\.png|\.ico)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """A note, canvas or base whose references could not be read exactly."""

    path: str
    message: str
    line: int = 1
    column: int = 1


def is_note_like(path: str) -> bool:
    """Notes, canvases and bases: what Obsidian opens as documents, not attachments."""
    return path.lower().endswith(NOTE_LIKE_EXTENSIONS)


class References:
    """Every file of the vault that something references, with the paths referencing it."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._sources: dict[str, set[str]] = {}
        # (source path, lower-cased raw text) of sources searched for file names: those
        # that could not be parsed, and Obsidian Publish's site files.
        self._unparsed: list[tuple[str, str]] = []
        self.problems: list[SourceProblem] = []
        for path in vault.notes:
            self._add_note(vault.notes[path])
        for path in vault.files:
            lowered = path.lower()
            if lowered.endswith(".canvas"):
                self._add_canvas(path)
            elif lowered.endswith(".base"):
                self._add_base(path)
            elif lowered in PUBLISH_SITE_FILES:
                self._unparsed.append((path, self._raw_text(path).lower()))

    # --- queries ---------------------------------------------------------------------

    def sources(self, path: str) -> set[str]:
        """The notes, canvases and bases referencing ``path`` (itself included, if it does)."""
        found = set(self._sources.get(path, ()))
        if self._unparsed:
            names = _mention_forms(path)
            found.update(source for source, text in self._unparsed if any(name in text for name in names))
        return found

    def referenced(self, path: str) -> bool:
        """Whether anything other than the file itself references ``path``."""
        if PUBLISH_FAVICON.match(posixpath.basename(path)) or path.lower() in PUBLISH_SITE_FILES:
            return True  # used by Obsidian Publish by name
        return bool(self.sources(path) - {path})

    # --- building ----------------------------------------------------------------------

    def _add(self, target: str, source: str) -> None:
        self._sources.setdefault(target, set()).add(source)

    def _add_resolved(self, linkpath: str, source: str) -> None:
        """A path as written in a canvas, base or property: exact vault path first, else a link path."""
        linkpath = linkpath.strip()
        if not linkpath or len(linkpath) > 1000 or "\n" in linkpath or "://" in linkpath:
            return
        exact = self.vault.index.exact(linkpath.lstrip("/"))
        if exact is not None:
            self._add(exact, source)
            return
        for candidate in self.vault.resolve(linkpath, source).candidates:
            self._add(candidate, source)

    def _add_wikilinks(self, text: str, source: str) -> None:
        from .obsidian import split_alias, split_linktext

        for match in _WIKILINK.finditer(text):
            target, _, _ = split_alias(match.group(1))
            path, _ = split_linktext(target)
            if path:
                self._add_resolved(path, source)

    def _add_links(self, note: Note, source: str) -> None:
        """The links of a parsed note (or canvas text node), resolved from ``source``."""
        from .repair import repair_candidates

        vault = self.vault
        for link in note.links:
            if link.is_self_link:
                continue
            resolution = vault.resolve(link.path, source)
            if resolution.candidates:
                for candidate in resolution.candidates:
                    self._add(candidate, source)
                continue
            repair, several = repair_candidates(vault, note, link)
            if repair is not None:
                self._add(repair.target, source)
            for candidate in several:
                self._add(candidate, source)

    def _add_note(self, note: Note) -> None:
        if note.skipped:
            self._unparsed.append((note.path, self._raw_text(note.path, note.text).lower()))
            return
        self._add_links(note, note.path)
        if note.frontmatter is not None and note.frontmatter.data:
            for value in _strings(note.frontmatter.data):
                self._add_property(value, note.path)

    def _add_property(self, value: str, source: str) -> None:
        from .repair import explicit_extension

        text = value.strip()
        if "[[" in text:
            self._add_wikilinks(text, source)
        elif explicit_extension(text) is not None or self.vault.index.exact(text.lstrip("/")) is not None:
            self._add_resolved(text, source)

    def _raw_text(self, path: str, text: str = "") -> str:
        if text:
            return text
        try:
            with open(self.vault.absolute(path), "rb") as stream:
                data = stream.read(MAX_SOURCE_BYTES)
        except OSError:
            return ""
        return data.decode("utf-8", errors="replace")

    def _read(self, path: str, kind: str) -> str | None:
        """A canvas's or base's text; ``None`` (with a problem recorded) when it cannot be parsed."""
        try:
            data = self.vault.absolute(path).read_bytes()
        except OSError as error:
            self.problems.append(SourceProblem(path, f"cannot read this {kind} ({error.strerror}); files it names may be reported as unreferenced"))
            return None
        if len(data) > MAX_SOURCE_BYTES:
            self._unreadable(path, data.decode("utf-8", errors="replace"), f"this {kind} is too large to parse ({len(data):,} bytes)")
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
            self._unreadable(path, data.decode("utf-8", errors="replace"), f"this {kind} is not valid UTF-8 (byte 0x{data[error.start]:02x})", line, column)
            return None

    def _unreadable(self, path: str, text: str, why: str, line: int = 1, column: int = 1) -> None:
        self.problems.append(SourceProblem(path, f"{why}; every file whose name appears in it counts as referenced", line, column))
        self._unparsed.append((path, text.lower()))

    def _add_canvas(self, path: str) -> None:
        text = self._read(path, "canvas")
        if text is None:
            return
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError as error:
            line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
            reason = getattr(error, "msg", str(error))
            self._unreadable(path, text, f"this canvas is not valid JSON ({reason})", line, column)
            return
        nodes = data.get("nodes", []) if isinstance(data, dict) else None
        if not isinstance(nodes, list):
            self._unreadable(path, text, "this canvas is not JSON Canvas (expected an object with a list of nodes)")
            return
        from .parser import parse_note

        for node in nodes:
            if not isinstance(node, dict):
                continue
            for key in ("file", "background"):
                value = node.get(key)
                if isinstance(value, str):
                    self._add_resolved(value, path)
            body = node.get("text")
            if isinstance(body, str) and node.get("type", "text") == "text":
                parsed = parse_note(path, body)
                self._add_links(parsed, path)

    def _add_base(self, path: str) -> None:
        text = self._read(path, "base")
        if text is None:
            return
        try:
            data = _load_yaml(text)
        except Exception as error:  # ruamel raises many unrelated types for bad YAML
            mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
            line = mark.line + 1 if mark is not None else 1
            column = mark.column + 1 if mark is not None else 1
            problem = getattr(error, "problem", None) or (str(error).splitlines() or [type(error).__name__])[0]
            self._unreadable(path, text, f"this base is not valid YAML ({problem})", line, column)
            return
        for value in _strings(data):
            if "[[" in value:
                self._add_wikilinks(value, path)
            for match in _QUOTED.finditer(value):
                self._add_resolved(match.group(1) or match.group(2), path)
            self._add_resolved(value, path)


def _mention_forms(path: str) -> set[str]:
    """How a file's name may appear in raw text: with and without ``.md``, spaces as ``%20``."""
    name = posixpath.basename(path).lower()
    forms = {name}
    if name.endswith(".md"):
        forms.add(name[:-3])
    forms |= {form.replace(" ", "%20") for form in forms}
    return {form for form in forms if form}


def _strings(data: Any) -> Iterator[str]:
    """Every string value in parsed YAML or JSON, each container visited once (aliases)."""
    seen: set[int] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, (dict, list, tuple)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)


_yaml = None


def _load_yaml(text: str) -> Any:
    global _yaml
    if _yaml is None:
        from ruamel.yaml import YAML

        _yaml = YAML(typ="safe", pure=True)
    return _yaml.load(text)


_MEMO_KEY = "vaultlint.references"


def references(context: Context) -> References:
    """The references of the vault as it is in this run, built once per run."""
    found = context.run_memo.get(_MEMO_KEY)
    if found is None:
        found = References(context.vault)
        context.run_memo[_MEMO_KEY] = found
    return found

