"""Local sources and filters: WARC files, JSON Lines of pages, feeds, sitemaps, --since/--host."""

from __future__ import annotations

import gzip
import html
import json
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.ingest.feeds import FeedError, parse_feed
from crosswire.ingest.filters import Filters, period
from crosswire.ingest.sitemaps import SitemapError, parse_sitemap
from crosswire.ingest.warc import WarcStats, iter_warc
from crosswire.records import Article, Document, Failure, Link, Paragraph
from crosswire.store.store import Store

from conftest import SAMPLES

FUNDUS = SAMPLES / "fundus"
#: The bundled pages with the URLs they were published at (and the date each page gives).
PAGES = {
    "APNews_2024_09_03.html.gz": "https://apnews.com/article/trump-harris-presidential-election-2024-labor-day-151f82b59473d29a448ef1cea9afe471",
    "BBC_2024_08_01.html.gz": "https://www.bbc.com/news/explainers-63159607",
    "BR_2024_04_22.html.gz": "https://www.br.de/nachrichten/bayern/evangelische-kirche-landeskirche-will-missbrauch-aufarbeiten,UAf9GNd",
    "NineNews_2024_05_02.html.gz": "https://www.9news.com.au/world/usa-jeffrey-epstein-documents-released-but-some-questions-remain-unanswered/141e61e9-8a07-42e4-a527-2f03f45e7ef0",
    "TheGuardian_2024_02_24.html.gz": "https://www.theguardian.com/world/2024/feb/24/death-toll-in-valencia-fire-rises-to-10-as-remains-of-last-missing-person-found",
}  # fmt: skip
SEED_URL = "https://news.example.org/world/2024/10/23/north-korean-troops"


# -- building WARC files by hand: text headers, a block, two blank lines --------------------------


def warc_record(kind: str, uri: str, block: bytes, content_type: str) -> bytes:
    headers = (
        "WARC/1.0\r\n"
        f"WARC-Type: {kind}\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        "WARC-Date: 2024-10-24T08:00:00Z\r\n"
        + (f"WARC-Target-URI: {uri}\r\n" if uri else "")
        + f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return headers.encode() + block + b"\r\n\r\n"


def response(
    uri: str, body: bytes, content_type: str, *extra: str, status: str = "200 OK"
) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
    head += "".join(f"{h}\r\n" for h in extra)
    if not any(h.lower().startswith("transfer-encoding") for h in extra):
        head += f"Content-Length: {len(body)}\r\n"
    block = head.encode() + b"\r\n" + body
    return warc_record("response", uri, block, "application/http; msgtype=response")


def request(uri: str) -> bytes:
    host = uri.split("/")[2]
    block = f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\n\r\n".encode()
    return warc_record("request", uri, block, "application/http; msgtype=request")


def chunked(data: bytes, size: int = 4096) -> bytes:
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def seed_page() -> bytes:
    lines = (SAMPLES / "north-korean-troops.txt").read_text(encoding="utf-8").splitlines()
    title, body = lines[0], [line for line in lines[1:] if line.strip()]
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in body)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title>"
        '<meta property="article:published_time" content="2024-10-23T09:00:00Z">'
        f"</head><body><article><h1>{html.escape(title)}</h1>{paragraphs}</article>"
        "</body></html>"
    ).encode()


@dataclass
class Archive:
    path: Path
    urls: set[str]
    """The HTML pages it holds, each of which should be stored once."""


def build_archive(folder: Path, *, gz: bool) -> Archive:
    """A WARC of the bundled pages (each after its request), the seed page sent gzip-encoded and
    chunked, an image, a redirect, metadata, one broken record in the middle (garbage between
    records; a corrupt gzip member) and a truncated record at the end."""
    records: list[bytes] = [
        warc_record("warcinfo", "", b"software: hand-written\r\n", "application/warc-fields")
    ]
    urls = set()
    for name, url in PAGES.items():
        records.append(request(url))
        records.append(response(url, gzip.decompress((FUNDUS / name).read_bytes()), "text/html"))
        urls.add(url)
    records.insert(
        3,
        response(
            SEED_URL,
            chunked(gzip.compress(seed_page())),
            "application/xhtml+xml; charset=utf-8",
            "Content-Encoding: gzip",
            "Transfer-Encoding: chunked",
        ),
    )
    urls.add(SEED_URL)
    records.append(response("https://apnews.com/logo.png", b"\x89PNG\r\n\x1a\n" * 50, "image/png"))
    records.append(
        response("https://apnews.com/old", b"", "text/html", "Location: /new", status="301 Moved")
    )
    records.append(
        warc_record(
            "metadata",
            PAGES["BBC_2024_08_01.html.gz"],
            b"fetchTimeMs: 120\r\n",
            "application/warc-fields",
        )
    )
    truncated = response("https://apnews.com/cut", b"<html><p>" + b"cut " * 2000, "text/html")
    members = [gzip.compress(r) if gz else r for r in records]
    if gz:
        bad = bytearray(gzip.compress(request("https://apnews.com/bad")))
        bad[12:40] = b"\xff" * 28  # the deflate stream itself, past the gzip header
        members.insert(6, bytes(bad))
        members.append(gzip.compress(truncated[:-3000]))
    else:
        members.insert(6, b"this is no WARC record\r\n\r\n")
        members.append(truncated[:-3000])
    path = folder / ("crawl.warc.gz" if gz else "crawl.warc")
    path.write_bytes(b"".join(members))
    return Archive(path, urls)


def _stored_urls(db: str) -> list[str | None]:
    with Store(db) as store:
        return [a.url for a in store.iter_articles()]


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_a_warc_of_real_pages_is_ingested_once_and_broken_records_are_counted(
    tmp_path: Path, gz: bool
) -> None:
    archive = build_archive(tmp_path, gz=gz)
    db = str(tmp_path / "news.db")
    # One run reads and connects as a plain `crosswire ingest` does; the other keeps it quick.
    quick = [] if gz else ["--no-read", "--no-connect"]
    args = ["ingest", "-q", *quick, "--db", db, str(archive.path)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 1, first.output  # broken records are an input failure
    assert "skipped 2 broken WARC records" in first.stderr
    assert "6 new" in first.stderr and "1 failed" in first.stderr
    urls = _stored_urls(db)
    assert sorted(u for u in urls if u) == sorted(archive.urls)
    assert len(urls) == len(archive.urls)
    with Store(db) as store:
        seed = next(a for a in store.iter_articles() if a.url == SEED_URL)
        assert seed.title and "North Korea" in seed.title
        assert "troops" in seed.text  # the gzip-encoded, chunked body was decoded
        assert seed.source.startswith(str(archive.path) + "#urn:uuid:")
    again = CliRunner().invoke(main, args)
    assert "0 new" in again.stderr and "6 already known" in again.stderr
    assert len(_stored_urls(db)) == len(archive.urls)


def test_warc_records_are_skipped_silently_but_counted(tmp_path: Path) -> None:
    archive = build_archive(tmp_path, gz=True)
    stats = WarcStats()
    results = list(iter_warc(archive.path, stats=stats))
    docs = [r for r in results if isinstance(r, Document)]
    assert {d.url for d in docs} == archive.urls
    assert all(d.kind == "html" for d in docs)
    assert stats.pages == 6 and stats.broken == 2
    # warcinfo, 5 requests, the image, the redirect, the metadata record
    assert stats.skipped == 9
    (failure,) = [r for r in results if isinstance(r, Failure)]
    assert failure.source == str(archive.path) and "2 broken" in failure.error


@pytest.mark.parametrize("missing", [1500, 100])
def test_a_record_cut_short_does_not_swallow_the_next(tmp_path: Path, missing: int) -> None:
    pages = [
        response(f"https://a.example/{i}", f"<html><p>page {i}</p></html>".encode(), "text/html")
        for i in range(3)
    ]
    # Its Content-Length still counts the missing bytes, so reading it takes in the header of
    # the next record (100) or more (1500).
    cut = response("https://a.example/cut", b"<html><p>" + b"x" * 2000, "text/html")[:-missing]
    path = tmp_path / "cut.warc"
    path.write_bytes(pages[0] + cut + pages[1] + pages[2])
    stats = WarcStats()
    docs = [r for r in iter_warc(path, stats=stats) if isinstance(r, Document)]
    assert [d.url for d in docs] == [f"https://a.example/{i}" for i in range(3)]
    assert stats.broken == 1


def test_a_page_over_the_limit_fails_alone(tmp_path: Path) -> None:
    small = response("https://a.example/small", b"<html><p>small</p></html>", "text/html")
    big = response("https://a.example/big", b"<html><p>" + b"big " * 1000, "text/html")
    path = tmp_path / "x.warc"
    path.write_bytes(big + small)
    results = list(iter_warc(path, max_bytes=1000))
    assert isinstance(results[0], Failure) and "too large" in results[0].error
    assert "#urn:uuid:" in results[0].source
    assert isinstance(results[1], Document) and results[1].content == b"<html><p>small</p></html>"


def test_filters_on_a_warc_through_the_cli(tmp_path: Path) -> None:
    archive = build_archive(tmp_path, gz=True)
    db = str(tmp_path / "news.db")
    result = CliRunner().invoke(
        main,
        [
            *["ingest", "-q", "--no-read", "--no-connect", "--db", db, str(archive.path)],
            *["--host", "bbc.co.uk", "--host", "apnews.com", "--host", "bbc.com"],
            *["--since", "2024-01-01"],
        ],
    )
    # AP (2024-09-03) is kept; BBC's page (2022-10-10) fails --since after extraction; the
    # other four fail --host before extraction.
    assert _stored_urls(db) == [PAGES["APNews_2024_09_03.html.gz"]]
    assert "1 new" in result.stderr and "5 skipped (filter)" in result.stderr

    extracted = CliRunner().invoke(
        main, ["extract", str(archive.path), "--url-pattern", "*/2024/*", "--lang", "en"]
    )
    urls = [json.loads(line).get("url") for line in extracted.stdout.splitlines()]
    assert urls[:-1] == [SEED_URL, PAGES["TheGuardian_2024_02_24.html.gz"]]
    assert urls[-1] is None  # the broken-records report
    assert "4 skipped (filter)" in extracted.stderr


def test_bad_filter_options_are_refused() -> None:
    for args in (["--lang", "english"], ["--since", "24/10/2024"], ["--host", "https://"]):
        result = CliRunner().invoke(main, ["extract", *args, "x.html"])
        assert result.exit_code == 2, args
    result = CliRunner().invoke(
        main, ["extract", "--since", "2024-02-01", "--until", "2024-01-01", "x"]
    )
    assert result.exit_code == 2 and "--since is after --until" in result.output


# -- JSON Lines ------------------------------------------------------------------------------------


def test_json_lines_of_pages_and_texts_are_extracted(tmp_path: Path) -> None:
    page = gzip.decompress((FUNDUS / "TheGuardian_2024_02_24.html.gz").read_bytes()).decode()
    seed = (SAMPLES / "north-korean-troops.txt").read_text(encoding="utf-8")
    url = PAGES["TheGuardian_2024_02_24.html.gz"]
    path = tmp_path / "dump.jsonl"
    lines = [
        json.dumps({"url": url, "html": page}),
        json.dumps({"id": "seed", "text": seed}),
        json.dumps({"id": 3, "body": "no html, no text"}),
        "",
        "[1, 2]",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"].rsplit(":", 1)[1] for r in records] == ["1", "2", "3", "5"]
    guardian, text, missing, not_object = records
    assert guardian["kind"] == "html" and guardian["url"] == url
    assert "Valencia" in guardian["title"]
    assert text["kind"] == "text" and "North Korea" in text["text"]
    for record in (guardian, text):
        for p in record["paragraphs"]:
            assert record["text"][p["start"] : p["end"]] == p["text"]
    assert '"html" or "text"' in missing["errors"][0]
    assert not_object["id"] is None


def test_json_lines_stream_line_by_line_with_a_cap_per_line(tmp_path: Path) -> None:
    path = tmp_path / "texts.jsonl.gz"
    long_line = json.dumps({"text": "word " * 5000})
    short = json.dumps({"id": "s", "text": "Police said two people were hurt in Oslo on Monday."})
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(long_line + "\n" + short + "\n")
    result = CliRunner().invoke(main, ["extract", "--max-bytes", "2000", str(path)])
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["source"].endswith(":1") and "record too large" in first["errors"][0]
    assert second["source"].endswith(":2") and "Police" in second["text"]


def test_an_html_record_is_not_taken_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"html": "<p>Hello</p>"}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", "--plain", str(path)])
    (record,) = (json.loads(line) for line in result.stdout.splitlines())
    assert result.exit_code == 1 and "drop --plain" in record["errors"][0]


# -- feeds -----------------------------------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>World</title><link>https://news.example.org/</link>
<language>en-gb</language>
<item><title> Troops sent </title><link>/world/troops?utm=1#top</link>
  <pubDate>Wed, 23 Oct 2024 09:30:00 +0200</pubDate></item>
<item><title>Same page again</title><link>https://news.example.org/world/troops?utm=1</link></item>
<item><title>Only a guid</title><guid>https://news.example.org/world/guid</guid></item>
<item><title>Not a page</title><guid isPermaLink="false">tag:x,2024:1</guid></item>
<item><title>Script</title><link>javascript:alert(1)</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
<title>Nachrichten</title><id>urn:x</id><updated>2024-10-23T10:00:00Z</updated>
<entry><title>Ärzte warnen</title><id>urn:1</id>
  <link rel="alternate" href="https://www.br.de/nachrichten/a1"/>
  <link rel="enclosure" href="https://www.br.de/a1.mp3"/>
  <updated>2024-10-22T18:00:00Z</updated></entry>
</feed>""".encode()

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://a.example/"><title>A</title><link>https://a.example/</link></channel>
<item rdf:about="https://a.example/1"><title>One</title><link>https://a.example/1</link>
  <dc:date>2024-10-21</dc:date></item>
</rdf:RDF>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "ha">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rss version="2.0"><channel><title>&i;</title>
<item><title>&i;</title><link>https://a.example/1</link></item></channel></rss>"""

# feedparser keeps a declaration it deems safe (a plain value) and expands it: referenced a
# million times, a 100 kB value is 100 GB.
LINEAR = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "' + b"x" * 100_000 + b'">\n]>\n'
    b"<rss version='2.0'><channel><item><title>&big;&big;&big;</title>"
    b"<link>https://a.example/1</link></item></channel></rss>"
)

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&secret;</title><link>https://a.example/1</link>
</item></channel></rss>"""


def test_rss_links_are_resolved_deduplicated_and_dated() -> None:
    links = parse_feed(RSS, "https://news.example.org/feed.xml")
    assert links == [
        Link(
            "https://news.example.org/world/troops?utm=1",
            published="2024-10-23T07:30:00+00:00",
            title="Troops sent",
            language="en",
        ),
        Link("https://news.example.org/world/guid", title="Only a guid", language="en"),
    ]


def test_atom_and_rss_1_feeds() -> None:
    (entry,) = parse_feed(ATOM, None)
    assert entry == Link(
        "https://www.br.de/nachrichten/a1",
        published="2024-10-22T18:00:00+00:00",
        title="Ärzte warnen",
        language="de",
    )
    (item,) = parse_feed(RDF, None)
    assert item.url == "https://a.example/1" and (item.published or "").startswith("2024-10-21")


@pytest.mark.parametrize(
    "content",
    [
        LAUGHS,
        LINEAR,
        EXTERNAL,
        LAUGHS.replace(b'"1.0"?>', b'"1.0" encoding="utf-16"?>').decode().encode("utf-16"),
    ],
    ids=["billion-laughs", "linear-blowup", "external-entity", "utf-16"],
)
def test_feeds_declaring_entities_are_refused_before_parsing(
    content: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    import feedparser  # type: ignore[import-untyped]

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the feed reached the parser")

    monkeypatch.setattr(feedparser, "parse", never)
    with pytest.raises(FeedError, match="entities"):
        parse_feed(content, None)


def test_a_doctype_without_entities_is_fine_and_a_page_is_no_feed() -> None:
    netscape = RSS.replace(
        b"<rss",
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss',
    )
    assert len(parse_feed(netscape, "https://news.example.org/")) == 2
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body><p>hello</p></body></html>", None)


# -- sitemaps --------------------------------------------------------------------------------------

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url>
    <loc>
      https://a.example/2024/10/23/one
    </loc>
    <lastmod>2024-10-23</lastmod>
  </url>
  <url><loc>/relative</loc></url>
  <url><loc>https://a.example/2024/10/23/one</loc></url>
  <url><loc>ftp://a.example/file</loc></url>
  <url><lastmod>2024-10-23</lastmod></url>
</urlset>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:n="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://www.br.de/nachrichten/a1</loc><lastmod>2024-10-24</lastmod>
    <n:news><n:publication><n:name>BR24</n:name><n:language>de</n:language></n:publication>
      <n:publication_date>2024-10-22T18:00:00+02:00</n:publication_date>
      <n:title>\xc3\x84rzte warnen</n:title></n:news></url>
</urlset>"""

INDEX = b"""<sitemapindex>
  <sitemap><loc>https://a.example/sitemap-2024-10.xml.gz</loc></sitemap>
  <sitemap><loc>https://a.example/news.xml</loc></sitemap>
  <sitemap><loc>https://a.example/news.xml</loc></sitemap>
</sitemapindex>"""


def test_a_urlset_gives_its_pages() -> None:
    sitemap = parse_sitemap(URLSET, "https://a.example/sitemap.xml")
    assert sitemap.sitemaps == []
    assert sitemap.links == [
        Link("https://a.example/2024/10/23/one", published="2024-10-23"),
        Link("https://a.example/relative"),
    ]


def test_a_news_sitemap_gives_dates_titles_and_languages() -> None:
    (link,) = parse_sitemap(NEWS, None).links
    assert link == Link(
        "https://www.br.de/nachrichten/a1",
        published="2024-10-22T18:00:00+02:00",
        title="Ärzte warnen",
        language="de",
    )


def test_a_sitemap_index_gives_its_sitemaps_and_gzip_is_read() -> None:
    index = parse_sitemap(gzip.compress(INDEX), None)
    assert index.links == []
    assert index.sitemaps == [
        "https://a.example/sitemap-2024-10.xml.gz",
        "https://a.example/news.xml",
    ]
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(SitemapError, match="larger than"):
        parse_sitemap(bomb, None, max_bytes=1_000_000)


@pytest.mark.parametrize(
    "content",
    [
        LAUGHS.replace(b"<rss", b"<urlset").replace(b"DOCTYPE rss", b"DOCTYPE urlset"),
        EXTERNAL.replace(b"DOCTYPE rss", b"DOCTYPE urlset"),
        b'<!DOCTYPE urlset SYSTEM "http://a.example/x.dtd"><urlset/>',
    ],
    ids=["billion-laughs", "external-entity", "external-dtd"],
)
def test_sitemaps_with_a_dtd_are_refused(content: bytes) -> None:
    with pytest.raises(SitemapError, match="refused"):
        parse_sitemap(content, None)


def test_what_is_not_a_sitemap_is_an_error() -> None:
    with pytest.raises(SitemapError, match="root element is <html>"):
        parse_sitemap(b"<html><body/></html>", None)
    with pytest.raises(SitemapError, match="well-formed"):
        parse_sitemap(b"<urlset><url>", None)


# -- filters ---------------------------------------------------------------------------------------


def _article(url: str | None, published: str | None, language: str | None) -> Article:
    return Article(
        id="x",
        source="x",
        url=url,
        published=published,
        language=language,
        paragraphs=[Paragraph("text", "body")],
    )


def test_hosts_match_themselves_and_subdomains_ignoring_www() -> None:
    filters = Filters(hosts=frozenset({"www.BBC.co.uk", "https://apnews.com/x"}))
    assert filters.hosts == {"bbc.co.uk", "apnews.com"}
    for url in ("https://bbc.co.uk/a", "https://www.bbc.co.uk/a", "http://news.bbc.co.uk:8080/"):
        assert filters.accept_url(url), url
    for url in ("https://notbbc.co.uk/a", "https://bbc.co.uk.evil.example/", "https://bbc.com/"):
        assert not filters.accept_url(url), url
    assert filters.accept_url("https://apnews.com/article/1")
    assert Filters(hosts=frozenset({"bücher.de"})).accept_url("https://www.xn--bcher-kva.de/a")
    assert Filters(hosts=frozenset({"[::1]:8080"})).accept_url("http://[::1]/a")


def test_url_pattern_is_a_glob_over_the_whole_url() -> None:
    filters = Filters(url_pattern="*/politics/*")
    assert filters.accept_url("https://a.example/politics/budget")
    assert not filters.accept_url("https://a.example/sport/politics")
    assert not Filters(url_pattern="https://a.example/*").accept_url("https://b.example/a.example/")


def test_dates_are_inclusive_and_periods_overlap() -> None:
    filters = Filters(since=date(2024, 10, 1), until=date(2024, 10, 31))
    assert period("2024-10") == (date(2024, 10, 1), date(2024, 10, 31))
    assert period("2024-10-23T23:30:00-05:00") == (date(2024, 10, 23), date(2024, 10, 23))
    assert period("soon") is None
    for kept in ("2024-10-01", "2024-10-31T23:59:00+00:00", "2024-10", "2024"):
        assert filters.date_reason(kept) is None, kept
    assert "before --since" in (filters.date_reason("2024-09-30") or "")
    assert "after --until" in (filters.date_reason("2024-11") or "")
    assert "no publication date" in (filters.date_reason(None) or "")


def test_links_pass_on_what_the_listing_does_not_say() -> None:
    filters = Filters(
        since=date(2024, 10, 1), languages=frozenset({"EN"}), hosts=frozenset({"a.example"})
    )
    assert filters.accept_link(Link("https://a.example/1"))
    assert filters.accept_link(Link("https://a.example/1", published="2024-10-02", language="en"))
    assert not filters.accept_link(Link("https://a.example/1", published="2024-09-30"))
    assert not filters.accept_link(Link("https://a.example/1", language="de"))
    assert not filters.accept_link(Link("https://b.example/1"))


def test_articles_say_why_they_are_filtered_out() -> None:
    filters = Filters(
        since=date(2024, 10, 1), languages=frozenset({"en-US"}), hosts=frozenset({"a.example"})
    )
    assert filters.accept_article(_article("https://a.example/1", "2024-10-02", "en")) is None
    reasons = {
        "host": _article("https://b.example/1", "2024-10-02", "en"),
        "no URL": _article(None, "2024-10-02", "en"),
        "before --since": _article("https://a.example/1", "2024-09-02", "en"),
        "no publication date": _article("https://a.example/1", None, "en"),
        "language de": _article("https://a.example/1", "2024-10-02", "de"),
        "no detected language": _article("https://a.example/1", "2024-10-02", None),
    }
    for words, article in reasons.items():
        assert words in (filters.accept_article(article) or ""), words
    assert not Filters().active
    assert Filters().accept_article(_article(None, None, None)) is None
    with pytest.raises(ValueError, match="ISO 639-1"):
        Filters(languages=frozenset({"english"}))


def test_a_file_that_is_no_warc_says_so(tmp_path: Path) -> None:
    for name, content in (("empty.warc", b""), ("page.warc.gz", gzip.compress(b"<html></html>"))):
        path = tmp_path / name
        path.write_bytes(content)
        (failure,) = list(iter_warc(path))
        assert isinstance(failure, Failure) and "not a WARC file" in failure.error
