from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..rule import READS_NOTE, Context, Rule


class DuplicateBlockId(Rule):
    """
    ## What it does
    Reports a block id (`^id`) used twice in one note. Ids are compared
    case-insensitively, as Obsidian does.

    ## Why is this bad?
    Obsidian keeps one block per id, so a link `[[Note#^id]]` can reach only one
    of the two blocks, and which one is not something to rely on. Ids are
    usually duplicated by copying a paragraph together with its id.

    ## Example
    ```markdown
    Transformers replace recurrence with attention. ^key-idea

    Mixture of experts routes tokens to sub-networks. ^key-idea
    ```

    Use instead:
    ```markdown
    Transformers replace recurrence with attention. ^key-idea

    Mixture of experts routes tokens to sub-networks. ^moe-idea
    ```

    ## Fix safety
    No fix: renaming either id could break links that already point at it, and
    only the author knows which block those links meant. Rename the copy and
    update the links that should reach it.

    ## Options
    None.
    """

    code = "VL107"
    name = "duplicate-block-id"
    summary = "Block id defined twice in one note"
    severity = Severity.ERROR
    fix_availability = FixAvailability.NONE
    tags = ("links", "blocks")
    reads = READS_NOTE
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        first_seen: dict[str, int] = {}
        for block in note.block_ids:
            key = block.id.lower()
            if key in first_seen:
                yield self.finding(note, block.span, f"block id ^{block.id} is already defined on line {first_seen[key]}; links reach only one of them")
            else:
                first_seen[key] = block.line
