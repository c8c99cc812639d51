from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..repair import COMMENTS_OPTION_HELP, checked_links, describe_link, is_uncreated_note, target_fix, unresolved_reason
from ..rule import READS_NOTE, Context, Option, Rule


class UnresolvedLink(Rule):
    """
    ## What it does
    Reports a link (wikilink or Markdown link, not an embed) whose target Obsidian
    cannot resolve to any file of the vault, judged with Obsidian's own resolver:
    case-insensitive names, `.md` optional, `./` and `../` relative to the note,
    `/` from the vault root, and path suffixes matched vault-wide.

    A link to a bare note name that matches nothing and resembles no existing
    file is a note not yet created; that is reported by `uncreated-note` (VL102)
    instead, so typo detection can stay strict while links to notes-to-be stay
    allowed. A link that names a folder or a file extension (`[[papers/X]]`,
    `[t](x.md)`, `[[data.csv]]`) is never a note-to-be and always lands here.

    ## Why is this bad?
    Obsidian shows such a link greyed out; clicking it creates an empty note
    instead of opening the one meant. These links appear when files are moved or
    renamed outside Obsidian (git, scripts, other editors), or when a link is
    pasted with stray characters such as a trailing `%5C`.

    ## Example
    ```markdown
    See [[papers/Attention Is All You Need]] and [the survey](Surveys/LLM%20Survey.md%5C).
    ```

    Use instead:
    ```markdown
    See [[archive/papers/Attention Is All You Need]] and [the survey](Surveys/LLM%20Survey.md).
    ```

    ## Fix safety
    When exactly one file in the vault has the wanted file name (the note was
    moved), the link is re-pointed at it: a safe fix. When the name only matches
    after stray characters are removed (`%5C`, a trailing backslash or slash), or
    only one existing name is clearly the closest, the fix is unsafe and applied
    only with `--unsafe-fixes`. With several candidates there is no fix; the
    message names them.

    The rewritten link keeps its style (wikilink or Markdown, angle brackets,
    `.md` or not) and its heading or block subpath. Its path form follows
    `newLinkFormat` in `.obsidian/app.json` when set, else the form the link
    already used (bare name, vault path, or `../` relative), and the fix is
    verified by resolving the new link the way Obsidian does.

    ## Options
    - `check-comments` (default `false`): also report links inside `%% %%` comments.
    """

    code = "VL101"
    name = "unresolved-link"
    summary = "Link to a note or file that Obsidian cannot resolve"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    options = (Option("check-comments", False, COMMENTS_OPTION_HELP),)
    tags = ("links",)
    reads = READS_NOTE
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        vault = context.vault
        for link in checked_links(note, self.option("check-comments")):
            if link.embed or link.is_self_link:
                continue
            if vault.resolve_link(link, note).candidates:
                continue
            if is_uncreated_note(vault, note, link):
                continue  # uncreated-note's business
            fix, hint = target_fix(vault, note, link)
            message = f"{describe_link(link)} does not resolve: {unresolved_reason(vault, note, link)}"
            yield self.finding(note, link.target_span, f"{message}; {hint}" if hint else message, fix)

