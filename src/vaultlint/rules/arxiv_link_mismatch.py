from __future__ import annotations

from collections.abc import Iterator

from ..arxiv_consistency import LinkMismatch, analysis, correction_fix
from ..arxiv_verify import settled
from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..papers import ReadsPapers
from ..rule import READS_PREPARED, Context, Rule


class ArxivLinkMismatch(ReadsPapers, Rule):
    """
    ## What it does
    Reports a link whose text names one arXiv ID and whose URL opens another:
    `[arXiv:2302.04761](https://arxiv.org/abs/2302.04716)`. Any link in any
    note is checked, citations included. The text counts when it is written
    `arXiv:ID`, or as a bare ID or arXiv URL when the link goes to arXiv; the
    URL when it is `arxiv.org/abs/`, `/pdf/` or `/html/` (with or without
    version or `.pdf`) or a `10.48550/arXiv.` DOI. Versions do not matter:
    `[arXiv:2302.04761v2](https://arxiv.org/abs/2302.04761v1)` is fine. Links in
    code and in `%% %%` comments are ignored.

    ## Why is this bad?
    The reader sees one paper and clicking opens another. Either half may be
    the stale one, so every copy of the link spreads the error.

    ## Example
    ```markdown
    Toolformer ([arXiv:2302.04761](https://arxiv.org/abs/2302.04716)) teaches itself API calls.
    ```

    Use instead:
    ```markdown
    Toolformer ([arXiv:2302.04761](https://arxiv.org/abs/2302.04761)) teaches itself API calls.
    ```

    ## Fix safety
    When the link belongs to a paper record (see `arxiv-id-conflict`, VL301)
    whose other claims all name one ID, no other paper claims that ID, and it is
    one of the two halves, the other half is rewritten to it: a safe fix. A
    citation outside paper records, or a paper whose other claims do not
    settle it, has no offline fix; the message says what each half names. With
    `--online`, a link of a paper record without an offline fix is left to
    `arxiv-title-mismatch` (VL305) once arXiv answered for the paper.

    ## Options
    None.
    """

    code = "VL303"
    name = "arxiv-link-mismatch"
    summary = "A link's text names one arXiv ID and its URL another"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    tags = ("arxiv", "links")
    reads = READS_PREPARED
    looks_up_files = True

    def prepare(self, context: Context) -> None:
        analysis(context.vault, context.prepared_focus)

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        for mismatch in analysis(context.vault, context.prepared_focus).in_note(note.path).mismatches:
            if mismatch.correction is None and mismatch.paper is not None and settled(context, [mismatch.paper], note.path):
                continue
            yield self._finding(note, mismatch)

    def _finding(self, note: Note, mismatch: LinkMismatch) -> Finding:
        text = ", ".join(claim.raw for claim in mismatch.text_claims)
        url = ", ".join(claim.raw for claim in mismatch.url_claims)
        message = f"link text says arXiv {text} but its URL opens {url}"
        if mismatch.guidance:
            message += f"; {mismatch.guidance}"
        fix = None
        correction = mismatch.correction
        if correction is not None:
            half = "URL" if correction.claims[0].kind.value == "link-url" else "text"
            fix = correction_fix(correction, note.path, f"Make the link {half} say {correction.new_id}")
        elif mismatch.paper is None:
            message += "; no offline fix: the link is not part of a paper record, so nothing shows which half is right"
        else:
            message += "; no offline fix: the paper's other claims do not settle it"
        return self.finding(note, mismatch.text_claims[0].span, message, fix)
