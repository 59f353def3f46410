"""Inputs on the web: page URLs, RSS/Atom feeds and (news) sitemaps, turned into documents.

An input URL is fetched once; if what comes back is a feed or a sitemap, the pages it lists are
fetched in its stead (a sitemap index's sitemaps first, to :data:`MAX_DEPTH` levels), after the
filters have had their say on what the listing tells (host, URL pattern, date), and skipping
pages the caller already has (``known``). Pages are fetched by a few threads; the fetcher keeps
each host to its own pace, so more threads only help across hosts.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from crosswire.ingest.feeds import parse_feed
from crosswire.ingest.fetcher import Fetched, Fetcher
from crosswire.ingest.filters import Filters
from crosswire.ingest.sitemaps import parse_sitemap
from crosswire.records import Document, Failure, Link

#: How deep sitemap indexes are followed (an index of indexes of sitemaps is depth 2).
MAX_DEPTH = 3
#: Most sitemaps fetched for one input: a site's index can list thousands (one per day).
MAX_SITEMAPS = 1000
_FEED = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_SITEMAP = re.compile(rb"<(?:urlset|sitemapindex)[\s>]", re.IGNORECASE)


@dataclass(slots=True)
class WebStats:
    """What the web inputs gave, for the run's summary."""

    listings: int = 0
    listed: int = 0
    """Page links found in feeds and sitemaps."""
    filtered: int = 0
    known: int = 0
    """Links skipped because the page is stored already."""
    failures: list[str] = field(default_factory=list)


def listing_kind(doc: Document) -> str | None:
    """``feed``, ``sitemap`` or ``None`` (a page), from the first bytes of the body."""
    head = doc.content[:2]
    body = doc.content
    if head == b"\x1f\x8b":
        try:
            body = gzip.decompress(doc.content[:1_000_000])[:4096]
        except (OSError, EOFError):
            return None
    start = body[:4096]
    if _SITEMAP.search(start):
        return "sitemap"
    if _FEED.search(start) and b"<html" not in start[:512].lower():
        return "feed"
    return None


def web_documents(
    urls: Iterable[str],
    fetcher: Fetcher,
    *,
    filters: Filters | None = None,
    known: Callable[[str], bool] | None = None,
    threads: int = 4,
    stats: WebStats | None = None,
) -> Iterator[Document | Failure]:
    """Documents for each URL: the page itself, or every page its feed or sitemap lists."""
    stats = stats if stats is not None else WebStats()
    for url in urls:
        # The inputs themselves are what the user asked for; filters choose among listed pages.
        got = fetcher.fetch(url.strip())
        if isinstance(got, Failure):
            yield got
            continue
        doc = _document(got)
        if isinstance(doc, Failure):
            yield doc
            continue
        kind = listing_kind(doc)
        if kind is None:
            yield doc
            continue
        links = listed_links(fetcher, doc, stats)
        yield from fetch_pages(fetcher, wanted_urls(links, filters, known, stats), threads)


def _document(got: Fetched) -> Document | Failure:
    if got.document is None:
        return Failure(got.url, f"HTTP {got.status} gave no page")
    return got.document


def listed_links(fetcher: Fetcher, doc: Document, stats: WebStats) -> list[Link]:
    """The page links a feed or sitemap document lists (following a sitemap index's
    sitemaps); empty for a page."""
    kind = listing_kind(doc)
    return [] if kind is None else list(_listed(fetcher, doc, kind, stats))


def _listed(fetcher: Fetcher, doc: Document, kind: str, stats: WebStats) -> Iterator[Link]:
    stats.listings += 1
    if kind == "feed":
        try:
            yield from parse_feed(doc.content, doc.url)
        except ValueError as exc:
            stats.failures.append(f"{doc.source}: {exc}")
        return
    seen: set[str] = set()
    level = [doc]
    for _ in range(MAX_DEPTH + 1):
        nested: list[str] = []
        for sitemap_doc in level:
            try:
                sitemap = parse_sitemap(sitemap_doc.content, sitemap_doc.url)
            except ValueError as exc:
                stats.failures.append(f"{sitemap_doc.source}: {exc}")
                continue
            yield from sitemap.links
            nested.extend(s for s in sitemap.sitemaps if s not in seen)
        level = []
        for child in nested[: max(0, MAX_SITEMAPS - len(seen))]:
            seen.add(child)
            got = fetcher.fetch(child)
            child_doc = got if isinstance(got, Failure) else _document(got)
            if isinstance(child_doc, Failure):
                stats.failures.append(f"{child}: {child_doc.error}")
            else:
                stats.listings += 1
                level.append(child_doc)
        if not level:
            return


def wanted_urls(
    links: list[Link],
    filters: Filters | None,
    known: Callable[[str], bool] | None,
    stats: WebStats,
) -> list[str]:
    """The links' URLs that pass the filters and are not known yet, each once."""
    out: dict[str, None] = {}
    for link in links:
        stats.listed += 1
        if filters is not None and not filters.accept_link(link):
            stats.filtered += 1
        elif known is not None and known(link.url):
            stats.known += 1
        else:
            out.setdefault(link.url, None)
    return list(out)


def fetch_pages(fetcher: Fetcher, urls: list[str], threads: int) -> Iterator[Document | Failure]:
    """The pages at ``urls``, fetched by ``threads`` threads, in the order they arrive."""
    if not urls:
        return
    pending = iter(urls)
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        running: set[Future[Fetched | Failure]] = set()
        for url in pending:
            running.add(pool.submit(fetcher.fetch, url))
            if len(running) >= threads * 2:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                got = future.result()
                yield got if isinstance(got, Failure) else _document(got)
                following = next(pending, None)
                if following is not None:
                    running.add(pool.submit(fetcher.fetch, following))
