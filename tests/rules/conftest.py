"""Helpers shared by the per-rule tests: apply one finding's fix, run the fix loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultlint.engine import Linter
from vaultlint.fixer import apply_edits, fix_notes
from vaultlint.registry import discover_rules, find_rule
from vaultlint.vault import Vault


def note_text(root: Path, path: str) -> str:
    """A note's text exactly as vaultlint decodes it (no newline translation)."""
    return root.joinpath(*path.split("/")).read_bytes().decode("utf-8")


def fixed_text(root: Path, finding) -> str:
    """The note's text after applying only this finding's fix."""
    assert finding.fix is not None, finding.message
    return apply_edits(note_text(root, finding.path), list(finding.fix.edits))


def run_fix_loop(root: Path, rule_key: str | None, unsafe: bool, **options):
    """``fix_notes`` over the whole vault, writing the result to disk, then a second
    run on a freshly loaded vault. Returns both results."""

    def rules():
        available = discover_rules()
        if rule_key is None:
            return [entry.cls() for entry in available.values() if entry.cls.default_enabled]
        return [find_rule(available, rule_key)(**options)]

    vault = Vault.load(root)
    first = fix_notes(Linter(vault, rules()), sorted(vault.notes), unsafe)
    for path, text in first.fixed.items():
        root.joinpath(*path.split("/")).write_bytes(text.encode("utf-8"))
    vault = Vault.load(root)
    second = fix_notes(Linter(vault, rules()), sorted(vault.notes), unsafe)
    return first, second


@pytest.fixture
def fixed():
    return fixed_text


@pytest.fixture
def fix_loop():
    return run_fix_loop
