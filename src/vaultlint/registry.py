"""Finding, loading and validating rules: every rule comes in through one entry-point group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points

from .records import dataclass
from .rule import CODE_PATTERN, NAME_PATTERN, Rule

ENTRY_POINT_GROUP = "vaultlint.rules"


class RegistryError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class RegisteredRule:
    cls: type[Rule]
    distribution: str | None


def _load(entry: EntryPoint) -> type[Rule]:
    try:
        loaded = entry.load()
    except Exception as error:  # a broken plugin must name itself, not crash the run
        package = entry.dist.name if entry.dist else "unknown package"
        raise RegistryError(f"cannot load rule {entry.name} from {package}: {error}") from error
    if not (isinstance(loaded, type) and issubclass(loaded, Rule)):
        raise RegistryError(f"entry point {entry.name} ({entry.value}) is not a vaultlint Rule subclass")
    if not CODE_PATTERN.match(getattr(loaded, "code", "")):
        raise RegistryError(f"rule {entry.value} has an invalid code {getattr(loaded, 'code', None)!r}")
    if loaded.code != entry.name:
        raise RegistryError(f"entry point {entry.name} names rule {entry.value}, whose code is {loaded.code}")
    if not NAME_PATTERN.match(getattr(loaded, "name", "")):
        raise RegistryError(f"rule {loaded.code} has an invalid name {getattr(loaded, 'name', None)!r}")
    return loaded


def discover_rules() -> dict[str, RegisteredRule]:
    """Every installed rule by code, sorted; codes and names must be unique."""
    found: dict[str, RegisteredRule] = {}
    names: dict[str, str] = {}
    # A distribution's name is read from its METADATA file, parsed anew on every
    # access: once per distribution, not once per rule (by id: the entry points of
    # one distribution share one object).
    distributions: dict[int, str] = {}
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if entry.name in found:
            continue  # the same distribution seen twice on sys.path
        cls = _load(entry)
        if cls.name in names:
            raise RegistryError(f"rules {names[cls.name]} and {cls.code} share the name {cls.name!r}")
        names[cls.name] = cls.code
        distribution = None
        if entry.dist:
            distribution = distributions.get(id(entry.dist))
            if distribution is None:
                distribution = distributions[id(entry.dist)] = entry.dist.name
        found[cls.code] = RegisteredRule(cls, distribution)
    return dict(sorted(found.items()))


def _matches(cls: type[Rule], selector: str) -> bool:
    selector = selector.strip()
    return selector.upper() == "ALL" or cls.code.startswith(selector.upper()) or cls.name == selector.lower()


def enables(cls: type[Rule], selector: str) -> bool:
    """Whether ``selector``, in a select or extend-select, turns ``cls`` on.

    An opt-in rule (``default_enabled = False``, such as the vault-wide
    orphan-attachment) is turned on only by its exact code or name, never by
    ``ALL`` or a code prefix; every other rule by any selector that matches it.
    """
    if cls.default_enabled:
        return _matches(cls, selector)
    selector = selector.strip()
    return selector.upper() == cls.code or selector.lower() == cls.name


def enabled_codes(available: Mapping[str, RegisteredRule], select: Iterable[str] | None) -> set[str]:
    """The codes a selection turns on; ``None`` is the default selection (every rule not opt-in)."""
    if select is None:
        return {code for code, entry in available.items() if entry.cls.default_enabled}
    selectors = list(select)
    return {code for code, entry in available.items() if any(enables(entry.cls, s) for s in selectors)}


def select_rules(
    available: dict[str, RegisteredRule],
    select: list[str] | None,
    ignore: list[str],
    extend_select: list[str] | None = None,
) -> list[type[Rule]]:
    """Rules chosen by code, code prefix or name; ``ignore`` wins over ``select``.

    Opt-in rules (``default_enabled = False``) are chosen only when ``select`` or
    ``extend_select`` names them by exact code or name.
    """
    for selector in [*(select or []), *ignore, *(extend_select or [])]:
        if not any(_matches(entry.cls, selector) for entry in available.values()):
            raise RegistryError(f"unknown rule or prefix {selector!r} (see `vaultlint rules`)")
    chosen_codes = enabled_codes(available, select or None) | enabled_codes(available, extend_select or [])
    return [
        entry.cls
        for code, entry in available.items()
        if code in chosen_codes and not any(_matches(entry.cls, s) for s in ignore)
    ]


def find_rule(available: dict[str, RegisteredRule], key: str) -> type[Rule] | None:
    for entry in available.values():
        if entry.cls.code == key.upper() or entry.cls.name == key.lower():
            return entry.cls
    return None
