"""Inline scanning with exact offsets: wikilinks, embeds, Markdown links and images.

The scanner walks the source text of one block at a time and skips what Obsidian
does not read as links: backslash escapes, code spans, inline math, HTML tags and
comments, autolinks. ``%% %%`` comments can span blocks, so their state is kept
across calls; links inside them are still collected (Obsidian indexes them) but
marked ``in_comment``.

Every lookup that searches ahead (the closing ``]]`` of a wikilink, the ``]`` that
ends a link's text, the backtick run that closes a code span, the ``$`` that
closes math) is answered from a table or memo built once per block, so a block
full of openers that never close (``[[[[…``, ``[a](`` repeated, ``$a $a …``) costs
linear, not quadratic, time. What is left (nested link texts) is bounded by the
note's parse deadline.
"""

from __future__ import annotations

import bisect
import re

from .. import obsidian
from ..note import ExternalLink, Link, LinkPlace, LinkStyle
from ..source import Span
from .limits import Deadline

_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_HTML_TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>"
)
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>|<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+>")
_SPECIAL = re.compile(r"[\\`$<%\[!]")
_LABEL_SPECIAL = re.compile(r"[\\`\[\]]")
# A link text in which the scanner would find something: what `scan` looks at,
# less a lone `!` or `%` (a link text ends before a `]`, so no `%%` straddles its end).
_LABEL_CONTENT = re.compile(r"[\\`$<\[]|!\[|%%")
# The text of a link with no bracket, backtick or backslash in it: its `]` closes it.
_SIMPLE_LABEL = re.compile(r"[^\\`\[\]]*\]")
# Wikilink contents up to this long are checked by slicing them.
_SHORT_WIKILINK = 256
_BACKTICKS = re.compile(r"`+")
# Characters a link destination runs over without a second look.
_DESTINATION_PLAIN = re.compile(r"[^ \t\n\r()\\\x00-\x1f]+")
_BACKSLASH_ESCAPE = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
# CommonMark lets an implementation cap parentheses nesting in a link destination
# ("at least three levels"); cmark stops at 32. Without a cap, `[a](` repeated
# makes every opener scan to the end of the block.
MAX_DESTINATION_PARENS = 32


class _Block:
    """Lookups over one scanned range ``[start, end)``, each computed at most once.

    ``find`` remembers its last answer: the scanner asks with rising positions, so
    a substring that never occurs is searched for once per block, not once per opener.
    """

    __slots__ = ("text", "start", "end", "deadline", "_found", "_runs", "_labels", "_math")

    def __init__(self, text: str, start: int, end: int, deadline: Deadline | None) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.deadline = deadline
        self._found: dict[str, tuple[int, int]] = {}
        self._runs: dict[int, list[int]] | None = None
        self._labels: dict[int, int] = {}
        self._math = (-1, -1)

    def find(self, sub: str, pos: int) -> int:
        """``text.find(sub, pos, end)``."""
        memo = self._found.get(sub)
        if memo is not None:
            asked, answer = memo
            if pos >= asked and (answer == -1 or answer >= pos):
                return answer
        answer = self.text.find(sub, pos, self.end)
        self._found[sub] = (pos, answer)
        return answer

    def code_span(self, i: int) -> tuple[int, int]:
        """The backtick run at ``i``: where it ends, and where its code span ends (-1: unclosed).

        The closing run is the next run of exactly the same length (CommonMark).
        """
        text = self.text
        run_end = _BACKTICKS.match(text, i, self.end).end()
        width = run_end - i
        if self._runs is None:
            runs: dict[int, list[int]] = {}
            for run in _BACKTICKS.finditer(text, self.start, self.end):
                first = run.start()
                if first == self.start and first > 0 and text[first - 1] == "`":
                    continue  # the tail of a run that began before this range
                runs.setdefault(run.end() - first, []).append(first)
            self._runs = runs
        starts = self._runs.get(width)
        if starts:
            index = bisect.bisect_left(starts, run_end)
            if index < len(starts):
                return run_end, starts[index] + width
        return run_end, -1

    def math_close(self, pos: int) -> int:
        """The first ``$`` at or after ``pos`` that can close inline math, or -1.

        Whether a ``$`` can close depends only on its neighbours, not on the opener.
        """
        asked, answer = self._math
        if asked != -1 and pos >= asked and (answer == -1 or answer >= pos):
            return answer
        text, end = self.text, self.end
        search = pos
        while True:
            close = text.find("$", search, end)
            if close == -1:
                break
            before = text[close - 1]
            if before == "\\" or before in " \t" or (close + 1 < end and text[close + 1].isdigit()):
                search = close + 1
                continue
            break
        self._math = (pos, close)
        return close

    def label_end(self, bracket: int) -> int:
        """The ``]`` that closes the link text opened at ``bracket``, or -1.

        Brackets nest; backslash escapes and code spans are skipped. One pass from
        the first opener asked about records the answer for every opener it meets;
        a later pass that meets an opener already answered jumps past it.
        """
        labels = self._labels
        known = labels.get(bracket)
        if known is not None:
            return known
        text, end, deadline = self.text, self.end, self.deadline
        simple = _SIMPLE_LABEL.match(text, bracket + 1, end)
        if simple is not None:
            # No bracket, backtick or backslash before the first `]`: it closes this one.
            labels[bracket] = close = simple.end() - 1
            return close
        search = _LABEL_SPECIAL.search
        stack: list[int] = []
        j = bracket
        steps = 0
        while True:
            found = search(text, j, end)
            if found is None:
                break
            steps += 1
            if not steps & 255 and deadline is not None:
                deadline.check()
            j = found.start()
            char = text[j]
            if char == "\\":
                j += 2
            elif char == "`":
                run_end, after = self.code_span(j)
                j = run_end if after == -1 else after
            elif char == "[":
                known = labels.get(j)
                if known is None:
                    stack.append(j)
                    j += 1
                elif known == -1:
                    break  # never closed: nor is any opener still open below it
                else:
                    j = known + 1  # balanced up to its ']': skip it
            else:
                if stack:
                    labels[stack.pop()] = j
                j += 1
        for opener in stack:
            labels[opener] = -1
        return labels[bracket]


class InlineScanner:
    """Collects links from successive blocks of one note's text."""

    def __init__(self, text: str, deadline: Deadline | None = None) -> None:
        self.text = text
        self.links: list[Link] = []
        self.external_links: list[ExternalLink] = []
        self.comments: list[Span] = []
        self.opaque: list[Span] = []
        self._comment_start: int | None = None
        self._deadline = deadline

    def finish(self) -> None:
        """An unclosed ``%%`` comments out the rest of the note, as in Obsidian."""
        if self._comment_start is not None:
            self.comments.append(Span(self._comment_start, len(self.text)))
            self._comment_start = None

    def scan(self, start: int, end: int, place: LinkPlace = LinkPlace.BODY) -> None:
        text = self.text
        # Jump straight to the next character that can start something.
        next_special = _SPECIAL.search
        found = next_special(text, start, end)
        if found is None:
            return
        deadline = self._deadline
        block = _Block(text, start, end, deadline)
        steps = 0
        while True:
            steps += 1
            if not steps & 255 and deadline is not None:
                deadline.check()  # per block; the caller ticks once per line as well
            i = found.start()
            char = text[i]
            if char == "[" or (char == "!" and i + 1 < end and text[i + 1] == "["):
                i = self._link_at(block, i, place)
            elif char == "\\":
                i += 2 if i + 1 < end and text[i + 1] in _ASCII_PUNCTUATION else 1
            elif char == "`":
                i = self._skip_code_span(block, i)
            elif char == "$":
                i = self._skip_math(block, i)
            elif char == "<":
                i = self._skip_angle(block, i)
            elif char == "%" and text.startswith("%%", i):
                if self._comment_start is None:
                    self._comment_start = i
                else:
                    self.comments.append(Span(self._comment_start, i + 2))
                    self._comment_start = None
                i += 2
            else:  # a lone `!` or `%`
                i += 1
            if i >= end:
                return
            found = next_special(text, i, end)
            if found is None:
                return

    # --- skipped constructs -------------------------------------------------

    def _skip_code_span(self, block: _Block, i: int) -> int:
        run_end, after = block.code_span(i)
        if after == -1:
            return run_end
        self.opaque.append(Span(i, after))
        return after

    def _skip_math(self, block: _Block, i: int) -> int:
        text, end = self.text, block.end
        if text.startswith("$$", i):
            close = block.find("$$", i + 2)
            if close == -1:
                return i + 2
            self.opaque.append(Span(i, close + 2))
            return close + 2
        if i + 1 >= end or text[i + 1] in " \t\n\r":
            return i + 1
        close = block.math_close(i + 1)
        if close == -1:
            return i + 1
        self.opaque.append(Span(i, close + 1))
        return close + 1

    def _skip_angle(self, block: _Block, i: int) -> int:
        text, end = self.text, block.end
        if text.startswith("<!--", i):
            close = block.find("-->", i + 4)
            stop = end if close == -1 else close + 3
            self.opaque.append(Span(i, stop))
            return stop
        for pattern in (_AUTOLINK, _HTML_TAG):
            match = pattern.match(text, i, end)
            if match:
                self.opaque.append(Span(i, match.end()))
                return match.end()
        return i + 1

    # --- links --------------------------------------------------------------

    def _link_at(self, block: _Block, i: int, place: LinkPlace) -> int:
        text = self.text
        embed = text[i] == "!"
        bracket = i + 1 if embed else i
        if text.startswith("[[", bracket):
            content_start = bracket + 2
            close = block.find("]]", content_start)
            if close != -1 and close - content_start <= _SHORT_WIKILINK:
                # `wikilink` rejects a newline or a nested `[[` itself: for a short
                # content that costs less than looking for them in the block.
                link = wikilink(text, i, content_start, close, embed, place, self._comment_start is not None)
                if link is not None:
                    self.links.append(link)
                    return close + 2
            elif close != -1:
                after = self._wikilink(block, i, bracket, embed, place)
                if after is not None:
                    return after
        parsed = _parse_inline_link(text, bracket, block.label_end(bracket), block.end)
        if parsed is None:
            return bracket + 1
        link_end, label_end, dest_start, dest_end, destination, angle = parsed
        self._markdown_link(i, link_end, bracket + 1, label_end, dest_start, dest_end, destination, angle, embed, place)
        # Images and wikilinks may sit inside a link's text ([![img](x.png)](url)).
        if _LABEL_CONTENT.search(text, bracket + 1, label_end) is not None:
            self.scan(bracket + 1, label_end, place)
        return link_end

    def _wikilink(self, block: _Block, i: int, bracket: int, embed: bool, place: LinkPlace) -> int | None:
        content_start = bracket + 2
        close = block.find("]]", content_start)
        if close == -1:
            return None
        # What `wikilink` rejects, found without slicing the content: a newline or a
        # nested `[[` before the `]]` (else `[[a [[a [[a … ]]` would be quadratic).
        newline = block.find("\n", content_start)
        if newline != -1 and newline < close:
            return None
        nested = block.find("[[", content_start)
        if nested != -1 and nested + 2 <= close:
            return None
        link = wikilink(self.text, i, content_start, close, embed, place, self._comment_start is not None)
        if link is None:
            return None
        self.links.append(link)
        return close + 2

    def _markdown_link(
        self,
        i: int,
        link_end: int,
        label_start: int,
        label_end: int,
        dest_start: int,
        dest_end: int,
        destination: str,
        angle: bool,
        embed: bool,
        place: LinkPlace,
    ) -> None:
        if not destination:
            return
        text = self.text
        label = text[label_start:label_end]
        in_comment = self._comment_start is not None
        reason = None
        if obsidian.is_external_destination(destination):
            reason = "url" if obsidian.looks_like_url(destination) else "colon"
        decoded = None
        if reason is None:
            if "%" not in destination:
                decoded = destination
            elif destination.count("%") == destination.count("%20"):
                decoded = destination.replace("%20", " ")  # decodeURI of spaces only, the usual escape
            else:
                decoded = obsidian.safe_decode_uri(destination) if embed else obsidian.decode_uri(destination)
            if decoded is None:
                reason = "malformed-escape"
        if reason is not None:
            self.external_links.append(
                ExternalLink(Span(i, link_end), Span(dest_start, dest_end), destination, embed, reason, label, in_comment, place)
            )
            return
        linktext = obsidian.clean_string(decoded)
        path, subpath = obsidian.split_linktext(linktext)
        display: str | None = label
        size = None
        if embed:
            alias_part = label.rsplit("|", 1)
            size = obsidian.parse_embed_size(alias_part[-1])
            if size is not None:
                display = alias_part[0] if len(alias_part) > 1 else None
        # Link(style, embed, span, target_span, raw_target, linktext, path, subpath,
        #      display, size, place, in_comment, angle_brackets, escaped_pipe)
        self.links.append(
            Link(
                LinkStyle.MARKDOWN, embed, Span(i, link_end), Span(dest_start, dest_end), text[dest_start:dest_end],
                linktext, path, subpath, display, size, place, in_comment, angle, False,
            )
        )


def wikilink(
    text: str, start: int, content_start: int, close: int, embed: bool, place: LinkPlace, in_comment: bool = False
) -> Link | None:
    """The wikilink whose content is ``text[content_start:close]`` (before ``]]``), or None.

    Obsidian's tokenizer: no newline, no nested ``[[``, content trimmed, then split
    at the first ``|`` past index 0, a trailing ``\\`` on the target dropped (§2.1).
    """
    content = text[content_start:close]
    if "\n" in content or "[[" in content:
        return None
    trimmed = content.strip()
    if not trimmed:
        return None
    lead = 0 if len(trimmed) == len(content) else len(content) - len(content.lstrip())
    linktext, alias, escaped_pipe = obsidian.split_alias(trimmed)
    bar = trimmed.find("|", 1)
    if bar == -1 and not escaped_pipe:
        raw_target = trimmed  # already stripped
        target_start = content_start + lead
    else:
        raw_target = trimmed if bar == -1 else trimmed[:bar]
        if escaped_pipe:
            raw_target = raw_target[:-1]
        target_start = content_start + lead + (len(raw_target) - len(raw_target.lstrip()))
        raw_target = raw_target.strip()
    path, subpath = obsidian.split_linktext(linktext)
    size = obsidian.parse_embed_size(alias.rsplit("|", 1)[-1]) if embed and alias is not None else None
    # Link(style, embed, span, target_span, raw_target, linktext, path, subpath,
    #      display, size, place, in_comment, angle_brackets, escaped_pipe)
    return Link(
        LinkStyle.WIKILINK, embed, Span(start, close + 2), Span(target_start, target_start + len(raw_target)), raw_target,
        linktext, path, subpath, alias, size, place, in_comment, False, escaped_pipe,
    )


def _parse_inline_link(text: str, bracket: int, label_end: int, end: int) -> tuple[int, int, int, int, str, bool] | None:
    """Parse ``[label](destination "title")`` at ``bracket``, whose text ends at ``label_end``.

    Returns where the link ends, where its text ends, where its destination starts
    and ends, the destination with its escapes undone, and whether it is in ``<>``.

    CommonMark rules, within one block.
    """
    if label_end == -1 or label_end + 1 >= end or text[label_end + 1] != "(":
        return None
    k = _skip_spaces(text, label_end + 2, end)
    angle = k < end and text[k] == "<"
    if angle:
        dest_start = k + 1
        m = dest_start
        while m < end and text[m] not in "<>\n":
            m += 2 if text[m] == "\\" else 1
        if m >= end or text[m] != ">":
            return None
        dest_end = m
        k = m + 1
    else:
        dest_start = k
        m = k
        parens = 0
        plain = _DESTINATION_PLAIN.match
        while m < end:
            run = plain(text, m, end)
            if run is not None:
                m = run.end()
                if m >= end:
                    break
            char = text[m]
            if char == "\\" and m + 1 < end and text[m + 1] in _ASCII_PUNCTUATION:
                m += 2
                continue
            if char in " \t\n\r" or ord(char) < 0x20:
                break
            if char == "(":
                parens += 1
                if parens > MAX_DESTINATION_PARENS:
                    return None
            elif char == ")":
                if parens == 0:
                    break
                parens -= 1
            m += 1
        if parens:
            return None
        dest_end = m
        k = m
    k = _skip_spaces(text, k, end)
    if k < end and text[k] in "\"'(" and k > dest_end:
        closer = ")" if text[k] == "(" else text[k]
        m = k + 1
        while m < end and text[m] != closer:
            m += 2 if text[m] == "\\" else 1
        if m >= end:
            return None
        k = _skip_spaces(text, m + 1, end)
    if k >= end or text[k] != ")":
        return None
    raw = text[dest_start:dest_end]
    destination = _BACKSLASH_ESCAPE.sub(r"\1", raw) if "\\" in raw else raw
    return k + 1, label_end, dest_start, dest_end, destination, angle


def _skip_spaces(text: str, k: int, end: int) -> int:
    newline_seen = False
    while k < end and text[k] in " \t\r\n":
        if text[k] == "\n":
            if newline_seen:
                break
            newline_seen = True
        k += 1
    return k
