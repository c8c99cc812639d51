"""Acceptance: a folder of notes and images is moved outside Obsidian; `vaultlint fix`
restores every link that has exactly one possible target and changes nothing else."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from vaultlint.cli import main

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

VAULT = {
    "Home.md": (
        "# Home\n\n"
        "- [[Papers/Tool use]]\n"
        "- [[Papers/Tool use#ReAct Synergizing Reasoning and Acting|ReAct]]\n"
        "- [Surveys](Papers/Surveys.md#Evaluation)\n"
        "- ![[Attachments/figures/pipeline.png|400]]\n"
        "- [[Elsewhere]] stays unresolved\n"
        "- [[Attention]] resolves by name and is not touched\n"
    ),
    "Concepts/Attention.md": "# Attention\n\n![Heads](../Attachments/figures/heads.png)\n",
    "Papers/Tool use.md": (
        "# Tool use\n\n"
        "#### ReAct: Synergizing Reasoning and Acting\n\n"
        "![Page](../Attachments/figures/2210.03629_Page_02.png)\n"
        "See [[Papers/Surveys#Evaluation]].\n"
    ),
    "Papers/Surveys.md": "# Surveys\n\n## Evaluation\n",
    "Attachments/figures/pipeline.png": PNG,
    "Attachments/figures/heads.png": PNG,
    "Attachments/figures/2210.03629_Page_02.png": PNG,
}


def test_moving_folders_then_fix_restores_unique_links(vault_dir):
    root = vault_dir(VAULT)
    # A folder renamed and moved, as `git mv` or a script would: no path suffix survives.
    (root / "Archive").mkdir()
    shutil.move(str(root / "Papers"), str(root / "Archive" / "2023"))
    (root / "Resources").mkdir()
    shutil.move(str(root / "Attachments"), str(root / "Resources" / "Media"))
    before = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}

    result = CliRunner().invoke(main, ["fix", str(root), "--output-format", "concise"], catch_exceptions=False)

    home = (root / "Home.md").read_text()
    # Bare-name links were never broken; path links are rewritten in their own (path) form.
    assert "- [[Archive/2023/Tool use]]\n" in home
    assert "- [[Archive/2023/Tool use#ReAct Synergizing Reasoning and Acting|ReAct]]\n" in home
    assert "- [Surveys](Archive/2023/Surveys.md#Evaluation)\n" in home
    assert "- ![[Resources/Media/figures/pipeline.png|400]]\n" in home
    assert "- [[Elsewhere]] stays unresolved\n" in home
    assert "- [[Attention]] resolves by name" in home
    attention = (root / "Concepts" / "Attention.md").read_text()
    assert attention == "# Attention\n\n![Heads](../Resources/Media/figures/heads.png)\n"
    tool_use = (root / "Archive" / "2023" / "Tool use.md").read_text()
    assert "![Page](../../Resources/Media/figures/2210.03629_Page_02.png)\n" in tool_use
    assert "See [[Archive/2023/Surveys#Evaluation]].\n" in tool_use

    changed = {path for path, data in before.items() if path.read_bytes() != data}
    assert {p.relative_to(root).as_posix() for p in changed} == {
        "Home.md",
        "Concepts/Attention.md",
        "Archive/2023/Tool use.md",
    }
    # Only the uncreated note is left.
    assert "VL102" in result.output and "VL101" not in result.output and "VL104" not in result.output

    again = CliRunner().invoke(main, ["fix", str(root), "--diff"])
    assert "+++" not in again.output


def test_a_path_suffix_that_still_matches_is_not_broken(vault_dir):
    """Obsidian matches path suffixes: `Papers/Surveys` still finds `Archive/Papers/Surveys.md`."""
    root = vault_dir(VAULT)
    (root / "Archive").mkdir()
    shutil.move(str(root / "Papers"), str(root / "Archive" / "Papers"))
    result = CliRunner().invoke(main, ["check", str(root), "--select", "VL101,VL104", "--output-format", "concise"])
    reported = [line for line in result.output.splitlines() if ": VL" in line]
    # Only the moved note's own `../` image path broke: it now climbs to Archive/Attachments.
    assert len(reported) == 1 and "Archive/Papers/Tool use.md:5:9: VL104" in reported[0], result.output


def test_every_edit_stays_inside_a_link(vault_dir):
    root = vault_dir(VAULT)
    shutil.move(str(root / "Attachments"), str(root / "Media"))
    original = (root / "Concepts" / "Attention.md").read_text()
    CliRunner().invoke(main, ["fix", str(root)])
    fixed = (root / "Concepts" / "Attention.md").read_text()
    prefix = "# Attention\n\n![Heads]("
    assert original.startswith(prefix) and fixed.startswith(prefix)
    assert fixed == prefix + "../Media/figures/heads.png)\n"
