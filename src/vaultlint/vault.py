"""The vault: its root, every file in it, every note parsed once, and Obsidian's settings."""

from __future__ import annotations

import json
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from .note import Link, Note
from .obsidian import FileIndex, Resolution
from .parser import parse_bytes, parse_note

NOTE_EXTENSIONS = (".md",)


class VaultError(Exception):
    """A problem with the vault as a whole (missing root, unreadable folder)."""


@dataclass(frozen=True, slots=True)
class ObsidianSettings:
    """What ``.obsidian/app.json`` says about the links Obsidian writes (§2.7)."""

    use_markdown_links: bool = False
    new_link_format: str | None = None
    attachment_folder: str = ""
    source: str | None = None

    @classmethod
    def read(cls, root: Path) -> ObsidianSettings:
        path = root / ".obsidian" / "app.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        link_format = data.get("newLinkFormat")
        return cls(
            use_markdown_links=bool(data.get("useMarkdownLinks", False)),
            new_link_format=link_format if link_format in ("shortest", "relative", "absolute") else None,
            attachment_folder=str(data.get("attachmentFolderPath", "") or ""),
            source=str(path),
        )


def find_vault_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``.obsidian/``, else ``start``'s folder."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".obsidian").is_dir():
            return candidate
    return folder


def discover_files(root: Path) -> tuple[list[str], list[str]]:
    """Every non-hidden file under ``root`` as vault-relative POSIX paths, plus warnings.

    Dot-folders and dot-files are skipped, as Obsidian hides them. Symlinks are
    followed only when they stay inside the root, and each real folder is
    visited once, so a symlink loop cannot trap the walk.
    """
    root = root.resolve()
    files: list[str] = []
    warnings: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: Path, relative: str) -> None:
        try:
            stat = folder.stat()
        except OSError as error:
            warnings.append(f"{relative or '.'}: cannot read folder ({error.strerror})")
            return
        key = (stat.st_dev, stat.st_ino)
        if key in seen_dirs:
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            warnings.append(f"{relative or '.'}: cannot read folder ({error.strerror})")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{relative}/{entry.name}" if relative else entry.name
            try:
                if entry.is_symlink():
                    target = Path(entry.path).resolve()
                    if not target.is_relative_to(root):
                        warnings.append(f"{child}: symlink leads outside the vault; not followed")
                        continue
                if entry.is_dir():
                    walk(Path(entry.path), child)
                elif entry.is_file():
                    files.append(child)
            except OSError as error:
                warnings.append(f"{child}: cannot read ({error.strerror})")

    walk(root, "")
    return files, warnings


class Vault:
    """All files of a vault, its notes parsed once, and the link resolver over them."""

    def __init__(self, root: Path, files: list[str], notes: dict[str, Note], settings: ObsidianSettings, warnings: list[str] | None = None) -> None:
        self.root = root
        self.files = files
        self.index = FileIndex(files)
        self.notes = notes
        self.settings = settings
        self.warnings = warnings or []
        self._resolved: dict[tuple[str, str], Resolution] = {}
        # Derived indexes that rules build once per vault (e.g. names by extension).
        self.memo: dict[object, object] = {}

    @classmethod
    def load(cls, root: Path) -> Vault:
        root = root.resolve()
        if not root.is_dir():
            raise VaultError(f"{root}: not a folder")
        files, warnings = discover_files(root)
        notes: dict[str, Note] = {}
        for path in files:
            if path.lower().endswith(NOTE_EXTENSIONS):
                notes[path] = read_note(root, path)
        return cls(root, files, notes, ObsidianSettings.read(root), warnings)

    def note(self, path: str) -> Note | None:
        return self.notes.get(path)

    def replace_note(self, path: str, text: str) -> Note:
        """Re-parse a note from new text (after a fix), keeping its encoding."""
        old = self.notes[path]
        note = parse_note(path, text)
        note.encoding = old.encoding
        self.notes[path] = note
        self._resolved = {key: value for key, value in self._resolved.items() if key[0] != path}
        return note

    def resolve(self, linkpath: str, source_path: str) -> Resolution:
        key = (source_path, linkpath)
        found = self._resolved.get(key)
        if found is None:
            found = self.index.resolve(linkpath, source_path)
            self._resolved[key] = found
        return found

    def resolve_link(self, link: Link, note: Note) -> Resolution:
        return self.resolve(link.path, note.path)

    def absolute(self, path: str) -> Path:
        return self.root.joinpath(*path.split("/"))

    def relative(self, path: Path) -> str | None:
        """A filesystem path as a vault path, or ``None`` when it lies outside the vault."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def folder_of(self, path: str) -> str:
        return posixpath.dirname(path)


def read_note(root: Path, path: str) -> Note:
    from .note import ParseProblem

    try:
        data = root.joinpath(*path.split("/")).read_bytes()
    except OSError as error:
        note = Note(path, "", skipped=True)
        note.problems.append(ParseProblem(f"cannot read file ({error.strerror})"))
        return note
    return parse_bytes(path, data)
