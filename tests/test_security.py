"""Nothing outside the vault root is read for resolution or written by a fix; configuration runs no code.

Reads are watched with an audit hook (``open`` events, PEP 578): while a run is
watched, opening any file under the folder next to the vault that holds the
"secrets" is recorded, and the test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

import vaultlint.cli as cli
from fixcheck import snapshot
from vaultlint.cli import main

_watched: dict[str, object] = {"folder": None, "opened": []}


def _audit(event: str, args: tuple) -> None:
    folder = _watched["folder"]
    if folder is None or event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.fsdecode(args[0])
    if os.path.abspath(path).startswith(folder):
        _watched["opened"].append(path)


sys.addaudithook(_audit)  # cannot be removed; does nothing unless a test watches a folder


@contextmanager
def no_file_opened_under(folder: Path):
    _watched["folder"], _watched["opened"] = str(folder.resolve()) + os.sep, []
    try:
        yield
    finally:
        _watched["folder"] = None
    assert _watched["opened"] == [], f"opened outside the vault: {_watched['opened']}"


def run(*args: str):
    result = CliRunner().invoke(main, [*args, "--isolated", "--no-progress"], catch_exceptions=False)
    assert "internal error" not in result.output, result.output
    return result


@pytest.fixture
def layout(tmp_path):
    """``outside/`` with a secret note and image, next to ``vault/``."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nthe only copy\n")
    (outside / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Sub").mkdir()
    return vault, outside


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_audit_hook_sees_reads(layout):
    """The watch is real: reading a file outside does get caught."""
    _vault, outside = layout
    with pytest.raises(AssertionError, match="opened outside the vault"):
        with no_file_opened_under(outside):
            (outside / "secret.md").read_bytes()


def test_links_that_climb_out_of_the_vault_are_reported_never_followed(layout):
    vault, outside = layout
    write(
        vault / "Sub" / "Note.md",
        "[[../../outside/secret]] [s](../../outside/secret.md) ![[../../outside/img.png]] ![i](../../outside/img.png)\n"
        "[[../../../../../../../../etc/passwd]] [p](../../../../../../../etc/passwd)\n",
    )
    before = snapshot(outside)
    with no_file_opened_under(outside):
        result = run("check", str(vault), "--output-format", "concise")
        fixed = run("fix", str(vault), "--unsafe-fixes", "--output-format", "concise")
    assert result.exit_code == 1
    assert result.output.count("its relative path climbs above the vault root") == 6
    assert fixed.output.count("its relative path climbs above the vault root") == 6  # nothing to repair them to
    assert snapshot(outside) == before


def test_a_climbing_link_is_repaired_only_to_a_file_inside_the_vault(layout):
    vault, outside = layout
    write(vault / "Sub" / "Note.md", "[[../../outside/secret]] and [s](../../outside/secret.md)\n")
    write(vault / "Keep" / "secret.md", "# Inside\n")
    with no_file_opened_under(outside):
        run("fix", str(vault))
    assert (vault / "Sub" / "Note.md").read_text() == "[[../Keep/secret]] and [s](../Keep/secret.md)\n"


def test_symlinks_that_lead_out_of_the_vault_are_not_followed(layout):
    vault, outside = layout
    (vault / "linked.md").symlink_to(outside / "secret.md")
    (vault / "linked-folder").symlink_to(outside, target_is_directory=True)
    (vault / "Sub" / "relative.md").symlink_to(Path("..") / ".." / "outside" / "secret.md")
    write(vault / "Note.md", "[[linked]] [[linked-folder/secret]] ![[linked-folder/img.png]] [[relative]]\n")
    before = snapshot(outside)
    with no_file_opened_under(outside):
        result = run("check", str(vault), "--output-format", "concise")
        run("fix", str(vault), "--unsafe-fixes")
    assert "vaultlint: warning: linked.md: symlink leads outside the vault; not followed" in result.output
    assert "vaultlint: warning: linked-folder: symlink leads outside the vault; not followed" in result.output
    assert "vaultlint: warning: Sub/relative.md: symlink leads outside the vault; not followed" in result.output
    assert "Found 4 findings in 1 of 1 notes checked" in result.output
    assert snapshot(outside) == before


def test_a_note_swapped_for_a_symlink_to_outside_is_not_written_through(layout, monkeypatch):
    vault, outside = layout
    write(vault / "Archive" / "Target.md", "# Target\n")
    write(vault / "Note.md", "[[Old/Target]]\n")
    (outside / "secret.md").write_text("[[Old/Target]]\n")  # the same bytes: the stale check cannot tell
    before = snapshot(outside)
    real = cli.fix_notes

    def fix_then_swap(*args, **kwargs):
        result = real(*args, **kwargs)
        (vault / "Note.md").unlink()
        (vault / "Note.md").symlink_to(outside / "secret.md")
        return result

    monkeypatch.setattr(cli, "fix_notes", fix_then_swap)
    result = run("fix", str(vault))
    assert snapshot(outside) == before
    assert (vault / "Note.md").is_symlink()
    assert "Note.md: a symbolic link; not written" in result.output


def test_paths_outside_the_vault_root_are_refused(layout):
    vault, outside = layout
    write(vault / "Note.md", "[[x]]\n")
    result = run("check", str(outside / "secret.md"), "--vault-root", str(vault))
    assert result.exit_code == 2
    assert "outside the vault root" in result.output


# --- configuration runs no code ---------------------------------------------------------

PROBE = """
import pathlib
pathlib.Path(__file__).with_name("PWNED").write_text("code ran")
from vaultlint.rule import Rule

class Probe(Rule):
    code, name, summary = "XT999", "probe", "must never load"

    def check(self, note, context):
        return []
"""


@pytest.fixture
def probe_vault(tmp_path):
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Note.md").write_text("[[Nowhere]]\n")
    (vault / "vaultlint_probe.py").write_text(PROBE)
    return vault


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('plugins = ["vaultlint_probe:Probe"]\n', "plugins: unknown key"),
        ('select = ["vaultlint_probe:Probe"]\n', "unknown rule or prefix 'vaultlint_probe:Probe'"),
        ('extend-select = ["XT999"]\n', "unknown rule or prefix 'XT999'"),
        ('[rules."vaultlint_probe:Probe"]\nenabled = true\n', "unknown rule 'vaultlint_probe:Probe'"),
        ('[rules.VL101]\ncheck-comments = "__import__(\'os\').system(\'touch PWNED\')"\n', "expected a boolean, got a string"),
        ('[tool.vaultlint]\nplugins = ["vaultlint_probe"]\n', "tool: unknown key"),
    ],
    ids=["plugins-key", "select-import-path", "uninstalled-code", "rules-import-path", "option-expression", "nested-table"],
)
def test_configuration_cannot_load_code(probe_vault, config, message):
    (probe_vault / ".vaultlint.toml").write_text(config)
    result = CliRunner().invoke(main, ["check", str(probe_vault), "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 2
    assert message in result.output
    assert not (probe_vault / "PWNED").exists()
    assert "vaultlint_probe" not in sys.modules


def test_rule_options_on_the_command_line_are_values_not_code(probe_vault):
    result = run("check", str(probe_vault), "--rule-option", "VL101.check-comments=__import__('vaultlint_probe')")
    assert result.exit_code == 2
    assert not (probe_vault / "PWNED").exists()
    assert "vaultlint_probe" not in sys.modules


def test_an_entry_point_declared_inside_the_vault_is_not_loaded(probe_vault):
    """Only installed distributions add rules: metadata lying in the vault (the working folder) does not."""
    executable = shutil.which("vaultlint", path=str(Path(sys.executable).parent)) or shutil.which("vaultlint")
    if executable is None:
        pytest.skip("the vaultlint console script is not installed")
    dist = probe_vault / "vaultlint_probe-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: vaultlint-probe\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[vaultlint.rules]\nXT999 = vaultlint_probe:Probe\n")
    (probe_vault / "pyproject.toml").write_text('[project]\nname = "p"\n[project.entry-points."vaultlint.rules"]\nXT999 = "vaultlint_probe:Probe"\n')
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONSTARTUP")}
    listed = subprocess.run([executable, "rules"], cwd=probe_vault, env=env, capture_output=True, text=True, timeout=120)
    checked = subprocess.run([executable, "check", ".", "--isolated"], cwd=probe_vault, env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "VL101" in listed.stdout and "XT999" not in listed.stdout
    assert checked.returncode == 1, checked.stderr
    assert "XT999" not in checked.stdout
    assert not (probe_vault / "PWNED").exists()
