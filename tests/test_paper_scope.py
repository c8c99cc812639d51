"""A run about some notes reads only the notes that can change their paper records,
and reports exactly what a run over the whole vault reports for them."""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
from pathlib import Path

import pytest

from vaultlint.engine import Linter
from vaultlint.papers import _readers, paper_index, paper_scope, summarize
from vaultlint.parser import parse_note
from vaultlint.registry import discover_rules
from vaultlint.vault import Vault

from conftest import write_vault

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from generate_vault import generate  # noqa: E402


def _rules():
    return [entry.cls() for entry in discover_rules().values() if entry.cls.default_enabled]


def _by_note(findings) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    for finding in findings:
        found.setdefault(finding.path, []).append((finding.code, finding.line, finding.column, finding.message, finding.fix))
    return found


def _assert_focused_runs_agree(root: Path, paths: list[str] | None = None) -> None:
    vault = Vault.load(root, use_cache=False)
    whole = _by_note(Linter(vault, _rules()).run(sorted(vault.notes)))
    for path in paths or sorted(vault.notes):
        focused = _by_note(Linter(vault, _rules()).run([path]))
        assert focused.get(path, []) == whole.get(path, []), path


CHAINED = {
    # X and Z describe one paper (the same title of three words or more); the index
    # row in Y links to Z's section and states X's ID; Z states another ID, which
    # W's paper owns. Only the chain X - Z - Y - W makes the conflict on X's paper.
    "X.md": "## Tool Former Language Models\n\n> [!info]\n> [arXiv:2302.04761](https://arxiv.org/abs/2302.04761)\n",
    "Y.md": "| Title | arXiv |\n| --- | --- |\n| [[Z#Tool Former Language Models]] | 2302.04761 |\n",
    "Z.md": "# Z\n\n## Tool Former Language Models\n\n> [!info]\n> [arXiv:2305.11627](https://arxiv.org/abs/2305.11627)\n",
    "W.md": "## LLM Pruner\n\n> [!info]\n> [arXiv:2305.11627](https://arxiv.org/abs/2305.11627)\n",
    "V.md": "## ReAct\n\n> [!info]\n> [arXiv:2210.03629](https://arxiv.org/abs/2210.03629)\n",
    "U.md": "## TALM\n\n> [!info]\n> [arXiv:2210.03629](https://arxiv.org/abs/2210.03629)\n",
    "Daily/2024-05-02.md": "Read [ReAct](https://arxiv.org/abs/2210.03629) and [[X#Tool Former Language Models]] today.\n",
    "Loose.md": "# Loose\n\nNothing about papers, a link to [[Z]].\n",
    "Plain.md": "# Plain\n\nJust words, [[X]].\n",
    # Only R's link ties its row to T's section: no shared title, no ID in the row.
    "R.md": "| Paper | arXiv |\n| --- | --- |\n| [[T#Self Refine Loop\\|SR]] | |\n| [[Loose\\|L]] | |\n",
    "T.md": "## Self Refine Loop\n\n> [!info]\n> [arXiv:2303.17651](https://arxiv.org/abs/2303.17651)\n",
}


def test_chained_records_are_found_from_any_of_their_notes(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "vault", CHAINED)
    vault = Vault.load(root, use_cache=False)
    whole = _by_note(Linter(vault, _rules()).run(sorted(vault.notes)))
    assert any(code == "VL301" for code, *_ in whole.get("X.md", []) + whole.get("Z.md", [])), whole
    assert any(code == "VL302" for note in ("V.md", "U.md") for code, *_ in whole.get(note, [])), whole
    _assert_focused_runs_agree(root)


def test_scope_follows_ids_titles_and_row_links_but_not_citations(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "vault", CHAINED)
    vault = Vault.load(root, use_cache=False)
    assert paper_scope(vault, ["X.md"]) == {"X.md", "Y.md", "Z.md", "W.md"}
    # The daily note's citations of ReAct do not pull in the notes that claim it.
    assert "V.md" not in paper_scope(vault, ["Daily/2024-05-02.md"])
    assert paper_scope(vault, ["Loose.md"]) == {"Loose.md", "R.md"}  # R's row to Loose, not its row to T
    assert paper_scope(vault, ["V.md"]) == {"V.md", "U.md"}
    assert paper_scope(vault, ["T.md"]) == {"T.md", "R.md"}
    # R's other row links to Loose as a whole: it may name any of Loose's headings.
    assert paper_scope(vault, ["R.md"]) == {"R.md", "T.md", "Loose.md"}


def test_a_focused_run_reads_only_the_notes_in_scope(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "vault", CHAINED)
    vault = Vault.load(root, use_cache=False)
    index = paper_index(vault, ("V.md",))
    assert {record.path for paper in index.papers for record in paper.records} == {"V.md", "U.md"}
    assert {path for path in index.paths_with_claims()} == {"V.md", "U.md"}
    # Notes without a table or an arXiv ID are not read, even for the whole vault,
    # unless a row may point at them.
    everything = set(vault.notes)
    assert set(_readers(vault, everything)) == everything - {"Plain.md"}


def test_summary_covers_every_id_a_record_may_claim() -> None:
    note = parse_note(
        "N.md",
        "# N\n\n| Paper | Link |\n| --- | --- |\n| A | 2205.12255 |\n\n"
        "## B\n\n> [!info]\n> arXiv: 2305.11627\n\n"
        "## C\n\nPaper: [PDF](https://arxiv.org/pdf/2210.03629v2) [cs.CL]\n\n"
        "See [this](https://arxiv.org/abs/2302.04761) in a sentence.\n",
    )
    summary = summarize(note)
    assert summary.readable
    assert summary.rows == (("a", "", ("2205.12255",), None),)
    assert summary.titles == ("n", "b", "c")
    assert summary.heading_ids == ((1, ("2305.11627",)), (2, ("2210.03629",)))
    quiet = summarize(parse_note("Q.md", "# Quiet\n\nNo papers here, [[Q]].\n"))
    assert not quiet.readable and not quiet.rows and quiet.titles == ("quiet",) and not quiet.heading_ids


def test_example_vault_focused_runs_agree(tmp_path: Path) -> None:
    root = tmp_path / "research-vault"
    shutil.copytree(REPO / "examples" / "research-vault", root)
    _assert_focused_runs_agree(root)


@pytest.mark.parametrize("seed", [3, 11])
def test_generated_vault_focused_runs_agree(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "generated"
    generate(root, 160, seed=seed)
    vault = Vault.load(root, use_cache=False)
    notes = sorted(vault.notes)
    sample = random.Random(seed).sample(notes, 40)
    _assert_focused_runs_agree(root, sample)


MISSING_HEADING_ROW = {
    # The row links to a heading P lacks: the builder reads the link as one to the whole
    # note and pairs the row with P's only paper section (which then has two IDs), which
    # a run about I.md alone must see too.
    "P.md": "## Policy Scaling Search\n\n> [!info]\n> - arXiv: [2401.10000](https://arxiv.org/abs/2401.10000)\n",
    "I.md": "| Paper | arXiv |\n| --- | --- |\n| [[P#Method]] | 2210.10021 |\n",
    "B.md": "## Thought Benchmark\n\n> [!info]\n> - arXiv: [2210.10021](https://arxiv.org/abs/2210.10021)\n",
}


def test_a_row_linking_to_a_missing_heading_reaches_the_notes_paper_section(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "vault", MISSING_HEADING_ROW)
    vault = Vault.load(root, use_cache=False)
    assert paper_scope(vault, ["I.md"]) == {"I.md", "P.md", "B.md"}
    assert "VL301" in {finding.code for finding in Linter(vault, _rules()).run(["I.md"])}
    _assert_focused_runs_agree(root)


def test_summary_and_sections_survive_lone_carriage_returns() -> None:
    # The parser counts a lone CR as a line break when it numbers headings; the line
    # index does not. Offsets, not heading line numbers, must decide extents.
    text = "# A\r\r\n\n## ReAct\r\n\r\n> [!info]\r\n> [arXiv:2210.03629](https://arxiv.org/abs/2210.03629)\r\n"
    note = parse_note("N.md", text)
    summary = summarize(note)
    assert summary.heading_ids == ((1, ("2210.03629",)),)


def _age(root: Path, seconds: int = 10, paths: list[str] | None = None) -> None:
    """Date files back (every file, or ``paths``), so the parse cache takes them by size and time."""
    for path in [root / path for path in paths] if paths is not None else root.rglob("*"):
        if path.is_file():
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 10**9))


def _move_records(rng: random.Random, root: Path, notes: list[str]) -> list[str]:
    """Swap an arXiv ID or rename a heading in a few notes; the notes edited."""
    ids = sorted({found for path in notes for found in re.findall(r"\b\d{4}\.\d{4,5}\b", (root / path).read_text(encoding="utf-8"))})
    edited = rng.sample(notes, 4)
    for path in edited:
        text = (root / path).read_text(encoding="utf-8")
        mine = re.findall(r"\b\d{4}\.\d{4,5}\b", text)
        if mine and rng.random() < 0.6:
            text = text.replace(rng.choice(mine), rng.choice(ids))
        else:
            text = re.sub(r"^(#+ )(.*)$", lambda m: m.group(1) + m.group(2)[::-1], text, count=1, flags=re.MULTILINE)
        if text == (root / path).read_text(encoding="utf-8"):
            text += f"\n## Edited {rng.randrange(1000)}\n"
        (root / path).write_text(text, encoding="utf-8")
    return edited


@pytest.mark.parametrize("seed", [3, 11])
def test_focused_runs_on_notes_from_the_parse_cache_agree(tmp_path: Path, seed: int, monkeypatch) -> None:
    """A vault taken from the parse cache looks the keys shared across notes up in the
    cache's key index for the notes whose summary it describes, and in the summaries of
    the others: notes edited since it was written (kept in the delta file, or parsed in
    this run)."""
    root = tmp_path / "generated"
    generate(root, 160, seed=seed)
    cache = tmp_path / "cache"
    _age(root)
    Vault.load(root, cache_dir=cache)
    rng = random.Random(seed)
    notes = sorted(Vault.load(root, use_cache=False).notes)
    readable = [path for path in notes if re.search(r"\d{4}\.\d{4,5}|^\|", (root / path).read_text(encoding="utf-8"), re.M)]
    edited: list[str] = []
    for _ in range(2):  # the first edits go to the delta file, the second are parsed by the load below
        moved = _move_records(rng, root, readable)
        edited += moved
        _age(root, 5, moved)
        removed = rng.choice([path for path in readable if path not in edited])  # still in the key index
        (root / removed).unlink()
        readable.remove(removed)
        vault = Vault.load(root, cache_dir=cache)
    assert vault.summary_keys is not None
    assert not vault.summaries_in_key_index & set(edited)
    assert len(vault.summaries_in_key_index) == len(notes) - 2 - len(set(edited))
    lookups: list[int] = []
    real = type(vault.summary_keys).notes_with
    monkeypatch.setattr(type(vault.summary_keys), "notes_with", lambda self, keys: lookups.append(len(keys)) or real(self, keys))
    fresh = Vault.load(root, use_cache=False)
    whole = _by_note(Linter(fresh, _rules()).run(sorted(fresh.notes)))
    for path in sorted(set(edited) | set(rng.sample(readable, 20))):
        focused = _by_note(Linter(vault, _rules()).run([path]))
        assert focused.get(path, []) == whole.get(path, []), path
    assert lookups  # the key index was used


def test_a_damaged_key_index_or_summary_falls_back_to_the_summaries(tmp_path: Path, monkeypatch) -> None:
    root = write_vault(tmp_path / "v", CHAINED)
    cache = tmp_path / "cache"
    _age(root)
    Vault.load(root, cache_dir=cache)
    vault = Vault.load(root, cache_dir=cache)
    assert vault.summary_keys is not None

    def damaged(self, keys):
        raise ValueError("damaged key bucket")

    monkeypatch.setattr(type(vault.summary_keys), "notes_with", damaged)
    vault.paper_summaries._kept["X.md"].summary_blob = memoryview(b"not a pickle")
    assert vault.paper_summary("X.md") == summarize(vault.notes["X.md"])
    assert paper_scope(vault, {"X.md"}) == paper_scope(Vault.load(root, use_cache=False), {"X.md"})
