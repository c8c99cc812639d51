"""Fuzz vaultlint: random Obsidian-flavoured notes through check and fix, then a summary.

    python scripts/fuzz.py                      # 10,000 notes
    python scripts/fuzz.py --notes 500 --seed 7 # a quick run
    python scripts/fuzz.py --replay 1234        # one vault again, with the full failure

Each fuzz vault holds a few real targets and ``--per-vault`` fuzzed notes
(``tests/vaultgen.py``: links, embeds, tables, callouts, properties, comments,
math, code, and their broken forms); every fourth seed also runs a structured
vault, whose links were broken by moving files. Each vault is checked and fixed in a temporary
folder, and every fix-safety property of ``tests/fixcheck.py`` is checked: no
exception, exact spans, changes only inside the fixes' spans, bytes, modes,
mtimes, BOM and line endings kept, no temporary file left, fixes settle, a
second fix changes nothing. Safe and unsafe fixes alternate. Exits 1 when any
vault breaks a property.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fixcheck import PropertyViolation, fix_and_check  # noqa: E402
from vaultgen import fuzz_vault, structured_vault  # noqa: E402


def one_vault(seed: int, per_vault: int, structured: bool = False) -> dict:
    rng = random.Random(seed)
    unsafe = (seed // 4 if structured else seed) % 2 == 1
    plan = structured_vault(rng) if structured else fuzz_vault(rng, notes=per_vault)
    report = {"seed": seed, "structured": structured, "unsafe": unsafe, "error": None, "fuzzed": 0 if structured else per_vault}
    with tempfile.TemporaryDirectory(prefix="vaultlint-fuzz-") as tmp:
        root = Path(tmp) / "vault"
        plan.write(root)
        started = time.perf_counter()
        try:
            outcome = fix_and_check(root, unsafe=unsafe)
        except PropertyViolation as violation:
            report["error"] = ("violation", str(violation))
        except Exception:  # noqa: BLE001 - an exception is exactly what we look for
            report["error"] = ("exception", traceback.format_exc())
        else:
            report.update(
                notes=outcome.notes,
                links=outcome.links,
                findings=dict(outcome.findings),
                fixable=outcome.fixable,
                applied=outcome.applied,
                written=outcome.files_written,
                skipped=len(outcome.skipped_notes),
            )
        report["seconds"] = time.perf_counter() - started
    return report


def _batch(args: tuple[list[int], int]) -> list[dict]:
    seeds, per_vault = args
    reports = []
    for seed in seeds:
        reports.append(one_vault(seed, per_vault))
        if seed % 4 == 3:
            reports.append(one_vault(seed, per_vault, structured=True))
    return reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000, help="fuzzed notes to run (default 10,000)")
    parser.add_argument("--per-vault", type=int, default=10, help="fuzzed notes per vault (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: one per core)")
    parser.add_argument("--replay", type=int, metavar="SEED", help="run one vault and print its failure in full")
    args = parser.parse_args()

    if args.replay is not None:
        failed = False
        for report in _batch(([args.replay], args.per_vault)):
            kind = "structured vault" if report["structured"] else "fuzz vault"
            if report["error"]:
                failed = True
                print(f"seed {args.replay}, {kind}: {report['error'][0]}\n{report['error'][1]}")
            else:
                print(f"seed {args.replay}, {kind}: all properties hold ({report['notes']} notes, {report['links']} links, {report['applied']} fixes)")
        return 1 if failed else 0

    vaults = max(1, -(-args.notes // args.per_vault))
    seeds = list(range(args.seed, args.seed + vaults))
    chunks = [(seeds[i:i + 25], args.per_vault) for i in range(0, len(seeds), 25)]
    started = time.perf_counter()
    reports: list[dict] = []
    print(f"fuzzing {vaults * args.per_vault:,} notes in {vaults:,} vaults (seeds {seeds[0]}..{seeds[-1]}), {args.jobs} worker(s)", flush=True)
    if args.jobs > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            for batch in pool.map(_batch, chunks):
                reports.extend(batch)
                _progress(reports, vaults, started)
    else:
        for chunk in chunks:
            reports.extend(_batch(chunk))
            _progress(reports, vaults, started)
    return _summary(reports, time.perf_counter() - started)


def _progress(reports: list[dict], total: int, started: float) -> None:
    done = sum(1 for r in reports if not r["structured"])
    if done % 100 < 25 or done == total:
        failed = sum(1 for r in reports if r["error"])
        print(f"  {done:>6,}/{total:,} seeds, {failed} failing, {time.perf_counter() - started:.0f} s", flush=True)


def _summary(reports: list[dict], elapsed: float) -> int:
    good = [r for r in reports if not r["error"]]
    bad = [r for r in reports if r["error"]]
    findings: Counter = Counter()
    for report in good:
        findings.update(report["findings"])
    notes = sum(r["notes"] for r in good)
    slowest = max(reports, key=lambda r: r["seconds"])
    print()
    print(f"vaults:            {len(reports):,} ({sum(r['structured'] for r in reports):,} structured, {sum(r['unsafe'] for r in reports):,} with --unsafe-fixes)")
    print(f"notes:             {notes:,} checked ({sum(r['fuzzed'] for r in reports):,} fuzzed), {sum(r['skipped'] for r in good):,} skipped as unreadable")
    print(f"links:             {sum(r['links'] for r in good):,}")
    print(f"findings:          {sum(findings.values()):,} ({', '.join(f'{code} {count:,}' for code, count in sorted(findings.items()))})")
    print(f"fixable:           {sum(r['fixable'] for r in good):,}; fixes applied {sum(r['applied'] for r in good):,}; files written {sum(r['written'] for r in good):,}")
    print(f"time:              {elapsed:.1f} s ({notes / elapsed:,.0f} notes/s); slowest vault {slowest['seconds']:.2f} s (seed {slowest['seed']})")
    print(f"property failures: {sum(1 for r in bad if r['error'][0] == 'violation')}")
    print(f"exceptions:        {sum(1 for r in bad if r['error'][0] == 'exception')}")
    kinds: dict[str, list[int]] = {}
    for report in bad:
        kind, text = report["error"]
        lines = text.strip().splitlines()
        key = f"{kind}: {lines[-1] if kind == 'exception' else lines[0]}"[:200]
        kinds.setdefault(key, []).append(report["seed"])
    for key, failing in sorted(kinds.items(), key=lambda item: -len(item[1])):
        print(f"  {len(failing):>4} × {key}  (seeds {', '.join(map(str, failing[:5]))}{' …' if len(failing) > 5 else ''}; replay with --replay SEED)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
