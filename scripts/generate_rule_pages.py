"""Write rules/CODE.md for every installed rule from its docstring and metadata.

Run after changing a rule's documentation: `python scripts/generate_rule_pages.py`.
tests/test_rule_pages.py fails when a page is missing or out of date.
"""

from __future__ import annotations

from pathlib import Path

from vaultlint.docs import render_rule_page
from vaultlint.registry import discover_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


def main() -> None:
    RULES_DIR.mkdir(exist_ok=True)
    for code, entry in discover_rules().items():
        if not entry.cls.__module__.startswith("vaultlint."):
            continue  # third-party plugins document themselves
        (RULES_DIR / f"{code}.md").write_text(render_rule_page(entry.cls), encoding="utf-8")
        print(f"wrote rules/{code}.md")


if __name__ == "__main__":
    main()
