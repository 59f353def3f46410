"""Versioned schema migrations, recorded in ``schema_migrations``.

Each migration is registered once with :func:`migration` and never edited after release: a change
to the schema is a new migration with the next version number.

The schema is written in SQLite's terms and the same migrations build it in PostgreSQL
(:func:`crosswire.store.db.postgres_ddl` translates the types); where the two differ (full-text
search, the ``rowid`` that SQLite gives every table) a migration says so by dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from crosswire.errors import StoreError
from crosswire.store.db import Database


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Database], None]


MIGRATIONS: list[Migration] = []


def migration(version: int, name: str) -> Callable[[Callable[[Database], None]], None]:
    def register(fn: Callable[[Database], None]) -> None:
        if any(m.version == version for m in MIGRATIONS):
            raise ValueError(f"duplicate migration version {version}")
        MIGRATIONS.append(Migration(version, name, fn))
        MIGRATIONS.sort(key=lambda m: m.version)

    return register


@migration(1, "articles, paragraphs, removed blocks, sources, failures")
def _v1(db: Database) -> None:
    _script(
        db,
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            content_hash TEXT NOT NULL UNIQUE,
            text_hash TEXT NOT NULL,
            kind TEXT NOT NULL,
            url TEXT, original_url TEXT, site TEXT, original_site TEXT, canonical_url TEXT,
            title TEXT, byline TEXT, published TEXT, language TEXT, description TEXT,
            text TEXT NOT NULL,
            errors TEXT NOT NULL DEFAULT '[]',
            extracted_at TEXT NOT NULL,
            crosswire_version TEXT NOT NULL{rowid}
        );
        CREATE INDEX articles_text_hash ON articles(text_hash);
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_original_site ON articles(original_site);
        CREATE TABLE paragraphs (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            role TEXT NOT NULL,
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            line INTEGER,
            PRIMARY KEY (article_id, idx)
        ) WITHOUT ROWID;
        CREATE TABLE removed (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            text TEXT NOT NULL,
            reason TEXT NOT NULL,
            line INTEGER,
            PRIMARY KEY (article_id, idx)
        ) WITHOUT ROWID;
        CREATE TABLE paragraph_duplicates (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            paragraph INTEGER NOT NULL,
            same_as INTEGER NOT NULL,
            similarity REAL NOT NULL,
            PRIMARY KEY (article_id, paragraph)
        ) WITHOUT ROWID;
        CREATE TABLE sources (
            location TEXT NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (location, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX sources_article ON sources(article_id);
        CREATE TABLE failures (
            location TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            error TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (location, content_hash)
        ) WITHOUT ROWID;
        """,
    )


@migration(2, "readings: entities with mentions and roles, quotes")
def _v2(db: Database) -> None:
    _script(
        db,
        """
        CREATE TABLE readings (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            read_at TEXT NOT NULL,
            crosswire_version TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE entities (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (article_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX entities_name ON entities(name);
        CREATE TABLE entity_spans (
            article_id TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('mention', 'role')),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (article_id, entity_id, kind, start, "end"),
            FOREIGN KEY (article_id, entity_id) REFERENCES entities(article_id, id)
                ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE TABLE quotes (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('direct', 'partial', 'indirect')),
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            speaker TEXT,
            speaker_name TEXT,
            speaker_start INTEGER,
            speaker_end INTEGER,
            cue TEXT,
            cue_start INTEGER,
            cue_end INTEGER,
            PRIMARY KEY (article_id, idx)
        ) WITHOUT ROWID;
        CREATE INDEX quotes_speaker ON quotes(article_id, speaker)
        """,
    )


@migration(3, "readings: time expressions and places")
def _v3(db: Database) -> None:
    _script(
        db,
        """
        CREATE TABLE times (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            value TEXT,
            grain TEXT,
            interval_start TEXT,
            interval_end TEXT,
            PRIMARY KEY (article_id, idx)
        ) WITHOUT ROWID;
        CREATE INDEX times_value ON times(value);
        CREATE TABLE places (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            name TEXT NOT NULL,
            lat REAL NOT NULL,
            lon REAL NOT NULL,
            country TEXT NOT NULL,
            kind TEXT NOT NULL,
            entity_id TEXT,
            PRIMARY KEY (article_id, idx)
        ) WITHOUT ROWID;
        CREATE INDEX places_country ON places(country)
        """,
    )


@migration(4, "readings: numeric claims")
def _v4(db: Database) -> None:
    _script(
        db,
        """
        CREATE TABLE claims (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            value REAL, low REAL, high REAL,
            vague TEXT, approx TEXT, change TEXT NOT NULL,
            unit TEXT, measure TEXT, measure_key TEXT, aspect TEXT, status TEXT,
            claimant TEXT, claimant_name TEXT, time TEXT,
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            sentence TEXT NOT NULL,
            sentence_start INTEGER NOT NULL,
            sentence_end INTEGER NOT NULL,
            PRIMARY KEY (article_id, idx)
        ) WITHOUT ROWID;
        CREATE INDEX claims_measure ON claims(measure_key)
        """,
    )


@migration(5, "connections: stories with their history, copies, corpus entities")
def _v5(db: Database) -> None:
    _script(
        db,
        """
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            first TEXT, last TEXT,
            articles INTEGER NOT NULL,
            sources TEXT NOT NULL,
            entities TEXT NOT NULL,
            copies INTEGER NOT NULL,
            disagreements INTEGER NOT NULL,
            updated_at TEXT NOT NULL{rowid}
        );
        CREATE INDEX stories_last ON stories(last);
        CREATE TABLE story_articles (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL,
            seq INTEGER NOT NULL UNIQUE
        );
        CREATE INDEX story_articles_story ON story_articles(story_id);
        CREATE TABLE story_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('start', 'join', 'move', 'split', 'merge')),
            story_id TEXT NOT NULL,
            other_id TEXT,
            article_id TEXT,
            articles INTEGER NOT NULL
        );
        CREATE INDEX story_events_story ON story_events(story_id);
        CREATE TABLE copies (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            original_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            jaccard REAL NOT NULL,
            containment REAL NOT NULL,
            reason TEXT NOT NULL,
            rule TEXT NOT NULL,
            why TEXT NOT NULL{rowid}
        );
        CREATE INDEX copies_original ON copies(original_id);
        CREATE TABLE corpus_entities (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            aliases TEXT NOT NULL,
            roles TEXT NOT NULL,
            articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL{rowid}
        );
        CREATE INDEX corpus_entities_name ON corpus_entities(name);
        CREATE TABLE entity_links (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            entity_id TEXT NOT NULL,
            corpus_id TEXT NOT NULL,
            PRIMARY KEY (article_id, entity_id)
        ) WITHOUT ROWID;
        CREATE INDEX entity_links_corpus ON entity_links(corpus_id)
        """,
    )


@migration(6, "full-text search over articles and quotes (FTS5)")
def _v6(db: Database) -> None:
    if db.dialect == "postgresql":
        _v6_postgres(db)
        return
    # Articles: an external-content index kept in step by triggers (the text is stored once).
    # Quotes live in a WITHOUT ROWID table, which FTS5 cannot point into, so their index holds
    # its own copy of the words, with the article id and index to find the quote.
    _script(
        db,
        """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='rowid', tokenize='unicode61'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
        CREATE VIRTUAL TABLE quotes_fts USING fts5(
            speaker, text, article_id UNINDEXED, idx UNINDEXED, tokenize='unicode61'
        );
        CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
            INSERT INTO quotes_fts(speaker, text, article_id, idx)
            VALUES (
                coalesce(
                    (SELECT name FROM entities e
                     WHERE e.article_id = new.article_id AND e.id = new.speaker),
                    new.speaker_name, ''
                ),
                new.text, new.article_id, new.idx
            );
        END;
        CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
            DELETE FROM quotes_fts WHERE article_id = old.article_id AND idx = old.idx;
        END;
        INSERT INTO quotes_fts(speaker, text, article_id, idx)
        SELECT coalesce(e.name, q.speaker_name, ''), q.text, q.article_id, q.idx
        FROM quotes q LEFT JOIN entities e ON e.article_id = q.article_id AND e.id = q.speaker
        """,
    )


def _v6_postgres(db: Database) -> None:
    # PostgreSQL's own full-text search: articles through an expression index (the words of the
    # first 500,000 characters: a tsvector is capped at 1 MB), quotes through a table of their
    # words kept by triggers, as in SQLite. crosswire.store.search.PgSearch queries with the
    # same expressions, so the GIN indexes are used.
    db.script(
        """
        CREATE INDEX articles_fts ON articles USING gin (
            to_tsvector('simple', coalesce(title, '') || ' ' || left(text, 500000))
        );
        CREATE TABLE quotes_fts (
            article_id TEXT NOT NULL,
            idx BIGINT NOT NULL,
            speaker TEXT NOT NULL,
            text TEXT NOT NULL,
            rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
            PRIMARY KEY (article_id, idx)
        );
        CREATE INDEX quotes_fts_words ON quotes_fts USING gin (
            to_tsvector('simple', speaker || ' ' || left(text, 500000))
        );
        CREATE FUNCTION crosswire_quotes_fts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO quotes_fts (speaker, text, article_id, idx)
            VALUES (
                coalesce(
                    (SELECT name FROM entities e
                     WHERE e.article_id = NEW.article_id AND e.id = NEW.speaker),
                    NEW.speaker_name, ''
                ),
                NEW.text, NEW.article_id, NEW.idx
            );
            RETURN NULL;
        END $$;
        CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes
            FOR EACH ROW EXECUTE FUNCTION crosswire_quotes_fts_insert();
        CREATE FUNCTION crosswire_quotes_fts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM quotes_fts WHERE article_id = OLD.article_id AND idx = OLD.idx;
            RETURN NULL;
        END $$;
        CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes
            FOR EACH ROW EXECUTE FUNCTION crosswire_quotes_fts_delete();
        INSERT INTO quotes_fts (speaker, text, article_id, idx)
        SELECT coalesce(e.name, q.speaker_name, ''), q.text, q.article_id, q.idx
        FROM quotes q LEFT JOIN entities e ON e.article_id = q.article_id AND e.id = q.speaker
        """
    )


@migration(8, "watch: feeds and sitemaps polled, with their HTTP validators")
def _v8(db: Database) -> None:
    _script(
        db,
        """
        CREATE TABLE watched (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            checked_at TEXT NOT NULL,
            changed_at TEXT,
            status TEXT NOT NULL
        )
        """,
    )


#: Fills ``entity_stories`` from the links and story membership (migration 7, every connect).
ENTITY_STORIES = (
    "INSERT INTO entity_stories (corpus_id, story_id, first_seq) "
    "SELECT l.corpus_id, sa.story_id, min(sa.seq) FROM entity_links l "
    "JOIN story_articles sa ON sa.article_id = l.article_id GROUP BY l.corpus_id, sa.story_id"
)


@migration(7, "indexes for the web pages: a story's history, the story list's order")
def _v7(db: Database) -> None:
    # A story's history is asked for as story_id = ? OR other_id = ?: without the second index
    # every story page scanned all events (one per article ever grouped). The story list's
    # order gets an index of its own so a page of it reads 50 rows, not every story. The two
    # covering indexes let a big story's or entity's articles be ordered without reading each
    # article's row (its text is in it: at 100,000 articles that was 0.2 s for one story).
    _script(
        db,
        """
        CREATE INDEX story_events_other ON story_events(other_id);
        CREATE INDEX stories_order ON stories(articles DESC, (last IS NULL), last DESC, id);
        CREATE INDEX story_articles_cover ON story_articles(article_id, story_id, seq);
        CREATE INDEX story_articles_members ON story_articles(story_id, seq, article_id);
        CREATE INDEX articles_id_published ON articles(id, published);
        CREATE TABLE entity_stories (
            corpus_id TEXT NOT NULL,
            story_id TEXT NOT NULL,
            first_seq INTEGER NOT NULL,
            PRIMARY KEY (corpus_id, story_id)
        ) WITHOUT ROWID;
        CREATE INDEX entity_stories_order ON entity_stories(corpus_id, first_seq)
        """,
    )
    # The stories naming each corpus entity, kept by the connect stage (Connections.replace):
    # found through the links, an entity named in 40,000 articles took 0.1-0.2 s per page.
    db.execute(ENTITY_STORIES)


def _script(db: Database, sql: str) -> None:
    # SQLite numbers every row of a table (rowid) and the store orders some tables by it;
    # PostgreSQL gets the same as an identity column where the schema says {rowid}.
    rowid = ", rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE"
    db.script(sql.replace("{rowid}", rowid if db.dialect == "postgresql" else ""))


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def migrate(db: Database) -> int:
    """Apply pending migrations, each in its own transaction; return the schema version."""
    if db.dialect == "postgresql":
        # Two crosswire processes opening a new server database at once must not both build
        # the schema: the second waits here, then finds the migrations done.
        db.execute("SELECT pg_advisory_lock(?)", (_LOCK,)).fetchone()
        try:
            return _migrate(db)
        finally:
            db.execute("SELECT pg_advisory_unlock(?)", (_LOCK,)).fetchone()
    return _migrate(db)


#: The PostgreSQL advisory lock key of schema migrations ("crosswir" in ASCII).
_LOCK = 0x63726F7373776972


def _migrate(db: Database) -> int:
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
    latest = MIGRATIONS[-1].version
    if done and max(done) > latest:
        raise StoreError(
            f"database schema version {max(done)} is newer than this crosswire knows ({latest}); "
            "upgrade crosswire"
        )
    for m in MIGRATIONS:
        if m.version in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            m.apply(db)
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (m.version, m.name, now()),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return latest
