"""VL403 broken-external-link, against a local HTTP server on 127.0.0.1 (no test touches the internet)."""

from __future__ import annotations

import re
import socket

import pytest

from conftest import write_vault
from link_server import LinkServer
from vaultlint.diagnostics import Applicability, Severity
from vaultlint.engine import Linter
from vaultlint.fixer import apply_edits, fix_notes
from vaultlint.registry import discover_rules
from vaultlint.rule import Context
from vaultlint.rules.broken_external_link import BrokenExternalLink, is_private_host, url_matcher
from vaultlint.vault import Vault


@pytest.fixture
def server():
    running = LinkServer().start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(BrokenExternalLink, "BACKOFF", 0.01)


def rule(**options):
    return discover_rules()["VL403"].cls(**{"include-private": True, **options})


def run(root, online=True, settings=None, rules=None, vault=None, **options):
    vault = vault or Vault.load(root)
    context = Context(vault, online=online, online_settings={"timeout": 0.5} if settings is None else settings)
    return Linter(vault, rules or [rule(**options)], context).run(sorted(vault.notes))


def test_nothing_offline(tmp_path, server):
    root = write_vault(tmp_path / "v", {"n.md": f"[gone]({server.url('/gone')})\n"})
    assert run(root, online=False) == []
    assert server.requests == []


def test_each_failure_has_its_own_message(tmp_path, server, monkeypatch):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    lines = {
        "/ok": None,
        "/missing": ("error", f"broken link: {server.url('/missing')} answers 404 Not Found"),
        "/gone": ("error", f"broken link: {server.url('/gone')} answers 410 Gone (removed for good)"),
        "/moved-to-missing": ("error", f"broken link: {server.url('/moved-to-missing')} answers 404 Not Found (after redirects, at {server.url('/missing')})"),
        "/slow": ("warning", "no answer from '127.0.0.1' in time (read timeout)"),
        "/down": ("warning", f"{server.url('/down')} answers 503 Service Unavailable (a server error, after 3 requests)"),
        "/bad-request": ("warning", f"{server.url('/bad-request')} answers 400 Bad Request"),
        "/loop": ("warning", f"{server.url('/loop')} redirects too many times"),
        "/forbidden": None,  # behind a login or a bot wall: the page exists
        "/busy-long": None,  # rate limited: nothing known
        "/head-lies": None,  # HEAD 200 is trusted (documented)
        "/no-head": None,
        "/temp": None,  # a temporary redirect is no move
    }
    others = {
        "http://no-such-host.invalid/page": ("error", "broken link: the host 'no-such-host.invalid' does not resolve (DNS lookup failed)"),
        f"http://127.0.0.1:{closed_port}/": ("warning", "cannot connect to '127.0.0.1': connection refused"),
        server.url("/ok").replace("http:", "https:"): ("warning", "TLS error for '127.0.0.1': "),
    }
    urls = {server.url(path): expected for path, expected in lines.items()} | others
    text = "".join(f"- [link {i}]({url})\n" for i, url in enumerate(urls))
    root = write_vault(tmp_path / "v", {"n.md": text})
    findings = run(root)
    by_url = {}
    for finding in findings:
        by_url[text[finding.span.start:finding.span.end]] = (finding.severity.value, finding.message)
    assert set(by_url) == {url for url, expected in urls.items() if expected}
    for url, expected in urls.items():
        if expected:
            severity, message = by_url[url]
            assert severity == expected[0] and message.startswith(expected[1]), (url, message)
    assert all(finding.fix is None for finding in findings)


def test_a_permanent_redirect_gets_an_unsafe_fix(tmp_path, server):
    text = (
        f"See [a]({server.url('/moved')}#Results) and [b](<{server.url('/chain1')}>) "
        f"and [c]({server.url('/perm-then-temp')}) and [d]({server.url('/temp')}).\n"
    )
    root = write_vault(tmp_path / "v", {"n.md": text})
    findings = run(root)
    assert [(f.message, f.severity) for f in findings] == [
        (f"permanently redirected (301) to {server.url('/ok')}", Severity.WARNING),
        (f"permanently redirected (308) to {server.url('/ok')}", Severity.WARNING),
        (f"permanently redirected (301) to {server.url('/temp')}", Severity.WARNING),
    ]
    assert all(f.fix.applicability is Applicability.UNSAFE for f in findings)
    fixed = apply_edits(text, [edit for f in findings for edit in f.fix.edits])
    assert fixed == (
        f"See [a]({server.url('/ok')}#Results) and [b](<{server.url('/ok')}>) "
        f"and [c]({server.url('/temp')}) and [d]({server.url('/temp')}).\n"
    )


def test_a_new_address_with_an_unbalanced_parenthesis_is_escaped(tmp_path, server):
    text = f"[x]({server.url('/moved%20(paren').replace('(', '%28')})\n"
    root = write_vault(tmp_path / "v", {"n.md": text})
    [finding] = run(root)
    assert finding.fix is not None
    assert apply_edits(text, list(finding.fix.edits)) == f"[x]({server.url('/new%20%28paren')})\n"


def test_the_fix_loop_rewrites_and_settles(tmp_path, server):
    root = write_vault(tmp_path / "v", {"n.md": f"[a]({server.url('/moved')}) [b]({server.url('/moved-308')})\n"})
    vault = Vault.load(root)
    context = Context(vault, online=True, online_settings={"timeout": 0.5})
    result = fix_notes(Linter(vault, [rule()], context), ["n.md"], unsafe=True)
    assert result.fixed == {"n.md": f"[a]({server.url('/ok')}) [b]({server.url('/ok')})\n"}
    assert result.remaining == [] and result.applied == 2
    # Each redirect was asked once (following it reached /ok twice); the second pass
    # asked only the new URL, once for both links.
    assert server.hits("/moved") == 1 and server.hits("/moved-308") == 1 and server.hits("/ok") == 3
    safe = fix_notes(Linter(Vault.load(root), [rule()], context), ["n.md"], unsafe=False)
    assert safe.fixed == {}


def test_links_in_code_and_comments_are_not_requested(tmp_path, server):
    text = (
        f"```\n[a]({server.url('/gone')})\n```\n\n"
        f"`[b]({server.url('/missing')})`\n\n"
        f"%% draft: [c]({server.url('/gone')}) %%\n"
    )
    root = write_vault(tmp_path / "v", {"n.md": text})
    assert run(root) == []
    assert server.requests == []
    [finding] = run(root, **{"check-comments": True})
    assert finding.message.startswith(f"broken link: {server.url('/gone')} answers 410") and finding.line == 7


def test_excluded_urls_are_not_requested(tmp_path, server):
    text = f"[a]({server.url('/gone')}) [b]({server.url('/missing')}) [c]({server.url('/down')})\n"
    root = write_vault(tmp_path / "v", {"n.md": text})
    findings = run(root, exclude=[r"/gon[e]$", server.base + "/miss*"])
    assert [f.message.split(" answers")[0] for f in findings] == [server.url("/down")]
    assert {path for _, path, _ in server.requests} == {"/down"}


def test_private_hosts_are_not_requested_by_default(tmp_path, server):
    root = write_vault(tmp_path / "v", {"n.md": f"[a]({server.url('/gone')})\n"})
    assert run(root, rules=[discover_rules()["VL403"].cls()]) == []
    assert server.requests == []


def test_other_schemes_and_vault_links_are_not_requested(tmp_path, server):
    text = "[m](mailto:a@example.org) [f](ftp://example.org/x) [n](Other.md) [[https://example.org]]\n"
    root = write_vault(tmp_path / "v", {"n.md": text, "Other.md": "x\n"})
    assert run(root) == []
    assert server.requests == []


def test_each_url_is_asked_once_per_run_across_notes(tmp_path, server):
    files = {f"n{i}.md": f"[a]({server.url('/gone')}) [b]({server.url('/gone')}#part{i})\n" for i in range(5)}
    root = write_vault(tmp_path / "v", files)
    findings = run(root, **{"cache-days": 0})
    assert len(findings) == 10
    assert server.hits("/gone", "HEAD") == 1 and server.hits("/gone", "GET") == 1


def test_answers_are_cached_between_runs(tmp_path, server):
    text = f"[a]({server.url('/ok')}) [b]({server.url('/gone')}) [c]({server.url('/down')})\n"
    root = write_vault(tmp_path / "v", {"n.md": text})
    first = run(root)
    assert (root / ".vaultlint_cache" / "links" / ".gitignore").is_file()
    asked = len(server.requests)
    second = run(root)
    assert [f.message for f in second] == [f.message for f in first]
    assert {path for _, path, _ in server.requests[asked:]} == {"/down"}  # a server error is asked again


def test_the_cache_dir_setting_and_cache_days_zero(tmp_path, server):
    root = write_vault(tmp_path / "v", {"n.md": f"[a]({server.url('/ok')})\n"})
    elsewhere = tmp_path / "cache"
    run(root, settings={"cache-dir": str(elsewhere), "timeout": 0.5})
    assert (elsewhere / "links" / ".gitignore").is_file() and not (root / ".vaultlint_cache" / "links").exists()
    run(root, **{"cache-days": 0})
    run(root, **{"cache-days": 0})
    assert server.hits("/ok") == 3 and not (root / ".vaultlint_cache" / "links").exists()


def test_the_user_agent_setting_is_sent(tmp_path, server):
    seen = []
    root = write_vault(tmp_path / "v", {"n.md": f"[a]({server.url('/ok')})\n"})

    import http.server

    handle = http.server.BaseHTTPRequestHandler.parse_request

    def record(self):
        done = handle(self)
        seen.append(self.headers.get("User-Agent"))
        return done

    http.server.BaseHTTPRequestHandler.parse_request = record
    try:
        run(root, settings={"user-agent": "vaultlint-test (mailto:me@example.org)", "timeout": 0.5})
    finally:
        http.server.BaseHTTPRequestHandler.parse_request = handle
    assert seen == ["vaultlint-test (mailto:me@example.org)"]


def test_the_page_example_against_the_local_server(tmp_path, server):
    from test_rule_pages import example_blocks

    failing, fixed = example_blocks("VL403")
    for name, text, expected in (("failing", failing, True), ("fixed", fixed, False)):
        text = text.replace("https://example.com", server.base).replace("https://web.archive.org", server.base)
        root = write_vault(tmp_path / name, {"Notes/Example.md": text})
        assert bool(run(root)) is expected, name


def test_invalid_exclude_patterns_are_a_configuration_error():
    with pytest.raises(ValueError, match="neither a glob nor a valid regular expression"):
        discover_rules()["VL403"].cls(exclude=["(unclosed"])
    with pytest.raises(ValueError, match="max-workers"):
        discover_rules()["VL403"].cls(**{"max-workers": 0})


@pytest.mark.parametrize(
    "pattern, url, excluded",
    [
        ("https://intranet.example.com/*", "https://intranet.example.com/a/b", True),
        ("https://intranet.example.com/*", "https://example.com/intranet.example.com/", False),
        ("*.pdf", "https://example.com/paper.pdf", True),
        ("https://example.com/page?x=1", "https://example.com/page?x=1", True),  # `?` makes a glob: matches itself
        (r"^https?://(www\.)?linkedin\.com/", "https://www.linkedin.com/in/someone", True),
        (r"^https?://(www\.)?linkedin\.com/", "https://example.com/?ref=linkedin.com/", False),
        ("example.org", "https://docs.example.org/x", True),  # a plain string is searched
    ],
)
def test_exclude_globs_and_regexes(pattern, url, excluded):
    assert url_matcher(pattern)(url) is excluded


@pytest.mark.parametrize(
    "host, private",
    [("localhost", True), ("app.localhost", True), ("printer.local", True), ("127.0.0.1", True), ("10.1.2.3", True),
     ("192.168.0.10", True), ("[::1]", True), ("example.com", False), ("8.8.8.8", False)],
)
def test_private_hosts(host, private):
    assert is_private_host(host) is private


def test_the_command_line_with_online(tmp_path, server):
    from click.testing import CliRunner

    from vaultlint.cli import main

    root = write_vault(tmp_path / "v", {"n.md": f"[a]({server.url('/gone')})\n"})
    args = [str(root), "--select", "VL403", "--output-format", "concise", "--rule-option", "VL403.include-private=true"]
    offline = CliRunner().invoke(main, ["check", *args])
    assert offline.exit_code == 0 and server.requests == []
    online = CliRunner().invoke(main, ["check", "--online", *args])
    assert online.exit_code == 1, online.output
    assert re.search(r"n\.md:1:5: VL403 broken-external-link: broken link: .*/gone answers 410 Gone", online.output)
    bad = CliRunner().invoke(main, ["check", "--online", *args, "--rule-option", "VL403.exclude=(bad"])
    assert bad.exit_code == 2 and "neither a glob nor a valid regular expression" in bad.output
