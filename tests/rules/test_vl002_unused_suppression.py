"""VL002 unused-suppression: suppressions that suppress nothing, and the fix that removes them."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability, Severity
from vaultlint.engine import Linter
from vaultlint.registry import discover_rules
from vaultlint.vault import Vault

FILES = {"Papers/Attention.md": "# Attention\n\n## Method\n"}


def vl002(root, **linter_options):
    vault = Vault.load(root)
    rules = [entry.cls() for entry in discover_rules().values()]
    return [f for f in Linter(vault, rules, **linter_options).run(sorted(vault.notes)) if f.code == "VL002"]


def only(findings):
    assert len(findings) == 1, [(f.line, f.message) for f in findings]
    return findings[0]


def test_unused_next_line_is_reported_with_a_safe_fix_removing_the_line(vault_dir, fixed):
    text = "# Reading\n%% vaultlint-disable-next-line VL101 %%\nSee [[Attention]].\n"
    root = vault_dir({**FILES, "n.md": text})
    finding = only(vl002(root))
    assert finding.rule == "unused-suppression" and finding.severity is Severity.WARNING
    assert (finding.line, finding.column, finding.end_column) == (2, 32, 37)
    assert finding.message == "unused suppression of VL101 (unresolved-link): nothing to suppress on line 3"
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == "# Reading\nSee [[Attention]].\n"


def test_used_suppressions_are_not_reported(vault_dir):
    text = (
        "%% vaultlint-disable-next-line VL101 %%\n[[Gone/a]]\n"
        "[[Gone/b]] %% vaultlint-disable-line %%\n"
        "%% vaultlint-disable VL101 %%\n[[Gone/c]]\n%% vaultlint-enable VL101 %%\n"
        "<!-- vaultlint-disable-next-line unresolved-link -->\n[[Gone/d]]\n"
    )
    root = vault_dir({"n.md": f"---\nvaultlint: {{ignore: [VL102]}}\n---\n{text}[[not yet]]\n"})
    assert vl002(root) == []
    assert lint(root) == []


def test_only_the_unused_code_is_removed_from_a_list(vault_dir, fixed):
    text = "%% vaultlint-disable-next-line VL101, VL105 %%\n[[Gone/a]]\n"
    root = vault_dir({"n.md": text})
    finding = only(vl002(root))
    assert finding.message == "unused suppression of VL105 (ambiguous-link): nothing to suppress on line 2"
    assert fixed(root, finding) == "%% vaultlint-disable-next-line VL101 %%\n[[Gone/a]]\n"
    assert finding.fix.title == "Remove VL105 from the suppression"


def test_space_separated_list_keeps_its_separator(vault_dir, fixed):
    root = vault_dir({"n.md": "%% vaultlint-disable-next-line VL105 VL101 VL103 -- why %%\n[[Gone/a]]\n"})
    finding = only(vl002(root))
    assert "VL105 (ambiguous-link), VL103 (broken-subpath): nothing to suppress" in finding.message
    assert fixed(root, finding) == "%% vaultlint-disable-next-line VL101 -- why %%\n[[Gone/a]]\n"


def test_comment_after_text_is_removed_with_its_blank(vault_dir, fixed):
    root = vault_dir({**FILES, "n.md": "See [[Attention]]  %% vaultlint-disable-line %% and more\nSee [[Attention]] %% vaultlint-disable-line %%\n"})
    first, second = vl002(root)
    assert first.message == "unused suppression: `vaultlint-disable-line` without codes, nothing to suppress on line 1"
    assert fixed(root, first) == "See [[Attention]]  and more\nSee [[Attention]] %% vaultlint-disable-line %%\n"
    assert fixed(root, second) == "See [[Attention]]  %% vaultlint-disable-line %% and more\nSee [[Attention]]\n"


def test_unused_range_is_removed_with_its_enable(vault_dir, fixed):
    text = "Intro\n%% vaultlint-disable VL101 %%\n[[Attention]]\n%% vaultlint-enable VL101 %%\nEnd\n"
    root = vault_dir({**FILES, "n.md": text})
    finding = only(vl002(root))
    assert finding.message == "unused suppression of VL101 (unresolved-link): nothing to suppress before the `vaultlint-enable` on line 4"
    assert fixed(root, finding) == "Intro\n[[Attention]]\nEnd\n"


def test_partly_unused_range_loses_the_code_in_both_comments(vault_dir, fixed):
    text = "%% vaultlint-disable VL101, VL102 %%\n[[Gone/a]]\n%% vaultlint-enable VL101, VL102 %%\n"
    root = vault_dir({"n.md": text})
    finding = only(vl002(root))
    assert fixed(root, finding) == "%% vaultlint-disable VL101 %%\n[[Gone/a]]\n%% vaultlint-enable VL101 %%\n"


def test_bare_range_unused_goes_with_its_bare_enable(vault_dir, fixed):
    root = vault_dir({**FILES, "n.md": "%% vaultlint-disable %%\n[[Attention]]\n%% vaultlint-enable %%\n"})
    finding = only(vl002(root))
    assert "up to" not in finding.message and "before the `vaultlint-enable` on line 3" in finding.message
    assert fixed(root, finding) == "[[Attention]]\n"


def test_unclosed_range_says_so(vault_dir):
    root = vault_dir({**FILES, "n.md": "%% vaultlint-disable VL103 %%\n[[Attention#Method]]\n"})
    assert only(vl002(root)).message.endswith("nothing to suppress up to the end of the note")


def test_enable_without_disable(vault_dir, fixed):
    root = vault_dir({"n.md": "Text\n%% vaultlint-enable VL101 %%\n%% vaultlint-enable %%\n"})
    first, second = vl002(root)
    assert first.message == "unmatched `vaultlint-enable` of VL101 (unresolved-link): no `vaultlint-disable` above it to end"
    assert second.message == "unused suppression: `vaultlint-enable` with nothing disabled above it"
    assert fixed(root, first) == "Text\n%% vaultlint-enable %%\n"


def test_code_disabled_twice(vault_dir, fixed):
    text = "%% vaultlint-disable VL101 %%\n[[Gone/a]]\n%% vaultlint-disable VL101 %%\n[[Gone/b]]\n"
    root = vault_dir({"n.md": text})
    finding = only(vl002(root))
    assert (finding.line, finding.message) == (3, "unused suppression of VL101 (unresolved-link): already disabled on line 1")
    assert fixed(root, finding) == "%% vaultlint-disable VL101 %%\n[[Gone/a]]\n[[Gone/b]]\n"


def test_unknown_code_is_removed_safely(vault_dir, fixed):
    root = vault_dir({"n.md": "%% vaultlint-disable-next-line VL101, VL999 %%\n[[Gone/a]]\n"})
    finding = only(vl002(root))
    assert finding.message == "unused suppression of VL999: no installed rule has this code or name"
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == "%% vaultlint-disable-next-line VL101 %%\n[[Gone/a]]\n"


def test_code_of_a_rule_not_enabled_is_an_unsafe_removal(vault_dir, fixed):
    root = vault_dir({"n.md": "%% vaultlint-disable-next-line VL105 %%\n[[Gone/a]]\n"})
    vault = Vault.load(root)
    rules = [entry.cls() for code, entry in discover_rules().items() if code != "VL105"]
    finding = only([f for f in Linter(vault, rules).run(["n.md"]) if f.code == "VL002"])
    assert "VL105 (ambiguous-link): the rule is not enabled for this note" in finding.message
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(root, finding) == "[[Gone/a]]\n"


def test_per_file_ignored_rule_counts_as_not_enabled(vault_dir):
    root = vault_dir({"n.md": "%% vaultlint-disable-next-line VL101 %%\n[[Gone/a]]\n"})
    finding = only(vl002(root, ignored_for=lambda path: frozenset({"VL101"})))
    assert "not enabled for this note" in finding.message


def test_typo_is_reported_without_a_fix(vault_dir):
    root = vault_dir({"n.md": "%% vaultlint-disabel-next-line VL101 %%\n[[Gone/a]]\n"})
    finding = only(vl002(root))
    assert finding.message.startswith("'vaultlint-disabel-next-line' is not a vaultlint directive")
    assert finding.fix is None


def test_html_form_is_removed_too(vault_dir, fixed):
    root = vault_dir({**FILES, "n.md": "<!-- vaultlint-disable-next-line VL101 -->\n[[Attention]]"})
    assert fixed(root, only(vl002(root))) == "[[Attention]]"


def test_last_line_without_newline_and_crlf(vault_dir, fixed):
    root = vault_dir({**FILES, "n.md": "[[Attention]]\r\n%% vaultlint-disable VL101 %%"})
    assert fixed(root, only(vl002(root))) == "[[Attention]]"


@pytest.mark.parametrize(
    "prop, after",
    [
        ("vaultlint:\n  ignore: [VL101, VL105]\n", "vaultlint:\n  ignore: [VL101]\n"),
        ("vaultlint:\n  ignore: [VL105, VL101]\n", "vaultlint:\n  ignore: [VL101]\n"),
        ("vaultlint:\n  ignore:\n    - VL105\n    - VL101\n", "vaultlint:\n  ignore:\n    - VL101\n"),
        ("vaultlint:\n  ignore: ['VL105', \"VL101\"]\n", "vaultlint:\n  ignore: [\"VL101\"]\n"),
    ],
    ids=["flow-last", "flow-first", "block", "quoted"],
)
def test_property_code_is_removed_from_its_list(vault_dir, fixed, prop, after):
    root = vault_dir({"n.md": f"---\ntags: [x]\n{prop}---\n[[Gone/a]]\n"})
    finding = only(vl002(root))
    assert finding.message == "unused suppression of VL105 (ambiguous-link): nothing to suppress in this note"
    assert fixed(root, finding) == f"---\ntags: [x]\n{after}---\n[[Gone/a]]\n"


def test_property_with_nothing_left_is_removed(vault_dir, fixed):
    root = vault_dir({"n.md": "---\nvaultlint:\n  ignore: [VL105, VL103]\ntags: [x]\n---\nText\n"})
    finding = only(vl002(root))
    assert fixed(root, finding) == "---\ntags: [x]\n---\nText\n"


def test_malformed_property_is_reported_without_a_fix(vault_dir):
    root = vault_dir({"n.md": "---\nvaultlint: VL101\n---\n[[Gone/a]]\n"})
    finding = only(vl002(root))
    assert finding.message == "the vaultlint property must look like `vaultlint: {ignore: [CODE, ...]}`"
    assert (finding.line, finding.fix) == (2, None)
    assert [f.code for f in lint(root)] == ["VL002", "VL101"]  # and it suppresses nothing


def test_own_findings_are_hidden_only_by_naming_the_rule(vault_dir):
    unused = "%% vaultlint-disable-next-line VL101 %%\nText\n"
    named = vault_dir({"n.md": f"%% vaultlint-disable-next-line unused-suppression %%\n{unused}"})
    assert vl002(named) == []
    blanket = vault_dir({"m.md": f"%% vaultlint-disable-next-line %%\n{unused}"})
    assert [f.line for f in vl002(blanket)] == [1, 2]


def test_unused_own_suppression_is_reported(vault_dir):
    root = vault_dir({"n.md": "%% vaultlint-disable-next-line VL002 %%\nText\n"})
    assert only(vl002(root)).message == "unused suppression of VL002 (unused-suppression): nothing to suppress on line 2"


def test_fix_loop_removes_everything_unused_and_settles(vault_dir, fix_loop):
    text = (
        "%% vaultlint-disable-next-line VL101, VL999 %%\n[[Gone/a]]\n"
        "%% vaultlint-disable VL103 %%\nplain\n%% vaultlint-enable VL103 %%\n"
        "<!-- vaultlint-disable-line --> plain\n"
    )
    root = vault_dir({"n.md": text})
    first, second = fix_loop(root, None, unsafe=False)
    assert first.fixed["n.md"] == "%% vaultlint-disable-next-line VL101 %%\n[[Gone/a]]\nplain\nplain\n"
    assert second.fixed == {} and [f.code for f in second.remaining] == []
