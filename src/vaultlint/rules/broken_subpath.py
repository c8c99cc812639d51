from __future__ import annotations

from collections.abc import Iterator

from .. import obsidian
from ..diagnostics import Applicability, Finding, Fix, FixAvailability, Severity
from ..note import ExternalLink, Link, LinkStyle, Note
from ..repair import COMMENTS_OPTION_HELP, checked_links, describe_link, matching_headings, raw_subpath, write_subpath
from ..rule import READS_LINKED, Context, Option, Rule
from ..source import Span

_KEPT_ESCAPES = ("%3A", "%23", "%2F", "%3F", "%3B", "%40", "%26", "%3D", "%2B", "%24", "%2C")


class BrokenSubpath(Rule):
    """
    ## What it does
    Reports a link whose note exists but whose heading, block or footnote does
    not: `[[Note#Missing heading]]`, `[[Note#^missing-id]]`, `[t](#Renamed)`.
    Matching is Obsidian's `resolveSubpath`: headings are compared after
    `stripHeading` on both sides and lower-casing, so case, repeated spaces and
    ASCII punctuation such as `:` or `.` never matter; nested `#A#B` walks down
    the heading levels; only top-level headings count (not those in callouts or
    list items); an unknown block id falls back to a heading of the same name.

    It also reports the Markdown-destination pitfalls that make a heading link
    dead in Obsidian although it looks right:
    - a literal `:` in an internal destination (`[t](#PAL:%20Models)`): Obsidian
      treats the whole destination as a URL;
    - `%3A`, `%23`, `%2F` and the other escapes that `decodeURI` keeps encoded;
    - `%20` inside a wikilink (wikilinks are never URL-decoded);
    - GitHub-style slugs (`#program-aided-models`), which Obsidian does not read.

    A link that works but is spelled differently from the way Obsidian would
    write it is not reported.

    ## Why is this bad?
    Obsidian opens the note at the top instead of the section, and an embed
    shows nothing. Headings get renamed, and links copied from GitHub or written
    by scripts use forms Obsidian cannot follow.

    ## Example
    ```markdown
    See [PAL](#PAL:%20Program-aided%20Language%20Models) and [[#pal-program-aided-language-models]].

    #### PAL: Program-aided Language Models
    ```

    Use instead:
    ```markdown
    See [PAL](#PAL%20Program-aided%20Language%20Models) and [[#PAL Program-aided Language Models]].

    #### PAL: Program-aided Language Models
    ```

    ## Fix safety
    When exactly one heading matches once escapes are decoded and slugs are read
    as words, the subpath is rewritten the way Obsidian writes it
    (`stripHeadingForLink`; in Markdown links only spaces, backslashes and
    control characters are encoded): a safe fix. When the only candidate is the
    clearly most similar heading (a renamed heading), the fix is unsafe. A
    duplicate heading is written with the shortest parent chain that reaches
    it. Missing block ids and footnotes have no fix. When the link without a
    fix is the title link of an index-table row, the link is reported here and
    the removal of the row is offered by `stale-index-row` (VL202).

    ## Options
    - `check-comments` (default `false`): also report links inside `%% %%` comments.
    """

    code = "VL103"
    name = "broken-subpath"
    summary = "Link to a heading, block or footnote that does not exist"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    options = (Option("check-comments", False, COMMENTS_OPTION_HELP),)
    tags = ("links", "headings")
    reads = READS_LINKED
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        vault = context.vault
        for link in checked_links(note, self.option("check-comments")):
            if not obsidian.subpath_segments(link.subpath):
                continue
            target_path = vault.resolve_link(link, note).target
            if target_path is None or not obsidian.is_markdown_path(target_path):
                continue  # unresolved targets are other rules'; images and PDFs ignore subpaths
            targets = vault.subpath_targets(target_path)
            if targets is None or targets.resolve(link.subpath) is not None:
                continue
            yield self._broken(note, vault.notes[target_path], target_path, link)
        for external in note.external_links:
            if external.reason != "colon" or (external.in_comment and not self.option("check-comments")):
                continue
            finding = self._colon_destination(note, external, context)
            if finding is not None:
                yield finding

    def _broken(self, note: Note, target: Note, target_path: str, link: Link) -> Finding:
        segments = obsidian.subpath_segments(link.subpath)
        where = "this note" if target is note else repr(target_path)
        last = segments[-1]
        subpath_start = link.target_span.start + link.raw_target.find("#")
        subpath_span = Span(subpath_start, link.target_span.end)
        if len(segments) == 1 and last.startswith("^"):
            return self.finding(note, subpath_span, f"{describe_link(link)}: no block ^{last[1:]} (or heading of that name) in {where}")
        if len(segments) == 1 and last.startswith("[^") and last.endswith("]"):
            return self.finding(note, subpath_span, f"{describe_link(link)}: no footnote {last} in {where}")
        why = _pitfall(link)
        message = f"{describe_link(link)}: no heading {' > '.join(segments)!r} in {where}"
        if why:
            message += f" ({why})"
        fix, hint = self._heading_fix(target, link, last, subpath_span, same_note=target is note)
        if hint:
            message += f"; {hint}"
        return self.finding(note, subpath_span, message, fix)

    def _heading_fix(self, target: Note, link: Link, segment: str, subpath_span: Span, same_note: bool = False) -> tuple[Fix | None, str]:
        indices, how = matching_headings(target.headings, segment)
        if len(indices) != 1:
            return None, ""
        index = indices[0]
        chain = obsidian.heading_chain_for(target.headings, index)
        heading = target.headings[index]
        if same_note and heading.span.overlaps(link.span):
            return None, ""  # the link is part of that heading: rewriting it would rename the heading
        if chain is None:
            return None, f"did you mean {heading.text!r} (line {heading.line})?"
        applicability = Applicability.SAFE if how == "normalised" else Applicability.UNSAFE
        new_subpath = write_subpath(chain, encode=link.style is LinkStyle.MARKDOWN and not link.angle_brackets)
        fix = Fix.replace(f"Link to heading {heading.text!r}", subpath_span, new_subpath, applicability)
        return fix, f"did you mean {heading.text!r} (line {heading.line})?"

    def _colon_destination(self, note: Note, external: ExternalLink, context: Context) -> Finding | None:
        destination = external.destination
        path_part, _, subpath = destination.partition("#")
        decoded_path = obsidian.safe_decode_uri(path_part)
        if path_part:
            target_path = context.vault.resolve(obsidian.clean_string(decoded_path), note.path).target
            if target_path is None:
                return None  # not recognisably a vault link: leave URLs alone
        else:
            target_path = note.path
        message = f"[…]({destination}) is read by Obsidian as a URL, not a vault link, because of the literal ':'"
        target = context.vault.notes.get(target_path)
        fix = None
        hint = ""
        if target is not None and subpath and obsidian.is_markdown_path(target_path):
            segment = obsidian.safe_decode_uri(subpath.split("#")[-1])
            indices, how = matching_headings(target.headings, segment)
            if len(indices) == 1:
                chain = obsidian.heading_chain_for(target.headings, indices[0])
                if chain is not None:
                    heading = target.headings[indices[0]]
                    hash_at = destination.find("#")
                    start = external.target_span.start + hash_at
                    applicability = Applicability.SAFE if how == "normalised" else Applicability.UNSAFE
                    fix = Fix.replace(f"Link to heading {heading.text!r}", Span(start, external.target_span.end), write_subpath(chain, encode=True), applicability)
                    hint = f"write the heading without ':' as Obsidian does ({'#' + '#'.join(chain)!r})"
        return self.finding(note, external.target_span, f"{message}; {hint}" if hint else message, fix)


def _pitfall(link: Link) -> str:
    raw = raw_subpath(link).upper()
    if link.style is LinkStyle.WIKILINK and "%20" in raw:
        return "wikilinks are not URL-decoded: '%20' stays '%20'"
    if link.style is LinkStyle.MARKDOWN:
        for escape in _KEPT_ESCAPES:
            if escape in raw:
                return f"Obsidian's decodeURI keeps {escape} encoded"
    segment = obsidian.subpath_segments(link.subpath)[-1]
    if "-" in segment and " " not in segment and segment == segment.lower():
        return "Obsidian does not read GitHub-style slugs"
    return ""
