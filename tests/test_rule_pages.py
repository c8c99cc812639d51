"""Every built-in rule has a page in rules/, generated from its docstring and up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultlint.docs import REQUIRED_SECTIONS, render_rule_page
from vaultlint.registry import discover_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
BUILTIN = {code: entry.cls for code, entry in discover_rules().items() if entry.cls.__module__.startswith("vaultlint.")}


def test_every_page_belongs_to_a_rule():
    pages = {path.stem for path in RULES_DIR.glob("VL*.md")}
    assert pages == set(BUILTIN), "run scripts/generate_rule_pages.py"


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_page_is_generated_from_the_rule(code):
    page = RULES_DIR / f"{code}.md"
    assert page.read_text(encoding="utf-8") == render_rule_page(BUILTIN[code]), "run scripts/generate_rule_pages.py"


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_page_has_every_section_in_order(code):
    text = BUILTIN[code].documentation()
    positions = [text.find(section) for section in REQUIRED_SECTIONS]
    assert -1 not in positions, [s for s, p in zip(REQUIRED_SECTIONS, positions) if p == -1]
    assert positions == sorted(positions)


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_page_names_every_option(code):
    cls = BUILTIN[code]
    text = cls.documentation()
    for option in cls.options:
        assert f"`{option.name}`" in text
    if not cls.options:
        assert "## Options\nNone." in text


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_fix_safety_matches_fix_availability(code):
    cls = BUILTIN[code]
    section = cls.documentation().split("## Fix safety", 1)[1].split("##", 1)[0]
    if cls.fix_availability.value == "none":
        assert section.strip().startswith("No fix")
    else:
        assert "safe" in section


# Files each page's examples need around them (the example note is "Notes/Example.md").
EXAMPLE_SURROUNDINGS = {
    "VL101": {"archive/papers/Attention Is All You Need.md": "# Attention\n", "Surveys/LLM Survey.md": "# Survey\n"},
    "VL102": {"Attention.md": "# Attention\n"},
    "VL104": {"Attachments/architecture.png": b"\x89PNG\r\n\x1a\n"},
    "VL105": {"Projects/Notes.md": "# Notes\n", "Archive/2023/Notes.md": "# Notes\n"},
    "VL106": {"Weekly log.md": "## Week 1\n### Notes\n## Week 2\n### Notes\n"},
    "VL401": {"Attachments/architecture-v1.png": b"\x89PNG\r\n\x1a\n", "Attachments/architecture-v2.png": b"\x89PNG\r\n\x1a\n"},
}
EXAMPLE_PATH = {"VL105": "Example.md"}  # ties need a note outside both folders
# Vault-wide rules report another file than the example note.
EXAMPLE_REPORTED_PATH = {"VL401": "Attachments/architecture-v1.png"}


def example_blocks(code: str) -> tuple[str, str]:
    import re

    after = BUILTIN[code].documentation().split("## Example", 1)[1]
    failing, fixed = re.findall(r"```markdown\n(.*?)```", after, re.S)[:2]
    return failing, fixed


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_example_is_reported_and_use_instead_is_not(code, tmp_path):
    from conftest import lint, write_vault

    failing, fixed = example_blocks(code)
    note_path = EXAMPLE_PATH.get(code, "Notes/Example.md")
    # Online-only rules (tag "online") report nothing offline, which is checked here for
    # both blocks; tests/test_arxiv_online.py checks their examples against a local server.
    online_only = "online" in BUILTIN[code].tags
    for name, text, expected in (("failing", failing, not online_only), ("fixed", fixed, False)):
        root = write_vault(tmp_path / name, {note_path: text, **EXAMPLE_SURROUNDINGS.get(code, {})})
        findings = [f for f in lint(root, code) if f.path == EXAMPLE_REPORTED_PATH.get(code, note_path)]
        assert bool(findings) is expected, (name, [f.message for f in findings])
