"""VL301 arxiv-id-conflict: one paper, several arXiv IDs."""

from __future__ import annotations

import pytest

from arxiv_fixtures import CRITIC, PAL, PRUNER, REACT, TALM, agents_vault, anchor, card, citing_vault, row
from conftest import lint
from vaultlint.diagnostics import Applicability, Severity

HEADER = "| Name | Paper | Venue | Link |\n| ---- | ----- | ----- | ---- |\n"


def only(findings):
    assert len(findings) == 1, [(f.code, f.path, f.line, f.message) for f in findings]
    return findings[0]


def test_callout_with_another_papers_id_is_fixed_to_the_rows_own_id(vault_dir, fixed):
    root = vault_dir(agents_vault())
    finding = only(lint(root, "VL301"))
    assert (finding.code, finding.rule, finding.severity) == ("VL301", "arxiv-id-conflict", Severity.ERROR)
    assert (finding.path, finding.line, finding.column, finding.end_column) == ("Papers/Agents.md", 55, 10, 20)
    assert finding.message == (
        "'LLM-Pruner' is given 2 arXiv IDs: 2305.11627 (index row line 13); 2305.11738 (callout line 55); "
        "2305.11738 is the ID of 'CRITIC' (index row line 12, section line 42)"
    )
    assert finding.fix.applicability is Applicability.SAFE
    assert finding.fix.title == "Use 2305.11627, the ID no other paper claims"
    after = fixed(root, finding)
    assert "> [arXiv:2305.11627](https://arxiv.org/abs/2305.11627) [cs.CL]\n\nRemoves coupled" in after
    assert after.count("2305.11738") == 5  # CRITIC's row and callout (text and URL) and page image stay


def test_fix_loop_settles(vault_dir, fix_loop):
    root = vault_dir(agents_vault())
    first, second = fix_loop(root, "VL301", unsafe=False)
    assert first.applied == 1 and list(first.fixed) == ["Papers/Agents.md"]
    assert second.remaining == [] and second.fixed == {}


def test_claims_in_other_notes_are_fixed_note_by_note(vault_dir, fixed):
    files = {
        "Index.md": HEADER + row("CRITIC", CRITIC, "2305.11738") + f"| LLM-Pruner | [[Compression#{PRUNER.replace(':', '')}\\|LLM-Pruner]] | | [arXiv:2305.11738](https://arxiv.org/abs/2305.11738) |\n",
        "Tables/Reading list.md": "| Paper | arXiv |\n| --- | --- |\n| LLM-Pruner: On the Structural Pruning of Large Language Models | 2305.11738v1 |\n",
        "Compression.md": card(PRUNER, "2305.11627", "Pruning.") + card("A second pruning paper: with details", "2305.11111", "Other."),
    }
    root = vault_dir(files)
    findings = lint(root, "VL301")
    assert [(f.path, f.line) for f in findings] == [("Index.md", 4), ("Tables/Reading list.md", 3)]
    assert all(f.fix.applicability is Applicability.SAFE for f in findings)
    assert "| [arXiv:2305.11627](https://arxiv.org/abs/2305.11627) |" in fixed(root, findings[0])
    assert "| 2305.11627 |" in fixed(root, findings[1])  # the version of another paper's ID is dropped
    assert "2305.11738 (index row line 4, index row Tables/Reading list.md:3)" in findings[0].message


def test_majority_gives_an_unsafe_fix(vault_dir, fixed):
    note = (
        HEADER + row("PAL", PAL, "2211.10435") + "\n"
        + f"#### {PAL}\n\n> [!info]\n> [arXiv:2211.10435](https://arxiv.org/abs/2211.10435)\n\n"
        + "Paper: [arXiv:2211.10453](https://arxiv.org/abs/2211.10453)\n"
    )
    root = vault_dir({"n.md": note})
    finding = only(lint(root, "VL301"))
    assert finding.line == 10
    assert finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.title == "Use 2211.10435 (2211.10435 is stated 2 times, the others once)"
    assert "Paper: [arXiv:2211.10435](https://arxiv.org/abs/2211.10435)\n" in fixed(root, finding)


def test_two_uncontested_ids_have_no_offline_fix(vault_dir):
    note = HEADER + row("PAL", PAL, "2211.10435") + "\n" + card(PAL, "2211.10534", "Notes.", "> ![[2211.10435_Page_01.png]]\n")
    root = vault_dir({"n.md": note, "2211.10435_Page_01.png": b"\x89PNG"})
    finding = only(lint(root, "VL301"))
    assert finding.fix is None
    assert (finding.line, finding.column) == (8, 10)
    assert finding.message == (
        "'PAL' is given 2 arXiv IDs: 2211.10435 (index row line 3); 2211.10534 (callout line 8); "
        "the embedded file 2211.10435_Page_01.png (line 9) names 2211.10435; "
        "no offline fix: nothing shows which ID is right; run with --online to check them against arXiv"
    )


def test_no_offline_fix_when_the_other_id_is_not_owned(vault_dir):
    # 2305.11738 is claimed by two other papers: no paper owns it, so the fix is not certain.
    note = (
        HEADER + row("CRITIC", CRITIC, "2305.11738") + row("Other", "Some other paper on critics", "2305.11738")
        + row("LLM-Pruner", PRUNER, "2305.11627") + "\n" + card(PRUNER, "2305.11738", "Notes.")
    )
    root = vault_dir({"n.md": note})
    finding = only(lint(root, "VL301"))
    assert finding.fix is None
    assert "2305.11738 is also claimed by 'CRITIC' (index row line 3)" in finding.message
    assert "2305.11738 is also claimed by 'Some other paper on critics' (index row line 4)" in finding.message


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(citing_vault(20), id="twenty-citing-notes"),
        pytest.param(
            {
                "a.md": HEADER + row("ReAct", REACT, "2210.03629") + "\n" + card(REACT, "2210.03629v3", "Notes."),
                "b.md": "| Paper | Link |\n| --- | --- |\n" + f"| [[a#{REACT.replace(':', '')}\\|ReAct]] | [PDF](https://arxiv.org/pdf/2210.03629v1.pdf) |\n",
            },
            id="same-paper-two-tables-versions-pdf",
        ),
        pytest.param({"n.md": HEADER + f"| TALM | [{TALM}]({anchor(TALM)}) | | |\n\n#### {TALM}\n\nNo link.\n"}, id="no-id"),
        pytest.param(
            {"n.md": card(REACT, "2210.03629", "It improves on TALM ([arXiv:2205.12255](https://arxiv.org/abs/2205.12255)) and\n[Toolformer](https://arxiv.org/abs/2302.04761).")},
            id="citations-in-a-paper-section",
        ),
        pytest.param(
            {"n.md": card(REACT, "2210.03629", "```\n[arXiv:2205.12255](https://arxiv.org/abs/2205.12255)\n```\n\n`arXiv:2205.12255`")},
            id="ids-in-code",
        ),
        pytest.param({"n.md": card(REACT, "2210.03629", "%% old: [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) %%")}, id="comment"),
        pytest.param({"n.md": HEADER + row("ReAct", REACT, "2210.03629") + "\n" + f"#### {REACT}\n\n> [!info]\n> [arXiv:2210.03629](https://arxiv.org/abs/2205.12255)\n"}, id="mismatch-is-vl303s"),
        pytest.param({"n.md": HEADER + row("ReAct", REACT, "2210.03629") + "\n" + card(REACT, "2210.3629", "Typo.")}, id="malformed-is-vl304s"),
    ],
)
def test_not_reported(vault_dir, files):
    assert lint(vault_dir(files), "VL301") == []
