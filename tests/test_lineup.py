"""Claims lined up by measure; disagreements only between comparable claims of different
claimants that differ beyond their hedges."""

from __future__ import annotations

import json

import pytest

from crosswire.connect.lineup import SourcedClaim, line_up
from crosswire.read import read
from crosswire.records import Claim

from conftest import SEED


def _claim(text: str, value: float, who: str, status: str | None = "done", **kw: str) -> Claim:
    change = kw.get("change", "=")
    return Claim(
        value=value, low=value, high=value, vague=None, approx=kw.get("approx"), change=change,
        unit=kw.get("unit", "troops"), measure=kw.get("measure", "troops"),
        measure_key=kw.get("key", "troop"), aspect="were sent", status=status, claimant=who,
        claimant_name=who, time=None, text=text, start=0, end=len(text), sentence=text,
        sentence_start=0, sentence_end=len(text),
    )  # fmt: skip


def _flagged(*claims: Claim, linked: bool = True) -> list[tuple[str, str]]:
    # Each claim in its own article; ``linked``: its claimant is known across articles.
    measures = line_up(
        SourcedClaim(f"a{i}", c, claimant=c.claimant if linked else None)
        for i, c in enumerate(claims)
    )
    return [(d.a.claim.text, d.b.claim.text) for m in measures for d in m.disagreements]


def test_an_entity_id_names_a_claimant_only_inside_its_article() -> None:
    # "e1" in two articles is two entities unless corpus linking says they are one.
    a, b = _claim("11,000", 11000, "e1"), _claim("1,500", 1500, "e1")
    assert _flagged(a, b, linked=False) == [("11,000", "1,500")]
    assert _flagged(a, b) == []


def test_different_claimants_far_apart_disagree() -> None:
    assert _flagged(_claim("11,000", 11000, "Kyiv"), _claim("1,500", 1500, "Seoul")) == [
        ("11,000", "1,500")
    ]


def test_hedges_that_overlap_do_not_disagree() -> None:
    a = _claim("about 10,000", 10000, "Kyiv", approx="about", change="~")
    b = _claim("some 11,000", 11000, "Seoul", approx="some", change="~")
    assert _flagged(a, b) == []


def test_different_aspects_and_same_claimant_are_not_flagged() -> None:
    assert _flagged(_claim("1,500", 1500, "Seoul"), _claim("12,000", 12000, "Seoul")) == []
    done, expected = _claim("1,500", 1500, "Seoul"), _claim("12,000", 12000, "Kyiv", "expected")
    assert _flagged(done, expected) == []


def test_units_of_measure_keep_groups_apart() -> None:
    km = _claim("17 km", 17, "A", unit="km", measure="border", key="border")
    miles = _claim("40 km", 40, "B", unit="km", measure="border", key="border")
    troops = _claim("40", 40, "C", measure="border", key="border")
    measures = line_up(SourcedClaim(str(i), c) for i, c in enumerate([km, miles, troops]))
    assert [len(m.claims) for m in measures] == [2]


def test_seed_disagreement() -> None:
    gold_path = SEED / "north-korean-troops.gold.json"
    if not gold_path.exists():
        pytest.skip("../shared/seed is not beside the checkout")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["disagreement"]
    lines = (SEED / "north-korean-troops.txt").read_text(encoding="utf-8").split("\n")[:58]
    reading = read("\n".join(lines), published="2024-10-23")
    measures = line_up(SourcedClaim("seed", c) for c in reading.claims)
    values = {v["value"] for v in gold["values"]}
    (troops,) = [m for m in measures if values <= {c.claim.value for c in m.claims}]
    aspects = {c.claim.value: c.claim.status for c in troops.claims if c.claim.value in values}
    assert len(set(aspects.values())) >= 3  # already sent / planned / expected kept apart
    flagged = {frozenset((d.a.claim.value, d.b.claim.value)) for d in troops.disagreements}
    assert flagged == {frozenset((11000, 1500))}


def test_two_outlets_own_figures_can_disagree() -> None:
    a = _claim("12 people", 12, "")
    b = _claim("30 people", 30, "")
    for c in (a, b):
        c.claimant = c.claimant_name = None
    same = [SourcedClaim("a1", a, "x.com"), SourcedClaim("a2", b, "x.com")]
    assert [m.disagreements for m in line_up(same)] == [[]]
    apart = [SourcedClaim("a1", a, "x.com"), SourcedClaim("a2", b, "y.org")]
    (measure,) = line_up(apart)
    assert [d.why for d in measure.disagreements] == [
        "x.com: 12 people (were sent) vs y.org: 30 people (were sent)"
    ]
