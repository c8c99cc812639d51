from __future__ import annotations

from collections.abc import Iterator

from ..arxiv_consistency import Conflict, analysis, correction_fix, evidence_notes, record_places, title_of, where
from ..arxiv_verify import settled
from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..papers import ReadsPapers
from ..rule import READS_PREPARED, Context, Rule


class ArxivIdConflict(ReadsPapers, Rule):
    """
    ## What it does
    Reports a paper that the vault gives two or more different arXiv IDs: its
    index-table row says one ID and its section's callout another, or a body
    link a third. Versions do not count as different (`2205.12255v2` is
    `2205.12255`), and `arxiv.org/abs/X`, `arxiv.org/pdf/X`, `arxiv.org/html/X`
    and `arXiv:X` are the same claim.

    A *paper record* is either
    - an **index row**: a row of a table with a title column (header `Title`,
      `Paper`, `Article`, `Name`, `Model` or `Method`) and an ID column (header
      `Link`, `arXiv`, `URL`, `ID`, `PDF`..., or any column other than
      `Classification`, `Related`, `Repository` and the like that holds an arXiv
      link or `arXiv:` ID), whose title cell names one paper; or
    - a **paper section**: a heading followed directly by a callout
      (`> [!info]` or any type) that holds an arXiv link whose text is the ID,
      names arXiv (`arXiv`, `PDF`, `paper`) or is the heading itself, or a
      `Key: value` field with the ID; or a heading that an index row's title
      cell links to or repeats (after Obsidian's heading normalisation).

    Headings that name a part of a text or a date (`Related work`,
    `References`, `Introduction`, `Notes`, `2024-08`, `Week 12`...) are never
    paper records, and a callout naming three or more IDs is a list. A row and
    the section its title links to (in any note) are one paper, as are records
    with the same title, or with compatible titles (`ReAct` and `ReAct:
    Synergizing ...`) that claim the same ID.

    A paper claims the IDs of its row's ID cells, its callout's links and
    fields, and the arXiv links standing on a line of their own in the text
    before its first sub-heading (`Paper: [arXiv:X](...) [cs.CL]`). A link
    inside a sentence or whose text names another paper is a citation, not a
    claim; so is everything in code, in `%% %%` comments, and in sections that
    are not paper records. File names of embedded images and PDFs
    (`2210.03629_Page_02.png`) are evidence, shown in messages, never claims.

    A link whose text and URL disagree is reported by `arxiv-link-mismatch`
    (VL303) and a malformed ID by `arxiv-id-malformed` (VL304); neither counts
    here.

    ## Why is this bad?
    One of the IDs is wrong, and nothing in Obsidian shows it: following the
    link opens another paper. These errors come from copying a row or a callout
    from the neighbouring paper and editing only half of it, and they last.

    ## Example
    ```markdown
    | Name | Paper | Link |
    | ---- | ----- | ---- |
    | Gorilla | [Gorilla: Large Language Model Connected with Massive APIs](#Gorilla%20Large%20Language%20Model%20Connected%20with%20Massive%20APIs) | [arXiv:2305.15334](https://arxiv.org/abs/2305.15334) |
    | ToolkenGPT | [ToolkenGPT: Augmenting Frozen Language Models with Massive Tools via Tool Embeddings](#ToolkenGPT%20Augmenting%20Frozen%20Language%20Models%20with%20Massive%20Tools%20via%20Tool%20Embeddings) | [arXiv:2305.11554](https://arxiv.org/abs/2305.11554) |

    #### Gorilla: Large Language Model Connected with Massive APIs

    > [!info]
    > [arXiv:2305.11554](https://arxiv.org/abs/2305.11554) [cs.CL]

    #### ToolkenGPT: Augmenting Frozen Language Models with Massive Tools via Tool Embeddings

    > [!info]
    > [arXiv:2305.11554](https://arxiv.org/abs/2305.11554) [cs.CL]
    ```

    Use instead:
    ```markdown
    | Name | Paper | Link |
    | ---- | ----- | ---- |
    | Gorilla | [Gorilla: Large Language Model Connected with Massive APIs](#Gorilla%20Large%20Language%20Model%20Connected%20with%20Massive%20APIs) | [arXiv:2305.15334](https://arxiv.org/abs/2305.15334) |
    | ToolkenGPT | [ToolkenGPT: Augmenting Frozen Language Models with Massive Tools via Tool Embeddings](#ToolkenGPT%20Augmenting%20Frozen%20Language%20Models%20with%20Massive%20Tools%20via%20Tool%20Embeddings) | [arXiv:2305.11554](https://arxiv.org/abs/2305.11554) |

    #### Gorilla: Large Language Model Connected with Massive APIs

    > [!info]
    > [arXiv:2305.15334](https://arxiv.org/abs/2305.15334) [cs.CL]

    #### ToolkenGPT: Augmenting Frozen Language Models with Massive Tools via Tool Embeddings

    > [!info]
    > [arXiv:2305.11554](https://arxiv.org/abs/2305.11554) [cs.CL]
    ```

    ## Fix safety
    The fix rewrites the wrong claims, the text and the URL of a link
    together, to the paper's right ID, in every note where they stand (one
    finding per note). It is safe when the evidence is unambiguous: the paper
    has exactly one ID no other paper claims, and each of its other IDs is
    claimed by exactly one other paper that claims nothing else (in the
    example, `2305.11554` is ToolkenGPT's, so Gorilla's callout becomes
    `2305.15334`). It is unsafe when the paper's own claims favour one
    uncontested ID by two or more against single ones. Otherwise there is no
    fix: the message lists the papers holding each ID and the embedded file
    names carrying one, and suggests `--online`.

    With `--online`, a conflict without an offline fix is left to
    `arxiv-title-mismatch` (VL305), which checks the titles on arXiv, as soon as
    arXiv answered for the paper; if it cannot be reached, this rule reports as
    offline.

    ## Options
    None.
    """

    code = "VL301"
    name = "arxiv-id-conflict"
    summary = "One paper is given different arXiv IDs (index row, callout, body link)"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    tags = ("arxiv", "papers")
    reads = READS_PREPARED
    looks_up_files = True

    def prepare(self, context: Context) -> None:
        analysis(context.vault, context.prepared_focus)

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        result = analysis(context.vault, context.prepared_focus)
        for conflict in result.in_note(note.path).conflicts:
            if conflict.correction is not None:
                claims = conflict.correction.claims_in(note.path)
                if claims:
                    yield self._corrected(note, conflict, claims[0].span)
            elif conflict.anchor.path == note.path and not settled(context, [conflict.paper], note.path):
                yield self._unresolved(note, conflict, context)

    @staticmethod
    def _summary(conflict: Conflict, path: str) -> str:
        parts = []
        for base, statements in conflict.ids.items():
            places = ", ".join(where(statement.claims[0], path) for statement in statements)
            parts.append(f"{base} ({places})")
        return f"{title_of(conflict.paper)} is given {len(conflict.ids)} arXiv IDs: {'; '.join(parts)}"

    @staticmethod
    def _holders(conflict: Conflict, bases, path: str, verb: str) -> list[str]:
        return [
            f"{base} {verb} {title_of(other)} ({record_places(other, base, path)})"
            for base in bases
            for other in conflict.others.get(base, [])
        ]

    def _corrected(self, note: Note, conflict: Conflict, span) -> Finding:
        correction = conflict.correction
        reasons = self._holders(conflict, conflict.wrong, note.path, "is the ID of") or [correction.reason]
        message = f"{self._summary(conflict, note.path)}; {'; '.join(reasons)}"
        fix = correction_fix(correction, note.path, f"Use {correction.new_id}, the ID no other paper claims")
        if correction.applicability.name == "UNSAFE":
            fix = correction_fix(correction, note.path, f"Use {correction.new_id} ({correction.reason})")
        return self.finding(note, span, message, fix)

    def _unresolved(self, note: Note, conflict: Conflict, context: Context) -> Finding:
        notes = self._holders(conflict, list(conflict.ids), note.path, "is also claimed by")
        notes.extend(evidence_notes(context.vault, conflict.paper.evidence, note.path))
        message = self._summary(conflict, note.path)
        if notes:
            message += "; " + "; ".join(notes)
        message += "; no offline fix: nothing shows which ID is right"
        if not context.online:
            message += "; run with --online to check them against arXiv"
        else:
            message += "; arXiv could not be asked (see arxiv-title-mismatch)"
        return self.finding(note, conflict.anchor.span, message)
