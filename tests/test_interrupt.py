"""Ctrl-C during ingest keeps what was stored; running again finishes without duplicates."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

PAGE = (
    "<html><head><title>Report {i}</title></head><body><article><h1>Report number {i}</h1>"
    + "<p>Officials said on Monday that report {i} covered troop movements near the border.</p>" * 8
    + "</article></body></html>"
)


def _count(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        con.close()


def test_sigint_then_resume(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    n = 1500
    for i in range(n):
        (pages / f"{i:04d}.html").write_text(PAGE.format(i=i))
    db = tmp_path / "x.db"
    exe = str(Path(sys.executable).parent / "crosswire")
    cmd = [exe, "ingest", "-q", "--db", str(db), str(pages)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("ingest finished before the interrupt arrived")
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    stored = _count(db)
    assert stored < n

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{n - stored} new, {stored} already known" in rerun.stderr
    assert _count(db) == n
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
