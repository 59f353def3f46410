"""Full-text search over stored articles and quotes (SQLite FTS5, kept up to date by triggers;
see migration 6).

User input never reaches FTS5's query syntax: each word becomes a quoted term, so a query such as
``"troops" OR`` or ``NEAR(`` is a search for those words, never a syntax error or an operator.
Snippets mark matches with private-use characters, which the caller turns into markup after
escaping the text.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

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
    """Searches of one SQLite database.

    Ranking (bm25) costs time in proportion to the matches: a common word matches most of a
    large archive (at 100,000 articles, "said" matches 43,000 of them and 27,000 quotes, and
    ranking them all took 0.1-2 s). ``window`` bounds that: only the ``window`` most recently
    stored matches are ranked (at least ``offset + limit`` of them, so every page has its
    results). ``count_up_to`` likewise stops counting there: the total is then a lower bound.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
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
    ) -> list[sqlite3.Row]:
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
        query = fts_query(text)
        if query is None:
            return [], 0
        total = self._count("articles_fts", query, count_up_to)
        select = (
            "SELECT a.id, a.title, a.published, a.site, "
            "snippet(articles_fts, 1, ?, ?, '…', 16) AS snippet "
            "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
            "WHERE articles_fts MATCH ?"
        )
        rows = self._page("articles_fts", select, query, limit, offset, window)
        hits = [ArticleHit(r[0], r[1], r[2], r[3], r[4]) for r in rows]
        return hits, total

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
        query = fts_query(text)
        if query is None:
            return [], 0
        total = self._count("quotes_fts", query, count_up_to)
        select = (
            "SELECT article_id, idx, speaker, text, snippet(quotes_fts, 1, ?, ?, '…', 24) "
            "FROM quotes_fts WHERE quotes_fts MATCH ?"
        )
        rows = self._page("quotes_fts", select, query, limit, offset, window)
        return [QuoteHit(r[0], int(r[1]), r[2], r[3], r[4]) for r in rows], int(total)
