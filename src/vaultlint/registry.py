"""Finding, loading and validating rules: every rule comes in through one entry-point group."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from functools import reduce
from importlib import import_module
from pathlib import Path
from typing import NamedTuple

from .records import dataclass
from .rule import CODE_PATTERN, NAME_PATTERN, Rule

ENTRY_POINT_GROUP = "vaultlint.rules"


class RegistryError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class RegisteredRule:
    cls: type[Rule]
    distribution: str | None


class RuleEntry(NamedTuple):
    """One entry point of the group: ``name = value`` (``module:attribute``), from a distribution."""

    name: str
    value: str
    distribution: str | None


# importlib.metadata's pattern for an entry point's value (``module:attr.attr [extras]``).
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


def _load(entry: RuleEntry) -> type[Rule]:
    try:
        match = _VALUE.match(entry.value)
        if match is None:
            raise ValueError(f"{entry.value!r} is not module:attribute")
        attributes = (match.group("attr") or "").split(".")
        loaded = reduce(getattr, filter(None, attributes), import_module(match.group("module")))
    except Exception as error:  # a broken plugin must name itself, not crash the run
        raise RegistryError(f"cannot load rule {entry.name} from {entry.distribution or 'unknown package'}: {error}") from error
    if not (isinstance(loaded, type) and issubclass(loaded, Rule)):
        raise RegistryError(f"entry point {entry.name} ({entry.value}) is not a vaultlint Rule subclass")
    if not CODE_PATTERN.match(getattr(loaded, "code", "")):
        raise RegistryError(f"rule {entry.value} has an invalid code {getattr(loaded, 'code', None)!r}")
    if loaded.code != entry.name:
        raise RegistryError(f"entry point {entry.name} names rule {entry.value}, whose code is {loaded.code}")
    if not NAME_PATTERN.match(getattr(loaded, "name", "")):
        raise RegistryError(f"rule {loaded.code} has an invalid name {getattr(loaded, 'name', None)!r}")
    return loaded


def discover_rules(cache_dir: Path | None = None) -> dict[str, RegisteredRule]:
    """Every installed rule by code, sorted; codes and names must be unique.

    ``cache_dir``: a folder where the entry points found are kept for the next run
    (see :func:`installed_entry_points`)."""
    found: dict[str, RegisteredRule] = {}
    names: dict[str, str] = {}
    for entry in installed_entry_points(cache_dir):
        if entry.name in found:
            continue  # the same distribution seen twice on sys.path
        cls = _load(entry)
        if cls.name in names:
            raise RegistryError(f"rules {names[cls.name]} and {cls.code} share the name {cls.name!r}")
        names[cls.name] = cls.code
        found[cls.code] = RegisteredRule(cls, entry.distribution)
    return dict(sorted(found.items()))


def installed_entry_points(cache_dir: Path | None = None) -> list[RuleEntry]:
    """The entry points of the rules group, by name, as ``importlib.metadata`` finds them.

    With ``cache_dir``, they are kept there with the import path, the time each of its
    folders last changed and the time of each distribution's entry-point file there,
    and taken from there while none of that changed: a distribution installed,
    upgraded or removed adds or removes its metadata folder in a folder of the import
    path, and a changed entry-point file has a new time. So a run need not import
    ``importlib.metadata`` (with the ``email`` package it parses metadata with: about
    25 ms of a pre-commit run) nor read every distribution's metadata.
    """
    key = _import_path_stamp() if cache_dir is not None else None
    if cache_dir is not None:
        kept = _kept_entry_points(plugins_file(cache_dir), key)
        if kept is not None:
            return kept
    from importlib.metadata import entry_points

    # A distribution's name is read from its METADATA file, parsed anew on every
    # access: once per distribution, not once per rule (by id: the entry points of
    # one distribution share one object).
    distributions: dict[int, str | None] = {}
    found = []
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        distribution = None
        if entry.dist:
            if id(entry.dist) not in distributions:
                distributions[id(entry.dist)] = entry.dist.name
            distribution = distributions[id(entry.dist)]
        found.append(RuleEntry(entry.name, entry.value, distribution))
    if cache_dir is not None:
        from .cache import mark_ignored, write_bytes_atomically

        try:
            mark_ignored(cache_dir)
            write_bytes_atomically(plugins_file(cache_dir), json.dumps({"key": key, "entry_points": found}).encode())
        except OSError:  # a read-only vault: no cache
            pass
    return found


def plugins_file(cache_dir: Path) -> Path:
    """The file in a cache folder that keeps the entry points found (``installed_entry_points``),
    one per Python environment: pre-commit's own and a user's may check the same vault in
    turn, and would otherwise each find the other's file stale."""
    environment = hashlib.blake2b(sys.prefix.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()
    return cache_dir / f"plugins-{environment}.json"


def _import_path_stamp() -> list:
    """The import path, with the time each of its folders last changed and the time
    of each entry-point file in them (about 1 ms)."""
    stamp: list = [list(sys.version_info[:3])]
    for folder in sys.path:
        where = folder or "."
        try:
            times: list[int | None] = [os.stat(where).st_mtime_ns]
        except (OSError, ValueError):  # missing, or not a path
            stamp.append([folder, []])
            continue
        try:
            with os.scandir(where) as entries:
                files = sorted(
                    os.path.join(entry.path, "entry_points.txt") for entry in entries
                    if entry.name.endswith((".dist-info", ".egg-info"))
                )
        except OSError:  # a file (a zip archive), or unreadable
            files = []
        for file in files:
            try:
                times.append(os.stat(file).st_mtime_ns)
            except OSError:
                times.append(None)
        stamp.append([folder, times])
    return stamp


def _kept_entry_points(file: Path, key: list) -> list[RuleEntry] | None:
    try:
        kept = json.loads(file.read_bytes())
        if kept["key"] != key:
            return None
        entries = [RuleEntry(*entry) for entry in kept["entry_points"]]
    except (OSError, ValueError, TypeError, KeyError):  # missing, damaged, from elsewhere: look again
        return None
    if not all(isinstance(name, str) and isinstance(value, str) and isinstance(dist, (str, type(None))) for name, value, dist in entries):
        return None
    return entries


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
