from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Edit, Finding, Fix, FixAvailability, Severity
from ..note import LinkPlace, LinkStyle, Note
from ..rule import READS_NOTE, Context, Rule
from ..source import Span
from ..tables import aligned_edits


def unescaped_pipes(text: str, span: Span) -> list[int]:
    """Offsets of the pipes in ``text[span]`` that no backslash escapes."""
    found = []
    i = span.start
    while i < span.end:
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "|":
            found.append(i)
        i += 1
    return found


class UnescapedPipeInTable(Rule):
    """
    ## What it does
    Reports a `|` inside a wikilink's alias or an embed's size
    (`[[Note|alias]]`, `![[image.png|300]]`) in a table row.

    Not reported: an escaped pipe (`[[Note\\|alias]]`), a wikilink in inline
    code or math in a cell (those are not links), wikilinks outside tables,
    and tables inside code blocks.

    ## Why is this bad?
    A table splits its cells on every unescaped pipe, the one inside a
    wikilink included: the link breaks in two, the row gets one cell too many,
    and everything after it moves one column to the right. Obsidian reads
    `[[Note\\|alias]]` in a table as the link `[[Note|alias]]`.

    ## Example
    ```markdown
    | Topic | Note |
    | ----- | ---- |
    | Tools | [[Tool use|Tool-using models]] |
    ```

    Use instead:
    ```markdown
    | Topic | Note |
    | ----- | ---- |
    | Tools | [[Tool use\\|Tool-using models]] |
    ```

    ## Fix safety
    The fix is safe: it puts a backslash before each unescaped pipe of the
    link, which is how Obsidian itself writes a link into a table, and
    changes nothing else, except that in a table whose columns are padded to
    equal width the column is re-padded (in every row that lines up, `:`
    alignment markers kept) so that the table stays aligned.

    ## Options
    None.
    """

    code = "VL203"
    name = "unescaped-pipe-in-table"
    summary = "A `|` inside a wikilink or embed in a table row, which splits the cell"
    severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS
    tags = ("tables", "links")
    reads = READS_NOTE
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        if not note.tables:
            return
        rows = [(row.span, table) for table in note.tables for row in (table.header, *table.rows)]
        for link in note.links:
            if link.place is not LinkPlace.TABLE or link.style is not LinkStyle.WIKILINK or link.in_comment:
                continue
            table = next((table for row, table in rows if row.start <= link.span.start and link.span.end <= row.end), None)
            if table is None:
                continue
            pipes = unescaped_pipes(note.text, link.span)
            if not pipes:
                continue
            source = note.text[link.span.start:link.span.end]
            what = "embed" if link.embed else "wikilink"
            message = f"`|` in {what} {source} splits the table cell; escape it as `\\|`"
            edits = aligned_edits(note, table, [Edit(Span(pipe, pipe), "\\") for pipe in pipes])
            fix = Fix("Escape the pipe as `\\|`", tuple(edits))
            yield self.finding(note, Span(pipes[0], pipes[0] + 1), message, fix)
