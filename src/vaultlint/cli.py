"""The `vaultlint` command: check, fix, rules, rule."""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

import click

from . import __version__
from .engine import Linter, RuleCrash
from .fixer import StaleFileError, fix_notes, write_note
from .registry import RegistryError, discover_rules, find_rule, select_rules
from .reporters import render_concise, render_full, render_json, summary_lines
from .rule import Rule
from .vault import Vault, VaultError, find_vault_root

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageProblem(Exception):
    pass


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _build_rules(select: tuple[str, ...], ignore: tuple[str, ...], extend_select: tuple[str, ...], rule_options: tuple[str, ...]) -> list[Rule]:
    available = discover_rules()
    chosen = select_rules(available, _split(select) or None, _split(ignore), _split(extend_select))
    settings: dict[str, dict[str, str]] = {}
    for item in rule_options:
        key, equals, value = item.partition("=")
        rule_key, dot, option = key.partition(".")
        if not equals or not dot:
            raise UsageProblem(f"--rule-option expects RULE.option=value, got {item!r}")
        cls = find_rule(available, rule_key)
        if cls is None:
            raise UsageProblem(f"--rule-option: unknown rule {rule_key!r}")
        settings.setdefault(cls.code, {})[option.strip()] = value.strip()
    rules = []
    for cls in chosen:
        try:
            rules.append(cls(**settings.get(cls.code, {})))
        except ValueError as error:
            raise UsageProblem(f"--rule-option: {error}") from None
    for code in settings:
        if code not in {cls.code for cls in chosen}:
            cls = available[code].cls
            try:
                cls(**settings[code])
            except ValueError as error:
                raise UsageProblem(f"--rule-option: {error}") from None
    return rules


def _load(paths: tuple[str, ...], vault_root: str | None) -> tuple[Vault, list[str]]:
    targets = [Path(p) for p in paths] or [Path(".")]
    root = Path(vault_root).resolve() if vault_root else find_vault_root(targets[0])
    vault = Vault.load(root)
    chosen: list[str] = []
    for target in targets:
        relative = vault.relative(target)
        if relative is None:
            raise UsageProblem(f"{target}: outside the vault root {vault.root}")
        if relative == ".":
            relative = ""
        if target.is_dir():
            prefix = relative + "/" if relative else ""
            chosen.extend(path for path in vault.notes if path.startswith(prefix))
        elif relative in vault.notes:
            chosen.append(relative)
    ordered = sorted(dict.fromkeys(chosen))
    return vault, ordered


def _display_root(vault: Vault) -> str:
    try:
        relative = os.path.relpath(vault.root, Path.cwd())
    except ValueError:
        return str(vault.root) + os.sep
    if relative == ".":
        return ""
    if relative.startswith(".."):
        return str(vault.root) + os.sep
    return relative.replace(os.sep, "/") + "/"


def _selection_options(function):
    options = [
        click.argument("paths", nargs=-1, type=click.Path(exists=True)),
        click.option("--vault-root", type=click.Path(exists=True, file_okay=False), help="Vault root (default: nearest folder with .obsidian/, else the folder given)."),
        click.option("--select", multiple=True, help="Rules to run: codes, code prefixes or names, comma-separated."),
        click.option("--ignore", multiple=True, help="Rules to skip: codes, code prefixes or names."),
        click.option("--extend-select", multiple=True, help="Rules to add to the selection."),
        click.option("--rule-option", "rule_options", multiple=True, metavar="RULE.option=VALUE", help="Set a rule option, e.g. VL105.only-unstable=true."),
        click.option("--output-format", type=click.Choice(["full", "concise", "json"]), default="full", show_default=True),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _guarded(action):
    """Usage problems and internal errors become one clear line and exit code 2."""
    try:
        return action()
    except (UsageProblem, VaultError, RegistryError, RuleCrash) as error:
        click.echo(f"vaultlint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except click.exceptions.Exit:
        raise
    except Exception as error:  # the promise is: never a traceback
        if os.environ.get("VAULTLINT_DEBUG"):
            raise
        click.echo(f"vaultlint: internal error: {type(error).__name__}: {error} (set VAULTLINT_DEBUG=1 for a traceback)", err=True)
        sys.exit(EXIT_ERROR)


def _emit(findings, vault: Vault, checked: int, output_format: str, unsafe: bool = False) -> None:
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if output_format == "json":
        click.echo(render_json(findings, vault, checked))
        return
    root = _display_root(vault)
    if output_format == "concise":
        lines = render_concise(findings, root, colour, unsafe)
        if findings:
            lines.append("")
    else:
        lines = render_full(findings, vault, root, colour, unsafe)
    lines.extend(summary_lines(findings, checked, unsafe))
    for warning in vault.warnings:
        click.echo(f"vaultlint: warning: {warning}", err=True)
    click.echo("\n".join(lines), color=colour)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultlint")
def main() -> None:
    """Lint and repair Obsidian vaults the way Obsidian resolves links."""


@main.command()
@_selection_options
def check(paths, vault_root, select, ignore, extend_select, rule_options, output_format) -> None:
    """Report broken links, headings, block ids, embeds and images in PATHS (default: .)."""

    def run() -> int:
        rules = _build_rules(select, ignore, extend_select, rule_options)
        vault, chosen = _load(paths, vault_root)
        findings = Linter(vault, rules).run(chosen)
        _emit(findings, vault, len(chosen), output_format)
        return EXIT_FINDINGS if findings else EXIT_CLEAN

    sys.exit(_guarded(run))


@main.command()
@_selection_options
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that are probably, not certainly, right.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of the fixes and write nothing.")
def fix(paths, vault_root, select, ignore, extend_select, rule_options, output_format, unsafe_fixes, show_diff) -> None:
    """Apply the fixes of findings in PATHS (safe ones unless --unsafe-fixes)."""

    def run() -> int:
        rules = _build_rules(select, ignore, extend_select, rule_options)
        vault, chosen = _load(paths, vault_root)
        originals = {path: vault.notes[path].encoding.encode(vault.notes[path].text) for path in chosen if not vault.notes[path].skipped}
        result = fix_notes(Linter(vault, rules), chosen, unsafe_fixes)
        if show_diff:
            for path in sorted(result.fixed):
                diff = difflib.unified_diff(
                    result.original[path].splitlines(keepends=True),
                    result.fixed[path].splitlines(keepends=True),
                    fromfile=f"a/{path}",
                    tofile=f"b/{path}",
                )
                click.echo("".join(diff), nl=False)
            click.echo(f"Would fix {result.applied} finding{'s' if result.applied != 1 else ''} in {len(result.fixed)} file{'s' if len(result.fixed) != 1 else ''}.", err=True)
            return EXIT_FINDINGS if result.fixed or result.remaining else EXIT_CLEAN
        written = 0
        for path in sorted(result.fixed):
            note = vault.notes[path]
            try:
                write_note(vault.absolute(path), originals[path], note.encoding.encode(note.text))
                written += 1
            except StaleFileError as error:
                click.echo(f"vaultlint: warning: {error}", err=True)
            except OSError as error:
                click.echo(f"vaultlint: error: {path}: cannot write ({error.strerror})", err=True)
        _emit(result.remaining, vault, len(chosen), output_format, unsafe_fixes)
        if result.not_converged:
            click.echo(f"vaultlint: warning: fixes did not settle after repeated passes in: {', '.join(result.not_converged)}", err=True)
        click.echo(f"Fixed {result.applied} finding{'s' if result.applied != 1 else ''} in {written} file{'s' if written != 1 else ''}.", err=True)
        return EXIT_FINDINGS if result.remaining else EXIT_CLEAN

    sys.exit(_guarded(run))


@main.command(name="rules")
def list_rules() -> None:
    """List every installed rule."""

    def run() -> int:
        for entry in discover_rules().values():
            cls = entry.cls
            fixable = {"none": " ", "sometimes": "*", "always": "*"}[cls.fix_availability.value]
            click.echo(f"{cls.code}  {fixable} {cls.name:<22} {cls.severity.value:<8} {cls.summary}")
        return EXIT_CLEAN

    sys.exit(_guarded(run))


@main.command(name="rule")
@click.argument("key")
def show_rule(key: str) -> None:
    """Print the documentation page of a rule, by code or name."""

    def run() -> int:
        cls = find_rule(discover_rules(), key)
        if cls is None:
            raise UsageProblem(f"unknown rule {key!r} (see `vaultlint rules`)")
        from .docs import render_rule_page

        click.echo(render_rule_page(cls))
        return EXIT_CLEAN

    sys.exit(_guarded(run))
