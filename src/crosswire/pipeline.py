"""Library entry points that chain the stages; the CLI is a thin wrapper over these."""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from crosswire.extract import extract
from crosswire.extract.guard import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    READ_SHARE,
    GuardedPool,
    SoftTimeoutError,
    soft_deadline,
)
from crosswire.ingest.files import DEFAULT_MAX_BYTES, is_url, iter_documents
from crosswire.ingest.filters import Filters
from crosswire.records import Article, Document, Failure
from crosswire.store.store import Store


@dataclass(frozen=True)
class Options:
    """Limits and parallelism for a run; one object passed down instead of loose keywords."""

    max_bytes: int = DEFAULT_MAX_BYTES
    """Largest document accepted, after decompression."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one document may take before its worker is killed."""
    workers: int = 1
    """Extraction processes."""
    memory_mb: int = DEFAULT_MEMORY_MB
    """Address-space cap per worker process."""
    batch: int = 200
    """Articles per store transaction."""
    read: bool = False
    """Run the read stage (entities, quotes) after extraction, in the same worker."""
    plain: bool = False
    """Take each input as clean article text, unchanged (see :mod:`crosswire.extract.verbatim`)."""
    filters: Filters | None = None
    """Keep only the pages these pass: a document's URL is checked before extraction, the
    article (date, language, URL) after; what is filtered out is skipped, not stored."""
    allow_private: bool = False
    """Let URL inputs (and the pages their feeds list) reach private and loopback addresses."""
    fetch_delay: float = 1.0
    """Seconds between two requests to one host, for URL inputs."""


#: Called with the source and the reason of each document a filter skips.
OnSkip = Callable[[str, str], None]


def _extract_task(
    doc: Document,
    max_bytes: int,
    *,
    read: bool = False,
    plain: bool = False,
    filters: Filters | None = None,
    read_within: float | None = None,
) -> Article:
    """``read_within``: seconds from the start after which the read stage is given up."""
    started = time.monotonic()
    if plain:
        from crosswire.extract.verbatim import extract_verbatim

        article = extract_verbatim(doc, max_bytes=max_bytes)
        if doc.record_id is not None:
            article.id = doc.record_id
    else:
        article = extract(doc, max_bytes=max_bytes)
    # An article the filters will leave out is not worth reading (the costly stage).
    if read and (filters is None or filters.accept_article(article) is None):
        from crosswire.read import read_article

        left = None if read_within is None else read_within - (time.monotonic() - started)
        try:
            with soft_deadline(left):
                article.reading = read_article(article)
        except SoftTimeoutError:
            article.reading = None
            article.errors.append(
                f"read stage stopped: the document was still being read after {read_within:g} s "
                f"({READ_SHARE:.0%} of --timeout); the article is kept without its reading"
            )
        except Exception as exc:  # one unreadable text must not lose its article
            article.errors.append(f"read stage failed: {type(exc).__name__}: {exc}")
    return article


def _warmup(*, read: bool = False) -> None:
    """Load what the first document would otherwise pay for (lazy imports, the spaCy model)."""
    from crosswire.extract import warmup

    warmup()
    if read:
        from crosswire.read import read as read_text

        # A place, a date and a number too, so the gazetteer index and the number rules load
        # here rather than inside the first document's time limit.
        read_text(
            "Warm up. The minister said on Monday that 40 people had left Kyiv, Ukraine, "
            "up 5% from May, according to Reuters."
        )


def guarded_pool(options: Options, workers: int) -> GuardedPool:
    """Worker processes that extract (and read) documents under ``options``' limits: the one
    place a run's options become a task, for local runs and Ray actors alike."""
    task = functools.partial(
        _extract_task,
        max_bytes=options.max_bytes,
        read=options.read,
        plain=options.plain,
        filters=options.filters,
        read_within=options.timeout * READ_SHARE,
    )
    return GuardedPool(
        task,
        workers=workers,
        timeout=options.timeout,
        memory_mb=options.memory_mb,
        warmup=functools.partial(_warmup, read=options.read),
    )


def extract_documents(
    docs: Iterable[Document | Failure],
    options: Options = Options(),
    on_skip: OnSkip | None = None,
    known: Callable[[Document], bool] | None = None,
) -> Iterator[Article | Failure]:
    """Extract each document in guarded worker processes, yielding results in input order.

    With ``options.filters``, documents and articles they filter out are not yielded;
    ``on_skip(source, reason)`` hears of each. A document for which ``known(document)`` is true
    is not extracted either (the caller has counted it).
    """
    filters = options.filters if options.filters is not None and options.filters.active else None
    if filters is not None:
        docs = _passing_documents(docs, filters, on_skip)
    if known is not None:
        docs = (d for d in docs if not (isinstance(d, Document) and known(d)))
    with guarded_pool(options, options.workers) as pool:
        waiting: dict[int, Article | Failure] = {}
        next_index = 0
        for index, result in pool.map(docs):
            waiting[index] = result
            while next_index in waiting:
                yield from _passing(waiting.pop(next_index), filters, on_skip)
                next_index += 1
        for index in sorted(waiting):
            yield from _passing(waiting[index], filters, on_skip)


def _passing_documents(
    docs: Iterable[Document | Failure], filters: Filters, on_skip: OnSkip | None
) -> Iterator[Document | Failure]:
    """The documents whose URL, when known, passes: no need to extract the others."""
    for doc in docs:
        reason = filters.url_reason(doc.url) if isinstance(doc, Document) and doc.url else None
        if reason is None:
            yield doc
        elif on_skip is not None:
            on_skip(doc.source, reason)


def _passing(
    result: Article | Failure, filters: Filters | None, on_skip: OnSkip | None
) -> Iterator[Article | Failure]:
    reason = (
        filters.accept_article(result)
        if filters is not None and isinstance(result, Article)
        else None
    )
    if reason is None:
        yield result
    elif on_skip is not None:
        on_skip(result.source, reason)


def extract_paths(
    inputs: Iterable[str],
    options: Options = Options(),
    on_skip: OnSkip | None = None,
    known: Callable[[Document], bool] | None = None,
) -> Iterator[Article | Failure]:
    """Articles (or failures) for every document under ``inputs`` (files, folders, WARC and
    JSON Lines files, ``-``).

    With ``options.plain``, a JSON Lines record's text is taken verbatim.
    """
    inputs = list(inputs)
    urls = [i for i in inputs if is_url(i)]
    paths = [i for i in inputs if not is_url(i)]
    docs: Iterable[Document | Failure] = iter_documents(
        paths, max_bytes=options.max_bytes, plain=options.plain
    )
    if urls:
        docs = itertools.chain(docs, _web(urls, options))
    return extract_documents(docs, options, on_skip, known)


def _web(urls: list[str], options: Options) -> Iterator[Document | Failure]:
    # Imported here: the fetcher's HTTP stack is only needed when an input is a URL.
    from crosswire.ingest.fetcher import Fetcher, Policy
    from crosswire.ingest.web import web_documents

    policy = Policy(
        max_bytes=options.max_bytes,
        allow_private=options.allow_private,
        delay=options.fetch_delay,
    )
    with Fetcher(policy) as fetcher:
        yield from web_documents(urls, fetcher, filters=options.filters)


#: Longest an extracted result waits to be written. Extracting and reading take about a second
#: a document, so a batch of 200 written in one transaction held SQLite's single write lock for
#: minutes, longer than any other writer's 30-second busy timeout ("database is locked"), and
#: a kill -9 lost the whole batch.
FLUSH_SECONDS = 1.0


@dataclass
class IngestSummary:
    new: int = 0
    known: int = 0
    failed: int = 0
    skipped: int = 0
    """Documents the filters left out (not stored, not failed)."""
    failures: list[Failure] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.new + self.known + self.failed + self.skipped


def ingest(
    inputs: Iterable[str],
    store: Store,
    options: Options = Options(),
    on_result: Callable[[Article | Failure, str], None] | None = None,
) -> IngestSummary:
    """Extract and store every document under ``inputs``; idempotent by content hash.

    ``on_result(result, outcome)`` is called after each document with outcome ``new``, ``known``,
    ``failed`` or ``skipped`` (for progress display; a skipped document comes as a
    :class:`Failure` whose error is the filter's reason, and a page already stored, which is not
    extracted again, as one saying so).
    """
    summary = IngestSummary()

    def known(doc: Document) -> bool:
        # A page stored before (a re-run, a resume after a kill) is recognised by its bytes and
        # not extracted and read again: a resume costs what is left, not a whole run.
        if not store.touch(doc.content_hash, doc.source, reading=options.read):
            return False
        summary.known += 1
        if on_result is not None:
            on_result(Failure(doc.source, "already stored"), "known")
        return True

    results = extract_paths(inputs, options, _skip_counter(summary, on_result), known)
    return store_results(
        results, store, options, on_result, summary=summary, flush_after=FLUSH_SECONDS
    )


def ingest_documents(
    docs: Iterable[Document | Failure],
    store: Store,
    options: Options = Options(),
    on_result: Callable[[Article | Failure, str], None] | None = None,
) -> IngestSummary:
    """Extract and store documents already in memory (an upload, a fetched page)."""
    summary = IngestSummary()
    results = extract_documents(docs, options, _skip_counter(summary, on_result))
    return store_results(
        results, store, options, on_result, summary=summary, flush_after=FLUSH_SECONDS
    )


def _skip_counter(
    summary: IngestSummary, on_result: Callable[[Article | Failure, str], None] | None
) -> OnSkip:
    def skipped(source: str, reason: str) -> None:
        summary.skipped += 1
        if on_result is not None:
            on_result(Failure(source, reason), "skipped")

    return skipped


def store_results(
    results: Iterable[Article | Failure],
    store: Store,
    options: Options = Options(),
    on_result: Callable[[Article | Failure, str], None] | None = None,
    *,
    summary: IngestSummary | None = None,
    flush_after: float | None = None,
) -> IngestSummary:
    """Store extraction results in batches of ``options.batch`` per transaction, counting them
    into ``summary`` (a new one by default).

    Without ``flush_after``, a batch's transaction stays open while the next results are made
    (the shard loader's case: a shard is stored whole or not at all). With it, results wait in
    memory and are written in a transaction of their own once ``options.batch`` are waiting or
    ``flush_after`` seconds have passed since the last write, so no write lock is held while a
    document is extracted and read.
    """
    summary = summary if summary is not None else IngestSummary()
    pending = 0
    waiting: list[Article | Failure] = []
    written = time.monotonic()
    try:
        for result in results:
            if flush_after is not None:
                waiting.append(result)
                if len(waiting) >= options.batch or time.monotonic() - written >= flush_after:
                    _write(store, waiting, summary, on_result)
                    written = time.monotonic()
                continue
            outcome = _store_one(store, result, summary)
            pending += 1
            if pending >= options.batch:
                store.commit()
                pending = 0
            if on_result is not None:
                on_result(result, outcome)
        _write(store, waiting, summary, on_result)
    except KeyboardInterrupt:
        # Every saved article is complete (see Store.save), so keep them, and those extracted
        # but not yet written: a re-run resumes.
        _write(store, waiting, summary, on_result)
        raise
    except BaseException:
        store.rollback()
        raise
    return summary


def _write(
    store: Store,
    waiting: list[Article | Failure],
    summary: IngestSummary,
    on_result: Callable[[Article | Failure, str], None] | None,
) -> None:
    """Save ``waiting`` (emptying it) and commit, with any batch already open."""
    while waiting:
        result = waiting[0]
        outcome = _store_one(store, result, summary)
        # Taken off only once saved: an interrupt mid-save leaves it to the caller's retry.
        waiting.pop(0)
        if on_result is not None:
            on_result(result, outcome)
    store.commit()


def _store_one(store: Store, result: Article | Failure, summary: IngestSummary) -> str:
    store.begin()
    if isinstance(result, Failure):
        store.record_failure(result)
        summary.failed += 1
        summary.failures.append(result)
        return "failed"
    outcome = store.save(result)
    if outcome == "new":
        summary.new += 1
    else:
        summary.known += 1
    return outcome
