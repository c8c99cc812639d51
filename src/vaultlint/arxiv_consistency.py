"""The offline arXiv checks, computed once per vault state over the paper records.

Each disagreement is found once, here, and reported by exactly one rule:

- a link whose text and URL name different IDs (VL303) is set aside: its two
  halves do not count as the paper's statements for the other checks;
- a malformed ID (VL304) does not count either;
- a paper whose remaining statements name two or more IDs is a *conflict*
  (VL301); an ID it shares with another paper is mentioned there, not again;
- an ID that two or more papers each state consistently (their only ID) is a
  *shared ID* (VL302).

A *statement* is one link (its text and URL together) or one plain-text ID in a
cell or callout field. An ID is *contested* when another paper states it, and
*owned* by a paper when that paper states it and nothing else.

Offline corrections are made only on unambiguous evidence:

- safe: the paper has exactly one uncontested ID, and each of its other IDs is
  owned by another paper (``LLM-Pruner``'s callout says CRITIC's ID, its row its
  own): the other claims are rewritten to the uncontested ID, text and URL of a
  link together;
- unsafe: the paper's own statements favour one uncontested ID by a majority of
  two or more against single ones (a typo in one place);
- otherwise none; the message lists the evidence (the papers holding each ID,
  embedded file names carrying an ID) and suggests ``--online``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from typing import NamedTuple

from .diagnostics import Applicability, Edit, Fix
from .papers import Claim, ClaimKind, Paper, PaperIndex, Row, Section, paper_index
from .records import dataclass
from .vault import Vault


@dataclass(frozen=True, slots=True)
class Statement:
    """The claims of one link (text and URL) or one plain-text ID."""

    claims: tuple[Claim, ...]

    @property
    def path(self) -> str:
        return self.claims[0].path

    @property
    def line(self) -> int:
        return self.claims[0].line

    @property
    def bases(self) -> set[str]:
        return {claim.base for claim in self.claims if claim.base}

    @property
    def base(self) -> str | None:
        """The ID the statement names, or ``None`` when its valid parts disagree or none is valid."""
        bases = self.bases
        return next(iter(bases)) if len(bases) == 1 else None

    @property
    def mismatched(self) -> bool:
        text = {c.base for c in self.claims if c.base and c.kind is ClaimKind.LINK_TEXT}
        url = {c.base for c in self.claims if c.base and c.kind is ClaimKind.LINK_URL}
        return bool(text) and bool(url) and not text & url


def statements(claims: list[Claim]) -> list[Statement]:
    grouped: dict[tuple, list[Claim]] = {}
    for claim in claims:
        if not claim.evidence_only:
            grouped.setdefault(claim.unit, []).append(claim)
    found = [Statement(tuple(sorted(group, key=lambda c: c.span.start))) for group in grouped.values()]
    return sorted(found, key=lambda s: (s.path, s.claims[0].span.start))


@dataclass(frozen=True, slots=True)
class Correction:
    """Rewrite ``claims`` (each an ID span) to ``new_id``."""

    claims: tuple[Claim, ...]
    new_id: str
    applicability: Applicability
    reason: str

    def claims_in(self, path: str) -> list[Claim]:
        return [claim for claim in self.claims if claim.path == path]


@dataclass(slots=True)
class Conflict:
    """VL301: one paper, several IDs."""

    paper: Paper
    ids: dict[str, list[Statement]]
    anchor: Claim
    others: dict[str, list[Paper]] = field(default_factory=dict)
    wrong: tuple[str, ...] = ()
    correction: Correction | None = None


@dataclass(slots=True)
class SharedId:
    """VL302: one ID stated consistently by several papers."""

    base: str
    holders: list[Paper]
    anchor_paper: Paper
    anchor: Claim
    evidence: list[Claim] = field(default_factory=list)


@dataclass(slots=True)
class LinkMismatch:
    """VL303: a link whose text and URL name different IDs."""

    statement: Statement
    paper: Paper | None
    correction: Correction | None = None
    guidance: str = ""

    @property
    def text_claims(self) -> list[Claim]:
        return [c for c in self.statement.claims if c.kind is ClaimKind.LINK_TEXT and c.base]

    @property
    def url_claims(self) -> list[Claim]:
        return [c for c in self.statement.claims if c.kind is ClaimKind.LINK_URL and c.base]


@dataclass(slots=True)
class MalformedId:
    """VL304: a claim whose ID is malformed."""

    claim: Claim
    paper: Paper | None
    correction: Correction | None = None


class NoteItems(NamedTuple):
    conflicts: list
    shared: list
    mismatches: list
    malformed: list


_NO_ITEMS = NoteItems([], [], [], [])


class Analysis:
    """Every offline arXiv finding of a vault, by note."""

    def __init__(self, index: PaperIndex) -> None:
        self.index = index
        self.conflicts: list[Conflict] = []
        self.shared: list[SharedId] = []
        self.mismatches: list[LinkMismatch] = []
        self.malformed: list[MalformedId] = []
        self._run()
        self._by_path = self._group_by_note()

    def in_note(self, path: str) -> NoteItems:
        """The items a rule reports in note ``path`` (rules run once per note: no scans)."""
        return self._by_path.get(path, _NO_ITEMS)

    def _group_by_note(self) -> dict[str, NoteItems]:
        grouped: dict[str, NoteItems] = {}

        def bucket(path: str) -> NoteItems:
            if path not in grouped:
                grouped[path] = NoteItems([], [], [], [])
            return grouped[path]

        for conflict in self.conflicts:
            paths = {claim.path for claim in conflict.correction.claims} if conflict.correction else {conflict.anchor.path}
            for path in paths:
                bucket(path).conflicts.append(conflict)
        for shared in self.shared:
            bucket(shared.anchor.path).shared.append(shared)
        for mismatch in self.mismatches:
            bucket(mismatch.statement.path).mismatches.append(mismatch)
        for malformed in self.malformed:
            bucket(malformed.claim.path).malformed.append(malformed)
        return grouped

    # --- helpers --------------------------------------------------------------

    def paper_statements(self, paper: Paper) -> list[Statement]:
        """The paper's statements that count: not mismatched links, with a valid ID."""
        return [s for s in statements(paper.claims) if s.base and not s.mismatched]

    def paper_ids(self, paper: Paper) -> dict[str, list[Statement]]:
        ids: dict[str, list[Statement]] = {}
        for statement in self.paper_statements(paper):
            ids.setdefault(statement.base, []).append(statement)
        return ids

    def others(self, paper: Paper, base: str) -> list[Paper]:
        """Other papers that state ``base`` (in a statement that counts)."""
        return [other for other in self._holders.get(base, []) if other is not paper]

    def owner(self, base: str, besides: Paper) -> Paper | None:
        """The one other paper that states ``base`` and nothing else, if there is exactly one holder."""
        others = self.others(besides, base)
        if len(others) == 1 and set(self._ids[id(others[0])]) == {base}:
            return others[0]
        return None

    # --- the checks -----------------------------------------------------------

    def _run(self) -> None:
        index = self.index
        self._ids = {id(paper): self.paper_ids(paper) for paper in index.papers}
        self._holders: dict[str, list[Paper]] = {}
        for paper in index.papers:
            for base in self._ids[id(paper)]:
                self._holders.setdefault(base, []).append(paper)
        for paper in index.papers:
            if len(self._ids[id(paper)]) >= 2:
                self.conflicts.append(self._conflict(paper))
        for base, holders in self._holders.items():
            owners = [paper for paper in holders if set(self._ids[id(paper)]) == {base}]
            if len(owners) >= 2:
                self.shared.append(self._shared(base, owners))
        seen_units: set[tuple] = set()
        for path in index.paths_with_claims():
            for statement in statements(index.claims_in(path)):
                unit = statement.claims[0].unit
                if unit in seen_units:
                    continue
                seen_units.add(unit)
                paper = index.paper_of(statement.claims[0])
                if statement.mismatched:
                    self.mismatches.append(self._mismatch(statement, paper))
                for claim in statement.claims:
                    if claim.problem is not None:
                        self.malformed.append(self._malformed(claim, statement, paper))

    def _conflict(self, paper: Paper) -> Conflict:
        ids = self._ids[id(paper)]
        order = list(ids)
        uncontested = [base for base in order if not self.others(paper, base)]
        others = {base: self.others(paper, base) for base in order}
        conflict = Conflict(paper, ids, ids[order[1]][0].claims[0], others)
        if len(uncontested) == 1:
            right = uncontested[0]
            wrong = [base for base in order if base != right]
            owners = {base: self.owner(base, paper) for base in wrong}
            if all(owners.values()):
                claims = self._claims_of(ids, wrong)
                reason = "; ".join(f"{base} is {_title(owners[base])}'s" for base in wrong)
                conflict.wrong = tuple(wrong)
                conflict.correction = Correction(claims, right, Applicability.SAFE, reason)
                conflict.anchor = claims[0]
                return conflict
        support = sorted(((len(ids[base]), base) for base in order), reverse=True)
        best_count, best = support[0]
        rest = [base for base in order if base != best]
        if best_count >= 2 and all(len(ids[base]) == 1 for base in rest) and not self.others(paper, best):
            claims = self._claims_of(ids, rest)
            conflict.wrong = tuple(rest)
            conflict.correction = Correction(
                claims, best, Applicability.UNSAFE, f"{best} is stated {best_count} times, the others once"
            )
            conflict.anchor = claims[0]
        return conflict

    @staticmethod
    def _claims_of(ids: dict[str, list[Statement]], bases: list[str]) -> tuple[Claim, ...]:
        claims = [claim for base in bases for statement in ids[base] for claim in statement.claims if claim.base == base]
        return tuple(sorted(claims, key=lambda c: (c.path, c.span.start)))

    def _shared(self, base: str, owners: list[Paper]) -> SharedId:
        def contrary(paper: Paper) -> list[Claim]:
            return [claim for claim in paper.evidence if claim.base and claim.base != base]

        suspects = [paper for paper in owners if contrary(paper)]
        anchor_paper = suspects[0] if len(suspects) == 1 else owners[-1]
        anchor = self._ids[id(anchor_paper)][base][0].claims[0]
        return SharedId(base, owners, anchor_paper, anchor, contrary(anchor_paper))

    def _mismatch(self, statement: Statement, paper: Paper | None) -> LinkMismatch:
        mismatch = LinkMismatch(statement, paper)
        if paper is None:
            return mismatch
        own = {s.base for s in self.paper_statements(paper) if s.claims[0].unit != statement.claims[0].unit}
        text_ids = {c.base for c in mismatch.text_claims}
        url_ids = {c.base for c in mismatch.url_claims}
        if len(own) != 1:
            return mismatch
        right = next(iter(own))
        if right in text_ids:
            to_fix = mismatch.url_claims
        elif right in url_ids:
            to_fix = mismatch.text_claims
        else:
            return mismatch
        where = ", ".join(_where(s.claims[0], statement.path) for s in self._ids[id(paper)].get(right, [])) or "elsewhere"
        mismatch.guidance = f"the paper's other claims ({where}) say {right}"
        if not self.others(paper, right):
            mismatch.correction = Correction(tuple(to_fix), right, Applicability.SAFE, mismatch.guidance)
        return mismatch

    def _malformed(self, claim: Claim, statement: Statement, paper: Paper | None) -> MalformedId:
        found = MalformedId(claim, paper)
        sibling = {c.base for c in statement.claims if c.base}
        half = "URL" if any(c.base and c.kind is ClaimKind.LINK_URL for c in statement.claims) else "text"
        own = set(self._ids[id(paper)]) if paper is not None else set()
        candidates = own or sibling
        if len(candidates) == 1:
            right = next(iter(candidates))
            uncontested = paper is None or not self.others(paper, right)
            if own and uncontested and (not sibling or sibling == own):
                found.correction = Correction((claim,), right, Applicability.SAFE, "the paper's other claims say")
            elif sibling and (not own or own == sibling):
                found.correction = Correction((claim,), right, Applicability.UNSAFE, f"the link's {half} says")
        return found

    # --- per note -------------------------------------------------------------

    def corrected_claims(self) -> set[tuple[str, int]]:
        """(path, offset) of every claim an offline correction rewrites."""
        covered: set[tuple[str, int]] = set()
        for item in [*self.conflicts, *self.mismatches, *self.malformed]:
            if item.correction is not None:
                covered.update((claim.path, claim.span.start) for claim in item.correction.claims)
        return covered


_ANALYSIS_KEY = "vaultlint.arxiv-analysis"


def analysis(vault: Vault, focus: Iterable[str] | None = None) -> Analysis:
    """The offline analysis of the paper index for ``focus`` (see :func:`~vaultlint.papers.paper_index`), cached with it."""
    index = paper_index(vault, focus)
    cached = vault.memo.get(_ANALYSIS_KEY)
    if cached is not None and cached[0] is index:
        return cached[1]
    result = Analysis(index)
    vault.memo[_ANALYSIS_KEY] = (index, result)
    return result


# --- message helpers -------------------------------------------------------------


def _title(paper: Paper) -> str:
    """A paper as messages name it: its short name before a colon (``'ReAct'``), else its title."""
    title = paper.title
    head = title.split(":", 1)[0].strip()
    if ":" in title and len(head) >= 2:
        title = head
    return repr(title if len(title) <= 80 else title[:77] + "...")


def title_of(paper: Paper) -> str:
    return _title(paper)


_PLACE_NAMES = {"row": "index row", "callout": "callout", "body": "link"}


def _where(claim: Claim, from_path: str | None = None) -> str:
    line = f"line {claim.line}" if from_path is None or claim.path == from_path else f"{claim.path}:{claim.line}"
    if claim.kind is ClaimKind.FILE_NAME:
        return f"file name, {line}"
    return f"{_PLACE_NAMES[claim.place.value]} {line}"


def where(claim: Claim, from_path: str) -> str:
    """``callout line 12`` (or ``callout Papers/X.md:12`` in another note)."""
    return _where(claim, from_path)


def record_places(paper: Paper, base: str, from_path: str) -> str:
    """Where a paper states ``base``: ``index row line 12, section line 40``."""
    places: list[str] = []
    for record in paper.records:
        if not any(claim.base == base for claim in record.claims):
            continue
        kind = "index row" if isinstance(record, Row) else "section" if isinstance(record, Section) else "record"
        at = f"line {record.line}" if record.path == from_path else f"{record.path}:{record.line}"
        places.append(f"{kind} {at}")
    return ", ".join(places)


def correction_fix(correction: Correction, path: str, title: str) -> Fix | None:
    """The part of a correction that edits the note at ``path``, as a fix."""
    claims = correction.claims_in(path)
    if not claims:
        return None
    edits = tuple(Edit(claim.span, correction.new_id) for claim in claims)
    return Fix(title, edits, correction.applicability)


def embedded_name(vault: Vault, claim: Claim) -> str:
    """The file name of the embed a ``file-name`` claim comes from."""
    note = vault.notes.get(claim.path)
    if note is not None:
        for link in note.links:
            if link.target_span.start <= claim.span.start < link.target_span.end:
                return link.raw_target.split("#", 1)[0].rsplit("/", 1)[-1]
    return claim.raw


def evidence_notes(vault: Vault, evidence: list[Claim], path: str, besides: str | None = None) -> list[str]:
    """``an embedded file, 2210.03629_Page_02.png (line 209), names 2210.03629``."""
    found = []
    for claim in evidence:
        if claim.base is None or claim.base == besides:
            continue
        at = f"line {claim.line}" if claim.path == path else f"{claim.path}:{claim.line}"
        found.append(f"the embedded file {embedded_name(vault, claim)} ({at}) names {claim.base}")
    return found
