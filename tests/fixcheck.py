"""The fix-safety properties, checked on a vault on disk (shared by tests and scripts/fuzz.py).

:func:`fix_and_check` runs the fix pipeline the way ``vaultlint fix`` does
(``fix_notes``, then ``write_note`` per changed note) and raises
:class:`PropertyViolation` when

- a fix pass changes a character outside the edit spans of the fixable findings
  it applied, or a fix edits outside its own finding's span;
- a parsed link's spans do not slice back to its text, or a finding's position
  does not match its span;
- a file that was not fixed changed its bytes, mode or mtime, or a fixed one its
  mode, BOM, encoding or any line ending; a file appeared (a temporary file left
  behind) or disappeared;
- the fixes did not settle, or a fresh check after the fix still finds something
  fixable (fixing is not idempotent).
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from vaultlint.engine import Linter
from vaultlint.fixer import fix_notes, write_note
from vaultlint.note import LinkStyle
from vaultlint.registry import discover_rules
from vaultlint.source import Span
from vaultlint.vault import Vault

_LINE_END = re.compile(r"\r\n|\n|\r")
# Link rules (VL1xx) report the link text they repair: their edits stay inside the
# finding's span. Other rules may edit more of the lines they report, on purpose
# (VL002 removes a whole unused suppression comment, VL201 completes or drops a
# table row): their edits stay inside the finding's lines, line endings included.
# Table rules (VL20x) may also re-pad the other rows of a padded table: their edits
# may fall on any table line (a line holding a `|`).
SPAN_EXACT_RULES = ("VL1",)
TABLE_RULES = ("VL20",)
CACHE_FOLDER = ".vaultlint_cache"


class PropertyViolation(AssertionError):
    pass


@dataclass(frozen=True)
class FileState:
    data: bytes
    mode: int
    mtime_ns: int


def snapshot(root: Path) -> dict[str, FileState]:
    """Every file under ``root`` (symlinks not followed; the parse cache left out)."""
    found: dict[str, FileState] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != CACHE_FOLDER]
        for name in files:
            path = Path(folder, name)
            info = path.lstat()
            data = path.read_bytes() if stat.S_ISREG(info.st_mode) else os.readlink(path).encode()
            found[path.relative_to(root).as_posix()] = FileState(data, stat.S_IMODE(info.st_mode), info.st_mtime_ns)
    return found


_RULE_CLASSES: list = []


def all_rules():
    """A fresh instance of every installed rule (the entry points are read once)."""
    if not _RULE_CLASSES:
        _RULE_CLASSES.extend(entry.cls for entry in discover_rules().values())
    return [cls() for cls in _RULE_CLASSES]


@dataclass
class Outcome:
    notes: int = 0
    links: int = 0
    findings: Counter = field(default_factory=Counter)
    fixable: int = 0
    applied: int = 0
    files_written: int = 0
    skipped_notes: list[str] = field(default_factory=list)


def _fail(message: str) -> None:
    raise PropertyViolation(message)


def check_spans(vault: Vault) -> int:
    """Links, headings and block ids slice back to their source text; returns the link count."""
    count = 0
    for path in sorted(vault.notes):
        note = vault.notes[path]
        text = note.text
        for link in note.links:
            count += 1
            whole = text[link.span.start:link.span.end]
            if not (link.span.start <= link.target_span.start <= link.target_span.end <= link.span.end <= len(text)):
                _fail(f"{path}: target span {link.target_span} outside link span {link.span}")
            if text[link.target_span.start:link.target_span.end] != link.raw_target:
                _fail(f"{path}: target span of {whole!r} slices {text[link.target_span.start:link.target_span.end]!r}, not {link.raw_target!r}")
            if link.style is LinkStyle.WIKILINK:
                if not (whole.startswith("![[" if link.embed else "[[") and whole.endswith("]]")):
                    _fail(f"{path}: wikilink span slices {whole!r}")
            elif not (whole.startswith("![" if link.embed else "[") and whole.endswith(")")):
                _fail(f"{path}: Markdown link span slices {whole!r}")
        for external in note.external_links:
            whole = text[external.span.start:external.span.end]
            if not (whole.startswith(("[", "![")) and whole.endswith(")")):
                _fail(f"{path}: external link span slices {whole!r}")
        for block in note.block_ids:
            if text[block.span.start:block.span.end] != "^" + block.id:
                _fail(f"{path}: block id span slices {text[block.span.start:block.span.end]!r}, not ^{block.id}")
        for heading in note.headings:
            if heading.text not in (text[heading.span.start:heading.span.end], text[heading.span.start:heading.span.end].strip()):
                _fail(f"{path}: heading span slices {text[heading.span.start:heading.span.end]!r}, not {heading.text!r}")
    return count


def _check_finding_positions(vault: Vault, findings) -> None:
    for finding in findings:
        note = vault.notes.get(finding.path)
        if note is None or not note.text:  # a finding on an attachment, or an unreadable note
            continue
        if not 0 <= finding.span.start <= finding.span.end <= len(note.text):
            _fail(f"{finding.path}: {finding.code} span {finding.span} outside the text")
        if (finding.line, finding.column) != note.position(finding.span.start):
            _fail(f"{finding.path}: {finding.code} at {finding.line}:{finding.column}, its span starts at {note.position(finding.span.start)}")


def _merged(spans: list[Span]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span.end)
        else:
            merged.append([span.start, span.end])
    return [(start, end) for start, end in merged]


def changes_only_inside(before: str, after: str, spans: list[Span]) -> bool:
    """Whether ``after`` is ``before`` with only the text inside ``spans`` replaced.

    The text between the spans must appear in ``after`` unchanged and in order,
    the first piece as a prefix and the last as a suffix.
    """
    regions = _merged(spans)
    kept = []
    position = 0
    for start, end in regions:
        kept.append(before[position:start])
        position = end
    kept.append(before[position:])
    if len(kept) == 1:
        return before == after
    if not after.startswith(kept[0]) or not after.endswith(kept[-1]):
        return False
    cursor = len(kept[0])
    limit = len(after) - len(kept[-1])
    for piece in kept[1:-1]:
        found = after.find(piece, cursor, limit)
        if found == -1:
            return False
        cursor = found + len(piece)
    return cursor <= limit


def _lines_around(text: str, span: Span) -> tuple[int, int]:
    """The whole lines ``span`` touches, with the line endings on either side.

    (A line removed at the end of a note takes the line ending before it.)
    """
    newline = text.find("\n", span.end)
    start = text.rfind("\n", 0, span.start) + 1
    if start and text[start - 1] == "\n":
        start -= 2 if start >= 2 and text[start - 2] == "\r" else 1
    return start, len(text) if newline == -1 else newline + 1


def _on_table_lines(text: str, span: Span) -> bool:
    """Whether every line ``span`` touches holds a `|` (an insertion at a line's start
    counts as on the line before it)."""
    start = text.rfind("\n", 0, span.start) + 1
    if span.start == span.end == start and start:
        start = text.rfind("\n", 0, start - 1) + 1
    end = text.find("\n", span.end)
    lines = text[start:len(text) if end == -1 else end].split("\n")
    return all("|" in line for line in lines)


def _moves(finding) -> bool:
    """Whether the fix moves a file: ``vaultlint fix`` carries those out after writing, not ``fix_notes``."""
    return bool(getattr(finding.fix, "moves", ()))


def _kept_line_endings(old: list[str], new: list[str]) -> bool:
    """Every line ending of the fixed text is one of the original's, in order.

    A fix may remove a line (VL002 drops an unused suppression comment), never
    add one or turn an LF into a CRLF or back.
    """
    position = 0
    for ending in new:
        while position < len(old) and old[position] != ending:
            position += 1
        if position == len(old):
            return False
        position += 1
    return True


def _decode(data: bytes) -> tuple[str, bool]:
    bom = data.startswith(codecs.BOM_UTF8)
    return data[3:].decode("utf-8") if bom else data.decode("utf-8"), bom


def fix_and_check(root: Path, unsafe: bool = False, rules_factory=all_rules) -> Outcome:
    """Fix the vault at ``root`` in place and check every fix-safety property."""
    outcome = Outcome()
    before = snapshot(root)
    vault = Vault.load(root, use_cache=False)
    linter = Linter(vault, rules_factory())
    paths = sorted(vault.notes)
    outcome.notes = len(paths)
    outcome.links = check_spans(vault)
    outcome.skipped_notes = [path for path in paths if vault.notes[path].skipped]

    steps: list[tuple[str, str, str, list]] = []
    latest: dict[str, list] = {}
    plain_run, plain_replace = linter.run, vault.replace_note

    def run(chosen):
        found = plain_run(chosen)
        latest["findings"] = found
        return found

    def replace(path, text):
        steps.append((path, vault.notes[path].text, text, latest["findings"]))
        return plain_replace(path, text)

    linter.run = run
    vault.replace_note = replace
    result = fix_notes(linter, paths, unsafe)
    first = latest.get("findings", [])
    if steps:
        first = steps[0][3]
    outcome.findings = Counter(f.code for f in first)
    outcome.fixable = sum(1 for f in first if f.fixable(unsafe) and not _moves(f))
    outcome.applied = result.applied
    _check_finding_positions(vault, result.remaining)

    # 1. Each pass changes only what the fixes it applied cover.
    for path, old, new, findings in steps:
        fixable = [f for f in findings if f.path == path and f.fixable(unsafe) and not _moves(f)]
        spans = [edit.span for f in fixable for edit in f.fix.edits]
        for finding in fixable:
            if finding.code.startswith(SPAN_EXACT_RULES):
                start, end, where = finding.span.start, finding.span.end, "span"
            else:
                (start, end), where = _lines_around(old, finding.span), "lines"
            for edit in finding.fix.edits:
                if not (start <= edit.span.start and edit.span.end <= end):
                    if finding.code.startswith(TABLE_RULES) and _on_table_lines(old, edit.span):
                        continue
                    _fail(f"{path}: {finding.code} edits {edit.span} outside its finding's {where} {finding.span}")
        if not changes_only_inside(old, new, spans):
            _fail(f"{path}: a fix pass changed text outside the fixes' spans\nbefore: {old!r}\nafter:  {new!r}")
    if result.not_converged:
        _fail(f"fixes did not settle in {result.not_converged}")

    # 2. Write as `vaultlint fix` does; check bytes, modes, mtimes, line endings.
    for path in sorted(result.fixed):
        note = vault.notes[path]
        write_note(vault.absolute(path), before[path].data, note.encoding.encode(note.text))
        outcome.files_written += 1
    after = snapshot(root)
    if set(after) != set(before):
        _fail(f"files appeared or disappeared: +{sorted(set(after) - set(before))} -{sorted(set(before) - set(after))}")
    for path, old_state in before.items():
        new_state = after[path]
        if path not in result.fixed:
            if new_state != old_state:
                _fail(f"{path}: not fixed, yet its bytes, mode or mtime changed")
            continue
        if new_state.mode != old_state.mode:
            _fail(f"{path}: mode {oct(old_state.mode)} became {oct(new_state.mode)}")
        old_text, old_bom = _decode(old_state.data)
        new_text, new_bom = _decode(new_state.data)
        if new_bom != old_bom:
            _fail(f"{path}: BOM {'lost' if old_bom else 'added'}")
        if new_text != result.fixed[path]:
            _fail(f"{path}: the bytes written do not decode to the fixed text")
        if not _kept_line_endings(_LINE_END.findall(old_text), _LINE_END.findall(new_text)):
            _fail(f"{path}: line endings changed")
        if new_state.data == old_state.data:
            _fail(f"{path}: reported as fixed but written unchanged")

    # 3. Idempotent: a fresh check finds nothing fixable, so a second fix changes nothing.
    again = Vault.load(root, use_cache=False)
    leftover = [f for f in Linter(again, rules_factory()).run(sorted(again.notes)) if f.fixable(unsafe) and not _moves(f)]
    if leftover:
        shown = "; ".join(f"{f.path}:{f.line}:{f.column} {f.code} {f.message}" for f in leftover[:5])
        _fail(f"after the fix, still fixable: {shown}")
    return outcome
