"""Render findings for people (full, concise, grouped) and for tools (json with a stable
schema, GitHub workflow annotations, SARIF 2.1.0, JUnit XML), and rule statistics."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

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
            prefix = f"{finding.line:>5} | "
            source, column, width = source_window(note.line_text(finding.line), finding)
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


SOURCE_WIDTH = 120  # a longer line is shown as a window around the finding
SOURCE_BEFORE = 40


def source_window(raw: str, finding: Finding) -> tuple[str, int, int]:
    """The source line to show (tabs expanded; a window with '…' when long), the
    caret's column in it and the caret's width."""
    start = min(finding.column - 1, len(raw))
    end = finding.end_column - 1 if finding.end_line == finding.line else len(raw)
    end = max(start, min(end, len(raw)))
    left, right, before, after = 0, len(raw), "", ""
    if len(raw.expandtabs(4)) > SOURCE_WIDTH:
        left = max(0, start - SOURCE_BEFORE)
        right = min(len(raw), left + SOURCE_WIDTH)
        before = "…" if left > 0 else ""
        after = "…" if right < len(raw) else ""
    column = len(before) + len(raw[left:start].expandtabs(4))
    width = max(1, len(raw[start:min(end, right)].expandtabs(4)))
    return before + raw[left:right].expandtabs(4) + after, column, width


def summary_lines(findings: list[Finding], files_checked: int, unsafe: bool = False) -> list[str]:
    if not findings:
        return [f"All checks passed ({files_checked} notes checked)."]
    by_rule = Counter((f.code, f.rule) for f in findings)
    width = max(len(str(count)) for count in by_rule.values())
    paths = {f.path for f in findings}
    others = sum(1 for path in paths if not path.lower().endswith(".md"))  # attachments, canvases (vault-wide rules)
    where = f"{len(paths) - others} of {files_checked} notes checked" + (f" and {others} other file{'s' if others != 1 else ''}" if others else "")
    lines = [f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} in {where}:"]
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
        if finding.fix.moves:  # a file move (orphan-attachment): paths relative to the vault root
            fix["moves"] = [{"from": move.source, "to": move.destination} for move in finding.fix.moves]
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


# --- grouped -----------------------------------------------------------------------------


def render_grouped(findings: list[Finding], display_root: str, colour: bool, unsafe: bool = False) -> list[str]:
    """Findings under their file, like ruff's grouped format."""
    lines: list[str] = []
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    for path, group in by_path.items():
        header = f"{display_root}{path}:"
        lines.append(click.style(header, bold=True, underline=True) if colour else header)
        width = max(len(f"{f.line}:{f.column}") for f in group)
        for finding in group:
            position = f"{finding.line}:{finding.column}"
            code = click.style(finding.code, fg=_SEVERITY_COLOUR[finding.severity], bold=True) if colour else finding.code
            lines.append(f"  {position:<{width}} {code} {finding.rule}: {finding.message}{_marker(finding, unsafe)}")
        lines.append("")
    return lines


# --- statistics --------------------------------------------------------------------------


def statistics(findings: list[Finding]) -> list[dict]:
    """Counts per rule, most frequent first; ``fixable``: how many have a safe fix."""
    counts = Counter((f.code, f.rule) for f in findings)
    fixable = Counter((f.code, f.rule) for f in findings if f.fixable(unsafe=False))
    rows = [{"code": code, "name": name, "count": count, "fixable": fixable[(code, name)]} for (code, name), count in counts.items()]
    rows.sort(key=lambda row: (-row["count"], row["code"]))
    return rows


def render_statistics(findings: list[Finding], as_json: bool) -> str:
    rows = statistics(findings)
    if as_json:
        return json.dumps(rows, indent=2)
    if not rows:
        return ""
    width = max(len(str(row["count"])) for row in rows)
    return "\n".join(f"{row['count']:>{width}}  {row['code']}  {'[*]' if row['fixable'] else '   '} {row['name']}" for row in rows)


# --- GitHub workflow annotations -------------------------------------------------------------


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: Iterable[Finding], display_root: str) -> list[str]:
    """``::error file=...,line=...::message`` lines, which GitHub Actions shows on the diff."""
    lines = []
    for f in findings:
        properties = ",".join(
            [
                f"file={_github_property(display_root + f.path)}",
                f"line={f.line}",
                f"col={f.column}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_column}",
                f"title={_github_property(f'{f.code} {f.rule}')}",
            ]
        )
        message = f"{f.message} ({RULE_DOCS_URL.format(code=f.code)})"
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} {properties}::{_github_data(message)}")
    return lines


# --- SARIF 2.1.0 -------------------------------------------------------------------------------


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(display_root: str, path: str) -> tuple[str, str | None]:
    """A result's artifact URI: relative to the working folder when the vault is in it."""
    full = display_root + path
    if Path(full).is_absolute():
        return Path(full).as_uri(), None
    return urllib.parse.quote(full, safe="/"), "%SRCROOT%"


def render_sarif(findings: list[Finding], rules: Iterable[type], display_root: str, working_dir: Path) -> str:
    """One SARIF 2.1.0 run: the rules that ran as ``tool.driver.rules``, one result per finding."""
    rule_list = sorted(rules, key=lambda cls: cls.code)
    index = {cls.code: i for i, cls in enumerate(rule_list)}
    driver_rules = []
    for cls in rule_list:
        driver_rules.append(
            {
                "id": cls.code,
                "name": cls.name,
                "shortDescription": {"text": cls.summary},
                "fullDescription": {"text": cls.documentation().split("## Why is this bad?", 1)[0].replace("## What it does", "").strip() or cls.summary},
                "helpUri": RULE_DOCS_URL.format(code=cls.code),
                "help": {"text": cls.summary, "markdown": cls.documentation()},
                "defaultConfiguration": {"level": _SARIF_LEVEL[cls.severity]},
                "properties": {"tags": list(cls.tags), "fix": cls.fix_availability.value},
            }
        )
    results = []
    for f in findings:
        uri, base = _uri(display_root, f.path)
        artifact = {"uri": uri, **({"uriBaseId": base} if base else {})}
        result = {
            "ruleId": f.code,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                            "charOffset": f.span.start,
                            "charLength": f.span.end - f.span.start,
                        },
                    }
                }
            ],
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        if f.fix is not None and f.fix.edits:  # SARIF has no file moves
            result["fixes"] = [
                {
                    "description": {"text": f"{f.fix.title} ({f.fix.applicability.label})"},
                    "artifactChanges": [
                        {
                            "artifactLocation": artifact,
                            "replacements": [
                                {
                                    "deletedRegion": {"charOffset": edit.span.start, "charLength": edit.span.end - edit.span.start},
                                    "insertedContent": {"text": edit.replacement},
                                }
                                for edit in f.fix.edits
                            ],
                        }
                    ],
                }
            ]
        results.append(result)
    run = {
        "tool": {
            "driver": {
                "name": "vaultlint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": driver_rules,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": working_dir.resolve().as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)


# --- JUnit XML ------------------------------------------------------------------------------------


# Characters XML 1.0 cannot hold. Left to re's own cache rather than compiled at
# import: only JUnit output needs it, and the class takes a millisecond to compile.
_XML_INVALID = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"


def _xml_text(text: str) -> str:
    return re.sub(_XML_INVALID, "\ufffd", text)


def render_junit(findings: list[Finding], checked: list[str], display_root: str) -> str:
    """One test suite; one passing test case per clean note, one failing test case per finding."""
    import xml.etree.ElementTree as ET  # only this format writes XML

    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    paths = list(dict.fromkeys([*checked, *by_path]))
    tests = sum(len(by_path.get(path, [])) or 1 for path in paths)
    suites = ET.Element("testsuites", name="vaultlint", tests=str(tests), failures=str(len(findings)), errors="0")
    suite = ET.SubElement(suites, "testsuite", name="vaultlint", tests=str(tests), failures=str(len(findings)), errors="0", skipped="0")
    for path in paths:
        shown = _xml_text(display_root + path)
        group = by_path.get(path)
        if not group:
            ET.SubElement(suite, "testcase", name="no findings", classname=shown, file=shown)
            continue
        for f in group:
            case = ET.SubElement(suite, "testcase", name=_xml_text(f"{f.code} {f.rule} at {f.line}:{f.column}"), classname=shown, file=shown, line=str(f.line))
            failure = ET.SubElement(case, "failure", message=_xml_text(f.message), type=f.code)
            failure.text = _xml_text(f"{display_root}{f.path}:{f.line}:{f.column}: {f.code} {f.rule}: {f.message}\ndocs: {RULE_DOCS_URL.format(code=f.code)}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")
