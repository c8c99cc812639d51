"""A persistent cache of parsed notes, so an unchanged note is never parsed twice.

One file per vault, ``<cache dir>/notes-<key>.pickle``, maps each note's vault path
to its file's (mtime, size), the hash of its bytes, and the parsed ``Note``. A note
whose stat matches is taken as is; one whose stat differs but whose bytes hash the
same is taken too (a ``touch`` or a checkout), otherwise it is parsed again. The
key covers vaultlint's version, the parser's fingerprint and Python's version, so
an upgrade starts from an empty cache. A missing, corrupt or half-written cache
file is ignored and rebuilt; it is written atomically, never read half-done.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from . import __version__
from .obsidian import EVERY_NAME
from .records import dataclass
from .source import compact_pickle

CACHE_DIR_NAME = ".vaultlint_cache"
# Bump when the parser's output changes shape or meaning without a version bump.
PARSER_FINGERPRINT = "parser-6"


def _code_stamp(files) -> str:
    """The names and bytes of source files, so an edited (editable-installed) vaultlint
    never replays what older code decided (versions alone miss a developer's changes),
    while two installs of the same code share the caches: pre-commit's environment and a
    user's, which take turns on one vault, would otherwise each find the other's cache
    stale (the files' paths and times differ) and parse every note again. The package's
    files are named relative to it; a file's bytes are hashed again only when its size or
    time changed in this process."""
    stamps = []
    for file in files:
        name = str(file)
        if name.startswith(_PACKAGE_PREFIX):
            name = name[len(_PACKAGE_PREFIX):]
        try:
            stat = os.stat(file)
        except OSError:
            stamps.append(f"{name}:?")
            continue
        known = _SOURCE_HASHES.get(str(file))
        if known is None or known[0] != (stat.st_mtime_ns, stat.st_size):
            try:
                with open(file, "rb") as stream:
                    known = _SOURCE_HASHES[str(file)] = ((stat.st_mtime_ns, stat.st_size), content_hash(stream.read()).hex())
            except OSError:
                stamps.append(f"{name}:?")
                continue
        stamps.append(f"{name}:{known[1]}")
    return "|".join(stamps)


_PACKAGE = Path(__file__).resolve().parent
_PACKAGE_PREFIX = str(_PACKAGE) + os.sep
# Each source file's hash with the size and time it was hashed at (see ``_code_stamp``).
_SOURCE_HASHES: dict[str, tuple[tuple[int, int], str]] = {}


def cache_key() -> str:
    """Version, parser fingerprint, Python, and the source files that make what is cached."""
    derived = ("note.py", "source.py", "obsidian.py", "papers.py", "arxiv.py")  # the note and its paper summary
    parser_files = sorted([*(_PACKAGE / "parser").glob("*.py"), *(_PACKAGE / name for name in derived)])
    raw = f"{__version__}|{PARSER_FINGERPRINT}|{sys.version_info[:2]}|{_code_stamp(parser_files)}".encode()
    return hashlib.blake2b(raw, digest_size=8).hexdigest()


def content_hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@compact_pickle
@dataclass(slots=True)
class CachedNote:
    mtime_ns: int
    size: int
    digest: bytes
    blob: bytes | memoryview  # the pickled Note (mapped from the base file), unpickled only when a rule asks for it
    # Facts the vault-wide paper index reads without unpickling the note (papers.PaperSummary),
    # or ``summary_blob``, the same pickled (mapped from the base file), until ``summary()``.
    paper_summary: object = None
    summary_blob: bytes | memoryview | None = None
    # Where links into the note can lead (obsidian.SubpathTargets), or ``outline_blob``,
    # the same pickled (mapped from the base file): what checking a link into the note
    # needs, without unpickling the note (see ``Vault.subpath_targets``).
    outline: object = None
    outline_blob: bytes | memoryview | None = None

    def summary(self) -> object:
        """The paper summary (``None``: none kept, or its bytes are damaged)."""
        if self.paper_summary is None and self.summary_blob is not None:
            try:
                self.paper_summary = pickle.loads(self.summary_blob)
            except Exception:  # damaged: worked out again from the note
                self.summary_blob = None
        return self.paper_summary

    def outlined(self) -> object:
        """The outline (``None``: none kept, or its bytes are damaged)."""
        if self.outline is None and self.outline_blob is not None:
            try:
                self.outline = pickle.loads(self.outline_blob)
            except Exception:  # damaged: taken from the note
                self.outline_blob = None
        return self.outline


class NoteCache:
    """Parsed notes from the last run, and the ones to keep for the next."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        key = cache_key()
        self.file = folder / f"notes-{key}.pickle"
        # Changes since the base file, so that one edited note does not rewrite
        # the whole cache (tens of MB on a large vault).
        self.delta_file = folder / f"notes-{key}.delta.pickle"
        self.previous: dict[str, CachedNote] = {}
        self.current: dict[str, CachedNote] = {}
        self.base_paths: set[str] = set()
        self.delta: dict[str, CachedNote | None] = {}
        # The base file's notes by the keys their summaries share (``SharedKeyIndex``).
        self.key_index: SharedKeyIndex | None = None
        self.dirty = False

    def load(self) -> None:
        read = _read_base(self.file)
        if read is None:
            self.dirty = self.file.exists()
            return
        base, key_index = read
        mark_used(self.file)
        delta = _read_pickle(self.delta_file) if self.delta_file.exists() else {}
        if delta is None:  # a damaged delta makes the base unreliable too
            self.dirty = True
            return
        self.base_paths = set(base)
        self.key_index = key_index
        self.delta = delta
        base.update(delta)
        self.previous = {path: entry for path, entry in base.items() if entry is not None}

    def by_stat(self, path: str, mtime_ns: int, size: int) -> CachedNote | None:
        entry = self.previous.get(path)
        if entry is not None and entry.mtime_ns == mtime_ns and entry.size == size:
            self.current[path] = entry
            return entry
        return None

    def by_content(self, path: str, digest: bytes, mtime_ns: int, size: int) -> CachedNote | None:
        entry = self.previous.get(path)
        if entry is not None and entry.digest == digest:
            self.current[path] = CachedNote(
                mtime_ns, size, digest, entry.blob, entry.paper_summary, entry.summary_blob, entry.outline, entry.outline_blob
            )
            self.dirty = True
            return self.current[path]
        return None

    def store(
        self, path: str, mtime_ns: int, size: int, digest: bytes, blob: bytes, paper_summary: object = None, outline: object = None
    ) -> None:
        self.current[path] = CachedNote(mtime_ns, size, digest, blob, paper_summary, outline=outline)
        self.dirty = True

    def save(self, background: bool = False) -> None:
        """Write the notes seen in this run (removed notes drop out) if anything changed.

        Few changes go to the delta file; once the delta grows past a tenth of the
        cache, or the base is missing, the whole cache is rewritten. With
        ``background``, on platforms whose worker processes fork, a child process
        rewrites the whole cache while this one goes on checking (a delta is small
        and written here); :func:`wait_for_writers` waits for it.
        """
        if not self.dirty and self.current.keys() == self.previous.keys():
            return
        changed: dict[str, CachedNote | None] = {
            path: entry for path, entry in self.current.items() if self.previous.get(path) is not entry
        }
        changed.update({path: None for path in self.previous.keys() - self.current.keys()})
        delta = {**self.delta, **changed}
        if self.base_paths and len(delta) * 10 < max(len(self.current), 1):
            write_atomically(self.folder, self.delta_file, {path: _detached(entry) for path, entry in delta.items()})
            return
        # Writing a large vault's cache (tens of MB, its index pickled first) would
        # otherwise stand between parsing and checking.
        write_in_child(self._write_base, background)

    def _write_base(self) -> None:
        try:
            mark_ignored(self.folder)
            write_bytes_atomically(self.file, *_base_parts(self.current))
        except OSError:
            return
        self.delta_file.unlink(missing_ok=True)  # what it held is in the base now
        remove_other_keys(self.folder, "notes", self.file)


class FactsCache:
    """Each note's paper facts (``papers.PaperFacts``, what the paper index reads of
    one note alone), kept apart from the notes in ``<cache dir>/facts-<key>.pickle``
    as the pickled facts by path, each with the hash of the note's bytes.

    A run that builds the paper index from notes it took from the parse cache would
    otherwise work the facts out again for every note that may hold records (the
    main process's longest step of a full check after an edit). Apart, because a
    note's facts are needed only where the index is built, and pickled with the note
    they cost every other reader of it. Read whole on first use; written when a run
    worked out facts for at least a tenth as many notes as the file holds (or it
    held none), so that a run about one edited note does not rewrite it. The key is
    the parse cache's, which covers the code that works facts out.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / f"facts-{cache_key()}.pickle"
        self._stored: dict[str, tuple[bytes, bytes | memoryview]] | None = None
        self._new: dict[str, tuple[bytes, object]] = {}

    def _load(self) -> dict[str, tuple[bytes, bytes | memoryview]]:
        if self._stored is None:
            with paused_gc():
                data = _read_facts_file(self.file)
            if data is not None:
                mark_used(self.file)
            self._stored = data if data is not None else {}
        return self._stored

    def get(self, path: str, digest: bytes) -> object | None:
        entry = self._load().get(path)
        if entry is None or entry[0] != digest:
            return None
        try:
            return pickle.loads(entry[1])
        except Exception:  # damaged: worked out again, and written again
            return None

    def put(self, path: str, digest: bytes, facts: object) -> None:
        """Keep ``facts`` (or their pickle, as bytes) for the note whose bytes hash to ``digest``."""
        self._new[path] = (digest, facts)

    def save(self, digests: dict[str, bytes], background: bool = False) -> None:
        """Write the facts of the notes in ``digests`` (path to the hash of the bytes the
        facts come from), the new and the stored, if enough of them are new.
        ``background``: as ``NoteCache.save`` (the file of a large vault is tens of MB)."""
        if not self._new:
            return  # without reading the file: most runs that read no facts are pre-commit runs
        stored = self._load()
        if stored and len(self._new) * 10 < len(stored):
            return
        new, self._new = self._new, {}
        if write_in_child(lambda: self._write(stored, new, digests), background):
            self._stored = None  # read again, as written, if asked

    def _write(self, stored: dict, new: dict, digests: dict[str, bytes]) -> None:
        kept = {path: entry for path, entry in stored.items() if digests.get(path) == entry[0] and path not in new}
        for path, (digest, facts) in new.items():
            if digests.get(path) == digest:
                kept[path] = (digest, facts if isinstance(facts, bytes) else pickle.dumps(facts, pickle.HIGHEST_PROTOCOL))
        if not kept and not stored:
            return
        index: dict[str, tuple[bytes, int, int]] = {}
        offset = 0
        for path, (digest, facts) in kept.items():
            index[path] = (digest, offset, len(facts))
            offset += len(facts)
        header = pickle.dumps((_FACTS_FORMAT, offset, index), pickle.HIGHEST_PROTOCOL)
        try:
            mark_ignored(self.folder)
            write_bytes_atomically(self.file, header, *(facts for _, facts in kept.values()))
        except OSError:  # a read-only vault: no cache
            return
        self._stored = kept
        remove_other_keys(self.folder, "facts", self.file)


# The facts file: a pickled index {path: (hash of the note's bytes, offset, length)}, then
# each note's pickled facts back to back, mapped rather than read (as the base file of
# notes): a run reads the facts of the few notes its paper index needs.
_FACTS_FORMAT = "vaultlint-facts-2"


def _read_facts_file(file: Path) -> dict[str, tuple[bytes, bytes | memoryview]] | None:
    try:
        with open(file, "rb") as stream:
            tag, total, index = pickle.load(stream)
            start = stream.tell()
            if tag != _FACTS_FORMAT or os.fstat(stream.fileno()).st_size != start + total:
                return None
            data = memoryview(_map(stream, start))
        return {path: (digest, data[offset:offset + length]) for path, (digest, offset, length) in index.items()}
    except Exception:  # missing, truncated, corrupt or incompatible: start afresh
        return None


@compact_pickle  # one per note in the file
@dataclass(frozen=True, slots=True)
class NoteFindings:
    """What the rules found in one note, kept for a later run (see :class:`NoteResultCache`).

    ``digest``: the hash of the note's bytes; ``linked``: the other notes its rules
    read while checking it, by their place in the file list kept with them
    (``NoteResultCache.files``), and ``linked_digest`` the hash
    of their hashes; ``named_digest``: the hash of the
    hashes of the notes the rules that prepare named; ``raw``: by rule, the findings of
    the rules whose findings may be kept (``Rule.reads``), before the note's
    suppressions (a rule that found nothing is left out); ``settled``: all its findings after them, or ``None`` when some
    rule must check the note again on every run anyway; ``names``: the file names
    (``obsidian.file_name_key``) the kept rules that read notes looked up in it,
    ``None`` when one of them may have read the whole file list
    (``Rule.looks_up_files``); ``names_prepared``: the same of the rules that prepare.
    """

    digest: bytes
    linked: tuple[int, ...]
    linked_digest: bytes
    named_digest: bytes
    raw: dict
    settled: tuple | None
    names: tuple[str, ...] | None = None
    names_prepared: tuple[str, ...] | None = None


def linked_digest(linked: Iterable[str], digests: dict[str, bytes]) -> bytes:
    """The hash of the current hashes of the notes ``linked`` (a path no note has counts as such)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in linked:
        digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + digests.get(path, b"-"))
    return digest.digest()


class NoteResultCache:
    """Each note's findings from the last runs, by note, so that a run checks again only
    the notes that changed (and those whose findings depend on them), not all.

    One file, ``<cache dir>/note-results-<key>.pickle``, holds a
    :class:`NoteFindings` per note under the key of everything else that decides
    the findings it keeps (:meth:`ResultCache.keys`: vaultlint's code, the
    configuration and rules, Obsidian's settings); any change there starts it
    afresh. It keeps the vault's file list too (``files``): the engine compares it
    with the list of the run (``Linter._reuse``). Not the attachments' or hidden files' times: only rules
    that say nothing of what they read may read those, and they check every note
    every time; so a fresh checkout (CI with a restored cache) takes them too. A note's findings are taken from it when its bytes are unchanged, and
    only for rules that say what they read (``Rule.reads``): the note alone, or the
    note and the notes they read while checking it, whose bytes must be unchanged
    too. The engine decides what to take (``Linter``); this keeps and writes it. Read
    whole; a missing, damaged or foreign file is an empty one.
    """

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self.key = key
        self.file = folder / f"note-results-{cache_key()}.pickle"
        self._entries: dict[str, NoteFindings] | None = None
        self._new: dict[str, NoteFindings] = {}
        # The vault's file list when the stored entries were kept, which their ``linked``
        # numbers index (empty with no entries); the file names the rules that prepare
        # looked up in the runs whose findings are kept, and in this run.
        self._files: list[str] = []
        self._prepared_names: frozenset[str] = frozenset()
        self._new_prepared_names: set[str] = set()

    def _load(self) -> dict[str, NoteFindings]:
        if self._entries is None:
            entries: dict[str, NoteFindings] = {}
            try:
                with paused_gc(), open(self.file, "rb") as stream:
                    tag, key, files, prepared_names, stored = pickle.load(stream)
                if (
                    tag == _NOTE_RESULTS_FORMAT and key == self.key and isinstance(stored, dict) and isinstance(files, list)
                    and isinstance(prepared_names, frozenset)
                ):
                    entries, self._files, self._prepared_names = stored, files, prepared_names
                    mark_used(self.file)
            except Exception:  # missing, truncated, corrupt or another run's: start afresh
                pass
            self._entries = entries
        return self._entries

    @property
    def files(self) -> list[str]:
        """The vault's file list when the stored entries were kept."""
        self._load()
        return self._files

    @property
    def prepared_names(self) -> frozenset[str] | None:
        """The file names the rules that prepare looked up in the runs whose findings
        are kept (``Linter._prepare``); ``None`` when they may have read every name."""
        self._load()
        return None if EVERY_NAME in self._prepared_names else self._prepared_names

    def add_prepared_names(self, names: Iterable[str]) -> None:
        self._new_prepared_names.update(names)

    def linked_paths(self, entry: NoteFindings) -> list[str]:
        """The paths of the notes a stored entry's rules read (its ``linked``)."""
        files = self.files
        return [files[at] for at in entry.linked if at < len(files)]

    def get(self, path: str) -> NoteFindings | None:
        return self._load().get(path)

    def put(self, path: str, entry: NoteFindings) -> None:
        self._new[path] = entry

    def save(self, notes: Iterable[str], files: list[str], background: bool = False, checked: Iterable[str] | None = None) -> None:
        """Write the entries of ``notes`` (the vault's notes now: others drop out), the
        new over the stored, if any is new or the file list changed; the new ones'
        ``linked`` index ``files`` (the vault's file list now), and the stored ones are
        renumbered to match. ``checked``: the notes the run checked or took the findings
        of (``None``: all); after a change to the file list, which the run judged only
        those against, the stored entries of the others are dropped. ``background``:
        as ``NoteCache.save``."""
        stored = self._load()
        files_changed = bool(self._files) and self._files != files
        if not self._new and not files_changed:
            return
        if files_changed and checked is not None:
            judged = set(checked)
            stored = {path: entry for path, entry in stored.items() if path in judged}
        if stored and files_changed:
            numbers = {path: at for at, path in enumerate(files)}
            before = self._files

            def renumbered(entry: NoteFindings) -> NoteFindings:
                paths = [before[at] for at in entry.linked if at < len(before)]
                linked = tuple(numbers[path] for path in paths if path in numbers)
                # A linked note gone from the list keeps its place in the hash, which
                # then no longer matches: the note is checked again, as it must be.
                return replace(entry, linked=linked, linked_digest=entry.linked_digest if len(linked) == len(paths) else b"")

            stored = {path: renumbered(entry) for path, entry in stored.items()}
        entries = {path: self._new.get(path) or stored.get(path) for path in notes}
        entries = {path: entry for path, entry in entries.items() if entry is not None}
        # Kept findings may come from any earlier run: the names of all of them.
        prepared_names = self._prepared_names | self._new_prepared_names
        new = set(self._new)
        self._entries, self._new, self._files, self._prepared_names = entries, {}, list(files), prepared_names
        self._new_prepared_names = set()
        write_in_child(lambda: self._write(entries, self._files, prepared_names, new), background)

    def _write(self, entries: dict[str, NoteFindings], files: list[str], prepared_names: frozenset[str], new: set[str]) -> None:
        # Notes look up the same names (the vault's popular notes): one string each, which
        # the pickle then writes once (the file was four times as large with a copy each).
        # Those read from the file already are (the pickle restores them shared).
        shared: dict[str, str] = {}

        def one_copy(names: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if names is None else tuple([shared.setdefault(name, name) for name in names])

        entries = {
            path: NoteFindings(
                entry.digest, entry.linked, entry.linked_digest, entry.named_digest, entry.raw, entry.settled,
                one_copy(entry.names), one_copy(entry.names_prepared),
            ) if path in new else entry
            for path, entry in entries.items()
        }
        write_atomically(self.folder, self.file, (_NOTE_RESULTS_FORMAT, self.key, files, prepared_names, entries))
        remove_other_keys(self.folder, "note-results", self.file)


_NOTE_RESULTS_FORMAT = "vaultlint-note-results-4"


def processes_fork() -> bool:
    """Whether this platform's worker processes fork (Linux): the parallel steps (checking
    in workers, writing the cache in a child) need it."""
    import multiprocessing

    return hasattr(os, "fork") and multiprocessing.get_start_method(allow_none=False) == "fork"


# Child processes writing a cache (see NoteCache.save); waited for before the run ends.
_WRITERS: list[int] = []


def write_in_child(write: Callable[[], None], background: bool) -> bool:
    """Run ``write``; with ``background``, where processes fork, in a child process
    (waited for by :func:`wait_for_writers`), and say so. The child shares this process's
    memory, and the files it writes appear whole or not at all (atomic renames)."""
    if not (background and processes_fork()):
        write()
        return False
    pid = os.fork()
    if pid:
        _WRITERS.append(pid)
        return True
    try:
        write()
    finally:
        os._exit(0)


def wait_for_writers() -> None:
    """Wait until every cache this process left to a child process is written."""
    while _WRITERS:
        pid = _WRITERS.pop()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


# The base file: a pickled index, then the pickled notes back to back, each note's
# pickled paper summary, and the summaries' shared keys in buckets (``SharedKeyIndex``).
# The index holds, by note, its path, time, size, hash and where its note and summary
# lie. Loading it maps the rest instead of reading it, so a run that needs a few notes
# of a large vault reads only those, their summaries and the buckets of their keys: the
# summaries unpickled together were nine tenths of the index's loading time.
_BASE_FORMAT = "vaultlint-notes-3"
# Buckets of shared keys: a run about one note reads a few dozen of them.
KEY_BUCKETS = 256


def key_bucket(key: object) -> int:
    """The bucket of a summary's shared key: a hash that is the same in every process."""
    return zlib.crc32(repr(key).encode("utf-8", "surrogatepass")) % KEY_BUCKETS


def _base_parts(entries: dict[str, CachedNote]) -> list[bytes | memoryview]:
    """The base file's bytes, as the pickled index and then the rest's parts (not joined:
    that would copy tens of MB)."""
    paths = list(entries)
    parts: list[bytes | memoryview] = [entry.blob for entry in entries.values()]
    note_lengths = [len(blob) for blob in parts]
    summary_lengths: list[int] = []
    buckets: list[dict[object, list[int]]] = [{} for _ in range(KEY_BUCKETS)]
    for number, entry in enumerate(entries.values()):
        summary = entry.summary()
        if summary is None:
            summary_lengths.append(-1)
            continue
        blob = entry.summary_blob if entry.summary_blob is not None else pickle.dumps(summary, pickle.HIGHEST_PROTOCOL)
        parts.append(blob)
        summary_lengths.append(len(blob))
        for key in getattr(summary, "shared", ()):  # what the paper scope walk looks notes up by
            buckets[key_bucket(key)].setdefault(key, []).append(number)
    outline_lengths: list[int] = []
    for entry in entries.values():
        blob = entry.outline_blob
        if blob is None and entry.outline is not None:
            blob = pickle.dumps(entry.outline, pickle.HIGHEST_PROTOCOL)
        if blob is None:
            outline_lengths.append(-1)
        else:
            parts.append(blob)
            outline_lengths.append(len(blob))
    bucket_blobs = [pickle.dumps(bucket, pickle.HIGHEST_PROTOCOL) for bucket in buckets]
    parts += bucket_blobs
    index = (
        paths, [entry.mtime_ns for entry in entries.values()], [entry.size for entry in entries.values()],
        [entry.digest for entry in entries.values()], note_lengths, summary_lengths, outline_lengths,
        [len(blob) for blob in bucket_blobs],
    )
    total = sum(len(part) for part in parts)
    header = pickle.dumps((_BASE_FORMAT, total, index), protocol=pickle.HIGHEST_PROTOCOL)
    return [header, *parts]


class SharedKeyIndex:
    """The base file's notes by the keys their paper summaries share, read bucket by
    bucket from the mapped file when first asked for."""

    def __init__(self, paths: list[str], data: memoryview, spans: list[tuple[int, int]]) -> None:
        self._paths = paths
        self._data = data
        self._spans = spans
        self._buckets: dict[int, dict] = {}

    def notes_with(self, keys: Iterable[object]) -> set[str]:
        """The notes whose summary, as the base file holds it, shares one of ``keys``.
        Raises ``ValueError`` when the file is damaged."""
        found: set[str] = set()
        for key in keys:
            number = key_bucket(key)
            bucket = self._buckets.get(number)
            if bucket is None:
                start, end = self._spans[number]
                try:
                    bucket = self._buckets[number] = pickle.loads(self._data[start:end])
                except Exception as error:
                    raise ValueError("damaged key bucket") from error
            found.update(self._paths[at] for at in bucket.get(key, ()))
        return found


@contextmanager
def paused_gc():
    """No garbage collection while a large structure is unpickled or built: its
    objects all survive, and each full collection would walk every one of them
    again (it halves loading a 10,000-note cache)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_base(file: Path) -> tuple[dict[str, CachedNote], SharedKeyIndex] | None:
    """The base file's notes and key index, or ``None`` when it is missing, corrupt,
    truncated or from elsewhere."""
    with paused_gc():
        return _read_base_unpaused(file)


def _read_base_unpaused(file: Path) -> tuple[dict[str, CachedNote], SharedKeyIndex] | None:
    try:
        with open(file, "rb") as stream:
            tag, total, index = pickle.load(stream)
            start = stream.tell()
            if tag != _BASE_FORMAT or os.fstat(stream.fileno()).st_size != start + total:
                return None
            data = memoryview(_map(stream, start))
    except Exception:  # missing, truncated, corrupt or incompatible: start afresh
        return None
    try:
        paths, times, sizes, digests, note_lengths, summary_lengths, outline_lengths, bucket_lengths = index
        notes: dict[str, CachedNote] = {}
        offset = 0
        for path, mtime_ns, size, digest, length in zip(paths, times, sizes, digests, note_lengths):
            notes[path] = CachedNote(mtime_ns, size, digest, data[offset:offset + length])
            offset += length
        for entry, length in zip(notes.values(), summary_lengths):
            if length >= 0:
                entry.summary_blob = data[offset:offset + length]
                offset += length
        for entry, length in zip(notes.values(), outline_lengths):
            if length >= 0:
                entry.outline_blob = data[offset:offset + length]
                offset += length
        spans = []
        for length in bucket_lengths:
            spans.append((offset, offset + length))
            offset += length
        if offset != total or len(notes) != len(paths) or len(spans) != KEY_BUCKETS:
            return None
    except (TypeError, ValueError):
        return None
    return notes, SharedKeyIndex(paths, data, spans)


def _map(stream, start: int):
    """The bytes of an open file from ``start``: mapped where a mapped file may later be
    replaced (POSIX), read otherwise (Windows cannot rename over a mapped file)."""
    if os.name == "posix":
        import mmap

        try:
            return memoryview(mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ))[start:]
        except (OSError, ValueError):  # an empty or unmappable file
            pass
    stream.seek(start)
    return stream.read()


def _detached(entry: CachedNote | None) -> CachedNote | None:
    """An entry whose bytes no longer point into the mapped base file (to pickle it)."""
    if entry is None or not any(isinstance(blob, memoryview) for blob in (entry.blob, entry.summary_blob, entry.outline_blob)):
        return entry

    # Each kept once: pickled if it came pickled, else as the object.
    summary, summary_blob = (entry.paper_summary, None) if entry.summary_blob is None else (None, bytes(entry.summary_blob))
    outline, outline_blob = (entry.outline, None) if entry.outline_blob is None else (None, bytes(entry.outline_blob))
    return CachedNote(entry.mtime_ns, entry.size, entry.digest, bytes(entry.blob), summary, summary_blob, outline, outline_blob)


def _read_pickle(file: Path) -> dict | None:
    """A cache file's mapping, or ``None`` when it is missing, corrupt or from elsewhere."""
    try:
        with open(file, "rb") as stream:
            data = pickle.load(stream)
    except Exception:  # missing, truncated, corrupt or incompatible: start afresh
        return None
    if isinstance(data, dict) and all(entry is None or isinstance(entry, CachedNote) for entry in data.values()):
        return data
    return None


# How long the files of another key (another vaultlint version, or parser) are kept after
# that key's last use: two versions taking turns on one vault (pre-commit's pinned one and
# a user's) would otherwise each delete the other's cache and parse every note again.
OTHER_KEY_KEPT_FOR_NS = 7 * 24 * 3600 * 10**9


def remove_other_keys(folder: Path, kind: str, kept: Path) -> None:
    """Remove the ``kind`` files (``<kind>-<key>...pickle``) of keys other than ``kept``'s,
    but those of the most recently used other key, if it was used within a week (a load
    marks a file used: :func:`mark_used`)."""
    def key_of(file: Path) -> str:
        return file.name[len(kind) + 1:].split(".")[0]

    own = key_of(kept)
    others: dict[str, list[tuple[int, Path]]] = {}
    for file in folder.glob(f"{kind}-*.pickle"):
        key = key_of(file)
        if key != own:
            try:
                others.setdefault(key, []).append((file.stat().st_mtime_ns, file))
            except OSError:
                continue
    recent = max(others, key=lambda key: max(others[key])[0], default=None)
    if recent is not None and max(others[recent])[0] < time.time_ns() - OTHER_KEY_KEPT_FOR_NS:
        recent = None
    for key, files in others.items():
        if key != recent:
            for _, file in files:
                file.unlink(missing_ok=True)


def mark_used(file: Path) -> None:
    """Date a cache file now, as used (see :func:`remove_other_keys`); nothing in a read-only vault."""
    try:
        os.utime(file)
    except OSError:
        pass


def mark_ignored(folder: Path, what: str = "the cache is local to this machine") -> None:
    """Create ``folder`` with a ``.gitignore`` that ignores everything in it."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / ".gitignore"
    if not marker.exists():
        marker.write_text(f"# Created by vaultlint; {what}.\n*\n", encoding="utf-8")


def write_bytes_atomically(file: Path, *parts: bytes | memoryview) -> None:
    """Write ``parts`` one after the other through a temporary file in the same folder,
    then rename: never half-written."""
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.writelines(parts)
        os.replace(temporary, file)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_atomically(folder: Path, file: Path, data: object) -> None:
    """Pickle ``data`` to ``file``; a read-only vault is no error, just no cache."""
    try:
        mark_ignored(folder)
        write_bytes_atomically(file, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass


def clear_cache(folder: Path) -> bool:
    """Remove a vaultlint cache folder; only one vaultlint made (it holds our .gitignore)."""
    if not (folder / ".gitignore").is_file():
        return False
    for child in folder.iterdir():
        if child.is_file():
            child.unlink()
    try:
        folder.rmdir()
    except OSError:
        return False
    return True


@contextmanager
def stat_in(root: Path) -> Iterator[Callable[[str], os.stat_result]]:
    """``os.stat`` of vault paths, relative to an open descriptor of the root where the
    platform allows it: no joined path and a shorter lookup for each note, which a
    pre-commit run of a large vault does for every file (about 13 ms at 10,000 notes)."""
    descriptor = None
    if os.stat in os.supports_dir_fd:
        try:
            descriptor = os.open(root, os.O_RDONLY)
        except OSError:
            pass  # each note's stat then fails or succeeds on its own
    if descriptor is None:
        root_text = str(root)
        yield lambda path: os.stat(os.path.join(root_text, path))
        return
    try:
        yield lambda path: os.stat(path, dir_fd=descriptor)
    finally:
        os.close(descriptor)


class ResultCache:
    """The findings of the last run, replayed when nothing that decides them changed.

    The key covers vaultlint's version, every file path of the vault, the hash of
    every note, Obsidian's settings, the rules with their options and origin,
    the notes reported and any other run settings the caller passes. Online
    checks are never replayed: their answers live in their own caches.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / f"results-{cache_key()}.pickle"

    @staticmethod
    def keys(vault, rules, paths, settings: str = "", scope: str = "") -> tuple[bytes, bytes]:
        """The key of this run's findings as a whole, and the key of what decides each
        note's findings besides notes and the vault's file list (see
        :class:`NoteResultCache`): vaultlint's code, the rules and their options, the
        configuration and Obsidian's settings. The first adds the file list, the notes'
        hashes, the other files' sizes and times, the hidden folders' files (which
        rules that say nothing of what they read may read), the notes reported and
        their ``scope``."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(cache_key().encode())
        digest.update(repr(vault.settings).encode())
        for rule in rules:
            origin = f"{type(rule).__module__}.{type(rule).__qualname__}"
            digest.update(f"{rule.code}|{origin}|{sorted(rule.settings.items())!r}\n".encode())
        # Every source file of the package, not just the modules imported so far: what
        # a run imports depends on what it had to parse, and must not change the key.
        code_files = {str(file) for file in _PACKAGE.rglob("*.py")}
        code_files |= {getattr(sys.modules[type(rule).__module__], "__file__", None) or "" for rule in rules}
        code_files.discard("")
        digest.update(_code_stamp(sorted(code_files)).encode())
        digest.update(settings.encode())
        notes_key = digest.digest()
        # Joined, then hashed at once: a pre-commit run hashes every path of the vault.
        digest.update("".join(f"{path}\0" for path in vault.files).encode("utf-8", "surrogatepass"))
        with stat_in(vault.root) as stat_in_root:
            for path in vault.files:
                if path not in vault.digests:  # attachments, canvases: their stat stands for their bytes
                    try:
                        stat = stat_in_root(path)
                        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode("utf-8", "surrogatepass"))
                    except OSError:
                        digest.update(b"?")
        # Hidden folders are not vault files, yet rules read them: Obsidian's settings
        # (template folders, app.json) and what is already in the trash (move targets).
        for hidden in (".obsidian", ".trash"):
            for folder, _, names in os.walk(os.path.join(vault.root, hidden)):
                for name in sorted(names):
                    try:
                        stat = os.stat(os.path.join(folder, name))
                    except OSError:
                        continue
                    digest.update(f"{folder}/{name}:{stat.st_mtime_ns}:{stat.st_size}\n".encode("utf-8", "surrogatepass"))
        digests = vault.digests
        digest.update(b"".join(path.encode("utf-8", "surrogatepass") + b"\1" + digests[path] for path in sorted(digests)))
        digest.update("\0".join(paths).encode("utf-8", "surrogatepass"))
        digest.update(scope.encode())
        return digest.digest(), notes_key

    def get(self, key: bytes) -> list | None:
        # The findings are kept pickled inside the file, so that a run whose key differs
        # (one edited note, the pre-commit case) does not unpickle the whole last run's.
        try:
            with open(self.file, "rb") as stream:
                stored_key, findings = pickle.load(stream)
            return pickle.loads(findings) if stored_key == key else None
        except Exception:
            return None

    def put(self, key: bytes, findings: list) -> None:
        write_atomically(self.folder, self.file, (key, pickle.dumps(findings, pickle.HIGHEST_PROTOCOL)))
        remove_other_keys(self.folder, "results", self.file)
