"""Findings and fixes: what a rule reports and the exact text edits that repair it."""

from __future__ import annotations

from dataclasses import field
from enum import Enum, IntEnum

from .records import dataclass
from .source import Span, compact_pickle


class Applicability(IntEnum):
    """How sure a fix is; ordered so that "may I apply it?" is one comparison."""

    DISPLAY_ONLY = 0
    UNSAFE = 1
    SAFE = 2

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class FixAvailability(str, Enum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@compact_pickle
@dataclass(frozen=True, order=True, slots=True)
class Edit:
    """Replace ``span`` of the note's text with ``replacement`` (empty span: insert)."""

    span: Span
    replacement: str


@compact_pickle
@dataclass(frozen=True, order=True, slots=True)
class FileMove:
    """Move the file at vault path ``source`` to vault path ``destination``.

    The fixer applies it only with ``--unsafe-fixes``, never over an existing file
    and never outside the vault root; ``--diff`` shows it as a rename.
    """

    source: str
    destination: str


@compact_pickle
@dataclass(frozen=True, slots=True)
class Fix:
    """A repair: text ``edits`` to the finding's note, or ``moves`` of whole files.

    A fix does one or the other, never both. Moving a file is never safe: a file
    move always needs ``--unsafe-fixes``.
    """

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    moves: tuple[FileMove, ...] = ()

    def __post_init__(self) -> None:
        if self.moves:
            if self.edits:
                raise ValueError("a fix either edits its note or moves files, not both")
            if self.applicability >= Applicability.SAFE:
                raise ValueError("moving a file is never a safe fix")
        ordered = tuple(sorted(self.edits))
        for before, after in zip(ordered, ordered[1:]):
            if before.span.end > after.span.start:
                raise ValueError("a fix's edits must not overlap")
        object.__setattr__(self, "edits", ordered)

    @classmethod
    def replace(cls, title: str, span: Span, text: str, applicability: Applicability = Applicability.SAFE) -> Fix:
        return cls(title, (Edit(span, text),), applicability)

    @classmethod
    def move(cls, title: str, source: str, destination: str, applicability: Applicability = Applicability.UNSAFE) -> Fix:
        """Move the file at vault path ``source`` to ``destination`` (both relative to the vault root)."""
        return cls(title, (), applicability, (FileMove(source, destination),))


@compact_pickle  # findings cross from the check workers and go to the results cache
@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    rule: str
    path: str
    span: Span
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    severity: Severity
    fix: Fix | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)

    def fixable(self, unsafe: bool = False) -> bool:
        if self.fix is None:
            return False
        needed = Applicability.UNSAFE if unsafe else Applicability.SAFE
        return self.fix.applicability >= needed
