"""VL203 unescaped-pipe-in-table: `[[Note|alias]]` in a table row splits the cell."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability

HEAD = "| Topic | Note |\n| ----- | ---- |\n"


def only(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


def test_alias_pipe_is_reported_and_escaped(vault_dir, fixed):
    root = vault_dir({"n.md": HEAD + "| Tools | [[Tool use|Tool-using models]] |\n", "Tool use.md": "# T\n"})
    finding = only(lint(root, "VL203"))
    assert (finding.line, finding.column, finding.end_column) == (3, 21, 22)
    assert finding.message == "`|` in wikilink [[Tool use|Tool-using models]] splits the table cell; escape it as `\\|`"
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == HEAD + "| Tools | [[Tool use\\|Tool-using models]] |\n"


def test_embed_size_in_callout_table_and_crlf(vault_dir, fixed):
    text = "> | Figure | Size |\r\n> | --- | --- |\r\n> | ![[plot.png|300]] | big |\r\n"
    root = vault_dir({"n.md": text, "plot.png": b"\x89PNG\r\n\x1a\n"})
    finding = only(lint(root, "VL203"))
    assert (finding.line, finding.column) == (3, 16)
    assert finding.message.startswith("`|` in embed ![[plot.png|300]]")
    assert fixed(root, finding) == "> | Figure | Size |\r\n> | --- | --- |\r\n> | ![[plot.png\\|300]] | big |\r\n"


def test_header_row_is_checked_too(vault_dir, fixed):
    root = vault_dir({"n.md": "| [[A|a]] | B |\n| - | - |\n| x | y |\n", "A.md": ""})
    finding = only(lint(root, "VL203"))
    assert (finding.line, finding.column) == (1, 6)


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "| Tools | [[Tool use\\|Tool-using models]] |\n",  # already escaped
        HEAD + "| Tools | `[[Tool use|alias]]` |\n",  # inline code
        HEAD + "| Tools | $[[Tool use|alias]]$ |\n",  # math
        "See [[Tool use|Tool-using models]] here.\n",  # not in a table
        "```\n" + HEAD + "| Tools | [[Tool use|alias]] |\n```\n",  # a table in a code block
        HEAD + "| Tools | [Tool use](Tool%20use.md) |\n",
    ],
)
def test_not_reported(vault_dir, text):
    root = vault_dir({"n.md": text, "Tool use.md": "# T\n"})
    assert lint(root, "VL203") == []


def test_fix_loop_is_idempotent(vault_dir, fix_loop):
    root = vault_dir({"n.md": HEAD + "| a | [[Tool use|x]] and [[Tool use|y]] |\n", "Tool use.md": "# T\n"})
    first, second = fix_loop(root, "VL203", unsafe=False)
    assert (root / "n.md").read_text() == HEAD + "| a | [[Tool use\\|x]] and [[Tool use\\|y]] |\n"
    assert second.fixed == {}
    assert lint(root, "VL203") == [] and lint(root, "VL201") == []
