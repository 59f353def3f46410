"""Fuzz targets (hypothesis) for the parts that read untrusted bytes or draw untrusted text.

One target each for extraction (``crosswire extract`` on one document), analysis (the read stage,
as ``crosswire analyze --plain`` runs it), feed and sitemap parsing, WARC reading and the serve
layer's escaping. Inputs are built from structure (tag soup with entities and broken bytes, feed
and sitemap skeletons with hostile fields and DOCTYPEs, valid WARC records with mutated headers,
lengths and gzip members), not only random bytes, so that the fuzzer gets past the first parser.

The properties: only the documented error types come out (``DocumentError`` per document,
``FeedError``, ``SitemapError``; WARC reading and escaping raise nothing), every offset indexes the
text it names, nothing undecodable leaks out, entities are never expanded, no network is touched,
and no executable markup survives escaping. Every crash the fuzzers found is pinned below as a
plain regression test (``test_regression_*``).

In CI the targets run a bounded, reproducible number of examples (``derandomize``; the whole file
takes well under a minute). The long run uses random seeds, keeps the example database in
``.hypothesis/`` (a failure found once replays first next time), steers generation towards slow
inputs and holds each example to the per-document time limit::

    CROSSWIRE_FUZZ=long CROSSWIRE_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest \\
        tests/test_fuzz.py --hypothesis-show-statistics -k "not regression"

``CROSSWIRE_FUZZ_EXAMPLES`` is the number of examples per target (default 5000). One target:
``-k extraction_fuzz`` (or ``analysis_fuzz``, ``feed_fuzz``, ``sitemap_fuzz``, ``warc_fuzz``,
``escaping_fuzz``).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import socket
import tempfile
import time
import zlib
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import brotli
import pytest
from hypothesis import HealthCheck, assume, event, given, settings, target
from hypothesis import strategies as st

from crosswire.errors import DocumentError, DocumentTooLargeError
from crosswire.extract import extract
from crosswire.extract.guard import DEFAULT_TIMEOUT
from crosswire.extract.verbatim import extract_verbatim
from crosswire.ingest.feeds import FeedError, parse_feed
from crosswire.ingest.sitemaps import Sitemap, SitemapError, parse_sitemap
from crosswire.ingest.warc import WarcStats, iter_warc
from crosswire.records import (
    Article,
    Claim,
    Document,
    Entity,
    Failure,
    Link,
    Mention,
    Quote,
    Reading,
)
from crosswire.serve.charts import Dated, Pin, map_svg, timeline_svg
from crosswire.serve.markup import Span, annotate, mark_snippet, spans_of

from _checks import assert_offsets_index_text

LONG = os.environ.get("CROSSWIRE_FUZZ") == "long"
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "crosswire-fuzz-ci", deadline=None, derandomize=True, suppress_health_check=_SLOW
)
settings.register_profile(
    "crosswire-fuzz-long",
    deadline=None,
    suppress_health_check=_SLOW,
    max_examples=int(os.environ.get("CROSSWIRE_FUZZ_EXAMPLES", "5000")),
)


def fuzz(ci_examples: int) -> settings:
    """Settings for one target: ``ci_examples`` in CI (weighted by each target's cost), the
    long profile's count otherwise. Profiles are taken as parents, never loaded, so the other
    test files' hypothesis settings stay as they are."""
    if LONG:
        return settings(settings.get_profile("crosswire-fuzz-long"))
    return settings(settings.get_profile("crosswire-fuzz-ci"), max_examples=ci_examples)


@contextlib.contextmanager
def within_limit(label: str = "seconds") -> Iterator[None]:
    """In long runs, steer hypothesis towards slow inputs and hold each to the per-document
    limit; CI runs hold no clock (the guard's kill, not these tests, enforces it there)."""
    began = time.perf_counter()
    try:
        yield
    finally:
        if LONG:
            took = time.perf_counter() - began
            target(took, label=label)
            if took >= DEFAULT_TIMEOUT:
                # Over the limit is the failure, whatever the call raised.
                raise AssertionError(f"took {took:.1f} s, over the per-document limit")


@contextlib.contextmanager
def no_network() -> Iterator[None]:
    """Any connection attempt (an external DTD, an entity's SYSTEM URL) fails the example, even
    one the parser catches and shrugs off."""
    real = socket.socket.connect
    attempts: list[object] = []

    def refuse(_: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("no network in fuzz tests")

    socket.socket.connect = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect = real  # type: ignore[method-assign]
        assert not attempts, f"a parser tried to connect to {attempts}"


def _encodable(value: str | None) -> None:
    """What comes out is stored and printed as UTF-8: no lone surrogates."""
    if value is not None:
        value.encode("utf-8")


# --- shared pieces ----------------------------------------------------------------------------

_WORDS = (
    "the minister said on Monday that 40 troops had crossed into Kyiv Ukraine according to "
    "Reuters officials warned more than 11,000 people were killed up 5% from May President "
    "Zelenskyy told reporters in Paris NATO chief Mark Rutte added"
).split()
_WEIRD = [
    "\x00", "\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\ufeff", "\ufffd", "\u2028",
    "\u0085", "\r", "\r\n", "\t", "\x0b", "\x0c", "\x1b", "\x7f", "\x9b", "é", "ß", "ﬁ", "İ",
    "𝕏", "👍🏽", "e\u0301", "中文", "العربية", "שלום", "Жук", "\ue000", "\ue001", " ", "\n\n",
]  # fmt: skip
_ENTITIES = [
    "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&#0;", "&#x0;", "&#xD800;", "&#55296;",
    "&#x110000;", "&#99999999999;", "&#27;", "&#x1b;", "&#128;", "&#x85;", "&bogus;", "&amp",
    "&", "&#", "&#x;", "&ampamp;", "&#x202e;", "&#8203;", "&#xFEFF;", "&#65535;",
]  # fmt: skip
_RAW = [
    b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xff", b"\xfe\xff", b"\xff\xfe", b"\xc3(", b"\xe2\x82",
    b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80", b"\x00", b"\xef\xbb\xbf", b"\x1f\x8b\x08",
    b"%PDF-", b"\x89PNG",
]  # fmt: skip
_URLS = [
    "https://news.example.org/world/a-story", "http://example.com/p?id=1#top", "/relative/page",
    "page.html", "//cdn.example.net/x", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    " javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "mailto:a@example.org",
    "http://[::1]/", "http://[", "http://[::1", "https://[v1.x]/", "https://user:pw@host.example/",
    "http://exa mple.org/", "https://例え.jp/パス", "http://%zz/", "http:///path",
    "http://host.example:99999/", "http://host.example:-1/", "  https://a.example/#frag  ",
    "https://a.example/?q=1#x", "\x00http://a.example/", "file:///etc/passwd", "ftp://x.example/",
    "https://a.example/" + "a" * 3000, "https://xn--.example/", "http://127.0.0.1/", "",
    "https://a.example/\u202ecod.exe", "https://a.example/\ud800",
]  # fmt: skip
_DATES = [
    "Mon, 21 Oct 2024 08:00:00 GMT", "2024-10-21T08:00:00Z", "2024-10-21", "0000-00-00",
    "9999-12-31T23:59:59+14:00", "Sun, 31 Dec 9999 23:59:59 -1200", "Tue, 30 Feb 2024 00:00:00",
    "yesterday", "", "1e100", "10000-01-01", "-0001-01-01", "99999999999", "2024-13-45T99:99:99",
    "Mon, 01 Jan 0001 00:00:00 +2359", "1970-01-01T00:00:00-99:99",
]  # fmt: skip
_LANGS = ["en", "en-US", "EN_gb", "x", "", "zz-ZZ", "123", "\u202een", "de-DE-1996", "i-klingon"]


def _words(min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(_WORDS), min_size=min_size, max_size=max_size).map(" ".join)


_TEXT = st.one_of(
    _words(),
    st.sampled_from(_WEIRD),
    st.sampled_from(_ENTITIES),
    st.text(max_size=12),
)


def _hostile_str() -> st.SearchStrategy[str]:
    return st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "<script>alert(1)</script>",
                    "<img src=x onerror=alert(1)>",
                    '"><svg onload=alert(1)>',
                    "'",
                    '"',
                    "`",
                    "&lt;script&gt;",
                    "&#60;script",
                    "</span>",
                    "</a>",
                    "<!--",
                    "-->",
                    "]]>",
                    "javascript:alert(1)",
                    "<a href='javascript:x'>",
                    "<<script>script>",
                    "{{ 7*7 }}",
                    "\\",
                    "<",
                    ">",
                    "&",
                    "on",
                    "onclick=",
                    " onmouseover=alert(1) ",
                    "<mark>",
                    "</mark>",
                ]
            ),
            st.sampled_from(_WEIRD),
            st.sampled_from(_URLS),
            st.text(max_size=8),
        ),
        max_size=8,
    ).map("".join)


# --- extraction -------------------------------------------------------------------------------

_TAGS = [
    "html", "head", "body", "title", "meta", "p", "div", "article", "main", "section", "span",
    "a", "b", "i", "em", "strong", "h1", "h2", "br", "hr", "img", "figure", "figcaption",
    "table", "tr", "td", "ul", "li", "blockquote", "q", "pre", "code", "script", "style",
    "noscript", "iframe", "svg", "math", "template", "textarea", "select", "option", "form",
    "input", "nav", "header", "footer", "aside", "time", "base", "link", "object", "frameset",
    "plaintext", "xmp", "foreignObject", "x:y", "ARTICLE", "p\x00",
]  # fmt: skip
_ATTRS = [
    "class", "id", "href", "src", "lang", "dir", "charset", "content", "name", "property",
    "http-equiv", "itemprop", "datetime", "style", "onclick", "onerror", "srcset", "rel", "type",
    "xmlns", "data-x", "hidden", "aria-hidden",
]  # fmt: skip
_ATTR_VALUES = st.one_of(
    st.sampled_from(_URLS),
    st.sampled_from(_DATES),
    st.sampled_from(
        [
            "article:published_time", "og:title", "author", "description", "datePublished",
            "Content-Type", "text/html; charset=utf-16", "rtl", "main-content", "comments",
            "display:none", "refresh",
        ]
    ),
    _TEXT,
)  # fmt: skip
_CHARSETS = [
    "utf-8", "utf-16", "utf-16le", "utf-32", "x-user-defined", "iso-8859-1", "windows-1252",
    "shift_jis", "iso-2022-jp", "utf-7", "koi8-r", "gb18030", "bogus", "", "utf-8\x00", "cp1026",
]  # fmt: skip


@st.composite
def _open_tag(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(_TAGS))
    attrs = []
    for attr in draw(st.lists(st.sampled_from(_ATTRS), max_size=4)):
        value = draw(_ATTR_VALUES)
        quote = draw(st.sampled_from(['"', "'", "", '"']))
        attrs.append(f"{attr}={quote}{value}{quote}" if draw(st.booleans()) else attr)
    end = draw(st.sampled_from([">", "/>", "", " >"]))
    return f"<{name}{''.join(' ' + a for a in attrs)}{end}"


_MARKUP = st.one_of(
    _open_tag(),
    st.sampled_from(_TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(_CHARSETS).map(lambda c: f'<meta charset="{c}">'),
    st.sampled_from(
        [
            "<!DOCTYPE html>", "<!doctype html public>", "<!-- c -->", "<!--", "-->", "<!x>",
            "<![CDATA[ x ]]>", '<?xml version="1.0" encoding="utf-16"?>', "<?php ?>", "</>",
            "<", ">", "<p", "</p", "&", '<meta http-equiv="refresh" content="0;url=javascript:x">',
            "<html><head><title>T</title></head><body>", "</body></html>",
        ]
    ),
)  # fmt: skip
_PARAGRAPH = st.lists(_words(8, 30).map(lambda s: s.capitalize() + "."), min_size=1, max_size=4)


@st.composite
def html_documents(draw: st.DrawFn) -> bytes:
    """Tag soup around a few real paragraphs: misnested and unclosed tags, hostile attributes,
    entities, control and bidi characters, and bytes that are not UTF-8."""
    parts: list[bytes] = [draw(st.sampled_from([b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b" \n"]))]
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 9))
        if kind < 4:
            parts.append(draw(_MARKUP).encode("utf-8", "surrogatepass"))
        elif kind < 6:
            parts.append(draw(_TEXT).encode("utf-8", "surrogatepass"))
        elif kind < 8:
            para = " ".join(draw(_PARAGRAPH))
            tag = draw(st.sampled_from(["p", "div", "li", "td", "blockquote", "h2"]))
            parts.append(f"<{tag}>{para}</{tag}>".encode())
        else:
            parts.append(draw(st.sampled_from(_RAW)))
    content = b"".join(parts)
    if draw(st.integers(0, 9)) == 0:
        # The same soup in another encoding, declared or not.
        enc = draw(st.sampled_from(["utf-16", "utf-16-be", "cp1252", "koi8-r", "utf-32"]))
        content = content.decode("utf-8", "replace").encode(enc, "replace")
    return content


_TEXT_LINES = [
    "Share this article", "Advertisement", "Read more:", "Related stories", "By Jane Doe",
    "Updated 21 October 2024, 08:00", "Posted Mon 21 Oct 2024 at 8:00am", "© 2024 News Corp",
    "Skip to main content", "* * *", "---", "=====", "• bullet", "1.", "Image: Reuters",
    "Photo: AP/John Smith", "Subscribe to our newsletter", "Tags: war, Ukraine", "",
    "Comments (12)", "Loading...", "Topic: War", "21/10/2024", "2024-10-21", "Follow us",
]  # fmt: skip


@st.composite
def text_documents(draw: st.DrawFn) -> bytes:
    """Plain-text copies of pages: chrome lines, dates, bylines and real paragraphs."""
    line = st.one_of(
        st.sampled_from(_TEXT_LINES),
        _PARAGRAPH.map(" ".join),
        _TEXT,
        _words(1, 5).map(str.title),
    )
    lines = draw(st.lists(line, max_size=30))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    return newline.join(lines).encode("utf-8", "surrogatepass") + draw(
        st.sampled_from([b"", b"", b"\xed\xa0\x80", b"\xff"])
    )


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_article(article: Article) -> None:
    text = article.text
    _encodable(text)
    # Control characters are dropped, even those that entities (&#27;) bring back.
    assert not _CONTROLS.search(text)
    for name in ("title", "byline", "description", "published", "language"):
        _encodable(getattr(article, name))
        assert not _CONTROLS.search(getattr(article, name) or "")
    for p in article.paragraphs:
        assert text[p.start : p.end] == p.text
    assert any(p.text.strip() for p in article.paragraphs)


@fuzz(150)
@given(
    st.one_of(html_documents(), text_documents(), st.binary(max_size=300)),
    st.sampled_from([None, None, "html", "text"]),
    st.sampled_from([None, None, "utf-8", "utf-16", "latin-1", "bogus", "x-user-defined"]),
    st.sampled_from([20_000_000, 20_000_000, 400]),
)
def test_extraction_fuzz(content: bytes, kind: Any, encoding: str | None, max_bytes: int) -> None:
    doc = Document(
        source="fuzz", content=content, url="https://news.example.org/a", kind=kind,
        encoding=encoding,
    )  # fmt: skip
    try:
        with within_limit():
            article = extract(doc, max_bytes=max_bytes)
    except DocumentTooLargeError:
        assert len(content) > max_bytes
        event("DocumentTooLargeError")
        return
    except DocumentError as exc:
        event(type(exc).__name__)
        return
    assert len(content) <= max_bytes
    event(f"{article.kind} article")
    check_article(article)


# --- analysis ---------------------------------------------------------------------------------

_NEWS = [
    "Volodymyr Zelenskyy", "Mr Biden", "Dr Jenny Mathers", "NATO", "the Pentagon", "Kim Jong Un",
    "He", "she", "they", "a spokesperson", "Reuters", "the ministry's", "Ukraine's president",
    " said", " told reporters", " according to ", " claimed", " warned", " added", ": ", " says",
    "“", "”", '"', "'", "‘", "’", "«", "»", "„", "‹", "›", "「", "」", " — ", "--",
    "40", "1,000", "3.5", "5%", "$3bn", "€2 million", "10,000 troops", "40 km", "-7", "1e10",
    "½", "٣", "10^400", "9" * 400, "0.000", "1,2,3,4", "III", "twenty-one", "a dozen",
    "more than 11,000", "between 5 and 3", "up 5% from May", "1.5-2", "100 000", "nearly",
    "about", "0%", "-0", "∞", "1/0", "¥", "°C", "per cent",
    "on Monday", "last week", "31 February 2024", "2024-13-45", "in 1999", "in 99999",
    "next year", "the 1990s", "Q3 2024", "week 53", "yesterday", "tomorrow", "2 years ago",
    "since 0001", "9999-12-31", "year 10000", "12/31/2024", "13/13/13", "in 9999", "next decade",
    "for 2.5 years", "by 10000 BC", "the 21st century", "summer", "last 9999 years",
    "Kyiv, Ukraine", "Paris", "Georgia", "Washington", "the Middle East", "Kursk region",
    ".", ",", "\n", "\n\n", " ", "(", ")", "?", "!", "…", "-", "'s", " ", " ", " ",
]  # fmt: skip


@st.composite
def news_texts(draw: st.DrawFn) -> str:
    """Text made of what the read stage looks for (names, cues, quote marks, numbers, dates,
    places) in random order, with control, bidi and zero-width characters among it."""
    quoted = st.tuples(
        st.sampled_from(["“", '"', "‘", "«", "„", "「", "'"]),
        st.lists(st.sampled_from(_NEWS), max_size=8).map("".join),
        st.sampled_from(["”", '"', "’", "»", "“", "」", "'", ""]),
    ).map("".join)
    pieces = st.one_of(
        st.sampled_from(_NEWS),
        st.sampled_from(_NEWS),
        quoted,
        st.sampled_from(_WEIRD),
        st.text(max_size=6),
    )
    text = "".join(draw(st.lists(pieces, min_size=1, max_size=80)))
    assume(text.strip())
    return text


_PUBLISHED = st.one_of(
    st.none(),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.sampled_from(["2024-10-21T08:00:00+00:00", "0001-01-01", "9999-12-31", "2024-02-29"]),
)


@pytest.fixture(scope="module")
def warm() -> None:
    """The spaCy model and the read stage's tables loaded once, before any example's clock."""
    from crosswire.pipeline import _warmup

    _warmup(read=True)


@fuzz(60)
@given(news_texts(), _PUBLISHED)
def test_analysis_fuzz(warm: None, text: str, published: str | None) -> None:
    from crosswire.read import read_article

    raw = text.encode("utf-8", "surrogatepass")
    try:
        article = extract_verbatim(Document(source="fuzz", content=raw))
    except DocumentError:
        return
    article.published = published
    with within_limit():
        reading = read_article(article)
    record = {"text": article.text, **reading.to_dict()}
    event("quotes" if reading.quotes else "no quotes")
    event("claims" if reading.claims else "no claims")
    assert_offsets_index_text(record)
    for e in reading.entities:
        for m in e.mentions:
            assert 0 <= m.start < m.end <= len(article.text)
    for p in reading.places:
        assert -90 <= p.lat <= 90 and -180 <= p.lon <= 180


@fuzz(40)
@given(
    st.lists(st.one_of(news_texts(), st.sampled_from(_TEXT_LINES)), min_size=1, max_size=8),
    st.sampled_from(["text", "html"]),
)
def test_analysis_fuzz_extracted(warm: None, paragraphs: list[str], kind: Any) -> None:
    """``crosswire analyze page``: the read stage on what extraction made of a page."""
    from crosswire.read import read_article

    if kind == "html":
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        raw = f"<html><body><article>{body}</article></body></html>"
    else:
        raw = "\n\n".join(paragraphs)
    try:
        article = extract(
            Document(source="fuzz", content=raw.encode("utf-8", "surrogatepass"), kind=kind)
        )
    except DocumentError:
        return
    with within_limit():
        reading = read_article(article)
    assert_offsets_index_text({"text": article.text, **reading.to_dict()})


# --- feeds ------------------------------------------------------------------------------------

_MARKER = "XXEXPANDEDXX"
_DOCTYPES = [
    "",
    "",
    '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
    '"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
    f'<!DOCTYPE rss [<!ENTITY e "{_MARKER}">]>',
    f'<!DOCTYPE rss [<!ENTITY e "{_MARKER}"><!ENTITY f "&e;&e;&e;&e;">]>',
    '<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://203.0.113.1/x.dtd">%p;]>',
    '<!DOCTYPE rss SYSTEM "http://203.0.113.1/x.dtd">',
    '<!DOCTYPE rss [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
    f'<!DOCTYPE rss [<! ENTITY e "{_MARKER}">]>',
    f'<!DOCTYPE rss [<!entity e "{_MARKER}">]>',
    "<!DOCTYPE rss [<!ELEMENT rss ANY>]>",
    "<!DOCTYPE html>",
    "<!DOCTYPE rss [",
]
_ENCODINGS = ["utf-8", "utf-8", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252", "utf-32"]
_DECLARED = st.one_of(
    st.none(),
    st.sampled_from(["utf-8", "UTF-16", "iso-8859-1", "bogus", "utf-32", "ebcdic-cp-us", ""]),
)
_DOCTYPE = st.one_of(st.just(""), st.sampled_from(_DOCTYPES))


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CLEAN_URLS = [u for u in _URLS if not _XML_INVALID.search(u)]


def _field(draw: st.DrawFn, values: st.SearchStrategy[str], clean: bool = False) -> str:
    """A field's text: escaped or in CDATA when ``clean``, else maybe raw or with an entity."""
    value = draw(values)
    if clean:
        value = _XML_INVALID.sub("", value)
    how = draw(st.integers(0, 7)) if not clean else 7 * draw(st.integers(0, 1))
    if how == 0:
        return f"<![CDATA[{value}]]>"
    if how == 1:
        return value  # raw: a stray < or & breaks the XML, which feedparser must survive
    if how == 2:
        return value + "&e;"
    return value.replace("&", "&amp;").replace("<", "&lt;")


_FIELD_TEXT = st.one_of(st.sampled_from(_URLS), _TEXT, _words())


@st.composite
def feeds(draw: st.DrawFn) -> tuple[bytes, str]:
    """An RSS 2.0, RSS 1.0 or Atom skeleton with random entries, fields and DOCTYPE; the text
    before encoding comes back too."""
    flavour = draw(st.sampled_from(["rss", "rdf", "atom", "junk"]))
    entries = []
    for _ in range(draw(st.integers(0, 5))):
        url = _field(draw, st.sampled_from(_URLS))
        title = _field(draw, _FIELD_TEXT)
        day = _field(draw, st.sampled_from(_DATES))
        lang = draw(st.sampled_from(_LANGS))
        if flavour == "atom":
            entries.append(
                f'<entry xml:lang="{lang}"><title>{title}</title>'
                f'<link href="{url}" rel="{draw(st.sampled_from(["alternate", "self", ""]))}"/>'
                f"<id>{url}</id><updated>{day}</updated><published>{day}</published></entry>"
            )
        elif flavour == "rdf":
            entries.append(
                f'<item rdf:about="{url}"><title>{title}</title><link>{url}</link>'
                f"<dc:date>{day}</dc:date><dc:language>{lang}</dc:language></item>"
            )
        else:
            chosen = draw(st.sets(st.sampled_from(["title", "link", "guid", "pubDate", "lang"])))
            parts = {
                "title": f"<title>{title}</title>",
                "link": f"<link>{url}</link>",
                "guid": f'<guid isPermaLink="{draw(st.sampled_from(["true", "false"]))}">'
                f"{url}</guid>",
                "pubDate": f"<pubDate>{day}</pubDate>",
                "lang": f"<dc:language>{lang}</dc:language>",
            }
            entries.append("<item>" + "".join(parts[c] for c in sorted(chosen)) + "</item>")
    lang = draw(st.sampled_from(_LANGS))
    body = "".join(entries)
    if flavour == "atom":
        doc = f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">{body}</feed>'
    elif flavour == "rdf":
        doc = (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>T</title></channel>{body}</rdf:RDF>"
        )
    elif flavour == "rss":
        doc = (
            f'<rss version="{draw(st.sampled_from(["2.0", "0.91", "", "9"]))}" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>T</title><language>{lang}</language>{body}</channel></rss>"
        )
    else:
        doc = draw(st.sampled_from(["<html><body>no feed</body></html>", "", "<rss>", "{}"])) + body
    if draw(st.integers(0, 3)) == 0:
        cut = draw(st.integers(0, len(doc)))
        doc = doc[:cut]
    declared = draw(_DECLARED)
    head = f'<?xml version="1.0" encoding="{declared}"?>' if declared is not None else ""
    text = head + draw(_DOCTYPE) + doc
    encoding = draw(st.sampled_from(_ENCODINGS))
    content = text.encode(encoding, "xmlcharrefreplace" if "utf" not in encoding else "replace")
    return content, text


def _check_links(links: list[Link]) -> None:
    from urllib.parse import urlsplit

    urls = [link.url for link in links]
    assert len(urls) == len(set(urls))
    for link in links:
        for value in (link.url, link.title, link.published, link.language):
            _encodable(value)
            assert _MARKER not in (value or "")
        parts = urlsplit(link.url)
        assert parts.scheme in ("http", "https") and parts.netloc
        assert "#" not in link.url


_ENTITY_DECL = re.compile(r"<!\s*ENTITY", re.IGNORECASE)


@fuzz(200)
@given(
    st.one_of(feeds(), st.binary(max_size=200).map(lambda b: (b, ""))),
    st.sampled_from([None, "https://news.example.org/feed/", "http://[", "javascript:x"]),
)
def test_feed_fuzz(feed: tuple[bytes, str], base_url: str | None) -> None:
    content, text = feed
    try:
        with no_network(), within_limit():
            links = parse_feed(content, base_url)
    except FeedError:
        event("FeedError")
        return
    event("links" if links else "no links")
    assert not _ENTITY_DECL.search(text)
    _check_links(links)


# --- sitemaps ---------------------------------------------------------------------------------


@st.composite
def sitemaps(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A urlset or sitemap index skeleton (news extension, odd namespaces) with random fields,
    maybe a DOCTYPE, maybe gzipped (whole, truncated or twice); whether it has a DOCTYPE."""
    # Half are well formed (the link logic is reached), half hostile (the parser is).
    clean = draw(st.booleans())
    roots = ["urlset", "sitemapindex"] if clean else ["urlset", "sitemapindex", "ns:urlset", "rss"]
    root = draw(st.sampled_from(roots))
    ns = (
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
    )
    ns = ns if clean else draw(
        st.sampled_from(
            [
                'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"',
                'xmlns="http://www.google.com/schemas/sitemap/0.84"', "",
                'xmlns:ns="urn:x" xmlns:n="http://www.google.com/schemas/sitemap-news/0.9"',
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"', 'xmlns:bad="',
            ]
        )
    )  # fmt: skip
    items = []
    for _ in range(draw(st.integers(0, 6))):
        loc = _field(draw, st.sampled_from(_URLS), clean)
        if root == "sitemapindex":
            items.append(
                f"<sitemap><loc>{loc}</loc><lastmod>{draw(st.sampled_from(_DATES))}"
                "</lastmod></sitemap>"
            )
            continue
        prefix = "news:" if clean else draw(st.sampled_from(["news:", "n:", "", "bad:"]))
        news = (
            f"<{prefix}news><{prefix}publication><{prefix}name>N</{prefix}name>"
            f"<{prefix}language>{draw(st.sampled_from(_LANGS))}</{prefix}language>"
            f"</{prefix}publication><{prefix}publication_date>{draw(st.sampled_from(_DATES))}"
            f"</{prefix}publication_date><{prefix}title>{_field(draw, _FIELD_TEXT, clean)}"
            f"</{prefix}title></{prefix}news>"
        )
        items.append(f"<url><loc>{loc}</loc>{news if draw(st.booleans()) else ''}</url>")
    doc = f"<{root} {ns}>{''.join(items)}</{root}>"
    if not clean and draw(st.integers(0, 4)) == 0:
        doc = doc[: draw(st.integers(0, len(doc)))]
    doctype = "" if clean else draw(_DOCTYPE)
    declared = draw(st.sampled_from([None, "utf-8"]) if clean else _DECLARED)
    head = f'<?xml version="1.0" encoding="{declared}"?>' if declared is not None else ""
    encodings = ["utf-8"] if clean else ["utf-8", "utf-8", "utf-16", "latin-1"]
    content = (head + doctype + doc).encode(draw(st.sampled_from(encodings)), "xmlcharrefreplace")
    wrap = draw(st.sampled_from([0, 1, 4]) if clean else st.integers(0, 5))
    if wrap == 1:
        content = gzip.compress(content, mtime=0)
    elif wrap == 2:
        packed = gzip.compress(content, mtime=0)
        content = packed[: draw(st.integers(0, len(packed)))]
    elif wrap == 3:
        content = gzip.compress(gzip.compress(content, mtime=0), mtime=0)
    elif wrap == 4:
        content = gzip.compress(content, mtime=0) + draw(st.binary(max_size=20))
    return content, bool(doctype) and wrap in (0, 1, 4)


@fuzz(200)
@given(
    st.one_of(sitemaps(), st.binary(max_size=200).map(lambda b: (b, False))),
    st.sampled_from([None, "https://news.example.org/sitemap.xml", "http://["]),
    st.sampled_from([50 * 1024 * 1024, 300]),
)
def test_sitemap_fuzz(sitemap: tuple[bytes, bool], base_url: str | None, max_bytes: int) -> None:
    content, has_doctype = sitemap
    try:
        with no_network(), within_limit():
            parsed = parse_sitemap(content, base_url, max_bytes=max_bytes)
    except SitemapError:
        event("SitemapError")
        return
    event("links" if parsed.links or parsed.sitemaps else "no links")
    assert isinstance(parsed, Sitemap)
    assert not has_doctype
    _check_links(parsed.links)
    _check_links([Link(url=u) for u in parsed.sitemaps])


# --- WARC -------------------------------------------------------------------------------------


def _warc(headers: list[tuple[str, str]], block: bytes, version: bytes = b"WARC/1.0") -> bytes:
    head = b"".join(f"{k}: {v}\r\n".encode() for k, v in headers)
    return version + b"\r\n" + head + b"\r\n" + block + b"\r\n\r\n"


@st.composite
def warc_records(draw: st.DrawFn, n: int) -> tuple[bytes, bytes | None]:
    """One valid record (a page, an image, a request, a redirect, warcinfo, metadata, revisit)
    and the page a reader must yield for it (``None`` for a record that is not one)."""
    kind = draw(
        st.sampled_from(
            [
                "page",
                "page",
                "page",
                "image",
                "request",
                "redirect",
                "warcinfo",
                "metadata",
                "revisit",
                "resource",
            ]
        )
    )
    body = f"<html><body><p>Page {n}: {draw(_words())}</p></body></html>".encode()
    page: bytes | None = None
    rtype = {"page": "response", "image": "response", "redirect": "response"}.get(kind, kind)
    if rtype == "response":
        status = "302 Found" if kind == "redirect" else "200 OK"
        ctype = "image/png" if kind == "image" else "text/html; charset=utf-8"
        headers = [f"Content-Type: {ctype}"]
        wire = body
        coding = draw(st.sampled_from(["", "", "gzip", "deflate", "br", "chunked", "raw-deflate"]))
        if coding == "gzip":
            wire, headers = gzip.compress(body, mtime=0), [*headers, "Content-Encoding: gzip"]
        elif coding == "deflate":
            wire, headers = zlib.compress(body), [*headers, "Content-Encoding: deflate"]
        elif coding == "raw-deflate":
            packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            wire = packer.compress(body) + packer.flush()
            headers = [*headers, "Content-Encoding: deflate"]
        elif coding == "br":
            wire, headers = brotli.compress(body), [*headers, "Content-Encoding: br"]
        elif coding == "chunked":
            half = len(body) // 2
            wire = (
                b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[:half], body[half:]) if c)
                + b"0\r\n\r\n"
            )
            headers = [*headers, "Transfer-Encoding: chunked"]
        http = (f"HTTP/1.1 {status}\r\n" + "".join(h + "\r\n" for h in headers)).encode()
        block = http + f"Content-Length: {len(wire)}\r\n\r\n".encode() + wire
        ctype = "application/http; msgtype=response"
        page = body if kind == "page" else None
    elif rtype == "request":
        block = b"GET / HTTP/1.1\r\nHost: news.example.org\r\n\r\n"
        ctype = "application/http; msgtype=request"
    else:
        block = b"software: fuzz\r\nformat: WARC File Format 1.0\r\n"
        ctype = "application/warc-fields"
    headers = [
        ("WARC-Type", rtype),
        ("WARC-Record-ID", f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>"),
        ("WARC-Date", "2024-10-24T08:00:00Z"),
        ("WARC-Target-URI", f"https://news.example.org/{n}"),
        ("Content-Type", ctype),
        ("Content-Length", str(len(block))),
    ]
    return _warc(headers, block), page


@st.composite
def mutate(draw: st.DrawFn, record: bytes) -> bytes:
    """``record`` broken one way: its length, a header, its version line, its line endings,
    cut short, a byte changed, or garbage before it."""
    how = draw(st.integers(0, 8))
    if how == 0:
        length = re.search(rb"Content-Length: (\d+)", record)
        assert length is not None
        new = draw(
            st.one_of(
                st.integers(-50, 50).map(lambda d: str(int(length.group(1)) + d)),
                st.sampled_from(["abc", "-1", "9" * 25, "", " 1", "0x10", "1e3"]),
            )
        ).encode()
        return record[: length.start(1)] + new + record[length.end(1) :]
    if how == 1:
        header = draw(
            st.sampled_from(
                [
                    b"WARC-Type",
                    b"Content-Length",
                    b"WARC-Record-ID",
                    b"WARC-Target-URI",
                    b"Content-Type",
                ]
            )
        )
        return re.sub(rb"(?m)^" + header + rb": [^\r]*\r\n", b"", record, count=1)
    if how == 2:
        version = draw(st.sampled_from([b"WARC/0.17", b"WARC/1.1", b"WARC/2.0", b"warc/1.0", b""]))
        return version + record[len(b"WARC/1.0") :]
    if how == 3:
        return record.replace(b"\r\n", b"\n")
    if how == 4:
        return record[: draw(st.integers(0, len(record) - 1))]
    if how == 5:
        at = draw(st.integers(0, len(record) - 1))
        return record[:at] + bytes([draw(st.integers(0, 255))]) + record[at + 1 :]
    if how == 6:
        return (
            draw(st.sampled_from([b"garbage\r\n", b"\x00" * 7, b"WARC/1.0\r\n", b"\r\n"])) + record
        )
    if how == 7:
        return re.sub(
            rb"HTTP/1.1 \d+ [A-Za-z]+",
            draw(
                st.sampled_from(
                    [b"HTTP/1.1 999 X", b"HTTP/1.1", b"HTTP/9 200", b"", b"HTTP/1.1 -1 Z"]
                )
            ),
            record,
        )
    return record.replace(
        b"Content-Type: text/html; charset=utf-8",
        draw(
            st.sampled_from(
                [
                    b"Content-Type: text/html; charset=bogus\x00",
                    b"Content-Type: ",
                    b"Content-Type: TEXT/HTML",
                ]
            )
        ),
    )


@st.composite
def warc_files(draw: st.DrawFn) -> tuple[bytes, list[bytes], bool]:
    """A WARC file (raw or one gzip member per record) of valid records, some broken after a
    point; the pages of the records before the first broken one; whether any was broken."""
    count = draw(st.integers(1, 6))
    # A third of the files are left whole, to check that a valid file reads completely.
    broken_from = count if draw(st.integers(0, 2)) == 0 else draw(st.integers(0, count))
    gzipped = draw(st.booleans())
    out: list[bytes] = []
    pages: list[bytes] = []
    for n in range(count):
        record, page = draw(warc_records(n))
        if n >= broken_from and draw(st.booleans()):
            if gzipped and draw(st.booleans()):
                member = gzip.compress(record, mtime=0)
                cut = draw(st.integers(0, len(member) - 1))
                out.append(member[:cut] + draw(st.binary(max_size=4)) + member[cut + 1 :])
                broken_from = min(broken_from, n)
                continue
            record = draw(mutate(record))
        elif n < broken_from and page is not None:
            pages.append(page)
        out.append(gzip.compress(record, mtime=0) if gzipped else record)
    trailer = draw(st.binary(max_size=40)) if draw(st.integers(0, 4)) == 0 else b""
    return b"".join(out) + trailer, pages, broken_from < count or bool(trailer)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="crosswire-fuzz-") as folder:
        yield Path(folder)


@fuzz(150)
@given(warc_files(), st.sampled_from([20_000_000, 20_000_000, 60]))
def test_warc_fuzz(scratch: Path, warc: tuple[bytes, list[bytes], bool], max_bytes: int) -> None:
    content, pages, broken = warc
    for name in ("fuzz.warc", "fuzz.warc.gz"):
        path = scratch / name
        path.write_bytes(content)
        stats = WarcStats()
        with within_limit(name):
            results = list(iter_warc(path, max_bytes=max_bytes, stats=stats))
        docs = [r for r in results if isinstance(r, Document)]
        event(f"{'broken' if broken else 'valid'} file, {'some' if docs else 'no'} pages")
        assert all(isinstance(r, Document | Failure) for r in results)
        assert all(d.kind == "html" and len(d.content) <= max_bytes for d in docs)
        assert stats.pages <= stats.records
        if max_bytes >= 20_000_000:
            # Records before the first broken one are read whatever follows them.
            assert [d.content for d in docs[: len(pages)]] == pages
            if not broken:
                assert [d.content for d in docs] == pages
                assert not [r for r in results if isinstance(r, Failure)]


# --- escaping for display ---------------------------------------------------------------------

_SAFE_HREF = re.compile(r"^(?:/[^/\\]|#|$)")


class _Markup(HTMLParser):
    """What a browser would see in a fragment: tags with attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.balanced = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.balanced = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"a comment came through: {data!r}")

    def handle_decl(self, decl: str) -> None:
        raise AssertionError(f"a declaration came through: {decl!r}")

    def handle_pi(self, data: str) -> None:
        raise AssertionError(f"a processing instruction came through: {data!r}")

    def unknown_decl(self, data: str) -> None:
        raise AssertionError(f"a declaration came through: {data!r}")


def check_markup(html: str, tags: set[str], attrs: set[str]) -> _Markup:
    """``html`` holds only ``tags`` with ``attrs``, nothing executable, and is well nested."""
    assert not re.search(r"<\s*/?\s*(?:script|iframe|object|embed|style|base|form)", html, re.I)
    parsed = _Markup()
    parsed.feed(html)
    parsed.close()
    for tag, found in parsed.tags:
        assert tag in tags, tag
        for name, value in found.items():
            assert name in attrs and not name.startswith("on"), name
            if name == "href":
                assert value is not None and _SAFE_HREF.match(value), value
    assert parsed.balanced and not parsed.stack
    return parsed


_SPAN_KIND = st.sampled_from(["hl", "quote", "claim", "ent", "ent"])


@st.composite
def spans(draw: st.DrawFn, n: int) -> Span:
    start = draw(st.integers(-3, n + 3))
    return Span(
        start,
        draw(st.integers(-3, n + 3)) if draw(st.booleans()) else start + draw(st.integers(0, 9)),
        draw(_SPAN_KIND),
        draw(_hostile_str()),
        anchor=draw(st.none() | _hostile_str()),
        title=draw(st.none() | _hostile_str()),
        href=draw(st.none() | _hostile_str().map(lambda s: "/entity/" + s)),
    )


@st.composite
def annotations(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = draw(_hostile_str())
    drawn = draw(st.lists(spans(len(text)), max_size=8))
    # annotate draws one highlighted range at most, as the article page asks for.
    highlight = [s for s in drawn if s.kind == "hl"][:1]
    return text, highlight + [s for s in drawn if s.kind != "hl"]


@fuzz(150)
@given(annotations())
def test_escaping_fuzz_annotate(annotation: tuple[str, list[Span]]) -> None:
    text, drawn = annotation
    parsed = check_markup(
        str(annotate(text, drawn)), {"span", "a"}, {"class", "id", "title", "href"}
    )
    assert "".join(parsed.text) == text


@fuzz(150)
@given(_hostile_str(), st.lists(st.tuples(_hostile_str(), _hostile_str()), max_size=4))
def test_escaping_fuzz_reading(text: str, names: list[tuple[str, str]]) -> None:
    n = len(text)
    entities = [
        Entity(id=f"e{i}", name=name, type=kind, mentions=[Mention(0, n, text)])  # type: ignore[arg-type]
        for i, (name, kind) in enumerate(names)
    ]
    quotes = [
        Quote(kind="direct", text=text, start=0, end=n, speaker_name=name) for name, _ in names
    ]
    claims = [
        Claim(value=None, low=None, high=None, vague=None, approx=None, change="=", unit=None,
              measure=name, measure_key=None, aspect=kind, status=None, claimant=None,
              claimant_name=None, time=None, text=text, start=0, end=n, sentence=text,
              sentence_start=0, sentence_end=n)
        for name, kind in names
    ]  # fmt: skip
    reading = Reading(entities=entities, quotes=quotes, claims=claims)
    corpus = {e.id: name for e, (name, _) in zip(entities, names, strict=True)}
    drawn = spans_of(reading, corpus, {e.id: e.name for e in entities}, (0, n // 2))
    check_markup(str(annotate(text, drawn)), {"span", "a"}, {"class", "id", "title", "href"})


@fuzz(200)
@given(st.lists(st.one_of(_hostile_str(), st.sampled_from(["\ue000", "\ue001"])), max_size=12))
def test_escaping_fuzz_snippet(pieces: list[str]) -> None:
    snippet = "".join(pieces)
    check_markup(str(mark_snippet(snippet, "\ue000", "\ue001")), {"mark"}, set())


@fuzz(100)
@given(
    st.lists(st.tuples(st.dates(), _hostile_str(), _hostile_str(), st.booleans()), max_size=6),
    st.lists(st.tuples(_hostile_str(), st.floats(-90, 90), st.floats(-180, 180),
                       st.integers(1, 50)), max_size=6),
)  # fmt: skip
def test_escaping_fuzz_charts(
    dated: list[tuple[date, str, str, bool]], pins: list[tuple[str, float, float, int]]
) -> None:
    timeline = timeline_svg(
        [Dated(day, label, "/article/" + href, flagged) for day, label, href, flagged in dated]
    )
    svg_tags = {"svg", "line", "a", "rect", "title", "text", "image", "circle"}
    svg_attrs = {
        "class",
        "viewbox",
        "role",
        "aria-label",
        "x",
        "y",
        "x1",
        "x2",
        "y1",
        "y2",
        "width",
        "height",
        "href",
        "cx",
        "cy",
        "r",
    }
    check_markup(str(timeline), svg_tags, svg_attrs)
    drawn = map_svg([Pin(lat, lon, label, count) for label, lat, lon, count in pins])
    check_markup(str(drawn), svg_tags, svg_attrs)


# --- regressions: each crash the fuzzers found, minimal ----------------------------------------


def test_regression_feed_entry_with_broken_ipv6_link() -> None:
    # urljoin raised ValueError("Invalid IPv6 URL"): the whole feed failed for one bad entry.
    feed = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<item><link>http://[</link></item>"
        b"<item><link>https://news.example.org/a</link></item></channel></rss>"
    )
    assert [link.url for link in parse_feed(feed, None)] == ["https://news.example.org/a"]
    assert [link.url for link in parse_feed(feed, "http://[")] == []


def test_regression_sitemap_entry_with_broken_ipv6_link() -> None:
    sitemap = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>http://[</loc></url><url><loc>https://news.example.org/a</loc></url>"
        b"</urlset>"
    )
    assert [link.url for link in parse_sitemap(sitemap, None).links] == [
        "https://news.example.org/a"
    ]


@pytest.mark.parametrize("encoding", [b"bogus", b"utf-32"])
def test_regression_sitemap_declaring_an_unreadable_encoding(encoding: bytes) -> None:
    # expat raised LookupError (unknown) or a bare ValueError (multi-byte): the LookupError got
    # past the web ingest's handler and ended the run.
    sitemap = (
        b'<?xml version="1.0" encoding="' + encoding + b'"?>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    )
    with pytest.raises(SitemapError, match="encoding"):
        parse_sitemap(sitemap, None)


@pytest.mark.parametrize(
    ("snippet", "drawn"),
    [
        ("\ue000", ""),
        ("a\ue001b", "ab"),
        ("\ue000x\ue000y\ue001<z>\ue001", "x<mark>y</mark>&lt;z&gt;"),
    ],
)
def test_regression_snippet_with_stray_markers(snippet: str, drawn: str) -> None:
    # A page holding the private-use marker characters left a <mark> open (or a stray </mark>).
    assert str(mark_snippet(snippet, "\ue000", "\ue001")) == drawn


def test_regression_inverted_highlight_draws_the_text_once() -> None:
    # A highlight ending before it starts drew text[end:start] twice.
    drawn = annotate("<script>", [Span(1, 0, "hl", "hl")])
    assert str(drawn) == '&lt;<span class="hl"></span>script&gt;'


@pytest.mark.parametrize("reference", ["&#55296;", "&#xD800", "&#99999999999;", "&#x110000;"])
def test_regression_feed_referencing_no_character(reference: str) -> None:
    # feedparser's lenient parser called chr() on these: a UnicodeEncodeError or ValueError lost
    # every link of the feed, an OverflowError got past the web ingest's handler and ended it.
    feed = (
        '<rss version="2.0"><channel><item><title>a' + reference + "</title>"
        "<link>https://news.example.org/a</link></item></channel></rss>"
    ).encode()
    [link] = parse_feed(feed, None)
    assert link.url == "https://news.example.org/a"
    assert link.title is not None and link.title.startswith("a\ufffd")


def test_regression_feed_encoding_guess_skips_chardet(monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by the long run: a feed its declared encoding does not decode went to chardet,
    # whose pure-Python probers took 13 s on this 30 KB feed (half a minute at 300 KB), in the
    # ingest's own process, beyond any time limit.
    import chardet

    def refuse(data: bytes) -> dict[str, Any]:
        raise AssertionError(f"chardet was asked about {len(data):,} bytes")

    monkeypatch.setattr(chardet, "detect", refuse)
    item = "<item><title>t ÿ</title><link>https://news.example.org/" + "a" * 3000 + "</link></item>"
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        + item * 10
        + "</channel></rss>"
    ).encode("cp1252")
    [link] = parse_feed(feed, None)
    assert link.url == "https://news.example.org/" + "a" * 3000
    assert link.title is not None and link.title.startswith("t ")
