"""One connection to the store's database: the embedded SQLite file or a PostgreSQL server.

The store's SQL is written once, in the dialect the two share, with ``?`` placeholders. The
SQLite connection runs it as written. The PostgreSQL connection rewrites each statement once
(cached) into PostgreSQL's spelling of the few things SQLite spells its own way:

* ``?`` placeholders become ``%s`` (and a literal ``%`` is doubled),
* ``INSERT OR IGNORE`` becomes ``INSERT ... ON CONFLICT DO NOTHING``,
* ``INDEXED BY`` (an index SQLite's planner is told to use) is dropped,
* ``json_each(column)`` becomes ``json_array_elements_text(column::json) AS json_each(value)``,
* ``BEGIN IMMEDIATE`` (take the write lock now) is a plain ``BEGIN`` (PostgreSQL locks rows),
  and ``BEGIN DEFERRED`` (a read snapshot) is a REPEATABLE READ transaction.

What cannot be rewritten this way (full-text search, schema DDL, PRAGMAs) is chosen by
:attr:`Database.dialect` where it is used. Rows from either look like :class:`sqlite3.Row`:
indexed by position or by column name. Values are only ever passed as parameters.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]

_URL = re.compile(r"^postgres(?:ql)?(?:\+\w+)?://", re.IGNORECASE)


def is_server_url(target: str | os.PathLike[str]) -> bool:
    """Whether ``target`` names a PostgreSQL server (``postgresql://...``) rather than a file."""
    return isinstance(target, str) and bool(_URL.match(target))


def redact(url: str) -> str:
    """``url`` without its password, for messages and pages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Database:
    """What the store needs of a connection; see the module docstring."""

    dialect: Dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """The rows of a query that may be too big to hold, a few hundred at a time."""
        raise NotImplementedError

    def script(self, sql: str) -> None:
        """Run schema statements (written for SQLite; see :func:`postgres_ddl`)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SqliteDatabase(Database):
    dialect: Dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        # A SQLite cursor already steps through the result row by row.
        return iter(self.conn.execute(sql, params))

    def script(self, sql: str) -> None:
        # Not executescript(): it COMMITs the open transaction first, so a failed migration
        # would leave half a schema behind. Statements are cut at the semicolon that completes
        # one (a trigger's body has its own).
        statement = ""
        for piece in sql.split(";"):
            statement += piece + ";"
            if sqlite3.complete_statement(statement):
                if statement.strip(" \n;"):
                    self.conn.execute(statement)
                statement = ""

    def close(self) -> None:
        self.conn.close()


def connect_sqlite(path: str | os.PathLike[str], *, any_thread: bool = False) -> SqliteDatabase:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=not any_thread)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return SqliteDatabase(conn)


# -- PostgreSQL ---------------------------------------------------------------------------------


class PgRow(tuple[Any, ...]):
    """A row read by position or by column name, like :class:`sqlite3.Row`."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    description = cursor.description or []
    index = {c.name: i for i, c in enumerate(description)}

    def make(values: Sequence[Any]) -> PgRow:
        row = PgRow(values)
        row._index = index
        return row

    return make


_PLACEHOLDER_SCAN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_JSON_EACH = re.compile(r"\bjson_each\(([\w.]+)\)")
_INDEXED_BY = re.compile(r"\s+INDEXED\s+BY\s+\w+", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def to_postgres(sql: str, escape: bool = True) -> str:
    """``sql`` (the store's shared dialect, ``?`` placeholders) in PostgreSQL's spelling;
    ``escape``: double each literal ``%`` (psycopg reads them only when there are parameters)."""
    head = sql.lstrip().upper()
    if head.startswith("BEGIN IMMEDIATE"):
        return "BEGIN"
    if head.startswith("BEGIN DEFERRED"):
        return "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"

    def placeholder(m: re.Match[str]) -> str:
        piece = m.group(0)
        if piece == "?":
            return "%s"
        if piece == "%":
            return "%%" if escape else "%"
        # A quoted literal or identifier, kept as written.
        return piece.replace("%", "%%") if escape else piece

    out = _PLACEHOLDER_SCAN.sub(placeholder, sql)
    if _INSERT_OR_IGNORE.match(out):
        out = _INSERT_OR_IGNORE.sub("INSERT INTO", out, count=1) + " ON CONFLICT DO NOTHING"
    # An index SQLite's planner is told to use: PostgreSQL's planner chooses for itself.
    out = _INDEXED_BY.sub("", out)
    return _JSON_EACH.sub(r"json_array_elements_text(\1::json) AS json_each(value)", out)


def postgres_ddl(sql: str) -> str:
    """Schema statements written for SQLite, in PostgreSQL's types: 64-bit integers (SQLite's
    INTEGER is 64-bit), double precision floats, identity columns, no WITHOUT ROWID."""
    sql = re.sub(r"\)\s*WITHOUT ROWID", ")", sql)
    sql = re.sub(
        r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        sql,
    )
    sql = re.sub(r"\bINTEGER\b", "BIGINT", sql)
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", sql)


class PostgresDatabase(Database):
    dialect: Dialect = "postgresql"

    def __init__(self, conn: Any) -> None:
        import psycopg

        self.conn = conn
        self._psycopg = psycopg

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        cur = self.conn.cursor()
        if params:
            cur.execute(to_postgres(sql), params)
        else:
            cur.execute(to_postgres(sql, escape=False))
        return cur  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            # A server-binding cursor: its executemany sends every row in one pipeline (a
            # client-binding one waits for each row's reply, five times slower to store an
            # article). INSERTs give each parameter a column, so its type is known.
            with self._psycopg.Cursor(self.conn) as cur:
                cur.executemany(to_postgres(sql), rows)

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        # A plain psycopg cursor fetches the whole result before the first row; a server-side
        # cursor sends it in batches. WITH HOLD lets it outlive the statement's transaction
        # (the connection is in autocommit mode outside the store's own transactions).
        cur = self.conn.cursor(name=f"crosswire_stream_{id(self)}_{next(_names)}", withhold=True)
        cur.itersize = 200
        try:
            cur.execute(to_postgres(sql, escape=bool(params)), params or None)
            yield from cur
        finally:
            cur.close()

    def script(self, sql: str) -> None:
        # No parameters: psycopg sends the whole script in one simple query.
        self.conn.cursor().execute(postgres_ddl(sql))

    def close(self) -> None:
        self.conn.close()


_names = iter(range(1 << 62))


def connect_postgres(url: str) -> PostgresDatabase:
    try:
        import psycopg
        from psycopg.adapt import Loader
    except ImportError as exc:  # the optional extra is not installed
        raise ImportError(
            "a postgresql:// database needs the postgres extra: pip install 'crosswire[postgres]'"
        ) from exc

    class NumberLoader(Loader):
        """``sum()`` of integers is NUMERIC in PostgreSQL: read it as SQLite would give it
        (an int when whole, else a float), never as a Decimal."""

        def load(self, data: Any) -> int | float:
            value = Decimal(bytes(data).decode())
            return int(value) if value == value.to_integral_value() else float(value)

    conn = psycopg.connect(
        url,
        autocommit=True,
        row_factory=_row_factory,
        # Client-side binding: parameters are quoted by psycopg, so an untyped ``? IS NULL``
        # works as in SQLite (server-side binding would need every parameter's type).
        cursor_factory=psycopg.ClientCursor,
        connect_timeout=30,
    )
    conn.adapters.register_loader("numeric", NumberLoader)
    return PostgresDatabase(conn)
