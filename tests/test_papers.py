"""The paper-record model: index tables, rows, paper sections, claims, and their grouping."""

from __future__ import annotations

from pathlib import Path

import pytest

from arxiv_fixtures import AGENTS, CRITIC, PRUNER, REACT, TALM, agents_vault, anchor, card, citing_vault, row
from conftest import write_vault
from vaultlint.papers import ClaimKind, Place, Row, Section, is_generic_heading, paper_index, titles_compatible
from vaultlint.vault import Vault

HEADER = "| Name | Paper | Venue | Link |\n| ---- | ----- | ----- | ---- |\n"


def load(tmp_path: Path, files: dict) -> Vault:
    return Vault.load(write_vault(tmp_path / "vault", files))


def by_title(index, title):
    [paper] = [paper for paper in index.papers if paper.title == title]
    return paper


def test_rows_and_sections_pair_into_papers(tmp_path):
    vault = load(tmp_path, agents_vault())
    index = paper_index(vault)
    [table] = index.tables
    assert (table.path, table.line, table.title_column, table.name_column, table.id_columns) == ("Papers/Agents.md", 7, 1, 0, (3,))
    assert [r.title for r in table.rows] == [TALM, REACT, "PAL: Program-aided Language Models", CRITIC, PRUNER]
    assert [r.name for r in table.rows] == ["TALM", "ReAct", "PAL", "CRITIC", "LLM-Pruner"]
    assert len(index.papers) == 5
    for paper in index.papers:
        [section] = paper.sections
        [record_row] = paper.rows
        assert section.signal == "callout"
        assert record_row.section is section and record_row.paired_by == "link"
        assert section.rows == [record_row]
        assert record_row.target.heading is section.heading
        assert paper.title == section.title
    react = by_title(index, REACT)
    assert {claim.base for claim in react.claims} == {"2205.12255"}
    assert [(c.raw, c.line) for c in react.evidence] == [("2210.03629", 33)]
    pruner = by_title(index, PRUNER)
    assert [(c.line, c.base) for c in pruner.claims] == [(13, "2305.11627"), (13, "2305.11627"), (55, "2305.11738"), (55, "2305.11738")]


def test_claims_have_exact_spans_and_kinds(tmp_path):
    vault = load(tmp_path, agents_vault())
    index = paper_index(vault)
    text = vault.notes["Papers/Agents.md"].text
    critic = by_title(index, CRITIC)
    kinds = [(c.line, c.kind, c.place) for c in critic.claims]
    assert kinds == [
        (12, ClaimKind.LINK_TEXT, Place.ROW),
        (12, ClaimKind.LINK_URL, Place.ROW),
        (45, ClaimKind.LINK_TEXT, Place.CALLOUT),
        (45, ClaimKind.LINK_URL, Place.CALLOUT),
    ]
    for claim in critic.claims + critic.evidence:
        assert text[claim.span.start:claim.span.end] == claim.raw
    text_claim, url_claim = critic.claims[2:]
    assert text_claim.link == url_claim.link and text_claim.unit == url_claim.unit
    assert text[text_claim.link.start:text_claim.link.end] == "[arXiv:2305.11738](https://arxiv.org/abs/2305.11738)"


def test_pdf_html_and_versions_are_the_same_id(tmp_path):
    note = (
        HEADER
        + f"| TALM | [{TALM}]({anchor(TALM)}) | arXiv | [PDF](https://arxiv.org/pdf/2205.12255v2.pdf) |\n\n"
        + f"#### {TALM}\n\n> [!info]\n> arXiv: 2205.12255\n> [html](https://arxiv.org/html/2205.12255v1)\n"
    )
    index = paper_index(load(tmp_path, {"n.md": note}))
    [paper] = index.papers
    assert [(c.kind, c.raw) for c in paper.claims] == [
        (ClaimKind.LINK_URL, "2205.12255v2"),
        (ClaimKind.FIELD, "2205.12255"),
        (ClaimKind.LINK_URL, "2205.12255v1"),
    ]
    assert set(paper.ids()) == {"2205.12255"}


def test_a_paper_without_an_id_is_a_record_without_claims(tmp_path):
    note = HEADER + f"| TALM | [{TALM}]({anchor(TALM)}) | arXiv | |\n\n#### {TALM}\n\nNo link yet.\n"
    index = paper_index(load(tmp_path, {"n.md": note}))
    [paper] = index.papers
    assert [type(r).__name__ for r in paper.records] == ["Row", "Section"]
    assert paper.claims == [] and paper.ids() == {}
    assert paper.sections[0].signal == "row"


def test_the_same_paper_in_two_index_tables_and_notes_is_one_paper(tmp_path):
    files = {
        "Agents.md": "## Index\n\n" + HEADER + row("ReAct", REACT, "2210.03629") + "\n" + card(REACT, "2210.03629", "Notes."),
        "Surveys.md": "| Paper | Link |\n| --- | --- |\n| [[Agents#ReAct Synergizing Reasoning and Acting in Language Models\\|ReAct]] | [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) |\n",
        "Other.md": "| Model | arXiv |\n| --- | --- |\n| ReAct | 2210.03629 |\n",
    }
    index = paper_index(load(tmp_path, files))
    [paper] = index.papers
    assert sorted((r.path, r.paired_by) for r in paper.rows) == [("Agents.md", "link"), ("Other.md", None), ("Surveys.md", "link")]
    other = [r for r in paper.rows if r.path == "Other.md"][0]
    assert [(c.kind, c.raw) for c in other.claims] == [(ClaimKind.CELL, "2210.03629")]


def test_row_pairs_by_title_without_a_link(tmp_path):
    note = HEADER + f"| TALM | {TALM} | arXiv | [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) |\n\n#### {TALM}\n\nText.\n"
    index = paper_index(load(tmp_path, {"n.md": note}))
    [paper] = index.papers
    assert paper.rows[0].paired_by == "title" and paper.sections[0].signal == "row"


def test_cross_note_title_pairing_needs_three_words(tmp_path):
    files = {
        "index.md": "| Paper | Link |\n| --- | --- |\n| ReAct | [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) |\n| Tool Augmented Models | [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) |\n",
        "a.md": "# ReAct\n\nA note about the word.\n",
        "b.md": "# Tool Augmented Models\n\nThe paper.\n",
    }
    index = paper_index(load(tmp_path, files))
    rows = {r.title: r for r in index.rows}
    assert rows["ReAct"].section is None
    assert rows["Tool Augmented Models"].section.path == "b.md"


def test_row_linking_to_a_whole_paper_note_pairs_with_its_section(tmp_path):
    files = {
        "index.md": "| Paper | Link |\n| --- | --- |\n| [[ReAct]] | [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) |\n",
        "ReAct.md": "# ReAct\n\n> [!abstract]\n> Paper: https://arxiv.org/abs/2210.03629\n\n## Related work\n\n- [arXiv:2205.12255](https://arxiv.org/abs/2205.12255)\n",
    }
    index = paper_index(load(tmp_path, files))
    [paper] = index.papers
    assert paper.rows[0].target_path == "ReAct.md" and paper.rows[0].paired_by == "link"
    assert [(c.kind, c.base) for c in paper.sections[0].claims] == [(ClaimKind.FIELD, "2210.03629")]


def test_lead_links_on_their_own_line_are_claims_citations_in_sentences_are_not(tmp_path):
    note = (
        f"#### {REACT}\n"
        "\n"
        "Paper: [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) [cs.CL]\n"
        "- [PDF](https://arxiv.org/pdf/2210.03629)\n"
        "\n"
        "It builds on chain of thought ([arXiv:2201.11903](https://arxiv.org/abs/2201.11903)) and\n"
        "[Toolformer](https://arxiv.org/abs/2302.04761).\n"
        "[Toolformer](https://arxiv.org/abs/2302.04761)\n"
        "\n"
        "##### Related\n"
        "\n"
        "[arXiv:2205.12255](https://arxiv.org/abs/2205.12255)\n"
        "\n"
        f"| Paper | Link |\n| --- | --- |\n| {REACT} | [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) |\n"
    )
    index = paper_index(load(tmp_path, {"n.md": note}))
    [paper] = index.papers
    [section] = paper.sections
    assert section.signal == "row"  # no callout: the row below names it
    assert [(c.line, c.place, c.raw) for c in section.claims] == [
        (3, Place.BODY, "2210.03629"),
        (3, Place.BODY, "2210.03629"),
        (4, Place.BODY, "2210.03629"),
    ]


@pytest.mark.parametrize(
    "heading",
    ["Related work", "References", "Introduction", "2024-08", "2024-08-15", "Week 12", "May 2024", "Notes", "Papers"],
)
def test_headings_that_name_parts_or_dates_are_never_records(tmp_path, heading):
    note = f"## {heading}\n\n> [!info]\n> [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) [cs.CL]\n"
    index = paper_index(load(tmp_path, {"n.md": note}))
    assert index.sections == [] and index.papers == []
    assert is_generic_heading(heading)


def test_a_callout_listing_three_ids_is_a_list_not_a_record(tmp_path):
    note = (
        "## Agents\n\n> [!info]\n"
        "> [arXiv:2210.03629](https://arxiv.org/abs/2210.03629)\n"
        "> [arXiv:2205.12255](https://arxiv.org/abs/2205.12255)\n"
        "> [arXiv:2302.04761](https://arxiv.org/abs/2302.04761)\n"
    )
    assert paper_index(load(tmp_path, {"n.md": note})).papers == []


def test_a_callout_that_cites_by_name_is_not_a_record(tmp_path):
    note = f"## {REACT}\n\n> [!note]\n> Compare [Toolformer](https://arxiv.org/abs/2302.04761).\n"
    assert paper_index(load(tmp_path, {"n.md": note})).papers == []


def test_a_callout_further_down_is_not_the_identifying_one(tmp_path):
    note = f"## {REACT}\n\nSome text first.\n\n> [!info]\n> [arXiv:2210.03629](https://arxiv.org/abs/2210.03629)\n"
    assert paper_index(load(tmp_path, {"n.md": note})).papers == []


def test_ids_in_code_and_comments_are_ignored(tmp_path):
    note = (
        "| Paper | Link | Notes |\n| --- | --- | --- |\n"
        "| TALM | `2205.12255` | |\n"
        "| PAL | [arXiv:2211.10435](https://arxiv.org/abs/2211.10435) %% [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) %% | |\n"
        "\n"
        f"#### {REACT}\n"
        "\n"
        "```markdown\n"
        "> [!info]\n"
        "> [arXiv:2205.12255](https://arxiv.org/abs/2205.12255)\n"
        "```\n"
        "\n"
        "    [arXiv:2205.12255](https://arxiv.org/abs/2205.12255)\n"
        "\n"
        "Inline: `[arXiv:2205.12255](https://arxiv.org/abs/2205.12255)`\n"
    )
    index = paper_index(load(tmp_path, {"n.md": note}))
    claims = [(c.line, c.raw) for paper in index.papers for c in paper.claims]
    assert claims == [(4, "2211.10435"), (4, "2211.10435")]
    assert index.claims_in("n.md") == [c for paper in index.papers for c in paper.claims]


def test_cross_reference_columns_are_not_id_columns(tmp_path):
    note = (
        "| Paper | Link | Related |\n| --- | --- | --- |\n"
        f"| {REACT} | [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) | [Toolformer](https://arxiv.org/abs/2302.04761) |\n"
    )
    index = paper_index(load(tmp_path, {"n.md": note}))
    [table] = index.tables
    assert table.id_columns == (1,)
    assert {c.base for c in index.papers[0].claims} == {"2210.03629"}


def test_id_columns_found_by_content(tmp_path):
    note = "| Title | Where |\n| --- | --- |\n| Attention Is All You Need | https://arxiv.org/abs/1706.03762 |\n"
    index = paper_index(load(tmp_path, {"n.md": note}))
    [table] = index.tables
    assert table.id_columns == (1,)
    assert [(c.kind, c.raw) for c in index.papers[0].claims] == [(ClaimKind.CELL, "1706.03762")]


def test_tables_without_ids_are_not_index_tables(tmp_path):
    note = "| Concept | Why |\n| --- | --- |\n| [[Attention]] | long contexts |\n"
    assert paper_index(load(tmp_path, {"n.md": note})).tables == []


def test_a_title_cell_with_several_vault_links_names_no_paper(tmp_path):
    note = "| Paper | Link |\n| --- | --- |\n| [[A]] and [[B]] | [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) |\n"
    index = paper_index(load(tmp_path, {"n.md": note}))
    assert index.tables[0].rows == [] and index.papers == []


def test_twenty_citing_notes_hold_no_paper_sections(tmp_path):
    index = paper_index(load(tmp_path, citing_vault(20)))
    assert index.sections == []
    [attention] = index.papers  # the same one-row table in every note: one paper
    assert len(attention.rows) == 20 and set(attention.ids()) == {"1706.03762"}
    # Citations are still known, as claims without a paper.
    claims = index.claims_in("Reading/Group 01.md")
    assert {c.base for c in claims if index.paper_of(c) is None} >= {"2210.03629", "2205.12255", "2305.11738", "2201.11903"}


def test_model_is_built_once_and_rebuilt_after_a_note_changes(tmp_path):
    vault = load(tmp_path, agents_vault())
    first = paper_index(vault)
    assert paper_index(vault) is first
    vault.replace_note("Papers/Agents.md", AGENTS.replace("2205.12255", "2210.03629", 2))
    second = paper_index(vault)
    assert second is not first
    assert {c.base for c in by_title(second, TALM).claims} == {"2205.12255", "2210.03629"}


def test_titles_compatible():
    assert titles_compatible("ReAct", REACT)
    assert titles_compatible("#ReAct Synergizing Reasoning and Acting in Language Models", REACT)
    assert titles_compatible("Attention is all you need", "Attention Is All You Need.")
    assert not titles_compatible("TALM", REACT)
    assert not titles_compatible("A", "A Survey of Large Language Models")
    assert not titles_compatible(CRITIC, PRUNER)


def test_records_are_explicit_for_other_rules(tmp_path):
    """Rows know their table, title cell, link and target heading; sections their extent."""
    vault = load(tmp_path, agents_vault())
    index = paper_index(vault)
    react_row = [r for r in index.rows if r.name == "ReAct"][0]
    assert isinstance(react_row, Row)
    assert react_row.line == 10 and react_row.table.line == 7
    assert react_row.title_cell.text.startswith("[ReAct: Synergizing")
    assert react_row.title_link is not None and react_row.target.path == "Papers/Agents.md"
    section = index.section_at("Papers/Agents.md", react_row.target.index)
    assert isinstance(section, Section) and section is react_row.section
    text = vault.notes["Papers/Agents.md"].text
    assert text[section.span.start:].startswith("#### ReAct")
    assert text[section.span.end:].startswith("#### PAL")
    assert index.papers_in("Papers/Agents.md") == index.papers
    assert [p.title for p in index.holders("2205.12255")] == [TALM, REACT]


def test_a_name_link_table_of_repositories_is_not_an_index(tmp_path):
    files = {
        "tools.md": "| Name | Link |\n| --- | --- |\n| ToolBench | [repo](https://github.com/OpenBMB/ToolBench) |\n",
        "papers.md": "| Paper | Link |\n| --- | --- |\n| Some paper without an ID yet | |\n",
    }
    index = paper_index(load(tmp_path, files))
    assert [table.path for table in index.tables] == ["papers.md"]
    assert [row.title for row in index.rows] == ["Some paper without an ID yet"]
