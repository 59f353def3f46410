"""Feeds and sitemaps that ``crosswire watch`` polls: their HTTP validators and last outcome."""

from __future__ import annotations

from dataclasses import dataclass

from crosswire.store.db import Database
from crosswire.store.migrations import now


@dataclass(frozen=True, slots=True)
class Watched:
    url: str
    etag: str | None
    last_modified: str | None
    checked_at: str
    changed_at: str | None
    status: str
    """``new`` (pages listed and fetched), ``unchanged`` (304), or the error."""


class WatchTable:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, url: str) -> Watched | None:
        row = self.db.execute("SELECT * FROM watched WHERE url = ?", (url,)).fetchone()
        return None if row is None else Watched(*row)

    def record(
        self,
        url: str,
        status: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        changed: bool = False,
    ) -> None:
        """Note one poll of ``url``; validators are kept from before unless new ones came."""
        stamp = now()
        self.db.execute(
            "INSERT INTO watched (url, etag, last_modified, checked_at, changed_at, status) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "etag = coalesce(excluded.etag, watched.etag), "
            "last_modified = coalesce(excluded.last_modified, watched.last_modified), "
            "checked_at = excluded.checked_at, "
            "changed_at = coalesce(excluded.changed_at, watched.changed_at), "
            "status = excluded.status",
            (url, etag, last_modified, stamp, stamp if changed else None, status),
        )

    def all(self) -> list[Watched]:
        return [Watched(*r) for r in self.db.execute("SELECT * FROM watched ORDER BY url")]
