"""YAML frontmatter (properties): where it is, what it holds, and its quoted wikilinks."""

from __future__ import annotations

import re
from typing import Any

from ..note import Frontmatter
from ..source import Span
from .simple_yaml import parse_simple_yaml

_OPENING = re.compile(r"---[ \t]*\r?\n")
_CLOSING = re.compile(r"^---[ \t]*(?:\r?\n|$)", re.MULTILINE)
# Obsidian reads a wikilink in a property only when it is the whole, quoted value.
# The other quote character may occur inside ("[[Bob's Note]]").
QUOTED_WIKILINK = re.compile(r"""(?<![^\s:\[,-])(["'])(!?\[\[(?:(?!\1)[^\n])+?\]\])\1""")

_yaml_loader = None


def _load_yaml(text: str) -> Any:
    global _yaml_loader
    if _yaml_loader is None:
        from ruamel.yaml import YAML

        from .limits import hook_ruamel

        hook_ruamel()  # the parse deadline, installed before ruamel first scans
        _yaml_loader = YAML(typ="safe", pure=True)
        _yaml_loader.Constructor = _lenient_constructor(_yaml_loader.Constructor)
    return _yaml_loader.load(text)


def _lenient_constructor(base):
    """ruamel's constructor, but a scalar its resolver takes for a number that is none
    (``._``, ``0x_``: digits and ``_`` are all the pattern asks for) is a string, as in
    Obsidian, rather than a ``ValueError`` that would call valid properties invalid."""

    class LenientConstructor(base):
        pass

    def number_or_string(construct):
        def construct_number(constructor, node):
            try:
                return construct(constructor, node)
            except ValueError:
                return constructor.construct_scalar(node)

        return construct_number

    for tag, construct in (("int", base.construct_yaml_int), ("float", base.construct_yaml_float)):
        LenientConstructor.add_constructor(f"tag:yaml.org,2002:{tag}", number_or_string(construct))
    return LenientConstructor


def find_frontmatter(text: str) -> tuple[Span, Span] | None:
    """The whole block and its YAML body, when the note starts with ``---``."""
    opening = _OPENING.match(text)
    if not opening:
        return None
    closing = _CLOSING.search(text, opening.end())
    if not closing:
        return None
    return Span(0, closing.end()), Span(opening.end(), closing.start())


def string_values(data: Any) -> set[str]:
    """Every string value in parsed YAML, at any depth (keys excluded)."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def parse_frontmatter(text: str, block: Span, body: Span) -> Frontmatter:
    """Parse the YAML body with YAML 1.2 rules; a broken block is kept with its error."""
    yaml_text = text[body.start:body.end]
    data = parse_simple_yaml(yaml_text.replace("\r\n", "\n"))
    try:
        if data is None:
            data = _load_yaml(yaml_text)
    except Exception as error:  # ruamel raises many unrelated types for bad YAML
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        first_body_line = text.count("\n", 0, body.start) + 1
        line = first_body_line + mark.line if mark is not None else first_body_line
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        context = getattr(error, "context", None)
        context_mark = getattr(error, "context_mark", None)
        if context and context_mark is not None:
            context_line = first_body_line + context_mark.line
            problem = f"{context} (line {context_line}, column {context_mark.column + 1}): {problem}"
        return Frontmatter(block, None, f"invalid YAML in properties: {problem}", line)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return Frontmatter(block, None, "properties must be a YAML mapping", text.count("\n", 0, body.start) + 1)
    return Frontmatter(block, data)
