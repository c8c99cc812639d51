"""How much work one note may cost: a size cap and a per-note time limit.

A note that exceeds either is not parsed; it comes back ``skipped`` with a
message the unreadable-note rule (VL001) reports, and no rule and no fix touch
it. The time limit is a deadline checked inside every loop whose length depends
on the input (the inline scanner, mistletoe's line reader, the per-line passes),
so no signal or thread is needed and the check costs one counter decrement.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Notes longer than this are not parsed. ~5 MB of text is about 2,000 printed
# pages; Obsidian itself becomes unusable far sooner. A realistic note of this size
# parses in 2 to 4 seconds.
MAX_NOTE_CHARS = 5_000_000

# Properties longer than this are not read: ruamel.yaml's pure-Python loader reads
# complex YAML at ~30 KB a second (flat properties take a fast path).
MAX_FRONTMATTER_CHARS = 100_000

# YAML aliases can make a small block expand to billions of values.
MAX_PROPERTY_VALUES = 100_000

# ruamel.yaml's scanner is quadratic in flow nesting and its parser recursive:
# 1,000 levels of `[` take it seconds, then fail on Python's recursion limit.
MAX_FLOW_DEPTH = 100

# Seconds one note may take to parse; the environment variable overrides it.
PARSE_TIME_LIMIT = 10.0
TIME_LIMIT_ENV = "VAULTLINT_PARSE_TIME_LIMIT"

# How many ticks pass between two looks at the clock.
_TICKS_PER_CHECK = 512


class ParseTimeout(BaseException):
    """Raised inside the parser when a note's deadline has passed.

    A ``BaseException``, like ``KeyboardInterrupt``: it must pass through the
    ``except Exception`` with which the YAML reader turns errors into messages.
    """

    def __init__(self, limit: float) -> None:
        super().__init__(f"not parsed within {limit:g} seconds")
        self.limit = limit


def configured_time_limit() -> float:
    """The per-note time limit: ``$VAULTLINT_PARSE_TIME_LIMIT`` (seconds) when valid, else the default.

    ``0`` or a negative value switches the limit off.
    """
    raw = os.environ.get(TIME_LIMIT_ENV)
    if raw:
        try:
            value = float(raw)
        except ValueError:
            return PARSE_TIME_LIMIT
        if math.isfinite(value):
            return value
    return PARSE_TIME_LIMIT


class Deadline:
    """A point in time after which :meth:`tick` raises :class:`ParseTimeout`."""

    __slots__ = ("limit", "_at", "_countdown")

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._at = time.monotonic() + limit if limit > 0 else math.inf
        self._countdown = _TICKS_PER_CHECK

    def tick(self) -> None:
        """Count one unit of work; look at the clock every few hundred units."""
        self._countdown -= 1
        if self._countdown <= 0:
            self._countdown = _TICKS_PER_CHECK
            self.check()

    def check(self) -> None:
        if time.monotonic() > self._at:
            raise ParseTimeout(self.limit)


# --- mistletoe and ruamel.yaml ---------------------------------------------------
#
# Neither library can be interrupted, and both have inputs that make them slow:
# mistletoe reads a note's lines again at every nesting level (``FileWrapper.__next__``),
# ruamel.yaml's scanner is quadratic in flow nesting (``a: [[[[…``, one call of
# ``need_more_tokens`` per token). A hook in each counts that work against the
# deadline of the note being parsed in this thread; outside vaultlint's parser
# there is none and the hooks only pass through. Installed once per process, on
# first use, so importing vaultlint imports neither library.

class _Active(threading.local):
    deadline: Deadline | None = None


_active = _Active()


def start_watching(deadline: Deadline) -> Deadline | None:
    """Make ``deadline`` the one mistletoe's line reader ticks; returns the one it replaces,
    for :func:`stop_watching` (what :func:`watching` does, without a context manager)."""
    previous = _active.deadline
    _active.deadline = deadline
    return previous


def stop_watching(previous: Deadline | None) -> None:
    _active.deadline = previous


@contextmanager
def watching(deadline: Deadline) -> Iterator[None]:
    """Make ``deadline`` the one mistletoe's line reader ticks while the block runs."""
    previous = _active.deadline
    _active.deadline = deadline
    try:
        yield
    finally:
        _active.deadline = previous


def active_deadline() -> Deadline | None:
    """The deadline of the note being parsed in this thread, if any."""
    return _active.deadline


def hook_mistletoe(block_tokenizer) -> None:
    """Install the deadline tick into mistletoe's ``FileWrapper`` (once per process)."""
    wrapper = getattr(block_tokenizer, "FileWrapper", None)
    if wrapper is None or getattr(wrapper, "_vaultlint_deadline", False):
        return
    original = wrapper.__next__

    def __next__(self):
        deadline = _active.deadline
        if deadline is not None:
            deadline.tick()
        return original(self)

    wrapper.__next__ = __next__
    wrapper._vaultlint_deadline = True


_RUAMEL_HOOKED = False


def hook_ruamel() -> None:
    """Install the deadline check into ruamel.yaml's pure-Python scanner (once per process).

    Called when ruamel.yaml is first needed: properties the fast path cannot read.
    """
    global _RUAMEL_HOOKED
    if _RUAMEL_HOOKED:
        return
    from ruamel.yaml import scanner as module

    _RUAMEL_HOOKED = True
    scanner = getattr(module, "Scanner", None)
    if scanner is None or getattr(scanner, "_vaultlint_deadline", False):
        return
    original = scanner.need_more_tokens

    def need_more_tokens(self):
        deadline = _active.deadline
        if deadline is not None:
            deadline.check()  # a token costs ruamel far more than a look at the clock
        return original(self)

    scanner.need_more_tokens = need_more_tokens
    scanner._vaultlint_deadline = True
