"""VL103 broken-subpath: heading, block and footnote links Obsidian's resolveSubpath misses."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability, Severity

PAL = "#### PAL: Program-aided Language Models\n"

TARGET = (
    "# A\n"  # 1
    "\n"
    "## Setup\n"  # 3
    "\n"
    "# B\n"  # 5
    "\n"
    "## C\n"  # 7
    "\n"
    "Para one. ^Key-1\n"  # 9
    "\n"
    "> [!note]\n"
    "> ## Hidden\n"  # 12: inside a callout, not a heading
    "\n"
    "- ## InList\n"  # 14: inside a list item, not a heading
    "\n"
    "Text[^fn].\n"
    "\n"
    "[^fn]: a footnote\n"
    "\n"
    "## Intro\n"  # 20
    "\n"
    "## Release v1.2\n"  # 22
    "\n"
    "## See [[Other]]\n"  # 24
    "\n"
    "## **Bold** text\n"  # 26
    "\n"
    "## _Italic_\n"  # 28
    "\n"
    "```\n"
    "## Fenced\n"
    "```\n"
)


def only_(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


# --- links that work in Obsidian -------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "[[#PAL: Program-aided Language Models]]",  # ':' stripped on both sides
        "[[#PAL Program-aided Language Models]]",  # what Obsidian writes
        "[[#pal  program-aided language models]]",  # case and spaces irrelevant
        "[[#PAL (Program-aided) Language Models]]",
        "[x](#PAL%20Program-aided%20Language%20Models)",
        "[x](#pal%20%20program-aided%20language%20models)",
        "[x](#%5BPAL%20Program-aided%20Language%20Models)",  # %5B decodes to '[', then stripped
        "[x](<#PAL Program-aided Language Models>)",
        "[[#PAL: Program-aided Language Models|shown]]",
    ],
)
def test_same_note_heading_links_that_work(vault_dir, link):
    root = vault_dir({"n.md": f"{PAL}\n{link}\n"})
    assert lint(root, "VL103") == []


@pytest.mark.parametrize(
    "link",
    [
        "[[T#A#Setup]]",  # nested walk
        "[[T#A#C]]",  # Obsidian quirk: C need not be inside A's section
        "[[T#Setup]]",
        "[[t#setup]]",
        "[[T#^key-1]]",  # block ids: case-insensitive
        "[[T#^KEY-1]]",
        "[[T#^intro]]",  # unknown block id falls back to heading "Intro"
        "[[T#]]",  # empty subpath opens the note
        "[[T##]]",
        "[[T#Release v1 2]]",  # '.' becomes a space on both sides
        "[[T#Release v1.2]]",
        "[[T#See Other]]",  # heading text keeps its markup; '[[' and ']]' are stripped
        "[[T#Bold text]]",
        "[[T#_Italic_]]",  # '_' is kept: this is what Obsidian writes
        "[x](T.md#Release%20v1.2)",
        "[x](T.md#[^fn])",  # footnote
        "[x](T#A)",
        "![[img.png#outline]]",  # subpaths on images are ignored
        "[[doc.pdf#page=3]]",  # and on PDFs
        "![x](img.png#whatever)",
        "[[Missing#Heading]]",  # unresolved target: not this rule's business
        "[y](https://example.com/#a:b)",  # a URL
        "[z](C:/Users/me/T.md#Nope)",
    ],
)
def test_other_note_subpaths_that_work_or_are_not_checked(vault_dir, link):
    root = vault_dir({"T.md": TARGET, "img.png": "x", "doc.pdf": "x", "src.md": f"{link}\n"})
    assert lint(root, "VL103") == []


# --- pitfalls that make a heading link dead --------------------------------------


@pytest.mark.parametrize(
    "link, column, message, fixed_link",
    [
        (
            "[x](#PAL:%20Program-aided%20Language%20Models)",
            5,
            "[…](#PAL:%20Program-aided%20Language%20Models) is read by Obsidian as a URL, not a vault link, "
            "because of the literal ':'; write the heading without ':' as Obsidian does "
            "('#PAL Program-aided Language Models')",
            "[x](#PAL%20Program-aided%20Language%20Models)",
        ),
        (
            "[x](#PAL%3A%20Program-aided%20Language%20Models)",
            5,
            "[…](#PAL%3A%20Program-aided%20Language%20Models): no heading 'PAL%3A Program-aided Language Models' "
            "in this note (Obsidian's decodeURI keeps %3A encoded); "
            "did you mean 'PAL: Program-aided Language Models' (line 1)?",
            "[x](#PAL%20Program-aided%20Language%20Models)",
        ),
        (
            "[[#PAL%20Program-aided%20Language%20Models]]",
            3,
            "[[#PAL%20Program-aided%20Language%20Models]]: no heading 'PAL%20Program-aided%20Language%20Models' "
            "in this note (wikilinks are not URL-decoded: '%20' stays '%20'); "
            "did you mean 'PAL: Program-aided Language Models' (line 1)?",
            "[[#PAL Program-aided Language Models]]",
        ),
        (
            "[x](#pal-program-aided-language-models)",
            5,
            "[…](#pal-program-aided-language-models): no heading 'pal-program-aided-language-models' "
            "in this note (Obsidian does not read GitHub-style slugs); "
            "did you mean 'PAL: Program-aided Language Models' (line 1)?",
            "[x](#PAL%20Program-aided%20Language%20Models)",
        ),
        (
            "[[#pal-program-aided-language-models|PAL]]",
            3,
            "[[#pal-program-aided-language-models]]: no heading 'pal-program-aided-language-models' "
            "in this note (Obsidian does not read GitHub-style slugs); "
            "did you mean 'PAL: Program-aided Language Models' (line 1)?",
            "[[#PAL Program-aided Language Models|PAL]]",
        ),
    ],
    ids=["colon", "escaped-colon", "wikilink-%20", "slug-markdown", "slug-wikilink"],
)
def test_dead_heading_link_pitfalls_get_a_safe_fix(vault_dir, fixed, link, column, message, fixed_link):
    root = vault_dir({"n.md": f"{PAL}\nSee {link} here.\n"})
    finding = only_(lint(root, "VL103"))
    assert finding.code == "VL103" and finding.rule == "broken-subpath"
    assert finding.severity is Severity.ERROR
    assert (finding.line, finding.column) == (3, len("See ") + column)
    assert finding.message == message
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == f"{PAL}\nSee {fixed_link} here.\n"


def test_colon_destination_to_another_note(vault_dir, fixed):
    root = vault_dir({"Note.md": "## PAL: Models\n", "src.md": "[x](Note.md#PAL:%20Models)\n"})
    finding = only_(lint(root, "VL103"))
    assert (finding.line, finding.column, finding.end_column) == (1, 5, 26)
    assert finding.message.startswith("[…](Note.md#PAL:%20Models) is read by Obsidian as a URL")
    assert fixed(root, finding) == "[x](Note.md#PAL%20Models)\n"


def test_slug_with_punctuation_is_rewritten_as_obsidian_writes_it(vault_dir, fixed):
    root = vault_dir({"Note.md": "## Q&A: part 1\n", "src.md": "[w](Note.md#q-a-part-1) [[Note#q-a-part-1]]\n"})
    markdown, wiki = lint(root, "VL103")
    assert (markdown.column, wiki.column) == (12, 31)
    assert fixed(root, markdown) == "[w](Note.md#Q&A%20part%201) [[Note#q-a-part-1]]\n"
    assert fixed(root, wiki) == "[w](Note.md#q-a-part-1) [[Note#Q&A part 1]]\n"
    assert {markdown.fix.applicability, wiki.fix.applicability} == {Applicability.SAFE}


# --- missing headings, blocks, footnotes ----------------------------------------


@pytest.mark.parametrize(
    "link, message",
    [
        ("[[T#Hidden]]", "[[T#Hidden]]: no heading 'Hidden' in 'T.md'"),  # callout heading
        ("[[T#InList]]", "[[T#InList]]: no heading 'InList' in 'T.md'"),  # list-item heading
        ("[[T#Fenced]]", "[[T#Fenced]]: no heading 'Fenced' in 'T.md'"),  # in code
        ("[[T#^nope]]", "[[T#^nope]]: no block ^nope (or heading of that name) in 'T.md'"),
        ("[x](T.md#[^zz])", "[…](T.md#[^zz]): no footnote [^zz] in 'T.md'"),
        ("[[T#Release v12]]", "[[T#Release v12]]: no heading 'Release v12' in 'T.md'; did you mean 'Release v1.2' (line 22)?"),
    ],
)
def test_missing_subpaths_are_reported(vault_dir, link, message):
    root = vault_dir({"T.md": TARGET, "src.md": f"{link}\n"})
    finding = only_(lint(root, "VL103"))
    assert finding.line == 1
    assert finding.column == link.index("#") + 1  # the span starts at the subpath
    assert finding.message == message


def test_underscores_are_not_stripped(vault_dir, fixed):
    # `## _Italic_` is matched by `[[#_Italic_]]` only; the fix writes it that way.
    root = vault_dir({"T.md": TARGET, "src.md": "[[T#Italic]]\n"})
    finding = only_(lint(root, "VL103"))
    assert finding.message == "[[T#Italic]]: no heading 'Italic' in 'T.md'; did you mean '_Italic_' (line 28)?"
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == "[[T#_Italic_]]\n"


@pytest.mark.parametrize("link", ["[[T#^nope]]", "[x](T.md#[^zz])", "[[T#Hidden]]"])
def test_missing_blocks_footnotes_and_unmatched_headings_have_no_fix(vault_dir, link):
    root = vault_dir({"T.md": TARGET, "src.md": f"{link}\n"})
    assert only_(lint(root, "VL103")).fix is None


def test_nested_walk_that_fails_is_fixed_to_the_only_heading(vault_dir, fixed):
    root = vault_dir({"T.md": TARGET, "src.md": "[[T#B#Setup]] [[T#Intro#C]]\n"})
    first, second = lint(root, "VL103")
    assert first.message == "[[T#B#Setup]]: no heading 'B > Setup' in 'T.md'; did you mean 'Setup' (line 3)?"
    assert (first.column, second.column) == (4, 18)
    assert first.fix.applicability is Applicability.SAFE
    assert fixed(root, first) == "[[T#Setup]] [[T#Intro#C]]\n"
    assert fixed(root, second) == "[[T#B#Setup]] [[T#C]]\n"


@pytest.mark.parametrize(
    "link, expected",
    [
        ("[[Note#Old headin|alias]]", "[[Note#Old heading|alias]]"),
        ("[u](Note.md#Old%20headin)", "[u](Note.md#Old%20heading)"),
        ("[v](<Note.md#Old headin>)", "[v](<Note.md#Old heading>)"),
    ],
)
def test_renamed_heading_gets_an_unsafe_fix_in_the_links_style(vault_dir, fixed, link, expected):
    root = vault_dir({"Note.md": "## Intro\n\n## Old heading\n", "src.md": f"{link}\n"})
    finding = only_(lint(root, "VL103"))
    assert finding.message.endswith("; did you mean 'Old heading' (line 3)?")
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(root, finding) == f"{expected}\n"


def test_no_fix_when_two_headings_are_equally_close(vault_dir):
    root = vault_dir({"Note.md": "## Result 1\n\n## Result 2\n", "src.md": "[[Note#Result 3]]\n"})
    finding = only_(lint(root, "VL103"))
    assert finding.message == "[[Note#Result 3]]: no heading 'Result 3' in 'Note.md'"
    assert finding.fix is None


# --- comments and code -------------------------------------------------------------


def test_comments_only_with_check_comments_and_code_never(vault_dir):
    text = (
        "## Real\n"
        "\n"
        "%%[[#Nope]] and [c](#PAL:%20X)%%\n"  # line 3
        "\n"
        "```\n"
        "[[#Nope]]\n"
        "```\n"
        "\n"
        "`[[#Nope]]` and [[#Nope]]\n"  # line 9
    )
    root = vault_dir({"n.md": text})
    assert [(f.line, f.column) for f in lint(root, "VL103")] == [(9, 19)]
    assert [(f.line, f.column) for f in lint(root, "VL103", **{"check-comments": True})] == [
        (3, 5),
        (3, 21),
        (9, 19),
    ]


# --- the fix loop -------------------------------------------------------------------


def test_fix_loop_rewrites_every_pitfall_and_is_idempotent(vault_dir, fix_loop):
    text = (
        f"{PAL}"
        "\n"
        "[a](#PAL:%20Program-aided%20Language%20Models) [b](#pal-program-aided-language-models)\n"
        "[[#PAL%20Program-aided%20Language%20Models]] [[#PAL Program-aided Langage Model]]\n"
    )
    root = vault_dir({"n.md": text})
    first, second = fix_loop(root, "VL103", unsafe=False)
    assert first.fixed == {
        "n.md": f"{PAL}\n"
        "[a](#PAL%20Program-aided%20Language%20Models) [b](#PAL%20Program-aided%20Language%20Models)\n"
        "[[#PAL Program-aided Language Models]] [[#PAL Program-aided Langage Model]]\n"
    }
    assert first.applied == 3
    assert [f.message.split(":")[0] for f in first.remaining] == ["[[#PAL Program-aided Langage Model]]"]
    assert second.fixed == {} and second.applied == 0

    first, second = fix_loop(root, "VL103", unsafe=True)
    assert first.fixed["n.md"].endswith("[[#PAL Program-aided Language Models]] [[#PAL Program-aided Language Models]]\n")
    assert first.remaining == []
    assert second.fixed == {} and second.remaining == []
