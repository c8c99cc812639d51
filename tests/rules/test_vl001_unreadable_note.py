"""VL001 unreadable-note: notes that cannot be decoded or whose properties do not parse."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Severity


def only_(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


def test_invalid_yaml_in_properties(vault_dir):
    root = vault_dir({"bad.md": "---\ntitle: ok\ntags: [papers\nstatus: draft\n---\nBody\n"})
    finding = only_(lint(root, "VL001"))
    assert finding.code == "VL001" and finding.rule == "unreadable-note"
    assert finding.severity is Severity.ERROR
    assert finding.path == "bad.md"
    assert (finding.line, finding.column) == (4, 1)  # where the parser gave up
    assert finding.message.startswith("invalid YAML in properties:")
    assert finding.fix is None


def test_unclosed_flow_list_at_end_of_properties(vault_dir):
    root = vault_dir({"bad.md": "---\ntags: [papers\n---\n"})
    finding = only_(lint(root, "VL001"))
    assert finding.line == 3
    assert finding.message.startswith("invalid YAML in properties: ")
    assert "expected ',' or ']', but got '<stream end>'" in finding.message


def test_properties_that_are_not_a_mapping(vault_dir):
    root = vault_dir({"list.md": "---\n- a\n- b\n---\nBody\n"})
    finding = only_(lint(root, "VL001"))
    assert (finding.line, finding.message) == (2, "properties must be a YAML mapping")


def test_invalid_utf8_names_line_and_column(vault_dir):
    root = vault_dir({"latin1.md": b"# Title\n\nCaf\xe9 au lait\n"})
    finding = only_(lint(root, "VL001"))
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 4, 3, 4)
    assert finding.message == "not valid UTF-8 (byte 0xe9)"


def test_invalid_utf8_after_a_bom(vault_dir):
    root = vault_dir({"u.md": b"\xef\xbb\xbfline one\nline two \xff here\n"})
    finding = only_(lint(root, "VL001"))
    assert (finding.line, finding.column) == (2, 10)
    assert finding.message == "not valid UTF-8 (byte 0xff)"


def test_nul_bytes(vault_dir):
    root = vault_dir({"blob.md": b"abc\ndef\x00ghi\n"})
    finding = only_(lint(root, "VL001"))
    assert finding.line == 2
    assert finding.message == "contains NUL bytes (binary data, not a note)"


def test_undecodable_note_links_are_not_checked_but_it_is_still_a_target(vault_dir):
    root = vault_dir({"u.md": b"[[Nowhere]] \xff\n", "ok.md": "[[u]] and [[U.md]]\n"})
    assert [(f.code, f.path) for f in lint(root)] == [("VL001", "u.md")]


@pytest.mark.parametrize(
    "content",
    [
        "---\ntags: [papers]\naliases:\n  - A\n---\nBody\n",
        "---\n---\nEmpty properties\n",
        "No properties at all.\n",
        "Text first\n\n---\nnot: [yaml\n---\n",  # a rule and a paragraph, not properties
        "```yaml\n---\nbad: [\n---\n```\n",
        "---\ntitle: [x\n\nBody\n",  # never closed: not properties
        "\n---\ntitle: [x\n---\n",  # not at the very start: not properties
        "\ufeff---\ntitle: ok\n---\n".encode("utf-8"),  # BOM
        "Ünïcödé ✓ 日本語 🙂\n".encode("utf-8"),
        "Windows\r\nline endings\r\n".encode("utf-8"),
        b"",
    ],
    ids=["valid-yaml", "empty-yaml", "none", "later-rule", "in-code", "unclosed", "not-first-line", "bom", "unicode", "crlf", "empty-file"],
)
def test_readable_notes_are_not_reported(vault_dir, content):
    root = vault_dir({"n.md": content})
    assert lint(root, "VL001") == []


def test_non_note_files_are_not_read(vault_dir):
    root = vault_dir({"image.png": b"\x89PNG\r\n\x1a\n\x00\x00\xff", "n.md": "![[image.png]]\n"})
    assert lint(root) == []
