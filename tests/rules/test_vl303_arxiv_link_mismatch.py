"""VL303 arxiv-link-mismatch: a link's text and URL name different IDs."""

from __future__ import annotations

import pytest

from arxiv_fixtures import REACT, TALM, card, row
from conftest import lint
from vaultlint.diagnostics import Applicability

HEADER = "| Name | Paper | Venue | Link |\n| ---- | ----- | ----- | ---- |\n"


def only(findings):
    assert len(findings) == 1, [(f.code, f.path, f.line, f.message) for f in findings]
    return findings[0]


def test_citation_is_reported_without_fix(vault_dir):
    root = vault_dir({"n.md": "Toolformer ([arXiv:2302.04761](https://arxiv.org/abs/2302.04716)) calls APIs.\n"})
    finding = only(lint(root, "VL303"))
    assert (finding.line, finding.column, finding.end_column) == (1, 20, 30)
    assert finding.fix is None
    assert finding.message == (
        "link text says arXiv 2302.04761 but its URL opens 2302.04716; no offline fix: the link is not part "
        "of a paper record, so nothing shows which half is right"
    )


def test_paper_record_link_is_fixed_by_the_papers_other_claims(vault_dir, fixed):
    note = HEADER + row("ReAct", REACT, "2210.03629") + f"\n#### {REACT}\n\n> [!info]\n> [arXiv:2205.12255](https://arxiv.org/pdf/2210.03629v3) [cs.CL]\n"
    root = vault_dir({"n.md": note})
    finding = only(lint(root, "VL303"))
    assert finding.line == 8
    assert finding.message == "link text says arXiv 2205.12255 but its URL opens 2210.03629v3; the paper's other claims (index row line 3) say 2210.03629"
    assert finding.fix.applicability is Applicability.SAFE and finding.fix.title == "Make the link text say 2210.03629"
    assert "> [arXiv:2210.03629](https://arxiv.org/pdf/2210.03629v3) [cs.CL]" in fixed(root, finding)


def test_the_url_is_fixed_when_the_text_is_right(vault_dir, fixed):
    note = HEADER + row("ReAct", REACT, "2210.03629") + f"\n#### {REACT}\n\n> [!info]\n> [arXiv:2210.03629](https://arxiv.org/abs/2205.12255)\n"
    root = vault_dir({"n.md": note})
    finding = only(lint(root, "VL303"))
    assert finding.fix.title == "Make the link URL say 2210.03629"
    assert "> [arXiv:2210.03629](https://arxiv.org/abs/2210.03629)\n" in fixed(root, finding)


def test_no_fix_when_the_right_id_is_contested(vault_dir):
    note = (
        HEADER + row("TALM", TALM, "2205.12255") + row("ReAct", REACT, "2205.12255")
        + f"\n#### {REACT}\n\n> [!info]\n> [arXiv:2205.12255](https://arxiv.org/abs/2210.03629)\n"
    )
    finding = only(lint(vault_dir({"n.md": note}), "VL303"))
    assert finding.fix is None
    assert "the paper's other claims (index row line 4) say 2205.12255" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "[arXiv:2302.04761v2](https://arxiv.org/abs/2302.04761v1)",  # versions of one paper
        "[arXiv:2302.04761](https://arxiv.org/pdf/2302.04761.pdf)",
        "[ReAct](https://arxiv.org/abs/2210.03629)",  # a name, not an ID
        "[2302.04761](https://github.com/lucidrains/toolformer-pytorch)",  # bare number, not an arXiv link
        "`[arXiv:2302.04761](https://arxiv.org/abs/2302.04716)`",
        "```\n[arXiv:2302.04761](https://arxiv.org/abs/2302.04716)\n```",
        "%% [arXiv:2302.04761](https://arxiv.org/abs/2302.04716) %%",
    ],
)
def test_not_reported(vault_dir, text):
    assert lint(vault_dir({"n.md": text + "\n"}), "VL303") == []


def test_fix_loop_settles(vault_dir, fix_loop):
    note = HEADER + row("ReAct", REACT, "2210.03629") + "\n" + card(REACT, "2210.03629", "x").replace("abs/2210.03629", "abs/2205.12255")
    first, second = fix_loop(vault_dir({"n.md": note}), None, unsafe=False)
    assert first.applied == 1
    assert second.remaining == [] and second.fixed == {}
