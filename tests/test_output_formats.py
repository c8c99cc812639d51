"""Output formats (grouped, github, sarif, junit, and the existing ones), the run flags, and progress."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from vaultlint.cli import main
from vaultlint.progress import Progress, wanted

FILES = {
    "Index.md": "# Index\n\nSee [[Drafts/Attention]] and [[Nowhere to be found yet]].\n",
    "Archive/Papers/Attention.md": "# Attention\n\n## Scaled dot product\n",
    "Clean.md": "[[Index]]\n",
    "Odd, name: 100%.md": "[[Gone/x]]\n",
}


@pytest.fixture
def vault(vault_dir, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    return vault_dir(FILES)


def run(*args: str, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_every_format_is_offered():
    help_text = run("check", "--help").output
    for name in ("full", "concise", "grouped", "json", "github", "sarif", "junit"):
        assert name in help_text


def test_grouped_lists_findings_under_their_file(vault):
    result = run("check", "vault", "--output-format", "grouped")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:4] == [
        "vault/Index.md:",
        "  3:7  VL101 unresolved-link: [[Drafts/Attention]] does not resolve: no file matches the path 'Drafts/Attention'; "
        "did you mean 'Archive/Papers/Attention.md' (the only file with this name)? [*]",
        "  3:32 VL102 uncreated-note: [[Nowhere to be found yet]] links to a note not created yet ('Nowhere to be found yet.md')",
        "",
    ]
    assert lines[4] == "vault/Odd, name: 100%.md:"
    assert "Found 3 findings in 2 of 4 notes checked:" in result.output


def test_concise_and_full_link_to_the_rule_page(vault):
    full = run("check", "vault").output
    assert full.count("= docs: rules/VL101.md (`vaultlint rule VL101`)") == 2
    concise = run("check", "vault", "--output-format", "concise").output
    assert "vault/Index.md:3:7: VL101 unresolved-link:" in concise


def test_github_annotations(vault):
    result = run("check", "vault", "--output-format", "github")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        "::error file=vault/Index.md,line=3,col=7,endLine=3,endColumn=23,title=VL101 unresolved-link::"
        "[[Drafts/Attention]] does not resolve: no file matches the path 'Drafts/Attention'; "
        "did you mean 'Archive/Papers/Attention.md' (the only file with this name)? (rules/VL101.md)"
    )
    assert lines[1].startswith("::warning file=vault/Index.md,line=3,col=32,") and "title=VL102 uncreated-note::" in lines[1]
    # ',' and ':' in a property and '%' anywhere are escaped
    assert lines[2].startswith("::error file=vault/Odd%2C name%3A 100%25.md,line=1,col=3,")
    assert len(lines) == 3  # annotations only, no summary


def test_github_escapes_newlines_in_messages():
    from vaultlint.diagnostics import Finding, Severity
    from vaultlint.reporters import render_github
    from vaultlint.source import Span

    finding = Finding("VL101", "unresolved-link", "a.md", Span(0, 1), 1, 1, 1, 2, "two\nlines 50%", Severity.INFO)
    [line] = render_github([finding], "")
    assert line.startswith("::notice ") and line.endswith("::two%0Alines 50%25 (rules/VL101.md)")


def validate_sarif(document: dict) -> None:
    """The parts of the SARIF 2.1.0 schema a consumer (e.g. GitHub code scanning) relies on."""
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(document["runs"], list) and document["runs"]
    for run_ in document["runs"]:
        driver = run_["tool"]["driver"]
        assert isinstance(driver["name"], str) and driver["name"]
        ids = [rule["id"] for rule in driver["rules"]]
        assert len(ids) == len(set(ids))
        for rule in driver["rules"]:
            assert rule["id"] and rule["name"]
            assert isinstance(rule["shortDescription"]["text"], str) and rule["shortDescription"]["text"]
            assert isinstance(rule["helpUri"], str) and rule["helpUri"].endswith(f"{rule['id']}.md")
            assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
        for base in run_.get("originalUriBaseIds", {}).values():
            assert base["uri"].startswith("file://") and base["uri"].endswith("/")
        for result in run_["results"]:
            assert result["ruleId"] in ids
            assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
            assert result["level"] in ("none", "note", "warning", "error")
            assert isinstance(result["message"]["text"], str) and result["message"]["text"]
            [location] = result["locations"]
            physical = location["physicalLocation"]
            artifact = physical["artifactLocation"]
            assert isinstance(artifact["uri"], str) and " " not in artifact["uri"]
            assert artifact.get("uriBaseId", "%SRCROOT%") in run_.get("originalUriBaseIds", {"%SRCROOT%": None})
            region = physical["region"]
            assert region["startLine"] >= 1 and region["startColumn"] >= 1
            assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
            for fix in result.get("fixes", []):
                assert fix["description"]["text"]
                for change in fix["artifactChanges"]:
                    assert change["artifactLocation"]["uri"] == artifact["uri"]
                    for replacement in change["replacements"]:
                        assert replacement["deletedRegion"]["charOffset"] >= 0
                        assert isinstance(replacement["insertedContent"]["text"], str)


def test_sarif_structure(vault):
    result = run("check", "vault", "--output-format", "sarif")
    assert result.exit_code == 1
    document = json.loads(result.output)
    validate_sarif(document)
    [run_] = document["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "vaultlint"
    assert {"VL001", "VL002", "VL101", "VL107"} <= {rule["id"] for rule in driver["rules"]}
    vl101 = next(rule for rule in driver["rules"] if rule["id"] == "VL101")
    assert vl101["name"] == "unresolved-link" and vl101["helpUri"] == "rules/VL101.md"
    assert vl101["help"]["markdown"].startswith("## What it does")
    first = run_["results"][0]
    assert first["ruleId"] == "VL101" and first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "vault/Index.md", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 3 and location["region"]["startColumn"] == 7 and location["region"]["endColumn"] == 23
    assert first["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "Archive/Papers/Attention"
    assert run_["results"][1]["level"] == "warning"
    odd = run_["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert odd == "vault/Odd%2C%20name%3A%20100%25.md"


def test_sarif_of_a_clean_run_and_outside_the_working_folder(vault_dir, tmp_path, monkeypatch):
    root = vault_dir({"a.md": "[[Gone/x]]\n", "b.md": "# B\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    document = json.loads(run("check", str(root), "--output-format", "sarif").output)
    validate_sarif(document)
    assert document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (root / "a.md").as_uri()
    clean = json.loads(run("check", str(root / "b.md"), "--output-format", "sarif").output)
    validate_sarif(clean)
    assert clean["runs"][0]["results"] == []


def test_junit_xml(vault):
    result = run("check", "vault", "--output-format", "junit")
    assert result.exit_code == 1
    assert result.output.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    suites = ET.fromstring(result.output.split("\n", 1)[1])
    assert suites.tag == "testsuites" and suites.get("tests") == "5" and suites.get("failures") == "3"
    [suite] = suites.findall("testsuite")
    assert suite.get("name") == "vaultlint" and suite.get("failures") == "3"
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("vault/Archive/Papers/Attention.md", "no findings"),
        ("vault/Clean.md", "no findings"),
        ("vault/Index.md", "VL101 unresolved-link at 3:7"),
        ("vault/Index.md", "VL102 uncreated-note at 3:32"),
        ("vault/Odd, name: 100%.md", "VL101 unresolved-link at 1:3"),
    ]
    failure = cases[2].find("failure")
    assert failure.get("type") == "VL101" and failure.get("message").startswith("[[Drafts/Attention]] does not resolve")
    assert "docs: rules/VL101.md" in failure.text
    assert cases[0].find("failure") is None


def test_junit_replaces_characters_xml_cannot_hold():
    from vaultlint.diagnostics import Finding, Severity
    from vaultlint.reporters import render_junit
    from vaultlint.source import Span

    finding = Finding("VL101", "unresolved-link", "a.md", Span(0, 1), 1, 1, 1, 2, "bad \x01 char & <tag>", Severity.ERROR)
    document = ET.fromstring(render_junit([finding], ["a.md"], "").split("\n", 1)[1])
    assert document.find("testsuite/testcase/failure").get("message") == "bad \ufffd char & <tag>"


def test_json_keeps_its_schema(vault):
    document = json.loads(run("check", "vault", "--output-format", "json").output)
    assert set(document) == {"schema_version", "tool", "vault_root", "files_checked", "findings"}
    assert document["schema_version"] == 1 and document["files_checked"] == 4
    assert [f["url"] for f in document["findings"]] == ["rules/VL101.md", "rules/VL102.md", "rules/VL101.md"]


# --- flags ------------------------------------------------------------------------------------------------


def test_statistics(vault):
    result = run("check", "vault", "--statistics")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "2  VL101  [*] unresolved-link",
        "1  VL102      uncreated-note",
        "Found 3 findings in 2 of 4 notes checked.",
    ]
    rows = json.loads(run("check", "vault", "--statistics", "--output-format", "json").output)
    assert rows == [
        {"code": "VL101", "name": "unresolved-link", "count": 2, "fixable": 1},
        {"code": "VL102", "name": "uncreated-note", "count": 1, "fixable": 0},
    ]
    quiet = run("check", "vault", "--statistics", "-q")
    assert "Found" not in quiet.output


def test_exit_zero(vault):
    assert run("check", "vault", "--exit-zero").exit_code == 0
    assert run("fix", "vault", "--diff", "--exit-zero").exit_code == 0
    assert run("check", "vault", "--exit-zero", "--select", "VL999").exit_code == 2  # errors still fail


def test_quiet_prints_only_findings(vault, vault_dir):
    result = run("check", "vault", "-q", "--output-format", "concise")
    assert result.output.splitlines() == [line for line in result.output.splitlines() if line.startswith("vault/")]
    assert len(result.output.splitlines()) == 3
    full = run("check", "vault", "--quiet")
    assert "Found" not in full.output and "docs: rules/VL101.md" in full.output
    assert run("check", "vault/Clean.md", "-q").output == ""
    fixed = run("fix", "vault", "-q", "--output-format", "concise")
    assert "Fixed" not in fixed.output and "VL102" in fixed.output


def test_exit_non_zero_on_fix(vault_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = vault_dir({"a.md": "[[Old/B]]\n", "New/B.md": "# B\n"})
    plain = run("fix", "vault")
    assert plain.exit_code == 0 and (root / "a.md").read_text() == "[[New/B]]\n"  # fixed, nothing left
    (root / "a.md").write_text("[[Old/B]]\n")
    flagged = run("fix", "vault", "--exit-non-zero-on-fix")
    assert flagged.exit_code == 1 and "Fixed 1 finding in 1 file." in flagged.output
    again = run("fix", "vault", "--exit-non-zero-on-fix")
    assert again.exit_code == 0  # nothing changed this time
    both = run("fix", "vault", "--exit-non-zero-on-fix", "--exit-zero")
    assert both.exit_code == 2 and "contradict" in both.output


def test_show_fixes(vault):
    result = run("fix", "vault", "--show-fixes", "--output-format", "concise")
    assert "Fixed 1 finding:\n- vault/Index.md:\n    1 × VL101 (unresolved-link)\n" in result.output


def test_warnings_go_to_stderr_in_machine_formats(vault_dir, tmp_path, monkeypatch):
    import os

    monkeypatch.chdir(tmp_path)
    root = vault_dir({"a.md": "# A\n"})
    os.symlink("/", root / "escape")
    result = CliRunner().invoke(main, ["check", "vault", "--output-format", "json"])
    assert "symlink leads outside the vault" in result.stderr
    json.loads(result.stdout)


# --- progress -----------------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_automatic_only_on_a_terminal_outside_ci_and_pre_commit():
    assert wanted(None, Terminal(), {}) is True
    assert wanted(None, io.StringIO(), {}) is False
    assert wanted(None, Terminal(), {"CI": "true"}) is False
    assert wanted(None, Terminal(), {"PRE_COMMIT": "1"}) is False
    assert wanted(None, Terminal(), {"CI": "false"}) is True
    assert wanted(True, io.StringIO(), {"CI": "true"}) is True
    assert wanted(False, Terminal(), {}) is False


def test_bar_appears_only_after_a_second_on_a_terminal():
    now = [0.0]
    stream = Terminal()
    progress = Progress(None, stream, {}, clock=lambda: now[0])
    step = progress.phase("Reading notes")
    step(1, 100)
    assert stream.getvalue() == ""  # a quick run shows nothing
    now[0] = 1.5
    step(50, 100)
    progress.close()
    assert "Reading notes" in stream.getvalue() and "50/100" in stream.getvalue()


def test_no_bar_when_not_wanted():
    assert Progress(None, io.StringIO(), {}).phase("Reading notes") is None
    assert Progress(None, Terminal(), {"PRE_COMMIT": "1"}).phase("Reading notes") is None


def test_forced_progress_in_a_log_prints_plain_lines(vault):
    result = CliRunner().invoke(main, ["check", "vault", "--progress", "-q"], env={"CI": "true"})
    assert "Reading notes: 4/4 (100%)" in result.stderr
    assert "Checking notes: 4/4 (100%)" in result.stderr
    assert "\r" not in result.stderr
    assert "Reading notes" not in result.stdout
    default = CliRunner().invoke(main, ["check", "vault", "-q"])
    assert "Reading notes" not in default.stderr


def test_bar_redraws_at_most_ten_times_a_second():
    now = [5.0]
    stream = Terminal()
    progress = Progress(None, stream, {}, clock=lambda: now[0], delay=0.0)
    step = progress.phase("Checking notes")
    for done in range(1, 1001):
        now[0] += 0.001  # a thousand notes in a second
        step(done, 1000)
    progress.close()
    drawn = stream.getvalue().count("Checking notes")
    assert 5 <= drawn <= 13, drawn
    assert "1000/1000" in stream.getvalue()


def test_full_format_shows_a_window_of_a_long_line(vault_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    vault_dir({"Long.md": "word " * 100 + "[[Gone/x]] and more " * 20 + "\n", "Short.md": "x\t[[Gone/y]]\n"})
    lines = run("check", "vault", "--select", "VL101").output.splitlines()
    at = next(i for i, line in enumerate(lines) if "Long.md:1:503" in line)
    source, caret = lines[at + 1], lines[at + 2]
    assert source.startswith("    1 | …") and source.endswith("…") and len(source) <= 8 + 120 + 2
    assert source[caret.index("^"):caret.index("^") + 6] == "Gone/x" and caret.strip() == "^^^^^^"
    at = next(i for i, line in enumerate(lines) if "Short.md:1:5" in line)
    assert lines[at + 1] == "    1 | x   [[Gone/y]]" and lines[at + 2].index("^") == lines[at + 1].index("Gone/y")
