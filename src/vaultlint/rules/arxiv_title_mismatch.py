from __future__ import annotations

from collections.abc import Iterator

from ..arxiv_client import MISSING, REJECTED
from ..arxiv_consistency import analysis, title_of
from ..arxiv_verify import IdVerdict, Verifier, describe_failure, verifier
from ..diagnostics import Edit, Finding, Fix, FixAvailability, Severity
from ..note import Note
from ..papers import Paper, paper_index
from ..rule import Context, Option, Rule
from ..source import Span


class ArxivTitleMismatch(Rule):
    """
    ## What it does
    Online only (`--online`; offline it does nothing). Looks up on arXiv every
    ID that the paper records of the checked notes claim (see
    `arxiv-id-conflict`, VL301, for what a paper record is) and compares the
    title arXiv gives with the paper's own titles: its headings, title cells
    and short names, normalised (case, punctuation) and fuzzy: they match with
    a similarity of 90 out of 100, or when one is the other's first words
    (`MRKL Systems` for `MRKL Systems: A modular ...`, `ReAct` for `ReAct:
    Synergizing ...`). A paper known only by one-word names (`CoT`, `GQA`) is
    checked for existence only: one word says too little. It reports an ID
    whose title is another paper's, or that arXiv does not have, and gives the
    right ID: the paper's other ID that arXiv confirms, else the best match of a
    search of arXiv by the paper's title (`search_query=ti:"..."`).

    With `check-citations`, arXiv links outside paper records (citations) are
    looked up too and reported when arXiv has no such paper (their titles are
    not compared: a citation's text need not be a title).

    The API is asked as arXiv asks: IDs batched per note (`id_list`, at most 100,
    with `max_results` set), one request at a time at least 3 seconds apart,
    `Retry-After` honoured on HTTP 429 and 503, a `vaultlint` User-Agent. Every
    answer is cached on disk in `.vaultlint_cache/arxiv/` in the vault root (the
    folder gets a `.gitignore` holding `*`), so a second run asks nothing.
    Settings (from the configuration, `--online` settings, or the environment,
    which wins): `arxiv-api-url` / `VAULTLINT_ARXIV_API_URL` (default
    `https://export.arxiv.org/api/query`), `arxiv-min-interval` /
    `VAULTLINT_ARXIV_MIN_INTERVAL` (seconds, default 3; a local mirror may set
    it lower), `cache-dir` (default `.vaultlint_cache`, relative to the vault
    root), `timeout` (seconds, or `[connect, read]`; default `[5, 30]`) and
    `user-agent`.

    When arXiv cannot be reached (no network, timeouts, repeated 429/503), the
    rule reports it once, as a warning in the note being checked when it
    happened, and makes no further request in that run; every other finding is
    then the offline rules' (plus what earlier answers and the cache allow). A
    paper gets a verdict only when every lookup it needs succeeded, so a fix is
    never made on half an answer.

    ## Why is this bad?
    A paper's ID can be consistent everywhere in the vault and still wrong: a
    row and a callout copied together from the neighbouring paper. Only arXiv
    knows which title an ID belongs to.

    ## Example
    ```markdown
    #### TALM: Tool Augmented Language Models

    > [!info]
    > [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) [cs.CL]

    #### ReAct: Synergizing Reasoning and Acting in Language Models

    > [!info]
    > [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) [cs.CL]
    ```

    Use instead:
    ```markdown
    #### TALM: Tool Augmented Language Models

    > [!info]
    > [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) [cs.CL]

    #### ReAct: Synergizing Reasoning and Acting in Language Models

    > [!info]
    > [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) [cs.CL]
    ```

    ## Fix safety
    The fix rewrites every claim of the wrong ID for that paper in the note
    (the text and URL of a link together; one finding per note). It is safe
    when the right ID is the paper's other ID whose title arXiv confirms, or
    the title search's only match with a similarity of 97 or more; unsafe when
    the best match is weaker or another result matches too. With no match
    there is no fix. Claims an offline rule already fixes (VL301, VL303,
    VL304) are left to it; disagreements the offline rules could not settle
    (VL301 without a fix, VL302, VL303 without a fix) are reported here instead
    of there once arXiv has answered.

    ## Options
    - `check-citations` (default `true`): also look up arXiv links outside paper records and report IDs arXiv does not have.
    """

    code = "VL305"
    name = "arxiv-title-mismatch"
    summary = "Online: an arXiv ID whose title on arXiv is not the paper's, or that does not exist"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    options = (
        Option("check-citations", True, "Also look up arXiv links outside paper records and report IDs arXiv does not have."),
    )
    tags = ("arxiv", "papers", "online")
    online_only = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        checker = verifier(context)
        if checker is None:
            return
        vault = context.vault
        index = paper_index(vault, context.prepared_focus)
        papers = index.papers_in(note.path)
        citations = []
        if self.option("check-citations"):
            citations = [claim for claim in index.claims_in(note.path) if claim.base and index.paper_of(claim) is None]
        checker.prefetch(index, note.path)
        covered = analysis(vault, context.prepared_focus).corrected_claims()
        for paper in papers:
            verdict = checker.verdict(paper, note.path)
            if verdict is None:
                continue
            for base, id_verdict in verdict.ids.items():
                if id_verdict.ok:
                    continue
                claims = [
                    claim for claim in paper.claims
                    if claim.path == note.path and claim.base == base and (claim.path, claim.span.start) not in covered
                ]
                if claims:
                    yield self._wrong_id(note, paper, id_verdict, claims)
        yield from self._citations(note, checker, citations)
        if checker.failure is not None and checker.failure_path == note.path:
            where = index.claims_in(note.path)
            span = where[0].span if where else Span(0, 0)
            message = (
                f"online arXiv check incomplete: {describe_failure(checker.failure)}; "
                "the other findings are the offline checks' (and what cached answers allow)"
            )
            yield self.finding(note, span, message, severity=Severity.WARNING)

    def _wrong_id(self, note: Note, paper: Paper, verdict: IdVerdict, claims) -> Finding:
        title = title_of(paper)
        if verdict.status == "other-paper":
            message = f"arXiv {verdict.base} is {verdict.arxiv_title!r}, not {title}"
        elif verdict.status == "unknown":
            message = f"arXiv has no paper {verdict.base} (claimed for {title})"
        else:
            message = f"arXiv rejects {verdict.base} as malformed (claimed for {title})"
        fix = None
        if verdict.replacement is not None:
            message += f"; arXiv's {verdict.replacement_title!r} is {verdict.replacement} ({verdict.how})"
            edits = tuple(Edit(claim.span, verdict.replacement) for claim in claims)
            fix = Fix(f"Use {verdict.replacement}", edits, verdict.applicability)
        elif verdict.how:
            message += f"; no fix: {verdict.how}"
        return self.finding(note, claims[0].span, message, fix)

    def _citations(self, note: Note, checker: Verifier, citations) -> Iterator[Finding]:
        lookups = checker.lookup([claim.base for claim in citations], note.path)
        reported: set[tuple] = set()
        for claim in citations:
            lookup = lookups.get(claim.base)
            if lookup is None or lookup.status not in (MISSING, REJECTED) or claim.unit in reported:
                continue
            reported.add(claim.unit)
            why = "has no paper" if lookup.status == MISSING else "rejects as malformed the ID"
            yield self.finding(note, claim.span, f"arXiv {why} {claim.base} (cited here)")
