from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from .. import obsidian
from ..diagnostics import Applicability, Edit, Finding, Fix, FixAvailability, Severity
from ..note import Heading, Note
from ..papers import IndexTable, PaperIndex, ReadsPapers, Section, _header_key, category_links, paper_index
from ..repair import write_subpath
from ..rule import READS_PREPARED, Context, Rule
from ..source import Span
from ..tables import cell_edits, row_text
from .stale_index_row import REPOSITORY_KEYS, urls_in


_MEMO_KEY = "vaultlint.rules.missing_index_row"


def _by_path(context: Context, index: PaperIndex) -> dict[str, tuple[list[Section], list[IndexTable]]]:
    """Callout sections and index tables by note, built once per paper index."""
    memo = context.vault.memo
    cached = memo.get(_MEMO_KEY)
    if cached is not None and cached[0] is index:
        return cached[1]
    found: dict[str, tuple[list[Section], list[IndexTable]]] = {}
    for section in index.sections:
        if section.callout is not None:
            found.setdefault(section.path, ([], []))[0].append(section)
    for table in index.tables:
        found.setdefault(table.path, ([], []))[1].append(table)
    memo[_MEMO_KEY] = (index, found)
    return found


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|")


class MissingIndexRow(ReadsPapers, Rule):
    """
    ## What it does
    Reports a paper section whose callout links to a *category* heading of
    the same note (`[#Tool learning](#Tool%20learning)` or
    `[[#Tool learning]]`) when the index table under that heading has no row
    for the section. The index table is the first index table between the
    category heading and the next heading of the same or a higher level; a
    row is the section's when it links to the section or names it (the
    pairing of the paper-record model of `arxiv-id-conflict`, VL301).

    Not reported: a section without category links, a category heading with
    no index table under it, a link to a heading of another note, a link to
    another paper section, and anything inside code blocks.

    ## Why is this bad?
    The category's index table is how a reader finds the papers of that
    category. A paper section filed under the category but missing from its
    table is invisible from the index: the note has a new paper that the
    table never got.

    ## Example
    ```markdown
    ### Tool learning

    | Name | Paper | Repository | Link |
    | ---- | ----- | ---------- | ---- |
    | TALM | [TALM: Tool Augmented Language Models](#TALM%20Tool%20Augmented%20Language%20Models) |  | [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) |

    ### Papers

    #### TALM: Tool Augmented Language Models

    > [!info]
    > [arXiv:2205.12255](https://arxiv.org/abs/2205.12255)
    > [#Tool learning](#Tool%20learning)

    #### PAL: Program-aided Language Models

    > [!info]
    > [arXiv:2211.10435](https://arxiv.org/abs/2211.10435)
    > [#Tool learning](#Tool%20learning)
    > Repository: https://github.com/reasoning-machines/pal
    ```

    Use instead:
    ```markdown
    ### Tool learning

    | Name | Paper | Repository | Link |
    | ---- | ----- | ---------- | ---- |
    | TALM | [TALM: Tool Augmented Language Models](#TALM%20Tool%20Augmented%20Language%20Models) |  | [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) |
    | PAL | [PAL: Program-aided Language Models](#PAL%20Program-aided%20Language%20Models) | [pal](https://github.com/reasoning-machines/pal) | [arXiv:2211.10435](https://arxiv.org/abs/2211.10435) |

    ### Papers

    #### TALM: Tool Augmented Language Models

    > [!info]
    > [arXiv:2205.12255](https://arxiv.org/abs/2205.12255)
    > [#Tool learning](#Tool%20learning)

    #### PAL: Program-aided Language Models

    > [!info]
    > [arXiv:2211.10435](https://arxiv.org/abs/2211.10435)
    > [#Tool learning](#Tool%20learning)
    > Repository: https://github.com/reasoning-machines/pal
    ```

    ## Fix safety
    The fix appends a row after the table's last row, built from the
    section's data in the table's column order: the title column gets a link
    to the section's heading written as Obsidian writes it
    (`[PAL: Program-aided Language Models](#PAL%20Program-aided%20Language%20Models)`),
    a `Name` column the part of the title before a colon, a `Repository`
    column the callout's `Repository:` URL as `[last-path-segment](URL)`, the
    ID column `[arXiv:ID](https://arxiv.org/abs/ID)`; other columns stay
    empty. The row keeps the table's pipes, its callout prefix and the
    note's line endings. When the table's columns are padded to equal width,
    the row is padded too, and a column the new row is wider than is
    re-padded in every row that lines up (`:` alignment markers kept); a
    table that is not padded gets no padding. The fix is unsafe: the author may keep the paper out
    of the table on purpose, or place it elsewhere in the table.

    ## Options
    None.
    """

    code = "VL204"
    name = "missing-index-row"
    summary = "A paper section filed under a category whose index table has no row for it"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    tags = ("tables", "papers")
    reads = READS_PREPARED
    looks_up_files = True

    def prepare(self, context: Context) -> None:
        _by_path(context, paper_index(context.vault, context.prepared_focus))

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        if not note.tables:
            return
        index = paper_index(context.vault, context.prepared_focus)
        sections, tables = _by_path(context, index).get(note.path, ([], []))
        if not sections or not tables:
            return
        for section in sections:
            seen: set[int] = set()
            for heading_index in self._category_links(note, context, section):
                if heading_index in seen or heading_index == section.heading_index:
                    continue
                seen.add(heading_index)
                if index.section_at(note.path, heading_index) is not None:
                    continue  # a link to another paper, not to a category
                table = self._table_under(note, tables, heading_index)
                if table is None or self._listed(section, table):
                    continue
                yield self._finding(note, index, section, note.headings[heading_index], table)

    @staticmethod
    def _category_links(note: Note, context: Context, section: Section) -> Iterator[int]:
        for category in category_links(note, context.vault, section.callout.span, resolved_only=True):
            yield category.heading_index

    @staticmethod
    def _table_under(note: Note, tables: list[IndexTable], heading_index: int) -> IndexTable | None:
        heading = note.headings[heading_index]
        end_line = note.line_index.line_count + 1
        for later in note.headings[heading_index + 1:]:
            if later.level <= heading.level:
                end_line = later.line
                break
        candidates = [t for t in tables if heading.line < t.table.first_line < end_line]
        return min(candidates, key=lambda t: t.table.first_line) if candidates else None

    @staticmethod
    def _listed(section: Section, table: IndexTable) -> bool:
        if any(row.table is table for row in section.rows):
            return True
        paper = section.paper
        return paper is not None and any(row.table is table for row in paper.rows)

    # --- the finding and its fix ----------------------------------------------

    def _finding(self, note: Note, index: PaperIndex, section: Section, category: Heading, table: IndexTable) -> Finding:
        message = (
            f"section {section.title!r} is filed under {category.text!r} (line {category.line}) "
            f"but the index table there (line {table.line}) has no row for it"
        )
        fix = Fix(
            f"Add a row for {section.title!r} to the table at line {table.line}",
            tuple(self._new_row(note, section, table)),
            Applicability.UNSAFE,
        )
        return self.finding(note, section.heading.span, message, fix)

    def _cells(self, note: Note, section: Section, table: IndexTable) -> list[str]:
        headers = [_header_key(cell.text) for cell in table.table.header.cells]
        cells = [""] * len(headers)
        heading = section.heading
        chain = obsidian.heading_chain_for(note.headings, section.heading_index)
        if chain is None:
            chain = [obsidian.strip_heading_for_link(heading.text)]
        title = heading.text.replace("[", "\\[").replace("]", "\\]")
        cells[table.title_column] = f"[{_escape_cell(title)}]({write_subpath(chain, encode=True)})"
        if table.name_column is not None and ":" in heading.text:
            cells[table.name_column] = _escape_cell(heading.text.split(":", 1)[0].strip())
        repository = self._repository(section)
        if repository is not None:
            column = next((i for i, header in enumerate(headers) if header in REPOSITORY_KEYS), None)
            if column is not None and column != table.title_column:
                cells[column] = repository
        claim = next((claim for claim in section.claims if claim.arxiv_id is not None), None)
        if claim is not None:
            column = next((c for c in table.id_columns if c != table.title_column and c != table.name_column), None)
            if column is not None:
                text = claim.arxiv_id.text
                cells[column] = f"[arXiv:{text}](https://arxiv.org/abs/{text})"
        return cells

    @staticmethod
    def _repository(section: Section) -> str | None:
        field = next((f for f in section.callout.fields if f.key.strip().lower() in REPOSITORY_KEYS), None)
        if field is None:
            return None
        urls = urls_in(field.value)
        if not urls:
            return None
        url = urls[0]
        parts = urlsplit(url)
        label = parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.netloc or url
        return f"[{_escape_cell(label)}]({url})"

    def _new_row(self, note: Note, section: Section, table: IndexTable) -> list[Edit]:
        """The appended row, and in a padded table the edits that widen its columns to fit it."""
        text = note.text
        cells = self._cells(note, section, table)
        header = row_text(note, table.table.header)
        last_row = table.table.rows[-1] if table.table.rows else table.table.delimiter
        last = row_text(note, last_row)
        padding, widths = cell_edits(note, table.table, {}, (tuple(cells),))
        if widths is not None and len(widths) == len(cells):
            segments = [" " + cell.ljust(width - 2) + " " for cell, width in zip(cells, widths)]
        else:
            segments = [f" {cell} " if cell else "  " for cell in cells]
        leading = header.leading_pipe or not cells[0]
        body = "|".join(segments)
        body = "|" + body if leading else body.lstrip(" ")
        body = body + "|" if header.trailing_pipe else body.rstrip(" ")
        prefix = text[last.line_start:last.body_start]
        if last.next_start > last.line_end:
            ending = text[last.line_end:last.next_start]
            return padding + [Edit(Span(last.next_start, last.next_start), prefix + body + ending)]
        ending = "\r\n" if "\r\n" in text else "\n"
        return padding + [Edit(Span(last.line_end, last.line_end), ending + prefix + body)]
