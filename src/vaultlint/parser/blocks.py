"""Block structure from mistletoe: which lines are code, HTML, headings, tables, quotes.

mistletoe gives each block token a start line and nothing else (no end line, no
column). We take from it only what CommonMark decides and is hard to get right by
hand (where code fences, HTML blocks, lists and quotes begin, and which headings
are top-level) and recover exact extents from the source lines ourselves.
Inline parsing is switched off while mistletoe runs: we scan inlines ourselves
with exact offsets, and mistletoe's inline pass is both the slow part and the one
with quadratic worst cases.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_MISTLETOE_LOCK = threading.Lock()


def import_mistletoe():
    """Import mistletoe's block and span token modules, cheaply.

    Importing mistletoe runs ``unicodedata.category`` over all 1.1 million code
    points to build the punctuation set of its inline emphasis parser (~0.4 s,
    more than parsing a changed note). vaultlint never runs that parser, so the
    import sees only the Basic Multilingual Plane; the set then lacks the few
    dozen astral-plane punctuation marks, which only inline parsing would read.
    Imported lazily, too: a run whose notes all come from the cache never parses.
    """
    if "mistletoe.core_tokens" not in sys.modules:
        saved = sys.maxunicode
        try:
            sys.maxunicode = 0xFFFF
            import mistletoe.core_tokens  # noqa: F401
        finally:
            sys.maxunicode = saved
    from mistletoe import block_token, span_token

    return block_token, span_token


@contextmanager
def _block_only_mistletoe() -> Iterator[None]:
    """Run mistletoe with HTML blocks on and inline tokens off, restoring its globals after."""
    block_token, span_token = import_mistletoe()

    with _MISTLETOE_LOCK:
        saved_spans = list(span_token._token_types)
        saved_blocks = list(block_token._token_types)
        span_token._token_types[:] = [span_token.RawText]
        if block_token.HtmlBlock not in block_token._token_types:
            block_token._token_types.insert(0, block_token.HtmlBlock)
        try:
            yield
        finally:
            span_token._token_types[:] = saved_spans
            block_token._token_types[:] = saved_blocks


@dataclass(slots=True)
class TopHeading:
    line: int
    last_line: int
    level: int
    setext: bool


@dataclass(slots=True)
class TableBlock:
    header_line: int
    row_lines: list[int]


@dataclass(slots=True)
class QuoteBlock:
    first_line: int
    last_line: int
    depth: int


@dataclass(slots=True)
class BlockStructure:
    code_lines: set[int] = field(default_factory=set)
    leaf_starts: set[int] = field(default_factory=set)
    headings: list[TopHeading] = field(default_factory=list)
    nested_heading_lines: set[int] = field(default_factory=set)
    tables: list[TableBlock] = field(default_factory=list)
    quotes: list[QuoteBlock] = field(default_factory=list)
    table_lines: set[int] = field(default_factory=set)


_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_CONTAINER_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*")


def strip_quote_markers(line: str) -> str:
    return _CONTAINER_PREFIX.sub("", line, count=1)


def read_blocks(lines: list[str]) -> BlockStructure:
    """Parse the (LF-only) lines of a note body and return its block structure."""
    block_token, _ = import_mistletoe()

    with _block_only_mistletoe():
        document = block_token.Document(lines)
    structure = BlockStructure()
    _walk(document.children, len(lines), structure, lines, top_level=True, quote_depth=0)
    return structure


def _walk(children, parent_last: int, out: BlockStructure, lines: list[str], top_level: bool, quote_depth: int) -> None:
    block_token, _ = import_mistletoe()

    for index, token in enumerate(children):
        start = token.line_number
        following = children[index + 1].line_number - 1 if index + 1 < len(children) else parent_last
        last = max(start, following)
        if isinstance(token, block_token.CodeFence):
            content_lines = token.children[0].content.count("\n") if token.children else 0
            _mark(out.code_lines, start, min(start + content_lines + 1, last))
        elif isinstance(token, block_token.BlockCode):
            content_lines = max(1, token.children[0].content.count("\n")) if token.children else 1
            _mark(out.code_lines, start, min(start + content_lines - 1, last))
        elif isinstance(token, block_token.HtmlBlock):
            content = token.children[0].content if token.children else ""
            count = content.count("\n") + (0 if content.endswith("\n") else 1)
            _mark(out.code_lines, start, min(start + max(count, 1) - 1, last))
        elif isinstance(token, block_token.Heading):
            out.leaf_starts.add(start)
            if top_level:
                out.headings.append(TopHeading(start, start, token.level, setext=False))
            else:
                out.nested_heading_lines.add(start)
        elif isinstance(token, block_token.SetextHeading):
            out.leaf_starts.add(start)
            underline = start + 1
            while underline <= last and not _SETEXT_UNDERLINE.match(strip_quote_markers(lines[underline - 1])):
                underline += 1
            underline = min(underline, last)
            out.leaf_starts.add(underline)
            if top_level:
                out.headings.append(TopHeading(start, underline, token.level, setext=True))
            else:
                out.nested_heading_lines.update(range(start, underline + 1))
        elif isinstance(token, block_token.Table):
            row_lines = [row.line_number for row in token.children]
            out.tables.append(TableBlock(start, row_lines))
            out.leaf_starts.update([start, start + 1, *row_lines])
            out.table_lines.update([start, start + 1, *row_lines])
        elif isinstance(token, block_token.Quote):
            out.quotes.append(QuoteBlock(start, _last_nonblank(lines, start, last), quote_depth + 1))
            out.leaf_starts.add(start)
            _walk(token.children, last, out, lines, top_level=False, quote_depth=quote_depth + 1)
        elif isinstance(token, (block_token.List, block_token.ListItem)):
            out.leaf_starts.add(start)
            _walk(token.children, last, out, lines, top_level=False, quote_depth=quote_depth)
        else:
            out.leaf_starts.add(start)


def _mark(target: set[int], first: int, last: int) -> None:
    target.update(range(first, max(first, last) + 1))


def _last_nonblank(lines: list[str], first: int, last: int) -> int:
    while last > first and not strip_quote_markers(lines[last - 1]).strip():
        last -= 1
    while last > first and not lines[last - 1].lstrip().startswith(">") and not lines[last - 1].strip():
        last -= 1
    return last
