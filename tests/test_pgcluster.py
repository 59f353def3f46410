"""The PostgreSQL test fixtures (conftest pg_cluster / pg_url, tests/pgcluster.py) themselves."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from pgcluster import Cluster


def test_pg_url_is_a_working_empty_database(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE t (id integer PRIMARY KEY, name text NOT NULL)")
        conn.execute("INSERT INTO t VALUES (%s, %s), (%s, %s)", (1, "ein", 2, "zwei"))
        conn.commit()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT id, name FROM t ORDER BY id").fetchall() == [
            (1, "ein"),
            (2, "zwei"),
        ]


@pytest.fixture
def other_pg_url(pg_cluster: Cluster) -> Iterator[str]:
    yield pg_cluster.new_database("test_other")
    pg_cluster.drop_database("test_other")


def test_two_pg_urls_are_different_databases(pg_url: str, other_pg_url: str) -> None:
    assert pg_url != other_pg_url
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE only_here (x integer)")
        conn.commit()
        (name,) = conn.execute("SELECT current_database()").fetchone() or (None,)
    with psycopg.connect(other_pg_url) as conn:
        (other,) = conn.execute("SELECT current_database()").fetchone() or (None,)
        assert conn.execute("SELECT to_regclass('only_here')").fetchone() == (None,)
    assert name != other


def test_cluster_is_private_and_fast(pg_cluster: Cluster) -> None:
    with psycopg.connect(pg_cluster.url) as conn:
        settings = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN"
                " ('listen_addresses', 'fsync', 'synchronous_commit', 'full_page_writes')"
            ).fetchall()
        )
    assert settings == {
        "listen_addresses": "",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }
