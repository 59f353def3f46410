"""Read the HTML pages out of a WARC or WARC.gz file (a web archive, as Common Crawl's CC-NEWS
and most crawlers write them).

Each HTTP *response* record whose Content-Type is HTML or XHTML becomes a
:class:`~crosswire.records.Document` with the record's target URI as ``url``. Requests,
metadata, non-HTML responses and non-2xx responses are skipped silently (counted in
:class:`WarcStats`). The file is streamed record by record (fastwarc), so memory stays bounded by
``max_bytes`` whatever the archive's size.

Broken records (a truncated body, bad headers, garbage between records, a corrupt gzip member)
do not end the run: reading resumes at the next record start, and the number of broken records is
reported at the end as one :class:`~crosswire.records.Failure` for the file.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fastwarc.stream_io import BrotliReader, ChunkedReader, GzipReader, WarcReader
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from crosswire.ingest.files import DEFAULT_MAX_BYTES, display_path
from crosswire.records import Document, Failure

SUFFIXES = (".warc", ".warc.gz")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GZIP_MAGIC = b"\x1f\x8b\x08"
_SCAN_CHUNK = 1 << 20
_VERSION_LINE = re.compile(rb"WARC/1\.[01]\r?\n")
# A record overrunning into the next one (its Content-Length larger than what was written) carries
# the next record's header in its body; a page quoting a WARC header this exact way is unlikely.
_SWALLOWED_HEADER = re.compile(rb"WARC/1\.[01]\r?\n(?:WARC-|Content-)", re.IGNORECASE)


def is_warc(name: str) -> bool:
    """Whether a file name names a WARC file."""
    return name.lower().endswith(SUFFIXES)


@dataclass(slots=True)
class WarcStats:
    """What reading one WARC file found."""

    records: int = 0
    """Records whose headers could be read."""
    pages: int = 0
    """HTML responses yielded as documents (or as per-record failures, e.g. too large)."""
    skipped: int = 0
    """Records that are not HTML responses: requests, metadata, images, redirects, ..."""
    broken: int = 0
    """Records that could not be read; adjacent broken records may count once."""


class _BrokenRecordError(Exception):
    """The current record cannot be read (its body is cut short or its encoding is corrupt)."""


def iter_warc(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, stats: WarcStats | None = None
) -> Iterator[Document | Failure]:
    """Documents for the HTML responses in a WARC or WARC.gz file, in file order.

    A page larger than ``max_bytes`` (after decoding) is a :class:`Failure` of that record; when
    records were broken, a last :class:`Failure` for the file says how many were skipped.
    """
    stats = stats if stats is not None else WarcStats()
    source = display_path(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield Failure(source, f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        gzipped = fh.read(3) == _GZIP_MAGIC
        yield from _read(fh, source, gzipped, max_bytes, stats)
    if stats.records == 0:
        yield Failure(source, "not a WARC file: no readable WARC record in it")
    elif stats.broken:
        noun = "record" if stats.broken == 1 else "records"
        yield Failure(
            source,
            f"skipped {stats.broken} broken WARC {noun} (truncated, bad headers or corrupt "
            "gzip data); the rest of the file was read",
        )


def _read(
    fh: BinaryIO, source: str, gzipped: bool, max_bytes: int, stats: WarcStats
) -> Iterator[Document | Failure]:
    start = 0
    # True when the last failure came after a good record: the record after it is then known
    # to be broken, so failing again right at the next record start is the same record.
    after_good = False
    while True:
        fh.seek(start)
        records = ArchiveIterator(fh, parse_http=True, auto_decode="none", stream_detect=gzipped)
        # A page is held back until the next record parses: a record cut short swallows the
        # next one's header, which only the failure that follows makes certain.
        held: Document | Failure | None = None
        last: int | None = None
        current: int | None = None
        try:
            for record in records:
                current = record.stream_pos
                if held is not None:
                    yield held
                    held = None
                stats.records += 1
                held = _page(record, source, max_bytes, stats)
                last = current
                current = None
            if held is not None:
                yield held
            return
        except (OSError, ValueError, _BrokenRecordError):
            if current is not None:
                # The record being read is the broken one.
                stats.broken += 1
                after_good = False
                resume_after = current
            elif last is not None:
                if isinstance(held, Document) and _SWALLOWED_HEADER.search(held.content):
                    # The held page ran over into the next record: it is the broken one, and
                    # the record it swallowed is found again from its start.
                    held = None
                    stats.pages -= 1
                    after_good = False
                else:
                    after_good = True
                stats.broken += 1
                if held is not None:
                    yield held
                resume_after = last
            else:
                if not after_good:
                    stats.broken += 1
                after_good = False
                resume_after = start
        next_start = _next_record_start(fh, resume_after + 1, gzipped)
        if next_start is None:
            return
        start = next_start


def _page(
    record: WarcRecord, source: str, max_bytes: int, stats: WarcStats
) -> Document | Failure | None:
    if record.record_type != WarcRecordType.response or not record.is_http:
        stats.skipped += 1
        return None
    ctype = (record.http_content_type or "").lower()
    status = record.http_headers.status_code or 0
    if ctype not in _HTML_TYPES or not 200 <= status < 300:
        stats.skipped += 1
        return None
    rid = (record.record_id or "").strip("<>") or str(record.stream_pos)
    where = f"{source}#{rid}"
    expected = record.content_length
    if expected > max_bytes:
        stats.pages += 1
        return _too_large(where, max_bytes)
    raw = _read_all(record.reader, expected + 1)
    if len(raw) != expected:
        raise _BrokenRecordError(f"record body has {len(raw)} of {expected} bytes")
    stats.pages += 1
    try:
        body = _decode(raw, record, max_bytes)
    except (OSError, zlib.error, ValueError) as exc:
        return Failure(where, f"cannot decode the page's HTTP body: {exc}")
    if body is None:
        return _too_large(where, max_bytes)
    return Document(
        source=where,
        content=body,
        url=record.headers.get("WARC-Target-URI") or None,
        kind="html",
        encoding=record.http_charset or None,
    )


def _too_large(where: str, max_bytes: int) -> Failure:
    return Failure(
        where, f"page too large: more than {max_bytes:,} bytes (raise the limit with --max-bytes)"
    )


def _read_all(reader: WarcReader, limit: int) -> bytes:
    """Up to ``limit`` bytes: fastwarc readers may return less than asked before the end."""
    out = bytearray()
    while len(out) < limit:
        chunk = reader.read(limit - len(out))
        if not chunk:
            break
        out += chunk
    return bytes(out)


def _decode(raw: bytes, record: WarcRecord, max_bytes: int) -> bytes | None:
    """The page as the server meant it: transfer and content encodings undone, capped at
    ``max_bytes`` after decompression (``None`` past it). Many archives store bodies already
    decoded but keep the headers, so a body that does not look encoded is taken as it is."""
    headers = record.http_headers
    body = raw
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower() and _looks_chunked(body):
        body = _read_all(ChunkedReader(io.BytesIO(body)), max_bytes + 1)
    for coding in reversed((headers.get("Content-Encoding") or "").lower().split(",")):
        coding = coding.strip()
        if coding in ("gzip", "x-gzip") and body[:2] == b"\x1f\x8b":
            body = _read_all(GzipReader(io.BytesIO(body)), max_bytes + 1)
        elif coding == "deflate" and body:
            body = _inflate(body, max_bytes + 1)
        elif coding == "br" and body and body.lstrip()[:1] != b"<":
            body = _read_all(BrotliReader(io.BytesIO(body)), max_bytes + 1)
    return None if len(body) > max_bytes else body


def _looks_chunked(body: bytes) -> bool:
    size = body.split(b"\r\n", 1)[0].split(b";", 1)[0].strip()
    return bool(size) and len(size) <= 16 and all(c in b"0123456789abcdefABCDEF" for c in size)


def _inflate(body: bytes, limit: int) -> bytes:
    if body.lstrip()[:1] == b"<":
        return body
    try:
        return zlib.decompressobj().decompress(body, limit)
    except zlib.error:
        # Some servers send raw deflate without the zlib header the standard asks for.
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, limit)


def _next_record_start(fh: BinaryIO, offset: int, gzipped: bool) -> int | None:
    """The first place at or after ``offset`` where a record starts, read in chunks."""
    marker = _GZIP_MAGIC if gzipped else b"WARC/1."
    pos = offset
    while True:
        fh.seek(pos)
        chunk = fh.read(_SCAN_CHUNK + 16)
        at = chunk.find(marker)
        while at != -1:
            if gzipped:
                if _member_holds_warc(fh, pos + at):
                    return pos + at
            # A record cut short leaves the next header glued to its last byte: no newline
            # before it to look for, only the version line itself.
            elif _VERSION_LINE.match(chunk, at):
                return pos + at
            at = chunk.find(marker, at + 1)
        if len(chunk) < _SCAN_CHUNK + 16:
            return None
        pos += _SCAN_CHUNK


def _member_holds_warc(fh: BinaryIO, offset: int) -> bool:
    """Whether a gzip member starts at ``offset`` and holds a WARC header: the three magic bytes
    also turn up by chance inside compressed data."""
    fh.seek(offset)
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(fh.read(4096), 16)
    except zlib.error:
        return False
    return head.startswith(b"WARC/")
