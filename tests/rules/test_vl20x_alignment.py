"""Fixes of VL202, VL203 and VL204 keep a padded table aligned (tables.cell_edits)."""

from __future__ import annotations

from conftest import lint
from vaultlint.fixer import apply_edits

ARXIV = "[arXiv:2211.10435](https://arxiv.org/abs/2211.10435)"
PAL = "PAL: Program-aided Language Models"
PAL_LINK = "[PAL: Program-aided Language Models](#PAL%20Program-aided%20Language%20Models)"
TALM_LINK = "[TALM: Tool Augmented Language Models](#TALM%20Tool%20Augmented%20Language%20Models)"
TALM_ARXIV = "[arXiv:2205.12255](https://arxiv.org/abs/2205.12255)"
HEADER = ("Name", "Paper", "Repository", "Link")


def padded(rows, aligns=None) -> str:
    """A table padded to its widest cells, one space either side; ``aligns`` per column: '', 'l', 'r', 'c'."""
    header, *body = rows
    aligns = aligns or [""] * len(header)
    widths = [max(max(len(row[c]) for row in rows), 3 + (a in "lr" and a != "") + 2 * (a == "c")) for c, a in enumerate(aligns)]

    def line(cells):
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)) + " |\n"

    def marker(align, width):
        left, right = align in ("l", "c"), align in ("r", "c")
        return (":" if left else "") + "-" * (width - left - right) + (":" if right else "")

    delimiter = "| " + " | ".join(marker(a, w) for a, w in zip(aligns, widths)) + " |\n"
    return line(header) + delimiter + "".join(line(row) for row in body)


def section(repository: str, talm: bool = True) -> str:
    text = f"\n#### {PAL}\n\n> [!info]\n> {ARXIV}\n> Repository: {repository}\n"
    return text + ("\n#### TALM: Tool Augmented Language Models\n" if talm else "")


def only(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


def test_vl202_fix_making_a_cell_longer_repads_its_column(vault_dir, fixed):
    talm = ("TALM", TALM_LINK, "[talm](https://x.org/talm)", TALM_ARXIV)
    rows = [HEADER, talm, ("PAL", PAL_LINK, "[pal](https://github.com/a/pal)", ARXIV)]
    new_rows = [HEADER, talm, ("PAL", PAL_LINK, "[pal](https://github.com/reasoning-machines/pal)", ARXIV)]
    aligns = ["l", "", "c", "r"]
    text = padded(rows, aligns) + section("https://github.com/reasoning-machines/pal")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert fixed(root, finding) == padded(new_rows, aligns) + section("https://github.com/reasoning-machines/pal")
    # one edit per cell of the column, and only in the Repository column
    assert len(finding.fix.edits) == 4
    assert ":" + "-" * (len(new_rows[2][2]) - 2) + ":" in fixed(root, finding)


def test_vl202_fix_making_a_cell_shorter_shrinks_its_column_to_the_widest_cell(vault_dir, fixed):
    talm = ("TALM", TALM_LINK, "[talm](https://x.org/talm)", TALM_ARXIV)
    rows = [HEADER, talm, ("PAL", PAL_LINK, "[pal](https://github.com/some-very-long-owner-name/pal)", ARXIV)]
    new_rows = [HEADER, talm, ("PAL", PAL_LINK, "[pal](https://github.com/b/pal)", ARXIV)]
    text = padded(rows) + section("https://github.com/b/pal")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert fixed(root, finding) == padded(new_rows) + section("https://github.com/b/pal")


def test_vl202_fix_that_keeps_the_width_edits_only_its_cell(vault_dir, fixed):
    talm = ("TALM", TALM_LINK, "[talm](https://github.com/long-owner/talm-repo)", TALM_ARXIV)
    rows = [HEADER, talm, ("PAL", PAL_LINK, "[pal](https://github.com/a/pal)", ARXIV)]
    new_rows = [HEADER, talm, ("PAL", PAL_LINK, "[pal](https://github.com/b/pal)", ARXIV)]
    root = vault_dir({"n.md": padded(rows) + section("https://github.com/b/pal")})
    finding = only(lint(root, "VL202"))
    assert len(finding.fix.edits) == 1
    assert fixed(root, finding) == padded(new_rows) + section("https://github.com/b/pal")


def test_vl202_fix_in_an_unaligned_table_changes_only_the_cell(vault_dir, fixed):
    text = (
        "| Name | Paper | Repository | Link |\n|:-----|---|---:|---|\n"
        f"| TALM | {TALM_LINK} | [talm](https://x.org/talm) | {TALM_ARXIV} |\n"
        f"| PAL | {PAL_LINK} | [pal](https://github.com/a/pal) | {ARXIV} |\n"
    ) + section("https://github.com/reasoning-machines/pal")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert fixed(root, finding) == text.replace("github.com/a/pal", "github.com/reasoning-machines/pal")


def test_vl203_escape_in_an_aligned_table_repads_the_column(vault_dir, fixed):
    rows = [("Topic", "Note"), ("Tools", "[[Tool use|Tool-using models]]"), ("Other", "[[Attention]]")]
    new_rows = [("Topic", "Note"), ("Tools", "[[Tool use\\|Tool-using models]]"), ("Other", "[[Attention]]")]
    aligns = ["c", "r"]
    root = vault_dir({"n.md": "# T\n\n" + padded(rows, aligns), "Tool use.md": "", "Attention.md": ""})
    finding = only(lint(root, "VL203"))
    assert fixed(root, finding) == "# T\n\n" + padded(new_rows, aligns)


def test_vl203_escape_in_an_unaligned_table_adds_only_the_backslash(vault_dir, fixed):
    text = "| Topic | Note |\n| --- | --- |\n| Tools | [[Tool use|Tool-using models]] |\n"
    root = vault_dir({"n.md": text, "Tool use.md": ""})
    finding = only(lint(root, "VL203"))
    assert fixed(root, finding) == text.replace("use|", "use\\|")


def test_vl204_appending_a_wider_row_repads_the_table(vault_dir, fixed):
    talm = ("TALM", TALM_LINK, "", TALM_ARXIV)
    pal = ("PAL", PAL_LINK, "[pal](https://github.com/reasoning-machines/pal)", ARXIV)
    sections = (
        "\n### Papers\n\n#### TALM: Tool Augmented Language Models\n\n"
        f"> [!info]\n> {TALM_ARXIV}\n> [#Tool learning](#Tool%20learning)\n"
        f"\n#### {PAL}\n\n> [!info]\n> {ARXIV}\n> [#Tool learning](#Tool%20learning)\n"
        "> Repository: https://github.com/reasoning-machines/pal\n"
    )
    aligns = ["", "l", "", "r"]
    root = vault_dir({"n.md": "### Tool learning\n\n" + padded([HEADER, talm], aligns) + sections})
    finding = only(lint(root, "VL204"))
    assert fixed(root, finding) == "### Tool learning\n\n" + padded([HEADER, talm, pal], aligns) + sections


def test_two_fixes_in_one_aligned_table_settle(vault_dir, fix_loop):
    rows = [
        HEADER,
        ("TALM", TALM_LINK, "[talm](https://github.com/o/talm)", TALM_ARXIV),
        ("PAL", PAL_LINK, "[pal](https://github.com/a/pal)", ARXIV),
    ]
    new_rows = [
        HEADER,
        ("TALM", TALM_LINK, "[talm](https://github.com/new-and-longer-owner/talm)", TALM_ARXIV),
        ("PAL", PAL_LINK, "[pal](https://github.com/reasoning-machines/pal)", ARXIV),
    ]
    talm_section = (
        "\n#### TALM: Tool Augmented Language Models\n\n> [!info]\n"
        f"> {TALM_ARXIV}\n> Repository: https://github.com/new-and-longer-owner/talm\n"
    )
    tail = section("https://github.com/reasoning-machines/pal", talm=False) + talm_section
    root = vault_dir({"n.md": padded(rows) + tail})
    assert len(lint(root, "VL202")) == 2
    first, second = fix_loop(root, None, unsafe=False)
    assert (root / "n.md").read_text() == padded(new_rows) + tail
    assert second.fixed == {}
    assert lint(root, "VL202") == []


def test_apply_edits_of_a_repadding_fix_do_not_overlap(vault_dir):
    rows = [HEADER, ("PAL", PAL_LINK, "[pal](https://github.com/a/pal)", ARXIV)]
    root = vault_dir({"n.md": padded(rows) + section("https://github.com/reasoning-machines/pal")})
    finding = only(lint(root, "VL202"))
    edits = sorted(finding.fix.edits)
    assert all(a.span.end <= b.span.start for a, b in zip(edits, edits[1:]))
    assert apply_edits((root / "n.md").read_text(), edits).count("\n") == (root / "n.md").read_text().count("\n")


def test_repadding_keeps_the_fix_safety_properties(vault_dir):
    from fixcheck import fix_and_check

    rows = [
        HEADER,
        ("TALM", TALM_LINK, "[talm](https://github.com/o/talm)", TALM_ARXIV),
        ("PAL", PAL_LINK, "[pal](https://github.com/a/pal)", ARXIV),
    ]
    root = vault_dir({"n.md": padded(rows, ["l", "", "c", "r"]) + section("https://github.com/reasoning-machines/pal")})
    outcome = fix_and_check(root, unsafe=True)
    assert outcome.applied >= 1
