"""VL402 empty-note: notes with nothing beyond their properties that nothing links to."""

from __future__ import annotations

import json

import pytest

from conftest import lint
from vaultlint.diagnostics import Severity
from vaultlint.parser.limits import TIME_LIMIT_ENV
from vaultlint.registry import discover_rules

EMPTY = "Inbox/Untitled.md"


@pytest.fixture(autouse=True)
def no_parse_time_limit(monkeypatch):
    """A note skipped for its parse time on a loaded machine would count every name it
    mentions as a reference (the safe fallback) and change what these tests see."""
    monkeypatch.setenv(TIME_LIMIT_ENV, "0")


def reported(root, **options) -> list[str]:
    return sorted(f.path for f in lint(root, "VL402", **options))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n   \n\t\n",
        "---\ntags: [idea]\n---\n",
        "---\ntags: [idea]\ncreated: 2024-05-02\n---\n\n\n",
        "---\r\ntags: [idea]\r\n---\r\n\r\n",
        "\ufeff---\ntitle: x\n---\n",  # a BOM is not content
        "\u00a0\n",  # a no-break space is whitespace
    ],
)
def test_empty_notes_are_reported(vault_dir, text):
    root = vault_dir({EMPTY: text.encode("utf-8"), "Notes/Other.md": "Some text.\n"})
    [finding] = lint(root, "VL402")
    assert (finding.path, finding.line, finding.column, finding.code) == (EMPTY, 1, 1, "VL402")
    assert finding.severity is Severity.WARNING and finding.fix is None
    assert finding.message.startswith("empty note: ")
    assert finding.message.endswith("and no note, canvas or base links to it")


def test_the_message_says_whether_there_are_properties(vault_dir):
    root = vault_dir({"a.md": "", "b.md": "---\nx: 1\n---\n"})
    messages = {f.path: f.message for f in lint(root, "VL402")}
    assert messages == {
        "a.md": "empty note: no content, and no note, canvas or base links to it",
        "b.md": "empty note: nothing beyond its properties, and no note, canvas or base links to it",
    }


@pytest.mark.parametrize(
    "text",
    [
        "x",
        "---\ntags: [idea]\n---\nOne sentence.\n",
        "%% draft: write about caching %%\n",  # a comment is a draft, not nothing
        "# Heading\n",
        "![[image.png]]\n",
        "```\n```\n",
        "---\n---\n-\n",
    ],
)
def test_notes_with_content_are_not_reported(vault_dir, text):
    root = vault_dir({EMPTY: text})
    assert reported(root) == []


@pytest.mark.parametrize(
    "linking",
    [
        "[[Untitled]]",
        "[[Inbox/Untitled|later]]",
        "[t](Inbox/Untitled.md)",
        "![[Untitled]]",
        "%% todo: [[Untitled]] %%",  # a link in a comment counts
        '---\nnext: "[[Untitled]]"\n---\nbody\n',  # a property link counts
        "[[Untitld]]",  # a typo whose repair is this note
    ],
)
def test_an_empty_note_that_something_links_to_is_a_placeholder(vault_dir, linking):
    root = vault_dir({EMPTY: "---\ntags: [idea]\n---\n", "Notes/Index.md": linking})
    assert reported(root) == []


def test_canvas_and_base_references_count(vault_dir):
    canvas = {"nodes": [{"id": "1", "type": "file", "file": EMPTY, "x": 0, "y": 0, "width": 1, "height": 1}], "edges": []}
    root = vault_dir({EMPTY: "", "Board.canvas": json.dumps(canvas), "Other.md": "", "Table.base": 'filters: file.hasLink(link("Other"))\n'})
    assert reported(root) == []


def test_a_link_to_itself_does_not_count(vault_dir):
    root = vault_dir({EMPTY: '---\nup: "[[Untitled]]"\n---\n'})
    assert reported(root) == [EMPTY]


def test_template_folders_and_the_daily_template_are_left_alone(vault_dir):
    root = vault_dir({
        "Templates/Meeting.md": "---\ntags: [meeting]\n---\n",
        "Tpl/Deep/Book.md": "---\ntype: book\n---\n",
        "Setup/Daily.md": "---\ntype: daily\n---\n",
        "Setup/Other.md": "---\ntype: other\n---\n",
        EMPTY: "",
    })
    obsidian = root / ".obsidian"
    (obsidian / "templates.json").write_text(json.dumps({"folder": "Templates/"}), encoding="utf-8")
    (obsidian / "plugins" / "templater-obsidian").mkdir(parents=True)
    (obsidian / "plugins" / "templater-obsidian" / "data.json").write_text(json.dumps({"templates_folder": "Tpl"}), encoding="utf-8")
    (obsidian / "daily-notes.json").write_text(json.dumps({"template": "Setup/Daily"}), encoding="utf-8")
    assert reported(root) == [EMPTY, "Setup/Other.md"]
    assert reported(root, **{"ignore-folders": ["Inbox", "setup/"]}) == []


def test_broken_obsidian_settings_are_ignored(vault_dir):
    root = vault_dir({"Templates/Meeting.md": ""})
    (root / ".obsidian" / "templates.json").write_text("{not json", encoding="utf-8")
    (root / ".obsidian" / "daily-notes.json").write_text("[1]", encoding="utf-8")
    assert reported(root) == ["Templates/Meeting.md"]


def test_unreadable_notes_are_left_to_unreadable_note(vault_dir):
    root = vault_dir({"bad-yaml.md": "---\ntags: [unclosed\n---\n", "bad-bytes.md": b"\xff\xfe"})
    assert reported(root) == []


def test_a_suppression_in_the_properties_hides_it(vault_dir):
    from vaultlint.engine import Linter
    from vaultlint.vault import Vault

    root = vault_dir({EMPTY: "---\nvaultlint:\n  ignore: [empty-note]\n---\n"})
    vault = Vault.load(root)
    assert Linter(vault, [discover_rules()["VL402"].cls()]).run(sorted(vault.notes)) == []


def test_the_index_follows_fixes_within_one_run(vault_dir):
    """The references are rebuilt for each run, so a second run sees the vault as it is now."""
    from vaultlint.engine import Linter
    from vaultlint.vault import Vault

    root = vault_dir({EMPTY: "", "Index.md": "nothing yet\n"})
    vault = Vault.load(root)
    linter = Linter(vault, [discover_rules()["VL402"].cls()])
    assert [f.path for f in linter.run(sorted(vault.notes))] == [EMPTY]
    vault.replace_note("Index.md", "see [[Untitled]]\n")
    assert linter.run(sorted(vault.notes)) == []


def test_rule_is_opt_in():
    assert discover_rules()["VL402"].cls.default_enabled is False
