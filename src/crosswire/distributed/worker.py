"""What runs one shard, wherever it runs: read its documents, extract and read each one, write
the shard's results (see :mod:`.shards`). No Ray here: :mod:`.ray_engine` wraps
:class:`ShardWorker` as an actor, and it runs as well in a plain process.

Each document goes through a :class:`~crosswire.extract.guard.GuardedPool` of one process, as in
a local ingest: the same per-document time limit (``--timeout``) and memory cap, and a document
that crashes or hangs its extraction process becomes a :class:`~crosswire.records.Failure` while
the shard goes on. That process is started on the first shard and kept, so the models (spaCy,
the gazetteer) load once per worker, inside it, by name; no model object ever travels.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crosswire.distributed.codec import Result, Skipped
from crosswire.distributed.shards import Shard, ShardWriter
from crosswire.extract.guard import GuardedPool
from crosswire.ingest.files import display_path, iter_documents
from crosswire.pipeline import Options, _passing, _passing_documents, guarded_pool
from crosswire.records import Article, Document, Failure

#: Test-only: names a trigger file. While the file exists, the first worker to write the second
#: result of a shard deletes it and kills itself (SIGKILL), as a crash or the OOM killer would:
#: tests/test_ray.py shows so that a killed worker's shard is retried. Never set it otherwise.
TEST_KILL_ENV = "CROSSWIRE_TEST_KILL_WORKER"


class ShardWorker:
    """Runs shards one after the other with ``options`` (limits, read stage, filters)."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._pool: GuardedPool | None = None
        self.shards = 0

    def _guarded(self) -> GuardedPool:
        if self._pool is None:
            self._pool = guarded_pool(self.options, workers=1)
        return self._pool

    def run(self, shard: Shard, directory: str) -> dict[str, Any]:
        """Process ``shard`` and write its results and marker to ``directory``; the marker,
        plus this worker's memory, is returned."""
        started = time.monotonic()
        with ShardWriter(directory, shard) as writer:
            for result in self.results(shard):
                writer.write(result)
                if writer.count == 2:
                    _test_kill()
            marker = writer.finish(
                seconds=round(time.monotonic() - started, 3),
                worker={"host": socket.gethostname(), "pid": os.getpid()},
            )
        self.shards += 1
        return {**marker, "memory": memory()}

    def results(self, shard: Shard) -> Iterator[Result]:
        """The shard's results in input order, each document's source named as it was given."""
        o = self.options
        filters = o.filters if o.filters is not None and o.filters.active else None
        names = {display_path(m.absolute): display_path(m.path) for m in shard.members}
        skipped: list[Skipped] = []

        def on_skip(source: str, reason: str) -> None:
            skipped.append(Skipped(_rename(source, names), reason))

        docs: Iterator[Document | Failure] = iter_documents(
            [m.absolute for m in shard.members], max_bytes=o.max_bytes, plain=o.plain
        )
        if filters is not None:
            docs = _passing_documents(docs, filters, on_skip)
        waiting: dict[int, Article | Failure] = {}
        next_index = 0
        for index, result in self._guarded().map(docs):
            waiting[index] = result
            while next_index in waiting:
                for passed in _passing(waiting.pop(next_index), filters, on_skip):
                    passed.source = _rename(passed.source, names)
                    yield passed
                next_index += 1
            yield from skipped
            skipped.clear()
        for index in sorted(waiting):
            for passed in _passing(waiting[index], filters, on_skip):
                passed.source = _rename(passed.source, names)
                yield passed
        yield from skipped

    def memory(self) -> dict[str, Any]:
        return memory()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _rename(source: str, names: dict[str, str]) -> str:
    """``source`` with the absolute path a worker opened replaced by the path as given."""
    if source in names:
        return names[source]
    for absolute, given in names.items():
        if source.startswith(absolute + ":"):  # a JSON Lines record: path:line
            return given + source[len(absolute) :]
    return source


def _test_kill() -> None:
    trigger = os.environ.get(TEST_KILL_ENV)
    if not trigger:
        return
    try:
        Path(trigger).unlink()  # atomic: one worker wins
    except OSError:
        return
    os.kill(os.getpid(), signal.SIGKILL)


# -- memory, for progress reports and the benchmark (Linux /proc; empty elsewhere) ---------------


def _status(pid: int) -> dict[str, int]:
    out = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
    return out


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, ...), from /proc."""
    parents: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(entry.path, "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def memory() -> dict[str, Any]:
    """Peak and current resident memory of this process and of the processes it started (the
    extraction process, where the models live, and the fork server that starts it), in MB."""
    mb = 1024 * 1024
    me = _status(os.getpid())
    below = [_status(p) for p in descendants(os.getpid())]
    return {
        "peak_mb": round(me.get("VmHWM", 0) / mb, 1),
        "rss_mb": round(me.get("VmRSS", 0) / mb, 1),
        "children_peak_mb": round(sum(s.get("VmHWM", 0) for s in below) / mb, 1),
        "children_rss_mb": round(sum(s.get("VmRSS", 0) for s in below) / mb, 1),
    }
