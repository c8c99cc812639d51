"""VL107 duplicate-block-id: a block id defined twice in one note."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Severity


def positions(findings):
    return [(f.line, f.column, f.end_column) for f in findings]


def test_duplicate_is_reported_at_the_copy(vault_dir):
    text = (
        "Transformers replace recurrence with attention. ^key-idea\n"
        "\n"
        "Mixture of experts routes tokens to sub-networks. ^key-idea\n"
    )
    root = vault_dir({"n.md": text})
    [finding] = lint(root, "VL107")
    assert finding.code == "VL107" and finding.rule == "duplicate-block-id"
    assert finding.severity is Severity.ERROR
    assert finding.path == "n.md"
    assert (finding.line, finding.column) == (3, 51)
    assert finding.message == "block id ^key-idea is already defined on line 1; links reach only one of them"
    assert finding.fix is None


def test_ids_compare_case_insensitively_and_every_copy_names_the_first(vault_dir):
    text = "Alpha ^Key-Idea\n\nBeta ^key-idea\n\n- item ^KEY-IDEA\n\nGamma ^other\n"
    root = vault_dir({"n.md": text})
    findings = lint(root, "VL107")
    assert positions(findings) == [(3, 6, 15), (5, 8, 17)]
    assert [f.message for f in findings] == [
        "block id ^key-idea is already defined on line 1; links reach only one of them",
        "block id ^KEY-IDEA is already defined on line 1; links reach only one of them",
    ]


def test_own_line_ids_after_other_blocks(vault_dir):
    text = "| a |\n|---|\n| 1 |\n\n^tbl\n\n> quote\n\n^TBL\n"
    root = vault_dir({"n.md": text})
    [finding] = lint(root, "VL107")
    assert (finding.line, finding.column) == (9, 1)
    assert "^TBL is already defined on line 5" in finding.message


@pytest.mark.parametrize(
    "files",
    [
        {"n.md": "Alpha ^one\n\nBeta ^two\n\nGamma ^one-2\n"},  # distinct ids
        {"n.md": "Alpha ^shared\n", "m.md": "Beta ^shared\n"},  # ids are per note
        {"n.md": "Alpha ^key_idea\n\nBeta ^key_idea\n"},  # '_' is not allowed: not block ids
        {"n.md": "Alpha ^abc and more\n\nBeta ^abc here\n"},  # not at the end: not ids
        {"n.md": "Alpha ^abc\n\n```\ncode ^abc\n```\n"},  # code is not a block
        {"n.md": "Alpha ^abc\n\n    indented code ^abc\n"},
        {"n.md": "Alpha ^abc\n\n$$\nx ^abc\n$$\n"},  # nor math
        {"n.md": "---\nnote: x ^abc\n---\nAlpha ^abc\n"},  # nor properties
        {"n.md": "Alpha ^abc\n\nSee [[#^abc]] and [[#^ABC]]\n"},  # links to the id are not ids
    ],
    ids=["distinct", "other-note", "underscore", "mid-line", "fenced", "indented", "math", "properties", "links"],
)
def test_not_duplicates(vault_dir, files):
    root = vault_dir(files)
    assert lint(root, "VL107") == []
