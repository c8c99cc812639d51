from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator

from ..diagnostics import Finding, Fix, FixAvailability, Severity
from ..references import is_note_like, references
from ..rule import Context, Option, Rule

TRASH_FOLDER = ".trash"
# Obsidian's accepted attachment formats (help: "Accepted file formats").
ATTACHMENT_EXTENSIONS = (
    "avif", "bmp", "gif", "jpeg", "jpg", "png", "svg", "webp",
    "flac", "m4a", "mp3", "ogg", "wav", "webm", "3gp",
    "mkv", "mov", "mp4", "ogv",
    "pdf",
)


class OrphanAttachment(Rule):
    """
    ## What it does
    Reports an attachment (an image, audio, video or PDF file) that nothing in the
    vault references. Every kind of reference is counted before a file is called
    an orphan:

    - wikilinks and embeds (`[[x.pdf]]`, `![[x.png|400]]`), Markdown links and
      images (`[t](x.pdf)`, `![alt](Attachments/x.png)`), resolved the way Obsidian
      resolves them (names vault-wide, `../` relative, case-insensitive);
    - links inside `%% %%` comments: a draft that mentions a file still wants it;
    - quoted wikilinks in properties (`cover: "[[x.png]]"`), and property values
      that name a file (`banner: Attachments/x.png`), which plugins read;
    - file nodes, group backgrounds and the links in text cards of `.canvas` files;
    - `.base` files: any value that is a vault path or holds a wikilink or a
      quoted path;
    - a broken link whose repair would point at the file (the same name in another
      folder, a typo), and every file an ambiguous link may mean;
    - Obsidian Publish: favicons named as Publish expects (`favicon.ico`,
      `favicon-32x32.png`), and files named in `publish.css`, `publish.js` or
      `site-options.json` (the site's logo) at the vault root.

    Notes, canvases and bases are never reported, nor files in hidden folders
    (`.trash/`, `.obsidian/`). The rule is vault-wide: it runs once per run, and
    reports each orphan at `path:1:1` when the file lies within the paths given
    (`exclude` and `per-file-ignores` apply to attachments too).

    The rule is **opt-in**: it runs only when selected by its code or name
    (`--select VL401`, `--extend-select orphan-attachment`, or `extend-select` in
    the configuration); `ALL` and code prefixes do not turn it on. It is not run by
    the pre-commit hooks unless configured, since a commit of one note says
    nothing about the vault's attachments.

    A note, canvas or base that cannot be parsed (invalid JSON or YAML, bad UTF-8)
    is reported as a warning on that file; every file whose name appears anywhere
    in its text then counts as referenced, so no orphan is ever reported because
    a reference could not be read.

    ## Why is this bad?
    Pasted screenshots, replaced diagrams and PDFs of papers no longer cited pile
    up in the attachments folder: they bloat the vault, its sync and its backups,
    and they clutter search. Obsidian does not list them; cleaner plugins that
    count only some kinds of reference delete files still shown in a canvas or
    mentioned in a draft.

    ## Example
    ```markdown
    ![[architecture-v2.png]]
    ```

    (with `Attachments/architecture-v1.png` referenced by no note, canvas or base:
    it is reported, at `Attachments/architecture-v1.png:1:1`)

    Use instead:
    ```markdown
    ![[architecture-v2.png]]

    %% The first version, kept for the record: [[architecture-v1.png]] %%
    ```

    or move `Attachments/architecture-v1.png` out of the vault.

    ## Fix safety
    The fix moves the file into the vault's `.trash/` folder, keeping its path
    (`Attachments/x.png` goes to `.trash/Attachments/x.png`), as Obsidian's
    "Move to Obsidian trash" does; it never deletes anything, and restoring the
    file is moving it back. It is unsafe, applied only with `--unsafe-fixes`: a
    file may be used outside Obsidian's links (a web page published from the
    vault, a script, a plugin's own settings). It is planned only after every text
    fix of the run has been applied, so a link repaired in the same run keeps its
    target. There is no fix when the destination in `.trash/` already exists; the
    fixer never overwrites a file, and never writes outside the vault root.
    `vaultlint fix --unsafe-fixes --diff` shows the moves as renames.

    ## Options
    - `extensions` (default: Obsidian's attachment formats `avif`, `bmp`, `gif`,
      `jpeg`, `jpg`, `png`, `svg`, `webp`, `flac`, `m4a`, `mp3`, `ogg`, `wav`,
      `webm`, `3gp`, `mkv`, `mov`, `mp4`, `ogv`, `pdf`): the file extensions
      considered, without dots; `*` for every file that is not a note, canvas or
      base (`zip`, `csv`, ...).
    - `ignore-folders` (default none): folders whose files are never reported,
      relative to the vault root, such as `Templates` or `Exports`.
    """

    code = "VL401"
    name = "orphan-attachment"
    summary = "Attachment that no note, canvas or base references (opt-in, vault-wide)"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    default_enabled = False
    options = (
        Option("extensions", ATTACHMENT_EXTENSIONS, "File extensions considered, without dots; '*' for every file that is not a note, canvas or base."),
        Option("ignore-folders", (), "Folders (relative to the vault root) whose files are never reported."),
    )
    tags = ("maintenance", "attachments", "vault-wide")

    def check(self, note, context: Context) -> Iterator[Finding]:
        return iter(())

    def check_vault(self, context: Context) -> Iterator[Finding]:
        vault = context.vault
        refs = references(context)
        extensions = {extension.lower().lstrip(".") for extension in self.option("extensions")}
        every = "*" in extensions
        ignored = [folder.strip("/").lower() for folder in self.option("ignore-folders") if folder.strip("/")]
        for path in vault.files:
            if is_note_like(path):
                continue
            extension = posixpath.splitext(path)[1].lower().lstrip(".")
            if not every and extension not in extensions:
                continue
            lowered = path.lower()
            if any(lowered.startswith(folder + "/") for folder in ignored):
                continue
            if refs.referenced(path):
                continue
            destination = f"{TRASH_FOLDER}/{path}"
            message = "attachment referenced by no note, canvas or base"
            if os.path.lexists(vault.absolute(destination)):
                yield self.file_finding(path, f"{message}; {destination} already exists, so there is no fix")
            else:
                yield self.file_finding(path, message, Fix.move(f"Move to {destination}", path, destination))
        for problem in refs.problems:
            yield self.file_finding(problem.path, problem.message, line=problem.line, column=problem.column)
