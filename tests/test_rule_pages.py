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
