"""Generate a deterministic research vault for benchmarks.

    python benchmarks/generate_vault.py OUT_DIR --notes 10000 [--seed 7]

The size mix follows real research vaults: most notes are short (a few links and a
paragraph or two), some are medium (several sections, a callout, an image), a few
are long index notes (tables of papers, one section per paper with an ``[!info]``
callout). About 2% of links carry a defect of some rule: moved targets, renamed
headings, missing images, notes not yet created, duplicate block ids.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

FOLDERS = ["Papers", "Papers/Language models", "Papers/Vision", "Concepts", "Daily", "Projects/Alpha", "Projects/Beta", "Inbox"]
WORDS = (
    "attention transformer retrieval agent reasoning tool memory planning benchmark dataset "
    "alignment pruning distillation prompt chain thought model training inference scaling "
    "evaluation vision language multimodal graph search policy reward feedback"
).split()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56
DEFECT_RATE = 0.02


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(2, 4)))


def generate(out: Path, notes: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / ".obsidian").mkdir(parents=True)
    (out / ".obsidian" / "app.json").write_text('{"newLinkFormat": "shortest"}\n', encoding="utf-8")
    (out / "Attachments").mkdir()
    images = [f"Pasted image {20230000000000 + i}.png" for i in range(max(10, notes // 5))]
    for image in images:
        (out / "Attachments" / image).write_bytes(PNG)

    names: list[tuple[str, str, list[str], float]] = []
    papers: dict[tuple[str, str], tuple[str, str]] = {}  # (note, heading) -> its arXiv ID and repository
    seen: set[str] = set()
    for index in range(notes):
        base = f"{title(rng)} {index}"
        folder = rng.choice(FOLDERS)
        kind = rng.random()
        sections = 40 if kind < 0.02 else rng.randint(3, 8) if kind < 0.25 else rng.randint(1, 2)
        headings = [f"{title(rng)}: {rng.choice(WORDS)}" for _ in range(sections)]
        names.append((folder, base, headings, kind))
        if kind < 0.25:  # paper notes: some sections describe one paper each
            for heading in headings:
                if rng.random() < 0.5:
                    papers[(base, heading)] = (f"{rng.choice(('2210', '2305', '2401'))}.{len(papers) + 10000:05d}", f"https://github.com/x/{rng.randrange(10**6)}")
        seen.add(base)

    defects = 0

    def link(rng: random.Random) -> str:
        nonlocal defects
        folder, base, headings, _ = rng.choice(names)
        roll = rng.random()
        if roll < DEFECT_RATE:
            defects += 1
            kind = rng.randrange(4)
            if kind == 0:
                return f"[[Old/{base}]]"  # moved: VL101 with a safe fix
            if kind == 1:
                return f"[[{base}#Renamed {rng.choice(WORDS)}]]"  # VL103
            if kind == 2:
                return f"![[missing figure {rng.randrange(10**6)}.png]]"  # VL104
            return f"[[Idea {rng.randrange(10**6)} to write]]"  # VL102
        if roll < 0.35:
            return f"[[{base}#{rng.choice(headings).replace(':', '')}]]"
        if roll < 0.55:
            return f"[{base}]({folder}/{base}.md)".replace(" ", "%20").replace("[", "[", 1)
        if roll < 0.65:
            return f"![[{rng.choice(images)}|400]]"
        return f"[[{base}]]"

    for index, (folder, base, headings, kind) in enumerate(names):
        parts = [f"---\ntags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\naliases: [{base.split()[0]} note]\n---\n"]
        if kind < 0.02:  # a long index note
            parts.append("| Name | Paper | Publication | Repository | Link |\n| --- | --- | --- | --- | --- |\n")
            for base2, heading2 in rng.sample(sorted(papers), min(40, len(papers))):
                paper_id, repository = papers[(base2, heading2)]
                anchor = heading2.replace(":", "").replace(" ", "%20")
                parts.append(f"| {heading2.split()[0]} | [{heading2}]({base2.replace(' ', '%20')}.md#{anchor}) | arXiv preprint | [repo]({repository}) | [arXiv:{paper_id}](https://arxiv.org/abs/{paper_id}) |\n")
            parts.append("\n")
        for number, heading in enumerate(headings):
            parts.append(f"{'#' * rng.randint(2, 4)} {heading}\n\n")
            paper = papers.get((base, heading))
            if paper:
                paper_id, repository = paper
                parts.append(f"> [!info]\n> [arXiv:{paper_id}](https://arxiv.org/abs/{paper_id}) [cs.CL]\n>\n> Repository: {repository}\n\n")
            for _ in range(rng.randint(1, 3)):
                parts.append(" ".join([sentence(rng, rng.randint(6, 18)), link(rng), sentence(rng, rng.randint(4, 12)), link(rng)]))
                if rng.random() < 0.1:
                    parts.append(f" ^b{index}x{number}p{len(parts)}")
                parts.append("\n\n")
            if rng.random() < 0.1:
                parts.append("```python\nx = df[[\"a\", \"b\"]]  # not a link\n```\n\n")
        if rng.random() < DEFECT_RATE:
            defects += 1
            parts.append("Copied paragraph. ^dup\n\nCopied again. ^dup\n")  # VL107
        path = out / folder / f"{base}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(parts), encoding="utf-8")
    return {"notes": notes, "images": len(images), "defects": defects}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    summary = generate(args.out, args.notes, args.seed)
    print(f"{args.out}: {summary['notes']} notes, {summary['images']} images, {summary['defects']} planted defects")


if __name__ == "__main__":
    main()
