"""The command line: output format, exit codes, selection, fix, diff, rule pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from vaultlint.cli import main

BROKEN = {
    "Index.md": "# Index\n\nSee [[Drafts/Attention]] and [[Nowhere to be found yet]].\n",
    "Archive/Papers/Attention.md": "# Attention\n\n## Scaled dot product\n",
}


def run(*args: str) -> "CliRunner.invoke":
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_reports_path_line_column_code_and_name(vault_dir):
    root = vault_dir(BROKEN)
    result = run("check", str(root), "--output-format", "concise")
    assert result.exit_code == 1
    assert "Index.md:3:7: VL101 unresolved-link: [[Drafts/Attention]] does not resolve" in result.output
    assert "Index.md:3:32: VL102 uncreated-note:" in result.output
    assert "[*]" in result.output  # the moved note has a safe fix
    assert "Found 2 findings in 1 of 2 notes checked" in result.output
    assert "1 fixable with `vaultlint fix`." in result.output


def test_full_format_shows_source_line_caret_fix_and_docs(vault_dir):
    root = vault_dir(BROKEN)
    result = run("check", str(root))
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if "VL101" in line)
    assert lines[at + 1].endswith("See [[Drafts/Attention]] and [[Nowhere to be found yet]].")
    caret_line = lines[at + 2]
    assert caret_line.strip() == "^" * len("Drafts/Attention")
    assert caret_line.index("^") == lines[at + 1].index("Drafts/Attention")
    assert any("fix (safe): Link to 'Archive/Papers/Attention.md'" in line for line in lines)
    assert any("docs: rules/VL101.md" in line for line in lines)


def test_clean_vault_exits_zero(vault_dir):
    root = vault_dir({"a.md": "[[b]]\n", "b.md": "# B\n"})
    result = run("check", str(root))
    assert result.exit_code == 0
    assert "All checks passed (2 notes checked)." in result.output


def test_paths_choose_what_is_reported_but_index_covers_the_vault(vault_dir):
    root = vault_dir({"a.md": "[[sub/b]] [[missing-x]]\n", "sub/b.md": "[[a]] [[gone-y]]\n"})
    result = run("check", str(root / "sub" / "b.md"), "--output-format", "concise")
    assert result.exit_code == 1
    assert "gone-y" in result.output and "missing-x" not in result.output
    assert "[[a]]" not in result.output  # resolved against the whole vault


def test_select_and_ignore_by_code_prefix_and_name(vault_dir):
    root = vault_dir(BROKEN)
    only_102 = run("check", str(root), "--select", "uncreated-note", "--output-format", "concise")
    assert "VL102" in only_102.output and "VL101" not in only_102.output
    no_10x = run("check", str(root), "--ignore", "VL10", "--output-format", "concise")
    assert no_10x.exit_code == 0
    unknown = CliRunner().invoke(main, ["check", str(root), "--select", "VL999"])
    assert unknown.exit_code == 2 and "unknown rule or prefix 'VL999'" in unknown.output


def test_rule_option_is_validated(vault_dir):
    root = vault_dir(BROKEN)
    bad = CliRunner().invoke(main, ["check", str(root), "--rule-option", "VL105.no-such=1"])
    assert bad.exit_code == 2 and "has no option 'no-such'" in bad.output
    malformed = CliRunner().invoke(main, ["check", str(root), "--rule-option", "VL105"])
    assert malformed.exit_code == 2


def test_json_output_has_a_stable_schema(vault_dir):
    root = vault_dir(BROKEN)
    result = run("check", str(root), "--output-format", "json")
    document = json.loads(result.output)
    assert document["schema_version"] == 1
    assert document["files_checked"] == 2
    first = document["findings"][0]
    assert set(first) == {"code", "rule", "severity", "path", "location", "end_location", "span", "message", "fix", "url"}
    assert first["code"] == "VL101" and first["location"] == {"line": 3, "column": 7}
    assert first["fix"]["applicability"] == "safe"
    assert first["fix"]["edits"] == [{"start": first["span"]["start"], "end": first["span"]["end"], "content": "Archive/Papers/Attention"}]


def test_fix_diff_writes_nothing(vault_dir):
    root = vault_dir(BROKEN)
    before = (root / "Index.md").read_bytes()
    result = run("fix", str(root), "--diff")
    assert result.exit_code == 1
    assert "-See [[Drafts/Attention]]" in result.output and "+See [[Archive/Papers/Attention]]" in result.output
    assert (root / "Index.md").read_bytes() == before


def test_fix_applies_safe_fixes_and_leaves_other_files_untouched(vault_dir):
    root = vault_dir(BROKEN)
    untouched = root / "Archive" / "Papers" / "Attention.md"
    os.utime(untouched, ns=(1_000_000_000, 1_000_000_000))
    result = run("fix", str(root), "--output-format", "concise")
    assert result.exit_code == 1  # the uncreated note is still reported
    assert (root / "Index.md").read_text() == "# Index\n\nSee [[Archive/Papers/Attention]] and [[Nowhere to be found yet]].\n"
    assert untouched.stat().st_mtime_ns == 1_000_000_000
    assert "Fixed 1 finding in 1 file." in result.output
    again = run("fix", str(root), "--diff")
    assert "+++" not in again.output


def test_fix_keeps_crlf_and_bom(vault_dir):
    root = vault_dir({"a.md": b"\xef\xbb\xbf# A\r\n\r\n[[old/B]]\r\n", "new/B.md": "# B\n"})
    run("fix", str(root))
    # The link named a folder, so the fix writes the vault path (the link's own form).
    assert (root / "a.md").read_bytes() == b"\xef\xbb\xbf# A\r\n\r\n[[new/B]]\r\n"


def test_undecodable_note_is_reported_and_never_written(vault_dir):
    data = b"# A\n\n[[old/B]]\n\xff\xfe broken\n"
    root = vault_dir({"a.md": data, "new/B.md": "# B\n"})
    result = CliRunner().invoke(main, ["fix", str(root), "--output-format", "concise"])
    assert "a.md:4:1: VL001 unreadable-note: not valid UTF-8" in result.output
    assert (root / "a.md").read_bytes() == data


def test_rules_lists_every_rule_and_rule_prints_its_page():
    listing = run("rules").output
    for code in ("VL001", "VL101", "VL102", "VL103", "VL104", "VL105", "VL106", "VL107"):
        assert code in listing
    page = run("rule", "broken-subpath").output
    assert page.startswith("# VL103 broken-subpath")
    assert "## Fix safety" in page
    missing = CliRunner().invoke(main, ["rule", "VL999"])
    assert missing.exit_code == 2


def test_usage_errors_exit_two(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "does-not-exist")])
    assert result.exit_code == 2


def test_vault_root_is_found_from_a_nested_path(vault_dir):
    root = vault_dir({"deep/er/a.md": "[[b]]\n", "b.md": "# B\n"})
    result = run("check", str(root / "deep" / "er"))
    assert result.exit_code == 0


def test_console_script_runs(vault_dir):
    root = vault_dir(BROKEN)
    executable = shutil.which("vaultlint", path=str(Path(sys.executable).parent))
    assert executable is not None
    completed = subprocess.run([executable, "check", str(root), "--output-format", "concise"], capture_output=True, text=True)
    assert completed.returncode == 1
    assert "VL101" in completed.stdout


def _entry(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    """The ``vaultlint`` command as installed: ``entry``, which ends with ``os._exit``."""
    code = "import sys; from vaultlint.cli import entry; sys.argv[0] = 'vaultlint'; entry()"
    return subprocess.run([sys.executable, "-c", code, *args], stdout=stdout, stderr=subprocess.PIPE, text=True)


def test_the_command_exits_with_every_line_written_and_the_right_code(vault_dir):
    root = vault_dir({**BROKEN, **{f"Filler {n}.md": f"[[Missing {n}]]\n" for n in range(300)}})
    findings = _entry("check", str(root), "--output-format", "concise")
    assert findings.returncode == 1
    lines = findings.stdout.splitlines()
    assert sum("VL10" in line for line in lines) >= 300 and lines[-1]  # flushed to the last line
    assert _entry("check", str(root), "--output-format", "concise", "--exit-zero").returncode == 0
    usage = _entry("check", str(root / "nowhere"))
    assert usage.returncode == 2 and "does not exist" in usage.stderr
    assert _entry("--version").stdout.startswith("vaultlint, version")


def test_the_command_exits_cleanly_when_its_reader_leaves(vault_dir):
    root = vault_dir({f"Note {n}.md": f"[[Missing {n}]]\n" for n in range(2000)})
    code = "import sys; from vaultlint.cli import entry; sys.argv[0] = 'vaultlint'; entry()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "check", str(root), "--output-format", "concise"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    process.stdout.readline()
    process.stdout.close()  # like `vaultlint check | head -1`
    _, errors = process.communicate(timeout=120)
    # As click has it for a closed pipe: findings' exit code, and no noise about the pipe.
    assert process.returncode == 1 and b"Traceback" not in errors and b"Exception ignored" not in errors


def test_python_dash_m_vaultlint_runs_the_command(tmp_path):
    (tmp_path / "a.md").write_text("[[Nowhere]]\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "vaultlint", "check", str(tmp_path), "--output-format", "concise", "--no-cache"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "a.md:1:3: VL102 uncreated-note" in result.stdout


def test_only_a_check_of_the_whole_vault_unpickles_the_paper_notes_while_they_are_parsed(vault_dir, monkeypatch):
    from vaultlint import cli

    root = vault_dir({"a.md": "[[sub/b]]\n", "sub/b.md": "# B\n"})
    asked = []
    load = cli.Vault.load
    monkeypatch.setattr(cli.Vault, "load", lambda *args, **kwargs: asked.append(kwargs["unpickle_papers"]) or load(*args, **kwargs))
    for target in (root, root / "sub", root / "a.md", root / "sub" / ".."):
        run("check", str(target))
    assert asked == [True, False, False, True]
