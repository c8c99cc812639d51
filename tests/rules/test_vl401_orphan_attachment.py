"""VL401 orphan-attachment: attachments nothing references, every kind of reference counted."""

from __future__ import annotations

import json

import pytest

from conftest import lint
from vaultlint.diagnostics import Applicability, Severity
from vaultlint.engine import Linter
from vaultlint.fixer import fix_notes, move_file
from vaultlint.parser.limits import TIME_LIMIT_ENV
from vaultlint.registry import discover_rules
from vaultlint.vault import Vault

PNG = b"\x89PNG\r\n\x1a\n"
IMAGE = "Attachments/figure.png"


@pytest.fixture(autouse=True)
def no_parse_time_limit(monkeypatch):
    """A note skipped for its parse time on a loaded machine would count every name it
    mentions as a reference (the safe fallback) and change what these tests see."""
    monkeypatch.setenv(TIME_LIMIT_ENV, "0")


def orphans(root, **options) -> list[str]:
    return sorted(f.path for f in lint(root, "VL401", **options) if f.message.startswith("attachment"))


def vault_with(vault_dir, files: dict) -> object:
    return vault_dir({IMAGE: PNG, "Notes/Other.md": "Nothing here.\n", **files})


def test_an_attachment_nothing_references_is_reported_once_at_1_1(vault_dir):
    root = vault_with(vault_dir, {"Notes/A.md": "text\n", "Notes/B.md": "more\n"})
    [finding] = lint(root, "VL401")
    assert (finding.path, finding.line, finding.column, finding.code) == (IMAGE, 1, 1, "VL401")
    assert finding.severity is Severity.WARNING
    assert finding.message == "attachment referenced by no note, canvas or base"
    assert finding.fix.applicability is Applicability.UNSAFE and finding.fix.edits == ()
    [move] = finding.fix.moves
    assert (move.source, move.destination) == (IMAGE, ".trash/" + IMAGE)


@pytest.mark.parametrize(
    "note",
    [
        "![[figure.png]]",
        "![[FIGURE.PNG|400]]",  # case-insensitive, with a size
        "[[figure.png]]",  # a link, not an embed
        "![[Attachments/figure.png]]",
        "![alt](Attachments/figure.png)",
        "![alt](../Attachments/figure.png)",  # relative to Notes/
        "[the figure](<Attachments/figure.png>)",
        "| a | ![[figure.png\\|200]] |\n|---|---|\n| b | c |\n",  # in a table
        "> [!note]\n> ![[figure.png]]\n",  # in a callout
        "%% an older draft used ![[figure.png]] %%",  # in a comment: a draft still wants it
        "%%\nblock comment\n[[figure.png]]\n%%\n",
        '---\ncover: "[[figure.png]]"\n---\nbody\n',  # quoted wikilink property
        "---\nbanner: Attachments/figure.png\n---\nbody\n",  # a property naming the file
        "---\nimages:\n  - figure.png\n---\nbody\n",
        "![[Attachments/Old/figure.png]]",  # broken, but its repair is this file
        "![[figre.png]]",  # a typo: the clearly closest name
    ],
)
def test_every_kind_of_reference_counts(vault_dir, note):
    root = vault_with(vault_dir, {"Notes/A.md": note})
    assert orphans(root) == []


def test_a_mention_in_code_is_not_a_reference(vault_dir):
    root = vault_with(vault_dir, {"Notes/A.md": "```\n![[figure.png]]\n```\n\n`![[figure.png]]`\n\n    ![[figure.png]]\n"})
    assert orphans(root) == [IMAGE]


def test_each_candidate_of_an_ambiguous_link_counts(vault_dir):
    root = vault_dir({"a/figure.png": PNG, "b/figure.png": PNG, "Note.md": "![[figure.png]]\n"})
    assert orphans(root) == []


def test_canvas_file_nodes_backgrounds_and_cards_count(vault_dir):
    canvas = {
        "nodes": [
            {"id": "1", "type": "file", "file": "Attachments/figure.png", "x": 0, "y": 0, "width": 400, "height": 300},
            {"id": "2", "type": "group", "background": "Attachments/background.png", "x": 0, "y": 0, "width": 9, "height": 9},
            {"id": "3", "type": "text", "text": "See ![[card.png]] and [the PDF](paper.pdf)", "x": 0, "y": 0, "width": 9, "height": 9},
            {"id": "4", "type": "link", "url": "https://example.com/unused.png", "x": 0, "y": 0, "width": 9, "height": 9},
        ],
        "edges": [],
    }
    root = vault_dir({
        IMAGE: PNG,
        "Attachments/background.png": PNG,
        "Attachments/card.png": PNG,
        "Attachments/paper.pdf": b"%PDF",
        "Attachments/unused.png": PNG,
        "Boards/Plan.canvas": json.dumps(canvas),
    })
    assert orphans(root) == ["Attachments/unused.png"]


def test_base_values_count(vault_dir):
    base = (
        "filters:\n"
        "  and:\n"
        '    - file.hasLink(link("Attachments/in-formula.png"))\n'
        "    - 'file.name != \"quoted.pdf\"'\n"
        "views:\n"
        "  - type: cards\n"
        "    name: Gallery\n"
        "    image: Attachments/figure.png\n"
        '    cover: "[[linked.png]]"\n'
    )
    root = vault_dir({
        IMAGE: PNG,
        "Attachments/in-formula.png": PNG,
        "Attachments/quoted.pdf": b"%PDF",
        "Attachments/linked.png": PNG,
        "Attachments/unused.png": PNG,
        "Views/Gallery.base": base,
    })
    assert orphans(root) == ["Attachments/unused.png"]


def test_obsidian_publish_files_count(vault_dir):
    root = vault_dir({
        "favicon-32x32.png": PNG,
        "Assets/favicon.ico": b"\x00\x00\x01\x00",
        "Assets/favicon-unofficial.png": PNG,  # not a Publish favicon name
        "Attachments/logo.svg": "<svg/>",
        "Attachments/background.jpg": b"\xff\xd8",
        "site-options.json": json.dumps({"logo": "Attachments/logo.svg"}),
        "publish.css": "body { background: url(Attachments/background.jpg); }\n",
        "Note.md": "text\n",
    })
    assert orphans(root, extensions=["*"]) == ["Assets/favicon-unofficial.png"]


def test_notes_canvases_bases_hidden_files_and_other_extensions_are_not_candidates(vault_dir):
    root = vault_dir({
        "Lonely.md": "text\n",
        "Board.canvas": '{"nodes": [], "edges": []}',
        "Table.base": "views: []\n",
        ".trash/Attachments/old.png": PNG,
        "Attachments/.hidden.png": PNG,
        "Attachments/data.csv": "a,b\n",
        "Attachments/archive.zip": b"PK",
    })
    assert orphans(root) == []
    assert orphans(root, extensions=["csv", ".ZIP"]) == ["Attachments/archive.zip", "Attachments/data.csv"]
    assert orphans(root, extensions=["*"]) == ["Attachments/archive.zip", "Attachments/data.csv"]


def test_ignore_folders(vault_dir):
    root = vault_dir({
        "Templates/header.png": PNG,
        "templates/Sub/deep.png": PNG,
        "Templates-old/kept.png": PNG,
        "Exports/report.pdf": b"%PDF",
        IMAGE: PNG,
    })
    assert orphans(root, **{"ignore-folders": ["Templates/", "Exports"]}) == [IMAGE, "Templates-old/kept.png"]


def test_a_corrupt_canvas_is_reported_and_its_names_still_count(vault_dir):
    root = vault_dir({
        IMAGE: PNG,
        "Attachments/other.png": PNG,
        "Board.canvas": '{"nodes": [\n  {"type": "file", "file": "Attachments/figure.png"},\n  oops\n]}',
    })
    findings = lint(root, "VL401")
    assert sorted(f.path for f in findings) == ["Attachments/other.png", "Board.canvas"]
    [problem] = [f for f in findings if f.path == "Board.canvas"]
    assert (problem.line, problem.column, problem.fix, problem.severity) == (3, 3, None, Severity.WARNING)
    assert problem.message.startswith("this canvas is not valid JSON (Expecting value)")
    assert "counts as referenced" in problem.message


@pytest.mark.parametrize(
    "path, content, line, start",
    [
        ("Board.canvas", '["Attachments/figure.png"]', 1, "this canvas is not JSON Canvas"),
        ("Board.canvas", '{"nodes": {"file": "Attachments/figure.png"}}', 1, "this canvas is not JSON Canvas"),
        ("Board.canvas", b'{"nodes": []}\n\xff figure.png', 2, "this canvas is not valid UTF-8 (byte 0xff)"),
        ("Table.base", "views:\n  - name: [unclosed\n  image: figure.png\n", 3, "this base is not valid YAML"),
        ("Table.base", b"filters: \xfe figure.png\n", 1, "this base is not valid UTF-8 (byte 0xfe)"),
    ],
)
def test_unreadable_canvases_and_bases_give_a_clear_message(vault_dir, path, content, line, start):
    root = vault_dir({IMAGE: PNG, path: content})
    findings = lint(root, "VL401")
    [problem] = findings  # figure.png is named in the unreadable file, so it is no orphan
    assert problem.path == path and problem.line == line and problem.message.startswith(start), problem.message


def test_empty_canvas_and_base_files_are_fine(vault_dir):
    root = vault_dir({"Board.canvas": "", "Table.base": "", "Other.canvas": "{}"})
    assert lint(root, "VL401") == []


def test_an_unreadable_note_still_protects_what_it_names(vault_dir):
    root = vault_dir({IMAGE: PNG, "Broken.md": b"![[figure.png]] \xff\xfe"})
    assert orphans(root) == []


def test_a_self_reference_does_not_count(vault_dir):
    root = vault_dir({"Attachments/page.svg": "<svg><text>page.svg</text></svg>"})
    assert orphans(root) == ["Attachments/page.svg"]


def test_no_fix_when_the_trash_already_holds_that_path(vault_dir):
    root = vault_dir({IMAGE: PNG, ".trash/" + IMAGE: b"older"})
    [finding] = lint(root, "VL401")
    assert finding.fix is None
    assert ".trash/Attachments/figure.png already exists" in finding.message


def test_the_fix_moves_to_trash_only_with_unsafe_fixes(vault_dir):
    root = vault_dir({IMAGE: PNG, "Attachments/used.png": PNG, "Note.md": "![[used.png]]\n"})
    rule = discover_rules()["VL401"].cls

    vault = Vault.load(root)
    safe = fix_notes(Linter(vault, [rule()]), sorted(vault.notes), unsafe=False)
    assert safe.moves == [] and safe.applied == 0 and [f.path for f in safe.remaining] == [IMAGE]

    unsafe = fix_notes(Linter(vault, [rule()]), sorted(vault.notes), unsafe=True)
    assert [(m.source, m.destination) for m in unsafe.moves] == [(IMAGE, ".trash/" + IMAGE)]
    assert unsafe.applied == 1 and unsafe.remaining == [] and unsafe.fixed == {}
    assert (root / IMAGE).exists()  # fix_notes plans; it writes nothing
    for move in unsafe.moves:
        move_file(root, move)
    assert not (root / IMAGE).exists() and (root / ".trash" / IMAGE).read_bytes() == PNG
    assert (root / "Attachments/used.png").exists()
    assert lint(root, "VL401") == []  # the trash is hidden: nothing left to report


def test_rule_is_opt_in():
    cls = discover_rules()["VL401"].cls
    assert cls.default_enabled is False
