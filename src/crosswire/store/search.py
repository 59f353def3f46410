"""Full-text search over stored articles and quotes: SQLite FTS5, or PostgreSQL's text search
(:class:`PgSearch`), both kept up to date by the database (see migration 6).

User input never reaches FTS5's query syntax: each word becomes a quoted term, so a query such as
``"troops" OR`` or ``NEAR(`` is a search for those words, never a syntax error or an operator.
Snippets mark matches with private-use characters, which the caller turns into markup after
escaping the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crosswire.store.db import Database

#: Start and end of a match in a snippet: private-use code points that news text does not use
#: (a page that did would only get a spurious highlight: the snippet is escaped all the same).
MARK_START = "\ue000"
MARK_END = "\ue001"

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """The FTS5 query for a user's words (all must match), or ``None`` when there are none."""
    words = _WORD.findall(text)[:16]
    if not words:
        return None
    return " ".join(f'"{w}"' for w in words)


@dataclass(frozen=True, slots=True)
class ArticleHit:
    id: str
    title: str | None
    published: str | None
    site: str | None
    snippet: str
    """Text around the matches, each between :data:`MARK_START` and :data:`MARK_END`."""


@dataclass(frozen=True, slots=True)
class QuoteHit:
    article_id: str
    idx: int
    speaker: str
    text: str
    snippet: str


class Search:
    """Searches of one SQLite database (FTS5).

    Ranking (bm25) costs time in proportion to the matches: a common word matches most of a
    large archive (at 100,000 articles, "said" matches 43,000 of them and 27,000 quotes, and
    ranking them all took 0.1-2 s). ``window`` bounds that: only the ``window`` most recently
    stored matches are ranked (at least ``offset + limit`` of them, so every page has its
    results). ``count_up_to`` likewise stops counting there: the total is then a lower bound.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    def _count(self, table: str, query: str, up_to: int | None) -> int:
        if up_to is None:
            sql = f"SELECT count(*) FROM {table} WHERE {table} MATCH ?"  # noqa: S608 - constant table
            return int(self.db.execute(sql, (query,)).fetchone()[0])
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)"  # noqa: S608 - constant table
        return int(self.db.execute(sql, (query, up_to)).fetchone()[0])

    def _floor(self, table: str, query: str, window: int) -> int | None:
        """The rowid of the ``window``-th most recent match, or ``None`` when fewer match."""
        sql = (
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? "  # noqa: S608 - constant table
            "ORDER BY rowid DESC LIMIT 1 OFFSET ?"
        )
        row = self.db.execute(sql, (query, window - 1)).fetchone()
        return None if row is None else int(row[0])

    def _page(
        self, table: str, select: str, query: str, limit: int, offset: int, window: int | None
    ) -> list[Any]:
        """The page of ``select``'s matches, best first; with ``window``, ranked among the
        ``window`` most recent only (a rowid range FTS5 reads directly: the others are never
        ranked, and snippets are made for the page's rows only, as before)."""
        floor = None if window is None else self._floor(table, query, max(window, offset + limit))
        params: list[str | int] = [MARK_START, MARK_END, query]
        if floor is not None:
            select += f" AND {table}.rowid >= ?"
            params.append(floor)
        return self.db.execute(
            select + " ORDER BY rank LIMIT ? OFFSET ?", (*params, limit, offset)
        ).fetchall()

    def articles(
        self,
        text: str,
        limit: int = 20,
        offset: int = 0,
        *,
        window: int | None = None,
        count_up_to: int | None = None,
    ) -> tuple[list[ArticleHit], int]:
        """Articles matching every word of ``text``, best first, and how many match in all
        (see the class docstring for ``window`` and ``count_up_to``)."""
        rows, total = self._search("articles", text, limit, offset, window, count_up_to)
        return [ArticleHit(r[0], r[1], r[2], r[3], r[4]) for r in rows], total

    def quotes(
        self,
        text: str,
        limit: int = 20,
        offset: int = 0,
        *,
        window: int | None = None,
        count_up_to: int | None = None,
    ) -> tuple[list[QuoteHit], int]:
        """Quotes whose words or speaker match every word of ``text``, best first."""
        rows, total = self._search("quotes", text, limit, offset, window, count_up_to)
        return [QuoteHit(r[0], int(r[1]), r[2], r[3], r[4]) for r in rows], total

    def _search(
        self,
        kind: str,
        text: str,
        limit: int,
        offset: int,
        window: int | None,
        count_up_to: int | None,
    ) -> tuple[list[Any], int]:
        """The page of ``kind``'s matches (rows of :data:`_FTS5`'s select) and the total."""
        query = fts_query(text)
        if query is None:
            return [], 0
        table, select = _FTS5[kind]
        total = self._count(table, query, count_up_to)
        return self._page(table, select, query, limit, offset, window), total


#: Per kind of hit: the FTS5 table and the select of a hit (snippets between the marks).
_FTS5 = {
    "articles": (
        "articles_fts",
        "SELECT a.id, a.title, a.published, a.site, "
        "snippet(articles_fts, 1, ?, ?, '…', 16) AS snippet "
        "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
        "WHERE articles_fts MATCH ?",
    ),
    "quotes": (
        "quotes_fts",
        "SELECT article_id, idx, speaker, text, snippet(quotes_fts, 1, ?, ?, '…', 24) "
        "FROM quotes_fts WHERE quotes_fts MATCH ?",
    ),
}


def plain_words(text: str) -> str | None:
    """The user's words (at most 16) for ``plainto_tsquery``: every one must match, and no
    character of the input is read as an operator."""
    words = _WORD.findall(text)[:16]
    return " ".join(words) if words else None


#: The indexed expressions of migration 6 (PostgreSQL): a query must repeat them exactly for
#: the GIN indexes to be used.
_ARTICLE_WORDS = "to_tsvector('simple', coalesce(a.title, '') || ' ' || left(a.text, 500000))"
_QUOTE_WORDS = "to_tsvector('simple', q.speaker || ' ' || left(q.text, 500000))"
_QUERY = "plainto_tsquery('simple', ?)"


class PgSearch(Search):
    """The same searches in a PostgreSQL database, with its own text search: ``ts_rank`` for
    the order, ``ts_headline`` for snippets, and the same ``window`` and ``count_up_to``
    bounds as :class:`Search` (by the order rows were stored)."""

    def _count_where(self, source: str, where: str, words: str, up_to: int | None) -> int:
        inner = f"SELECT 1 FROM {source} WHERE {where}"  # noqa: S608 - constant SQL
        if up_to is None:
            sql = f"SELECT count(*) FROM ({inner}) m"  # noqa: S608 - constant SQL
            return int(self.db.execute(sql, (words,)).fetchone()[0])
        sql = f"SELECT count(*) FROM ({inner} LIMIT ?) m"  # noqa: S608 - constant SQL
        return int(self.db.execute(sql, (words, up_to)).fetchone()[0])

    def _page_with(
        self,
        select: str,
        source: str,
        where: str,
        words_expr: str,
        words: str,
        limit: int,
        offset: int,
        window: int | None,
    ) -> list[Any]:
        """The page of matches, best first: ranked in a subquery, then ``select`` (with the
        snippet, which reads the whole text) made for the page's rows only. With ``window``,
        only that many of the most recently stored matches are ranked."""
        alias = source.split()[-1]
        bound: list[int] = []
        if window is not None:
            row = self.db.execute(
                f"SELECT {alias}.rowid FROM {source} WHERE {where} "  # noqa: S608 - constant SQL
                f"ORDER BY {alias}.rowid DESC LIMIT 1 OFFSET ?",
                (words, max(window, offset + limit) - 1),
            ).fetchone()
            if row is not None:
                where += f" AND {alias}.rowid >= ?"
                bound.append(int(row[0]))
        sql = (
            f"WITH page AS (SELECT {alias}.*, ts_rank({words_expr}, {_QUERY}) AS r "  # noqa: S608 - constant SQL
            f"FROM {source} WHERE {where} ORDER BY r DESC, {alias}.rowid DESC LIMIT ? OFFSET ?) "
            f"{select} FROM page {alias} ORDER BY {alias}.r DESC, {alias}.rowid DESC"
        )
        params = (words, words, *bound, limit, offset, words, MARK_START, MARK_END)
        return self.db.execute(sql, params).fetchall()

    def _search(
        self,
        kind: str,
        text: str,
        limit: int,
        offset: int,
        window: int | None,
        count_up_to: int | None,
    ) -> tuple[list[Any], int]:
        words = plain_words(text)
        if words is None:
            return [], 0
        source, words_expr, select = _PG[kind]
        where = f"{words_expr} @@ {_QUERY}"
        total = self._count_where(source, where, words, count_up_to)
        rows = self._page_with(select, source, where, words_expr, words, limit, offset, window)
        return rows, total


#: Per kind of hit: the searched table, its indexed words, and the select of a hit.
_PG = {
    "articles": (
        "articles a",
        _ARTICLE_WORDS,
        "SELECT a.id, a.title, a.published, a.site, ts_headline('simple', a.text, "
        f"{_QUERY}, 'MaxWords=16, MinWords=6, MaxFragments=2, FragmentDelimiter=…, "
        "StartSel=' || ? || ', StopSel=' || ?)",
    ),
    "quotes": (
        "quotes_fts q",
        _QUOTE_WORDS,
        "SELECT q.article_id, q.idx, q.speaker, q.text, ts_headline('simple', q.text, "
        f"{_QUERY}, 'MaxWords=24, MinWords=8, StartSel=' || ? || ', StopSel=' || ?)",
    ),
}
