"""The rule interface every check implements, built-in or third-party."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import field
from typing import Any, ClassVar

from .diagnostics import Finding, Fix, FixAvailability, Severity
from .note import Note
from .records import dataclass
from .source import Span
from .vault import Vault

CODE_PATTERN = re.compile(r"^[A-Z]{1,4}[0-9]{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

# What a rule's findings in a note depend on (``Rule.reads``), besides the run's
# configuration, the vault's file list and Obsidian's settings:
READS_NOTE = "note"  # the note alone
READS_LINKED = "linked"  # the note and the other notes its check reads (through vault.notes)
READS_PREPARED = "prepared"  # the notes it names for its preparation (Rule.prepared_for)
READS_ANYTHING = "anything"  # anything: checked again on every run


@dataclass(frozen=True, slots=True)
class Option:
    """A rule option: its kebab-case name, default, and a one-line help text."""

    name: str
    default: Any
    help: str

    def coerce(self, value: Any) -> Any:
        kind = type(self.default)
        if kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
                return value.lower() in ("true", "1", "yes", "on")
            raise ValueError(f"expected true or false, got {value!r}")
        if kind in (int, float):
            try:
                return kind(value)
            except (TypeError, ValueError):
                raise ValueError(f"expected a number, got {value!r}") from None
        if kind is str:
            return str(value)
        if isinstance(self.default, (list, tuple)):
            if isinstance(value, str):
                return tuple(part.strip() for part in value.split(",") if part.strip())
            return tuple(value)
        return value


@dataclass(slots=True)
class Context:
    """What a rule sees besides the note: the whole vault and run-wide settings.

    ``online`` is true only when the user asked for network checks (``--online``);
    ``online_settings`` holds their settings (endpoints, pacing, cache folder) by
    kebab-case key, from the configuration file and the environment.
    """

    vault: Vault
    online: bool = False
    online_settings: dict[str, Any] = field(default_factory=dict)
    # Set by the engine at the start of each run (``begin_run``): the notes that run
    # checks, and a memo that lives for that run only, so an index built from the
    # notes' text is rebuilt after the fixer changed them.
    checked: tuple[str, ...] = ()
    run_memo: dict[object, object] = field(default_factory=dict)
    # The notes the rules that prepare prepare for and check: those checked, or, in a
    # run that takes findings kept by an earlier one, only those whose findings by
    # these rules may have changed since (``Rule.prepared_changed``).
    prepared_focus: tuple[str, ...] = ()

    def begin_run(self, paths: Iterable[str]) -> None:
        self.checked = self.prepared_focus = tuple(paths)
        self.run_memo = {}


class Rule:
    """Base class for rules. Subclasses set the metadata and implement :meth:`check`.

    The class docstring is the rule's documentation page (Markdown, with the
    sections What it does, Why is this bad?, Example, Use instead, Fix safety,
    Options); ``rules/CODE.md`` is generated from it.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    options: ClassVar[tuple[Option, ...]] = ()
    tags: ClassVar[tuple[str, ...]] = ()
    # False for an opt-in rule: it runs only when a selection names it by its exact
    # code or name (`--select VL401`, `extend-select = ["orphan-attachment"]`),
    # never through `ALL` or a code prefix.
    default_enabled: ClassVar[bool] = True
    # What the findings in a note depend on, so that a later run may take them as they
    # were for a note that did not change: READS_NOTE (the note alone, with the
    # vault's file list (see ``looks_up_files``), Obsidian's settings and the
    # configuration, which every run compares), READS_LINKED (also the other notes
    # the check asks ``vault.notes`` or ``vault.subpath_targets`` for, with nothing
    # of them kept between notes),
    # READS_PREPARED (for a rule that prepares: also the notes ``prepared_for``
    # names, which must be all that ``prepare`` reads), or READS_ANYTHING (checked
    # again every time: the safe default for a rule that reads anything else).
    reads: ClassVar[str] = READS_ANYTHING
    # For a rule that says what it reads: True when the vault's file list reaches its
    # findings only through lookups by name, which the engine records (in ``check``,
    # and in ``prepare`` for the run as a whole): ``vault.resolve``,
    # ``vault.resolve_link``, ``vault.index`` (``resolve``, ``exact``, ``named``,
    # ``in``; ``names()`` counts as reading every name, ``read_names_near`` as reading
    # the names close to one) and vaultlint's helpers built
    # on them (``repair``), never ``vault.files`` or ``vault.index.paths`` or an index
    # of its own built from them. A later run then takes its findings in a note while
    # no file added, removed or renamed since has a name it looked up. False (the
    # default): any such change checks the note again.
    looks_up_files: ClassVar[bool] = False
    # True for a rule that finds nothing unless the run is online (``--online``): an
    # offline run may take its (empty) findings in a note from an earlier run.
    online_only: ClassVar[bool] = False

    def reads_in(self, context: Context) -> str:
        """What the findings in a note depend on in a run with ``context`` (``reads``)."""
        return READS_NOTE if self.online_only and not context.online else self.reads

    def __init__(self, **settings: Any) -> None:
        known = {option.name: option for option in self.options}
        values = {name: option.default for name, option in known.items()}
        for key, value in settings.items():
            if key not in known:
                raise ValueError(f"rule {self.code} ({self.name}) has no option {key!r}")
            values[key] = known[key].coerce(value)
        self.settings = values

    def option(self, name: str) -> Any:
        return self.settings[name]

    def check(self, note: Note, context: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def prepare(self, context: Context) -> None:
        """Build, once per run and before any note is checked, what the checks of all
        notes share (a vault-wide index). Default: nothing.

        The engine may check notes in forked worker processes; what is built here
        (in ``context.vault.memo``, say) is built once and inherited by all of them,
        where anything built in :meth:`check` would be built again in each.
        """

    def prepared_for(self, context: Context) -> Collection[str] | None:
        """The notes whose check needs what :meth:`prepare` builds, named before it
        is built; a promise that the check finds nothing in any other note. ``None``
        (the default): any note may need it.

        When every rule that prepares names its notes, the engine checks the other
        notes in worker processes while this one prepares, rather than after it with
        the other cores idle; those workers skip this rule's check. Keep it cheap,
        and do not build here what ``prepare`` builds.
        """
        return None

    def prepared_changed(self, context: Context, earlier: Mapping[str, bytes | None]) -> Collection[str] | None:
        """For a rule that ``READS_PREPARED``: the notes whose findings by it may differ
        from those an earlier run kept, given the notes whose bytes changed since
        (``earlier``: each one's hash then, ``None`` where that run kept nothing,
        ``b""`` for a note added since; a note removed since is in it with its hash
        then, and no longer in the vault);
        ``None`` (the default) when it cannot tell, and every note it names is checked
        again. The engine then runs it with ``context.prepared_focus`` set to them,
        which is what ``prepare``, ``prepared_for`` and ``check`` must build for.
        """
        return None

    def check_vault(self, context: Context) -> Iterable[Finding]:
        """Findings about the vault as a whole, once per run (default: none).

        For what no single note can say, such as a file that no note references.
        A finding may name any vault path, a note or not (see :meth:`file_finding`);
        the engine reports it when that path lies within the paths the run was
        given and no per-file ignore turns the rule off there.
        """
        return ()

    def file_finding(
        self,
        path: str,
        message: str,
        fix: Fix | None = None,
        severity: Severity | None = None,
        line: int = 1,
        column: int = 1,
        notes: Iterable[str] = (),
    ) -> Finding:
        """A finding about a whole file (an attachment, a canvas), shown at ``path:line:column``."""
        return Finding(
            code=self.code,
            rule=self.name,
            path=path,
            span=Span(0, 0),
            line=line,
            column=column,
            end_line=line,
            end_column=column,
            message=message,
            severity=severity or self.severity,
            fix=fix,
            notes=tuple(notes),
        )

    def finding(
        self,
        note: Note,
        span: Span,
        message: str,
        fix: Fix | None = None,
        severity: Severity | None = None,
        notes: Iterable[str] = (),
    ) -> Finding:
        line, column = note.position(span.start)
        end_line, end_column = note.position(max(span.end, span.start))
        return Finding(
            code=self.code,
            rule=self.name,
            path=note.path,
            span=span,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            message=message,
            severity=severity or self.severity,
            fix=fix,
            notes=tuple(notes),
        )

    @classmethod
    def documentation(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

