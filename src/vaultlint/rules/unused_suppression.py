from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Applicability, Finding, Fix, FixAvailability, Severity
from ..note import Note
from ..rule import READS_NOTE, Context, Rule
from ..suppressions import Issue, Suppressions


class UnusedSuppression(Rule):
    """
    ## What it does
    Reports suppressions that suppress nothing, the way ruff's RUF100 reports unused
    `noqa` comments:

    - a `%% vaultlint-disable-next-line CODE %%` with no `CODE` finding on the next
      line, a `vaultlint-disable-line` with none on its own line;
    - a `%% vaultlint-disable CODE %%` with no `CODE` finding before its
      `%% vaultlint-enable CODE %%` (or the end of the note);
    - a code in the `vaultlint: {ignore: [CODE]}` property with no `CODE` finding
      in the note;
    - a code or rule name that no installed rule has, a code disabled twice, and a
      `vaultlint-enable` with no `vaultlint-disable` above it;
    - a comment that starts with `vaultlint-` but is not a directive (a typo such
      as `vaultlint-disabel`), which therefore suppresses nothing.

    The same holds for the HTML-comment form (`<!-- vaultlint-disable-next-line
    VL101 -->`). A suppression without codes is unused when no rule's finding falls
    in its scope. A code whose rule is not enabled for the note (not selected,
    ignored, or turned off by `per-file-ignores`) is reported too, as it cannot
    suppress anything in this configuration.

    This rule's own findings can be suppressed only by naming it
    (`%% vaultlint-disable-next-line unused-suppression %%`), not by a suppression
    without codes.

    ## Why is this bad?
    A suppression outlives the problem it hid: the link was repaired, the note
    renamed, the heading restored. Left in place, it silently hides the next real
    problem on that line or in that range, and it tells readers of the note that
    something is wrong when nothing is.

    ## Example
    ```markdown
    %% vaultlint-disable-next-line VL101 %%
    See [[Attention]].
    ```

    Use instead:
    ```markdown
    See [[Attention]].
    ```

    ## Fix safety
    The fix is safe: it removes the unused codes from the comment, or the whole
    comment when none is left, and the whole line when the comment stood alone on
    it; the `vaultlint-enable` that ended a removed range goes with it. A code in the
    `vaultlint` property is removed from its list when the property's YAML, parsed
    again, holds exactly the same data less that code; otherwise there is no fix.
    Removing a code whose rule is not enabled is unsafe (applied only with
    `--unsafe-fixes`), as another selection of rules may need it. A comment that is
    not a directive has no fix: what was meant needs a person.

    ## Options
    None.
    """

    code = "VL002"
    name = "unused-suppression"
    summary = "Suppression comment or property that suppresses nothing"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    tags = ("suppressions",)
    reads = READS_NOTE
    looks_up_files = True

    def check(self, note: Note, context: Context) -> Iterator[Finding]:
        return iter(())  # judged after the other rules, in check_suppressions

    def check_suppressions(self, note: Note, suppressions: Suppressions, ran: set[str], linter) -> list[Finding]:
        """Called by the engine once the note's other findings have been suppressed."""
        describe = linter.describe
        findings = [self._report(note, suppressions, issue) for issue in suppressions.judge(ran, describe, skip=self.code)]
        kept = suppressions.apply(findings, explicit_only=True)
        kept.extend(self._report(note, suppressions, issue) for issue in suppressions.judge(ran, describe, only=self.code))
        return kept

    def _report(self, note: Note, suppressions: Suppressions, issue: Issue) -> Finding:
        edits = suppressions.removal(issue)
        fix = None
        if edits:
            if issue.tokens and len(issue.tokens) < len(issue.directive.tokens):
                title = f"Remove {', '.join(token.text for token in issue.tokens)} from the suppression"
            else:
                title = "Remove the unused suppression"
            fix = Fix(title, tuple(edits), Applicability.SAFE if issue.safe else Applicability.UNSAFE)
        return self.finding(note, issue.span, issue.message, fix)
