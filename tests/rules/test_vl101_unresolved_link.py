"""VL101 unresolved-link: links Obsidian cannot resolve to any file, and their repairs."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability, Severity

MOVED = "archive/deep/Moved note.md"


def only_(findings):
    """The one finding; fails (showing them) when there are none or several."""
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


def codes(findings):
    return [(f.code, f.line, f.column) for f in findings]


# --- links that work in Obsidian: never reported ------------------------------

RESOLVING = {
    "Attention.md": "# Attention\n",
    "v1.2 notes.md": "",
    "a/b/Note.md": "",
    "a/z.md": "",
    "y.md": "",
    "sub/My Note.md": "",
    "data.csv": "a,b\n",
    "Topic.md": "# Head\n",
}


@pytest.mark.parametrize(
    "source, link",
    [
        ("src.md", "[[attention]]"),  # case differences
        ("src.md", "[[ATTENTION.MD]]"),
        ("src.md", "[[Attention]]"),  # .md omitted
        ("src.md", "[[Attention.md]]"),
        ("src.md", "[[v1.2 notes]]"),  # dotted name: looked up as-is, then with .md
        ("src.md", "[[b/Note]]"),  # path suffix of a/b/Note.md
        ("a/x.md", "[[../y]]"),  # relative
        ("a/x.md", "[[./z]]"),
        ("src.md", "[[/a/z]]"),  # vault-absolute
        ("a/x.md", "[[/y]]"),
        ("src.md", "[n](My%20Note.md)"),  # Markdown links resolve vault-wide without ./
        ("a/x.md", "[n](sub/My%20Note.md)"),
        ("src.md", "[n](<My Note.md>)"),  # angle brackets: no %20 needed
        ("src.md", "[n](sub/My%20Note)"),  # .md omitted in a Markdown link
        ("src.md", "[[data.csv]]"),  # any file is a target
        ("src.md", "[[DATA.CSV|the data]]"),
        ("src.md", "[[Topic#Head]]"),
        ("src.md", "[[Topic#No such heading]]"),  # a missing heading is VL103's business
        ("src.md", "[[Topic#]]"),  # empty subpath opens the note
        ("src.md", "[[#Somewhere]]"),  # self link
        ("src.md", "[x](https://example.com/a:b) [m](mailto:a@b.c)"),  # URLs
        ("src.md", "![[gone.png]] ![[Gone note]]"),  # embeds are VL104's
        ("src.md", "[[An idea not written yet]]"),  # resembles nothing: VL102's
        ("src.md", "[w](sub/Gone Note.md)"),  # literal space: not a link at all
        ("src.md", "[x](100%.md)"),  # malformed escape: decodeURI throws, not a vault link
    ],
)
def test_working_or_foreign_links_are_not_reported(vault_dir, source, link):
    root = vault_dir({**RESOLVING, source: f"Intro {link} end\n"})
    assert lint(root, "VL101") == []


def test_escaped_pipe_in_table_and_frontmatter_link_resolve(vault_dir):
    root = vault_dir({
        "Topic.md": "",
        "src.md": '---\nup: "[[Topic]]"\n---\n| a | b |\n|---|---|\n| [[Topic\\|alias]] | [[topic]] |\n',
    })
    assert lint(root, "VL101") == []


@pytest.mark.parametrize(
    "block",
    [
        "```\n[[folder/Moved note]]\n```\n",
        "~~~md\n[[folder/Moved note]]\n~~~\n",
        "Use `[[folder/Moved note]]` to link.\n",
        "Para.\n\n    [[folder/Moved note]]\n",
    ],
    ids=["fenced", "tilde-fence", "inline-code", "indented-code"],
)
@pytest.mark.parametrize("check_comments", [False, True])
def test_links_in_code_are_never_links(vault_dir, block, check_comments):
    root = vault_dir({MOVED: "", "src.md": block})
    assert lint(root, "VL101", **{"check-comments": check_comments}) == []


def test_aliases_do_not_resolve_links(vault_dir):
    root = vault_dir({
        "Attention.md": "---\naliases: [Attn mechanism/overview]\n---\n",
        "src.md": "[[Attn mechanism/overview]]\n",
    })
    finding = only_(lint(root, "VL101"))
    assert (finding.line, finding.column) == (1, 3)
    assert "no file matches the path 'Attn mechanism/overview'" in finding.message
    assert finding.fix is None


# --- a note moved: the one file with that name --------------------------------


def test_moved_note_gets_a_safe_fix_in_the_links_own_form(vault_dir, fixed):
    text = "See [[folder/Moved note]] today.\n"
    root = vault_dir({MOVED: "# Intro\n", "notes/src.md": text})
    finding = only_(lint(root, "VL101"))
    assert finding.code == "VL101" and finding.rule == "unresolved-link"
    assert finding.severity is Severity.ERROR
    assert finding.path == "notes/src.md"
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (1, 7, 1, 24)
    assert finding.message == (
        "[[folder/Moved note]] does not resolve: no file matches the path 'folder/Moved note'; "
        "did you mean 'archive/deep/Moved note.md' (the only file with this name)?"
    )
    assert finding.fix.applicability is Applicability.SAFE
    # A vault path stays a vault path.
    assert fixed(root, finding) == "See [[archive/deep/Moved note]] today.\n"


@pytest.mark.parametrize(
    "link, expected",
    [
        # subpath and alias kept
        ("[[folder/Moved note#Intro|read this]]", "[[archive/deep/Moved note#Intro|read this]]"),
        ("[[folder/Moved note#^blk]]", "[[archive/deep/Moved note#^blk]]"),
        # .md kept in a wikilink that wrote it
        ("[[folder/Moved note.md]]", "[[archive/deep/Moved note.md]]"),
        # relative stays relative
        ("[[../old/Moved note]]", "[[../archive/deep/Moved note]]"),
        # Markdown: %20 encoding, .md, subpath kept
        ("[t](folder/Moved%20note.md#Intro)", "[t](archive/deep/Moved%20note.md#Intro)"),
        # Markdown without .md stays without .md
        ("[t](folder/Moved%20note)", "[t](archive/deep/Moved%20note)"),
        # angle brackets: no encoding
        ("[t](<folder/Moved note.md>)", "[t](<archive/deep/Moved note.md>)"),
        ("[t](<../old/Moved note.md#Intro>)", "[t](<../archive/deep/Moved note.md#Intro>)"),
    ],
)
def test_moved_note_fix_keeps_style_subpath_and_extension(vault_dir, fixed, link, expected):
    root = vault_dir({MOVED: "# Intro\n\nPara ^blk\n", "notes/src.md": f"x {link} y\n"})
    finding = only_(lint(root, "VL101"))
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == f"x {expected} y\n"


@pytest.mark.parametrize(
    "link, expected",
    [
        # Obsidian's encoder: balanced parentheses and non-ASCII stay raw ...
        ("[p](old/Plan%20(v2).md)", "[p](archive/Plan%20(v2).md)"),
        ("[c](old/Caf%C3%A9%20notes.md)", "[c](archive/Café%20notes.md)"),
        # ... an unbalanced parenthesis is escaped so the destination still parses
        ("[h](old/Half%20%28open.md)", "[h](archive/Half%20%28open.md)"),
        ("[h](<old/Half (open.md>)", "[h](<archive/Half (open.md>)"),
    ],
)
def test_markdown_fix_encodes_the_path_as_obsidian_does(vault_dir, fixed, link, expected):
    root = vault_dir({
        "archive/Plan (v2).md": "",
        "archive/Café notes.md": "",
        "archive/Half (open.md": "",
        "src.md": f"{link}\n",
    })
    finding = only_(lint(root, "VL101"))
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == f"{expected}\n"


def test_moved_note_fix_in_a_table_keeps_the_escaped_pipe(vault_dir, fixed):
    text = "| a |\n|---|\n| [[old/Moved note\\|alias]] |\n"
    root = vault_dir({MOVED: "", "src.md": text})
    finding = only_(lint(root, "VL101"))
    assert (finding.line, finding.column) == (3, 5)
    assert fixed(root, finding) == "| a |\n|---|\n| [[archive/deep/Moved note\\|alias]] |\n"


@pytest.mark.parametrize(
    "link_format, wiki, markdown",
    [
        ("relative", "[[../archive/deep/Moved note#Intro]]", "[t](../archive/deep/Moved%20note.md)"),
        ("absolute", "[[archive/deep/Moved note#Intro]]", "[t](archive/deep/Moved%20note.md)"),
        ("shortest", "[[Moved note#Intro]]", "[t](Moved%20note.md)"),
    ],
)
def test_new_link_format_decides_the_written_form(vault_dir, fixed, link_format, wiki, markdown):
    root = vault_dir({
        ".obsidian/app.json": '{"newLinkFormat": "%s"}' % link_format,
        MOVED: "# Intro\n",
        "notes/src.md": "[[folder/Moved note#Intro]]\n[t](folder/Moved%20note.md)\n",
    })
    first, second = lint(root, "VL101")
    assert (first.line, second.line) == (1, 2)
    assert fixed(root, first) == f"{wiki}\n[t](folder/Moved%20note.md)\n"
    assert fixed(root, second) == f"[[folder/Moved note#Intro]]\n{markdown}\n"


# --- stray characters, typos, several candidates, paths -------------------------


def test_trailing_percent_5c_gets_an_unsafe_fix(vault_dir, fixed):
    text = "See [the survey](Surveys/LLM%20Survey.md%5C).\n"
    root = vault_dir({"Surveys/LLM Survey.md": "", "src.md": text})
    finding = only_(lint(root, "VL101"))
    assert (finding.line, finding.column) == (1, 18)
    assert "[…](Surveys/LLM%20Survey.md%5C) does not resolve" in finding.message
    assert "did you mean 'Surveys/LLM Survey.md' (the same name without stray characters)?" in finding.message
    assert finding.fix.applicability is Applicability.UNSAFE
    assert not finding.fixable(unsafe=False) and finding.fixable(unsafe=True)
    assert fixed(root, finding) == "See [the survey](Surveys/LLM%20Survey.md).\n"


def test_typo_of_an_existing_name_is_unresolved_with_an_unsafe_fix(vault_dir, fixed):
    root = vault_dir({"Attention.md": "", "src.md": "Read [[Atention]] first.\n"})
    findings = lint(root)
    finding = only_(findings)
    assert finding.code == "VL101"
    assert (finding.line, finding.column) == (1, 8)
    assert finding.message == (
        "[[Atention]] does not resolve: no file in the vault is named 'Atention' or 'Atention.md'; "
        "did you mean 'Attention.md' (the closest similar name)?"
    )
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(root, finding) == "Read [[Attention]] first.\n"


def test_several_same_name_candidates_give_no_fix_and_are_named(vault_dir):
    root = vault_dir({"p/Dup.md": "", "q/Dup.md": "", "src.md": "[[x/Dup]]\n"})
    finding = only_(lint(root, "VL101"))
    assert finding.fix is None
    assert "several files could be meant ('p/Dup.md', 'q/Dup.md'); no automatic fix" in finding.message


@pytest.mark.parametrize(
    "link, column, reason",
    [
        ("[t](idea.md)", 5, "no file in the vault is named 'idea.md'"),
        ("[[report.csv]]", 3, "no file in the vault is named 'report.csv'"),
        ("[[papers/Zebra stripes]]", 3, "no file matches the path 'papers/Zebra stripes'"),
    ],
)
def test_named_folder_or_extension_is_never_a_note_to_be(vault_dir, link, column, reason):
    root = vault_dir({"Unrelated.md": "", "src.md": f"{link}\n"})
    findings = lint(root)
    finding = only_(findings)  # and not also VL102
    assert finding.code == "VL101"
    assert (finding.line, finding.column) == (1, column)
    assert reason in finding.message
    assert finding.fix is None


def test_vault_absolute_path_has_no_suffix_fallback(vault_dir, fixed):
    root = vault_dir({"a/z.md": "", "src.md": "[[/z]]\n"})
    finding = only_(lint(root, "VL101"))
    assert "no file matches the path '/z'" in finding.message
    assert fixed(root, finding) == "[[a/z]]\n"


def test_relative_path_climbing_above_the_root_is_reported(vault_dir, fixed):
    root = vault_dir({"y.md": "", "a/x.md": "[[../../y]]\n"})
    finding = only_(lint(root, "VL101"))
    assert (finding.line, finding.column) == (1, 3)
    assert "its relative path climbs above the vault root" in finding.message
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == "[[../y]]\n"


def test_percent_20_in_a_wikilink_is_not_decoded(vault_dir, fixed):
    root = vault_dir({"My Note.md": "", "src.md": "[[My%20Note]]\n"})
    finding = only_(lint(root))
    assert finding.code == "VL101"
    assert fixed(root, finding) == "[[My Note]]\n"


# --- comments -------------------------------------------------------------------


def test_links_in_comments_only_with_check_comments(vault_dir):
    text = "%%[[folder/Moved note]]%%\n\n%%\nDraft: [[folder/Moved note]]\n%%\n\n[[folder/Moved note]]\n"
    root = vault_dir({MOVED: "", "src.md": text})
    assert codes(lint(root, "VL101")) == [("VL101", 7, 3)]
    assert codes(lint(root, "VL101", **{"check-comments": True})) == [
        ("VL101", 1, 5),
        ("VL101", 4, 10),
        ("VL101", 7, 3),
    ]


# --- the fix loop ---------------------------------------------------------------


def test_fix_loop_applies_safe_then_unsafe_and_is_idempotent(vault_dir, fix_loop):
    files = {
        MOVED: "",
        "Surveys/LLM Survey.md": "",
        "src.md": "[[folder/Moved note]] and [s](Surveys/LLM%20Survey.md%5C) and [[x/Dup]]\n",
        "p/Dup.md": "",
        "q/Dup.md": "",
    }
    root = vault_dir(files)
    first, second = fix_loop(root, "VL101", unsafe=False)
    assert first.fixed == {"src.md": "[[archive/deep/Moved note]] and [s](Surveys/LLM%20Survey.md%5C) and [[x/Dup]]\n"}
    assert first.applied == 1
    assert [(f.line, f.column) for f in first.remaining] == [(1, 37), (1, 71)]
    assert second.fixed == {} and second.applied == 0

    first, second = fix_loop(root, "VL101", unsafe=True)
    assert first.fixed == {"src.md": "[[archive/deep/Moved note]] and [s](Surveys/LLM%20Survey.md) and [[x/Dup]]\n"}
    assert [f.message.startswith("[[x/Dup]]") for f in first.remaining] == [True]
    assert second.fixed == {} and second.applied == 0 and len(second.remaining) == 1
