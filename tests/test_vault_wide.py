"""Vault-wide rules: the check_vault hook, opt-in rules, file moves in the fixer and the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultlint.cli import main
from vaultlint.config import CommandLine, resolve_settings
from vaultlint.diagnostics import Applicability, Edit, FileMove, Fix
from vaultlint.engine import Linter, RuleCrash
from vaultlint.fixer import MoveError, fix_notes, move_diff, move_file
from vaultlint.registry import discover_rules, enabled_codes, enables, select_rules
from vaultlint.rule import Rule
from vaultlint.source import Span
from vaultlint.vault import Vault

PNG = b"\x89PNG\r\n\x1a\n"
ORPHAN = "Attachments/orphan.png"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def cleanup_vault(vault_dir):
    return vault_dir({
        ORPHAN: PNG,
        "Attachments/used.png": PNG,
        "Notes/A.md": "![[used.png]]\n",
        "Notes/Empty.md": "---\ntags: [x]\n---\n",
    })


# --- opt-in rules -------------------------------------------------------------------------


def codes(root: Path, **cli) -> set[str]:
    settings = resolve_settings(root, CommandLine(isolated=cli.pop("isolated", True), **cli), discover_rules())
    return {rule.code for rule in settings.rules}


@pytest.mark.parametrize(
    "cli, on",
    [
        ({}, set()),
        ({"select": ["ALL"]}, set()),
        ({"select": ["VL4"]}, set()),  # a prefix does not name an opt-in rule
        ({"select": ["VL401"]}, {"VL401"}),
        ({"select": ["vl401", "empty-note"]}, {"VL401", "VL402"}),
        ({"extend_select": ["orphan-attachment"]}, {"VL401"}),
        ({"select": ["VL401", "VL402"], "ignore": ["VL4"]}, set()),  # ignore wins
    ],
)
def test_opt_in_rules_run_only_when_named(tmp_path, cli, on):
    (tmp_path / ".obsidian").mkdir()
    found = codes(tmp_path, **cli)
    assert found & {"VL401", "VL402"} == on
    if "select" not in cli or cli["select"] in (["ALL"], ["VL4"]):
        assert "VL403" in found  # an online rule is on by default (it does nothing offline)


def test_opt_in_rules_from_the_configuration_file(tmp_path):
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".vaultlint.toml").write_text('extend-select = ["VL401"]\n[rules.orphan-attachment]\nignore-folders = ["Templates"]\n', encoding="utf-8")
    settings = resolve_settings(tmp_path, CommandLine(), discover_rules())
    [rule] = [rule for rule in settings.rules if rule.code == "VL401"]
    assert rule.option("ignore-folders") == ("Templates",)
    assert "VL402" not in settings.enabled


def test_registry_selection_honours_default_enabled():
    available = discover_rules()
    default = {cls.code for cls in select_rules(available, None, [])}
    assert "VL401" not in default and "VL402" not in default and "VL101" in default
    assert {cls.code for cls in select_rules(available, ["VL4"], [])} == {"VL403"}
    assert {cls.code for cls in select_rules(available, ["VL1"], [], ["VL401"])} >= {"VL101", "VL401"}
    assert enables(available["VL401"].cls, " orphan-attachment ") and not enables(available["VL401"].cls, "ALL")
    assert enabled_codes(available, None) == {code for code in available if code not in ("VL401", "VL402")}


def test_a_default_check_does_not_run_them(vault_dir):
    root = cleanup_vault(vault_dir)
    result = run("check", str(root), "--output-format", "concise")
    assert result.exit_code == 0, result.output
    chosen = run("check", str(root), "--select", "VL401,VL402", "--output-format", "concise")
    assert chosen.exit_code == 1
    locations = [line.split(": ")[0] for line in chosen.output.splitlines() if ": VL40" in line]
    assert len(locations) == 2
    assert locations[0].endswith(f"/{ORPHAN}:1:1") and locations[1].endswith("/Notes/Empty.md:1:1")
    assert "Found 2 findings in 1 of 2 notes checked and 1 other file:" in chosen.output


# --- the engine's hook ----------------------------------------------------------------------


class Counting(Rule):
    """A vault-wide test rule: reports every file whose name starts with 'x', on any path."""

    code, name, summary = "XT901", "x-files", "test"

    def __init__(self, **settings):
        super().__init__(**settings)
        self.calls = 0

    def check(self, note, context):
        return ()

    def check_vault(self, context):
        self.calls += 1
        for path in context.vault.files:
            if path.rsplit("/", 1)[-1].startswith("x"):
                yield self.file_finding(path, "an x file", Fix.move("Move away", path, ".trash/" + path, Applicability.UNSAFE))


def test_check_vault_runs_once_per_run_and_sees_the_checked_notes(vault_dir):
    root = vault_dir({"a.md": "a\n", "b.md": "b\n", "x.png": PNG, "sub/x.md": "x\n"})
    vault = Vault.load(root)
    rule = Counting()
    linter = Linter(vault, [rule])
    findings = linter.run(["a.md", "b.md"])
    assert rule.calls == 1 and linter.context.checked == ("a.md", "b.md")
    # A finding on a note is kept only when that note is checked; on another file, always (no scope).
    assert [f.path for f in findings] == ["x.png"]
    assert [f.path for f in linter.run(sorted(vault.notes))] == ["sub/x.md", "x.png"]
    assert rule.calls == 2


def test_scope_per_file_ignores_and_suppressions_apply(vault_dir):
    root = vault_dir({"x.md": "%% vaultlint-disable-line XT901 %%\n", "keep/x.png": PNG, "drop/x.png": PNG, "ign/x.png": PNG})
    vault = Vault.load(root)
    linter = Linter(
        vault,
        [Counting()],
        scope=lambda path: not path.startswith("drop/"),
        ignored_for=lambda path: frozenset({"XT901"}) if path.startswith("ign/") else frozenset(),
        fixable=lambda code: False,
    )
    findings = linter.run(sorted(vault.notes))
    assert [(f.path, f.fix) for f in findings] == [("keep/x.png", None)]  # unfixable: fix dropped


def test_a_crash_in_check_vault_names_the_rule(vault_dir):
    class Crashing(Counting):
        def check_vault(self, context):
            raise KeyError("boom")

    root = vault_dir({"a.md": "a\n"})
    with pytest.raises(RuleCrash, match="XT901 \\(x-files\\) failed on the vault as a whole: KeyError"):
        Linter(Vault.load(root), [Crashing()]).run(["a.md"])


# --- fixes that move files -------------------------------------------------------------------


def test_a_fix_moves_or_edits_never_both_and_a_move_is_never_safe():
    with pytest.raises(ValueError, match="never a safe fix"):
        Fix("t", (), Applicability.SAFE, (FileMove("a.png", ".trash/a.png"),))
    with pytest.raises(ValueError, match="not both"):
        Fix("t", (Edit(Span(0, 1), "x"),), Applicability.UNSAFE, (FileMove("a.png", ".trash/a.png"),))
    fix = Fix.move("Move", "a.png", ".trash/a.png")
    assert fix.applicability is Applicability.UNSAFE and fix.edits == ()


class AddsLink(Rule):
    """A test rule whose safe fix adds an embed of x.png to a.md."""

    code, name, summary = "XT902", "adds-link", "test"

    def check(self, note, context):
        if note.path == "a.md" and "x.png" not in note.text:
            yield self.finding(note, Span(0, 0), "wants x.png", Fix.replace("add", Span(0, 0), "![[x.png]]\n"))


def test_moves_are_planned_only_after_the_text_fixes_settle(vault_dir):
    root = vault_dir({"a.md": "text\n", "x.png": PNG})
    orphan = discover_rules()["VL401"].cls()
    vault = Vault.load(root)
    assert [f.code for f in Linter(vault, [orphan, AddsLink()]).run(["a.md"])] == ["XT902", "VL401"]
    result = fix_notes(Linter(vault, [orphan, AddsLink()]), ["a.md"], unsafe=True)
    assert result.fixed == {"a.md": "![[x.png]]\ntext\n"}
    assert result.moves == []  # x.png is referenced once the text fix is in
    assert result.remaining == []


def test_moves_never_share_a_path_nor_land_on_an_existing_file(vault_dir):
    class Twice(Counting):
        def check_vault(self, context):
            yield self.file_finding("x1.png", "one", Fix.move("m", "x1.png", ".trash/same.png"))
            yield self.file_finding("x2.png", "two", Fix.move("m", "x2.png", ".trash/same.png"))
            yield self.file_finding("x3.png", "three", Fix.move("m", "x3.png", "taken.png"))

    root = vault_dir({"a.md": "a\n", "x1.png": PNG, "x2.png": PNG, "x3.png": PNG, "taken.png": PNG})
    result = fix_notes(Linter(Vault.load(root), [Twice()]), ["a.md"], unsafe=True)
    assert result.moves == [FileMove("x1.png", ".trash/same.png")]
    assert sorted(f.path for f in result.remaining) == ["x2.png", "x3.png"]


def test_move_file_moves_within_the_vault(tmp_path):
    root = tmp_path / "v"
    (root / "Attachments").mkdir(parents=True)
    source = root / ORPHAN
    source.write_bytes(PNG)
    os.chmod(source, 0o640)
    move_file(root, FileMove(ORPHAN, ".trash/" + ORPHAN))
    moved = root / ".trash" / ORPHAN
    assert not source.exists() and moved.read_bytes() == PNG and (moved.stat().st_mode & 0o777) == 0o640


def test_move_file_never_overwrites(tmp_path):
    root = tmp_path / "v"
    (root / ".trash" / "Attachments").mkdir(parents=True)
    (root / "Attachments").mkdir()
    (root / ORPHAN).write_bytes(PNG)
    (root / ".trash" / ORPHAN).write_bytes(b"older")
    with pytest.raises(MoveError, match="already exists"):
        move_file(root, FileMove(ORPHAN, ".trash/" + ORPHAN))
    assert (root / ORPHAN).read_bytes() == PNG and (root / ".trash" / ORPHAN).read_bytes() == b"older"


def test_move_file_never_leaves_the_vault(tmp_path):
    root = tmp_path / "v"
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "Attachments").mkdir(parents=True)
    (root / ORPHAN).write_bytes(PNG)
    (root / ".trash").symlink_to(outside, target_is_directory=True)
    with pytest.raises(MoveError, match="would leave the vault"):
        move_file(root, FileMove(ORPHAN, ".trash/" + ORPHAN))
    assert list(outside.iterdir()) == [] and (root / ORPHAN).exists()
    for bad in ("../escape.png", "/etc/x.png", "a/./b.png", "a//b.png"):
        with pytest.raises(MoveError, match="not a plain path"):
            move_file(root, FileMove(ORPHAN, bad))
        with pytest.raises(MoveError, match="not a plain path"):
            move_file(root, FileMove(bad, ".trash/x.png"))


def test_move_file_when_the_source_is_gone(tmp_path):
    root = tmp_path / "v"
    root.mkdir()
    with pytest.raises(MoveError, match="no longer exists"):
        move_file(root, FileMove(ORPHAN, ".trash/" + ORPHAN))
    assert not (root / ".trash").exists()


def test_move_file_moves_a_symlink_as_a_link(tmp_path):
    root = tmp_path / "v"
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.png").write_bytes(PNG)
    (root / "link.png").symlink_to(root / "real" / "a.png")
    move_file(root, FileMove("link.png", ".trash/link.png"))
    moved = root / ".trash" / "link.png"
    assert moved.is_symlink() and moved.read_bytes() == PNG and (root / "real" / "a.png").exists()


def test_move_diff_is_a_git_rename():
    assert move_diff(FileMove("A/x y.png", ".trash/A/x y.png")) == (
        "diff --git a/A/x y.png b/.trash/A/x y.png\nsimilarity index 100%\nrename from A/x y.png\nrename to .trash/A/x y.png\n"
    )


# --- the command line ---------------------------------------------------------------------------


def test_fix_diff_shows_the_move_as_a_rename_and_moves_nothing(vault_dir):
    root = cleanup_vault(vault_dir)
    result = CliRunner().invoke(main, ["fix", str(root), "--select", "VL401", "--unsafe-fixes", "--diff"])
    assert result.exit_code == 1
    assert f"rename from {ORPHAN}\nrename to .trash/{ORPHAN}\n" in result.stdout
    assert "Would fix 1 finding in 1 file." in result.stderr
    assert (root / ORPHAN).exists() and not (root / ".trash").exists()
    safe = CliRunner().invoke(main, ["fix", str(root), "--select", "VL401", "--diff"])
    assert "rename" not in safe.stdout and "Would fix 0 findings in 0 files." in safe.stderr


def test_fix_with_unsafe_fixes_moves_to_the_trash(vault_dir):
    root = cleanup_vault(vault_dir)
    plain = CliRunner().invoke(main, ["fix", str(root), "--select", "VL401"])
    assert plain.exit_code == 1 and (root / ORPHAN).exists()  # an unsafe fix: not without --unsafe-fixes
    result = CliRunner().invoke(main, ["fix", str(root), "--select", "VL401", "--unsafe-fixes", "--exit-non-zero-on-fix", "--show-fixes"])
    assert result.exit_code == 1, result.output
    assert not (root / ORPHAN).exists() and (root / ".trash" / ORPHAN).read_bytes() == PNG
    assert f"{ORPHAN}:" in result.stderr and "1 × VL401 (orphan-attachment)" in result.stderr
    again = CliRunner().invoke(main, ["check", str(root), "--select", "VL401"])
    assert again.exit_code == 0, again.output


def test_a_move_that_fails_at_the_last_moment_is_a_warning(vault_dir, monkeypatch):
    root = cleanup_vault(vault_dir)
    import vaultlint.cli as cli

    real = cli.move_file

    def racing(vault_root, move):
        target = Path(vault_root).joinpath(*move.destination.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"appeared meanwhile")
        return real(vault_root, move)

    monkeypatch.setattr(cli, "move_file", racing)
    result = CliRunner().invoke(main, ["fix", str(root), "--select", "VL401", "--unsafe-fixes"])
    assert "vaultlint: warning: Attachments/orphan.png: .trash/Attachments/orphan.png already exists; not moved" in result.stderr
    assert (root / ORPHAN).read_bytes() == PNG and (root / ".trash" / ORPHAN).read_bytes() == b"appeared meanwhile"


def test_only_files_within_the_paths_given_are_reported(vault_dir):
    root = cleanup_vault(vault_dir)
    (root / "Other").mkdir()
    (root / "Other" / "stray.pdf").write_bytes(b"%PDF")

    def reported(*args):
        result = run("check", *args, "--select", "VL401", "--output-format", "json")
        return sorted(f["path"] for f in json.loads(result.output)["findings"])

    assert reported(str(root)) == [ORPHAN, "Other/stray.pdf"]
    assert reported(str(root / "Notes")) == []
    assert reported(str(root / "Attachments")) == [ORPHAN]
    assert reported(str(root / ORPHAN), "--vault-root", str(root)) == [ORPHAN]
    assert reported(str(root), "--extend-exclude", "Other/") == [ORPHAN]
    (root / ".vaultlint.toml").write_text('[per-file-ignores]\n"Attachments/**" = ["orphan-attachment"]\n', encoding="utf-8")
    assert reported(str(root)) == ["Other/stray.pdf"]


def test_output_formats_cope_with_a_finding_on_an_attachment(vault_dir):
    root = cleanup_vault(vault_dir)
    base = ["check", str(root), "--select", "VL401"]
    document = json.loads(run(*base, "--output-format", "json").output)
    [finding] = document["findings"]
    assert finding["path"] == ORPHAN and finding["location"] == {"line": 1, "column": 1}
    assert finding["fix"] == {"title": f"Move to .trash/{ORPHAN}", "applicability": "unsafe", "edits": [], "moves": [{"from": ORPHAN, "to": f".trash/{ORPHAN}"}]}
    sarif = json.loads(run(*base, "--output-format", "sarif").output)
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "VL401" and "fixes" not in result  # SARIF has no file moves
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("Attachments/orphan.png")
    full = run(*base).output
    assert f"{ORPHAN}:1:1: VL401 orphan-attachment: attachment referenced by no note, canvas or base [unsafe fix]" in full
    assert f"= fix (unsafe): Move to .trash/{ORPHAN}" in full and " | " not in full  # no source line for an image
    for output_format in ("concise", "grouped", "github", "junit"):
        result = run(*base, "--output-format", output_format)
        assert result.exit_code == 1 and "orphan.png" in result.output, output_format
    statistics = run(*base, "--statistics")
    assert "1  VL401" in statistics.output


# --- the example vault ------------------------------------------------------------------------


def test_example_vault_has_one_orphan_and_one_empty_note(tmp_path):
    import shutil

    example = Path(__file__).resolve().parent.parent / "examples" / "research-vault"
    root = tmp_path / "research-vault"
    shutil.copytree(example, root, ignore=shutil.ignore_patterns(".vaultlint_cache"))
    result = run("check", str(root), "--select", "VL401,VL402", "--output-format", "json", "--no-cache")
    findings = [(f["path"], f["location"]["line"], f["location"]["column"], f["code"]) for f in json.loads(result.output)["findings"]]
    assert findings == [
        ("Attachments/Pasted image 20240415093012.png", 1, 1, "VL401"),
        ("Inbox/Untitled.md", 1, 1, "VL402"),
    ]
    default = json.loads(run("check", str(root), "--output-format", "json", "--no-cache").output)
    assert not [f for f in default["findings"] if f["code"].startswith("VL40")]
    moved = CliRunner().invoke(main, ["fix", str(root), "--select", "VL401", "--unsafe-fixes", "--no-cache"])
    assert moved.exit_code == 0, moved.output
    assert (root / ".trash" / "Attachments" / "Pasted image 20240415093012.png").is_file()
    assert not (root / "Attachments" / "Pasted image 20240415093012.png").exists()
