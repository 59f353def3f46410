"""Stories: articles grouped as they arrive, on texts written for these tests.

One optional quality gate reads a slice of ECB+ from ../shared/data and skips without it.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from crosswire.connect.features import StoryInput, slots, story_input
from crosswire.connect.stories import StoryGrouper
from crosswire.read import read
from crosswire.records import EntityType

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "stories" / "ecbplus-dev.jsonl"

CHILE = [
    (
        "chile-1",
        "2024-03-04",
        "Magnitude 7.4 earthquake strikes northern Chile near Antofagasta\n"
        "A magnitude 7.4 earthquake struck northern Chile on Monday near the port city of "
        "Antofagasta, killing at least 12 people, Chile's emergency office ONEMI said.\n"
        "Interior Minister Carolina Toha said rescuers were searching collapsed homes in "
        "Antofagasta and Calama.",
    ),
    (
        "chile-2",
        "2024-03-05",
        "Chile quake death toll rises as Antofagasta digs out\n"
        "Rescuers in Antofagasta pulled survivors from the rubble on Tuesday after Monday's "
        "magnitude 7.4 earthquake in northern Chile, ONEMI said, raising the toll to 15.\n"
        "Carolina Toha said aid was reaching Calama.",
    ),
]
JAPAN = [
    (
        "japan-1",
        "2024-09-18",
        "Strong earthquake hits Japan's Noto peninsula\n"
        "A magnitude 6.8 earthquake struck the Noto peninsula in Ishikawa, Japan, on Wednesday, "
        "the Japan Meteorological Agency said, and 3 people were killed in Wajima.\n"
        "Prime Minister Fumio Kishida said troops were sent to Wajima.",
    ),
    (
        "japan-2",
        "2024-09-19",
        "Wajima clears debris after Noto earthquake\n"
        "Troops cleared roads in Wajima on Thursday, a day after the magnitude 6.8 earthquake "
        "on the Noto peninsula, the Japan Meteorological Agency said.\n"
        "Fumio Kishida visited Ishikawa.",
    ),
]


@pytest.fixture(scope="module")
def inputs() -> dict[str, StoryInput]:
    return {
        aid: story_input(aid, text, read(text, published=day), day, source=f"{aid}.example")
        for aid, day, text in CHILE + JAPAN
    }


def _groups(grouper: StoryGrouper) -> set[frozenset[str]]:
    return {frozenset(s.articles) for s in grouper.stories()}


def test_same_event_joins_one_story(inputs: dict[str, StoryInput]) -> None:
    grouper = StoryGrouper()
    first = grouper.add(inputs["chile-1"])
    assert grouper.add(inputs["chile-2"]) == first


def test_similar_events_elsewhere_and_later_stay_apart(inputs: dict[str, StoryInput]) -> None:
    grouper = StoryGrouper()
    for aid in ("chile-1", "japan-1", "chile-2", "japan-2"):
        grouper.add(inputs[aid])
    assert _groups(grouper) == {
        frozenset({"chile-1", "chile-2"}),
        frozenset({"japan-1", "japan-2"}),
    }


def test_arrival_order_does_not_change_a_clear_grouping(inputs: dict[str, StoryInput]) -> None:
    seen = set()
    for order in itertools.permutations(inputs):
        grouper = StoryGrouper()
        for aid in order:
            grouper.add(inputs[aid])
        grouper.regroup()
        seen.add(frozenset(_groups(grouper)))
    assert len(seen) == 1


def test_story_record_has_id_title_dates_and_sources(inputs: dict[str, StoryInput]) -> None:
    grouper = StoryGrouper()
    for aid in ("chile-2", "chile-1", "japan-1"):
        grouper.add(inputs[aid])
    chile = grouper.stories()[0]
    assert chile.id == grouper.story_of("chile-1")
    assert chile.articles == ["chile-2", "chile-1"]
    assert (chile.first, chile.last) == ("2024-03-04", "2024-03-05")
    assert "Chile" in chile.title
    assert chile.sources == ["chile-1.example", "chile-2.example"]
    assert "Antofagasta" in chile.entities


def test_regroup_keeps_the_ids_of_unchanged_stories(inputs: dict[str, StoryInput]) -> None:
    grouper = StoryGrouper()
    ids = {aid: grouper.add(item) for aid, item in inputs.items()}
    grouper.regroup()
    assert {aid: grouper.story_of(aid) for aid in inputs} == ids


def test_a_restored_grouper_goes_on_where_the_stored_one_left_off(
    inputs: dict[str, StoryInput],
) -> None:
    first = StoryGrouper()
    for aid in ("chile-1", "japan-1"):
        first.add(inputs[aid])
    stored = first.assignments()
    again = StoryGrouper()
    again.restore((inputs[aid], sid) for aid, sid in stored.items())
    assert again.assignments() == stored
    assert again.add(inputs["chile-2"]) == stored["chile-1"]
    assert again.add(inputs["japan-2"]) == stored["japan-1"]
    # New stories get ids the restored ones never had.
    new = again.add(StoryInput("x", "Parliament passes a budget\nThe budget passed on Friday."))
    assert new not in stored.values()
    with pytest.raises(RuntimeError):
        again.restore([])


def test_a_long_gap_between_dates_keeps_stories_apart() -> None:
    text = "Floods hit Valencia\nFlash floods in Valencia killed 5 people, Spanish officials said."
    grouper = StoryGrouper()
    a = grouper.add(StoryInput("a", text, "2024-01-10", entities=(("Valencia", "GPE", 2),)))
    b = grouper.add(StoryInput("b", text, "2024-01-11", entities=(("Valencia", "GPE", 2),)))
    c = grouper.add(StoryInput("c", text, "2024-09-30", entities=(("Valencia", "GPE", 2),)))
    assert a == b != c


def test_adding_an_article_twice_keeps_one_copy() -> None:
    grouper = StoryGrouper()
    item = StoryInput("x", "Storm Ciaran hits Brittany\nStorm Ciaran hit Brittany overnight.")
    assert grouper.add(item) == grouper.add(item)
    assert [s.articles for s in grouper.stories()] == [["x"]]


def test_text_only_inputs_need_no_reading() -> None:
    grouper = StoryGrouper(use_specifics=False)
    one = "Apple unveils new iPhone\nApple unveiled its new iPhone in Cupertino on Tuesday."
    two = "New iPhone unveiled by Apple\nIn Cupertino, Apple unveiled the iPhone on Tuesday."
    assert grouper.add(story_input("1", one)) == grouper.add(story_input("2", two))


def test_regroup_merges_stories_split_by_arrival() -> None:
    # The bridge arrives last: before it, the two halves share too little to be one story.
    grouper = StoryGrouper(regroup_from=None)
    grouper.add(StoryInput("a", "volcano erupts iceland grindavik lava evacuated"))
    grouper.add(StoryInput("b", "reykjanes fissure magma airport flights keflavik"))
    bridge = "volcano iceland grindavik lava reykjanes fissure magma keflavik evacuated"
    grouper.add(StoryInput("c", bridge))
    grouper.regroup()
    assert _groups(grouper) == {frozenset({"a", "b", "c"})}


def test_every_article_stays_in_exactly_one_story_through_regroups() -> None:
    import random

    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    vocab = [f"w{i}" for i in range(60)]
    grouper = StoryGrouper(regroup_from=8)
    for i in range(120):
        words = rng.sample(vocab[(i % 6) * 10 : (i % 6) * 10 + 10], 5) + rng.sample(vocab, 4)
        grouper.add(StoryInput(str(i), " ".join(words)))
    grouper.regroup()
    members = [a for s in grouper.stories() for a in s.articles]
    assert sorted(members, key=int) == [str(i) for i in range(120)]
    assert all(grouper.story_of(a) == s.id for s in grouper.stories() for a in s.articles)


CAPTURES = {
    "a": (
        "Indian Navy captures 23 pirates in Gulf of Aden\n"
        "Commandos from INS Mysore captured 23 Somali and Yemeni pirates who attacked an "
        "Ethiopian merchant vessel in the Gulf of Aden, the Indian Navy said in New Delhi.",
        "INS Mysore",
        23,
        "2008-09-13",
    ),
    "b": (
        "Indian Navy foils pirate attack in Gulf of Aden, 26 pirates held\n"
        "The Indian Navy warship INS Sukanya intercepted three pirate skiffs in the Gulf of Aden "
        "and arrested 26 Somali pirates, a navy spokesman said in Mumbai.",
        "INS Sukanya",
        26,
        "2011-11-11",
    ),
    "c": (
        "Indian warship nabs 23 pirates off Aden\n"
        "INS Mysore marine commandos seized 23 pirates and their boats after an attack on an "
        "Ethiopian merchant ship in the Gulf of Aden, officials in New Delhi said.",
        "INS Mysore",
        23,
        "2008-09-13",
    ),
}


def _capture(aid: str) -> StoryInput:
    text, ship, pirates, day = CAPTURES[aid]
    entities: tuple[tuple[str, EntityType, int], ...] = (
        ("Indian Navy", "ORG", 2),
        ("Gulf of Aden", "LOC", 2),
        (ship, "ORG", 1),
    )
    return StoryInput(
        aid, text, entities=entities, dates=(day,), numbers=(f"{pirates} Somali pirates",)
    )


def test_slots_are_day_dates_and_numbers_by_unit() -> None:
    item = StoryInput(
        "s",
        "",
        dates=("2011-11-11", "2011-11", "2011"),
        numbers=("26 Somali pirates", "6 rifles", "9 p.m", "1 boat"),
    )
    assert slots(item) == {
        "day": frozenset({"2011-11-11"}),
        "n:pirate": frozenset({"26"}),
        "n:rifle": frozenset({"6"}),
    }


def test_conflicting_specifics_keep_two_similar_events_apart() -> None:
    # Two captures by the same navy in the same gulf, told in much the same words: what tells
    # them apart is the ship, the number of pirates and the date; a third report agrees with the
    # first.
    # Three articles alone weigh every word alike, so their texts are far closer than news
    # articles among thousands: the threshold here is set to match.
    blind = StoryGrouper(0.5, evidence=0.0, regroup_from=None)
    assert blind.add(_capture("a")) == blind.add(_capture("b"))
    grouper = StoryGrouper(0.5, regroup_from=None)
    a, b, c = (grouper.add(_capture(aid)) for aid in "abc")
    assert a == c != b
    grouper.regroup()
    assert _groups(grouper) == {frozenset({"a", "c"}), frozenset({"b"})}


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data is not beside the clone")
def test_quality_gate_on_an_ecbplus_slice() -> None:
    """Topics 1-4 of ECB+ (the words alone, no reading, to stay fast): B-cubed F1 floor."""
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if int(r["topic"]) <= 4]
    grouper = StoryGrouper(0.14, use_specifics=False)
    for r in rows:
        grouper.add(story_input(r["doc_id"], r["text"]))
    grouper.regroup()
    story = {a: s.id for s in grouper.stories() for a in s.articles}
    gold = {r["doc_id"]: r["subtopic"] for r in rows}
    precision = sum(
        sum(story[b] == story[a] and gold[b] == gold[a] for b in gold)
        / sum(story[b] == story[a] for b in gold)
        for a in gold
    ) / len(gold)
    recall = sum(
        sum(story[b] == story[a] and gold[b] == gold[a] for b in gold)
        / sum(gold[b] == gold[a] for b in gold)
        for a in gold
    ) / len(gold)
    assert 2 * precision * recall / (precision + recall) >= 0.8


# --- memory-bounded internals ------------------------------------------------------------------


def test_an_article_keeps_only_its_heaviest_features_and_not_its_text() -> None:
    from crosswire.connect.features import MAX_FEATURES

    words = " ".join(f"term{i}" for i in range(3 * MAX_FEATURES))
    item = StoryInput("long", "A headline that is long enough\n" + words)
    grouper = StoryGrouper()
    grouper.add(item)
    ids, _tf, w = grouper._feat.row(0)
    assert len(ids) == MAX_FEATURES
    # The headline's words (counted twice) are among the heaviest kept.
    kept = {f for f, n in grouper._vectorizer.vocab.items() if n in set(ids.tolist())}
    assert {"w:headline", "w:long"} <= kept
    assert abs(float((w.astype(float) ** 2).sum()) - 1.0) < 1e-5
    assert grouper.stories()[0].title == "A headline that is long enough"
    assert not any(isinstance(v, StoryInput) for v in vars(grouper).values())


def test_vectorizer_weights_match_the_dict_formula() -> None:
    import math

    from crosswire.connect.features import Vectorizer

    vz = Vectorizer({"w": 1.0, "e": 2.0})
    docs = [{"w:a": 2, "w:b": 1, "e:x": 3}, {"w:a": 1, "w:c": 3, "e:y": 1, "n:5 dead": 1}]
    for d in docs:
        vz.learn(d)
    got = vz.vector(docs[1])
    idf = {f: math.log(3 / (sum(f in d for d in docs) + 1)) + 1 for f in docs[1]}
    tf = {f: (1 + math.log(c)) * idf[f] for f, c in docs[1].items()}
    # Each group normalised on its own and scaled by its weight; "n" has no weight here.
    words = math.hypot(tf["w:a"], tf["w:c"])
    w = {"w:a": tf["w:a"] / words, "w:c": tf["w:c"] / words, "e:y": 2.0}
    norm = math.sqrt(sum(v * v for v in w.values()))
    assert got == pytest.approx({f: v / norm for f, v in w.items()})


def test_partial_regroups_keep_every_article_in_one_story_and_find_the_groups() -> None:
    import random

    rng = random.Random(3)  # noqa: S311 - test data, not secrets
    topics = [[f"t{t}w{i}" for i in range(12)] for t in range(8)]
    grouper = StoryGrouper(0.3, regroup_from=16, full_regroup=16)
    gold: dict[str, int] = {}
    for i in range(240):
        t = rng.randrange(8)
        gold[str(i)] = t
        grouper.add(StoryInput(str(i), " ".join(rng.sample(topics[t], 8))))
    grouper.regroup()
    assert grouper._examined == 240
    members = [a for s in grouper.stories() for a in s.articles]
    assert sorted(members, key=int) == [str(i) for i in range(240)]
    assert all(grouper.story_of(a) == s.id for s in grouper.stories() for a in s.articles)
    # Eight clear topics: each story holds one topic, and each topic sits in one story.
    stories = grouper.stories()
    assert all(len({gold[a] for a in s.articles}) == 1 for s in stories)
    assert len(stories) == 8


def test_restore_then_add_on_big_stories_keeps_their_sums() -> None:
    from crosswire.connect.stories import KEEP_TOTAL

    text = "Storm Ciaran hits Brittany\nStorm Ciaran hit Brittany overnight, cutting power."
    first = StoryGrouper(regroup_from=None)
    for i in range(KEEP_TOTAL + 2):
        first.add(StoryInput(f"a{i}", text))
    [story] = first.stories()
    kept = first._stories[story.id]
    assert kept.ids is not None and kept.w is not None
    # The kept sum is the sum of the articles' vectors.
    vecs = [first._vec(m) for m in kept.members]
    total: dict[int, float] = {}
    for ids, w in vecs:
        for f, v in zip(ids.tolist(), w.tolist(), strict=True):
            total[f] = total.get(f, 0.0) + v
    assert dict(zip(kept.ids.tolist(), kept.w.tolist(), strict=True)) == pytest.approx(total)
    again = StoryGrouper(regroup_from=None)
    again.restore((StoryInput(a, text), s) for a, s in first.assignments().items())
    assert again.add(StoryInput("new", text)) == story.id
