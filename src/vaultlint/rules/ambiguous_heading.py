from __future__ import annotations

from collections.abc import Iterator

from .. import obsidian
from ..diagnostics import Finding, FixAvailability, Severity
from ..note import Note
from ..repair import COMMENTS_OPTION_HELP, checked_links, describe_link
from ..rule import READS_LINKED, Context, Option, Rule
from ..source import Span


class AmbiguousHeading(Rule):
    """
    ## What it does
    Reports a heading link that matches several headings of its note, where
    Obsidian silently opens the first: `[[Log#Notes]]` when `Log.md` has a
    `## Notes` under every week. Headings are compared as Obsidian compares them
    (`stripHeading`, lower-cased), so `## Notes` and `### notes:` are the same.

    ## Why is this bad?
    A later duplicate can only be reached through its parent headings
    (`[[Log#Week 2#Notes]]`); a plain link always lands on the first one, which
    is rarely what a link written from the later section meant.

    ## Example
    ```markdown
    Follow-up in [[Weekly log#Notes]]
    ```

    Use instead:
    ```markdown
    Follow-up in [[Weekly log#Week 2#Notes]]
    ```

    ## Fix safety
    No fix: the link works and opens the first heading; only the author knows
    whether that is the one meant. The message lists the line of every heading
    the link could mean, so the parent chain can be added by hand.

    ## Options
    - `same-level-only` (default `true`): count only duplicates at the same level
      as the heading Obsidian opens. A `## Sync` section with a `### sync`
      sub-heading is a section and its detail, and a link to `#Sync` means the
      section; a `### Notes` under every `## Week` is a real duplicate.
    - `check-comments` (default `false`): also report links inside `%% %%` comments.
    """

    code = "VL106"
    name = "ambiguous-heading"
    summary = "Heading link matches several headings; Obsidian opens the first"
    severity = Severity.WARNING
    fix_availability = FixAvailability.NONE
    options = (
        Option("same-level-only", True, "Count only duplicates at the level of the heading Obsidian opens."),
        Option("check-comments", False, COMMENTS_OPTION_HELP),
    )
    tags = ("links", "headings")
    reads = READS_LINKED
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        vault = context.vault
        for link in checked_links(note, self.option("check-comments")):
            segments = obsidian.subpath_segments(link.subpath)
            if len(segments) != 1 or segments[0].startswith("^") or segments[0].startswith("[^"):
                continue
            target_path = vault.resolve_link(link, note).target
            targets = vault.subpath_targets(target_path) if target_path else None
            if targets is None:
                continue
            wanted = obsidian.heading_key(segments[0])
            matching = [at for at, key in enumerate(targets.heading_keys) if key == wanted]
            if self.option("same-level-only") and matching:
                matching = [at for at in matching if targets.levels[at] == targets.levels[matching[0]]]
            if len(matching) < 2:
                continue
            target = vault.notes[target_path]  # read only to report: the headings' lines
            same = [target.headings[at] for at in matching]
            lines = ", ".join(str(heading.line) for heading in same)
            where = "this note" if target is note else repr(target_path)
            start = link.target_span.start + link.raw_target.find("#")
            yield self.finding(
                note,
                Span(start, link.target_span.end),
                f"{describe_link(link)} matches {len(same)} headings in {where} (lines {lines}); Obsidian opens the first (line {same[0].line}); add parent headings to reach another",
            )
