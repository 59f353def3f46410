"""What connecting the articles found, kept in the store: stories (with the history of how they
formed), copies and corpus entities.

The connect stage (:mod:`crosswire.connect.update`) computes these and hands them here in one
call, written in one transaction: a reader never sees stories from one run and copies from
another. Story membership is kept with its arrival sequence so that the next run can restore the
grouper and go on from it; the other tables are replaced whole, since a new article can change
the original of a copy group or merge two corpus entities.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crosswire.connect.copies import CopyGroup, CopyLink
from crosswire.connect.entities import CorpusEntity, CorpusRole
from crosswire.records import StoryEvent, StorySummary
from crosswire.store.db import Database
from crosswire.store.migrations import ENTITY_STORIES, now


@dataclass(frozen=True, slots=True)
class CopyOf:
    """An article's place in a copy group: ``original`` is itself when it is the original."""

    article: str
    original: str
    reason: str
    """Why it is a copy (empty for the original)."""
    why: str
    """Why the original was chosen."""


@dataclass(frozen=True, slots=True)
class Connected:
    """Everything one connect run produced."""

    assignments: Mapping[str, str]
    """Article id → story id, in arrival order."""
    stories: Sequence[StorySummary]
    events: Sequence[StoryEvent]
    copies: Sequence[CopyGroup]
    entities: Sequence[CorpusEntity]
    links: Iterable[tuple[str, str, str]]
    """(article id, the article's entity id, corpus entity id)."""


class Connections:
    """The connection tables of one SQLite database (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writes -------------------------------------------------------------------------------

    def replace(self, c: Connected) -> None:
        """Write one connect run's results in place of the last one's; the caller commits."""
        stamp = now()
        seq = {a: i for i, a in enumerate(c.assignments)}
        for table in ("story_articles", "stories", "copies", "entity_links", "corpus_entities"):
            self.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        insert_rows(self.db, "story_articles", [(a, s, seq[a]) for a, s in c.assignments.items()])
        insert_stories(self.db, c.stories, stamp)
        insert_events(self.db, c.events, stamp)
        insert_copies(self.db, c.copies)
        insert_entities(self.db, c.entities, [len(e.articles) for e in c.entities])
        insert_rows(self.db, "entity_links", c.links)
        self.db.execute("DELETE FROM entity_stories")
        self.db.execute(ENTITY_STORIES)

    # -- stories ------------------------------------------------------------------------------

    def assignments(self) -> dict[str, str]:
        """Article id → story id, in the order the articles were grouped."""
        rows = self.db.execute("SELECT article_id, story_id FROM story_articles ORDER BY seq")
        return {r[0]: r[1] for r in rows}

    def unconnected(self) -> int:
        """How many stored articles are in no story yet."""
        row = self.db.execute(
            "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM story_articles)"
        ).fetchone()
        return int(row[0])

    def stories(
        self,
        limit: int | None = None,
        offset: int = 0,
        *,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        entity: str | None = None,
    ) -> list[StorySummary]:
        """Stored stories, largest first (ties: most recent first, then id), optionally only
        those with an article dated ``since``..``until`` (ISO dates), published by ``source``
        (a site), or naming corpus entity ``entity``."""
        where, params = _story_filter(since, until, source, entity)
        sql = (
            f"SELECT * FROM stories {where} "  # noqa: S608 - constant clauses, values bound
            "ORDER BY articles DESC, last IS NULL, last DESC, id"
        )
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_story(r) for r in self.db.execute(sql, params)]

    def count_stories(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        entity: str | None = None,
    ) -> int:
        where, params = _story_filter(since, until, source, entity)
        sql = f"SELECT count(*) FROM stories {where}"  # noqa: S608 - constant clauses, values bound
        return int(self.db.execute(sql, params).fetchone()[0])

    def story(self, story_id: str) -> StorySummary | None:
        row = self.db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        return None if row is None else _story(row)

    def members(self, story_id: str) -> list[str]:
        """The story's article ids in arrival order."""
        rows = self.db.execute(
            "SELECT article_id FROM story_articles WHERE story_id = ? ORDER BY seq", (story_id,)
        )
        return [r[0] for r in rows]

    def listing(self, story_id: str | None = None) -> dict[str, list[dict[str, str | None]]]:
        """Story id → its articles (``id``, ``source``, ``title``, ``published``, ``site``) in
        arrival order; ``source`` is where the article was first read from (for JSON Lines
        input, the record's own id)."""
        sql = (
            "SELECT sa.story_id, a.id, a.title, a.published, a.site, "
            "(SELECT location FROM sources s WHERE s.article_id = a.id "
            "ORDER BY first_seen, location LIMIT 1) AS source "
            "FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
        )
        params: tuple[str, ...] = ()
        if story_id is not None:
            sql += " WHERE sa.story_id = ?"
            params = (story_id,)
        out: dict[str, list[dict[str, str | None]]] = {}
        for r in self.db.execute(sql + " ORDER BY sa.seq", params):
            out.setdefault(r["story_id"], []).append(
                {
                    "id": r["id"],
                    "source": r["source"],
                    "title": r["title"],
                    "published": r["published"],
                    "site": r["site"],
                }
            )
        return out

    def published(self, story_id: str) -> dict[str, str | None]:
        """The publication date of each of the story's articles."""
        rows = self.db.execute(
            "SELECT a.id, a.published FROM story_articles sa JOIN articles a "
            "ON a.id = sa.article_id WHERE sa.story_id = ?",
            (story_id,),
        )
        return {r[0]: r[1] for r in rows}

    def briefs(self, article_ids: Iterable[str]) -> dict[str, dict[str, str | None]]:
        """What a story's timeline shows of each of ``article_ids`` (``title``,
        ``published``, ``site``, ``original_site``, and ``source``, where it was first read
        from), without its text."""
        out: dict[str, dict[str, str | None]] = {}
        for chunk in _chunks(list(dict.fromkeys(article_ids))):
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                "SELECT a.id, a.title, a.published, a.site, a.original_site, "  # noqa: S608 - only placeholders
                "(SELECT location FROM sources s WHERE s.article_id = a.id "
                "ORDER BY first_seen, location LIMIT 1) AS source "
                f"FROM articles a WHERE a.id IN ({marks})",
                chunk,
            ):
                out[r["id"]] = {k: r[k] for k in r.keys() if k != "id"}  # noqa: SIM118 - a Row
        return out

    def story_of(self, article_id: str) -> str | None:
        row = self.db.execute(
            "SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def events(self, story_id: str | None = None) -> list[StoryEvent]:
        """The history of one story (as ``story`` or ``other``), or of all, oldest first."""
        sql = "SELECT * FROM story_events"
        params: tuple[str, ...] = ()
        if story_id is not None:
            sql += " WHERE story_id = ? OR other_id = ?"
            params = (story_id, story_id)
        rows = self.db.execute(sql + " ORDER BY seq", params)
        return [
            StoryEvent(
                r["kind"], r["story_id"], r["other_id"], r["article_id"], r["articles"], r["at"]
            )
            for r in rows
        ]

    def history(self, story_id: str, joins: int) -> tuple[list[StoryEvent], int]:
        """:meth:`events` of one story with only its first ``joins`` "join" events (a big
        story has one per article), and how many events there are in all."""
        where = "(story_id = ? OR other_id = ?)"
        total = self.db.execute(
            f"SELECT count(*) FROM story_events WHERE {where}",  # noqa: S608 - constant
            (story_id, story_id),
        ).fetchone()[0]
        rows = self.db.execute(
            f"SELECT * FROM story_events WHERE {where} AND kind != 'join' "  # noqa: S608 - constant
            f"UNION ALL SELECT * FROM (SELECT * FROM story_events WHERE {where} "
            "AND kind = 'join' ORDER BY seq LIMIT ?) AS joins ORDER BY seq",
            (story_id, story_id, story_id, story_id, joins),
        )
        events = [
            StoryEvent(
                r["kind"], r["story_id"], r["other_id"], r["article_id"], r["articles"], r["at"]
            )
            for r in rows
        ]
        return events, int(total)

    def first_articles(self, story_id: str, limit: int) -> list[str]:
        """The story's first ``limit`` articles: those that copy no other first, each by
        publication date (undated last), then id."""
        rows = self.db.execute(
            # Covering indexes only: a big story's articles are ordered without reading a row.
            "SELECT sa.article_id FROM story_articles sa INDEXED BY story_articles_members "
            "JOIN articles a INDEXED BY articles_id_published ON a.id = sa.article_id "
            "WHERE sa.story_id = ? ORDER BY EXISTS (SELECT 1 FROM copies c "
            "WHERE c.article_id = sa.article_id), a.published IS NULL, a.published, "
            "sa.article_id LIMIT ?",
            (story_id, limit),
        )
        return [r[0] for r in rows]

    def copy_places(self, article_ids: Iterable[str]) -> dict[str, CopyOf]:
        """The copy-group place of each of ``article_ids`` that is in a group, like
        :meth:`originals` but without reading every copy of an original among them."""
        ids = list(dict.fromkeys(article_ids))
        out: dict[str, CopyOf] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                f"SELECT article_id, original_id, reason, why FROM copies "  # noqa: S608 - only placeholders
                f"WHERE article_id IN ({marks})",
                chunk,
            ):
                out[r[0]] = CopyOf(r[0], r[1], r[2], r[3])
            for r in self.db.execute(
                f"SELECT original_id, min(why) FROM copies WHERE original_id IN ({marks}) "  # noqa: S608 - only placeholders
                "GROUP BY original_id",
                chunk,
            ):
                out.setdefault(r[0], CopyOf(r[0], r[0], "", r[1]))
        return out

    # -- copies -------------------------------------------------------------------------------

    def copy_groups(self) -> list[CopyGroup]:
        """Every stored copy group, in order of the original's arrival."""
        groups: dict[str, CopyGroup] = {}
        rows = self.db.execute(
            "SELECT c.*, sa.seq FROM copies c LEFT JOIN story_articles sa "
            "ON sa.article_id = c.original_id ORDER BY sa.seq, c.original_id, c.rowid"
        )
        for r in rows:
            g = groups.get(r["original_id"])
            if g is None:
                g = groups[r["original_id"]] = CopyGroup(r["original_id"], [], r["rule"], r["why"])
            g.copies.append(
                CopyLink(r["article_id"], r["kind"], r["jaccard"], r["containment"], r["reason"])
            )
        return list(groups.values())

    def copy_groups_of(self, article_id: str) -> list[CopyGroup]:
        """The copy group ``article_id`` is in (as original or copy), if any."""
        row = self.db.execute(
            "SELECT original_id FROM copies WHERE article_id = ? OR original_id = ? LIMIT 1",
            (article_id, article_id),
        ).fetchone()
        if row is None:
            return []
        rows = self.db.execute(
            "SELECT * FROM copies WHERE original_id = ? ORDER BY rowid", (row[0],)
        ).fetchall()
        links = [
            CopyLink(r["article_id"], r["kind"], r["jaccard"], r["containment"], r["reason"])
            for r in rows
        ]
        return [CopyGroup(row[0], links, rows[0]["rule"], rows[0]["why"])]

    def copies_of(self, original_id: str, limit: int) -> tuple[list[CopyLink], int]:
        """The first ``limit`` copies of ``original_id`` (in the order they were stored) and
        how many there are."""
        total = self.db.execute(
            "SELECT count(*) FROM copies WHERE original_id = ?", (original_id,)
        ).fetchone()[0]
        rows = self.db.execute(
            "SELECT * FROM copies WHERE original_id = ? ORDER BY rowid LIMIT ?",
            (original_id, limit),
        )
        links = [
            CopyLink(r["article_id"], r["kind"], r["jaccard"], r["containment"], r["reason"])
            for r in rows
        ]
        return links, int(total)

    def originals(self, article_ids: Iterable[str]) -> dict[str, CopyOf]:
        """The copy-group place of each of ``article_ids`` that is in a group."""
        ids = list(dict.fromkeys(article_ids))
        out: dict[str, CopyOf] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                f"SELECT article_id, original_id, reason, why FROM copies "  # noqa: S608 - only placeholders
                f"WHERE article_id IN ({marks}) OR original_id IN ({marks})",
                (*chunk, *chunk),
            ):
                out[r[0]] = CopyOf(r[0], r[1], r[2], r[3])
                out.setdefault(r[1], CopyOf(r[1], r[1], "", r[3]))
        return out

    # -- entities -----------------------------------------------------------------------------

    def entity(self, corpus_id: str, limit: int | None = None) -> CorpusEntity | None:
        """The corpus entity with the ids of the articles naming it in arrival order (the first
        ``limit`` of them; the entity's ``articles`` count is in :meth:`entities`)."""
        row = self.db.execute("SELECT * FROM corpus_entities WHERE id = ?", (corpus_id,)).fetchone()
        if row is None:
            return None
        return _entity(row, self.naming(corpus_id, limit))

    def naming_count(self, corpus_id: str) -> int:
        """How many articles name ``corpus_id``."""
        row = self.db.execute(
            "SELECT articles FROM corpus_entities WHERE id = ?", (corpus_id,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def naming(
        self, corpus_id: str, limit: int | None = None, *, originals: bool = False
    ) -> list[str]:
        """The articles naming ``corpus_id`` in arrival order (the first ``limit``); with
        ``originals``, only those that copy no other article."""
        sql = (
            "SELECT l.article_id FROM entity_links l "
            "LEFT JOIN story_articles sa INDEXED BY story_articles_cover "
            "ON sa.article_id = l.article_id WHERE l.corpus_id = ?"
        )
        params: tuple[str | int, ...] = (corpus_id,)
        if originals:
            # A copy is never its own original, so a row in copies is enough.
            sql += " AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.article_id = l.article_id)"
        # One row per article (it may name the entity under several local ids).
        sql += " GROUP BY l.article_id ORDER BY min(sa.seq), l.article_id"
        if limit is not None:
            sql += " LIMIT ?"
            params = (corpus_id, limit)
        return [r[0] for r in self.db.execute(sql, params)]

    def entity_names(self, corpus_ids: Iterable[str]) -> dict[str, str]:
        """Corpus entity id → name, for those of ``corpus_ids`` that exist."""
        out: dict[str, str] = {}
        for chunk in _chunks(sorted(set(corpus_ids))):
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                f"SELECT id, name FROM corpus_entities WHERE id IN ({marks})",  # noqa: S608 - only placeholders
                chunk,
            ):
                out[r[0]] = r[1]
        return out

    def stories_naming(
        self, corpus_id: str, limit: int | None = None
    ) -> tuple[list[StorySummary], int]:
        """The stories with an article naming ``corpus_id``, in the order the first such
        article arrived (at most ``limit``), and how many there are in all."""
        total = self.db.execute(
            "SELECT count(*) FROM entity_stories x JOIN stories s ON s.id = x.story_id "
            "WHERE x.corpus_id = ?",
            (corpus_id,),
        ).fetchone()[0]
        sql = (
            "SELECT s.* FROM entity_stories x JOIN stories s ON s.id = x.story_id "
            "WHERE x.corpus_id = ? ORDER BY x.first_seq"
        )
        params: tuple[str | int, ...] = (corpus_id,)
        if limit is not None:
            sql += " LIMIT ?"
            params = (corpus_id, limit)
        return [_story(r) for r in self.db.execute(sql, params)], int(total)

    def entities(self, limit: int | None = None, offset: int = 0) -> list[tuple[CorpusEntity, int]]:
        """Corpus entities, most written about first, each with the number of articles naming
        it (the entity's ``articles`` is left empty: see :meth:`entity`)."""
        sql = "SELECT * FROM corpus_entities ORDER BY articles DESC, mentions DESC, id"
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = (limit, offset)
        return [(_entity(r, []), r["articles"]) for r in self.db.execute(sql, params)]

    def find_entities(self, name: str, limit: int = 20) -> list[CorpusEntity]:
        """Corpus entities whose name or an alias is ``name`` (case-insensitive), or else
        those whose name or an alias contains it."""
        exact = _escape_like(name)
        for pattern in (exact, f"%{exact}%"):
            rows = self.db.execute(
                "SELECT e.* FROM corpus_entities e WHERE lower(e.name) LIKE lower(?) ESCAPE '\\' "
                "OR EXISTS (SELECT 1 FROM json_each(e.aliases) "
                "WHERE lower(json_each.value) LIKE lower(?) ESCAPE '\\') "
                "ORDER BY e.articles DESC, e.id LIMIT ?",
                (pattern, pattern, limit),
            ).fetchall()
            if rows:
                return [_entity(r, []) for r in rows]
        return []

    def links(self, article_id: str) -> dict[str, str]:
        """The article's entity ids → their corpus entity ids."""
        rows = self.db.execute(
            "SELECT entity_id, corpus_id FROM entity_links WHERE article_id = ?", (article_id,)
        )
        return {r[0]: r[1] for r in rows}

    def linked(self, corpus_id: str) -> list[tuple[str, str]]:
        """(article id, the article's entity id) of every article naming ``corpus_id``."""
        rows = self.db.execute(
            "SELECT article_id, entity_id FROM entity_links WHERE corpus_id = ? "
            "ORDER BY article_id, entity_id",
            (corpus_id,),
        )
        return [(r[0], r[1]) for r in rows]


# The inserts a full run (Connections.replace) and a windowed one (windowed.WindowTables) share.

_INSERT = {
    "story_articles": "INSERT INTO story_articles (article_id, story_id, seq) VALUES (?, ?, ?)",
    "entity_links": "INSERT INTO entity_links (article_id, entity_id, corpus_id) VALUES (?, ?, ?)",
}


def insert_rows(db: Database, table: str, rows: Iterable[Sequence[Any]]) -> None:
    """Rows of ``story_articles`` (article, story, seq) or ``entity_links`` (article, the
    article's entity, corpus entity)."""
    db.executemany(_INSERT[table], list(rows))


def insert_stories(db: Database, stories: Iterable[StorySummary], stamp: str) -> None:
    db.executemany(
        "INSERT INTO stories (id, title, first, last, articles, sources, entities, copies, "
        "disagreements, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                s.id, s.title, s.first, s.last, s.articles, json.dumps(s.sources),
                json.dumps(s.entities), s.copies, s.disagreements, s.updated_at or stamp,
            )
            for s in stories
        ],
    )  # fmt: skip


def insert_events(db: Database, events: Iterable[StoryEvent], stamp: str) -> None:
    db.executemany(
        "INSERT INTO story_events (at, kind, story_id, other_id, article_id, articles) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(e.at or stamp, e.kind, e.story, e.other, e.article, e.articles) for e in events],
    )


def insert_copies(db: Database, groups: Iterable[CopyGroup]) -> None:
    db.executemany(
        "INSERT INTO copies (article_id, original_id, kind, jaccard, containment, reason, "
        "rule, why) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (k.copy, g.original, k.kind, k.jaccard, k.containment, k.reason, g.rule, g.why)
            for g in groups
            for k in g.copies
        ],
    )


def insert_entities(db: Database, entities: Sequence[CorpusEntity], counts: Sequence[int]) -> None:
    """Corpus entities, each with the number of articles naming it."""
    db.executemany(
        "INSERT INTO corpus_entities (id, name, type, aliases, roles, articles, mentions) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.id, e.name, e.type, json.dumps(e.aliases, ensure_ascii=False),
                json.dumps([[r.text, list(r.articles)] for r in e.roles], ensure_ascii=False),
                n, e.mentions,
            )
            for e, n in zip(entities, counts, strict=True)
        ],
    )  # fmt: skip


def _story_filter(
    since: str | None, until: str | None, source: str | None, entity: str | None
) -> tuple[str, list[str | int]]:
    clauses: list[str] = []
    params: list[str | int] = []
    if since:
        clauses.append("last >= ?")
        params.append(since)
    if until:
        # A story's dates are days; "until 2024-10-23" keeps a story whose first is that day.
        clauses.append("first <= ?")
        params.append(until)
    if source:
        clauses.append("EXISTS (SELECT 1 FROM json_each(stories.sources) WHERE value = ?)")
        params.append(source)
    if entity:
        clauses.append("id IN (SELECT story_id FROM entity_stories WHERE corpus_id = ?)")
        params.append(entity)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(ids: list[str], size: int = 400) -> Iterable[list[str]]:
    # SQLite caps the number of host parameters in one statement.
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _story(r: Any) -> StorySummary:
    return StorySummary(
        id=r["id"],
        title=r["title"],
        first=r["first"],
        last=r["last"],
        articles=r["articles"],
        sources=json.loads(r["sources"]),
        entities=json.loads(r["entities"]),
        copies=r["copies"],
        disagreements=r["disagreements"],
        updated_at=r["updated_at"],
    )


def _entity(r: Any, articles: list[str]) -> CorpusEntity:
    return CorpusEntity(
        id=r["id"],
        name=r["name"],
        type=r["type"],
        aliases=json.loads(r["aliases"]),
        roles=[CorpusRole(text, tuple(arts)) for text, arts in json.loads(r["roles"])],
        articles=articles,
        mentions=r["mentions"],
    )
