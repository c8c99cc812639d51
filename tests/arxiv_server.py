"""A real HTTP server on 127.0.0.1 that answers like the arXiv API, for the online tests.

It serves Atom 1.0 as arXiv does: entries with versioned ``<id>``s, titles wrapped
over lines, ``max_results`` honoured (default 10, so a longer ``id_list`` is cut
short unless the client raises it), HTTP 400 with an ``Error`` entry when any ID
of ``id_list`` is malformed, HTTP 200 without an entry for an ID that does not
exist, and ``ti:"..."`` phrase searches. Scripted answers (429 with Retry-After,
503, a slow answer) can be queued. Entries come back in reverse order, so a
client that matches them by position fails.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

# What arXiv accepts as an identifier in id_list (stricter checks happen in vaultlint).
_WELL_FORMED = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Za-z-]+)?/\d{7})(?:v\d+)?$")

FEED_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
    '  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>\n'
    "  <title type=\"html\">ArXiv Query</title>\n"
    "  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>\n"
    "  <updated>2024-05-02T00:00:00-04:00</updated>\n"
)


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


@dataclass
class Scripted:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    delay: float = 0.0


@dataclass
class Request:
    at: float
    params: dict[str, str]
    user_agent: str | None


class FakeArxiv:
    """``papers``: id (no version) -> (title, latest version)."""

    def __init__(self, papers: dict[str, tuple[str, int]]) -> None:
        self.papers = dict(papers)
        self.requests: list[Request] = []
        self.script: list[Scripted] = []
        self.lock = threading.Lock()
        self.server = HTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/query"

    def start(self) -> FakeArxiv:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def queue(self, *answers: Scripted) -> None:
        with self.lock:
            self.script.extend(answers)

    # --- answers --------------------------------------------------------------

    def entry(self, arxiv_id: str) -> str:
        title, version = self.papers[arxiv_id]
        words = title.split(" ")
        middle = len(words) // 2
        wrapped = " ".join(words[:middle]) + "\n  " + " ".join(words[middle:]) if middle else title
        return (
            "  <entry>\n"
            f"    <id>http://arxiv.org/abs/{arxiv_id}v{version}</id>\n"
            "    <updated>2023-03-10T01:21:15Z</updated>\n"
            "    <published>2022-10-06T01:00:32Z</published>\n"
            f"    <title>{escape(wrapped)}</title>\n"
            "    <summary>An abstract.</summary>\n"
            "    <author><name>A. Author</name></author>\n"
            "    <author><name>B. Author</name></author>\n"
            f'    <link href="http://arxiv.org/abs/{arxiv_id}v{version}" rel="alternate" type="text/html"/>\n'
            '    <arxiv:primary_category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>\n'
            "  </entry>\n"
        )

    def feed(self, ids: list[str], total: int) -> str:
        entries = "".join(self.entry(arxiv_id) for arxiv_id in reversed(ids))
        return (
            FEED_HEAD
            + f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
            + "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            + f"  <opensearch:itemsPerPage>{len(ids)}</opensearch:itemsPerPage>\n"
            + entries
            + "</feed>\n"
        )

    @staticmethod
    def error_feed(arxiv_id: str) -> str:
        return (
            FEED_HEAD
            + "  <opensearch:totalResults>1</opensearch:totalResults>\n"
            + "  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_" + escape(arxiv_id) + "</id>\n"
            + "    <title>Error</title>\n"
            + f"    <summary>incorrect id format for {escape(arxiv_id)}</summary>\n"
            + "  </entry>\n</feed>\n"
        )

    def answer(self, params: dict[str, str]) -> tuple[int, dict[str, str], str]:
        limit = int(params.get("max_results", "10"))
        if "id_list" in params:
            ids = [item.strip() for item in params["id_list"].split(",") if item.strip()]
            for arxiv_id in ids:
                if not _WELL_FORMED.match(arxiv_id):
                    return 400, {}, self.error_feed(arxiv_id)
            known = [re.sub(r"v\d+$", "", arxiv_id) for arxiv_id in ids]
            known = [arxiv_id for arxiv_id in known if arxiv_id in self.papers]
            return 200, {}, self.feed(known[:limit], len(known))
        query = params.get("search_query", "")
        match = re.fullmatch(r'ti:"(.*)"', query)
        if not match:
            return 400, {}, self.error_feed(query)
        phrase = _normal(match.group(1))
        found = [arxiv_id for arxiv_id, (title, _) in self.papers.items() if phrase and phrase in _normal(title)]
        return 200, {}, self.feed(found[:limit], len(found))

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                params = {key: values[-1] for key, values in parse_qs(urlparse(self.path).query).items()}
                with fake.lock:
                    fake.requests.append(Request(time.monotonic(), params, self.headers.get("User-Agent")))
                    scripted = fake.script.pop(0) if fake.script else None
                if scripted is not None:
                    if scripted.delay:
                        time.sleep(scripted.delay)
                    status, headers, body = scripted.status, scripted.headers, scripted.body
                    if status == 200 and not body:  # a slow but normal answer
                        status, _, body = fake.answer(params)
                else:
                    status, headers, body = fake.answer(params)
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        return Handler
