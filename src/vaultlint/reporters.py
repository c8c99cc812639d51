"""Render findings for people (full, concise) and for tools (json, with a stable schema)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

import click

from . import __version__
from .diagnostics import Finding, Severity
from .vault import Vault

JSON_SCHEMA_VERSION = 1
# Pages ship in the repository's rules/ folder and print with `vaultlint rule CODE`.
RULE_DOCS_URL = "rules/{code}.md"

_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _marker(finding: Finding, unsafe: bool) -> str:
    if finding.fixable(unsafe=False):
        return " [*]"
    if finding.fixable(unsafe=True):
        return " [*unsafe]" if unsafe else " [unsafe fix]"
    return ""


def render_concise(findings: Iterable[Finding], display_root: str, colour: bool, unsafe: bool = False) -> list[str]:
    lines = []
    for finding in findings:
        location = f"{display_root}{finding.path}:{finding.line}:{finding.column}:"
        code = click.style(finding.code, fg=_SEVERITY_COLOUR[finding.severity], bold=True) if colour else finding.code
        if colour:
            location = click.style(location, bold=True)
        lines.append(f"{location} {code} {finding.rule}: {finding.message}{_marker(finding, unsafe)}")
    return lines


def render_full(findings: Iterable[Finding], vault: Vault, display_root: str, colour: bool, unsafe: bool = False) -> list[str]:
    lines = []
    for finding in findings:
        lines.extend(render_concise([finding], display_root, colour, unsafe))
        note = vault.notes.get(finding.path)
        if note is not None and note.text:
            source = note.line_text(finding.line).expandtabs(4)
            prefix = f"{finding.line:>5} | "
            raw = note.line_text(finding.line)
            column = len(raw[: finding.column - 1].expandtabs(4))
            width = 1
            if finding.end_line == finding.line:
                width = max(1, len(raw[finding.column - 1: finding.end_column - 1].expandtabs(4)))
            caret = "^" * width
            if colour:
                caret = click.style(caret, fg=_SEVERITY_COLOUR[finding.severity], bold=True)
            lines.append(prefix + source)
            lines.append(" " * (len(prefix) + column) + caret)
        if finding.fix is not None:
            applicability = finding.fix.applicability.label
            lines.append(f"      = fix ({applicability}): {finding.fix.title}")
        lines.append(f"      = docs: {RULE_DOCS_URL.format(code=finding.code)} (`vaultlint rule {finding.code}`)")
        lines.append("")
    return lines


def summary_lines(findings: list[Finding], files_checked: int, unsafe: bool = False) -> list[str]:
    if not findings:
        return [f"All checks passed ({files_checked} notes checked)."]
    by_rule = Counter((f.code, f.rule) for f in findings)
    width = max(len(str(count)) for count in by_rule.values())
    lines = [f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} in {len({f.path for f in findings})} of {files_checked} notes checked:"]
    for (code, rule), count in sorted(by_rule.items()):
        lines.append(f"  {count:>{width}}  {code} {rule}")
    safe = sum(1 for f in findings if f.fixable(unsafe=False))
    unsafe_only = sum(1 for f in findings if f.fixable(unsafe=True)) - safe
    if safe:
        lines.append(f"{safe} fixable with `vaultlint fix`.")
    if unsafe_only:
        lines.append(f"{unsafe_only} more fixable with `vaultlint fix --unsafe-fixes`.")
    return lines


def finding_to_json(finding: Finding) -> dict:
    fix = None
    if finding.fix is not None:
        fix = {
            "title": finding.fix.title,
            "applicability": finding.fix.applicability.label,
            "edits": [
                {"start": edit.span.start, "end": edit.span.end, "content": edit.replacement}
                for edit in finding.fix.edits
            ],
        }
    return {
        "code": finding.code,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "path": finding.path,
        "location": {"line": finding.line, "column": finding.column},
        "end_location": {"line": finding.end_line, "column": finding.end_column},
        "span": {"start": finding.span.start, "end": finding.span.end},
        "message": finding.message,
        "fix": fix,
        "url": RULE_DOCS_URL.format(code=finding.code),
    }


def render_json(findings: list[Finding], vault: Vault, files_checked: int) -> str:
    document = {
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": "vaultlint", "version": __version__},
        "vault_root": str(vault.root),
        "files_checked": files_checked,
        "findings": [finding_to_json(finding) for finding in findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
