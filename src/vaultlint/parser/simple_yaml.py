"""A fast path for the frontmatter most notes have, giving exactly what ruamel.yaml gives.

Nearly every note's properties are a flat mapping of plain strings, flow lists
(`tags: [a, b]`) and block lists (`- item`). ruamel.yaml's pure-Python loader
spends about half a millisecond on each, a third of a cold run's parse time. This
reader accepts only that flat shape, with scalars that YAML 1.2 reads as strings,
and returns ``None`` for anything else (numbers, booleans, dates, nesting, anchors,
escapes, block scalars, comments after values), which then goes to ruamel.yaml.
tests/test_simple_yaml.py checks it against ruamel.yaml on generated input.
"""

from __future__ import annotations

import re
from typing import Any

_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_ -]*?)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$")
_LIST_ITEM = re.compile(r"^([ \t]*)-(?:[ \t]+(.*?))?[ \t]*$")
# Plain scalars that YAML 1.2 (as ruamel.yaml reads it) resolves to something other
# than a string, or whose first character or content needs the full parser.
_NOT_A_PLAIN_STRING = re.compile(
    r"""^(?:
        ~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N
      | [-+]?[0-9_.,:]*[0-9][0-9_.,:eE+-]*
      | [-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
      | 0[xob][0-9a-fA-F_]+
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*
      | [-?:,\[\]{}#&*!|>'"%@`].*
      | .*(?::[ \t]|[ \t]\#|:$).*
    )$""",
    re.VERBOSE,
)

# The words in _NOT_A_PLAIN_STRING's first line.
_WORDS = frozenset("~ null Null NULL true True TRUE false False FALSE yes Yes YES no No NO on On ON off Off OFF y Y n N".split())


def _scalar(text: str) -> tuple[bool, Any]:
    if not text:
        return True, None
    if text[0] == '"':
        if len(text) >= 2 and text[-1] == '"' and "\\" not in text and '"' not in text[1:-1]:
            return True, text[1:-1]
        return False, None
    if text[0] == "'":
        inner = text[1:-1]
        if len(text) >= 2 and text[-1] == "'" and "'" not in inner.replace("''", ""):
            return True, inner.replace("''", "'")
        return False, None
    if text[0].isalpha() and text.replace(" ", "").isalpha() and text not in _WORDS:
        return True, text  # letters and spaces: none of _NOT_A_PLAIN_STRING's cases (the usual tag or alias)
    if _NOT_A_PLAIN_STRING.match(text) or "\t" in text:
        return False, None
    return True, text


def _flow_list(text: str) -> tuple[bool, Any]:
    inner = text[1:-1].strip()
    if not inner:
        return True, []
    if any(char in inner for char in "[]{}\"'"):
        return False, None
    items = []
    for part in inner.split(","):
        part = part.strip()
        ok, value = _scalar(part)
        if not ok or not part:
            return False, None
        items.append(value)
    return True, items


def parse_simple_yaml(text: str) -> dict[str, Any] | None:
    """The mapping ruamel.yaml would return, or ``None`` when the text is not simple."""
    if "\t" in text or "\r" in text:
        return None  # YAML's rules for tabs are subtle; leave them to the full parser
    result: dict[str, Any] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        match = _KEY.match(line)
        if not match or line[0] in " \t":
            return None
        key, value = match.group(1), match.group(2) or ""
        if key in result or key[-1] in " -":
            return None
        if value.startswith("["):
            if not value.endswith("]"):
                return None
            ok, parsed = _flow_list(value)
        elif value:
            ok, parsed = _scalar(value)
        else:
            items: list[Any] = []
            indent = None
            while index < len(lines):
                item = _LIST_ITEM.match(lines[index])
                if not item:
                    if not lines[index].strip():
                        return None  # blank lines inside lists: leave to the full parser
                    break
                if indent is None:
                    indent = item.group(1)
                elif item.group(1) != indent:
                    return None
                ok, element = _scalar(item.group(2) or "")
                if not ok or element is None:
                    return None
                items.append(element)
                index += 1
            ok, parsed = True, (items if items else None)
        if not ok:
            return None
        result[key] = parsed
    return result
