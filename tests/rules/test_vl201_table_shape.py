"""VL201 table-shape: ragged rows, empty rows, malformed delimiter rows."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability


def only(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


UNALIGNED = "| Name | Paper | Repository |\n| --- | --- | --- |\n"
ALIGNED = "| Name  | Paper | Repository |\n| ----- | ----- | ---------- |\n"


def test_short_row_in_unaligned_table_gets_unpadded_empty_cells(vault_dir, fixed):
    root = vault_dir({"n.md": "# T\n\n" + UNALIGNED + "| ReAct | Reasoning and acting |\n| PAL | Programs | [pal](https://x.org/pal) |\n"})
    finding = only(lint(root, "VL201"))
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (5, 1, 5, 33)
    assert finding.message == "table row has 2 cells but the header has 3"
    assert finding.fix.applicability is Applicability.SAFE and finding.fix.title == "Add 1 empty cell"
    assert fixed(root, finding).splitlines()[4] == "| ReAct | Reasoning and acting |  |"


def test_short_row_in_aligned_table_gets_padded_cells(vault_dir, fixed):
    root = vault_dir({"n.md": ALIGNED + "| TALM  |\n| PAL   | Prog  | x          |\n"})
    finding = only(lint(root, "VL201"))
    assert finding.message == "table row has 1 cell but the header has 3"
    assert finding.fix.title == "Add 2 empty cells"
    assert fixed(root, finding).splitlines()[2] == "| TALM  |       |            |"


def test_header_alone_lining_up_does_not_make_a_table_padded(vault_dir, fixed):
    root = vault_dir({"n.md": ALIGNED + "| TALM |\n| PAL | Prog | x |\n"})
    finding = only(lint(root, "VL201"))
    assert fixed(root, finding).splitlines()[2] == "| TALM |  |  |"


def test_short_row_without_trailing_pipe(vault_dir, fixed):
    root = vault_dir({"n.md": "a | b | c\n--|--|--\nx | y\n"})
    finding = only(lint(root, "VL201"))
    assert fixed(root, finding) == "a | b | c\n--|--|--\nx | y |  |\n"


def test_empty_row_is_removed_with_its_line_ending(vault_dir, fixed):
    text = UNALIGNED + "| a | b | c |\n|  |  |  |\n| d | e | f |\n"
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL201"))
    assert (finding.line, finding.column, finding.message) == (4, 1, "table row is empty")
    assert finding.fix.title == "Remove the empty row" and finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == UNALIGNED + "| a | b | c |\n| d | e | f |\n"


def test_empty_last_line_without_newline(vault_dir, fixed):
    root = vault_dir({"n.md": UNALIGNED + "| a | b | c |\n| | |"})
    finding = only(lint(root, "VL201"))
    assert fixed(root, finding) == UNALIGNED + "| a | b | c |"


def test_crlf_table(vault_dir, fixed):
    text = "| A | B |\r\n| - | - |\r\n| x |\r\n|   |   |\r\n| y | z |\r\n"
    root = vault_dir({"n.md": text})
    short, empty = sorted(lint(root, "VL201"), key=lambda f: f.line)
    assert (short.line, short.column, short.end_column) == (3, 1, 6)
    assert fixed(root, short) == "| A | B |\r\n| - | - |\r\n| x |   |\r\n|   |   |\r\n| y | z |\r\n"
    assert fixed(root, empty) == "| A | B |\r\n| - | - |\r\n| x |\r\n| y | z |\r\n"


def test_empty_surplus_cells_are_removed(vault_dir, fixed):
    root = vault_dir({"n.md": UNALIGNED + "| a | b | c |  |   |\n"})
    finding = only(lint(root, "VL201"))
    assert (finding.line, finding.column) == (3, 14)
    assert finding.message == "table row has 5 cells but the header has 3"
    assert finding.fix.title == "Remove the 2 empty surplus cells"
    assert fixed(root, finding) == UNALIGNED + "| a | b | c |\n"


def test_surplus_cells_with_text_get_no_fix(vault_dir):
    root = vault_dir({"n.md": UNALIGNED + "| a | b | c | d |\n"})
    finding = only(lint(root, "VL201"))
    assert finding.fix is None
    assert finding.message == "table row has 4 cells but the header has 3; the surplus cells hold text, so no fix: move it into a column"


def test_table_in_callout_keeps_its_prefix(vault_dir, fixed):
    text = "> [!note]\n> | A | B |\n> | - | - |\n> | x |\n> |  |  |\n"
    root = vault_dir({"n.md": text})
    short, empty = sorted(lint(root, "VL201"), key=lambda f: f.line)
    assert (short.line, short.column) == (4, 3)
    assert fixed(root, short) == "> [!note]\n> | A | B |\n> | - | - |\n> | x |  |\n> |  |  |\n"
    assert fixed(root, empty) == "> [!note]\n> | A | B |\n> | - | - |\n> | x |\n"


def test_delimiter_row_with_too_few_cells(vault_dir, fixed):
    root = vault_dir({"n.md": "| A | B | C |\n| --- |\n| x | y | z |\n"})
    finding = only(lint(root, "VL201"))
    assert (finding.line, finding.message) == (2, "delimiter row has 1 cell but the header has 3; GitHub-flavoured Markdown does not read it as a table")
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(root, finding) == "| A | B | C |\n| --- | --- | --- |\n| x | y | z |\n"


@pytest.mark.parametrize(
    "text",
    [
        "```\n| A | B |\n| - | - |\n| x |\n|  |  |\n```\n",  # a table in a code block is not a table
        "    | A | B |\n    | - | - |\n    | x |\n",  # nor in indented code
        "| A | B |\n| :-- | --: |\n| x | y |\n| `a|b` | $c|d$ |\n",  # pipes in code and math
        "| A | B |\n| - | - |\n| x \\| y | z |\n",  # an escaped pipe does not split
        "| A | B |\n| - | - |\n| [[Note|alias]] | z |\n",  # VL203's business
        "| A | B |\n| - | - |\n| x | y |\n",
        "Text | with | pipes\n",
    ],
)
def test_not_reported(vault_dir, text):
    root = vault_dir({"n.md": text, "Note.md": "# Note\n"})
    assert lint(root, "VL201") == []


def test_fix_loop_is_idempotent_and_touches_only_bad_tables(vault_dir, fix_loop):
    clean = "| Keep  | this |\n|:------|-----:|\n| as    | is   |\n"
    text = clean + "\n" + ALIGNED + "| TALM  |\n|       |       |            |\n| a | b | c |  |\n"
    root = vault_dir({"n.md": text})
    first, second = fix_loop(root, "VL201", unsafe=False)
    assert (root / "n.md").read_text() == clean + "\n" + ALIGNED + "| TALM  |       |            |\n| a | b | c |\n"
    assert second.fixed == {}
    assert lint(root, "VL201") == []


def test_example_vault_table_defects_are_reported_and_fixed(tmp_path, fix_loop):
    import shutil
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "research-vault"
    root = tmp_path / "research-vault"
    shutil.copytree(example, root, ignore=shutil.ignore_patterns(".vaultlint_cache"))
    found = sorted((f.path, f.line, f.column, f.code, f.fix.applicability.name) for code in ("VL201", "VL202", "VL203") for f in lint(root, code))
    note = "Papers/Language models/Multimodal.md"
    assert found == [
        (note, 12, 245, "VL202", "SAFE"),
        (note, 13, 1, "VL201", "SAFE"),
        (note, 14, 1, "VL201", "SAFE"),
        (note, 19, 51, "VL203", "SAFE"),
    ]
    first, second = fix_loop(root, None, unsafe=True)
    assert note in first.fixed and second.fixed == {}
    assert [f for code in ("VL201", "VL202", "VL203") for f in lint(root, code)] == []
    text = (root / note).read_text(encoding="utf-8")
    assert "| LLaVA | [Visual Instruction Tuning](#Visual%20Instruction%20Tuning) | [LLaVA](https://github.com/haotian-liu/LLaVA) |  |\n| Kosmos-2 |" in text
    assert "[blip2](https://github.com/salesforce/LAVIS/tree/main/projects/blip2)" in text
    assert "[[Attention\\|attention]]" in text


def test_consecutive_empty_rows_and_a_final_one_without_newline(vault_dir, fix_loop):
    root = vault_dir({"n.md": UNALIGNED + "| a | b | c |\n|  |  |  |\n| | | |\n|  |  |  |"})
    assert len(lint(root, "VL201")) == 3
    first, second = fix_loop(root, "VL201", unsafe=False)
    assert (root / "n.md").read_text() == UNALIGNED + "| a | b | c |"
    assert second.fixed == {}


def test_dollar_prices_are_not_math_and_their_pipes_split_cells(vault_dir):
    """`$25 | $50` is two prices (a closing `$` is never followed by a digit), not math."""
    text = (
        "| Tier | Once | Monthly | Yearly |\n"
        "| --- | --- | --- | --- |\n"
        "| **Contribution** | **$25** |  **$50**  | **$100** |\n"
    )
    root = vault_dir({"Prices.md": text})
    assert [f for f in lint(root, "VL201") if f.path == "Prices.md"] == []
