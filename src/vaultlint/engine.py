"""Runs the selected rules over the notes chosen for reporting; knows no rule by name.

Per note: the rules that apply to it (``ignored_for`` drops those a per-file ignore
turns off), then the note's suppressions (``suppressions.py``), then the rules that
judge suppressions themselves (any rule with a ``check_suppressions`` method, such
as unused-suppression), then fixes of unfixable rules are dropped. After the notes,
once per run, each rule's ``check_vault`` hook (findings about the vault as a whole,
such as files no note references), kept within ``scope`` and per-file ignores.

Before the notes, each rule's ``prepare`` hook builds what all checks share. An
offline run of many notes is checked in forked worker processes (where the platform
forks), at a lower priority than this one. When every rule that prepares names the
notes it needs prepared for (``Rule.prepared_for``), the workers start at once and
run the other rules, while this process prepares and runs the rules that prepare on
the notes they named, settling those notes' suppressions with what the workers found
there; otherwise the workers start once the rules have prepared, inherit what they
built, and check notes whole. The vault-wide hooks run here while the workers check
(they need no per-note finding). Runs go without the cyclic garbage collector.

Given ``results`` (a ``NoteResultCache``), a run takes each note's findings from
earlier runs where nothing they depend on changed (``Rule.reads``; see ``_reuse``),
checks only the other notes, and keeps what it found for later runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from .cache import NoteFindings, NoteResultCache, linked_digest, processes_fork
from .diagnostics import Finding
from .note import Note
from .obsidian import EVERY_NAME, file_name_key, looked_up_names, names_touched
from .rule import READS_ANYTHING, READS_LINKED, READS_NOTE, READS_PREPARED, Context, Rule
from .suppressions import Suppressions, parse
from .vault import NOTE_EXTENSIONS, Vault

Progress = Callable[[int, int], None]


class RuleCrash(Exception):
    """A rule raised on a note: reported as an internal error naming both."""

    def __init__(self, rule: Rule, path: str, error: BaseException) -> None:
        super().__init__(f"internal error: rule {rule.code} ({rule.name}) failed on {path}: {type(error).__name__}: {error}")

    def __reduce__(self):
        # Crosses back from a worker process as its message.
        return (_crash_from_message, (str(self),))


def _crash_from_message(message: str) -> RuleCrash:
    crash = RuleCrash.__new__(RuleCrash)
    Exception.__init__(crash, message)
    return crash


# Below this many notes, forking workers for the checks costs more than it saves.
PARALLEL_MIN_NOTES = 200
# How much lower than the main process a worker runs (see ``_start_worker``).
WORKER_NICENESS = 10
# The linter a forked worker checks its notes with, and the notes whose findings it
# leaves unsettled (see ``_check_in_worker``): inherited from the parent, not pickled.
_WORKER_LINTER: Linter | None = None
_WORKER_NEEDED: frozenset[str] | None = None


def _check_in_worker(paths: list[str]) -> tuple[int, list[Finding], dict[str, list[Finding]], dict[str, NoteFindings]]:
    """The notes' findings, and what the run keeps of each note for the next (when it
    keeps any: ``Linter.results``). With ``_WORKER_NEEDED`` set, the worker was forked
    before the rules prepared: it leaves out the rules that prepare, and returns the
    findings of the notes in ``_WORKER_NEEDED`` apart, before their suppressions, for
    the main process to settle once it has added what those rules find there."""
    linter, needed = _WORKER_LINTER, _WORKER_NEEDED
    assert linter is not None
    if needed is None:
        found = [finding for path in paths for finding in linter.check_note(path)]
        return len(paths), found, {}, linter._take_kept(paths)
    settled: list[Finding] = []
    unsettled: dict[str, list[Finding]] = {}
    for path in paths:
        rules = linter.rules_for(path)
        if path in needed:
            findings = linter._checks(path, [rule for rule in rules if not _prepares(rule)])
            unsettled[path] = findings
            if linter.results is not None:
                linter._keep(path, None)  # settled with what the rules that prepare find, each run
        else:
            # The rules that prepare find nothing here, but what they found before is
            # taken (a note checked again only because a note it links to changed).
            findings = linter._checks(path, rules, unprepared=True)
            note_findings = linter._settle(linter.vault.notes[path], rules, findings)
            settled.extend(note_findings)
            if linter.results is not None:
                linter._keep(path, note_findings)
    return len(paths), settled, unsettled, linter._take_kept(paths)


_FILE_NUMBERS = "vaultlint.engine.file-numbers"


def _with_names(looked: list[set[str] | None], entry: NoteFindings) -> list[set[str] | None]:
    """``looked`` (see ``Linter._checks``) with the names ``entry``'s rules looked up."""
    return [
        None if mine is None or theirs is None else mine.union(theirs)
        for mine, theirs in zip(looked, (entry.names, entry.names_prepared))
    ]


def _frozen_names(names: set[str] | None) -> tuple[str, ...] | None:
    # A tuple: one per note in the kept findings' file, which pickles a tuple faster.
    return None if names is None or EVERY_NAME in names else tuple(names)


def _prepares(rule: Rule) -> bool:
    return type(rule).prepare is not Rule.prepare


def _chunks(paths: list[str], workers: int) -> list[list[str]]:
    """Strided, so that each chunk mixes notes from all over the vault (long index
    notes cluster in folders) and the workers finish together."""
    size = max(1, min(64, len(paths) // (workers * 8)))
    count = max(1, len(paths) // size)
    return [paths[start::count] for start in range(count)]


def _start_worker() -> None:
    # A worker lives for one run and builds no cycles worth collecting; the notes it
    # unpickles would otherwise set off full collections over an ever larger heap.
    import gc

    gc.disable()
    # The main process prepares and checks the notes that need what it prepares while
    # the workers check the rest: it is the longest chain, so it goes first for a core.
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass


class Linter:
    def __init__(
        self,
        vault: Vault,
        rules: Iterable[Rule],
        context: Context | None = None,
        *,
        ignored_for: Callable[[str], frozenset[str]] | None = None,
        fixable: Callable[[str], bool] | None = None,
        progress: Progress | None = None,
        scope: Callable[[str], bool] | None = None,
        jobs: int | None = 1,
        results: NoteResultCache | None = None,
    ) -> None:
        self.vault = vault
        self.rules = list(rules)
        self.context = context or Context(vault)
        self.ignored_for = ignored_for
        self.fixable = fixable
        self.progress = progress
        # Which files that are not notes vault-wide findings may be reported for
        # (the paths the run was given, minus exclusions); None: every file.
        self.scope = scope
        # Worker processes for checking notes (None: one per core). Offline runs of
        # many notes only: online rules batch their requests per run, in one process.
        self.jobs = jobs
        # Each note's findings from earlier runs, taken where nothing they depend on
        # changed and kept for later ones (see ``_reuse``); None: none kept.
        self.results = results
        # By note, the findings of earlier runs this run takes, by rule (see ``_reuse``).
        self._reused: dict[str, dict[str, tuple[Finding, ...]]] = {}
        # By note, what this run found, to keep (see ``_keep``).
        self._kept: dict[str, NoteFindings] = {}
        # By note, its findings by rule and the other notes the rules read, until kept.
        self._raw_kept: dict[str, tuple[dict[str, tuple[Finding, ...]], tuple[str, ...], list[set[str] | None]]] = {}
        # While findings are kept: the notes the rules that prepare named (None: some
        # rule did not say), the hash of their bytes, and the rules whose findings are
        # all taken, which need not prepare.
        self._named: set[str] | None = None
        self._named_digest = b""
        self._taken_whole: set[str] = set()
        # The notes whose findings by those rules may have changed since they were kept,
        # the only ones they check again (None: they could not tell; see ``_prepared_changed``).
        self._affected: frozenset[str] | None = None
        self._known: dict[str, str] | None = None
        # The names of the files added, removed or renamed since the findings were kept;
        # whether what the rules that prepare built from the file list may have changed
        # with them; and the file names their preparation looked up in this run.
        self._changed_names: frozenset[str] = frozenset()
        self._prepared_stale = False
        self.prepared_names: set = set()

    def rules_for(self, path: str) -> list[Rule]:
        if self.ignored_for is None:
            return self.rules
        ignored = self.ignored_for(path)
        return [rule for rule in self.rules if rule.code not in ignored] if ignored else self.rules

    def _resolve_code(self, key: str) -> str | None:
        """A code or rule name (any installed rule, selected or not) as a code."""
        if self._known is None:
            from .registry import RegistryError, discover_rules

            known: dict[str, str] = {}
            try:
                for code, entry in discover_rules().items():
                    known[code] = code
                    known[entry.cls.name] = code
            except RegistryError:
                pass
            for rule in self.rules:
                known[rule.code] = rule.code
                known[rule.name] = rule.code
            self._known = known
        return self._known.get(key.upper()) or self._known.get(key.lower())

    def describe(self, code: str) -> str:
        self._resolve_code(code)
        names = {value: key for key, value in (self._known or {}).items() if key != value}
        return names.get(code, code)

    def check_note(self, path: str) -> list[Finding]:
        rules = self.rules_for(path)
        findings = self._checks(path, rules)
        findings = self._settle(self.vault.notes[path], rules, findings)
        if self.results is not None:
            self._keep(path, findings)
        return findings

    def _checks(self, path: str, rules: Iterable[Rule], unprepared: bool = False) -> list[Finding]:
        """What the rules find in the note at ``path``, before its suppressions: taken from
        an earlier run where ``_reuse`` allowed, and noted for later runs when kept. The
        note is unpickled only for a rule that checks it: after an edit to a note the paper
        index reads, a worker has no other rule to run on the other such notes. With
        ``unprepared`` (in a worker forked before the rules prepared, for a note none of
        them named), the rules that prepare find nothing but what is taken."""
        findings: list[Finding] = []
        note: Note | None = None
        reused = self._reused.get(path, {})
        keeping = self.results is not None
        by_rule: dict[str, tuple[Finding, ...]] = {}
        linked: set[str] = set()
        # What the kept rules looked up (``FileIndex.looked_up``), of the rules that read
        # notes and of those that prepare; None: some rule may have read every name.
        looked: list[set | None] = [set(), set()]
        index = self.vault.index
        for rule in rules:
            reads = rule.reads_in(self.context) if keeping else READS_ANYTHING
            found = reused.get(rule.code)
            if found is None and _prepares(rule) and (unprepared or (keeping and self._named is not None and path not in self._named)):
                found = ()  # as promised (prepared_for): nothing to find here
            if found is None:
                if note is None:
                    note = self.vault.notes[path]
                # The notes a rule that reads linked notes asks for, its findings' other inputs.
                asked = self.vault.notes.asked = set() if reads == READS_LINKED else None
                group = 1 if reads == READS_PREPARED else 0
                if looked[group] is not None and reads != READS_ANYTHING and not (rule.online_only and not self.context.online):
                    if rule.looks_up_files:
                        index.looked_up = looked[group]
                    else:
                        looked[group] = None
                try:
                    found = tuple(rule.check(note, self.context))
                except Exception as error:
                    raise RuleCrash(rule, path, error) from error
                finally:
                    self.vault.notes.asked = None
                    index.looked_up = None
                if asked:
                    linked |= asked
            if found and reads != READS_ANYTHING:
                by_rule[rule.code] = found  # kept only when there are any: most rules find nothing
            findings.extend(found)
        if keeping:
            looked = [None if recorded is None else looked_up_names(recorded) for recorded in looked]
            previous = reused and self.results.get(path)
            if previous:
                # What the rules taken from that run read.
                linked.update(self.results.linked_paths(previous))
                looked = _with_names(looked, previous)
            linked.discard(path)
            self._raw_kept[path] = (by_rule, tuple(sorted(linked)), looked)
        return findings

    # --- findings kept between runs (``results``) --------------------------------------

    def _reuse(self, chosen: list[str], named: set[str] | None) -> tuple[list[Finding], list[str]]:
        """The findings of earlier runs this run can take, and the notes it must check.

        A note's findings by a rule are taken when the note's bytes are those it had
        (the results' key covers the rest: which rules check it, with what options, in
        which vault) and the rule reads only the note (``READS_NOTE``),
        also other notes whose bytes are unchanged too (``READS_LINKED``: those it read
        in that note), or prepares and reads only the notes the rules that prepare
        named, which are the same notes with the same bytes (``READS_PREPARED``); what
        else they depend on is in the results' key. A note is not checked at all when
        every rule that checks it is taken so, but for rules that prepare and did not
        name it (``named``: they find nothing there); its findings after suppressions
        are then those it had. The rest are checked, with the findings taken.
        """
        assert self.results is not None
        vault = self.vault
        digests = vault.digests
        taken: list[Finding] = []
        to_check: list[str] = []
        changed_names = self._changed_names
        for path in chosen:
            entry = self.results.get(path)
            rules = self.rules_for(path)
            if entry is None or entry.digest != digests.get(path) or path in vault.timed_out:
                to_check.append(path)
                continue
            linked_unchanged = entry.linked_digest == linked_digest(self.results.linked_paths(entry), digests)
            names_unchanged = not changed_names or (entry.names is not None and not names_touched(entry.names, changed_names))
            if changed_names and (
                self._prepared_stale or entry.names_prepared is None or names_touched(entry.names_prepared, changed_names)
            ):
                named_unchanged = False
            elif self._affected is not None:
                named_unchanged = named is not None and path not in self._affected
            else:
                named_unchanged = named is not None and entry.named_digest == self._named_digest
            usable: dict[str, tuple[Finding, ...]] = {}
            for rule in rules:
                reads = rule.reads_in(self.context)
                if (
                    (reads == READS_NOTE and names_unchanged)
                    or (reads == READS_LINKED and linked_unchanged and names_unchanged)
                    or (reads == READS_PREPARED and named_unchanged and _prepares(rule))
                ):
                    usable[rule.code] = entry.raw.get(rule.code, ())
            again = [
                rule for rule in rules
                if rule.code not in usable and not (_prepares(rule) and named is not None and path not in named)
            ]
            if not again and entry.settled is not None:
                taken.extend(entry.settled)
            else:
                self._reused[path] = usable
                to_check.append(path)
        # A rule that prepares need not, when its findings are taken in every note it named.
        self._taken_whole = {
            rule.code for rule in self.rules
            if _prepares(rule) and rule.reads_in(self.context) == READS_PREPARED and type(rule).check_vault is Rule.check_vault
            and named is not None
            and all(rule.code in self._reused.get(path, ()) for path in to_check if path in named)
        }
        return taken, to_check

    def _changed_file_names(self) -> frozenset[str]:
        """The names (``obsidian.file_name_key``) of the files added, removed or renamed
        since the kept findings were kept: a kept finding that looked none of them up
        still holds (``Rule.looks_up_files``)."""
        assert self.results is not None
        before, now = self.results.files, self.vault.files
        if not before or before == now:  # none kept, or the same files
            return frozenset()
        return frozenset(file_name_key(path) for path in set(before).symmetric_difference(now))

    def _keep(self, path: str, settled: list[Finding] | None) -> None:
        """Keep what this run found in the note at ``path`` (see ``_checks``) for later runs."""
        by_rule, linked, looked = self._raw_kept.pop(path, ({}, (), [None, None]))
        vault = self.vault
        digest = vault.digests.get(path)
        if digest is None or path in vault.timed_out or path in vault._rewritten:
            return
        earlier = self._kept.get(path)  # a worker's, for a note this process settles
        if earlier is not None:
            by_rule = {**earlier.raw, **by_rule}
            linked = tuple(sorted({*self._paths_of(earlier.linked), *linked}))
            looked = _with_names(looked, earlier)
        numbers = self._file_numbers()
        self._kept[path] = NoteFindings(
            digest,
            tuple(numbers[linked_path] for linked_path in linked if linked_path in numbers),
            linked_digest(linked, vault.digests),
            self._named_digest,
            by_rule,
            None if settled is None else tuple(settled),
            _frozen_names(looked[0]),
            _frozen_names(looked[1]),
        )

    def _file_numbers(self) -> dict[str, int]:
        """Each file's place in the vault's file list, by which kept findings name notes."""
        numbers = self.vault.memo.get(_FILE_NUMBERS)
        if numbers is None or numbers[0] is not self.vault.files:
            numbers = self.vault.memo[_FILE_NUMBERS] = (self.vault.files, {path: at for at, path in enumerate(self.vault.files)})
        return numbers[1]

    def _paths_of(self, numbers: tuple[int, ...]) -> list[str]:
        files = self.vault.files
        return [files[at] for at in numbers if at < len(files)]

    def _take_kept(self, paths: list[str]) -> dict[str, NoteFindings]:
        """What a worker keeps of its notes, handed to the main process."""
        return {path: self._kept.pop(path) for path in paths if path in self._kept}

    def _settle(self, note: Note, rules: list[Rule], findings: list[Finding]) -> list[Finding]:
        """The note's findings after its suppressions, with the judges of suppressions'
        findings (``rules``: all that checked the note), without unfixable fixes."""
        suppressions: Suppressions | None = parse(note, self._resolve_code)
        if suppressions:
            findings = suppressions.apply(findings)
            ran = {rule.code for rule in rules}
            for rule in rules:
                if hasattr(rule, "check_suppressions"):
                    try:
                        findings.extend(rule.check_suppressions(note, suppressions, ran, self))
                    except Exception as error:
                        raise RuleCrash(rule, note.path, error) from error
        if self.fixable is not None:
            findings = [self._without_fix(f) if f.fix is not None and not self.fixable(f.code) else f for f in findings]
        return findings

    @staticmethod
    def _without_fix(finding: Finding) -> Finding:
        from dataclasses import replace

        return replace(finding, fix=None)

    def run(self, paths: Iterable[str]) -> list[Finding]:
        import gc

        # A run builds many objects and few cycles: collections while it goes would walk
        # the growing heap again and again; the cycles it leaves are collected after it.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run(paths)
        finally:
            if collecting:
                gc.enable()

    def _run(self, paths: Iterable[str]) -> list[Finding]:
        findings: list[Finding] = []
        chosen = [path for path in paths if path in self.vault.notes]
        self.context.begin_run(chosen)
        self._reused, self._kept, self._raw_kept, self._taken_whole = {}, {}, {}, set()
        self._named, self._named_digest, self._affected = None, b"", None
        self.prepared_names = set()
        to_check = chosen
        if self.context.online:
            self.results = None  # what online checks find is not the notes' alone
        if self.results is not None:
            self._file_numbers()  # built once here, inherited by the workers
            self._changed_names = self._changed_file_names()
            kept_names = self.results.prepared_names
            self._prepared_stale = bool(self._changed_names) and (kept_names is None or names_touched(kept_names, self._changed_names))
            self._affected = self._prepared_changed()
            if self._affected:
                self.context.prepared_focus = tuple(sorted(self._affected))
            named = self._needing_preparation()
            if named is not None:
                self._named = set(named)
                self._named_digest = linked_digest(sorted(self._named), self.vault.digests)
            taken, to_check = self._reuse(chosen, self._named)
            findings.extend(taken)
        workers = self._workers(len(to_check))
        if workers > 1:
            findings.extend(self._check_in_workers(to_check, workers, meanwhile=lambda: self.check_vault(chosen)))
        else:
            self._prepare()
            for done, path in enumerate(to_check, 1):
                findings.extend(self.check_note(path))
                if self.progress is not None:
                    self.progress(done, len(to_check))
            findings.extend(self.check_vault(chosen))
        if self.results is not None:
            for path, entry in self._kept.items():
                self.results.put(path, entry)
            self.results.add_prepared_names(looked_up_names(self.prepared_names))
            self._reused, self._kept, self._raw_kept, self._taken_whole = {}, {}, {}, set()
        findings.sort(key=lambda finding: finding.sort_key)
        return findings

    def _prepare(self) -> None:
        # What the rules build from the file list, by the names they look up (see
        # ``_reuse``): kept with the findings, for later runs to compare.
        self.vault.index.looked_up = self.prepared_names
        try:
            for rule in self.rules:
                if rule.code in self._taken_whole:
                    continue
                if not rule.looks_up_files and rule.reads_in(self.context) == READS_PREPARED:
                    self.prepared_names.add((EVERY_NAME,))  # it may build on any file's name
                try:
                    rule.prepare(self.context)
                except Exception as error:
                    raise RuleCrash(rule, "the vault as a whole", error) from error
        finally:
            self.vault.index.looked_up = None

    def _prepared_changed(self) -> frozenset[str] | None:
        """The notes whose findings by the rules that prepare may differ from those kept
        (see ``Rule.prepared_changed``), given the notes whose bytes changed since;
        ``None`` when one of those rules cannot tell, or does not say what it reads."""
        assert self.results is not None
        if self._prepared_stale:
            return None
        digests, timed_out = self.vault.digests, self.vault.timed_out
        earlier: dict[str, bytes | None] = {}
        before = set(self.results.files) if self._changed_names else None
        for path in self.vault.notes:
            entry = self.results.get(path)
            if entry is None or entry.digest != digests.get(path) or path in timed_out:
                if entry is None:
                    earlier[path] = b"" if before is not None and path not in before else None  # added since, or unknown
                else:
                    earlier[path] = entry.digest
        if before is not None:
            for path in before.difference(self.vault.files):
                if path.lower().endswith(NOTE_EXTENSIONS):
                    entry = self.results.get(path)
                    earlier[path] = None if entry is None else entry.digest  # removed since
        affected: set[str] = set()
        for rule in self.rules:
            if not _prepares(rule):
                continue
            if rule.reads_in(self.context) != READS_PREPARED:
                return None
            try:
                changed = rule.prepared_changed(self.context, earlier)
            except Exception as error:
                raise RuleCrash(rule, "the vault as a whole", error) from error
            if changed is None:
                return None
            affected.update(changed)
        return frozenset(affected)

    def _needing_preparation(self) -> set[str] | None:
        """The notes some rule's check needs prepared for (see ``Rule.prepared_for``);
        ``None`` when a rule that prepares does not say which."""
        needed: set[str] = set()
        for rule in self.rules:
            if _prepares(rule):
                try:
                    named = rule.prepared_for(self.context)
                except Exception as error:
                    raise RuleCrash(rule, "the vault as a whole", error) from error
                if named is None:
                    return None
                needed.update(named)
        return needed

    def _workers(self, notes: int) -> int:
        wanted = self.jobs or os.cpu_count() or 1
        if wanted <= 1 or notes < PARALLEL_MIN_NOTES or self.context.online or not processes_fork():
            return 1
        return wanted

    def _check_in_workers(self, chosen: list[str], workers: int, meanwhile: Callable[[], list[Finding]]) -> list[Finding]:
        """Prepare, and check the notes in forked processes; the same findings as
        checking them here, in any order.

        When every rule that prepares names the notes it needs prepared for
        (``Rule.prepared_for``), the workers are forked first and run every other
        rule on every note while this process prepares and then runs those rules on
        those notes (mostly notes it has already unpickled), which it settles with
        what the workers found there. Otherwise the workers are forked after the
        rules prepared, inherit what they built, and check notes whole. Either way
        each note is unpickled by one worker at most. ``meanwhile`` (the vault-wide
        hooks, which need no per-note finding) runs here while the workers check,
        rather than after them with the other cores idle.
        """
        import multiprocessing

        global _WORKER_LINTER, _WORKER_NEEDED
        named = self._needing_preparation()
        needed = None if named is None else frozenset(path for path in chosen if path in named)
        if needed is None:
            self._prepare()
        fork = multiprocessing.get_context("fork")
        findings: list[Finding] = []
        prepared: dict[str, list[Finding]] = {}
        _WORKER_LINTER, _WORKER_NEEDED = self, needed
        try:
            with fork.Pool(workers, initializer=_start_worker) as pool:
                results = pool.imap_unordered(_check_in_worker, _chunks(chosen, workers))
                if needed is not None:
                    self._prepare()
                    for path in needed:
                        rules = [rule for rule in self.rules_for(path) if _prepares(rule)]
                        prepared[path] = self._checks(path, rules)
                findings.extend(meanwhile())
                done = 0
                for checked, found, early, kept in results:
                    findings.extend(found)
                    self._kept.update(kept)
                    # Settled as they come, while the workers go on, rather than all
                    # after the last (0.1 s at 10,000 notes with a core idle).
                    for path, unsettled in early.items():
                        note_findings = self._settle(self.vault.notes[path], self.rules_for(path), unsettled + prepared[path])
                        findings.extend(note_findings)
                        if self.results is not None:
                            self._keep(path, note_findings)
                    done += checked
                    if self.progress is not None:
                        self.progress(done, len(chosen))
        finally:
            _WORKER_LINTER = _WORKER_NEEDED = None
        return findings

    # --- vault-wide checks (Rule.check_vault) ----------------------------------------

    def check_vault(self, chosen: list[str]) -> list[Finding]:
        """Findings of the vault-wide checks, once per run.

        A finding on a note is kept when that note is among those checked, and the
        note's suppressions apply to it; on any other file (an attachment) when
        ``scope`` accepts its path. Per-file ignores apply to both.
        """
        checked = set(chosen)
        kept: list[Finding] = []
        for rule in self.rules:
            try:
                found = list(rule.check_vault(self.context))
            except Exception as error:
                raise RuleCrash(rule, "the vault as a whole", error) from error
            for finding in found:
                path = finding.path
                if path in self.vault.notes:
                    if path not in checked:
                        continue
                elif self.scope is not None and not self.scope(path):
                    continue
                if self.ignored_for is not None and rule.code in self.ignored_for(path):
                    continue
                kept.append(finding)
        by_note: dict[str, list[Finding]] = {}
        for finding in kept:
            if finding.path in self.vault.notes:
                by_note.setdefault(finding.path, []).append(finding)
        if by_note:
            kept = [finding for finding in kept if finding.path not in by_note]
            for path, group in by_note.items():
                suppressions = parse(self.vault.notes[path], self._resolve_code)
                kept.extend(suppressions.apply(group) if suppressions else group)
        if self.fixable is not None:
            kept = [self._without_fix(f) if f.fix is not None and not self.fixable(f.code) else f for f in kept]
        return kept
