"""A real HTTP server on 127.0.0.1 for the external-link tests; nothing here touches the internet.

Each path answers as a kind of web server does: working pages, removed pages,
redirect chains (permanent, temporary, mixed, looping), a server that refuses HEAD,
one that lies on HEAD, one that mishandles HEAD, a slow one, rate limiting with
``Retry-After``, server errors that persist or pass, and a connection dropped
without an answer. Every request is recorded, and the most requests in flight at
once are counted per ``Host`` header.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering


def _routes() -> dict:
    """path -> answer(method, count of earlier requests to this path)."""

    def always(status, **headers):
        return lambda method, count: Answer(status, dict(headers))

    def to(location, status=301):
        return lambda method, count: Answer(status, {"Location": location})

    return {
        "/ok": always(200),
        "/page#frag": always(200),
        "/gone": always(410),
        "/missing": always(404),
        "/forbidden": always(403),
        "/bad-request": always(400),
        "/moved": to("/ok", 301),
        "/moved-308": to("/ok", 308),
        "/chain1": to("/chain2", 301),
        "/chain2": to("/ok", 308),
        "/temp": to("/ok", 302),
        "/perm-then-temp": to("/temp", 301),
        "/moved-to-missing": to("/missing", 301),
        "/loop": to("/loop", 302),
        "/moved (paren": to("/new%20(paren", 301),
        "/new (paren": always(200),
        "/no-head": lambda method, count: Answer(405 if method == "HEAD" else 200),
        "/no-head-missing": lambda method, count: Answer(405 if method == "HEAD" else 404),
        "/head-lies": lambda method, count: Answer(200 if method == "HEAD" else 404),
        "/head-404": lambda method, count: Answer(404 if method == "HEAD" else 200),
        "/head-drops": lambda method, count: Answer(200, drop=method == "HEAD"),
        "/slow": lambda method, count: Answer(200, delay=1.5),
        "/busy": lambda method, count: Answer(429, {"Retry-After": "2"}) if count == 0 else Answer(200),
        "/busy-long": always(429, **{"Retry-After": "3600"}),
        "/busy-date": lambda method, count: Answer(429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) if count == 0 else Answer(200),
        "/down": always(503),
        "/flaky": lambda method, count: Answer(503) if count == 0 else Answer(200),
    }


class LinkServer:
    def __init__(self) -> None:
        self.routes = _routes()
        self.requests: list[tuple[str, str, str]] = []  # (method, path, host)
        self.lock = threading.Lock()
        self._counts: Counter = Counter()
        self._in_flight: Counter = Counter()
        self.max_in_flight: Counter = Counter()
        self.max_total_in_flight = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> LinkServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def hits(self, path: str, method: str | None = None) -> int:
        with self.lock:
            return sum(1 for m, p, _ in self.requests if p == path and (method is None or m == method))

    def add_slow_pages(self, count: int, delay: float) -> list[str]:
        paths = [f"/slow-page/{i}" for i in range(count)]
        for path in paths:
            self.routes[path] = lambda method, n, delay=delay: Answer(200, delay=delay)
        return paths

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self) -> None:
                from urllib.parse import unquote

                path = unquote(self.path)
                host = self.headers.get("Host", "")
                with server.lock:
                    server.requests.append((self.command, path, host))
                    count = server._counts[path]
                    server._counts[path] += 1
                    server._in_flight[host] += 1
                    server.max_in_flight[host] = max(server.max_in_flight[host], server._in_flight[host])
                    server.max_total_in_flight = max(server.max_total_in_flight, sum(server._in_flight.values()))
                answering = [False]

                def answered() -> None:
                    # Counted out before the answer goes: once the client has it, it may
                    # send its next request before this thread would get here again.
                    if not answering[0]:
                        answering[0] = True
                        with server.lock:
                            server._in_flight[host] -= 1

                try:
                    route = server.routes.get(path)
                    if route is None and path.startswith("/web/"):  # an archived copy: always there
                        route = server.routes["/ok"]
                    answer = route(self.command, count) if route else Answer(404)
                    if answer.delay:
                        time.sleep(answer.delay)
                    answered()
                    if answer.drop:
                        self.close_connection = True
                        return
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        if name == "Location" and value.startswith("/"):
                            value = f"http://{host}{value}"
                        self.send_header(name, value)
                    body = b"" if self.command == "HEAD" else b"<html>page</html>"
                    self.send_header("Content-Length", str(len(body)) if self.command != "HEAD" else "17")
                    self.end_headers()
                    if body:
                        try:
                            self.wfile.write(body)
                        except OSError:
                            pass
                finally:
                    answered()

            do_GET = _answer
            do_HEAD = _answer

        return Handler
