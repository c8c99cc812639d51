"""The parsed form of one note: every element Obsidian cares about, with exact spans."""

from __future__ import annotations

from dataclasses import field
from enum import Enum
from typing import Any

from .obsidian import SubpathTargets
from .records import dataclass
from .source import Encoding, LineIndex, Span, compact_pickle


class LinkStyle(str, Enum):
    WIKILINK = "wikilink"
    MARKDOWN = "markdown"


class LinkPlace(str, Enum):
    BODY = "body"
    TABLE = "table"
    CALLOUT = "callout"
    HEADING = "heading"
    FRONTMATTER = "frontmatter"


@compact_pickle
@dataclass(frozen=True, slots=True)
class Link:
    """A wikilink, embed, Markdown link or image, as Obsidian reads it.

    ``raw_target`` is the source text of the target (path and subpath) and
    ``target_span`` its exact place, so a fix can rewrite only that text.
    ``linktext`` is what Obsidian looks up: for wikilinks the cleaned target, for
    Markdown links the destination after ``decodeURI`` and ``cleanString``.
    """

    style: LinkStyle
    embed: bool
    span: Span
    target_span: Span
    raw_target: str
    linktext: str
    path: str
    subpath: str
    display: str | None = None
    size: tuple[int, int | None] | None = None
    place: LinkPlace = LinkPlace.BODY
    in_comment: bool = False
    angle_brackets: bool = False
    escaped_pipe: bool = False

    @property
    def is_self_link(self) -> bool:
        return self.path == ""


@compact_pickle
@dataclass(frozen=True, slots=True)
class ExternalLink:
    """A Markdown link whose destination Obsidian treats as a URL, not a vault path.

    ``reason`` says why: ``url`` (has a scheme), ``colon`` (a literal ``:`` in what
    looks like a vault path), ``malformed-escape`` (decodeURI would throw).
    """

    span: Span
    target_span: Span
    destination: str
    embed: bool
    reason: str
    display: str | None = None
    in_comment: bool = False
    place: LinkPlace = LinkPlace.BODY


@compact_pickle
@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int
    line: int
    span: Span


@compact_pickle
@dataclass(frozen=True, slots=True)
class BlockId:
    id: str
    line: int
    span: Span


@compact_pickle
@dataclass(frozen=True, slots=True)
class Footnote:
    id: str
    line: int
    span: Span


@compact_pickle
@dataclass(frozen=True, slots=True)
class CalloutField:
    key: str
    value: str
    line: int
    value_span: Span


@compact_pickle
@dataclass(frozen=True, slots=True)
class Callout:
    type: str
    title: str
    fold: str
    first_line: int
    last_line: int
    span: Span
    fields: tuple[CalloutField, ...] = ()
    depth: int = 1


@compact_pickle
@dataclass(frozen=True, slots=True)
class TableCell:
    text: str
    span: Span


@compact_pickle
@dataclass(frozen=True, slots=True)
class TableRow:
    line: int
    span: Span
    cells: tuple[TableCell, ...]


@compact_pickle
@dataclass(frozen=True, slots=True)
class Table:
    header: TableRow
    delimiter: TableRow
    rows: tuple[TableRow, ...]
    alignments: tuple[str, ...]

    @property
    def first_line(self) -> int:
        return self.header.line

    @property
    def last_line(self) -> int:
        return self.rows[-1].line if self.rows else self.delimiter.line


@compact_pickle
@dataclass(frozen=True, slots=True)
class Frontmatter:
    span: Span
    data: dict[str, Any] | None
    error: str | None = None
    error_line: int | None = None

    def values(self, key: str) -> list[str]:
        """A list property read case-insensitively; a scalar becomes a one-item list."""
        if not self.data:
            return []
        for name, value in self.data.items():
            if isinstance(name, str) and name.lower() == key:
                if value is None:
                    return []
                if isinstance(value, list):
                    return [str(item) for item in value if item is not None]
                return [str(value)]
        return []


@compact_pickle
@dataclass(frozen=True, slots=True)
class ParseProblem:
    """Why a note could not be (fully) read; reported by the unreadable-note rule."""

    message: str
    line: int = 1
    column: int = 1


@dataclass(slots=True)
class Note:
    """One Markdown file of the vault, parsed once."""

    path: str
    text: str
    encoding: Encoding = field(default_factory=Encoding)
    frontmatter: Frontmatter | None = None
    headings: list[Heading] = field(default_factory=list)
    block_ids: list[BlockId] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    callouts: list[Callout] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    external_links: list[ExternalLink] = field(default_factory=list)
    comments: list[Span] = field(default_factory=list)
    # Code spans, inline math, inline HTML and autolinks, sorted: text in which
    # the scanner reads no link (and in which a table's pipe splits no cell).
    inline_opaque: list[Span] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    skipped: bool = False
    _line_index: LineIndex | None = None
    _subpath_targets: SubpathTargets | None = field(default=None, compare=False, repr=False)
    # papers.PaperFacts, computed on first use (see ``papers.paper_facts``), after the cache took the note.
    paper_facts: Any = field(default=None, compare=False, repr=False)

    def __reduce__(self):
        # A parsed note crosses from a parsing worker and into the cache pickled, and
        # is unpickled by every process that reads it. As tuples of plain values it
        # pickles in a quarter of the time it takes object by object (each object's
        # reduce is a Python call), and loads faster too.
        return (_note_from_flat, (_flatten(self),))

    @property
    def line_index(self) -> LineIndex:
        if self._line_index is None:
            self._line_index = LineIndex(self.text)
        return self._line_index

    def position(self, offset: int) -> tuple[int, int]:
        return self.line_index.position(offset)

    @property
    def subpath_targets(self) -> SubpathTargets:
        """Where the subpaths of links into this note can lead (see ``obsidian.resolve_subpath``)."""
        if self._subpath_targets is None:
            self._subpath_targets = SubpathTargets.of(self.headings, self.block_id_keys, self.footnote_ids)
        return self._subpath_targets

    @property
    def block_id_keys(self) -> set[str]:
        return {block.id.lower() for block in self.block_ids}

    @property
    def footnote_ids(self) -> set[str]:
        return {footnote.id for footnote in self.footnotes}

    @property
    def aliases(self) -> list[str]:
        if self.frontmatter is None:
            return []
        return self.frontmatter.values("aliases") + self.frontmatter.values("alias")

    def line_text(self, line: int) -> str:
        start = self.line_index.line_start(line)
        end = self.text.find("\n", start)
        return self.text[start:] if end == -1 else self.text[start:end].rstrip("\r")


# --- the flat form of a note, for pickling (``Note.__reduce__``) ---------------------

_STYLES = tuple(LinkStyle)
_PLACES = tuple(LinkPlace)
_STYLE_NUMBER = {style: number for number, style in enumerate(_STYLES)}
_PLACE_NUMBER = {place: number for number, place in enumerate(_PLACES)}


def _flat_row(row: TableRow) -> tuple:
    return (row.line, row.span.start, row.span.end, tuple((cell.text, cell.span.start, cell.span.end) for cell in row.cells))


def _row_from_flat(flat: tuple) -> TableRow:
    line, start, end, cells = flat
    return TableRow(line, Span(start, end), tuple(TableCell(text, Span(s, e)) for text, s, e in cells))


def _flatten(note: Note) -> tuple:
    frontmatter = note.frontmatter
    return (
        note.path,
        note.text,
        note.encoding.codec,
        note.encoding.bom,
        None if frontmatter is None
        else (frontmatter.span.start, frontmatter.span.end, frontmatter.data, frontmatter.error, frontmatter.error_line),
        [(h.text, h.level, h.line, h.span.start, h.span.end) for h in note.headings],
        [(b.id, b.line, b.span.start, b.span.end) for b in note.block_ids],
        [(f.id, f.line, f.span.start, f.span.end) for f in note.footnotes],
        [
            (
                c.type, c.title, c.fold, c.first_line, c.last_line, c.span.start, c.span.end,
                tuple((f.key, f.value, f.line, f.value_span.start, f.value_span.end) for f in c.fields), c.depth,
            )
            for c in note.callouts
        ],
        [
            (_flat_row(t.header), _flat_row(t.delimiter), tuple(_flat_row(row) for row in t.rows), t.alignments)
            for t in note.tables
        ],
        [
            (
                _STYLE_NUMBER[k.style], k.embed, k.span.start, k.span.end, k.target_span.start, k.target_span.end,
                k.raw_target, k.linktext, k.path, k.subpath, k.display, k.size, _PLACE_NUMBER[k.place],
                k.in_comment, k.angle_brackets, k.escaped_pipe,
            )
            for k in note.links
        ],
        [
            (
                x.span.start, x.span.end, x.target_span.start, x.target_span.end, x.destination, x.embed,
                x.reason, x.display, x.in_comment, _PLACE_NUMBER[x.place],
            )
            for x in note.external_links
        ],
        [(span.start, span.end) for span in note.comments],
        [(span.start, span.end) for span in note.inline_opaque],
        [(p.message, p.line, p.column) for p in note.problems],
        note.skipped,
        note._line_index,
        note._subpath_targets,
        note.paper_facts,
    )


def _note_from_flat(flat: tuple) -> Note:
    (
        path, text, codec, bom, frontmatter, headings, block_ids, footnotes, callouts, tables, links,
        external_links, comments, inline_opaque, problems, skipped, line_index, subpath_targets, paper_facts,
    ) = flat
    styles, places = _STYLES, _PLACES
    return Note(
        path,
        text,
        Encoding(codec, bom),
        None if frontmatter is None else Frontmatter(Span(frontmatter[0], frontmatter[1]), *frontmatter[2:]),
        [Heading(t, level, line, Span(s, e)) for t, level, line, s, e in headings],
        [BlockId(i, line, Span(s, e)) for i, line, s, e in block_ids],
        [Footnote(i, line, Span(s, e)) for i, line, s, e in footnotes],
        [
            Callout(
                kind, title, fold, first, last, Span(s, e),
                tuple(CalloutField(key, value, line, Span(fs, fe)) for key, value, line, fs, fe in fields), depth,
            )
            for kind, title, fold, first, last, s, e, fields, depth in callouts
        ],
        [
            Table(_row_from_flat(header), _row_from_flat(delimiter), tuple(_row_from_flat(row) for row in rows), alignments)
            for header, delimiter, rows, alignments in tables
        ],
        [
            Link(styles[a], b, Span(c, d), Span(e, f), g, h, i, j, k, m, places[n], o, q, r)
            for a, b, c, d, e, f, g, h, i, j, k, m, n, o, q, r in links
        ],
        [
            ExternalLink(Span(a, b), Span(c, d), e, f, g, h, i, places[j])
            for a, b, c, d, e, f, g, h, i, j in external_links
        ],
        [Span(s, e) for s, e in comments],
        [Span(s, e) for s, e in inline_opaque],
        [ParseProblem(message, line, column) for message, line, column in problems],
        skipped,
        line_index,
        subpath_targets,
        paper_facts,
    )
