"""`crosswire export`: every format holds what the store holds, offsets index the article text,
Parquet keeps its declared schema, CSV round-trips, FtM entities validate and link up."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from followthemoney import model

from crosswire.cli import main
from crosswire.export import FTM_FILE, TABLES, Column, Table
from crosswire.export import writers as writers_module
from crosswire.export.writers import arrow_schema, write_csv

from conftest import SAMPLES

FORMATS = ("jsonl", "csv", "parquet")
SEED = "north-korean-troops.txt"

# What the store holds, counted straight from its tables (not through the export's own SQL).
STORE_COUNTS = {
    "articles": "SELECT count(*) FROM articles",
    "paragraphs": "SELECT count(*) FROM paragraphs",
    "entities": "SELECT count(*) FROM corpus_entities",
    "mentions": "SELECT count(*) FROM entity_spans",
    "quotes": "SELECT count(*) FROM quotes",
    "claims": "SELECT count(*) FROM claims",
    "stories": "SELECT count(*) FROM stories",
    "story_articles": "SELECT count(*) FROM story_articles",
}


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One ingest of the samples, exported in every format: {"db": …, format: folder}."""
    root = tmp_path_factory.mktemp("export")
    db = str(root / "x.db")
    _invoke("ingest", "-q", "--db", db, str(SAMPLES))
    out = {"db": Path(db)}
    for fmt in (*FORMATS, "ftm"):
        out[fmt] = root / fmt
        _invoke("export", "-q", "--db", db, "--format", fmt, "--out", str(out[fmt]))
    return out


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _store_count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(STORE_COUNTS[table]).fetchone()[0])


def test_every_format_holds_every_row_of_the_store(exported: dict[str, Path]) -> None:
    assert set(STORE_COUNTS) == set(TABLES)
    for name in TABLES:
        held = _store_count(exported["db"], name)
        counts = {
            "jsonl": len(_jsonl(exported["jsonl"] / f"{name}.jsonl")),
            "csv": len(_csv(exported["csv"] / f"{name}.csv")),
            "parquet": pq.read_metadata(exported["parquet"] / f"{name}.parquet").num_rows,
        }
        assert counts == dict.fromkeys(FORMATS, held), name
    # the samples hold something in every table, so equal counts mean something
    assert _store_count(exported["db"], "claims") > 10
    assert _store_count(exported["db"], "stories") == 6


def test_seed_claims_keep_article_ids_and_offsets_into_the_text(exported: dict[str, Path]) -> None:
    folder = exported["jsonl"]
    articles = {a["id"]: a for a in _jsonl(folder / "articles.jsonl")}
    (seed,) = [a for a in articles.values() if a["source"].endswith(SEED)]
    text = seed["text"]
    claims = [c for c in _jsonl(folder / "claims.jsonl") if c["article_id"] == seed["id"]]
    assert {11000, 1500} <= {c["value"] for c in claims}
    for c in claims:
        assert text[c["start"] : c["end"]] == c["text"]
        assert text[c["sentence_start"] : c["sentence_end"]] == c["sentence"]
    by_value = {c["value"]: c for c in claims}
    assert by_value[11000]["claimant_entity_name"] == "Ukraine"
    assert by_value[1500]["claimant_entity_name"] == "South Korea"
    assert by_value[11000]["claimant_corpus_id"].startswith("c")

    # every fact of every article indexes its own article's text
    for name in ("quotes", "mentions", "paragraphs", "claims"):
        for row in _jsonl(folder / f"{name}.jsonl"):
            body = articles[row["article_id"]]["text"]
            assert body[row["start"] : row["end"]] == row["text"], (name, row)
    quotes = [q for q in _jsonl(folder / "quotes.jsonl") if q["article_id"] == seed["id"]]
    mathers = [q for q in quotes if q["speaker_entity_name"] == "Jenny Mathers"]
    assert mathers
    assert all(q["speaker_corpus_id"] for q in mathers)
    for q in quotes:
        if q["cue"] is not None:
            assert text[q["cue_start"] : q["cue_end"]] == q["cue"]

    stories = _jsonl(folder / "stories.jsonl")
    (story,) = [s for s in stories if seed["id"] in s["article_ids"]]
    assert seed["story_id"] == story["id"]
    assert story["disagreements"] == 1


def test_parquet_has_the_declared_schema(exported: dict[str, Path]) -> None:
    for name, table in TABLES.items():
        read = pq.read_table(exported["parquet"] / f"{name}.parquet")
        assert read.schema.equals(arrow_schema(table), check_metadata=True), name
    claims = pq.read_table(exported["parquet"] / "claims.parquet").to_pylist()
    assert {11000.0, 1500.0} <= {c["value"] for c in claims}
    schema = pq.read_schema(exported["parquet"] / "claims.parquet")
    assert str(schema.field("value").type) == "double"
    assert str(schema.field("start").type) == "int64"
    assert not schema.field("start").nullable
    stories = pq.read_table(exported["parquet"] / "stories.parquet").to_pylist()
    assert all(isinstance(s["article_ids"], list) and s["article_ids"] for s in stories)


def _as_csv(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.type == "strings":
        return json.dumps(value, ensure_ascii=False)
    if column.type == "float":
        return repr(float(value))
    return str(value)


def test_csv_parses_and_equals_the_json_lines(exported: dict[str, Path]) -> None:
    tricky = 0
    for name, table in TABLES.items():
        rows = _csv(exported["csv"] / f"{name}.csv")
        records = _jsonl(exported["jsonl"] / f"{name}.jsonl")
        for row, record in zip(rows, records, strict=True):
            assert list(row) == table.names
            for column in table.columns:
                assert row[column.name] == _as_csv(column, record[column.name]), (name, column)
                value = row[column.name]
                if "," in value and "\n" in value and '"' in value:
                    tricky += 1
    # the seed's text holds commas, line breaks and straight quotation marks, and came through
    assert tricky >= 1
    (seed,) = [a for a in _csv(exported["csv"] / "articles.csv") if a["source"].endswith(SEED)]
    assert '"meat grinder" tactics, Russia' in seed["text"]
    assert "\n\n" in seed["text"]


def test_csv_quotes_commas_newlines_and_quotes(tmp_path: Path) -> None:
    table = Table(
        "t",
        "a test table",
        (Column("a", "string", ""), Column("b", "strings", ""), Column("n", "int", "")),
        "",
        lambda db: iter(()),
    )
    rows = [
        ('He said, "no"\r\nthen left\n', ["x, y", 'q"'], 3),
        (None, [], None),
        ("", ["\n"], 0),
    ]
    path = tmp_path / "t.csv"
    assert write_csv(table, rows, path) == 3
    with path.open(encoding="utf-8", newline="") as fh:
        read = list(csv.reader(fh))
    assert read[0] == ["a", "b", "n"]
    assert read[1] == ['He said, "no"\r\nthen left\n', '["x, y", "q\\""]', "3"]
    assert json.loads(read[1][1]) == ["x, y", 'q"']
    assert read[2] == ["", "[]", ""]
    assert json.loads(read[3][1]) == ["\n"]
    assert not list(tmp_path.glob("*.part"))


def test_parquet_is_written_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writers_module, "BATCH_ROWS", 2)
    table = TABLES["story_articles"]
    rows = [("s1", f"a{i}", i) for i in range(5)]
    path = tmp_path / "sa.parquet"
    ticks: list[int] = []
    assert writers_module.write_parquet(table, rows, path, ticks.append) == 5
    assert ticks == [2, 2, 1]
    meta = pq.read_metadata(path)
    assert (meta.num_rows, meta.num_row_groups) == (5, 3)
    assert pq.read_table(path).column("article_id").to_pylist() == [r[1] for r in rows]


def test_ftm_entities_validate_and_link_to_their_articles(exported: dict[str, Path]) -> None:
    lines = _jsonl(exported["ftm"] / FTM_FILE)
    proxies = {}
    for data in lines:
        assert set(data) == {"id", "schema", "properties"}
        assert data["id"].startswith("crosswire-")
        schema = model.get(data["schema"])
        assert schema is not None and not schema.abstract, data["schema"]
        proxy = model.get_proxy(data, cleaned=False)
        # cleaning through the model changes nothing: every value is valid for its property
        assert proxy.properties == data["properties"], data["id"]
        schema.validate(data)  # type: ignore[arg-type]  # the JSON is what it validates
        assert all(proxy.has(p) for p in schema.required), data["id"]
        assert data["id"] not in proxies
        proxies[data["id"]] = proxy
    # every reference points at an entity in the file
    for proxy in proxies.values():
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in proxies, (proxy.id, prop.name, value)

    schemata = Counter(p.schema.name for p in proxies.values())
    db = exported["db"]
    assert schemata["Article"] == _store_count(db, "articles")
    assert schemata["Event"] == _store_count(db, "stories")
    assert schemata["Note"] == _store_count(db, "quotes") + _store_count(db, "claims")
    parties = schemata["Person"] + schemata["Organization"] + schemata["LegalEntity"]
    assert parties + schemata["Address"] == _store_count(db, "entities")
    with sqlite3.connect(db) as conn:
        assert schemata["Mention"] == conn.execute("SELECT count(*) FROM entities").fetchone()[0]

    (seed,) = [
        p for p in proxies.values() if p.schema.name == "Article" and p.first("fileName") == SEED
    ]
    assert "11,000 North Korean troops" in (seed.first("bodyText") or "")
    (mathers,) = [
        p for p in proxies.values() if p.schema.name == "Person" and "Jenny Mathers" in p.names
    ]
    edges = [
        p
        for p in proxies.values()
        if p.schema.name == "Documentation"
        and p.first("entity") == mathers.id
        and p.first("document") == seed.id
    ]
    assert len(edges) == 1
    assert "Mathers" in (edges[0].first("description") or "")
    mentions = [
        p
        for p in proxies.values()
        if p.schema.name == "Mention" and p.first("resolved") == mathers.id
    ]
    assert mentions and all(m.first("document") == seed.id for m in mentions)
    said = [
        p
        for p in proxies.values()
        if p.schema.name == "Note" and mathers.id in p.get("entity") and seed.id in p.get("proof")
    ]
    assert said
    (ukraine,) = [
        p
        for p in proxies.values()
        if (p.id or "").startswith("crosswire-entity-") and (p.first("name") == "Ukraine")
    ]
    claims = [
        p
        for p in proxies.values()
        if (p.id or "").startswith("crosswire-claim-") and ukraine.id in p.get("entity")
    ]
    assert any("11,000" in (c.first("name") or "") for c in claims)
    events = [p for p in proxies.values() if p.schema.name == "Event"]
    (story,) = [p for p in events if seed.id in p.get("proof")]
    assert story.first("startDate") == "2024-10-23"


def test_export_connects_first_and_keeps_copies(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    lines = (SAMPLES / SEED).read_text(encoding="utf-8").split("\n")
    (pages / "a-original.txt").write_text("\n".join(lines), encoding="utf-8")
    # a scraper's copy: its own header, two body paragraphs dropped
    copy = ["Breaking world news, every hour", *lines[:30], *lines[32:]]
    (pages / "b-copy.txt").write_text("\n".join(copy), encoding="utf-8")
    db = str(tmp_path / "x.db")
    _invoke("ingest", "-q", "--no-connect", "--db", db, str(pages))
    assert _store_count(Path(db), "stories") == 0

    out = tmp_path / "out"
    _invoke("export", "-q", "--db", db, "--tables", "stories,articles", "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["articles.jsonl", "stories.jsonl"]
    (story,) = _jsonl(out / "stories.jsonl")
    articles = {a["source"].rsplit("/", 1)[-1]: a for a in _jsonl(out / "articles.jsonl")}
    original, copied = articles["a-original.txt"], articles["b-copy.txt"]
    assert sorted(story["article_ids"]) == sorted([original["id"], copied["id"]])
    assert original["story_id"] == copied["story_id"] == story["id"]
    assert (original["copy_of"], copied["copy_of"]) == (None, original["id"])

    _invoke("export", "-q", "--db", db, "--format", "ftm", "--out", str(out))
    proxies = {d["id"]: model.get_proxy(d) for d in _jsonl(out / FTM_FILE)}
    (link,) = [p for p in proxies.values() if p.schema.name == "UnknownLink"]
    assert link.get("subject") == [f"crosswire-article-{copied['id']}"]
    assert link.get("object") == [f"crosswire-article-{original['id']}"]
    assert link.get("role") == ["copy of"]


def test_clear_errors(exported: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no database at" in result.output
    assert not (tmp_path / "none.db").exists()

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    result = runner.invoke(main, ["export", "--db", str(exported["db"]), "--out", str(a_file)])
    assert result.exit_code == 1
    assert "is a file, not a folder" in result.output

    result = runner.invoke(main, ["export", "--db", str(exported["db"]), "--tables", "claimz"])
    assert result.exit_code == 2
    assert "unknown table 'claimz'" in result.output

    db = str(exported["db"])
    result = runner.invoke(main, ["export", "--db", db, "-f", "ftm", "-t", "story_articles"])
    assert result.exit_code == 2
    assert "no FollowTheMoney form" in result.output


def test_summary_and_help(exported: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = CliRunner().invoke(
        main, ["export", "--db", str(exported["db"]), "-t", "claims", "-f", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    claims = _store_count(exported["db"], "claims")
    assert "claims.csv" in result.stderr and str(claims) in result.stderr
    help_text = CliRunner().invoke(main, ["export", "--help"]).output
    for needle in ("read_parquet", "duckdb", "alephclient write-entities", "ftm validate"):
        assert needle in help_text
