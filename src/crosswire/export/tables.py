"""The store as flat, typed tables: one declared column list per table, rows streamed from SQLite.

Every format (JSON Lines, CSV, Parquet) and the FollowTheMoney mapping read the same rows, so a
column means the same thing everywhere. Rows are tuples in column order, produced by one cursor
per table: nothing is loaded whole, whatever the size of the store. Facts found inside an
article keep its id and their character offsets into the article's ``text``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from crosswire.records import Claim
from crosswire.store.db import Database

ColumnType = Literal["string", "int", "float", "strings"]
"""``strings`` is a list of strings: native in JSON Lines and Parquet, a JSON array in CSV."""

Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    doc: str
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    count_sql: str
    rows: Callable[[Database], Iterator[Row]]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, type: ColumnType, doc: str, nullable: bool = True) -> Column:
    return Column(name, type, doc, nullable)


def _loads(text: str | None) -> Any:
    return json.loads(text) if text else []


@contextmanager
def snapshot(db: Database) -> Iterator[None]:
    """Read every table inside one read transaction: in WAL mode that is a consistent snapshot,
    so an ingest running beside the export never leaves a quote pointing at a missing article."""
    db.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        db.execute("COMMIT")


# -- articles -------------------------------------------------------------------------------

ARTICLE_COLUMNS = (
    _c("id", "string", "article id", nullable=False),
    _c("source", "string", "where it was first read from (path, URL or JSON Lines id)"),
    _c("url", "string", "the page's own URL"),
    _c("original_url", "string", "the original this page copies, or its own URL"),
    _c("canonical_url", "string", "the page's canonical link"),
    _c("site", "string", "the page's site (registrable domain)"),
    _c("original_site", "string", "the original's site"),
    _c("title", "string", "headline"),
    _c("byline", "string", "author(s) as written"),
    _c("published", "string", "ISO date or datetime, at its precision"),
    _c("language", "string", "ISO 639-1 code"),
    _c("description", "string", "the page's meta description"),
    _c("kind", "string", "html, text or plain", nullable=False),
    _c("text", "string", "the clean article; every offset indexes it", nullable=False),
    _c("content_hash", "string", "sha256 of the raw bytes", nullable=False),
    _c("errors", "strings", "problems met while reading it", nullable=False),
    _c("extracted_at", "string", "when it was stored (ISO, UTC)", nullable=False),
    _c("crosswire_version", "string", "the crosswire that extracted it", nullable=False),
    _c("story_id", "string", "the story it is in"),
    _c("copy_of", "string", "the id of the article it copies, for a copy"),
)

_ARTICLES_SQL = """
SELECT a.id,
       (SELECT s.location FROM sources s WHERE s.article_id = a.id
        ORDER BY s.first_seen, s.location LIMIT 1),
       a.url, a.original_url, a.canonical_url, a.site, a.original_site, a.title, a.byline,
       a.published, a.language, a.description, a.kind, a.text, a.content_hash, a.errors,
       a.extracted_at, a.crosswire_version, sa.story_id, c.original_id
FROM articles a
LEFT JOIN story_articles sa ON sa.article_id = a.id
LEFT JOIN copies c ON c.article_id = a.id
ORDER BY a.rowid
"""


def _article_rows(db: Database) -> Iterator[Row]:
    for r in db.execute(_ARTICLES_SQL):
        yield (*r[:15], _loads(r[15]), *r[16:])


# -- paragraphs -----------------------------------------------------------------------------

PARAGRAPH_COLUMNS = (
    _c("article_id", "string", "article id", nullable=False),
    _c("idx", "int", "position in reading order, from 0", nullable=False),
    _c("role", "string", "title, lead, summary, label, heading, caption or body", nullable=False),
    _c("start", "int", "offset of the paragraph in the article's text", nullable=False),
    _c("end", "int", "offset just past it", nullable=False),
    _c("text", "string", "the paragraph", nullable=False),
    _c("line", "int", "1-based input line, for plain text"),
)


def _paragraph_rows(db: Database) -> Iterator[Row]:
    yield from db.execute(
        'SELECT article_id, idx, role, start, "end", text, line FROM paragraphs '
        "ORDER BY article_id, idx"
    )


# -- corpus entities and their mentions -----------------------------------------------------

ENTITY_COLUMNS = (
    _c("id", "string", "corpus entity id (c…)", nullable=False),
    _c("name", "string", "the full name most articles use", nullable=False),
    _c("type", "string", "PERSON, ORG, GPE, LOC or NORP", nullable=False),
    _c("aliases", "strings", "every other form used, most frequent first", nullable=False),
    _c("roles", "strings", "titles and affiliations as written", nullable=False),
    _c("articles", "int", "how many articles name it", nullable=False),
    _c("mentions", "int", "how many times they name it", nullable=False),
    _c("country", "string", "ISO 3166-1 alpha-2 code, for a geocoded place"),
    _c("lat", "float", "latitude (WGS 84), for a geocoded place"),
    _c("lon", "float", "longitude (WGS 84), for a geocoded place"),
)

# The place each corpus entity is geocoded to most often across its articles (ties: the first
# by country and coordinates).
_ENTITIES_SQL = """
WITH counted AS (
    SELECT l.corpus_id, p.country, p.lat, p.lon, count(*) AS n
    FROM places p
    JOIN entity_links l ON l.article_id = p.article_id AND l.entity_id = p.entity_id
    GROUP BY l.corpus_id, p.country, p.lat, p.lon
), geo AS (
    SELECT corpus_id, country, lat, lon FROM (
        SELECT c.*, row_number() OVER (
            PARTITION BY corpus_id ORDER BY n DESC, country, lat, lon
        ) AS k FROM counted c
    ) AS ranked WHERE k = 1
)
SELECT e.id, e.name, e.type, e.aliases, e.roles, e.articles, e.mentions,
       g.country, g.lat, g.lon
FROM corpus_entities e LEFT JOIN geo g ON g.corpus_id = e.id
ORDER BY e.rowid
"""


def _entity_rows(db: Database) -> Iterator[Row]:
    for r in db.execute(_ENTITIES_SQL):
        roles = [text for text, _articles in _loads(r[4])]
        yield (r[0], r[1], r[2], _loads(r[3]), roles, *r[5:])


MENTION_COLUMNS = (
    _c("article_id", "string", "article id", nullable=False),
    _c("entity_id", "string", "the entity's id inside the article (e1, e2, …)", nullable=False),
    _c("corpus_id", "string", "the corpus entity it is linked to"),
    _c("name", "string", "the fullest name the article uses", nullable=False),
    _c("type", "string", "PERSON, ORG, GPE, LOC or NORP, as read in this article", nullable=False),
    _c("kind", "string", "mention (it is named) or role (a title or affiliation)", nullable=False),
    _c("start", "int", "offset in the article's text", nullable=False),
    _c("end", "int", "offset just past the words", nullable=False),
    _c("text", "string", "the words: text[start:end]", nullable=False),
)

_MENTIONS_SQL = """
SELECT s.article_id, s.entity_id, l.corpus_id, e.name, e.type, s.kind, s.start, s."end", s.text
FROM entity_spans s
JOIN entities e ON e.article_id = s.article_id AND e.id = s.entity_id
LEFT JOIN entity_links l ON l.article_id = s.article_id AND l.entity_id = s.entity_id
ORDER BY s.article_id, s.entity_id, s.kind, s.start, s."end"
"""


def _mention_rows(db: Database) -> Iterator[Row]:
    yield from db.execute(_MENTIONS_SQL)


# -- quotes and claims ----------------------------------------------------------------------

QUOTE_COLUMNS = (
    _c("article_id", "string", "article id", nullable=False),
    _c("idx", "int", "position among the article's quotes, from 0", nullable=False),
    _c("kind", "string", "direct, partial or indirect", nullable=False),
    _c("text", "string", "the words attributed (quotation marks included)", nullable=False),
    _c("start", "int", "offset in the article's text", nullable=False),
    _c("end", "int", "offset just past the words", nullable=False),
    _c("speaker", "string", "the speaker's entity id inside the article"),
    _c("speaker_corpus_id", "string", "the speaker's corpus entity id"),
    _c("speaker_entity_name", "string", "the speaker's corpus (else article) entity name"),
    _c("speaker_name", "string", "the words naming the speaker here ('she', 'a spokesperson')"),
    _c("speaker_start", "int", "offset of speaker_name"),
    _c("speaker_end", "int", "offset just past speaker_name"),
    _c("cue", "string", "the cue ('said', 'according to')"),
    _c("cue_start", "int", "offset of the cue"),
    _c("cue_end", "int", "offset just past the cue"),
)

_QUOTES_SQL = """
SELECT q.article_id, q.idx, q.kind, q.text, q.start, q."end", q.speaker, l.corpus_id,
       coalesce(c.name, e.name), q.speaker_name, q.speaker_start, q.speaker_end,
       q.cue, q.cue_start, q.cue_end
FROM quotes q
LEFT JOIN entities e ON e.article_id = q.article_id AND e.id = q.speaker
LEFT JOIN entity_links l ON l.article_id = q.article_id AND l.entity_id = q.speaker
LEFT JOIN corpus_entities c ON c.id = l.corpus_id
ORDER BY q.article_id, q.idx
"""


def _quote_rows(db: Database) -> Iterator[Row]:
    yield from db.execute(_QUOTES_SQL)


_CLAIM_DOCS = {
    "value": "the number; empty for a range or a vague amount",
    "low": "lower bound of a range or vague amount",
    "high": "upper bound of a range or vague amount",
    "vague": "the vague amount as written ('thousands')",
    "approx": "the hedge as written ('about', 'at least')",
    "change": "= exact, ~ hedged, > lower bound, < upper bound, up, down",
    "unit": "normalised unit, or the counted noun",
    "measure": "the thing measured, as written",
    "measure_key": "the measure as lowercase lemmas, head first",
    "aspect": "the predicate as written",
    "status": "done, expected or planned",
    "claimant": "the claimant's entity id inside the article; empty in the outlet's voice",
    "claimant_name": "the claimant's words",
    "time": "the value of a time expression in the same sentence",
    "text": "the number's words, hedge included",
    "start": "offset in the article's text",
    "end": "offset just past the words",
    "sentence": "the sentence that carries it",
    "sentence_start": "offset of the sentence",
    "sentence_end": "offset just past the sentence",
}
_CLAIM_TYPES: dict[str, ColumnType] = {
    "value": "float", "low": "float", "high": "float", "start": "int", "end": "int",
    "sentence_start": "int", "sentence_end": "int",
}  # fmt: skip
_CLAIM_REQUIRED = {"change", "text", "start", "end", "sentence", "sentence_start", "sentence_end"}
_CLAIM_FIELDS = tuple(Claim.__dataclass_fields__)

CLAIM_COLUMNS = (
    _c("article_id", "string", "article id", nullable=False),
    _c("idx", "int", "position among the article's claims, from 0", nullable=False),
    *(
        _c(f, _CLAIM_TYPES.get(f, "string"), _CLAIM_DOCS[f], nullable=f not in _CLAIM_REQUIRED)
        for f in _CLAIM_FIELDS
    ),
    _c("claimant_corpus_id", "string", "the claimant's corpus entity id"),
    _c("claimant_entity_name", "string", "the claimant's corpus (else article) entity name"),
)

_CLAIMS_SQL = (
    # The column list is Claim's own fields, not data.
    "SELECT k.article_id, k.idx, "
    + ", ".join(f'k."{f}"' for f in _CLAIM_FIELDS)
    + """, l.corpus_id, coalesce(c.name, e.name)
FROM claims k
LEFT JOIN entities e ON e.article_id = k.article_id AND e.id = k.claimant
LEFT JOIN entity_links l ON l.article_id = k.article_id AND l.entity_id = k.claimant
LEFT JOIN corpus_entities c ON c.id = l.corpus_id
ORDER BY k.article_id, k.idx
"""
)


def _claim_rows(db: Database) -> Iterator[Row]:
    yield from db.execute(_CLAIMS_SQL)


# -- stories --------------------------------------------------------------------------------

STORY_COLUMNS = (
    _c("id", "string", "story id (s…)", nullable=False),
    _c("title", "string", "the first line of its most central article", nullable=False),
    _c("first", "string", "earliest publication date"),
    _c("last", "string", "latest publication date"),
    _c("articles", "int", "how many articles it holds", nullable=False),
    _c("copies", "int", "how many of them copy another article", nullable=False),
    _c("disagreements", "int", "how many disagreements its claims line up into", nullable=False),
    _c("sources", "strings", "the sites that published its articles", nullable=False),
    _c("entities", "strings", "the names most of its articles share", nullable=False),
    _c("article_ids", "strings", "its articles in arrival order", nullable=False),
    _c("updated_at", "string", "when the connect run that wrote it ran", nullable=False),
)


def _story_rows(db: Database) -> Iterator[Row]:
    stories = db.execute(
        "SELECT id, title, first, last, articles, copies, disagreements, sources, entities, "
        "updated_at FROM stories ORDER BY rowid"
    )
    for r in stories:
        members = [
            m[0]
            for m in db.execute(
                "SELECT article_id FROM story_articles WHERE story_id = ? ORDER BY seq", (r[0],)
            )
        ]
        yield (*r[:7], _loads(r[7]), _loads(r[8]), members, r[9])


STORY_ARTICLE_COLUMNS = (
    _c("story_id", "string", "story id", nullable=False),
    _c("article_id", "string", "article id", nullable=False),
    _c("seq", "int", "arrival rank of the article across the corpus", nullable=False),
)


def _story_article_rows(db: Database) -> Iterator[Row]:
    yield from db.execute("SELECT story_id, article_id, seq FROM story_articles ORDER BY seq")


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "articles",
            "one row per stored article",
            ARTICLE_COLUMNS,
            "SELECT count(*) FROM articles",
            _article_rows,
        ),
        Table(
            "paragraphs",
            "one row per paragraph of each article",
            PARAGRAPH_COLUMNS,
            "SELECT count(*) FROM paragraphs",
            _paragraph_rows,
        ),
        Table(
            "entities",
            "one row per corpus entity (one real thing across articles)",
            ENTITY_COLUMNS,
            "SELECT count(*) FROM corpus_entities",
            _entity_rows,
        ),
        Table(
            "mentions",
            "one row per place an article names an entity or gives it a role",
            MENTION_COLUMNS,
            "SELECT count(*) FROM entity_spans s JOIN entities e "
            "ON e.article_id = s.article_id AND e.id = s.entity_id",
            _mention_rows,
        ),
        Table(
            "quotes",
            "one row per quote",
            QUOTE_COLUMNS,
            "SELECT count(*) FROM quotes",
            _quote_rows,
        ),
        Table(
            "claims",
            "one row per numeric claim",
            CLAIM_COLUMNS,
            "SELECT count(*) FROM claims",
            _claim_rows,
        ),
        Table(
            "stories",
            "one row per story",
            STORY_COLUMNS,
            "SELECT count(*) FROM stories",
            _story_rows,
        ),
        Table(
            "story_articles",
            "one row per article in a story",
            STORY_ARTICLE_COLUMNS,
            "SELECT count(*) FROM story_articles",
            _story_article_rows,
        ),
    )
}


def count(db: Database, table: Table) -> int:
    return int(db.execute(table.count_sql).fetchone()[0])


def records(db: Database, table: Table) -> Iterator[dict[str, Any]]:
    """The table's rows as dicts keyed by column name."""
    names = table.names
    for row in table.rows(db):
        yield dict(zip(names, row, strict=True))


# -- views for the FollowTheMoney mapping ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One article's entity: its names and roles there, and the corpus entity it is linked to."""

    article_id: str
    entity_id: str
    name: str
    type: str
    corpus_id: str | None
    corpus_type: str | None
    published: str | None
    mentions: list[tuple[int, int, str]]
    roles: list[tuple[int, int, str]]


_OCCURRENCES_SQL = """
SELECT e.article_id, e.id, e.name, e.type, l.corpus_id, c.type, a.published,
       s.kind, s.start, s."end", s.text
FROM entities e
JOIN articles a ON a.id = e.article_id
LEFT JOIN entity_links l ON l.article_id = e.article_id AND l.entity_id = e.id
LEFT JOIN corpus_entities c ON c.id = l.corpus_id
LEFT JOIN entity_spans s ON s.article_id = e.article_id AND s.entity_id = e.id
ORDER BY e.article_id, e.id, s.kind, s.start, s."end"
"""


def occurrences(db: Database) -> Iterator[Occurrence]:
    """Every article's entities, one at a time (the spans of one arrive together, in order)."""
    current: Occurrence | None = None
    for r in db.execute(_OCCURRENCES_SQL):
        if current is None or (current.article_id, current.entity_id) != (r[0], r[1]):
            if current is not None:
                yield current
            current = Occurrence(r[0], r[1], r[2], r[3], r[4], r[5], r[6], [], [])
        if r[7] is not None:
            (current.mentions if r[7] == "mention" else current.roles).append((r[8], r[9], r[10]))
    if current is not None:
        yield current


def count_occurrences(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM entities").fetchone()[0])


def story_entities(db: Database, story_id: str, names: Sequence[str]) -> list[tuple[str, str]]:
    """(id, type) of the corpus entities the story's articles name that go by one of
    ``names`` (as name or alias): the story's shared names, resolved to corpus entities."""
    if not names:
        return []
    wanted = {n.casefold() for n in names}
    found: list[tuple[str, str]] = []
    for r in db.execute(
        "SELECT DISTINCT c.id, c.type, c.name, c.aliases FROM story_articles sa "
        "JOIN entity_links l ON l.article_id = sa.article_id "
        "JOIN corpus_entities c ON c.id = l.corpus_id "
        "WHERE sa.story_id = ? ORDER BY c.rowid",
        (story_id,),
    ):
        forms = [r[2], *_loads(r[3])]
        if any(f.casefold() in wanted for f in forms):
            found.append((r[0], r[1]))
    return found
