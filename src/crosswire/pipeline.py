"""Library entry points that chain the stages; the CLI is a thin wrapper over these."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from crosswire.extract import extract
from crosswire.extract.guard import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, GuardedPool
from crosswire.ingest.files import DEFAULT_MAX_BYTES, iter_documents
from crosswire.ingest.jsonl import explode, is_jsonl
from crosswire.records import Article, Document, Failure
from crosswire.store.sqlite import Store


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


def _extract_task(
    doc: Document, max_bytes: int, *, read: bool = False, plain: bool = False
) -> Article:
    if plain:
        from crosswire.extract.verbatim import extract_verbatim

        article = extract_verbatim(doc, max_bytes=max_bytes)
        if doc.record_id is not None:
            article.id = doc.record_id
    else:
        article = extract(doc, max_bytes=max_bytes)
    if read:
        from crosswire.read import read_article

        try:
            article.reading = read_article(article)
        except Exception as exc:  # one unreadable text must not lose its article
            article.errors.append(f"read stage failed: {type(exc).__name__}: {exc}")
    return article


def _warmup(*, read: bool = False) -> None:
    """Load what the first document would otherwise pay for (lazy imports, the spaCy model)."""
    from crosswire.extract import warmup

    warmup()
    if read:
        from crosswire.read import read as read_text

        read_text("Warm up. The minister said it was fine, according to Reuters.")


def extract_documents(
    docs: Iterable[Document | Failure], options: Options = Options()
) -> Iterator[Article | Failure]:
    """Extract each document in guarded worker processes, yielding results in input order."""
    task = functools.partial(
        _extract_task, max_bytes=options.max_bytes, read=options.read, plain=options.plain
    )
    with GuardedPool(
        task,
        workers=options.workers,
        timeout=options.timeout,
        memory_mb=options.memory_mb,
        warmup=functools.partial(_warmup, read=options.read),
    ) as pool:
        waiting: dict[int, Article | Failure] = {}
        next_index = 0
        for index, result in pool.map(docs):
            waiting[index] = result
            while next_index in waiting:
                yield waiting.pop(next_index)
                next_index += 1
        for index in sorted(waiting):
            yield waiting[index]


def extract_paths(
    inputs: Iterable[str], options: Options = Options()
) -> Iterator[Article | Failure]:
    """Articles (or failures) for every document under ``inputs`` (files, folders, ``-``).

    With ``options.plain``, a JSON Lines file (``.jsonl``) holds one text per record.
    """
    docs = iter_documents(inputs, max_bytes=options.max_bytes)
    if options.plain:
        docs = _records(docs)
    return extract_documents(docs, options)


def _records(docs: Iterable[Document | Failure]) -> Iterator[Document | Failure]:
    for doc in docs:
        if isinstance(doc, Document) and is_jsonl(doc.source):
            yield from explode(doc)
        else:
            yield doc


@dataclass
class IngestSummary:
    new: int = 0
    known: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.new + self.known + self.failed


def ingest(
    inputs: Iterable[str],
    store: Store,
    options: Options = Options(),
    on_result: Callable[[Article | Failure, str], None] | None = None,
) -> IngestSummary:
    """Extract and store every document under ``inputs``; idempotent by content hash.

    ``on_result(result, outcome)`` is called after each document with outcome ``new``, ``known``
    or ``failed`` (for progress display).
    """
    return store_results(extract_paths(inputs, options), store, options, on_result)


def ingest_documents(
    docs: Iterable[Document | Failure],
    store: Store,
    options: Options = Options(),
    on_result: Callable[[Article | Failure, str], None] | None = None,
) -> IngestSummary:
    """Extract and store documents already in memory (an upload, a fetched page)."""
    return store_results(extract_documents(docs, options), store, options, on_result)


def store_results(
    results: Iterable[Article | Failure],
    store: Store,
    options: Options = Options(),
    on_result: Callable[[Article | Failure, str], None] | None = None,
) -> IngestSummary:
    """Store extraction results in batches of ``options.batch`` per transaction."""
    summary = IngestSummary()
    pending = 0
    try:
        for result in results:
            store.begin()
            if isinstance(result, Failure):
                store.record_failure(result)
                summary.failed += 1
                summary.failures.append(result)
                outcome = "failed"
            else:
                outcome = store.save(result)
                if outcome == "new":
                    summary.new += 1
                else:
                    summary.known += 1
            pending += 1
            if pending >= options.batch:
                store.commit()
                pending = 0
            if on_result is not None:
                on_result(result, outcome)
        store.commit()
    except KeyboardInterrupt:
        # Every saved article is complete (see Store.save), so keep them: a re-run resumes.
        store.commit()
        raise
    except BaseException:
        store.rollback()
        raise
    return summary
