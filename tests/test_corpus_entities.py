"""Entities across articles: one corpus entity per real thing, never merged on a surname alone.

Most cases use hand-made entities, as the read stage would give them; one runs short texts
through the read stage.
"""

from __future__ import annotations

import itertools

from crosswire.connect.entities import CorpusEntity, EntityIndex, index_readings, normalise
from crosswire.records import Entity, EntityType, Mention, Reading


def _m(text: str) -> Mention:
    return Mention(0, len(text), text)


def _e(
    eid: str,
    name: str,
    etype: EntityType = "PERSON",
    aliases: tuple[str, ...] = (),
    roles: tuple[str, ...] = (),
) -> Entity:
    return Entity(
        id=eid,
        name=name,
        type=etype,
        aliases=list(aliases),
        roles=[_m(r) for r in roles],
        mentions=[_m(name), *(_m(a) for a in aliases)],
    )


def _named(index: EntityIndex, name: str) -> list[CorpusEntity]:
    return [c for c in index.entities() if c.name == name or name in c.aliases]


def _shape(index: EntityIndex) -> set[tuple[object, ...]]:
    """The index's entities without their ids, which follow the order of arrival."""
    return {
        (
            c.name,
            c.type,
            frozenset(c.aliases),
            frozenset((r.text, frozenset(r.articles)) for r in c.roles),
            frozenset(c.articles),
            c.mentions,
        )
        for c in index.entities()
    }


ZELENSKYY = {
    "a1": [
        _e("e1", "Volodymyr Zelenskyy", aliases=("Zelenskyy",), roles=("Ukraine's president",)),
        _e("e2", "Ukraine", "GPE"),
    ],
    "a2": [_e("e1", "Zelenskyy", roles=("President",)), _e("e2", "Kyiv", "GPE")],
    "a3": [
        _e("e1", "Volodymyr Zelenkyy", aliases=("Mr Zelenkyy",), roles=("Ukrainian leader",)),
        _e("e2", "Ukraine", "GPE", aliases=("Kyiv",)),
    ],
}


def test_names_surnames_and_misspellings_link_to_one_person() -> None:
    index = EntityIndex()
    links = {a: index.add(a, ents) for a, ents in ZELENSKYY.items()}
    (z,) = _named(index, "Volodymyr Zelenskyy")
    assert z.type == "PERSON"
    assert z.articles == ["a1", "a2", "a3"]
    assert {"Zelenskyy", "Volodymyr Zelenkyy", "Mr Zelenkyy"} <= set(z.aliases)
    assert [r.text for r in z.roles] == ["Ukraine's president", "President", "Ukrainian leader"]
    assert z.roles[1].articles == ("a2",)
    assert z.mentions == 5
    assert links["a1"]["e1"] == links["a2"]["e1"] == links["a3"]["e1"] == z.id
    # Ukraine is one country in both articles that name it; Kyiv as a place is the city.
    (ukraine,) = [c for c in index.entities() if c.name == "Ukraine"]
    assert ukraine.articles == ["a1", "a3"]
    assert index.lookup("a2", "e2") != ukraine.id


def test_order_of_arrival_does_not_change_the_entities() -> None:
    shapes = set()
    for order in itertools.permutations(ZELENSKYY):
        index = EntityIndex()
        for a in order:
            index.add(a, ZELENSKYY[a])
        shapes.add(frozenset(_shape(index)))
    assert len(shapes) == 1


def test_surname_shared_by_two_people_never_merges_them() -> None:
    articles = {
        "a1": [_e("e1", "Hillary Clinton", aliases=("Clinton",), roles=("Secretary of State",))],
        "a2": [_e("e1", "Bill Clinton", roles=("former president",))],
        "a3": [_e("e1", "Clinton")],
        "a4": [_e("e1", "Clinton")],
    }
    for order in itertools.permutations(articles):
        index = EntityIndex()
        for a in order:
            index.add(a, articles[a])
        (hillary,) = [c for c in index.entities() if c.name == "Hillary Clinton"]
        (bill,) = [c for c in index.entities() if c.name == "Bill Clinton"]
        assert hillary.articles == ["a1"] and bill.articles == ["a2"]
        assert "Bill Clinton" not in hillary.aliases
        # Each bare "Clinton" stays with its own article: it may mean either.
        bare = [c for c in index.entities() if c.name == "Clinton"]
        assert sorted(c.articles[0] for c in bare) == ["a3", "a4"]
        assert all(len(c.articles) == 1 for c in bare)
        assert index.lookup("a3", "e1") not in {hillary.id, bill.id}


def test_surname_links_while_one_person_bears_it_and_is_let_go_when_a_namesake_arrives() -> None:
    index = EntityIndex()
    first = index.add("a1", [_e("e1", "Clinton")])
    index.add("a2", [_e("e1", "Hillary Clinton")])
    assert index.lookup("a1", "e1") == index.lookup("a2", "e1") != first["e1"]
    index.add("a3", [_e("e1", "Bill Clinton")])
    assert index.lookup("a1", "e1") == first["e1"]
    assert len(index.entities()) == 3


def test_surname_the_article_kept_apart_is_not_linked_to_that_person() -> None:
    index = EntityIndex()
    index.add("a1", [_e("e1", "Hillary Clinton"), _e("e2", "Clinton")])
    assert index.lookup("a1", "e1") != index.lookup("a1", "e2")


def test_names_differing_in_a_short_word_stay_apart() -> None:
    index = EntityIndex()
    index.add("a1", [_e("e1", "Kim Jong Un", roles=("North Korean leader",))])
    index.add("a2", [_e("e1", "Kim Jong-il")])
    index.add("a3", [_e("e1", "Kim Jong-un")])
    index.add("a4", [_e("e1", "Kim")])
    un = _named(index, "Kim Jong Un")
    assert len(un) == 1 and un[0].articles == ["a1", "a3"]
    (il,) = _named(index, "Kim Jong-il")
    assert il.articles == ["a2"]
    # Kim is also the surname of no one known by it here: "Kim" is not either leader.
    assert index.lookup("a4", "e1") not in {un[0].id, il.id}


def test_same_name_of_another_type_stays_apart() -> None:
    index = EntityIndex()
    index.add("a1", [_e("e1", "Jordan Peterson", "PERSON")])
    index.add("a2", [_e("e1", "Jordan Peterson", "ORG"), _e("e2", "Jordan", "GPE")])
    index.add("a3", [_e("e1", "Peterson", "PERSON")])
    people = [c for c in index.entities() if c.type == "PERSON"]
    orgs = [c for c in index.entities() if c.type == "ORG"]
    assert [c.articles for c in people] == [["a1", "a3"]]
    assert [c.articles for c in orgs] == [["a2"]]
    assert index.lookup("a2", "e2") not in {people[0].id, orgs[0].id}


def test_places_join_across_gpe_and_loc() -> None:
    index = EntityIndex()
    index.add("a1", [_e("e1", "Primorsky Krai", "LOC")])
    index.add("a2", [_e("e1", "Primorsky Krai", "GPE"), _e("e2", "United States", "GPE")])
    index.add("a3", [_e("e1", "United States", "GPE", aliases=("US", "Washington"))])
    (krai,) = _named(index, "Primorsky Krai")
    assert krai.articles == ["a1", "a2"]
    (us,) = _named(index, "United States")
    assert us.articles == ["a2", "a3"]


def test_acronyms_link_to_the_one_expansion() -> None:
    index = EntityIndex()
    index.add("a1", [_e("e1", "NATO", "ORG", roles=())])
    index.add("a2", [_e("e1", "North Atlantic Treaty Organization", "ORG", aliases=("NATO",))])
    index.add("a3", [_e("e1", "ICC", "ORG")])
    index.add("a4", [_e("e1", "International Criminal Court", "ORG")])
    index.add("a5", [_e("e1", "International Cricket Council", "ORG")])
    (nato,) = _named(index, "North Atlantic Treaty Organization")
    assert nato.articles == ["a1", "a2"]
    # Two organisations spell ICC: it joins neither.
    assert {c.name for c in index.entities() if "a3" in c.articles} == {"ICC"}
    assert len(_named(index, "International Criminal Court")) == 1


def test_full_names_match_across_case_diacritics_punctuation_and_titles() -> None:
    assert normalise("Zelénskyy") == normalise("ZELENSKYY") == "zelenskyy"
    assert normalise("Jean-Luc  Mélenchon") == "jean luc melenchon"
    index = EntityIndex()
    index.add("a1", [_e("e1", "Jean-Luc Mélenchon")])
    index.add("a2", [_e("e1", "J. Smith", aliases=("Dr Jean Luc Melenchon",))])
    (jlm,) = _named(index, "Jean-Luc Mélenchon")
    assert jlm.articles == ["a1", "a2"]


def test_descriptions_are_no_names_to_link_by() -> None:
    index = EntityIndex()
    index.add("a1", [_e("e1", "Joe Biden", aliases=("the US president",))])
    index.add("a2", [_e("e1", "Donald Trump", aliases=("the US president",))])
    assert len(index.entities()) == 2


def test_adding_an_article_again_changes_nothing() -> None:
    index = EntityIndex()
    index.add("a1", ZELENSKYY["a1"])
    before = _shape(index)
    index.add("a1", ZELENSKYY["a1"])
    assert _shape(index) == before


def test_read_texts_link_across_articles() -> None:
    from crosswire.read import read

    texts = {
        "a1": "Hillary Clinton spoke in Ohio on Monday. Clinton said the plan would work.",
        "a2": "Former president Bill Clinton visited Ghana. Clinton met students there.",
        "a3": "Clinton was not available for comment, a spokesman said.",
        "a4": "President Volodymyr Zelenskyy met NATO officials in Brussels on Tuesday.",
        "a5": "Ukraine's president, Volodymyr Zelenskyy, said Zelenskyy would stay.",
    }
    index = index_readings({a: Reading(entities=read(t).entities) for a, t in texts.items()})
    people = {c.name: c for c in index.entities() if c.type == "PERSON"}
    assert people["Hillary Clinton"].articles == ["a1"]
    assert people["Bill Clinton"].articles == ["a2"]
    assert people["Volodymyr Zelenskyy"].articles == ["a4", "a5"]
    assert {r.text for r in people["Volodymyr Zelenskyy"].roles} == {
        "President",
        "Ukraine's president",
    }
    # The bare "Clinton" of a3 is neither Hillary nor Bill.
    assert {c.name for c in index.entities() if "a3" in c.articles} == {"Clinton"}


def test_family_names_with_particles_and_hyphens() -> None:
    index = EntityIndex()
    index.add("a1", [_e("e1", "Ursula von der Leyen"), _e("e2", "Bashar al-Assad")])
    index.add("a2", [_e("e1", "von der Leyen"), _e("e2", "Assad")])
    index.add("a3", [_e("e1", "Alexandria Ocasio-Cortez")])
    index.add("a4", [_e("e1", "Ocasio-Cortez")])
    assert _named(index, "Ursula von der Leyen")[0].articles == ["a1", "a2"]
    assert _named(index, "Bashar al-Assad")[0].articles == ["a1", "a2"]
    assert _named(index, "Alexandria Ocasio-Cortez")[0].articles == ["a3", "a4"]
    assert len(index.entities()) == 3


def test_invisible_characters_inside_a_name_do_not_keep_it_apart() -> None:
    # Zero-width and bidi control characters stay in the article (its offsets stay true) but
    # are no letters: a hostile page cannot split one person in two, nor name the corpus entity.
    index = EntityIndex()
    for i, name in enumerate(
        ["Volodymyr Zelenskyy", "Volodymyr Zelen\u200bskyy", "Volodymyr \u202eZelenskyy"]
    ):
        index.add(f"a{i}", [Entity("e1", name, "PERSON")])
    assert {index.lookup(f"a{i}", "e1") for i in range(3)} == {"c1"}
    (entity,) = index.entities()
    assert entity.name == "Volodymyr Zelenskyy" and entity.aliases == []
