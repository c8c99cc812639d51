"""Fix safety: a fix changes only what it fixes, settles, keeps bytes, modes and times, and writes atomically.

The property tests build small vaults (wikilinks, embeds, Markdown links and
images, headings, block ids, tables, callouts, properties, comments, code, math,
odd names), break links by moving files, run the fix pipeline and check every
property in ``fixcheck.fix_and_check``. The example tests pin each property on a
case small enough to read.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vaultlint.cli as cli
import vaultlint.fixer as fixer
from fixcheck import changes_only_inside, fix_and_check, snapshot
from vaultgen import structured_vault
from vaultlint.cli import main
from vaultlint.fixer import StaleFileError, write_note
from vaultlint.source import Span

PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def run(*args: str):
    return CliRunner().invoke(main, [*args, "--isolated", "--no-progress"], catch_exceptions=False)


def write(root: Path, files: dict[str, bytes | str]) -> Path:
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        path = root.joinpath(*relative.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def temporaries(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.name.endswith(".vaultlint-tmp")]


class OsInFixer:
    """The ``os`` module as ``vaultlint.fixer`` sees it, with some functions replaced.

    Only the fixer is affected, not the parse cache or anything else that writes.
    """

    def __init__(self, **replaced) -> None:
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(os, name)


# --- properties over generated vaults ----------------------------------------------


@PROPERTY_SETTINGS
@given(st.randoms(use_true_random=False))
def test_safe_fixes_on_generated_vaults(rng):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        structured_vault(rng).write(root)
        fix_and_check(root, unsafe=False)


@PROPERTY_SETTINGS
@given(st.randoms(use_true_random=False))
def test_unsafe_fixes_on_generated_vaults(rng):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        structured_vault(rng).write(root)
        fix_and_check(root, unsafe=True)


def test_generated_vaults_do_get_fixed():
    """The generator is worth its time: most vaults have fixes, and they are applied."""
    import random

    applied = 0
    for seed in range(12):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "vault"
            structured_vault(random.Random(seed)).write(root)
            applied += fix_and_check(root, unsafe=False).files_written > 0
    assert applied >= 8


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.randoms(use_true_random=False))
def test_cli_fix_twice_changes_nothing_the_second_time(rng):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        structured_vault(rng).write(root)
        before = snapshot(root)
        first = run("fix", str(root), "--output-format", "concise")
        assert first.exit_code in (0, 1), first.output
        middle = snapshot(root)
        assert set(middle) == set(before)
        for path, state in before.items():
            if middle[path].data == state.data:
                assert middle[path] == state, f"{path}: unchanged bytes, yet mode or mtime changed"
            else:
                assert middle[path].mode == state.mode
        second = run("fix", str(root), "--output-format", "concise")
        assert second.exit_code in (0, 1), second.output
        assert snapshot(root) == middle
        assert "Fixed 0 findings in 0 files." in second.output
        report = json.loads(run("check", str(root), "--output-format", "json").output)
        assert [f for f in report["findings"] if f["fix"] and f["fix"]["applicability"] == "safe"] == []


def test_changes_only_inside_detects_a_stray_change():
    text = "a [[x]] b\r\nc [[y]]\n"
    spans = [Span(4, 5), Span(15, 16)]
    assert changes_only_inside(text, "a [[X/x]] b\r\nc [[Y]]\n", spans)
    assert not changes_only_inside(text, "a [[X/x]] b\nc [[Y]]\n", spans)  # CRLF lost
    assert not changes_only_inside(text, "a [[x]] b\r\nc [[y]]", spans)  # final newline lost
    assert not changes_only_inside(text, "A [[x]] b\r\nc [[y]]\n", spans)


# --- line endings, BOM, encoding, mode, mtime --------------------------------------


MOVED = {"Archive/Target.md": "# Target\n\n## Part two\n"}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"a [[Old/Target]]\nb\n", b"a [[Archive/Target]]\nb\n"),
        (b"a [[Old/Target]]\r\nb\r\n", b"a [[Archive/Target]]\r\nb\r\n"),
        (b"a [[Target.md]]\r\nb\nc [t](Old/Target.md#Part%20two)\r\n\n", b"a [[Target.md]]\r\nb\nc [t](Archive/Target.md#Part%20two)\r\n\n"),
        (b"\xef\xbb\xbfa [[Old/Target]]\r\n", b"\xef\xbb\xbfa [[Archive/Target]]\r\n"),
        (b"no final newline [[Old/Target]]", b"no final newline [[Archive/Target]]"),
        (b"tabs\t[[Old/Target]]\t \r\r\n", b"tabs\t[[Archive/Target]]\t \r\r\n"),
        ("caf\u00e9 \u4e2d\u6587 [[Old/Target|\U0001f600]]\n".encode(), "caf\u00e9 \u4e2d\u6587 [[Archive/Target|\U0001f600]]\n".encode()),
    ],
    ids=["lf", "crlf", "mixed", "bom", "no-final-newline", "lone-cr", "non-ascii"],
)
def test_fix_keeps_line_endings_bom_and_encoding(tmp_path, before, after):
    root = write(tmp_path / "v", {**MOVED, "Note.md": before})
    result = run("fix", str(root))
    assert (root / "Note.md").read_bytes() == after, result.output
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
def test_fix_keeps_the_file_mode(tmp_path, mode):
    root = write(tmp_path / "v", {**MOVED, "Note.md": "[[Old/Target]]\n"})
    os.chmod(root / "Note.md", mode)
    run("fix", str(root))
    assert (root / "Note.md").read_text() == "[[Archive/Target]]\n"
    assert (root / "Note.md").stat().st_mode & 0o7777 == mode


def test_files_with_nothing_to_fix_keep_bytes_and_mtime(tmp_path):
    root = write(
        tmp_path / "v",
        {
            **MOVED,
            "Fixed.md": "[[Old/Target]]\n",
            "Clean.md": "[[Target]] and [[Target#Part two]]\r\n",
            "Unfixable.md": "[[Nowhere at all]] [[Target#No such part]]\n",
            "Empty.md": b"",
        },
    )
    old = 1_000_000_000_000_000_000  # 2001-09-09
    for path in root.rglob("*.md"):
        os.utime(path, ns=(old, old))
    before = snapshot(root)
    result = run("fix", str(root))
    assert result.exit_code == 1  # the unfixable findings remain
    after = snapshot(root)
    for path in ("Clean.md", "Unfixable.md", "Empty.md", "Archive/Target.md"):
        assert after[path] == before[path], path
    assert after["Fixed.md"].data == b"[[Archive/Target]]\n"
    assert after["Fixed.md"].mtime_ns != old


# --- atomic writes -------------------------------------------------------------------


def test_write_goes_to_a_hidden_temporary_file_in_the_same_folder_then_renames(tmp_path, monkeypatch):
    root = write(tmp_path / "v", {**MOVED, "Sub/Note.md": "[[Old/Target]]\n"})
    renames = []
    real_replace = os.replace

    def spy(source, destination):
        renames.append((Path(source), Path(destination)))
        return real_replace(source, destination)

    monkeypatch.setattr(fixer, "os", OsInFixer(replace=spy))
    run("fix", str(root))
    assert len(renames) == 1
    source, destination = renames[0]
    assert destination == root / "Sub" / "Note.md"
    assert source.parent == destination.parent
    assert source.name.startswith(".Note.md.")  # hidden: Obsidian never shows it
    assert temporaries(root) == []


@pytest.mark.parametrize("failing", ["write", "fsync", "chmod", "replace"])
def test_a_failure_mid_write_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch, failing):
    root = write(tmp_path / "v", {**MOVED, "Note.md": "keep me [[Old/Target]]\r\n"})
    original = (root / "Note.md").read_bytes()

    def broken(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        class Stream:
            def __init__(self, *args, **kwargs):
                self.inner = real_fdopen(*args, **kwargs)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.inner.close()

            def write(self, data):
                self.inner.write(data[: len(data) // 2])  # half the bytes reach the disk
                raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(fixer, "os", OsInFixer(fdopen=Stream))
    else:
        monkeypatch.setattr(fixer, "os", OsInFixer(**{failing: broken}))
    result = run("fix", str(root))
    assert (root / "Note.md").read_bytes() == original
    assert temporaries(root) == []
    assert "vaultlint: error: Note.md: cannot write (No space left on device)" in result.output
    assert "Traceback" not in result.output


def test_an_interrupt_mid_write_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch):
    note = tmp_path / "Note.md"
    note.write_bytes(b"old\n")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(fixer, "os", OsInFixer(fsync=interrupted))
    with pytest.raises(KeyboardInterrupt):
        write_note(note, b"old\n", b"new\n")
    assert note.read_bytes() == b"old\n"
    assert list(tmp_path.iterdir()) == [note]


def test_a_failed_write_exits_with_2(tmp_path, monkeypatch):
    root = write(tmp_path / "v", {**MOVED, "Note.md": "[[Old/Target]]\n"})

    def broken(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(fixer, "os", OsInFixer(fsync=broken))
    assert run("fix", str(root)).exit_code == 2


# --- a file changed on disk while vaultlint ran ----------------------------------------


def _edit_after_fixing(monkeypatch, edit):
    real = cli.fix_notes

    def fix_then_edit(*args, **kwargs):
        result = real(*args, **kwargs)
        edit()
        return result

    monkeypatch.setattr(cli, "fix_notes", fix_then_edit)


def test_a_file_changed_between_read_and_write_is_skipped_with_a_message(tmp_path, monkeypatch):
    root = write(tmp_path / "v", {**MOVED, "Note.md": "[[Old/Target]]\n", "Other.md": "[[Old/Target#Part two]]\n"})
    note = root / "Note.md"
    _edit_after_fixing(monkeypatch, lambda: note.write_bytes(b"[[Old/Target]]\nA line the user just typed.\n"))
    result = run("fix", str(root))
    assert note.read_bytes() == b"[[Old/Target]]\nA line the user just typed.\n"
    assert f"vaultlint: warning: {note}: changed on disk while vaultlint ran; not written" in result.output
    assert (root / "Other.md").read_bytes() == b"[[Archive/Target#Part two]]\n"  # the rest is still fixed
    assert temporaries(root) == []


def test_a_skipped_stale_file_keeps_its_findings_in_the_exit_code(tmp_path, monkeypatch):
    root = write(tmp_path / "v", {**MOVED, "Note.md": "[[Old/Target]]\n"})
    note = root / "Note.md"
    _edit_after_fixing(monkeypatch, lambda: note.write_bytes(b"[[Old/Target]] edited\n"))
    assert run("fix", str(root)).exit_code == 1


def test_write_note_refuses_a_stale_file(tmp_path):
    note = tmp_path / "Note.md"
    note.write_bytes(b"edited meanwhile\n")
    with pytest.raises(StaleFileError, match="changed on disk while vaultlint ran; not written"):
        write_note(note, b"as read\n", b"fixed\n")
    assert note.read_bytes() == b"edited meanwhile\n"
    assert list(tmp_path.iterdir()) == [note]


# --- what a path is stays what it was ------------------------------------------------


def test_a_symlinked_note_stays_a_symlink(tmp_path):
    root = write(tmp_path / "v", {**MOVED, "Real.md": "[[Old/Target]]\n"})
    (root / "Alias.md").symlink_to("Real.md")
    result = run("fix", str(root))
    assert (root / "Alias.md").is_symlink()
    assert os.readlink(root / "Alias.md") == "Real.md"
    assert (root / "Real.md").read_bytes() == b"[[Archive/Target]]\n"
    assert "Alias.md: a symbolic link; not written" in result.output


def test_a_read_only_note_is_not_written(tmp_path):
    root = write(tmp_path / "v", {**MOVED, "Note.md": "[[Old/Target]]\n"})
    os.chmod(root / "Note.md", 0o444)
    result = run("fix", str(root))
    assert (root / "Note.md").read_bytes() == b"[[Old/Target]]\n"
    assert (root / "Note.md").stat().st_mode & 0o777 == 0o444
    assert "Note.md: read-only; not written" in result.output


def test_a_hard_linked_note_is_not_split_from_its_other_name(tmp_path):
    root = write(tmp_path / "v", {**MOVED, "Note.md": "[[Old/Target]]\n"})
    os.link(root / "Note.md", tmp_path / "elsewhere.md")
    result = run("fix", str(root))
    assert os.path.samefile(root / "Note.md", tmp_path / "elsewhere.md")
    assert (tmp_path / "elsewhere.md").read_bytes() == b"[[Old/Target]]\n"
    assert "Note.md: has 2 hard links; not written" in result.output


# --- fixes that would never settle ------------------------------------------------------


def test_a_wikilink_fix_that_would_not_parse_back_is_not_offered(tmp_path):
    """`x [1].md` cannot be reached by a wikilink: `[[x [1]]]` ends at the first `]]`.

    The unsafe fix used to write `x [1]` into `[[x [1]]]`, which parsed as before,
    so every pass added a `]`: ten stray brackets per link.
    """
    root = write(tmp_path / "v", {"B/x [1].md": "# X\n", "Note.md": "[[x [1]]] and [[A/x [1]]]\n"})
    result = run("fix", str(root), "--unsafe-fixes")
    assert (root / "Note.md").read_bytes() == b"[[x [1]]] and [[A/x [1]]]\n"
    assert "did not settle" not in result.output


def test_a_link_inside_the_heading_it_names_gets_no_fix(tmp_path):
    """Rewriting the link would rename the heading it points to, and so on forever."""
    root = write(tmp_path / "v", {"Note.md": "## [[#Intro]]s\n\ntext\n"})
    result = run("fix", str(root), "--unsafe-fixes")
    assert (root / "Note.md").read_bytes() == b"## [[#Intro]]s\n\ntext\n"
    assert "did not settle" not in result.output
    assert "no heading 'Intro' in this note" in result.output


def test_fixes_that_never_settle_are_rolled_back(tmp_path):
    from vaultlint.diagnostics import Fix
    from vaultlint.engine import Linter
    from vaultlint.fixer import MAX_PASSES, fix_notes
    from vaultlint.rule import Rule
    from vaultlint.vault import Vault

    class Restless(Rule):
        """A rule whose fix always finds something more to do."""

        code, name, summary = "XT001", "restless", "never satisfied"

        def check(self, note, context):
            if note.path == "Restless.md":
                yield self.finding(note, Span(0, 1), "again", Fix.replace("grow", Span(0, 1), note.text[:1] * 2))

    root = write(tmp_path / "v", {**MOVED, "Restless.md": "x [[Old/Target]]\n", "Calm.md": "[[Old/Target]]\n"})
    vault = Vault.load(root, use_cache=False)
    linter = Linter(vault, [Restless(), *fixcheck_rules()])
    result = fix_notes(linter, sorted(vault.notes), unsafe=False)
    assert result.not_converged == ["Restless.md"]
    assert "Restless.md" not in result.fixed  # its text is as it was: nothing to write
    assert vault.notes["Restless.md"].text == "x [[Old/Target]]\n"
    assert result.fixed["Calm.md"] == "[[Archive/Target]]\n"  # the other notes are still fixed
    assert result.applied == 1
    assert [f.code for f in result.remaining if f.path == "Restless.md"] == ["XT001", "VL101"]
    assert MAX_PASSES >= 2


def fixcheck_rules():
    from fixcheck import all_rules

    return all_rules()
