"""The connect stage over the store: stories kept and grown across runs with their history,
copies and corpus entities stored, and the views that read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosswire.connect.corpus import entity_detail, stories, story_detail
from crosswire.connect.update import connect, story_events
from crosswire.pipeline import Options, ingest
from crosswire.store.store import Store

CHILE_1 = (
    "Magnitude 7.4 earthquake strikes northern Chile near Antofagasta\n"
    "A magnitude 7.4 earthquake struck northern Chile on Monday near the port city of "
    "Antofagasta, killing at least 12 people, Chile's emergency office ONEMI said.\n"
    "Interior Minister Carolina Toha said rescuers were searching collapsed homes in "
    "Antofagasta and Calama.\n"
)
CHILE_2 = (
    "Chile quake death toll rises as Antofagasta digs out\n"
    "Rescuers in Antofagasta pulled survivors from the rubble on Tuesday after Monday's "
    "magnitude 7.4 earthquake in northern Chile, ONEMI said, raising the toll to 15.\n"
    "Carolina Toha said aid was reaching Calama.\n"
)
BUDGET = (
    "Parliament passes Norway's budget after late-night talks\n"
    "Norway's parliament passed the 2025 budget on Friday after the Labour government "
    "reached a deal with the Centre Party, finance minister Trygve Slagsvold Vedum said.\n"
)


def _ingest(store: Store, folder: Path, **pages: str) -> None:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in pages.items():
        path = folder / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    summary = ingest(paths, store, Options(read=True))
    assert summary.failed == 0


def test_stories_grow_across_runs_and_keep_their_ids(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        _ingest(store, tmp_path / "run1", chile1=CHILE_1, budget=BUDGET)
        first = connect(store)
        assert (first.new, first.stories, dict(first.events)) == (2, 2, {"start": 2})
        before = store.connections.assignments()

        _ingest(store, tmp_path / "run2", chile2=CHILE_2)
        second = connect(store)
        assert (second.new, second.stories, dict(second.events)) == (1, 2, {"join": 1})
        after = store.connections.assignments()
        assert {a: after[a] for a in before} == before
        chile = before[next(a for a in before if store.get(a).title.startswith("Magnitude"))]
        assert list(after.values()).count(chile) == 2
        kinds = [e.kind for e in store.connections.events(chile)]
        assert kinds == ["start", "join"]

        # Nothing new: the same stories, no new history, nothing stored twice.
        third = connect(store)
        assert third.new == 0 and not third.events
        assert store.connections.assignments() == after
        assert len(store.connections.events()) == 3


def test_a_copy_is_stored_with_its_original_and_counted_once(
    tmp_path: Path, seed_path: Path
) -> None:
    lines = seed_path.read_text(encoding="utf-8").split("\n")
    copy = "\n".join(["Breaking world news, every hour", *lines[:30], *lines[32:]])
    with Store(tmp_path / "x.db") as store:
        _ingest(store, tmp_path / "pages", a_original="\n".join(lines), b_copy=copy)
        summary = connect(store)
        assert (summary.stories, summary.copies) == (1, 1)
        (group,) = store.connections.copy_groups()
        (link,) = group.copies
        assert store.get(group.original).source.endswith("a_original.txt")
        assert store.get(link.copy).source.endswith("b_copy.txt")
        assert link.reason and group.why

        (story,) = stories(store)
        assert (story.articles, story.copies, story.disagreements) == (2, 1, 1)
        detail = story_detail(store, story.id)
        assert detail.copies[link.copy].original == group.original
        assert {c.article for m in detail.measures for c in m.claims} == {group.original}
        (d,) = [d for m in detail.measures for d in m.disagreements]
        assert {d.a.claim.value, d.b.claim.value} == {11000, 1500}
        # Speakers are grouped across articles as corpus entities, with their roles.
        mathers = next(s for s in detail.speakers if s.speaker == "Jenny Mathers")
        assert mathers.entity is not None and mathers.roles

        # The corpus entity, its quotes counted once (the copy repeats them).
        (entity,) = store.connections.find_entities("mathers")
        assert entity.name == "Jenny Mathers"
        found = entity_detail(store, entity.id)
        assert {a for a, _ in found.quotes} == {group.original}
        assert len(found.quotes) == 7
        assert [s.id for s in found.stories] == [story.id]
        assert store.connections.find_entities("100%_") == []


def test_an_unconnected_database_is_connected_when_first_read(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        _ingest(store, tmp_path / "pages", chile1=CHILE_1, chile2=CHILE_2)
        assert store.connections.unconnected() == 2
        (story,) = stories(store)
        assert story.articles == 2 and story.first is None
        assert store.connections.unconnected() == 0
        with pytest.raises(KeyError):
            story_detail(store, "s999")


def test_story_events_name_each_kind_of_change() -> None:
    before = {"a": "s1", "b": "s1", "c": "s2", "d": "s3", "e": "s3", "f": "s3"}
    after = {
        "a": "s1", "b": "s1", "c": "s1",  # s2 gone into s1: merged
        "d": "s3", "e": "s4", "f": "s4",  # two of s3 in a new story: split off
        "g": "s5", "h": "s5",  # two new articles, one new story: started then joined
        "i": "s3",  # a new article in an old story: joined
    }  # fmt: skip
    found = story_events(before, after)
    events = {(e.kind, e.story, e.other, e.article, e.articles) for e in found}
    assert events == {
        ("merge", "s1", "s2", None, 1),
        ("split", "s4", "s3", None, 2),
        ("start", "s5", None, "g", 1),
        ("join", "s5", None, "h", 1),
        ("join", "s3", None, "i", 1),
    }
    moved = story_events({"a": "s1", "b": "s1", "c": "s2"}, {"a": "s1", "b": "s2", "c": "s2"})
    assert [(e.kind, e.story, e.other) for e in moved] == [("move", "s2", "s1")]
