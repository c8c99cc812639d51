"""VL202 stale-index-row: an index row disagreeing with the section it links to."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability
from vaultlint.rules.stale_index_row import normalise_url

HEAD = "| Name | Paper | Repository | Link |\n| ---- | ----- | ---------- | ---- |\n"
PAL = "PAL: Program-aided Language Models"
PAL_LINK = "[PAL: Program-aided Language Models](#PAL%20Program-aided%20Language%20Models)"
ARXIV = "[arXiv:2211.10435](https://arxiv.org/abs/2211.10435)"


def note(repository_cell: str, repository_line: str, title_link: str = PAL_LINK) -> str:
    return (
        HEAD
        + f"| PAL | {title_link} | {repository_cell} | {ARXIV} |\n"
        + f"\n#### {PAL}\n\n> [!info]\n> {ARXIV} [cs.CL]\n> Repository: {repository_line}\n"
    )


def only(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


def test_link_text_derived_from_url_is_derived_again(vault_dir, fixed):
    text = note("[pal](https://github.com/old-owner/pal)", "https://github.com/reasoning-machines/pal")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert (finding.line, finding.column, finding.end_column) == (3, 90, 129)
    assert finding.message == (
        "repository cell '[pal](https://github.com/old-owner/pal)' disagrees with the Repository: line of the section "
        "it links to, 'https://github.com/reasoning-machines/pal' (line 5)"
    )
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == text.replace("old-owner/pal", "reasoning-machines/pal")


def test_new_url_without_a_path_gives_an_unsafe_host_text(vault_dir, fixed):
    text = note("[pal](https://github.com/reasoning-machines/pal)", "http://reasonwithpal.com/")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert finding.fix.applicability is Applicability.UNSAFE
    assert "| [reasonwithpal.com](http://reasonwithpal.com/) |" in fixed(root, finding)


def test_author_chosen_text_is_kept_by_an_unsafe_fix(vault_dir, fixed):
    text = note("[code](https://github.com/a/b)", "https://github.com/c/d")
    finding = only(lint(vault_dir({"n.md": text}), "VL202"))
    assert finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.edits[0].replacement == "[code](https://github.com/c/d)"


@pytest.mark.parametrize(
    ("cell", "replacement"),
    [
        ("https://github.com/a/b", "https://github.com/c/d"),
        ("<https://github.com/a/b>", "<https://github.com/c/d>"),
        ("[https://github.com/a/b](https://github.com/a/b)", "[https://github.com/c/d](https://github.com/c/d)"),
    ],
)
def test_plain_cells_are_replaced_safely(vault_dir, cell, replacement):
    finding = only(lint(vault_dir({"n.md": note(cell, "https://github.com/c/d")}), "VL202"))
    assert finding.fix.applicability is Applicability.SAFE
    assert finding.fix.edits[0].replacement == replacement


def test_section_value_that_is_not_one_url_gets_no_fix(vault_dir):
    text = note("https://github.com/a/b", "[b](https://github.com/c/d) (mirror)")
    finding = only(lint(vault_dir({"n.md": text}), "VL202"))
    assert finding.fix is None


def test_section_in_another_note(vault_dir, fixed):
    index = HEAD + f"| PAL | [[Papers#{PAL}\\|{PAL}]] | [pal](https://github.com/old/pal) | {ARXIV} |\n"
    papers = f"# Papers\n\n#### {PAL}\n\n> [!info]\n> {ARXIV}\n> Repository: https://github.com/new/pal\n"
    root = vault_dir({"Index.md": index, "Papers.md": papers})
    finding = only(lint(root, "VL202"))
    assert finding.path == "Index.md"
    assert finding.message.endswith("'https://github.com/new/pal' (Papers.md:3)")
    assert "[pal](https://github.com/new/pal)" in fixed(root, finding)


def test_stale_title_gets_an_unsafe_fix(vault_dir, fixed):
    text = note("", "https://github.com/x/pal", title_link="[#ReAct Synergizing Reasoning and Acting](#PAL%20Program-aided%20Language%20Models)")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert (finding.line, finding.column) == (3, 10)
    assert finding.message == "index row title '#ReAct Synergizing Reasoning and Acting' disagrees with the heading it links to, 'PAL: Program-aided Language Models' (line 5)"
    assert finding.fix.applicability is Applicability.UNSAFE
    assert f"| [#{PAL}](#PAL%20Program-aided%20Language%20Models) |" in fixed(root, finding)


@pytest.mark.parametrize(
    ("cell", "line", "title"),
    [
        ("[pal](https://github.com/reasoning-machines/pal)", "https://github.com/reasoning-machines/pal", PAL_LINK),
        ("[pal](http://www.GitHub.com/reasoning-machines/pal/)", "https://github.com/reasoning-machines/pal", PAL_LINK),
        ("https://github.com/reasoning-machines/pal.git", "https://github.com/reasoning-machines/pal", PAL_LINK),
        ("", "https://github.com/reasoning-machines/pal", PAL_LINK),  # empty cell: missing, not stale
        ("[pal](https://github.com/a/pal)", "see the paper", PAL_LINK),  # no URL in the section
        # title after heading normalisation, with a leading `#`, and a short form
        ("", "x", "[#PAL Program-aided Language Models](#PAL%20Program-aided%20Language%20Models)"),
        ("", "x", "[PAL](#PAL%20Program-aided%20Language%20Models)"),
        ("", "x", "[PAL: Program-aided LMs](#PAL%20Program-aided%20Language%20Models)"),
        # a row linking to an external page indexes nothing
        ("[pal](https://github.com/a/pal)", "https://github.com/b/pal", "[PAL: Program-aided Language Models](https://example.org/pal)"),
    ],
)
def test_agreeing_or_unrelated_rows_are_not_reported(vault_dir, cell, line, title):
    assert lint(vault_dir({"n.md": note(cell, line, title)}), "VL202") == []


def test_table_that_indexes_nothing(vault_dir):
    text = "| Tool | Repository |\n| --- | --- |\n| pal | https://github.com/a/pal |\n\n#### pal\n\n> [!info]\n> Repository: https://github.com/b/pal\n"
    assert lint(vault_dir({"n.md": text}), "VL202") == []


def test_arxiv_disagreement_is_left_to_the_arxiv_rules(vault_dir):
    text = note("[pal](https://github.com/x/pal)", "https://github.com/x/pal").replace("> [arXiv:2211.10435](https://arxiv.org/abs/2211.10435) [cs.CL]", "> [arXiv:2211.99999](https://arxiv.org/abs/2211.99999) [cs.CL]")
    assert lint(vault_dir({"n.md": text}), "VL202") == []


def test_seed_like_index_lights_up_only_on_real_disagreements(vault_dir):
    papers = [
        ("TALM", "TALM: Tool Augmented Language Models", "", "", "2205.12255"),
        ("ReAct", "ReAct: Synergizing Reasoning and Acting in Language Models", "[ReAct](https://react-lm.github.io/)", "https://react-lm.github.io/", "2210.03629"),
        ("PAL", PAL, "[pal](https://github.com/reasoning-machines/pal)", "http://reasonwithpal.com/", "2211.10435"),
        ("Toolformer", "Toolformer: Language Models Can Teach Themselves to Use Tools", "[toolformer-pytorch](https://github.com/lucidrains/toolformer-pytorch)", "https://github.com/lucidrains/toolformer-pytorch", "2302.04761"),
        ("CRITIC", "CRITIC: Large Language Models Can Self-Correct with Tool-Interactive Critiquing", "[CRITIC](https://github.com/microsoft/ProphetNet/tree/master/CRITIC)", "https://github.com/microsoft/ProphetNet/tree/master/CRITIC", "2305.11738"),
    ]
    rows, sections = "", ""
    for name, title, cell, repo, arxiv in papers:
        plain = title.replace(":", "")
        rows += f"| {name} | [#{plain}](#{plain.replace(' ', '%20')}) | arXiv preprint | {cell} | [arXiv:{arxiv}](https://arxiv.org/abs/{arxiv}) |\n"
        sections += f"\n#### {title}\n\n> [!info]\n> [arXiv:{arxiv}](https://arxiv.org/abs/{arxiv}) [cs.CL]\n"
        sections += f"> \n> Repository: {repo}\n" if repo else ""
    text = "| Name | Paper | Publication | Repository | Link |\n| --- | --- | --- | --- | --- |\n" + rows + sections
    findings = lint(vault_dir({"n.md": text}), "VL202")
    assert [(f.line, f.message.split(" disagrees")[0]) for f in findings] == [
        (5, "repository cell '[pal](https://github.com/reasoning-machines/pal)'")
    ]


def test_fix_loop_is_idempotent(vault_dir, fix_loop):
    root = vault_dir({"n.md": note("[pal](https://github.com/old-owner/pal)", "https://github.com/reasoning-machines/pal")})
    first, second = fix_loop(root, "VL202", unsafe=False)
    assert "[pal](https://github.com/reasoning-machines/pal)" in (root / "n.md").read_text()
    assert first.fixed and second.fixed == {}


def test_normalise_url():
    assert normalise_url("HTTP://WWW.GitHub.com/A/b/") == normalise_url("https://github.com/A/b") == "github.com/A/b"
    assert normalise_url("https://github.com/A/b") != normalise_url("https://github.com/a/b")


def test_stale_wikilink_title_in_a_table(vault_dir, fixed):
    text = note("", "x", title_link="[[#PAL Program-aided Language Models\\|ReAct]]")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert finding.fix.applicability is Applicability.UNSAFE
    assert f"| [[#PAL Program-aided Language Models\\|{PAL}]] |" in fixed(root, finding)
