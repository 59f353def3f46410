"""One round of watching feeds and sitemaps: ask each whether it changed (conditional GET with
the ETag and Last-Modified it gave last time), and fetch only the pages it lists that are not
stored yet. ``crosswire watch`` runs rounds on a schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from crosswire.ingest.fetcher import Fetcher
from crosswire.ingest.filters import Filters
from crosswire.ingest.web import WebStats, fetch_pages, listed_links, listing_kind, wanted_urls
from crosswire.pipeline import IngestSummary, Options, ingest_documents
from crosswire.records import Article, Document, Failure
from crosswire.store.store import Store


@dataclass(slots=True)
class RoundSummary:
    sources: int = 0
    unchanged: int = 0
    failed_sources: list[Failure] = field(default_factory=list)
    web: WebStats = field(default_factory=WebStats)
    ingest: IngestSummary = field(default_factory=IngestSummary)


def poll(
    store: Store,
    sources: Iterable[str],
    fetcher: Fetcher,
    options: Options | None = None,
    *,
    filters: Filters | None = None,
    threads: int = 4,
    on_result: Callable[[Article | Failure, str], None] | None = None,
) -> RoundSummary:
    """Poll each feed or sitemap once and ingest the new pages it lists."""
    summary = RoundSummary()
    pages: list[str] = []
    for url in sources:
        summary.sources += 1
        previous = store.watched.get(url)
        got = fetcher.fetch(
            url,
            etag=previous.etag if previous else None,
            last_modified=previous.last_modified if previous else None,
        )
        if isinstance(got, Failure):
            summary.failed_sources.append(got)
            _record(store, url, got.error)
            continue
        if got.not_modified or got.document is None:
            summary.unchanged += 1
            _record(store, url, "unchanged", got.etag, got.last_modified)
            continue
        if listing_kind(got.document) is None:
            failure = Failure(url, "not a feed or sitemap (watch lists; ingest pages)")
            summary.failed_sources.append(failure)
            _record(store, url, failure.error)
            continue
        links = listed_links(fetcher, got.document, summary.web)
        new = wanted_urls(links, filters, store.known_location, summary.web)
        pages.extend(u for u in new if u not in pages)
        _record(store, url, f"{len(new)} new", got.etag, got.last_modified, changed=True)
    docs: Iterator[Document | Failure] = fetch_pages(fetcher, pages, threads)
    summary.ingest = ingest_documents(docs, store, options or Options(), on_result)
    return summary


def _record(
    store: Store,
    url: str,
    status: str,
    etag: str | None = None,
    last_modified: str | None = None,
    *,
    changed: bool = False,
) -> None:
    store.begin()
    store.watched.record(url, status, etag=etag, last_modified=last_modified, changed=changed)
    store.commit()
