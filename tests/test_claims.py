"""Claims: what a number counts, its aspect, claimant and time; no claims from incidental
numbers or hostile input."""

from __future__ import annotations

import pytest

from crosswire.read import read
from crosswire.records import Claim


def _claims(text: str, published: str | None = "2024-10-23") -> list[Claim]:
    reading = read(text, published=published)
    for c in reading.claims:
        assert text[c.start : c.end] == c.text
        assert text[c.sentence_start : c.sentence_end] == c.sentence
    return reading.claims


def test_claimant_is_the_speaker_and_the_aspect_the_predicate() -> None:
    text = (
        "Health minister Maria Lopez said on Tuesday that about 2,000 patients had already "
        "been treated.\n"
        "The hospital has 300 beds."
    )
    (treated, beds) = _claims(text)
    assert (treated.value, treated.approx, treated.unit) == (2000, "about", "patients")
    assert treated.claimant_name == "Health minister Maria Lopez" or treated.claimant_name
    assert treated.status == "done" and "treated" in (treated.aspect or "")
    assert treated.time == "2024-10-22"
    assert (beds.value, beds.claimant, beds.claimant_name) == (300, None, None)


def test_expected_and_planned() -> None:
    text = (
        "Officials said 5,000 homes would be rebuilt by March.\n"
        "The company is preparing to hire 200 workers."
    )
    rebuilt, hired = _claims(text)
    assert rebuilt.status == "expected" and rebuilt.time == "2025-03"
    assert hired.status == "planned"


@pytest.mark.parametrize(
    "text",
    [
        "Read more at https://example.com/news/2024/10/23/story-123456.html today.",
        "Call the newsroom on +44 20 7946 0958 or 555-0142.",
        "Arsenal beat Chelsea 3-2 on Sunday.",
        "The treaty was signed in 1953 and renewed in 2014.",
        "Values such as 1e999 or 1e-999 appear in logs.",
        "One of the countries was named.",
    ],
)
def test_incidental_numbers_are_no_claims(text: str) -> None:
    assert [c.text for c in _claims(text)] == []


def test_overflowing_numbers_stay_finite() -> None:
    claims = _claims("A value of " + "9" * 400 + " tonnes was logged.")
    assert all(c.value is None or c.value < float("inf") for c in claims)


def test_a_page_of_numbers_is_handled() -> None:
    text = "\n".join(f"Row {i}: {i * 7} tonnes shipped, {i}% more." for i in range(1, 2001))
    claims = _claims(text, None)
    assert len(claims) >= 2000
