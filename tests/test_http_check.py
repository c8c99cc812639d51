"""The external-link checker against a local HTTP server on 127.0.0.1 (no test touches the internet)."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from link_server import LinkServer
from vaultlint import http_check
from vaultlint.http_check import HttpChecker, LinkCache, LinkResult


@pytest.fixture
def server():
    running = LinkServer().start()
    yield running
    running.stop()


@pytest.fixture
def waits():
    return []


@pytest.fixture
def checker(waits):
    made = HttpChecker(timeout=(2.0, 0.5), max_workers=8, per_host=2, max_retries=2, backoff=0.25, max_wait=10.0, sleep=waits.append)
    yield made
    made.close()


def test_a_working_page_is_ok_with_one_head(server, checker):
    result = checker.check(server.url("/ok"))
    assert (result.outcome, result.status, result.method, result.moved_to) == ("ok", 200, "HEAD", None)
    assert server.hits("/ok") == 1 and server.hits("/ok", "GET") == 0


@pytest.mark.parametrize("path, status", [("/missing", 404), ("/gone", 410)])
def test_removed_pages_are_broken(server, checker, path, status):
    result = checker.check(server.url(path))
    assert (result.outcome, result.status) == ("broken", status)
    # HEAD said so, and the GET that confirms an error status agreed.
    assert result.method == "GET" and server.hits(path, "HEAD") == 1 and server.hits(path, "GET") == 1


def test_permanent_redirects_record_where_they_lead(server, checker):
    moved = checker.check(server.url("/moved"))
    assert (moved.outcome, moved.moved_to, moved.moved_status) == ("ok", server.url("/ok"), 301)
    chain = checker.check(server.url("/chain1"))
    assert (chain.outcome, chain.moved_to, chain.moved_status, chain.final_url) == ("ok", server.url("/ok"), 308, server.url("/ok"))


def test_a_temporary_redirect_is_no_move_and_ends_a_permanent_run(server, checker):
    temporary = checker.check(server.url("/temp"))
    assert (temporary.outcome, temporary.moved_to, temporary.final_url) == ("ok", None, server.url("/ok"))
    mixed = checker.check(server.url("/perm-then-temp"))
    assert (mixed.outcome, mixed.moved_to, mixed.final_url) == ("ok", server.url("/temp"), server.url("/ok"))


def test_a_redirect_to_a_missing_page_is_broken_not_moved(server, checker):
    result = checker.check(server.url("/moved-to-missing"))
    assert (result.outcome, result.status, result.moved_to, result.final_url) == ("broken", 404, None, server.url("/missing"))


def test_a_redirect_loop(server, checker):
    assert checker.check(server.url("/loop")).outcome == "redirect-loop"


def test_a_server_refusing_head_gets_a_get(server, checker):
    ok = checker.check(server.url("/no-head"))
    assert (ok.outcome, ok.method, ok.status) == ("ok", "GET", 200)
    missing = checker.check(server.url("/no-head-missing"))
    assert (missing.outcome, missing.method, missing.status) == ("broken", "GET", 404)


def test_head_and_get_disagreeing(server, checker):
    # HEAD 404 but GET 200: the GET decides, the link works.
    confirmed = checker.check(server.url("/head-404"))
    assert (confirmed.outcome, confirmed.method) == ("ok", "GET")
    # HEAD 200 but GET 404: HEAD's success is trusted and no GET is made (documented).
    lying = checker.check(server.url("/head-lies"))
    assert (lying.outcome, lying.method) == ("ok", "HEAD")
    assert server.hits("/head-lies", "GET") == 0


def test_a_head_dropped_without_answer_gets_a_get(server, checker):
    result = checker.check(server.url("/head-drops"))
    assert (result.outcome, result.method) == ("ok", "GET")


def test_a_slow_server_times_out_without_a_get(server, checker):
    result = checker.check(server.url("/slow"))
    assert (result.outcome, result.detail, result.method) == ("timeout", "read", "HEAD")
    assert server.hits("/slow") == 1  # no second try with GET, no retry


def test_retry_after_is_honoured(server, checker, waits):
    result = checker.check(server.url("/busy"))
    assert (result.outcome, result.attempts) == ("ok", 2)
    assert waits == [2.0]


def test_retry_after_as_an_http_date_in_the_past_means_now(server, checker, waits):
    assert checker.check(server.url("/busy-date")).outcome == "ok"
    assert waits == [0.0]


def test_a_retry_after_beyond_the_bound_is_not_waited(server, checker, waits):
    result = checker.check(server.url("/busy-long"))
    assert (result.outcome, result.status, result.attempts) == ("rate-limited", 429, 1)
    assert waits == [] and server.hits("/busy-long", "GET") == 0


def test_server_errors_back_off_exponentially_then_stand(server, checker, waits):
    result = checker.check(server.url("/down"))
    assert (result.outcome, result.status, result.attempts) == ("server-error", 503, 3)
    assert waits == [0.25, 0.5]
    assert server.hits("/down", "GET") == 0  # a 503 is not HEAD's fault


def test_a_passing_server_error_is_retried(server, checker, waits):
    result = checker.check(server.url("/flaky"))
    assert (result.outcome, result.attempts) == ("ok", 2)
    assert waits == [0.25]


def test_other_statuses(server, checker):
    assert checker.check(server.url("/forbidden")).outcome == "restricted"
    assert checker.check(server.url("/bad-request")).outcome == "client-error"


def test_a_refused_connection(checker):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = checker.check(f"http://127.0.0.1:{port}/")
    assert (result.outcome, result.detail) == ("connection", "connection refused")


def test_a_tls_error(server, checker):
    # HTTPS to a plain-HTTP server: the TLS handshake fails.
    result = checker.check(server.url("/ok").replace("http://", "https://"))
    assert result.outcome == "tls" and result.detail


def test_a_host_that_does_not_resolve(checker, monkeypatch):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    result = checker.check("http://no-such-host.invalid/page")
    assert (result.outcome, result.method) == ("dns", "HEAD")


def test_at_most_two_requests_in_flight_per_host(server):
    paths = server.add_slow_pages(8, 0.4)
    with HttpChecker(timeout=(2.0, 2.0), max_workers=8, per_host=2) as checker:
        results = checker.check_all([server.url(path) for path in paths])
    assert all(result.outcome == "ok" for result in results.values())
    host = f"127.0.0.1:{server.server.server_address[1]}"
    assert server.max_in_flight[host] == 2


def test_per_host_limit_does_not_serialise_other_hosts(server):
    # The same server under two host names: each name has its own two slots.
    slow = server.add_slow_pages(8, 0.5)
    port = server.server.server_address[1]
    urls = [f"http://127.0.0.1:{port}{path}" for path in slow[:4]] + [f"http://localhost:{port}{path}" for path in slow[4:]]
    try:
        socket.create_connection(("localhost", port), timeout=1).close()
    except OSError:
        pytest.skip("localhost does not reach 127.0.0.1 here")
    with HttpChecker(timeout=(5.0, 5.0), max_workers=8, per_host=2) as checker:
        results = checker.check_all(urls)
    assert all(result.outcome == "ok" for result in results.values())
    assert server.max_in_flight[f"127.0.0.1:{port}"] == 2 and server.max_in_flight[f"localhost:{port}"] == 2
    assert server.max_total_in_flight > 2  # the two hosts were asked at the same time


def test_check_all_asks_each_url_once(server):
    with HttpChecker() as checker:
        results = checker.check_all([server.url("/ok")] * 5 + [server.url("/gone")])
    assert set(results) == {server.url("/ok"), server.url("/gone")}
    assert server.hits("/ok") == 1


def test_check_never_raises():
    class Broken(requests.Session):
        def request(self, *args, **kwargs):
            raise RuntimeError("boom")

    with HttpChecker(session=Broken()) as checker:
        result = checker.check("http://example.invalid/")
    assert result.outcome == "unknown" and "boom" in result.detail


# --- the cache --------------------------------------------------------------------------


def test_the_cache_keeps_definite_answers_for_its_lifetime(tmp_path, server):
    now = [1_000_000.0]
    folder = tmp_path / "links"
    cache = LinkCache(folder, lifetime=3600, clock=lambda: now[0])
    with HttpChecker() as checker:
        first = checker.check_all([server.url("/ok"), server.url("/gone"), server.url("/down")], cache)
    assert {url: r.outcome for url, r in first.items()} == {server.url("/ok"): "ok", server.url("/gone"): "broken", server.url("/down"): "server-error"}
    assert (folder / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    # Only the definite answers are stored, one JSON file each, no temporary files left.
    stored = sorted(path for path in folder.iterdir() if path.suffix == ".json")
    assert len(stored) == 2 and not [path for path in folder.iterdir() if path.suffix == ".tmp"]
    assert {json.loads(path.read_text(encoding="utf-8"))["outcome"] for path in stored} == {"ok", "broken"}

    hits = len(server.requests)
    now[0] = time.time() + 60  # a minute later: from the cache
    cache = LinkCache(folder, lifetime=3600, clock=lambda: now[0])
    with HttpChecker(max_retries=0) as checker:
        again = checker.check_all([server.url("/ok"), server.url("/gone"), server.url("/down")], cache)
    assert again[server.url("/ok")].outcome == "ok" and again[server.url("/gone")].outcome == "broken"
    assert [path for _, path, _ in server.requests[hits:]] == ["/down"]  # only the transient failure asked again

    now[0] = time.time() + 7200  # past the lifetime: asked again
    cache = LinkCache(folder, lifetime=3600, clock=lambda: now[0])
    hits = len(server.requests)
    with HttpChecker() as checker:
        checker.check_all([server.url("/ok")], cache)
    assert server.hits("/ok") == 2


def test_a_corrupt_or_foreign_cache_file_is_ignored(tmp_path):
    cache = LinkCache(tmp_path / "links", lifetime=3600)
    result = LinkResult("http://example.org/a", "ok", status=200, checked_at=time.time())
    cache.put(result)
    assert cache.get("http://example.org/a") == result
    path = cache._file("http://example.org/a")
    path.write_text("{not json", encoding="utf-8")
    assert cache.get("http://example.org/a") is None
    path.write_text(json.dumps({**result.to_json(), "url": "http://example.org/b"}), encoding="utf-8")
    assert cache.get("http://example.org/a") is None


def test_a_lifetime_of_zero_turns_the_cache_off(tmp_path):
    cache = LinkCache(tmp_path / "links", lifetime=0)
    cache.put(LinkResult("http://example.org/a", "ok", status=200, checked_at=time.time()))
    assert not (tmp_path / "links").exists()
    assert cache.get("http://example.org/a") is None


def test_an_unwritable_cache_is_not_an_error(tmp_path):
    blocker = tmp_path / "links"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    cache = LinkCache(blocker, lifetime=3600)
    cache.put(LinkResult("http://example.org/a", "ok", status=200, checked_at=time.time()))
    assert cache.get("http://example.org/a") is None


def test_retry_after_parsing():
    def response(value):
        made = requests.Response()
        if value is not None:
            made.headers["Retry-After"] = value
        return made

    assert http_check.retry_after(response("7")) == 7.0
    assert http_check.retry_after(response(None)) is None
    assert http_check.retry_after(response("soon")) is None
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 100))
    assert 95 <= http_check.retry_after(response(future)) <= 101
