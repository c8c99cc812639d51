"""VL105 ambiguous-link: a name matching several files, settled by Obsidian's tie-break."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability, Severity

NOTES = {"Projects/Notes.md": "# H\n", "Archive/2023/Notes.md": "# H\n"}


def only_(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


def test_tie_broken_by_shortest_path_is_reported_with_an_unsafe_fix(vault_dir, fixed):
    root = vault_dir({**NOTES, "Journal/today.md": "Weekly review: [[Notes]]\n"})
    finding = only_(lint(root, "VL105"))
    assert finding.code == "VL105" and finding.rule == "ambiguous-link"
    assert finding.severity is Severity.WARNING
    assert (finding.line, finding.column, finding.end_column) == (1, 18, 23)
    assert finding.message == (
        "[[Notes]] matches 2 files; Obsidian opens 'Projects/Notes.md' "
        "(by Obsidian's folder and shortest-path tie-break); also 'Archive/2023/Notes.md'"
    )
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(root, finding) == "Weekly review: [[Projects/Notes]]\n"


@pytest.mark.parametrize(
    "link, expected",
    [
        ("[[Notes#H|see]]", "[[Projects/Notes#H|see]]"),
        ("[n](Notes.md#H)", "[n](Projects/Notes.md#H)"),
        ("[n](<notes.md>)", "[n](<Projects/Notes.md>)"),
    ],
)
def test_fix_writes_the_full_path_keeping_style_and_subpath(vault_dir, fixed, link, expected):
    root = vault_dir({**NOTES, "Journal/today.md": f"{link}\n"})
    assert fixed(root, only_(lint(root, "VL105"))) == f"{expected}\n"


def test_fix_ignores_shortest_new_link_format(vault_dir, fixed):
    root = vault_dir({".obsidian/app.json": '{"newLinkFormat": "shortest"}', **NOTES, "Journal/today.md": "[[Notes]]\n"})
    assert fixed(root, only_(lint(root, "VL105"))) == "[[Projects/Notes]]\n"


def test_equal_length_tie_is_called_unstable(vault_dir, fixed):
    root = vault_dir({"p/Dup.md": "", "q/Dup.md": "", "x.md": "[[Dup]]\n"})
    finding = only_(lint(root, "VL105"))
    assert finding.message == (
        "[[Dup]] matches 2 files; Obsidian opens 'p/Dup.md' (paths of equal length: the choice is not stable); also 'q/Dup.md'"
    )
    assert fixed(root, finding) == "[[p/Dup]]\n"


def test_only_unstable_keeps_equal_lengths_and_drops_shortest_path_ties(vault_dir):
    root = vault_dir({**NOTES, "p/Dup.md": "", "q/Dup.md": "", "x/src.md": "[[Notes]] [[Dup]]\n"})
    assert [f.column for f in lint(root, "VL105")] == [3, 13]
    assert [f.column for f in lint(root, "VL105", **{"only-unstable": True})] == [13]


def test_many_candidates_are_listed_up_to_three(vault_dir):
    files = {f"{folder}/Idea.md": "" for folder in ("aa", "bbb", "cccc", "ddddd", "eeeeee")}
    root = vault_dir({**files, "zz/src.md": "[[Idea]]\n"})
    assert only_(lint(root, "VL105")).message == (
        "[[Idea]] matches 5 files; Obsidian opens 'aa/Idea.md' (by Obsidian's folder and shortest-path tie-break); "
        "also 'bbb/Idea.md', 'cccc/Idea.md', 'ddddd/Idea.md' …"
    )


# --- the linking note's own folder -------------------------------------------------

FOLDER = {"Sync/Security.md": "", "Other/Security.md": "", "Sync/page.md": "[[Security]]\n"}


def test_one_candidate_in_the_source_folder_is_not_reported_by_default(vault_dir):
    root = vault_dir(FOLDER)
    assert lint(root, "VL105") == []


def test_report_folder_preference_reports_it(vault_dir, fixed):
    root = vault_dir(FOLDER)
    finding = only_(lint(root, "VL105", **{"report-folder-preference": True}))
    assert finding.message == (
        "[[Security]] matches 2 files; Obsidian opens 'Sync/Security.md' "
        "(by Obsidian's folder and shortest-path tie-break); also 'Other/Security.md'"
    )
    assert fixed(root, finding) == "[[Sync/Security]]\n"


def test_folder_preference_with_equal_lengths_is_not_unstable(vault_dir):
    # a/N.md wins because it sits in the linking note's folder, not by an unstable order.
    root = vault_dir({"a/N.md": "", "b/N.md": "", "a/x.md": "[[N]]\n"})
    finding = only_(lint(root, "VL105", **{"report-folder-preference": True}))
    assert "Obsidian opens 'a/N.md' (by Obsidian's folder and shortest-path tie-break)" in finding.message
    assert lint(root, "VL105", **{"report-folder-preference": True, "only-unstable": True}) == []


def test_two_candidates_under_the_source_folder_are_reported(vault_dir):
    root = vault_dir({"Sync/a/X.md": "", "Sync/b/X.md": "", "Other/X.md": "", "Sync/p.md": "[[X]]\n"})
    finding = only_(lint(root, "VL105"))
    assert finding.message == (
        "[[X]] matches 3 files; Obsidian opens 'Sync/a/X.md' (paths of equal length: the choice is not stable); "
        "also 'Sync/b/X.md', 'Other/X.md'"
    )


def test_from_the_vault_root_every_candidate_is_in_the_folder(vault_dir):
    root = vault_dir({**FOLDER, "root.md": "[[Security]]\n"})
    assert [f.path for f in lint(root, "VL105")] == ["root.md"]


# --- not ambiguous ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, link",
    [
        ("Journal/today.md", "[[Projects/Notes]]"),  # exact vault path
        ("Journal/today.md", "[[/Archive/2023/Notes]]"),
        ("Journal/today.md", "[[Archive/2023/Notes.md]]"),
        ("Journal/today.md", "[n](Archive/2023/Notes.md)"),
        ("Archive/x.md", "[[./2023/Notes]]"),
        ("Archive/2023/x.md", "[[../../Projects/Notes]]"),
        ("Journal/today.md", "[[2023/Notes]]"),  # suffix that only one path has
        ("Journal/today.md", "[[Unique]]"),
        ("Journal/today.md", "[[Nowhere]]"),  # unresolved: other rules'
        ("Projects/Notes.md", "[[#H]]"),  # self link
        ("Journal/today.md", "```\n[[Notes]]\n```"),
        ("Journal/today.md", "%%[[Notes]]%%"),
    ],
)
def test_exact_or_unique_links_are_not_reported(vault_dir, source, link):
    root = vault_dir({**NOTES, "Unique.md": "", source: f"{link}\n"})
    assert lint(root, "VL105") == []


def test_root_note_exact_path_wins(vault_dir):
    # Obsidian: [[Note]] opens the root Note.md from anywhere (exact vault path).
    root = vault_dir({"Note.md": "", "a/b/Note.md": "", "a/b/x.md": "[[Note]]\n", "zzzz/y.md": "[[Note]]\n"})
    assert lint(root, "VL105") == []


def test_comments_with_check_comments(vault_dir):
    root = vault_dir({**NOTES, "J/t.md": "%%[[Notes]]%%\n"})
    finding = only_(lint(root, "VL105", **{"check-comments": True}))
    assert (finding.line, finding.column) == (1, 5)


def test_fix_loop_is_idempotent(vault_dir, fix_loop):
    root = vault_dir({**NOTES, "p/Dup.md": "", "q/Dup.md": "", "J/t.md": "[[Notes]] and [d](Dup.md)\n"})
    first, second = fix_loop(root, "VL105", unsafe=False)
    assert first.fixed == {} and len(first.remaining) == 2  # unsafe fixes only
    first, second = fix_loop(root, "VL105", unsafe=True)
    assert first.fixed == {"J/t.md": "[[Projects/Notes]] and [d](p/Dup.md)\n"}
    assert first.applied == 2 and first.remaining == []
    assert second.fixed == {} and second.remaining == []
