"""Small WARC files of distinct news pages, for the distributed ingest tests."""

from __future__ import annotations

import gzip
import html
import uuid
from pathlib import Path

from conftest import SAMPLES


def _lines() -> list[str]:
    text = (SAMPLES / "north-korean-troops.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def page(i: int) -> bytes:
    """Page ``i``: a headline and six paragraphs of the seed story (a window that moves with
    ``i``), dated 2024-10-(10 + i % 20); every page's bytes differ."""
    lines = _lines()
    start = 1 + (i * 3) % (len(lines) - 8)
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines[start : start + 6])
    title = html.escape(f"Report {i}: {lines[0]}")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{title}</title>"
        f'<meta property="article:published_time" content="2024-10-{10 + i % 20:02d}T09:00:00Z">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def url(i: int) -> str:
    return f"https://news.example.org/world/2024/10/report-{i}"


def record(target: str, body: bytes) -> bytes:
    """One gzipped WARC response record holding ``body`` as an HTML page."""
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, target)}>\r\n"
        "WARC-Date: 2024-10-24T08:00:00Z\r\n"
        f"WARC-Target-URI: {target}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n", mtime=0)


def write_warcs(folder: Path, shards: int, per_shard: int) -> list[Path]:
    """``shards`` WARC.gz files of ``per_shard`` distinct pages each, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in range(shards):
        path = folder / f"crawl-{s:02d}.warc.gz"
        pages = range(s * per_shard, (s + 1) * per_shard)
        path.write_bytes(b"".join(record(url(i), page(i)) for i in pages))
        paths.append(path)
    return paths
