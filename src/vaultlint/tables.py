"""Table rows as text: where each cell's raw segment lies, and edits that keep the layout.

The parser's :class:`~vaultlint.note.TableRow` gives each cell's trimmed text. The
table rules also need the raw segments between the pipes (with their padding),
whether the row has a leading and a trailing pipe, and where its line ends, so
that a fix changes only the cells that change and keeps the author's layout.

Splitting follows GFM (a ``\\|`` does not split) with one lenient exception: a
pipe inside a wikilink or embed (``[[Note|alias]]``), inline code or ``$math$``
does not count here. Such a pipe does split the cell in GFM; the
unescaped-pipe rule reports the wikilink case, and counting those pipes here too
would report one defect twice (or a table whose reading in Obsidian is not
known for certain).
"""

from __future__ import annotations

import bisect
import re
from operator import attrgetter

from .diagnostics import Edit
from .note import LinkStyle, Note, Table, TableRow
from .parser.blocks import strip_quote_markers
from .records import dataclass
from .source import Span

_ROW_EVENT = re.compile(r"[\\|]")
_LINK_START = attrgetter("span.start")


@dataclass(frozen=True, slots=True)
class RowText:
    """One table line: its raw cell segments (absolute offsets in the note's text)."""

    line: int
    line_start: int
    body_start: int  # after a callout's `> ` prefix and indentation
    line_end: int  # before the line ending
    next_start: int  # after the line ending
    segments: tuple[Span, ...]  # the raw text between pipes, one per cell
    pipes: tuple[int, ...]  # offsets of the splitting pipes
    leading_pipe: bool
    trailing_pipe: bool

    def content_span(self, text: str) -> Span:
        """The row from its first to its last non-blank character."""
        body = text[self.body_start:self.line_end]
        start = self.body_start + (len(body) - len(body.lstrip()))
        return Span(start, max(start, self.body_start + len(body.rstrip())))

    def cell_text(self, text: str, index: int) -> str:
        span = self.segments[index]
        return text[span.start:span.end].strip()


def _opaque_spans(note: Note, start: int, end: int) -> list[tuple[int, int]]:
    """Inline code, math and wikilinks in ``note.text[start:end]`` (a row's text), as
    offsets from ``start``: pipes there do not split cells. Taken from the parser, so
    a table reads code and math exactly as the link scanner does."""
    opaque = note.inline_opaque
    first = max(bisect.bisect_left(opaque, Span(start, start)) - 1, 0)
    spans = [span for span in opaque[first:bisect.bisect_left(opaque, Span(end, end))] if span.end > start]
    links = note.links  # sorted by start
    first_link = bisect.bisect_left(links, start, key=_LINK_START)
    last_link = bisect.bisect_left(links, end, lo=first_link, key=_LINK_START)
    spans += [link.span for link in links[first_link:last_link] if link.style is LinkStyle.WIKILINK]
    return sorted((max(span.start, start) - start, min(span.end, end) - start) for span in spans)


def _splitting_pipes(body: str, opaque: list[tuple[int, int]]) -> list[int]:
    """Offsets of the pipes that split ``body`` into cells: not escaped, not in ``opaque``.

    Only backslashes, pipes and the starts of opaque spans can change anything, so
    the scan jumps from one of those to the next rather than stepping through
    every character (rows of long index tables are long)."""
    events = sorted({match.start() for match in _ROW_EVENT.finditer(body)}.union(start for start, _ in opaque))
    pipes: list[int] = []
    length = len(body)
    i = 0
    while i < length:
        if body[i] == "\\":
            i += 2
            continue
        inside = next((end for start, end in opaque if start <= i < end), None) if opaque else None
        if inside is not None:
            i = inside
            continue
        if body[i] == "|":
            pipes.append(i)
        after = bisect.bisect_right(events, i)
        i = events[after] if after < len(events) else length
    return pipes


def row_text(note: Note, row: TableRow) -> RowText:
    text = note.text
    line_start, line_end = row.span.start, row.span.end
    next_start = line_end
    if text.startswith("\r\n", line_end):
        next_start += 2
    elif line_end < len(text) and text[line_end] in "\r\n":
        next_start += 1
    line = text[line_start:line_end]
    body = strip_quote_markers(line)
    body_start = line_start + len(line) - len(body)
    opaque = _opaque_spans(note, body_start, line_end)
    pipes = _splitting_pipes(body, opaque)
    bounds = list(zip([0] + [p + 1 for p in pipes], pipes + [len(body)]))
    leading = bool(bounds) and not body[bounds[0][0]:bounds[0][1]].strip() and body.lstrip().startswith("|")
    if leading:
        bounds = bounds[1:]
    stripped = body.rstrip()
    trailing = bool(bounds) and bool(pipes) and pipes[-1] == len(stripped) - 1 and not body[bounds[-1][0]:bounds[-1][1]].strip()
    if trailing:
        bounds = bounds[:-1]
    return RowText(
        row.line,
        line_start,
        body_start,
        line_end,
        next_start,
        tuple(Span(body_start + start, body_start + end) for start, end in bounds),
        tuple(body_start + pipe for pipe in pipes),
        leading,
        trailing,
    )


def column_widths(note: Note, table: Table) -> tuple[int, ...] | None:
    """The columns' widths when the author padded them to equal width, else ``None``.

    A table counts as padded when its header, its delimiter row and every row
    with as many cells as the header have the same pipes in the same places.
    """
    header, delimiter = row_text(note, table.header), row_text(note, table.delimiter)
    if len(header.segments) != len(delimiter.segments) or header.leading_pipe != delimiter.leading_pipe:
        return None
    widths = tuple(span.end - span.start for span in header.segments)
    if widths != tuple(span.end - span.start for span in delimiter.segments):
        return None
    for row in table.rows:
        layout = row_text(note, row)
        if len(layout.segments) == len(widths) and tuple(span.end - span.start for span in layout.segments) != widths:
            return None
    return widths


def new_cells(widths: tuple[int, ...] | None, columns: range) -> str:
    """Empty cells for ``columns``, each followed by its closing pipe."""
    if widths is None:
        return "  |" * len(columns)
    return "".join(" " * max(widths[column], 2) + "|" for column in columns)


def line_removal(note: Note, row: RowText) -> Span:
    """The span that removes the row's whole line, line ending included."""
    if row.next_start > row.line_end:
        return Span(row.line_start, row.next_start)
    # The last line of a note without a final newline: take the line ending before it.
    start = row.line_start
    if start >= 2 and note.text[start - 2:start] == "\r\n":
        start -= 2
    elif start >= 1:
        start -= 1
    return Span(start, row.line_end)


def _padded_widths(note: Note, table: Table) -> tuple[int, ...] | None:
    """:func:`column_widths`, but only for a table with a row that lines up: a
    header and a delimiter row alone line up as a matter of course."""
    widths = column_widths(note, table)
    if widths is None or not any(len(row_text(note, row).segments) == len(widths) for row in table.rows):
        return None
    return widths


def _delimiter_cell(marker: str, width: int) -> str:
    """A delimiter cell's marker (`---`, `:---`, `---:`, `:---:`) stretched or shrunk to ``width``."""
    left, right = marker.startswith(":"), marker.endswith(":") and len(marker) > 1
    dashes = max(width - left - right, 1)
    return (":" if left else "") + "-" * dashes + (":" if right else "")


def cell_edits(
    note: Note,
    table: Table,
    changes: dict[tuple[int, int], str],
    appended: tuple[tuple[str, ...], ...] = (),
) -> tuple[list[Edit], tuple[int, ...] | None]:
    """Edits that write new cell contents into ``table`` and keep it aligned.

    ``changes`` maps ``(line, column)`` (the row's line number in the note, the
    header's included) to the cell's new trimmed text; ``appended`` holds the
    cells of rows a fix adds after the table (the caller writes those rows).

    In a table whose columns are not padded to equal width (see
    :func:`column_widths`, with at least one row lining up) only the changed
    cells are edited. In a padded one
    every column whose widest cell changes is re-padded to its widest cell (with
    one space either side) in every row that lined up: the header, the delimiter
    row (its dashes stretched or shrunk, its `:` alignment markers kept) and the
    rows, each cell edited only when its padding changes. Returns the edits and
    the table's column widths after them (``None`` when it is not padded).
    """
    text = note.text
    widths = _padded_widths(note, table)
    layouts = [row_text(note, row) for row in (table.header, table.delimiter, *table.rows)]
    delimiter_line = table.delimiter.line

    def content(segment: Span) -> Span:
        raw = text[segment.start:segment.end]
        if not raw.strip():
            at = segment.start + min(1, len(raw))
            return Span(at, at)
        start = segment.start + len(raw) - len(raw.lstrip())
        return Span(start, segment.start + len(raw.rstrip()))

    edits: list[Edit] = []
    if widths is None:
        for layout in layouts:
            for column, segment in enumerate(layout.segments):
                new = changes.get((layout.line, column))
                if new is None:
                    continue
                span = content(segment)
                if text[span.start:span.end] != new:
                    edits.append(Edit(span, new))
        return edits, None

    lined_up = [layout for layout in layouts if len(layout.segments) == len(widths)]
    new_widths = list(widths)
    for column, width in enumerate(widths):
        extra = [len(row[column]) + 2 for row in appended if column < len(row)]
        if any(line == layout.line and c == column for line, c in changes for layout in lined_up):
            wanted = [5]  # the delimiter keeps at least ` --- `
            for layout in lined_up:
                segment = layout.segments[column]
                if layout.line == delimiter_line:
                    marker = text[segment.start:segment.end].strip()
                    colons = marker.startswith(":") + (marker.endswith(":") and len(marker) > 1)
                    wanted.append(colons + 3 + 2)
                    continue
                new = changes.get((layout.line, column))
                wanted.append(len(new if new is not None else text[segment.start:segment.end].strip()) + 2)
            new_widths[column] = max(wanted + extra)
        elif extra:
            new_widths[column] = max([width] + extra)

    for layout in layouts:
        aligned = len(layout.segments) == len(widths)
        for column, segment in enumerate(layout.segments):
            new = changes.get((layout.line, column))
            span = content(segment)
            if not aligned or column >= len(widths):
                if new is not None and text[span.start:span.end] != new:
                    edits.append(Edit(span, new))
                continue
            width = new_widths[column]
            if new is None and width == widths[column]:
                continue
            lead = span.start - segment.start
            trail = segment.end - span.end
            if layout.line == delimiter_line:
                marker = text[span.start:span.end]
                stretched = _delimiter_cell(marker, width - lead - min(trail, 1)) + " " * min(trail, 1)
                if stretched != text[span.start:segment.end]:
                    edits.append(Edit(Span(span.start, segment.end), stretched))
                continue
            if new is not None and new != text[span.start:span.end]:
                edits.append(Edit(Span(span.start, segment.end), new.ljust(width - lead)))
                continue
            padding = " " * max(width - lead - (span.end - span.start), 0)
            if padding != text[span.end:segment.end]:
                edits.append(Edit(Span(span.end, segment.end), padding))
    return edits, tuple(new_widths)


def aligned_edits(note: Note, table: Table, edits: tuple[Edit, ...] | list[Edit]) -> list[Edit]:
    """``edits`` of a fix, with the table kept aligned around the cells they change.

    In a table that is not padded to equal width the edits are returned as they
    are. In a padded one the edits that fall inside a cell become that cell's new
    text, written by :func:`cell_edits` with the re-padding it needs; edits
    outside every cell are kept as they are.
    """
    if _padded_widths(note, table) is None:
        return list(edits)
    text = note.text
    cells: dict[tuple[int, int], tuple[Span, list[Edit]]] = {}
    others: list[Edit] = []
    layouts = [row_text(note, row) for row in (table.header, table.delimiter, *table.rows)]
    for edit in edits:
        for layout in layouts:
            column = next(
                (c for c, s in enumerate(layout.segments) if s.start <= edit.span.start and edit.span.end <= s.end), None
            )
            if column is not None:
                cells.setdefault((layout.line, column), (layout.segments[column], []))[1].append(edit)
                break
        else:
            others.append(edit)
    changes: dict[tuple[int, int], str] = {}
    for key, (segment, inside) in cells.items():
        pieces, position = [], segment.start
        for edit in sorted(inside):
            pieces.append(text[position:edit.span.start])
            pieces.append(edit.replacement)
            position = edit.span.end
        pieces.append(text[position:segment.end])
        changes[key] = "".join(pieces).strip()
    written, _ = cell_edits(note, table, changes)
    return written + others
