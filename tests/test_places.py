"""Places: entities geocoded offline, ambiguous names settled by the article's countries.

The seed case reads its expectations from ../shared/seed/north-korean-troops.gold.json; the
general cases use texts written for these tests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from crosswire.read.entities import find_entities
from crosswire.read.nlp import parse
from crosswire.read.places import Place, find_places, key, lookup

from conftest import SEED


def _places(text: str) -> list[Place]:
    blocks = parse(text)
    found = find_places(blocks, find_entities(blocks))
    for p in found:
        for m in p.mentions:
            assert text[m.start : m.end] == m.text
    return found


def _place(places: list[Place], name: str) -> Place:
    hits = [p for p in places if p.name == name]
    assert len(hits) == 1, [(p.name, p.country) for p in places]
    return hits[0]


@pytest.fixture(scope="module")
def seed() -> tuple[str, dict[str, Any]]:
    text_path = SEED / "north-korean-troops.txt"
    gold_path = SEED / "north-korean-troops.gold.json"
    if not text_path.exists() or not gold_path.exists():
        pytest.skip("../shared/seed is not beside the checkout")
    lines = text_path.read_text(encoding="utf-8").split("\n")[:58]
    return "\n".join(lines), json.loads(gold_path.read_text(encoding="utf-8"))


def test_seed_places_within_gold_tolerance(seed: tuple[str, dict[str, Any]]) -> None:
    text, gold = seed
    places = _places(text)
    golds = [e for e in gold["entities"] if "geo" in e]
    assert golds
    for g in golds:
        geo = g["geo"]
        p = _place(places, g["name"])
        assert p.country == geo["country"], g["name"]
        assert abs(p.lat - geo["lat"]) <= geo["tolerance_deg"], (g["name"], p.lat)
        assert abs(p.lon - geo["lon"]) <= geo["tolerance_deg"], (g["name"], p.lon)
        assert p.entity is not None and p.mentions


def test_seed_kinds_and_no_people(seed: tuple[str, dict[str, Any]]) -> None:
    text, _ = seed
    blocks = parse(text)
    entities = find_entities(blocks)
    places = find_places(blocks, entities)
    by_id = {e.id: e for e in entities}
    assert all(by_id[p.entity].type in {"GPE", "LOC"} for p in places if p.entity)
    assert _place(places, "Primorsky Krai").kind == "region"
    assert _place(places, "Samara").kind == "city"
    assert _place(places, "Russia").kind == "country"


def test_ambiguous_city_follows_the_article_country() -> None:
    ethiopia = _places(
        "Ethiopian federal troops entered Samara, the capital of the Afar region, on Tuesday. "
        "Ethiopia's government said the town was calm."
    )
    russia = _places("Russian officials said a drone hit a refinery near Samara overnight.")
    et, ru = _place(ethiopia, "Samara"), _place(russia, "Samara")
    assert (et.country, ru.country) == ("ET", "RU")
    assert abs(et.lat - 11.79) < 0.5 and abs(ru.lat - 53.2) < 0.5


def test_ambiguous_city_follows_a_demonym() -> None:
    lebanon = _places("Lebanese soldiers deployed in Tripoli after clashes in the northern city.")
    libya = _places("Clashes broke out in Tripoli between rival militias, Libyan officials said.")
    assert _place(lebanon, "Tripoli").country == "LB"
    assert _place(libya, "Tripoli").country == "LY"


def test_spelling_variant_inside_the_article_country() -> None:
    assert lookup("Odessa").country == "US"  # type: ignore[union-attr]  # Texas: exact name
    odesa = lookup("Odessa", frozenset({"UA"}))
    assert odesa is not None and (odesa.country, odesa.kind) == ("UA", "city")
    assert abs(odesa.lat - 46.48) < 0.5
    assert lookup("Odessaa", frozenset({"UA"})) is not None  # doubled letters are loose
    assert lookup("Xyzzyville", frozenset({"UA"})) is None


def test_lookup_context_and_population() -> None:
    assert lookup("Tripoli", frozenset({"LB"})).country == "LB"  # type: ignore[union-attr]
    assert lookup("Tripoli", frozenset({"LY"})).country == "LY"  # type: ignore[union-attr]
    # No context: the most populous.
    assert lookup("Samara").country == "RU"  # type: ignore[union-attr]


def test_region_with_division_word() -> None:
    text = "Russian troops withdrew from parts of the Kherson Oblast."
    p = _place(_places(text), "Kherson Oblast")
    assert (p.kind, p.country) == ("region", "UA")
    assert abs(p.lat - 46.6) < 1.5 and abs(p.lon - 33.3) < 1.5
    bavaria = _place(_places("Heavy snow closed roads across Bavaria."), "Bavaria")
    assert (bavaria.kind, bavaria.country) == ("region", "DE")
    assert abs(bavaria.lat - 48.9) < 1.5 and abs(bavaria.lon - 11.4) < 1.5


@pytest.mark.parametrize(
    ("name", "country", "kind"),
    [
        ("Kherson", "UA", "city"),  # a bare name is the city, not the oblast of the same name
        ("Kherson region", "UA", "region"),
        ("Belgorod region", "RU", "region"),  # ISO: "Belgorodskaya oblast'"
        ("Primorsky Krai", "RU", "region"),  # ISO: "Primorskiy kray"
        ("Rakhine State", "MM", "region"),
        ("St. Petersburg", "RU", "city"),
        ("Kiev", "UA", "city"),  # a capital's other spelling, from countries.csv
        ("Lodz", "PL", "city"),
        ("Ukraine", "UA", "country"),
    ],
)
def test_lookup_spellings(name: str, country: str, kind: str) -> None:
    p = lookup(name)
    assert p is not None
    assert (p.country, p.kind) == (country, kind)


def test_region_across_the_antimeridian() -> None:
    p = lookup("Chukotka")
    assert p is not None and p.country == "RU"
    assert p.lat > 60 and abs(p.lon) > 160


def test_country() -> None:
    p = _place(_places("Ukraine said it would ask for more air defence."), "Ukraine")
    assert (p.kind, p.country) == ("country", "UA")
    assert 44 < p.lat < 53 and 22 < p.lon < 41


@pytest.mark.parametrize("name", ["Xyzzyville", "Middle East", "Asia", "West", "EU", "Sahel"])
def test_unknown_or_wide_names_give_nothing(name: str) -> None:
    assert lookup(name) is None


def test_unknown_place_and_people_give_no_place() -> None:
    places = _places("Paris Hilton travelled to Xyzzyville and Vorbania for talks.")
    assert places == []


def test_mentions_index_the_full_text() -> None:
    text = (
        "Air raid sirens sounded in Kyiv.\n\n"
        "Later, a missile hit Kharkiv. Residents of Kyiv took shelter in the metro."
    )
    places = _places(text)
    kyiv = _place(places, "Kyiv")
    assert (kyiv.country, kyiv.kind, len(kyiv.mentions)) == ("UA", "city", 2)
    assert [text[m.start : m.end] for m in kyiv.mentions] == ["Kyiv", "Kyiv"]
    assert kyiv.mentions[1].start > text.index("\n\n")  # second paragraph, full-text offset
    assert _place(places, "Kharkiv").country == "UA"


def test_key_meets_romanisations() -> None:
    assert key("Primorskiy kray") == key("Primorsky Krai")
    assert key("Łódź") == key("Lodz")
    assert key("Samarskaya oblast'") == key("Samarskaya Oblast")


def test_country_name_that_is_also_a_state() -> None:
    us = _places("Storms hit Atlanta, Georgia, on Monday, the US weather service said.")
    state = _place(us, "Georgia")
    assert (state.kind, state.country) == ("region", "US")
    ge = _places("Sirens sounded in Tbilisi. Georgia said it would protest.")
    country = _place(ge, "Georgia")
    assert (country.kind, country.country) == ("country", "GE")


def test_a_large_capital_beats_a_small_namesake_in_the_article_country() -> None:
    moscow = _place(_places("The American delegation flew to Moscow for talks."), "Moscow")
    assert moscow.country == "RU"
    # Not when the namesake is a city of some size: Athens, Georgia has 127,000 people.
    assert lookup("Athens", frozenset({"US"})).country == "US"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "kind", "country"),
    [("Oregon", "region", "US"), ("Washington", "city", "US"), ("Kherson", "city", "UA")],
)
def test_city_or_region_of_one_name(name: str, kind: str, country: str) -> None:
    # A region yields to a same-named city only when it is the region's main city or a capital.
    p = lookup(name)
    assert p is not None and (p.kind, p.country) == (kind, country)
