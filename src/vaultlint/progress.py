"""A progress bar on stderr for long runs, kept out of CI and pre-commit logs.

``auto`` (the default) shows a bar only when stderr is a terminal, the run has
already taken about a second, and neither ``CI`` nor ``PRE_COMMIT`` is set in the
environment. ``--progress`` forces it: a click progress bar on a terminal, and on
anything else plain lines at every tenth (a log file gets no carriage returns).
``--no-progress`` turns it off.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO

import click

DELAY_SECONDS = 1.0
REDRAW_SECONDS = 0.1


def _flag(value: str | None) -> bool:
    return bool(value) and value.strip().lower() not in ("0", "false", "no", "off")


def wanted(mode: bool | None, stream: IO[str], environment: Mapping[str, str] | None = None) -> bool:
    """Whether progress may be shown: forced (True), off (False) or automatic (None)."""
    if mode is not None:
        return mode
    environment = os.environ if environment is None else environment
    if _flag(environment.get("CI")) or _flag(environment.get("PRE_COMMIT")):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """Phases of a run (reading notes, checking notes), each reported as done/total."""

    def __init__(
        self,
        mode: bool | None,
        stream: IO[str] | None = None,
        environment: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        delay: float = DELAY_SECONDS,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(mode, self.stream, environment)
        self.forced = mode is True
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.clock = clock
        self.delay = 0.0 if self.forced else delay
        self.started = clock()
        self._bar = None
        self._drawn = 0.0
        self._label = ""
        self._last_tenth = -1

    def phase(self, label: str) -> Callable[[int, int], None] | None:
        """A ``callback(done, total)`` for one phase, or ``None`` when progress is off."""
        if not self.enabled:
            return None
        self._finish_bar()
        self._label = label
        self._last_tenth = -1

        def callback(done: int, total: int) -> None:
            self._update(label, done, total)

        return callback

    def _update(self, label: str, done: int, total: int) -> None:
        if self.clock() - self.started < self.delay:
            return
        if self.terminal:
            now = self.clock()
            if self._bar is not None and done < total and now - self._drawn < REDRAW_SECONDS:
                return  # at most ten redraws a second
            self._drawn = now
            if self._bar is None:
                self._bar = click.progressbar(length=max(total, 1), label=label, file=self.stream, show_pos=True, show_eta=True)
                self._bar.__enter__()
            self._bar.update(done - self._bar.pos)
            return
        tenth = (done * 10) // max(total, 1)
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            self.stream.write(f"{label}: {done}/{total} ({tenth * 10}%)\n")
            self.stream.flush()

    def _finish_bar(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def close(self) -> None:
        self._finish_bar()
