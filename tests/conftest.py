from __future__ import annotations

import contextlib
import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import pgcluster

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed"
SAMPLES = ROOT / "samples"

# Worker processes (forkserver) import task functions from this folder by module name.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def seed_path() -> Path:
    path = SEED / "north-korean-troops.txt"
    if not path.exists():
        pytest.skip("../shared/seed is not beside the checkout")
    return path


@pytest.fixture(scope="session")
def samples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the bundled samples ingested, read and connected, built once per run.

    Tests that write must copy it first (see :func:`copy_db`)."""
    from click.testing import CliRunner

    from crosswire.cli import main

    db = tmp_path_factory.mktemp("samples") / "samples.db"
    result = CliRunner().invoke(main, ["ingest", "-q", "--db", str(db), str(SAMPLES)])
    assert result.exit_code == 0, result.output
    return db


def copy_db(db: Path, to: Path) -> Path:
    """A private copy of ``db`` (its WAL checkpointed first, so the copy is complete)."""
    import shutil
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = to / db.name
    shutil.copyfile(db, target)
    return target


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.Cluster]:
    """A throwaway PostgreSQL cluster (tests/pgcluster.py) for the whole run, stopped and
    deleted at the end. Where none can be started the tests using it are skipped, or fail with
    CROSSWIRE_REQUIRE_POSTGRES=1 (as in CI, after tools/ensure_postgres.sh)."""
    try:
        cluster = pgcluster.start()
    except pgcluster.Unavailable as exc:
        if os.environ.get("CROSSWIRE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (CROSSWIRE_REQUIRE_POSTGRES=1): {exc}")
        pytest.skip(f"no PostgreSQL: {exc}")
    yield cluster
    cluster.stop()


_pg_databases = itertools.count(1)


@pytest.fixture
def pg_url(pg_cluster: pgcluster.Cluster) -> Iterator[str]:
    """The URL of a new, empty database (test_<n>) in the session's cluster, dropped after."""
    name = f"test_{next(_pg_databases)}"
    yield pg_cluster.new_database(name)
    with contextlib.suppress(Exception):
        pg_cluster.drop_database(name)  # best effort: only to save disk space
