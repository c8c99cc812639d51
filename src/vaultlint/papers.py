"""Paper records: which parts of a vault describe one paper, and every arXiv ID they claim.

Research vaults describe a paper in two kinds of places, often both:

- an **index row**: a row of an *index table*, a Markdown table with a title
  column (header ``Title``, ``Paper``, ``Article``, ``Name``, ``Model`` or
  ``Method``, in that order of preference) and at least one *ID column* (header
  ``Link``, ``arXiv``, ``URL``, ``ID``, ``PDF``..., or any column, other than
  cross-reference columns such as ``Classification``, ``Related`` or
  ``Repository``, whose cells hold an arXiv link or ``arXiv:`` ID); a table
  whose title header is only ``Name``, ``Model`` or ``Method`` must also hold
  an arXiv ID somewhere (a ``Name | Link`` list of tools is not an index). A row is a
  record when its title cell (or, if empty, its ``Name`` cell) names one paper:
  not empty and holding at most one link into the vault.
- a **paper section**: a heading and the text under it, when the heading names
  one paper. That is known from one of two signals:

  1. *callout*: the first block under the heading is a callout (``> [!info]``
     or any other type) holding an arXiv link whose text is an identifier or
     names arXiv (``[arXiv:2205.12255](https://arxiv.org/abs/2205.12255)``,
     ``[PDF](https://arxiv.org/pdf/...)``) or the heading's own title, or a
     ``Key: value`` field with such an identifier (``arXiv: 2205.12255``); a
     callout naming three or more different IDs is a list, not a record;
  2. *row*: an index row's title cell links to the heading (in the same note or
     another, resolved as Obsidian resolves links, and read leniently: a
     ``(#A:%20B)`` destination that Obsidian cannot follow still pairs), or its
     title equals the heading after heading normalisation (``heading_key``;
     across notes only for titles of three words or more).

  Headings that name a part of a text or a date are never paper records,
  whatever follows them: ``Related work``, ``References``, ``Introduction``,
  ``Notes``, ``Papers``, ``2024-08``, ``Week 12``, ``May 2024`` and the like.
  So a section that merely cites papers, however many, claims nothing, and one
  paper cited from many notes is not a duplicate.

A **claim** is one place where the vault states a record's arXiv ID, with the
exact span of the ID (version included) and its kind:

- ``cell``: plain text in a row's ID column or title cell (``2205.12255``,
  ``arXiv:2205.12255``, a bare arXiv URL), outside inline code;
- ``field``: plain text in a callout field (``arXiv: 2205.12255``,
  ``Paper: https://arxiv.org/abs/...``); bare IDs only when the key names an ID
  (``arXiv``, ``ID``, ``Paper``, ``Link``, ``URL``, ``PDF``...);
- ``link-text`` and ``link-url``: the text and the destination of one link
  (``[arXiv:X](https://arxiv.org/abs/Y)``); both carry the link's span in
  :attr:`Claim.link`, so a fix can rewrite them together. URLs are
  ``arxiv.org/abs|pdf|html/ID`` with or without a version, or
  ``doi.org/10.48550/arXiv.ID``;
- ``file-name``: the name of an image or PDF embedded in a paper section
  (``![[2210.03629_Page_02.png]]``). File names are *evidence*, never claims to
  compare or to rewrite: a section may well show another paper's figure.

Rows claim the IDs in their ID columns and arXiv links in their title cell. A
section claims the arXiv links and fields of its identifying callout, plus the
arXiv links of its lead (the text before its first sub-heading) that stand on a
line of their own (``Paper: [arXiv:X](...) [cs.CL]``, ``- [PDF](...)``); an arXiv
link inside a sentence, or one whose text names something else
(``compared with [ReAct](https://arxiv.org/abs/...)``), is a citation, not a
claim. Links in ``%% %%`` comments and anything in code are ignored.

Records are grouped into :class:`Paper` objects: a row and the section its title
links to (or matches) are one paper; records with the same title (same note, or
three words or more) are one paper; records that claim the same ID and whose
titles are compatible (equal, one a word prefix of the other such as ``ReAct``
and ``ReAct: Synergizing ...``, or nearly equal) are one paper. Records that claim
one ID under incompatible titles stay separate papers: that is the "one ID,
several papers" defect.

:func:`paper_index` builds the model once per state of the vault (cached in
``vault.memo``, rebuilt after a fix replaces a note) from the parsed notes; it
never re-parses.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field
from enum import Enum
from typing import TYPE_CHECKING

from . import obsidian
from .arxiv import ArxivId, IdMatch, arxiv_label, ids_in_file_name, ids_in_text, ids_in_url, may_hold_id, may_name_arxiv
from .note import Callout, ExternalLink, Heading, Link, Note, Table, TableCell, TableRow
from .records import dataclass
from .source import Span, compact_pickle

if TYPE_CHECKING:
    from .rule import Context
    from .vault import Vault


class ClaimKind(str, Enum):
    CELL = "cell"
    FIELD = "field"
    LINK_TEXT = "link-text"
    LINK_URL = "link-url"
    FILE_NAME = "file-name"


class Place(str, Enum):
    """Where a claim sits: an index row, a section's identifying callout, or its lead text."""

    ROW = "row"
    CALLOUT = "callout"
    BODY = "body"


@compact_pickle  # kept in the facts cache
@dataclass(frozen=True, slots=True)
class Claim:
    """One statement of an arXiv ID: ``span`` covers the ID text exactly (with version).

    ``arxiv_id`` is set when the ID is valid, ``problem`` when it is malformed.
    ``link`` is the span of the whole link for ``link-text`` and ``link-url``
    claims (shared by the two), else ``None``.
    """

    path: str
    span: Span
    raw: str
    arxiv_id: ArxivId | None
    problem: str | None
    kind: ClaimKind
    place: Place
    line: int
    link: Span | None = None

    @property
    def base(self) -> str | None:
        return self.arxiv_id.base if self.arxiv_id else None

    @property
    def valid(self) -> bool:
        return self.arxiv_id is not None

    @property
    def evidence_only(self) -> bool:
        return self.kind is ClaimKind.FILE_NAME

    @property
    def unit(self) -> tuple[str, Span]:
        """Claims with the same unit are one statement (the text and URL of one link)."""
        return self.path, self.link or self.span

    def describe(self) -> str:
        where = {
            ClaimKind.CELL: "table cell",
            ClaimKind.FIELD: "callout field",
            ClaimKind.LINK_TEXT: "link text",
            ClaimKind.LINK_URL: "link URL",
            ClaimKind.FILE_NAME: "embedded file name",
        }[self.kind]
        if self.place is Place.CALLOUT and self.kind is not ClaimKind.FIELD:
            where = f"callout {where}"
        elif self.place is Place.ROW and self.kind is not ClaimKind.CELL:
            where = f"table {where}"
        return where


@dataclass(frozen=True, slots=True)
class HeadingRef:
    """A heading of a note: ``index`` into ``note.headings``."""

    path: str
    index: int
    heading: Heading


@dataclass(eq=False)
class IndexTable:
    """A table whose rows name papers: which column holds titles and which hold IDs."""

    path: str
    table_index: int
    table: Table
    title_column: int
    name_column: int | None
    id_columns: tuple[int, ...]
    rows: list[Row] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.table.first_line


@dataclass(eq=False)
class Row:
    """An index-table row naming one paper.

    ``title`` is the paper's title as the row shows it (a link's text, without a
    leading ``#``), ``name`` the short name of a separate ``Name`` column.
    ``title_link`` is the link of the title cell into the vault (a
    :class:`~vaultlint.note.Link`, or an :class:`~vaultlint.note.ExternalLink` for a
    heading destination Obsidian reads as a URL); ``target_path`` the note it
    reaches and ``target`` the heading, if any (``None`` when the link is broken,
    which is for the link rules to report); ``section`` the paper section the row is paired with, and
    ``paired_by`` how (``"link"`` or ``"title"``).
    """

    table: IndexTable
    row_index: int
    row: TableRow
    title_cell: TableCell
    title: str
    name: str | None
    title_link: Link | ExternalLink | None
    target: HeadingRef | None
    target_path: str | None = None
    claims: list[Claim] = field(default_factory=list)
    section: Section | None = None
    paired_by: str | None = None
    paper: Paper | None = None

    @property
    def path(self) -> str:
        return self.table.path

    @property
    def line(self) -> int:
        return self.row.line

    @property
    def names(self) -> list[str]:
        names = [self.title]
        if self.name:
            names.append(self.name)
        if self.target is not None:
            names.append(self.target.heading.text)
        return names

    def describe(self) -> str:
        return f"index row {self.title!r}"


@dataclass(eq=False)
class Section:
    """A heading that names one paper, and the text under it.

    ``span`` runs from the heading to the next heading of the same or a higher
    level; ``lead`` from the end of the heading to the next heading of any
    level. ``signal`` is ``"callout"`` or ``"row"`` (see the module docs);
    ``callout`` the identifying callout, if any. ``evidence`` holds the
    ``file-name`` claims of its embeds (outside nested paper sections).
    """

    path: str
    heading_index: int
    heading: Heading
    span: Span
    lead: Span
    signal: str
    callout: Callout | None = None
    claims: list[Claim] = field(default_factory=list)
    evidence: list[Claim] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    paper: Paper | None = None

    @property
    def title(self) -> str:
        return self.heading.text

    @property
    def line(self) -> int:
        return self.heading.line

    @property
    def names(self) -> list[str]:
        return [self.title]

    def describe(self) -> str:
        return f"section {self.title!r}"


Record = Row | Section


@dataclass(eq=False)
class Paper:
    """The records (sections and rows, in vault order) that describe one paper.

    Complete once the builder grouped it (``_Builder._group``); its records and claims
    are then worked out once each, on first use (the checks ask for them per claim)."""

    sections: list[Section] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @functools.cached_property
    def records(self) -> list[Record]:
        return sorted([*self.sections, *self.rows], key=lambda record: (record.path, record.line))

    @property
    def title(self) -> str:
        if self.sections:
            return self.sections[0].title
        return max((row.title for row in self.rows), key=len)

    @property
    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for record in self.records:
            for name in record.names:
                seen.setdefault(name, None)
        return list(seen)

    @property
    def paths(self) -> list[str]:
        return sorted({record.path for record in self.records})

    @functools.cached_property
    def claims(self) -> list[Claim]:
        """Every claim of the paper (file names excluded), in vault order."""
        found = [claim for record in self.records for claim in record.claims]
        return sorted(found, key=lambda claim: (claim.path, claim.span.start))

    @property
    def evidence(self) -> list[Claim]:
        return [claim for section in self.sections for claim in section.evidence]

    def ids(self) -> dict[str, list[Claim]]:
        """Valid claims by ID (without version), in vault order."""
        found: dict[str, list[Claim]] = {}
        for claim in self.claims:
            if claim.base is not None:
                found.setdefault(claim.base, []).append(claim)
        return found

    @property
    def position(self) -> tuple[str, int]:
        first = self.records[0]
        return first.path, first.line


class PaperIndex:
    """Every index table, row, paper section and paper of a vault."""

    def __init__(
        self,
        tables: list[IndexTable],
        sections: list[Section],
        papers: list[Paper],
        stray_claims: dict[str, list[Claim]] | None = None,
    ) -> None:
        self.tables = tables
        self.rows = [row for table in tables for row in table.rows]
        self._rows_by_path: dict[str, list[Row]] = {}
        for row in self.rows:
            self._rows_by_path.setdefault(row.path, []).append(row)
        self.sections = sections
        self.papers = papers
        self._by_path: dict[str, list[Paper]] = {}
        self._holders: dict[str, list[Paper]] = {}
        for paper in papers:
            for path in paper.paths:
                self._by_path.setdefault(path, []).append(paper)
            for base in paper.ids():
                self._holders.setdefault(base, []).append(paper)
        self._sections_at = {(section.path, section.heading_index): section for section in sections}
        self._paper_of_unit: dict[tuple[str, Span], Paper] = {}
        self._claims_by_path: dict[str, list[Claim]] = {}
        for paper in papers:
            for claim in paper.claims:
                self._paper_of_unit[claim.unit] = paper
                self._claims_by_path.setdefault(claim.path, []).append(claim)
        for path, claims in (stray_claims or {}).items():
            for claim in claims:
                if claim.unit not in self._paper_of_unit:
                    self._claims_by_path.setdefault(path, []).append(claim)
        for claims in self._claims_by_path.values():
            claims.sort(key=lambda claim: claim.span.start)

    def papers_in(self, path: str) -> list[Paper]:
        """Papers with at least one record in the note at ``path``."""
        return list(self._by_path.get(path, ()))

    def holders(self, base: str) -> list[Paper]:
        """Papers that claim the ID ``base`` (any version), file names aside."""
        return list(self._holders.get(base, ()))

    def section_at(self, path: str, heading_index: int) -> Section | None:
        return self._sections_at.get((path, heading_index))

    def rows_in(self, path: str) -> list[Row]:
        return list(self._rows_by_path.get(path, ()))

    def claims_in(self, path: str) -> list[Claim]:
        """Every arXiv ID stated in the note: its papers' claims, and the IDs of every
        other arXiv link (citations, place ``body``), file names aside."""
        return list(self._claims_by_path.get(path, ()))

    def paths_with_claims(self) -> list[str]:
        return sorted(self._claims_by_path)

    def paper_of(self, claim: Claim) -> Paper | None:
        """The paper a claim belongs to; ``None`` for a citation."""
        return self._paper_of_unit.get(claim.unit)


# --- building -----------------------------------------------------------------

_MEMO_KEY = "vaultlint.papers"


def paper_index(vault: Vault, focus: Iterable[str] | None = None) -> PaperIndex:
    """The paper records that decide the findings on the notes in ``focus`` (every
    note when ``focus`` is empty), built once per state of the notes (see ``vault.memo``).

    Only the notes that can take part are read: those within :func:`paper_scope` of
    ``focus`` that have a table or an arXiv identifier, or that such a table's rows
    may point at. For the notes in ``focus`` the records, papers and claims are those
    of the whole vault. A note replaced by a fix bumps ``vault.generation``, which
    makes it rebuild. Pass the same ``focus`` object on every call of a run (the
    engine's ``context.checked``): the memo recognises it by identity.
    """
    cached = vault.memo.get(_MEMO_KEY)
    if cached is not None and cached[0] == vault.generation and cached[1] is focus:
        return cached[2]
    readers = paper_readers(vault, focus)
    index = cached[2] if cached is not None and cached[0] == vault.generation and cached[3] == readers else None
    if index is None:
        index = _Builder(vault, readers).build()
    vault.memo[_MEMO_KEY] = (vault.generation, focus, index, readers)
    return index


# --- which notes a run needs -----------------------------------------------------------

_READERS_KEY = "vaultlint.papers.readers"


def paper_readers(vault: Vault, focus: Iterable[str] | None = None) -> tuple[str, ...]:
    """The notes :func:`paper_index` reads for ``focus``, found from the notes'
    summaries without reading any (memoised like the index).

    Every record, claim and paper of the index lies in one of them, so a rule that
    reports only those has nothing to say about any other note (see
    ``Rule.prepared_for``).
    """
    cached = vault.memo.get(_READERS_KEY)
    if cached is not None and cached[0] == vault.generation and cached[1] is focus:
        return cached[2]
    readers = _readers(vault, paper_scope(vault, focus))
    vault.memo[_READERS_KEY] = (vault.generation, focus, readers)
    return readers


@compact_pickle
@dataclass(frozen=True, slots=True)
class PaperSummary:
    """What the paper index needs to know of a note before reading it, kept in the
    parse cache beside the note so that a run about one note does not unpickle all.

    It lists the note's *possible records*, each with the keys through which it
    can meet records elsewhere:

    - ``rows``: every index row, as (``title_key`` of its title and of its short
      name, the arXiv IDs it claims, its title link as (link path,
      ``heading_key`` of the heading it names, ``None`` for a whole note or a path
      of headings) or ``None``);
    - ``titles`` and ``anchors``: the ``title_key`` and ``heading_key`` of every
      heading, and ``heading_ids`` the arXiv IDs the lead of some headings could
      claim (those its callout section claims, and those of links standing on a
      line of their own, read as widely as the builder may read them), as
      (heading number, IDs) for the headings that have any. Flat, because the
      parse cache holds one summary per note and loads them all on every run.

    Rows and callout sections are the note's paper facts (:class:`PaperFacts`,
    what the builder reads of the note alone); what the builder may add to them
    errs on the side of too much. ``readable`` says whether the builder has
    anything to read in the note (a table, or an arXiv identifier, malformed ones
    too, that a record or a link claims).
    """

    readable: bool
    rows: tuple[tuple[str, str, tuple[str, ...], tuple[str, str | None] | None], ...] = ()
    titles: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    heading_ids: tuple[tuple[int, tuple[str, ...]], ...] = ()
    # Every key by which a record of this note meets records of other notes (IDs, titles
    # of three words or more, ("file", name) for the notes its rows link to), so that
    # a walk finds the notes holding a key with one set test per note.
    shared: frozenset = frozenset()

    def heading_bases(self, number: int) -> tuple[str, ...]:
        for at, bases in self.heading_ids:
            if at == number:
                return bases
        return ()


def summarize(note: Note, facts: PaperFacts | None = None) -> PaperSummary:
    """The :class:`PaperSummary` of a parsed note, from its paper facts (``facts``,
    worked out here when not given, and not kept on the note)."""
    if note.skipped:
        return PaperSummary(False)
    if facts is None:
        facts = note_facts(note)
    if facts is _NO_FACTS:
        # No table and no identifier anywhere (``note_facts``' quick test): no row, no
        # claim, nothing readable; only the headings' keys (most notes, so kept short).
        titles, anchors = _heading_keys(note)
        return PaperSummary(False, (), titles, anchors, (), frozenset(title for title in titles if title.count(" ") >= 2))
    view = _NoteView(note)
    text = note.text

    def bases_of(claims: Iterable[Claim]) -> set[str]:
        return {claim.base for claim in claims if claim.base is not None}

    def named_heading(subpath: str) -> str | None:
        # One heading; a path of headings (A#B) may lead nowhere, which reads as a link
        # to the whole note, as no subpath does (``_ScopeWalk._whole_note``).
        segments = obsidian.subpath_segments(subpath)
        return obsidian.heading_key(segments[0]) if len(segments) == 1 else None

    # The rows and callout sections the builder reads, with the IDs they claim.
    rows = []
    for table in facts.tables:
        for row in table.rows:
            target = None
            if row.title_link is not None:
                path, subpath = _link_target(row.title_link)
                target = (path, named_heading(subpath))
            rows.append((title_key(row.title), title_key(row.name or ""), tuple(sorted(bases_of(row.claims))), target))
    claimable: list[tuple[int, set[str]]] = [
        (section.callout.span.start, bases_of(section.claims)) for section in facts.sections
    ]
    # What the builder may add to any section's claims: the IDs of arXiv links standing on
    # a line of their own in the lead (``_Builder._lead_claims``), read here as widely as
    # it may read them (any link text, IDs bare or not).
    candidates = bool(facts.sections or facts.link_claims or any(row.claims for table in facts.tables for row in table.rows))
    externals, links = view.external, view.links
    if may_hold_id(text) or any(may_hold_id(link.destination) for link in externals):
        with_ids: dict[int, list[tuple[int, set[str]]]] = {}
        for link in [*externals, *links]:
            if link.embed:
                continue
            found = ids_in_text(link.display, bare=True) if link.display else []
            if isinstance(link, ExternalLink) and may_name_arxiv(link.destination):
                found += ids_in_url(link.destination)
            if found:
                bases = {match.arxiv_id.base for match in found if match.arxiv_id is not None}
                with_ids.setdefault(note.position(link.span.start)[0], []).append((link.span.start, bases))
        for line, found_on_line in with_ids.items():
            start = note.line_index.line_start(line)
            line_text = note.line_text(line)
            end = start + len(line_text)
            spans = [(link.span.start - start, link.span.end - start) for link in view.starting_in(start, end)]
            if _LABEL_LINE_REST.match(_blank(line_text, spans)):
                candidates = True
                claimable.extend(found_on_line)
    titles, anchors = _heading_keys(note)
    heading_ids = []
    claimable.sort(key=lambda item: item[0])
    claimable_at = [at for at, _ in claimable]
    for number, heading in enumerate(note.headings):
        lead_end = note.headings[number + 1].span.start if number + 1 < len(note.headings) else len(text)
        first = bisect.bisect_left(claimable_at, heading.span.end)
        last = bisect.bisect_left(claimable_at, lead_end, first)
        bases = set().union(*(found for _, found in claimable[first:last]))
        if bases:
            heading_ids.append((number, tuple(sorted(bases))))
    readable = bool(note.tables) or candidates
    shared: set = {title for title in titles if title.count(" ") >= 2}
    for _, bases in heading_ids:
        shared.update(bases)
    for title, name, bases, link in rows:
        shared.update(bases)
        shared.update(key for key in (title, name) if key.count(" ") >= 2)
        if link is not None and link[0]:
            shared.add(("file", _file_key(link[0])))
    return PaperSummary(readable, tuple(rows), titles, anchors, tuple(heading_ids), frozenset(shared))


def _heading_keys(note: Note) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``title_key`` and ``heading_key`` of each heading of ``note``; a heading's
    anchor is its title's very string when the two are equal, one string for the
    cache to store."""
    titles, anchors = [], []
    for heading in note.headings:
        title, anchor = title_key(heading.text), obsidian.heading_key(heading.text)
        titles.append(title)
        anchors.append(title if anchor == title else anchor)
    return tuple(titles), tuple(anchors)


def paper_scope(vault: Vault, focus: Iterable[str] | None = None) -> set[str]:
    """The notes whose records can change the papers of the notes in ``focus``.

    Records join one paper, or compete for one ID, only through what a summary
    lists: a shared ID, a shared title (of three words or more, or in one note),
    a row's short name that is a heading's title, or a row's link to a heading
    (or to a whole note, which reaches all its headings, as does a link to a heading
    the note lacks or to a path of headings). So the possible records
    reachable from those of ``focus`` through these, both ways and transitively,
    include every record of every paper that a record of ``focus`` belongs to or
    shares an ID with, and every heading a row could be paired with. Records, not
    notes, are followed: an index note's other rows do not pull in their papers.
    An empty ``focus`` is the whole vault.
    """
    notes = vault.notes
    seeds = {path for path in (focus or notes) if path in notes}
    if len(seeds) == len(notes):
        return seeds
    return _scope_walk(vault).walk(seeds)


def papers_changed(vault: Vault, earlier: Mapping[str, bytes | None]) -> frozenset[str] | None:
    """The notes whose papers may differ from those of an earlier run, given the notes
    whose bytes changed since (``earlier``: each one's hash then, ``None`` for a note
    that run did not check); ``None`` when that cannot be told.

    A note's papers are made of the records of its scope (:func:`paper_scope`), which
    reaches its records' keys both ways: the papers of a note outside the scopes of the
    changed notes, as they are and as they were, are made of the same records. What
    they were is told by each changed note's summary then, which the parse cache held
    until this run parsed the note again (``Vault.earlier_summaries``); a note parsed in
    between, by a run that kept no findings, leaves it untold. Memoised like the index.
    """
    if len(earlier) > max(CHANGED_TO_WALK, len(vault.notes) * CHANGED_SHARE_TO_WALK):
        return None
    key = (_CHANGED_KEY, vault.generation, frozenset(earlier.items()))
    if key in vault.memo:
        return vault.memo[key]
    changed = {path for path in earlier if path in vault.notes}
    walk = _scope_walk(vault)
    affected: frozenset[str] | None = None
    then: dict[str, PaperSummary] = {}
    for path, digest in earlier.items():
        if digest == b"":  # added since: no records then
            then[path] = PaperSummary(False)
            continue
        known = vault.earlier_summaries.get(path) or (None if path in vault.notes else vault.removed_summary(path))
        if digest is None or known is None or known[0] != digest:
            break
        then[path] = known[1]
    else:
        before = _ScopeWalk(vault, ChainMap(then, walk.summaries), replaced=then.keys())
        affected = frozenset(path for path in walk.walk(changed) | before.walk(set(earlier)) if path in vault.notes)
    vault.memo[key] = affected
    return affected


_CHANGED_KEY = "vaultlint.papers.changed"
# Beyond this many changed notes and this share of them, the walks cost more than they
# save: after ``vaultlint fix`` rewrote 546 of the benchmark's 10,000 notes, they took
# 1.3 s and reached 2,470 of the 2,737 notes the index reads.
CHANGED_TO_WALK = 64
CHANGED_SHARE_TO_WALK = 1 / 32


class ReadsPapers:
    """For a rule whose findings are made from the paper index (``READS_PREPARED``),
    ahead of ``Rule`` in its bases: the notes it needs prepared (``Rule.prepared_for``),
    and those whose findings may have changed since an earlier run (``Rule.prepared_changed``)."""

    def prepared_for(self, context: Context) -> tuple[str, ...]:
        return paper_readers(context.vault, context.prepared_focus)

    def prepared_changed(self, context: Context, earlier: Mapping[str, bytes | None]) -> frozenset[str] | None:
        return papers_changed(context.vault, earlier)


def _scope_walk(vault: Vault) -> _ScopeWalk:
    """The vault's scope index, built once per state of its notes."""
    cached = vault.memo.get(_SCOPE_KEY)
    if cached is None or cached[0] != vault.generation:
        cached = (vault.generation, _ScopeWalk(vault))
        vault.memo[_SCOPE_KEY] = cached
    return cached[1]


_SCOPE_KEY = "vaultlint.papers.scope"


_ROW, _HEADING = 0, 1


class _ScopeWalk:
    """The walk behind :func:`paper_scope`. What stays within one note is looked up in
    that note's summary when reached; the keys shared across notes (IDs, titles of
    three words or more, link targets by file name) are gathered and looked up at
    once: in the parse cache's key index for the notes whose summary it describes
    (``Vault.summary_keys``), and with one set test per note for the others (every
    note, without a cache). A run about one note then never touches most of the
    vault's records, nor unpickles their summaries."""

    def __init__(
        self, vault: Vault, summaries: Mapping[str, PaperSummary] | None = None, replaced: Iterable[str] = ()
    ) -> None:
        """``summaries``: the vault's, or others for the notes in ``replaced``."""
        self.vault = vault
        known = vault.paper_summaries
        if summaries is None:
            summaries = known if len(known) == len(vault.notes) else {path: vault.paper_summary(path) for path in vault.notes}
        self.summaries = summaries
        # The keys shared across notes are looked up in the parse cache's key index for
        # the notes whose summary it describes, and in each summary for the others.
        self.key_index = vault.summary_keys
        self.indexed: set[str] = set()
        self.unindexed: list[str] = []
        if self.key_index is not None:
            self.indexed = vault.summaries_in_key_index.difference(replaced)
            self.unindexed = [path for path in self.summaries if path not in self.indexed]

    def records_of(self, path: str) -> list[tuple[str, int, int]]:
        summary = self.summaries[path]
        return [(path, _ROW, number) for number in range(len(summary.rows))] + [
            (path, _HEADING, number) for number in range(len(summary.titles))
        ]

    def walk(self, seeds: set[str]) -> set[str]:
        queue = [record for path in seeds for record in self.records_of(path)]
        return seeds | self.spread(queue, set(), set())

    def spread(self, queue: list[tuple[str, int, int]], reached: set, followed: set) -> set[str]:
        """The notes of the records reachable from ``queue`` and not in ``reached``
        (which this extends, with the keys followed)."""
        notes: set[str] = set()
        shared: set = set()  # keys to look up across the vault, in one pass
        rows_to: dict[str, set[str]] = {}  # note -> headings whose linking rows are wanted, this pass
        while queue or shared:
            if not queue:
                queue.extend(self._sharing(shared, rows_to))
                shared, rows_to = set(), {}
                continue
            record = queue.pop()
            if record in reached:
                continue
            reached.add(record)
            notes.add(record[0])
            for key in self._keys(record):
                if key in followed:
                    continue
                followed.add(key)
                if not isinstance(key, tuple):
                    shared.add(key)
                elif key[0] == "rows to":
                    _, path, heading = key
                    rows_to.setdefault(path, set()).add(heading)
                    shared.add(("file", _file_key(path)))
                    summary = self.summaries[path]
                    queue.extend(
                        (path, _ROW, n) for n, row in enumerate(summary.rows) if row[3] is not None and row[3][0] == ""
                        and (row[3][1] == heading or self._whole_note(path, row[3][1]))
                    )
                else:
                    queue.extend(self._found(key))
        return notes

    def _sharing(self, keys: set, rows_to: dict[str, set[str]]) -> list[tuple[str, int, int]]:
        """The records anywhere that hold one of ``keys``; for a ("file", name) key, the
        rows whose link reaches a note and heading in ``rows_to``."""
        found: list[tuple[str, int, int]] = []
        for path, summary in self._holding(keys):
            if summary.shared.isdisjoint(keys):
                continue
            for number, (title, name, bases, link) in enumerate(summary.rows):
                if title in keys or name in keys or not keys.isdisjoint(bases):
                    found.append((path, _ROW, number))
                elif link is not None and link[0] and ("file", _file_key(link[0])) in keys:
                    target = self._target(path, link[0])
                    if target in rows_to and (link[1] in rows_to[target] or self._whole_note(target, link[1])):
                        found.append((path, _ROW, number))
            for number, bases in summary.heading_ids:
                if not keys.isdisjoint(bases):
                    found.append((path, _HEADING, number))
            found += [(path, _HEADING, number) for number, title in enumerate(summary.titles) if title in keys]
        return found

    def _holding(self, keys: set) -> Iterator[tuple[str, PaperSummary]]:
        """The notes (with their summaries) that may share one of ``keys``: every note,
        without a key index."""
        listed = None
        if self.key_index is not None:
            try:
                listed = self.key_index.notes_with(keys)
            except ValueError:  # a damaged cache: every note, from now on
                self.key_index = None
        if listed is None:
            yield from self.summaries.items()
            return
        for path in sorted(listed & self.indexed) + self.unindexed:
            yield path, self.summaries[path]

    def _whole_note(self, path: str, heading: str | None) -> bool:
        """Whether a row's link into the note at ``path`` that names ``heading`` reads as a
        link to the whole note: it names none, or one the note lacks (the builder then
        pairs the row with the note's only paper section, if it has one)."""
        return heading is None or heading not in self.summaries[path].anchors

    def _target(self, path: str, linkpath: str) -> str | None:
        return path if linkpath == "" else self.vault.resolve(linkpath, path).target

    def _keys(self, record: tuple[str, int, int]) -> list[object]:
        path, kind, number = record
        if kind == _ROW:
            title, name, bases, link = self.summaries[path].rows[number]
            keys: list[object] = [*bases, ("note title", path, title)]
            keys += [t for t in (title, name) if t.count(" ") >= 2]
            if name:
                keys.append(("note heading", path, name))
            if link is not None:
                target = self._target(path, link[0])
                if target in self.summaries:
                    keys.append(("heading", target, None if self._whole_note(target, link[1]) else link[1]))
            return keys
        summary = self.summaries[path]
        title, heading, bases = summary.titles[number], summary.anchors[number], summary.heading_bases(number)
        keys = [*bases, ("note title", path, title), ("note name", path, title), ("rows to", path, heading)]
        if title.count(" ") >= 2:
            keys.append(title)
        return keys

    def _found(self, key: tuple) -> list[tuple[str, int, int]]:
        kind, path, value = key
        summary = self.summaries[path]
        if kind == "note title":  # rows and headings of one note with this title
            return [(path, _ROW, n) for n, row in enumerate(summary.rows) if row[0] == value] + [
                (path, _HEADING, n) for n, title in enumerate(summary.titles) if title == value
            ]
        if kind == "note heading":  # headings of one note a row's short name names
            return [(path, _HEADING, n) for n, title in enumerate(summary.titles) if title == value]
        if kind == "note name":  # rows of one note whose short name is this heading's title
            return [(path, _ROW, n) for n, row in enumerate(summary.rows) if row[1] == value]
        # "heading": the heading a row's link names (any, for a whole note)
        return [(path, _HEADING, n) for n, anchor in enumerate(summary.anchors) if value in (None, anchor)]


def _file_key(path: str) -> str:
    """A link path's or a note's file name as Obsidian compares them: without ``.md``, any case."""
    name = obsidian.nfc_lower(path.rsplit("/", 1)[-1])
    return name[:-3] if name.endswith(".md") else name


def _readers(vault: Vault, scope: set[str]) -> tuple[str, ...]:
    """The notes of ``scope`` the builder reads: those with something to read, the
    notes their table rows link to, and those with a heading such a row may name."""
    summaries = {path: vault.paper_summary(path) for path in scope}
    readable = {path for path, summary in summaries.items() if summary.readable}
    row_titles: set[str] = set()
    targets: set[str] = set()
    for path in readable:
        for title, name, _, link in summaries[path].rows:
            row_titles.update((title, name))
            if link is not None:
                target = path if link[0] == "" else vault.resolve(link[0], path).target
                if target in summaries:
                    targets.add(target)
    named = {path for path, summary in summaries.items() if any(title in row_titles for title in summary.titles)}
    return tuple(sorted(readable | targets | named))


@dataclass(frozen=True, slots=True)
class CategoryLink:
    """A link to a heading of the note it is in: a *category* a section or row files a paper under.

    ``heading_index`` is the heading it resolves to (``None`` when no heading of
    the note matches), ``name`` that heading's text (else the subpath's last
    segment) and ``key`` its :func:`~vaultlint.obsidian.heading_key`.
    """

    link: Link
    heading_index: int | None
    name: str
    key: str


def category_links(note: Note, vault: Vault, span: Span, resolved_only: bool = False) -> list[CategoryLink]:
    """The links within ``span`` of ``note`` to headings of that same note, in order.

    ``[#Tool learning](#Tool%20learning)``, ``[Surveys](#Surveys)`` and
    ``[[#Surveys]]`` count (a path that resolves to the note itself too); embeds,
    links in comments, links to other notes and links without a subpath do not.
    With ``resolved_only``, only links that resolve to a heading of the note.
    """
    found: list[CategoryLink] = []
    for link in note.links:
        if link.embed or link.in_comment or not (span.start <= link.span.start < span.end):
            continue
        if link.path and vault.resolve(link.path, note.path).target != note.path:
            continue
        segments = obsidian.subpath_segments(link.subpath)
        if not segments:
            continue
        match = note.subpath_targets.resolve(link.subpath)
        if match is not None and match.kind == "heading" and match.index is not None:
            name = note.headings[match.index].text
            found.append(CategoryLink(link, match.index, name, obsidian.heading_key(name)))
        elif not resolved_only:
            found.append(CategoryLink(link, None, segments[-1], obsidian.heading_key(segments[-1])))
    return found


TITLE_HEADERS = ("title", "paper title", "paper", "article", "name", "model", "method")
PAPER_HEADERS = frozenset({"title", "paper title", "paper", "article"})
NAME_HEADERS = ("name", "short name", "abbr", "abbreviation", "acronym", "model", "method")
ID_HEADERS = frozenset(
    "link|links|arxiv|arxiv id|arxiv link|arxiv url|url|id|pdf|paper link|abs|preprint|source".split("|")
)
NON_ID_HEADERS = frozenset(
    (
        "classification|category|categories|tag|tags|topic|topics|related|related work|related papers|"
        "baseline|baselines|compared with|compare|see also|cites|cited by|references|builds on|"
        "repository|repo|code|github|notes|note|comment|comments|venue|publication|year|authors|author"
    ).split("|")
)
ID_FIELD_KEYS = frozenset("arxiv|arxiv id|id|paper|link|url|pdf|abs|doi|preprint|source".split("|"))

_GENERIC_HEADINGS = frozenset(
    (
        "related work|related works|related papers|references|reference|bibliography|citations|introduction|"
        "background|overview|summary|abstract|notes|note|papers|paper list|paper notes|reading list|"
        "reading queue|to read|further reading|see also|links|resources|todo|to do|log|works|methods|method|"
        "results|discussion|conclusion|conclusions|appendix|appendices|contents|table of contents|tldr|"
        "key concepts|ideas|questions|open questions|inbox|index|surveys|survey papers|misc|other"
    ).split("|")
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE_HEADING = re.compile(
    r"^(?:\d{4}(?:[-/.]\d{1,2}){0,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}-?w\d{1,2}|week \d+(?: \d{4})?|q[1-4](?: \d{4})?"
    rf"|(?:{_MONTHS}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?(?: \d{{1,2}})?(?:,? \d{{4}})?"
    r"|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|day \d+|\d+)$"
)
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_MARKUP = re.compile(r"[*_`~=]+")
_LABEL_LINE_REST = re.compile(
    r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:[-*+][ \t]+|\d+[.)][ \t]+)?(?:[^\s:\[\]()][^:\[\]()]{0,23}:[ \t]*)?"
    r"(?:[ \t]*(?:\[[A-Za-z-]+(?:\.[A-Za-z-]+)?\]|[·|/,;.]))*[ \t]*$"
)
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_STOP_WORDS = frozenset("a an the of on in for and to with from by is are".split())


def is_generic_heading(text: str) -> bool:
    """Headings that name a part of a text or a date, never one paper."""
    key = title_key(text)
    plain = " ".join(unicodedata.normalize("NFKC", text).casefold().strip().lstrip("#").replace(",", " ").split())
    return not key or key in _GENERIC_HEADINGS or bool(_DATE_HEADING.match(plain))


@functools.lru_cache(maxsize=65536)
def title_key(text: str) -> str:
    """A title for comparison: NFKC, case-folded, punctuation and a leading ``#`` removed."""
    text = unicodedata.normalize("NFKC", text).casefold().strip().lstrip("#")
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def titles_compatible(first: str, second: str) -> bool:
    """Two titles that may name one paper: equal, a word prefix (``ReAct`` and
    ``ReAct: Synergizing ...``), or nearly equal (a typo)."""
    a, b = title_key(first), title_key(second)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 3 and short not in _STOP_WORDS and (long + " ").startswith(short + " "):
        return True
    from rapidfuzz import fuzz

    return min(len(a), len(b)) >= 8 and fuzz.ratio(a, b) >= 90


_WIKILINK_TEXT = re.compile(r"\[\[([^\]|]*\|)?([^\]]*)\]\]")
_MARKDOWN_LINK_TEXT = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HEADER_LINK_TEXT = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_WIKILINK_SHOWN = re.compile(r"!?\[\[([^\]|]*?)(?:\\?\|([^\]]*))?\]\]")
_NOT_NEWLINE = re.compile(r"[^\n]")


def _header_key(text: str) -> str:
    if "[" in text:
        text = _WIKILINK_TEXT.sub(r"\2", text)
        text = _HEADER_LINK_TEXT.sub(r"\1", text)
    return " ".join(_MARKUP.sub("", text).lower().split())


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with the given ranges turned into spaces (newlines kept), offsets unchanged."""
    for start, end in sorted(spans):
        start, end = max(start, 0), min(end, len(text))
        if start < end:
            part = text[start:end]
            part = _NOT_NEWLINE.sub(" ", part) if "\n" in part else " " * len(part)
            text = text[:start] + part + text[end:]
    return text


def _code_spans(text: str) -> list[tuple[int, int]]:
    if "`" not in text:
        return []
    return [(m.start(), m.end()) for m in _CODE_SPAN.finditer(text)]


class _NoteView:
    """One note's links sorted by position, for fast lookups by span."""

    def __init__(self, note: Note) -> None:
        self.note = note
        self.links = sorted((link for link in note.links if not link.in_comment), key=lambda link: link.span.start)
        self.external = sorted(
            (link for link in note.external_links if not link.in_comment), key=lambda link: link.span.start
        )
        self._link_starts = [link.span.start for link in self.links]
        self._external_starts = [link.span.start for link in self.external]

    @staticmethod
    def _within(items: list, starts: list[int], span: Span) -> list:
        first = bisect.bisect_left(starts, span.start)
        last = bisect.bisect_left(starts, span.end, first)
        return [item for item in items[first:last] if item.span.end <= span.end]

    def starting_in(self, start: int, end: int) -> list[Link | ExternalLink]:
        """Links and external links that start at an offset from ``start`` to ``end`` (inclusive)."""
        found: list[Link | ExternalLink] = []
        for items, starts in ((self.links, self._link_starts), (self.external, self._external_starts)):
            found += items[bisect.bisect_left(starts, start):bisect.bisect_right(starts, end)]
        return found

    def links_in(self, span: Span) -> list[Link]:
        return self._within(self.links, self._link_starts, span)

    def external_in(self, span: Span) -> list[ExternalLink]:
        return self._within(self.external, self._external_starts, span)

    def in_comment(self, offset: int) -> bool:
        return any(span.start <= offset < span.end for span in self.note.comments)


def _label_span(link: ExternalLink | Link) -> Span | None:
    if link.display is None:
        return None
    start = link.span.start + (2 if link.embed else 1)
    return Span(start, start + len(link.display))


def _index_columns(view: _NoteView, table: Table) -> tuple[int, int | None, tuple[int, ...]] | None:
    """The title, name and ID columns of an index table; ``None`` for any other table."""
    headers = [_header_key(cell.text) for cell in table.header.cells]
    width = len(headers)

    def column_cells(column: int) -> Iterator[TableCell]:
        for row in table.rows:
            if column < len(row.cells):
                yield row.cells[column]

    title_column = next((headers.index(name) for name in TITLE_HEADERS if name in headers), None)
    id_columns = []
    holds_ids = False
    for column, header in enumerate(headers):
        if column == title_column or header in NON_ID_HEADERS:
            continue
        with_ids = any(_cell_has_arxiv(view, cell, header in ID_HEADERS) for cell in column_cells(column))
        holds_ids = holds_ids or with_ids
        if header in ID_HEADERS or with_ids:
            id_columns.append(column)
    if not id_columns:
        return None
    if not holds_ids and (title_column is None or headers[title_column] not in PAPER_HEADERS):
        return None  # a "Name | Link" table of tools or repositories: nothing says papers
    if title_column is None:
        title_column = next((c for c in range(width) if c not in id_columns and headers[c] not in NON_ID_HEADERS), None)
        if title_column is None:
            return None
    name_column = next(
        (headers.index(name) for name in NAME_HEADERS if name in headers and headers.index(name) != title_column),
        None,
    )
    return title_column, name_column, tuple(id_columns)


def _cell_has_arxiv(view: _NoteView, cell: TableCell, bare: bool = False) -> bool:
    if any(ids_in_url(link.destination) for link in view.external_in(cell.span)):
        return True
    return bool(ids_in_text(_blank(cell.text, _code_spans(cell.text)), bare=bare))


def _row_naming(
    view: _NoteView, title_column: int, name_column: int | None, row: TableRow
) -> tuple[TableCell, str, str, Link | ExternalLink | None] | None:
    """How an index row names its paper: (title cell, title, short name, title link);
    ``None`` when the row names no single paper."""
    cells = row.cells

    def cell(column: int | None) -> TableCell | None:
        return cells[column] if column is not None and column < len(cells) else None

    title_cell = cell(title_column)
    name_cell = cell(name_column)
    name = _plain(name_cell.text) if name_cell is not None else ""
    if title_cell is None or not title_cell.text.strip():
        if not name:
            return None
        title_cell, name = name_cell, ""
    vault_links = [link for link in view.links_in(title_cell.span) if not link.embed]
    heading_externals = [
        link for link in view.external_in(title_cell.span) if link.reason != "url" and "#" in link.destination
    ]
    if len(vault_links) + len(heading_externals) > 1:
        return None  # several links: the cell does not name one paper
    title_link: Link | ExternalLink | None = (vault_links or heading_externals or [None])[0]
    title = _plain(title_cell.text)
    if title_link is not None and title_link.display is None and isinstance(title_link, Link):
        segments = obsidian.subpath_segments(title_link.subpath)
        title = segments[-1] if segments else title_link.path.rsplit("/", 1)[-1]
    title = title.strip().lstrip("#").strip()
    if not title:
        return None
    return title_cell, title, name, title_link


def _link_target(link: Link | ExternalLink) -> tuple[str, str]:
    """The (path, subpath) a row's title link names; an external heading link read leniently."""
    if isinstance(link, Link):
        return link.path, link.subpath
    return obsidian.split_linktext(obsidian.clean_string(obsidian.safe_decode_uri(link.destination)))


# --- what one note says on its own ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RowFacts:
    row_index: int
    row: TableRow
    title_cell: TableCell
    title: str
    name: str | None
    title_link: Link | ExternalLink | None
    claims: tuple[Claim, ...]


@dataclass(frozen=True, slots=True)
class _TableFacts:
    table_index: int
    title_column: int
    name_column: int | None
    id_columns: tuple[int, ...]
    rows: tuple[_RowFacts, ...]


@dataclass(frozen=True, slots=True)
class _SectionFacts:
    heading_index: int
    span: Span
    lead: Span
    callout: Callout
    claims: tuple[Claim, ...]


@dataclass(frozen=True, slots=True)
class PaperFacts:
    """The paper records a note holds on its own: its index tables and rows (without
    where their links lead) and its callout sections, with their claims, and the
    claims of every arXiv link in it (citations unless a record claims them).

    Everything here depends on the note's text alone, so it is worked out where the
    note is parsed (a parsing worker), and the note's :class:`PaperSummary` from it.
    It travels and is kept apart from the note (``LoadedNote.paper_facts``,
    ``Vault.paper_facts``, ``cache.FactsCache``): pickled with the note it cost every
    reader of the note more to load than to compute. The builder adds what needs
    other notes. Immutable: one note's facts serve every build of the index.
    """

    tables: tuple[_TableFacts, ...] = ()
    sections: tuple[_SectionFacts, ...] = ()
    link_claims: tuple[tuple[Span, tuple[Claim, ...]], ...] = ()


def paper_facts(note: Note) -> PaperFacts:
    """The note's :class:`PaperFacts`, computed on first use and kept on the note."""
    facts = note.paper_facts
    if facts is None:
        facts = note.paper_facts = note_facts(note)
    return facts


def note_facts(note: Note) -> PaperFacts:
    """The note's :class:`PaperFacts`, those it has or worked out (and not kept on it)."""
    if note.paper_facts is not None:
        return note.paper_facts
    if note.skipped or not (note.tables or may_hold_id(note.text) or any(may_hold_id(link.destination) for link in note.external_links)):
        # Every claim is an ID in the text or in a destination, and every row is in a table.
        return _NO_FACTS
    return _read_facts(_NoteView(note))


_NO_FACTS = PaperFacts()


def pack_facts(facts: PaperFacts, note: Note) -> tuple:
    """``facts`` in a form to pickle apart from ``note``, which they name what they share
    with (rows, cells, links, callouts) by its place in: unpickled beside the note, whole
    copies would cost time and memory (see :func:`unpack_facts`)."""
    link_places = {id(link): (0, at) for at, link in enumerate(note.links)}
    link_places.update({id(link): (1, at) for at, link in enumerate(note.external_links)})
    callout_places = {id(callout): at for at, callout in enumerate(note.callouts)}

    def cell_at(row: _RowFacts) -> int:
        return next(at for at, cell in enumerate(row.row.cells) if cell is row.title_cell)

    tables = tuple(
        (
            table.table_index, table.title_column, table.name_column, table.id_columns,
            tuple(
                (row.row_index, cell_at(row), row.title, row.name,
                 None if row.title_link is None else link_places[id(row.title_link)], row.claims)
                for row in table.rows
            ),
        )
        for table in facts.tables
    )
    sections = tuple(
        (section.heading_index, section.span, section.lead, callout_places[id(section.callout)], section.claims)
        for section in facts.sections
    )
    return (tables, sections, facts.link_claims)


def unpack_facts(packed: tuple, note: Note) -> PaperFacts:
    """The facts :func:`pack_facts` packed, with the note's own rows, cells, links and callouts."""
    tables_packed, sections_packed, link_claims = packed
    link_lists = (note.links, note.external_links)
    tables = []
    for table_index, title_column, name_column, id_columns, rows_packed in tables_packed:
        table_rows = note.tables[table_index].rows
        rows = []
        for row_index, cell, title, name, link, claims in rows_packed:
            row = table_rows[row_index]
            title_link = None if link is None else link_lists[link[0]][link[1]]
            rows.append(_RowFacts(row_index, row, row.cells[cell], title, name, title_link, claims))
        tables.append(_TableFacts(table_index, title_column, name_column, id_columns, tuple(rows)))
    sections = tuple(
        _SectionFacts(heading_index, span, lead, note.callouts[callout], claims)
        for heading_index, span, lead, callout, claims in sections_packed
    )
    return PaperFacts(tuple(tables), sections, link_claims)


def _read_facts(view: _NoteView) -> PaperFacts:
    note = view.note
    tables = []
    for table_index, table in enumerate(note.tables):
        columns = _index_columns(view, table)
        if columns is None:
            continue
        rows = []
        for row_index, row in enumerate(table.rows):
            facts = _row_facts(view, columns, row_index, row)
            if facts is not None:
                rows.append(facts)
        tables.append(_TableFacts(table_index, *columns, tuple(rows)))
    sections = []
    if note.callouts:
        for heading_index in range(len(note.headings)):
            section = _callout_section(view, heading_index)
            if section is not None:
                sections.append(section)
    # A link one of the note's own records claims through is claimed whatever paper that
    # record joins (``_Builder.build`` keeps only the others' claims, as stray citations).
    records = [*(row for table in tables for row in table.rows), *sections]
    claimed = {claim.link for record in records for claim in record.claims if claim.link is not None}
    link_claims = []
    for link in [*view.external, *view.links]:
        if link.embed or link.span in claimed:
            continue
        has_url = isinstance(link, ExternalLink) and bool(ids_in_url(link.destination))
        if has_url or (link.display and ids_in_text(link.display)):
            link_claims.append((link.span, tuple(_link_claims(view, link, Place.BODY, bare_text=has_url))))
    return PaperFacts(tuple(tables), tuple(sections), tuple(link_claims))


def _row_facts(view: _NoteView, columns: tuple[int, int | None, tuple[int, ...]], row_index: int, row: TableRow) -> _RowFacts | None:
    title_column, name_column, id_columns = columns
    naming = _row_naming(view, title_column, name_column, row)
    if naming is None:
        return None
    title_cell, title, name, title_link = naming
    claims: list[Claim] = []
    for column in sorted({title_column, *id_columns}):
        if column < len(row.cells):
            claims.extend(_cell_claims(view, row.cells[column], bare=column in id_columns))
    return _RowFacts(row_index, row, title_cell, title, name or None, title_link, tuple(claims))


def _callout_section(view: _NoteView, heading_index: int) -> _SectionFacts | None:
    note = view.note
    heading = note.headings[heading_index]
    first = _first_block_line(note, heading)
    if first is None:
        return None
    callout = next((c for c in note.callouts if c.first_line == first and c.depth == 1), None)
    if callout is None or is_generic_heading(heading.text):
        return None
    claims = _callout_claims(view, callout, heading.text)
    if not claims:
        return None
    distinct = {claim.base or claim.raw for claim in claims}
    if len(distinct) >= 3:
        return None  # a list of papers, not one paper's card
    span, lead = _extent(note, heading_index)
    return _SectionFacts(heading_index, span, lead, callout, tuple(claims))


# --- claims -------------------------------------------------------------------


def _claim(view: _NoteView, offset: int, match: IdMatch, kind: ClaimKind, place: Place, link: Span | None = None) -> Claim:
    start = offset + match.start
    return Claim(
        view.note.path,
        Span(start, start + len(match.raw)),
        match.raw,
        match.arxiv_id,
        match.problem,
        kind,
        place,
        view.note.position(start)[0],
        link,
    )


def _link_claims(view: _NoteView, link: ExternalLink | Link, place: Place, bare_text: bool) -> list[Claim]:
    """Claims of one link: IDs in its text and, for an arXiv URL, in its destination."""
    text = view.note.text
    claims: list[Claim] = []
    url_matches: list[IdMatch] = []
    if isinstance(link, ExternalLink):
        url_matches = ids_in_url(link.destination)
        raw_destination = text[link.target_span.start:link.target_span.end]
        for match in url_matches:
            # The destination is the source text unless backslash escapes were removed.
            if raw_destination == link.destination:
                claims.append(_claim(view, link.target_span.start, match, ClaimKind.LINK_URL, place, link.span))
    label = _label_span(link)
    if label is not None:
        label_text = text[label.start:label.end]
        blanked = _blank(label_text, _code_spans(label_text))
        for match in ids_in_text(blanked, bare=bare_text or bool(url_matches)):
            claims.append(_claim(view, label.start, match, ClaimKind.LINK_TEXT, place, link.span))
    return claims


def _text_claims(view: _NoteView, span: Span, kind: ClaimKind, place: Place, bare: bool, skip: list[Span]) -> list[Claim]:
    """IDs written as plain text in ``span``, outside links, inline code and comments."""
    text = view.note.text[span.start:span.end]
    if not may_hold_id(text):
        return []
    hidden = _code_spans(text) + [(s.start - span.start, s.end - span.start) for s in skip]
    blanked = _blank(text, hidden)
    return [
        _claim(view, span.start, match, kind, place)
        for match in ids_in_text(blanked, bare=bare)
        if not view.in_comment(span.start + match.start)
    ]


def _cell_claims(view: _NoteView, cell: TableCell, bare: bool) -> list[Claim]:
    claims: list[Claim] = []
    links: list[Link | ExternalLink] = [*view.external_in(cell.span), *view.links_in(cell.span)]
    for link in links:
        if isinstance(link, Link) and link.embed:
            continue
        claims.extend(_link_claims(view, link, Place.ROW, bare))
    claims.extend(_text_claims(view, cell.span, ClaimKind.CELL, Place.ROW, bare, [link.span for link in links]))
    return sorted(claims, key=lambda claim: claim.span.start)


def _callout_claims(view: _NoteView, callout: Callout, title: str) -> list[Claim]:
    claims: list[Claim] = []
    links = [*view.external_in(callout.span), *view.links_in(callout.span)]
    for link in links:
        if link.embed or not _claiming_label(link, title):
            continue
        claims.extend(_link_claims(view, link, Place.CALLOUT, bare_text=True))
    link_spans = [link.span for link in links]
    for callout_field in callout.fields:
        bare = _header_key(callout_field.key) in ID_FIELD_KEYS
        claims.extend(_text_claims(view, callout_field.value_span, ClaimKind.FIELD, Place.CALLOUT, bare, link_spans))
    return sorted(claims, key=lambda claim: claim.span.start)


def _claiming_label(link: Link | ExternalLink, title: str) -> bool:
    """A link states the paper's ID when its text is an ID or names arXiv, or is the paper's title."""
    if link.display is None:
        return isinstance(link, ExternalLink)
    if isinstance(link, ExternalLink) and not ids_in_url(link.destination):
        return bool(ids_in_text(link.display)) and arxiv_label(link.display)
    return arxiv_label(link.display) or (bool(title) and title_key(link.display) == title_key(title))


# --- sections' extents ------------------------------------------------------------


def _extent(note: Note, heading_index: int) -> tuple[Span, Span]:
    headings = note.headings
    heading = headings[heading_index]

    def line_start(of: Heading) -> int:
        # From the heading's offset: its ``line`` counts a lone CR as a line break,
        # which the line index does not.
        return note.line_index.line_start(note.position(of.span.start)[0])

    start = line_start(heading)
    end = lead_end = len(note.text)
    for later in headings[heading_index + 1:]:
        later_start = line_start(later)
        lead_end = min(lead_end, later_start)
        if later.level <= heading.level:
            end = later_start
            break
    return Span(start, end), Span(heading.span.end, lead_end)


def _first_block_line(note: Note, heading: Heading) -> int | None:
    """The first non-blank line under a heading (after a setext underline)."""
    line = note.position(heading.span.end)[0] + 1
    count = note.line_index.line_count
    if line <= count and _SETEXT_UNDERLINE.match(note.line_text(line)):
        line += 1
    while line <= count:
        if note.line_text(line).strip():
            return line
        line += 1
    return None


# --- the index: records joined across notes -----------------------------------------


class _Builder:
    def __init__(self, vault: Vault, paths: Iterable[str]) -> None:
        self.vault = vault
        notes = (vault.notes[path] for path in sorted(paths))
        self.notes = {note.path: note for note in notes if not note.skipped}
        self._views: dict[str, _NoteView] = {}
        self.tables: list[IndexTable] = []
        self.sections: dict[tuple[str, int], Section] = {}
        self._headings_by_key: dict[str, list[tuple[str, int]]] | None = None
        self._callout_by_path: dict[str, list[Section]] | None = None

    def view(self, path: str) -> _NoteView:
        view = self._views.get(path)
        if view is None:
            view = self._views[path] = _NoteView(self.notes[path])
        return view

    def build(self) -> PaperIndex:
        facts = {path: self.vault.paper_facts(path) for path in self.notes}
        for path, note_facts in facts.items():
            note = self.notes[path]
            for table_facts in note_facts.tables:
                self.tables.append(self._index_table(note, table_facts))
            for section_facts in note_facts.sections:
                index = section_facts.heading_index
                self.sections[(path, index)] = Section(
                    path, index, note.headings[index], section_facts.span, section_facts.lead, "callout",
                    section_facts.callout, list(section_facts.claims),
                )
        self._pair_rows()
        for section in self.sections.values():
            self._lead_claims(section)
        by_path: dict[str, list[Section]] = {}
        for section in self.sections.values():
            by_path.setdefault(section.path, []).append(section)
        for siblings in by_path.values():
            for section in siblings:
                self._evidence(section, siblings)
        sections = sorted(self.sections.values(), key=lambda s: (s.path, s.heading.line))
        papers = self._group(sections)
        claimed = {claim.unit for paper in papers for claim in paper.claims}
        stray = {
            path: [claim for span, claims in note_facts.link_claims if (path, span) not in claimed for claim in claims]
            for path, note_facts in facts.items()
        }
        return PaperIndex(self.tables, sections, papers, stray)

    def _index_table(self, note: Note, facts: _TableFacts) -> IndexTable:
        table = IndexTable(note.path, facts.table_index, note.tables[facts.table_index], facts.title_column, facts.name_column, facts.id_columns)
        for row in facts.rows:
            target_path, target = self._target(note, row.title_link)
            table.rows.append(
                Row(table, row.row_index, row.row, row.title_cell, row.title, row.name, row.title_link, target, target_path, list(row.claims))
            )
        return table

    def _target(self, note: Note, link: Link | ExternalLink | None) -> tuple[str | None, HeadingRef | None]:
        if link is None:
            return None, None
        path, subpath = _link_target(link)
        target_path = note.path if path == "" else self.vault.resolve(path, note.path).target
        if target_path is None or target_path not in self.notes:
            return None, None
        if not obsidian.subpath_segments(subpath):
            return target_path, None
        target = self.notes[target_path]
        found = target.subpath_targets.resolve(subpath)
        if found is None or found.kind != "heading" or found.index is None:
            return target_path, None
        return target_path, HeadingRef(target_path, found.index, target.headings[found.index])

    # --- sections -------------------------------------------------------------

    def _row_section(self, row: Row) -> tuple[Section | None, str | None]:
        """The section a row pairs with: the heading its title links to, else the same title."""
        target = row.target
        if target is not None and not is_generic_heading(target.heading.text):
            return self._section_for(target.path, target.index, "row"), "link"
        if target is None and row.target_path is not None and row.target_path != row.path:
            # A link to a whole note: the note's one paper section, if it has exactly one.
            own = self._callout_sections_in(row.target_path)
            if len(own) == 1:
                return own[0], "link"
        keys = {title_key(name) for name in (row.title, row.name) if name}
        keys.discard("")
        if not keys:
            return None, None
        same_note = self.notes[row.path]
        matches = [i for i, h in enumerate(same_note.headings) if title_key(h.text) in keys and not is_generic_heading(h.text)]
        if len(matches) == 1:
            return self._section_for(row.path, matches[0], "row"), "title"
        if matches:
            return None, None
        distinctive = {key for key in keys if len(key.split()) >= 3}
        if not distinctive:
            return None, None
        found = [place for key in distinctive for place in self._heading_keys().get(key, ()) if place[0] != row.path]
        if len(found) == 1:
            return self._section_for(found[0][0], found[0][1], "row"), "title"
        return None, None

    def _heading_keys(self) -> dict[str, list[tuple[str, int]]]:
        """Every heading of the notes read by ``title_key``, built on first use."""
        if self._headings_by_key is None:
            self._headings_by_key = {}
            for path, note in self.notes.items():
                for i, heading in enumerate(note.headings):
                    self._headings_by_key.setdefault(title_key(heading.text), []).append((path, i))
        return self._headings_by_key

    def _section_for(self, path: str, heading_index: int, signal: str) -> Section:
        existing = self.sections.get((path, heading_index))
        if existing is not None:
            return existing
        note = self.notes[path]
        span, lead = _extent(note, heading_index)
        section = Section(path, heading_index, note.headings[heading_index], span, lead, signal)
        self.sections[(path, heading_index)] = section
        return section

    def _callout_sections_in(self, path: str) -> list[Section]:
        if self._callout_by_path is None:
            self._callout_by_path = {}
            for (section_path, _), section in self.sections.items():
                if section.signal == "callout":
                    self._callout_by_path.setdefault(section_path, []).append(section)
        return self._callout_by_path.get(path, [])

    def _pair_rows(self) -> None:
        for table in self.tables:
            for row in table.rows:
                section, how = self._row_section(row)
                if section is not None:
                    row.section, row.paired_by = section, how
                    section.rows.append(row)

    def _lead_claims(self, section: Section) -> None:
        """arXiv links that stand on their own line in the section's lead."""
        view = self.view(section.path)
        note = view.note
        skip = section.callout.span if section.callout else None
        links: list[Link | ExternalLink] = [*view.external_in(section.lead), *view.links_in(section.lead)]
        candidates = []
        table_lines: set[int] | None = None
        for link in links:
            if link.embed or (skip is not None and skip.start <= link.span.start < skip.end):
                continue
            line = note.position(link.span.start)[0]
            if table_lines is None:
                table_lines = {line for table in note.tables for line in range(table.first_line, table.last_line + 1)}
            if line in table_lines or not _claiming_label(link, section.title):
                continue
            if isinstance(link, ExternalLink) and not ids_in_url(link.destination) and not ids_in_text(link.display or ""):
                continue
            candidates.append((line, link))
        by_line: dict[int, list[Link | ExternalLink]] = {}
        for line, link in candidates:
            by_line.setdefault(line, []).append(link)
        for line, line_links in by_line.items():
            start = note.line_index.line_start(line)
            text = note.line_text(line)
            rest = _blank(text, [(link.span.start - start, link.span.end - start) for link in line_links])
            if not _LABEL_LINE_REST.match(rest):
                continue  # the link sits in a sentence: a citation
            for link in line_links:
                section.claims.extend(_link_claims(view, link, Place.BODY, bare_text=True))
        section.claims.sort(key=lambda claim: claim.span.start)

    def _evidence(self, section: Section, siblings: list[Section]) -> None:
        view = self.view(section.path)
        nested = [
            other.span
            for other in siblings
            if other is not section and section.span.start < other.span.start < section.span.end
        ]
        text = view.note.text
        for link in view.links_in(section.span):
            if not link.embed or any(span.start <= link.span.start < span.end for span in nested):
                continue
            raw = text[link.target_span.start:link.target_span.end]
            raw_path = raw.split("#", 1)[0].split("|", 1)[0]
            base_at = raw_path.rfind("/") + 1
            file_name = obsidian.safe_decode_uri(raw_path[base_at:]) if link.style.value == "markdown" else raw_path[base_at:]
            for match in ids_in_file_name(file_name):
                at = raw_path.find(match.raw, base_at)
                if at == -1:
                    continue
                shifted = IdMatch(at, at + len(match.raw), match.raw, match.arxiv_id, match.problem)
                section.evidence.append(_claim(view, link.target_span.start, shifted, ClaimKind.FILE_NAME, Place.BODY))

    # --- papers ---------------------------------------------------------------

    def _group(self, sections: list[Section]) -> list[Paper]:
        records: list[Record] = [*sections, *(row for table in self.tables for row in table.rows)]
        parent = list(range(len(records)))
        position = {id(record): i for i, record in enumerate(records)}

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(a: Record, b: Record) -> None:
            ra, rb = find(position[id(a)]), find(position[id(b)])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for table in self.tables:
            for row in table.rows:
                if row.section is not None:
                    union(row, row.section)
        by_title: dict[str, list[Record]] = {}
        for record in records:
            key = title_key(record.names[0])
            if key and not is_generic_heading(key):
                by_title.setdefault(key, []).append(record)
        for key, group in by_title.items():
            for other in group[1:]:
                if other.path == group[0].path or len(key.split()) >= 3:
                    union(group[0], other)
        by_id: dict[str, list[Record]] = {}
        for record in records:
            for base in {claim.base for claim in record.claims if claim.base}:
                by_id.setdefault(base, []).append(record)
        for group in by_id.values():
            for i, first in enumerate(group):
                for second in group[i + 1:]:
                    if any(titles_compatible(a, b) for a in first.names for b in second.names):
                        union(first, second)
        clusters: dict[int, Paper] = {}
        for i, record in enumerate(records):
            paper = clusters.setdefault(find(i), Paper())
            if isinstance(record, Section):
                paper.sections.append(record)
            else:
                paper.rows.append(record)
            record.paper = paper
        papers = list(clusters.values())
        for paper in papers:
            paper.sections.sort(key=lambda s: (s.path, s.line))
            paper.rows.sort(key=lambda r: (r.path, r.line))
        papers.sort(key=lambda paper: paper.position)
        return papers


def _plain(cell_text: str) -> str:
    """A cell's text without link syntax or emphasis: the words a reader sees."""
    text = _blank(cell_text, _code_spans(cell_text)) if "`" in cell_text else cell_text
    if "[" in text:
        text = _WIKILINK_SHOWN.sub(lambda m: m.group(2) or m.group(1).split("#")[-1], text)
        text = _MARKDOWN_LINK_TEXT.sub(r"\1", text)
    return " ".join(_MARKUP.sub("", text).split())
