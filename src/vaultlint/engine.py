"""Runs the selected rules over the notes chosen for reporting; knows no rule by name."""

from __future__ import annotations

from collections.abc import Iterable

from .diagnostics import Finding
from .rule import Context, Rule
from .vault import Vault


class RuleCrash(Exception):
    """A rule raised on a note: reported as an internal error naming both."""

    def __init__(self, rule: Rule, path: str, error: BaseException) -> None:
        super().__init__(f"internal error: rule {rule.code} ({rule.name}) failed on {path}: {type(error).__name__}: {error}")


class Linter:
    def __init__(self, vault: Vault, rules: Iterable[Rule], context: Context | None = None) -> None:
        self.vault = vault
        self.rules = list(rules)
        self.context = context or Context(vault)

    def check_note(self, path: str) -> list[Finding]:
        note = self.vault.notes[path]
        findings: list[Finding] = []
        for rule in self.rules:
            try:
                findings.extend(rule.check(note, self.context))
            except Exception as error:
                raise RuleCrash(rule, path, error) from error
        return findings

    def run(self, paths: Iterable[str]) -> list[Finding]:
        findings: list[Finding] = []
        for path in paths:
            if path in self.vault.notes:
                findings.extend(self.check_note(path))
        findings.sort(key=lambda finding: finding.sort_key)
        return findings
