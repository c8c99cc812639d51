"""Tests of ``vaultlint.parser``: what ``parse_note`` / ``parse_bytes`` find, and where.

Each case encodes a behaviour from the project's link reference
(``reference/obsidian-links.md`` §1.4 headings, §2.1 wikilinks, §2.4 Markdown
links, §2.5 frontmatter links, §3 block ids, §4 syntax that is not a link).
Every fixture is a small synthetic string written for this file; nothing is
read from disk. Spans are checked by slicing the note text, so an off-by-one
anywhere shows up as a wrong slice.
"""

from __future__ import annotations

import codecs
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultlint.note import ExternalLink, Link, LinkPlace, LinkStyle, Note
from vaultlint.parser import parse_bytes, parse_note

# --- helpers --------------------------------------------------------------------


def parse(text: str) -> Note:
    return parse_note("note.md", text)


def sliced(text: str, span) -> str:
    return text[span.start:span.end]


def targets(text: str) -> list[str]:
    """The raw targets of every link found, in document order."""
    return [link.raw_target for link in parse(text).links]


def sources(note: Note) -> list[str]:
    return [sliced(note.text, link.span) for link in note.links]


def only_link(text: str) -> Link:
    links = parse(text).links
    assert len(links) == 1, [sliced(text, link.span) for link in links]
    return links[0]


def only_external(text: str) -> ExternalLink:
    note = parse(text)
    assert note.links == [], sources(note)
    assert len(note.external_links) == 1
    return note.external_links[0]


def assert_spans_exact(note: Note) -> None:
    """Every link's span slices back to its source and its target span to raw_target."""
    text = note.text
    for link in note.links:
        source = sliced(text, link.span)
        assert 0 <= link.span.start <= link.target_span.start <= link.target_span.end <= link.span.end <= len(text)
        assert sliced(text, link.target_span) == link.raw_target, link
        if link.style is LinkStyle.WIKILINK:
            assert source.startswith("![[" if link.embed else "[["), source
            assert source.endswith("]]"), source
        else:
            assert source.startswith("![" if link.embed else "["), source
            assert source.endswith(")"), source
    for external in note.external_links:
        source = sliced(text, external.span)
        assert source.startswith("![" if external.embed else "["), source
        assert sliced(text, external.target_span) == external.destination or "\\" in sliced(text, external.target_span)


# --- exact spans and positions ---------------------------------------------------

CRLF_NOTE = (
    "# Title [[H1]]\r\n"
    "\r\n"
    "Para with [[A|alias]] and [md](B%20C.md#Sec)\r\n"
    "- item ![[img.png|400]]\r\n"
    "\tcontinued after a tab [[Tab]]\r\n"
)

SPAN_CASES = {
    "crlf": (
        CRLF_NOTE,
        ["[[H1]]", "[[A|alias]]", "[md](B%20C.md#Sec)", "![[img.png|400]]", "[[Tab]]"],
        ["H1", "A", "B%20C.md#Sec", "img.png", "Tab"],
    ),
    "cjk-emoji-tabs": (
        "中文段落 [[笔记]]\t😀 [[Emoji 🎉|别名]]\t![图](图片.png) [x](%E4%B8%AD.md)\n",
        ["[[笔记]]", "[[Emoji 🎉|别名]]", "![图](图片.png)", "[x](%E4%B8%AD.md)"],
        ["笔记", "Emoji 🎉", "图片.png", "%E4%B8%AD.md"],
    ),
    "list-with-tab-marker": (
        "intro\n\n-\t😀 [[Emoji 🎉|别名]]\tand [md](%E4%B8%AD.md)\n  - nested 🇫🇷 [[Deep]]\n1. x ![[a.png|10]]\n",
        ["[[Emoji 🎉|别名]]", "[md](%E4%B8%AD.md)", "[[Deep]]", "![[a.png|10]]"],
        ["Emoji 🎉", "%E4%B8%AD.md", "Deep", "a.png"],
    ),
    "table": (
        "| a | b |\n|---|---|\n| [[T\\|x]] | ![[i.png\\|300]] |\n| [m](<My Note.md>) | 🙂 [[Z]] |\n",
        ["[[T\\|x]]", "![[i.png\\|300]]", "[m](<My Note.md>)", "[[Z]]"],
        ["T", "i.png", "My Note.md", "Z"],
    ),
    "callout": (
        "> [!note] See [[Title]]\r\n> body [x](y.md)\r\n> - list [[Li#^blk]]\r\n",
        ["[[Title]]", "[x](y.md)", "[[Li#^blk]]"],
        ["Title", "y.md", "Li#^blk"],
    ),
    "heading": (
        "## Heading [[HL|shown]] ##\nSetext [[SL]]\n---\n",
        ["[[HL|shown]]", "[[SL]]"],
        ["HL", "SL"],
    ),
    "padded-targets": (
        "[[  Note  |alias]] ![[ img.png | 100 ]] [[ Folder/Sub#H ]] [a]( <x y.md> )",
        ["[[  Note  |alias]]", "![[ img.png | 100 ]]", "[[ Folder/Sub#H ]]", "[a]( <x y.md> )"],
        ["Note", "img.png", "Folder/Sub#H", "x y.md"],
    ),
}


@pytest.mark.parametrize("text, expected_sources, expected_targets", SPAN_CASES.values(), ids=SPAN_CASES.keys())
def test_link_spans_slice_back_to_source(text, expected_sources, expected_targets):
    note = parse(text)
    assert sources(note) == expected_sources
    assert [link.raw_target for link in note.links] == expected_targets
    assert_spans_exact(note)


def test_places_of_links():
    text = (
        "# H [[InHeading]]\n\n"
        "body [[InBody]]\n\n"
        "> [!tip]\n> [[InCallout]]\n\n"
        "| a |\n|---|\n| [[InTable]] |\n"
    )
    places = {link.raw_target: link.place for link in parse(text).links}
    assert places == {
        "InHeading": LinkPlace.HEADING,
        "InBody": LinkPlace.BODY,
        "InCallout": LinkPlace.CALLOUT,
        "InTable": LinkPlace.TABLE,
    }


def test_positions_are_one_based_lines_and_character_columns():
    note = parse(CRLF_NOTE)
    positions = [(note.position(l.span.start), note.position(l.target_span.start)) for l in note.links]
    assert positions == [
        ((1, 9), (1, 11)),
        ((3, 11), (3, 13)),
        ((3, 27), (3, 32)),
        ((4, 8), (4, 11)),
        ((5, 24), (5, 26)),  # the tab counts as one column
    ]
    assert note.line_text(3) == "Para with [[A|alias]] and [md](B%20C.md#Sec)"
    assert note.position(0) == (1, 1)


def test_positions_count_characters_not_bytes():
    text = "中文 😀\n\t🎉[[X]]\n"
    note = parse(text)
    (link,) = note.links
    assert note.position(link.span.start) == (2, 3)  # tab and emoji are one column each
    assert note.position(link.target_span.end) == (2, 6)


def test_bom_is_removed_and_spans_index_the_decoded_text():
    data = codecs.BOM_UTF8 + "# T\r\nsee [[Target|x]] and ![i](a%20b.png)\r\n".encode()
    note = parse_bytes("n.md", data)
    assert note.encoding.bom is True
    assert not note.text.startswith("\ufeff")
    assert note.text == "# T\r\nsee [[Target|x]] and ![i](a%20b.png)\r\n"
    assert sources(note) == ["[[Target|x]]", "![i](a%20b.png)"]
    assert [l.linktext for l in note.links] == ["Target", "a b.png"]
    assert note.position(note.links[0].span.start) == (2, 5)
    assert note.headings[0].text == "T"
    assert_spans_exact(note)
    assert note.encoding.encode(note.text) == data


def test_no_bom_is_recorded_as_such():
    note = parse_bytes("n.md", b"[[x]]")
    assert note.encoding.bom is False
    assert targets("[[x]]") == ["x"]
    assert note.encoding.encode(note.text) == b"[[x]]"


# --- hypothesis: spans always slice back -------------------------------------------

FRAGMENTS = [
    "[[Note]]",
    "[[Folder/Note#Head#Sub|alias]]",
    "[[Note#^blk]]",
    "[[T\\|esc]]",
    "![[img.png|400]]",
    "![[pic.jpg|cap|300x200]]",
    "![[ spaced.png | 50 ]]",
    "[md](My%20Note.md)",
    "[md](<My Note.md>)",
    "[p](Note_(draft).md#H)",
    "![i](x%20y.png)",
    "![400](a.png)",
    "[u](https://example.com/a)",
    "[![img](in.png)](https://x.y)",
    "`code [[x]]`",
    "``a ` [[y]]``",
    "$[[m]]$",
    "$$[[mm]]$$",
    "%% c [[z]] %%",
    "%%",
    "<!-- [[h]] -->",
    "<span>",
    "\\[[esc]]",
    "$5 ",
    "[",
    "]",
    "]]",
    "[[",
    "(",
    ")",
    "|",
    "\\",
    "^abc",
    "#",
    "word",
    " ",
    "\t",
    "中文",
    "😀",
    "\u00a0",
    "\n",
    "\r\n",
    "\n\n",
    "\n> ",
    "\n- ",
    "\n# ",
    "\n```\n",
    "\n    ",
    "\n| a | b |\n|---|---|\n| [[c]] | d |\n",
    "\n$$\n",
    "\n> [!note] t\n> ",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30))
def test_spans_slice_back_for_generated_notes(parts):
    text = "".join(parts)
    note = parse(text)
    assert not note.skipped
    assert_spans_exact(note)
    spans = [link.span for link in note.links]
    assert spans == sorted(spans)
    for first, second in zip(spans, spans[1:]):
        # Links never overlap; only an image may sit inside a Markdown link's text.
        nested = first.start <= second.start and second.end <= first.end
        assert first.end <= second.start or nested, (sliced(text, first), sliced(text, second))
    for comment in note.comments:
        assert sliced(text, comment).startswith("%%")
    for heading in note.headings:
        assert sliced(text, heading.span) == heading.text or heading.text == sliced(text, heading.span).strip()


# --- what is not a link (§4.1, §2.1, §2.4) ------------------------------------------

NOT_LINKS = {
    "backtick-fence": ("```\n[[code]]\n```\n[[ok]]\n", ["ok"]),
    "tilde-fence": ("~~~md\n[[code]]\n~~~\n[[ok]]\n", ["ok"]),
    "longer-fence-not-closed-by-shorter": ("````\n```\n[[code]]\n````\n[[ok]]\n", ["ok"]),
    "fence-in-list": ("- item\n  ```\n  [[inlist]]\n  ```\n- [[ok]]\n", ["ok"]),
    "fence-in-quote": ("> ```\n> [[inquote]]\n> ```\n\n[[ok]]\n", ["ok"]),
    "indented-code": ("para\n\n    [[indented]]\n\n[[ok]]\n", ["ok"]),
    "tab-indented-code": ("para\n\n\t[[indented]]\n\n[[ok]]\n", ["ok"]),
    "code-span": ("`[[span]]` [[ok]]", ["ok"]),
    "double-backtick-span": ("``a ` [[b]] `` [[ok]]", ["ok"]),
    "longer-backtick-run-does-not-close": ("``a ``` [[b]] `` [[ok]]", ["ok"]),
    "backtick-runs-must-match": ("`[[b]]`` [[ok]]", ["b", "ok"]),
    "unclosed-backtick-is-literal": ("`a [[ok]]", ["ok"]),
    "inline-math": ("$[[m]]$ and $x|[[y]]$ [[ok]]", ["ok"]),
    "inline-display-math": ("$$[[c]]$$ [[ok]]", ["ok"]),
    "display-math-block": ("$$\n[[math]]\n\\text{[[more]]}\n$$\n\n[[ok]]\n", ["ok"]),
    "math-fence-inside-code": ("```\n$$\n```\n[[ok]]\n", ["ok"]),
    "display-math-in-quote": ("> $$\n> [[inq]]\n> $$\n\n[[ok]]\n", ["ok"]),
    "dollar-then-space-is-not-math": ("$ [[b]]$ [[ok]]", ["b", "ok"]),
    "space-then-dollar-does-not-close": ("$[[b]] $ [[ok]]", ["b", "ok"]),
    "currency": ("$5 and $10 [[x]]", ["x"]),
    "closing-dollar-before-digit-does-not-close": ("$[[a]]$5 [[ok]]", ["a", "ok"]),
    "escaped-dollar": ("\\$[[d]]$ [[ok]]", ["d", "ok"]),
    "html-block": ("<div>\n[[html]]\n</div>\n\n[[ok]]\n", ["ok"]),
    "html-block-runs-to-blank-line": ("<div>\n[[a]]\n</div>\n[[b]]\n\n[[ok]]\n", ["ok"]),
    "html-comment-inline": ("A <!-- [[c]] --> [[ok]]", ["ok"]),
    "html-comment-block": ("<!-- multi\nline [[x]]\n-->\n[[ok]]\n", ["ok"]),
    "html-attribute": ('<a href="[[x]]">t</a> [[ok]]', ["ok"]),
    "escaped-bracket": ("\\[[esc]] [[ok]]", ["ok"]),
    "escaped-embed": ("!\\[[esc]] \\![[ok]]", ["ok"]),
    "bash-test-in-fence": ("```bash\nif [[ -f x ]]; then echo; fi\n```\n", []),
    "bash-test-in-span": ("`[[ -f x ]]` and `[[:space:]]`", []),
    "python-in-span": ('`df[["a","b"]]`', []),
    "multi-line": ("[[Multi\nLine]] [[ok]]", ["ok"]),
    "nested": ("[[Nested [[Inner]] x]]", ["Inner"]),
    "blank-wikilink": ("[[ ]] [[]] [[ok]]", ["ok"]),
    "literal-space-in-destination": ("[w](Sub/My Note.md) [ok](Sub/My%20Note.md)", ["Sub/My%20Note.md"]),
    "space-before-paren": ("[a] (b.md) [ok](c.md)", ["c.md"]),
    "unclosed-destination": ("[a](b.md [ok](c.md)", ["c.md"]),
    "unbalanced-paren": ("[u](a(b.md) [[ok]]", ["ok"]),
    "unbalanced-paren-before-space": ("[u](a(b ) [[ok]]", ["ok"]),
    "empty-destination": ("[g]() [[ok]]", ["ok"]),
    "autolink": ("<https://x.y/[[a]]> [[ok]]", ["ok"]),
    "callout-marker": ("> [!info] x\n> [[ok]]", ["ok"]),
    "footnote-reference": ("text[^1] and [^1]: def [[ok]]", ["ok"]),
    "frontmatter-body-link-only": ("---\nup: [[Unquoted]]\n---\n[[ok]]\n", ["ok"]),
}


@pytest.mark.parametrize("text, expected", NOT_LINKS.values(), ids=NOT_LINKS.keys())
def test_what_is_not_a_link(text, expected):
    note = parse(text)
    assert [link.raw_target for link in note.links] == expected
    assert note.external_links == []
    assert_spans_exact(note)


def test_first_closing_brackets_end_a_wikilink():
    # §2.1: lazy up to the first "]]".
    assert targets("[[Sq]uare]]") == ["Sq]uare"]
    assert targets("[[x [y]]]") == ["x [y"]
    assert targets("[[[x]]]") == ["[x"]
    assert targets("[[a `]]` b]]") == ["a `"]


def test_unclosed_inline_constructs_do_not_swallow_later_blocks():
    text = "open `code and $math\n\n[[after]]\n"
    assert targets(text) == ["after"]


# --- %% comments (§4.3) ----------------------------------------------------------------


def test_inline_and_block_comments_mark_links_in_comment():
    text = "a %%[[Hidden]]%% b [[Shown]]\n\n%%\n[[Hidden2]]\n- [x](y.md)\n%%\n\n[[After]]\n"
    note = parse(text)
    assert [(l.raw_target, l.in_comment) for l in note.links] == [
        ("Hidden", True),
        ("Shown", False),
        ("Hidden2", True),
        ("y.md", True),
        ("After", False),
    ]
    assert [sliced(text, c) for c in note.comments] == ["%%[[Hidden]]%%", "%%\n[[Hidden2]]\n- [x](y.md)\n%%"]


def test_external_link_in_comment_is_marked():
    note = parse("%% [u](https://a.b) %%")
    assert note.external_links[0].in_comment is True


def test_unclosed_comment_comments_out_the_rest():
    text = "[[Vis]] %% open\n\n# Heading\n[[after]]\n\n| a |\n|---|\n| [[cell]] |\n"
    note = parse(text)
    assert [(l.raw_target, l.in_comment) for l in note.links] == [
        ("Vis", False),
        ("after", True),
        ("cell", True),
    ]
    assert [sliced(text, c) for c in note.comments] == [text[text.index("%%"):]]


def test_percent_signs_in_code_do_not_open_comments():
    note = parse("`%%` [[y]]\n\n```\n%%\n```\n[[z]]\n")
    assert [(l.raw_target, l.in_comment) for l in note.links] == [("y", False), ("z", False)]
    assert note.comments == []


# --- wikilinks (§2.1, §2.2, §4.2) -----------------------------------------------------


def test_wikilink_alias_and_default_fields():
    link = only_link("see [[Note|Shown text]]")
    assert (link.style, link.embed, link.linktext, link.path, link.subpath, link.display) == (
        LinkStyle.WIKILINK,
        False,
        "Note",
        "Note",
        "",
        "Shown text",
    )
    assert link.size is None and link.escaped_pipe is False and link.angle_brackets is False
    plain = only_link("[[Plain]]")
    assert plain.display is None


def test_alias_splits_at_first_pipe_past_index_zero():
    link = only_link("[[Note|a|b]]")
    assert (link.raw_target, link.display) == ("Note", "a|b")
    lead = only_link("[[|lead]]")
    assert (lead.raw_target, lead.linktext, lead.display) == ("|lead", "|lead", None)
    empty = only_link("[[a|]]")
    assert (empty.linktext, empty.display) == ("a", "")


def test_escaped_pipe_in_table_cell():
    text = "| a | b |\n|---|---|\n| [[Note\\|alias]] | x |\n"
    link = only_link(text)
    assert link.escaped_pipe is True
    assert link.raw_target == "Note"
    assert link.linktext == "Note"
    assert link.display == "alias"
    assert sliced(text, link.target_span) == "Note"
    assert text[link.target_span.end] == "\\"
    assert link.place is LinkPlace.TABLE


def test_escaped_pipe_outside_a_table_works_the_same():
    link = only_link("[[Note#H\\|alias]]")
    assert (link.path, link.subpath, link.display, link.escaped_pipe) == ("Note", "#H", "alias", True)


def test_backslash_not_before_pipe_stays_in_target():
    link = only_link("[[ X\\ |a]]")
    assert (link.linktext, link.escaped_pipe) == ("X\\", False)


@pytest.mark.parametrize(
    "text, size, display, path",
    [
        ("![[img.png|400]]", (400, None), "400", "img.png"),
        ("![[img.png|400x300]]", (400, 300), "400x300", "img.png"),
        ("![[img.png|caption|400]]", (400, None), "caption|400", "img.png"),
        ("![[img.png| 400 x 300 ]]", (400, 300), "400 x 300", "img.png"),
        ("![[img.png|caption]]", None, "caption", "img.png"),
        ("![[img.png|400px]]", None, "400px", "img.png"),
        ("![[img.png|400|caption]]", None, "400|caption", "img.png"),
        ("![[Note#Sec|200]]", (200, None), "200", "Note"),
    ],
)
def test_embed_sizes(text, size, display, path):
    link = only_link(text)
    assert link.embed is True
    assert link.size == size
    assert link.display == display
    assert link.path == path


def test_size_only_applies_to_embeds():
    link = only_link("[[Note|400]]")
    assert (link.embed, link.size, link.display) == (False, None, "400")


@pytest.mark.parametrize(
    "text, path, subpath",
    [
        ("[[Note#A#B]]", "Note", "#A#B"),
        ("[[Note#^id]]", "Note", "#^id"),
        ("[[#^blk]]", "", "#^blk"),
        ("[[#Heading]]", "", "#Heading"),
        ("[[Note#[^1]]]", "Note", "#[^1"),
        ("[[Folder/Sub Note.md#H: x]]", "Folder/Sub Note.md", "#H: x"),
        ("[[My%20Note]]", "My%20Note", ""),  # wikilinks are never percent-decoded
        ("[[https://example.com]]", "https://example.com", ""),  # no URL detection
    ],
)
def test_wikilink_subpaths(text, path, subpath):
    link = only_link(text)
    assert (link.path, link.subpath) == (path, subpath)
    assert link.is_self_link is (path == "")


def test_embed_with_subpath_and_size():
    link = only_link("![[Note#A#B|400]]")
    assert (link.embed, link.path, link.subpath, link.size) == (True, "Note", "#A#B", (400, None))


def test_wikilink_cleaning_nbsp_and_nfc():
    nfd = unicodedata.normalize("NFD", "Café")
    text = f"[[{nfd}\u00a0Name]] [[\u00a0Padded\u00a0|a]]"
    first, second = parse(text).links
    assert first.raw_target == f"{nfd}\u00a0Name"  # source text is untouched...
    assert first.linktext == "Café Name"  # ...but what Obsidian looks up is cleaned
    assert unicodedata.is_normalized("NFC", first.linktext)
    assert first.path == "Café Name"
    assert second.linktext == "Padded"
    assert sliced(text, second.target_span) == "Padded"


def test_wikilink_after_embed_marker_and_adjacent_links():
    note = parse("![[a]]![[b]][[c]]")
    assert [(l.raw_target, l.embed) for l in note.links] == [("a", True), ("b", True), ("c", False)]
    assert sources(note) == ["![[a]]", "![[b]]", "[[c]]"]


# --- Markdown links (§1.5, §2.4, §4.2) ---------------------------------------------------


def test_markdown_link_decodes_uri_but_keeps_reserved_escapes():
    link = only_link("[x](My%20Note.md#H%3A%20a)")
    assert link.style is LinkStyle.MARKDOWN
    assert link.raw_target == "My%20Note.md#H%3A%20a"
    assert link.linktext == "My Note.md#H%3A a"
    assert (link.path, link.subpath) == ("My Note.md", "#H%3A a")
    assert link.display == "x"


@pytest.mark.parametrize(
    "destination, linktext",
    [
        ("a%5Bb%5D.md", "a[b].md"),
        ("%E4%B8%AD.md", "中.md"),
        ("x%25y.md", "x%y.md"),
        ("a%2Fb.md", "a%2Fb.md"),
        ("a%23b.md", "a%23b.md"),
        ("#PAL%20Program-aided", "#PAL Program-aided"),
        ("%20padded%20.md", "padded .md"),
        ("%C2%A0nb.md", "nb.md"),
    ],
)
def test_markdown_destinations_decoded_like_decode_uri(destination, linktext):
    link = only_link(f"[t]({destination})")
    assert link.linktext == linktext
    assert link.path + link.subpath == linktext
    assert link.raw_target == destination


def test_markdown_link_linktext_is_nfc():
    nfd = unicodedata.normalize("NFD", "Café.md")
    link = only_link(f"[h]({nfd})")
    assert link.linktext == link.path == "Café.md"
    assert link.raw_target == nfd


@pytest.mark.parametrize(
    "text, reason, destination, embed",
    [
        ("[a](https://x.y/z)", "url", "https://x.y/z", False),
        ("[s](mailto:a@b.c)", "url", "mailto:a@b.c", False),
        ("[o](obsidian://open?vault=v)", "url", "obsidian://open?vault=v", False),
        ("[w](C:/x.md)", "url", "C:/x.md", False),
        ("[b](#PAL:%20X)", "colon", "#PAL:%20X", False),
        ("[n](Note.md#a:b)", "colon", "Note.md#a:b", False),
        ("[c](100%.md)", "malformed-escape", "100%.md", False),
        ("[e](%E0%A4.md)", "malformed-escape", "%E0%A4.md", False),
        ("![u](https://x.y/i.png)", "url", "https://x.y/i.png", True),
    ],
)
def test_external_destinations(text, reason, destination, embed):
    external = only_external(text)
    assert (external.reason, external.destination, external.embed) == (reason, destination, embed)
    assert sliced(text, external.span) == text
    assert sliced(text, external.target_span) == destination


def test_dot_slash_destination_with_colon_stays_internal():
    link = only_link("[r](./a:b.md)")
    assert link.linktext == "./a:b.md"


def test_image_with_malformed_escape_uses_raw_string():
    text = "![i](100%.png) ![j](%E0%A4.png)"
    note = parse(text)
    assert note.external_links == []
    assert [(l.embed, l.linktext) for l in note.links] == [(True, "100%.png"), (True, "%E0%A4.png")]


@pytest.mark.parametrize(
    "text, size, display, path",
    [
        ("![400](x.png)", (400, None), None, "x.png"),
        ("![alt|400x300](x.png)", (400, 300), "alt", "x.png"),
        ("![cap|big](y.png)", None, "cap|big", "y.png"),
        ("![just alt](z%20a.png)", None, "just alt", "z a.png"),
    ],
)
def test_markdown_image_sizes(text, size, display, path):
    link = only_link(text)
    assert (link.embed, link.size, link.display, link.path) == (True, size, display, path)


def test_image_inside_link_is_found():
    text = "[![img](a.png)](https://x)"
    note = parse(text)
    assert sources(note) == ["![img](a.png)"]
    assert note.links[0].embed is True
    assert [e.destination for e in note.external_links] == ["https://x"]
    assert note.external_links[0].display == "![img](a.png)"


@pytest.mark.parametrize(
    "text, raw, linktext",
    [
        ("[p](Note_(draft).md)", "Note_(draft).md", "Note_(draft).md"),
        ("[p](a((b))c.md#H)", "a((b))c.md#H", "a((b))c.md#H"),
        ("[z](a\\)b.md)", "a\\)b.md", "a)b.md"),
        ("[t](a.md \"title\")", "a.md", "a.md"),
        ("[t](a.md 'title')", "a.md", "a.md"),
        ("[t](a.md (title))", "a.md", "a.md"),
        ('[e](f.md"x")', 'f.md"x"', 'f.md"x"'),
    ],
)
def test_markdown_destination_syntax(text, raw, linktext):
    link = only_link(text)
    assert (link.raw_target, link.linktext) == (raw, linktext)
    assert sliced(text, link.span) == text


def test_angle_bracket_destinations():
    text = "[q](<My Note.md>) [v](<x y.md#A B> \"t\") [p](plain.md)"
    note = parse(text)
    assert [(l.raw_target, l.linktext, l.angle_brackets) for l in note.links] == [
        ("My Note.md", "My Note.md", True),
        ("x y.md#A B", "x y.md#A B", True),
        ("plain.md", "plain.md", False),
    ]
    assert_spans_exact(note)


def test_angle_destination_must_close_the_link():
    assert targets("[a](<b>c.md) [[ok]]") == ["ok"]


def test_markdown_link_label_with_code_span_and_brackets():
    text = "[a `]` [b] c](x.md)"
    link = only_link(text)
    assert link.display == "a `]` [b] c"
    assert sliced(text, link.span) == text


def test_markdown_heading_link_to_self():
    link = only_link("[t](#PAL%20Program-aided%20Language%20Models)")
    assert (link.path, link.subpath, link.is_self_link) == ("", "#PAL Program-aided Language Models", True)


# --- headings (§1.4) -------------------------------------------------------------------


def headings(text: str) -> list[tuple[str, int, int]]:
    return [(h.text, h.level, h.line) for h in parse(text).headings]


def test_atx_headings_strip_closing_hashes_and_keep_markup():
    text = "## **Bold** [[Other]] ##\n# Trail #not\n# Hash#\n   ### three spaces\n###### six ###   \n# Spaces \t \n"
    note = parse(text)
    assert [(h.text, h.level, h.line) for h in note.headings] == [
        ("**Bold** [[Other]]", 2, 1),
        ("Trail #not", 1, 2),
        ("Hash#", 1, 3),
        ("three spaces", 3, 4),
        ("six", 6, 5),
        ("Spaces", 1, 6),
    ]
    for heading in note.headings:
        assert sliced(text, heading.span) == heading.text


def test_not_atx_headings():
    text = "#NoSpace\n####### seven\n\n    # indented code\n\\# escaped\n"
    assert headings(text) == []


def test_setext_headings():
    text = "Setext *one*\n===\n\nTwo\n---\n\nLine one\nLine two\n========\n"
    note = parse(text)
    assert [(h.text, h.level, h.line) for h in note.headings] == [
        ("Setext *one*", 1, 1),
        ("Two", 2, 4),
        ("Line one\nLine two", 1, 7),
    ]
    assert sliced(text, note.headings[0].span) == "Setext *one*"


def test_heading_spans_with_crlf():
    text = "# One ##\r\nTwo\r\n---\r\n"
    note = parse(text)
    assert [(h.text, h.level, h.line) for h in note.headings] == [("One", 1, 1), ("Two", 2, 2)]
    assert [sliced(text, h.span) for h in note.headings] == ["One", "Two"]


def test_headings_in_containers_and_code_are_not_headings():
    text = (
        "> # InQuote\n"
        "\n"
        "> [!note]\n"
        "> ## InCallout\n"
        "\n"
        "- # InList\n"
        "\n"
        "- item\n\n  # InListItem\n"
        "\n"
        "```\n# InCode\n```\n"
        "$$\n# InMath\n$$\n"
        "<div>\n# InHtml\n</div>\n"
        "\n"
        "# Real\n"
    )
    assert headings(text) == [("Real", 1, 22)]


def test_heading_inside_frontmatter_is_not_a_heading():
    text = "---\ntitle: x\n# not heading\n---\n# Real\n"
    assert headings(text) == [("Real", 1, 5)]


def test_thematic_break_after_paragraph_is_a_setext_heading_not_frontmatter():
    note = parse("text\n---\na: 1\n---\n")
    assert note.frontmatter is None
    assert [(h.text, h.level) for h in note.headings] == [("text", 2), ("a: 1", 2)]


# --- block ids and footnotes (§3, §4.6) -------------------------------------------------


def test_block_ids():
    text = (
        "Para text ^abc\n\n"
        "> quote\n\n^Own-Line\n\n"
        "bad ^my_id\n\n"
        "```\nx ^incode\n```\n"
        "no^space\n\n"
        "`code ^inspan`\n\n"
        "- item ^li1\n\n"
        "![[image.png]]^after-embed\n\n"
        "%% hidden ^incomment %%\n\n"
        "$$\nx ^inmath\n$$\n"
    )
    note = parse(text)
    assert [(b.id, b.line) for b in note.block_ids] == [
        ("abc", 1),
        ("Own-Line", 5),
        ("li1", 16),
        ("after-embed", 18),
    ]
    for block in note.block_ids:
        assert sliced(text, block.span) == "^" + block.id
    assert note.block_id_keys == {"abc", "own-line", "li1", "after-embed"}


def test_block_id_inside_multi_line_code_span_or_math_is_not_an_id():
    text = "`a ^inspan\nb` after ^real\n\n$x ^inmath\ny$ z\n"
    note = parse(text)
    assert [(b.id, b.line) for b in note.block_ids] == [("real", 2)]


def test_block_id_with_trailing_spaces_and_crlf():
    text = "Para ^x1 \r\nNext\r\n"
    note = parse(text)
    assert [(b.id, b.line, sliced(text, b.span)) for b in note.block_ids] == [("x1", 1, "^x1")]


def test_footnote_definitions():
    text = "text[^1]\n\n[^1]: Foot\n[^note-2]: two\n> [^q]: quoted\n\n    [^ind]: code\n\n```\n[^fence]: x\n```\n"
    note = parse(text)
    assert [(f.id, f.line) for f in note.footnotes] == [("1", 3), ("note-2", 4), ("q", 5)]
    assert [sliced(text, f.span) for f in note.footnotes] == ["1", "note-2", "q"]
    assert note.footnote_ids == {"1", "note-2", "q"}


def test_footnote_definition_is_not_a_link():
    note = parse("[^1]: see [[Target]]\n")
    assert [l.raw_target for l in note.links] == ["Target"]
    assert note.external_links == []


# --- callouts (§4.4) ----------------------------------------------------------------------


def test_callout_type_fold_title_and_fields():
    text = (
        "> [!NOTE]- My *Title*\n"
        "> Repository: https://github.com/a/b  \n"
        "> Status:done\n"
        "> Owner: Me\n"
        "> plain line without colon\n"
    )
    note = parse(text)
    (callout,) = note.callouts
    assert (callout.type, callout.fold, callout.title, callout.first_line, callout.last_line, callout.depth) == (
        "note",
        "-",
        "My *Title*",
        1,
        5,
        1,
    )
    assert sliced(text, callout.span) == text.rstrip("\n")
    assert [(f.key, f.value, f.line) for f in callout.fields] == [
        ("Repository", "https://github.com/a/b", 2),
        ("Owner", "Me", 4),
    ]
    for field in callout.fields:
        assert sliced(text, field.value_span) == field.value
    assert note.external_links == []  # a bare URL is not a Markdown link


def test_callout_field_value_spans_with_crlf():
    text = "> [!Warning]+ Title\r\n> Repository: https://x.y/z\r\n"
    (callout,) = parse(text).callouts
    assert (callout.type, callout.fold, callout.title) == ("warning", "+", "Title")
    (field,) = callout.fields
    assert (field.key, field.value, field.line) == ("Repository", "https://x.y/z", 2)
    assert sliced(text, field.value_span) == "https://x.y/z"


def test_nested_callout():
    text = "> [!note] Outer\n> Key: outer\n> > [!tip]+\n> > Inner: val\n"
    note = parse(text)
    assert [(c.type, c.title, c.fold, c.depth, c.first_line, c.last_line) for c in note.callouts] == [
        ("note", "Outer", "", 1, 1, 4),
        ("tip", "", "+", 2, 3, 4),
    ]
    outer, inner = note.callouts
    assert [(f.key, f.value) for f in outer.fields] == [("Key", "outer")]
    assert [(f.key, f.value) for f in inner.fields] == [("Inner", "val")]
    assert sliced(text, inner.fields[0].value_span) == "val"


def test_callout_ends_at_its_last_content_line():
    text = "> [!note] T\n> body [[x]]\n>\n\nafter [[y]]\n"
    note = parse(text)
    (callout,) = note.callouts
    assert (callout.first_line, callout.last_line) == (1, 2)
    assert sliced(text, callout.span) == "> [!note] T\n> body [[x]]"
    assert [(l.raw_target, l.place) for l in note.links] == [("x", LinkPlace.CALLOUT), ("y", LinkPlace.BODY)]


def test_callout_metadata_and_non_callouts():
    text = "> [!info|wide] T\n\n> plain quote\n> Key: v\n\n> [!note]NoSpace\n\n[!tip] not in a quote\n"
    note = parse(text)
    assert [(c.type, c.title) for c in note.callouts] == [("info", "T")]


def test_callout_links_are_in_the_callout_place():
    text = "> [!info]\n> Key: a: b\n> Link: [[X]]\n"
    note = parse(text)
    assert [(f.key, f.value) for f in note.callouts[0].fields] == [("Key", "a: b"), ("Link", "[[X]]")]
    assert [(l.raw_target, l.place) for l in note.links] == [("X", LinkPlace.CALLOUT)]


# --- tables (§4.8) ---------------------------------------------------------------------


def cells(row) -> list[str]:
    return [cell.text for cell in row.cells]


def test_table_cells_and_spans():
    text = "| a | b |\n|:---|---:|\n| [[N\\|al]] | x \\| y |\n| ragged |\n"
    note = parse(text)
    (table,) = note.tables
    assert cells(table.header) == ["a", "b"]
    assert table.alignments == ("left", "right")
    assert [cells(row) for row in table.rows] == [["[[N\\|al]]", "x \\| y"], ["ragged"]]
    assert (table.first_line, table.last_line) == (1, 4)
    for row in (table.header, table.delimiter, *table.rows):
        assert sliced(text, row.span) == note.line_text(row.line)
        for cell in row.cells:
            assert sliced(text, cell.span) == cell.text
    assert [l.raw_target for l in note.links] == ["N"]


def test_table_without_outer_pipes_and_center_alignment():
    text = "a | b\n:-:|---\n1 | 2\n"
    (table,) = parse(text).tables
    assert cells(table.header) == ["a", "b"]
    assert table.alignments == ("center", "")
    assert [cells(r) for r in table.rows] == [["1", "2"]]


def test_unescaped_pipe_splits_the_cell():
    text = "| a | b |\n|---|---|\n| [[N|al]] | x |\n"
    (table,) = parse(text).tables
    assert cells(table.rows[0]) == ["[[N", "al]]", "x"]


def test_table_in_code_block_is_not_a_table():
    text = "```\n| a | b |\n|---|---|\n| [[c]] | d |\n```\n"
    note = parse(text)
    assert note.tables == []
    assert note.links == []


def test_table_in_quote_with_crlf():
    text = "> | q | r |\r\n> |---|---|\r\n> | [[t]] | s |\r\n"
    note = parse(text)
    (table,) = note.tables
    assert [cells(r) for r in (table.header, *table.rows)] == [["q", "r"], ["[[t]]", "s"]]
    for cell in table.rows[0].cells:
        assert sliced(text, cell.span) == cell.text
    assert [(l.raw_target, l.place) for l in note.links] == [("t", LinkPlace.TABLE)]


# --- frontmatter (§2.5, §4.7) ------------------------------------------------------------

FRONTMATTER = (
    "---\n"
    "aliases: [One, Two]\n"
    "Tags:\n"
    "  - a\n"
    "  - b\n"
    'up: "[[Parent]]"\n'
    "rel:\n"
    '  - "[[A|al]]"\n'
    "  - '[[B#H]]'\n"
    "plain: [[Unquoted]]\n"
    'see: "see [[x]]"\n'
    '# c: "[[Commented]]"\n'
    "---\n"
    "# Body\n"
    "body [[b]]\n"
)


def test_frontmatter_values():
    note = parse(FRONTMATTER)
    fm = note.frontmatter
    assert fm is not None and fm.error is None
    assert fm.values("aliases") == ["One", "Two"]
    assert fm.values("tags") == ["a", "b"]  # keys match case-insensitively
    assert fm.values("up") == ["[[Parent]]"]
    assert fm.values("missing") == []
    assert note.aliases == ["One", "Two"]
    assert sliced(FRONTMATTER, fm.span) == FRONTMATTER[: FRONTMATTER.index("# Body")]
    assert [(h.text, h.line) for h in note.headings] == [("Body", 14)]


def test_frontmatter_scalar_alias_is_one_item():
    note = parse("---\naliases: Single\nalias: Old\n---\n")
    assert note.aliases == ["Single", "Old"]


def test_quoted_wikilinks_in_properties_are_frontmatter_links():
    note = parse(FRONTMATTER)
    found = [(l.raw_target, l.path, l.subpath, l.display, l.place) for l in note.links]
    assert found == [
        ("Parent", "Parent", "", None, LinkPlace.FRONTMATTER),
        ("A", "A", "", "al", LinkPlace.FRONTMATTER),
        ("B#H", "B", "#H", None, LinkPlace.FRONTMATTER),
        ("b", "b", "", None, LinkPlace.BODY),
    ]
    assert sources(note) == ["[[Parent]]", "[[A|al]]", "[[B#H]]", "[[b]]"]
    assert_spans_exact(note)


def test_frontmatter_flow_list_and_apostrophe_in_target():
    text = "---\nc: [\"[[L1]]\", '[[L2]]']\nup: \"[[Bob's Note]]\"\nq: '[[Say \"hi\"]]'\n---\n"
    note = parse(text)
    assert [l.raw_target for l in note.links] == ["L1", "L2", "Bob's Note", 'Say "hi"']
    assert all(l.place is LinkPlace.FRONTMATTER for l in note.links)
    assert_spans_exact(note)


def test_wikilink_in_yaml_comment_or_block_scalar_is_not_a_link():
    text = '---\nd: 1 # "[[Trailing]]"\ne: |\n  "[[Block]]"\nf: "[[Real]]"\n---\n'
    note = parse(text)
    assert note.frontmatter.data["e"] == '"[[Block]]"\n'
    assert [l.raw_target for l in note.links] == ["Real"]


def test_frontmatter_with_crlf():
    text = '---\r\nup: "[[P]]"\r\n---\r\n# H\r\n[[x]]\r\n'
    note = parse(text)
    assert note.frontmatter.data == {"up": "[[P]]"}
    assert [(l.raw_target, l.place) for l in note.links] == [("P", LinkPlace.FRONTMATTER), ("x", LinkPlace.BODY)]
    assert [(h.text, h.line) for h in note.headings] == [("H", 4)]
    assert_spans_exact(note)


def test_invalid_yaml_is_a_problem_with_a_line_and_does_not_crash():
    text = "---\ntitle: ok\na: [1\nb: 2\n---\n# Body\n[[x]]\n"
    note = parse(text)
    assert note.skipped is False
    assert note.frontmatter is not None and note.frontmatter.data is None
    assert note.frontmatter.error.startswith("invalid YAML in properties")
    assert note.frontmatter.error_line == 4
    assert [(p.message, p.line) for p in note.problems] == [(note.frontmatter.error, 4)]
    assert note.frontmatter.values("title") == []
    assert [l.raw_target for l in note.links if l.place is LinkPlace.BODY] == ["x"]
    assert [h.text for h in note.headings] == ["Body"]


def test_frontmatter_that_is_not_a_mapping():
    note = parse("---\n- a\n- b\n---\ntext\n")
    assert note.frontmatter.data is None
    assert note.frontmatter.error == "properties must be a YAML mapping"
    assert [p.line for p in note.problems] == [2]


def test_frontmatter_only_at_the_very_start():
    for text in ("\n---\na: 1\n---\n", " ---\na: 1\n---\n", "text\n\n---\na: 1\n---\n"):
        note = parse(text)
        assert note.frontmatter is None, text
        assert note.problems == []


def test_unclosed_frontmatter_is_not_frontmatter():
    note = parse("---\na: [[x]]\n")
    assert note.frontmatter is None
    assert [(l.raw_target, l.place) for l in note.links] == [("x", LinkPlace.BODY)]


def test_empty_frontmatter():
    note = parse("---\n---\n[[x]]\n")
    assert note.frontmatter is not None and note.frontmatter.data == {}
    assert note.frontmatter.values("aliases") == []
    assert [l.raw_target for l in note.links] == ["x"]


# --- decoding ------------------------------------------------------------------------------


def test_invalid_utf8_is_skipped_with_the_line():
    note = parse_bytes("n.md", b"ok\n[[x]]\nbad \xff here\n")
    assert note.skipped is True
    assert note.links == []
    assert [(p.line, p.column) for p in note.problems] == [(3, 5)]
    assert "UTF-8" in note.problems[0].message and "0xff" in note.problems[0].message


def test_nul_bytes_are_skipped():
    note = parse_bytes("n.md", b"a\n\nb\x00c [[x]]")
    assert note.skipped is True
    assert note.links == []
    assert note.problems[0].line == 3
    assert "NUL" in note.problems[0].message


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, b"\n", b"\r\n\r\n"])
def test_empty_notes_are_fine(data):
    note = parse_bytes("n.md", data)
    assert note.skipped is False
    assert note.problems == []
    assert (note.links, note.headings, note.frontmatter) == ([], [], None)


# --- robustness ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        ">" * 400 + " [[x]]\n",
        "> " * 400 + "[[x]]\n",
        "".join("  " * i + "- a [[x]]\n" for i in range(300)),
        "- " * 500 + "[[x]]\n",
        "1. " * 300 + "[[x]]\n",
    ],
    ids=["quotes", "spaced-quotes", "indented-lists", "inline-lists", "ordered-lists"],
)
def test_deep_nesting_does_not_raise(text):
    note = parse(text)
    assert note.text == text
    if note.skipped:
        assert (note.links, note.headings, note.callouts) == ([], [], [])
        assert [p.message for p in note.problems] == ["skipped: too complex to parse (nesting too deep)"]
    else:
        assert note.problems == []
        assert {l.raw_target for l in note.links} == {"x"}
        assert_spans_exact(note)
    # The parser still works (and mistletoe's globals are intact) afterwards.
    after = parse("# H\n\n<div>\n[[no]]\n</div>\n\n[[yes]]\n")
    assert [h.text for h in after.headings] == ["H"]
    assert [l.raw_target for l in after.links] == ["yes"]


def test_moderate_nesting_is_parsed():
    text = "> " * 40 + "[[deep]]\n"
    note = parse(text)
    assert note.skipped is False
    assert [(l.raw_target, l.place) for l in note.links] == [("deep", LinkPlace.CALLOUT)]
    nested = "".join("  " * i + f"- item [[L{i}]]\n" for i in range(40))
    note = parse(nested)
    assert note.skipped is False
    assert [l.raw_target for l in note.links] == [f"L{i}" for i in range(40)]
    assert_spans_exact(note)


def test_mistletoe_globals_are_restored():
    from mistletoe import block_token, span_token

    spans, blocks = list(span_token._token_types), list(block_token._token_types)
    parse("# H\n\n> q\n\n| a |\n|---|\n| b |\n")
    assert span_token._token_types == spans
    assert block_token._token_types == blocks


@pytest.mark.parametrize(
    "text",
    ["[" * 300, "[[" * 150 + "]]" * 150, "`" * 2000, "$" * 2000, "(" * 2000, "[a](" + "(" * 2000, "<" * 2000, "%%" * 1000],
)
def test_pathological_inline_input_does_not_raise(text):
    note = parse(text)
    assert_spans_exact(note)
