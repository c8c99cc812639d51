"""Conformance suite for ``vaultlint.obsidian``: Obsidian's link semantics.

Every case encodes a behaviour from sections 1-4 of the project's link reference
(``reference/obsidian-links.md``); the ``id`` of each case names its section. The
fixtures are small synthetic strings written for this file: nothing is read from
disk. Where the reference is unsure, the test pins the choice the code makes and
says so ("no false alarm" = the lenient reading, which never reports a link that
Obsidian might open).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pytest

from vaultlint.obsidian import (
    BLOCK_ID_CHARS,
    FileIndex,
    Resolution,
    SubpathMatch,
    clean_string,
    decode_uri,
    default_display_text,
    encode_special_chars,
    heading_chain_for,
    heading_key,
    is_external_destination,
    is_markdown_path,
    looks_like_url,
    parse_embed_size,
    relative_path,
    resolve_subpath,
    safe_decode_uri,
    split_alias,
    split_linktext,
    strip_heading,
    strip_heading_for_link,
)


@dataclass(frozen=True)
class H:
    text: str
    level: int


NO_BLOCKS: frozenset[str] = frozenset()
NO_FOOTNOTES: frozenset[str] = frozenset()


def heading_index(headings, subpath, blocks=NO_BLOCKS, footnotes=NO_FOOTNOTES):
    """The index of the heading a subpath reaches, or None."""
    found = resolve_subpath(headings, blocks, footnotes, subpath)
    if found is None:
        return None
    assert found.kind == "heading"
    return found.index


def md_link_outcome(destination: str, headings) -> str:
    """What Obsidian makes of a same-note markdown heading link ``[x](destination)`` (§1.5).

    ``external`` (not a vault link), ``not-a-link`` (decodeURI throws), or whether
    the subpath reaches ``headings[0]`` (``yes``/``no``).
    """
    if is_external_destination(destination):
        return "external"
    decoded = decode_uri(destination)
    if decoded is None:
        return "not-a-link"
    path, subpath = split_linktext(clean_string(decoded))
    assert path == ""
    return "yes" if heading_index(headings, subpath) == 0 else "no"


def wikilink_outcome(inner: str, headings) -> str:
    """Whether the same-note wikilink ``[[inner]]`` reaches ``headings[0]`` (§1.6, §2.1)."""
    target, _alias, _escaped = split_alias(inner)
    path, subpath = split_linktext(target)
    assert path == ""
    return "yes" if heading_index(headings, subpath) == 0 else "no"


# =====================================================================================
# §1.1 The two normalisers
# =====================================================================================


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        pytest.param('foo!"#$%&()*+,.:;<=>?@^`{|}~/[]\\\r\nbar', "foo bar", id="1.1-strip-typings-example"),
        pytest.param("PAL: Program-aided Language Models", "PAL Program-aided Language Models", id="1.1-strip-colon"),
        pytest.param("a.b", "a b", id="1.1-strip-dot-becomes-space"),
        pytest.param("It's_a-test", "It's_a-test", id="1.1-keep-apostrophe-underscore-hyphen"),
        pytest.param("A\uff1aB\u2013C\u2019D", "A\uff1aB\u2013C\u2019D", id="1.1-keep-non-ascii-punctuation"),
        pytest.param("\u65e5\u672c \U0001f600", "\u65e5\u672c \U0001f600", id="1.1-keep-cjk-emoji"),
        pytest.param("  a \t\u00a0 b  ", "a b", id="1.1-collapse-js-whitespace"),
        pytest.param("a\u3000\u2028\ufeffb", "a b", id="1.1-js-space-class-ideographic-ls-bom"),
        pytest.param("\u1680a\u200ab\u202f", "a b", id="1.1-js-space-class-ogham-hair-nnbsp"),
        pytest.param("a\x1cb", "a\x1cb", id="1.1-python-only-space-x1c-kept"),
        pytest.param("a\x85b", "a\x85b", id="1.1-python-only-space-nel-kept"),
        pytest.param("a\u200bb", "a\u200bb", id="1.1-zero-width-space-not-whitespace"),
        pytest.param("**Bold** [[Other]]", "Bold Other", id="1.4-markup-bold-wikilink"),
        pytest.param("`code` ==hl== ~~del~~", "code hl del", id="1.4-markup-code-highlight-strike"),
        pytest.param("_Intro_", "_Intro_", id="1.4-italic-underscores-kept"),
        pytest.param("[x](https://a.b/c)", "x https a b c", id="1.4-md-link-url-left-in-text"),
        pytest.param("C# basics", "C basics", id="1.2-hash-in-heading"),
        pytest.param("", "", id="1.1-empty"),
        pytest.param("?!", "", id="1.1-only-punctuation"),
    ],
)
def test_strip_heading(heading, expected):
    assert strip_heading(heading) == expected


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        pytest.param("foo:#|^\\\r\n%%[[]]bar", "foo bar", id="1.1-for-link-typings-example"),
        pytest.param("PAL: Program-aided Language Models", "PAL Program-aided Language Models", id="1.1-for-link-colon"),
        pytest.param("C# basics", "C basics", id="1.2-for-link-hash"),
        pytest.param("a % b", "a % b", id="1.1-for-link-single-percent-kept"),
        pytest.param("a%%b", "a b", id="1.1-for-link-double-percent"),
        pytest.param("(x) [y] !?.,", "(x) [y] !?.,", id="1.1-for-link-keeps-other-punctuation"),
        pytest.param("a[b]c", "a[b]c", id="1.1-for-link-single-brackets-kept"),
        pytest.param("_Intro_", "_Intro_", id="1.4-for-link-italic"),
        pytest.param("x ^abc", "x abc", id="1.1-for-link-caret"),
        pytest.param("a\u00a0\u00a0b ", "a b", id="1.1-for-link-js-whitespace"),
        pytest.param(":#|", "", id="1.1-for-link-nothing-left"),
    ],
)
def test_strip_heading_for_link(heading, expected):
    assert strip_heading_for_link(heading) == expected


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        pytest.param("PAL: Program-aided Language Models", "pal program-aided language models", id="1.6-key"),
        pytest.param("Stra\u00dfe", "stra\u00dfe", id="1.2-lower-not-casefold-sharp-s"),
        pytest.param("STRA\u1e9eE", "stra\u00dfe", id="1.2-capital-sharp-s-lowers"),
        pytest.param("\u00c9T\u00c9", "\u00e9t\u00e9", id="1.2-non-ascii-lowercase"),
    ],
)
def test_heading_key(heading, expected):
    assert heading_key(heading) == expected


def test_heading_key_is_not_casefold():
    # §1.2 item 1: toLowerCase, not case folding: "ß" must not equal "ss".
    assert heading_key("Stra\u00dfe") != heading_key("STRASSE")


# =====================================================================================
# §1.2 resolveSubpath: consequences 1-9
# =====================================================================================

PAL = [H("PAL: X", 2)]
VERSION = [H("v1.2", 2)]
BOLD = [H("**Bold** [[Other]]", 2), H("_Intro_", 2)]
NESTED = [H("A", 1), H("B", 1), H("C", 2)]
WEEKS = [H("Week 1", 1), H("Notes", 2), H("Week 2", 1), H("Notes", 2)]
FORWARD = [H("C", 2), H("A", 1), H("C", 2)]


@pytest.mark.parametrize(
    ("headings", "subpath", "expected"),
    [
        # 1. case-insensitive after stripHeading on both sides
        pytest.param(PAL, "#pal: x", 0, id="1.2.1-case-insensitive"),
        pytest.param([H("Stra\u00dfe", 1)], "#STRASSE", None, id="1.2.1-no-casefold"),
        pytest.param([H("Stra\u00dfe", 1)], "#STRA\u00dfE", 0, id="1.2.1-lowercase-sharp-s"),
        # 2. whitespace is irrelevant (tabs and NBSP too)
        pytest.param(PAL, "#  PAL:\t\u00a0X  ", 0, id="1.2.2-whitespace-irrelevant"),
        pytest.param([H("  PAL   X ", 2)], "#PAL X", 0, id="1.2.2-heading-side-whitespace"),
        # 3. punctuation in the strip set is irrelevant, but becomes a space
        pytest.param(PAL, "#PAL: X", 0, id="1.2.3-colon-both-sides"),
        pytest.param(PAL, "#PAL X", 0, id="1.2.3-colon-dropped"),
        pytest.param(PAL, "#pal  x", 0, id="1.2.3-lower-double-space"),
        pytest.param(PAL, "#PAL (X)", 0, id="1.2.3-parentheses"),
        pytest.param(PAL, "#PALX", None, id="1.2.3-words-must-line-up"),
        pytest.param(VERSION, "#v1 2", 0, id="1.2.3-dot-is-space"),
        pytest.param(VERSION, "#v1.2", 0, id="1.2.3-dot-matches-dot"),
        pytest.param(VERSION, "#v12", None, id="1.2.3-dot-not-removed"),
        pytest.param([H("a-b", 1)], "#a b", None, id="1.2.3-hyphen-not-stripped"),
        # 4. nested subpaths: each match deeper than the previous, searched forward
        pytest.param(NESTED, "#B#C", 2, id="1.2.4-nested"),
        pytest.param(NESTED, "#A#C", 2, id="1.2.4-quirk-not-inside-section"),
        pytest.param(NESTED, "#A#B", None, id="1.2.4-same-level-not-deeper"),
        pytest.param(NESTED, "#C#A", None, id="1.2.4-forward-only"),
        pytest.param([H("X", 2), H("Y", 1)], "#X#Y", None, id="1.2.4-shallower-never"),
        pytest.param(NESTED, "#A##C#", 2, id="1.2.4-empty-segments-dropped"),
        pytest.param(FORWARD, "#A#C", 2, id="1.2.4-search-continues-after-parent"),
        pytest.param([H("A", 1), H("A", 1), H("B", 2)], "#A#B", 2, id="1.2.4-first-parent-then-deeper"),
        # 5. duplicates: the first in document order wins; later ones via a parent chain
        pytest.param(WEEKS, "#Notes", 1, id="1.2.5-first-duplicate-wins"),
        pytest.param(WEEKS, "#Week 2#Notes", 3, id="1.2.5-parent-chain-reaches-later"),
        pytest.param(FORWARD, "#C", 0, id="1.2.5-first-in-document-order"),
        # 6. a literal '#' in a heading cannot be written; the stripped form works
        pytest.param([H("C# basics", 2)], "#C basics", 0, id="1.2.6-hash-heading-stripped-form"),
        pytest.param([H("C# basics", 2)], "#C# basics", None, id="1.2.6-hash-splits-segments"),
        # 8. empty subpath
        pytest.param(PAL, "#", None, id="1.2.8-empty-subpath"),
        pytest.param(PAL, "##", None, id="1.2.8-only-hashes"),
        pytest.param(PAL, "", None, id="1.2.8-no-subpath"),
        # 9. never URL-decoded in wikilinks: '%' becomes a space
        pytest.param(PAL, "#PAL%20X", None, id="1.2.9-percent-not-decoded"),
        pytest.param([H("PAL 20X", 2)], "#PAL%20X", 0, id="1.2.9-percent-is-a-space"),
        # §1.4 headings keep their Markdown
        pytest.param(BOLD, "#Bold Other", 0, id="1.4-bold-wikilink-heading"),
        pytest.param(BOLD, "#Intro", None, id="1.4-italic-needs-underscores"),
        pytest.param(BOLD, "#_Intro_", 1, id="1.4-italic-with-underscores"),
        pytest.param([H("[x](https://a.b/c)", 1)], "#x https a b c", 0, id="1.4-md-link-heading"),
        # §1.5 GitHub slugs do not work
        pytest.param([H("Another Section", 2)], "#another-section", None, id="1.5-github-slug"),
        pytest.param([], "#Anything", None, id="1.2-no-headings"),
    ],
)
def test_resolve_subpath_headings(headings, subpath, expected):
    assert heading_index(headings, subpath) == expected


def test_resolve_subpath_nfd_heading_not_matched_by_nfc_link():
    # §1.4 Unicode: heading text is compared as stored; an NFD heading cannot be
    # matched by an NFC link (the reference says flag, not fix).
    nfd = unicodedata.normalize("NFD", "Caf\u00e9")
    assert heading_index([H(nfd, 1)], "#Caf\u00e9") is None
    assert heading_index([H("Caf\u00e9", 1)], "#Caf\u00e9") == 0


def test_resolve_subpath_heading_match_shape():
    assert resolve_subpath(WEEKS, NO_BLOCKS, NO_FOOTNOTES, "#Week 2#Notes") == SubpathMatch(
        "heading", index=3, via_heading_fallback=False
    )


@pytest.mark.parametrize(
    ("headings", "blocks", "footnotes", "subpath", "expected"),
    [
        # §3 block ids: matched case-insensitively (keys stored lower-cased)
        pytest.param([], {"abc-12"}, (), "#^abc-12", SubpathMatch("block", key="abc-12"), id="3-block"),
        pytest.param([], {"abc-12"}, (), "#^ABC-12", SubpathMatch("block", key="abc-12"), id="3-block-case-insensitive"),
        pytest.param([], {"abc"}, (), "#^abd", None, id="3-unknown-block"),
        pytest.param([], {"abc"}, (), "#^ab_c", None, id="3-invalid-chars-never-a-block"),
        # §1.2 item 7: a missing block id falls back to the heading walk
        pytest.param(
            [H("Intro", 2)], (), (), "#^intro",
            SubpathMatch("heading", index=0, via_heading_fallback=True), id="1.2.7-block-falls-back-to-heading",
        ),
        pytest.param(
            [H("Intro", 2)], {"intro"}, (), "#^intro",
            SubpathMatch("block", key="intro"), id="1.2.7-block-wins-over-heading",
        ),
        # §1.2 / §4.6 footnotes: exact (case-sensitive) match
        pytest.param([], (), {"note1"}, "#[^note1]", SubpathMatch("footnote", key="note1"), id="1.2-footnote"),
        pytest.param([], (), {"note1"}, "#[^NOTE1]", None, id="1.2-footnote-case-sensitive"),
        pytest.param(
            [H("1", 3)], (), (), "#[^1]",
            SubpathMatch("heading", index=0, via_heading_fallback=True), id="1.2.7-footnote-falls-back-to-heading",
        ),
        pytest.param(
            [H("NOTE1", 3)], (), {"note1"}, "#[^NOTE1]",
            SubpathMatch("heading", index=0, via_heading_fallback=True), id="1.2.7-footnote-case-miss-then-heading",
        ),
        # The reference's resolveSubpath takes id = p[2:-1] for any segment starting
        # with "[^" (no check for the closing "]"); the code follows it literally.
        pytest.param([], (), {"1"}, "#[^12", SubpathMatch("footnote", key="1"), id="1.2-footnote-id-is-slice-2-to-minus-1"),
        # block / footnote lookups only for a single segment
        pytest.param(
            [H("H", 1), H("id", 2)], {"id"}, (), "#H#^id",
            SubpathMatch("heading", index=1, via_heading_fallback=False), id="1.2-block-only-single-segment",
        ),
        pytest.param(
            [H("id", 1), H("Sub", 2)], {"id"}, (), "#^id#Sub",
            SubpathMatch("heading", index=1, via_heading_fallback=False), id="1.2-leading-block-segment-is-a-heading",
        ),
        pytest.param(
            [H("1", 1), H("Sub", 2)], (), {"1"}, "#[^1]#Sub",
            SubpathMatch("heading", index=1, via_heading_fallback=False), id="1.2-leading-footnote-segment-is-a-heading",
        ),
        pytest.param([H("X", 1)], {"abc"}, (), "##^abc#", SubpathMatch("block", key="abc"), id="1.2-block-after-empty-segments"),
    ],
)
def test_resolve_subpath_blocks_and_footnotes(headings, blocks, footnotes, subpath, expected):
    assert resolve_subpath(headings, frozenset(blocks), frozenset(footnotes), subpath) == expected


# =====================================================================================
# §1.2 item 5 / §7.6: the shortest chain that reaches a heading (autofix)
# =====================================================================================


@pytest.mark.parametrize(
    ("headings", "index", "expected"),
    [
        pytest.param(WEEKS, 1, ["Notes"], id="1.2.5-chain-first-duplicate-alone"),
        pytest.param(WEEKS, 3, ["Week 2", "Notes"], id="1.2.5-chain-later-duplicate-via-parent"),
        pytest.param(
            [H("Y1", 1), H("Q1", 2), H("Notes", 3), H("Y2", 1), H("Q1", 2), H("Notes", 3)], 5,
            ["Y2", "Q1", "Notes"], id="1.2.5-chain-two-ancestors",
        ),
        pytest.param([H("PAL: X", 4)], 0, ["PAL X"], id="1.6-chain-written-with-strip-for-link"),
        pytest.param([H("C# basics", 2)], 0, ["C basics"], id="1.2.6-chain-hash"),
        pytest.param([H("A", 1), H("A", 1)], 1, None, id="1.2.5-chain-unreachable-duplicate"),
        pytest.param([H(":#|", 1)], 0, None, id="1.1-chain-empty-link-text"),
    ],
)
def test_heading_chain_for(headings, index, expected):
    chain = heading_chain_for(headings, index)
    assert chain == expected
    if chain is not None:
        assert heading_index(headings, "#" + "#".join(chain)) == index


# =====================================================================================
# §1.5 decodeURI, cleanString and the internal/external split
# =====================================================================================


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Note.md", "Note.md", id="1.5-no-escapes"),
        pytest.param("My%20Note.md", "My Note.md", id="1.5-space"),
        pytest.param("%5Bx%5D%28y%29", "[x](y)", id="1.5-brackets-parentheses"),
        pytest.param("100%25", "100%", id="1.5-percent"),
        pytest.param("%2520", "%20", id="8.2-single-decode-only"),
        pytest.param("Caf%C3%A9", "Caf\u00e9", id="1.5-utf8-two-bytes"),
        pytest.param("Caf%c3%a9", "Caf\u00e9", id="1.5-lowercase-hex"),
        pytest.param("%E2%82%AC%20x", "\u20ac x", id="1.5-utf8-three-bytes"),
        pytest.param("%F0%9F%98%80", "\U0001f600", id="1.5-utf8-four-bytes"),
        pytest.param("%3B%2F%3F%3A%40%26%3D%2B%24%2C%23", "%3B%2F%3F%3A%40%26%3D%2B%24%2C%23", id="1.5-reserved-kept"),
        pytest.param("%3a", "%3a", id="1.5-reserved-kept-in-original-case"),
        pytest.param("#PAL%3A%20X", "#PAL%3A X", id="1.5-reserved-next-to-decodable"),
        pytest.param("%3A%C3%A9", "%3A\u00e9", id="1.5-reserved-then-utf8-in-one-run"),
        pytest.param("100%.md", None, id="1.5-malformed-bare-percent"),
        pytest.param("%", None, id="1.5-malformed-lone-percent"),
        pytest.param("%2", None, id="1.5-malformed-short"),
        pytest.param("%zz", None, id="1.5-malformed-not-hex"),
        pytest.param("%E0%A4", None, id="1.5-malformed-truncated-utf8"),
        pytest.param("%C3x%A9", None, id="1.5-malformed-split-utf8"),
        pytest.param("%80", None, id="1.5-malformed-lone-continuation"),
        pytest.param("%C0%AF", None, id="1.5-malformed-overlong"),
        pytest.param("%ED%A0%80", None, id="1.5-malformed-surrogate"),
        pytest.param("%F4%90%80%80", None, id="1.5-malformed-above-unicode"),
        pytest.param("%FF", None, id="1.5-malformed-invalid-lead"),
        pytest.param("ok%20then%", None, id="1.5-malformed-trailing-percent"),
        pytest.param("100%.md%20x", None, id="1.5-malformed-bare-percent-before-escape"),
        pytest.param("%%20", None, id="1.5-malformed-double-percent"),
    ],
)
def test_decode_uri(raw, expected):
    assert decode_uri(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("100%.png", "100%.png", id="2.4-image-malformed-raw"),
        pytest.param("%E0%A4.png", "%E0%A4.png", id="2.4-image-truncated-raw"),
        pytest.param("a%20b.png", "a b.png", id="2.4-image-decoded"),
        pytest.param("a%2Fb.png", "a%2Fb.png", id="2.4-image-reserved-kept"),
    ],
)
def test_safe_decode_uri(raw, expected):
    assert safe_decode_uri(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("\u00a0Note\u00a0", "Note", id="2.1-clean-nbsp-trim"),
        pytest.param("a\u00a0b", "a b", id="2.1-clean-inner-nbsp-to-space"),
        pytest.param("  Note \t", "Note", id="2.1-clean-trim"),
        pytest.param(unicodedata.normalize("NFD", "Caf\u00e9"), "Caf\u00e9", id="2.1-clean-nfc"),
        pytest.param("a  b", "a  b", id="2.1-clean-inner-spaces-kept"),
    ],
)
def test_clean_string(raw, expected):
    assert clean_string(raw) == expected


@pytest.mark.parametrize(
    ("destination", "external"),
    [
        pytest.param("#PAL:%20X", True, id="1.6-colon-in-md-dest"),
        pytest.param("#PAL%20X", False, id="1.6-no-colon-internal"),
        pytest.param("#PAL%3A%20X", False, id="1.5-encoded-colon-is-not-literal"),
        pytest.param("Note.md#a:b", True, id="1.5-colon-in-subpath"),
        pytest.param("./Note.md#a:b", False, id="1.5-dot-slash-allows-colon"),
        pytest.param("../x:y.md", False, id="1.5-dot-dot-slash-allows-colon"),
        pytest.param("./#a:b", False, id="1.5-dot-slash-subpath-colon"),
        pytest.param("https://example.com", True, id="1.5-https"),
        pytest.param("mailto:a@b.c", True, id="1.5-mailto"),
        pytest.param("obsidian://open?vault=v", True, id="1.5-obsidian-uri"),
        pytest.param("file:///tmp/x.md", True, id="1.5-file-uri"),
        pytest.param("C:/x.md", True, id="1.5-drive-letter"),
        pytest.param("Sub/My%20Note.md", False, id="1.5-plain-path"),
        pytest.param("img/x.png", False, id="2.4-relative-looking-path-internal"),
    ],
)
def test_is_external_destination(destination, external):
    assert is_external_destination(destination) is external


@pytest.mark.parametrize(
    ("destination", "expected"),
    [
        pytest.param("https://example.com", True, id="1.5-url-https"),
        pytest.param("mailto:a@b.c", True, id="1.5-url-mailto"),
        pytest.param("C:/x.md", True, id="1.5-url-drive-letter"),
        pytest.param("#a:b", False, id="1.5-url-heading-colon"),
        pytest.param("Note.md", False, id="1.5-url-note"),
        pytest.param("./a:b", False, id="1.5-url-dot-slash"),
        pytest.param("1a:b", False, id="1.5-url-scheme-starts-with-letter"),
    ],
)
def test_looks_like_url(destination, expected):
    assert looks_like_url(destination) is expected


# =====================================================================================
# §1.6 The concrete test: heading "#### PAL: Program-aided Language Models"
# =====================================================================================

PAL_FULL = [H("PAL: Program-aided Language Models", 4)]


def test_pal_heading_key():
    assert heading_key(PAL_FULL[0].text) == "pal program-aided language models"


@pytest.mark.parametrize(
    ("destination", "expected"),
    [
        pytest.param("#PAL%20Program-aided%20Language%20Models", "yes", id="1.6-md-encoded-spaces"),
        pytest.param("#PAL:%20Program-aided%20Language%20Models", "external", id="1.6-md-literal-colon-external"),
        pytest.param("#%5BPAL%20Program-aided%20Language%20Models", "yes", id="1.6-md-encoded-bracket"),
        pytest.param("#PAL%3A%20Program-aided%20Language%20Models", "no", id="1.6-md-encoded-colon-kept"),
        pytest.param("#pal%20%20program-aided%20language%20models", "yes", id="1.6-md-case-and-double-space"),
        pytest.param("#pal-program-aided-language-models", "no", id="1.6-md-github-slug"),
        pytest.param("#PAL%20Program-aided%20Language%20Models%", "not-a-link", id="1.5-md-malformed-not-a-link"),
    ],
)
def test_pal_markdown_links(destination, expected):
    assert md_link_outcome(destination, PAL_FULL) == expected


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        pytest.param("#PAL: Program-aided Language Models", "yes", id="1.6-wiki-colon-both-sides"),
        pytest.param("#PAL Program-aided Language Models", "yes", id="1.6-wiki-obsidian-form"),
        pytest.param("#PAL%20Program-aided%20Language%20Models", "no", id="1.6-wiki-no-decoding"),
        pytest.param("#PAL Program-aided Language Models|see PAL", "yes", id="1.6-wiki-with-alias"),
    ],
)
def test_pal_wikilinks(inner, expected):
    assert wikilink_outcome(inner, PAL_FULL) == expected


def test_pal_autofix_markdown_link():
    # §1.6 autofix rule: stripHeadingForLink, then Obsidian's encoder; never %3A or ':'.
    fixed = "#" + encode_special_chars(strip_heading_for_link(PAL_FULL[0].text))
    assert fixed == "#PAL%20Program-aided%20Language%20Models"
    assert md_link_outcome(fixed, PAL_FULL) == "yes"


def test_sync_embeds_time_heading():
    # §1.6 user report: "![[Day#16:41]]" and "#16 41" both reach heading "16:41".
    headings = [H("16:41", 2)]
    assert wikilink_outcome("#16:41", headings) == "yes"
    assert wikilink_outcome("#16 41", headings) == "yes"


# =====================================================================================
# §2.1 aliases and the table escape, §2.2 parseLinktext, default display text
# =====================================================================================


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        pytest.param("Note", ("Note", None, False), id="2.1-no-alias"),
        pytest.param("Note|Shown", ("Note", "Shown", False), id="2.1-alias"),
        pytest.param("Note | Shown ", ("Note", "Shown", False), id="2.1-alias-and-target-trimmed"),
        pytest.param("Note|a|b", ("Note", "a|b", False), id="2.1-alias-keeps-later-bars"),
        pytest.param("Note\\|Shown", ("Note", "Shown", True), id="2.1-table-escape"),
        pytest.param("Note#H\\|Shown", ("Note#H", "Shown", True), id="4.8-table-escape-with-heading"),
        pytest.param("img.png\\|400", ("img.png", "400", True), id="4.8-table-escape-size"),
        pytest.param("|x", ("|x", None, False), id="2.1-bar-at-index-0-not-split"),
        pytest.param("\u00a0Note\u00a0|x", ("Note", "x", False), id="2.1-target-clean-string"),
        pytest.param(unicodedata.normalize("NFD", "Caf\u00e9"), ("Caf\u00e9", None, False), id="2.1-target-nfc"),
        pytest.param("My%20Note", ("My%20Note", None, False), id="2.1-never-percent-decoded"),
        pytest.param("Note#A|", ("Note#A", "", False), id="2.1-empty-alias"),
    ],
)
def test_split_alias(inner, expected):
    assert split_alias(inner) == expected


@pytest.mark.parametrize(
    ("linktext", "expected"),
    [
        pytest.param("Note#A#B", ("Note", "#A#B"), id="2.2-first-hash"),
        pytest.param("#H", ("", "#H"), id="2.2-self-link"),
        pytest.param("Note", ("Note", ""), id="2.2-no-subpath"),
        pytest.param("Note#", ("Note", "#"), id="2.2-empty-subpath"),
        pytest.param("Note#^abc", ("Note", "#^abc"), id="2.2-block"),
        pytest.param("Sub/We!rd (name) [x] #1.md", ("Sub/We!rd (name) [x] ", "#1.md"), id="2.4-hash-in-file-name-splits"),
    ],
)
def test_split_linktext(linktext, expected):
    assert split_linktext(linktext) == expected


@pytest.mark.parametrize(
    ("linktext", "expected"),
    [
        pytest.param("Note#A#B", "Note > A > B", id="2.1-display-nested"),
        pytest.param("#H", "H", id="2.1-display-self"),
        pytest.param("Note##A#", "Note > A", id="2.1-display-empty-parts-dropped"),
        pytest.param("Note", "Note", id="2.1-display-plain"),
    ],
)
def test_default_display_text(linktext, expected):
    assert default_display_text(linktext) == expected


# =====================================================================================
# §2.3 / §2.6 getLinkpathDest
# =====================================================================================


def resolve(paths, linkpath, source):
    return FileIndex(paths).resolve(linkpath, source)


def target(paths, linkpath, source):
    return resolve(paths, linkpath, source).target


DUP3 = ["Note.md", "zzzz/Note.md", "a/b/Note.md"]
DUP2 = ["zzzz/Note.md", "a/b/Note.md"]
DUP4 = ["zzzz/Note.md", "a/b/Note.md", "b/Note.md", "aaaaaaaa/Note.md"]


@pytest.mark.parametrize(
    ("paths", "linkpath", "source", "expected"),
    [
        # §2.6 observed fixtures
        pytest.param(DUP3, "Note", "x.md", "Note.md", id="2.6-exact-path-from-root"),
        pytest.param(DUP3, "Note", "zzzz/x.md", "Note.md", id="2.6-exact-path-beats-own-folder"),
        pytest.param(DUP3, "Note", "a/b/x.md", "Note.md", id="2.6-exact-path-beats-same-folder"),
        pytest.param(DUP2, "Note", "x.md", "a/b/Note.md", id="2.6-root-shortest-path"),
        pytest.param(DUP2, "Note", "zzzz/x.md", "zzzz/Note.md", id="2.6-own-folder-wins"),
        pytest.param(DUP2, "Note", "a/b/x.md", "a/b/Note.md", id="2.6-own-folder-wins-2"),
        pytest.param(DUP4, "Note", "x.md", "b/Note.md", id="2.6-shortest-among-four"),
        pytest.param(DUP4, "Note", "zzzz/deep/x.md", "b/Note.md", id="2.6-ancestor-folder-not-own"),
        pytest.param(["b/Note.md", "a/b/Note.md"], "b/Note", "a/b/x.md", "b/Note.md", id="2.6-exact-path-beats-suffix"),
        pytest.param(["a/b/Note.md"], "b/Note", "x.md", "a/b/Note.md", id="2.6-path-suffix"),
        pytest.param(["y.md", "a/y.md"], "../y", "a/x.md", "y.md", id="2.6-dot-dot-relative"),
        pytest.param(["Ext.md"], "Ext.MD", "x.md", "Ext.md", id="2.6-extension-case"),
        pytest.param(["Al.md"], "AL", "x.md", "Al.md", id="2.3-case-insensitive-unique"),
        pytest.param(["Note.md"], "AL", "x.md", None, id="2.6-aliases-never-resolve"),
        # §2.3 facts
        pytest.param(["Log.md"], "log", "x.md", "Log.md", id="2.3-lower-link"),
        pytest.param(["Log.md"], "LOG", "x.md", "Log.md", id="2.3-upper-link"),
        pytest.param(["sub/Log.md", "Log.md"], "LOG", "sub/x.md", "Log.md", id="2.3-exact-path-case-insensitive"),
        pytest.param(["Note.md"], "Note.md", "x.md", "Note.md", id="2.3-md-extension-optional"),
        pytest.param(["Figure 1.png"], "Figure 1", "x.md", None, id="2.3-attachment-needs-extension"),
        pytest.param(["Figure 1.png"], "Figure 1.png", "x.md", "Figure 1.png", id="2.3-attachment-with-extension"),
        pytest.param(["v1.2 notes.md"], "v1.2 notes", "x.md", "v1.2 notes.md", id="2.3-dotted-name-then-md"),
        pytest.param(["v1.2.md", "v1.2"], "v1.2", "x.md", "v1.2", id="2.3-dotted-name-as-is-first"),
        pytest.param(["data/data.csv"], "data.csv", "x.md", "data/data.csv", id="2.3-any-file-type"),
        pytest.param(["Projects/Plan.md"], "Projects", "x.md", None, id="2.3-folders-never-targets"),
        pytest.param(["a/b/Note.md", "zzzz/Note.md"], "Note", "x.md", "a/b/Note.md", id="2.3-path-length-not-components"),
        pytest.param(
            ["a/Note.md", "a/b/c/d/Note.md"], "Note", "a/b/x.md", "a/b/c/d/Note.md",
            id="2.3-subfolder-counts-as-own-folder",
        ),
        pytest.param(
            ["b/Note.md", "zzzzfoo/Note.md"], "Note", "zzzz/x.md", "zzzzfoo/Note.md",
            id="2.3-quirk-folder-prefix-without-slash",
        ),
        pytest.param(["ab/Note.md"], "b/Note", "x.md", "ab/Note.md", id="2.3-quirk-suffix-without-slash"),
        pytest.param(["sub/Note.md"], "/Note", "x.md", None, id="2.3-leading-slash-no-fallback"),
        pytest.param(["sub/Note.md", "Note.md"], "/Note", "sub/x.md", "Note.md", id="2.3-leading-slash-vault-absolute"),
        pytest.param(["sub/Note.md"], "/sub/Note", "x.md", "sub/Note.md", id="2.3-leading-slash-full-path"),
        pytest.param(["Note.md", "a/Note.md"], "./Note", "a/x.md", "a/Note.md", id="2.3-dot-slash-source-relative"),
        pytest.param(["Note.md", "a/Note.md"], "Note", "a/x.md", "Note.md", id="2.3-bare-name-exact-path"),
        pytest.param(["Note.md", "a/Note.md"], "./Note", "x.md", "Note.md", id="2.3-dot-slash-from-root"),
        pytest.param(["a/Note.md"], "../Note", "a/b/x.md", "a/Note.md", id="2.3-dot-dot-one-level"),
        pytest.param(["Note.md"], "../../Note", "a/b/x.md", "Note.md", id="2.3-dot-dot-two-levels"),
        pytest.param(
            ["y/x/b/Note.md"], "./b/Note", "x/a.md", "y/x/b/Note.md",
            id="2.3-relative-no-exact-falls-through-to-suffix",
        ),
        pytest.param(["a/b/Note.md"], "./Note", "a/x.md", None, id="2.3-relative-joined-path-must-suffix"),
        pytest.param(["example.com.md"], "https://example.com", "x.md", None, id="2.3-url-in-wikilink-is-a-note"),
        pytest.param(["Caf\u00e9.md"], unicodedata.normalize("NFD", "Caf\u00e9"), "x.md", "Caf\u00e9.md", id="2.3-nfd-link-nfc-file"),
        pytest.param(
            [unicodedata.normalize("NFD", "Caf\u00e9.md")], "Caf\u00e9", "x.md", "Caf\u00e9.md",
            id="2.3-nfc-link-nfd-file-listed-as-nfc",
        ),
        # §2.4 markdown links, after decodeURI + cleanString
        pytest.param(["Sub/My Note.md"], "My Note.md", "x.md", "Sub/My Note.md", id="2.4-md-link-vault-wide"),
        pytest.param(["Sub/My Note.md"], "Sub/My Note.md", "x.md", "Sub/My Note.md", id="2.4-md-link-path-from-root"),
        pytest.param(["Sub/My Note.md"], "Sub/My Note.md", "Sub/x.md", "Sub/My Note.md", id="2.4-md-link-path-from-sub"),
        pytest.param(
            ["_tmp/minimal working example.md"], "_tmp/minimal working example", "x.md",
            "_tmp/minimal working example.md", id="2.4-md-link-md-omitted",
        ),
        pytest.param(["notes/img/x.png"], "img/x.png", "notes/a.md", "notes/img/x.png", id="2.4-relative-looking-via-suffix"),
        pytest.param(
            ["notes/img/x.png", "img/x.png"], "img/x.png", "notes/a.md", "img/x.png",
            id="2.4-relative-looking-root-exact-wins",
        ),
        pytest.param(
            ["notes/img/x.png", "img/x.png"], "../img/x.png", "notes/a.md", "img/x.png",
            id="2.4-dot-dot-truly-relative",
        ),
        pytest.param(["Sub/We!rd (name) [x] #1.md"], "Sub/We!rd (name) [x] ", "x.md", None, id="2.4-hash-in-file-name"),
        pytest.param(["100%.png"], "100%.png", "x.md", "100%.png", id="2.4-image-raw-malformed-path"),
    ],
)
def test_resolve_target(paths, linkpath, source, expected):
    assert target(paths, linkpath, source) == expected


@pytest.mark.parametrize(
    ("paths", "linkpath", "source", "expected"),
    [
        pytest.param(DUP2, "Note", "x.md", ("a/b/Note.md", "zzzz/Note.md"), id="2.3-candidates-sorted-by-length"),
        pytest.param(
            DUP4, "Note", "zzzz/deep/x.md",
            ("b/Note.md", "a/b/Note.md", "zzzz/Note.md", "aaaaaaaa/Note.md"), id="2.3-candidates-elsewhere-by-length",
        ),
        pytest.param(
            ["a/Note.md", "bbbbbbbbbbbb/Note.md", "zzzz/q/Note.md"], "Note", "zzzz/x.md",
            ("zzzz/q/Note.md", "a/Note.md", "bbbbbbbbbbbb/Note.md"), id="2.3-own-folder-group-first",
        ),
        # Equal lengths: Obsidian keeps lookup-table order ("effectively unstable");
        # the code keeps insertion order and returns both, so a rule can warn "ambiguous".
        pytest.param(["b/Note.md", "a/Note.md"], "Note", "x.md", ("b/Note.md", "a/Note.md"), id="2.3-equal-length-insertion-order"),
        pytest.param(["Note.md"], "Note", "x.md", ("Note.md",), id="2.3-bare-unique-name"),
        pytest.param(["Note.md", "sub/note.md"], "note", "sub/x.md", ("Note.md",), id="2.3-case-insensitive-duplicates"),
    ],
)
def test_resolve_candidates(paths, linkpath, source, expected):
    assert resolve(paths, linkpath, source).candidates == expected


@pytest.mark.parametrize(
    ("paths", "linkpath", "source", "expected"),
    [
        pytest.param(DUP3, "Note", "a/b/x.md", True, id="2.3-by-exact-path"),
        pytest.param(["Note.md", "a/Note.md"], "./Note", "a/x.md", True, id="2.3-relative-by-exact-path"),
        pytest.param(DUP2, "Note", "x.md", False, id="2.3-by-suffix-not-exact"),
        pytest.param(["Note.md"], "Note", "x.md", False, id="2.3-unique-name-not-exact"),
    ],
)
def test_resolve_by_exact_path(paths, linkpath, source, expected):
    assert resolve(paths, linkpath, source).by_exact_path is expected


def test_resolve_empty_linkpath_is_self():
    # §2.6: "[[#H]]" counts as a self-edge.
    found = resolve(["a/x.md", "H.md"], "", "a/x.md")
    assert found == Resolution(("a/x.md",), by_exact_path=True)
    assert found.target == "a/x.md"


def test_resolve_unresolved_has_no_target():
    found = resolve(["Note.md"], "Missing", "x.md")
    assert found == Resolution(())
    assert found.target is None


@pytest.mark.parametrize(
    ("paths", "linkpath", "source"),
    [
        pytest.param(["Note.md"], "../Note", "x.md", id="2.3-choice-escape-from-root-existing"),
        pytest.param(["Note.md", "a/Note.md"], "../../Note", "a/x.md", id="2.3-choice-escape-two-levels-existing"),
        pytest.param(["Note.md"], "../Missing", "x.md", id="2.3-choice-escape-missing-target"),
        pytest.param(["Note.md"], "../../Missing", "a/x.md", id="2.3-choice-escape-missing-two-levels"),
        pytest.param(["Note.md"], "./../Note", "x.md", id="2.3-choice-escape-dot-slash-existing"),
        pytest.param(["Note.md"], "./../Missing", "x.md", id="2.3-choice-escape-dot-slash-missing"),
    ],
)
def test_resolve_escapes_root(paths, linkpath, source):
    # Project choice (the reference does not settle it): a "../" path that climbs
    # above the vault root resolves to nothing and is flagged escapes_root.
    found = resolve(paths, linkpath, source)
    assert found.candidates == ()
    assert found.escapes_root is True


@pytest.mark.parametrize(
    ("paths", "linkpath", "source"),
    [
        pytest.param(["Note.md"], "../Missing", "a/x.md", id="2.3-in-vault-dot-dot-missing"),
        pytest.param(["Note.md"], "Missing", "x.md", id="2.3-plain-missing"),
        pytest.param(["sub/Note.md"], "/Note", "x.md", id="2.3-absolute-missing"),
    ],
)
def test_resolve_unresolved_not_escaping(paths, linkpath, source):
    found = resolve(paths, linkpath, source)
    assert found.candidates == ()
    assert found.escapes_root is False


def test_file_and_subpath_resolve_independently():
    # §1.3: a missing heading never makes the file link unresolved; the subpath is
    # a separate check (and images ignore subpaths such as "#outline").
    index = FileIndex(["Note.md", "Engelbart.jpg"])
    path, subpath = split_linktext("Note#Missing")
    assert index.resolve(path, "x.md").target == "Note.md"
    assert resolve_subpath([H("Present", 1)], NO_BLOCKS, NO_FOOTNOTES, subpath) is None
    path, subpath = split_linktext("Engelbart.jpg#outline")
    assert (index.resolve(path, "x.md").target, subpath) == ("Engelbart.jpg", "#outline")


def test_md_link_pipeline_hash_in_file_name():
    # §2.4: Obsidian writes "[..](Sub/We!rd%20(name)%20[x]%20#1.md)" and then splits
    # at "#", so the link is unresolved; "%23" does not help (decodeURI keeps it).
    index = FileIndex(["Sub/We!rd (name) [x] #1.md"])
    written = encode_special_chars("Sub/We!rd (name) [x] #1.md")
    assert written == "Sub/We!rd%20(name)%20[x]%20#1.md"
    for destination in (written, "Sub/We!rd%20(name)%20[x]%20%231.md"):
        path, _sub = split_linktext(clean_string(decode_uri(destination)))
        assert index.resolve(path, "x.md").target is None


def test_md_link_pipeline_vault_wide():
    # §2.4: "[y](My%20Note.md)" in a root note resolves to "Sub/My Note.md".
    index = FileIndex(["Sub/My Note.md", "x.md"])
    path, subpath = split_linktext(clean_string(decode_uri("My%20Note.md#Part")))
    assert (path, subpath) == ("My Note.md", "#Part")
    assert index.resolve(path, "x.md").target == "Sub/My Note.md"


# =====================================================================================
# §2.7 fileToLinktext, relative paths and Obsidian's markdown encoder
# =====================================================================================

LINK_VAULT = ["a/b/Note.md", "a/b/c/Deep.md", "a/Up.md", "Dup.md", "x/dup.md", "img/pic.png", "Sub/My Note.md"]


@pytest.mark.parametrize(
    ("target_path", "source", "link_format", "keep_md", "expected"),
    [
        pytest.param("a/b/Note.md", "x.md", "shortest", False, "Note", id="2.7-shortest-unique-basename"),
        pytest.param("a/b/Note.md", "x.md", "shortest", True, "Note.md", id="2.7-shortest-keep-md"),
        pytest.param("x/dup.md", "x.md", "shortest", False, "x/dup", id="2.7-shortest-duplicate-full-path"),
        pytest.param("Dup.md", "x/y.md", "shortest", False, "Dup", id="2.7-shortest-duplicate-root-path"),
        pytest.param("img/pic.png", "x.md", "shortest", False, "pic.png", id="2.7-shortest-attachment-keeps-extension"),
        pytest.param("a/b/Note.md", "x.md", "absolute", False, "a/b/Note", id="2.7-absolute"),
        pytest.param("a/b/Note.md", "x.md", "absolute", True, "a/b/Note.md", id="2.7-absolute-keep-md"),
        pytest.param("img/pic.png", "a/b/x.md", "absolute", False, "img/pic.png", id="2.7-absolute-attachment"),
        pytest.param("a/b/Note.md", "a/b/x.md", "relative", False, "Note", id="2.7-relative-same-folder-no-dot-slash"),
        pytest.param("a/b/c/Deep.md", "a/b/x.md", "relative", False, "c/Deep", id="2.7-relative-subfolder-no-dot-slash"),
        pytest.param("a/Up.md", "a/b/x.md", "relative", False, "../Up", id="2.7-relative-parent"),
        pytest.param("img/pic.png", "a/b/x.md", "relative", True, "../../img/pic.png", id="2.7-relative-two-up"),
        pytest.param("a/b/Note.md", "x.md", "relative", True, "a/b/Note.md", id="2.7-relative-from-root"),
        pytest.param("a/Up.md", "a/b/c/x.md", "relative", False, "../../Up", id="2.7-relative-sibling-branch"),
    ],
)
def test_link_text_for(target_path, source, link_format, keep_md, expected):
    assert FileIndex(LINK_VAULT).link_text_for(target_path, source, link_format, keep_md) == expected


def test_link_text_shortest_round_trips():
    # §2.7: "shortest" writes the bare name only when it resolves back to the file.
    index = FileIndex(LINK_VAULT)
    for path in ("a/b/Note.md", "x/dup.md", "Dup.md", "img/pic.png"):
        text = index.link_text_for(path, "q/z.md", "shortest", False)
        assert index.resolve(text, "q/z.md").target == path


def test_relative_link_without_dot_slash_can_misresolve():
    # §2.7: relative format writes no "./", so a root file with the same path wins.
    index = FileIndex(["b/Note.md", "a/b/Note.md"])
    text = index.link_text_for("a/b/Note.md", "a/x.md", "relative", False)
    assert text == "b/Note"
    assert index.resolve(text, "a/x.md").target == "b/Note.md"


@pytest.mark.parametrize(
    ("target_path", "source", "expected"),
    [
        pytest.param("a/b/Note.md", "a/b/x.md", "Note.md", id="2.7-relpath-same-folder"),
        pytest.param("y.md", "a/x.md", "../y.md", id="2.7-relpath-up"),
        pytest.param("a/y.md", "x.md", "a/y.md", id="2.7-relpath-from-root"),
        pytest.param("c/d.md", "a/b/x.md", "../../c/d.md", id="2.7-relpath-common-root"),
    ],
)
def test_relative_path(target_path, source, expected):
    assert relative_path(target_path, source) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("My Note.md", "My%20Note.md", id="2.7-encode-space"),
        pytest.param("a\\b", "a%5Cb", id="2.7-encode-backslash"),
        pytest.param("a\x00b\x08c\x0bd\x0ce", "a%00b%08c%0Bd%0Ce", id="2.7-encode-controls"),
        pytest.param("\x0e\x1f", "%0E%1F", id="2.7-encode-control-range"),
        pytest.param("()[]#^|", "()[]#^|", id="2.7-encode-keeps-punctuation"),
        pytest.param("Caf\u00e9 \u65e5", "Caf\u00e9%20\u65e5", id="2.7-encode-keeps-non-ascii"),
        pytest.param("a:b%c", "a:b%c", id="2.7-encode-keeps-colon-percent"),
        # the regex is verbatim: \x01-\x07, tab, LF and CR are not in it
        pytest.param("\x01\t\n\r", "\x01\t\n\r", id="2.7-encode-verbatim-class-gaps"),
    ],
)
def test_encode_special_chars(raw, expected):
    assert encode_special_chars(raw) == expected


def test_encoded_destination_decodes_back():
    # §2.7: what the encoder writes, decodeURI reads back unchanged.
    raw = "Sub/My Note (1) [x].md"
    assert decode_uri(encode_special_chars(raw)) == raw


def test_markdown_link_written_like_obsidian():
    # §2.7: a markdown link to a non-unique note keeps the full path and the .md.
    index = FileIndex(["Sub/My Note.md", "Other/My Note.md"])
    text = index.link_text_for("Sub/My Note.md", "x.md", "shortest", True)
    assert encode_special_chars(text) == "Sub/My%20Note.md"


# =====================================================================================
# §3 Block ids
# =====================================================================================


@pytest.mark.parametrize(
    ("block_id", "valid"),
    [
        pytest.param("abc-123", True, id="3-letters-digits-dash"),
        pytest.param("ABC", True, id="3-upper-case"),
        pytest.param("0a1b2c", True, id="3-generated-hex"),
        pytest.param("a_b", False, id="3-underscore-not-allowed"),
        pytest.param("a b", False, id="3-space-not-allowed"),
        pytest.param("caf\u00e9", False, id="3-non-ascii-not-allowed"),
        pytest.param("a.b", False, id="3-dot-not-allowed"),
        pytest.param("", False, id="3-empty"),
        pytest.param("abc\n", False, id="3-trailing-newline"),
    ],
)
def test_block_id_chars(block_id, valid):
    assert (BLOCK_ID_CHARS.match(block_id) is not None) is valid


# =====================================================================================
# §4.2 Embed sizes
# =====================================================================================


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("400", (400, None), id="4.2-width"),
        pytest.param("400x300", (400, 300), id="4.2-width-height"),
        pytest.param(" 400 x 300 ", (400, 300), id="4.2-spaces-allowed"),
        pytest.param("0", (0, None), id="4.2-zero"),
        pytest.param("400\u00a0x\u00a0300", (400, 300), id="4.2-js-whitespace-nbsp"),
        pytest.param("400\ufeff", (400, None), id="4.2-js-whitespace-bom"),
        pytest.param("400\x1c", None, id="4.2-python-only-whitespace"),
        pytest.param("400X300", None, id="4.2-upper-x"),
        pytest.param("400x", None, id="4.2-missing-height"),
        pytest.param("x300", None, id="4.2-missing-width"),
        pytest.param("400.5", None, id="4.2-decimal"),
        pytest.param("4 00", None, id="4.2-inner-space"),
        pytest.param("\uff14\uff10\uff10", None, id="4.2-ascii-digits-only"),
        pytest.param("caption", None, id="4.2-caption"),
        pytest.param("caption|400", None, id="4.2-whole-alias-not-size"),
        pytest.param("", None, id="4.2-empty"),
        pytest.param(None, None, id="4.2-no-alias"),
    ],
)
def test_parse_embed_size(text, expected):
    assert parse_embed_size(text) == expected


@pytest.mark.parametrize(
    ("inner", "expected_target", "expected_size"),
    [
        pytest.param("img.png|400", "img.png", (400, None), id="4.2-embed-width"),
        pytest.param("img.png|400x300", "img.png", (400, 300), id="4.2-embed-width-height"),
        pytest.param("img.png|caption|400", "img.png", (400, None), id="4.2-embed-size-is-last-segment"),
        pytest.param("img.png|caption", "img.png", None, id="4.2-embed-caption-only"),
    ],
)
def test_embed_alias_size(inner, expected_target, expected_size):
    target_text, alias, _escaped = split_alias(inner)
    assert target_text == expected_target
    assert parse_embed_size(alias.rsplit("|", 1)[-1]) == expected_size


# =====================================================================================
# §2.8 What counts as an attachment
# =====================================================================================


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("a/Note.md", True, id="2.8-markdown"),
        # the reference does not cover upper-case extensions; the code accepts them
        pytest.param("Ext.MD", True, id="2.8-markdown-upper-case-extension"),
        pytest.param("board.canvas", False, id="2.8-canvas-not-markdown"),
        pytest.param("table.base", False, id="2.8-base-not-markdown"),
        pytest.param("img/pic.png", False, id="2.8-image"),
        pytest.param("doc.pdf", False, id="2.8-pdf"),
        pytest.param("notes.md.bak", False, id="2.8-md-not-final-extension"),
    ],
)
def test_is_markdown_path(path, expected):
    assert is_markdown_path(path) is expected


def test_one_index_answers_every_source_as_a_fresh_one_would():
    """The index remembers the answers that do not depend on the linking note; asked
    again from another note, a relative or ambiguous path must still be resolved
    from there."""
    paths = ["Note.md", "a/Note.md", "a/b/Other.md", "Solo.md", "img/x.png", "a/img/x.png", "Caf\u00e9.md"]
    linkpaths = ["Note", "Solo", "Missing", "./Note", "../Note", "../../Note", "img/x.png", "x.png", "Other", "b/Other",
                 "/Solo", "Caf\u00e9", unicodedata.normalize("NFD", "Caf\u00e9"), "solo.md"]
    sources = ["x.md", "a/x.md", "a/b/x.md", "img/y.md"]
    shared = FileIndex(paths)
    for _ in range(2):
        for source in sources:
            for linkpath in linkpaths:
                assert shared.resolve(linkpath, source) == FileIndex(paths).resolve(linkpath, source), (linkpath, source)


HEADING_WORDS = ["Intro", "intro", "Notes", "Week 1", "Week  1", "A|B", "A B", "#Tag", "Notes!"]


@pytest.mark.parametrize("seed", range(40))
def test_resolve_subpath_with_precomputed_keys_matches_the_walk(seed):
    import random

    rng = random.Random(seed)
    headings = [H(rng.choice(HEADING_WORDS), rng.randint(1, 4)) for _ in range(rng.randint(0, 8))]
    keys = [heading_key(heading.text) for heading in headings]
    for _ in range(20):
        subpath = "#" + "#".join(rng.choice(HEADING_WORDS) for _ in range(rng.randint(1, 3)))
        assert resolve_subpath(headings, NO_BLOCKS, NO_FOOTNOTES, subpath, keys) == resolve_subpath(
            headings, NO_BLOCKS, NO_FOOTNOTES, subpath
        ), (headings, subpath)


def test_resolutions_remembered_across_notes_are_those_each_note_gets_alone():
    """The index remembers what resolves the same from every note (bare names, vault
    paths): asked from many notes in any order, it answers as a fresh index does."""
    import random

    files = [
        "A.md", "Folder/A.md", "Folder/Sub/A.md", "Folder/Sub/B.md", "B.md", "Other/B.md",
        "img.png", "Folder/img.png", "Só.md", "Folder/Só.md",
    ]
    linkpaths = [
        "A", "a", "A.md", "Folder/A", "folder/a.md", "/Folder/A", "/A", "Sub/A", "Sub/B", "B", "Other/B",
        "./A", "../A", "./Sub/B", "../../A", "img.png", "Folder/img.png", "/img.png", "Só", "Folder/Só",
        "So\u0301", "Missing", "Folder/Missing", "./Missing",
    ]
    sources = [path for path in files if path.endswith(".md")]
    pairs = [(linkpath, source) for linkpath in linkpaths for source in sources]
    index = FileIndex(files)
    for pairs_in_order in (pairs, random.Random(4).sample(pairs, len(pairs))):
        for linkpath, source in pairs_in_order:
            assert index.resolve(linkpath, source) == FileIndex(files).resolve(linkpath, source), (linkpath, source)
