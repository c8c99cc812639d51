"""arXiv identifiers: validation of both schemes, and finding them in URLs, text and file names."""

from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultlint import arxiv
from vaultlint.arxiv import ArxivId, arxiv_label, check_id, ids_in_file_name, ids_in_text, ids_in_url, parse_id


@pytest.mark.parametrize(
    ("text", "base", "version"),
    [
        ("0704.0001", "0704.0001", None),  # the first new-style ID
        ("1412.9999", "1412.9999", None),  # the last 4-digit month
        ("1501.00001", "1501.00001", None),  # 5 digits from 2015
        ("2205.12255", "2205.12255", None),
        ("2210.03629v3", "2210.03629", 3),
        ("2210.03629v12", "2210.03629", 12),
        ("hep-th/9901001", "hep-th/9901001", None),
        ("math.GT/0309136", "math.GT/0309136", None),
        ("cond-mat.stat-mech/0102003v2", "cond-mat.stat-mech/0102003", 2),
        ("astro-ph/9107001", "astro-ph/9107001", None),  # the old scheme's first month
        ("quant-ph/0703999", "quant-ph/0703999", None),  # and its last
        ("cs/0112017", "cs/0112017", None),
    ],
)
def test_valid_ids(text, base, version):
    arxiv_id, problem = check_id(text)
    assert problem is None
    assert arxiv_id == ArxivId(base, version)
    assert arxiv_id.text == text


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2213.12345", "month 13 does not exist"),
        ("2200.12345", "month 00 does not exist"),
        ("2205.1225", "4-digit number; identifiers of 2022-05 have 5"),
        ("2205.122555", "6-digit number"),
        ("1412.12345", "5-digit number; identifiers of 2014-12 have 4"),
        ("1501.1234", "4-digit number; identifiers of 2015-01 have 5"),
        ("0703.1234", "before April 2007"),
        ("2205.00000", "all zeros"),
        ("1001.0000", "all zeros"),
        ("2205.12255v0", "versions start at v1"),
        ("2205.12255v01", "versions start at v1"),
        ("foo/9901001", "unknown archive 'foo'"),
        ("hep-th/0801001", "outside the old scheme"),
        ("hep-th/9001001", "outside the old scheme"),  # before 1991-07
        ("hep-th/9913001", "month 13 does not exist"),
        ("hep-th/9901000", "all zeros"),
        ("hep-th/99010011", "old-style identifiers have 3"),
        ("2205-12255", "not an arXiv identifier"),
    ],
)
def test_malformed_ids_say_why(text, why):
    arxiv_id, problem = check_id(text)
    assert arxiv_id is None
    assert why in problem


def test_future_months_are_malformed(monkeypatch):
    monkeypatch.setattr(arxiv, "_today", lambda: datetime.date(2024, 5, 2))
    assert check_id("2405.12345")[1] is None
    assert check_id("2406.12345")[1] is None  # a month of slack for clocks
    assert "future month (2024-07)" in check_id("2407.12345")[1]
    assert "future month" in check_id("9912.12345")[1]


def test_parse_id_accepts_the_arxiv_prefix():
    assert parse_id("arXiv:2205.12255v2") == ArxivId("2205.12255", 2)
    assert parse_id(" 2205.12255 ") == ArxivId("2205.12255")
    assert parse_id("2213.12345") is None


@pytest.mark.parametrize(
    ("url", "raw"),
    [
        ("https://arxiv.org/abs/2205.12255", "2205.12255"),
        ("https://arxiv.org/abs/2205.12255v2", "2205.12255v2"),
        ("http://www.arxiv.org/pdf/2210.03629", "2210.03629"),
        ("https://arxiv.org/pdf/2210.03629v3.pdf", "2210.03629v3"),
        ("https://arxiv.org/html/2305.11627v1/#S2", "2305.11627v1"),
        ("https://export.arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("arxiv.org/abs/2205.12255?context=cs", "2205.12255"),
        ("https://doi.org/10.48550/arXiv.2205.12255", "2205.12255"),
        ("https://arxiv.org/abs/2213.12345", "2213.12345"),  # found, then judged malformed
    ],
)
def test_ids_in_urls(url, raw):
    [match] = ids_in_url(url)
    assert match.raw == raw
    assert url[match.start:match.end] == raw


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/ysymyth/ReAct",
        "https://arxiv.org/list/cs.CL/recent",
        "https://example.org/abs/2205.12255",
        "https://notarxiv.org/abs/2205.12255",
        "https://arxiv.org/abs/2205.12255x",
    ],
)
def test_urls_without_ids(url):
    assert ids_in_url(url) == []


def test_ids_in_text_prefix_only_unless_bare():
    text = "See arXiv:2205.12255, arXiv: 2210.03629v2 and 2305.11627 (Table 2.1, 2023.05)."
    assert [m.raw for m in ids_in_text(text)] == ["2205.12255", "2210.03629v2"]
    assert [m.raw for m in ids_in_text(text, bare=True)] == ["2205.12255", "2210.03629v2", "2305.11627"]
    for match in ids_in_text(text, bare=True):
        assert text[match.start:match.end] == match.raw


def test_ids_in_text_reports_malformed_candidates():
    [match] = ids_in_text("[arXiv:2213.12345]")
    assert not match.valid and "month 13" in match.problem


def test_ids_in_text_finds_urls_once():
    text = "https://arxiv.org/abs/2205.12255 and arXiv:2205.12255"
    matches = ids_in_text(text, bare=True)
    assert [(m.start, m.raw) for m in matches] == [(22, "2205.12255"), (43, "2205.12255")]


def test_version_numbers_and_dates_are_not_bare_ids():
    assert ids_in_text("version 2023.1234.5 and 1.2205.12255", bare=True) == []
    assert ids_in_text("2023-05-02 and 20230502", bare=True) == []


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("2210.03629_Page_02.png", ["2210.03629"]),
        ("2210.03629.pdf", ["2210.03629"]),
        ("2210.03629v2.pdf", ["2210.03629v2"]),
        ("ReAct 2210.03629.png", ["2210.03629"]),
        ("Pasted image 20230615110232.png", []),
        ("figure-1.png", []),
        ("2213.12345_Page_01.png", []),  # malformed: not evidence of anything
        ("v1.2210.03629.png", []),
    ],
)
def test_ids_in_file_names(name, found):
    assert [m.raw for m in ids_in_file_name(name)] == found


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("arXiv:2205.12255", True),
        ("arXiv: 2205.12255v2", True),
        ("2205.12255", True),
        ("2205.12255 [cs.CL]", True),
        ("https://arxiv.org/abs/2205.12255", True),
        ("arXiv", True),
        ("PDF", True),
        ("paper", True),
        ("ReAct", False),
        ("ReAct (arXiv:2210.03629)", False),
        ("the survey", False),
        ("", False),
    ],
)
def test_arxiv_labels(label, expected):
    assert arxiv_label(label) is expected


# --- the fast gate before the finders --------------------------------------------------

_MAY_HOLD_ID_SPEC = re.compile(r"\d{4}\.\d|[A-Za-z-]/\d")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see 2205.12255", True),
        ("hep-th/9901001", True),
        ("cond-mat.stat-mech/0102003", True),
        ("-/1", True),  # a hyphen may end an archive name
        ("٢٠٢٣.١", True),  # \d is any decimal digit, as in the finders' patterns
        ("123.4 and 12345", False),
        ("2023/12/01", False),  # a slash after a digit is a date, not an archive
        ("./1 ../2", False),
        ("v1.2.3", False),
        ("", False),
        ("½¼¾².1", False),  # digits that are not decimal
        ("é/1", False),  # archive names are ASCII
    ],
)
def test_may_hold_id_examples(text, expected):
    assert arxiv.may_hold_id(text) is expected
    assert (_MAY_HOLD_ID_SPEC.search(text) is not None) is expected


@given(st.text(alphabet=st.sampled_from(list("0123456789./-aZé٣²v :")), max_size=40))
@settings(max_examples=500, deadline=None, derandomize=True)
def test_may_hold_id_is_the_regex_it_replaces(text):
    assert arxiv.may_hold_id(text) == (_MAY_HOLD_ID_SPEC.search(text) is not None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://arxiv.org/abs/2205.12255", True),
        ("https://ARXIV.org/pdf/2205.12255v2", True),
        ("https://doi.org/10.48550/arXiv.2205.12255", True),
        ("https://arxıv.org/abs/2205.12255", True),  # dotless ı matches i when case is ignored
        ("https://github.com/ysymyth/ReAct", False),
        ("", False),
    ],
)
def test_may_name_arxiv_examples(url, expected):
    assert arxiv.may_name_arxiv(url) is expected


@given(st.text(alphabet=st.sampled_from(list("arxivARXIVıİK/.:0123456789 abs")), max_size=40).map(lambda t: "arxiv.org/abs/" + t if t[:1] == "0" else t))
@settings(max_examples=500, deadline=None, derandomize=True)
def test_every_url_with_an_identifier_may_name_arxiv(url):
    assert not arxiv._ids_in_url(url) or arxiv.may_name_arxiv(url)


def test_a_url_whose_arxiv_has_a_dotless_i_still_gives_its_identifier():
    assert [match.raw for match in arxiv.ids_in_url("https://arxıv.org/abs/2205.12255")] == ["2205.12255"]
