"""Fuzzing: random Obsidian-flavoured notes through check and fix.

Links, embeds, tables, callouts, properties, comments, math, code and their
broken forms are strung together at random (``vaultgen.fuzz_text``), next to real
targets some links miss. Every run must raise nothing, keep every span exact,
and keep every fix-safety property (``fixcheck.fix_and_check``). This is the
small batch; ``python scripts/fuzz.py`` runs a large one.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixcheck import fix_and_check
from vaultgen import FUZZ_FRAGMENTS, fuzz_text, fuzz_vault
from vaultlint.note import LinkStyle
from vaultlint.parser import parse_bytes, parse_note

FUZZ_SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def fuzz_once(rng: random.Random, unsafe: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        fuzz_vault(rng, notes=5).write(root)
        fix_and_check(root, unsafe=unsafe)


@FUZZ_SETTINGS
@given(st.randoms(use_true_random=False), st.booleans())
def test_fuzzed_vaults_check_and_fix_safely(rng, unsafe):
    fuzz_once(rng, unsafe)


@pytest.mark.parametrize("seed", range(12))
def test_fuzz_seeds(seed):
    """A fixed batch, so a regression shows up whatever hypothesis's database holds."""
    fuzz_once(random.Random(seed), unsafe=seed % 2 == 1)


def assert_exact(text: str) -> None:
    note = parse_note("fuzz.md", text)
    assert not note.skipped, note.problems
    for link in note.links:
        whole = text[link.span.start:link.span.end]
        assert text[link.target_span.start:link.target_span.end] == link.raw_target
        if link.style is LinkStyle.WIKILINK:
            assert whole.startswith("![[" if link.embed else "[[") and whole.endswith("]]"), whole
        else:
            assert whole.startswith("![" if link.embed else "[") and whole.endswith(")"), whole
    for comment in note.comments:
        assert text[comment.start:comment.end].startswith("%%")
    for block in note.block_ids:
        assert text[block.span.start:block.span.end] == "^" + block.id


SOUP = list("[]()!#^|\\`$%<>-*_~:/=\"' \n\r\tab中😀\u00a0")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.text(alphabet=st.sampled_from(SOUP), max_size=200))
def test_character_soup_parses_with_exact_spans(text):
    assert_exact(text)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.randoms(use_true_random=False))
def test_fragment_soup_parses_with_exact_spans(rng):
    assert_exact(fuzz_text(rng, max_parts=80))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.randoms(use_true_random=False), st.binary(min_size=1, max_size=8))
def test_mangled_bytes_never_raise(rng, junk):
    data = bytearray(fuzz_text(rng).encode())
    for byte in junk:
        data.insert(rng.randint(0, len(data)), byte)
    note = parse_bytes("fuzz.md", bytes(data))
    if note.skipped:
        assert [p.message.split(" (")[0] for p in note.problems] in (["not valid UTF-8"], ["contains NUL bytes"])
        assert note.text == "" and note.links == []


def test_the_fragments_cover_what_the_issue_names():
    joined = "".join(FUZZ_FRAGMENTS)
    for construct in ("[[", "![[", "](", "![", "| a |", "> [!info]", "---", "%%", "$$", "```", "`", "<!--", "^", "#"):
        assert construct in joined, construct


# --- the scanner's lookup tables answer as a direct scan would -----------------------------


def direct_code_span_end(text: str, i: int, end: int) -> int:
    """End of the code span opened by the backtick run at ``i``, or -1: the next run of the same length."""
    run_end = i
    while run_end < end and text[run_end] == "`":
        run_end += 1
    width, search = run_end - i, run_end
    while True:
        close = text.find("`" * width, search, end)
        if close == -1:
            return -1
        after = close + width
        if (after < end and text[after] == "`") or text[close - 1] == "`":
            search = after
            while search < end and text[search] == "`":
                search += 1
            continue
        return after


def direct_label_end(text: str, bracket: int, end: int) -> int:
    """The scan every opener used to make: count brackets to the matching ``]``."""
    depth, j = 0, bracket
    while j < end:
        char = text[j]
        if char == "\\":
            j += 2
            continue
        if char == "`":
            after = direct_code_span_end(text, j, end)
            if after == -1:
                while j < end and text[j] == "`":
                    j += 1
            else:
                j = after
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.text(alphabet=st.sampled_from(list("[[]]``\\ax")), max_size=60), st.randoms(use_true_random=False))
def test_bracket_and_code_span_tables_match_a_direct_scan(text, rng):
    from vaultlint.parser.inline import _Block

    block = _Block(text, 0, len(text), None)
    openers = [i for i, char in enumerate(text) if char == "["]
    rng.shuffle(openers)  # any order of questions gets the same answers
    for opener in openers:
        assert block.label_end(opener) == direct_label_end(text, opener, len(text)), (text, opener)
    for i, char in enumerate(text):
        if char == "`":
            assert block.code_span(i)[1] == direct_code_span_end(text, i, len(text)), (text, i)


def direct_splitting_pipes(body: str, opaque: list[tuple[int, int]]) -> list[int]:
    """The cell-splitting pipes found one character at a time (what the table rules' jumping scan must match)."""
    pipes, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        inside = next((end for start, end in opaque if start <= i < end), None)
        if inside is not None:
            i = inside
            continue
        if body[i] == "|":
            pipes.append(i)
        i += 1
    return pipes


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.text(alphabet=st.sampled_from(list("ab|\\ `")), max_size=40), st.randoms(use_true_random=False))
def test_table_row_pipes_match_a_direct_scan(body, rng):
    from vaultlint.tables import _splitting_pipes

    opaque = []
    for _ in range(rng.randint(0, 4)):
        start = rng.randint(0, len(body))
        opaque.append((start, min(len(body), start + rng.randint(0, 8))))
    opaque.sort()
    assert _splitting_pipes(body, opaque) == direct_splitting_pipes(body, opaque), (body, opaque)
