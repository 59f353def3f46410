"""The command line end to end: extract prints the contract, ingest is idempotent, show finds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from crosswire.cli import main

from conftest import SAMPLES

CONTRACT = {
    "id", "source", "url", "original_url", "site", "original_site", "title", "byline",
    "published", "language", "text", "paragraphs", "removed", "duplicates", "errors",
}  # fmt: skip


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_extract_prints_one_json_object_per_document() -> None:
    result = CliRunner().invoke(main, ["extract", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    records = _lines(result.stdout)
    assert len(records) == 6
    for record in records:
        assert record.keys() >= CONTRACT
        assert record["errors"] == []
        assert record["title"]
        assert record["text"] == "\n\n".join(p["text"] for p in record["paragraphs"])  # type: ignore[union-attr,index]


def test_extract_reads_stdin() -> None:
    page = "<html><head><title>T</title></head><body><article><h1>Troops sent</h1>"
    page += "<p>" + "North Korea has sent thousands of troops to Russia, officials said. " * 5
    page += "</p></article></body></html>"
    result = CliRunner().invoke(main, ["extract", "-"], input=page.encode())
    assert result.exit_code == 0, result.output
    (record,) = _lines(result.stdout)
    assert record["source"] == "-"
    assert "thousands of troops" in str(record["text"])


def test_ingest_twice_changes_nothing_and_show_finds_by_path_and_id(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    runner = CliRunner()
    first = runner.invoke(main, ["ingest", "--db", db, "-q", str(SAMPLES)])
    assert first.exit_code == 0, first.output
    assert "6 new" in first.stderr
    second = runner.invoke(main, ["ingest", "--db", db, "-q", str(SAMPLES)])
    assert second.exit_code == 0
    assert "0 new, 6 already known" in second.stderr

    listed = _lines(runner.invoke(main, ["list", "--db", db, "--json"]).stdout)
    assert len(listed) == 6
    seed = next(r for r in listed if str(r["source"]).endswith("north-korean-troops.txt"))

    by_path = runner.invoke(main, ["show", "--db", db, "--json", seed["source"]])  # type: ignore[list-item]
    assert by_path.exit_code == 0, by_path.output
    shown = json.loads(by_path.stdout)
    assert shown["id"] == seed["id"]
    assert shown["original_site"] == "abc.net.au"

    by_prefix = runner.invoke(main, ["show", "--db", db, str(seed["id"])[:8]])
    assert by_prefix.exit_code == 0
    assert "North Korea" in by_prefix.stdout

    missing = runner.invoke(main, ["show", "--db", db, "ffffffffffff"])
    assert missing.exit_code == 1
    assert "no article" in missing.stderr


def test_db_from_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    seed = str(SAMPLES / "north-korean-troops.txt")
    result = CliRunner().invoke(main, ["ingest", "-q", seed], env={"CROSSWIRE_DB": str(db)})
    assert result.exit_code == 0, result.output
    assert db.exists()


def test_installed_entry_point_runs() -> None:
    exe = Path(sys.executable).parent / "crosswire"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    assert "extract" in out.stdout and "ingest" in out.stdout


def test_html_saved_as_txt_is_read_as_html(tmp_path: Path) -> None:
    page = tmp_path / "saved.txt"
    body = "<p>North Korea has sent thousands of troops to Russia, officials said.</p>" * 5
    page.write_text(f"<!DOCTYPE html><html><head><title>T</title></head><body>{body}</body></html>")
    result = CliRunner().invoke(main, ["extract", str(page)])
    (record,) = _lines(result.stdout)
    assert record["kind"] == "html"
    assert "<p>" not in str(record["text"])
