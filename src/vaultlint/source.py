"""Source text of a note: decoding, exact spans, and offset-to-line mapping.

Every position vaultlint reports or edits is a character offset into the decoded
text (BOM removed, line endings untouched). Lines and columns are computed only
when a finding is shown, so a span can never drift from the text it names.
"""

from __future__ import annotations

import bisect
import codecs

from .records import dataclass


def compact_pickle(cls):
    """Pickle a frozen dataclass as ``(cls, field values)``.

    The default pickling of slotted frozen dataclasses goes through
    ``__getstate__``/``__setstate__`` and costs about three times as much; parsed
    notes are pickled by the cache and by parallel parsing, millions of objects
    on a large vault.
    """
    from dataclasses import fields
    from operator import attrgetter

    names = [field.name for field in fields(cls)]
    values = attrgetter(*names)
    if len(names) == 1:
        cls.__reduce__ = lambda self: (cls, (values(self),))
    else:
        cls.__reduce__ = lambda self: (cls, values(self))
    return cls


@compact_pickle
@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A half-open range ``[start, end)`` of character offsets into a note's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span {self.start}..{self.end}")

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def shifted(self, delta: int) -> Span:
        return Span(self.start + delta, self.end + delta)


class LineIndex:
    """Maps offsets to 1-based (line, column) pairs; columns count characters."""

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts
        self._text_length = len(text)

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based ``line``."""
        return self._starts[line - 1]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        line = self.line_of(offset)
        return line, offset - self._starts[line - 1] + 1


class DecodeError(Exception):
    """Raised when a note's bytes are not valid text; carries a 1-based line."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class Encoding:
    """How a note was stored, so that a fix writes it back the same way."""

    codec: str = "utf-8"
    bom: bool = False

    def encode(self, text: str) -> bytes:
        body = text.encode(self.codec)
        return codecs.BOM_UTF8 + body if self.bom else body


def decode_note(data: bytes) -> tuple[str, Encoding]:
    """Decode a note's bytes as Obsidian does (UTF-8, optional BOM).

    Invalid UTF-8 raises :class:`DecodeError` naming the line, because writing
    such a file back would lose bytes.
    """
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        line_start = body.rfind(b"\n", 0, error.start) + 1
        raise DecodeError(
            f"not valid UTF-8 (byte 0x{body[error.start]:02x})",
            line,
            error.start - line_start + 1,
        ) from None
    if "\x00" in text:
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        raise DecodeError("contains NUL bytes (binary data, not a note)", line, at - text.rfind("\n", 0, at))
    return text, Encoding(bom=bom)
