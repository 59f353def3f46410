"""Acceptance: `crosswire analyze` on the seed finds every quote and reported-speech item of its
hand annotation, with the right speaker.

Expectations come from ../shared/seed/north-korean-troops.gold.json. A gold item gives its line
and the start of its words; a predicted quote matches when it lies on that line and covers most
of those words. A speaker matches when the predicted entity (or, for speakers that are no named
entity, the words naming the speaker) is the gold one under any of its gold aliases.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner

from crosswire.cli import main

from _checks import assert_offsets_index_text
from conftest import SEED

_WORD = re.compile(r"\w+")
_STOP = frozenset("a an the of in on at to and 's".split())


@pytest.fixture(scope="module")
def gold() -> dict[str, Any]:
    path = SEED / "north-korean-troops.gold.json"
    if not path.exists():
        pytest.skip("../shared/seed is not beside the checkout")
    out: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return out


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    path = SEED / "north-korean-troops.txt"
    if not path.exists():
        pytest.skip("../shared/seed is not beside the checkout")
    result = CliRunner().invoke(main, ["analyze", str(path)])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    out: dict[str, Any] = json.loads(line)
    return out


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w not in _STOP]


def _names(gold: dict[str, Any], name: str) -> set[str]:
    for e in gold["entities"]:
        if e["name"] == name:
            return {name.casefold(), *(a.casefold() for a in e.get("aliases", []))}
    return {name.casefold()}


def _is_entity(gold: dict[str, Any], name: str) -> bool:
    return any(e["name"] == name for e in gold["entities"])


def _speaker_ok(
    gold: dict[str, Any], record: dict[str, Any], quote: dict[str, Any], name: str
) -> bool:
    entities = {e["id"]: e for e in record["entities"]}
    wanted = _names(gold, name)
    if quote["speaker"] in entities:
        e = entities[quote["speaker"]]
        if {e["name"].casefold(), *(a.casefold() for a in e["aliases"])} & wanted:
            return True
    said = quote["speaker_name"] or ""
    if said.casefold() in wanted:
        return True
    if _is_entity(gold, name) or not said:
        return False
    # A speaker that is no named entity ("observers", "a spokesperson"): the words naming it
    # must be the gold description's words, or a shorter form of it.
    predicted, expected = set(_words(said)), set(_words(name))
    return bool(predicted) and (
        predicted <= expected or len(predicted & expected) * 2 >= len(expected)
    )


def _on_line(record: dict[str, Any], line: int, words: str) -> list[dict[str, Any]]:
    paragraphs = [p for p in record["paragraphs"] if p["line"] == line]
    assert paragraphs, f"line {line} is not a paragraph"
    p = paragraphs[0]
    at = p["text"].find(words)
    assert at >= 0, f"{words!r} not on line {line}"
    start = p["start"] + at
    gold_words = _words(words)
    found = []
    for q in record["quotes"]:
        if not (q["start"] < start + len(words) and start < q["end"]):
            continue
        covered = _words(record["text"][max(q["start"], start) : min(q["end"], start + len(words))])
        if len(covered) * 10 >= len(gold_words) * 6:
            found.append(q)
    return found


def _items(kind: str) -> list[tuple[int, str]]:
    path = SEED / "north-korean-troops.gold.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(item["line"], item["text"]) for item in data[kind]]


@pytest.mark.parametrize(("line", "words"), _items("quotes"))
def test_quote_found_with_speaker(
    gold: dict[str, Any], record: dict[str, Any], line: int, words: str
) -> None:
    (item,) = [q for q in gold["quotes"] if q["line"] == line and q["text"] == words]
    found = _on_line(record, line, words)
    assert found, f"no quote found for line {line}: {words!r}"
    assert any(_speaker_ok(gold, record, q, item["speaker"]) for q in found), (
        f"line {line}: speaker {item['speaker']!r} not among "
        f"{[(q['speaker'], q['speaker_name']) for q in found]}"
    )
    if item["cue"]:
        assert any(q["cue"] and item["cue"] in q["cue"] for q in found), [q["cue"] for q in found]
    if item["kind"] == "direct":
        assert any(q["kind"] == "direct" for q in found), [q["kind"] for q in found]


@pytest.mark.parametrize(("line", "words"), _items("reported_speech"))
def test_reported_speech_found_with_speaker(
    gold: dict[str, Any], record: dict[str, Any], line: int, words: str
) -> None:
    (item,) = [q for q in gold["reported_speech"] if q["line"] == line and q["text"] == words]
    found = _on_line(record, line, words)
    assert found, f"no attribution found for line {line}: {words!r}"
    assert any(_speaker_ok(gold, record, q, name) for q in found for name in item["speakers"]), (
        f"line {line}: speakers {item['speakers']} not among "
        f"{[(q['speaker'], q['speaker_name']) for q in found]}"
    )


def test_offsets_index_text(record: dict[str, Any]) -> None:
    assert_offsets_index_text(record)


def test_repeated_summary_counts_once(record: dict[str, Any]) -> None:
    """Line 7 repeats line 21: a quote or claim in it must not be reported twice."""
    repeated = {d["paragraph"] for d in record["duplicates"]}
    spans = [(p["start"], p["end"]) for i, p in enumerate(record["paragraphs"]) if i in repeated]
    assert spans
    for q in record["quotes"]:
        assert not any(s <= q["start"] < e for s, e in spans)


def _line_of(record: dict[str, Any], offset: int) -> int | None:
    for p in record["paragraphs"]:
        if p["start"] <= offset < p["end"] + 1:
            return int(p["line"]) if p["line"] is not None else None
    return None


def _claim_items() -> list[tuple[int, str]]:
    path = SEED / "north-korean-troops.gold.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(c["line"], str(c["value"] or c.get("vague"))) for c in data["claims"]]


def _lemmas(text: str) -> set[str]:
    from crosswire.read.nlp import load

    return {t.lemma_.lower() for t in load()(text) if t.is_alpha and not t.is_stop}


@pytest.mark.parametrize(("line", "amount"), _claim_items())
def test_claim_found(gold: dict[str, Any], record: dict[str, Any], line: int, amount: str) -> None:
    from crosswire.read.units import unit_after

    (item,) = [
        c
        for c in gold["claims"]
        if c["line"] == line and str(c["value"] or c.get("vague")) == amount
    ]
    on_line = [c for c in record["claims"] if _line_of(record, c["start"]) == line]
    if item["value"] is not None:
        found = [c for c in on_line if c["value"] == item["value"]]
    else:
        found = [c for c in on_line if c["vague"] == item["vague"]]
    assert found, (item, on_line)
    (claim,) = found
    assert claim["approx"] == item.get("approx"), claim
    unit = unit_after(f"2 {item['unit']}", 1)
    if unit is not None:  # a unit of measure ("kilometres"): compared normalised
        assert claim["unit"] == unit[0]
    else:  # a count: the counted noun, with or without its modifiers
        assert set(item["unit"].split()) & set((claim["unit"] or "").split()), claim
    wanted = item["claimant"]
    names = wanted if isinstance(wanted, list) else [wanted]
    if wanted is None:
        assert claim["claimant"] is None and claim["claimant_name"] is None, claim
    else:
        as_quote = {"speaker": claim["claimant"], "speaker_name": claim["claimant_name"]}
        assert any(_speaker_ok(gold, record, as_quote, n) for n in names), claim
    if "aspect" in item:
        expected = _lemmas(item["aspect"].split(";")[0])
        got = _lemmas(" ".join(filter(None, [claim["aspect"], claim["status"], claim["approx"]])))
        assert len(expected & got) * 2 >= len(expected), (item["aspect"], claim)


def test_times(gold: dict[str, Any], record: dict[str, Any]) -> None:
    for item in gold["times"]:
        found = [
            t
            for t in record["times"]
            if _line_of(record, t["start"]) == item["line"] and item["text"] in t["text"]
        ]
        assert found, item
        assert found[0]["value"] == item["value"], (item, found[0])
        if "range" in item:
            assert found[0]["interval"] == item["range"]


def test_places(gold: dict[str, Any], record: dict[str, Any]) -> None:
    for item in (e for e in gold["entities"] if "geo" in e):
        geo = item["geo"]
        found = [p for p in record["places"] if p["name"] == item["name"]]
        assert found, (item["name"], [p["name"] for p in record["places"]])
        place = found[0]
        assert place["country"] == geo["country"]
        assert abs(place["lat"] - geo["lat"]) <= geo["tolerance_deg"], place
        assert abs(place["lon"] - geo["lon"]) <= geo["tolerance_deg"], place
