"""Checking notes in forked workers gives exactly the findings of checking them in one process."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from vaultlint import engine
from vaultlint.cache import processes_fork
from vaultlint import vault as vault_module
from vaultlint.engine import Linter, RuleCrash
from vaultlint.papers import paper_readers
from vaultlint.registry import discover_rules
from vaultlint.rule import Rule
from vaultlint.source import Span
from vaultlint.vault import Vault

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from generate_vault import generate  # noqa: E402

pytestmark = pytest.mark.skipif(not processes_fork(), reason="notes are checked in workers only where processes fork")


def _offline_rules():
    return [entry.cls() for entry in discover_rules().values() if entry.cls.__module__.startswith("vaultlint.")]


def _vault(tmp_path: Path, source: str, seed: int = 0) -> Path:
    """The example vault, or a generated one of 120 notes."""
    root = tmp_path / "vault"
    if source == "example":
        shutil.copytree(REPO / "examples" / "research-vault", root)
    else:
        generate(root, 120, seed=seed)
    return root


@pytest.fixture
def forking(monkeypatch):
    monkeypatch.setattr(engine, "PARALLEL_MIN_NOTES", 5)


@pytest.mark.parametrize("source", ["example", "generated"])
def test_workers_report_what_one_process_reports(tmp_path: Path, forking, source: str) -> None:
    root = _vault(tmp_path, source, seed=4)
    serial_vault = Vault.load(root, use_cache=False)
    serial = Linter(serial_vault, _offline_rules(), jobs=1).run(sorted(serial_vault.notes))
    parallel_vault = Vault.load(root, use_cache=False)
    calls = []
    original = engine.Linter._check_in_workers
    parallel_linter = Linter(parallel_vault, _offline_rules(), jobs=2)
    parallel_linter._check_in_workers = lambda chosen, workers, meanwhile: calls.append(workers) or original(
        parallel_linter, chosen, workers, meanwhile
    )
    parallel = parallel_linter.run(sorted(parallel_vault.notes))
    assert calls == [2]
    assert serial and parallel == serial


class Explodes(Rule):
    code = "VL999"
    name = "explodes"
    summary = "Raises on one note."

    def check(self, note, context):
        if note.path.endswith("Agents.md"):
            raise ValueError("boom")
        return ()


def test_a_rule_crash_in_a_worker_names_the_rule_and_note(tmp_path: Path, forking) -> None:
    root = _vault(tmp_path, "example")
    vault = Vault.load(root, use_cache=False)
    with pytest.raises(RuleCrash, match=r"rule VL999 \(explodes\) failed on Papers/Language models/Agents.md: ValueError: boom"):
        Linter(vault, [Explodes()], jobs=2).run(sorted(vault.notes))


class JudgesBadly(Rule):
    code = "VL998"
    name = "judges-badly"
    summary = "Raises when it judges a note's suppressions."

    def check(self, note, context):
        return ()

    def check_suppressions(self, note, suppressions, ran, linter):
        raise ValueError("no verdict")


def test_a_crash_judging_suppressions_names_the_rule_and_note(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    root.mkdir()
    (root / "Noted.md").write_text("%% vaultlint-disable-next-line VL101 %%\n[[Nowhere]]\n", encoding="utf-8")
    vault = Vault.load(root, use_cache=False)
    with pytest.raises(RuleCrash, match=r"rule VL998 \(judges-badly\) failed on Noted.md: ValueError: no verdict"):
        Linter(vault, [JudgesBadly()]).run(sorted(vault.notes))


def test_online_runs_and_small_runs_stay_in_one_process(tmp_path: Path, monkeypatch) -> None:
    root = _vault(tmp_path, "example")
    vault = Vault.load(root, use_cache=False)
    linter = Linter(vault, _offline_rules(), jobs=2)
    assert linter._workers(len(vault.notes)) == 1  # fewer than PARALLEL_MIN_NOTES
    monkeypatch.setattr(engine, "PARALLEL_MIN_NOTES", 5)
    assert linter._workers(len(vault.notes)) == 2
    linter.context.online = True
    assert linter._workers(len(vault.notes)) == 1


@pytest.mark.parametrize("source", ["example", "generated"])
def test_notes_parsed_in_workers_give_what_notes_parsed_here_give(tmp_path: Path, monkeypatch, source: str) -> None:
    """Notes parsed in workers reach the paper index with their paper facts, worked out
    there with their summaries, and unread here; the findings are those of a serial load."""
    root = _vault(tmp_path, source, seed=7)
    monkeypatch.setattr(vault_module, "PARALLEL_MIN_NOTES", 5)
    serial_vault = Vault.load(root, use_cache=False, jobs=1)
    parallel_vault = Vault.load(root, use_cache=False, jobs=2)
    assert not any(parallel_vault.notes._notes[path] for path in parallel_vault.notes)  # none unpickled yet
    readable = {path for path, summary in parallel_vault.paper_summaries.items() if summary.readable}
    assert readable and set(parallel_vault.fresh_facts) == readable == set(serial_vault.fresh_facts)
    assert not any(serial_vault.notes[path].paper_facts for path in serial_vault.notes)  # kept apart from the notes
    serial = Linter(serial_vault, _offline_rules(), jobs=1).run(sorted(serial_vault.notes))
    parallel = Linter(parallel_vault, _offline_rules(), jobs=1).run(sorted(parallel_vault.notes))
    assert serial and parallel == serial


@pytest.mark.parametrize("source", ["example", "generated"])
def test_a_whole_vault_check_unpickles_the_paper_notes_as_they_arrive(tmp_path: Path, monkeypatch, forking, source: str) -> None:
    """With ``unpickle_papers``, the notes the paper index reads (and only those) are
    unpickled while the workers parse; the check workers inherit them, and find what
    one process finds."""
    root = _vault(tmp_path, source, seed=11)
    monkeypatch.setattr(vault_module, "PARALLEL_MIN_NOTES", 5)
    vault = Vault.load(root, use_cache=False, jobs=2, unpickle_papers=True)
    readable = {path for path, summary in vault.paper_summaries.items() if summary.readable}
    unpickled = {path for path in vault.notes if vault.notes._notes[path] is not None}
    assert readable and unpickled == readable
    chosen = sorted(vault.notes)
    parallel = Linter(vault, _offline_rules(), jobs=2).run(chosen)
    serial = Linter(Vault.load(root, use_cache=False, jobs=1), _offline_rules(), jobs=1).run(chosen)
    assert serial and parallel == serial


class CollectorFree(Rule):
    code = "VL997"
    name = "collector-free"
    summary = "Fails on any note checked while the cyclic garbage collector runs."

    def check(self, note, context):
        import gc

        if gc.isenabled():
            raise AssertionError("the cyclic garbage collector runs while notes are checked")
        return ()


@pytest.mark.parametrize("jobs", [1, 2])
def test_runs_go_without_the_cyclic_collector_and_give_it_back(tmp_path: Path, forking, jobs: int) -> None:
    import gc

    root = _vault(tmp_path, "example")
    vault = Vault.load(root, use_cache=False)
    assert gc.isenabled()
    linter = Linter(vault, [CollectorFree()], jobs=jobs)
    assert linter._workers(len(vault.notes)) == jobs
    assert linter.run(sorted(vault.notes)) == []  # a crash in any process would raise RuleCrash
    assert gc.isenabled()


class PreparesForOne(Rule):
    """Names one note as needing what it prepares (or none: every note); fails when
    checked before it prepared, which is what a worker forked before preparing would
    do, and keeps the notes it checked in this process."""

    code = "VL996"
    name = "prepares-for-one"
    summary = "Reports the one note it prepared for."

    def __init__(self, chosen: str | None) -> None:
        super().__init__()
        self.chosen = chosen
        self.prepared = False
        self.checked: list[str] = []

    def prepared_for(self, context):
        return None if self.chosen is None else (self.chosen,)

    def prepare(self, context):
        self.prepared = True

    def check(self, note, context):
        if not self.prepared:
            raise AssertionError("checked before it prepared")
        self.checked.append(note.path)
        if self.chosen is not None and note.path != self.chosen:
            return []
        return [self.finding(note, note.headings[0].span if note.headings else Span(0, 0), "prepared")]


def test_workers_check_while_the_rules_prepare_when_these_name_their_notes(tmp_path: Path, forking) -> None:
    root = _vault(tmp_path, "example")
    vault = Vault.load(root, use_cache=False)
    chosen = sorted(vault.notes)
    named = chosen[3]
    rule = PreparesForOne(named)
    findings = Linter(vault, [*_offline_rules(), rule], jobs=2).run(chosen)
    readers = set(paper_readers(vault, tuple(chosen)))
    assert named not in readers and 0 < len(readers) < len(chosen)
    # The rules that prepare ran here, after preparing, on the notes they named only.
    assert sorted(rule.checked) == sorted(readers | {named})
    assert [f.path for f in findings if f.code == "VL996"] == [named]
    serial = Linter(Vault.load(root, use_cache=False), [*_offline_rules(), PreparesForOne(named)], jobs=1)
    assert findings == serial.run(chosen)


def test_suppressions_of_notes_settled_here_see_what_the_workers_found(tmp_path: Path, forking) -> None:
    """A reader's findings come from both sides: a suppression of a worker's finding
    is used, an unused one is reported, as in one process."""
    root = _vault(tmp_path, "example")
    vault = Vault.load(root, use_cache=False)
    chosen = sorted(vault.notes)
    reader = next(path for path in paper_readers(vault, tuple(chosen)) if vault.notes[path].links)
    file = root / reader
    file.write_text(file.read_text(encoding="utf-8") + "\n[[#No such heading]] %% vaultlint-disable-line VL103 %%\n%% vaultlint-disable VL202 %%\n", encoding="utf-8")
    parallel = Linter(Vault.load(root, use_cache=False), _offline_rules(), jobs=2).run(chosen)
    serial = Linter(Vault.load(root, use_cache=False), _offline_rules(), jobs=1).run(chosen)
    assert parallel == serial
    assert not [f for f in parallel if f.path == reader and f.code == "VL103" and "No such heading" in f.message]
    unused = [f.message for f in parallel if f.path == reader and f.code == "VL002"]
    assert len(unused) == 1 and "VL202" in unused[0]


def test_a_rule_that_does_not_name_its_notes_keeps_every_check_after_preparing(tmp_path: Path, forking) -> None:
    root = _vault(tmp_path, "example")
    vault = Vault.load(root, use_cache=False)
    chosen = sorted(vault.notes)
    linter = Linter(vault, [*_offline_rules(), PreparesForOne(None)], jobs=2)
    linter.context.begin_run(chosen)
    assert linter._needing_preparation() is None
    findings = linter.run(chosen)
    assert sorted(f.path for f in findings if f.code == "VL996") == chosen


class FailsToPrepare(Rule):
    code = "VL995"
    name = "fails-to-prepare"
    summary = "Raises while preparing."

    def prepared_for(self, context):
        return ()

    def prepare(self, context):
        raise ValueError("no index")

    def check(self, note, context):
        return ()


def test_a_crash_while_early_workers_check_names_the_rule(tmp_path: Path, forking) -> None:
    root = _vault(tmp_path, "example")
    vault = Vault.load(root, use_cache=False)
    with pytest.raises(RuleCrash, match=r"rule VL995 \(fails-to-prepare\) failed on the vault as a whole: ValueError: no index"):
        Linter(vault, [*_offline_rules(), FailsToPrepare()], jobs=2).run(sorted(vault.notes))


class YieldsToTheMainProcess(Rule):
    code = "VL994"
    name = "yields-to-the-main-process"
    summary = "Fails on a note checked in a worker that runs at the main process's priority."

    def __init__(self) -> None:
        super().__init__()
        self.main = os.getpid(), os.nice(0)

    def check(self, note, context):
        pid, niceness = self.main
        if os.getpid() != pid and os.nice(0) < niceness + engine.WORKER_NICENESS:
            raise AssertionError("a worker runs at the main process's priority")
        return ()


def test_workers_run_below_the_main_process_which_prepares_meanwhile(tmp_path: Path, forking) -> None:
    root = _vault(tmp_path, "example")
    vault = Vault.load(root, use_cache=False)
    linter = Linter(vault, [YieldsToTheMainProcess()], jobs=2)
    assert linter._workers(len(vault.notes)) == 2
    assert linter.run(sorted(vault.notes)) == []  # a worker at full priority would raise RuleCrash
