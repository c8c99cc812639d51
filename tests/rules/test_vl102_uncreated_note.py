"""VL102 uncreated-note: links to bare note names that match and resemble nothing."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Severity

EXISTING = {"Attention.md": "# Attention\n", "sub/My Note.md": "", "data.csv": "a\n"}


def only_(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


def positions(findings):
    return [(f.code, f.line, f.column) for f in findings]


def test_wikilink_to_a_note_not_written_yet(vault_dir):
    root = vault_dir({**EXISTING, "src.md": "# Plan\n\nNext: [[Sparse mixture survey]]\n"})
    finding = only_(lint(root))  # only VL102, not also VL101
    assert finding.code == "VL102" and finding.rule == "uncreated-note"
    assert finding.severity is Severity.WARNING
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 9, 3, 30)
    assert finding.message == "[[Sparse mixture survey]] links to a note not created yet ('Sparse mixture survey.md')"
    assert finding.fix is None


@pytest.mark.parametrize(
    "link, column, shown, wanted",
    [
        ("[t](Quantum%20gardening)", 5, "[…](Quantum%20gardening)", "Quantum gardening.md"),
        ("[[Quantum gardening|the garden]]", 3, "[[Quantum gardening]]", "Quantum gardening.md"),
        ("[[Quantum gardening#Soil]]", 3, "[[Quantum gardening#Soil]]", "Quantum gardening.md"),
        ("[[quantum gardening]]", 3, "[[quantum gardening]]", "quantum gardening.md"),
    ],
)
def test_forms_of_uncreated_links(vault_dir, link, column, shown, wanted):
    root = vault_dir({**EXISTING, "src.md": f"{link}\n"})
    finding = only_(lint(root))
    assert finding.code == "VL102"
    assert (finding.line, finding.column) == (1, column)
    assert finding.message == f"{shown} links to a note not created yet ({wanted!r})"


def test_each_link_is_reported(vault_dir):
    root = vault_dir({"src.md": "[[Zebra]] and [[Zebra]]\n[[Okapi]]\n"})
    assert positions(lint(root, "VL102")) == [("VL102", 1, 3), ("VL102", 1, 17), ("VL102", 2, 3)]


def test_aliases_never_resolve_a_link(vault_dir):
    # Obsidian: [[LLM]] with `aliases: [LLM]` on another note is unresolved.
    root = vault_dir({
        "Large language models.md": "---\naliases: [LLM, llm]\n---\n",
        "src.md": "[[LLM]] and [[llm]]\n",
    })
    assert positions(lint(root)) == [("VL102", 1, 3), ("VL102", 1, 15)]


def test_quoted_wikilink_in_properties_is_checked(vault_dir):
    root = vault_dir({"src.md": '---\nup: "[[Someday]]"\n---\nBody\n'})
    finding = only_(lint(root, "VL102"))
    assert (finding.line, finding.column) == (2, 8)
    assert "('Someday.md')" in finding.message


@pytest.mark.parametrize(
    "link, code",
    [
        ("[[Atention]]", "VL101"),  # resembles Attention.md: a typo
        ("[[papers/Zebra stripes]]", "VL101"),  # names a folder
        ("[t](zebra.md)", "VL101"),  # names an extension
        ("[[zebra.png]]", "VL101"),
        ("[t](Zebra%20stripes.md%5C)", "VL101"),  # stray characters
        ("[[../../Zebra]]", "VL101"),  # climbs above the root
        ("![[Zebra stripes]]", "VL104"),  # embeds are VL104's
    ],
)
def test_not_a_note_to_be(vault_dir, link, code):
    root = vault_dir({**EXISTING, "a/src.md": f"{link}\n"})
    assert lint(root, "VL102") == []
    assert [f.code for f in lint(root)] == [code]


@pytest.mark.parametrize(
    "link",
    [
        "[[Attention]]",
        "[[attention.MD]]",
        "[n](My%20Note.md)",
        "[n](<My Note>)",
        "[[data.csv]]",
        "[[#Local heading]]",
        "[[My Note#Missing heading]]",
        "[x](https://example.com)",
    ],
)
def test_existing_targets_and_self_links_are_not_reported(vault_dir, link):
    root = vault_dir({**EXISTING, "src.md": f"{link}\n"})
    assert lint(root, "VL102") == []


def test_comments_only_with_check_comments_and_code_never(vault_dir):
    text = (
        "%%[[Zebra]]%%\n"  # line 1
        "\n"
        "%%\n"
        "[[Okapi]]\n"  # line 4
        "%%\n"
        "\n"
        "```\n"
        "[[Quokka]]\n"
        "```\n"
        "\n"
        "Inline `[[Tapir]]` code.\n"
        "\n"
        "[[Narwhal]]\n"  # line 13
    )
    root = vault_dir({"src.md": text})
    assert positions(lint(root, "VL102")) == [("VL102", 13, 3)]
    assert positions(lint(root, "VL102", **{"check-comments": True})) == [
        ("VL102", 1, 5),
        ("VL102", 4, 3),
        ("VL102", 13, 3),
    ]
