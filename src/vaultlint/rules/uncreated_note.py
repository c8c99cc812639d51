from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..repair import COMMENTS_OPTION_HELP, checked_links, describe_link, is_uncreated_note, wanted_file_name
from ..rule import READS_NOTE, Context, Option, Rule


class UncreatedNote(Rule):
    """
    ## What it does
    Reports a link to a note that does not exist yet: a bare note name
    (`[[An idea to write up]]`, `[t](An%20idea)`) that matches no file and
    resembles no existing file name. Links that look like typos of an existing
    file, or that name a folder or an extension, are reported by
    `unresolved-link` (VL101) instead.

    ## Why is this bad?
    Often it is not: linking to notes before writing them is a normal Obsidian
    habit, and a large zettelkasten can hold thousands such links on purpose.
    This rule exists so that they can be listed, counted, or ignored as a group
    (`--ignore uncreated-note`) without weakening typo detection.

    ## Example
    ```markdown
    Next: [[Sparse attention survey]]
    ```

    Use instead (create the note, or link to an existing one):
    ```markdown
    Next: [[Attention]]
    ```

    ## Fix safety
    No fix: only the author knows whether the note should be written or the link
    changed. Obsidian creates the note when the link is clicked.

    ## Options
    - `check-comments` (default `false`): also report links inside `%% %%` comments.
    """

    code = "VL102"
    name = "uncreated-note"
    summary = "Link to a note not created yet"
    severity = Severity.WARNING
    fix_availability = FixAvailability.NONE
    options = (Option("check-comments", False, COMMENTS_OPTION_HELP),)
    tags = ("links",)
    reads = READS_NOTE
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        vault = context.vault
        for link in checked_links(note, self.option("check-comments")):
            if link.embed or link.is_self_link or vault.resolve_link(link, note).candidates:
                continue
            if not is_uncreated_note(vault, note, link):
                continue
            yield self.finding(note, link.target_span, f"{describe_link(link)} links to a note not created yet ({wanted_file_name(link.path)!r})")
