"""Quantities: numbers in their written forms, hedges, ranges, vague amounts, units, counted
nouns, what is not a quantity, bad input, and the seed's numeric claims."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crosswire.read.numbers import parse_digits, parse_words
from crosswire.read.quantities import Quantity, find_quantities, quantities_in
from crosswire.read.units import unit_name

from conftest import SEED


def one(text: str) -> Quantity:
    found = quantities_in(text)
    assert len(found) == 1, found
    return found[0]


def values(text: str) -> list[float | None]:
    return [q.value for q in quantities_in(text)]


# --------------------------------------------------------------------------- number parsing


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("10,000", 10000.0),
        ("10.000", 10000.0),
        ("1.000.000", 1e6),
        ("10 000", 10000.0),
        ("10.5", 10.5),
        ("1.500", 1.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        (".5", 0.5),
        ("-3", -3.0),
    ],
)
def test_digit_styles(raw: str, value: float) -> None:
    assert parse_digits(raw) == pytest.approx(value)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("two-and-a-half", 2.5),
        ("a dozen", 12.0),
        ("twenty-five", 25.0),
        ("three hundred", 300.0),
        ("three hundred and forty-two", 342.0),
        ("half a million", 500000.0),
        ("two-thirds", 2 / 3),
        ("one fourth", 0.25),
    ],
)
def test_number_words(raw: str, value: float) -> None:
    assert parse_words(raw) == pytest.approx(value)


def test_overflow_is_none_not_inf() -> None:
    assert parse_digits("9" * 400) is None


# --------------------------------------------------------------------------- quantities in text


def test_separators_in_text() -> None:
    assert values("The ministry counted 10,000 tents.") == [10000.0]
    assert values("Die Armee hat 10.000 Soldaten, the ministry said.") == [10000.0]
    assert values("Officials counted 10 000 tents.") == [10000.0]
    assert values("The road is 10.5 km long.") == [10.5]


def test_scale_words_and_currency() -> None:
    q = one("The deal is worth $2bn.")
    assert (q.value, q.unit, q.text) == (2e9, "USD", "$2bn")
    q = one("He paid £3.5m for the house.")
    assert (q.value, q.unit) == (3.5e6, "GBP")
    q = one("The country has 1.3 million voters.")
    assert (q.value, q.noun) == (1.3e6, "voters")
    q = one("Profits reached 2 billion euros.")
    assert (q.value, q.unit) == (2e9, "EUR")


def test_number_words_in_text() -> None:
    q = one("They waited two-and-a-half years.")
    assert (q.value, q.unit) == (2.5, "yr")
    assert values("She bought a dozen eggs and twenty-five apples.") == [12.0, 25.0]
    q = one("About three hundred people came.")
    assert (q.value, q.approx, q.change, q.noun) == (300.0, "About", "~", "people")


def test_ranges() -> None:
    q = one("Officials expect 10,000 to 12,000 visitors.")
    assert (q.value, q.low, q.high, q.noun) == (None, 10000.0, 12000.0, "visitors")
    q = one("The camp holds between 1,500 and 2,000 people.")
    assert (q.low, q.high, q.text) == (1500.0, 2000.0, "between 1,500 and 2,000")
    q = one("Prices rose 10-12% last year.")
    assert (q.low, q.high, q.unit) == (10.0, 12.0, "%")
    q = one("There are four to five thousand people.")
    assert (q.low, q.high) == (4000.0, 5000.0)
    q = one("Revenue will be $89 to $93 billion.")
    assert (q.low, q.high, q.unit) == (89e9, 93e9, "USD")


def test_vague_amounts() -> None:
    q = one("Thousands of people marched.")
    assert (q.value, q.vague, q.low, q.high, q.noun) == (None, "thousands", 1e3, 1e4, "people")
    q = one("It cost tens of millions of dollars.")
    assert (q.vague, q.unit, q.low) == ("tens of millions", "USD", 1e7)
    q = one("Dozens of houses burned.")
    assert (q.vague, q.noun) == ("dozens", "houses")


def test_percentages_and_units() -> None:
    assert one("Turnout was 45 per cent.").unit == "%"
    assert one("Turnout was 45%.").unit == "%"
    q = one("The border is 17 kilometres long.")
    assert (q.unit, q.unit_text) == ("km", "kilometres")
    assert one("The road is 17 km long.").unit == "km"
    assert one("It weighs 70kg.").unit == "kg"
    assert one("Oil hit $52 a barrel.").unit == "USD/bbl"
    assert unit_name("USD/bbl") == "dollar per barrel"
    assert one("The car reaches 87 mph.").unit == "mph"
    assert one("Shares closed at 164p.").unit == "GBX"
    assert one("Temperatures hit 30C on Monday.").unit == "°C"
    assert one("He spent 20 million pounds on it.").unit == "GBP"
    assert one("It weighs 20 pounds.").unit == "lb"


def test_hedges_and_change() -> None:
    cases = {
        "More than 6,000 firms replied.": ("More than", ">"),
        "Up to 400 jobs will go.": ("Up to", "<"),
        "At least 30 people died.": ("At least", ">"),
        "Nearly 70 people died.": ("Nearly", "~"),
        "Roughly 70 people died.": ("Roughly", "~"),
        "A total of 12,000 soldiers went.": ("A total of", "="),
    }
    for text, (approx, change) in cases.items():
        q = one(text)
        assert (q.approx, q.change) == (approx, change), text
        assert q.text.startswith(approx)
    assert one("Shares rose 6.5% on Monday.").change == "up"
    assert one("Shares fell 3% on Monday.").change == "down"
    assert one("The index closed at 7,425.81 points.").change == "="


def test_counted_noun() -> None:
    q = one("Seoul says 1,500 special forces troops were sent.")
    assert q.noun == "special forces troops"
    q = one("It has about 50 ready-to-fire nuclear warheads.")
    assert q.noun == "nuclear warheads"
    q = one("The army has around 1.3 million active personnel.")
    assert q.noun == "active personnel"


def test_offsets_index_the_full_text() -> None:
    text = "Headline\n\nThe army sent some 11,000 troops."
    q = one(text)
    assert text[q.start : q.end] == q.text == "some 11,000"


def test_find_quantities_on_blocks() -> None:
    from crosswire.read.nlp import parse

    found = find_quantities(parse("First 5 km.\nThen 7 miles."))
    assert [(q.value, q.unit) for q in found] == [(5.0, "km"), (7.0, "mi")]


# --------------------------------------------------------------------------- not quantities


@pytest.mark.parametrize(
    "text",
    [
        "The war began in 2022.",
        "It happened on October 23 in Kyiv.",
        "It happened on 23 October in Kyiv.",
        "The meeting starts at 9:30 pm.",
        "They met at 10am.",
        "She finished first and he was second.",
        "The victim, aged 45, was taken to hospital.",
        "Call 555-123-4567 for details.",
        "Call +44 20 7946 0958 for details.",
        "Read https://example.com/news/2024/10/23/story-12345 for more.",
        "Write to desk42@example.com today.",
        "Arsenal won 3-2 on Sunday.",
        "The match ended 89-89.",
        "He lives at 49 Zorro Ranch Road.",
        "Apple unveiled the iPhone 11 today.",
        "The value 1e999 overflows.",
        "COVID-19 spread fast.",
        "- ·US adds 2 more Chinese companies to list",
    ],
)
def test_not_a_quantity(text: str) -> None:
    assert quantities_in(text) == []


def test_overflowing_values_are_skipped() -> None:
    assert quantities_in("It is " + "9" * 400 + " trillion dollars.") == []


def test_empty_and_odd_input() -> None:
    assert quantities_in("") == []
    assert quantities_in("   \n\n  ") == []
    assert quantities_in("\u2212\u2212 .. ,, %% $$ 1/0") == []


def test_many_numbers_finish() -> None:
    # one paragraph: the lexer and the skip rules must not go quadratic in the numbers
    text = "Readings: " + ", ".join(f"{i}.5 km" for i in range(5000)) + "."
    found = quantities_in(text)
    assert len(found) == 5000
    assert found[-1].value == 4999.5


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[dict[str, Any]]]:
    text_path = SEED / "north-korean-troops.txt"
    gold_path = SEED / "north-korean-troops.gold.json"
    if not (text_path.exists() and gold_path.exists()):
        pytest.skip("../shared/seed is not beside the checkout")
    text = text_path.read_text(encoding="utf-8")
    return text, json.loads(gold_path.read_text(encoding="utf-8"))["claims"]


def test_seed_claims(seed: tuple[str, list[dict[str, Any]]]) -> None:
    text, claims = seed
    found = quantities_in(text)
    by_line: dict[int, list[Quantity]] = {}
    for q in found:
        by_line.setdefault(text.count("\n", 0, q.start) + 1, []).append(q)
    for claim in claims:
        on_line = by_line.get(claim["line"], [])
        if claim["value"] is None:
            hits = [q for q in on_line if q.vague == claim["vague"]]
        else:
            hits = [q for q in on_line if q.value == claim["value"]]
        assert hits, claim
        q = hits[0]
        assert q.approx == claim.get("approx"), (claim, q)
        unit = claim["unit"]
        if unit == "kilometres":
            assert (q.unit, q.unit_text) == ("km", "kilometres")
        else:
            assert q.noun is not None and q.noun.endswith(unit), (claim, q)


def test_fractions_signs_and_ratios() -> None:
    assert one("The gap is 2 1/2 inches wide.").value == 2.5
    q = one("Gas is cooled to minus-260 degrees Fahrenheit.")
    assert (q.value, q.unit, q.change) == (-260.0, "°F", "=")
    q = one("In Europe the FTSE was -0.6% at noon.")
    assert (q.value, q.change) == (-0.6, "down")
    assert one("One out of three Germans agree.").value == pytest.approx(1 / 3)
    assert one("Nearly two-thirds of voters agree.").value == pytest.approx(2 / 3)


_SOUP = [
    "10,000", "1.5", "two", "thousand", "million", "$", "£", "%", "per cent", "km", "to", "-",
    "between", "and", "about", "more than", "up to", "minus", "1e999", "9" * 400, "x10^", "troops",
    "rose", "2024", "October", "3-2", ":", "pm", "www.a.com/1", "(", "1/2", "0", ".", "\n",
    "\u2212", "bn", "m", "T", "a", "dozen", "half", "of", "hundreds", "tens",
]  # fmt: skip


@given(st.lists(st.sampled_from(_SOUP), max_size=25))
@settings(max_examples=40, deadline=None)
def test_token_soup_never_breaks(words: list[str]) -> None:
    text = " ".join(words)
    for q in quantities_in(text):
        assert text[q.start : q.end] == q.text
        for v in (q.value, q.low, q.high):
            assert v is None or math.isfinite(v)
