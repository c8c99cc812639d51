"""VL302 arxiv-id-shared: one arXiv ID, several papers."""

from __future__ import annotations

import pytest

from arxiv_fixtures import PAL, REACT, TALM, agents_vault, card, citing_vault, row
from conftest import lint
from vaultlint.diagnostics import Severity

HEADER = "| Name | Paper | Venue | Link |\n| ---- | ----- | ----- | ---- |\n"


def only(findings):
    assert len(findings) == 1, [(f.code, f.path, f.line, f.message) for f in findings]
    return findings[0]


def test_copied_id_is_reported_once_at_the_paper_with_contrary_evidence(vault_dir):
    finding = only(lint(vault_dir(agents_vault()), "VL302"))
    assert (finding.code, finding.rule, finding.severity) == ("VL302", "arxiv-id-shared", Severity.ERROR)
    assert (finding.path, finding.line) == ("Papers/Agents.md", 10)
    assert finding.fix is None
    assert finding.message == (
        "arXiv 2205.12255 is claimed by 2 different papers: 'ReAct' (index row line 10, section line 25) and "
        "'TALM' (index row line 9, section line 17); evidence: in 'ReAct', the embedded file "
        "2210.03629_Page_02.png (line 33) names 2210.03629; no offline fix: each paper claims only 2205.12255; "
        "run with --online to check the titles on arXiv"
    )


def test_without_evidence_the_later_record_is_the_suspect(vault_dir):
    files = {
        "a.md": card(TALM, "2205.12255", "First."),
        "b.md": card(REACT, "2205.12255", "Second."),
        "c.md": card(PAL, "2205.12255", "Third."),
    }
    finding = only(lint(vault_dir(files), "VL302"))
    assert (finding.path, finding.line) == ("c.md", 4)
    assert finding.message.startswith(
        "arXiv 2205.12255 is claimed by 3 different papers: 'PAL' (section line 1) and 'TALM' (section a.md:1) "
        "and 'ReAct' (section b.md:1); no offline fix"
    )


def test_a_paper_that_also_has_its_own_id_is_left_to_vl301(vault_dir):
    # LLM-Pruner shares CRITIC's ID but also has its own: one disagreement, reported by VL301.
    findings = lint(vault_dir(agents_vault()), None)
    assert sorted(f.code for f in findings if f.code.startswith("VL3")) == ["VL301", "VL302"]


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(citing_vault(20), id="twenty-citing-notes"),
        pytest.param(
            {
                "a.md": HEADER + row("ReAct", REACT, "2210.03629") + "\n" + card(REACT, "2210.03629", "Notes."),
                "b.md": "| Paper | Link |\n| --- | --- |\n| ReAct | [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) |\n",
                "c.md": "| Model | arXiv |\n| --- | --- |\n| ReAct (Yao et al.) | 2210.03629 |\n",
            },
            id="same-paper-under-compatible-titles",
        ),
        pytest.param(
            {"a.md": card(REACT, "2210.03629", "Notes."), "b.md": card(REACT, "2210.03629", "The same paper, noted twice.")},
            id="same-section-in-two-notes",
        ),
        pytest.param(
            {"n.md": card(REACT, "2210.03629", "Compare TALM:\n\n[arXiv:2205.12255](https://arxiv.org/abs/2205.12255) was earlier.") + card(TALM, "2205.12255", "Notes.")},
            id="id-cited-in-a-sentence-of-another-paper",
        ),
    ],
)
def test_not_reported(vault_dir, files):
    assert lint(vault_dir(files), "VL302") == []
