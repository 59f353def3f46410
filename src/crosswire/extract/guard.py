"""Run extraction in killable worker processes with a per-document time limit.

Why processes and not threads or signals: the costly parts (lxml, trafilatura's tree walks) run in
native code that neither a thread nor ``signal.alarm`` can interrupt. A worker that overruns its
deadline is killed and replaced, and its document becomes a :class:`Failure`; the run goes on.

Workers are long-lived (models load once per worker, never pickled per document) and each has an
address-space cap so a pathological page fails with a clear error instead of swapping the machine.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from crosswire.errors import DocumentError, ExtractionError
from crosswire.records import Article, Document, Failure

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 4096
READ_SHARE = 0.75
"""Share of a document's time limit after which its read stage is stopped: an article whose
reading runs long (a paragraph of 10,000 quote marks) is then stored without its reading
instead of being lost with its worker at the hard limit."""
_STARTUP_TIMEOUT = 120.0

Task = Callable[[Document], Article]
PRELOAD = ("crosswire.extract", "crosswire.extract.html", "crosswire.extract.plaintext")


class SoftTimeoutError(BaseException):
    """A :func:`soft_deadline` passed. Not an ``Exception``, so that no ``except Exception`` in
    the code being limited can swallow it and run on to the hard limit."""


@contextlib.contextmanager
def soft_deadline(seconds: float | None) -> Iterator[None]:
    """Raise :class:`SoftTimeoutError` in the code run inside if it takes over ``seconds``.

    Python code is stopped in time; one long call into native code (a single regular expression
    match, the HTML parser) only at its end, which is what the worker's hard limit is for.
    Outside the main thread, where no signal handler runs, nothing is limited.
    """
    if (
        seconds is None
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    if seconds <= 0:
        raise SoftTimeoutError

    def expire(_signum: int, _frame: object) -> None:
        raise SoftTimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _worker(
    conn: Connection, task: Task, memory_mb: int, warmup: Callable[[], None] | None
) -> None:
    # Ctrl-C reaches the whole process group; the parent decides what an interrupt means.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        # A platform without RLIMIT_AS just runs uncapped.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if warmup is not None:
        # A failed warm-up only means the first document pays for the loading.
        with contextlib.suppress(Exception):
            warmup()
    # The parent starts a document's clock only after this, so start-up and model loading are
    # never charged to the first document.
    conn.send("ready")
    while True:
        try:
            doc = conn.recv()
        except EOFError:
            return
        if doc is None:
            return
        result: Article | Failure
        try:
            result = task(doc)
        except DocumentError as exc:
            result = Failure(doc.source, str(exc), doc.content_hash)
        except MemoryError:
            result = Failure(
                doc.source,
                f"extractor ran out of memory (limit {memory_mb} MB per worker)",
                doc.content_hash,
            )
        except Exception as exc:
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            result = Failure(doc.source, f"extractor crashed: {tb}", doc.content_hash)
        conn.send(result)


@dataclass
class _Slot:
    proc: BaseProcess
    conn: Connection
    doc: Document | None = None
    index: int = -1
    deadline: float = 0.0


class GuardedPool:
    """``workers`` processes running ``task``; each document gets at most ``timeout`` seconds."""

    def __init__(
        self,
        task: Task,
        *,
        workers: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
        memory_mb: int = DEFAULT_MEMORY_MB,
        warmup: Callable[[], None] | None = None,
    ) -> None:
        self._task = task
        self._warmup = warmup
        self._timeout = timeout
        self._memory_mb = memory_mb
        # forkserver, not fork: a worker may be replaced while a progress-bar thread runs, and
        # forking a threaded process can deadlock the child. The server preloads the extractors, so
        # each new worker starts from warm imports.
        methods = mp.get_all_start_methods()
        if "forkserver" in methods:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(list(PRELOAD))
            self._ctx: Any = ctx
        else:  # pragma: no cover - Windows
            self._ctx = mp.get_context("spawn")
        self._slots = [self._spawn() for _ in range(max(1, workers))]

    def _spawn(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_worker, args=(child, self._task, self._memory_mb, self._warmup), daemon=True
        )
        proc.start()
        child.close()
        if not parent.poll(_STARTUP_TIMEOUT):
            proc.kill()
            raise ExtractionError(f"extraction worker did not start within {_STARTUP_TIMEOUT} s")
        try:
            parent.recv()
        except EOFError as exc:
            raise ExtractionError(
                f"extraction worker failed to start (exit code {proc.exitcode})"
            ) from exc
        return _Slot(proc, parent)

    def _replace(self, slot: _Slot) -> None:
        slot.proc.kill()
        slot.proc.join(5)
        slot.conn.close()
        fresh = self._spawn()
        slot.proc, slot.conn, slot.doc, slot.index = fresh.proc, fresh.conn, None, -1

    def map(self, docs: Iterable[Document | Failure]) -> Iterator[tuple[int, Article | Failure]]:
        """Yield ``(input index, result)`` as results complete (not necessarily in order)."""
        pending = iter(enumerate(docs))
        exhausted = False
        while True:
            for slot in self._slots:
                while slot.doc is None and not exhausted:
                    nxt = next(pending, None)
                    if nxt is None:
                        exhausted = True
                        break
                    i, doc = nxt
                    if isinstance(doc, Failure):
                        yield i, doc
                        continue
                    slot.doc, slot.index = doc, i
                    slot.deadline = time.monotonic() + self._timeout
                    slot.conn.send(doc)
            busy = [s for s in self._slots if s.doc is not None]
            if not busy:
                return
            wait_for = max(0.0, min(s.deadline for s in busy) - time.monotonic())
            ready = wait([s.conn for s in busy], timeout=wait_for)
            now = time.monotonic()
            for slot in busy:
                assert slot.doc is not None
                doc, index = slot.doc, slot.index
                if slot.conn in ready:
                    try:
                        result: Article | Failure = slot.conn.recv()
                    except (EOFError, OSError):
                        code = slot.proc.exitcode
                        result = Failure(
                            doc.source,
                            f"extractor process died (exit code {code}) on this document",
                            doc.content_hash,
                        )
                        self._replace(slot)
                    slot.doc, slot.index = None, -1
                    yield index, result
                elif now >= slot.deadline:
                    self._replace(slot)
                    yield (
                        index,
                        Failure(
                            doc.source,
                            f"timed out: extraction took longer than {self._timeout:g} s "
                            "(raise the limit with --timeout)",
                            doc.content_hash,
                        ),
                    )

    def close(self) -> None:
        for slot in self._slots:
            with contextlib.suppress(BrokenPipeError, OSError):
                slot.conn.send(None)
        for slot in self._slots:
            slot.proc.join(2)
            if slot.proc.is_alive():
                slot.proc.kill()
                slot.proc.join()
            slot.conn.close()

    def __enter__(self) -> GuardedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
