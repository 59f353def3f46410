"""Acceptance: `crosswire extract` on the seed matches the `article` part of its hand annotation.

Expectations are read from ../shared/seed/north-korean-troops.gold.json, not restated here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from crosswire.cli import main

from conftest import SEED


@pytest.fixture(scope="module")
def gold() -> dict[str, Any]:
    path = SEED / "north-korean-troops.gold.json"
    if not path.exists():
        pytest.skip("../shared/seed is not beside the checkout")
    article: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["article"]
    return article


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    path = SEED / "north-korean-troops.txt"
    if not path.exists():
        pytest.skip("../shared/seed is not beside the checkout")
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    out: dict[str, Any] = json.loads(line)
    return out


def _lines_with(record: dict[str, Any], role: str) -> list[int]:
    return [p["line"] for p in record["paragraphs"] if p["role"] == role]


def test_provenance(record: dict[str, Any], gold: dict[str, Any]) -> None:
    for key in ("title", "original_url", "original_site", "published", "language"):
        assert record[key] == gold[key], key
    assert record["errors"] == []


def test_roles(record: dict[str, Any], gold: dict[str, Any]) -> None:
    assert _lines_with(record, "title") == [1]
    (lead,) = [p for p in record["paragraphs"] if p["role"] == "lead"]
    assert lead["text"] == gold["lead_caption"]
    assert _lines_with(record, "summary") == gold["summary_lines"]
    assert _lines_with(record, "label") == gold["section_labels"]
    assert _lines_with(record, "heading") == gold["headings"]
    assert _lines_with(record, "caption") == gold["inline_captions"]
    first, last = gold["body_lines"]
    special = set(gold["headings"]) | set(gold["inline_captions"]) | set(gold["summary_lines"])
    body = [n for n in range(first, last + 1) if n not in special]
    assert _lines_with(record, "body") == body


def test_every_line_from_boilerplate_start_removed_with_reason(
    record: dict[str, Any], gold: dict[str, Any]
) -> None:
    source = (SEED / "north-korean-troops.txt").read_text(encoding="utf-8").splitlines()
    start = gold["boilerplate_lines"]["from"]
    expected = [n for n in range(start, len(source) + 1) if source[n - 1].strip()]
    removed = {r["line"]: r["reason"] for r in record["removed"]}
    assert sorted(removed) == expected
    assert all(reason.strip() for reason in removed.values())
    kept = {p["line"] for p in record["paragraphs"]}
    assert not kept & set(removed)


def test_repeat_linked_not_dropped(record: dict[str, Any], gold: dict[str, Any]) -> None:
    line_of = [p["line"] for p in record["paragraphs"]]
    pairs = {(line_of[d["paragraph"]], line_of[d["same_as"]]) for d in record["duplicates"]}
    for dup in gold["near_duplicates"]:
        assert (dup["line"], dup["same_as"]) in pairs or (dup["same_as"], dup["line"]) in pairs


def test_offsets_index_text(record: dict[str, Any]) -> None:
    for p in record["paragraphs"]:
        assert record["text"][p["start"] : p["end"]] == p["text"]
