"""The pre-commit hooks, run by the real pre-commit against a temporary git repository.

pre-commit installs the hook repository (a snapshot of this working tree, so
uncommitted work is what is tested) into its own virtualenv with pip, which needs
the package index; pre-commit's home lives in the test's temporary folder and is
shared by the tests of this module, so the environment is built once.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultlint.cli import main

PROJECT = Path(__file__).resolve().parents[1]
SKIP_NAMES = {".git", ".venv", "venv", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis", "build", "dist", ".vaultlint_cache", ".mypy_cache", ".ruff_cache"}
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "vaultlint tests",
    "GIT_AUTHOR_EMAIL": "tests@vaultlint.invalid",
    "GIT_COMMITTER_NAME": "vaultlint tests",
    "GIT_COMMITTER_EMAIL": "tests@vaultlint.invalid",
}

needs_pre_commit = [
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed (pip install '.[test]')"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_IDENTITY})


def ignore(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name in SKIP_NAMES or name.endswith(".egg-info")]


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory):
    """``pre_commit(vault_repo, hook_id)``: run a hook of this working tree on every file."""
    hook_repo = tmp_path_factory.mktemp("hook-repo") / "vaultlint"
    shutil.copytree(PROJECT, hook_repo, ignore=ignore, symlinks=True)
    git(hook_repo, "init", "-q")
    git(hook_repo, "add", "-A")
    git(hook_repo, "commit", "-q", "-m", "snapshot of the working tree")
    home = tmp_path_factory.mktemp("pre-commit-home")
    environment = {key: value for key, value in os.environ.items() if key not in ("PRE_COMMIT", "VIRTUAL_ENV")}
    environment.update(GIT_IDENTITY, PRE_COMMIT_HOME=str(home))

    def run(vault_repo: Path, hook: str) -> subprocess.CompletedProcess:
        git(vault_repo, "add", "-A")
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--all-files", "--color", "never", "--verbose"],
            cwd=vault_repo,
            env=environment,
            capture_output=True,
            text=True,
            timeout=900,
        )

    return run


def make_repo(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    git(folder, "init", "-q")
    for name, text in {".obsidian/app.json": "{}\n", **files}.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


class TestRealPreCommit:
    pytestmark = needs_pre_commit

    def test_check_hook_fails_on_a_broken_link_and_passes_once_fixed(self, pre_commit, tmp_path):
        repo = make_repo(tmp_path / "notes", {"Index.md": "# Index\n\nSee [[Papers/Attenton]].\n", "Papers/Attention.md": "# Attention\n"})
        failed = pre_commit(repo, "vaultlint")
        output = failed.stdout + failed.stderr
        assert failed.returncode == 1, output
        assert "Failed" in output and "Index.md:3:7: VL101 unresolved-link" in output
        (repo / "Index.md").write_text("# Index\n\nSee [[Papers/Attention]].\n", encoding="utf-8")
        passed = pre_commit(repo, "vaultlint")
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "Passed" in passed.stdout

    def test_fix_hook_repairs_and_reports_changed_files(self, pre_commit, tmp_path):
        repo = make_repo(tmp_path / "notes", {"Index.md": "See [[Drafts/Attention]].\n", "Archive/Attention.md": "# Attention\n"})
        fixed = pre_commit(repo, "vaultlint-fix")
        output = fixed.stdout + fixed.stderr
        assert fixed.returncode == 1, output
        assert "Fixed 1 finding in 1 file." in output
        assert "files were modified by this hook" in output
        assert (repo / "Index.md").read_text(encoding="utf-8") == "See [[Archive/Attention]].\n"
        again = pre_commit(repo, "vaultlint-fix")
        assert again.returncode == 0, again.stdout + again.stderr


def test_hook_definitions(tmp_path, monkeypatch):
    from ruamel.yaml import YAML

    hooks = {hook["id"]: hook for hook in YAML(typ="safe").load((PROJECT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"vaultlint", "vaultlint-fix"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["types"] == ["markdown"] and hook["require_serial"] is True
    assert hooks["vaultlint"]["entry"] == "vaultlint check"
    assert hooks["vaultlint-fix"]["entry"] == "vaultlint fix --exit-non-zero-on-fix"
    # Each entry, given file names as pre-commit does, is a valid command line.
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "a.md").write_text("[[Old/b]]\n")
    (tmp_path / "New").mkdir()
    (tmp_path / "New" / "b.md").write_text("# B\n")
    check = CliRunner().invoke(main, [*hooks["vaultlint"]["entry"].split()[1:], "a.md", "New/b.md"])
    assert check.exit_code == 1 and "VL101" in check.output
    fix = CliRunner().invoke(main, [*hooks["vaultlint-fix"]["entry"].split()[1:], "a.md", "New/b.md"])
    assert fix.exit_code == 1 and (tmp_path / "a.md").read_text() == "[[New/b]]\n"


def test_files_from_several_folders_without_obsidian_folder(tmp_path, monkeypatch):
    """pre-commit passes file names; the vault root is their common folder when there is no .obsidian/."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Papers").mkdir()
    (tmp_path / "Papers" / "Attention.md").write_text("[[Index]]\n")
    (tmp_path / "Index.md").write_text("[[Attention]] [[Gone/x]]\n")
    result = CliRunner().invoke(main, ["check", "Papers/Attention.md", "Index.md", "--output-format", "concise"])
    assert result.exit_code == 1, result.output
    assert "Index.md:1:17: VL101" in result.output and "2 notes checked" in result.output
