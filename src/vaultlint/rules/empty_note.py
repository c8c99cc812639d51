from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator

from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..references import references
from ..rule import Context, Option, Rule
from ..source import Span
from ..vault import Vault


class EmptyNote(Rule):
    """
    ## What it does
    Reports a note with nothing in it beyond its properties (frontmatter) and
    whitespace, which no other note, canvas or base links to. A note whose only
    content is a `%% %%` comment is not empty: the comment is a draft.

    Links are counted as for `orphan-attachment` (VL401): wikilinks, embeds and
    Markdown links from other notes, in their bodies, properties and comments;
    canvas file nodes and cards; values of `.base` files; and a broken link whose
    repair would point at the note. A link from the note to itself does not count.

    Notes in the template folders are never reported: the folder of the core
    Templates plugin (`.obsidian/templates.json`), Templater's templates folder,
    and the daily-notes template, as a template with properties only is normal.

    The rule is **opt-in**: it runs only when selected by its code or name
    (`--select VL401,VL402`, `extend-select = ["empty-note"]`); `ALL` and code
    prefixes do not turn it on. A note made of properties alone is often a
    record on purpose (a book, a contact, a row of a base or a Dataview table,
    found by its properties rather than by links), and a note just created is
    empty until it is written: reporting those on every commit would be noise.
    It is a cleanup chore, run when cleaning up.

    ## Why is this bad?
    Empty notes appear when a link to a note not yet written is clicked, when a
    new note is abandoned (`Untitled.md`), or when a template is applied and never
    filled. Linked from nowhere, nobody will come back to them: they only add noise
    to search, the file list and the graph. An empty note that other notes link to
    is a placeholder for something to write and is not reported.

    ## Example
    ```markdown
    ---
    tags: [idea]
    created: 2024-05-02
    ---

    ```

    Use instead:
    ```markdown
    ---
    tags: [idea]
    created: 2024-05-02
    ---
    Cache the attention keys across turns of a conversation.
    ```

    ## Fix safety
    No fix: whether to delete the note, write it, or link it from somewhere is the
    author's call, and deleting a file is never automatic. The note may be kept on
    purpose (a placeholder, a note whose properties are read by a query).

    ## Options
    - `ignore-folders` (default none): folders (relative to the vault root) whose
      notes are never reported, besides the template folders.
    """

    code = "VL402"
    name = "empty-note"
    summary = "Note with no content beyond its properties that no note links to (opt-in)"
    severity = Severity.WARNING
    fix_availability = FixAvailability.NONE
    default_enabled = False
    options = (Option("ignore-folders", (), "Folders (relative to the vault root) whose notes are never reported, besides the template folders."),)
    tags = ("maintenance",)

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        if note.skipped or note.problems:
            return  # unreadable-note's business
        body = note.text[note.frontmatter.span.end:] if note.frontmatter is not None else note.text
        if body.strip():
            return
        lowered = note.path.lower()
        folders = [f.strip("/").lower() for f in self.option("ignore-folders") if f.strip("/")]
        folders.extend(template_folders(context.vault))
        if any(lowered.startswith(folder + "/") for folder in folders) or lowered in template_files(context.vault):
            return
        if references(context).referenced(note.path):
            return
        first_line_end = note.text.find("\n")
        end = len(note.text) if first_line_end == -1 else first_line_end
        what = "nothing beyond its properties" if note.frontmatter is not None else "no content"
        yield self.finding(note, Span(0, len(note.text[:end].rstrip("\r"))), f"empty note: {what}, and no note, canvas or base links to it")


def _read_json(vault: Vault, *parts: str) -> dict:
    try:
        data = json.loads(vault.root.joinpath(".obsidian", *parts).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _clean_folder(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    folder = posixpath.normpath(value.strip().strip("/")) if value.strip().strip("/") else ""
    return folder.lower() if folder and folder != "." else None


def template_folders(vault: Vault) -> list[str]:
    """The template folders Obsidian's Templates and the Templater plugin read (lower-cased)."""
    key = "vaultlint.template-folders"
    found = vault.memo.get(key)
    if found is None:
        folders = [
            _clean_folder(_read_json(vault, "templates.json").get("folder")),
            _clean_folder(_read_json(vault, "plugins", "templater-obsidian", "data.json").get("templates_folder")),
        ]
        found = [folder for folder in folders if folder]
        vault.memo[key] = found
    return found


def template_files(vault: Vault) -> set[str]:
    """Template notes named in settings: the daily-notes template (lower-cased vault paths)."""
    key = "vaultlint.template-files"
    found = vault.memo.get(key)
    if found is None:
        found = set()
        template = _clean_folder(_read_json(vault, "daily-notes.json").get("template"))
        if template:
            found.add(template if template.endswith(".md") else template + ".md")
        vault.memo[key] = found
    return found
