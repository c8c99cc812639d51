"""Parse a note once into a :class:`~vaultlint.note.Note`.

``parse_note`` is the only entry point. It finds the frontmatter, blanks it and
``$$`` math blocks out for mistletoe, takes the block structure from mistletoe,
then scans inline content, headings, block ids, footnotes, callouts and tables
from the source text, so that every element keeps its exact span.
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate, count
from operator import add, attrgetter

from ..note import (
    BlockId,
    Callout,
    CalloutField,
    Footnote,
    Frontmatter,
    Heading,
    LinkPlace,
    Note,
    ParseProblem,
    Table,
    TableCell,
    TableRow,
)
from ..source import DecodeError, Span, decode_note
from .blocks import BlockStructure, read_blocks, strip_quote_markers
from .frontmatter import QUOTED_WIKILINK, find_frontmatter, parse_frontmatter, string_values
from .inline import InlineScanner, wikilink
from .limits import (
    MAX_FLOW_DEPTH,
    MAX_FRONTMATTER_CHARS,
    MAX_NOTE_CHARS,
    MAX_PROPERTY_VALUES,
    Deadline,
    ParseTimeout,
    configured_time_limit,
    hook_mistletoe,
    start_watching,
    stop_watching,
)

__all__ = ["parse_note", "parse_bytes", "timed_out"]

_TIMED_OUT = "skipped: too complex to parse (took longer than "

# Obsidian wants whitespace before an inline id; its own help vault writes
# `![[image.png]]^id`, so an id right after a link or embed is accepted too.
_BLOCK_ID = re.compile(r"(?:^|[ \t\])])\^([A-Za-z0-9-]+)[ \t]*$")
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
_ATX_OPEN = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)[ \t]*")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_CALLOUT_HEAD = re.compile(r"^\[!([^\]]+)\]([+-]?)(?:[ \t]+(.*))?$")
_CALLOUT_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9 _-]{0,40}?):[ \t]+(\S.*?)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MATH_FENCE = re.compile(r"^[ \t]*\$\$")
# A table row's cell separators, and backslash escapes (which hide the character after them).
_PIPE_OR_ESCAPE = re.compile(r"\\.|\|", re.DOTALL)
_LINK_START = attrgetter("span.start")


def parse_bytes(path: str, data: bytes) -> Note:
    """Decode and parse; undecodable notes come back ``skipped`` with the reason."""
    try:
        text, encoding = decode_note(data)
    except DecodeError as error:
        return Note(path, "", problems=[ParseProblem(str(error), error.line, error.column)], skipped=True)
    note = parse_note(path, text)
    note.encoding = encoding
    return note


def parse_note(path: str, text: str, time_limit: float | None = None) -> Note:
    """Parse ``text``; never raises on any input.

    A note too large, too deeply nested or too slow to parse (``time_limit``
    seconds, default :func:`~vaultlint.parser.limits.configured_time_limit`) comes
    back ``skipped`` with one problem saying why, and nothing else.
    """
    if len(text) > MAX_NOTE_CHARS:
        # The text is dropped: nothing reads a skipped note, and keeping 50 MB in
        # memory, in the cache and in the report's source line helps no one.
        problem = ParseProblem(f"skipped: too large to parse ({len(text):,} characters; the limit is {MAX_NOTE_CHARS:,})")
        return Note(path, "", problems=[problem], skipped=True)
    note = Note(path, text)
    deadline = Deadline(configured_time_limit() if time_limit is None else time_limit)
    try:
        previous = start_watching(deadline)
        try:
            _parse_into(note, deadline)
        finally:
            stop_watching(previous)
    except RecursionError:
        _mark_skipped(note, "skipped: too complex to parse (nesting too deep)")
    except ParseTimeout as timeout:
        _mark_skipped(note, f"{_TIMED_OUT}{timeout.limit:g} seconds)")
    except Exception as error:  # a parser bug must cost one note, never the run or the note's bytes
        _mark_skipped(note, f"skipped: could not be parsed (internal error, please report it: {type(error).__name__}: {error})")
    return note


def timed_out(note: Note) -> bool:
    """Whether the note was skipped for its parse time: a result of this machine and
    this moment, not of the note, so not one to cache."""
    return note.skipped and any(problem.message.startswith(_TIMED_OUT) for problem in note.problems)


def _mark_skipped(note: Note, message: str) -> None:
    path, text, encoding = note.path, note.text, note.encoding
    note.__init__(path, text, encoding)  # drop partial results
    note.problems.append(ParseProblem(message))
    note.skipped = True


def _parse_into(note: Note, deadline: Deadline) -> None:
    text = note.text
    # The lines as str.splitlines() splits them, without their \n, \r\n or \r; and
    # where each starts, plus one entry after the last.
    lines = text.splitlines() or [""]
    newlines = text.count("\n")
    if "\r" not in text and sum(map(len, lines)) + newlines == len(text):
        # Every line break is a \n (splitlines dropped nothing else): line n starts
        # after the n - 1 lines before it and their \n.
        line_starts = list(map(add, accumulate(map(len, lines), initial=0), count()))
        line_starts[-1] = len(text)
    else:
        raw_lines = text.splitlines(keepends=True) or [""]
        if sum(map(len, lines)) + newlines + text.count("\r") != len(text):
            # Other line breaks (\v, \f, \x1c-\x1e, \x85, \u2028, \u2029) stay in the line.
            lines = [line.rstrip("\r\n") for line in raw_lines]
        line_starts = list(accumulate(map(len, raw_lines), initial=0))

    blanked: set[int] = set()
    found = find_frontmatter(text)
    if found:
        block, body = found
        note.frontmatter = _read_frontmatter(text, block, body)
        if note.frontmatter.error:
            note.problems.append(ParseProblem(note.frontmatter.error, note.frontmatter.error_line or 1))
        last_line = text.count("\n", 0, max(block.end - 1, 0)) + 1
        blanked.update(range(1, last_line + 1))
        _frontmatter_links(note, block)
    if "$$" in text:
        blanked |= _math_block_lines(lines, blanked)

    deadline.check()
    _hook_mistletoe()
    block_lines = [line + "\n" for line in lines]
    for number in blanked:
        if number <= len(block_lines):
            block_lines[number - 1] = "\n"
    structure = read_blocks(block_lines)
    opaque_lines = blanked | structure.code_lines
    deadline.check()

    scanner = InlineScanner(text, deadline)
    scan = scanner.scan
    places = _line_places(structure)
    leaf_starts = structure.leaf_starts
    run_start: int | None = None
    run_place = LinkPlace.BODY
    check = deadline.check
    for number, line in enumerate(lines, 1):
        if not number & 255:
            check()
        if number in opaque_lines:
            blank = True
        elif line[:1] in " \t>":
            blank = not strip_quote_markers(line).strip()
        else:
            blank = not line.strip()
        if run_start is not None and (blank or number in leaf_starts):
            scan(line_starts[run_start - 1], line_starts[number - 1], run_place)
            run_start = None
        if not blank and run_start is None:
            run_start = number
            run_place = places.get(number, LinkPlace.BODY)
    if run_start is not None:
        scan(line_starts[run_start - 1], len(text), run_place)
    scanner.finish()
    note.links.extend(scanner.links)
    note.links.sort(key=_LINK_START)
    note.external_links = scanner.external_links
    note.comments = scanner.comments

    inline_spans = scanner.opaque
    note.inline_opaque = sorted(inline_spans)
    deadline.check()
    _headings(note, structure, lines, line_starts)
    _block_ids_and_footnotes(note, lines, line_starts, opaque_lines, inline_spans)
    _callouts(note, structure, lines, line_starts, deadline)
    _tables(note, structure, lines, line_starts, deadline)


_HOOKED = False


def _hook_mistletoe() -> None:
    global _HOOKED
    if _HOOKED:
        return
    from .blocks import import_mistletoe

    import_mistletoe()
    from mistletoe import block_tokenizer

    hook_mistletoe(block_tokenizer)
    _HOOKED = True


def _read_frontmatter(text: str, block: Span, body: Span) -> Frontmatter:
    """The properties, unless they are too large or expand too far to read safely."""
    first_line = text.count("\n", 0, body.start) + 1
    if len(body) > MAX_FRONTMATTER_CHARS:
        return Frontmatter(
            block, None, f"properties too large to read ({len(body):,} characters; the limit is {MAX_FRONTMATTER_CHARS:,})", first_line
        )
    if _flow_depth(text, body) > MAX_FLOW_DEPTH:
        return Frontmatter(
            block, None, f"properties nested too deeply to read (more than {MAX_FLOW_DEPTH} levels of [ ] or {{ }})", first_line
        )
    frontmatter = parse_frontmatter(text, block, body)
    if frontmatter.data is not None and not _within_value_budget(frontmatter.data, MAX_PROPERTY_VALUES):
        return Frontmatter(
            block, None, f"properties too complex to read (YAML aliases expand to more than {MAX_PROPERTY_VALUES:,} values)", first_line
        )
    return frontmatter


def _flow_depth(text: str, body: Span) -> int:
    """How deep ``[``/``{`` nest in the YAML body, outside quotes (an estimate that errs low)."""
    if text.count("[", body.start, body.end) + text.count("{", body.start, body.end) <= MAX_FLOW_DEPTH:
        return 0
    depth = deepest = 0
    quote = None
    for char in text[body.start:body.end]:
        if quote is not None:
            if char == quote or char == "\n":
                quote = None
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(depth - 1, 0)
    return deepest


def _within_value_budget(data: object, budget: int) -> bool:
    """Whether walking ``data`` as a tree (aliases expanded) meets at most ``budget`` values."""
    stack = [data]
    while stack:
        budget -= 1
        if budget < 0:
            return False
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend(item)
    return True


class _SpanSet:
    """Sorted, merged spans answering "is this offset inside one?" by bisection."""

    def __init__(self, spans: list[Span]) -> None:
        merged: list[list[int]] = []
        for span in sorted(spans):
            if merged and span.start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], span.end)
            elif span.end > span.start:
                merged.append([span.start, span.end])
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def __contains__(self, offset: int) -> bool:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index >= 0 and offset < self._ends[index]


def _math_block_lines(lines: list[str], skip: set[int]) -> set[int]:
    """Lines of ``$$`` display-math blocks that start a line, outside code fences."""
    result: set[int] = set()
    fence: str | None = None
    math_open: int | None = None
    for number, line in enumerate(lines, 1):
        if number in skip:
            continue
        body = strip_quote_markers(line)
        if math_open is not None:
            result.add(number)
            if "$$" in body:
                math_open = None
            continue
        fence_match = _FENCE.match(body)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            continue
        if _MATH_FENCE.match(body):
            rest = body.lstrip()[2:]
            if "$$" in rest:
                continue  # one-line $$...$$ is inline math, handled by the scanner
            math_open = number
            result.add(number)
    return result


def _line_places(structure: BlockStructure) -> dict[int, LinkPlace]:
    places: dict[int, LinkPlace] = {}
    for quote in structure.quotes:
        for number in range(quote.first_line, quote.last_line + 1):
            places[number] = LinkPlace.CALLOUT
    for number in structure.table_lines:
        places[number] = LinkPlace.TABLE
    for heading in structure.headings:
        for number in range(heading.line, heading.last_line + 1):
            places[number] = LinkPlace.HEADING
    return places


def _frontmatter_links(note: Note, block: Span) -> None:
    text = note.text
    if text.find("[[", block.start, block.end) == -1:
        return  # no wikilink to look at
    data = note.frontmatter.data if note.frontmatter else None
    # Only a whole property value is a link: not a quoted wikilink in a YAML
    # comment or inside a block scalar. Unparsable YAML keeps every match.
    values = string_values(data) if data is not None else None
    for match in QUOTED_WIKILINK.finditer(text, block.start, block.end):
        if values is not None and match.group(2) not in values:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        if "#" in text[line_start:match.start()] and text[line_start:match.start()].lstrip().startswith("#"):
            continue  # a YAML comment line
        embed = match.group(2).startswith("!")
        link = wikilink(text, match.start(2), match.start(2) + (3 if embed else 2), match.end(2) - 2, embed, LinkPlace.FRONTMATTER)
        if link is not None:
            note.links.append(link)


def _headings(note: Note, structure: BlockStructure, lines: list[str], line_starts: list[int]) -> None:
    for top in structure.headings:
        if top.setext:
            first = top.line
            last = top.last_line - 1
            start = line_starts[first - 1] + (len(lines[first - 1]) - len(lines[first - 1].lstrip()))
            end = line_starts[last - 1] + len(lines[last - 1].rstrip())
            raw = note.text[start:end].strip()
        else:
            line = lines[top.line - 1]
            opening = _ATX_OPEN.match(line)
            if not opening:
                continue
            content = line[opening.end():].rstrip(" \t")
            if content.endswith("#"):  # else there is no closing sequence to search for
                closing = _ATX_CLOSE.search(content)
                if closing:
                    content = content[:closing.start()].rstrip(" \t")
            start = line_starts[top.line - 1] + opening.end()
            end = start + len(content)
            raw = content
        note.headings.append(Heading(raw, top.level, top.line, Span(start, end)))


def _block_ids_and_footnotes(
    note: Note, lines: list[str], line_starts: list[int], opaque_lines: set[int], inline_spans: list[Span]
) -> None:
    text = note.text
    caret = text.find("^")
    if caret == -1:
        return  # neither an id nor a footnote anywhere
    hidden: _SpanSet | None = None
    line_count = len(lines)
    # Accepts an id at the end of any line (Obsidian wants the end of a block):
    # lenient on purpose, so that a link to a real id is never reported.
    while caret != -1:
        # Only the lines with a `^` can hold either.
        index = bisect.bisect_right(line_starts, caret, 0, line_count) - 1
        caret = text.find("^", line_starts[index + 1]) if index + 1 < line_count else -1
        number = index + 1
        if number in opaque_lines:
            continue
        line = lines[index]
        if "^" in line:
            match = _BLOCK_ID.search(line)
            if match:
                start = line_starts[index] + match.start(1) - 1
                if hidden is None:
                    hidden = _SpanSet(inline_spans + note.comments)
                if start not in hidden:
                    note.block_ids.append(BlockId(match.group(1), number, Span(start, start + 1 + len(match.group(1)))))
        if "[^" in line:
            body = strip_quote_markers(line)
            match = _FOOTNOTE_DEF.match(body)
            if match:
                start = line_starts[index] + (len(line) - len(body)) + match.start(1)
                note.footnotes.append(Footnote(match.group(1), number, Span(start, start + len(match.group(1)))))


def _callouts(note: Note, structure: BlockStructure, lines: list[str], line_starts: list[int], deadline: Deadline) -> None:
    for quote in structure.quotes:
        deadline.tick()
        first = lines[quote.first_line - 1]
        content = _strip_markers(first, quote.depth)
        head = _CALLOUT_HEAD.match(content.strip())
        if not head:
            continue
        kind = head.group(1).split("|", 1)[0].strip().lower()
        fields: list[CalloutField] = []
        for number in range(quote.first_line + 1, quote.last_line + 1):
            deadline.tick()
            line = lines[number - 1]
            body = _strip_markers(line, quote.depth)
            field_match = _CALLOUT_FIELD.match(body)
            if field_match:
                value_start = line_starts[number - 1] + (len(line) - len(body)) + field_match.start(2)
                value = field_match.group(2)
                fields.append(
                    CalloutField(field_match.group(1), value, number, Span(value_start, value_start + len(value)))
                )
        span = Span(line_starts[quote.first_line - 1], line_starts[quote.last_line - 1] + len(lines[quote.last_line - 1]))
        note.callouts.append(
            Callout(kind, (head.group(3) or "").strip(), head.group(2), quote.first_line, quote.last_line, span, tuple(fields), quote.depth)
        )


def _strip_markers(line: str, depth: int) -> str:
    rest = line
    for _ in range(depth):
        stripped = rest.lstrip(" \t")
        if not stripped.startswith(">"):
            return rest
        rest = stripped[1:]
        if rest.startswith(" "):
            rest = rest[1:]
    return rest


def _split_row(note: Note, number: int, lines: list[str], line_starts: list[int]) -> TableRow:
    line = lines[number - 1]
    body = strip_quote_markers(line)
    base = line_starts[number - 1] + (len(line) - len(body))
    cells: list[TableCell] = []
    bounds: list[tuple[int, int]] = []
    cell_start = 0
    if "\\" not in body:
        for part in body.split("|"):
            bounds.append((cell_start, cell_start + len(part)))
            cell_start += len(part) + 1
    else:
        for match in _PIPE_OR_ESCAPE.finditer(body):  # an escape hides the character after it
            at = match.start()
            if body[at] == "|":
                bounds.append((cell_start, at))
                cell_start = at + 1
        bounds.append((cell_start, len(body)))
    if bounds and not body[bounds[0][0]:bounds[0][1]].strip() and body.lstrip().startswith("|"):
        bounds = bounds[1:]
    if bounds and not body[bounds[-1][0]:bounds[-1][1]].strip() and body.rstrip().endswith("|") and not body.rstrip().endswith("\\|"):
        bounds = bounds[:-1]
    for start, end in bounds:
        raw = body[start:end]
        content = raw.strip()
        cell_start_offset = base + start + (len(raw) - len(raw.lstrip()))
        cells.append(TableCell(content, Span(cell_start_offset, cell_start_offset + len(content))))
    return TableRow(number, Span(line_starts[number - 1], line_starts[number - 1] + len(line)), tuple(cells))


def _tables(note: Note, structure: BlockStructure, lines: list[str], line_starts: list[int], deadline: Deadline) -> None:
    for table in structure.tables:
        deadline.tick()
        header = _split_row(note, table.header_line, lines, line_starts)
        delimiter = _split_row(note, table.header_line + 1, lines, line_starts)
        alignments = tuple(_alignment(cell.text) for cell in delimiter.cells)
        rows = tuple(_split_row(note, number, lines, line_starts) for number in table.row_lines)
        note.tables.append(Table(header, delimiter, rows, alignments))


def _alignment(cell: str) -> str:
    left, right = cell.startswith(":"), cell.endswith(":")
    return "center" if left and right else "left" if left else "right" if right else ""
