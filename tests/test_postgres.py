"""The PostgreSQL backend gives what the SQLite default gives: the same articles, readings,
stories, copies, entities, search hits, exports and API answers for the same inputs, with
ingest idempotent, migrations safe to race, and reading while another process writes.

Each check runs the same code against both backends (a throwaway cluster from
tests/pgcluster.py; skipped where PostgreSQL is missing, required in CI).
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import pgcluster
from crosswire.cli import main
from crosswire.export.run import export
from crosswire.export.tables import TABLES
from crosswire.pipeline import Options, store_results
from crosswire.records import StorySummary
from crosswire.serve.app import create_app
from crosswire.serve.settings import Settings
from crosswire.store.db import is_server_url, redact, to_postgres
from crosswire.store.store import Store
from test_window import RUNS, partition, write_pages

from conftest import SAMPLES

TOKEN = "t0ken-for-tests"  # noqa: S105 - a test token


def _ingest(db: str, *paths: str) -> str:
    result = CliRunner().invoke(main, ["ingest", "-q", "--db", db, *paths])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def pg_samples(pg_cluster: pgcluster.Cluster) -> str:
    """The bundled samples ingested, read and connected into a PostgreSQL database."""
    url = pg_cluster.new_database("samples_pg")
    _ingest(url, str(SAMPLES))
    return url


@pytest.fixture(scope="module")
def both(samples_db: Path, pg_samples: str) -> dict[str, str]:
    return {"sqlite": str(samples_db), "postgresql": pg_samples}


# -- the SQL rewriting ------------------------------------------------------------------------


def test_statements_are_rewritten_for_postgres() -> None:
    assert to_postgres("SELECT * FROM a WHERE x = ? AND y LIKE '%?%'") == (
        "SELECT * FROM a WHERE x = %s AND y LIKE '%%?%%'"
    )
    assert to_postgres("INSERT OR IGNORE INTO t (a) VALUES (?)") == (
        "INSERT INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING"
    )
    assert to_postgres("BEGIN IMMEDIATE") == "BEGIN"
    assert "json_array_elements_text(s.sources::json) AS json_each(value)" in to_postgres(
        "SELECT 1 FROM json_each(s.sources) WHERE value = ?"
    )
    # A quoted identifier or literal is never touched, whatever it holds.
    assert to_postgres("SELECT \"end\" FROM t WHERE a = 'its ?'", escape=False) == (
        "SELECT \"end\" FROM t WHERE a = 'its ?'"
    )


def test_server_urls_are_told_from_files_and_passwords_hidden() -> None:
    assert is_server_url("postgresql://u@h/db") and is_server_url("postgres://u@h/db")
    assert not is_server_url("crosswire.db") and not is_server_url("./postgresql.db")
    assert redact("postgresql://me:s3cret@host:5432/db") == "postgresql://me:***@host:5432/db"
    assert "s3cret" not in redact("postgresql://me:s3cret@/db?host=/tmp")


# -- the same store in both --------------------------------------------------------------------


def test_both_backends_store_the_same_articles_and_readings(both: dict[str, str]) -> None:
    with Store(both["sqlite"]) as lite, Store(both["postgresql"]) as pg:
        assert pg.version == lite.version
        assert pg.counts() == lite.counts()
        ids = [a.id for a in lite.iter_articles()]
        assert ids and [a.id for a in pg.iter_articles()] == ids
        for aid in ids:
            assert pg.get(aid) == lite.get(aid)
            assert pg.reading(aid) == lite.reading(aid)
            assert pg.sources_of(aid) != []
        assert [a.id for a in pg.iter_in_arrival_order()] == [
            a.id for a in lite.iter_in_arrival_order()
        ]
        assert pg.integrity_check() == "ok"


def _timeless(stories: list[StorySummary]) -> list[StorySummary]:
    return [replace(s, updated_at="") for s in stories]


def test_both_backends_connect_the_same_stories_copies_and_entities(both: dict[str, str]) -> None:
    with Store(both["sqlite"]) as lite, Store(both["postgresql"]) as pg:
        assert _timeless(pg.connections.stories()) == _timeless(lite.connections.stories())
        assert pg.connections.assignments() == lite.connections.assignments()
        assert pg.connections.copy_groups() == lite.connections.copy_groups()
        top = lite.connections.entities(limit=20)
        assert pg.connections.entities(limit=20) == top
        name = top[0][0].name
        assert pg.connections.find_entities(name.lower()) == lite.connections.find_entities(
            name.lower()
        )
        story = lite.connections.stories()[0]
        source = story.sources[0]
        assert _timeless(pg.connections.stories(source=source)) == _timeless(
            lite.connections.stories(source=source)
        )


def test_search_finds_the_same_articles_and_quotes(both: dict[str, str]) -> None:
    with Store(both["sqlite"]) as lite, Store(both["postgresql"]) as pg:
        for words in ("troops", "North Korea", "Zelenskyy said", "Valencia fire"):
            pg_hits, pg_total = pg.search.articles(words, limit=50)
            lite_hits, lite_total = lite.search.articles(words, limit=50)
            assert pg_total == lite_total, words
            assert {h.id for h in pg_hits} == {h.id for h in lite_hits}, words
            pg_q, pg_qn = pg.search.quotes(words, limit=100)
            lite_q, lite_qn = lite.search.quotes(words, limit=100)
            assert pg_qn == lite_qn, words
            assert {(q.article_id, q.idx) for q in pg_q} == {
                (q.article_id, q.idx) for q in lite_q
            }, words
        hits, _ = pg.search.articles("troops")
        assert hits and all("\ue000" in h.snippet for h in hits)
        # Operators and quotes in the input are words to find, never syntax.
        assert pg.search.articles('troops" OR & | ! ( NEAR') == pg.search.articles("troops or near")
        assert pg.search.articles("!!! ???") == ([], 0)


def test_a_windowed_connect_gives_the_same_on_both(pg_url: str, tmp_path: Path) -> None:
    dbs = {"sqlite": str(tmp_path / "w.db"), "postgresql": pg_url}
    for i, run in enumerate(RUNS):
        paths = write_pages(tmp_path / f"run{i}", run)
        for db in dbs.values():
            assert "-day window" in _ingest(db, "--window", "14", *paths)
    got = []
    for db in dbs.values():
        with Store(db) as store:
            got.append(
                (
                    partition(store, "SELECT article_id, story_id FROM story_articles"),
                    partition(store, "SELECT article_id, original_id FROM copies"),
                    partition(store, "SELECT article_id, entity_id, corpus_id FROM entity_links"),
                    store.connections.count_stories(),
                    store.integrity_check(),
                )
            )
    assert got[0] == got[1]
    assert got[0][3] == 4


def test_ingest_into_postgres_is_idempotent(pg_url: str) -> None:
    _ingest(pg_url, str(SAMPLES))
    with Store(pg_url) as pg:
        before = pg.counts()
        stories = pg.connections.stories()
    out = _ingest(pg_url, str(SAMPLES))
    with Store(pg_url) as pg:
        assert pg.counts() == before
        assert _timeless(pg.connections.stories()) == _timeless(stories)
    assert "0 new" in out.replace("\n", " ") or out == ""


def test_exports_are_the_same_from_both(both: dict[str, str], tmp_path: Path) -> None:
    written = {}
    for name, db in both.items():
        with Store(db) as store:
            export(store, "jsonl", tmp_path / name, list(TABLES))
        written[name] = sorted(p.name for p in (tmp_path / name).iterdir())
    assert written["sqlite"] == written["postgresql"]
    stamps = {"extracted_at", "first_seen", "last_seen", "read_at", "updated_at"}
    for file in written["sqlite"]:
        rows = {}
        for name in both:
            lines = (tmp_path / name / file).read_text().splitlines()
            rows[name] = [
                {k: v for k, v in json.loads(line).items() if k not in stamps} for line in lines
            ]
        assert rows["postgresql"] == rows["sqlite"], file


# -- the API on both ---------------------------------------------------------------------------


def _json_pages(client: TestClient) -> dict[str, Any]:
    stories = client.get("/stories.json").json()
    story = next(s for s in stories["items"] if "North Korea" in s["title"])
    detail = client.get(f"/story/{story['id']}.json").json()
    article = detail["timeline"][0]["id"]
    entity = next(s["entity"] for s in detail["who_said_what"] if s["entity"])
    out = {"stories": stories, "story": detail}
    for path in (
        f"/article/{article}.json",
        f"/entity/{entity}.json",
        "/entities.json",
        "/search.json?q=troops",
        "/stories.json?since=2024-10-01",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        out[path] = page.json()
    # The two rank matches each its own way (bm25, ts_rank) and cut snippets differently:
    # the same hits must be found, in whatever order.
    search = out.pop("/search.json?q=troops")
    out["search"] = {
        key: sorted(json.dumps({k: v for k, v in hit.items() if k != "snippet"}) for hit in value)
        if isinstance(value, list)
        else value
        for key, value in search.items()
    }
    for path in ("/stories", f"/story/{story['id']}", f"/article/{article}", "/search?q=troops"):
        assert client.get(path).status_code == 200, path
    return out


def _without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_times(v)
            for k, v in value.items()
            if k not in {"extracted_at", "first_seen", "last_seen", "at", "updated_at"}
        }
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_the_api_answers_the_same_from_both(both: dict[str, str]) -> None:
    answers = {}
    for name, db in both.items():
        with TestClient(create_app(Settings(db))) as client:
            answers[name] = _without_times(_json_pages(client))
    assert answers["postgresql"] == answers["sqlite"]


def test_api_ingest_writes_to_postgres_with_the_token_only(pg_url: str) -> None:
    _ingest(pg_url, str(SAMPLES / "north-korean-troops.txt"))
    page = gzip.decompress((SAMPLES / "fundus" / "TheGuardian_2024_02_24.html.gz").read_bytes())
    settings = Settings(pg_url, token=TOKEN)
    with TestClient(create_app(settings)) as client:
        refused = client.post("/api/ingest", files={"file": ("v.html", page, "text/html")})
        assert refused.status_code == 401
        done = client.post(
            "/api/ingest",
            files={"file": ("v.html", page, "text/html")},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert done.status_code == 201, done.text
        assert done.json()["new"] is True
        again = client.post(
            "/api/ingest",
            files={"file": ("v.html", page, "text/html")},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert again.status_code in (200, 201), again.text
        assert again.json()["new"] is False
    with Store(pg_url) as pg:
        assert pg.counts()["articles"] == 2


# -- concurrency -------------------------------------------------------------------------------


def test_fresh_database_opened_by_two_processes_at_once(pg_url: str) -> None:
    errors: list[BaseException] = []
    versions: list[int] = []

    def open_it() -> None:
        try:
            with Store(pg_url) as store:
                versions.append(store.version)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(versions)) == 1


def test_two_writers_storing_the_same_pages_at_once_store_each_once(
    pg_url: str, samples_db: Path
) -> None:
    with Store(samples_db) as lite:
        articles = []
        for article in lite.iter_in_arrival_order():
            article.reading = lite.reading(article.id)
            articles.append(article)
        expected = lite.counts()
    errors: list[BaseException] = []
    outcomes: list[tuple[int, int]] = []

    def write() -> None:
        try:
            with Store(pg_url) as store:
                # One transaction per article, so that the two writers interleave.
                summary = store_results(articles, store, Options(batch=1))
                outcomes.append((summary.new, summary.known))
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=write) for _ in range(2)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    assert errors == []
    assert sum(new for new, _ in outcomes) == len(articles)
    with Store(pg_url) as pg:
        counts = pg.counts()
        assert counts["articles"] == expected["articles"]
        for a in articles:
            assert pg.reading(a.id) == a.reading


def test_pages_are_served_while_an_ingest_writes(pg_url: str, samples_db: Path) -> None:
    _ingest(pg_url, str(SAMPLES / "north-korean-troops.txt"))
    stop = threading.Event()
    statuses: list[int] = []

    def read() -> None:
        with TestClient(create_app(Settings(pg_url))) as client:
            while not stop.is_set():
                statuses.append(client.get("/stories.json").status_code)
                statuses.append(client.get("/search.json?q=the").status_code)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        _ingest(pg_url, str(SAMPLES))
    finally:
        stop.set()
        reader.join()
    assert statuses and set(statuses) == {200}
    with Store(pg_url) as pg, Store(samples_db) as lite:
        assert pg.counts() == lite.counts()
        assert len(pg.connections.assignments()) == lite.counts()["articles"]


def test_a_missing_server_is_a_clear_error(tmp_path: Path) -> None:
    url = f"postgresql://nobody@/nothing?host={tmp_path}&port=1"
    result = CliRunner().invoke(main, ["list", "--db", url])
    assert result.exit_code != 0
    assert "cannot connect" in result.output


def test_a_password_in_the_url_is_never_printed(pg_url: str) -> None:
    # The throwaway cluster trusts local connections, so any password is accepted.
    url = pg_url.replace("postgresql://postgres@", "postgresql://postgres:s3cret-pw@")
    out = _ingest(url, str(SAMPLES / "north-korean-troops.txt"))
    listed = CliRunner().invoke(main, ["list", "--db", url])
    assert listed.exit_code == 0, listed.output
    assert "s3cret-pw" not in out + listed.output
    assert "***" in listed.output.replace("\n", "")
