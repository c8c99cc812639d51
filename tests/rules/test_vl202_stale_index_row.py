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


# --- classification -----------------------------------------------------------------

CATEGORIES = "### Surveys\n\n### Prompting\n\n### Tool learning\n\n"
CLASS_HEAD = "| Name | Paper | Link | Classification |\n| --- | --- | --- | --- |\n"
TOOL_LEARNING = "> [#Tool learning](#Tool%20learning)\n"


def classified(cell: str, callout: str = TOOL_LEARNING, repository: str = "") -> str:
    """Category headings (lines 1-5), the index table (row at line 9), the PAL section (line 11)."""
    return (
        CATEGORIES
        + CLASS_HEAD
        + f"| PAL | {PAL_LINK} | {ARXIV} | {cell} |\n"
        + f"\n#### {PAL}\n\n> [!info]\n> {ARXIV}\n"
        + callout
        + (f"> Repository: {repository}\n" if repository else "")
    )


def test_classification_disagreement_gets_an_unsafe_fix(vault_dir, fixed):
    cell = "[Surveys](#Surveys), [Prompting](#Prompting)"
    text = classified(cell)
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (9, 145, 9, 189)
    assert text.splitlines()[8][144:188] == cell
    assert finding.message == (
        f"classification cell {cell!r} disagrees with the categories of the section it links to, 'Tool learning' (line 11)"
    )
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(root, finding) == text.replace(cell, "[Tool learning](#Tool%20learning)")


def test_classification_fix_keeps_the_cells_link_style(vault_dir, fixed):
    callout = "> [#Tool learning](#Tool%20learning) [#Prompting](#Prompting)\n"
    text = classified("[#Surveys](#Surveys)", callout)
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert finding.message.endswith("'Tool learning, Prompting' (line 11)")
    assert fixed(root, finding) == text.replace("| [#Surveys](#Surveys) |", "| [#Tool learning](#Tool%20learning), [#Prompting](#Prompting) |")

    text = classified("[[#Surveys]]")
    root = vault_dir({"n.md": text})
    assert fixed(root, only(lint(root, "VL202"))) == text.replace("| [[#Surveys]] |", "| [[#Tool learning]] |")


def test_classification_fix_writes_the_shortest_heading_chain(vault_dir, fixed):
    # two "Tool learning" headings: the link needs its parent to reach the second
    text = "## Old\n\n### Tool learning\n\n## Works\n\n" + classified("[Surveys](#Surveys)", "> [Tool learning](#Works#Tool%20learning)\n")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202"))
    assert fixed(root, finding) == text.replace("| [Surveys](#Surveys) |", "| [Tool learning](#Works#Tool%20learning) |")


def test_classification_cell_with_other_text_gets_no_fix(vault_dir):
    finding = only(lint(vault_dir({"n.md": classified("[Surveys](#Surveys) (for now)")}), "VL202"))
    assert finding.message.startswith("classification cell '[Surveys](#Surveys) (for now)' disagrees")
    assert finding.fix is None


@pytest.mark.parametrize(
    ("cell", "callout"),
    [
        ("[Tool learning](#Tool%20learning)", TOOL_LEARNING),  # the same category
        ("[[#tool learning]], [#Tool learning](#Tool%20learning)", TOOL_LEARNING),  # style, case, duplicates
        (
            "[Prompting](#Prompting), [Tool learning](#Tool%20learning)",
            "> [#Tool learning](#Tool%20learning)\n> [#Prompting](#Prompting)\n",
        ),  # another order
        ("", TOOL_LEARNING),  # an empty cell: missing, not stale
        ("Surveys", TOOL_LEARNING),  # no heading links in the cell
        ("[Surveys](#Surveys)", ""),  # the section links to no category
        ("[Surveys](#Surveys)", "> See [PAL](https://example.org/pal)\n"),  # nor does this one
        ("[Surveys](https://example.org/surveys)", TOOL_LEARNING),  # an external page is no category
    ],
)
def test_agreeing_or_unknown_classifications_are_not_reported(vault_dir, cell, callout):
    assert lint(vault_dir({"n.md": classified(cell, callout)}), "VL202") == []


def test_links_to_paper_sections_are_not_categories(vault_dir):
    # the callout cites another paper's section: not a category of PAL
    other = "\n#### ReAct: Synergizing Reasoning and Acting\n\n> [!info]\n> [arXiv:2210.03629](https://arxiv.org/abs/2210.03629)\n"
    callout = TOOL_LEARNING + "> Compare [ReAct](#ReAct%20Synergizing%20Reasoning%20and%20Acting)\n"
    assert lint(vault_dir({"n.md": classified("[Tool learning](#Tool%20learning)", callout) + other}), "VL202") == []


def test_classification_without_a_classification_column_is_not_read(vault_dir):
    text = classified("[Surveys](#Surveys)").replace("| Classification |", "| Notes |")
    assert lint(vault_dir({"n.md": text}), "VL202") == []


def test_classification_of_a_section_in_another_note_gets_no_fix(vault_dir):
    index = "### Surveys\n\n" + CLASS_HEAD + f"| PAL | [[Papers#{PAL}\\|{PAL}]] | {ARXIV} | [Surveys](#Surveys) |\n"
    papers = f"# Papers\n\n## Tool learning\n\n#### {PAL}\n\n> [!info]\n> {ARXIV}\n> [#Tool learning](#Tool%20learning)\n"
    finding = only(lint(vault_dir({"Index.md": index, "Papers.md": papers}), "VL202"))
    assert (finding.path, finding.line) == ("Index.md", 5)
    assert finding.message.endswith("'Tool learning' (Papers.md:5)")
    assert finding.fix is None


def test_classification_fix_loop_is_idempotent(vault_dir, fix_loop):
    root = vault_dir({"n.md": classified("[Surveys](#Surveys), [Prompting](#Prompting)")})
    first, second = fix_loop(root, "VL202", unsafe=True)
    assert "| [Tool learning](#Tool%20learning) |" in (root / "n.md").read_text()
    assert first.fixed and second.fixed == {}


# --- source-of-truth ---------------------------------------------------------------


ROW = {"source-of-truth": "row"}


def test_row_as_source_of_truth_rewrites_the_sections_repository(vault_dir, fixed):
    text = note("[pal](https://github.com/new-owner/pal)", "https://github.com/old-owner/pal")
    root = vault_dir({"n.md": text})
    finding = only(lint(root, "VL202", **ROW))
    assert (finding.line, finding.column, finding.end_column) == (3, 90, 129)
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == text.replace(
        "> Repository: https://github.com/old-owner/pal", "> Repository: https://github.com/new-owner/pal"
    )
    assert "| [pal](https://github.com/new-owner/pal) |" in fixed(root, finding)


@pytest.mark.parametrize(
    ("cell", "applicability"),
    [
        ("https://github.com/c/d", Applicability.SAFE),
        ("<https://github.com/c/d>", Applicability.SAFE),
        ("[https://github.com/c/d](https://github.com/c/d)", Applicability.SAFE),
        ("[code](https://github.com/c/d)", Applicability.UNSAFE),  # a text the author chose
    ],
)
def test_row_as_source_of_truth_applicability(vault_dir, cell, applicability):
    finding = only(lint(vault_dir({"n.md": note(cell, "https://github.com/a/b")}), "VL202", **ROW))
    assert finding.fix.applicability is applicability
    assert [(edit.replacement, edit.span.end - edit.span.start) for edit in finding.fix.edits] == [
        ("https://github.com/c/d", len("https://github.com/a/b"))
    ]


def test_row_as_source_of_truth_needs_a_plain_section_value(vault_dir):
    finding = only(lint(vault_dir({"n.md": note("https://github.com/a/b", "[b](https://github.com/c/d) (mirror)")}), "VL202", **ROW))
    assert finding.fix is None


def test_row_as_source_of_truth_offers_no_classification_or_title_fix(vault_dir):
    finding = only(lint(vault_dir({"n.md": classified("[Surveys](#Surveys)")}), "VL202", **ROW))
    assert finding.message.startswith("classification cell") and finding.fix is None
    text = note("", "x", title_link="[#ReAct Synergizing Reasoning and Acting](#PAL%20Program-aided%20Language%20Models)")
    finding = only(lint(vault_dir({"n.md": text}), "VL202", **ROW))
    assert finding.message.startswith("index row title") and finding.fix is None


def test_row_as_source_of_truth_leaves_another_notes_section_alone(vault_dir):
    index = HEAD + f"| PAL | [[Papers#{PAL}\\|{PAL}]] | [pal](https://github.com/new/pal) | {ARXIV} |\n"
    papers = f"# Papers\n\n#### {PAL}\n\n> [!info]\n> {ARXIV}\n> Repository: https://github.com/old/pal\n"
    finding = only(lint(vault_dir({"Index.md": index, "Papers.md": papers}), "VL202", **ROW))
    assert finding.fix is None


def test_row_as_source_of_truth_fix_loop_is_idempotent(vault_dir, fix_loop):
    root = vault_dir({"n.md": note("[pal](https://github.com/new-owner/pal)", "https://github.com/old-owner/pal")})
    first, second = fix_loop(root, "VL202", unsafe=False, **ROW)
    assert "> Repository: https://github.com/new-owner/pal\n" in (root / "n.md").read_text()
    assert first.fixed and second.fixed == {}


def test_source_of_truth_is_validated():
    from vaultlint.rules.stale_index_row import StaleIndexRow

    assert StaleIndexRow().option("source-of-truth") == "section"
    assert StaleIndexRow(**{"source-of-truth": " Row "}).option("source-of-truth") == "row"
    with pytest.raises(ValueError, match=r"stale-index-row\): source-of-truth must be \"section\" or \"row\", got 'both'"):
        StaleIndexRow(**{"source-of-truth": "both"})


def test_bad_source_of_truth_is_a_configuration_error(vault_dir):
    from click.testing import CliRunner

    from vaultlint.cli import main

    root = vault_dir({"n.md": note("", "x")})
    result = CliRunner().invoke(main, ["check", str(root), "--rule-option", "stale-index-row.source-of-truth=both"])
    assert result.exit_code == 2
    assert 'rule options: rule VL202 (stale-index-row): source-of-truth must be "section" or "row", got \'both\'' in result.output
    good = CliRunner().invoke(main, ["check", str(root), "--select", "VL202", "--rule-option", "VL202.source-of-truth=row"])
    assert good.exit_code == 0, good.output


# --- a row pointing nowhere -------------------------------------------------------

TWO = "| Name | Paper | Link |\n| ---- | ----- | ---- |\n"
GONE = TWO + f"| PAL | [PAL: Program-aided Language Models](#Zebra%20Crossing%20Study) | {ARXIV} |\n| ReAct | [ReAct](#ReAct) |  |\n\n## ReAct\n"


def test_row_linking_to_a_missing_heading_in_the_same_note(vault_dir, fixed):
    root = vault_dir({"n.md": GONE})
    finding = only(lint(root, "VL202"))
    assert (finding.line, finding.column) == (3, 1)
    assert finding.message == "row links to '#Zebra Crossing Study', which no longer exists in this note; remove the row?"
    assert finding.fix.applicability is Applicability.UNSAFE and finding.fix.title == "Remove the row"
    assert fixed(root, finding) == TWO + "| ReAct | [ReAct](#ReAct) |  |\n\n## ReAct\n"
    assert len(lint(root, "VL103")) == 1  # the link itself is VL103's
    assert lint(root, "VL103")[0].fix is None


def test_row_linking_to_a_missing_heading_in_another_note(vault_dir, fixed):
    text = TWO + f"| PAL | [[Papers#Zebra Crossing Study\\|PAL]] | {ARXIV} |\n| X | [[Papers#Other]] |  |"
    root = vault_dir({"n.md": text, "Papers.md": "# Papers\n\n## Other\n"})
    finding = only(lint(root, "VL202"))
    assert finding.message == "row links to '#Zebra Crossing Study', which no longer exists in Papers.md; remove the row?"
    assert fixed(root, finding) == TWO + "| X | [[Papers#Other]] |  |"
    # the last line without a newline: the line ending before it goes with it
    root2 = vault_dir({"m.md": text.replace("Other]]", "Gone Away]]"), "Papers.md": "# Papers\n"})
    findings = [f for f in lint(root2, "VL202") if f.path == "m.md"]
    assert len(findings) == 2
    assert fixed(root2, findings[1]) == TWO + f"| PAL | [[Papers#Zebra Crossing Study\\|PAL]] | {ARXIV} |"


@pytest.mark.parametrize(
    "row",
    [
        "| PAL | [ReAct](#ReAct) |",  # the heading exists
        "| PAL | [ReAct](#react) |",  # exists after normalisation
        "| PAL | [PAL](#re-act) |",  # VL103 repairs it by normalisation
        "| PAL | [PAL](#ReActs) |",  # VL103 repairs it by similarity
        "| PAL | PAL: Program-aided Language Models |",  # no title link
        "| PAL | [PAL](https://example.org/#Zebra) |",  # external
        "| PAL | [[Nowhere#Zebra Crossing Study]] |",  # no such note: VL101's
        "| PAL | [[#^missing-block]] |",  # a block, not a heading
    ],
)
def test_rows_not_pointing_nowhere(vault_dir, row):
    text = TWO + row + f" {ARXIV} |\n\n## ReAct\n"
    assert lint(vault_dir({"n.md": text}), "VL202") == []


def test_row_removal_fix_loop_is_idempotent(vault_dir, fix_loop):
    root = vault_dir({"n.md": GONE})
    first, second = fix_loop(root, None, unsafe=True)
    assert (root / "n.md").read_text() == TWO + "| ReAct | [ReAct](#ReAct) |  |\n\n## ReAct\n"
    assert second.fixed == {}
    assert lint(root, "VL202") == []
