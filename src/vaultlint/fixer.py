"""Applies fixes as text edits, re-checks until nothing changes, and writes files atomically.

File moves (``Fix.move``, e.g. an orphan attachment to ``.trash/``) are planned
only once the text edits have settled, from the findings of the last pass (a text
fix may make a file referenced again), and only with ``--unsafe-fixes``;
:func:`move_file` carries one out, never over an existing file and never outside
the vault root.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import field
from pathlib import Path

from .diagnostics import Edit, FileMove, Finding
from .engine import Linter
from .records import dataclass

MAX_PASSES = 10


@dataclass(slots=True)
class FixResult:
    """Texts before and after, per changed note, and what is left to report."""

    original: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    applied: int = 0
    remaining: list[Finding] = field(default_factory=list)
    not_converged: list[str] = field(default_factory=list)
    moves: list[FileMove] = field(default_factory=list)


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
    applied_in: dict[str, int] = {}
    for _ in range(MAX_PASSES):
        fixable: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.fixable(unsafe) and not finding.fix.moves and finding.path in vault.notes:
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
            applied_in[path] = applied_in.get(path, 0) + count
            changed = True
        if not changed:
            break
        findings = linter.run(paths)
    else:
        result.not_converged = sorted({f.path for f in findings if f.fixable(unsafe) and not f.fix.moves})
        # Fixes that still change a note after every pass are not trusted (one
        # rewrites what another reads, or a fix does not parse back as written):
        # the note keeps its text, and its findings are reported as they are.
        for path in result.not_converged:
            if path in result.original:
                vault.replace_note(path, result.original[path])
                result.applied -= applied_in.get(path, 0)
        if result.not_converged:
            findings = linter.run(paths)
    for path, before in result.original.items():
        after = vault.notes[path].text
        if after != before:
            result.fixed[path] = after
    result.original = {path: result.original[path] for path in result.fixed}
    result.remaining = _plan_moves(vault.root, findings, unsafe, result)
    return result


def _plan_moves(root: Path, findings: list[Finding], unsafe: bool, result: FixResult) -> list[Finding]:
    """Record the file moves of ``findings`` in ``result``; return the findings left.

    A file move is never safe (``Fix`` refuses it), so nothing moves without
    ``unsafe``. Two moves never share a path, and none is planned onto a path that
    already exists.
    """
    remaining: list[Finding] = []
    taken: set[str] = set()
    for finding in findings:
        fix = finding.fix
        if fix is None or not fix.moves or not finding.fixable(unsafe):
            remaining.append(finding)
            continue
        paths = [path for move in fix.moves for path in (move.source, move.destination)]
        if taken.intersection(paths) or any(os.path.lexists(_vault_file(root, m.destination)) for m in fix.moves):
            remaining.append(finding)
            continue
        taken.update(paths)
        result.moves.extend(fix.moves)
        result.applied += 1
    return remaining


class MoveError(Exception):
    """A planned file move that cannot be made; the message says why."""


def _vault_file(root: Path, path: str) -> Path:
    return root.joinpath(*path.split("/"))


def _inside(root: Path, folder: Path) -> bool:
    """Whether ``folder`` (its deepest existing part, symlinks resolved) lies inside ``root``."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return existing.resolve().is_relative_to(root)


def move_file(root: Path, move: FileMove) -> None:
    """Move one file within the vault at ``root``: never over an existing file, never out of the vault.

    The file keeps its bytes, mode and times (it is renamed, not copied). A symlink
    is moved as the link itself.
    """
    root = root.resolve()
    for path in (move.source, move.destination):
        parts = path.split("/")
        if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise MoveError(f"{path}: not a plain path inside the vault; not moved")
    source = _vault_file(root, move.source)
    destination = _vault_file(root, move.destination)
    if not os.path.lexists(source):
        raise MoveError(f"{move.source}: no longer exists; not moved")
    if not _inside(root, source.parent) or not _inside(root, destination.parent):
        raise MoveError(f"{move.source}: moving it to {move.destination} would leave the vault; not moved")
    if os.path.lexists(destination):
        raise MoveError(f"{move.source}: {move.destination} already exists; not moved")
    destination.parent.mkdir(parents=True, exist_ok=True)
    if not _inside(root, destination.parent):  # a folder swapped for a symlink meanwhile
        raise MoveError(f"{move.source}: {move.destination} would leave the vault; not moved")
    try:
        # A hard link fails when the destination exists, so nothing is ever overwritten,
        # not even a file created after the check above.
        os.link(source, destination, follow_symlinks=False)
    except FileExistsError:
        raise MoveError(f"{move.source}: {move.destination} already exists; not moved") from None
    except OSError:
        # No hard links here (some file systems): check, then rename.
        if os.path.lexists(destination):
            raise MoveError(f"{move.source}: {move.destination} already exists; not moved") from None
        os.rename(source, destination)
        return
    try:
        os.unlink(source)
    except OSError:
        os.unlink(destination)
        raise


def move_diff(move: FileMove) -> str:
    """A file move as a git-style rename, for ``--diff``."""
    return (
        f"diff --git a/{move.source} b/{move.destination}\n"
        "similarity index 100%\n"
        f"rename from {move.source}\n"
        f"rename to {move.destination}\n"
    )


class StaleFileError(Exception):
    """A note left unwritten, and why: it changed on disk, or writing would change what its path is."""


def write_note(path: Path, original: bytes, new: bytes) -> None:
    """Replace ``path`` with ``new`` atomically, unless it changed since it was read.

    The bytes go to a hidden temporary file in the same folder, reach the disk,
    get the note's mode, and replace the note in one rename: a crash, a full disk
    or an interrupt leaves the old note or the new one, never a mix, and no
    temporary file. A rename replaces the path itself, so a note that is a
    symbolic link, has other hard links, or is read-only is not written: the
    rename would replace the link, split the hard links, or override the
    protection. Each refusal is a :class:`StaleFileError` saying why.
    """
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        raise StaleFileError(f"{path}: a symbolic link; not written (fix the file it points to)")
    if not stat.S_ISREG(info.st_mode):
        raise StaleFileError(f"{path}: not a regular file; not written")
    if info.st_nlink > 1:
        raise StaleFileError(f"{path}: has {info.st_nlink} hard links; not written (a rename would split them)")
    if not info.st_mode & 0o222:
        raise StaleFileError(f"{path}: read-only; not written")
    current = path.read_bytes()
    if current != original:
        raise StaleFileError(f"{path}: changed on disk while vaultlint ran; not written")
    mode = info.st_mode
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
