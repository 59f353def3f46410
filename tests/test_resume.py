"""Killing an ingest at any moment (``kill -9``) and running it again stores every page exactly
once, and the database passes its integrity check."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

PAGES = 240


def _pages(folder: Path) -> None:
    lines = [
        ln for ln in (ROOT / "samples" / "north-korean-troops.txt").read_text().split("\n") if ln
    ]
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    folder.mkdir()
    for i in range(PAGES):
        body = rng.sample(lines[2:], 12)
        text = "\n\n".join([f"Report {i}: {lines[0]}", *body, f"Filed as report number {i}."])
        (folder / f"page-{i:04d}.txt").write_text(text, encoding="utf-8")


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _ingest(folder: Path, db: Path) -> subprocess.Popen[bytes]:
    exe = str(Path(sys.executable).parent / "crosswire")
    cmd = [exe, "ingest", "-q", "--no-read", "--db", str(db)]
    return subprocess.Popen(
        [*cmd, str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # the kill reaches the worker processes too
    )


def test_kill_9_mid_ingest_then_resume(tmp_path: Path) -> None:
    folder, db = tmp_path / "pages", tmp_path / "x.db"
    _pages(folder)
    run = _ingest(folder, db)
    # Kill once some articles are stored and many are not: mid-batch, mid-transaction.
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline and run.poll() is None:
        if db.exists():
            try:
                stored = _count(db, "SELECT count(*) FROM articles")
            except sqlite3.OperationalError:
                stored = 0  # schema not created yet
        if stored >= 20:
            break
        time.sleep(0.05)
    assert run.poll() is None, "the ingest finished before it could be killed"
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert _count(db, "SELECT count(*) FROM articles") < PAGES

    again = _ingest(folder, db)
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err.decode()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        hashes = conn.execute("SELECT count(DISTINCT content_hash) FROM articles").fetchone()[0]
        sources = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
        grouped = conn.execute("SELECT count(*) FROM story_articles").fetchone()[0]
        orphans = conn.execute(
            "SELECT count(*) FROM paragraphs WHERE article_id NOT IN (SELECT id FROM articles)"
        ).fetchone()[0]
    assert articles == hashes == sources == grouped == PAGES
    assert orphans == 0
