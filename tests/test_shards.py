"""Shards of a distributed ingest without Ray: planning, the exact JSON round trip of results,
result files and their markers, the one loader (see crosswire.distributed)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from _warcs import page, url, write_warcs
from crosswire import __version__
from crosswire.distributed.codec import Skipped, decode, encode
from crosswire.distributed.shards import (
    DONE,
    PART,
    RESULTS,
    ShardWriter,
    check,
    load_shard,
    load_shards,
    plan_shards,
)
from crosswire.distributed.worker import ShardWorker
from crosswire.ingest.filters import Filters
from crosswire.pipeline import Options, _extract_task
from crosswire.records import (
    Article,
    Claim,
    Document,
    Duplicate,
    Entity,
    Failure,
    Mention,
    Paragraph,
    Place,
    Quote,
    Reading,
    Removed,
    TimeExpression,
)
from crosswire.store.store import Store


def _count(store: Store, table: str) -> int:
    return int(store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


# -- the JSON round trip -------------------------------------------------------------------------


def test_a_read_article_survives_the_round_trip_exactly() -> None:
    doc = Document("crawl.warc.gz", page(3), url=url(3))
    article = _extract_task(doc, 10**7, read=True)
    assert article.reading is not None and article.reading.entities and article.reading.quotes
    back = decode(encode(article))
    assert back == article
    assert isinstance(back, Article) and back.reading is not None
    # Offsets and ids are the worker's, not recomputed.
    assert [(p.start, p.end) for p in back.paragraphs] == [
        (p.start, p.end) for p in article.paragraphs
    ]
    assert [e.id for e in back.reading.entities] == [e.id for e in article.reading.entities]
    for m in (m for e in back.reading.entities for m in e.mentions):
        assert back.text[m.start : m.end] == m.text


def test_every_field_kind_round_trips() -> None:
    mention = Mention(4, 9, "Seoul")
    article = Article(
        id="abc",
        source="x.jsonl:3",
        url=None,
        title="T\u2028itle \U0001f600",
        kind="plain",
        published="2024-10",
        paragraphs=[Paragraph("Hello", "title", 0, 5, 1), Paragraph("x", "body", 99, 7)],
        removed=[Removed("Share this", "share widget", None)],
        duplicates=[Duplicate(1, 0, 0.875)],
        errors=["read stage failed: X"],
        content_hash="f" * 64,
        reading=Reading(
            entities=[Entity("e1", "Seoul", "GPE", ["South Korea"], [], [mention])],
            quotes=[Quote("indirect", "that", 1, 5, None, "a spokesman", 6, 17, "said", 18, 22)],
            times=[
                TimeExpression("in June", 0, 7, "2024-06", "month", ("2024-06-01", "2024-06-30"))
            ],
            places=[Place("Seoul", 37.566, 126.9784, "KR", "city", "e1", (mention,))],
            claims=[
                Claim(
                    1.0,
                    None,
                    None,
                    None,
                    "about",
                    "~",
                    "%",
                    "turnout",
                    "turnout",
                    None,
                    None,
                    None,
                    None,
                    None,
                    "about 1%",
                    0,
                    8,
                    "s",
                    0,
                    1,
                )
            ],
        ),
    )
    back = decode(encode(article))
    assert back == article
    assert isinstance(back, Article) and back.reading is not None
    assert back.reading.places[0].mentions == (mention,)
    assert back.reading.times[0].interval == ("2024-06-01", "2024-06-30")
    assert isinstance(back.reading.claims[0].value, float)
    failure = Failure("a.html", "timed out", "0" * 64)
    assert decode(encode(failure)) == failure
    assert decode(encode(Skipped("b.html", "host not kept"))) == Skipped("b.html", "host not kept")


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        '{"type": "article"}',
        '{"type": "nothing", "data": {}}',
        '{"type": "failure", "data": {"source": "a", "error": "e"}}',  # missing content_hash
        '{"type": "failure", "data": {"source": "a", "error": 1, "content_hash": null}}',
        '{"type": "failure", "data": {"source": "a", "error": "e", "content_hash": null, "x": 1}}',
    ],
)
def test_a_damaged_line_is_refused(line: str) -> None:
    with pytest.raises(ValueError):
        decode(line)


# -- planning ------------------------------------------------------------------------------------


def test_plan_one_shard_per_warc_and_plain_files_grouped(tmp_path: Path) -> None:
    warcs = write_warcs(tmp_path / "crawl", 2, 1)
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(5):
        (pages / f"{i}.html").write_bytes(page(i))
    shards = plan_shards([str(tmp_path / "crawl"), str(pages), str(warcs[0])], files_per_shard=2)
    assert [s.kind for s in shards] == ["warc", "warc", "files", "files", "files"]
    assert [len(s.members) for s in shards] == [1, 1, 2, 2, 1]
    # Paths stay as given; the absolute path is beside it.
    assert shards[2].members[0].path == str(pages / "0.html")
    assert Path(shards[2].members[0].absolute).is_absolute()
    # Stable across runs, changed by a changed file or by options that change the results.
    again = plan_shards([str(tmp_path / "crawl"), str(pages)], files_per_shard=2)
    assert [s.name for s in again] == [s.name for s in shards]
    assert shards[0].name.startswith("crawl-00.warc.gz-")
    read = plan_shards([str(warcs[0])], Options(read=True))
    assert read[0].name != shards[0].name
    hosts = plan_shards([str(warcs[0])], Options(filters=Filters(hosts=frozenset({"bbc.co.uk"}))))
    assert hosts[0].name != shards[0].name
    os.utime(warcs[0], ns=(0, 0))
    assert plan_shards([str(warcs[0])])[0].name != shards[0].name


@pytest.mark.parametrize("item", ["-", "https://example.org/feed.xml"])
def test_stdin_and_urls_cannot_be_sharded(item: str) -> None:
    with pytest.raises(ValueError, match="files and folders"):
        plan_shards([item])


# -- result files and markers --------------------------------------------------------------------


def test_a_shard_is_finished_only_with_a_matching_marker(tmp_path: Path) -> None:
    (shard,) = plan_shards([str(write_warcs(tmp_path, 1, 1)[0])])
    out = tmp_path / "shards"
    assert check(out, shard.name)[0] == "missing"
    with ShardWriter(out, shard) as writer:
        writer.write(Failure("a", "e"))
    # Left without finish (a worker killed mid-shard): only the .part file.
    assert (out / (shard.name + PART)).exists()
    assert check(out, shard.name)[0] == "missing"
    with ShardWriter(out, shard) as writer:
        writer.write(Failure("a", "e"))
        writer.write(Skipped("b", "filtered"))
        marker = writer.finish()
    assert marker["count"] == 2 and marker["crosswire"] == __version__
    assert not (out / (shard.name + PART)).exists()
    assert check(out, shard.name)[0] == "finished"
    results = out / (shard.name + RESULTS)
    results.write_bytes(results.read_bytes().replace(b'"e"', b'"E"'))
    state, why, _ = check(out, shard.name)
    assert state == "corrupt" and "checksum" in why
    done = out / (shard.name + DONE)
    done.write_text(json.dumps({**marker, "crosswire": "0.0.1"}))
    assert check(out, shard.name)[:2] == (
        "corrupt",
        f"made by crosswire 0.0.1, this is {__version__}",
    )
    done.write_text("{")
    assert check(out, shard.name)[0] == "corrupt"


# -- worker and loader, no Ray -------------------------------------------------------------------


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Three WARC shards of three pages each, run by a ShardWorker in this process (no read
    stage: this is about files and loading), in a fresh copy per test."""
    root = tmp_path_factory.mktemp("worked")
    warcs = write_warcs(root / "in", 3, 3)
    worker = ShardWorker(Options())
    names = []
    try:
        for shard in plan_shards([str(p) for p in warcs]):
            marker = worker.run(shard, str(root / "shards"))
            assert marker["count"] == 3
            assert marker["memory"]["peak_mb"] > 0
            names.append(shard.name)
    finally:
        worker.close()
    return root / "shards", names


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


def test_loader_stores_each_article_once_and_never_loads_a_shard_twice(
    worked: tuple[Path, list[str]], tmp_path: Path
) -> None:
    shards = _copy(worked[0], tmp_path / "shards")
    with Store(tmp_path / "a.db") as store:
        summary, loads = load_shards(shards, store)
        assert summary.new == 9 and summary.failed == 0
        assert [x.outcome for x in loads] == ["loaded"] * 3
        assert _count(store, "articles") == 9 and _count(store, "sources") == 9
        again, loads = load_shards(shards, store)
        assert again.total == 0 and [x.outcome for x in loads] == ["already loaded"] * 3
        # Loading twice anyway (force) duplicates nothing: saves are keyed by content hash.
        forced = load_shard(shards, worked[1][0], store, force=True)
        assert forced.summary.known == 3 and forced.summary.new == 0
        assert _count(store, "articles") == 9 and _count(store, "sources") == 9
    # Another database gets everything; a database made anew at the same path too.
    with Store(tmp_path / "b.db") as other:
        assert load_shards(shards, other)[0].new == 9
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"a.db{suffix}").unlink(missing_ok=True)
    with Store(tmp_path / "a.db") as fresh:
        assert load_shards(shards, fresh)[0].new == 9


def test_a_corrupt_shard_is_reported_and_skipped(
    worked: tuple[Path, list[str]], tmp_path: Path
) -> None:
    shards = _copy(worked[0], tmp_path / "shards")
    bad, worse = worked[1][0], worked[1][2]
    results = shards / (bad + RESULTS)
    results.write_bytes(results.read_bytes()[:-40] + b"garbage\n")
    # A line that does not decode, under a marker forged to match: refused as a whole.
    lines = (shards / (worse + RESULTS)).read_bytes().splitlines(keepends=True)
    forged = lines[0] + b'{"type": "article", "data": {}}\n' + lines[2]
    (shards / (worse + RESULTS)).write_bytes(forged)
    marker = json.loads((shards / (worse + DONE)).read_text())
    marker["sha256"] = hashlib.sha256(forged).hexdigest()
    (shards / (worse + DONE)).write_text(json.dumps(marker))
    with Store(tmp_path / "a.db") as store:
        summary, loads = load_shards(shards, store)
        outcomes = {x.shard: x.outcome for x in loads}
        assert outcomes == {bad: "corrupt", worked[1][1]: "loaded", worse: "corrupt"}
        messages = {x.shard: x.message for x in loads}
        assert "checksum" in messages[bad] and "line 2" in messages[worse]
        assert summary.new == 3 and _count(store, "articles") == 3


def test_worker_names_sources_as_given_and_applies_filters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(3):
        (pages / f"{i}.html").write_bytes(page(i))
    monkeypatch.chdir(tmp_path)
    shards = plan_shards(["pages", "missing.html"], files_per_shard=10)
    assert len(shards) == 1
    since = Filters(since=date(2024, 10, 11))
    worker = ShardWorker(replace(Options(), filters=since))
    try:
        results = list(worker.results(shards[0]))
    finally:
        worker.close()
    by_source = {r.source: r for r in results}
    assert set(by_source) == {"pages/0.html", "pages/1.html", "pages/2.html", "missing.html"}
    assert isinstance(by_source["pages/0.html"], Skipped)  # published 2024-10-10
    assert isinstance(by_source["pages/1.html"], Article)
    assert isinstance(by_source["missing.html"], Failure)
