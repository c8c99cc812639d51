"""Configuration: ``.vaultlint.toml`` or ``[tool.vaultlint]`` in ``pyproject.toml``, merged with the command line.

The file is found by walking up from the vault root: the first folder holding a
``.vaultlint.toml``, or a ``pyproject.toml`` with a ``[tool.vaultlint]`` table, wins
(``.vaultlint.toml`` first within one folder). ``--config PATH`` names the file,
``--config 'KEY = VALUE'`` overrides single keys, ``--isolated`` ignores files.

Every value keeps where it came from, so ``vaultlint config`` can say so, and every
problem is a :class:`ConfigError` naming the file, the line when it can be found,
and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .records import dataclass
from .registry import RegisteredRule, enabled_codes
from .rule import Option, Rule

if TYPE_CHECKING:
    import pathspec

# tomllib, pathspec and difflib are imported where they are first needed: a run in
# a vault without a configuration file, exclusions or .gitignore files needs none
# of them, and every run pays for what the command imports before it starts.

CONFIG_FILE = ".vaultlint.toml"
PYPROJECT = "pyproject.toml"

TOP_KEYS = (
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "respect-gitignore",
    "fixable",
    "unfixable",
    "rules",
    "online",
)
SELECTOR_KEYS = ("select", "extend-select", "ignore", "fixable", "unfixable")
PATTERN_KEYS = ("exclude", "extend-exclude")
# Online settings: key -> (kind, help). Kinds: "url", "text", "seconds", "path".
ONLINE_KEYS: dict[str, tuple[str, str]] = {
    "arxiv-api-url": ("url", "arXiv API endpoint"),
    "arxiv-min-interval": ("seconds", "least time between two arXiv requests, in seconds"),
    "cache-dir": ("path", "folder for cached online answers (relative paths: from the config file's folder)"),
    "timeout": ("seconds", "network timeout per request, in seconds"),
    "user-agent": ("text", "User-Agent header sent with every request"),
}
# Environment variables that override online settings from the file.
ONLINE_ENVIRONMENT = {
    "arxiv-api-url": "VAULTLINT_ARXIV_API_URL",
    "arxiv-min-interval": "VAULTLINT_ARXIV_MIN_INTERVAL",
}


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""


# --- where values come from -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One place settings are read from: a file, an override, the command line."""

    label: str  # how messages and `vaultlint config` name it
    path: Path | None = None
    text: str = ""
    prefix: tuple[str, ...] = ()  # ("tool", "vaultlint") for pyproject.toml
    base: Path | None = None  # folder that patterns are relative to

    def key_name(self, *keys: str) -> str:
        return ".".join((*self.prefix, *keys))

    def where(self, *keys: str) -> str:
        """``file:line: key`` for messages (line only when it can be found)."""
        if self.path is None:
            return f"{self.label}: {self.key_name(*keys)}" if keys else self.label
        line = _line_of(self.text, (*self.prefix, *keys[:-1]), keys[-1] if keys else None) if keys else None
        location = f"{_display(self.path)}:{line}" if line else _display(self.path)
        return f"{location}: {self.key_name(*keys)}" if keys else location


def _display(path: Path) -> str:
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return str(path)
    return str(relative)


def _normalise_key_path(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', text))


def _line_of(text: str, table: tuple[str, ...], key: str | None) -> int | None:
    """Best-effort line of ``key`` in ``table`` (or of the table's header), 1-based."""
    header_line = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
    lines = text.splitlines()
    sections: list[tuple[tuple[str, ...], int, int]] = []
    current: tuple[str, ...] = ()
    start = 0
    for number, line in enumerate(lines):
        match = header_line.match(line)
        if match and not line.lstrip().startswith("#"):
            sections.append((current, start, number))
            current, start = _normalise_key_path(match.group(1)), number
    sections.append((current, start, len(lines)))
    if key is None:
        for header, first, _ in sections:
            if header == table:
                return first + 1
        return None
    for header, first, last in sections:
        if header == table[: len(header)]:
            rest = table[len(header):]
            dotted = r"\s*\.\s*".join(rf"[\"']?{re.escape(part)}[\"']?" for part in (*rest, key))
            pattern = re.compile(rf"^\s*{dotted}\s*=")
            begin = first + 1 if header else first
            for number in range(begin, last):
                if pattern.match(lines[number]):
                    return number + 1
    for header, first, _ in sections:
        if header == (*table, key):
            return first + 1
    return None


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    import tomllib

    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(f"{_display(path)}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{_display(path)}: not valid UTF-8") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{_display(path)}: invalid TOML: {error}") from None


def load_config_file(path: Path) -> tuple[Source, dict[str, Any]]:
    """The vaultlint table of ``path`` (pyproject.toml: ``[tool.vaultlint]``) and its source."""
    path = path.resolve()
    data, text = read_toml(path)
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        table = tool.get("vaultlint") if isinstance(tool, dict) else None
        if table is None:
            raise ConfigError(f"{_display(path)}: has no [tool.vaultlint] table")
        if not isinstance(table, dict):
            raise ConfigError(f"{_display(path)}: tool.vaultlint must be a table")
        return Source(_display(path), path, text, ("tool", "vaultlint"), path.parent), table
    return Source(_display(path), path, text, (), path.parent), data


def find_config_file(start: Path) -> Path | None:
    """The first ``.vaultlint.toml`` or ``pyproject.toml`` with ``[tool.vaultlint]`` at or above ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            try:
                data, _ = read_toml(pyproject)
            except ConfigError:
                try:
                    mentions = b"vaultlint" in pyproject.read_bytes()
                except OSError:
                    mentions = False
                if mentions:
                    raise
                continue  # somebody else's broken pyproject.toml: not ours to judge
            tool = data.get("tool")
            if isinstance(tool, dict) and "vaultlint" in tool:
                return pyproject
    return None


# --- validation -----------------------------------------------------------------------


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def _suggest(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def selector_matches(cls: type[Rule], selector: str) -> bool:
    selector = selector.strip()
    return selector.upper() == "ALL" or cls.code.startswith(selector.upper()) or cls.name == selector.lower()


def expand_selectors(available: Mapping[str, RegisteredRule], selectors: Iterable[str]) -> set[str]:
    selectors = list(selectors)
    return {code for code, entry in available.items() if any(selector_matches(entry.cls, s) for s in selectors)}


def _string_list(value: Any, where: str, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected an array of {what}, got {_type_name(value)}")
    return list(value)


def _selectors(value: Any, where: str, available: Mapping[str, RegisteredRule]) -> list[str]:
    items = _string_list(value, where, "rule codes, prefixes or names")
    for item in items:
        if not item.strip() or not any(selector_matches(entry.cls, item) for entry in available.values()):
            names = [*available, *(entry.cls.name for entry in available.values())]
            raise ConfigError(f"{where}: unknown rule or prefix {item!r}{_suggest(item, names)} (see `vaultlint rules`)")
    return [item.strip() for item in items]


def _option_value(option: Option, value: Any, where: str) -> Any:
    """A rule option from TOML: the type must match the option's default exactly."""
    default = option.default
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif isinstance(default, str):
        ok = isinstance(value, str)
    elif isinstance(default, (list, tuple)):
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
    else:
        ok = True
    if not ok:
        raise ConfigError(f"{where}: expected {_type_name(default if not isinstance(default, tuple) else list(default))}, got {_type_name(value)}")
    try:
        return option.coerce(value)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None


def _find_rule(available: Mapping[str, RegisteredRule], key: str) -> type[Rule] | None:
    for entry in available.values():
        if entry.cls.code == key.upper() or entry.cls.name == key.lower():
            return entry.cls
    return None


def _online_value(key: str, value: Any, where: str, base: Path | None) -> Any:
    kind = ONLINE_KEYS[key][0]
    if kind == "seconds":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number of seconds, got {_type_name(value)}")
        if value < 0 or (key == "timeout" and value == 0):
            raise ConfigError(f"{where}: must be {'greater than 0' if key == 'timeout' else '0 or more'}, got {value}")
        return float(value)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {_type_name(value)}")
    if not value.strip():
        raise ConfigError(f"{where}: must not be empty")
    if kind == "url" and not re.match(r"^https?://\S+$", value):
        raise ConfigError(f"{where}: expected an http:// or https:// URL, got {value!r}")
    if kind == "path":
        path = Path(os.path.expanduser(value))
        if not path.is_absolute() and base is not None:
            path = base / path
        return str(path)
    return value


def validate_table(table: Mapping[str, Any], source: Source, available: Mapping[str, RegisteredRule]) -> dict[str, Any]:
    """Check every key, type and rule code of one vaultlint table; return normalised values.

    Normalised: selector keys -> list[str]; per-file-ignores -> list[(pattern, list[str])];
    exclude keys -> list[str]; rules -> {code: {option: value}}; online -> {key: value}.
    """
    result: dict[str, Any] = {}
    for key, value in table.items():
        where = source.where(key)
        if key not in TOP_KEYS:
            raise ConfigError(f"{source.where(key)}: unknown key{_suggest(key, TOP_KEYS)}")
        if key in SELECTOR_KEYS:
            result[key] = _selectors(value, where, available)
        elif key in PATTERN_KEYS:
            patterns = _string_list(value, where, "gitignore-style patterns")
            try:
                _gitignore_spec(patterns)
            except Exception as error:  # pathspec raises several types for bad patterns
                raise ConfigError(f"{where}: invalid pattern: {error}") from None
            result[key] = patterns
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: expected true or false, got {_type_name(value)}")
            result[key] = value
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a table of pattern = [codes], got {_type_name(value)}")
            entries = []
            for pattern, codes in value.items():
                entry_where = source.where(key, pattern)
                if not pattern.strip():
                    raise ConfigError(f"{entry_where}: empty pattern")
                try:
                    _gitignore_spec([pattern])
                except Exception as error:
                    raise ConfigError(f"{entry_where}: invalid pattern: {error}") from None
                entries.append((pattern, _selectors(codes, entry_where, available)))
            result[key] = entries
        elif key == "rules":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a table of rule tables, got {_type_name(value)}")
            rules: dict[str, dict[str, Any]] = {}
            named: dict[str, str] = {}
            for rule_key, options in value.items():
                rule_where = source.where(key, rule_key)
                cls = _find_rule(available, rule_key)
                if cls is None:
                    names = [*available, *(entry.cls.name for entry in available.values())]
                    raise ConfigError(f"{rule_where}: unknown rule {rule_key!r}{_suggest(rule_key, names)} (see `vaultlint rules`)")
                if cls.code in named:
                    raise ConfigError(f"{rule_where}: {cls.code} ({cls.name}) is already configured as rules.{named[cls.code]}")
                named[cls.code] = rule_key
                if not isinstance(options, dict):
                    raise ConfigError(f"{rule_where}: expected a table of options, got {_type_name(options)}")
                known = {option.name: option for option in cls.options}
                rules[cls.code] = {}
                for name, option_value in options.items():
                    option_where = source.where(key, rule_key, name)
                    if name not in known:
                        hint = _suggest(name, known) or (f" (options: {', '.join(known)})" if known else " (it has no options)")
                        raise ConfigError(f"{option_where}: rule {cls.code} ({cls.name}) has no option {name!r}{hint}")
                    rules[cls.code][name] = _option_value(known[name], option_value, option_where)
            result[key] = rules
        elif key == "online":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a table, got {_type_name(value)}")
            online = {}
            for name, online_value in value.items():
                online_where = source.where(key, name)
                if name not in ONLINE_KEYS:
                    raise ConfigError(f"{online_where}: unknown key{_suggest(name, ONLINE_KEYS)}")
                online[name] = _online_value(name, online_value, online_where, source.base)
            result[key] = online
    return result


# --- the effective settings ---------------------------------------------------------------


@dataclass(slots=True)
class CommandLine:
    """What the command line says; ``None`` means "not given"."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    respect_gitignore: bool | None = None
    fixable: list[str] | None = None
    unfixable: list[str] | None = None
    rule_options: list[str] = field(default_factory=list)
    config: list[str] = field(default_factory=list)
    isolated: bool = False
    online: bool = False


def _gitignore_spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


@dataclass(slots=True)
class PatternGroup:
    """Gitignore-style patterns and the vault-relative folder prefix they are relative to."""

    spec: pathspec.GitIgnoreSpec
    prefix: str  # path of the vault root relative to the patterns' folder ("" when the same)
    scope: str = ""  # only paths under this vault folder (nested .gitignore files)

    def check(self, path: str) -> bool | None:
        if self.scope:
            if not path.startswith(self.scope + "/"):
                return None
            path = path[len(self.scope) + 1:]
        return self.spec.check_file(f"{self.prefix}/{path}" if self.prefix else path).include


@dataclass(slots=True)
class Entry:
    """One effective setting for `vaultlint config`: its TOML key, value and origin."""

    key: str
    value: Any
    origin: str


@dataclass(slots=True)
class Settings:
    vault_root: Path
    config_file: Path | None
    rules: list[Rule]
    enabled: list[str]
    fixable_codes: frozenset[str]
    per_file_ignores: list[tuple[PatternGroup, frozenset[str], str]]
    exclude: list[PatternGroup]
    respect_gitignore: bool
    online: bool
    online_settings: dict[str, Any]
    entries: list[Entry]
    gitignore: list[PatternGroup] = field(default_factory=list)

    def read_gitignore(self, files: Iterable[str]) -> None:
        """Read the .gitignore files that apply to the vault's files (when respected)."""
        self.gitignore = _gitignore_groups(self.vault_root, vault_folders(files)) if self.respect_gitignore else []

    def ignored_for(self, path: str) -> frozenset[str]:
        """Codes that per-file-ignores turn off for ``path`` (vault-relative)."""
        codes: set[str] = set()
        for group, group_codes, _ in self.per_file_ignores:
            if group.check(path):
                codes |= group_codes
        return frozenset(codes)

    def is_excluded(self, path: str) -> bool:
        for group in self.exclude:
            if group.check(path):
                return True
        decision = None
        for group in self.gitignore:  # shallow first: deeper files have the last word
            result = group.check(path)
            if result is not None:
                decision = result
        return bool(decision)

    def is_fixable(self, code: str) -> bool:
        return code in self.fixable_codes

    def fingerprint(self) -> str:
        """Every effective setting, for the results cache: a change in any of them re-runs the rules."""
        return repr([(entry.key, entry.value) for entry in self.entries]) + repr(sorted(self.fixable_codes))


def _prefix(root: Path, base: Path | None) -> str:
    if base is None:
        return ""
    try:
        relative = root.relative_to(base).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else relative


def _gitignore_groups(root: Path, folders: Iterable[str]) -> list[PatternGroup]:
    """Every .gitignore that applies inside the vault, shallowest first.

    Those in the vault's folders, in its ancestors up to the git repository's root
    (or only the vault root outside a repository), and ``.git/info/exclude``.
    """
    groups: list[PatternGroup] = []
    repository = next((folder for folder in (root, *root.parents) if (folder / ".git").exists()), None)
    ancestors = []
    if repository is not None:
        folder = root
        while True:
            ancestors.append(folder)
            if folder == repository:
                break
            folder = folder.parent
        ancestors.reverse()
        exclude = repository / ".git" / "info" / "exclude"
        if exclude.is_file():
            lines = _read_lines(exclude)
            if lines:
                groups.append(PatternGroup(_gitignore_spec(lines), _prefix(root, repository)))
    else:
        ancestors = [root]
    for folder in ancestors:
        file = folder / ".gitignore"
        if file.is_file():
            lines = _read_lines(file)
            if lines:
                groups.append(PatternGroup(_gitignore_spec(lines), _prefix(root, folder)))
    for inner in sorted(set(folders) - {""}, key=lambda f: (f.count("/"), f)):
        file = root.joinpath(*inner.split("/"), ".gitignore")
        if file.is_file():
            lines = _read_lines(file)
            if lines:
                groups.append(PatternGroup(_gitignore_spec(lines), "", inner))
    return groups


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def vault_folders(files: Iterable[str]) -> set[str]:
    """Every folder of the vault that holds a file, with all their parents."""
    folders = {""}
    for path in files:
        folder = path.rpartition("/")[0]
        while folder not in folders:  # a folder already seen brought its parents
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def resolve_settings(
    vault_root: Path,
    cli: CommandLine,
    available: Mapping[str, RegisteredRule],
    environment: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the config file, ``--config`` overrides, the command line and the environment."""
    environment = os.environ if environment is None else environment
    root = vault_root.resolve()

    # 1. The file: --config PATH, else found by walking up (unless --isolated).
    config_paths = [item for item in cli.config if "=" not in item or Path(item).is_file()]
    overrides = [item for item in cli.config if item not in config_paths]
    if len(config_paths) > 1:
        raise ConfigError(f"--config: only one configuration file may be given, got {', '.join(config_paths)}")
    if config_paths and cli.isolated:
        raise ConfigError("--isolated ignores configuration files; it cannot be combined with --config PATH")
    config_file: Path | None = None
    if config_paths:
        config_file = Path(config_paths[0])
        if not config_file.is_file():
            raise ConfigError(f"--config: no such file: {config_paths[0]} (an override looks like 'KEY = VALUE')")
    elif not cli.isolated:
        config_file = find_config_file(root)
    values: dict[str, Any] = {}
    origins: dict[str, Source] = {}
    if config_file is not None:
        source, table = load_config_file(config_file)
        config_file = source.path
        for key, value in validate_table(table, source, available).items():
            values[key], origins[key] = value, source
    cli_source = Source("command line", base=root)
    for override in overrides:
        import tomllib

        source = Source(f"--config {override!r}", base=root)
        try:
            table = tomllib.loads(override)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"--config {override!r}: not a file, and not a valid TOML 'KEY = VALUE' override: {error}") from None
        for key, value in validate_table(table, source, available).items():
            values[key], origins[key] = value, source

    entries: list[Entry] = []

    def origin_of(key: str, default: str = "default") -> str:
        return origins[key].label if key in origins else default

    # 2. Rule selection, in two layers (file, command line), as ruff does: a layer's
    #    select replaces what came before, extend-select adds, ignore removes.
    #    Opt-in rules (default_enabled = False) are turned on only by their exact
    #    code or name (registry.enabled_codes).
    enabled = enabled_codes(available, None)
    if "select" in values:
        enabled = enabled_codes(available, values["select"])
    enabled |= enabled_codes(available, values.get("extend-select", []))
    enabled -= expand_selectors(available, values.get("ignore", []))
    cli_validate = lambda flag, items: _selectors(items, f"{flag}", available)  # noqa: E731
    if cli.select is not None:
        enabled = enabled_codes(available, cli_validate("--select", cli.select))
    enabled |= enabled_codes(available, cli_validate("--extend-select", cli.extend_select))
    enabled -= expand_selectors(available, cli_validate("--ignore", cli.ignore))
    entries.append(Entry("select", values.get("select", ["ALL"]), origin_of("select")))
    entries.append(Entry("extend-select", values.get("extend-select", []), origin_of("extend-select")))
    entries.append(Entry("ignore", values.get("ignore", []), origin_of("ignore")))
    for flag, given in (("--select", cli.select), ("--extend-select", cli.extend_select or None), ("--ignore", cli.ignore or None)):
        if given is not None:
            entries.append(Entry(flag.lstrip("-"), given, f"command line {flag}"))

    # 3. Fixable rules.
    fixable = values.get("fixable", ["ALL"])
    fixable_origin = origin_of("fixable")
    if cli.fixable is not None:
        fixable, fixable_origin = cli_validate("--fixable", cli.fixable), "command line --fixable"
    unfixable = values.get("unfixable", [])
    unfixable_origin = origin_of("unfixable")
    if cli.unfixable is not None:
        unfixable, unfixable_origin = cli_validate("--unfixable", cli.unfixable), "command line --unfixable"
    fixable_codes = frozenset(expand_selectors(available, fixable) - expand_selectors(available, unfixable))
    entries.append(Entry("fixable", fixable, fixable_origin))
    entries.append(Entry("unfixable", unfixable, unfixable_origin))

    # 4. Per-file ignores.
    per_file: list[tuple[PatternGroup, frozenset[str], str]] = []
    if "per-file-ignores" in values:
        source = origins["per-file-ignores"]
        for pattern, selectors in values["per-file-ignores"]:
            group = PatternGroup(_gitignore_spec([pattern]), _prefix(root, source.base))
            per_file.append((group, frozenset(expand_selectors(available, selectors)), pattern))
    entries.append(Entry("per-file-ignores", {pattern: selectors for pattern, selectors in values.get("per-file-ignores", [])}, origin_of("per-file-ignores")))

    # 5. Exclusions: the file's (relative to its folder), then the command line's
    #    (relative to the vault root); .gitignore files unless turned off.
    exclude_groups: list[PatternGroup] = []
    exclude = values.get("exclude", [])
    exclude_source = origins.get("exclude")
    exclude_origin = origin_of("exclude")
    if cli.exclude is not None:
        exclude, exclude_source, exclude_origin = cli.exclude, cli_source, "command line --exclude"
    extend_exclude = list(values.get("extend-exclude", []))
    for patterns, source in ((exclude, exclude_source), (extend_exclude, origins.get("extend-exclude"))):
        if patterns:
            exclude_groups.append(PatternGroup(_gitignore_spec(patterns), _prefix(root, source.base if source else root)))
    if cli.extend_exclude:
        exclude_groups.append(PatternGroup(_gitignore_spec(cli.extend_exclude), ""))
    entries.append(Entry("exclude", exclude, exclude_origin))
    entries.append(Entry("extend-exclude", extend_exclude, origin_of("extend-exclude")))
    if cli.extend_exclude:
        entries.append(Entry("extend-exclude", cli.extend_exclude, "command line --extend-exclude"))
    respect = values.get("respect-gitignore", True)
    respect_origin = origin_of("respect-gitignore")
    if cli.respect_gitignore is not None:
        respect = cli.respect_gitignore
        respect_origin = "command line --respect-gitignore" if respect else "command line --no-respect-gitignore"
    entries.append(Entry("respect-gitignore", respect, respect_origin))

    # 6. Rule options: the file's, then --rule-option (strings, coerced by the option).
    options: dict[str, dict[str, Any]] = {code: dict(opts) for code, opts in values.get("rules", {}).items()}
    option_origins: dict[tuple[str, str], str] = {
        (code, name): origin_of("rules") for code, opts in options.items() for name in opts
    }
    for item in cli.rule_options:
        key, equals, raw = item.partition("=")
        rule_key, dot, name = key.partition(".")
        if not equals or not dot or not name.strip():
            raise ConfigError(f"--rule-option expects RULE.option=value, got {item!r}")
        cls = _find_rule(available, rule_key.strip())
        if cls is None:
            raise ConfigError(f"--rule-option: unknown rule {rule_key!r}")
        known = {option.name: option for option in cls.options}
        name = name.strip()
        if name not in known:
            raise ConfigError(f"--rule-option: rule {cls.code} ({cls.name}) has no option {name!r}")
        try:
            options.setdefault(cls.code, {})[name] = known[name].coerce(raw.strip())
        except ValueError as error:
            raise ConfigError(f"--rule-option {item!r}: {error}") from None
        option_origins[(cls.code, name)] = "command line --rule-option"
    rules: list[Rule] = []
    for code, entry in available.items():
        try:
            instance = entry.cls(**options.get(code, {}))
        except ValueError as error:
            raise ConfigError(f"rule options: {error}") from None
        if code in enabled:
            rules.append(instance)
        for option in entry.cls.options:
            if code in enabled or (code, option.name) in option_origins:
                value = instance.settings[option.name]
                entries.append(Entry(f"rules.{code}.{option.name}", list(value) if isinstance(value, tuple) else value, option_origins.get((code, option.name), "default")))

    # 7. Online: --online, then the file's [online] table, then the environment.
    online_settings = dict(values.get("online", {}))
    online_origins = {key: origin_of("online") for key in online_settings}
    for key, variable in ONLINE_ENVIRONMENT.items():
        raw = environment.get(variable)
        if raw is None or raw == "":
            continue
        where = f"environment variable {variable}"
        value: Any = raw
        if ONLINE_KEYS[key][0] == "seconds":
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(f"{where}: expected a number of seconds, got {raw!r}") from None
        online_settings[key] = _online_value(key, value, where, root)
        online_origins[key] = where
    entries.append(Entry("online", cli.online, "command line --online" if cli.online else "default"))
    for key in ONLINE_KEYS:
        if key in online_settings:
            entries.append(Entry(f"online.{key}", online_settings[key], online_origins[key]))

    return Settings(
        vault_root=root,
        config_file=config_file,
        rules=rules,
        enabled=sorted(enabled),
        fixable_codes=fixable_codes,
        per_file_ignores=per_file,
        exclude=exclude_groups,
        respect_gitignore=respect,
        online=cli.online,
        online_settings=online_settings,
        entries=entries,
    )


def toml_value(value: Any) -> str:
    """A value written as TOML (for `vaultlint config`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    return toml_value(str(value))
