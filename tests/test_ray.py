"""``crosswire ingest --engine ray`` on a local 2-CPU Ray instance: several WARC shards, one
worker killed mid-shard, every article stored exactly once; re-runs skip finished shards; a
corrupt shard is reported (see crosswire.distributed)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from _warcs import write_warcs
from crosswire.cli import main
from crosswire.distributed.ray_engine import ShardEvent, ingest_with_ray
from crosswire.distributed.shards import RESULTS
from crosswire.distributed.worker import TEST_KILL_ENV
from crosswire.pipeline import Options
from crosswire.store.store import Store

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'crosswire[ray]')")

SHARDS, PAGES = 4, 4


@pytest.fixture(scope="module")
def trigger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One local Ray instance (2 CPUs) for the module. Its workers inherit the test-only kill
    switch: creating the returned file arms it (see crosswire.distributed.worker)."""
    path = tmp_path_factory.mktemp("ray") / "kill-next-worker"
    old = os.environ.get(TEST_KILL_ENV)
    os.environ[TEST_KILL_ENV] = str(path)
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    try:
        yield path
    finally:
        ray.shutdown()
        if old is None:
            os.environ.pop(TEST_KILL_ENV, None)
        else:
            os.environ[TEST_KILL_ENV] = old


def _counts(db: Path) -> dict[str, int]:
    with Store(db) as store:
        q = store.db.execute
        return {
            "articles": q("SELECT count(*) FROM articles").fetchone()[0],
            "hashes": q("SELECT count(DISTINCT content_hash) FROM articles").fetchone()[0],
            "urls": q("SELECT count(DISTINCT url) FROM articles").fetchone()[0],
            "sources": q("SELECT count(*) FROM sources").fetchone()[0],
            "readings": q("SELECT count(*) FROM readings").fetchone()[0],
        }


def test_a_killed_worker_shard_is_retried_and_every_article_stored_once(
    trigger: Path, tmp_path: Path
) -> None:
    warcs = write_warcs(tmp_path / "crawl", SHARDS, PAGES)
    broken = tmp_path / "crawl" / "zz-broken.warc.gz"
    broken.write_bytes(b"\x1f\x8b\x08 this is no gzip, no WARC")
    shards_dir, db = tmp_path / "shards", tmp_path / "news.db"
    trigger.touch()
    events: list[ShardEvent] = []
    with Store(db) as store:
        summary = ingest_with_ray(
            [str(tmp_path / "crawl")],
            store,
            Options(read=True),
            workers=2,
            shards_dir=shards_dir,
            on_shard=events.append,
        )
    assert not trigger.exists(), "no worker was killed"
    kinds = [e.kind for e in events]
    assert kinds.count("retry") == 1 and "failed" not in kinds
    (retry,) = [e for e in events if e.kind == "retry"]
    assert "died" in retry.message
    assert kinds.count("done") == SHARDS + 1 and kinds.count("loaded") == SHARDS + 1
    # Every page stored once, with its reading; the broken input reported, the run went on.
    pages = SHARDS * PAGES
    assert summary.new == pages and summary.known == 0
    assert _counts(db) == dict.fromkeys(
        ("articles", "hashes", "urls", "sources", "readings"), pages
    )
    assert summary.failed == 1 and summary.failures[0].source == str(broken)
    assert "not a WARC file" in summary.failures[0].error
    # Results and markers only: nothing half-written is left behind.
    assert not list(shards_dir.glob("*.part"))
    done = [e.marker for e in events if e.kind == "done" and e.marker is not None]
    assert all(m["memory"]["children_peak_mb"] > 0 for m in done)

    # Running again: every shard finished and loaded before, nothing runs, nothing is stored.
    again: list[ShardEvent] = []
    with Store(db) as store:
        summary = ingest_with_ray(
            [str(tmp_path / "crawl")], store, Options(read=True), shards_dir=shards_dir,
            on_shard=again.append,
        )  # fmt: skip
    assert {e.kind for e in again} == {"finished before", "loaded"}
    assert all(e.load and e.load.outcome == "already loaded" for e in again if e.kind == "loaded")
    assert summary.total == 0
    assert _counts(db)["articles"] == pages

    # A result file damaged on disk: reported, run again, and still no duplicate.
    victim = sorted(shards_dir.glob(f"crawl-01*{RESULTS}"))[0]
    victim.write_bytes(victim.read_bytes()[:-10])
    third: list[ShardEvent] = []
    with Store(db) as store:
        summary = ingest_with_ray(
            [str(p) for p in warcs], store, Options(read=True), shards_dir=shards_dir,
            workers=1, on_shard=third.append,
        )  # fmt: skip
    (corrupt,) = [e for e in third if e.kind == "corrupt"]
    assert corrupt.shard.members[0].path == str(warcs[1]) and "checksum" in corrupt.message
    assert [e.shard.name for e in third if e.kind == "done"] == [corrupt.shard.name]
    assert summary.new == 0 and summary.known == PAGES
    assert _counts(db)["articles"] == pages


def test_a_shard_out_of_attempts_is_reported_and_the_next_run_finishes_it(
    trigger: Path, tmp_path: Path
) -> None:
    warcs = [str(p) for p in write_warcs(tmp_path / "crawl", 2, 3)]
    shards_dir, db = tmp_path / "shards", tmp_path / "news.db"
    trigger.touch()
    events: list[ShardEvent] = []
    with Store(db) as store:
        summary = ingest_with_ray(
            warcs, store, Options(), workers=1, attempts=1, shards_dir=shards_dir,
            on_shard=events.append,
        )  # fmt: skip
    (failed,) = [e for e in events if e.kind == "failed"]
    assert "gave up after 1 attempt;" in failed.message
    assert summary.new == 3 and summary.failed == 1
    assert summary.failures[0].source == failed.shard.members[0].path
    with Store(db) as store:
        summary = ingest_with_ray(warcs, store, Options(), workers=1, shards_dir=shards_dir)
    assert summary.new == 3 and summary.failed == 0
    assert _counts(db)["articles"] == 6


def test_cli_engine_ray(trigger: Path, tmp_path: Path) -> None:
    write_warcs(tmp_path / "crawl", 2, 2)
    db, shards = tmp_path / "cli.db", tmp_path / "shards"
    args = ["ingest", str(tmp_path / "crawl"), "--db", str(db), "--engine", "ray"]
    args += ["--workers", "2", "--shards-dir", str(shards), "--no-connect", "--no-read", "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "4 new" in said and "2 run, 0 finished before" in said
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "0 new" in said and "0 run, 2 finished before" in said
    assert _counts(db)["articles"] == 4
    bad = CliRunner().invoke(main, ["ingest", "-", "--db", str(db), "--engine", "ray"])
    assert bad.exit_code == 2 and "files and folders" in bad.output
    local = CliRunner().invoke(main, ["ingest", "x", "--db", str(db), "--address", "auto"])
    assert local.exit_code == 2 and "--engine ray" in local.output
