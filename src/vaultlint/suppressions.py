"""Suppressions written in a note, in Obsidian's comment syntax.

- ``%% vaultlint-disable-next-line VL101, broken-subpath %%``: the line after the comment.
- ``%% vaultlint-disable-line VL101 %%``: the line(s) the comment is on.
- ``%% vaultlint-disable VL101 %%`` ... ``%% vaultlint-enable VL101 %%``: a range; a
  bare ``vaultlint-disable`` is ended by a bare ``vaultlint-enable``. No end: to the
  end of the note.
- No codes: every rule. Codes or rule names, separated by commas or spaces; text
  after `` -- `` is a free reason.
- The same directives as HTML comments (``<!-- vaultlint-disable-next-line VL101 -->``),
  outside code, for notes also published with other tools.
- A whole note: the ``vaultlint`` property, ``vaultlint: {ignore: [VL101]}``.

``%% %%`` comments are taken from the parser (``note.comments``: never inside code).
The engine applies a note's suppressions to its findings and keeps track of which
suppression was used, so a rule (unused-suppression) can report the others and
build the edits that remove them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import field
from typing import Any

from .diagnostics import Edit, Finding
from .note import Note
from .records import dataclass
from .source import Span

KINDS = ("disable-next-line", "disable-line", "disable", "enable")
_KEYWORD = re.compile(r"vaultlint-(disable-next-line|disable-line|disable|enable)(?=[\s,]|$)")
_TOKEN = re.compile(r"[^\s,]+")
_HTML_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_FENCE = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]{0,3}(`{3,}|~{3,})")
_PROPERTY = "vaultlint"


@dataclass(slots=True, eq=False)
class Token:
    """One code or rule name in a directive; ``code`` is ``None`` when no rule has it."""

    text: str
    span: Span
    code: str | None
    duplicate_of_line: int | None = None  # already disabled (by a directive on that line)

    @property
    def key(self) -> str:
        return self.code or self.text


@dataclass(slots=True, eq=False)
class Directive:
    kind: str  # one of KINDS, or "file" for the vaultlint property
    form: str  # "obsidian" (%% %%), "html" (<!-- -->) or "frontmatter"
    span: Span  # the whole comment; for the property: its key
    tokens: list[Token]
    first_line: int
    last_line: int
    codes_span: Span | None = None
    used: set[str] = field(default_factory=set)  # keys that suppressed a finding ("*": blanket)
    closed_by: dict[str, Directive] = field(default_factory=dict)  # disable: key -> its enable
    closes: list[tuple[Directive, str]] = field(default_factory=list)  # enable: (disable, key)
    stray: set[str] = field(default_factory=set)  # enable: keys it ends that were not disabled
    property_value: Any = None  # the property's parsed value (frontmatter form)

    @property
    def blanket(self) -> bool:
        return not self.tokens

    @property
    def keys(self) -> list[str]:
        return [token.key for token in self.tokens if token.duplicate_of_line is None] or ["*"]

    @property
    def keyword(self) -> str:
        return "the vaultlint property" if self.kind == "file" else f"`vaultlint-{self.kind}`"


@dataclass(slots=True)
class Problem:
    """A comment that looks like a directive but is not one (reported, never applied)."""

    span: Span
    message: str


@dataclass(slots=True)
class Issue:
    """A suppression, or some of its codes, that should go: what to say and what to remove."""

    directive: Directive
    tokens: list[Token]  # the codes to remove; empty: the whole (blanket) directive
    safe: bool
    message: str
    span: Span


@dataclass(slots=True)
class Range:
    directive: Directive
    key: str
    start: int
    end: int


class Suppressions:
    """The suppressions of one note, and which of them suppressed something."""

    def __init__(self, note: Note, directives: list[Directive], problems: list[Problem]) -> None:
        self.note = note
        self.directives = sorted(directives, key=lambda d: d.span.start)
        self.problems = problems
        self.ranges: list[Range] = []
        self._pair_ranges()

    def __bool__(self) -> bool:
        return bool(self.directives or self.problems)

    # --- applying -------------------------------------------------------------------

    def _pair_ranges(self) -> None:
        opened: dict[str, tuple[Directive, int]] = {}
        for directive in self.directives:
            if directive.kind == "disable":
                seen: set[str] = set()
                for token in directive.tokens:
                    if token.key in opened or token.key in seen:
                        owner = opened[token.key][0] if token.key in opened else directive
                        token.duplicate_of_line = owner.first_line
                    seen.add(token.key)
                for key in directive.keys:
                    if key not in opened:
                        opened[key] = (directive, directive.span.end)
            elif directive.kind == "enable":
                if directive.blanket:
                    if not opened:
                        directive.stray.add("*")
                    for key, (opener, start) in opened.items():
                        self._close(opener, key, start, directive)
                    opened.clear()
                    continue
                for token in directive.tokens:
                    if token.key in opened:
                        opener, start = opened.pop(token.key)
                        self._close(opener, token.key, start, directive)
                    else:
                        directive.stray.add(token.key)
        for key, (opener, start) in opened.items():
            self.ranges.append(Range(opener, key, start, len(self.note.text)))

    def _close(self, opener: Directive, key: str, start: int, enable: Directive) -> None:
        self.ranges.append(Range(opener, key, start, enable.span.start))
        opener.closed_by[key] = enable
        enable.closes.append((opener, key))

    def apply(self, findings: Iterable[Finding], explicit_only: bool = False) -> list[Finding]:
        """The findings no suppression covers; marks the suppressions that covered one.

        ``explicit_only``: only suppressions naming the finding's code count (used
        for the unused-suppression rule's own findings, which a blanket
        suppression does not hide).
        """
        kept = []
        for finding in findings:
            suppressed = False
            for directive in self.directives:
                if directive.kind in ("disable", "enable"):
                    continue
                if directive.kind == "disable-next-line":
                    here = finding.line == directive.last_line + 1
                elif directive.kind == "disable-line":
                    here = directive.first_line <= finding.line <= directive.last_line
                else:
                    here = True
                if here:
                    for key in directive.keys:
                        if key == finding.code or (key == "*" and not explicit_only):
                            directive.used.add(key)
                            suppressed = True
            for span in self.ranges:
                if span.start <= finding.span.start < span.end and (span.key == finding.code or (span.key == "*" and not explicit_only)):
                    span.directive.used.add(span.key)
                    suppressed = True
            if not suppressed:
                kept.append(finding)
        return kept

    # --- judging --------------------------------------------------------------------------

    def judge(self, ran: set[str], describe: Callable[[str], str], only: str | None = None, skip: str | None = None) -> list[Issue]:
        """Suppressions that suppressed nothing, name unknown rules, or end nothing.

        ``ran``: codes of the rules that ran on the note (a code outside it is "not
        enabled": its removal is unsafe, as another selection may need it).
        ``only``/``skip``: judge only, or all but, the tokens naming that code.
        """
        issues: list[Issue] = []
        for directive in self.directives:
            safe: list[tuple[Token | None, str]] = []
            unsafe: list[tuple[Token, str]] = []
            if directive.kind == "enable":
                if directive.blanket:
                    if "*" in directive.stray and only is None:
                        issues.append(Issue(directive, [], True, "unused suppression: `vaultlint-enable` with nothing disabled above it", directive.span))
                    continue
                for token in self._filtered(directive.tokens, only, skip):
                    if token.key in directive.stray:
                        safe.append((token, "no `vaultlint-disable` above it to end"))
            elif directive.blanket:
                if only is None and "*" not in directive.used:
                    message = f"unused suppression: {directive.keyword} without codes, nothing to suppress {self._where(directive)}"
                    issues.append(Issue(directive, [], True, message, directive.span))
                continue
            else:
                for token in self._filtered(directive.tokens, only, skip):
                    if token.code is None:
                        safe.append((token, "no installed rule has this code or name"))
                    elif token.duplicate_of_line is not None:
                        safe.append((token, f"already disabled on line {token.duplicate_of_line}"))
                    elif token.code not in ran:
                        unsafe.append((token, "the rule is not enabled for this note (its removal is unsafe: another selection may need it)"))
                    elif token.key not in directive.used:
                        safe.append((token, f"nothing to suppress {self._where(directive)}"))
            for group, is_safe in ((safe, True), (unsafe, False)):
                if not group:
                    continue
                phrases: dict[str, list[str]] = {}
                for token, reason in group:
                    label = token.text
                    if token.code is not None:
                        label += f" ({describe(token.code)})" if token.text.upper() == token.code else f" ({token.code})"
                    phrases.setdefault(reason, []).append(label)
                prefix = "unused suppression" if directive.kind != "enable" else "unmatched `vaultlint-enable`"
                parts = [f"{prefix} of {', '.join(names)}: {reason}" for reason, names in phrases.items()]
                tokens = [token for token, _ in group]
                span = tokens[0].span if len(tokens) == 1 else Span(tokens[0].span.start, tokens[-1].span.end)
                issues.append(Issue(directive, tokens, is_safe, "; ".join(parts), span))
        for problem in self.problems:
            if only is None:
                issues.append(Issue(Directive("invalid", "obsidian", problem.span, [], 0, 0), [], False, problem.message, problem.span))
        return issues

    @staticmethod
    def _filtered(tokens: list[Token], only: str | None, skip: str | None) -> list[Token]:
        return [t for t in tokens if (only is None or t.code == only) and (skip is None or t.code != skip)]

    def _where(self, directive: Directive) -> str:
        if directive.kind == "disable-next-line":
            return f"on line {directive.last_line + 1}"
        if directive.kind == "disable-line":
            return f"on line {directive.first_line}" if directive.first_line == directive.last_line else f"on lines {directive.first_line}-{directive.last_line}"
        if directive.kind == "file":
            return "in this note"
        ends = {enable for enable in directive.closed_by.values()}
        if ends:
            end = min(ends, key=lambda e: e.span.start)
            return f"before the `vaultlint-enable` on line {end.first_line}"
        return "up to the end of the note"

    # --- fixing -----------------------------------------------------------------------------

    def removal(self, issue: Issue) -> list[Edit] | None:
        """Edits that remove the issue's codes (or the whole directive), with the
        matching codes of the `vaultlint-enable` that ends its range; ``None`` when
        no edit can be made safely (a malformed directive, an unusual property)."""
        directive = issue.directive
        if directive.kind == "invalid":
            return None
        if directive.form == "frontmatter":
            return self._property_removal(directive, issue.tokens)
        removed = set(map(id, issue.tokens))
        remaining = [t for t in directive.tokens if id(t) not in removed]
        edits = [self._drop(directive, remaining)]
        if directive.kind == "disable":
            keys = {t.key for t in issue.tokens if t.duplicate_of_line is None} if issue.tokens else {"*"}
            by_enable: dict[int, tuple[Directive, set[str]]] = {}
            for key in keys:
                enable = directive.closed_by.get(key)
                if enable is not None:
                    by_enable.setdefault(id(enable), (enable, set()))[1].add(key)
            for enable, gone in by_enable.values():
                if enable.blanket:
                    if all(opener is directive and key in gone for opener, key in enable.closes):
                        edits.append(self._drop(enable, []))
                else:
                    closing = {key for opener, key in enable.closes if opener is directive and key in gone}
                    left = [t for t in enable.tokens if t.key not in closing]
                    edits.append(self._drop(enable, left))
        return edits

    def _drop(self, directive: Directive, remaining: list[Token]) -> Edit:
        if remaining and directive.codes_span is not None:
            separator = ", " if "," in self.note.text[directive.codes_span.start:directive.codes_span.end] else " "
            return Edit(directive.codes_span, separator.join(t.text for t in remaining))
        return remove_comment(self.note.text, directive.span)

    def _property_removal(self, directive: Directive, tokens: list[Token]) -> list[Edit] | None:
        """Remove codes from ``vaultlint: {ignore: [...]}`` (the whole property when none
        is left), verified by parsing the result: only that data may change."""
        text = self.note.text
        old = self.note.frontmatter.data if self.note.frontmatter else None
        if old is None or any(token.span == directive.span for token in tokens):
            return None
        key = _property_key(old)
        if len(tokens) == len(directive.tokens):
            edit = _property_block_removal(text, directive.span, self.note.frontmatter.span)
            if edit is None:
                return None
            expected = {k: v for k, v in old.items() if k != key}
            return [edit] if _frontmatter_after([edit], text) == expected else None
        edits: list[Edit] = []
        for token in sorted(tokens, key=lambda t: t.span.start):
            edit = _list_item_removal(text, token.span)
            if edit is None:
                return None
            if edits and edits[-1].span.end > edit.span.start:  # neighbours in a flow list
                merged = Span(edits[-1].span.start, max(edits[-1].span.end, edit.span.end))
                edits[-1] = Edit(merged, "")
            else:
                edits.append(edit)
        listed = _as_list(old[key].get("ignore"))
        for token in tokens:
            listed.remove(token.text)
        expected = {**old, key: {**old[key], "ignore": listed}}
        after = _frontmatter_after(edits, text)
        if after is None or _normalised(after) != _normalised(expected):
            return None
        return edits


def _frontmatter_after(edits: list[Edit], text: str) -> dict | None:
    from .parser.frontmatter import find_frontmatter, parse_frontmatter

    pieces, position = [], 0
    for edit in sorted(edits):
        pieces.append(text[position:edit.span.start])
        pieces.append(edit.replacement)
        position = edit.span.end
    pieces.append(text[position:])
    new_text = "".join(pieces)
    found = find_frontmatter(new_text)
    return parse_frontmatter(new_text, *found).data if found else None


def _property_block_removal(text: str, key_span: Span, block: Span) -> Edit | None:
    """The lines of one top-level property: its key line and the indented lines after it."""
    start = text.rfind("\n", 0, key_span.start) + 1
    end = text.find("\n", key_span.end)
    if end == -1:
        return None
    end += 1
    while end < block.end:
        line_end = text.find("\n", end)
        line = text[end: block.end if line_end == -1 else line_end]
        if not line.strip() or not line[0] in " \t":
            break
        end = block.end if line_end == -1 else line_end + 1
    return Edit(Span(start, end), "")


def _property_key(data: dict) -> str | None:
    for key in data:
        if isinstance(key, str) and key.lower() == _PROPERTY:
            return key
    return None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _normalised(data: dict) -> dict:
    """The property's ignore list as a list, so ``ignore: X`` and ``ignore: [X]`` compare."""
    key = _property_key(data)
    if key is None or not isinstance(data[key], dict):
        return data
    value = dict(data[key])
    value["ignore"] = [str(item) for item in _as_list(value.get("ignore"))]
    return {**data, key: value}


def _list_item_removal(text: str, span: Span) -> Edit | None:
    """Remove one YAML list item: a ``- ITEM`` line, or ``ITEM`` from a flow ``[...]`` list."""
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.end)
    line_end = len(text) if line_end == -1 else line_end
    before = text[line_start:span.start]
    after = text[span.end:line_end].rstrip("\r")
    quote = ""
    if before.endswith(("'", '"')) and after.startswith(before[-1]):
        quote = before[-1]
        before, after = before[:-1], after[1:]
    start, end = span.start - len(quote), span.end + len(quote)
    if re.fullmatch(r"[ \t]*-[ \t]*", before) and re.fullmatch(r"[ \t]*(#.*)?", after):
        return Edit(Span(line_start, min(line_end + 1, len(text))), "")
    following = re.match(r"[ \t]*,[ \t]*", text[end:line_end])
    if following:
        return Edit(Span(start, end + following.end()), "")
    preceding = re.search(r",[ \t]*$", text[line_start:start])
    if preceding:
        return Edit(Span(line_start + preceding.start(), end), "")
    if re.search(r"\[[ \t]*$", text[line_start:start]) and re.match(r"[ \t]*\]", text[end:line_end]):
        return Edit(Span(start, end), "")
    if re.search(r":[ \t]*$", before):
        return Edit(Span(start, end), "[]")
    return None


def remove_comment(text: str, span: Span) -> Edit:
    """Remove a comment: its whole line when nothing else is on it (quote markers
    aside), else the comment and the blanks that separated it from the text."""
    line_start = text.rfind("\n", 0, span.start) + 1
    newline = text.find("\n", span.end)
    line_end = len(text) if newline == -1 else newline
    before = text[line_start:span.start]
    after = text[span.end:line_end]
    if re.fullmatch(r"[ \t>]*", before) and not after.strip():
        if newline != -1:
            return Edit(Span(line_start, newline + 1), "")
        if line_start == 0:
            return Edit(Span(0, len(text)), "")
        cut = line_start - 1
        if cut > 0 and text[cut - 1] == "\r":
            cut -= 1
        return Edit(Span(cut, len(text)), "")
    if not after.strip():
        blanks = len(before) - len(before.rstrip(" \t"))
        return Edit(Span(span.start - blanks, span.end), "")
    blanks = len(after) - len(after.lstrip(" \t"))
    return Edit(Span(span.start, span.end + blanks), "")


# --- reading ----------------------------------------------------------------------------------


def _code_lines(note: Note) -> set[int]:
    """Lines inside fenced or indented code (conservative: when unsure, code)."""
    lines = note.text.split("\n")
    code: set[int] = set()
    fence: str | None = None
    previous_blank = True
    for number, line in enumerate(lines, 1):
        match = _FENCE.match(line)
        if fence is not None:
            code.add(number)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            code.add(number)
            continue
        if (line.startswith("    ") or line.startswith("\t")) and (previous_blank or number - 1 in code) and line.strip():
            code.add(number)
        previous_blank = not line.strip()
    return code


def parse(note: Note, resolve: Callable[[str], str | None]) -> Suppressions | None:
    """The note's suppressions (``None`` when it has none); ``resolve`` maps a code
    or rule name to a rule code, or ``None`` for an unknown one."""
    text = note.text
    if note.skipped:
        return None
    if "vaultlint" not in text:  # directives are lower case; the property's key may not be
        data = note.frontmatter.data if note.frontmatter is not None else None
        if not data or _property_key(data) is None:
            return None
    directives: list[Directive] = []
    problems: list[Problem] = []
    for span in note.comments:
        if len(span) >= 4 and text.startswith("%%", span.end - 2):
            _read(note, span, span.start + 2, span.end - 2, "obsidian", resolve, directives, problems)
    if "<!--" in text:
        code = None
        frontmatter_end = note.frontmatter.span.end if note.frontmatter else 0
        for match in _HTML_COMMENT.finditer(text):
            if match.start() < frontmatter_end or "vaultlint" not in match.group(1).lower():
                continue
            if any(span.start <= match.start() < span.end for span in note.comments):
                continue  # commented out with %%
            if code is None:
                code = _code_lines(note)
            line, column = note.position(match.start())
            if line in code or note.line_text(line)[: column - 1].count("`") % 2:
                continue
            _read(note, Span(match.start(), match.end()), match.start(1), match.end(1), "html", resolve, directives, problems)
    _read_property(note, resolve, directives, problems)
    if not directives and not problems:
        return None
    return Suppressions(note, directives, problems)


def _read(note: Note, span: Span, inner_start: int, inner_end: int, form: str, resolve, directives: list, problems: list) -> None:
    text = note.text
    content = text[inner_start:inner_end]
    lead = len(content) - len(content.lstrip())
    body = content.strip()
    if not body.lower().startswith("vaultlint-"):
        return
    match = _KEYWORD.match(text, inner_start + lead, inner_end)
    if not match:
        word = body.split()[0] if body.split() else body
        problems.append(
            Problem(span, f"{word!r} is not a vaultlint directive (use {', '.join('vaultlint-' + kind for kind in KINDS)})")
        )
        return
    reason_at = text.find("--", match.end(), inner_end)
    codes_end = inner_end if reason_at == -1 else reason_at
    tokens = []
    for token in _TOKEN.finditer(text, match.end(), codes_end):
        tokens.append(Token(token.group(), Span(token.start(), token.end()), resolve(token.group())))
    codes_span = Span(tokens[0].span.start, tokens[-1].span.end) if tokens else None
    first_line = note.position(span.start)[0]
    last_line = note.position(max(span.start, span.end - 1))[0]
    directives.append(Directive(match.group(1), form, span, tokens, first_line, last_line, codes_span))


def _read_property(note: Note, resolve, directives: list, problems: list) -> None:
    frontmatter = note.frontmatter
    if frontmatter is None or not frontmatter.data:
        return
    key = _property_key(frontmatter.data)
    if key is None:
        return
    text = note.text
    block = frontmatter.span
    found = re.compile(rf"^{re.escape(key)}[ \t]*:", re.M).search(text, block.start, block.end)
    key_span = Span(found.start(), found.start() + len(key)) if found else Span(block.start, min(block.start + 3, block.end))
    value = frontmatter.data[key]
    if not isinstance(value, dict) or set(value) - {"ignore"} or not isinstance(value.get("ignore"), (list, str, type(None))):
        problems.append(Problem(key_span, "the vaultlint property must look like `vaultlint: {ignore: [CODE, ...]}`"))
        return
    names = _as_list(value.get("ignore"))
    if not all(isinstance(name, str) for name in names):
        problems.append(Problem(key_span, "the vaultlint property's ignore list must hold rule codes or names"))
        return
    tokens = []
    cursor = key_span.end
    for name in names:
        hit = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])").search(text, cursor, block.end)
        span = Span(hit.start(), hit.end()) if hit else key_span
        if hit:
            cursor = hit.end()
        tokens.append(Token(name, span, resolve(name)))
    if not tokens:
        return
    line = note.position(key_span.start)[0]
    directives.append(Directive("file", "frontmatter", key_span, tokens, line, line, property_value=value))
