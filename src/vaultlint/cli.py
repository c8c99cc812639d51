"""The `vaultlint` command: check, fix, config, rules, rule."""

from __future__ import annotations

import gc
import os
import sys
from collections import Counter
from pathlib import Path

import click

from . import __version__
from .config import CommandLine, ConfigError, Settings, resolve_settings, toml_value
from .cache import CACHE_DIR_NAME, NoteResultCache, ResultCache, clear_cache, wait_for_writers
from .engine import Linter, RuleCrash
from .fixer import MoveError, StaleFileError, fix_notes, move_diff, move_file, write_note
from .progress import Progress
from .records import dataclass
from .registry import RegistryError, discover_rules, find_rule
from .rule import Context
from .source import DecodeError, decode_note
from .vault import Vault, VaultError, discover_files, find_vault_root

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
OUTPUT_FORMATS = ("full", "concise", "grouped", "json", "github", "sarif", "junit")


class UsageProblem(Exception):
    pass


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@dataclass(slots=True)
class Options:
    """What the selection and configuration options of a command said."""

    paths: tuple[str, ...]
    vault_root: str | None
    command_line: CommandLine
    use_cache: bool = True
    cache_dir: str | None = None
    jobs: int | None = None


def _command_line(kwargs: dict) -> Options:
    def listed(name: str) -> list[str] | None:
        values = kwargs.pop(name)
        return _split(values) if values else None

    cli = CommandLine(
        select=listed("select"),
        extend_select=listed("extend_select") or [],
        ignore=listed("ignore") or [],
        exclude=listed("exclude"),
        extend_exclude=listed("extend_exclude") or [],
        respect_gitignore=kwargs.pop("respect_gitignore"),
        fixable=listed("fixable"),
        unfixable=listed("unfixable"),
        rule_options=list(kwargs.pop("rule_options")),
        config=list(kwargs.pop("config")),
        isolated=kwargs.pop("isolated"),
        online=kwargs.pop("online", False),
    )
    return Options(
        kwargs.pop("paths"),
        kwargs.pop("vault_root"),
        cli,
        use_cache=not kwargs.pop("no_cache"),
        cache_dir=kwargs.pop("cache_dir"),
        jobs=kwargs.pop("jobs"),
    )


def _vault_root(targets: list[Path], given: str | None) -> Path:
    if given:
        return Path(given).resolve()
    folders = [target.resolve() if target.is_dir() else target.resolve().parent for target in targets]
    return find_vault_root(Path(os.path.commonpath(folders)))


def _choose(targets: list[Path], vault: Vault) -> list[str]:
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
    return sorted(dict.fromkeys(chosen))


def _scope(targets: list[Path], vault: Vault, settings: Settings):
    """Which files (not notes) vault-wide findings may name: under the paths given, not excluded."""
    given = []
    for target in targets:
        relative = vault.relative(target)
        if relative is not None:
            given.append(("" if relative == "." else relative, target.is_dir()))

    def in_scope(path: str) -> bool:
        if settings.is_excluded(path):
            return False
        return any(path == where or (folder and (not where or path.startswith(where + "/"))) for where, folder in given)

    in_scope.given = tuple(given)  # for the results cache key: the same notes may come with another scope
    return in_scope


@dataclass(slots=True)
class Run:
    vault: Vault
    chosen: list[str]
    settings: Settings
    linter: Linter


def _prepare(options: Options, progress: Progress) -> Run:
    targets = [Path(p) for p in options.paths] or [Path(".")]
    root = _vault_root(targets, options.vault_root)
    cache_dir = _cache_dir(options, root)
    settings = resolve_settings(root, options.command_line, discover_rules(cache_dir if options.use_cache else None))
    vault = Vault.load(
        root,
        cache_dir=cache_dir,
        use_cache=options.use_cache,
        jobs=options.jobs,
        progress=progress.phase("Reading notes"),
        save_in_background=True,
        unpickle_papers=any(target.resolve() == root for target in targets),
    )
    settings.read_gitignore(vault.files)
    chosen = [path for path in _choose(targets, vault) if not settings.is_excluded(path)]
    context = Context(vault, online=settings.online, online_settings=dict(settings.online_settings))
    linter = Linter(
        vault,
        settings.rules,
        context,
        ignored_for=settings.ignored_for,
        fixable=settings.is_fixable,
        progress=progress.phase("Checking notes"),
        scope=_scope(targets, vault, settings),
        jobs=options.jobs,
    )
    return Run(vault, chosen, settings, linter)


def _cache_dir(options: Options, root: Path) -> Path:
    return Path(options.cache_dir).resolve() if options.cache_dir else root / CACHE_DIR_NAME


# Runs that check fewer notes than this (and than the vault holds) neither take nor
# keep each note's findings (``NoteResultCache``).
NOTE_RESULTS_MIN_NOTES = 200


def _cached_check(options: Options, prepared: Run) -> list:
    """The findings of a check, replayed from the last run when nothing that decides them changed."""
    linter = prepared.linter
    if not options.use_cache or prepared.settings.online:
        return linter.run(prepared.chosen)
    vault = prepared.vault
    folder = _cache_dir(options, vault.root)
    results = ResultCache(folder)
    key, notes_key = _result_keys(prepared)
    findings = results.get(key)
    if findings is None:
        linter.results = _note_results(prepared, folder, notes_key)
        findings = linter.run(prepared.chosen)
        if not vault.timed_out:
            results.put(key, findings)
        if linter.results is not None:
            linter.results.save(vault.notes, vault.files, background=True, checked=prepared.chosen)
        vault.save_paper_facts(background=True)
    return findings


def _note_results(prepared: Run, folder: Path, notes_key: bytes) -> NoteResultCache | None:
    """Each note's findings, taken from and kept for other runs; not for a run about a few
    notes (pre-commit), for which reading them all costs more than it saves."""
    if len(prepared.chosen) < min(NOTE_RESULTS_MIN_NOTES, len(prepared.vault.notes)):
        return None
    return NoteResultCache(folder, notes_key)


def _result_keys(prepared: Run) -> tuple[bytes, bytes]:
    """The keys of the run's findings as a whole and of each note's (``ResultCache.keys``)."""
    linter = prepared.linter
    return ResultCache.keys(
        prepared.vault, linter.rules, prepared.chosen, prepared.settings.fingerprint(), repr(getattr(linter.scope, "given", ()))
    )


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
        click.option("--vault-root", type=click.Path(exists=True, file_okay=False), help="Vault root (default: nearest folder with .obsidian/ above the paths, else their common folder)."),
        click.option("--select", multiple=True, help="Rules to run: codes, code prefixes or names, comma-separated (replaces the file's selection)."),
        click.option("--ignore", multiple=True, help="Rules to skip: codes, code prefixes or names."),
        click.option("--extend-select", multiple=True, help="Rules to add to the selection."),
        click.option("--rule-option", "rule_options", multiple=True, metavar="RULE.option=VALUE", help="Set a rule option, e.g. VL105.only-unstable=true."),
        click.option("--exclude", multiple=True, metavar="PATTERN", help="Gitignore-style patterns (relative to the vault root) of notes not to report; replaces the file's exclude."),
        click.option("--extend-exclude", multiple=True, metavar="PATTERN", help="Patterns of notes not to report, in addition to exclude."),
        click.option("--respect-gitignore/--no-respect-gitignore", default=None, help="Leave out notes that .gitignore files ignore (default: on)."),
        click.option("--fixable", multiple=True, help="Rules whose fixes may be applied (default: all)."),
        click.option("--unfixable", multiple=True, help="Rules whose fixes are never applied."),
        click.option("--config", multiple=True, metavar="PATH | 'KEY = VALUE'", help="A configuration file to use instead of the one found, or a TOML 'KEY = VALUE' override (repeatable)."),
        click.option("--isolated", is_flag=True, help="Ignore configuration files."),
        click.option("--no-cache", is_flag=True, help="Parse every note afresh and keep no cache."),
        click.option("--cache-dir", type=click.Path(file_okay=False), help="Where the cache lives (default: .vaultlint_cache/ at the vault root)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes for parsing and checking (default: one per core; small vaults use one)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _run_options(function):
    options = [
        click.option("--online", is_flag=True, help="Allow the rules that need the network (e.g. arXiv checks)."),
        click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="full", show_default=True, help="full, concise, grouped (by file), json, github (workflow annotations), sarif (2.1.0) or junit (XML)."),
        click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings."),
        click.option("--exit-zero", is_flag=True, help="Exit with 0 even when there are findings (errors still exit with 2)."),
        click.option("-q", "--quiet", is_flag=True, help="Print the findings only: no summary."),
        click.option("--progress/--no-progress", default=None, help="Show a progress bar on stderr (default: only on a terminal, after a second, outside CI and pre-commit)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _guarded(action):
    """Usage problems and internal errors become one clear line and exit code 2.

    A command runs without the cyclic garbage collector: what it builds (the vault,
    the rules' indexes, the findings) lives until it ends, and collections would walk
    it again and again (the first after the rules ran took 0.4 s at 10,000 notes).
    At the end it is frozen, not collected, for commands run in a longer process.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            return action()
        finally:
            wait_for_writers()  # the parse cache, written while the rules ran
            if collecting:
                gc.freeze()
                gc.enable()
    except (UsageProblem, ConfigError, VaultError, RegistryError, RuleCrash) as error:
        click.echo(f"vaultlint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except click.exceptions.Exit:
        raise
    except BrokenPipeError:  # `vaultlint ... | head`: the reader left; say nothing more
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(EXIT_ERROR)
    except Exception as error:  # the promise is: never a traceback
        if os.environ.get("VAULTLINT_DEBUG"):
            raise
        click.echo(f"vaultlint: internal error: {type(error).__name__}: {error} (set VAULTLINT_DEBUG=1 for a traceback)", err=True)
        sys.exit(EXIT_ERROR)


def _emit(findings, run: Run, output_format: str, statistics: bool, quiet: bool, unsafe: bool = False) -> None:
    from . import reporters  # only the commands that print findings need it

    vault = run.vault
    for warning in vault.warnings:
        click.echo(f"vaultlint: warning: {warning}", err=True)
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    root = _display_root(vault)
    if statistics:
        text = reporters.render_statistics(findings, output_format == "json")
        if text:
            click.echo(text)
        if not quiet and output_format != "json":
            click.echo(reporters.summary_lines(findings, len(run.chosen), unsafe)[0].rstrip(":") + ("." if findings else ""))
        return
    if output_format == "json":
        click.echo(reporters.render_json(findings, vault, len(run.chosen)))
        return
    if output_format == "github":
        for line in reporters.render_github(findings, root):
            click.echo(line)
        return
    if output_format == "sarif":
        rules = {type(rule) for rule in run.settings.rules}
        rules |= {entry.cls for code, entry in discover_rules().items() if code in {f.code for f in findings}}
        click.echo(reporters.render_sarif(findings, rules, root, Path.cwd()))
        return
    if output_format == "junit":
        click.echo(reporters.render_junit(findings, run.chosen, root))
        return
    if output_format == "concise":
        lines = reporters.render_concise(findings, root, colour, unsafe)
        if findings and not quiet:
            lines.append("")
    elif output_format == "grouped":
        lines = reporters.render_grouped(findings, root, colour, unsafe)
    else:
        lines = reporters.render_full(findings, vault, root, colour, unsafe)
    if quiet:
        while lines and lines[-1] == "":
            lines.pop()
    else:
        lines.extend(reporters.summary_lines(findings, len(run.chosen), unsafe))
    if lines:
        click.echo("\n".join(lines), color=colour)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultlint")
def main() -> None:
    """Lint and repair Obsidian vaults the way Obsidian resolves links."""


def entry() -> None:
    """The ``vaultlint`` command: :func:`main`, then an exit that skips tearing the
    interpreter down, which for a large vault means freeing millions of objects one
    by one (0.3 to 0.7 s at 10,000 notes) only for the process to end. Everything
    the command writes is written, closed and waited for before it returns."""
    try:
        main()
        code = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:
            print(done.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader left (`vaultlint check | head`), as in _guarded
            code = EXIT_ERROR
    os._exit(code)


@main.command()
@_selection_options
@_run_options
def check(output_format, statistics, exit_zero, quiet, progress, **kwargs) -> None:
    """Report broken links, headings, block ids, embeds and images in PATHS (default: .)."""
    options = _command_line(kwargs)

    def run() -> int:
        bar = Progress(progress)
        try:
            prepared = _prepare(options, bar)
            findings = _cached_check(options, prepared)
        finally:
            bar.close()
        _emit(findings, prepared, output_format, statistics, quiet)
        return EXIT_FINDINGS if findings and not exit_zero else EXIT_CLEAN

    sys.exit(_guarded(run))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


@main.command()
@_selection_options
@_run_options
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that are probably, not certainly, right.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of the fixes and write nothing.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit with 1 when files were changed, even if no finding is left (for pre-commit).")
@click.option("--show-fixes", is_flag=True, help="List the findings that were fixed, per file and rule.")
def fix(output_format, statistics, exit_zero, quiet, progress, unsafe_fixes, show_diff, exit_non_zero_on_fix, show_fixes, **kwargs) -> None:
    """Apply the fixes of findings in PATHS (safe ones unless --unsafe-fixes)."""
    options = _command_line(kwargs)

    def run() -> int:
        if exit_zero and exit_non_zero_on_fix:
            raise UsageProblem("--exit-zero and --exit-non-zero-on-fix contradict each other; give one")
        bar = Progress(progress)
        try:
            prepared = _prepare(options, bar)
            vault, chosen, linter = prepared.vault, prepared.chosen, prepared.linter
            originals = {path: vault.notes[path].encoding.encode(vault.notes[path].text) for path in chosen if not vault.notes[path].skipped}
            first: list = []
            plain_run = linter.run

            def recording_run(paths):
                found = plain_run(paths)
                if not first:
                    first.append(found)
                return found

            linter.run = recording_run
            if options.use_cache and not prepared.settings.online:
                # The first pass takes the findings a check kept; the later ones check again
                # only the notes the fixes changed and those whose findings depend on them.
                linter.results = _note_results(prepared, _cache_dir(options, vault.root), _result_keys(prepared)[1])
            result = fix_notes(linter, chosen, unsafe_fixes)
            if linter.results is not None:
                linter.results.save(vault.notes, vault.files, background=True, checked=chosen)
        finally:
            bar.close()
        if show_diff:
            import difflib

            for path in sorted(result.fixed):
                diff = difflib.unified_diff(
                    result.original[path].splitlines(keepends=True),
                    result.fixed[path].splitlines(keepends=True),
                    fromfile=f"a/{path}",
                    tofile=f"b/{path}",
                )
                click.echo("".join(diff), nl=False)
            for move in result.moves:
                click.echo(move_diff(move), nl=False)
            if not quiet:
                click.echo(f"Would fix {_plural(result.applied, 'finding')} in {_plural(len(result.fixed) + len(result.moves), 'file')}.", err=True)
            if exit_zero:
                return EXIT_CLEAN
            return EXIT_FINDINGS if result.fixed or result.moves or result.remaining else EXIT_CLEAN
        written: list[str] = []
        unwritten: list[str] = []  # kept as they are on disk; reported as they are there
        failed = False
        for path in sorted(result.fixed):
            note = vault.notes[path]
            try:
                write_note(vault.absolute(path), originals[path], note.encoding.encode(note.text))
                written.append(path)
            except StaleFileError as error:
                click.echo(f"vaultlint: warning: {error}", err=True)
                unwritten.append(path)
            except OSError as error:
                click.echo(f"vaultlint: error: {path}: cannot write ({error.strerror})", err=True)
                unwritten.append(path)
                failed = True
        for move in result.moves:  # file moves (unsafe fixes), after the text edits
            try:
                move_file(vault.root, move)
                written.append(move.source)
            except MoveError as error:
                click.echo(f"vaultlint: warning: {error}", err=True)
            except OSError as error:
                click.echo(f"vaultlint: error: {move.source}: cannot move to {move.destination} ({error.strerror})", err=True)
                failed = True
        remaining = result.remaining
        if unwritten:
            remaining = _recheck_from_disk(linter, vault, unwritten, remaining, result.original)
        _emit(remaining, prepared, output_format, statistics, quiet, unsafe_fixes)
        if result.not_converged:
            click.echo(f"vaultlint: warning: fixes did not settle after repeated passes in: {', '.join(result.not_converged)}; those notes were not changed", err=True)
        before = Counter((f.path, f.code, f.rule) for f in (first[0] if first else []) if f.fixable(unsafe_fixes))
        fixed = before - Counter((f.path, f.code, f.rule) for f in remaining)
        applied = result.applied if not unwritten else sum(count for (p, _, _), count in fixed.items() if p in written)
        if show_fixes and written:
            click.echo(f"Fixed {_plural(applied, 'finding')}:", err=True)
            for path in written:
                rows = sorted((code, rule, count) for (p, code, rule), count in fixed.items() if p == path)
                click.echo(f"- {_display_root(vault)}{path}:", err=True)
                for code, rule, count in rows:
                    click.echo(f"    {count} × {code} ({rule})", err=True)
        elif not quiet:
            click.echo(f"Fixed {_plural(applied, 'finding')} in {_plural(len(written), 'file')}.", err=True)
        if failed:
            return EXIT_ERROR
        if exit_non_zero_on_fix and written:
            return EXIT_FINDINGS
        return EXIT_FINDINGS if remaining and not exit_zero else EXIT_CLEAN

    sys.exit(_guarded(run))


def _recheck_from_disk(linter: Linter, vault: Vault, paths: list[str], remaining: list, original: dict[str, str]) -> list:
    """Findings of notes left unwritten, checked as they now are on disk (or as read)."""
    for path in paths:
        try:
            text, _ = decode_note(vault.absolute(path).read_bytes())
        except (OSError, DecodeError):
            text = original.get(path, vault.notes[path].text)
        vault.replace_note(path, text)
    gone = set(paths)
    findings = [f for f in remaining if f.path not in gone] + linter.run(paths)
    findings.sort(key=lambda finding: finding.sort_key)
    return findings


@main.command(name="config")
@_selection_options
@click.option("--online", is_flag=True, help="Show the settings as a run with --online would use them.")
def show_config(**kwargs) -> None:
    """Show the effective settings for PATHS (default: .) and where each comes from."""
    options = _command_line(kwargs)

    def run() -> int:
        targets = [Path(p) for p in options.paths] or [Path(".")]
        root = _vault_root(targets, options.vault_root)
        available = discover_rules()
        settings = resolve_settings(root, options.command_line, available)
        if options.vault_root:
            how = "--vault-root"
        elif (root / ".obsidian").is_dir():
            how = "nearest folder with .obsidian/"
        else:
            how = "no .obsidian/ found: the folder given"
        click.echo(f"# vault root: {root} ({how})")
        if settings.config_file is not None:
            table = " [tool.vaultlint]" if settings.config_file.name == "pyproject.toml" else ""
            click.echo(f"# configuration file: {settings.config_file}{table}")
        else:
            click.echo("# configuration file: none" + (" (--isolated)" if options.command_line.isolated else " found"))
        click.echo("")
        rows = [(f"{entry.key} = {toml_value(entry.value)}", entry.origin) for entry in settings.entries]
        width = min(max(len(left) for left, _ in rows), 60)
        for left, origin in rows:
            click.echo(f"{left:<{width}}  # {origin}")
        click.echo("")
        enabled = settings.enabled
        click.echo(f"# rules enabled ({len(enabled)}): {' '.join(enabled) or 'none'}")
        fixable = [code for code in enabled if code in settings.fixable_codes and available[code].cls.fix_availability.value != "none"]
        click.echo(f"# rules with fixes applied ({len(fixable)}): {' '.join(fixable) or 'none'}")
        files, _ = discover_files(root)
        notes = [path for path in files if path.lower().endswith(".md")]
        settings.read_gitignore(files)
        excluded = [path for path in notes if settings.is_excluded(path)]
        click.echo(f"# notes excluded from reports: {len(excluded)} of {len(notes)}" + (f": {', '.join(excluded[:10])}{' ...' if len(excluded) > 10 else ''}" if excluded else ""))
        ignored = {path: settings.ignored_for(path) for path in notes}
        with_ignores = [path for path, codes in ignored.items() if codes]
        if with_ignores:
            click.echo(f"# notes with per-file ignores: {len(with_ignores)} of {len(notes)}")
        return EXIT_CLEAN

    sys.exit(_guarded(run))


@main.command(name="clean")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--vault-root", type=click.Path(exists=True, file_okay=False), help="Vault root (default: found from the paths).")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="The cache folder to remove (default: .vaultlint_cache/ at the vault root).")
def clean(paths, vault_root, cache_dir) -> None:
    """Remove vaultlint's cache of the vault (parsed notes, results, online answers)."""

    def run() -> int:
        targets = [Path(p) for p in paths] or [Path(".")]
        root = _vault_root(targets, vault_root)
        folder = Path(cache_dir).resolve() if cache_dir else root / CACHE_DIR_NAME
        if not folder.exists():
            click.echo(f"No cache at {folder}.")
        elif _remove_cache(folder):
            click.echo(f"Removed {folder}.")
        else:
            raise UsageProblem(f"{folder} does not look like a vaultlint cache (no .gitignore written by vaultlint); not removed")
        return EXIT_CLEAN

    sys.exit(_guarded(run))


def _remove_cache(folder: Path) -> bool:
    """Remove the cache folder and what vaultlint keeps in it (online answers live in sub-folders)."""
    import shutil

    for child in folder.iterdir():
        if child.is_dir() and (child / ".gitignore").is_file():
            shutil.rmtree(child)
    return clear_cache(folder)


@main.command(name="rules")
def list_rules() -> None:
    """List every installed rule."""

    def run() -> int:
        available = discover_rules()
        width = max((len(entry.cls.name) for entry in available.values()), default=0)
        for entry in available.values():
            cls = entry.cls
            fixable = {"none": " ", "sometimes": "*", "always": "*"}[cls.fix_availability.value]
            click.echo(f"{cls.code}  {fixable} {cls.name:<{width}}  {cls.severity.value:<8} {cls.summary}")
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
