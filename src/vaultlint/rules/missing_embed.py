from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..repair import COMMENTS_OPTION_HELP, checked_links, describe_link, target_fix, unresolved_reason
from ..rule import READS_NOTE, Context, Option, Rule


class MissingEmbed(Rule):
    """
    ## What it does
    Reports an embed or image whose file Obsidian cannot find: `![[x.png]]`,
    `![[x.png|400]]`, `![[Other note]]`, `![alt](path/x.png)`, `![400](x.png)`.
    Resolution is Obsidian's: names match vault-wide and case-insensitively,
    `../` is relative to the note, and a relative path that climbs above the
    vault root is reported rather than followed.

    ## Why is this bad?
    Obsidian shows a grey placeholder where the image or embedded note should be.
    The usual cause is a note moved to another folder depth, or an attachments
    folder renamed, outside Obsidian: relative paths such as
    `../../Resources/figure.png` then point nowhere.

    ## Example
    ```markdown
    ![Architecture](../../Resources/Attachments/architecture.png)
    ```

    Use instead:
    ```markdown
    ![Architecture](../Attachments/architecture.png)
    ```

    ## Fix safety
    When exactly one file in the vault has the embedded file's name, the embed is
    re-pointed at it (safe), keeping its style, alt text and size, with the path
    form Obsidian would write from this note (`newLinkFormat` in
    `.obsidian/app.json`, else the form the embed already used). A name that only
    matches after stray characters are removed, or only a similar name, gives an
    unsafe fix. Several files with the same name: no fix, the message names them.

    ## Options
    - `check-comments` (default `false`): also report embeds inside `%% %%` comments.
    """

    code = "VL104"
    name = "missing-embed"
    summary = "Embed or image whose file does not exist"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    options = (Option("check-comments", False, COMMENTS_OPTION_HELP),)
    tags = ("links", "images")
    reads = READS_NOTE
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        vault = context.vault
        for link in checked_links(note, self.option("check-comments")):
            if not link.embed or link.is_self_link or vault.resolve_link(link, note).candidates:
                continue
            fix, hint = target_fix(vault, note, link)
            message = f"{describe_link(link)} embeds a missing file: {unresolved_reason(vault, note, link)}"
            yield self.finding(note, link.target_span, f"{message}; {hint}" if hint else message, fix)
