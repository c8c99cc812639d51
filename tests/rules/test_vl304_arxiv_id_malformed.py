"""VL304 arxiv-id-malformed: IDs that cannot exist."""

from __future__ import annotations

import pytest

from arxiv_fixtures import REACT, card, row
from conftest import lint
from vaultlint.diagnostics import Applicability, Severity

HEADER = "| Name | Paper | Venue | Link |\n| ---- | ----- | ----- | ---- |\n"


@pytest.mark.parametrize(
    ("text", "raw", "why"),
    [
        ("[arXiv:2213.12345](https://arxiv.org/abs/2213.12345)", "2213.12345", "month 13 does not exist"),
        ("[link](https://arxiv.org/abs/2205.1225)", "2205.1225", "4-digit number; identifiers of 2022-05 have 5"),
        ("[paper](https://arxiv.org/pdf/1412.12345)", "1412.12345", "5-digit number; identifiers of 2014-12 have 4"),
        ("[arXiv:2205.12255v0](https://arxiv.org/abs/2205.12255v0)", "2205.12255v0", "versions start at v1"),
        ("[old](https://arxiv.org/abs/foo-th/9901001)", "foo-th/9901001", "unknown archive 'foo-th'"),
        ("[arXiv:2205.00000](https://example.org)", "2205.00000", "the number is all zeros"),
    ],
)
def test_malformed_ids_anywhere_are_reported(vault_dir, text, raw, why):
    findings = lint(vault_dir({"n.md": f"See {text}.\n"}), "VL304")
    assert findings, text
    assert {f.message.split(":")[0] for f in findings} == {f"malformed arXiv ID {raw}"}
    assert all(why in f.message for f in findings)
    assert all(f.severity is Severity.ERROR for f in findings)


def test_text_half_is_fixed_from_the_url_unsafely(vault_dir, fixed):
    root = vault_dir({"n.md": "Older: [arXiv:1706.3762](https://arxiv.org/abs/1706.03762).\n"})
    [finding] = lint(root, "VL304")
    assert (finding.line, finding.column, finding.end_column) == (1, 15, 24)
    assert finding.fix.applicability is Applicability.UNSAFE
    assert finding.message == (
        "malformed arXiv ID 1706.3762: 4-digit number; identifiers of 2017-06 have 5 (from 2015: YYMM.NNNNN); "
        "the link's URL says 1706.03762"
    )
    assert fixed(root, finding) == "Older: [arXiv:1706.03762](https://arxiv.org/abs/1706.03762).\n"


def test_paper_claim_is_fixed_from_the_papers_other_claims_safely(vault_dir, fixed):
    note = HEADER + row("ReAct", REACT, "2210.03629") + "\n" + card(REACT, "2210.3629", "Notes.")
    root = vault_dir({"n.md": note})
    findings = lint(root, "VL304")
    assert [(f.line, f.fix.applicability) for f in findings] == [(8, Applicability.SAFE), (8, Applicability.SAFE)]
    assert findings[0].message.endswith("; the paper's other claims say 2210.03629")
    text = fixed(root, findings[0])
    assert "> [arXiv:2210.03629](https://arxiv.org/abs/2210.3629)" in text


def test_bare_ids_in_id_columns_are_checked(vault_dir):
    note = "| Paper | arXiv |\n| --- | --- |\n| Some paper with a long title | 2313.01234 |\n"
    [finding] = lint(vault_dir({"n.md": note}), "VL304")
    assert (finding.line, finding.column) == (3, 34)
    assert finding.fix is None


@pytest.mark.parametrize(
    "text",
    [
        "Version 2023.1234 of the library, table 1412.12345.",  # not where an ID is meant
        "![[2213.12345_Page_01.png]]",  # file names are not checked
        "`arXiv:2213.12345`",
        "```\narXiv:2213.12345 [arXiv:2213.12345](https://arxiv.org/abs/2213.12345)\n```",
        "%% [arXiv:2213.12345](https://arxiv.org/abs/2213.12345) %%",
        "[arXiv:2205.12255](https://arxiv.org/abs/2205.12255) [hep-th/9901001](https://arxiv.org/abs/hep-th/9901001)",
    ],
)
def test_not_reported(vault_dir, text):
    files = {"n.md": text + "\n", "2213.12345_Page_01.png": b"\x89PNG"}
    assert lint(vault_dir(files), "VL304") == []
