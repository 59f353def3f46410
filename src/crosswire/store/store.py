"""The store: one SQLite file in WAL mode (the embedded default), or a PostgreSQL database for a
shared server (``postgresql://`` URLs; see :mod:`crosswire.store.db`).

Articles are keyed by the sha256 of their raw bytes, so storing the same page twice changes nothing
but the source's ``last_seen``. A batch of articles is written in one transaction: a crash loses at
most the open batch, never half an article.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from crosswire import __version__
from crosswire.errors import StoreError
from crosswire.records import (
    Article,
    Claim,
    Duplicate,
    Entity,
    Failure,
    Mention,
    Paragraph,
    Place,
    Quote,
    Reading,
    Removed,
    TimeExpression,
)
from crosswire.store.connections import Connections
from crosswire.store.db import (
    Database,
    connect_postgres,
    connect_sqlite,
    is_server_url,
    redact,
)
from crosswire.store.migrations import migrate, now
from crosswire.store.search import PgSearch, Search
from crosswire.store.watched import WatchTable

DEFAULT_DB = "crosswire.db"
ENV_DB = "CROSSWIRE_DB"

SaveResult = Literal["new", "known"]

_QUOTE_COLUMNS = tuple(f.name for f in fields(Quote))
_CLAIM_COLUMNS = tuple(f.name for f in fields(Claim))
_READING_TABLES = ("entity_spans", "entities", "quotes", "times", "places", "claims", "readings")

_ARTICLE_COLUMNS = (
    "id", "content_hash", "text_hash", "kind", "url", "original_url", "site", "original_site",
    "canonical_url", "title", "byline", "published", "language", "description", "text", "errors",
    "extracted_at", "crosswire_version",
)  # fmt: skip


def default_db_path() -> str:
    return os.environ.get(ENV_DB) or DEFAULT_DB


class Store:
    """Read and write crosswire's database (a SQLite file or a PostgreSQL URL)."""

    def __init__(
        self, path: str | os.PathLike[str], *, create: bool = True, any_thread: bool = False
    ) -> None:
        """Open (and migrate) the database at ``path``, a file or a ``postgresql://`` URL.
        ``any_thread`` lets another thread close the connection (a server's, at shutdown); it
        must still be used by one thread at a time."""
        self.target = str(path)
        self.db: Database
        if is_server_url(self.target):
            self.path: Path | None = None
            self.name = redact(self.target)
            self.db = self._connect_server(self.target)
        else:
            self.path = Path(path)
            self.name = str(self.path)
            if not create and not self.path.exists():
                raise StoreError(
                    f"no database at {self.path}: ingest something first, or give --db / ${ENV_DB}"
                )
            try:
                self.db = connect_sqlite(self.path, any_thread=any_thread)
                self.version = migrate(self.db)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        self._in_tx = False
        self.connections = Connections(self.db)
        self.search: Search = (
            PgSearch(self.db) if self.db.dialect == "postgresql" else Search(self.db)
        )
        self.watched = WatchTable(self.db)

    def _connect_server(self, url: str) -> Database:
        try:
            import psycopg
        except ImportError as exc:
            raise StoreError(
                f"{self.name} is a PostgreSQL database: install crosswire's postgres extra "
                "(pip install 'crosswire[postgres]')"
            ) from exc
        try:
            db = connect_postgres(url)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {self.name}: {exc}") from exc
        try:
            self.version = migrate(db)
        except psycopg.Error as exc:
            db.close()
            raise StoreError(f"cannot open database {self.name}: {exc}") from exc
        return db

    # -- transactions -------------------------------------------------------------------------
    def begin(self) -> None:
        if not self._in_tx:
            self.db.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def commit(self) -> None:
        if self._in_tx:
            self.db.execute("COMMIT")
            self._in_tx = False

    def rollback(self) -> None:
        if self._in_tx:
            self.db.execute("ROLLBACK")
            self._in_tx = False

    # -- writes -------------------------------------------------------------------------------
    def save(self, article: Article) -> SaveResult:
        """Store ``article`` and its source; ``"known"`` if the same page was stored before."""
        own_tx = not self._in_tx
        self.begin()
        # A savepoint per article: an interrupt between its INSERTs undoes just this article, so
        # the caller may still commit the rest of the batch.
        self.db.execute("SAVEPOINT article")
        try:
            result = self._save(article)
        except BaseException:
            self.db.execute("ROLLBACK TO SAVEPOINT article")
            self.db.execute("RELEASE SAVEPOINT article")
            if own_tx:
                self.rollback()
            raise
        self.db.execute("RELEASE SAVEPOINT article")
        if own_tx:
            self.commit()
        return result

    def _save(self, a: Article) -> SaveResult:
        stamp = now()
        row = self._find(a.content_hash)
        if row is None:
            a.set_offsets()
            text = a.text
            values = (
                a.id, a.content_hash, hashlib.sha256(text.encode()).hexdigest(), a.kind, a.url,
                a.original_url, a.site, a.original_site, a.canonical_url, a.title, a.byline,
                a.published, a.language, a.description, text, json.dumps(a.errors), stamp,
                __version__,
            )  # fmt: skip
            placeholders = ", ".join("?" * len(_ARTICLE_COLUMNS))
            inserted = self.db.execute(
                f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}) VALUES ({placeholders}) "  # noqa: S608 - constant column list
                "ON CONFLICT DO NOTHING",
                values,
            ).rowcount
            # Nothing inserted: another writer stored the same page since the SELECT above
            # (PostgreSQL lets two ingests write at once; this insert waited for theirs).
            row = None if inserted else self._find(a.content_hash)
        if row is None:
            self.db.executemany(
                'INSERT INTO paragraphs (article_id, idx, role, text, start, "end", line) '
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (a.id, i, p.role, p.text, p.start, p.end, p.line)
                    for i, p in enumerate(a.paragraphs)
                ],
            )
            self.db.executemany(
                "INSERT INTO removed (article_id, idx, text, reason, line) VALUES (?, ?, ?, ?, ?)",
                [(a.id, i, r.text, r.reason, r.line) for i, r in enumerate(a.removed)],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO paragraph_duplicates (article_id, paragraph, same_as, "
                "similarity) VALUES (?, ?, ?, ?)",
                [(a.id, d.paragraph, d.same_as, d.similarity) for d in a.duplicates],
            )
            article_id, result = a.id, "new"
        else:
            article_id, result = row["id"], "known"
        if a.reading is not None and (result == "new" or not self.has_reading(article_id)):
            self._save_reading(article_id, a.reading)
        self._seen(article_id, a.source, stamp)
        return "new" if result == "new" else "known"

    def _seen(self, article_id: str, location: str, stamp: str) -> None:
        self.db.execute(
            "INSERT INTO sources (location, article_id, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (location, article_id) DO UPDATE SET last_seen = excluded.last_seen",
            (location, article_id, stamp, stamp),
        )
        # A location that now yields an article has no failure left, whatever it held before.
        self.db.execute("DELETE FROM failures WHERE location = ?", (location,))

    def touch(self, content_hash: str, location: str, *, reading: bool) -> bool:
        """Record that ``location`` still gives the stored page ``content_hash``, as saving it
        again would, without extracting it. ``False`` (and nothing written) when no such page
        is stored, or when ``reading`` is asked for and the page has none yet."""
        row = self._find(content_hash)
        if row is None or (reading and not self.has_reading(row["id"])):
            return False
        with self._transaction():
            self._seen(row["id"], location, now())
        return True

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """The caller's open transaction, or one of its own, committed at the end."""
        own_tx = not self._in_tx
        self.begin()
        try:
            yield
        except BaseException:
            if own_tx:
                self.rollback()
            raise
        if own_tx:
            self.commit()

    def _find(self, content_hash: str) -> Any:
        return self.db.execute(
            "SELECT id FROM articles WHERE content_hash = ?", (content_hash,)
        ).fetchone()

    def has_reading(self, article_id: str) -> bool:
        """Whether the read stage's results are stored for ``article_id``."""
        row = self.db.execute("SELECT 1 FROM readings WHERE article_id = ?", (article_id,))
        return row.fetchone() is not None

    def save_reading(self, article_id: str, reading: Reading) -> None:
        """Store (or replace) the reading of a stored article, in one transaction."""
        with self._transaction():
            self._save_reading(article_id, reading)

    def _save_reading(self, article_id: str, r: Reading) -> None:
        for table in _READING_TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))  # noqa: S608 - constant table names
        self.db.execute(
            "INSERT INTO readings (article_id, read_at, crosswire_version) VALUES (?, ?, ?)",
            (article_id, now(), __version__),
        )
        self.db.executemany(
            "INSERT INTO entities (article_id, id, idx, name, type, aliases) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (article_id, e.id, i, e.name, e.type, json.dumps(e.aliases))
                for i, e in enumerate(r.entities)
            ],
        )
        self.db.executemany(
            'INSERT OR IGNORE INTO entity_spans (article_id, entity_id, kind, start, "end", text) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (article_id, e.id, kind, m.start, m.end, m.text)
                for e in r.entities
                for kind, spans in (("mention", e.mentions), ("role", e.roles))
                for m in spans
            ],
        )
        self._insert_rows("quotes", _QUOTE_COLUMNS, article_id, r.quotes)
        self._save_times_places(article_id, r)
        self._insert_rows("claims", _CLAIM_COLUMNS, article_id, r.claims)

    def _insert_rows(
        self, table: str, columns: tuple[str, ...], article_id: str, records: Sequence[object]
    ) -> None:
        """One row per record, its fields in ``columns`` (the dataclass's, in order)."""
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * (len(columns) + 2))
        self.db.executemany(
            f"INSERT INTO {table} (article_id, idx, {names}) VALUES ({marks})",  # noqa: S608 - constant table and columns
            [(article_id, i, *(getattr(rec, c) for c in columns)) for i, rec in enumerate(records)],
        )

    def _select_rows(self, table: str, columns: tuple[str, ...], article_id: str) -> list[Any]:
        names = ", ".join(f'"{c}"' for c in columns)
        return self.db.execute(
            f"SELECT {names} FROM {table} WHERE article_id = ? ORDER BY idx",  # noqa: S608 - constant table and columns
            (article_id,),
        ).fetchall()

    def _save_times_places(self, article_id: str, r: Reading) -> None:
        self.db.executemany(
            'INSERT INTO times (article_id, idx, text, start, "end", value, grain, '
            "interval_start, interval_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    article_id,
                    i,
                    t.text,
                    t.start,
                    t.end,
                    t.value,
                    t.grain,
                    t.interval[0] if t.interval else None,
                    t.interval[1] if t.interval else None,
                )
                for i, t in enumerate(r.times)
            ],
        )
        self.db.executemany(
            "INSERT INTO places (article_id, idx, name, lat, lon, country, kind, entity_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (article_id, i, p.name, p.lat, p.lon, p.country, p.kind, p.entity)
                for i, p in enumerate(r.places)
            ],
        )

    def reading(self, article_id: str) -> Reading | None:
        """The stored reading of ``article_id``, or ``None`` if the read stage has not run."""
        if not self.has_reading(article_id):
            return None
        spans: dict[tuple[str, str], list[Mention]] = {}
        for row in self.db.execute(
            'SELECT entity_id, kind, start, "end", text FROM entity_spans WHERE article_id = ? '
            "ORDER BY start",
            (article_id,),
        ):
            spans.setdefault((row["entity_id"], row["kind"]), []).append(
                Mention(row["start"], row["end"], row["text"])
            )
        entities = [
            Entity(
                id=row["id"],
                name=row["name"],
                type=row["type"],
                aliases=json.loads(row["aliases"]),
                roles=spans.get((row["id"], "role"), []),
                mentions=spans.get((row["id"], "mention"), []),
            )
            for row in self.db.execute(
                "SELECT id, name, type, aliases FROM entities WHERE article_id = ? ORDER BY idx",
                (article_id,),
            )
        ]
        quotes = [
            Quote(**{c: row[c] for c in _QUOTE_COLUMNS})
            for row in self._select_rows("quotes", _QUOTE_COLUMNS, article_id)
        ]
        times = [
            TimeExpression(
                text=row["text"],
                start=row["start"],
                end=row["end"],
                value=row["value"],
                grain=row["grain"],
                interval=(row["interval_start"], row["interval_end"])
                if row["interval_start"] is not None
                else None,
            )
            for row in self.db.execute(
                "SELECT * FROM times WHERE article_id = ? ORDER BY idx", (article_id,)
            )
        ]
        mentions_of = {e.id: tuple(e.mentions) for e in entities}
        places = [
            Place(
                name=row["name"],
                lat=row["lat"],
                lon=row["lon"],
                country=row["country"],
                kind=row["kind"],
                entity=row["entity_id"],
                mentions=mentions_of.get(row["entity_id"], ()),
            )
            for row in self.db.execute(
                "SELECT * FROM places WHERE article_id = ? ORDER BY idx", (article_id,)
            )
        ]
        claims = [
            Claim(**{c: row[c] for c in _CLAIM_COLUMNS})
            for row in self._select_rows("claims", _CLAIM_COLUMNS, article_id)
        ]
        return Reading(entities=entities, quotes=quotes, times=times, places=places, claims=claims)

    def record_failure(self, failure: Failure) -> None:
        stamp = now()
        self.db.execute(
            "INSERT INTO failures (location, content_hash, error, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (location, content_hash) "
            "DO UPDATE SET error = excluded.error, last_seen = excluded.last_seen",
            (failure.source, failure.content_hash or "", failure.error, stamp, stamp),
        )

    # -- reads --------------------------------------------------------------------------------
    def resolve_id(self, prefix: str) -> str:
        """The full id of the one article whose id starts with ``prefix``, or read from the
        location (path or URL) ``prefix``."""
        prefix = prefix.strip()
        if not prefix:
            raise KeyError("give an article id (or a prefix of one) or the path it was read from")
        by_source = None
        for location in dict.fromkeys((prefix, os.path.normpath(prefix))):
            by_source = self.db.execute(
                "SELECT article_id FROM sources WHERE location = ? OR location = ? "
                "ORDER BY last_seen DESC LIMIT 1",
                (location, f".{os.sep}{location}"),
            ).fetchone()
            if by_source is not None:
                return str(by_source[0])
        key = prefix.lower()
        rows = self.db.execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ? LIMIT 2",
            (key, key + "\uffff"),
        ).fetchall()
        if not rows:
            raise KeyError(f"no article with id {prefix!r} (nor one read from that location)")
        if len(rows) > 1:
            raise KeyError(f"id prefix {prefix!r} is ambiguous; give more characters")
        return str(rows[0]["id"])

    def known_location(self, location: str) -> bool:
        """Whether a page was already read from ``location`` (a path or URL)."""
        row = self.db.execute(
            "SELECT 1 FROM sources WHERE location = ? LIMIT 1", (location,)
        ).fetchone()
        return row is not None

    def get(self, article_id: str) -> Article:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise KeyError(f"no article with id {article_id!r}")
        return self._article(row)

    def sources_of(self, article_id: str) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.db.execute(
                "SELECT location, first_seen, last_seen FROM sources WHERE article_id = ? "
                "ORDER BY first_seen, location",
                (article_id,),
            )
        ]

    def _article(self, row: Any) -> Article:
        aid = row["id"]
        paragraphs = [
            Paragraph(r["text"], r["role"], r["start"], r["end"], r["line"])
            for r in self.db.execute(
                'SELECT text, role, start, "end", line FROM paragraphs WHERE article_id = ? '
                "ORDER BY idx",
                (aid,),
            )
        ]
        removed = [
            Removed(r["text"], r["reason"], r["line"])
            for r in self.db.execute(
                "SELECT text, reason, line FROM removed WHERE article_id = ? ORDER BY idx", (aid,)
            )
        ]
        duplicates = [
            Duplicate(r["paragraph"], r["same_as"], r["similarity"])
            for r in self.db.execute(
                "SELECT paragraph, same_as, similarity FROM paragraph_duplicates "
                "WHERE article_id = ? ORDER BY paragraph",
                (aid,),
            )
        ]
        first_source = self.db.execute(
            "SELECT location FROM sources WHERE article_id = ? ORDER BY first_seen, location "
            "LIMIT 1",
            (aid,),
        ).fetchone()
        return Article(
            id=aid,
            source=first_source["location"] if first_source else "",
            url=row["url"],
            original_url=row["original_url"],
            site=row["site"],
            original_site=row["original_site"],
            canonical_url=row["canonical_url"],
            title=row["title"],
            byline=row["byline"],
            published=row["published"],
            language=row["language"],
            description=row["description"],
            kind=row["kind"],
            paragraphs=paragraphs,
            removed=removed,
            duplicates=duplicates,
            errors=json.loads(row["errors"]),
            content_hash=row["content_hash"],
        )

    def iter_articles(self, limit: int | None = None) -> Iterator[Article]:
        sql = "SELECT * FROM articles ORDER BY published IS NULL, published DESC, id"
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        for row in self.db.execute(sql, params).fetchall():
            yield self._article(row)

    def iter_in_arrival_order(self) -> Iterator[Article]:
        """Every stored article in the order it was first stored (then by id)."""
        # Streamed from the cursor, not fetched whole: the connect stage walks every article,
        # and holding all their texts at once would grow with the store.
        sql = "SELECT * FROM articles ORDER BY extracted_at, rowid"
        for row in self.db.stream(sql):
            yield self._article(row)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for table in ("articles", "sources", "failures", "removed"):
            out[table] = self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - constant table names
        return out

    def integrity_check(self) -> str:
        """``"ok"``, or what the database reports wrong (SQLite checks its file; a PostgreSQL
        server checks its own pages, so there only the connection is tested)."""
        if self.db.dialect == "postgresql":
            self.db.execute("SELECT 1").fetchone()
            return "ok"
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        self.commit()
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.rollback()
        self.close()
