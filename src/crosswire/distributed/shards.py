"""Shards: how the inputs of a distributed ingest are cut up, where each shard's results go, and
the one loader that stores them.

* **Planning** (:func:`plan_shards`): each WARC or JSON Lines file is a shard of its own; other
  files (pages, plain-text copies, found in folders too) are grouped, ``files_per_shard`` to a
  shard, in walk order. A shard's name is stable across runs: a hash of its files' absolute paths,
  sizes and modification times and of the options that change its results (the read stage,
  ``--plain``, ``--max-bytes``, the filters), after a readable label. A changed file, or other
  options, make another shard; the old one's files are simply not used.
* **Results** (:class:`ShardWriter`): JSON Lines of results (see :mod:`.codec`) written to
  ``<dir>/<shard>.jsonl.part``, fsynced, renamed to ``<shard>.jsonl``; then the marker
  ``<shard>.done`` (JSON: ``count``, ``sha256`` of the results file, ``crosswire`` version),
  written the same way. A shard is finished only when its marker exists and matches its results
  file and this crosswire version (:func:`check`); a worker killed mid-shard leaves at most a
  ``.part`` file, which the next attempt overwrites.
* **Loading** (:func:`load_shard`, :func:`load_shards`): one process reads finished shards in
  order and upserts them through :func:`crosswire.pipeline.store_results`, one transaction per
  shard, then notes in ``<shard>.loaded`` which database holds them, so a re-run loads nothing
  twice (storing twice would change nothing anyway: saves are keyed by content hash). A results
  file that does not match its marker, or does not decode, is reported and skipped; the run goes
  on.

Nothing here imports Ray: a shard folder written by any engine is loaded the same way. On a
cluster the folder must be one every node and the loader see (a shared file system).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from crosswire import __version__
from crosswire.distributed.codec import Result, Skipped, decode, encode
from crosswire.ingest.files import is_url, walk
from crosswire.ingest.jsonl import is_jsonl
from crosswire.ingest.warc import is_warc
from crosswire.pipeline import IngestSummary, Options, store_results
from crosswire.records import Article, Failure
from crosswire.store.store import Store

#: Plain files (pages, text copies) per shard; each WARC or JSON Lines file is a shard alone.
FILES_PER_SHARD = 100

RESULTS = ".jsonl"
PART = ".jsonl.part"
DONE = ".done"
LOADED = ".loaded"

ShardKind = Literal["warc", "jsonl", "files"]
OnResult = Callable[[Article | Failure, str], None]


@dataclass(frozen=True, slots=True)
class Member:
    """One input file of a shard."""

    path: str
    """As the user gave it (relative stays relative): what results name as their source."""
    absolute: str
    """Where a worker opens it, whatever its working folder."""


@dataclass(frozen=True, slots=True)
class Shard:
    name: str
    """Stable id, usable as a file name: ``<label>-<16 hex digits>``."""
    kind: ShardKind
    members: tuple[Member, ...]

    @property
    def label(self) -> str:
        """The shard's inputs, for messages."""
        first = self.members[0].path
        return first if len(self.members) == 1 else f"{first} and {len(self.members) - 1} more"


def options_key(options: Options) -> dict[str, Any]:
    """What in ``options`` changes a shard's results (not the workers, the timeout or batching)."""
    f = options.filters if options.filters is not None and options.filters.active else None
    return {
        "read": options.read,
        "plain": options.plain,
        "max_bytes": options.max_bytes,
        "filters": None
        if f is None
        else {
            "since": f.since.isoformat() if f.since else None,
            "until": f.until.isoformat() if f.until else None,
            "languages": sorted(f.languages),
            "hosts": sorted(f.hosts),
            "url_pattern": f.url_pattern,
        },
    }


def _stat_key(absolute: str) -> list[Any]:
    try:
        st = Path(absolute).stat()
    except OSError:
        return [absolute, -1, 0]
    return [absolute, st.st_size, st.st_mtime_ns]


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _shard(kind: ShardKind, members: list[Member], options: Options) -> Shard:
    key = json.dumps(
        {"members": [_stat_key(m.absolute) for m in members], "options": options_key(options)},
        sort_keys=True,
    )
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    label = _UNSAFE.sub("_", Path(members[0].absolute).name).strip("._")[:40] or "shard"
    return Shard(f"{label}-{digest}", kind, tuple(members))


def _member(path: Path | str) -> Member:
    text = os.fsdecode(path)
    # abspath, not resolve: a symlinked folder keeps the name the user knows it by.
    return Member(text, os.path.abspath(text))  # noqa: PTH100


def plan_shards(
    inputs: Iterable[str], options: Options | None = None, *, files_per_shard: int = FILES_PER_SHARD
) -> list[Shard]:
    """The shards for ``inputs`` (files and folders), in input order.

    :class:`ValueError` for stdin (``-``) or a URL: a shard must be a file a worker can open.
    A path that does not exist becomes part of a shard too, and its worker reports it as failed.
    """
    options = options if options is not None else Options()
    shards: list[Shard] = []
    group: list[Member] = []

    def flush() -> None:
        if group:
            shards.append(_shard("files", group.copy(), options))
            group.clear()

    for item in inputs:
        if item == "-" or is_url(item):
            raise ValueError(
                f"{item!r}: a distributed ingest reads files and folders only; "
                "ingest stdin and URLs with the local engine"
            )
        path = Path(item)
        files = walk(path) if path.exists() else iter([path])
        for file in files:
            if is_warc(file.name) or is_jsonl(file.name):
                kind: ShardKind = "warc" if is_warc(file.name) else "jsonl"
                shards.append(_shard(kind, [_member(file)], options))
            else:
                group.append(_member(file))
                if len(group) >= files_per_shard:
                    flush()
    flush()
    # The same file given twice (or in a folder and on its own) makes the same shard: once.
    return list({s.name: s for s in shards}.values())


# -- result files --------------------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    _fsync_dir(path.parent)


class ShardWriter:
    """Writes one shard's results: ``.part`` as they come, then the results file and its marker.

    Leaving the ``with`` block by an exception leaves only the ``.part`` file (no marker), so the
    shard stays unfinished.
    """

    def __init__(self, directory: Path | str, shard: Shard) -> None:
        self.directory = Path(directory)
        self.shard = shard
        self.directory.mkdir(parents=True, exist_ok=True)
        # An earlier run's marker is removed first: results and marker must never disagree.
        for suffix in (DONE, LOADED):
            (self.directory / (shard.name + suffix)).unlink(missing_ok=True)
        self.part = self.directory / (shard.name + PART)
        self._fh = self.part.open("wb")
        self._sha = hashlib.sha256()
        self.count = 0

    def write(self, result: Result) -> None:
        line = (encode(result) + "\n").encode("utf-8", "surrogatepass")
        self._fh.write(line)
        self._sha.update(line)
        self.count += 1

    def finish(self, **extra: Any) -> dict[str, Any]:
        """Make the shard finished: fsync, rename, write the marker. Returns the marker."""
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self.part.replace(self.directory / (self.shard.name + RESULTS))
        _fsync_dir(self.directory)
        marker = {
            "shard": self.shard.name,
            "count": self.count,
            "sha256": self._sha.hexdigest(),
            "crosswire": __version__,
            "inputs": [m.path for m in self.shard.members],
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **extra,
        }
        _write_atomic(self.directory / (self.shard.name + DONE), json.dumps(marker).encode())
        return marker

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._fh.closed:
            self._fh.close()


def _sha256(path: Path) -> tuple[str, int]:
    sha, lines = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            sha.update(chunk)
            lines += chunk.count(b"\n")
    return sha.hexdigest(), lines


ShardState = Literal["finished", "missing", "corrupt"]


def check(directory: Path | str, name: str) -> tuple[ShardState, str, dict[str, Any] | None]:
    """Whether shard ``name`` is finished in ``directory``: ``(state, why, marker)``.

    ``missing``: no marker (never run, or killed before the end). ``corrupt``: a marker that
    does not match its results file (checksum, line count, unreadable) or another crosswire
    version's, with ``why`` saying what is wrong.
    """
    directory = Path(directory)
    done = directory / (name + DONE)
    if not done.is_file():
        return "missing", "no completion marker", None
    try:
        marker = json.loads(done.read_text(encoding="utf-8"))
        if not isinstance(marker, dict):
            raise ValueError("not an object")
        expected, count = str(marker["sha256"]), int(marker["count"])
        version = marker["crosswire"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return "corrupt", f"unreadable marker {done.name}: {exc}", None
    if version != __version__:
        return "corrupt", f"made by crosswire {version}, this is {__version__}", marker
    results = directory / (name + RESULTS)
    try:
        sha, lines = _sha256(results)
    except OSError as exc:
        return "corrupt", f"results file unreadable: {exc.strerror or exc}", marker
    if sha != expected:
        return "corrupt", f"results file {results.name} does not match its checksum", marker
    if lines != count:
        return "corrupt", f"results file holds {lines} results, its marker says {count}", marker
    return "finished", "", marker


def finished_shards(directory: Path | str) -> list[str]:
    """Names of the shards with a completion marker in ``directory`` (checked or not), sorted."""
    return sorted(p.name.removesuffix(DONE) for p in Path(directory).glob("*" + DONE))


# -- loading -------------------------------------------------------------------------------------


@dataclass
class ShardLoad:
    """What loading one shard did."""

    shard: str
    outcome: Literal["loaded", "already loaded", "corrupt", "missing"]
    message: str = ""
    summary: IngestSummary = field(default_factory=IngestSummary)


def _store_key(store: Store) -> str:
    return str(store.path.resolve()) if store.path is not None else store.name


def _loaded_into(directory: Path, name: str, store: Store, sha: str) -> bool:
    try:
        record = json.loads((directory / (name + LOADED)).read_text(encoding="utf-8"))
        entry = record["stores"][_store_key(store)]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if not isinstance(entry, dict) or entry.get("sha256") != sha:
        return False
    last = entry.get("last")
    if last is None:
        return True
    # The database may have been deleted and made anew at the same path since.
    row = store.db.execute("SELECT 1 FROM articles WHERE content_hash = ?", (last,)).fetchone()
    return row is not None


def _note_loaded(directory: Path, name: str, store: Store, sha: str, last: str | None) -> None:
    path = directory / (name + LOADED)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        stores = record["stores"] if isinstance(record.get("stores"), dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        stores = {}
    stores[_store_key(store)] = {"sha256": sha, "last": last}
    _write_atomic(path, json.dumps({"stores": stores}).encode())


def _decoded(path: Path) -> Iterator[Result]:
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, 1):
            try:
                yield decode(line)
            except ValueError as exc:
                raise _CorruptError(f"{path.name} line {lineno}: {exc}") from exc


class _CorruptError(Exception):
    pass


def load_shard(
    directory: Path | str,
    name: str,
    store: Store,
    options: Options | None = None,
    on_result: OnResult | None = None,
    *,
    force: bool = False,
) -> ShardLoad:
    """Store the results of finished shard ``name``, in one transaction; skip it when it was
    loaded into this database before (unless ``force``), or when its files are corrupt or
    missing (``outcome`` says which, ``message`` why; nothing of it is stored then)."""
    directory = Path(directory)
    options = options if options is not None else Options()
    state, why, marker = check(directory, name)
    if state != "finished" or marker is None:
        return ShardLoad(name, "missing" if state == "missing" else "corrupt", why)
    sha = str(marker["sha256"])
    if not force and _loaded_into(directory, name, store, sha):
        return ShardLoad(name, "already loaded")
    summary = IngestSummary()
    last: list[str] = []

    def results() -> Iterator[Article | Failure]:
        for result in _decoded(directory / (name + RESULTS)):
            if isinstance(result, Skipped):
                summary.skipped += 1
                if on_result is not None:
                    on_result(Failure(result.source, result.reason), "skipped")
                continue
            if isinstance(result, Article):
                last[:] = [result.content_hash]
            yield result

    # One transaction for the shard: a shard is stored whole or not at all.
    whole = replace(options, batch=2**62)
    try:
        store_results(results(), store, whole, on_result, summary=summary)
    except _CorruptError as exc:
        return ShardLoad(name, "corrupt", str(exc))
    _note_loaded(directory, name, store, sha, last[0] if last else None)
    return ShardLoad(name, "loaded", summary=summary)


def merge(into: IngestSummary, other: IngestSummary) -> None:
    """Add ``other``'s counts and failures to ``into``."""
    into.new += other.new
    into.known += other.known
    into.failed += other.failed
    into.skipped += other.skipped
    into.failures.extend(other.failures)


def load_shards(
    directory: Path | str,
    store: Store,
    options: Options | None = None,
    on_result: OnResult | None = None,
    *,
    names: Iterable[str] | None = None,
    on_shard: Callable[[ShardLoad], None] | None = None,
) -> tuple[IngestSummary, list[ShardLoad]]:
    """Load the finished shards ``names`` (default: every shard with a marker in ``directory``,
    by name) into ``store``; a corrupt or missing one is reported in the list and skipped.

    The summary counts what this call stored; shards loaded into this database before add
    nothing to it.
    """
    summary = IngestSummary()
    loads = []
    for name in names if names is not None else finished_shards(directory):
        load = load_shard(directory, name, store, options, on_result)
        merge(summary, load.summary)
        loads.append(load)
        if on_shard is not None:
            on_shard(load)
    return summary, loads
