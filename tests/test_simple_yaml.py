"""The frontmatter fast path returns exactly what ruamel.yaml returns, or declines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaultlint.parser.frontmatter import _load_yaml
from vaultlint.parser.simple_yaml import parse_simple_yaml


def ruamel(text):
    """ruamel.yaml as the frontmatter parser runs it (a non-number is a string)."""
    return _load_yaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "tags: [papers, llm]\naliases: [ReAct note]\n",
        "title: Tool use\nstatus: draft\n",
        "tags:\n  - papers\n  - llm\n",
        "tags:\n- papers\n- llm\nnext: x\n",
        "related: \"[[Attention]]\"\n",
        "related: '[[Bob''s note]]'\n",
        "empty:\n",
        "list: []\n",
        "a b: c d\n",
        "cjk: 注意力机制\n",
    ],
)
def test_simple_shapes_match_ruamel(text):
    fast = parse_simple_yaml(text)
    assert fast is not None
    assert fast == ruamel(text)


@pytest.mark.parametrize(
    "text",
    [
        "n: 1.10\n",
        "b: no\n",
        "d: 2024-05-02\n",
        "x: 12\n",
        "nested:\n  key: value\n",
        "s: \"a\\tb\"\n",
        "c: value # comment\n",
        "k: a: b\n",
        "anchor: &a x\n",
        "block: |\n  text\n",
        "dup: a\ndup: b\n",
        "tags: [a, [b]]\n",
        "- a\n- b\n",
    ],
)
def test_anything_else_is_declined(text):
    assert parse_simple_yaml(text) is None


_word = st.text(alphabet=st.sampled_from("abcxyzAB019 -_.:#'\"[]{}!&*|>%@`~?,\t注"), min_size=0, max_size=8)
_key = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_value = st.one_of(
    _word,
    st.lists(_word, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    st.lists(_word, min_size=1, max_size=3).map(lambda items: "\n" + "".join(f"  - {item}\n" for item in items)),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.dictionaries(_key, _value, max_size=4))
def test_fast_path_agrees_with_ruamel_whenever_it_answers(entries):
    text = "".join(f"{key}: {value}\n" if not value.startswith("\n") else f"{key}:{value}" for key, value in entries.items())
    fast = parse_simple_yaml(text)
    if fast is None:
        return
    try:
        expected = ruamel(text)
    except Exception:
        pytest.fail(f"fast path accepted YAML that ruamel rejects: {text!r}")
    assert fast == (expected or {}), text


@pytest.mark.parametrize("value", ["._", "+._", "0x_", "0b_", "0o_"])
def test_what_only_looks_like_a_number_is_a_string_on_both_paths(value):
    """ruamel's resolver takes these for numbers its constructor cannot build (a ValueError
    that called valid properties invalid); both paths read them as Obsidian does: text."""
    assert parse_simple_yaml(f"a: {value}\n") in (None, {"a": value})
    assert ruamel(f"a: {value}\nb: &anchor 1\n") == {"a": value, "b": 1}
