"""Each note's findings kept between runs: a check after an edit checks again only the
notes whose findings can have changed, and reports exactly what a fresh check reports."""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from conftest import write_vault
from vaultlint import engine
from vaultlint.cache import CACHE_DIR_NAME, NoteResultCache, ResultCache, processes_fork
from vaultlint.engine import Linter
from vaultlint.registry import discover_rules
from vaultlint.rule import READS_NOTE, READS_PREPARED, Context, Rule
from vaultlint.rules.stale_index_row import StaleIndexRow
from vaultlint.source import Span
from vaultlint.papers import paper_readers
from vaultlint.vault import NoteTable, Vault

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from generate_vault import generate  # noqa: E402

FILES = {
    "Index.md": "# Index\n\nSee [[Paper#Method]], [[Paper#Results]] and [[Later]].\n",
    "Paper.md": "# Paper\n\n## Method\n\n## Results\n",
    "Other.md": "# Other\n\nOne ^same\n\nTwo ^same\n\n[[Nowhere]]\n",
    "Papers.md": (
        "# Papers\n\n| Title | arXiv |\n| --- | --- |\n"
        "| [[#ReAct]] | 2210.03629 |\n| [[#Reflexion]] | 2303.11366 |\n\n"
        "## ReAct\n\n> [!info]\n> - arXiv: [2210.03629](https://arxiv.org/abs/2210.03629)\n\n"
        "## Reflexion\n\n> [!info]\n> - arXiv: [2303.11366](https://arxiv.org/abs/2303.11366)\n"
    ),
}


def age(root: Path, seconds: int = 10) -> None:
    """Put every file's mtime in the past, out of the parse cache's racy window."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and CACHE_DIR_NAME not in path.parts:
            os.utime(path, (past, past))


def edit(root: Path, path: str, text: str) -> None:
    (root / path).write_text(text, encoding="utf-8")
    age(root)


def cli(*args: str) -> str:
    from click.testing import CliRunner

    from vaultlint.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False).output


def check(root: Path, *options: str) -> str:
    return cli("check", str(root), "--output-format", "concise", *options)


def fresh(root: Path, *options: str) -> str:
    return check(root, "--no-cache", *options)


@pytest.fixture
def checked(monkeypatch):
    """The notes the rules check, run by run (a note whose findings are all taken is not checked)."""
    calls: list[str] = []
    original = Linter._checks

    def counting(self, path, rules):
        calls.append(path)
        return original(self, path, rules)

    monkeypatch.setattr(Linter, "_checks", counting)
    return calls


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = write_vault(tmp_path / "vault", FILES)
    age(root)
    return root


def test_a_check_after_an_edit_checks_only_the_edited_note(vault, checked):
    first = check(vault)
    assert "VL107" in first and "VL103" not in first
    assert list((vault / CACHE_DIR_NAME).glob("note-results-*.pickle"))
    edit(vault, "Other.md", FILES["Other.md"] + "\n[[Elsewhere]]\n")
    checked.clear()
    after = check(vault)
    assert checked == ["Other.md"]
    assert after == fresh(vault) and "Elsewhere" in after


def test_a_note_is_checked_again_when_a_note_it_reads_changes(vault, checked):
    check(vault)
    edit(vault, "Paper.md", "# Paper\n\n## Methods\n\n## Results\n")  # the heading Index.md links to is gone
    checked.clear()
    after = check(vault)
    assert sorted(set(checked)) == ["Index.md", "Paper.md"]
    assert after == fresh(vault)
    assert "Index.md:3:" in after and "no heading 'Method'" in after


def test_findings_that_depend_on_the_file_list_follow_a_new_file(vault, checked):
    first = check(vault)
    assert "[[Later]]" in first
    write_vault(vault, {"Later.md": "# Later\n"})
    age(vault)
    checked.clear()
    after = check(vault)
    # The note that looked the new name up and the new note; not Other.md, whose link
    # resolves nowhere but whose "did you mean" reads only names close to 'Nowhere'.
    assert sorted(checked) == ["Index.md", "Later.md"]
    assert "[[Later]]" not in after and after == fresh(vault)


def test_a_new_file_named_close_to_a_missing_name_checks_again_the_note_that_misses_it(vault, checked):
    first = check(vault)
    assert "[[Nowhere]]" in first and "Nowhere1" not in first
    write_vault(vault, {"Nowhere1.md": "# Nowhere one\n"})  # what "did you mean" now suggests
    age(vault)
    checked.clear()
    after = check(vault)
    assert sorted(checked) == ["Nowhere1.md", "Other.md"]
    assert "Nowhere1" in after and after == fresh(vault)
    (vault / "Nowhere1.md").rename(vault / "Elsewhere entirely.md")
    checked.clear()
    after = check(vault)
    assert sorted(checked) == ["Elsewhere entirely.md", "Other.md"]  # the name it suggested is gone
    assert "Nowhere1" not in after and after == fresh(vault)


def test_a_run_over_part_of_the_vault_after_a_file_change_leaves_no_stale_findings_for_the_rest(tmp_path):
    files = {f"Part/Note {number}.md": f"# Note {number}\n\n[[Note {(number + 1) % 210}]]\n" for number in range(210)}
    files["Rest/Waiting.md"] = "# Waiting\n\nSee [[Later]].\n"
    root = write_vault(tmp_path / "vault", files)
    age(root)
    assert "[[Later]]" in check(root)
    write_vault(root, {"Later.md": "# Later\n", "Part/Note 1.md": "# Note 1, edited\n"})
    age(root)
    cli("check", str(root / "Part"), "--output-format", "concise")  # keeps findings: 210 notes
    after = check(root)
    assert "[[Later]]" not in after and after == fresh(root)


def test_a_file_no_link_names_nor_resembles_a_missing_name_checks_no_note_again(vault, checked):
    check(vault)
    write_vault(vault, {"Attachments/diagram.png": "png"})
    age(vault)
    checked.clear()
    after = check(vault)
    assert checked == []  # [[Later]] and [[Nowhere]] resolve nowhere, but no name close to theirs came
    assert after == fresh(vault)


def test_a_removed_or_renamed_note_checks_again_the_notes_that_link_to_it(vault, checked):
    check(vault)
    (vault / "Paper.md").rename(vault / "Paper moved.md")
    checked.clear()
    after = check(vault)
    assert sorted(checked) == ["Index.md", "Paper moved.md"]
    assert after == fresh(vault) and "[[Paper#Method]]" in after
    (vault / "Archive").mkdir()
    (vault / "Paper moved.md").rename(vault / "Archive" / "Paper.md")  # its old name again, elsewhere
    checked.clear()
    after = check(vault)
    assert sorted(checked) == ["Archive/Paper.md", "Index.md"]
    assert after == fresh(vault) and "[[Paper#Method]]" not in after


def test_paper_findings_follow_a_new_note_a_row_names(tmp_path, checked):
    files = {
        "Papers.md": "# Papers\n\n| Title | arXiv |\n| --- | --- |\n| [[ReAct notes#ReAct]] | 2210.03629 |\n",
        "Daily.md": "# Daily\n\nNothing about papers.\n",
    }
    root = write_vault(tmp_path / "vault", files)
    age(root)
    check(root)
    # The row's link now leads to a section that gives the paper another ID.
    write_vault(root, {"ReAct notes.md": "# Notes\n\n## ReAct\n\n> [!info]\n> - arXiv: [2303.11366](https://arxiv.org/abs/2303.11366)\n"})
    age(root)
    checked.clear()
    after = check(root)
    assert "Daily.md" not in checked
    assert after == fresh(root) and "VL301" in after


class GlossaryRule(Rule):
    """Prepares by looking one name up; says which notes its findings can change with."""

    code, name, summary = "XT002", "glossary", "Reports notes while the vault has no glossary (a PDF)."
    reads = READS_PREPARED
    looks_up_files = True

    prepared = 0

    def prepare(self, context):
        GlossaryRule.prepared += 1
        self.missing = "Glossary.pdf" not in context.vault.index

    def prepared_for(self, context):
        return set(context.vault.notes)

    def prepared_changed(self, context, earlier):
        return set(earlier)  # only a note whose bytes changed: its preparation reads no note

    def check(self, note, context):
        if self.missing:
            yield self.finding(note, Span(0, 0), "no glossary")


def test_what_a_rule_prepared_from_the_names_it_looked_up_follows_those_files(vault):
    def glossary_notes():
        found, _ = _run_with_kept_findings(vault, GlossaryRule())
        return sorted(finding.path for finding in found if finding.code == "XT002")

    assert glossary_notes() == sorted(FILES)
    GlossaryRule.prepared = 0
    assert glossary_notes() == sorted(FILES)  # taken as kept
    write_vault(vault, {"Attachments/diagram.png": "png"})  # a name it did not look up
    age(vault)
    assert glossary_notes() == sorted(FILES)
    assert GlossaryRule.prepared == 0
    write_vault(vault, {"Glossary.pdf": "pdf"})  # no note changed: only the name tells
    age(vault)
    assert glossary_notes() == []


def test_a_rule_that_prepares_without_saying_how_it_reads_files_prepares_again_after_any_file_change(vault):
    class UntoldGlossaryRule(GlossaryRule):
        looks_up_files = False

    _run_with_kept_findings(vault, UntoldGlossaryRule())
    GlossaryRule.prepared = 0
    _run_with_kept_findings(vault, UntoldGlossaryRule())
    assert GlossaryRule.prepared == 0  # nothing changed: taken as kept
    write_vault(vault, {"Attachments/diagram.png": "png"})
    age(vault)
    _run_with_kept_findings(vault, UntoldGlossaryRule())
    assert GlossaryRule.prepared == 1


def test_a_rule_that_does_not_say_how_it_reads_files_checks_every_note_after_any_file_change(vault, checked):
    class ListingRule(Rule):
        code, name, summary = "VL990", "listing", "Counts the vault's files."
        reads = READS_NOTE

        def check(self, note, context):
            return iter(())

    _run_with_kept_findings(vault, ListingRule())
    checked.clear()
    _run_with_kept_findings(vault, ListingRule())
    assert checked == []
    write_vault(vault, {"Attachments/diagram.png": "png"})
    age(vault)
    _run_with_kept_findings(vault, ListingRule())
    assert sorted(set(checked)) == sorted(FILES)


def test_another_configuration_checks_again(vault, checked):
    check(vault)
    checked.clear()
    ignoring = check(vault, "--ignore", "VL107")
    assert "VL107" not in ignoring and ignoring == fresh(vault, "--ignore", "VL107")
    assert "Other.md" in checked


def test_paper_findings_are_taken_while_no_note_they_read_changed(vault, checked, monkeypatch):
    prepared: list[str] = []
    original = StaleIndexRow.prepare
    monkeypatch.setattr(StaleIndexRow, "prepare", lambda self, context: prepared.append("VL202") or original(self, context))
    check(vault)
    assert prepared == ["VL202"]
    edit(vault, "Other.md", FILES["Other.md"] + "More.\n")
    prepared.clear()
    checked.clear()
    after = check(vault)
    assert checked == ["Other.md"] and prepared == []  # the paper index was not built
    assert after == fresh(vault)


def test_paper_findings_follow_an_edited_note_they_read(vault, checked):
    check(vault)
    # The same ID under a second paper's callout: a conflict in Papers.md.
    conflicting = FILES["Papers.md"].replace("abs/2303.11366)", "abs/2303.11366) [2210.03629](https://arxiv.org/abs/2210.03629)")
    edit(vault, "Papers.md", conflicting)
    checked.clear()
    after = check(vault)
    assert "Papers.md" in checked and "Other.md" not in checked
    assert after == fresh(vault)
    assert "VL301" in after or "VL302" in after


PAPERS = {
    "ReAct.md": "# ReAct notes\n\n## ReAct\n\n> [!info]\n> - arXiv: [2210.03629](https://arxiv.org/abs/2210.03629)\n",
    "Toolformer.md": "# Toolformer notes\n\n## Toolformer\n\n> [!info]\n> - arXiv: [2210.03629](https://arxiv.org/abs/2210.03629)\n",
    "Reflexion.md": "# Reflexion notes\n\n## Reflexion\n\n> [!info]\n> - arXiv: [2303.11366](https://arxiv.org/abs/2303.11366)\n",
    "Voyager.md": "# Voyager notes\n\n## Voyager\n\n> [!info]\n> - arXiv: [2305.16291](https://arxiv.org/abs/2305.16291)\n",
}


@pytest.fixture
def affected(monkeypatch):
    """By run, the notes whose paper findings the engine found may have changed (None: all)."""
    runs: list = []
    original = Linter._prepared_changed

    def recording(self):
        found = original(self)
        runs.append(found)
        return found

    monkeypatch.setattr(Linter, "_prepared_changed", recording)
    return runs


def test_after_a_paper_note_edit_the_paper_rules_check_the_notes_its_papers_met_then_and_now(vault, affected):
    write_vault(vault, PAPERS)
    age(vault)
    first = check(vault)
    assert "VL302" in first and "ReAct.md" in first and "Toolformer.md" in first  # two papers, one ID
    # ReAct takes Reflexion's ID: it leaves Toolformer (and the index in Papers.md, which
    # lists both IDs) and meets Reflexion; Voyager and the notes without papers are not
    # checked again.
    edit(vault, "ReAct.md", PAPERS["ReAct.md"].replace("2210.03629", "2303.11366"))
    affected.clear()
    after = check(vault)
    assert affected == [frozenset({"ReAct.md", "Toolformer.md", "Reflexion.md", "Papers.md"})]
    assert after == fresh(vault)
    assert "ReAct.md:6:13: VL302 arxiv-id-shared: arXiv 2303.11366" in after  # ReAct and Reflexion now claim one ID


def test_paper_findings_are_checked_everywhere_when_what_a_note_held_before_is_unknown(vault, affected):
    write_vault(vault, PAPERS)
    age(vault)
    check(vault)
    edit(vault, "ReAct.md", PAPERS["ReAct.md"].replace("2210.03629", "2303.11366"))
    cli("check", str(vault / "ReAct.md"), "--output-format", "concise")  # parses it, keeps no findings by note
    edit(vault, "ReAct.md", PAPERS["ReAct.md"].replace("2210.03629", "2305.16291"))
    affected.clear()
    after = check(vault)
    assert affected == [None]
    assert after == fresh(vault)
    assert "Voyager.md:6:13: VL302" in after


class PreparingRule(Rule):
    """A rule that prepares and names its notes, but cannot tell which findings an edit changes."""

    code = "XT002"
    name = "preparing"
    summary = "prepares"
    reads = READS_PREPARED

    def prepare(self, context):
        pass

    def prepared_for(self, context):
        return ()

    def check(self, note, context):
        return iter(())


def test_paper_findings_are_checked_everywhere_beside_a_rule_that_cannot_tell_what_changed(vault, affected):
    write_vault(vault, PAPERS)
    age(vault)
    _run_with_kept_findings(vault, PreparingRule())
    edit(vault, "ReAct.md", PAPERS["ReAct.md"].replace("2210.03629", "2303.11366"))
    affected.clear()
    found, _ = _run_with_kept_findings(vault, PreparingRule())
    assert affected == [None]
    fresh_vault = Vault.load(vault, use_cache=False)
    rules = [entry.cls() for entry in discover_rules().values() if entry.cls.default_enabled] + [PreparingRule()]
    assert found == Linter(fresh_vault, rules).run(sorted(fresh_vault.notes))


def _paper_edit(rng: random.Random, root: Path) -> None:
    """An edit that moves paper records: IDs swapped between notes, removed or added,
    headings and row titles renamed, rows pointing to other notes' headings."""
    notes = sorted(path for path in root.rglob("*.md") if CACHE_DIR_NAME not in path.parts)
    target = rng.choice(notes)
    text = target.read_text(encoding="utf-8")
    ids = sorted({match for path in notes for match in re.findall(r"\b\d{4}\.\d{4,5}\b", path.read_text(encoding="utf-8"))})
    mine = re.findall(r"\b\d{4}\.\d{4,5}\b", text)
    other = rng.choice(notes).relative_to(root).with_suffix("").as_posix()
    kind = rng.randrange(5)
    if kind == 0 and mine and ids:
        text = text.replace(rng.choice(mine), rng.choice(ids))
    elif kind == 1 and mine:
        text = re.sub(rf"\S*{re.escape(rng.choice(mine))}\S*", "", text)
    elif kind == 2:
        text = re.sub(r"^(#+ )(.*)$", lambda m: m.group(1) + m.group(2)[::-1], text, count=1, flags=re.MULTILINE)
    elif kind == 3 and ids:
        paper_id = rng.choice(ids)
        text += f"\n| Paper | arXiv |\n| --- | --- |\n| [[{other}#{rng.choice(['ReAct', 'Overview', 'Method'])}]] | {paper_id} |\n"
    else:
        paper_id = rng.choice(ids) if ids else "2210.03629"
        text += f"\n## A paper {rng.randrange(50)}\n\n> [!info]\n> - arXiv: [{paper_id}](https://arxiv.org/abs/{paper_id})\n"
    target.write_text(text, encoding="utf-8")
    age(root)


def _assert_checks_after_edits_match_fresh(root: Path, vault_seed: int, seed: int, edit, edits: int) -> None:
    generate(root, 60, seed=vault_seed)
    age(root)
    rng = random.Random(seed)
    check(root)
    for _ in range(edits):
        edit(rng, root)
        assert check(root) == fresh(root)


@pytest.mark.parametrize("seed", range(4))
def test_checks_after_random_paper_edits_report_what_fresh_checks_report(tmp_path, seed, affected):
    _assert_checks_after_edits_match_fresh(tmp_path / "vault", 10 + seed, seed, _paper_edit, 5)
    assert any(found is not None for found in affected)  # the bounded path was taken


def test_a_suppression_added_to_a_note_applies_at_once(vault):
    check(vault)
    edit(vault, "Other.md", "%% vaultlint-disable VL107 %%\n" + FILES["Other.md"])
    after = check(vault)
    assert after == fresh(vault) and "VL107" not in after


def test_a_damaged_file_of_note_findings_is_ignored_and_written_again(vault):
    expected = check(vault)
    (stored,) = (vault / CACHE_DIR_NAME).glob("note-results-*.pickle")
    for damage in (b"", b"not a pickle", b"\x80\x05\x95\x10\x00\x00"):
        stored.write_bytes(damage)
        edit(vault, "Other.md", FILES["Other.md"] + f"{damage!r}\n")
        assert check(vault) == fresh(vault)
        assert stored.stat().st_size > 100
    edit(vault, "Other.md", FILES["Other.md"])
    assert check(vault) == expected


def test_a_check_of_a_few_notes_neither_takes_nor_keeps_them(vault, checked):
    cli("check", str(vault / "Other.md"), "--output-format", "concise")
    assert not list((vault / CACHE_DIR_NAME).glob("note-results-*.pickle"))
    check(vault)
    checked.clear()
    cli("check", str(vault / "Other.md"), "--output-format", "concise")
    assert "Other.md" in checked


class CountingRule(Rule):
    """A rule that says nothing of what it reads: checked in every note, every run."""

    code = "XT001"
    name = "counting"
    summary = "counts its checks"

    def __init__(self, **settings) -> None:
        super().__init__(**settings)
        self.seen: list[str] = []

    def check(self, note, context):
        self.seen.append(note.path)
        return iter(())


def _run_with_kept_findings(root: Path, extra: Rule | None, online: bool = False, jobs: int = 1) -> tuple[list, Linter]:
    vault = Vault.load(root)
    rules = [entry.cls() for entry in discover_rules().values() if entry.cls.default_enabled] + ([extra] if extra else [])
    _, key = ResultCache.keys(vault, rules, ())
    store = NoteResultCache(root / CACHE_DIR_NAME, key)
    linter = Linter(vault, rules, Context(vault, online=online), results=store, jobs=jobs)
    found = linter.run(sorted(vault.notes))
    store.save(vault.notes, vault.files)
    return found, linter


def test_rules_that_do_not_say_what_they_read_check_every_note_every_time(vault, checked):
    _run_with_kept_findings(vault, CountingRule())
    again = CountingRule()
    checked.clear()
    _run_with_kept_findings(vault, again)
    assert sorted(again.seen) == sorted(FILES) == sorted(checked)


def test_online_runs_take_no_kept_findings(vault, checked):
    _run_with_kept_findings(vault, CountingRule())
    checked.clear()
    _, linter = _run_with_kept_findings(vault, CountingRule(), online=True)
    assert sorted(checked) == sorted(FILES) and linter.results is None


def _random_edit(rng: random.Random, root: Path) -> None:
    notes = sorted(path for path in root.rglob("*.md") if CACHE_DIR_NAME not in path.parts)
    target = rng.choice(notes)
    text = target.read_text(encoding="utf-8")
    other = rng.choice(notes).relative_to(root).with_suffix("").as_posix()
    kind = rng.randrange(7)
    if kind == 0:
        text += f"\nSee [[{other}]] and [[{other}#Nowhere]].\n"
    elif kind == 1:
        text = text.replace("## ", "## Renamed ", 1)
    elif kind == 2:
        text += "\n> [!info] A paper\n> arXiv: [2210.03629](https://arxiv.org/abs/2210.03629)\n"
    elif kind == 3:
        text += "\n| a | b |\n| --- | --- |\n| 1 |\n"
    elif kind == 4:
        (root / f"New {rng.randrange(1000)}.md").write_text(f"# New\n\n[[{other}]]\n", encoding="utf-8")
    elif kind == 5:
        _file_change(rng, root)
    else:
        text += "\n%% vaultlint-disable-next-line VL101 %%\n[[Missing note]]\n"
    target.write_text(text, encoding="utf-8")
    age(root)


@pytest.mark.parametrize("seed", range(3))
def test_checks_after_random_edits_report_what_fresh_checks_report(tmp_path, seed):
    _assert_checks_after_edits_match_fresh(tmp_path / "vault", seed, seed, _random_edit, 4)


def _file_change(rng: random.Random, root: Path) -> None:
    """A file added, removed or renamed, without touching any other: a note or an
    attachment, named as a link somewhere wants, as a note already is, or anew."""
    files = sorted(path for path in root.rglob("*") if path.is_file() and CACHE_DIR_NAME not in path.parts and ".obsidian" not in path.parts)
    chosen = rng.choice(files)
    wanted = sorted({
        name for path in files if path.suffix == ".md"
        for name in re.findall(r"\[\[([^\]|#^]+)", path.read_text(encoding="utf-8"))
    })
    kind = rng.randrange(5)
    if kind == 0:  # a note a link wants, or one named as another already is (elsewhere)
        name = rng.choice(wanted + [chosen.stem]).split("/")[-1]
        folder = root / rng.choice(["", "Elsewhere", "Papers"])
        folder.mkdir(exist_ok=True)
        (folder / f"{name}.md").write_text(f"# {name}\n\n## Method\n\n> [!info]\n> - arXiv: [2210.03629](https://arxiv.org/abs/2210.03629)\n", encoding="utf-8")
    elif kind == 1:
        chosen.unlink()
    elif kind == 2:  # renamed in place
        chosen.rename(chosen.with_name(f"Renamed {rng.randrange(1000)}{chosen.suffix}"))
    elif kind == 3:  # moved, name kept
        (root / "Moved").mkdir(exist_ok=True)
        if not (root / "Moved" / chosen.name).exists():
            chosen.rename(root / "Moved" / chosen.name)
    else:  # an attachment, perhaps one an embed wants
        name = rng.choice([f"figure {rng.randrange(100)}.png", *(f"{name.split('/')[-1]}.png" for name in wanted[:3])])
        (root / name).write_bytes(b"png")
    age(root)


@pytest.mark.parametrize("seed", range(6))
def test_checks_after_random_file_changes_report_what_fresh_checks_report(tmp_path, seed):
    _assert_checks_after_edits_match_fresh(tmp_path / "vault", 20 + seed, seed, _file_change, 6)


def _paper_edit_or_file_change(rng: random.Random, root: Path) -> None:
    (_paper_edit if rng.random() < 0.5 else _file_change)(rng, root)


@pytest.mark.parametrize("seed", range(6))
def test_checks_after_paper_edits_and_file_changes_report_what_fresh_checks_report(tmp_path, seed, affected):
    _assert_checks_after_edits_match_fresh(tmp_path / "vault", 30 + seed, seed, _paper_edit_or_file_change, 8)
    assert any(found is not None for found in affected[1:])  # the bounded path was taken


@pytest.mark.skipif(not processes_fork(), reason="notes are checked in workers only where processes fork")
@pytest.mark.parametrize("seed", range(6))
def test_checks_in_workers_after_edits_of_every_kind_report_what_fresh_checks_report(tmp_path, seed, monkeypatch):
    monkeypatch.setattr(engine, "PARALLEL_MIN_NOTES", 5)
    rng = random.Random(seed)
    root = tmp_path / "vault"
    generate(root, 60, seed=40 + seed)
    age(root)
    check(root, "--jobs", "2")
    for _ in range(8):
        rng.choice([_random_edit, _paper_edit, _file_change])(rng, root)
        assert check(root, "--jobs", "2") == fresh(root)


def test_removing_a_note_clears_what_its_papers_made_others_report(tmp_path, affected):
    section = "# {0}\n\n## {1}\n\n> [!info]\n> - arXiv: [2210.03629](https://arxiv.org/abs/2210.03629)\n"
    files = {
        "Agents.md": section.format("Agents", "ReAct synergizing reasoning and acting"),
        "Tools.md": section.format("Tools", "Toolformer language models teach themselves"),
        "Daily.md": "# Daily\n\nNothing about papers.\n",
    }
    root = write_vault(tmp_path / "vault", files)
    age(root)
    assert check(root).count("VL302") == 2  # one ID, two papers
    (root / "Tools.md").unlink()
    after = check(root)
    assert affected[-1] is not None and "Agents.md" in affected[-1] and "Daily.md" not in affected[-1]
    assert "VL302" not in after and after == fresh(root)


def test_after_a_note_is_added_or_removed_the_paper_rules_check_only_the_notes_its_papers_meet(vault, affected):
    check(vault)
    write_vault(vault, {"Daily.md": "# Daily\n\nRead [[Papers#ReAct]].\n"})  # no paper records of its own
    age(vault)
    check(vault)
    assert affected[-1] == frozenset({"Daily.md"})
    (vault / "Daily.md").unlink()
    after = check(vault)
    assert affected[-1] == frozenset()
    assert after == fresh(vault)
    write_vault(vault, {"More papers.md": "# More\n\n## ReAct\n\n> [!info]\n> - arXiv: [2303.11366](https://arxiv.org/abs/2303.11366)\n"})
    age(vault)
    after = check(vault)
    assert affected[-1] is not None and "Papers.md" in affected[-1]  # the two share a paper title
    assert after == fresh(vault)


def test_fix_takes_the_findings_a_check_kept(vault, checked):
    write_vault(vault, {"Table.md": "# Table\n\n| a | b |\n| --- | --- |\n| 1 |\n"})
    age(vault)
    check(vault)
    checked.clear()
    cli("fix", str(vault), "--output-format", "concise")
    assert checked == ["Table.md"]  # only the note the fix rewrote is checked again
    assert (vault / "Table.md").read_text(encoding="utf-8").endswith("| 1 |  |\n")
    assert check(vault) == fresh(vault)


def _texts(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*.md")) if CACHE_DIR_NAME not in path.parts
    }


@pytest.mark.parametrize("seed", range(3))
def test_fixes_after_random_edits_are_those_of_a_fix_from_scratch(tmp_path, seed):
    kept, scratch = tmp_path / "kept", tmp_path / "scratch"
    generate(kept, 60, seed=20 + seed)
    age(kept)
    rng = random.Random(seed)
    check(kept)
    for _ in range(3):
        (_paper_edit if rng.random() < 0.5 else _random_edit)(rng, kept)
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(kept, scratch, ignore=shutil.ignore_patterns(CACHE_DIR_NAME))
        age(scratch)
        by_kept = cli("fix", str(kept), "--output-format", "concise", "--unsafe-fixes")
        by_scratch = cli("fix", str(scratch), "--output-format", "concise", "--unsafe-fixes", "--no-cache")
        assert _texts(kept) == _texts(scratch)
        assert by_kept.replace(str(kept), "ROOT") == by_scratch.replace(str(scratch), "ROOT")
        age(kept)


@pytest.mark.skipif(not processes_fork(), reason="notes are checked in workers only where processes fork")
def test_workers_keep_and_take_findings_as_one_process_does(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "PARALLEL_MIN_NOTES", 5)
    root = tmp_path / "vault"
    generate(root, 120, seed=7)
    age(root)
    rng = random.Random(7)
    found, linter = _run_with_kept_findings(root, CountingRule(), jobs=2)
    for _ in range(3):
        _random_edit(rng, root)
        found, _ = _run_with_kept_findings(root, CountingRule(), jobs=2)
        vault = Vault.load(root, use_cache=False)
        rules = [entry.cls() for entry in discover_rules().values() if entry.cls.default_enabled] + [CountingRule()]
        assert found == Linter(vault, rules, jobs=1).run(sorted(vault.notes))


@pytest.mark.skipif(not processes_fork(), reason="notes are checked in workers only where processes fork")
def test_after_a_paper_note_edit_workers_unpickle_no_note_all_of_whose_findings_they_take(tmp_path, monkeypatch):
    """The paper rules run again on every note the paper index reads; the workers, which
    run the other rules, take those notes' findings and so have no reason to load them."""
    monkeypatch.setattr(engine, "PARALLEL_MIN_NOTES", 5)
    root = tmp_path / "vault"
    generate(root, 120, seed=3)
    age(root)
    _, first = _run_with_kept_findings(root, None, jobs=2)
    readers = set(paper_readers(Vault.load(root, use_cache=False), None))
    edited = min(path for path in readers if path.startswith("Papers/"))
    # Notes whose links into the edited note other rules follow are checked again by those.
    linking = {path for path in readers if edited in first.results.linked_paths(first.results.get(path))}
    untouched = readers - linking - {edited}
    assert len(untouched) > 10
    edit(root, edited, (root / edited).read_text(encoding="utf-8") + "\nEdited.\n")
    log = tmp_path / "unpickled.txt"
    loading = NoteTable.__getitem__

    def logging(table, path):
        # Not the notes a rule asks for while it checks another (``asked`` is set then):
        # a link into a note the run parsed earlier is checked against the note itself.
        if table.blob(path) is not None and table.asked is None:
            with open(log, "a", encoding="utf-8") as stream:
                stream.write(f"{os.getpid()}\t{path}\n")
        return loading(table, path)

    monkeypatch.setattr(NoteTable, "__getitem__", logging)
    found, _ = _run_with_kept_findings(root, None, jobs=2)
    in_workers = {path for pid, path in (line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()) if int(pid) != os.getpid()}
    assert in_workers  # notes that link into the edited note, checked again
    assert not in_workers & untouched
    vault = Vault.load(root, use_cache=False)
    rules = [entry.cls() for entry in discover_rules().values() if entry.cls.default_enabled]
    assert found == Linter(vault, rules, jobs=1).run(sorted(vault.notes))


def test_paper_findings_in_an_unchanged_note_follow_another_note_they_read(vault):
    write_vault(vault, {"Toolformer.md": "# Toolformer notes\n\n## Toolformer\n\n> [!info]\n> - arXiv: [2210.03629](https://arxiv.org/abs/2210.03629)\n"})
    age(vault)
    assert "Toolformer.md:6:13: VL302" in check(vault)  # two papers claim 2210.03629
    edit(vault, "Papers.md", FILES["Papers.md"].replace("2210.03629", "2305.10601"))
    after = check(vault)
    assert "VL302" not in after and after == fresh(vault)


def test_a_fresh_checkout_takes_the_kept_findings(vault, checked):
    """New times on every file (a checkout in CI with the cache restored) change no note's findings."""
    write_vault(vault, {"Attachments/figure.png": b"\x89PNG", ".obsidian/app.json": "{}"})
    age(vault)
    expected = check(vault)
    age(vault, seconds=5)
    checked.clear()
    assert check(vault) == expected
    assert checked == []
