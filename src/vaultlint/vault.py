"""The vault: its root, every file in it, every note parsed once, and Obsidian's settings."""

from __future__ import annotations

import json
import operator
import os
import pickle
import posixpath
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from pathlib import Path

from .cache import CACHE_DIR_NAME, CachedNote, FactsCache, NoteCache, SharedKeyIndex, content_hash, stat_in
from .note import Link, Note, ParseProblem
from .obsidian import FileIndex, Resolution, SubpathTargets
from .papers import PaperFacts, PaperSummary, note_facts, pack_facts, paper_facts, summarize, unpack_facts
from .parser import parse_bytes, parse_note, timed_out
from .records import dataclass
from .source import compact_pickle

NOTE_EXTENSIONS = (".md",)
# A file modified this recently may change again within the same mtime tick:
# trust its bytes, not its stat (git's "racy clean" problem).
RACY_WINDOW_NS = 2_000_000_000


class VaultError(Exception):
    """A problem with the vault as a whole (missing root, unreadable folder)."""


@dataclass(frozen=True, slots=True)
class ObsidianSettings:
    """What ``.obsidian/app.json`` says about the links Obsidian writes (§2.7)."""

    use_markdown_links: bool = False
    new_link_format: str | None = None
    attachment_folder: str = ""
    source: str | None = None

    @classmethod
    def read(cls, root: Path) -> ObsidianSettings:
        path = root / ".obsidian" / "app.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        link_format = data.get("newLinkFormat")
        return cls(
            use_markdown_links=bool(data.get("useMarkdownLinks", False)),
            new_link_format=link_format if link_format in ("shortest", "relative", "absolute") else None,
            attachment_folder=str(data.get("attachmentFolderPath", "") or ""),
            source=str(path),
        )


def find_vault_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``.obsidian/``, else ``start``'s folder."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".obsidian").is_dir():
            return candidate
    return folder


_entry_name = operator.attrgetter("name")


def discover_files(root: Path) -> tuple[list[str], list[str]]:
    """Every non-hidden file under ``root`` as vault-relative POSIX paths, plus warnings.

    Dot-folders and dot-files are skipped, as Obsidian hides them. Symlinks are
    followed only when they stay inside the root, and each real folder is
    visited once, so a symlink loop cannot trap the walk.
    """
    root = root.resolve()
    files: list[str] = []
    warnings: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: str, relative: str) -> None:
        try:
            stat = os.stat(folder)
        except OSError as error:
            warnings.append(f"{relative or '.'}: cannot read folder ({error.strerror})")
            return
        key = (stat.st_dev, stat.st_ino)
        if key in seen_dirs:
            return
        seen_dirs.add(key)
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=_entry_name)
        except OSError as error:
            warnings.append(f"{relative or '.'}: cannot read folder ({error.strerror})")
            return
        prefix = f"{relative}/" if relative else ""
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            child = prefix + name
            try:
                if entry.is_symlink():
                    try:
                        target = Path(entry.path).resolve()
                    except RuntimeError:  # Python 3.11 raises this, not OSError, on a loop
                        warnings.append(f"{child}: symlink loop; not followed")
                        continue
                    if not target.is_relative_to(root):
                        warnings.append(f"{child}: symlink leads outside the vault; not followed")
                        continue
                if entry.is_dir():
                    walk(entry.path, child)
                elif entry.is_file():
                    files.append(child)
            except OSError as error:
                warnings.append(f"{child}: cannot read ({error.strerror})")

    walk(str(root), "")
    return files, warnings


class NoteTable(MutableMapping):
    """Notes by vault path, in discovery order.

    A note from the cache or from a worker process arrives pickled and is
    unpickled the first time it is asked for, so a run that reports one note
    (pre-commit) only pays for that note and the notes it links to.
    """

    def __init__(self) -> None:
        self._notes: dict[str, Note | None] = {}
        self._blobs: dict[str, bytes] = {}
        # While set, the paths asked for, notes and outlines (see ``Linter._checks``).
        self.asked: set[str] | None = None

    def reserve(self, path: str) -> None:
        """A place for the note at ``path``, in order, before it is read."""
        self._notes[path] = None

    def add_blob(self, path: str, blob: bytes) -> None:
        self._notes[path] = None
        self._blobs[path] = blob

    def blob(self, path: str) -> bytes | None:
        return self._blobs.get(path)

    def __getitem__(self, path: str) -> Note:
        if self.asked is not None:
            self.asked.add(path)
        note = self._notes[path]
        if note is None:
            note = pickle.loads(self._blobs[path])
            self._notes[path] = note
            del self._blobs[path]  # its bytes are not needed again: a large vault's hold tens of MB
        return note

    def __setitem__(self, path: str, note: Note) -> None:
        self._notes[path] = note
        self._blobs.pop(path, None)

    def __delitem__(self, path: str) -> None:
        del self._notes[path]
        self._blobs.pop(path, None)

    def __contains__(self, path: object) -> bool:
        return path in self._notes

    def __iter__(self):
        return iter(self._notes)

    def __len__(self) -> int:
        return len(self._notes)


class SummaryTable(MutableMapping):
    """Paper summaries by note path. Those the parse cache keeps are unpickled the first
    time they are asked for: a run about one note asks for few of them."""

    def __init__(self) -> None:
        self._summaries: dict[str, PaperSummary] = {}
        self._kept: dict[str, CachedNote] = {}  # never a path of ``_summaries``
        # For a kept summary whose bytes turn out damaged: the summary worked out again.
        self.work_out: Callable[[str], PaperSummary] | None = None

    def keep(self, path: str, entry: CachedNote) -> bool:
        """The summary of ``path`` is the one ``entry`` holds, if it holds one (whether it
        does). Called once per note taken from the cache: ``path`` has no summary yet."""
        if entry.paper_summary is None and entry.summary_blob is None:
            return False
        self._kept[path] = entry
        return True

    def __getitem__(self, path: str) -> PaperSummary:
        summary = self._summaries.get(path)
        if summary is not None:
            return summary
        entry = self._kept.pop(path)
        summary = entry.summary()
        if summary is None and self.work_out is not None:
            summary = self.work_out(path)
        if summary is None:
            raise KeyError(path)
        self._summaries[path] = summary
        return summary

    def __setitem__(self, path: str, summary: PaperSummary) -> None:
        self._kept.pop(path, None)
        self._summaries[path] = summary

    def __delitem__(self, path: str) -> None:
        if self._summaries.pop(path, None) is None:
            del self._kept[path]

    def __contains__(self, path: object) -> bool:
        return path in self._summaries or path in self._kept

    def __iter__(self) -> Iterator[str]:
        yield from list(self._summaries)
        yield from list(self._kept)

    def __len__(self) -> int:
        return len(self._summaries) + len(self._kept)


class Vault:
    """All files of a vault, its notes parsed once, and the link resolver over them."""

    def __init__(
        self,
        root: Path,
        files: list[str],
        notes: MutableMapping[str, Note],
        settings: ObsidianSettings,
        warnings: list[str] | None = None,
        digests: dict[str, bytes] | None = None,
        paper_summaries: MutableMapping[str, PaperSummary] | None = None,
        outlines: dict[str, SubpathTargets] | None = None,
    ) -> None:
        self.root = root
        self.files = files
        self.index = FileIndex(files)
        self.notes = notes
        self.settings = settings
        self.warnings = warnings or []
        # Hash of each note's bytes as read, for the results cache.
        self.digests = digests or {}
        # Computed where each note is parsed and cached with it, so that the paper
        # index can choose the notes it needs without unpickling every note.
        self.paper_summaries: MutableMapping[str, PaperSummary] = paper_summaries if paper_summaries is not None else {}
        # The parse cache's notes by the keys their summaries share, and the notes whose
        # summary is the one it describes (``papers._ScopeWalk``); None: no such index.
        self.summary_keys: SharedKeyIndex | None = None
        self.summaries_in_key_index: set[str] = set()
        if isinstance(self.paper_summaries, SummaryTable):
            self.paper_summaries.work_out = lambda path: summarize(self.notes[path])
        # What links into each note can reach (see ``subpath_targets``): of the notes parsed
        # in this run, and of those from the cache whose outline was asked for.
        self.outlines: dict[str, SubpathTargets] = outlines or {}
        # The parse cache's entries of this run's notes (``cache.CachedNote``), which hold
        # the other notes' outlines, pickled; empty without a cache.
        self.cached_notes: Mapping[str, CachedNote] = {}
        # The parse cache's entries as the last run left them, which still describe the
        # notes removed since (``removed_summary``).
        self._cached_before: Mapping[str, CachedNote] = {}
        self._resolved: dict[tuple[str, str], Resolution] = {}
        # Derived indexes that rules build once per vault (e.g. names by extension).
        self.memo: dict[object, object] = {}
        # Bumped whenever a note is replaced (by a fix), so derived indexes know to rebuild.
        self.generation = 0
        # Notes skipped for their parse time in this run (their findings are not replayed).
        self.timed_out: set[str] = set()
        # Where notes' paper facts are kept between runs (``paper_facts``); None: nowhere.
        self.facts_cache: FactsCache | None = None
        self._rewritten: set[str] = set()
        # The paper facts, pickled, worked out with the notes parsed in this run (``read_note``).
        self.fresh_facts: dict[str, bytes] = {}
        # For a note parsed again in this run, the hash and paper summary of the bytes the
        # cache held, and for a note a fix rewrote, of the bytes it had: what its paper
        # records were (``papers.papers_changed``).
        self.earlier_summaries: dict[str, tuple[bytes, PaperSummary]] = {}

    @classmethod
    def load(
        cls,
        root: Path,
        cache_dir: Path | None = None,
        use_cache: bool = True,
        jobs: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        save_in_background: bool = False,
        unpickle_papers: bool = False,
    ) -> Vault:
        """Discover every file and parse every note, reusing the parse cache when allowed.

        ``jobs`` caps the worker processes for cold parsing (``None``: one per
        core; small inputs are parsed in this process, where a pool costs more
        than it saves). ``progress(done, total)`` is called as notes are parsed.
        ``save_in_background``: the cache is written by a child process where
        processes fork (the caller then calls ``cache.wait_for_writers()``).
        ``unpickle_papers``: a note the paper index reads is unpickled as soon as a
        worker parsed it, while the workers parse on, for a run that reads them all
        here (a check of the whole vault), so that the check workers forked later
        inherit it rather than each unpickling a second copy.
        """
        root = root.resolve()
        if not root.is_dir():
            raise VaultError(f"{root}: not a folder")
        files, warnings = discover_files(root)
        cache = NoteCache(cache_dir if cache_dir is not None else root / CACHE_DIR_NAME) if use_cache else None
        if cache is not None:
            cache.load()
        notes = NoteTable()
        digests: dict[str, bytes] = {}
        summaries = SummaryTable()
        # The notes whose summary is the base file's, which its key index describes (a note
        # it holds no summary for has its summary worked out again, which it does not).
        indexed: set[str] = set()
        base_paths, superseded = (cache.base_paths, cache.delta) if cache is not None else (set(), {})
        outlines: dict[str, SubpathTargets] = {}
        pending: list[tuple[str, bytes | None]] = []
        earlier: dict[str, tuple[bytes, PaperSummary]] = {}
        racy_after = time.time_ns() - RACY_WINDOW_NS
        with stat_in(root) as stat_in_root:
            for path in files:
                if not path.lower().endswith(NOTE_EXTENSIONS):
                    continue
                notes.reserve(path)  # keeps discovery order; filled below
                if cache is not None:
                    try:
                        stat = stat_in_root(path)
                    except OSError:
                        stat = None
                    if stat is not None and stat.st_mtime_ns < racy_after:
                        entry = cache.by_stat(path, stat.st_mtime_ns, stat.st_size)
                        if entry is not None:
                            notes.add_blob(path, entry.blob)
                            digests[path] = entry.digest
                            if summaries.keep(path, entry) and path in base_paths and path not in superseded:
                                indexed.add(path)
                            continue
                    previous = cache.previous.get(path)
                    pending.append((path, previous.digest if previous else None))
                    if previous is not None and previous.summary() is not None:
                        earlier[path] = (previous.digest, previous.paper_summary)
                else:
                    pending.append((path, None))
        slow: set[str] = set()
        fresh_facts: dict[str, bytes] = {}
        cached = len(notes) - len(pending)
        report = (lambda done: progress(cached + done, len(notes))) if progress else None
        for path, loaded in _load_notes(root, pending, jobs, report):
            digests[path] = loaded.digest
            if loaded.blob is None and loaded.note is None and cache is not None:
                entry = cache.by_content(path, loaded.digest, loaded.mtime_ns, loaded.size)
                notes.add_blob(path, entry.blob)
                if summaries.keep(path, entry) and path in base_paths and path not in superseded:
                    indexed.add(path)
                continue
            if loaded.note is not None:
                notes[path] = loaded.note
            elif loaded.paper_facts is not None and unpickle_papers:
                notes[path] = pickle.loads(loaded.blob)
            else:
                notes.add_blob(path, loaded.blob)
            if loaded.paper_summary is not None:
                summaries[path] = loaded.paper_summary
            if loaded.outline is not None:
                outlines[path] = loaded.outline
            if loaded.timed_out:
                slow.add(path)
            elif cache is not None and loaded.cacheable:
                blob = loaded.blob if loaded.blob is not None else pickle.dumps(loaded.note, pickle.HIGHEST_PROTOCOL)
                cache.store(path, loaded.mtime_ns, loaded.size, loaded.digest, blob, loaded.paper_summary, loaded.outline)
            if loaded.paper_facts is not None:
                fresh_facts[path] = loaded.paper_facts
        if cache is not None:
            cache.save(background=save_in_background)
        vault = cls(root, files, notes, ObsidianSettings.read(root), warnings, digests, summaries, outlines)
        vault.timed_out = slow
        vault.fresh_facts = fresh_facts
        vault.earlier_summaries = earlier
        if cache is not None:
            vault.cached_notes, vault._cached_before = cache.current, cache.previous
            vault.facts_cache = FactsCache(cache.folder)
            if cache.key_index is not None:
                vault.summary_keys, vault.summaries_in_key_index = cache.key_index, indexed
        return vault

    def note(self, path: str) -> Note | None:
        return self.notes.get(path)

    def replace_note(self, path: str, text: str) -> Note:
        """Re-parse a note from new text (after a fix), keeping its encoding. Its hash
        becomes that of the new bytes, so that findings kept for the old ones (and those
        of notes that read it) are not taken for it; what its paper records were stays
        known (``earlier_summaries``)."""
        old = self.notes[path]
        note = parse_note(path, text)
        note.encoding = old.encoding
        if path in self.digests:
            self.earlier_summaries.setdefault(path, (self.digests[path], self.paper_summary(path)))
            try:
                self.digests[path] = content_hash(note.encoding.encode(text))
            except UnicodeError:
                del self.digests[path]  # no bytes: never the kept ones
        self.notes[path] = note
        self.paper_summaries.pop(path, None)
        self.summaries_in_key_index.discard(path)
        self.outlines.pop(path, None)
        self._rewritten.add(path)  # its facts no longer match its digest
        self._resolved = {key: value for key, value in self._resolved.items() if key[0] != path}
        self.generation += 1
        return note

    def removed_summary(self, path: str) -> tuple[bytes, PaperSummary] | None:
        """For a note the parse cache held and the vault no longer has, the hash of its
        bytes then and its paper summary (``None``: not known)."""
        entry = self._cached_before.get(path)
        if entry is None or path in self.notes:
            return None
        summary = entry.summary()
        return None if summary is None else (entry.digest, summary)

    def paper_summary(self, path: str) -> PaperSummary:
        """The note's :class:`~vaultlint.papers.PaperSummary` (computed here if no worker or cache gave it)."""
        summary = self.paper_summaries.get(path)
        if summary is None:
            summary = self.paper_summaries[path] = summarize(self.notes[path])
        return summary

    def paper_facts(self, path: str) -> PaperFacts:
        """The note's :class:`~vaultlint.papers.PaperFacts`: those it already has, else
        those the facts cache kept for its bytes, else worked out (and kept there)."""
        note = self.notes[path]
        if note.paper_facts is not None:
            return note.paper_facts
        cache, digest = self.facts_cache, self.digests.get(path)
        fresh = self.fresh_facts.pop(path, None)
        if fresh is not None and path not in self._rewritten:
            facts = note.paper_facts = unpack_facts(pickle.loads(fresh), note)
            if cache is not None and digest is not None:
                cache.put(path, digest, fresh)
            return facts
        if cache is None or digest is None or path in self._rewritten or note.skipped:
            return paper_facts(note)
        packed = cache.get(path, digest)
        if packed is not None:
            try:
                facts = note.paper_facts = unpack_facts(packed, note)
                return facts
            except Exception:  # damaged: worked out again, and kept again
                pass
        facts = paper_facts(note)
        cache.put(path, digest, pack_facts(facts, note))
        return facts

    def save_paper_facts(self, background: bool = False) -> None:
        """Keep the paper facts this run worked out for the next (see ``FactsCache``)."""
        if self.facts_cache is not None:
            digests = {path: digest for path, digest in self.digests.items() if path not in self._rewritten}
            self.facts_cache.save(digests, background=background)

    def subpath_targets(self, path: str) -> SubpathTargets | None:
        """Where the subpaths of links into the note at ``path`` can lead; ``None`` for
        no such note, or one skipped unparsed. It comes with the parsed note, and the
        parse cache keeps it beside the note, so that checking a link does not
        unpickle the note it points into (in every check worker that meets such a
        link: at 10,000 notes, 9,000 notes unpickled once more in a full check from
        the parse cache)."""
        if self.notes.asked is not None:
            self.notes.asked.add(path)
        outline = self.outlines.get(path)
        if outline is not None:
            return outline
        entry = self.cached_notes.get(path)
        if entry is not None and path not in self._rewritten and entry.digest == self.digests.get(path):
            outline = entry.outlined()
            if isinstance(outline, SubpathTargets):
                self.outlines[path] = outline
                return outline
        note = self.notes.get(path)
        return None if note is None or note.skipped else note.subpath_targets

    def resolve(self, linkpath: str, source_path: str) -> Resolution:
        key = (source_path, linkpath)
        found = self._resolved.get(key)
        if found is None:
            found = self.index.resolve(linkpath, source_path)
            self._resolved[key] = found
        elif self.index.looked_up is not None and linkpath:
            self.index.looked_up.add(linkpath)  # as the lookup itself would
        return found

    def resolve_link(self, link: Link, note: Note) -> Resolution:
        return self.resolve(link.path, note.path)

    def absolute(self, path: str) -> Path:
        return self.root.joinpath(*path.split("/"))

    def relative(self, path: Path) -> str | None:
        """A filesystem path as a vault path, or ``None`` when it lies outside the vault."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def folder_of(self, path: str) -> str:
        return posixpath.dirname(path)


@compact_pickle  # one crosses from a parsing worker for every note of a cold run
@dataclass(slots=True)
class LoadedNote:
    """One note read from disk: parsed, pickled (from a worker), or neither when
    its bytes hash as the cached copy, which is then reused."""

    note: Note | None
    mtime_ns: int = 0
    size: int = 0
    digest: bytes = b""
    cacheable: bool = False
    blob: bytes | None = None
    # Skipped for its parse time: a verdict on this machine and moment, kept out of every cache.
    timed_out: bool = False
    paper_summary: PaperSummary | None = None
    outline: SubpathTargets | None = None
    # For a note the paper index may read, its paper facts, packed apart from the note
    # (``papers.pack_facts``) and pickled: kept so in the facts cache.
    paper_facts: bytes | None = None


def read_note(root: Path, path: str, cached_digest: bytes | None = None) -> LoadedNote:
    """Read and parse one note; skip the parse when its bytes hash to ``cached_digest``."""
    try:
        # The size and time of the file that was read (fstat of the open file), not
        # of whatever the path names a moment later; os calls, as pathlib's cost more
        # than the read itself in a cold run.
        with open(os.path.join(root, path), "rb") as file:
            stat = os.fstat(file.fileno())
            data = file.read()
    except OSError as error:
        note = Note(path, "", skipped=True)
        note.problems.append(ParseProblem(f"cannot read file ({error.strerror})"))
        return LoadedNote(note)
    digest = content_hash(data)
    if cached_digest is not None and digest == cached_digest:
        return LoadedNote(None, stat.st_mtime_ns, stat.st_size, digest)
    note = parse_bytes(path, data)
    slow = timed_out(note)
    # Worked out beside the note, not kept on it: pickled with the note they would cost
    # every reader of the note more to load than to compute.
    facts = note_facts(note)
    summary = summarize(note, facts)
    outline = None
    if not note.skipped:
        # The summary's anchors are the headings' keys: the same strings, sent once.
        outline = SubpathTargets.of(note.headings, note.block_id_keys, note.footnote_ids, heading_keys=summary.anchors)
    return LoadedNote(
        note, stat.st_mtime_ns, stat.st_size, digest, cacheable=not slow, timed_out=slow, paper_summary=summary, outline=outline,
        paper_facts=pickle.dumps(pack_facts(facts, note), pickle.HIGHEST_PROTOCOL) if summary.readable and not slow else None,
    )


def _read_note_pickled(task: tuple[Path, str, bytes | None]) -> tuple[str, LoadedNote]:
    """In a worker: read, parse, and pickle here, in parallel, rather than in the parent."""
    root, path, digest = task
    loaded = read_note(root, path, digest)
    if loaded.note is not None:
        loaded.blob = pickle.dumps(loaded.note, pickle.HIGHEST_PROTOCOL)
        loaded.note = None
    return path, loaded


# Below this many notes to parse, a process pool costs more than it saves.
PARALLEL_MIN_NOTES = 200
# How many batches of notes each parsing worker is handed, about (see ``_load_notes``).
CHUNKS_PER_WORKER = 32


def _load_notes(
    root: Path, pending: list[tuple[str, bytes | None]], jobs: int | None, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[str, LoadedNote]]:
    """The pending notes read and parsed, each yielded as soon as it is (in order)."""
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(pending) < PARALLEL_MIN_NOTES:
        results: Iterable[tuple[str, LoadedNote]] = ((path, read_note(root, path, digest)) for path, digest in pending)
        for done, result in enumerate(results, 1):
            yield result
            if progress is not None:
                progress(done)
        return
    from concurrent.futures import ProcessPoolExecutor

    from .parser.blocks import import_mistletoe

    import_mistletoe()  # once here, inherited by forked workers
    tasks = [(root, path, digest) for path, digest in pending]
    # Small chunks, so that the workers finish within a few notes of each other: with
    # eight per worker, one worker sat idle for up to 0.3 s at the end of a 10,000-note load.
    chunk = max(1, len(tasks) // (workers * CHUNKS_PER_WORKER))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for done, result in enumerate(pool.map(_read_note_pickled, tasks, chunksize=chunk), 1):
            yield result
            if progress is not None:
                progress(done)
