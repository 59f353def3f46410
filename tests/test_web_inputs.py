"""Feeds and sitemaps on a loopback server: their pages fetched, nested sitemap indexes followed,
filters applied before fetching, and `watch` polling only what changed."""

from __future__ import annotations

import gzip
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.ingest.fetcher import Fetcher, Policy
from crosswire.ingest.filters import Filters
from crosswire.ingest.watch import poll
from crosswire.ingest.web import WebStats, web_documents
from crosswire.pipeline import Options
from crosswire.records import Document, Failure
from crosswire.store.store import Store


def _article(title: str) -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{title}: the regional council said on Monday that the works would take two "
        "years and cost 40 million euros, according to a statement.</p></article></body></html>"
    ).encode()


def _rss(base: str, items: list[str]) -> bytes:
    entries = "".join(
        f"<item><title>{i}</title><link>{base}/{i}</link>"
        "<pubDate>Mon, 21 Oct 2024 07:28:00 GMT</pubDate></item>"
        for i in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{entries}</channel></rss>'.encode()


class Site:
    def __init__(self) -> None:
        self.items = ["a", "b", "c"]
        self.version = 1
        self.hits: list[str] = []
        site = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                status, body, headers = site.answer(self.path, self.headers.get("If-None-Match"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path: str, etag: str | None) -> tuple[int, bytes, dict[str, str]]:
        xml = {"Content-Type": "application/xml"}
        if path == "/rss.xml":
            current = f'"v{self.version}"'
            if etag == current:
                return 304, b"", {"ETag": current}
            return 200, _rss(self.base, self.items), {**xml, "ETag": current}
        if path == "/sitemap_index.xml":
            body = (
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{self.base}/sitemap1.xml</loc></sitemap>"
                f"<sitemap><loc>{self.base}/sitemap2.xml.gz</loc></sitemap></sitemapindex>"
            )
            return 200, body.encode(), xml
        if path == "/sitemap1.xml":
            body = (
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.base}/d</loc><lastmod>2024-10-20</lastmod></url>"
                f"<url><loc>{self.base}/e</loc><lastmod>2023-01-02</lastmod></url></urlset>"
            )
            return 200, body.encode(), xml
        if path == "/sitemap2.xml.gz":
            body = (
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                f"<url><loc>{self.base}/f</loc><news:news><news:publication>"
                "<news:language>en</news:language></news:publication>"
                "<news:publication_date>2024-10-22</news:publication_date>"
                "<news:title>F</news:title></news:news></url></urlset>"
            )
            return 200, gzip.compress(body.encode()), {"Content-Type": "application/gzip"}
        if path.lstrip("/") in {"a", "b", "c", "d", "e", "f", "g"}:
            return 200, _article(f"Story {path[1:]}"), {"Content-Type": "text/html"}
        return 404, b"no", {}


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.httpd.shutdown()


def _fetcher() -> Fetcher:
    return Fetcher(Policy(allow_private=True, delay=0.0, retries=0, timeout=5.0))


def _urls(docs: list[Document | Failure]) -> set[str]:
    assert not [d for d in docs if isinstance(d, Failure)]
    return {d.url or "" for d in docs if isinstance(d, Document)}


def test_a_feed_gives_its_pages(site: Site) -> None:
    stats = WebStats()
    with _fetcher() as f:
        docs = list(web_documents([f"{site.base}/rss.xml"], f, stats=stats))
    assert _urls(docs) == {f"{site.base}/{i}" for i in "abc"}
    assert (stats.listings, stats.listed) == (1, 3)


def test_a_sitemap_index_is_followed_to_its_pages(site: Site) -> None:
    with _fetcher() as f:
        docs = list(web_documents([f"{site.base}/sitemap_index.xml"], f))
    assert _urls(docs) == {f"{site.base}/{i}" for i in "def"}


def test_filters_apply_before_fetching(site: Site) -> None:
    stats = WebStats()
    with _fetcher() as f:
        docs = list(
            web_documents(
                [f"{site.base}/sitemap_index.xml"],
                f,
                filters=Filters(url_pattern="*/[df]"),
                stats=stats,
            )
        )
    assert _urls(docs) == {f"{site.base}/d", f"{site.base}/f"}
    assert "/e" not in site.hits and stats.filtered == 1


def test_a_page_url_is_a_page(site: Site) -> None:
    with _fetcher() as f:
        (doc,) = list(web_documents([f"{site.base}/a"], f))
    assert isinstance(doc, Document) and doc.kind == "html"


def test_watch_fetches_only_what_is_new(site: Site, tmp_path: Path) -> None:
    options = Options(read=False)
    feed = f"{site.base}/rss.xml"
    with Store(tmp_path / "x.db") as store, _fetcher() as f:
        first = poll(store, [feed], f, options)
        assert first.ingest.new == 3
        # Unchanged: one conditional request, answered 304, nothing else.
        site.hits.clear()
        second = poll(store, [feed], f, options)
        assert (second.unchanged, second.ingest.new) == (1, 0)
        assert site.hits == ["/rss.xml"]
        # A new item: only its page is fetched.
        site.items.append("g")
        site.version = 2
        site.hits.clear()
        third = poll(store, [feed], f, options)
        assert third.ingest.new == 1 and third.web.known == 3
        assert sorted(site.hits) == ["/g", "/rss.xml"]
        state = store.watched.get(feed)
        assert state is not None and state.etag == '"v2"' and state.status == "1 new"
        assert store.counts()["articles"] == 4


def test_watch_command_once(site: Site, tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    args = ["watch", f"{site.base}/rss.xml", "--db", db, "--once", "--allow-private"]
    result = CliRunner().invoke(main, [*args, "--delay", "0", "--no-read"])
    assert result.exit_code == 0, result.output
    assert "3 new" in result.stderr
    again = CliRunner().invoke(main, [*args, "--delay", "0", "--no-read"])
    assert "1 unchanged" in again.stderr and "0 new" in again.stderr
    refused = CliRunner().invoke(main, ["watch", f"{site.base}/rss.xml", "--db", db, "--once"])
    assert "refused" in refused.stderr  # loopback, without --allow-private


def test_ingest_takes_feed_and_page_urls(site: Site, tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    feed, page = f"{site.base}/rss.xml", f"{site.base}/d"
    args = ["ingest", "-q", "--no-read", "--db", db, "--delay", "0"]
    refused = CliRunner().invoke(main, [*args, feed])
    assert refused.exit_code == 1 and "refused" in refused.stderr
    result = CliRunner().invoke(main, [*args, "--allow-private", feed, page])
    assert result.exit_code == 0, result.output
    assert "4 new" in result.stderr
    with Store(db) as store:
        assert store.known_location(f"{site.base}/a") and store.known_location(page)
