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
    """Searches of one SQLite database."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def articles(self, text: str, limit: int = 20, offset: int = 0) -> tuple[list[ArticleHit], int]:
        """Articles matching every word of ``text``, best first, and how many match in all."""
        query = fts_query(text)
        if query is None:
            return [], 0
        total = self.db.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (query,)
        ).fetchone()[0]
        rows = self.db.execute(
            "SELECT a.id, a.title, a.published, a.site, "
            "snippet(articles_fts, 1, ?, ?, '…', 16) AS snippet "
            "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
            "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?",
            (MARK_START, MARK_END, query, limit, offset),
        ).fetchall()
        hits = [ArticleHit(r[0], r[1], r[2], r[3], r[4]) for r in rows]
        return hits, int(total)

    def quotes(self, text: str, limit: int = 20, offset: int = 0) -> tuple[list[QuoteHit], int]:
        """Quotes whose words or speaker match every word of ``text``, best first."""
        query = fts_query(text)
        if query is None:
            return [], 0
        total = self.db.execute(
            "SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?", (query,)
        ).fetchone()[0]
        rows = self.db.execute(
            "SELECT article_id, idx, speaker, text, snippet(quotes_fts, 1, ?, ?, '…', 24) "
            "FROM quotes_fts WHERE quotes_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?",
            (MARK_START, MARK_END, query, limit, offset),
        ).fetchall()
        return [QuoteHit(r[0], int(r[1]), r[2], r[3], r[4]) for r in rows], int(total)
