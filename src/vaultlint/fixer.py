"""Applies fixes as text edits, re-checks until nothing changes, and writes files atomically."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Edit, Finding
from .engine import Linter

MAX_PASSES = 10


@dataclass(slots=True)
class FixResult:
    """Texts before and after, per changed note, and what is left to report."""

    original: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    applied: int = 0
    remaining: list[Finding] = field(default_factory=list)
    not_converged: list[str] = field(default_factory=list)


def apply_edits(text: str, edits: list[Edit]) -> str:
    pieces: list[str] = []
    position = 0
    for edit in sorted(edits):
        pieces.append(text[position:edit.span.start])
        pieces.append(edit.replacement)
        position = edit.span.end
    pieces.append(text[position:])
    return "".join(pieces)


def _choose_edits(findings: list[Finding]) -> tuple[list[Edit], int]:
    """Non-overlapping edits, first fix first; a fix overlapping an accepted one waits a pass."""
    accepted: list[Edit] = []
    count = 0
    for finding in sorted(findings, key=lambda f: (f.fix.edits[0].span.start, f.code)):
        edits = finding.fix.edits
        if any(edit.span.overlaps(other.span) or edit.span == other.span for edit in edits for other in accepted):
            continue
        accepted.extend(edits)
        count += 1
    return accepted, count


def fix_notes(linter: Linter, paths: list[str], unsafe: bool) -> FixResult:
    vault = linter.vault
    result = FixResult()
    findings = linter.run(paths)
    for _ in range(MAX_PASSES):
        fixable: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.fixable(unsafe):
                fixable.setdefault(finding.path, []).append(finding)
        changed = False
        for path, path_findings in fixable.items():
            note = vault.notes[path]
            edits, count = _choose_edits(path_findings)
            new_text = apply_edits(note.text, edits)
            if new_text == note.text:
                continue
            result.original.setdefault(path, note.text)
            vault.replace_note(path, new_text)
            result.applied += count
            changed = True
        if not changed:
            break
        findings = linter.run(paths)
    else:
        result.not_converged = sorted({f.path for f in findings if f.fixable(unsafe)})
    for path, before in result.original.items():
        after = vault.notes[path].text
        if after != before:
            result.fixed[path] = after
    result.original = {path: result.original[path] for path in result.fixed}
    result.remaining = findings
    return result


class StaleFileError(Exception):
    pass


def write_note(path: Path, original: bytes, new: bytes) -> None:
    """Replace ``path`` with ``new`` atomically, unless it changed since it was read."""
    current = path.read_bytes()
    if current != original:
        raise StaleFileError(f"{path}: changed on disk while vaultlint ran; not written")
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".vaultlint-tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(new)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
