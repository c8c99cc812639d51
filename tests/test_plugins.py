"""Third-party rules load through the same entry-point group as the built-in ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from vaultlint.cli import main
from vaultlint.registry import discover_rules, installed_entry_points, plugins_file

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


# --- the entry points kept between runs ---------------------------------------------


def _bump(path, seconds=5):
    """Move a file's or folder's time on, as a later install would."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 10**9))


def test_kept_entry_points_are_taken_while_the_import_path_is_unchanged(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch)
    cache = tmp_path / "cache"
    first = installed_entry_points(cache)
    assert plugins_file(cache).is_file()
    assert installed_entry_points(cache) == first
    kept = json.loads(plugins_file(cache).read_text())
    assert ["XT001", "vaultlint_todo:TodoLeft", "vaultlint-todo"] in kept["entry_points"]


def test_a_run_with_kept_entry_points_does_not_import_importlib_metadata(tmp_path):
    cache = tmp_path / "cache"
    elsewhere = tmp_path / "elsewhere"  # the working folder is on the import path (-c): not the cache's parent
    elsewhere.mkdir()
    script = (
        "import sys\nfrom pathlib import Path\nfrom vaultlint.registry import discover_rules\n"
        f"rules = discover_rules(Path({str(cache)!r}))\n"
        "print(len(rules), 'importlib.metadata' in sys.modules)\n"
    )
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=elsewhere, check=True)
    second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=elsewhere, check=True)
    count = first.stdout.split()[0]
    assert first.stdout.split() == [count, "True"]
    assert second.stdout.split() == [count, "False"]


def test_a_distribution_installed_into_a_folder_of_the_import_path_is_found(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    cache = tmp_path / "cache"
    assert "XT001" not in discover_rules(cache)
    install_plugin(tmp_path, monkeypatch)
    _bump(site)  # the install may land within the folder time's resolution
    assert discover_rules(cache)["XT001"].distribution == "vaultlint-todo"


def test_an_entry_point_file_rewritten_in_place_is_read_again(tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch)
    cache = tmp_path / "cache"
    assert "XT001" in discover_rules(cache)
    entry_points = tmp_path / "site" / "vaultlint_todo-0.1.dist-info" / "entry_points.txt"
    entry_points.write_text("[vaultlint.rules]\n", encoding="utf-8")
    _bump(entry_points)
    assert "XT001" not in discover_rules(cache)


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"key": 1}', b'{"key": null, "entry_points": [[1, 2, 3]]}'])
def test_a_damaged_plugins_file_means_looking_again(tmp_path, monkeypatch, damage):
    install_plugin(tmp_path, monkeypatch)
    cache = tmp_path / "cache"
    cache.mkdir()
    plugins_file(cache).write_bytes(damage)
    assert "XT001" in discover_rules(cache)
    assert "XT001" in discover_rules(cache)  # from the file written again


def test_kept_entry_points_of_another_import_path_are_not_taken(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    assert "XT001" not in discover_rules(cache)
    install_plugin(tmp_path, monkeypatch)  # a folder prepended to the import path
    assert "XT001" in discover_rules(cache)


def test_check_keeps_the_entry_points_in_the_cache_folder_only_with_the_cache(tmp_path, monkeypatch, vault_dir):
    install_plugin(tmp_path, monkeypatch)
    root = vault_dir({"a.md": "TODO\n"})
    uncached = CliRunner().invoke(main, ["check", str(root), "--select", "XT001", "--no-cache"])
    assert uncached.exit_code == 1 and not (root / ".vaultlint_cache").exists()
    for _ in range(2):
        result = CliRunner().invoke(main, ["check", str(root), "--select", "XT001", "--output-format", "concise"])
        assert result.exit_code == 1 and "XT001" in result.output
    assert plugins_file(root / ".vaultlint_cache").is_file()


def test_each_python_environment_keeps_its_own_entry_points(tmp_path, monkeypatch):
    """pre-commit's environment and a user's may check one vault in turn."""
    cache = tmp_path / "cache"
    mine = plugins_file(cache)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "other-env"))
    assert plugins_file(cache) != mine and plugins_file(cache).parent == cache
