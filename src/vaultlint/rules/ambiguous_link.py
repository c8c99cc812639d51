from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Applicability, Finding, Fix, FixAvailability, Severity
from ..note import Note
from ..repair import COMMENTS_OPTION_HELP, checked_links, describe_link, rewrite_target
from ..rule import READS_NOTE, Context, Option, Rule


class AmbiguousLink(Rule):
    """
    ## What it does
    Reports a link whose name matches several files, where Obsidian's tie-break
    silently picks one: `[[Notes]]` when both `Projects/Notes.md` and
    `Archive/2023/Notes.md` exist and the linking note is in neither folder. Obsidian prefers an exact vault path, then
    files under the linking note's folder, then the shortest path; files whose
    paths have the same length are picked in an order that is not stable.

    ## Why is this bad?
    The link works today, but which file it opens depends on where the linking
    note sits and on the lengths of unrelated paths. Moving a note or adding a
    file with the same name silently changes what the link opens.

    ## Example
    ```markdown
    Weekly review: [[Notes]]
    ```

    Use instead:
    ```markdown
    Weekly review: [[Projects/Notes]]
    ```

    ## Fix safety
    The fix writes the path of the file Obsidian opens today, so the link keeps
    working exactly as now and stops depending on the tie-break. It is unsafe:
    the author may have meant one of the other files.

    ## Options
    - `only-unstable` (default `false`): report only ties that Obsidian breaks by
      an unstable order (candidates in the same group with equal path lengths).
    - `report-folder-preference` (default `false`): also report a link settled
      by the only candidate inside the linking note's own folder. Off by default:
      `[[Security and privacy]]` written in `Sync/` and meaning
      `Sync/Security and privacy.md` is how people expect folders to work.
    - `check-comments` (default `false`): also report links inside `%% %%` comments.
    """

    code = "VL105"
    name = "ambiguous-link"
    summary = "Link name matches several files; Obsidian picks one by tie-break"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    options = (
        Option("only-unstable", False, "Report only ties between equally long paths."),
        Option("report-folder-preference", False, "Also report links that Obsidian settles by the one candidate in the linking note's folder."),
        Option("check-comments", False, COMMENTS_OPTION_HELP),
    )
    tags = ("links",)
    reads = READS_NOTE
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        vault = context.vault
        for link in checked_links(note, self.option("check-comments")):
            if link.is_self_link:
                continue
            resolution = vault.resolve_link(link, note)
            candidates = resolution.candidates
            if len(candidates) < 2 or resolution.by_exact_path:
                continue
            # Unstable only within one group: the source-folder candidates come first, then the rest.
            same_group = resolution.in_source_folder != 1
            unstable = same_group and len(candidates[0]) == len(candidates[1])
            if self.option("only-unstable") and not unstable:
                continue
            if resolution.in_source_folder == 1 and not self.option("report-folder-preference"):
                continue  # the one file beside the linking note: what the author sees and means
            why = "paths of equal length: the choice is not stable" if unstable else "by Obsidian's folder and shortest-path tie-break"
            others = ", ".join(repr(path) for path in candidates[1:4]) + (" …" if len(candidates) > 4 else "")
            message = f"{describe_link(link)} matches {len(candidates)} files; Obsidian opens {candidates[0]!r} ({why}); also {others}"
            fix = None
            # The vault path whatever newLinkFormat says: the bare name is the problem.
            explicit = rewrite_target(vault, note, link, candidates[0], link_format="absolute")
            if explicit is not None:
                fix = Fix.replace(f"Link to {candidates[0]!r} by its full path", link.target_span, explicit, Applicability.UNSAFE)
            yield self.finding(note, link.target_span, message, fix)

