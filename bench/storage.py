"""Storage cost per article: the same pages ingested (extract, read, connect) into SQLite and into
PostgreSQL, in the same run: time, CPU and bytes on disk per article, and the biggest tables;
then how fast one process stores finished articles (what the loader of ``--engine ray`` does):
the articles and readings read back from the SQLite database, saved again into an empty one of
each kind, in batches of 200 per transaction as ``pipeline.store_results`` does.

    .venv/bin/python bench/storage.py                       # bench/results/throughput-80.warc.gz
    .venv/bin/python bench/storage.py --input pages.warc.gz --json bench/results/storage.json

PostgreSQL is a throwaway cluster started for the run (tests/pgcluster.py: Debian's server
binaries, see tools/ensure_postgres.sh), with fsync off: the byte counts are what matters here,
the times are the ingest's, not a tuned server's. Sizes: SQLite's file after a checkpoint and
VACUUM; PostgreSQL's ``pg_database_size`` after VACUUM, less that of an empty database with the
schema (the catalog's own pages).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import pgcluster  # noqa: E402
from crosswire.connect.update import connect  # noqa: E402
from crosswire.pipeline import Options, ingest, store_results  # noqa: E402
from crosswire.records import Article  # noqa: E402
from crosswire.store.store import Store  # noqa: E402

#: Copies of the pages saved when measuring the store's write rate.
REPEAT = 10


def run(target: str, source: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    with Store(target) as store:
        summary = ingest([source], store, Options(read=True))
        connect(store)
        articles = store.counts()["articles"]
    return {
        "articles": articles,
        "failed": summary.failed,
        "wall s": round(time.perf_counter() - t0, 1),
    }


def save_rate(articles: list[Article], target: str) -> float:
    """Articles stored per second into ``target``, batched as the pipeline does."""
    with Store(target) as store:
        t0 = time.perf_counter()
        store_results(articles, store, Options())
        return len(articles) / (time.perf_counter() - t0)


def sqlite_size(path: Path) -> tuple[int, list[tuple[str, int]]]:
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        tables = db.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8"
        ).fetchall()
    return path.stat().st_size, [(str(n), int(b)) for n, b in tables]


def pg_size(url: str) -> tuple[int, list[tuple[str, int]]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM")
        total = db.execute("SELECT pg_database_size(current_database())").fetchone()
        tables = db.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "ORDER BY 2 DESC LIMIT 8"
        ).fetchall()
    assert total is not None
    return int(total[0]), [(str(n), int(b)) for n, b in tables]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--input", default=str(ROOT / "bench/results/throughput-80.warc.gz"))
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    results: dict[str, Any] = {"input": args.input}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "storage.db"
        results["sqlite"] = run(str(db), args.input)
        size, tables = sqlite_size(db)
        results["sqlite"] |= {"bytes": size, "largest": tables}
        with Store(db) as store:
            stored = []
            for article in store.iter_in_arrival_order():
                article.reading = store.reading(article.id)
                stored.append(article)
        # Many copies with new hashes, so that the rate is not that of the first few saves.
        batch = [
            replace(a, id=f"{a.id[:8]}{i:08x}", content_hash=f"{a.content_hash}{i}")
            for i in range(REPEAT)
            for a in stored
        ]
        results["sqlite"]["save articles/s"] = round(save_rate(batch, str(Path(tmp) / "s.db")), 1)
        cluster = pgcluster.start()
        try:
            empty = cluster.new_database("empty")
            Store(empty).close()
            base, _ = pg_size(empty)
            url = cluster.new_database("storage")
            results["postgresql"] = run(url, args.input)
            size, tables = pg_size(url)
            results["postgresql"] |= {"bytes": size - base, "largest": tables}
            rate = save_rate(batch, cluster.new_database("save"))
            results["postgresql"]["save articles/s"] = round(rate, 1)
        finally:
            cluster.stop()
    print(
        "| backend | articles | ingest wall s | bytes/article | largest tables, "
        "bytes/article | saves/s (one process) |"
    )
    print("|---|---:|---:|---:|---|---:|")
    for name in ("sqlite", "postgresql"):
        r = results[name]
        n = max(1, r["articles"])
        r["bytes per article"] = round(r["bytes"] / n)
        largest = ", ".join(f"{t} {b / n:,.0f}" for t, b in r["largest"][:5])
        print(
            f"| {name} | {r['articles']} | {r['wall s']} | "
            f"{r['bytes per article']:,} | {largest} | {r['save articles/s']} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
