"""Read documents from files, folders, ``.gz`` files, WARC files and stdin.

Every read is capped at ``max_bytes`` *after* decompression, so neither a huge file nor a gzip bomb
can exhaust memory; an over-limit input becomes a :class:`Failure`, never an exception.
"""

from __future__ import annotations

import gzip
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath
from typing import Protocol

from crosswire.records import Document, Failure, Kind

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_TEXT_SUFFIXES = {".txt", ".text", ".md"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx"}
# Files a folder walk skips: sidecar metadata and annotations, not pages.
_SKIP_SUFFIXES = {".json", ".info", ".ann", ".md5", ".sha256", ".lock", ".py", ".pyc"}


_SKIP_NAMES = {"license", "notice", "readme", "copying", "authors", "changelog"}


def _kind_of(name: str) -> Kind | None:
    stem = name.removesuffix(".gz")
    suffix = PurePath(stem).suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        return "text"
    if suffix in _HTML_SUFFIXES:
        return "html"
    return None


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _too_large(source: str, limit: int, what: str = "document") -> Failure:
    return Failure(
        source,
        f"{what} too large: more than {_human(limit)} (raise the limit with --max-bytes)",
    )


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def read_capped(stream: _Readable, limit: int) -> bytes | None:
    """Read at most ``limit`` bytes; ``None`` when the stream holds more."""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def display_path(path: Path | str) -> str:
    """The path as valid UTF-8 text: undecodable bytes in a file name become ``\\xNN``.

    Why: ``os.fsdecode`` keeps such bytes as lone surrogates, which neither SQLite nor a UTF-8
    JSON Lines stream can carry.
    """
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document | Failure:
    """One file as a :class:`Document` (``.gz`` decompressed), or a :class:`Failure` saying why."""
    source = display_path(path)
    try:
        if not path.is_file():
            # A FIFO or device would block the reader forever, outside any per-document limit.
            return Failure(source, "not a regular file (FIFO, device or socket): skipped")
        if path.suffix.lower() == ".gz":
            with gzip.open(path, "rb") as gz:
                data = read_capped(gz, max_bytes)
            if data is None:
                return _too_large(source, max_bytes, "decompressed document")
        else:
            size = path.stat().st_size
            if size > max_bytes:
                return Failure(
                    source,
                    f"document too large: {_human(size)} exceeds the {_human(max_bytes)} limit "
                    "(raise it with --max-bytes)",
                )
            with path.open("rb") as fh:
                data = read_capped(fh, max_bytes)
            if data is None:
                return _too_large(source, max_bytes)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        return Failure(source, f"broken gzip file: {exc}")
    except OSError as exc:
        return Failure(source, f"cannot read file: {exc.strerror or exc}")
    return Document(source=source, content=data, kind=_kind_of(path.name))


def walk(path: Path) -> Iterator[Path]:
    """Files under ``path`` in sorted order, skipping hidden files and sidecar metadata."""
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if PurePath(name.removesuffix(".gz")).suffix.lower() in _SKIP_SUFFIXES:
                continue
            if name.split(".")[0].lower() in _SKIP_NAMES:
                continue
            full = Path(root) / name
            if not full.is_file():
                continue  # FIFOs, sockets, devices, dangling links: never pages
            yield full


def read_stdin(*, max_bytes: int = DEFAULT_MAX_BYTES) -> Document | Failure:
    data = read_capped(sys.stdin.buffer, max_bytes)
    if data is None:
        return _too_large("-", max_bytes)
    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip_capped(data, max_bytes)
        except (OSError, EOFError, zlib.error) as exc:
            return Failure("-", f"broken gzip data on stdin: {exc}")
        if data is None:
            return _too_large("-", max_bytes, "decompressed document")
    return Document(source="-", content=data)


def _gunzip_capped(data: bytes, limit: int) -> bytes | None:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = d.decompress(data, limit + 1)
    if len(out) > limit:
        return None
    if not d.eof:
        raise EOFError("compressed data ended before the end of the stream")
    return out


def iter_documents(
    inputs: Iterable[str], *, max_bytes: int = DEFAULT_MAX_BYTES, plain: bool = False
) -> Iterator[Document | Failure]:
    """Documents from each input: a file, a folder (recursively), or ``-`` for stdin.

    A WARC or WARC.gz file gives one document per HTML response (see :mod:`.warc`), a JSON Lines
    file one per record (see :mod:`.jsonl`; ``plain`` takes its texts verbatim).
    """
    from crosswire.ingest.jsonl import is_jsonl, iter_jsonl
    from crosswire.ingest.warc import is_warc, iter_warc

    for item in inputs:
        if item == "-":
            yield read_stdin(max_bytes=max_bytes)
            continue
        path = Path(item)
        if not path.exists():
            yield Failure(display_path(item), "no such file or directory")
            continue
        for file in walk(path):
            if is_warc(file.name):
                yield from iter_warc(file, max_bytes=max_bytes)
            elif is_jsonl(file.name):
                yield from iter_jsonl(file, display_path(file), max_bytes=max_bytes, plain=plain)
            else:
                yield read_file(file, max_bytes=max_bytes)


def is_url(text: str) -> bool:
    """Whether an input names a web address rather than a file."""
    return text.strip().lower().startswith(("http://", "https://"))


def count_documents(inputs: Iterable[str]) -> int | None:
    """How many documents :func:`iter_documents` will yield (for progress); ``None`` if unknown.

    Unknown when stdin, a URL, a WARC or a JSON Lines file is among the inputs: counting their
    records would mean reading them twice.
    """
    from crosswire.ingest.jsonl import is_jsonl
    from crosswire.ingest.warc import is_warc

    total = 0
    for item in inputs:
        if item == "-" or is_url(item):
            return None
        path = Path(item)
        if not path.exists():
            total += 1
            continue
        for file in walk(path):
            if is_warc(file.name) or is_jsonl(file.name):
                return None
            total += 1
    return total
