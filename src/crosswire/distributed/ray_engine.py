"""``crosswire ingest --engine ray``: the shards of an ingest run by Ray actors, on this machine
or on a Ray cluster, and stored by one loader in this process.

How a run goes (:func:`ingest_with_ray`):

1. The inputs are cut into shards (:func:`~crosswire.distributed.shards.plan_shards`: one WARC
   or JSON Lines file per shard, other files grouped). Shards already finished in the shards
   folder, by an earlier run, are not run again.
2. ``workers`` actors (:class:`~crosswire.distributed.worker.ShardWorker`, one CPU each) take
   the other shards one at a time. Each actor is given the run's :class:`Options`, never a model:
   it loads the models once, by name, and writes each shard's results and completion marker to
   the shards folder.
3. A shard whose actor dies (killed, crashed, out of memory, its node lost) is given to a new
   actor, up to ``attempts`` times in all; then it is reported as failed and the run goes on. A
   shard whose result file does not match its marker is reported and run again.
4. This process loads finished shards into the store in plan order, as soon as each is ready
   (:func:`~crosswire.distributed.shards.load_shard`): articles arrive in the same order on
   every run, and an interrupted run keeps what it loaded.

Locally (``address=None``) a Ray instance with ``workers`` CPUs is started for the run and
stopped after it; with ``address`` (``auto``, ``ray://head:10001``, ``head:6379``) the run joins
that cluster, whose nodes must have crosswire installed and see the inputs and the shards folder
at the same paths (a shared file system).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from crosswire.distributed.shards import (
    FILES_PER_SHARD,
    OnResult,
    Shard,
    ShardLoad,
    check,
    load_shard,
    merge,
    plan_shards,
)
from crosswire.distributed.worker import ShardWorker
from crosswire.errors import CrosswireError
from crosswire.pipeline import IngestSummary, Options
from crosswire.records import Failure
from crosswire.store.store import Store

DEFAULT_ATTEMPTS = 3

EventKind = Literal["finished before", "done", "retry", "failed", "corrupt", "loaded"]


@dataclass
class ShardEvent:
    """What happened to a shard, for progress display.

    ``finished before``: done by an earlier run, not run again; ``done``: an actor finished it
    (``marker`` holds its counts, time and the actor's memory); ``retry``: its actor died or
    failed, it goes to another; ``failed``: out of attempts; ``corrupt``: its result file does
    not match its marker (before a run: it is run again; when loading: skipped); ``loaded``: its
    results are in the store (``load.outcome`` may be ``already loaded``).
    """

    kind: EventKind
    shard: Shard
    message: str = ""
    attempt: int = 0
    marker: dict[str, Any] | None = None
    load: ShardLoad | None = None


OnShard = Callable[[ShardEvent], None]


def import_ray() -> ModuleType:
    """The ``ray`` module, or a :class:`CrosswireError` saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise CrosswireError(
            "the ray engine needs Ray: pip install 'crosswire[ray]' (or use --engine local)"
        ) from exc
    return ray


def default_shards_dir(store: Store) -> Path:
    """``<database>.shards`` beside a database file: a re-run against it finds its shards. For a
    PostgreSQL database, a folder named after it in the system's temporary folder."""
    if store.path is not None:
        return store.path.with_name(store.path.name + ".shards")
    digest = hashlib.sha256(store.name.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"crosswire-shards-{digest}"


@dataclass
class _Loader:
    """Loads shards in plan order as they become ready."""

    directory: Path
    store: Store
    options: Options
    shards: list[Shard]
    on_result: OnResult | None
    emit: Callable[[ShardEvent], None]
    summary: IngestSummary = field(default_factory=IngestSummary)
    ready: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    next: int = 0

    def advance(self) -> None:
        while self.next < len(self.shards):
            shard = self.shards[self.next]
            if shard.name in self.failed:
                self.next += 1
                continue
            if shard.name not in self.ready:
                return
            load = load_shard(self.directory, shard.name, self.store, self.options, self.on_result)
            merge(self.summary, load.summary)
            if load.outcome in ("loaded", "already loaded"):
                self.emit(ShardEvent("loaded", shard, load=load))
            else:
                message = f"results not loaded ({load.outcome}): {load.message}"
                self.summary.failed += 1
                self.summary.failures.append(Failure(shard.label, f"shard {shard.name}: {message}"))
                self.emit(ShardEvent("corrupt", shard, message, load=load))
            self.next += 1


def ingest_with_ray(
    inputs: Iterable[str],
    store: Store,
    options: Options | None = None,
    *,
    address: str | None = None,
    workers: int = 2,
    shards_dir: str | Path | None = None,
    files_per_shard: int = FILES_PER_SHARD,
    attempts: int = DEFAULT_ATTEMPTS,
    on_shard: OnShard | None = None,
    on_result: OnResult | None = None,
) -> IngestSummary:
    """Extract, read and store every document under ``inputs`` (files and folders) with Ray.

    ``workers`` actors run the shards; ``shards_dir`` (default :func:`default_shards_dir`) keeps
    their results, so running again skips finished shards. ``on_shard`` hears of every shard
    event, ``on_result(result, outcome)`` of every stored result as :func:`~crosswire.pipeline.
    ingest` reports them. A shard that failed ``attempts`` times or whose results are corrupt
    counts as one failure in the summary, named by its inputs.
    """
    options = options if options is not None else Options()
    shards = plan_shards(inputs, options, files_per_shard=files_per_shard)
    directory = Path(shards_dir) if shards_dir is not None else default_shards_dir(store)
    directory.mkdir(parents=True, exist_ok=True)

    def emit(event: ShardEvent) -> None:
        if on_shard is not None:
            on_shard(event)

    loader = _Loader(directory, store, options, shards, on_result, emit)
    todo: list[Shard] = []
    for shard in shards:
        state, why, marker = check(directory, shard.name)
        if state == "finished":
            loader.ready.add(shard.name)
            emit(ShardEvent("finished before", shard, marker=marker))
        else:
            if state == "corrupt":
                emit(ShardEvent("corrupt", shard, f"{why}; running it again"))
            todo.append(shard)
    loader.advance()
    if todo:
        _run(todo, directory, options, loader, address, workers, attempts, emit)
    loader.advance()
    return loader.summary


def _run(
    todo: list[Shard],
    directory: Path,
    options: Options,
    loader: _Loader,
    address: str | None,
    workers: int,
    attempts: int,
    emit: Callable[[ShardEvent], None],
) -> None:
    ray = import_ray()
    started = False
    if not ray.is_initialized():
        # RAY_ADDRESS in the environment means a cluster too, where num_cpus may not be given.
        local = address is None and not os.environ.get("RAY_ADDRESS")
        ray.init(
            address=address,
            num_cpus=workers if local else None,
            include_dashboard=False,
            logging_level=logging.WARNING,
        )
        started = True
    try:
        _schedule(ray, todo, directory, options, loader, workers, attempts, emit)
    finally:
        if started:
            ray.shutdown()


def _schedule(
    ray: Any,
    todo: list[Shard],
    directory: Path,
    options: Options,
    loader: _Loader,
    workers: int,
    attempts: int,
    emit: Callable[[ShardEvent], None],
) -> None:
    # max_restarts=0: a dead actor stays dead and this loop starts a fresh one, so that a shard's
    # retries are counted here, where the shard is known.
    actor_class = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(ShardWorker)
    queue: deque[tuple[Shard, int]] = deque((shard, 1) for shard in todo)
    idle: list[Any] = [actor_class.remote(options) for _ in range(min(workers, len(todo)))]
    running: dict[Any, tuple[Any, Shard, int]] = {}
    try:
        while queue or running:
            while queue and idle:
                actor = idle.pop()
                shard, attempt = queue.popleft()
                running[actor.run.remote(shard, str(directory))] = (actor, shard, attempt)
            (ref,), _ = ray.wait(list(running), num_returns=1)
            actor, shard, attempt = running.pop(ref)
            try:
                marker = ray.get(ref)
            except ray.exceptions.RayError as exc:
                reason = _why(ray, exc)
                _kill(ray, actor)
                if len(idle) + len(running) < workers and (queue or attempt < attempts):
                    idle.append(actor_class.remote(options))
                if attempt < attempts:
                    emit(ShardEvent("retry", shard, reason, attempt=attempt))
                    queue.appendleft((shard, attempt + 1))
                else:
                    tries = f"{attempt} attempt{'s' if attempt > 1 else ''}"
                    message = f"gave up after {tries}; last: {reason}"
                    emit(ShardEvent("failed", shard, message, attempt=attempt))
                    loader.failed.add(shard.name)
                    loader.summary.failed += 1
                    loader.summary.failures.append(
                        Failure(shard.label, f"shard {shard.name} not ingested: {message}")
                    )
                    loader.advance()
                continue
            idle.append(actor)
            emit(ShardEvent("done", shard, attempt=attempt, marker=marker))
            loader.ready.add(shard.name)
            loader.advance()
    finally:
        # Idle actors stop their extraction process cleanly; busy ones (an interrupt, an error
        # here) are killed at once rather than waited for.
        for actor in idle:
            _close(ray, actor)
        for actor, _, _ in running.values():
            _kill(ray, actor)


def _why(ray: Any, exc: BaseException) -> str:
    if isinstance(exc, ray.exceptions.RayActorError | ray.exceptions.WorkerCrashedError):
        return "its worker died (killed, crashed or out of memory)"
    if isinstance(exc, ray.exceptions.RayTaskError):
        cause = exc.as_instanceof_cause()
        return f"its worker failed: {type(cause).__name__}: {cause}".splitlines()[0]
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _kill(ray: Any, actor: Any) -> None:
    with contextlib.suppress(Exception):  # an actor already gone is what we wanted
        ray.kill(actor, no_restart=True)


def _close(ray: Any, actor: Any) -> None:
    """Stop an actor's extraction process cleanly, then the actor."""
    with contextlib.suppress(Exception):  # dead or stuck: killed below all the same
        ray.get(actor.close.remote(), timeout=10)
    _kill(ray, actor)
