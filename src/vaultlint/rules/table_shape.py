from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Applicability, Edit, Finding, Fix, FixAvailability, Severity
from ..note import Note, Table
from ..rule import READS_NOTE, Context, Rule
from ..source import Span
from ..tables import RowText, column_widths, line_removal, new_cells, row_text


def _cells(count: int) -> str:
    return f"{count} cell" if count == 1 else f"{count} cells"


class TableShape(Rule):
    """
    ## What it does
    Reports a table row whose number of cells differs from the header's, a
    row whose cells are all empty, and a delimiter row (`| --- | --- |`) with
    another number of cells than the header.

    Cells are split as GitHub-flavoured Markdown splits them: on every pipe
    that is not escaped (`\\|`), with the leading and trailing pipes optional.
    A pipe inside a wikilink or an embed (`[[Note|alias]]`), inline code or
    `$math$` is not counted here: the wikilink case is reported by
    `unescaped-pipe-in-table` (VL203), and the others are left alone. Tables
    inside code blocks are not tables; tables inside callouts (`> | a |`) are.

    ## Why is this bad?
    Obsidian drops the cells of a row beyond the header's and shows missing
    ones as blank, so a ragged row silently loses text or shifts what the
    reader sees under each column. An empty row is a placeholder that was
    never filled in. A table whose delimiter row has the wrong number of
    cells is not a table at all in GitHub-flavoured Markdown.

    ## Example
    ```markdown
    | Name | Paper | Repository |
    | ---- | ----- | ---------- |
    | ReAct | Synergizing Reasoning and Acting |
    |  |  |  |
    ```

    Use instead:
    ```markdown
    | Name | Paper | Repository |
    | ---- | ----- | ---------- |
    | ReAct | Synergizing Reasoning and Acting |  |
    ```

    ## Fix safety
    The fixes are safe and change only the row at fault:
    - a short row gets empty cells at its end; when the table's columns are
      padded to equal width (its header and delimiter rows line up), the new
      cells are padded to their column's width (padded means the header,
      the delimiter row and every row with the header's number of cells line
      up), otherwise they are written as `  |`;
    - an empty row is removed, with its line ending (and its `> ` prefix in a
      callout);
    - surplus cells are removed when they are all empty; surplus cells holding
      text get no fix, since only the author knows where that text belongs.

    A delimiter row with fewer cells than the header gets `---` cells added,
    an unsafe fix: it turns text that GitHub-flavoured Markdown does not read
    as a table into one. A delimiter row with more cells gets no fix.

    ## Options
    None.
    """

    code = "VL201"
    name = "table-shape"
    summary = "A table row with more or fewer cells than the header, an empty row, or a malformed delimiter row"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    tags = ("tables",)
    reads = READS_NOTE
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        for table in note.tables:
            yield from self._check_table(note, table)

    def _check_table(self, note: Note, table: Table) -> Iterator[Finding]:
        text = note.text
        header = row_text(note, table.header)
        columns = len(header.segments)
        widths: tuple[int, ...] | None | bool = False  # computed on first need
        delimiter = row_text(note, table.delimiter)
        if len(delimiter.segments) != columns:
            yield self._delimiter(note, table, header, delimiter, columns)
        for row in table.rows:
            layout = row_text(note, row)
            count = len(layout.segments)
            span = layout.content_span(text)
            if all(not text[s.start:s.end].strip() for s in layout.segments):
                fix = Fix.replace("Remove the empty row", line_removal(note, layout), "")
                yield self.finding(note, span, "table row is empty", fix)
            elif count < columns:
                if widths is False:
                    widths = column_widths(note, table)
                fix = self._pad(layout, columns, widths)
                message = f"table row has {_cells(count)} but the header has {columns}"
                yield self.finding(note, span, message, fix)
            elif count > columns:
                surplus = layout.segments[columns:]
                where = Span(surplus[0].start, span.end)
                message = f"table row has {_cells(count)} but the header has {columns}"
                if all(not text[s.start:s.end].strip() for s in surplus):
                    close = layout.pipes[layout.pipes.index(surplus[0].start - 1)]
                    fix = Fix.replace(
                        f"Remove the {len(surplus)} empty surplus {'cell' if len(surplus) == 1 else 'cells'}",
                        Span(close + 1, layout.line_end),
                        "",
                    )
                    yield self.finding(note, where, message, fix)
                else:
                    yield self.finding(note, where, message + "; the surplus cells hold text, so no fix: move it into a column")

    @staticmethod
    def _pad(layout: RowText, columns: int, widths) -> Fix:
        missing = range(len(layout.segments), columns)
        if layout.trailing_pipe:
            at, prefix = layout.pipes[-1] + 1, ""
        else:
            last = layout.segments[-1] if layout.segments else Span(layout.body_start, layout.body_start)
            at, prefix = last.end, " |"
        title = f"Add {len(missing)} empty {'cell' if len(missing) == 1 else 'cells'}"
        return Fix(title, (Edit(Span(at, at), prefix + new_cells(widths, missing)),))

    def _delimiter(self, note: Note, table: Table, header: RowText, delimiter: RowText, columns: int) -> Finding:
        count = len(delimiter.segments)
        span = delimiter.content_span(note.text)
        message = f"delimiter row has {_cells(count)} but the header has {columns}"
        if count > columns or not delimiter.trailing_pipe:
            return self.finding(note, span, message + "; GitHub-flavoured Markdown does not read it as a table")
        widths = [s.end - s.start for s in header.segments]
        padded = all(widths[i] == s.end - s.start for i, s in enumerate(delimiter.segments))
        cells = "".join(
            (" " + "-" * max(widths[i] - 2, 3) + " |") if padded else " --- |" for i in range(count, columns)
        )
        at = delimiter.pipes[-1] + 1
        fix = Fix("Add delimiter cells for the missing columns", (Edit(Span(at, at), cells),), Applicability.UNSAFE)
        return self.finding(note, span, message + "; GitHub-flavoured Markdown does not read it as a table", fix)
