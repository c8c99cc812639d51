"""Rule pages: rendered from each rule's docstring and metadata, so they cannot drift."""

from __future__ import annotations

from .rule import Rule

REQUIRED_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "Use instead", "## Fix safety", "## Options")


def render_rule_page(cls: type[Rule]) -> str:
    fix = {"none": "no", "sometimes": "sometimes", "always": "always"}[cls.fix_availability.value]
    header = [
        f"# {cls.code} {cls.name}",
        "",
        f"{cls.summary}.",
        "",
        f"Severity: {cls.severity.value} · Fix: {fix} · Tags: {', '.join(cls.tags) or 'none'}",
        "",
        "",
    ]
    return "\n".join(header) + cls.documentation() + "\n"
