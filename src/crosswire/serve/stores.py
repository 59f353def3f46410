"""One database connection per server thread, and one writer at a time.

A connection may not be used by two threads at once (sqlite3 refuses it; a psycopg connection
would serialise them), and FastAPI runs plain ``def`` endpoints in a thread pool; opening the
database per request would re-run the migration check each time. Reads go on in parallel (WAL
mode, or PostgreSQL's own); writes (ingest through the API) take :attr:`Stores.write`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from crosswire.store.store import Store


class Stores:
    def __init__(self, path: str | Path) -> None:
        self.path = path
        self._local = threading.local()
        self.write = threading.Lock()
        self._all: list[Store] = []
        self._guard = threading.Lock()

    def get(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path, create=False, any_thread=True)
            self._local.store = store
            with self._guard:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._guard:
            for store in self._all:
                # Each connection belongs to its thread; at shutdown none is in use.
                store.db.close()
            self._all.clear()
