"""The fetcher against servers started on 127.0.0.1: robots.txt, slow and endless responses, a
gzip bomb, redirect chains, private addresses, retries, conditional requests, per-host pauses."""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from crosswire.ingest import safety
from crosswire.ingest.fetcher import Fetched, Fetcher, Policy
from crosswire.records import Failure

PAGE = b"<html><head><title>Hi</title></head><body><p>News.</p></body></html>"
Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Server:
    base: str
    routes: dict[str, Handler]
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _send(
    h: http.server.BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str
) -> None:
    h.send_response(status)
    for name, value in headers.items():
        h.send_header(name.replace("_", "-"), value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


@pytest.fixture
def server() -> Iterator[Server]:
    routes: dict[str, Handler] = {}
    hits: list[str] = []

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            hits.append(self.path)
            handler = routes.get(self.path)
            if handler is None:
                _send(self, 404, b"no")
            else:
                handler(self)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    httpd.daemon_threads = True
    httpd.handle_error = lambda *args: None  # type: ignore[method-assign]  # a client that hangs up
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", routes, hits)
    httpd.shutdown()


def _fetcher(**kw: Any) -> Fetcher:
    base: dict[str, Any] = {"allow_private": True, "delay": 0.0, "retries": 0, "timeout": 5.0}
    return Fetcher(Policy(**(base | kw)))


def test_a_page_is_fetched_with_its_url_kind_and_charset(server: Server) -> None:
    server.routes["/a"] = lambda h: _send(h, 200, PAGE, Content_Type="text/html; charset=latin-1")
    with _fetcher() as f:
        got = f.fetch(server.url("/a"))
    assert isinstance(got, Fetched) and got.document is not None
    assert got.document.content == PAGE
    assert (got.document.kind, got.document.encoding) == ("html", "latin-1")
    assert got.document.url == server.url("/a")


def test_robots_rules_with_wildcards_and_longest_match(server: Server) -> None:
    rules = (
        "User-agent: *\nDisallow: /private\nAllow: /private/ok$\nDisallow: /*.pdf$\n"
        "User-agent: crosswire\nDisallow: /private\nAllow: /private/ok$\nDisallow: /*.pdf$\n"
    )
    server.routes["/robots.txt"] = lambda h: _send(h, 200, rules.encode())
    for path in ("/private/x", "/private/ok", "/news/a.pdf", "/news/a.pdf?x=1", "/news/a"):
        server.routes[path] = lambda h: _send(h, 200, PAGE, Content_Type="text/html")
    with _fetcher() as f:
        assert not f.allowed(server.url("/private/x"))
        assert f.allowed(server.url("/private/ok"))
        assert not f.allowed(server.url("/news/a.pdf"))
        assert f.allowed(server.url("/news/a.pdf?x=1"))
        assert f.allowed(server.url("/news/a"))
        refused = f.fetch(server.url("/private/x"))
    assert isinstance(refused, Failure) and "robots.txt" in refused.error
    assert "/private/x" not in server.hits
    assert server.hits.count("/robots.txt") == 1  # read once per host


def test_a_robots_server_error_means_fetch_nothing(server: Server) -> None:
    server.routes["/robots.txt"] = lambda h: _send(h, 503)
    server.routes["/a"] = lambda h: _send(h, 200, PAGE)
    with _fetcher() as f:
        assert isinstance(f.fetch(server.url("/a")), Failure)
    assert "/a" not in server.hits


def test_a_slow_server_times_out(server: Server) -> None:
    def slow(h: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(2)
        _send(h, 200, PAGE)

    server.routes["/slow"] = slow
    with _fetcher(timeout=0.3) as f:
        got = f.fetch(server.url("/slow"))
    assert isinstance(got, Failure) and "timed out" in got.error


def test_an_endless_body_stops_at_the_cap(server: Server) -> None:
    def endless(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"<p>" + b"x" * 8192 + b"</p>"
        try:
            for _ in range(100_000):
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass

    server.routes["/endless"] = endless
    with _fetcher(max_bytes=200_000) as f:
        got = f.fetch(server.url("/endless"))
    assert isinstance(got, Failure) and "larger than 200000 bytes" in got.error


def test_a_gzip_bomb_is_capped_after_decompression(server: Server) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    server.routes["/bomb"] = lambda h: _send(
        h, 200, bomb, Content_Type="text/html", Content_Encoding="gzip"
    )
    with _fetcher(max_bytes=1_000_000) as f:
        got = f.fetch(server.url("/bomb"))
    assert isinstance(got, Failure) and "larger than" in got.error


def _redirects(server: Server, n: int, final: str) -> str:
    def hop(target: str) -> Handler:
        return lambda h: _send(h, 302, Location=target)

    for i in range(n):
        server.routes[f"/r{i}"] = hop(f"/r{i + 1}" if i + 1 < n else final)
    return server.url("/r0")


def test_redirect_chains_are_followed_up_to_the_limit(server: Server) -> None:
    server.routes["/page"] = lambda h: _send(h, 200, PAGE, Content_Type="text/html")
    with _fetcher() as f:
        ok = f.fetch(_redirects(server, 4, "/page"))
        assert isinstance(ok, Fetched) and ok.final_url == server.url("/page")
    server.routes.clear()
    server.routes["/page"] = lambda h: _send(h, 200, PAGE)
    with _fetcher(max_redirects=5) as f:
        too_many = f.fetch(_redirects(server, 7, "/page"))
    assert isinstance(too_many, Failure) and "redirects" in too_many.error


def test_a_redirect_to_a_private_address_is_refused_unless_allowed(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "news.test" stands for a public host (it is this loopback server); where it redirects to
    # is checked for real.
    real = safety.resolve
    port = int(server.base.rsplit(":", 1)[1])

    def resolve(host: str, p: int, *, allow_private: bool = False) -> list[str]:
        return ["127.0.0.1"] if host == "news.test" else real(host, p, allow_private=allow_private)

    monkeypatch.setattr(safety, "resolve", resolve)
    server.routes["/go"] = lambda h: _send(h, 302, Location=f"http://localhost:{port}/inside")
    server.routes["/inside"] = lambda h: _send(h, 200, PAGE, Content_Type="text/html")
    start = f"http://news.test:{port}/go"
    with _fetcher(allow_private=False) as f:
        refused = f.fetch(start)
    assert isinstance(refused, Failure) and "refused" in refused.error
    assert "/inside" not in server.hits
    with _fetcher(allow_private=True) as f:
        allowed = f.fetch(start)
    assert isinstance(allowed, Fetched) and allowed.final_url.endswith("/inside")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://0177.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://localhost/",
        "http://user:pass@example.org/",
        "gopher://example.org/",
    ],
)
def test_special_addresses_in_any_spelling_are_refused(url: str) -> None:
    with Fetcher(Policy(delay=0.0, retries=0)) as f:
        got = f.fetch(url)
    assert isinstance(got, Failure) and got.error.startswith("refused"), url


def test_failures_are_retried_with_backoff(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    answers = iter([503, 503, 200])

    def flaky(h: http.server.BaseHTTPRequestHandler) -> None:
        status = next(answers)
        _send(h, status, PAGE if status == 200 else b"busy", Content_Type="text/html")

    server.routes["/flaky"] = flaky
    with _fetcher(retries=2, backoff=0.5) as f:
        got = f.fetch(server.url("/flaky"))
    assert isinstance(got, Fetched) and got.status == 200
    assert sleeps == [0.5, 1.0]
    server.routes["/down"] = lambda h: _send(h, 503, b"busy", Retry_After="3")
    sleeps.clear()
    with _fetcher(retries=1) as f:
        down = f.fetch(server.url("/down"))
    assert isinstance(down, Failure) and "HTTP 503" in down.error
    assert sleeps == [3.0]


def test_conditional_requests_say_when_nothing_changed(server: Server) -> None:
    def feed(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            _send(h, 304)
        else:
            _send(h, 200, b"<rss/>", ETag='"v1"', Last_Modified="Mon, 21 Oct 2024 07:28:00 GMT")

    server.routes["/feed"] = feed
    with _fetcher() as f:
        first = f.fetch(server.url("/feed"))
        assert isinstance(first, Fetched) and first.etag == '"v1"'
        assert first.last_modified == "Mon, 21 Oct 2024 07:28:00 GMT"
        again = f.fetch(server.url("/feed"), etag=first.etag)
    assert isinstance(again, Fetched) and again.not_modified and again.document is None


def test_requests_to_one_host_are_spaced(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    server.routes["/robots.txt"] = lambda h: _send(h, 200, b"User-agent: *\nCrawl-delay: 4\n")
    for i in range(3):
        server.routes[f"/p{i}"] = lambda h: _send(h, 200, PAGE)
    with _fetcher(delay=1.0) as f:
        for i in range(3):
            assert isinstance(f.fetch(server.url(f"/p{i}")), Fetched)
    # robots.txt first; the first page waits the default pause (the crawl-delay was not known
    # when robots.txt was asked for), the next ones the host's crawl-delay.
    assert sleeps == [1.0, 4.0, 4.0]
