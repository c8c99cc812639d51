"""VL106 ambiguous-heading: a heading link matching several headings of its note."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Severity

LOG = (
    "# Log\n"  # 1
    "\n"
    "## Week 1\n"  # 3
    "\n"
    "### Notes\n"  # 5
    "\n"
    "## Week 2\n"  # 7
    "\n"
    "### notes:\n"  # 9: same heading once stripped and lower-cased
    "\n"
    "## Sync\n"  # 11
    "\n"
    "### sync\n"  # 13: a detail of the section, not a duplicate
    "\n"
    "## Solo\n"  # 15
    "\n"
    "> [!note]\n"
    "> ## Solo\n"  # 18: in a callout, not a heading
    "\n"
    "```\n"
    "## Solo\n"  # 21: in code, not a heading
    "```\n"
    "\n"
    "Para ^Notes\n"
)


def only_(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


def test_same_level_duplicate_is_reported(vault_dir):
    root = vault_dir({"Weekly log.md": LOG, "src.md": "Follow-up in [[Weekly log#Notes]]\n"})
    finding = only_(lint(root, "VL106"))
    assert finding.code == "VL106" and finding.rule == "ambiguous-heading"
    assert finding.severity is Severity.WARNING
    # The span is the subpath: from '#' to the end of the target.
    assert (finding.line, finding.column, finding.end_column) == (1, 26, 32)
    assert finding.message == (
        "[[Weekly log#Notes]] matches 2 headings in 'Weekly log.md' (lines 5, 9); "
        "Obsidian opens the first (line 5); add parent headings to reach another"
    )
    assert finding.fix is None


def test_markdown_link_and_self_link(vault_dir):
    root = vault_dir({
        "Weekly log.md": LOG + "\n[x](#notes) [[#NOTES|n]]\n",
        "src.md": "[x](Weekly%20log.md#Notes)\n",
    })
    findings = lint(root, "VL106")
    assert [(f.path, f.line, f.column) for f in findings] == [
        ("Weekly log.md", 26, 5),
        ("Weekly log.md", 26, 15),
        ("src.md", 1, 20),
    ]
    assert "in this note (lines 5, 9)" in findings[0].message
    assert findings[2].message.startswith("[…](Weekly%20log.md#Notes) matches 2 headings in 'Weekly log.md'")


def test_section_and_its_subheading_are_not_reported_by_default(vault_dir):
    root = vault_dir({"Weekly log.md": LOG, "src.md": "[[Weekly log#Sync]]\n"})
    assert lint(root, "VL106") == []
    finding = only_(lint(root, "VL106", **{"same-level-only": False}))
    assert "matches 2 headings in 'Weekly log.md' (lines 11, 13); Obsidian opens the first (line 11)" in finding.message


def test_deeper_first_match_counts_only_its_own_level(vault_dir):
    text = "### Sync\n\n## Sync\n\n## Sync\n\n[[#Sync]]\n"
    root = vault_dir({"n.md": text})
    assert lint(root, "VL106") == []  # Obsidian opens the ### one; no other ### Sync
    finding = only_(lint(root, "VL106", **{"same-level-only": False}))
    assert "(lines 1, 3, 5); Obsidian opens the first (line 1)" in finding.message


@pytest.mark.parametrize(
    "link",
    [
        "[[Weekly log#Week 2#Notes]]",  # parent chain reaches the later one
        "[[Weekly log#Week 1#Notes]]",
        "[[Weekly log#Solo]]",  # callout and code headings do not count
        "[[Weekly log#Week 1]]",
        "[[Weekly log#Nowhere]]",  # missing: VL103's business
        "[[Weekly log#^notes]]",  # a block link
        "[[Weekly log]]",
        "[[Missing#Notes]]",
        "```\n[[Weekly log#Notes]]\n```",
        "%%[[Weekly log#Notes]]%%",
    ],
)
def test_unambiguous_or_foreign_links_are_not_reported(vault_dir, link):
    root = vault_dir({"Weekly log.md": LOG, "src.md": f"{link}\n"})
    assert lint(root, "VL106") == []


def test_heading_comparison_ignores_case_and_punctuation(vault_dir):
    root = vault_dir({"n.md": "## Q&A: Part 1\n\n## q&a part 1\n\n[[#Q A part 1]]\n"})
    finding = only_(lint(root, "VL106"))
    assert "(lines 1, 3)" in finding.message


def test_comments_with_check_comments(vault_dir):
    root = vault_dir({"Weekly log.md": LOG, "src.md": "x\n%%[[Weekly log#Notes]]%%\n"})
    finding = only_(lint(root, "VL106", **{"check-comments": True}))
    assert (finding.line, finding.column) == (2, 15)
