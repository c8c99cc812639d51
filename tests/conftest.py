"""Shared test helpers: build a small vault on disk and run vaultlint on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultlint.engine import Linter
from vaultlint.registry import discover_rules, find_rule
from vaultlint.vault import Vault


def write_vault(root: Path, files: dict[str, str | bytes], obsidian: bool = True) -> Path:
    """Create ``files`` (vault path -> text or bytes) under ``root``; add ``.obsidian/``."""
    if obsidian:
        (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = root.joinpath(*relative.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def lint(root: Path, rule_key: str | None = None, **options) -> list:
    """Findings of one rule (by code or name), or of every rule, over the whole vault."""
    vault = Vault.load(root)
    available = discover_rules()
    if rule_key is None:
        rules = [entry.cls() for entry in available.values() if entry.cls.default_enabled]
    else:
        cls = find_rule(available, rule_key)
        assert cls is not None, rule_key
        rules = [cls(**options)]
    return Linter(vault, rules).run(sorted(vault.notes))


@pytest.fixture
def vault_dir(tmp_path: Path):
    """``vault_dir({'a.md': '...'})`` writes a vault and returns its root."""

    def make(files: dict[str, str | bytes], obsidian: bool = True) -> Path:
        return write_vault(tmp_path / "vault", files, obsidian)

    return make
