"""JSON Lines of texts: one ``{"id": ..., "text": ..., "url": ...}`` object per line.

Thousands of short texts go through one process this way (``crosswire analyze --plain
texts.jsonl``). Each record becomes its own document; the record's ``id`` (or, without one, its
line number) names it. A line that is not such an object is a failure of that line only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from crosswire.records import Document, Failure

SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")


def is_jsonl(source: str) -> bool:
    """Whether a source path names a JSON Lines file."""
    return source.lower().endswith(SUFFIXES)


def explode(doc: Document) -> Iterator[Document | Failure]:
    """One document per record of a JSON Lines document."""
    for lineno, raw in enumerate(doc.content.splitlines(), start=1):
        if not raw.strip():
            continue
        where = f"{doc.source}:{lineno}"
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield Failure(where, f"not a JSON object: {exc}")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield Failure(where, 'not a {"id", "text"} object: needs a string "text" field')
            continue
        rid = record.get("id")
        url = record.get("url")
        yield Document(
            source=where,
            content=record["text"].encode("utf-8", errors="surrogatepass"),
            url=url if isinstance(url, str) else None,
            kind="text",
            encoding="utf-8",
            record_id=str(rid) if rid is not None else str(lineno),
        )
