"""Inline scanning with exact offsets: wikilinks, embeds, Markdown links and images.

The scanner walks the source text of one block at a time and skips what Obsidian
does not read as links: backslash escapes, code spans, inline math, HTML tags and
comments, autolinks. ``%% %%`` comments can span blocks, so their state is kept
across calls; links inside them are still collected (Obsidian indexes them) but
marked ``in_comment``.
"""

from __future__ import annotations

import re

from .. import obsidian
from ..note import ExternalLink, Link, LinkPlace, LinkStyle
from ..source import Span

_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_HTML_TAG = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>"
)
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>|<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+>")
_SPECIAL = re.compile(r"[\\`$<%\[!]")
_BACKSLASH_ESCAPE = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


class InlineScanner:
    """Collects links from successive blocks of one note's text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.links: list[Link] = []
        self.external_links: list[ExternalLink] = []
        self.comments: list[Span] = []
        self.opaque: list[Span] = []
        self._comment_start: int | None = None

    def finish(self) -> None:
        """An unclosed ``%%`` comments out the rest of the note, as in Obsidian."""
        if self._comment_start is not None:
            self.comments.append(Span(self._comment_start, len(self.text)))
            self._comment_start = None

    def scan(self, start: int, end: int, place: LinkPlace = LinkPlace.BODY) -> None:
        text = self.text
        next_special = _SPECIAL.search
        i = start
        while i < end:
            # Jump straight to the next character that can start something.
            found = next_special(text, i, end)
            if found is None:
                return
            i = found.start()
            char = text[i]
            if char == "\\":
                i += 2 if i + 1 < end and text[i + 1] in _ASCII_PUNCTUATION else 1
            elif char == "`":
                i = self._skip_code_span(i, end)
            elif char == "$":
                i = self._skip_math(i, end)
            elif char == "<":
                i = self._skip_angle(i, end)
            elif char == "%" and text.startswith("%%", i):
                if self._comment_start is None:
                    self._comment_start = i
                else:
                    self.comments.append(Span(self._comment_start, i + 2))
                    self._comment_start = None
                i += 2
            elif char == "[" or (char == "!" and i + 1 < end and text[i + 1] == "["):
                i = self._link_at(i, end, place)
            else:
                i += 1

    # --- skipped constructs -------------------------------------------------

    def _skip_code_span(self, i: int, end: int) -> int:
        text = self.text
        run_end = i
        while run_end < end and text[run_end] == "`":
            run_end += 1
        width = run_end - i
        search = run_end
        while True:
            close = text.find("`" * width, search, end)
            if close == -1:
                return run_end
            after = close + width
            if (after < end and text[after] == "`") or text[close - 1] == "`":
                search = after
                while search < end and text[search] == "`":
                    search += 1
                continue
            self.opaque.append(Span(i, after))
            return after

    def _skip_math(self, i: int, end: int) -> int:
        text = self.text
        if text.startswith("$$", i):
            close = text.find("$$", i + 2, end)
            if close == -1:
                return i + 2
            self.opaque.append(Span(i, close + 2))
            return close + 2
        if i + 1 >= end or text[i + 1] in " \t\n\r":
            return i + 1
        search = i + 1
        while True:
            close = text.find("$", search, end)
            if close == -1:
                return i + 1
            if text[close - 1] == "\\":
                search = close + 1
                continue
            if text[close - 1] in " \t" or (close + 1 < end and text[close + 1].isdigit()):
                search = close + 1
                continue
            self.opaque.append(Span(i, close + 1))
            return close + 1

    def _skip_angle(self, i: int, end: int) -> int:
        text = self.text
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4, end)
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

    def _link_at(self, i: int, end: int, place: LinkPlace) -> int:
        text = self.text
        embed = text[i] == "!"
        bracket = i + 1 if embed else i
        if text.startswith("[[", bracket):
            after = self._wikilink(i, bracket, end, embed, place)
            if after is not None:
                return after
        parsed = _parse_inline_link(text, bracket, end)
        if parsed is None:
            return bracket + 1
        link_end, label_span, dest_span, destination, angle = parsed
        self._markdown_link(i, link_end, label_span, dest_span, destination, angle, embed, place)
        # Images and wikilinks may sit inside a link's text ([![img](x.png)](url)).
        self.scan(label_span.start, label_span.end, place)
        return link_end

    def _wikilink(self, i: int, bracket: int, end: int, embed: bool, place: LinkPlace) -> int | None:
        close = self.text.find("]]", bracket + 2, end)
        if close == -1:
            return None
        link = wikilink(self.text, i, bracket + 2, close, embed, place, self._comment_start is not None)
        if link is None:
            return None
        self.links.append(link)
        return close + 2

    def _markdown_link(
        self,
        i: int,
        link_end: int,
        label_span: Span,
        dest_span: Span,
        destination: str,
        angle: bool,
        embed: bool,
        place: LinkPlace,
    ) -> None:
        if not destination:
            return
        label = self.text[label_span.start:label_span.end]
        in_comment = self._comment_start is not None
        reason = None
        if obsidian.is_external_destination(destination):
            reason = "url" if obsidian.looks_like_url(destination) else "colon"
        decoded = None
        if reason is None:
            decoded = obsidian.safe_decode_uri(destination) if embed else obsidian.decode_uri(destination)
            if decoded is None:
                reason = "malformed-escape"
        if reason is not None:
            self.external_links.append(
                ExternalLink(Span(i, link_end), dest_span, destination, embed, reason, label, in_comment, place)
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
        self.links.append(
            Link(
                style=LinkStyle.MARKDOWN,
                embed=embed,
                span=Span(i, link_end),
                target_span=dest_span,
                raw_target=self.text[dest_span.start:dest_span.end],
                linktext=linktext,
                path=path,
                subpath=subpath,
                display=display,
                size=size,
                place=place,
                in_comment=in_comment,
                angle_brackets=angle,
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
    if "\n" in content or "[[" in content or not content.strip():
        return None
    lead = len(content) - len(content.lstrip())
    trimmed = content.strip()
    linktext, alias, escaped_pipe = obsidian.split_alias(trimmed)
    bar = trimmed.find("|", 1)
    raw_target = trimmed if bar == -1 else trimmed[:bar]
    if escaped_pipe:
        raw_target = raw_target[:-1]
    target_start = content_start + lead + (len(raw_target) - len(raw_target.lstrip()))
    raw_target = raw_target.strip()
    path, subpath = obsidian.split_linktext(linktext)
    size = obsidian.parse_embed_size(alias.rsplit("|", 1)[-1]) if embed and alias is not None else None
    return Link(
        style=LinkStyle.WIKILINK,
        embed=embed,
        span=Span(start, close + 2),
        target_span=Span(target_start, target_start + len(raw_target)),
        raw_target=raw_target,
        linktext=linktext,
        path=path,
        subpath=subpath,
        display=alias,
        size=size,
        place=place,
        in_comment=in_comment,
        escaped_pipe=escaped_pipe,
    )


def _parse_inline_link(text: str, bracket: int, end: int) -> tuple[int, Span, Span, str, bool] | None:
    """Parse ``[label](destination "title")`` at ``bracket``; CommonMark rules, one block."""
    depth = 0
    j = bracket
    label_end = -1
    while j < end:
        char = text[j]
        if char == "\\":
            j += 2
            continue
        if char == "`":
            run_end = j
            while run_end < end and text[run_end] == "`":
                run_end += 1
            close = text.find("`" * (run_end - j), run_end, end)
            j = run_end if close == -1 else close + (run_end - j)
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                label_end = j
                break
        j += 1
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
        while m < end:
            char = text[m]
            if char == "\\" and m + 1 < end and text[m + 1] in _ASCII_PUNCTUATION:
                m += 2
                continue
            if char in " \t\n\r" or ord(char) < 0x20:
                break
            if char == "(":
                parens += 1
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
    destination = _BACKSLASH_ESCAPE.sub(r"\1", raw)
    return k + 1, Span(bracket + 1, label_end), Span(dest_start, dest_end), destination, angle


def _skip_spaces(text: str, k: int, end: int) -> int:
    newline_seen = False
    while k < end and text[k] in " \t\r\n":
        if text[k] == "\n":
            if newline_seen:
                break
            newline_seen = True
        k += 1
    return k
