"""JSON Lines of pages or texts: one object per line.

A record is ``{"url": ..., "html": ...}`` (a page, extracted like any HTML file) or
``{"id": ..., "text": ..., "url": ...}`` (a plain-text copy, or with ``--plain`` a clean text
taken verbatim); ``url`` and ``id`` are optional. Thousands of short texts go through one process
this way (``crosswire analyze --plain texts.jsonl``). Each record becomes its own document; the
record's ``id`` (or, without one, its line number) names it under ``--plain``. A line that is not
such an object is a failure of that line only.

Files are read line by line, so a dump of any size streams; each line is capped at ``max_bytes``.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from crosswire.records import Document, Failure, Kind

SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_PLAIN_SHAPE = 'not a {"id", "text"} object: needs a string "text" field'
_SHAPE = 'not a {"url", "html"} or {"id", "text"} object: needs a string "html" or "text" field'


def is_jsonl(source: str) -> bool:
    """Whether a source path names a JSON Lines file."""
    return source.lower().endswith(SUFFIXES)


def explode(doc: Document, *, plain: bool = False) -> Iterator[Document | Failure]:
    """One document per record of a JSON Lines document already in memory."""
    for lineno, raw in enumerate(doc.content.splitlines(), start=1):
        if raw.strip():
            yield record_document(raw, f"{doc.source}:{lineno}", lineno, plain=plain)


def iter_jsonl(
    path: Path, source: str, *, max_bytes: int, plain: bool = False
) -> Iterator[Document | Failure]:
    """One document per record of a JSON Lines file (``.gz`` decompressed), streamed."""
    try:
        fh = _open(path)
    except OSError as exc:
        yield Failure(source, f"cannot read file: {exc.strerror or exc}")
        return
    lineno = 0
    try:
        while True:
            raw = fh.readline(max_bytes + 1)
            if not raw:
                return
            lineno += 1
            where = f"{source}:{lineno}"
            if len(raw) > max_bytes and not raw.endswith(b"\n"):
                _skip_line(fh)
                yield Failure(
                    where,
                    f"record too large: more than {max_bytes:,} bytes "
                    "(raise the limit with --max-bytes)",
                )
            elif raw.strip():
                yield record_document(raw, where, lineno, plain=plain)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield Failure(f"{source}:{lineno + 1}", f"broken gzip file: {exc}")
    except OSError as exc:
        yield Failure(f"{source}:{lineno + 1}", f"cannot read file: {exc.strerror or exc}")
    finally:
        fh.close()


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


def _open(path: Path) -> _Lines:
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")


def _skip_line(fh: _Lines) -> None:
    while True:
        chunk = fh.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return


def record_document(
    raw: bytes, where: str, lineno: int, *, plain: bool = False
) -> Document | Failure:
    """The document one JSON Lines record holds, or why it holds none.

    Without ``plain`` an ``html`` field wins over ``text``; with it, only ``text`` is taken
    (clean text, offsets indexing it), since markup cannot be analysed verbatim.
    """
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        # ValueError covers bad JSON, bad UTF-8 and integers past Python's 4,300-digit limit;
        # RecursionError a line nested thousands deep. Either is this line's failure, not the run's.
        return Failure(where, f"not a JSON object: {_reason(exc)}")
    if not isinstance(record, dict):
        return Failure(where, _PLAIN_SHAPE if plain else _SHAPE)
    html, text = record.get("html"), record.get("text")
    kind: Kind
    if not plain and isinstance(html, str):
        content, kind = html, "html"
    elif isinstance(text, str):
        content, kind = text, "text"
    elif plain and isinstance(html, str):
        return Failure(
            where, 'an "html" record cannot be taken verbatim: drop --plain to extract it'
        )
    else:
        return Failure(where, _PLAIN_SHAPE if plain else _SHAPE)
    rid = record.get("id")
    url = record.get("url")
    return Document(
        source=where,
        # surrogatepass keeps a lone surrogate from JSON ("\ud83d") as bytes the decoder repairs.
        content=content.encode("utf-8", errors="surrogatepass"),
        url=url if isinstance(url, str) and url else None,
        kind=kind,
        encoding="utf-8",
        record_id=str(rid) if rid is not None else str(lineno),
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return str(exc)
    # json.loads raises a bare ValueError only for an integer past the digit limit, whose own
    # message points at a Python setting instead of the line.
    return "a number in it has too many digits"
