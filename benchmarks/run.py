"""Time vaultlint against its peers on generated vaults.

    python benchmarks/run.py [--sizes 1000,10000] [--repeat 3] [--workdir DIR]

For each size, a deterministic vault (benchmarks/generate_vault.py) is timed:
vaultlint cold (no cache; also with only its link and table rules, as the peers
run), warm (nothing changed), with one changed note checked alone (what
pre-commit does), and a full check after one edit (of a note without paper
records, and of one with) and after one note was added; then every peer found on
PATH or in benchmarks/node_modules/.bin, on the same vault with its link and
table rules: markdownlint-cli2 (MD042, MD051, MD056), remark with
remark-validate-links, lychee --offline, rumdl (cold, then warm). The runs of one
kind go in rounds, each running every tool once, so that a slow spell of a shared
machine slows a whole round. Prints median wall and CPU time, the median over
rounds of the ratio to vaultlint's run of the same kind in that round (the cold
peers' also to vaultlint's with its link and table rules only), and peak memory
(RSS of the process tree's largest process). A benchmark, not a test: the
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_vault import generate  # noqa: E402


@dataclass
class Timing:
    """One tool's runs of one kind (cold, warm, single) on one vault."""

    name: str
    kind: str
    command: list[str]
    before: Callable[[], None] | None = None
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak: int = 0


def run(command: list[str], cwd: Path) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user and system, children included), peak RSS in MB
    (of the process tree's largest process) and exit code of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def tool(name: str) -> str | None:
    local = HERE / "node_modules" / ".bin" / name
    if local.exists():
        return str(local)
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    return shutil.which(name)


def in_rounds(timings: list[Timing], repeat: int, cwd: Path) -> None:
    """Run every tool once per round, ``repeat`` rounds: a slow spell of a shared
    machine then slows every tool of a round alike, and the ratios of one round hold."""
    for _ in range(repeat):
        for timing in timings:
            if timing.before:
                timing.before()
            elapsed, cpu, peak, _ = run(timing.command, cwd)
            timing.seconds.append(elapsed)
            timing.cpu.append(cpu)
            timing.peak = max(timing.peak, peak)


def compile_bytecode() -> None:
    """Compile vaultlint's modules once, as pip does for a regular install: an editable
    install run with PYTHONDONTWRITEBYTECODE=1 compiles every module again on every run
    (about 0.15 s, a third of the pre-commit case), which is not what users run."""
    subprocess.run(
        [sys.executable, "-c", "import compileall, os, vaultlint; compileall.compile_dir(os.path.dirname(vaultlint.__file__), quiet=1)"],
        check=False,
    )


# vaultlint's rules that the peers' link and table rules correspond to: every link rule and table-shape.
LINK_AND_TABLE_RULES = "VL1,VL201"
LIKE_FOR_LIKE = "vaultlint cold, link and table rules"


def bench_size(notes: int, workdir: Path, repeat: int) -> list[Timing]:
    vault = workdir / f"vault-{notes}"
    if not (vault / ".obsidian").exists():
        generate(vault, notes)
    (vault / ".markdownlint-cli2.jsonc").write_text(
        json.dumps({"config": {"default": False, "MD042": True, "MD051": True, "MD056": True}}), encoding="utf-8"
    )
    vaultlint = tool("vaultlint") or "vaultlint"
    cache = vault / ".vaultlint_cache"
    rumdl = tool("rumdl")
    rumdl_command = [rumdl or "rumdl", "check", "--enable", "MD042,MD051,MD056", "."]
    rumdl_cache = vault / ".rumdl_cache"
    check = [vaultlint, "check", ".", "--output-format", "concise"]

    def without_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    cold = [
        Timing("vaultlint cold", "cold", check, before=without_cache),
        # The peers run only link and table rules; vaultlint's paper and arXiv rules have no counterpart there.
        Timing(LIKE_FOR_LIKE, "cold-like", [*check, "--select", LINK_AND_TABLE_RULES], before=without_cache),
    ]
    peers = {
        "markdownlint-cli2": [tool("markdownlint-cli2"), "**/*.md"],
        "remark + remark-validate-links": [tool("remark"), "--use", "remark-validate-links", "--use", "remark-gfm", "--quiet", "--no-stdout", "."],
        "lychee --offline": [tool("lychee"), "--offline", "--no-progress", "--include-fragments", "."],
        "rumdl cold": [rumdl, *rumdl_command[1:]],
    }
    missing = [name for name, command in peers.items() if command[0] is None]
    for name, command in peers.items():
        if command[0] is not None:
            before = (lambda: shutil.rmtree(rumdl_cache, ignore_errors=True)) if name == "rumdl cold" else None
            cold.append(Timing(name, "cold", command, before=before))
    in_rounds(cold, repeat, vault)

    run(check, vault)
    warm = [Timing("vaultlint warm (nothing changed)", "warm", check)]
    if rumdl:
        run(rumdl_command, vault)
        warm.append(Timing("rumdl warm", "warm", rumdl_command))
    in_rounds(warm, repeat, vault)

    changed = sorted(vault.glob("Daily/*.md"))[0]
    original = changed.read_text(encoding="utf-8")
    counter = iter(range(10**6))

    def edit_one() -> None:
        changed.write_text(original + f"\nEdited {next(counter)} [[Nowhere {notes}]]\n", encoding="utf-8")

    one = [vaultlint, "check", str(changed.relative_to(vault)), "--output-format", "concise"]
    single = [Timing("vaultlint one changed note (pre-commit)", "single", one, before=edit_one)]
    in_rounds(single, repeat, vault)

    # A full check after one edit (CI with a restored cache, `vaultlint check .` on a laptop):
    # of a note without paper records, and of one the paper index reads (the Daily note).
    plain = next(
        path for path in sorted(vault.glob("Concepts/*.md"))
        if not any(mark in path.read_text(encoding="utf-8").lower() for mark in ("|", "arxiv", "[!"))
    )
    plain_original = plain.read_text(encoding="utf-8")

    def edit_plain() -> None:
        plain.write_text(plain_original + f"\nEdited {next(counter)} [[Nowhere {notes}]]\n", encoding="utf-8")

    # A note added (the most common change to a vault): the file list changes, which every
    # note's kept findings depend on. Each round's added note replaces the last round's.
    added: list[Path] = []

    def add_note() -> None:
        for path in added:
            path.unlink(missing_ok=True)
        added[:] = [vault / f"Added note {next(counter)}.md"]
        added[0].write_text("# Added\n\nSee [[Nowhere]].\n", encoding="utf-8")

    run(check, vault)
    edited = [
        Timing("vaultlint full check, a plain note edited", "edited", check, before=edit_plain),
        Timing("vaultlint full check, a paper note edited", "edited-paper", check, before=edit_one),
        Timing("vaultlint full check, a note added", "added", check, before=add_note),
    ]
    in_rounds(edited, repeat, vault)
    changed.write_text(original, encoding="utf-8")
    plain.write_text(plain_original, encoding="utf-8")
    for path in added:
        path.unlink(missing_ok=True)
    return (
        cold[:2] + warm[:1] + single + edited + cold[2:] + warm[1:]
        + [Timing(f"{name} (not installed)", "cold", []) for name in missing]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "vaultlint-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    for size in (int(part) for part in args.sizes.split(",")):
        timings = bench_size(size, args.workdir, args.repeat)
        baseline = {timing.kind: timing for timing in timings if timing.name.startswith("vaultlint")}
        print(
            f"\n{size} notes, {args.repeat} rounds (each round runs every tool once). Medians; ratio: the median"
            " over rounds of the time / vaultlint's time in that round, for a run of the same kind"
        )
        print(f"{'tool':<42} {'wall s':>8} {'ratio':>7} {'cpu s':>7} {'peak MB':>8}")
        for timing in timings:
            if not timing.seconds:
                print(f"{timing.name:<42} {'-':>8} {'-':>7} {'-':>7} {'-':>8}")
                continue
            ours = baseline.get(timing.kind)
            ratio = statistics.median(t / v for t, v in zip(timing.seconds, ours.seconds)) if ours else float("nan")
            print(
                f"{timing.name:<42} {statistics.median(timing.seconds):>8.2f} {ratio:>6.1f}x"
                f" {statistics.median(timing.cpu):>7.2f} {timing.peak:>8}"
            )
        like = next((timing for timing in timings if timing.kind == "cold-like" and timing.seconds), None)
        peers = [timing for timing in timings if timing.kind == "cold" and timing.seconds and not timing.name.startswith("vaultlint")]
        if like is not None and peers:
            print(f"cold, against {like.name} ({LINK_AND_TABLE_RULES}): " + ", ".join(
                f"{timing.name} {statistics.median(t / v for t, v in zip(timing.seconds, like.seconds)):.1f}x" for timing in peers
            ))
        print("wall seconds, each round: " + "; ".join(
            f"{timing.name}: {', '.join(f'{t:.2f}' for t in timing.seconds)}" for timing in timings if timing.seconds
        ))


if __name__ == "__main__":
    main()
