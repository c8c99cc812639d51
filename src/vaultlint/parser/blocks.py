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
from dataclasses import field

from ..records import dataclass
from .limits import active_deadline

_MISTLETOE_LOCK = threading.Lock()


def import_mistletoe():
    """Import mistletoe's block and span token modules, cheaply.

    Importing mistletoe runs ``unicodedata.category`` over all 1.1 million code
    points to build the punctuation set of its inline emphasis parser (~0.4 s,
    more than parsing a changed note). vaultlint never runs that parser (inline
    parsing is switched off), so nothing reads the set, and the import sees only
    ASCII. Imported lazily, too: a run whose notes all come from the cache never parses.
    """
    global _MODULES
    if _MODULES is not None:
        return _MODULES
    if "mistletoe.core_tokens" not in sys.modules:
        saved = sys.maxunicode
        try:
            sys.maxunicode = 0x7F
            import mistletoe.core_tokens  # noqa: F401
        finally:
            sys.maxunicode = saved
    from mistletoe import block_token, span_token

    _MODULES = block_token, span_token
    return _MODULES


_MODULES = None


def _no_inline(content: str) -> list:
    """Stands in for mistletoe's inline parser: no leaf block's inline children are read."""
    return []


class _FastMistletoe:
    """mistletoe's block tokenizer with shortcuts that cannot change what it decides.

    mistletoe asks every block type in turn whether a line starts it, and a
    paragraph, quote or list asks most of them again for every line it reads
    ("does this line interrupt me?"). Nearly every type can only start at a line
    whose first character after up to three spaces is one of a few punctuation
    marks (or, for tables, a line with a ``|``), so the questions whose answer is
    certainly "no" are not asked: for a line of plain words that is all of them.
    Lines indented by four columns or more, or whose first non-space character is
    other whitespace, are asked every question, exactly as mistletoe does.

    No token is built (see :func:`read_blocks`), and inline parsing is switched off.
    """

    def __init__(self) -> None:
        block_token, span_token = import_mistletoe()
        from mistletoe import block_tokenizer

        self.block_token = block_token
        self.span_token = span_token
        self.block_tokenizer = block_tokenizer
        self.original_tokenize_block = block_tokenizer.tokenize_block
        bt = block_token
        fast = self

        class Heading(bt.Heading):
            """An ATX heading that is not copied out of its line (only its level is read)."""

            @classmethod
            def start(cls, line):
                match = _ATX_LEVEL.match(line)
                if match is None:
                    return False  # mistletoe's pattern needs this much too
                if not line.endswith("\n"):
                    return bt.Heading.start.__func__(cls, line)
                # Then mistletoe's pattern matches, with this level.
                cls.level = len(match.group(1))
                cls.content = cls.closing_sequence = ""
                return True

        class Quote(bt.Quote):
            """A quote that reads its lines of plain text without questions."""

            @classmethod
            def read(cls, lines):
                # mistletoe's Quote.read, but for the `quote_plain` test on each line, and
                # with what it learns from the last `>` line worked out only when a line
                # without `>` needs it (convert_leading_tabs changes nothing without a tab).
                line = next(lines).lstrip()
                if "\t" in line:
                    line = cls.convert_leading_tabs(line)
                line = line.split(">", 1)[1]
                if len(line) > 0 and line[0] == " ":
                    line = line[1:]
                line_buffer = [line]
                start_line = lines.line_number()
                last_content = line  # the content of the last line with a `>`

                next_line = lines.peek()
                breaking_tokens = fast.quote_breakers
                quiet = fast.quote_plain
                while next_line is not None and (
                    quiet(next_line)
                    or (
                        next_line.strip() != ""
                        and not any(token_type.check_interrupts_paragraph(lines) for token_type in breaking_tokens)
                    )
                ):
                    stripped = next_line.lstrip()
                    if "\t" in stripped:
                        stripped = cls.convert_leading_tabs(stripped)
                    prepend = 0
                    if stripped[0] == ">":
                        prepend += 1
                        if stripped[1] == " ":
                            prepend += 1
                        stripped = stripped[prepend:]
                        last_content = stripped
                        line_buffer.append(stripped)
                    elif (
                        bt.CodeFence.start(last_content)  # in a code fence
                        or bt.BlockCode.start(last_content)  # in an indented code block
                        or last_content.strip() == ""  # after a blank line
                    ):
                        break  # not paragraph continuation text
                    else:
                        line_buffer.append(next_line)  # lazy continuation
                    next(lines)
                    next_line = lines.peek()

                bt.Paragraph.parse_setext = False
                parse_buffer = fast.block_tokenizer.tokenize_block(line_buffer, bt._token_types, start_line=start_line)
                bt.Paragraph.parse_setext = True
                return parse_buffer

        class Paragraph(bt.Paragraph):
            """A paragraph whose lines of plain words are read without questions."""

            @classmethod
            def read(cls, lines):
                line_buffer = [next(lines)]
                next_line = lines.peek()
                plain = fast.plain
                breaking_tokens = fast.paragraph_breakers
                while next_line is not None:
                    if plain(next_line):
                        line_buffer.append(next(lines))
                        next_line = lines.peek()
                        continue
                    # mistletoe's Paragraph.read, for this line
                    if next_line.strip() == "":
                        break
                    if any(token_type.check_interrupts_paragraph(lines) for token_type in breaking_tokens):
                        break
                    if cls.parse_setext and cls.is_setext_heading(next_line):
                        line_buffer.append(next(lines))
                        return bt.SetextHeading(line_buffer)
                    if bt.ThematicBreak.check_interrupts_paragraph(lines):
                        break
                    line_buffer.append(next(lines))
                    next_line = lines.peek()
                return line_buffer

        class Lines(block_tokenizer.FileWrapper):
            """mistletoe's line reader, counting each line read against the note's deadline."""

            def __init__(self, lines, start_line=1) -> None:
                super().__init__(lines, start_line)
                self._deadline = active_deadline()

            def __next__(self):
                if self._deadline is not None:
                    self._deadline.tick()
                index = self._index + 1
                if index < len(self.lines):
                    self._index = index
                    return self.lines[index]
                raise StopIteration

        self.Lines = Lines
        self.token_types = [
            bt.HtmlBlock, bt.BlockCode, Heading, Quote, bt.CodeFence, bt.ThematicBreak, bt.List, bt.Table, bt.Footnote, Paragraph,
        ]
        # What mistletoe's Paragraph.read and Quote.read collect from the token types, each time.
        self.paragraph_breakers = [
            t for t in self.token_types if hasattr(t, "check_interrupts_paragraph") and not t == bt.ThematicBreak
        ]
        self.quote_breakers = [t for t in self.token_types if hasattr(t, "check_interrupts_paragraph") and not t == Quote]
        # Which types can start a line, by its first character after up to three spaces.
        may_start = {
            bt.HtmlBlock: lambda c, pipe: c == "<",
            bt.BlockCode: lambda c, pipe: False,
            Heading: lambda c, pipe: c == "#",
            Quote: lambda c, pipe: c == ">",
            bt.CodeFence: lambda c, pipe: c in "`~",
            bt.ThematicBreak: lambda c, pipe: c in "-_*",
            bt.List: lambda c, pipe: c in ".)+-*" or c.isdigit(),
            bt.Table: lambda c, pipe: pipe,
            bt.Footnote: lambda c, pipe: c == "[",
            Paragraph: lambda c, pipe: True,
        }

        def candidates(c: str, pipe: bool) -> tuple:
            return tuple(t for t in self.token_types if may_start[t](c, pipe))

        self._special = {c: (candidates(c, False), candidates(c, True)) for c in "<#>`~-_*.)+["}
        self._digit = (candidates("0", False), candidates("0", True))
        self._plain = (candidates("a", False), candidates("a", True))
        self._all = tuple(self.token_types)
        # How read_blocks' walk reads each type's read result.
        self.kinds = {
            bt.Footnote: _SKIP,
            Paragraph: _PARAGRAPH,
            bt.CodeFence: _CODE_FENCE,
            bt.BlockCode: _BLOCK_CODE,
            bt.HtmlBlock: _HTML,
            Heading: _HEADING,
            bt.Table: _TABLE,
            Quote: _QUOTE,
            bt.List: _LIST,
            _ListItemEntry: _ITEM,
            bt.ThematicBreak: _LEAF,
        }
        self.tokenize_block = self._make_tokenize_block()

    def tokenize(self, lines: list[str]):
        """The parse buffer of ``lines`` (each ending in a newline), as ``Document(lines)`` reads it.

        Runs mistletoe with these token types, HTML blocks on and inline parsing
        off, and restores its globals after.
        """
        bt, st, tokenizer = self.block_token, self.span_token, self.block_tokenizer
        from mistletoe import token

        with _MISTLETOE_LOCK:
            saved_spans = list(st._token_types)
            saved_blocks = list(bt._token_types)
            saved_inner = st.tokenize_inner
            saved_tokenize_block = tokenizer.tokenize_block
            st._token_types[:] = [st.RawText]
            bt._token_types[:] = self.token_types
            st.tokenize_inner = _no_inline
            tokenizer.tokenize_block = self.tokenize_block
            token._root_node = _Root()  # where link reference definitions are kept
            try:
                return self.tokenize_block(lines, bt._token_types)
            finally:
                token._root_node = None
                tokenizer.tokenize_block = saved_tokenize_block
                st.tokenize_inner = saved_inner
                st._token_types[:] = saved_spans
                bt._token_types[:] = saved_blocks

    def candidates(self, line: str) -> tuple:
        """The block types that can start at ``line``, in mistletoe's order."""
        if line == "\n":
            return ()
        rest = line.lstrip(" ")
        if len(line) - len(rest) > 3 or not rest or rest[0].isspace():
            return self._all
        c = rest[0]
        pipe = "|" in line
        special = self._special.get(c)
        if special is not None:
            return special[pipe]
        if c.isdigit():
            return self._digit[pipe]
        return self._plain[pipe]

    @staticmethod
    def plain(line: str) -> bool:
        """Whether ``line`` certainly neither interrupts a paragraph, quote or list item,
        nor underlines a setext heading, nor is blank."""
        rest = line.lstrip(" ")
        if len(line) - len(rest) > 3 or not rest:
            return False
        c = rest[0]
        return c not in _INTERRUPTERS and not c.isspace() and not c.isdigit() and "|" not in line

    @staticmethod
    def quote_plain(line: str) -> bool:
        """Whether ``line`` is certainly not blank and interrupts no quote."""
        rest = line.lstrip(" ")
        if len(line) - len(rest) > 3 or not rest:
            return False
        c = rest[0]
        return c not in _QUOTE_INTERRUPTERS and not c.isspace() and not c.isdigit() and "|" not in line

    def _make_tokenize_block(self):
        block_tokenizer = self.block_tokenizer
        original = self.original_tokenize_block
        token_types_list = self.token_types
        candidates = self.candidates
        Lines = self.Lines
        ParseBuffer = block_tokenizer.ParseBuffer
        block_token, _ = import_mistletoe()

        def tokenize_block(iterable, token_types, start_line=1):
            """mistletoe's ``tokenize_block``, asking only the types that can start a line."""
            if token_types is not block_token._token_types or token_types != token_types_list:
                return original(iterable, token_types, start_line)
            lines = Lines(iterable, start_line=start_line)
            parse_buffer = ParseBuffer()
            line = lines.peek()
            while line is not None:
                for token_type in candidates(line):
                    if token_type.start(line):
                        line_number = lines.line_number() + 1
                        result = token_type.read(lines)
                        if result is not None:
                            parse_buffer.append((token_type, result, line_number))
                            break
                else:  # unmatched newlines
                    next(lines)
                    parse_buffer.loose = True
                line = lines.peek()
            return parse_buffer

        return tokenize_block


# First characters (after up to three spaces) of lines that may interrupt a
# paragraph (HTML block, ATX heading, quote, fence, list item, thematic break) or
# underline a setext heading; digits (ordered lists) and `|` (tables) are checked apart.
_INTERRUPTERS = frozenset("<#>`~.)+-*=_")
_QUOTE_INTERRUPTERS = _INTERRUPTERS - {">"}

_FAST: _FastMistletoe | None = None


def _fast_mistletoe() -> _FastMistletoe:
    global _FAST
    if _FAST is None:
        _FAST = _FastMistletoe()
    return _FAST


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
# What mistletoe's ATX heading pattern needs before the heading's text.
_ATX_LEVEL = re.compile(r" {0,3}(#{1,6})(?=\s)")


def strip_quote_markers(line: str) -> str:
    if line[:1] not in " \t>":
        return line  # nothing to strip (the common case, without the regex)
    return line[_CONTAINER_PREFIX.match(line).end():]


def read_blocks(lines: list[str]) -> BlockStructure:
    """Parse the (LF-only) lines of a note body and return its block structure.

    What ``Document(lines)`` would do, but the structure is read from mistletoe's
    parse buffers (``(type, read result, line number)``) instead of from the
    tokens it would build from them: the tokens' constructors only copy text
    (and run the inline parser) and nothing here reads that.
    """
    fast = _fast_mistletoe()
    buffer = fast.tokenize(lines)
    structure = BlockStructure()
    _walk(buffer, len(lines), structure, lines, True, 0, fast.kinds)
    return structure


class _Root:
    """Stands in for the ``Document`` whose ``footnotes`` mistletoe fills while reading."""

    def __init__(self) -> None:
        self.footnotes: dict = {}


# What the walk does with each entry of a parse buffer.
_SKIP, _PARAGRAPH, _SETEXT, _CODE_FENCE, _BLOCK_CODE, _HTML, _HEADING, _TABLE, _QUOTE, _LIST, _ITEM, _LEAF = range(12)


def _walk(entries, parent_last: int, out: BlockStructure, lines: list[str], top_level: bool, quote_depth: int, kinds: dict) -> None:
    # mistletoe's make_tokens drops the entries whose type builds no token (link
    # reference definitions): they do not count as a block that ends the one before.
    children = [entry for entry in entries if kinds.get(entry[0], _LEAF) != _SKIP]
    count = len(children)
    for index in range(count):
        token_type, result, start = children[index]
        following = children[index + 1][2] - 1 if index + 1 < count else parent_last
        last = start if start > following else following
        kind = kinds.get(token_type, _LEAF)
        if kind == _PARAGRAPH and type(result) is not list:
            kind = _SETEXT  # Paragraph.read found an underline and built the heading
        if kind == _PARAGRAPH or kind == _LEAF:
            out.leaf_starts.add(start)
        elif kind == _CODE_FENCE:
            content_lines = "".join(result[0]).count("\n")
            _mark(out.code_lines, start, min(start + content_lines + 1, last))
        elif kind == _BLOCK_CODE:
            content_lines = max(1, ("".join(result).strip("\n") + "\n").count("\n"))
            _mark(out.code_lines, start, min(start + content_lines - 1, last))
        elif kind == _HTML:
            content = "".join(result).rstrip("\n")
            count_lines = content.count("\n") + (0 if content.endswith("\n") else 1)
            _mark(out.code_lines, start, min(start + max(count_lines, 1) - 1, last))
        elif kind == _HEADING:
            out.leaf_starts.add(start)
            if top_level:
                out.headings.append(TopHeading(start, start, result[0], setext=False))
            else:
                out.nested_heading_lines.add(start)
        elif kind == _SETEXT:
            out.leaf_starts.add(start)
            underline = start + 1
            while underline <= last and not _SETEXT_UNDERLINE.match(strip_quote_markers(lines[underline - 1])):
                underline += 1
            underline = min(underline, last)
            out.leaf_starts.add(underline)
            if top_level:
                out.headings.append(TopHeading(start, underline, result.level, setext=True))
            else:
                out.nested_heading_lines.update(range(start, underline + 1))
        elif kind == _TABLE:
            row_lines = list(range(start + 2, start + len(result[0])))
            out.tables.append(TableBlock(start, row_lines))
            out.leaf_starts.update([start, start + 1, *row_lines])
            out.table_lines.update([start, start + 1, *row_lines])
        elif kind == _QUOTE:
            out.quotes.append(QuoteBlock(start, _last_nonblank(lines, start, last), quote_depth + 1))
            out.leaf_starts.add(start)
            _walk(result, last, out, lines, False, quote_depth + 1, kinds)
        elif kind == _LIST:
            out.leaf_starts.add(start)
            # The items, as List(...) builds them: ListItem(parse_buffer, ..., line_number)
            items = [(_ListItemEntry, match[0], match[4]) for match in result]
            _walk(items, last, out, lines, False, quote_depth, kinds)
        elif kind == _ITEM:
            out.leaf_starts.add(start)
            _walk(result, last, out, lines, False, quote_depth, kinds)


class _ListItemEntry:
    """Marks a list item in the entries the walk builds from a list's read result."""


def _mark(target: set[int], first: int, last: int) -> None:
    target.update(range(first, max(first, last) + 1))


def _last_nonblank(lines: list[str], first: int, last: int) -> int:
    while last > first and not strip_quote_markers(lines[last - 1]).strip():
        last -= 1
    while last > first and not lines[last - 1].lstrip().startswith(">") and not lines[last - 1].strip():
        last -= 1
    return last
