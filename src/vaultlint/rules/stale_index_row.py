from __future__ import annotations

import dataclasses

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from .. import obsidian
from ..diagnostics import Applicability, Finding, Fix, FixAvailability, Severity
from ..note import CalloutField, ExternalLink, Link, LinkStyle, Note, TableCell
from ..obsidian import heading_key
from ..papers import CategoryLink, PaperIndex, ReadsPapers, Row, Section, _header_key, category_links, paper_index
from ..repair import matching_headings, write_subpath
from ..rule import READS_PREPARED, Context, Option, Rule
from ..source import Span
from ..tables import aligned_edits, line_removal, row_text

REPOSITORY_KEYS = ("repository", "repo", "code", "github", "source code")
CLASSIFICATION_KEYS = ("classification", "category", "categories", "tags")
SOURCES_OF_TRUTH = ("section", "row")
_SEPARATORS = re.compile(r"[\s,;]*")
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?\s*\)")
_BARE_URL = re.compile(r"<?(https?://[^\s<>|)\]]+)>?")


def normalise_url(url: str) -> str:
    """A URL as a reader compares it: no http(s) scheme, host in lower case
    without `www.`, no trailing slash or `.git`."""
    url = url.strip().strip("<>")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url.rstrip("/")
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    path = parts.path.rstrip("/")
    if path.endswith(".git"):
        path = path[:-4]
    rest = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return host + path + rest


def urls_in(text: str) -> list[str]:
    found = [match.group(2) for match in _MARKDOWN_LINK.finditer(text) if match.group(2).lower().startswith(("http://", "https://"))]
    rest = _MARKDOWN_LINK.sub(" ", text)
    found += [match.group(1) for match in _BARE_URL.finditer(rest)]
    return found


def _last_segment(url: str) -> str:
    return urlsplit(url.strip()).path.rstrip("/").rsplit("/", 1)[-1]


def _words(text: str) -> list[str]:
    return heading_key(text.lstrip("#").strip()).split()


class StaleIndexRow(ReadsPapers, Rule):
    """
    ## What it does
    Reports an index-table row that links to a paper section (in the same
    note or another) and disagrees with that section's own data:
    - its **title**: the text of the title cell's link against the section's
      heading, compared after Obsidian's heading normalisation (so
      `[#TALM Tool Augmented Language Models](#TALM%20Tool%20Augmented%20Language%20Models)`
      agrees with `#### TALM: Tool Augmented Language Models`; a leading `#`
      in the link text is ignored). Only a text whose first word, the
      paper's name, differs from the heading's is reported: `[ToolLLM:
      Facilitating LLMs to ...]` for `ToolLLM: Facilitating Large Language
      Models to ...` is a shortened title, `[ReAct: ...]` linking to the PAL
      section a row copied from its neighbour;
    - its **repository** cell (column `Repository`, `Repo`, `Code` or
      `GitHub`) against the section callout's `Repository:` line (or `Repo:`,
      `Code:`, `GitHub:`), comparing URLs after trivial normalisation: `http`
      and `https` are the same, as are a trailing slash, `www.`, the case of
      the host and a trailing `.git`;
    - its **classification** cell (column `Classification`, `Category`,
      `Categories` or `Tags`) against the section's categories: the cell's
      links to headings of its note (`[Surveys](#Surveys), [Prompting](#Prompting)`)
      against the section callout's links to headings of the section's note
      (`[#Tool learning](#Tool%20learning)`, as `missing-index-row`, VL204,
      reads them), compared as sets of headings after Obsidian's heading
      normalisation (a link to a paper section is not a category). Order,
      duplicates and link style do not matter.

    Only a real disagreement counts: an empty cell, a section without a
    `Repository:` line, a classification cell without heading links, a
    section whose callout links to no category or a row that does not link
    to a section (a table that indexes nothing, a row linking to an external
    page) is not reported.
    Rows with more cells than the header are left to `table-shape` (VL201),
    since their columns cannot be trusted. A different
    arXiv ID is reported once, by the arXiv rules (`arxiv-id-conflict`,
    VL301), not here.

    It also reports a row pointing nowhere: its title cell links to a
    heading that no longer exists (in the same note or in another existing
    note) and that `broken-subpath` (VL103) cannot re-point, because no
    single heading matches it once normalised or clearly by similarity, and
    the row is not paired with a paper section by its title. A link to a
    note that does not exist is left to `unresolved-link` (VL101), and a
    link VL103 can repair is not reported here: the fix there re-points it.

    Index tables and paper sections are those of the paper-record model of
    `arxiv-id-conflict` (VL301).

    ## Why is this bad?
    The section is where a paper's data is kept up to date; the index row is
    a copy made once. When the section's repository moves or its heading is
    renamed, the row goes on sending readers to the old place.

    ## Example
    ```markdown
    | Name | Paper | Repository | Link |
    | ---- | ----- | ---------- | ---- |
    | PAL | [PAL: Program-aided Language Models](#PAL%20Program-aided%20Language%20Models) | [pal](https://github.com/old-owner/pal) | [arXiv:2211.10435](https://arxiv.org/abs/2211.10435) |

    #### PAL: Program-aided Language Models

    > [!info]
    > [arXiv:2211.10435](https://arxiv.org/abs/2211.10435)
    > Repository: https://github.com/reasoning-machines/pal
    ```

    Use instead:
    ```markdown
    | Name | Paper | Repository | Link |
    | ---- | ----- | ---------- | ---- |
    | PAL | [PAL: Program-aided Language Models](#PAL%20Program-aided%20Language%20Models) | [pal](https://github.com/reasoning-machines/pal) | [arXiv:2211.10435](https://arxiv.org/abs/2211.10435) |

    #### PAL: Program-aided Language Models

    > [!info]
    > [arXiv:2211.10435](https://arxiv.org/abs/2211.10435)
    > Repository: https://github.com/reasoning-machines/pal
    ```

    ## Fix safety
    By default the section is the source of truth: the fix rewrites the cell
    from it and touches nothing else in the row.

    In a table whose columns are padded to equal width, the fix re-pads
    the column whose width it changes in every row that lines up (header,
    delimiter row with its `:` alignment markers kept, and rows; to the
    widest cell), editing only the cells whose padding changes; a table
    that is not padded gets no padding.

    For a repository cell, the fix is safe when the section's value is one
    plain URL and the cell holds one bare URL, one `<URL>` or one link whose
    text is derived from the old URL (the URL itself, or its last path
    segment, as in `[pal](https://github.com/reasoning-machines/pal)`): the
    URL is replaced, and such a text is derived again from the new URL in the
    same way. When the new URL has no path segment to name it, or the link
    text was chosen by the author (`[code](...)`), the fix is unsafe (the
    text becomes the new URL's host, or is kept). A section value that is
    not one plain URL gets no fix.

    For a title, the fix replaces the link's text with the heading (keeping
    a leading `#`); it is unsafe, since the author may have shortened the
    title on purpose.

    For a classification cell, the fix rewrites the cell from the section's
    categories in the cell's link style: Markdown heading links
    (`[Tool learning](#Tool%20learning)`, with a leading `#` in the text when
    the cell's first link has one) or wikilinks (`[[#Tool learning]]`),
    joined with `, `. It is unsafe, since filing a paper under a category is
    a judgement. A cell holding anything besides its heading links and
    separators (commas, semicolons, spaces), or a row whose section is in
    another note, gets no fix.

    With `source-of-truth = "row"` the row is the source of truth: for a
    repository cell, the fix rewrites the section callout's `Repository:`
    value (one plain URL) with the cell's URL instead, under the same
    conditions: safe when the cell is one bare URL, one `<URL>` or one link
    whose text is derived from its URL, unsafe when the link text was chosen
    by the author, no fix otherwise, nor when the section is in another note
    (a fix edits only the note of the finding). Classification and title
    findings get no fix in this mode, since their fixes would copy from the
    section.

    For a row pointing nowhere, the fix removes the whole row with its line
    ending; it is unsafe, since the paper may only have moved. The broken
    link itself is reported by `broken-subpath` (VL103); the row removal is
    offered here.

    ## Options
    - `source-of-truth` (default `"section"`): which side a fix copies from,
      `"section"` (rewrite the row's cell) or `"row"` (rewrite the section's
      `Repository:` line; no classification or title fixes). Any other value
      is a configuration error.
    """

    code = "VL202"
    name = "stale-index-row"
    summary = "An index-table row whose title, repository or classification disagrees with the section it links to"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    tags = ("tables", "papers")
    reads = READS_PREPARED
    looks_up_files = True

    options = (
        Option(
            "source-of-truth",
            "section",
            'Which side a fix copies from: "section" (rewrite the row) or "row" (rewrite the section\'s Repository: line)',
        ),
    )

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        value = str(self.settings["source-of-truth"]).strip().lower()
        if value not in SOURCES_OF_TRUTH:
            raise ValueError(
                f"rule {self.code} ({self.name}): source-of-truth must be \"section\" or \"row\", "
                f"got {self.settings['source-of-truth']!r}"
            )
        self.settings["source-of-truth"] = value

    @property
    def _row_is_truth(self) -> bool:
        return self.settings["source-of-truth"] == "row"

    def prepare(self, context: Context) -> None:
        paper_index(context.vault, context.prepared_focus)

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        if not note.tables:
            return
        index = paper_index(context.vault, context.prepared_focus)
        for row in index.rows_in(note.path):
            finding = self._pointing_nowhere(note, context, row)
            if finding is not None:
                yield finding
                continue
            section = self._linked_section(row)
            if section is None or len(row.row.cells) > len(row.table.table.header.cells):
                continue
            findings = (
                self._title(note, row, section),
                self._repository(note, row, section),
                self._classification(note, context, index, row, section),
            )
            for finding in findings:
                if finding is not None:
                    yield self._keep_aligned(note, row, finding)

    @staticmethod
    def _keep_aligned(note: Note, row: Row, finding: Finding) -> Finding:
        """The finding, its fix re-padding the table when its columns are padded to equal width."""
        fix = finding.fix
        if fix is None or not fix.edits:
            return finding
        edits = aligned_edits(note, row.table.table, fix.edits)
        return dataclasses.replace(finding, fix=Fix(fix.title, tuple(edits), fix.applicability))

    @staticmethod
    def _linked_section(row: Row) -> Section | None:
        section = row.section
        if section is None or row.target is None or row.title_link is None:
            return None
        if (row.target.path, row.target.index) != (section.path, section.heading_index):
            return None
        return section

    # --- a row pointing nowhere -------------------------------------------------

    def _pointing_nowhere(self, note: Note, context: Context, row: Row) -> Finding | None:
        """A row whose title links to a heading that is gone and that VL103 cannot re-point."""
        link = row.title_link
        if not isinstance(link, Link) or link.in_comment or row.target is not None or row.section is not None:
            return None
        if row.target_path is None or not obsidian.is_markdown_path(row.target_path):
            return None  # no such note: the link rules' business
        segments = obsidian.subpath_segments(link.subpath)
        if not segments or segments[-1].startswith(("^", "[^")):
            return None
        target = note if row.target_path == note.path else context.vault.notes.get(row.target_path)
        if target is None or target.skipped:
            return None
        if target.subpath_targets.resolve(link.subpath) is not None:
            return None
        indices, _ = matching_headings(target.headings, segments[-1])
        if len(indices) == 1:
            return None  # broken-subpath (VL103) re-points the link
        layout = row_text(note, row.row)
        where = "this note" if target is note else row.target_path
        message = f"row links to {'#' + '#'.join(segments)!r}, which no longer exists in {where}; remove the row?"
        fix = Fix.replace("Remove the row", line_removal(note, layout), "", Applicability.UNSAFE)
        return self.finding(note, layout.content_span(note.text), message, fix)

    # --- title ----------------------------------------------------------------

    def _title(self, note: Note, row: Row, section: Section) -> Finding | None:
        link = row.title_link
        if link.display is None:
            return None
        shown, heading = _words(link.display), _words(section.heading.text)
        if not shown or shown == heading:
            return None
        if shown[0] == heading[0]:
            return None  # the same paper's name, its title shortened or reworded
        span = self._display_span(note, link)
        if span is None:
            return None
        old = note.text[span.start:span.end]
        new = ("#" if old.lstrip().startswith("#") else "") + section.heading.text
        if isinstance(link, Link) and link.style is LinkStyle.WIKILINK:
            new = new.replace("|", "\\|")
        where = self._where(note, section)
        message = f"index row title {link.display!r} disagrees with the heading it links to, {section.heading.text!r}{where}"
        fix = None
        if not self._row_is_truth:
            fix = Fix.replace("Use the heading as the link text", span, new, Applicability.UNSAFE)
        return self.finding(note, span, message, fix)

    @staticmethod
    def _display_span(note: Note, link: Link | ExternalLink) -> Span | None:
        text = note.text
        if isinstance(link, Link) and link.style is LinkStyle.WIKILINK:
            start = link.target_span.end
            if text.startswith("\\|", start):
                start += 2
            elif text.startswith("|", start):
                start += 1
            else:
                return None
            return Span(start, link.span.end - 2)
        close = text.rfind("](", link.span.start, link.target_span.start)
        opening = link.span.start + (2 if link.embed else 1)
        if close < opening:
            return None
        return Span(opening, close)

    @staticmethod
    def _where(note: Note, section: Section) -> str:
        if section.path == note.path:
            return f" (line {section.heading.line})"
        return f" ({section.path}:{section.heading.line})"

    # --- repository -------------------------------------------------------------

    def _repository(self, note: Note, row: Row, section: Section) -> Finding | None:
        if section.callout is None:
            return None
        field = next((f for f in section.callout.fields if f.key.strip().lower() in REPOSITORY_KEYS), None)
        if field is None:
            return None
        headers = [cell.text.strip().lower() for cell in row.table.table.header.cells]
        column = next((i for i, header in enumerate(headers) if header in REPOSITORY_KEYS), None)
        if column is None or column >= len(row.row.cells):
            return None
        cell = row.row.cells[column]
        cell_urls = urls_in(cell.text)
        section_urls = urls_in(field.value)
        if not cell_urls or not section_urls:
            return None
        wanted = {normalise_url(url) for url in section_urls}
        if any(normalise_url(url) in wanted for url in cell_urls):
            return None
        message = (
            f"repository cell {cell.text!r} disagrees with the {field.key.strip()}: line of the section it links to, "
            f"{field.value.strip()!r}{self._where(note, section)}"
        )
        if not self._row_is_truth:
            fix = self._repository_fix(cell.text, cell.span, field.value.strip())
        elif section.path == note.path:
            fix = self._section_repository_fix(note, cell.text, field)
        else:
            fix = None  # a fix edits the finding's note only
        return self.finding(note, cell.span, message, fix)

    @staticmethod
    def _repository_fix(text: str, span: Span, value: str) -> Fix | None:
        if not re.fullmatch(r"https?://[^\s<>|()\[\]]+", value):
            return None
        title = f"Use the section's repository, {value}"
        bare = re.fullmatch(r"(<?)(https?://[^\s<>|]+?)(>?)", text)
        if bare and (bare.group(1) == "<") == (bare.group(3) == ">"):
            return Fix.replace(title, span, bare.group(1) + value + bare.group(3))
        link = _MARKDOWN_LINK.fullmatch(text)
        if link is None:
            return None
        label, old = link.group(1), link.group(2)
        destination = text[link.start(2):link.end(2)]
        new_destination = value
        if label.strip() == old or normalise_url(label) == normalise_url(old):
            return Fix.replace(title, span, f"[{value}]" + text[link.end(1) + 1:link.start(2)] + new_destination + text[link.end(2):])
        rebuilt = text[link.end(1) + 1:link.start(2)] + new_destination + text[link.start(2) + len(destination):]
        if label.strip() and label.strip().lower() == _last_segment(old).lower():
            segment = _last_segment(value)
            if segment:
                return Fix.replace(title, span, f"[{segment}]" + rebuilt)
            host = urlsplit(value).netloc
            return Fix.replace(title, span, f"[{host}]" + rebuilt, Applicability.UNSAFE)
        return Fix.replace(title + " (keeping the link text)", span, f"[{label}]" + rebuilt, Applicability.UNSAFE)

    @staticmethod
    def _section_repository_fix(note: Note, cell: str, field: CalloutField) -> Fix | None:
        """With ``source-of-truth = "row"``: the section's value rewritten from the cell."""
        value = field.value.strip()
        if not re.fullmatch(r"https?://[^\s<>|()\[\]]+", value):
            return None
        applicability = Applicability.SAFE
        bare = re.fullmatch(r"(<?)(https?://[^\s<>|]+?)(>?)", cell)
        if bare and (bare.group(1) == "<") == (bare.group(3) == ">"):
            url = bare.group(2)
        else:
            link = _MARKDOWN_LINK.fullmatch(cell)
            if link is None:
                return None
            label, url = link.group(1).strip(), link.group(2)
            derived = label == url or normalise_url(label) == normalise_url(url) or (
                bool(label) and label.lower() == _last_segment(url).lower()
            )
            if not derived:
                applicability = Applicability.UNSAFE
        if not re.fullmatch(r"https?://[^\s<>|()\[\]]+", url):
            return None
        written = note.text[field.value_span.start:field.value_span.end]
        offset = written.find(value)
        if offset < 0:
            return None
        span = Span(field.value_span.start + offset, field.value_span.start + offset + len(value))
        title = f"Use the row's repository, {url}, in the section's {field.key.strip()}: line"
        return Fix.replace(title, span, url, applicability)

    # --- classification -------------------------------------------------------

    def _classification(self, note: Note, context: Context, index: PaperIndex, row: Row, section: Section) -> Finding | None:
        if section.callout is None:
            return None
        headers = [_header_key(cell.text) for cell in row.table.table.header.cells]
        column = next((i for i, header in enumerate(headers) if header in CLASSIFICATION_KEYS), None)
        if column is None or column >= len(row.row.cells) or column == row.table.title_column:
            return None
        cell = row.row.cells[column]
        vault = context.vault
        section_note = vault.notes[section.path] if section.path != note.path else note
        shown = self._categories(note, context, index, cell.span, None)
        wanted = self._categories(section_note, context, index, section.callout.span, section.heading_index)
        shown_keys, wanted_keys = {c.key for c in shown}, {c.key for c in wanted}
        if not shown_keys or not wanted_keys or shown_keys == wanted_keys:
            return None
        unique: dict[str, CategoryLink] = {}
        for category in wanted:
            unique.setdefault(category.key, category)
        names = ", ".join(category.name for category in unique.values())
        message = (
            f"classification cell {cell.text!r} disagrees with the categories of the section it links to, "
            f"{names!r}{self._where(note, section)}"
        )
        fix = None
        if not self._row_is_truth and section.path == note.path:
            fix = self._classification_fix(note, cell, shown, list(unique.values()))
        return self.finding(note, cell.span, message, fix)

    @staticmethod
    def _categories(note: Note, context: Context, index: PaperIndex, span: Span, own: int | None) -> list[CategoryLink]:
        """Category links in ``span``: links to headings of the note that are not paper sections."""
        return [
            category
            for category in category_links(note, context.vault, span)
            if category.heading_index is None
            or (category.heading_index != own and index.section_at(note.path, category.heading_index) is None)
        ]

    @staticmethod
    def _classification_fix(note: Note, cell: TableCell, shown: list[CategoryLink], wanted: list[CategoryLink]) -> Fix | None:
        rest = note.text[cell.span.start:cell.span.end]
        for category in sorted(shown, key=lambda c: c.link.span.start, reverse=True):
            start, end = category.link.span.start - cell.span.start, category.link.span.end - cell.span.start
            rest = rest[:start] + " " + rest[end:]
        if not _SEPARATORS.fullmatch(rest):
            return None  # other text in the cell: rewriting it would lose that text
        first = shown[0].link
        links = []
        for category in wanted:
            chain = None
            if category.heading_index is not None:
                chain = obsidian.heading_chain_for(note.headings, category.heading_index)
            if chain is None:
                chain = [obsidian.strip_heading_for_link(category.name)]
            if first.style is LinkStyle.WIKILINK:
                links.append(f"[[{write_subpath(chain, encode=False)}]]")
                continue
            text = ("#" if (first.display or "").startswith("#") else "") + category.name
            text = text.replace("[", "\\[").replace("]", "\\]").replace("|", "\\|")
            links.append(f"[{text}]({write_subpath(chain, encode=True)})")
        return Fix.replace("Use the section's categories", cell.span, ", ".join(links), Applicability.UNSAFE)
