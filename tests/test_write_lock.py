"""An ingest holds SQLite's write lock only while it writes: another writer (a second ingest,
``crosswire serve``'s ``POST /api/ingest``, the first ``crosswire stories``) gets in while the
next document is being extracted and read, instead of failing with "database is locked"."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from crosswire import pipeline
from crosswire.extract import extract
from crosswire.records import Article, Document, Failure
from crosswire.store.store import Store

PAGE = (
    "<html><head><title>Report {i}</title></head><body><article><h1>Report number {i}</h1>"
    + "<p>Officials said on Monday that report {i} covered troop movements near the border.</p>" * 6
    + "</article></body></html>"
)


def _another_writer_gets_in(db: Path) -> bool:
    conn = sqlite3.connect(db, timeout=0.2, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def test_no_write_lock_is_held_between_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "x.db"
    probes: list[bool] = []

    def slow_extraction(*_args: object) -> Iterator[Article | Failure]:
        # Stands for the seconds a page takes to extract and read: probed between two results.
        for i in range(205):
            if i in (1, 50, 204):
                probes.append(_another_writer_gets_in(db))
            yield extract(Document(source=f"page-{i}.html", content=PAGE.format(i=i).encode()))

    monkeypatch.setattr(pipeline, "extract_paths", slow_extraction)
    with Store(db) as store:
        summary = pipeline.ingest(["pages/"], store)
        assert store.counts()["articles"] == summary.new == 205
    assert probes == [True, True, True]


def test_a_stored_page_is_not_extracted_again(tmp_path: Path) -> None:
    # A re-run (or a resume after a kill) recognises stored pages by their bytes before
    # extraction: they come back as "known" without a worker reading them again, their new
    # location is recorded, and a page stored without a reading is still read when asked.
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(3):
        (pages / f"p{i}.html").write_text(PAGE.format(i=i), encoding="utf-8")
    db = tmp_path / "x.db"
    with Store(db) as store:
        first = pipeline.ingest([str(pages)], store, pipeline.Options(read=False))
    assert (first.new, first.known) == (3, 0)

    (pages / "p0-again.html").write_text(PAGE.format(i=0), encoding="utf-8")
    seen: list[tuple[Article | Failure, str]] = []
    with Store(db) as store:
        again = pipeline.ingest(
            [str(pages)],
            store,
            pipeline.Options(read=False),
            on_result=lambda r, o: seen.append((r, o)),
        )
        assert (again.new, again.known, again.failed) == (0, 4, 0)
        assert all(isinstance(r, Failure) and o == "known" for r, o in seen)
        (stored_id,) = store.db.execute(
            "SELECT article_id FROM sources WHERE location LIKE ?", ("%p0-again.html",)
        ).fetchone()
        assert len(store.sources_of(stored_id)) == 2

        # Asked to read, the pages stored unread are extracted and read after all.
        read = pipeline.ingest([str(pages)], store, pipeline.Options(read=True))
        assert (read.new, read.known) == (0, 4)
        assert all(store.has_reading(r[0]) for r in store.db.execute("SELECT id FROM articles"))
