"""Task functions for guard tests; importable by worker processes."""

from __future__ import annotations

import time

from crosswire.records import Article, Document, article_id


def echo(doc: Document) -> Article:
    if doc.content == b"sleep":
        time.sleep(30)
    if doc.content == b"boom":
        raise RuntimeError("kaboom")
    if doc.content == b"die":
        import os

        os._exit(3)
    if doc.content == b"hog":
        blocks = []
        while True:
            blocks.append(bytearray(50 * 1024 * 1024))
    return Article(id=article_id(doc.content_hash), source=doc.source, title=doc.content.decode())
