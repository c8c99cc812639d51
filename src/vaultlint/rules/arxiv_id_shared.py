from __future__ import annotations

from collections.abc import Iterator

from ..arxiv_consistency import SharedId, analysis, evidence_notes, record_places, title_of
from ..arxiv_verify import settled
from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..papers import ReadsPapers
from ..rule import READS_PREPARED, Context, Rule


class ArxivIdShared(ReadsPapers, Rule):
    """
    ## What it does
    Reports an arXiv ID that two or more different papers each claim as their
    only ID: `TALM` and `ReAct` both listed, in their index rows and their
    callouts, as `2205.12255`. Each such ID is reported once, at the paper that
    looks like the copy: the one whose section embeds a file named after
    another ID (`2210.03629_Page_02.png`), else the one recorded last. The
    message names every paper holding the ID and where.

    Papers and their claims are those of `arxiv-id-conflict` (VL301, which
    describes the signals precisely): index-table rows and paper sections. One
    paper listed in several index tables, or cited from many notes and
    sections, is one paper, not a duplicate: records are one paper when a row
    links to the section, when their titles are equal, or when they claim the
    same ID under compatible titles (`ReAct` and `ReAct: Synergizing ...`).
    Citations (`Related work`, dated sections, links inside sentences) claim
    nothing. A paper that also claims another ID is reported by VL301 instead,
    which names the other holders of its IDs, so each disagreement is reported
    once.

    ## Why is this bad?
    An ID names one paper. When two records claim it, at least one of them
    links to the wrong paper, typically a row or callout copied from the paper
    above and never updated.

    ## Example
    ```markdown
    #### WebGPT: Browser-assisted question-answering with human feedback

    > [!info]
    > [arXiv:2112.09332](https://arxiv.org/abs/2112.09332) [cs.CL]

    #### MRKL Systems: A modular, neuro-symbolic architecture

    > [!info]
    > [arXiv:2112.09332](https://arxiv.org/abs/2112.09332) [cs.CL]
    ```

    Use instead:
    ```markdown
    #### WebGPT: Browser-assisted question-answering with human feedback

    > [!info]
    > [arXiv:2112.09332](https://arxiv.org/abs/2112.09332) [cs.CL]

    #### MRKL Systems: A modular, neuro-symbolic architecture

    > [!info]
    > [arXiv:2205.00445](https://arxiv.org/abs/2205.00445) [cs.CL]
    ```

    ## Fix safety
    No fix offline: every claim of each paper says the same ID, so nothing in
    the vault shows which paper it belongs to. The message lists the evidence
    (the other papers holding the ID, embedded file names carrying another ID)
    and suggests `--online`. With `--online`, `arxiv-title-mismatch` (VL305)
    compares each paper's title with arXiv's and fixes the wrong one; this rule
    then stays silent for the ID once arXiv answered for every paper holding it
    (and reports as offline, with the evidence, when arXiv cannot be reached).

    ## Options
    None.
    """

    code = "VL302"
    name = "arxiv-id-shared"
    summary = "One arXiv ID is claimed by several different papers"
    severity = Severity.ERROR
    fix_availability = FixAvailability.NONE
    tags = ("arxiv", "papers")
    reads = READS_PREPARED
    looks_up_files = True

    def prepare(self, context: Context) -> None:
        analysis(context.vault, context.prepared_focus)

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        for shared in analysis(context.vault, context.prepared_focus).in_note(note.path).shared:
            if settled(context, shared.holders, note.path):
                continue  # arXiv answered: arxiv-title-mismatch reports the wrong holder
            yield self._finding(note, shared, context)

    def _finding(self, note: Note, shared: SharedId, context: Context) -> Finding:
        path = note.path
        first = shared.anchor_paper
        others = [paper for paper in shared.holders if paper is not first]
        listed = [f"{title_of(first)} ({record_places(first, shared.base, path)})"]
        listed += [f"{title_of(paper)} ({record_places(paper, shared.base, path)})" for paper in others]
        message = f"arXiv {shared.base} is claimed by {len(shared.holders)} different papers: " + " and ".join(listed)
        evidence = evidence_notes(context.vault, shared.evidence, path, besides=shared.base)
        if evidence:
            message += f"; evidence: in {title_of(first)}, " + "; ".join(evidence)
        message += f"; no offline fix: each paper claims only {shared.base}"
        if not context.online:
            message += "; run with --online to check the titles on arXiv"
        else:
            message += "; arXiv could not be asked (see arxiv-title-mismatch)"
        return self.finding(note, shared.anchor.span, message)
