from __future__ import annotations

import sys
from pathlib import Path

import pytest

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
