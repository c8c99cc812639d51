"""VL204 missing-index-row: a paper section filed under a category whose index table lacks its row."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability

HEAD = "| Name | Paper | Repository | Link |\n| ---- | ----- | ---------- | ---- |\n"
TALM_ROW = "| TALM | [TALM: Tool Augmented Language Models](#TALM%20Tool%20Augmented%20Language%20Models) |  | [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) |\n"
PAL_ROW = "| PAL | [PAL: Program-aided Language Models](#PAL%20Program-aided%20Language%20Models) | [pal](https://github.com/reasoning-machines/pal) | [arXiv:2211.10435](https://arxiv.org/abs/2211.10435) |\n"
CATEGORY = "[#Tool learning](#Tool%20learning)"


def sections(category: str = CATEGORY, extra: str = "") -> str:
    return (
        "### Papers\n\n"
        "#### TALM: Tool Augmented Language Models\n\n"
        f"> [!info]\n> [arXiv:2205.12255](https://arxiv.org/abs/2205.12255)\n> {CATEGORY}\n\n"
        "#### PAL: Program-aided Language Models\n\n"
        f"> [!info]\n> [arXiv:2211.10435](https://arxiv.org/abs/2211.10435)\n> {category}\n"
        f"> Repository: https://github.com/reasoning-machines/pal\n{extra}"
    )


def note(rows: str = TALM_ROW, category: str = CATEGORY, head: str = HEAD) -> str:
    return "### Tool learning\n\n" + head + rows + "\n" + sections(category)


def only(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


def test_missing_row_is_reported_on_the_section_heading(vault_dir, fixed):
    text = note()
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL204"))
    assert (finding.line, finding.column, finding.end_column) == (15, 6, 40)
    assert finding.message == (
        "section 'PAL: Program-aided Language Models' is filed under 'Tool learning' (line 1) "
        "but the index table there (line 3) has no row for it"
    )
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(root, finding) == text.replace(TALM_ROW, TALM_ROW + PAL_ROW)


def test_wikilink_category(vault_dir, fixed):
    text = note(category="[[#Tool learning]]")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL204"))
    assert finding.line == 15
    assert fixed(root, finding) == text.replace(TALM_ROW, TALM_ROW + PAL_ROW)


def test_table_without_rows_and_column_order(vault_dir, fixed):
    head = "| Link | Title | Notes | Code |\n|:---|:---:|---|---:|\n"
    text = "### Tool learning\n\n" + head + "\n" + sections()
    root = vault_dir({"n.md": text})
    findings = lint(root, "VL204")
    assert [f.line for f in findings] == [8, 14]
    pal = findings[1]
    row = (
        "| [arXiv:2211.10435](https://arxiv.org/abs/2211.10435) "
        "| [PAL: Program-aided Language Models](#PAL%20Program-aided%20Language%20Models) |  "
        "| [pal](https://github.com/reasoning-machines/pal) |\n"
    )
    assert fixed(root, pal) == text.replace(head, head + row)


def test_padded_table_stays_padded(vault_dir, fixed):
    widths = (8, 90, 52, 56)

    def line(cells):
        return "|" + "|".join(" " + cell.ljust(width - 2) + " " for cell, width in zip(cells, widths)) + "|\n"

    head = line(["Name", "Paper", "Repository", "Link"]) + line(["-" * (w - 2) for w in widths])
    talm = line(["TALM", "[TALM](#TALM%20Tool%20Augmented%20Language%20Models)", "", "[arXiv:2205.12255](https://arxiv.org/abs/2205.12255)"])
    text = note(rows=talm, head=head)
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL204"))
    pal = line([
        "PAL",
        "[PAL: Program-aided Language Models](#PAL%20Program-aided%20Language%20Models)",
        "[pal](https://github.com/reasoning-machines/pal)",
        "[arXiv:2211.10435](https://arxiv.org/abs/2211.10435)",
    ])
    assert fixed(root, finding) == text.replace(talm, talm + pal)


def test_table_in_a_callout_keeps_the_prefix_and_crlf(vault_dir, fixed):
    quoted = "".join("> " + line + "\n" for line in (HEAD + TALM_ROW).splitlines())
    text = ("### Tool learning\n\n" + quoted + "\n" + sections()).replace("\n", "\r\n")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL204"))
    assert fixed(root, finding) == text.replace(TALM_ROW.rstrip("\n") + "\r\n", TALM_ROW.rstrip("\n") + "\r\n> " + PAL_ROW.rstrip("\n") + "\r\n")


def test_table_on_the_last_line_without_a_newline(vault_dir, fixed):
    text = sections().replace("### Papers", "## Papers") + "\n### Tool learning\n\n" + HEAD + TALM_ROW.rstrip("\n")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL204"))
    assert fixed(root, finding) == text + "\n" + PAL_ROW.rstrip("\n")


def test_title_without_colon_leaves_the_name_empty(vault_dir, fixed):
    text = note().replace("PAL: Program-aided Language Models", "Program-aided Language Models")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL204"))
    assert "\n|  | [Program-aided Language Models](#Program-aided%20Language%20Models) | [pal]" in fixed(root, finding)


@pytest.mark.parametrize(
    "text",
    [
        note(rows=TALM_ROW + PAL_ROW),  # listed, by link
        note(rows=TALM_ROW + "| PAL | PAL: Program-aided Language Models |  | arXiv:2211.10435 |\n"),  # listed, by title
        note(category="Tags: none"),  # no category link
        note(category="[[Other#Tool learning]]"),  # a heading of another note
        note(category="[#Tool learning](Other.md#Tool%20learning)"),
        note(category="[#Papers](#Papers)"),  # category heading with no index table under it
        note(category="[#TALM](#TALM%20Tool%20Augmented%20Language%20Models)"),  # another paper, not a category
        note(category="[#Missing](#Missing)"),  # resolves to no heading
        # the table sits under a sibling heading, not under the category
        "### Tool learning\n\n### Other\n\n" + HEAD + TALM_ROW + "\n" + sections(),
        # the section is inside a code block
        "### Tool learning\n\n" + HEAD + TALM_ROW + "\n```markdown\n" + sections() + "```\n",
        # a table that indexes nothing
        "### Tool learning\n\n| Tool | Repository |\n| --- | --- |\n| pal | https://github.com/a/pal |\n\n" + sections(),
    ],
)
def test_not_reported(vault_dir, text):
    other = "### Tool learning\n\n" + HEAD
    assert lint(vault_dir({"n.md": text, "Other.md": other}), "VL204") == []


def test_fix_loop_is_idempotent(vault_dir, fix_loop):
    root = vault_dir({"n.md": note()})
    first, second = fix_loop(root, "VL204", unsafe=True)
    assert (root / "n.md").read_bytes().decode() == note(rows=TALM_ROW + PAL_ROW)
    assert first.fixed and second.fixed == {}
    safe_only, _ = fix_loop(vault_dir({"n.md": note()}), "VL204", unsafe=False)
    assert safe_only.fixed == {}


def test_two_missing_rows_in_one_table_converge(vault_dir, fix_loop):
    text = note(rows="")
    root = vault_dir({"n.md": text})
    first, second = fix_loop(root, "VL204", unsafe=True)
    result = (root / "n.md").read_bytes().decode()
    assert TALM_ROW in result and PAL_ROW in result
    assert result.index(HEAD) + len(HEAD) in (result.index(TALM_ROW), result.index(PAL_ROW))
    assert lint(root, "VL204") == []
    assert second.fixed == {}
