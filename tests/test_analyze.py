"""`crosswire analyze`: extract fields plus entities and quotes, offsets that index `text`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from crosswire.cli import main

from _checks import assert_offsets_index_text
from conftest import SAMPLES

STORY = (
    "Finance minister Anna Berg said on Monday that taxes would rise next year.\r\n"
    '"We have no choice," she told reporters in Oslo.\r\n'
)


def _run(*args: str) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(main, ["analyze", *args])
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()]


def test_html_page_gets_entities_and_quotes() -> None:
    page = next(SAMPLES.glob("fundus/*.html.gz"))
    code, (record,) = _run(str(page))
    assert code == 0
    assert record["title"] and record["entities"]
    assert {"kind", "speaker", "speaker_name", "cue"} <= set(record["quotes"][0])
    assert_offsets_index_text(record)


def test_plain_offsets_index_the_input_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(STORY.encode())
    code, (record,) = _run("--plain", str(path))
    assert code == 0
    assert record["text"] == STORY and record["kind"] == "plain"
    assert_offsets_index_text(record)
    berg = next(e for e in record["entities"] if e["name"] == "Anna Berg")
    direct = next(q for q in record["quotes"] if q["kind"] == "direct")
    assert direct["text"] == '"We have no choice,"'
    assert (direct["speaker"], direct["speaker_name"]) == (berg["id"], "she")


def test_plain_json_lines_carry_their_ids(tmp_path: Path) -> None:
    path = tmp_path / "texts.jsonl"
    lines = [
        json.dumps({"id": "a-1", "text": STORY}),
        "not json",
        json.dumps({"id": 7, "text": "Police said two people were hurt."}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, records = _run("--plain", str(path))
    assert code == 1  # the bad line fails; the others are analysed
    assert [r["id"] for r in records] == ["a-1", None, "7"]
    assert records[1]["source"].endswith("texts.jsonl:2")
    assert records[2]["quotes"][0]["speaker_name"] == "Police"


def test_binary_input_is_a_clear_failure(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"\x00\x01\x02" * 1000)
    code, (record,) = _run("--plain", str(path))
    assert code == 1
    assert record["id"] is None and "not a text document" in record["errors"][0]


def test_a_huge_text_is_read_in_part_and_says_so() -> None:
    from crosswire.read import read_article
    from crosswire.records import Article, Paragraph

    line = "The minister said 40 schools would reopen on Monday.\n"
    text = line * 200
    article = Article(id="x", source="x", kind="plain", paragraphs=[Paragraph(text, "body")])
    reading = read_article(article, max_chars=len(line) * 3)
    assert len(reading.claims) == 3
    assert all(c.end <= len(line) * 3 for c in reading.claims)
    assert "only the first" in article.errors[0]
