"""A small research vault with both defect patterns of a real reading note, in new words.

- TALM and ReAct both claim 2205.12255, in their index rows and in their callouts;
  ReAct's section embeds a page image named after its real ID, 2210.03629.
- LLM-Pruner's index row says 2305.11627 (right) while its callout says 2305.11738,
  which is CRITIC's ID (CRITIC's row and callout agree on it).

The paper titles and IDs are the real ones, so the local arXiv server can answer
for them as arXiv would.
"""

from __future__ import annotations

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"

TALM = "TALM: Tool Augmented Language Models"
REACT = "ReAct: Synergizing Reasoning and Acting in Language Models"
CRITIC = "CRITIC: Large Language Models Can Self-Correct with Tool-Interactive Critiquing"
PRUNER = "LLM-Pruner: On the Structural Pruning of Large Language Models"
PAL = "PAL: Program-aided Language Models"

# What the local arXiv server knows: id -> (title, latest version).
ARXIV = {
    "2205.12255": (TALM, 1),
    "2210.03629": (REACT, 3),
    "2305.11738": (CRITIC, 4),
    "2305.11627": (PRUNER, 3),
    "2211.10435": (PAL, 2),
    "2201.11903": ("Chain-of-Thought Prompting Elicits Reasoning in Large Language Models", 6),
    "1706.03762": ("Attention Is All You Need", 7),
    "2302.04761": ("Toolformer: Language Models Can Teach Themselves to Use Tools", 1),
}


def anchor(title: str) -> str:
    """A Markdown heading link as Obsidian writes it: ':' dropped, spaces as %20."""
    return "#" + title.replace(":", "").replace(" ", "%20")


def row(name: str, title: str, arxiv_id: str, venue: str = "arXiv preprint") -> str:
    return f"| {name} | [{title}]({anchor(title)}) | {venue} | [arXiv:{arxiv_id}](https://arxiv.org/abs/{arxiv_id}) |\n"


def card(title: str, arxiv_id: str, body: str, extra: str = "") -> str:
    return (
        f"#### {title}\n"
        "\n"
        "> [!info]\n"
        f"> [arXiv:{arxiv_id}](https://arxiv.org/abs/{arxiv_id}) [cs.CL]\n"
        f"{extra}"
        "\n"
        f"{body}\n"
        "\n"
    )


AGENTS = (
    "# Language agents\n"
    "\n"
    "Models that think in text and act through tools; what each adds to the loop.\n"
    "\n"
    "## Index\n"
    "\n"
    "| Name | Paper | Venue | Link |\n"
    "| ---- | ----- | ----- | ---- |\n"
    + row("TALM", TALM, "2205.12255")  # line 9
    + row("ReAct", REACT, "2205.12255", "ICLR 2023")  # line 10: copied from the row above
    + row("PAL", PAL, "2211.10435", "ICML 2023")
    + row("CRITIC", CRITIC, "2305.11738", "ICLR 2024")  # line 12
    + row("LLM-Pruner", PRUNER, "2305.11627", "NeurIPS 2023")  # line 13
    + "\n"
    "## Notes\n"
    "\n"
    + card(TALM, "2205.12255", "Fine-tunes a T5 model to write tool calls as text and grows its own\ntraining set by self-play from a handful of demonstrations.")
    + card(
        REACT,
        "2205.12255",
        "Alternates free-form thoughts with actions on an environment; the thoughts\nkeep the plan, the actions fetch facts.\n\n![[2210.03629_Page_02.png|500]]",
    )
    + card(PAL, "2211.10435", "The model writes a program; the interpreter computes the answer.")
    + card(
        CRITIC,
        "2305.11738",
        "Drafts an answer, checks it with a search engine or an interpreter, and revises.\n"
        f"It beats [ReAct]({anchor(REACT)}) on question answering.\n\n![[2305.11738_Page_04.png]]",
    )
    + card(PRUNER, "2305.11738", "Removes coupled structures by gradient importance, then recovers with LoRA.")
)

RELATED = (
    "# Reading group {n}\n"
    "\n"
    "## Related work\n"
    "\n"
    "- ReAct ([arXiv:2210.03629](https://arxiv.org/abs/2210.03629)) and TALM\n"
    "  ([arXiv:2205.12255](https://arxiv.org/abs/2205.12255)) both call tools from text.\n"
    "- [arXiv:2305.11738](https://arxiv.org/pdf/2305.11738v2) checks answers with tools.\n"
    "- Chain of thought: [arXiv:2201.11903](https://arxiv.org/abs/2201.11903)\n"
    "\n"
    "## 2024-08\n"
    "\n"
    "> [!info]\n"
    "> [arXiv:2211.10435](https://arxiv.org/abs/2211.10435) [cs.CL]\n"
    "\n"
    "Re-read [PAL](https://arxiv.org/abs/2211.10435) and\n"
    "[the pruning paper](https://arxiv.org/html/2305.11627v3).\n"
    "\n"
    "| Paper | Link |\n"
    "| ----- | ---- |\n"
    "| Attention | [arXiv:1706.03762](https://arxiv.org/abs/1706.03762) |\n"
)


def agents_vault() -> dict[str, str | bytes]:
    """The notes and attachments of the vault with both defects."""
    return {
        "Papers/Agents.md": AGENTS,
        "Attachments/2210.03629_Page_02.png": PNG,
        "Attachments/2305.11738_Page_04.png": PNG,
    }


def citing_vault(count: int = 20) -> dict[str, str | bytes]:
    """``count`` notes that cite the same papers from "Related work" and dated sections."""
    return {f"Reading/Group {n:02d}.md": RELATED.format(n=n) for n in range(1, count + 1)}
