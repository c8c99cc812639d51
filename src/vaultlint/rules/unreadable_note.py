from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..rule import READS_NOTE, Context, Rule
from ..source import Span


class UnreadableNote(Rule):
    """
    ## What it does
    Reports a note that vaultlint could not read completely: bytes that are not
    valid UTF-8, binary data in a `.md` file, properties (YAML frontmatter) that
    do not parse or are too large, too deeply nested or expand too far through
    aliases, or a note too large, too deeply nested or too slow to parse (over
    5,000,000 characters, or 10 seconds; `VAULTLINT_PARSE_TIME_LIMIT` sets the
    time limit).

    ## Why is this bad?
    Obsidian shows such a note garbled or with broken properties. A note that
    cannot be decoded or parsed at all is skipped by every other rule, so its
    links go unchecked, and it is never written by `vaultlint fix`, so no byte
    is lost. A note with broken properties is still checked: Obsidian reads its
    body as usual.

    ## Example
    ```markdown
    ---
    tags: [papers
    ---
    ```

    Use instead:
    ```markdown
    ---
    tags: [papers]
    ---
    ```

    ## Fix safety
    No fix: repairing an encoding or YAML needs a person's judgement. The message
    names the line (and column for encodings) where reading failed.

    ## Options
    None.
    """

    code = "VL001"
    name = "unreadable-note"
    summary = "Note that cannot be decoded or parsed"
    severity = Severity.ERROR
    fix_availability = FixAvailability.NONE
    tags = ("syntax",)
    reads = READS_NOTE
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        for problem in note.problems:
            if note.text:
                line = min(problem.line, note.line_index.line_count)
                offset = note.line_index.line_start(line) + max(problem.column - 1, 0)
                offset = min(offset, len(note.text))
                finding = self.finding(note, Span(offset, offset), problem.message)
            else:
                finding = self.finding(note, Span(0, 0), problem.message)
                # Undecodable notes have no text: take the position from the decoder.
                finding = replace(finding, line=problem.line, column=problem.column, end_line=problem.line, end_column=problem.column)
            yield finding

