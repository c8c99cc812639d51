"""Time vaultlint against its peers on generated vaults.

    python benchmarks/run.py [--sizes 1000,10000] [--repeat 3] [--workdir DIR]

For each size, a deterministic vault (benchmarks/generate_vault.py) is timed:
vaultlint cold (no cache), warm (nothing changed), and with one changed note
checked alone (what pre-commit does); then every peer found on PATH or in
benchmarks/node_modules/.bin, on the same vault with its link and table rules:
markdownlint-cli2 (MD042, MD051, MD056), remark with remark-validate-links,
lychee --offline, rumdl (cold, then warm). Prints median wall time, the ratio to
vaultlint's run of the same kind, and peak memory (RSS of the process tree's
largest process). A benchmark, not a test: the numbers depend on the machine.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_vault import generate  # noqa: E402


def run(command: list[str], cwd: Path) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB, and exit code of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def tool(name: str) -> str | None:
    local = HERE / "node_modules" / ".bin" / name
    if local.exists():
        return str(local)
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    return shutil.which(name)


def median_of(repeat: int, command: list[str], cwd: Path, before=None) -> tuple[float, int]:
    times, peaks = [], []
    for _ in range(repeat):
        if before:
            before()
        elapsed, peak, _ = run(command, cwd)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def compile_bytecode() -> None:
    """Compile vaultlint's modules once, as pip does for a regular install: an editable
    install run with PYTHONDONTWRITEBYTECODE=1 compiles every module again on every run
    (about 0.15 s, a third of the pre-commit case), which is not what users run."""
    subprocess.run(
        [sys.executable, "-c", "import compileall, os, vaultlint; compileall.compile_dir(os.path.dirname(vaultlint.__file__), quiet=1)"],
        check=False,
    )


def bench_size(notes: int, workdir: Path, repeat: int) -> list[tuple[str, float, int, str]]:
    vault = workdir / f"vault-{notes}"
    if not (vault / ".obsidian").exists():
        generate(vault, notes)
    (vault / ".markdownlint-cli2.jsonc").write_text(
        json.dumps({"config": {"default": False, "MD042": True, "MD051": True, "MD056": True}}), encoding="utf-8"
    )
    vaultlint = tool("vaultlint") or "vaultlint"
    cache = vault / ".vaultlint_cache"
    rows: list[tuple[str, float, int, str]] = []

    def drop_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    check = [vaultlint, "check", ".", "--output-format", "concise"]
    cold, cold_peak = median_of(repeat, check, vault, before=drop_cache)
    rows.append(("vaultlint cold", cold, cold_peak, "cold"))
    run(check, vault)
    warm, warm_peak = median_of(repeat, check, vault)
    rows.append(("vaultlint warm (nothing changed)", warm, warm_peak, "warm"))
    changed = sorted(vault.glob("Daily/*.md"))[0]
    original = changed.read_text(encoding="utf-8")
    counter = iter(range(10**6))

    def edit_one() -> None:
        changed.write_text(original + f"\nEdited {next(counter)} [[Nowhere {notes}]]\n", encoding="utf-8")

    one = [vaultlint, "check", str(changed.relative_to(vault)), "--output-format", "concise"]
    single, single_peak = median_of(repeat, one, vault, before=edit_one)
    changed.write_text(original, encoding="utf-8")
    rows.append(("vaultlint one changed note (pre-commit)", single, single_peak, "single"))

    peers = {
        "markdownlint-cli2": ([tool("markdownlint-cli2"), "**/*.md"], "cold"),
        "remark + remark-validate-links": ([tool("remark"), "--use", "remark-validate-links", "--use", "remark-gfm", "--quiet", "--no-stdout", "."], "cold"),
        "lychee --offline": ([tool("lychee"), "--offline", "--no-progress", "--include-fragments", "."], "cold"),
    }
    for name, (command, kind) in peers.items():
        if command[0] is None:
            rows.append((f"{name} (not installed)", float("nan"), 0, kind))
            continue
        elapsed, peak = median_of(repeat, command, vault)
        rows.append((name, elapsed, peak, kind))
    rumdl = tool("rumdl")
    if rumdl:
        command = [rumdl, "check", "--enable", "MD042,MD051,MD056", "."]
        rumdl_cache = vault / ".rumdl_cache"
        elapsed, peak = median_of(repeat, command, vault, before=lambda: shutil.rmtree(rumdl_cache, ignore_errors=True))
        rows.append(("rumdl cold", elapsed, peak, "cold"))
        run(command, vault)
        elapsed, peak = median_of(repeat, command, vault)
        rows.append(("rumdl warm", elapsed, peak, "warm"))
    else:
        rows.append(("rumdl (not installed)", float("nan"), 0, "cold"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "vaultlint-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    for size in (int(part) for part in args.sizes.split(",")):
        rows = bench_size(size, args.workdir, args.repeat)
        baseline = {kind: seconds for name, seconds, _, kind in rows if name.startswith("vaultlint")}
        print(f"\n{size} notes (median of {args.repeat}; ratio = time / vaultlint's {'/'.join(sorted(baseline))} run of the same kind)")
        print(f"{'tool':<42} {'median s':>9} {'ratio':>7} {'peak MB':>8}")
        for name, seconds, peak, kind in rows:
            ratio = seconds / baseline[kind] if kind in baseline and seconds == seconds else float("nan")
            print(f"{name:<42} {seconds:>9.2f} {ratio:>6.1f}x {peak:>8}")


if __name__ == "__main__":
    main()
