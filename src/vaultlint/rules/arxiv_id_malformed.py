from __future__ import annotations

from collections.abc import Iterator

from ..arxiv_consistency import analysis, correction_fix
from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..papers import ReadsPapers
from ..rule import READS_PREPARED, Context, Rule


class ArxivIdMalformed(ReadsPapers, Rule):
    """
    ## What it does
    Reports an arXiv ID that cannot exist. New-style IDs (from April 2007)
    are `YYMM.NNNN` up to December 2014 and `YYMM.NNNNN` from January 2015,
    with a month from 01 to 12, a number that is not all zeros, no month in the
    future, and an optional version `vN` with N >= 1. Old-style IDs (July 1991
    to March 2007) are `archive/YYMMNNN` or `archive.SC/YYMMNNN` with a known
    archive (`hep-th`, `math`, `cs`, `cond-mat`, `astro-ph`, `quant-ph`...).

    Checked are the places where an ID is meant: the text after `arXiv:`, the
    path of an `arxiv.org/abs|pdf|html/` URL or a `10.48550/arXiv.` DOI, the
    text of a link to arXiv, the ID columns of index tables and the ID fields of
    paper callouts (see `arxiv-id-conflict`, VL301). Numbers elsewhere, code,
    `%% %%` comments and file names are not checked.

    ## Why is this bad?
    The link opens arXiv's error page, and the paper cannot be found from the
    note. A wrong digit count or a swapped month is a typing slip that a glance
    does not catch.

    ## Example
    ```markdown
    Toolformer: [arXiv:2313.04761](https://arxiv.org/abs/2313.04761) and the
    older [arXiv:1706.3762](https://arxiv.org/abs/1706.03762).
    ```

    Use instead:
    ```markdown
    Toolformer: [arXiv:2302.04761](https://arxiv.org/abs/2302.04761) and the
    older [arXiv:1706.03762](https://arxiv.org/abs/1706.03762).
    ```

    ## Fix safety
    When the malformed ID belongs to a paper record whose other claims all
    name one valid ID that no other paper claims, it is rewritten to that ID:
    a safe fix. When only the other half of the same link names a valid ID (the
    text says `arXiv:1706.3762`, the URL `1706.03762`), the fix is unsafe.
    Otherwise there is no fix; the message says what is wrong with the ID.

    ## Options
    None.
    """

    code = "VL304"
    name = "arxiv-id-malformed"
    summary = "An arXiv ID that cannot exist (bad month, digit count, version, archive)"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    tags = ("arxiv",)
    reads = READS_PREPARED
    looks_up_files = True

    def prepare(self, context: Context) -> None:
        analysis(context.vault, context.prepared_focus)

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        for malformed in analysis(context.vault, context.prepared_focus).in_note(note.path).malformed:
            claim = malformed.claim
            if claim.path != note.path:
                continue
            message = f"malformed arXiv ID {claim.raw}: {claim.problem}"
            fix = None
            if malformed.correction is not None:
                message += f"; {malformed.correction.reason} {malformed.correction.new_id}"
                fix = correction_fix(malformed.correction, note.path, f"Use {malformed.correction.new_id}")
            yield self.finding(note, claim.span, message, fix)
