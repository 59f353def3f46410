"""The connection tables as a windowed connect run reads and rewrites them: only the stories
still open, their articles and the new ones, and the copy rows and corpus entities these touch.

A full run (:meth:`crosswire.store.connections.Connections.replace`) rewrites every table whole;
a windowed one (:func:`crosswire.connect.window.connect_window`) must leave the frozen rows as
they are, so every read here is bounded by the window and every write names the rows it
replaces. Ids are only ever passed as parameters, in chunks under SQLite's parameter limit.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from crosswire.connect.copies import CopyGroup
from crosswire.connect.entities import CorpusEntity, CorpusRole
from crosswire.records import StoryEvent, StorySummary
from crosswire.store.connections import (
    insert_copies,
    insert_entities,
    insert_events,
    insert_rows,
    insert_stories,
)
from crosswire.store.db import Database
from crosswire.store.migrations import now

__all__ = ["Rewrite", "StoredEntity", "WindowTables"]

_CHUNK = 400

# migrations.ENTITY_STORIES for some stories or entities: rows another clause put in are kept.
ENTITY_STORIES_OR_IGNORE = (
    "INSERT OR IGNORE INTO entity_stories (corpus_id, story_id, first_seq) "
    "SELECT l.corpus_id, sa.story_id, min(sa.seq) FROM entity_links l "
    "JOIN story_articles sa ON sa.article_id = l.article_id WHERE 1 = 1"
)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


@dataclass(frozen=True, slots=True)
class StoredEntity:
    """A stored corpus entity as far as linking needs it (its name, type and other forms)."""

    id: str
    name: str
    type: str
    aliases: list[str]


@dataclass(slots=True)
class Rewrite:
    """What a windowed run replaces (everything else stays as stored)."""

    assignments: Mapping[str, str]
    """Article id → story id for every article of the window, in grouping order."""
    seqs: Mapping[str, int]
    """Each of those articles' place in the grouping order (old ones keep theirs)."""
    stories: Sequence[StorySummary]
    """The window's stories, in place of ``open_stories``."""
    open_stories: Collection[str]
    events: Sequence[StoryEvent]
    copy_articles: Sequence[str]
    """Articles whose copy rows are replaced by ``copies``."""
    copies: Sequence[CopyGroup]
    links: Sequence[tuple[str, str, str]]
    """(article id, the article's entity id, corpus id) for every article of the window."""
    entities: Sequence[CorpusEntity]
    """Corpus entities written anew (``articles`` is recounted from the links, and one left
    with no link is removed)."""
    merged: Mapping[str, str] = field(default_factory=dict)
    """Stored corpus id → the id it was merged into (its remaining links follow)."""


class WindowTables:
    """Bounded reads and scoped writes of the connection tables (module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reads ---------------------------------------------------------------------------------

    def unconnected(self) -> list[str]:
        """Ids of the articles in no story yet, in the order they were stored."""
        rows = self.db.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM story_articles) "
            "ORDER BY extracted_at, rowid"
        )
        return [r[0] for r in rows]

    def dates(self, article_ids: Sequence[str]) -> dict[str, tuple[str | None, str]]:
        """Article id → (publication date, time it was stored)."""
        out: dict[str, tuple[str | None, str]] = {}
        for chunk in _chunks(article_ids):
            for r in self.db.execute(
                "SELECT id, published, extracted_at FROM articles "  # noqa: S608 - only placeholders
                f"WHERE id IN ({_marks(len(chunk))})",
                list(chunk),
            ):
                out[r[0]] = (r[1], r[2])
        return out

    def open_stories(self, spans: Iterable[tuple[str, str]], stored_since: str | None) -> set[str]:
        """Stories whose date range meets one of ``spans`` (ISO days, both ends included), and
        undated stories with an article stored since ``stored_since``."""
        out: set[str] = set()
        for lo, hi in spans:
            rows = self.db.execute(
                "SELECT id FROM stories WHERE last >= ? AND first <= ?", (lo, hi)
            )
            out.update(r[0] for r in rows)
        if stored_since is not None:
            rows = self.db.execute(
                "SELECT DISTINCT sa.story_id FROM stories s "
                "JOIN story_articles sa ON sa.story_id = s.id "
                "JOIN articles a ON a.id = sa.article_id "
                "WHERE s.last IS NULL AND a.extracted_at >= ?",
                (stored_since,),
            )
            out.update(r[0] for r in rows)
        return out

    def members(self, story_ids: Collection[str]) -> list[tuple[str, str, int]]:
        """(article id, story id, seq) of every article of ``story_ids``, in grouping order."""
        out: list[tuple[str, str, int]] = []
        for chunk in _chunks(sorted(story_ids)):
            out.extend(
                (r[0], r[1], int(r[2]))
                for r in self.db.execute(
                    "SELECT article_id, story_id, seq FROM story_articles "  # noqa: S608 - only placeholders
                    f"WHERE story_id IN ({_marks(len(chunk))})",
                    list(chunk),
                )
            )
        out.sort(key=lambda m: m[2])
        return out

    def counts(self) -> dict[str, int]:
        """Rows in each connection table."""
        out: dict[str, int] = {}
        for table in ("story_articles", "stories", "copies", "corpus_entities"):
            out[table] = int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - fixed names
        return out

    def next_seq(self) -> int:
        row = self.db.execute("SELECT max(seq) FROM story_articles").fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    def top_number(self, table: str, prefix: str) -> int:
        """The highest ``<prefix><number>`` id in ``table`` (``stories`` or ``corpus_entities``)."""
        if table not in ("stories", "corpus_entities"):
            raise ValueError(table)
        row = self.db.execute(
            f"SELECT max(CAST(substr(id, 2) AS INTEGER)) FROM {table} WHERE id LIKE ?",  # noqa: S608 - a fixed table name
            (prefix + "%",),
        ).fetchone()
        return 0 if row[0] is None else int(row[0])

    def stored_originals(self, article_ids: Sequence[str]) -> set[str]:
        """The originals that stored copy rows of ``article_ids`` point to."""
        out: set[str] = set()
        for chunk in _chunks(article_ids):
            rows = self.db.execute(
                f"SELECT original_id FROM copies WHERE article_id IN ({_marks(len(chunk))})",  # noqa: S608 - only placeholders
                list(chunk),
            )
            out.update(r[0] for r in rows)
        return out

    def same_text(self, article_ids: Sequence[str]) -> set[str]:
        """The earliest connected article with the same text as each of ``article_ids``
        (through the indexed text hash: an exact copy is found however old its original is)."""
        out: set[str] = set()
        for chunk in _chunks(article_ids):
            rows = self.db.execute(
                "SELECT b.id, b.text_hash, b.extracted_at, b.rowid FROM articles a "  # noqa: S608 - only placeholders
                "JOIN articles b ON b.text_hash = a.text_hash AND b.id <> a.id "
                "JOIN story_articles sa ON sa.article_id = b.id "
                f"WHERE a.id IN ({_marks(len(chunk))})",
                list(chunk),
            )
            first: dict[str, tuple[str, int, str]] = {}
            for r in rows:
                key = (r[2], int(r[3]), r[0])
                if r[1] not in first or key < first[r[1]]:
                    first[r[1]] = key
            out.update(k[2] for k in first.values())
        return out

    def arrival(self, article_ids: Sequence[str]) -> list[str]:
        """``article_ids`` in the order they were stored."""
        keyed: list[tuple[str, int, str]] = []
        for chunk in _chunks(article_ids):
            keyed.extend(
                (r[1], int(r[2]), r[0])
                for r in self.db.execute(
                    "SELECT id, extracted_at, rowid FROM articles "  # noqa: S608 - only placeholders
                    f"WHERE id IN ({_marks(len(chunk))})",
                    list(chunk),
                )
            )
        keyed.sort()
        return [k[2] for k in keyed]

    def stored_entities(self) -> Iterator[StoredEntity]:
        """Every stored corpus entity's name, type and forms, oldest id first."""
        rows = self.db.stream("SELECT id, name, type, aliases FROM corpus_entities ORDER BY rowid")
        for r in rows:
            yield StoredEntity(r[0], r[1], r[2], json.loads(r[3]))

    def entity_rows(self, corpus_ids: Collection[str]) -> dict[str, tuple[CorpusEntity, int]]:
        """Stored corpus entities of ``corpus_ids``, each with how many articles name it (the
        entity's ``articles`` is left empty)."""
        out: dict[str, tuple[CorpusEntity, int]] = {}
        for chunk in _chunks(sorted(corpus_ids)):
            for r in self.db.execute(
                f"SELECT * FROM corpus_entities WHERE id IN ({_marks(len(chunk))})",  # noqa: S608 - only placeholders
                list(chunk),
            ):
                entity = CorpusEntity(
                    id=r["id"],
                    name=r["name"],
                    type=r["type"],
                    aliases=json.loads(r["aliases"]),
                    roles=[CorpusRole(t, tuple(a)) for t, a in json.loads(r["roles"])],
                    mentions=int(r["mentions"]),
                )
                out[r["id"]] = (entity, int(r["articles"]))
        return out

    def old_links(self, article_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        out: list[tuple[str, str, str]] = []
        for chunk in _chunks(article_ids):
            out.extend(
                (r[0], r[1], r[2])
                for r in self.db.execute(
                    "SELECT article_id, entity_id, corpus_id FROM entity_links "  # noqa: S608 - only placeholders
                    f"WHERE article_id IN ({_marks(len(chunk))})",
                    list(chunk),
                )
            )
        return out

    # -- the write -----------------------------------------------------------------------------

    def rewrite(self, w: Rewrite) -> None:
        """Replace the window's rows (see :class:`Rewrite`); the caller commits."""
        stamp = now()
        window = list(w.assignments)
        self._delete("story_articles", "article_id", window)
        insert_rows(
            self.db, "story_articles", [(a, s, w.seqs[a]) for a, s in w.assignments.items()]
        )
        self._delete("stories", "id", sorted(w.open_stories))
        insert_stories(self.db, w.stories, stamp)
        insert_events(self.db, w.events, stamp)
        self._delete("copies", "article_id", list(w.copy_articles))
        insert_copies(self.db, w.copies)
        self._write_entities(w, window)

    def _write_entities(self, w: Rewrite, window: list[str]) -> None:
        self._delete("entity_links", "article_id", window)
        for old, new in w.merged.items():
            self.db.execute("UPDATE entity_links SET corpus_id = ? WHERE corpus_id = ?", (new, old))
        insert_rows(self.db, "entity_links", w.links)
        written = [e.id for e in w.entities]
        self._delete("corpus_entities", "id", sorted({*written, *w.merged}))
        # Counted once the links are in (below): the frozen articles' links count too.
        insert_entities(self.db, w.entities, [0] * len(w.entities))
        for chunk in _chunks(written):
            self.db.execute(
                "UPDATE corpus_entities SET articles = (SELECT count(DISTINCT l.article_id) "  # noqa: S608 - only placeholders
                "FROM entity_links l WHERE l.corpus_id = corpus_entities.id) "
                f"WHERE id IN ({_marks(len(chunk))})",
                list(chunk),
            )
            self.db.execute(
                f"DELETE FROM corpus_entities WHERE articles = 0 AND id IN ({_marks(len(chunk))})",  # noqa: S608 - only placeholders
                list(chunk),
            )
        self._entity_stories(
            sorted({*w.open_stories, *w.assignments.values()}), sorted({*written, *w.merged})
        )

    def _entity_stories(self, stories: Sequence[str], entities: Sequence[str]) -> None:
        # Only the rows of the stories and entities this run rewrote: the rest of the table
        # (one row per entity and story naming it) is the frozen part's and stays.
        self._delete("entity_stories", "story_id", stories)
        self._delete("entity_stories", "corpus_id", entities)
        for column, ids in (("sa.story_id", stories), ("l.corpus_id", entities)):
            for chunk in _chunks(ids):
                self.db.execute(
                    f"{ENTITY_STORIES_OR_IGNORE} AND {column} IN ({_marks(len(chunk))}) "
                    "GROUP BY l.corpus_id, sa.story_id",
                    list(chunk),
                )

    def _delete(self, table: str, column: str, ids: Sequence[str]) -> None:
        for chunk in _chunks(ids):
            self.db.execute(
                f"DELETE FROM {table} WHERE {column} IN ({_marks(len(chunk))})",  # noqa: S608 - fixed names, placeholders
                list(chunk),
            )
