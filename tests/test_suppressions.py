"""Suppressions written in notes: which findings each form hides, and what is never a directive."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.engine import Linter
from vaultlint.fixer import fix_notes
from vaultlint.registry import discover_rules
from vaultlint.vault import Vault

# [[Gone/x]] names a folder, so it is always VL101; [[not yet]] is VL102.
BROKEN = "[[Gone/x]] [[not yet]]"


def reported(root, code=None):
    return [(f.code, f.line) for f in lint(root) if code is None or f.code == code]


def test_next_line_hides_only_the_named_code_on_the_next_line(vault_dir):
    text = f"%% vaultlint-disable-next-line VL101 %%\n{BROKEN}\n{BROKEN}\n"
    root = vault_dir({"n.md": text})
    assert reported(root) == [("VL102", 2), ("VL101", 3), ("VL102", 3)]


@pytest.mark.parametrize(
    "codes",
    ["VL101, VL102", "VL101 VL102", "unresolved-link,uncreated-note", "vl101, UNCREATED-NOTE", ""],
    ids=["commas", "spaces", "names", "any-case", "no-codes-means-all"],
)
def test_next_line_code_lists(vault_dir, codes):
    root = vault_dir({"n.md": f"%% vaultlint-disable-next-line {codes} %%\n{BROKEN}\n"})
    assert reported(root) == []


def test_a_reason_may_follow_two_dashes(vault_dir):
    root = vault_dir({"n.md": "%% vaultlint-disable-next-line VL101 -- the archive is restored next week %%\n[[Gone/x]]\n"})
    assert reported(root) == []


def test_directive_in_a_multi_line_comment_applies_after_the_comment(vault_dir):
    root = vault_dir({"n.md": "%%\nvaultlint-disable-next-line VL101\n%%\n[[Gone/x]]\n[[Gone/y]]\n"})
    assert reported(root) == [("VL101", 5)]


def test_next_line_does_not_cover_its_own_line(vault_dir):
    root = vault_dir({"n.md": "[[Gone/x]] %% vaultlint-disable-next-line VL101 %%\n[[Gone/y]]\n"})
    assert reported(root, "VL101") == [("VL101", 1)]


def test_disable_line_covers_its_own_line(vault_dir):
    root = vault_dir({"n.md": "[[Gone/x]] %% vaultlint-disable-line VL101 %%\n[[Gone/y]]\n"})
    assert reported(root, "VL101") == [("VL101", 2)]


def test_range_by_code_ends_at_its_enable(vault_dir):
    text = "[[Gone/a]]\n%% vaultlint-disable VL101 %%\n[[Gone/b]] [[not yet]]\n\n[[Gone/c]]\n%% vaultlint-enable VL101 %%\n[[Gone/d]]\n"
    root = vault_dir({"n.md": text})
    assert reported(root) == [("VL101", 1), ("VL102", 3), ("VL101", 7)]


def test_range_without_enable_runs_to_the_end(vault_dir):
    root = vault_dir({"n.md": "[[Gone/a]]\n%% vaultlint-disable unresolved-link %%\n[[Gone/b]]\n\n\n[[Gone/c]]\n"})
    assert reported(root) == [("VL101", 1)]


def test_bare_disable_and_enable(vault_dir):
    text = f"%% vaultlint-disable %%\n{BROKEN}\n%% vaultlint-enable %%\n{BROKEN}\n"
    root = vault_dir({"n.md": text})
    assert reported(root) == [("VL101", 4), ("VL102", 4)]


def test_bare_enable_ends_ranges_of_codes_too(vault_dir):
    text = "%% vaultlint-disable VL101 %%\n[[Gone/a]]\n%% vaultlint-enable %%\n[[Gone/b]]\n"
    root = vault_dir({"n.md": text})
    assert reported(root) == [("VL101", 4)]


def test_range_may_start_mid_line(vault_dir):
    root = vault_dir({"n.md": "[[Gone/a]] %% vaultlint-disable VL101 %% [[Gone/b]]\n"})
    assert [(f.code, f.column) for f in lint(root)] == [("VL101", 3)]


@pytest.mark.parametrize(
    "property_text",
    ["vaultlint:\n  ignore: [VL101]\n", "vaultlint:\n  ignore:\n    - unresolved-link\n", "vaultlint: {ignore: VL101}\n", "VaultLint:\n  ignore: [VL101]\n"],
    ids=["flow", "block-by-name", "scalar", "key-case"],
)
def test_property_ignores_codes_in_the_whole_note(vault_dir, property_text):
    root = vault_dir({"n.md": f"---\n{property_text}---\n{BROKEN}\n\n[[Gone/y]]\n"})
    assert [code for code, _ in reported(root)] == ["VL102"]


def test_html_comment_form(vault_dir):
    text = f"<!-- vaultlint-disable-next-line VL101 -->\n{BROKEN}\n\n<!-- vaultlint-disable VL102 -->\n[[later]]\n<!-- vaultlint-enable VL102 -->\n[[soon]]\n"
    root = vault_dir({"n.md": text})
    assert reported(root) == [("VL102", 2), ("VL102", 7)]


@pytest.mark.parametrize(
    "text",
    [
        "```\n%% vaultlint-disable VL101 %%\n```\n[[Gone/x]]\n",
        "```markdown\n<!-- vaultlint-disable VL101 -->\n```\n[[Gone/x]]\n",
        "~~~\n<!-- vaultlint-disable VL101 -->\n~~~\n[[Gone/x]]\n",
        "Use `<!-- vaultlint-disable VL101 -->` to silence it.\n\n[[Gone/x]]\n",
        "Use `%% vaultlint-disable VL101 %%` to silence it.\n\n[[Gone/x]]\n",
        "Para\n\n    <!-- vaultlint-disable VL101 -->\n\n[[Gone/x]]\n",
        "---\nnote: <!-- vaultlint-disable VL101 -->\n---\n[[Gone/x]]\n",
        "%% not a directive: vaultlint-disable VL101 %%\n[[Gone/x]]\n",
        "<!-- see vaultlint-disable VL101 -->\n[[Gone/x]]\n",
        "%% <!-- vaultlint-disable VL101 --> %%\n[[Gone/x]]\n",
    ],
    ids=["obsidian-in-fence", "html-in-fence", "html-in-tilde-fence", "html-in-code-span", "obsidian-in-code-span", "indented-code", "in-properties", "not-at-start", "html-not-at-start", "html-inside-obsidian-comment"],
)
def test_what_is_not_a_suppression(vault_dir, text):
    root = vault_dir({"n.md": text})
    assert ("VL101", text.count("\n")) in reported(root)


def test_suppressed_findings_are_not_fixed(vault_dir):
    text = "%% vaultlint-disable-next-line VL101 %%\n[[Old/Target]]\n[[Old/Target]]\n"
    root = vault_dir({"n.md": text, "New/Target.md": "# T\n"})
    vault = Vault.load(root)
    rules = [entry.cls() for entry in discover_rules().values()]
    result = fix_notes(Linter(vault, rules), sorted(vault.notes), unsafe=False)
    assert result.fixed["n.md"] == "%% vaultlint-disable-next-line VL101 %%\n[[Old/Target]]\n[[New/Target]]\n"


def test_a_note_without_the_word_is_not_searched(vault_dir):
    import vaultlint.suppressions as suppressions

    root = vault_dir({"n.md": "%% just a comment %%\n[[Gone/x]]\n"})
    vault = Vault.load(root)
    assert suppressions.parse(vault.notes["n.md"], lambda key: None) is None
