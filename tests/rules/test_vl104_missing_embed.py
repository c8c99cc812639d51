"""VL104 missing-embed: embeds and images whose file Obsidian cannot find."""

from __future__ import annotations

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability, Severity

ARCH = "Resources/Attachments/arch.png"
FILES = {ARCH: "png", "Other note.md": "# Section\n", "doc.pdf": "pdf", "100%.png": "png"}
SOURCE = "Projects/Deep/n.md"  # two folders deep


def only_(findings):
    assert len(findings) == 1, [(f.code, f.line, f.column, f.message) for f in findings]
    return findings[0]


@pytest.mark.parametrize(
    "embed",
    [
        "![[arch.png]]",
        "![[ARCH.PNG|400]]",  # case-insensitive, with a size
        "![[arch.png|caption|400x300]]",
        "![[Attachments/arch.png]]",  # path suffix
        "![[/Resources/Attachments/arch.png]]",  # vault-absolute
        "![400](arch.png)",  # Markdown image whose alt is a size
        "![A](Attachments/arch.png)",  # Markdown: vault-wide, no ./ needed
        "![A](../../Resources/Attachments/arch.png)",  # correct relative path
        "![A](<../../Resources/Attachments/arch.png>)",
        "![[arch.png#outline]]",  # subpath on an image is ignored
        "![[doc.pdf#page=3]]",
        "![[Other note]]",
        "![[other note#Section]]",
        "![[Other note#Missing section]]",  # a missing section is VL103's business
        "![img](https://example.com/x.png)",  # a URL
        "[[gone.png]] [t](gone.png)",  # links, not embeds: VL101's business
        "![y](100%.png)",  # images use safeDecodeURI: a malformed escape is read raw
    ],
)
def test_embeds_that_work_are_not_reported(vault_dir, embed):
    root = vault_dir({**FILES, SOURCE: f"Look: {embed}\n"})
    assert lint(root, "VL104") == []


def test_relative_path_climbing_above_the_root(vault_dir, fixed):
    text = "# Design\n\n![Architecture](../../../Resources/Attachments/arch.png)\n"
    root = vault_dir({**FILES, SOURCE: text})
    finding = only_(lint(root, "VL104"))
    assert finding.code == "VL104" and finding.rule == "missing-embed"
    assert finding.severity is Severity.ERROR
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 17, 3, 56)
    assert finding.message == (
        "![…](../../../Resources/Attachments/arch.png) embeds a missing file: its relative path climbs above "
        "the vault root; did you mean 'Resources/Attachments/arch.png' (the only file with this name)?"
    )
    assert finding.fix.applicability is Applicability.SAFE
    # Still a relative path, alt text kept.
    assert fixed(root, finding) == "# Design\n\n![Architecture](../../Resources/Attachments/arch.png)\n"


@pytest.mark.parametrize(
    "embed, expected",
    [
        ("![[Resources/arch.png|cap|200]]", "![[Resources/Attachments/arch.png|cap|200]]"),
        ("![[Media/arch.png|300]]", "![[Resources/Attachments/arch.png|300]]"),
        ("![400](img/arch.png)", "![400](Resources/Attachments/arch.png)"),
        ("![A](<old folder/arch.png>)", "![A](<Resources/Attachments/arch.png>)"),
        ("![[../../old/arch.png]]", "![[../../Resources/Attachments/arch.png]]"),
    ],
)
def test_moved_attachment_gets_a_safe_fix_keeping_style_and_size(vault_dir, fixed, embed, expected):
    root = vault_dir({**FILES, SOURCE: f"{embed}\n"})
    finding = only_(lint(root, "VL104"))
    assert "(the only file with this name)" in finding.message
    assert finding.fix.applicability is Applicability.SAFE
    assert fixed(root, finding) == f"{expected}\n"


@pytest.mark.parametrize(
    "link_format, expected",
    [
        ("shortest", "![[arch.png|300]]"),
        ("relative", "![[../../Resources/Attachments/arch.png|300]]"),
        ("absolute", "![[Resources/Attachments/arch.png|300]]"),
    ],
)
def test_new_link_format_decides_the_written_form(vault_dir, fixed, link_format, expected):
    root = vault_dir({
        ".obsidian/app.json": '{"newLinkFormat": "%s"}' % link_format,
        **FILES,
        SOURCE: "![[Media/arch.png|300]]\n",
    })
    assert fixed(root, only_(lint(root, "VL104"))) == f"{expected}\n"


@pytest.mark.parametrize(
    "embed, column, message",
    [
        ("![[gone.png]]", 4, "![[gone.png]] embeds a missing file: no file in the vault is named 'gone.png'"),
        ("![[gone.png|300]]", 4, "![[gone.png]] embeds a missing file: no file in the vault is named 'gone.png'"),
        ("![x](gone.png)", 6, "![…](gone.png) embeds a missing file: no file in the vault is named 'gone.png'"),
        (
            "![[Unwritten page]]",
            4,
            "![[Unwritten page]] embeds a missing file: no file in the vault is named "
            "'Unwritten page' or 'Unwritten page.md'",
        ),
    ],
)
def test_missing_file_without_candidates_has_no_fix(vault_dir, embed, column, message):
    root = vault_dir({**FILES, "n.md": f"Top\n{embed}\n"})
    finding = only_(lint(root, "VL104"))
    assert (finding.line, finding.column) == (2, column)
    assert finding.message == message
    assert finding.fix is None


def test_stray_characters_give_an_unsafe_fix(vault_dir, fixed):
    root = vault_dir({**FILES, "n.md": "![[arch.png%5C]]\n"})
    finding = only_(lint(root, "VL104"))
    assert "did you mean 'Resources/Attachments/arch.png' (the same name without stray characters)?" in finding.message
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(root, finding) == "![[arch.png]]\n"


def test_similar_note_name_gives_an_unsafe_fix(vault_dir, fixed):
    root = vault_dir({**FILES, "n.md": "![[Other notes]]\n"})
    finding = only_(lint(root, "VL104"))
    assert "did you mean 'Other note.md' (the closest similar name)?" in finding.message
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fixed(root, finding) == "![[Other note]]\n"


def test_several_files_with_the_name_give_no_fix_and_are_named(vault_dir):
    root = vault_dir({"a/logo.png": "1", "b/logo.png": "2", "n.md": "![[img/logo.png]]\n"})
    finding = only_(lint(root, "VL104"))
    assert finding.fix is None
    assert "several files could be meant ('a/logo.png', 'b/logo.png'); no automatic fix" in finding.message


def test_comments_only_with_check_comments_and_code_never(vault_dir):
    text = "%%![[gone.png]]%%\n\n```\n![[gone.png]]\n```\n\n`![[gone.png]]` ![[gone.png]]\n"
    root = vault_dir({"n.md": text})
    assert [(f.line, f.column) for f in lint(root, "VL104")] == [(7, 20)]
    assert [(f.line, f.column) for f in lint(root, "VL104", **{"check-comments": True})] == [(1, 6), (7, 20)]


def test_fix_loop_is_idempotent(vault_dir, fix_loop):
    text = "![A](../../../Resources/Attachments/arch.png)\n![[Media/arch.png|300]]\n![[arch.png%5C]]\n"
    root = vault_dir({**FILES, SOURCE: text})
    first, second = fix_loop(root, "VL104", unsafe=False)
    assert first.fixed == {
        SOURCE: "![A](../../Resources/Attachments/arch.png)\n![[Resources/Attachments/arch.png|300]]\n![[arch.png%5C]]\n"
    }
    assert [(f.line, f.fix.applicability) for f in first.remaining] == [(3, Applicability.UNSAFE)]
    assert second.fixed == {} and second.applied == 0
    first, second = fix_loop(root, "VL104", unsafe=True)
    assert first.fixed[SOURCE].endswith("\n![[arch.png]]\n") and first.remaining == []
    assert second.fixed == {} and second.remaining == []
