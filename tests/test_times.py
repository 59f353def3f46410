"""Time expressions normalised against the publication date."""

from __future__ import annotations

import json

import pytest

from crosswire.read.nlp import parse
from crosswire.read.times import find_times

from conftest import SEED

ANCHOR = "2024-10-23"  # a Wednesday


def _times(text: str, published: str | None = ANCHOR) -> dict[str, tuple[str | None, str | None]]:
    return {t.text: (t.value, t.grain) for t in find_times(parse(text), published)}


@pytest.mark.parametrize(
    ("sentence", "expression", "value", "grain"),
    [
        ("The talks ended on Friday.", "on Friday", "2024-10-18", "day"),
        ("The ministers will meet on Friday.", "on Friday", "2024-10-25", "day"),
        ("He arrived yesterday.", "yesterday", "2024-10-22", "day"),
        ("Prices rose last month.", "last month", "2024-09", "month"),
        ("The plan starts next month.", "next month", "2024-11", "month"),
        ("Troops arrived in December.", "in December", "2023-12", "month"),
        ("Troops will be ready by December.", "by December", "2024-12", "month"),
        ("The deal was signed on 3 March 2021.", "on 3 March 2021", "2021-03-03", "day"),
        ("The law passed in March 2019.", "in March 2019", "2019-03", "month"),
        ("The war began in 2022.", "in 2022", "2022", "year"),
        ("It happened three days ago.", "three days ago", "2024-10-20", "day"),
        ("The siege lasted five months.", "five months", "P5M", "duration"),
    ],
)
def test_relative_and_absolute(sentence: str, expression: str, value: str, grain: str) -> None:
    assert _times(sentence).get(expression) == (value, grain)


def test_week_is_an_interval() -> None:
    (t,) = find_times(parse("The report came out last week."), ANCHOR)
    assert (t.value, t.interval) == ("2024-W42", ("2024-10-14", "2024-10-20"))


def test_without_a_date_only_absolute_values() -> None:
    found = _times("On Monday, the law of 3 March 2021 was cited.", None)
    assert found == {"3 March 2021": ("2021-03-03", "day")}


def test_offsets_index_the_text() -> None:
    text = "First line.\nOn Monday, Seoul summoned the ambassador."
    (t,) = find_times(parse(text), ANCHOR)
    assert text[t.start : t.end] == t.text == "On Monday"


def test_seed_times() -> None:
    gold_path = SEED / "north-korean-troops.gold.json"
    text_path = SEED / "north-korean-troops.txt"
    if not gold_path.exists():
        pytest.skip("../shared/seed is not beside the checkout")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    lines = text_path.read_text(encoding="utf-8").split("\n")[:58]
    text = "\n".join(lines)
    found = find_times(parse(text), gold["article"]["published"])
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for g in gold["times"]:
        at = starts[g["line"] - 1] + lines[g["line"] - 1].find(g["text"])
        match = [t for t in found if t.start <= at < t.end or at <= t.start < at + len(g["text"])]
        assert match, g
        assert match[0].value == g["value"], (g, match[0])
        if "range" in g:
            assert list(match[0].interval or ()) == g["range"]
