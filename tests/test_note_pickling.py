"""A parsed note survives pickling whole: the cache and the parsing workers move
notes as flat tuples (``Note.__reduce__``), and what comes back must be the note."""

from __future__ import annotations

import pickle
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultgen import fuzz_text
from vaultlint.note import Note
from vaultlint.papers import paper_facts
from vaultlint.parser import parse_bytes, parse_note

# Every field the flat form carries. A field added to Note must be added to the flat
# form (``_flatten``, ``_note_from_flat``) too, and here.
NOTE_FIELDS = [
    "path", "text", "encoding", "frontmatter", "headings", "block_ids", "footnotes", "callouts", "tables",
    "links", "external_links", "comments", "inline_opaque", "problems", "skipped", "_line_index",
    "_subpath_targets", "paper_facts",
]


def assert_round_trip(note: Note) -> None:
    copy = pickle.loads(pickle.dumps(note, pickle.HIGHEST_PROTOCOL))
    assert [field.name for field in fields(Note)] == NOTE_FIELDS
    for name in NOTE_FIELDS:
        original, restored = getattr(note, name), getattr(copy, name)
        if name == "_line_index" and original is not None:
            assert restored._starts == original._starts and restored.line_count == original.line_count
        else:
            assert restored == original, name
            assert type(restored) is type(original), name
    assert copy.position(len(copy.text)) == note.position(len(note.text))


RICH_NOTE = """\
---
aliases: [Other name, "Third"]
cover: Attachments/cover.png
tags:
  - paper
---
# Title

Text with [[Target#Section|alias]], ![[Pasted image.png|300]], [md](Folder/Note%20Two.md#Head "title"),
[web](https://arxiv.org/abs/2205.12255), <https://example.com>, `code [[not]]` and $x$. ^block-1

> [!info] ReAct
> arXiv: 2210.03629
> Repo: [code](https://github.com/x/y)

| Paper | arXiv |
|:------|------:|
| [[#ReAct]] | [2210.03629](https://arxiv.org/abs/2210.03629) |
| ragged |

%% a comment with [[Hidden]] %%

[^note]: A footnote.
Setext
======
"""


@pytest.mark.parametrize(
    "data",
    [
        RICH_NOTE.encode(),
        b"\xef\xbb\xbf# With a BOM\r\n\r\n[[Link]]\r\n",
        b"---\nkey: [unclosed\n---\n# Bad properties\n",
        b"not \xff UTF-8",
        b"",
    ],
    ids=["rich", "bom-crlf", "bad-properties", "undecodable", "empty"],
)
def test_parsed_notes_survive_pickling(data):
    note = parse_bytes("Folder/Note.md", data)
    assert_round_trip(note)
    # What is worked out on first use goes along when it was.
    note.position(len(note.text))
    note.subpath_targets
    paper_facts(note)
    assert_round_trip(note)


def test_the_rich_note_has_every_kind_of_element():
    """The example above exercises every part of the flat form."""
    note = parse_bytes("Folder/Note.md", RICH_NOTE.encode())
    assert note.frontmatter and note.frontmatter.data
    for name in ("headings", "block_ids", "footnotes", "callouts", "tables", "links", "external_links", "comments", "inline_opaque"):
        assert getattr(note, name), name
    assert note.callouts[0].fields and note.tables[0].rows
    assert {link.embed for link in note.links} == {True, False} and {link.style.value for link in note.links} == {"wikilink", "markdown"}


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.randoms(use_true_random=False))
def test_fuzzed_notes_survive_pickling(rng):
    assert_round_trip(parse_note("fuzz.md", fuzz_text(rng, max_parts=60)))


PAPERS_NOTE = """\
# Papers

| Paper | Short | arXiv |
| --- | --- | --- |
| [[#ReAct]] | ReAct | [2210.03629](https://arxiv.org/abs/2210.03629) |
| Reflexion: language agents | Reflexion | arXiv:2303.11366 |
| [Toolformer](Tools.md#Toolformer) | | 2302.04761 |

## ReAct

> [!info]
> arXiv: [2210.03629](https://arxiv.org/abs/2210.03629)
> Code: [repo](https://github.com/x/react)

## Reflexion

> [!info] Reflexion
> - [arXiv:2303.11366](https://arxiv.org/abs/2303.11366)

Cited in passing: [a paper](https://arxiv.org/abs/2205.12255).
"""


def test_paper_facts_travel_apart_from_their_note_and_rejoin_it():
    from vaultlint.papers import pack_facts, paper_facts, unpack_facts

    note = parse_note("Papers.md", PAPERS_NOTE)
    facts = paper_facts(note)
    assert facts.tables and facts.tables[0].rows and facts.sections and facts.link_claims
    assert any(row.title_link is not None for row in facts.tables[0].rows)
    packed = pickle.loads(pickle.dumps(pack_facts(facts, note), pickle.HIGHEST_PROTOCOL))
    alone = pickle.loads(pickle.dumps(note, pickle.HIGHEST_PROTOCOL))  # as a process that unpickles both sees them
    assert alone.paper_facts == facts  # carried along, as worked out
    alone.paper_facts = None
    rejoined = unpack_facts(packed, alone)
    assert rejoined == facts
    # What they share with the note is the note's own, not a copy.
    for table, rows in ((t, t.rows) for t in rejoined.tables):
        for row in rows:
            assert row.row is alone.tables[table.table_index].rows[row.row_index]
            assert any(row.title_cell is cell for cell in row.row.cells)
            assert row.title_link is None or any(row.title_link is link for link in [*alone.links, *alone.external_links])
    assert all(any(section.callout is callout for callout in alone.callouts) for section in rejoined.sections)


def test_paper_facts_leave_out_the_links_the_notes_own_records_claim(tmp_path):
    """The claims of every other arXiv link are citations; those of a link a row or a
    callout section claims through are that record's, and not worked out twice."""
    from conftest import write_vault
    from vaultlint.papers import paper_facts, paper_index
    from vaultlint.vault import Vault

    note = parse_note("Papers.md", PAPERS_NOTE)
    facts = paper_facts(note)
    record_links = {
        claim.link
        for record in [*(row for table in facts.tables for row in table.rows), *facts.sections]
        for claim in record.claims
        if claim.link is not None
    }
    assert len(record_links) == 3  # the ReAct row's link, and the two callouts' links
    assert [claims[0].raw for _, claims in facts.link_claims] == ["2205.12255"]
    index = paper_index(Vault.load(write_vault(tmp_path / "vault", {"Papers.md": PAPERS_NOTE}), use_cache=False))
    citations = [claim for claim in index.claims_in("Papers.md") if index.paper_of(claim) is None]
    assert [(claim.raw, claim.place.value) for claim in citations] == [("2205.12255", "body")]
