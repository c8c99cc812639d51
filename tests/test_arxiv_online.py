"""Online arXiv checks against a real HTTP server on 127.0.0.1 that answers like arXiv.

No test here touches the internet: every request goes to ``FakeArxiv``.
"""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import pytest

from arxiv_fixtures import AGENTS, ARXIV, REACT, TALM, agents_vault, card, citing_vault, row
from arxiv_server import FakeArxiv, Scripted
from conftest import write_vault
from vaultlint.arxiv_client import FOUND, MISSING, REJECTED, ArxivCache, ArxivClient, ArxivUnavailable, CachedArxiv
from vaultlint.arxiv_verify import OnlineSettings, title_score
from vaultlint.diagnostics import Applicability, Severity
from vaultlint.engine import Linter
from vaultlint.fixer import apply_edits, fix_notes
from vaultlint.registry import discover_rules
from vaultlint.rule import Context
from vaultlint.vault import Vault

AGENTS_PATH = "Papers/Agents.md"


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    monkeypatch.delenv("VAULTLINT_ARXIV_API_URL", raising=False)
    monkeypatch.delenv("VAULTLINT_ARXIV_MIN_INTERVAL", raising=False)


@pytest.fixture
def arxiv():
    server = FakeArxiv(ARXIV).start()
    yield server
    server.stop()


def settings_for(server: FakeArxiv, cache: Path | None = None) -> dict:
    settings = {"arxiv-api-url": server.url, "arxiv-min-interval": 0}
    if cache is not None:
        settings["cache-dir"] = str(cache)
    return settings


def all_rules():
    return [entry.cls() for entry in discover_rules().values()]


def arxiv_rules():
    return [entry.cls() for code, entry in discover_rules().items() if code.startswith("VL3")]


def run(root: Path, online: bool, settings: dict | None = None, rules=None):
    vault = Vault.load(root)
    context = Context(vault, online=online, online_settings=settings or {})
    return Linter(vault, rules or arxiv_rules(), context).run(sorted(vault.notes))


def fix(root: Path, online: bool, settings: dict | None = None, unsafe: bool = False):
    """``fix_notes`` as the CLI runs it; writes the fixed notes back to disk."""
    vault = Vault.load(root)
    context = Context(vault, online=online, online_settings=settings or {})
    result = fix_notes(Linter(vault, all_rules(), context), sorted(vault.notes), unsafe)
    for path, text in result.fixed.items():
        root.joinpath(*path.split("/")).write_text(text, encoding="utf-8")
    return result


def root_text_line(root: Path, offset: int) -> int:
    return (root / AGENTS_PATH).read_text(encoding="utf-8").count("\n", 0, offset) + 1


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"


def client_for(server: FakeArxiv, **kwargs) -> ArxivClient:
    kwargs.setdefault("min_interval", 0)
    return ArxivClient(server.url, **kwargs)


# --- the acceptance scenario ------------------------------------------------------


def test_check_reports_both_patterns_fix_repairs_one_offline_and_both_online(tmp_path, arxiv):
    root = write_vault(tmp_path / "vault", agents_vault())
    settings = settings_for(arxiv)

    findings = run(root, online=False)
    assert [(f.code, f.line) for f in findings] == [("VL302", 10), ("VL301", 55)]

    offline = fix(root, online=False)
    assert offline.applied == 1
    text = (root / AGENTS_PATH).read_text(encoding="utf-8")
    assert "> [arXiv:2305.11627](https://arxiv.org/abs/2305.11627) [cs.CL]\n\nRemoves coupled" in text
    [left] = [f for f in offline.remaining if f.code.startswith("VL3")]
    assert left.code == "VL302" and left.fix is None
    assert "2210.03629_Page_02.png (line 33) names 2210.03629" in left.message
    assert "run with --online" in left.message
    assert arxiv.requests == []  # offline means offline

    online = fix(root, online=True, settings=settings)
    assert online.applied == 1
    assert [f for f in online.remaining if f.code.startswith("VL3")] == []
    text = (root / AGENTS_PATH).read_text(encoding="utf-8")
    react_row = text.splitlines()[9]
    assert react_row.startswith("| ReAct |") and react_row.endswith("| [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) |")
    assert "#### ReAct: Synergizing Reasoning and Acting in Language Models\n\n> [!info]\n> [arXiv:2210.03629](https://arxiv.org/abs/2210.03629) [cs.CL]" in text
    assert text.count("2205.12255") == 4  # TALM's row and callout, text and URL
    expected = AGENTS.replace(
        "> [arXiv:2305.11738](https://arxiv.org/abs/2305.11738) [cs.CL]\n\nRemoves",
        "> [arXiv:2305.11627](https://arxiv.org/abs/2305.11627) [cs.CL]\n\nRemoves",
    )
    lines = expected.splitlines(keepends=True)
    lines[9] = lines[9].replace("2205.12255", "2210.03629")
    lines[27] = lines[27].replace("2205.12255", "2210.03629")
    assert text == "".join(lines)  # nothing else changed

    # A second run asks arXiv nothing: every answer is cached on disk.
    asked = len(arxiv.requests)
    assert run(root, online=True, settings=settings) == []
    assert len(arxiv.requests) == asked


def test_online_fix_from_the_start_repairs_both_at_once(tmp_path, arxiv):
    root = write_vault(tmp_path / "vault", agents_vault())
    findings = run(root, online=True, settings=settings_for(arxiv))
    assert [(f.code, f.line) for f in findings] == [("VL305", 10), ("VL301", 55)]
    row_finding = findings[0]
    assert row_finding.message == (
        "arXiv 2205.12255 is 'TALM: Tool Augmented Language Models', not 'ReAct'; arXiv's "
        "'ReAct: Synergizing Reasoning and Acting in Language Models' is 2210.03629 (found by a title search on arXiv)"
    )
    assert row_finding.fix.applicability is Applicability.SAFE
    # Every claim of the wrong ID for ReAct in the note: row and callout, link text and URL.
    assert [(root_text_line(root, e.span.start), e.replacement) for e in row_finding.fix.edits] == [
        (10, "2210.03629"), (10, "2210.03629"), (28, "2210.03629"), (28, "2210.03629"),
    ]
    result = fix(root, online=True, settings=settings_for(arxiv))
    assert result.applied == 2
    assert [f for f in result.remaining if f.code.startswith("VL3")] == []


def test_vl302_and_vl301_defer_to_the_online_rule_once_arxiv_answered(tmp_path, arxiv):
    note = row("PAL", "PAL: Program-aided Language Models", "2211.10435")
    files = {"n.md": "| Name | Paper | Venue | Link |\n| --- | --- | --- | --- |\n" + note + "\n" + card("PAL: Program-aided Language Models", "2211.10534", "x")}
    root = write_vault(tmp_path / "vault", files)
    assert [f.code for f in run(root, online=False)] == ["VL301"]
    [finding] = run(root, online=True, settings=settings_for(arxiv))
    assert finding.code == "VL305"
    assert finding.message == (
        "arXiv has no paper 2211.10534 (claimed for 'PAL'); arXiv's 'PAL: Program-aided Language Models' "
        "is 2211.10435 (the paper's other ID, whose title arXiv confirms)"
    )
    assert finding.fix.applicability is Applicability.SAFE


# --- network failures ---------------------------------------------------------------


def test_unreachable_arxiv_gives_one_warning_and_the_offline_results(tmp_path):
    root = write_vault(tmp_path / "vault", agents_vault())
    url = closed_port_url()
    findings = run(root, online=True, settings={"arxiv-api-url": url, "arxiv-min-interval": 0})
    assert [f.code for f in findings] == ["VL305", "VL302", "VL301"]
    warning = findings[0]
    assert warning.severity is Severity.WARNING and warning.fix is None
    assert warning.message == (
        f"online arXiv check incomplete: cannot reach {url} (Connection refused); "
        "the other findings are the offline checks' (and what cached answers allow)"
    )
    assert findings[1].message.endswith("no offline fix: each paper claims only 2205.12255; arXiv could not be asked (see arxiv-title-mismatch)")
    result = fix(root, online=True, settings={"arxiv-api-url": url, "arxiv-min-interval": 0})
    assert result.applied == 1  # LLM-Pruner, offline; ReAct untouched
    text = (root / AGENTS_PATH).read_text(encoding="utf-8")
    assert text.count("2205.12255") == 8
    assert [f.code for f in result.remaining if f.code.startswith("VL3")] == ["VL305", "VL302"]


def test_arxiv_failing_after_some_answers_never_half_fixes_a_paper(tmp_path, arxiv):
    root = write_vault(tmp_path / "vault", agents_vault())
    # The ID lookup succeeds; the title search for ReAct meets 503 four times.
    arxiv.queue(Scripted(200), *[Scripted(503, {"Retry-After": "0"}) for _ in range(4)])
    findings = run(root, online=True, settings=settings_for(arxiv))
    codes = [(f.code, f.line) for f in findings]
    assert ("VL302", 10) in codes and ("VL301", 55) in codes
    [warning] = [f for f in findings if f.code == "VL305"]
    assert "answered HTTP 503 4 times in a row" in warning.message
    assert all(f.fix is None for f in findings if f.code in ("VL302", "VL305"))


# --- the client -----------------------------------------------------------------


def test_client_batches_matches_by_id_and_tells_unknown_ids(arxiv):
    client = client_for(arxiv)
    found = client.fetch_ids(["2210.03629", "2205.12255", "2205.99999"])
    assert found["2210.03629"].entry.title == REACT  # titles wrapped over lines are joined
    assert found["2210.03629"].entry.version == 3
    assert found["2205.12255"].entry.title == TALM
    assert found["2205.99999"].status == MISSING
    [request] = arxiv.requests
    assert request.params == {"id_list": "2210.03629,2205.12255,2205.99999", "start": "0", "max_results": "3"}
    assert request.user_agent.startswith("vaultlint/")


def test_client_sets_max_results_for_long_lists(arxiv):
    many = {f"2301.{n:05d}": (f"Synthetic paper number {n}", 1) for n in range(1, 13)}
    arxiv.papers.update(many)
    found = client_for(arxiv).fetch_ids(sorted(many))
    assert all(lookup.status == FOUND for lookup in found.values()) and len(found) == 12


def test_client_splits_batches_in_chunks_of_at_most_the_batch_size(arxiv):
    ids = sorted(ARXIV)
    client_for(arxiv, batch_size=3).fetch_ids(ids)
    assert [len(r.params["id_list"].split(",")) for r in arxiv.requests] == [3, 3, 2]


def test_http_400_isolates_the_malformed_id(arxiv):
    found = client_for(arxiv).fetch_ids(["2205.12255", "2205.1225a", "2210.03629"])
    assert {key: value.status for key, value in found.items()} == {
        "2205.12255": FOUND, "2205.1225a": REJECTED, "2210.03629": FOUND,
    }
    assert len(arxiv.requests) == 5  # the batch, then halves until the bad ID is alone


def test_429_honours_retry_after(arxiv):
    waits: list[float] = []
    arxiv.queue(Scripted(429, {"Retry-After": "2"}))
    found = client_for(arxiv, sleep=waits.append).fetch_ids(["2205.12255"])
    assert found["2205.12255"].status == FOUND
    assert waits == [2.0] and len(arxiv.requests) == 2


def test_503_without_retry_after_backs_off_then_succeeds(arxiv):
    waits: list[float] = []
    arxiv.queue(Scripted(503), Scripted(503))
    client = ArxivClient(arxiv.url, min_interval=0.5, sleep=waits.append, clock=lambda: 0.0)
    assert client.fetch_ids(["2205.12255"])["2205.12255"].status == FOUND
    # back-off 0.5 s, pacing, back-off 1 s, pacing (the frozen clock never advances)
    assert waits == [0.5, 0.5, 1.0, 0.5]


def test_too_long_retry_after_gives_up_at_once(arxiv):
    arxiv.queue(Scripted(503, {"Retry-After": "3600"}))
    with pytest.raises(ArxivUnavailable, match="asked to wait 3600 s"):
        client_for(arxiv).fetch_ids(["2205.12255"])
    assert len(arxiv.requests) == 1


def test_repeated_503_gives_up_after_a_bounded_number_of_attempts(arxiv):
    arxiv.queue(*[Scripted(503, {"Retry-After": "0"}) for _ in range(10)])
    with pytest.raises(ArxivUnavailable, match="HTTP 503 4 times in a row"):
        client_for(arxiv).fetch_ids(["2205.12255"])
    assert len(arxiv.requests) == 4


def test_requests_are_paced(arxiv):
    client = client_for(arxiv, min_interval=0.3)
    client.fetch_ids(["2205.12255"])
    client.fetch_ids(["2210.03629"])
    first, second = arxiv.requests
    assert second.at - first.at >= 0.29


def test_read_timeout_is_a_clear_failure(arxiv):
    arxiv.queue(Scripted(200, delay=1.0))
    client = client_for(arxiv, timeout=(2.0, 0.2))
    started = time.monotonic()
    with pytest.raises(ArxivUnavailable, match=r"no answer from .* within 0.2 s"):
        client.fetch_ids(["2205.12255"])
    assert time.monotonic() - started < 0.9


def test_title_search(arxiv):
    entries = client_for(arxiv).search_title("ReAct: Synergizing Reasoning and Acting in Language Models")
    assert [(e.id, e.title) for e in entries] == [("2210.03629", REACT)]
    assert arxiv.requests[0].params == {
        "search_query": 'ti:"ReAct Synergizing Reasoning and Acting in Language Models"', "start": "0", "max_results": "5",
    }


# --- the cache and the settings ---------------------------------------------------


def test_cache_is_on_disk_atomic_and_ignored_by_git(tmp_path, arxiv):
    root = write_vault(tmp_path / "vault", agents_vault())
    run(root, online=True, settings=settings_for(arxiv))
    cache = root / ".vaultlint_cache"
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    names = sorted(path.name for path in (cache / "arxiv" / "ids").iterdir())
    assert names == ["2205.12255.json", "2210.03629.json", "2211.10435.json", "2305.11627.json", "2305.11738.json"]
    assert not [path for path in cache.rglob("*") if path.name.endswith(".tmp")]
    assert Vault.load(root).notes.keys() == {AGENTS_PATH}  # the cache is not part of the vault


def test_cache_answers_without_asking(tmp_path, arxiv):
    cache = ArxivCache(tmp_path / "c" / "arxiv", gitignore_at=tmp_path / "c")
    cached = CachedArxiv(client_for(arxiv), cache)
    cached.lookup(["2205.12255", "2205.99999"])
    cached.search(REACT)
    asked = len(arxiv.requests)
    again = CachedArxiv(client_for(arxiv), ArxivCache(tmp_path / "c" / "arxiv"))
    assert again.lookup(["2205.12255", "2205.99999", "2210.03629"])["2205.99999"].status == MISSING
    assert again.search(REACT)[0].id == "2210.03629"
    assert len(arxiv.requests) == asked  # 2210.03629 came with the search results


def test_settings_environment_wins_and_paths_are_from_the_vault(tmp_path, monkeypatch):
    root = tmp_path / "vault"
    settings, problems = OnlineSettings.resolve(root, {})
    assert settings.api_url == "https://export.arxiv.org/api/query" and settings.min_interval == 3.0
    assert settings.arxiv_cache == root / ".vaultlint_cache" / "arxiv" and problems == []
    configured = {"arxiv-api-url": "http://mirror.test/api/query", "arxiv-min-interval": 1, "cache-dir": "cache", "timeout": 7, "user-agent": "me"}
    settings, _ = OnlineSettings.resolve(root, configured)
    assert (settings.api_url, settings.min_interval, settings.cache_dir, settings.timeout, settings.user_agent) == (
        "http://mirror.test/api/query", 1.0, root / "cache", (7.0, 7.0), "me",
    )
    monkeypatch.setenv("VAULTLINT_ARXIV_API_URL", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("VAULTLINT_ARXIV_MIN_INTERVAL", "0.5")
    settings, _ = OnlineSettings.resolve(root, configured)
    assert (settings.api_url, settings.min_interval) == ("http://127.0.0.1:9/api/query", 0.5)
    monkeypatch.setenv("VAULTLINT_ARXIV_MIN_INTERVAL", "soon")
    _, problems = OnlineSettings.resolve(root, configured)
    assert problems == ["VAULTLINT_ARXIV_MIN_INTERVAL must be a number of seconds >= 0, got 'soon'"]


def test_invalid_settings_are_reported_once_and_nothing_is_asked(tmp_path, arxiv, monkeypatch):
    monkeypatch.setenv("VAULTLINT_ARXIV_MIN_INTERVAL", "-1")
    root = write_vault(tmp_path / "vault", agents_vault())
    findings = run(root, online=True, settings=settings_for(arxiv))
    [warning] = [f for f in findings if f.code == "VL305"]
    assert "invalid online settings: VAULTLINT_ARXIV_MIN_INTERVAL must be a number of seconds >= 0" in warning.message
    assert arxiv.requests == []


# --- what is compared ---------------------------------------------------------------


def test_unknown_id_of_a_paper_is_found_by_title(tmp_path, arxiv):
    root = write_vault(tmp_path / "vault", {"n.md": card(TALM, "2205.99999", "Notes.")})
    [finding] = run(root, online=True, settings=settings_for(arxiv))
    assert finding.message == (
        "arXiv has no paper 2205.99999 (claimed for 'TALM'); arXiv's 'TALM: Tool Augmented Language Models' "
        "is 2205.12255 (found by a title search on arXiv)"
    )
    assert finding.fix.applicability is Applicability.SAFE
    text = apply_edits((root / "n.md").read_text(encoding="utf-8"), list(finding.fix.edits))
    assert "> [arXiv:2205.12255](https://arxiv.org/abs/2205.12255) [cs.CL]" in text


def test_a_rival_search_result_makes_the_fix_unsafe(tmp_path, arxiv):
    arxiv.papers["2210.99999"] = ("ReAct: Synergizing Reasoning and Acting in Language Models, Revisited", 1)
    root = write_vault(tmp_path / "vault", {"n.md": card(REACT, "2205.12255", "Notes.")})
    [finding] = run(root, online=True, settings=settings_for(arxiv))
    assert finding.fix.applicability is Applicability.UNSAFE
    assert "(found by a title search on arXiv (also matching: 2210.99999))" in finding.message


def test_no_title_match_means_no_fix(tmp_path, arxiv):
    root = write_vault(tmp_path / "vault", {"n.md": card("A paper arXiv does not have", "2205.12255", "Notes.")})
    [finding] = run(root, online=True, settings=settings_for(arxiv))
    assert finding.fix is None
    assert finding.message == (
        "arXiv 2205.12255 is 'TALM: Tool Augmented Language Models', not 'A paper arXiv does not have'; "
        "no fix: a title search on arXiv found no paper of this title"
    )


def test_citations_are_checked_for_existence_only(tmp_path, arxiv):
    files = citing_vault(2)
    files["Reading/Group 01.md"] += "\nAlso [Toolformer](https://arxiv.org/abs/2302.99999).\n"
    root = write_vault(tmp_path / "vault", files)
    [finding] = run(root, online=True, settings=settings_for(arxiv))
    assert (finding.path, finding.message) == ("Reading/Group 01.md", "arXiv has no paper 2302.99999 (cited here)")
    quiet = [cls for cls in arxiv_rules() if cls.code != "VL305"] + [discover_rules()["VL305"].cls(**{"check-citations": False})]
    assert run(root, online=True, settings=settings_for(arxiv), rules=quiet) == []


def test_twenty_citing_notes_produce_nothing_online(tmp_path, arxiv):
    root = write_vault(tmp_path / "vault", citing_vault(20))
    assert run(root, online=True, settings=settings_for(arxiv)) == []


def test_title_scores():
    assert title_score([REACT], REACT) == 100
    assert title_score(["ReAct"], REACT) == 95  # the short name before the colon: a match, not a safe fix
    assert title_score(["MRKL Systems"], "MRKL Systems: A modular, neuro-symbolic architecture") == 95
    assert title_score(["Attention"], "Attention Is All You Need") == 95
    assert title_score(["A"], "A Survey of Large Language Models") < 90
    assert title_score(["#ReAct Synergizing Reasoning and Acting in Language Models"], REACT) == 100
    assert title_score([REACT], TALM) < 60


def test_rule_page_example_of_the_online_rule(tmp_path, arxiv):
    from vaultlint.registry import find_rule

    cls = find_rule(discover_rules(), "VL305")
    after = cls.documentation().split("## Example", 1)[1]
    failing, fixed_block = re.findall(r"```markdown\n(.*?)```", after, re.S)[:2]
    for name, text, expected in (("failing", failing, True), ("fixed", fixed_block, False)):
        root = write_vault(tmp_path / name, {"Notes/Example.md": text})
        findings = run(root, online=True, settings=settings_for(arxiv, tmp_path / name / "cache"), rules=[cls()])
        assert bool(findings) is expected, (name, [f.message for f in findings])


def test_online_rule_does_nothing_offline(tmp_path, arxiv):
    root = write_vault(tmp_path / "vault", agents_vault())
    vl305 = discover_rules()["VL305"].cls()
    assert run(root, online=False, rules=[vl305]) == []
    assert arxiv.requests == []


# --- the example vault ---------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "research-vault"
NEW_NOTES = ["Papers/Language models/Agents.md", "Papers/Language models/Compression.md"]


def test_example_vault_arxiv_defects_offline_then_online(tmp_path, arxiv):
    import shutil

    root = tmp_path / "research-vault"
    shutil.copytree(EXAMPLE, root)
    arxiv.papers.update({
        "2301.00774": ("SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot", 3),
        "2306.11695": ("A Simple and Effective Pruning Approach for Large Language Models", 3),
    })
    findings = [f for f in run(root, online=False, rules=all_rules()) if f.code.startswith("VL3")]
    assert [(f.path, f.line, f.column, f.code) for f in findings] == [
        ("Daily/2024-05-03.md", 20, 29, "VL303"),
        ("Papers/Language models/Agents.md", 14, 211, "VL302"),
        ("Papers/Language models/Compression.md", 24, 9, "VL304"),
        ("Papers/Language models/Compression.md", 31, 10, "VL301"),
    ]

    def fix_new_notes(online: bool):
        vault = Vault.load(root)
        context = Context(vault, online=online, online_settings=settings_for(arxiv))
        result = fix_notes(Linter(vault, arxiv_rules(), context), NEW_NOTES, unsafe=False)
        for path, text in result.fixed.items():
            root.joinpath(*path.split("/")).write_text(text, encoding="utf-8")
        return result

    offline = fix_new_notes(online=False)
    assert offline.applied == 1 and list(offline.fixed) == ["Papers/Language models/Compression.md"]
    assert sorted(f.code for f in offline.remaining) == ["VL302", "VL304"]  # VL304's fix is unsafe
    assert arxiv.requests == []

    online = fix_new_notes(online=True)
    assert online.applied == 1 and list(online.fixed) == ["Papers/Language models/Agents.md"]
    assert [f.code for f in online.remaining] == ["VL304"]
    agents = (root / NEW_NOTES[0]).read_text(encoding="utf-8")
    assert agents.count("2210.03629") == 5  # row and callout, text and URL, and the page image
    assert agents.count("2205.12255") == 4  # TALM's


def test_each_note_is_looked_up_in_one_batch(tmp_path, arxiv):
    root = write_vault(tmp_path / "vault", agents_vault())
    run(root, online=True, settings=settings_for(arxiv))
    lookups = [r.params for r in arxiv.requests if "id_list" in r.params]
    searches = [r.params for r in arxiv.requests if "search_query" in r.params]
    assert [sorted(p["id_list"].split(",")) for p in lookups] == [
        ["2205.12255", "2211.10435", "2305.11627", "2305.11738"],
    ]
    assert searches == [{"search_query": 'ti:"ReAct Synergizing Reasoning and Acting in Language Models"', "start": "0", "max_results": "5"}]


@pytest.mark.parametrize(
    "body",
    [
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2210.03629v3',
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
    ],
    ids=["truncated-atom", "html-error-page"],
)
def test_malformed_answers_give_one_warning_and_the_offline_results(tmp_path, arxiv, body):
    root = write_vault(tmp_path / "vault", agents_vault())
    arxiv.queue(Scripted(200, {"Content-Type": "text/html"}, body))
    findings = run(root, online=True, settings=settings_for(arxiv))
    warnings = [f for f in findings if f.code == "VL305"]
    assert [(w.severity, w.fix) for w in warnings] == [(Severity.WARNING, None)], [w.message for w in warnings]
    assert "not Atom XML" in warnings[0].message
    assert {f.code for f in findings} >= {"VL302", "VL301"}
    before = (root / AGENTS_PATH).read_text(encoding="utf-8")
    arxiv.queue(Scripted(200, {"Content-Type": "text/html"}, body))
    result = fix(root, online=True, settings=settings_for(arxiv))
    after = (root / AGENTS_PATH).read_text(encoding="utf-8")
    assert after.count("2205.12255") == before.count("2205.12255")  # ReAct is never half-fixed
    assert result.applied == 1  # only LLM-Pruner's offline fix
