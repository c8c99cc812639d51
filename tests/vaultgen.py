"""Random Obsidian vaults for the fix-safety property tests and the fuzzer.

Everything is driven by a ``random.Random``: hypothesis passes one from
``st.randoms()`` (so failures shrink), ``scripts/fuzz.py`` a seeded one (so a
failure can be replayed from its seed).

Two generators:

- :func:`structured_vault` writes notes whose links are right for the vault as
  first laid out, then moves some files to other folders, as a sync or a script
  would: the links with folder paths break, and each broken one has exactly one
  right repair. That is what makes ``vaultlint fix`` actually change files.
- :func:`fuzz_note` strings Obsidian syntax fragments together at random, broken
  ones included (unclosed brackets, stray pipes, ``%%``, ``$``, backticks, HTML).
"""

from __future__ import annotations

import codecs
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

# Linkable names (no `# ^ [ ] |`), with spaces, punctuation, accents, CJK, emoji.
NOTE_NAMES = [
    "Alpha",
    "Beta note",
    "Gamma (draft)",
    "Délta",
    "中文笔记",
    "😀 Emoji",
    "it's fine",
    "amp & co",
    "v1.2 release",
    "Zeta, Eta",
    "percent 100%",
    "Ünïcödé Ñame",
    "Omega",
    "Τίτλος",
]
# Names Obsidian cannot link to by every form (a `]` ends a wikilink early).
ODD_NOTE_NAMES = ["x [1]", "[draft] plan", "a^b"]
ATTACHMENTS = ["figure 1.png", "diagram.svg", "Pasted image 20240101.png", "scan.pdf", "clip.mp4"]
FOLDERS = ["", "Papers", "Papers/Vision", "Daily", "Projects/Alpha", "Käse"]
HEADINGS = ["Introduction", "Section two", "Results: final", "Open questions?", "Café notes", "中文标题"]
LINE_ENDINGS = ("lf", "crlf", "mixed")
MODES = (0o644, 0o600, 0o640, 0o664, 0o755)


@dataclass
class VaultFile:
    path: str  # vault path at creation time
    content: bytes
    mode: int = 0o644
    moved_to: str | None = None

    @property
    def final_path(self) -> str:
        return self.moved_to or self.path


@dataclass
class VaultPlan:
    files: list[VaultFile] = field(default_factory=list)

    def write(self, root: Path) -> None:
        (root / ".obsidian").mkdir(parents=True, exist_ok=True)
        for item in self.files:
            target = root.joinpath(*item.final_path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.content)
            os.chmod(target, item.mode)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def encode_text(text: str, rng: random.Random, endings: str | None = None, bom: bool | None = None) -> bytes:
    """``text`` (LF) with LF, CRLF or mixed line endings, and sometimes a BOM."""
    endings = endings or rng.choice(LINE_ENDINGS)
    lines = text.split("\n")
    if endings == "crlf":
        text = "\r\n".join(lines)
    elif endings == "mixed":
        out = []
        for index, line in enumerate(lines):
            out.append(line)
            if index < len(lines) - 1:
                out.append(rng.choice(("\n", "\r\n")))
        text = "".join(out)
    data = text.encode("utf-8")
    if bom if bom is not None else rng.random() < 0.25:
        data = codecs.BOM_UTF8 + data
    return data


def _md_path(path: str, rng: random.Random) -> str:
    """A Markdown destination for ``path``: %20-encoded, or in angle brackets."""
    if rng.random() < 0.3:
        return f"<{path}>"
    return "".join({" ": "%20", "%": "%25"}.get(char, char) for char in path)


def _relative(target: str, source: str) -> str:
    return os.path.relpath(target, os.path.dirname(source) or ".").replace(os.sep, "/")


def structured_vault(rng: random.Random, odd_names: bool = True) -> VaultPlan:
    """A small vault whose links were right, then broken by moving files."""
    pool = NOTE_NAMES + (ODD_NOTE_NAMES if odd_names else [])
    names = rng.sample(pool, rng.randint(3, 6))
    notes = [(name, rng.choice(FOLDERS)) for name in names]
    attachments = [(name, rng.choice(["Attachments", "", "Papers"])) for name in rng.sample(ATTACHMENTS, rng.randint(0, 3))]
    headings = {name: rng.sample(HEADINGS, rng.randint(0, 3)) for name, _ in notes}
    block_ids = {name: [f"blk{index}" for index in range(rng.randint(0, 2))] for name, _ in notes}

    plan = VaultPlan()
    for name, folder in notes:
        source = _join(folder, name + ".md")
        text = _note_body(rng, source, name, notes, attachments, headings, block_ids)
        plan.files.append(VaultFile(source, encode_text(text, rng), rng.choice(MODES)))
    for name, folder in attachments:
        plan.files.append(VaultFile(_join(folder, name), b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(16))))
    # Move some files to another folder, as a sync client or a script would.
    for item in plan.files:
        if rng.random() < 0.35:
            folder = rng.choice(FOLDERS + ["Archive", "Archive/2023"])
            moved = _join(folder, item.path.rsplit("/", 1)[-1])
            if moved != item.path:
                item.moved_to = moved
    return plan


def _link_to(rng: random.Random, source: str, target: str, headings: list[str], blocks: list[str], embed: bool = False) -> str:
    """One link from ``source`` to ``target`` in a random form that resolves today."""
    stem = target[:-3] if target.endswith(".md") else target
    name = stem.rsplit("/", 1)[-1]
    subpath = ""
    if target.endswith(".md") and rng.random() < 0.4:
        choices = [f"#{h}" for h in headings] + [f"#^{b}" for b in blocks]
        if choices:
            subpath = rng.choice(choices)
        if subpath.startswith("#") and not subpath.startswith("#^") and rng.random() < 0.3:
            # A form Obsidian does not match but vaultlint can repair (VL103).
            subpath = rng.choice([subpath.replace(" ", "%20"), "#" + subpath[1:].lower().replace(" ", "-").replace(":", "").replace("?", "")])
    bang = "!" if embed else ""
    style = rng.random()
    if style < 0.55:
        path = rng.choice([stem, stem, name]) if target.endswith(".md") else rng.choice([target, target.rsplit("/", 1)[-1]])
        clean_sub = subpath.replace(":", "")
        alias = rng.choice(["", "", "|shown", "|Shown text", "|300" if embed else "|alias"])
        return f"{bang}[[{path}{clean_sub}{alias}]]"
    path = rng.choice([target, _relative(target, source)])
    dest = _md_path(path, rng)
    if subpath and dest.startswith("<"):
        dest = dest[:-1] + subpath + ">"
    elif subpath:
        dest += subpath.replace(" ", "%20")
    label = rng.choice(["text", "a [nested] label", "", "Ünï", "`code`"])
    return f"{bang}[{label}]({dest})"


def _note_body(rng, source, name, notes, attachments, headings, block_ids) -> str:
    def any_link(embed_ok: bool = True) -> str:
        if attachments and embed_ok and rng.random() < 0.3:
            att_name, att_folder = rng.choice(attachments)
            return _link_to(rng, source, _join(att_folder, att_name), [], [], embed=True)
        other, folder = rng.choice(notes)
        return _link_to(rng, source, _join(folder, other + ".md"), headings[other], block_ids[other], embed=rng.random() < 0.1)

    parts: list[str] = []
    if rng.random() < 0.4:
        related = any_link(embed_ok=False)
        quoted = related if "[[" in related and '"' not in related else '"[[x]]"'
        if not quoted.startswith('"'):
            quoted = f'"{quoted}"'
        parts.append(f"---\naliases: [{name.replace(',', '')} alias]\ntags: [research, draft]\nrelated: {quoted}\n---")
    for heading in headings[name]:
        parts.append(f"{'#' * rng.randint(1, 3)} {heading}")
        for _ in range(rng.randint(1, 3)):
            parts.append(_paragraph(rng, any_link))
    for block in block_ids[name]:
        parts.append(f"A paragraph with an id {any_link()} ^{block}")
    for _ in range(rng.randint(1, 4)):
        parts.append(_paragraph(rng, any_link))
    head = [parts.pop(0)] if parts and parts[0].startswith("---") else []
    rng.shuffle(parts)
    return "\n\n".join(head + parts) + rng.choice(["\n", "", "\n\n"])


def _paragraph(rng: random.Random, any_link) -> str:
    kind = rng.random()
    if kind < 0.35:
        return f"Text before {any_link()} and after, with {any_link()}."
    if kind < 0.45:
        link = any_link().replace("|", "\\|")
        return f"| Paper | Link |\n|---|:---:|\n| one | {link} |\n| two | plain |"
    if kind < 0.55:
        return f"> [!note] A callout {any_link()}\n> inside: {any_link()}\n> > nested {any_link()}"
    if kind < 0.62:
        return f"- item {any_link()}\n  - nested {any_link()}\n1. ordered {any_link()}"
    if kind < 0.68:
        return "```\ncode [[Not a link]] and [x](nope.md)\n```"
    if kind < 0.74:
        return f"Inline `[[code]]` and $[[math]]$ and {any_link()} %% comment [[Gone]] %%"
    if kind < 0.78:
        return "$$\n[[not a link]]\n$$"
    if kind < 0.82:
        return "<div>\n[[html block]]\n</div>"
    if kind < 0.86:
        return f"Setext heading {any_link()}\n---"
    return f"Plain words, tabs\tand trailing spaces   \nthen {any_link()}"


# --- fuzzing -----------------------------------------------------------------------

FUZZ_FRAGMENTS = [
    "[[", "]]", "[", "]", "(", ")", "|", "\\|", "\\", "#", "^", "!", "%%", "$", "$$", "`", "```", "<", ">",
    "[[Alpha]]", "[[Alpha|a]]", "[[Papers/Alpha]]", "[[Gone/Alpha#Section two]]", "[[Alpha#section-two]]",
    "[[Alpha#Section%20two]]", "[[Alpha#^blk0]]", "[[#Local heading]]", "[[Beta note#^nope]]", "![[figure 1.png]]",
    "![[Attachments/figure 1.png|300]]", "![[Old/diagram.svg]]", "[[x [1]]]", "[[中文笔记]]", "[[😀 Emoji]]",
    "[a](Alpha.md)", "[a](Old/Alpha.md#Section%20two)", "[a](<Beta note.md>)", "[a](Beta%20note.md%5C)",
    "[a](../Alpha.md)", "[a](../../../outside.md)", "![i](Old/figure%201.png)", "![300](figure%201.png)",
    "[u](https://example.com/x_(y))", "[a](Alpha.md \"title\")", "[![img](Old/diagram.svg)](Alpha.md)",
    "<https://auto.link/x>", "<span class=\"x\">", "<!-- [[Hidden]] -->", "<!-- vaultlint-disable-next-line VL101 -->",
    "`[[code]]`", "``a ` [[b]]``", "$[[math]]$", "$5 and $6", "%% [[Gone]] %%", "^blk0", " ^id-1", "[^1]", "[^1]: note",
    "# Local heading", "## Section two", "word", "words and more words", " ", "\t", "\u00a0", "中文", "😀", "é",
    "\n", "\n", "\n", "\r\n", "\n\n", "\n> ", "\n> [!info] Title\n> ", "\n- ", "\n  - ", "\n1. ", "\n# ", "\n```\n",
    "\n    ", "\n| a | b |\n|---|---|\n| [[Alpha\\|x]] | [b](Old/Alpha.md) |\n", "\n$$\n", "\n---\n", "\n<div>\n",
]


def fuzz_text(rng: random.Random, max_parts: int = 40) -> str:
    parts = [rng.choice(FUZZ_FRAGMENTS) for _ in range(rng.randint(0, max_parts))]
    text = "".join(parts)
    if rng.random() < 0.2:
        text = rng.choice(["---\naliases: [x]\nrelated: \"[[Old/Alpha]]\"\n---\n", "---\nbad: [yaml\n---\n", "---\n---\n"]) + text
    return text


def fuzz_vault(rng: random.Random, notes: int = 6) -> VaultPlan:
    """Fuzzed notes next to a few real targets, some of them in other folders than links say."""
    plan = VaultPlan()
    targets = [
        ("Papers/Alpha.md", "# Local heading\n\n## Section two\n\nText ^blk0\n"),
        ("Daily/Beta note.md", "# Beta\n\nText ^blk0\n"),
        ("Attachments/figure 1.png", None),
        ("diagram.svg", None),
        ("B/x [1].md", "x\n"),
        ("B/中文笔记.md", "# 中文\n"),
        ("B/😀 Emoji.md", "emoji\n"),
    ]
    for path, text in targets:
        content = b"\x89PNG\r\n\x1a\n" if text is None else encode_text(text, rng)
        plan.files.append(VaultFile(path, content, rng.choice(MODES)))
    for index in range(notes):
        plan.files.append(VaultFile(f"{rng.choice(FOLDERS + ['Old'])}/fuzz {index}.md".lstrip("/"), encode_text(fuzz_text(rng), rng), rng.choice(MODES)))
    return plan
