"""The parse cache: unchanged notes are never parsed twice, and every change is seen."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write_vault
from vaultlint import cache as cache_module
from vaultlint import vault as vault_module
from vaultlint.cache import CACHE_DIR_NAME, clear_cache
from vaultlint.engine import Linter
from vaultlint.registry import discover_rules, find_rule
from vaultlint.vault import Vault

FILES = {
    "Index.md": "# Index\n\n[[Paper]] and [[Paper#Method]] and [[Later]]\n",
    "Paper.md": "# Paper\n\n## Method\n",
}


def age(root, seconds=10):
    """Put every file's mtime in the past, out of the racy window."""
    past = time.time() - seconds
    for path in root.rglob("*.md"):
        os.utime(path, (past, past))


@pytest.fixture
def parse_counter(monkeypatch):
    calls = []
    original = vault_module.parse_bytes

    def counting(path, data):
        calls.append(path)
        return original(path, data)

    monkeypatch.setattr(vault_module, "parse_bytes", counting)
    return calls


def findings(root):
    vault = Vault.load(root)
    rules = [entry.cls() for entry in discover_rules().values() if entry.cls.__module__.startswith("vaultlint.")]
    return [(f.path, f.code, f.line, f.column) for f in Linter(vault, rules).run(sorted(vault.notes))]


def test_second_run_parses_nothing(tmp_path, parse_counter):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    first = Vault.load(root)
    assert sorted(parse_counter) == ["Index.md", "Paper.md"]
    parse_counter.clear()
    second = Vault.load(root)
    assert parse_counter == []
    assert second.notes["Paper.md"].headings == first.notes["Paper.md"].headings
    assert (root / CACHE_DIR_NAME / ".gitignore").read_text().strip().endswith("*")


def test_edited_note_is_parsed_again(tmp_path, parse_counter):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    Vault.load(root)
    parse_counter.clear()
    (root / "Paper.md").write_text("# Paper\n\n## Approach\n", encoding="utf-8")
    age(root, 5)
    vault = Vault.load(root)
    assert parse_counter == ["Paper.md"]
    assert [h.text for h in vault.notes["Paper.md"].headings] == ["Paper", "Approach"]
    assert ("Index.md", "VL103", 3, 22) in findings(root)


def test_touched_but_unchanged_note_is_not_parsed(tmp_path, parse_counter):
    root = write_vault(tmp_path / "v", FILES)
    age(root, 20)
    Vault.load(root)
    parse_counter.clear()
    age(root, 10)  # new mtime, same bytes: a checkout or `touch`
    Vault.load(root)
    assert parse_counter == []


def test_recently_modified_note_is_verified_by_content(tmp_path, parse_counter):
    root = write_vault(tmp_path / "v", FILES)
    Vault.load(root)  # mtimes are "now": inside the racy window
    parse_counter.clear()
    (root / "Paper.md").write_text("# Paper\n\n## Other\n", encoding="utf-8")
    vault = Vault.load(root)
    assert parse_counter == ["Paper.md"]
    assert [h.text for h in vault.notes["Paper.md"].headings] == ["Paper", "Other"]


def test_added_removed_and_renamed_files_change_other_notes_findings(tmp_path):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    assert ("Index.md", "VL102", 3, 38) in findings(root)
    (root / "Later.md").write_text("# Later\n", encoding="utf-8")
    assert not any(f[1] == "VL102" for f in findings(root))
    os.rename(root / "Paper.md", root / "Renamed.md")
    after_rename = findings(root)
    assert ("Index.md", "VL102", 3, 3) in after_rename or ("Index.md", "VL101", 3, 3) in after_rename
    (root / "Later.md").unlink()
    assert any(f[1] == "VL102" and f[3] == 38 for f in findings(root))


def test_new_version_starts_from_an_empty_cache(tmp_path, parse_counter, monkeypatch):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    Vault.load(root)
    parse_counter.clear()
    (old,) = (root / CACHE_DIR_NAME).glob("notes-*.pickle")
    monkeypatch.setattr(cache_module, "PARSER_FINGERPRINT", "parser-next")
    Vault.load(root)
    assert sorted(parse_counter) == ["Index.md", "Paper.md"]
    # The old version's cache stays while it is in use (two versions may take turns)...
    assert old.exists() and len(list((root / CACHE_DIR_NAME).glob("notes-*.pickle"))) == 2
    # ...and goes when the new one writes its cache after a week without use.
    week_ago = time.time_ns() - cache_module.OTHER_KEY_KEPT_FOR_NS - 10**9
    os.utime(old, ns=(week_ago, week_ago))
    (root / "Later.md").write_text("# Later\n", encoding="utf-8")  # a third of the notes: the whole cache is written
    Vault.load(root)
    assert not old.exists()


def test_two_versions_taking_turns_keep_each_others_cache(tmp_path, parse_counter, monkeypatch):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    for turn in range(4):
        monkeypatch.setattr(cache_module, "PARSER_FINGERPRINT", f"version-{turn % 2}")
        parse_counter.clear()
        Vault.load(root)
        assert sorted(parse_counter) == (["Index.md", "Paper.md"] if turn < 2 else [])  # each parses only once
    assert len(list((root / CACHE_DIR_NAME).glob("notes-*.pickle"))) == 2


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95\x10\x00\x00"])
def test_corrupt_or_half_written_cache_is_rebuilt(tmp_path, parse_counter, damage):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    Vault.load(root)
    (cache_file,) = (root / CACHE_DIR_NAME).glob("notes-*.pickle")
    cache_file.write_bytes(damage)
    parse_counter.clear()
    vault = Vault.load(root)
    assert sorted(parse_counter) == ["Index.md", "Paper.md"]
    assert [h.text for h in vault.notes["Paper.md"].headings] == ["Paper", "Method"]
    parse_counter.clear()
    Vault.load(root)
    assert parse_counter == []


def test_no_cache_and_cache_dir(tmp_path, parse_counter):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    Vault.load(root, use_cache=False)
    assert not (root / CACHE_DIR_NAME).exists()
    elsewhere = tmp_path / "cache-here"
    Vault.load(root, cache_dir=elsewhere)
    assert list(elsewhere.glob("notes-*.pickle"))
    assert clear_cache(elsewhere) and not elsewhere.exists()


def test_clear_cache_refuses_a_folder_it_did_not_make(tmp_path):
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep")
    assert not clear_cache(folder)
    assert (folder / "notes.txt").exists()


def test_parallel_parsing_gives_the_same_results_as_serial(tmp_path, monkeypatch):
    files = {f"Folder {i % 7}/Note {i}.md": f"# Note {i}\n\n## Part\n\n[[Note {i + 1}#Part]] [[Note {i + 3}#Gone]] ![[img {i}.png]]\n" for i in range(60)}
    root = write_vault(tmp_path / "v", files)
    monkeypatch.setattr(vault_module, "PARALLEL_MIN_NOTES", 10)
    serial = Vault.load(root, use_cache=False, jobs=1)
    parallel = Vault.load(root, use_cache=False, jobs=2)
    assert list(serial.notes) == list(parallel.notes)
    for path in serial.notes:
        a, b = serial.notes[path], parallel.notes[path]
        assert (a.links, a.headings, a.block_ids, a.tables, a.text) == (b.links, b.headings, b.block_ids, b.tables, b.text)
    rules = [entry.cls() for entry in discover_rules().values() if entry.cls.__module__.startswith("vaultlint.")]
    assert Linter(serial, rules).run(sorted(serial.notes)) == Linter(parallel, rules).run(sorted(parallel.notes))


def test_one_edit_writes_a_small_delta_not_the_whole_cache(tmp_path, parse_counter):
    files = {f"n{i}.md": f"# N{i}\n\n[[n{(i + 1) % 30}]]\n" for i in range(30)}
    root = write_vault(tmp_path / "v", files)
    age(root)
    Vault.load(root)
    (base,) = (root / CACHE_DIR_NAME).glob("notes-*[0-9a-f].pickle")
    base_file = (base.stat().st_ino, base.read_bytes())  # a load dates it (mark_used), a rewrite replaces it
    (root / "n3.md").write_text("# Edited\n", encoding="utf-8")
    past = time.time() - 5
    os.utime(root / "n3.md", (past, past))
    (root / "n4.md").unlink()
    Vault.load(root)
    assert (base.stat().st_ino, base.read_bytes()) == base_file
    assert list((root / CACHE_DIR_NAME).glob("notes-*.delta.pickle"))
    parse_counter.clear()
    vault = Vault.load(root)
    assert parse_counter == []
    assert vault.notes["n3.md"].headings[0].text == "Edited"
    assert "n4.md" not in vault.notes


def cli(*args):
    from click.testing import CliRunner

    from vaultlint.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_replays_results_only_while_nothing_changed(tmp_path, monkeypatch):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    first = cli("check", str(root), "--output-format", "concise")
    assert "VL102" in first.output
    calls = []
    original = Linter.run
    monkeypatch.setattr(Linter, "run", lambda self, paths: calls.append(paths) or original(self, paths))
    replay = cli("check", str(root), "--output-format", "concise")
    assert calls == [] and replay.output == first.output
    (root / "Later.md").write_text("# Later\n", encoding="utf-8")  # a new file changes resolution
    after = cli("check", str(root), "--output-format", "concise")
    assert len(calls) == 1 and "VL102" not in after.output
    cli("check", str(root), "--output-format", "concise", "--ignore", "VL102")  # other rules: re-run
    assert len(calls) == 2
    cli("check", str(root), "--output-format", "concise", "--no-cache")
    assert len(calls) == 3


def test_cache_flags_and_clean(tmp_path):
    root = write_vault(tmp_path / "v", FILES)
    elsewhere = tmp_path / "cache"
    cli("check", str(root), "--cache-dir", str(elsewhere), "--jobs", "1")
    assert not (root / CACHE_DIR_NAME).exists() and list(elsewhere.glob("notes-*.pickle"))
    cli("check", str(root), "--no-cache")
    assert not (root / CACHE_DIR_NAME).exists()
    cli("check", str(root))
    assert (root / CACHE_DIR_NAME).is_dir()
    cleaned = cli("clean", str(root))
    assert "Removed" in cleaned.output and not (root / CACHE_DIR_NAME).exists()
    assert "No cache" in cli("clean", str(root)).output
    assert cli("clean", str(root), "--cache-dir", str(elsewhere)).exit_code == 0 and not elsewhere.exists()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("x")
    refused = cli("clean", str(root), "--cache-dir", str(precious))
    assert refused.exit_code == 2 and (precious / "keep.txt").exists()


def test_results_of_other_versions_are_removed(tmp_path):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    cli("check", str(root))
    folder = root / CACHE_DIR_NAME
    stale = folder / "results-0000000000000000.pickle"
    stale.write_bytes(b"from an older vaultlint")
    older = folder / "results-1111111111111111.pickle"
    older.write_bytes(b"from an even older vaultlint")
    week_ago = time.time_ns() - cache_module.OTHER_KEY_KEPT_FOR_NS - 10**9
    os.utime(older, ns=(week_ago - 10**9, week_ago - 10**9))
    (root / "Later.md").write_text("# Later\n", encoding="utf-8")  # so this run stores its results
    cli("check", str(root))
    # The most recently used other key's file stays, for a week; any other goes.
    assert stale.exists() and not older.exists() and len(list(folder.glob("results-*.pickle"))) == 2
    os.utime(stale, ns=(week_ago, week_ago))
    (root / "Later.md").write_text("# Later again\n", encoding="utf-8")
    cli("check", str(root))
    assert not stale.exists() and len(list(folder.glob("results-*.pickle"))) == 1


@pytest.mark.skipif(not cache_module.processes_fork(), reason="the cache is written in a child process only where processes fork")
def test_a_cache_written_in_the_background_is_whole_once_waited_for(tmp_path, parse_counter):
    root = write_vault(tmp_path / "v", {f"Note {i}.md": f"# Note {i}\n\n[[Note {i + 1}]]\n" for i in range(50)})
    age(root)
    Vault.load(root, save_in_background=True)
    assert cache_module._WRITERS  # a child is writing it
    cache_module.wait_for_writers()
    assert not cache_module._WRITERS
    parse_counter.clear()
    Vault.load(root)
    assert parse_counter == []  # every note came from the cache the child wrote


@pytest.mark.skipif(not cache_module.processes_fork(), reason="the cache is written in a child process only where processes fork")
def test_the_command_line_waits_for_the_cache_it_writes(tmp_path, parse_counter):
    from click.testing import CliRunner

    from vaultlint.cli import main

    root = write_vault(tmp_path / "v", FILES)
    age(root)
    result = CliRunner().invoke(main, ["check", str(root), "--output-format", "concise"])
    assert result.exit_code == 1, result.output  # [[Later]] is not created yet
    assert not cache_module._WRITERS
    assert list((root / CACHE_DIR_NAME).glob("notes-*.pickle"))
    parse_counter.clear()
    Vault.load(root)
    assert parse_counter == []


def test_links_into_a_note_parsed_in_a_worker_are_checked_without_loading_it(tmp_path, monkeypatch):
    files = {
        "Index.md": "# Index\n\n[[Paper#Method]] [[Paper#^block]] [[Paper#Results#Table]] [[Paper#Twice]]\n",
        "Paper.md": "# Paper\n\n## Method\n\ntext ^block\n\n## Results\n\n### Table\n\n## Twice\n\n## Twice\n",
    }
    root = write_vault(tmp_path / "v", files)
    monkeypatch.setattr(vault_module, "PARALLEL_MIN_NOTES", 1)
    rules = [find_rule(discover_rules(), code)() for code in ("VL103", "VL106")]
    vault = Vault.load(root, use_cache=False, jobs=2)  # notes arrive pickled, with their outlines
    assert vault.subpath_targets("Paper.md").heading_keys == ("paper", "method", "results", "table", "twice", "twice")
    assert Linter(vault, rules[:1]).run(["Index.md"]) == []
    assert vault.notes._notes["Paper.md"] is None  # resolved links alone do not read the note
    # Reported: the note is read for the headings' lines.
    assert [f.code for f in Linter(vault, rules).run(["Index.md"])] == ["VL106"]  # [[Paper#Twice]]
    (root / "Index.md").write_text("# Index\n\n[[Paper#Gone]]\n", encoding="utf-8")
    vault = Vault.load(root, use_cache=False, jobs=2)
    assert [f.code for f in Linter(vault, rules[:1]).run(["Index.md"])] == ["VL103"]
    assert Vault.load(root, use_cache=False, jobs=1).outlines  # parsed here: outlined all the same


OUTLINED = {
    "Index.md": "# Index\n\n[[Paper#Method]] [[Paper#^block]] [[Other#Top]] [[Broken#Gone]]\n",
    "Paper.md": "# Paper\n\n## Method\n\ntext ^block\n\n## Results\n",
    "Other.md": "# Top\n",
    "Broken.md": "# Broken\n\n## Went\n",
}


def test_links_into_a_cached_note_are_checked_without_loading_it(tmp_path):
    """A full check from the parse cache (a file was added, a rule's options changed)
    reads where links into other notes lead from the cache's outlines, not by
    unpickling each note a link points into."""
    root = write_vault(tmp_path / "v", OUTLINED)
    age(root)
    rules = [find_rule(discover_rules(), "VL103")()]
    cold = Vault.load(root)
    expected = {path: cold.subpath_targets(path) for path in OUTLINED}
    found = Linter(cold, rules).run(["Index.md"])
    vault = Vault.load(root)
    assert not vault.outlines and all(vault.cached_notes[path].outline_blob for path in OUTLINED)
    assert [(f.code, f.line, f.column) for f in Linter(vault, rules).run(["Index.md"])] == [(f.code, f.line, f.column) for f in found]
    assert [f.code for f in found] == ["VL103"]  # [[Broken#Gone]]: that note is read for its headings' lines
    assert vault.notes.blob("Paper.md") is not None and vault.notes.blob("Other.md") is not None  # neither unpickled
    assert {path: vault.subpath_targets(path) for path in OUTLINED} == expected


def test_outlines_survive_the_delta_and_follow_edits_and_fixes(tmp_path):
    root = write_vault(tmp_path / "v", {**OUTLINED, **{f"n{i}.md": f"# N{i}\n" for i in range(30)}})
    age(root)
    Vault.load(root)
    (root / "Paper.md").write_text("# Paper\n\n## Gone\n", encoding="utf-8")  # a small change: the delta file
    past = time.time() - 5
    os.utime(root / "Paper.md", (past, past))
    Vault.load(root)
    assert list((root / CACHE_DIR_NAME).glob("notes-*.delta.pickle"))
    vault = Vault.load(root)
    assert vault.subpath_targets("Paper.md").heading_keys == ("paper", "gone")
    assert vault.subpath_targets("Other.md").heading_keys == ("top",)
    vault.replace_note("Other.md", "# Renamed\n")  # a fix: its cached outline no longer holds
    assert vault.subpath_targets("Other.md").heading_keys == ("renamed",)


def test_a_damaged_outline_is_taken_from_the_note(tmp_path):
    root = write_vault(tmp_path / "v", OUTLINED)
    age(root)
    Vault.load(root)
    vault = Vault.load(root)
    vault.cached_notes["Paper.md"].outline_blob = b"not a pickle"
    vault.cached_notes["Other.md"].outline_blob = pickle.dumps(["not", "an", "outline"])
    assert vault.subpath_targets("Paper.md").heading_keys == ("paper", "method", "results")
    assert vault.subpath_targets("Other.md").heading_keys == ("top",)


# --- paper facts --------------------------------------------------------------------

PAPERS = {
    "Papers.md": (
        "# Papers\n\n| Title | arXiv |\n| --- | --- |\n"
        "| [[#ReAct]] | 2210.03629 |\n| [[#Reflexion]] | 2303.11366 |\n\n"
        "## ReAct\n\n> [!info]\n> - arXiv: [2210.03629](https://arxiv.org/abs/2210.03629)\n\n"
        "## Reflexion\n\n> [!info]\n> - arXiv: [2303.11366](https://arxiv.org/abs/2303.11366)\n"
    ),
    "Daily.md": "# Daily\n\nRead [[Papers#ReAct]] today.\n",
}


@pytest.fixture
def facts_counter(monkeypatch):
    from vaultlint import papers

    calls = []
    original = papers._read_facts

    def counting(view):
        calls.append(view.note.path)
        return original(view)

    monkeypatch.setattr(papers, "_read_facts", counting)
    return calls


def full_check(root):
    """What a full check reports, through the command line (which keeps paper facts)."""
    return cli("check", str(root), "--output-format", "concise").output


def forget_note_findings(root):
    """Drop each note's findings kept from the last run, so that the next run builds the
    paper index (a run after an edit that changes no reader takes the paper rules'
    findings as they were, and reads no facts)."""
    for file in (root / CACHE_DIR_NAME).glob("note-results-*.pickle"):
        file.unlink()


def test_paper_facts_are_kept_for_runs_that_take_notes_from_the_cache(tmp_path, facts_counter):
    root = write_vault(tmp_path / "v", PAPERS)
    age(root)
    first = full_check(root)
    assert facts_counter == ["Papers.md"] and len(list((root / CACHE_DIR_NAME).glob("facts-*.pickle"))) == 1
    (root / "Daily.md").write_text(PAPERS["Daily.md"] + "More.\n", encoding="utf-8")
    age(root)
    forget_note_findings(root)
    facts_counter.clear()
    assert full_check(root) == first  # every note but Daily.md from the parse cache, their facts from the facts cache
    assert facts_counter == []


def test_a_note_whose_bytes_changed_gets_new_facts(tmp_path, facts_counter):
    root = write_vault(tmp_path / "v", PAPERS)
    age(root)
    full_check(root)
    (root / "Daily.md").write_text(PAPERS["Daily.md"] + "More.\n", encoding="utf-8")
    age(root)
    assert "VL301" not in full_check(root)
    # The same ID under a second paper's callout: a conflict only fresh facts can show.
    papers_text = PAPERS["Papers.md"].replace("abs/2303.11366)", "abs/2303.11366) [2210.03629](https://arxiv.org/abs/2210.03629)")
    (root / "Papers.md").write_text(papers_text, encoding="utf-8")
    age(root)
    facts_counter.clear()
    after = full_check(root)
    assert facts_counter == ["Papers.md"]
    assert after == cli("check", str(root), "--output-format", "concise", "--no-cache").output
    assert "VL301" in after or "VL302" in after


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95\x10\x00\x00"])
def test_a_damaged_facts_cache_is_ignored_and_written_again(tmp_path, facts_counter, damage):
    root = write_vault(tmp_path / "v", PAPERS)
    age(root)
    full_check(root)
    (root / "Daily.md").write_text(PAPERS["Daily.md"] + "More.\n", encoding="utf-8")
    age(root)
    expected = full_check(root)
    (facts_file,) = (root / CACHE_DIR_NAME).glob("facts-*.pickle")
    facts_file.write_bytes(damage)
    (root / "Daily.md").write_text(PAPERS["Daily.md"] + "Even more.\n", encoding="utf-8")
    age(root)
    forget_note_findings(root)
    facts_counter.clear()
    assert full_check(root) == expected
    assert facts_counter == ["Papers.md"] and facts_file.stat().st_size > len(damage)


def test_facts_of_a_note_a_fix_rewrote_are_not_kept(tmp_path):
    from vaultlint.cache import FactsCache

    root = write_vault(tmp_path / "v", PAPERS)
    age(root)
    Vault.load(root)
    vault = Vault.load(root)  # every note from the cache
    vault.paper_facts("Papers.md")
    vault.replace_note("Papers.md", PAPERS["Papers.md"] + "\nA fix was here.\n")
    vault.paper_facts("Papers.md")
    vault.save_paper_facts()
    assert FactsCache(root / CACHE_DIR_NAME).get("Papers.md", vault.digests["Papers.md"]) is None


def test_few_new_facts_do_not_rewrite_the_facts_cache(tmp_path):
    from vaultlint.cache import FactsCache

    folder = tmp_path / "cache"
    store = FactsCache(folder)
    digests = {f"Note {n}.md": bytes([n]) for n in range(20)}
    for path, digest in digests.items():
        store.put(path, digest, ("facts of", path))
    store.save(digests)
    written = (store.file.stat().st_ino, store.file.read_bytes())  # a load dates it (mark_used), a rewrite replaces it
    again = FactsCache(folder)
    assert again.get("Note 3.md", bytes([3])) == ("facts of", "Note 3.md")
    assert again.get("Note 3.md", b"other bytes") is None
    again.put("Note 3.md", b"other bytes", ("new facts",))
    again.save({**digests, "Note 3.md": b"other bytes"})  # one new of twenty: not worth rewriting
    assert (store.file.stat().st_ino, store.file.read_bytes()) == written


def test_a_note_read_from_its_pickle_lets_the_pickle_go(tmp_path):
    root = write_vault(tmp_path / "v", FILES)
    age(root)
    Vault.load(root)
    vault = Vault.load(root)  # every note from the cache, pickled
    assert vault.notes.blob("Paper.md") is not None
    headings = vault.notes["Paper.md"].headings
    assert vault.notes.blob("Paper.md") is None and vault.notes["Paper.md"].headings == headings


def _key_of_copy(package: Path) -> str:
    """The parse cache's key as a copy of the package installed at ``package`` works it out."""
    script = "from vaultlint.cache import cache_key; print(cache_key())"
    env = {**os.environ, "PYTHONPATH": str(package.parent)}
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_two_installs_of_the_same_code_share_the_cache_and_an_edit_does_not(tmp_path):
    """pre-commit's environment and a user's take turns on one vault: with the same code
    (at other paths, installed at other times) they share the caches."""
    source = Path(cache_module.__file__).parent
    first, second = tmp_path / "one" / "vaultlint", tmp_path / "two" / "vaultlint"
    shutil.copytree(source, first, ignore=shutil.ignore_patterns("__pycache__"))
    time.sleep(0.01)
    shutil.copytree(source, second, ignore=shutil.ignore_patterns("__pycache__"))
    assert _key_of_copy(first) == _key_of_copy(second)
    parser = second / "parser" / "inline.py"
    parser.write_text(parser.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert _key_of_copy(first) != _key_of_copy(second)


def test_an_edited_source_file_changes_the_key_within_a_process(tmp_path, monkeypatch):
    source = tmp_path / "module.py"
    source.write_text("x = 1\n", encoding="utf-8")
    before = cache_module._code_stamp([source])
    source.write_text("x = 22\n", encoding="utf-8")
    assert cache_module._code_stamp([source]) != before


_KEYS = st.one_of(
    st.text(alphabet="abcxyz .0123456789é", max_size=12),
    st.tuples(st.just("file"), st.text(alphabet="abcé ", max_size=6)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.frozensets(_KEYS, max_size=6), max_size=12), st.sets(_KEYS, max_size=8))
def test_the_key_index_finds_exactly_the_notes_whose_summary_shares_a_key(shared_sets, asked):
    """What the base file's key index answers is what testing every summary answers."""
    from vaultlint.papers import PaperSummary

    entries = {
        f"n{number}.md": cache_module.CachedNote(1, 2, b"d", b"blob", PaperSummary(False, (), (), (), (), shared))
        for number, shared in enumerate(shared_sets)
    }
    parts = cache_module._base_parts(entries)
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "notes.pickle"
        file.write_bytes(b"".join(bytes(part) for part in parts))
        notes, index = cache_module._read_base(file)
        assert list(notes) == list(entries)
        assert [notes[path].summary().shared for path in notes] == shared_sets
        assert index.notes_with(asked) == {path for path, entry in entries.items() if not entry.paper_summary.shared.isdisjoint(asked)}
