"""Similar file names (the "did you mean" of unresolved links): scoring only the names
whose length can reach the cutoff picks exactly what scoring every name would."""

from __future__ import annotations

import posixpath
import random

import pytest
from rapidfuzz import fuzz, process

from vaultlint.repair import similar_files
from vaultlint.vault import Vault

from conftest import write_vault


def _scoring_every_name(vault: Vault, file_name: str, cutoff: float = 88.0) -> list[str]:
    extension = posixpath.splitext(file_name)[1].lower()
    stems = {name: posixpath.splitext(name)[0] for name in vault.index.names() if name.endswith(extension)}
    stem = posixpath.splitext(file_name)[0].lower()
    if len(stem) < 4:
        return []
    matches = process.extract(stem, stems, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3)
    if not matches:
        return []
    best = matches[0][1]
    return [path for _, score, name in matches if best - score < 4 for path in vault.index.named(name)]


def _random_name(rng: random.Random) -> str:
    return "".join(rng.choice("aab c") for _ in range(rng.randint(3, 30))).strip() or "x"


@pytest.mark.parametrize("seed", range(4))
def test_same_names_as_scoring_every_name(tmp_path, seed):
    rng = random.Random(seed)
    # A small alphabet makes near-misses, equal scores and ties at the limit common.
    names = {_random_name(rng) for _ in range(300)}
    files = {f"{'sub/' if i % 3 else ''}{name}.md": "" for i, name in enumerate(sorted(names))}
    files.update({f"img/{name}.png": b"" for name in list(names)[:40]})
    vault = Vault.load(write_vault(tmp_path, files), use_cache=False)
    queries = [_random_name(rng) for _ in range(200)] + [name[:-1] for name in list(names)[:50]]
    for query in queries:
        for file_name in (f"{query}.md", f"{query}.png"):
            assert similar_files(vault, file_name) == _scoring_every_name(vault, file_name), file_name


def test_a_typo_finds_the_note_and_a_far_length_does_not(tmp_path):
    vault = Vault.load(write_vault(tmp_path, {"Attention Is All You Need.md": "", "Other.md": ""}), use_cache=False)
    assert similar_files(vault, "Atention Is All You Need.md") == ["Attention Is All You Need.md"]
    assert similar_files(vault, "Attention Is All You Need And More Besides.md") == []
