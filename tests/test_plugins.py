"""Third-party rules load through the same entry-point group as the built-in ones."""

from __future__ import annotations

import textwrap

from click.testing import CliRunner

from vaultlint.cli import main
from vaultlint.registry import discover_rules

PLUGIN_SOURCE = '''
from vaultlint.rule import Rule
from vaultlint.diagnostics import Severity


class TodoLeft(Rule):
    """
    ## What it does
    Reports TODO markers.
    """

    code = "XT001"
    name = "todo-left"
    summary = "A TODO marker is left in a note"
    severity = Severity.WARNING

    def check(self, note, context):
        start = note.text.find("TODO")
        if start != -1:
            from vaultlint.source import Span
            yield self.finding(note, Span(start, start + 4), "TODO left in note")
'''


def install_plugin(tmp_path, monkeypatch):
    site = tmp_path / "site"
    package = site / "vaultlint_todo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(PLUGIN_SOURCE), encoding="utf-8")
    info = site / "vaultlint_todo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vaultlint-todo\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[vaultlint.rules]\nXT001 = vaultlint_todo:TodoLeft\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))


def test_external_plugin_is_discovered_beside_builtins(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch)
    rules = discover_rules()
    assert "XT001" in rules and rules["XT001"].distribution == "vaultlint-todo"
    assert "VL101" in rules  # built-ins come through the same group


def test_external_plugin_runs_from_the_cli(tmp_path, monkeypatch, vault_dir):
    install_plugin(tmp_path, monkeypatch)
    root = vault_dir({"a.md": "line\nTODO write this\n"})
    result = CliRunner().invoke(main, ["check", str(root), "--select", "XT001", "--output-format", "concise"])
    assert result.exit_code == 1, result.output
    assert "a.md:2:1: XT001 todo-left: TODO left in note" in result.output


def test_plugin_with_mismatched_code_is_a_clear_error(tmp_path, monkeypatch, vault_dir):
    install_plugin(tmp_path, monkeypatch)
    entry_points = tmp_path / "site" / "vaultlint_todo-0.1.dist-info" / "entry_points.txt"
    entry_points.write_text("[vaultlint.rules]\nXT002 = vaultlint_todo:TodoLeft\n", encoding="utf-8")
    root = vault_dir({"a.md": "x\n"})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 2
    assert "XT002" in result.output and "XT001" in result.output
