"""`crosswire stories` and `crosswire story`: stories over the stored corpus, claims lined up."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crosswire.cli import main

from conftest import SAMPLES


def test_stories_and_the_seed_disagreement(samples_db: Path) -> None:
    db = str(samples_db)
    result = CliRunner().invoke(main, ["stories", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    stories = [json.loads(line) for line in result.stdout.splitlines()]
    # six unrelated pages: six stories, every article in exactly one
    assert len(stories) == 6
    ids = [a["id"] for s in stories for a in s["articles"]]
    assert len(ids) == len(set(ids)) == 6
    seed = next(s for s in stories if "North Korea" in s["title"])
    assert seed["articles"][0]["source"].endswith("north-korean-troops.txt")

    result = CliRunner().invoke(main, ["story", seed["id"], "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    detail = json.loads(result.stdout)
    (disagreement,) = detail["disagreements"]
    assert {side["value"] for side in disagreement["sides"]} == {11000, 1500}
    assert {side["claimant_name"] for side in disagreement["sides"]} == {"Ukraine", "South Korea"}
    speakers = [s["speaker"] for s in detail["who_said_what"]]
    assert "Jenny Mathers" in speakers


def test_unknown_story_is_a_clear_error(samples_db: Path) -> None:
    result = CliRunner().invoke(main, ["story", "s999", "--db", str(samples_db)])
    assert result.exit_code != 0
    assert "no story 's999'" in result.output


def test_a_copy_is_grouped_and_never_a_second_source(tmp_path: Path, seed_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    lines = seed_path.read_text(encoding="utf-8").split("\n")
    (pages / "a-original.txt").write_text("\n".join(lines), encoding="utf-8")
    # a scraper's copy: its own header, two body paragraphs dropped
    copy = ["Breaking world news, every hour", *lines[:30], *lines[32:]]
    (pages / "b-copy.txt").write_text("\n".join(copy), encoding="utf-8")
    db = str(tmp_path / "x.db")
    assert CliRunner().invoke(main, ["ingest", "-q", "--db", db, str(pages)]).exit_code == 0

    result = CliRunner().invoke(main, ["duplicates", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    (group,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(group["copies"]) == 1 and group["copies"][0]["reason"]

    stories = CliRunner().invoke(main, ["stories", "--db", db, "--json"]).stdout.splitlines()
    (story,) = [json.loads(line) for line in stories]
    detail = json.loads(
        CliRunner().invoke(main, ["story", story["id"], "--db", db, "--json"]).stdout
    )
    counted = {c["article"] for m in detail["measures"] for c in m["claims"]}
    assert counted == {group["original"]}
    assert len(detail["disagreements"]) == 1


def test_entities_and_one_entity_across_stories(samples_db: Path) -> None:
    db = str(samples_db)
    result = CliRunner().invoke(main, ["entities", "--db", db, "--json", "-n", "500"])
    assert result.exit_code == 0, result.output
    entities = [json.loads(line) for line in result.stdout.splitlines()]
    us = next(e for e in entities if e["name"] == "United States")
    assert us["articles"] >= 2 and "US" in us["aliases"]

    result = CliRunner().invoke(main, ["entity", "Zelensk", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    zelensky = json.loads(result.stdout)
    assert zelensky["name"] == "Volodymyr Zelenskyy"
    assert any("We know about 10,000" in q["text"] for q in zelensky["quotes"])
    assert any(c["value"] == 10000 for c in zelensky["claims"])

    result = CliRunner().invoke(main, ["entity", "Nobody Atall", "--db", db])
    assert result.exit_code != 0 and "no entity" in result.output


def test_story_history_and_ingest_summary(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    result = CliRunner().invoke(main, ["ingest", "-q", "--db", db, str(SAMPLES)])
    assert "6 stories (6 start)" in result.stderr
    stories = CliRunner().invoke(main, ["stories", "--db", db, "--json"]).stdout.splitlines()
    sid = json.loads(stories[0])["id"]
    detail = json.loads(CliRunner().invoke(main, ["story", sid, "--db", db, "--json"]).stdout)
    assert [e["kind"] for e in detail["history"]] == ["start"]
    # Ingesting again adds nothing and changes no story.
    again = CliRunner().invoke(main, ["ingest", "-q", "--db", db, str(SAMPLES)])
    assert "6 stories (no change)" in again.stderr
