"""The connect stage with a time window: only the stories near the new articles are taken back,
everything older stays in the store as it was, and the result matches a full run where the
window covers everything."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosswire.connect import update
from crosswire.connect.update import connect
from crosswire.connect.window import day_of, spans
from crosswire.pipeline import Options, ingest
from crosswire.store.migrations import ENTITY_STORIES
from crosswire.store.store import Store

CHILE_1 = (
    "Magnitude 7.4 earthquake strikes northern Chile near Antofagasta",
    "A magnitude 7.4 earthquake struck northern Chile on Monday near the port city of "
    "Antofagasta, killing at least 12 people, Chile's emergency office ONEMI said. "
    "Interior Minister Carolina Toha said rescuers were searching collapsed homes in "
    "Antofagasta and Calama.",
)
CHILE_2 = (
    "Chile quake death toll rises as Antofagasta digs out",
    "Rescuers in Antofagasta pulled survivors from the rubble on Tuesday after Monday's "
    "magnitude 7.4 earthquake in northern Chile, ONEMI said, raising the toll to 15. "
    "Interior Minister Carolina Toha said aid was reaching Calama.",
)
BUDGET_1 = (
    "Parliament passes Norway's budget after late-night talks",
    "Norway's parliament passed the 2025 budget on Friday after the Labour government "
    "reached a deal with the Centre Party, finance minister Trygve Slagsvold Vedum said. "
    "Visiting Chilean minister Carolina Toha watched from the gallery.",
)
BUDGET_2 = (
    "Norway budget deal: what the Centre Party won",
    "The Centre Party won higher farm subsidies in the 2025 budget deal that Norway's "
    "parliament passed on Friday, finance minister Trygve Slagsvold Vedum told reporters "
    "in Oslo after the Labour government agreed to the changes.",
)
FLOOD = (
    "Floods force thousands from their homes in Valencia",
    "Flash floods in Valencia forced 4,000 people from their homes on Wednesday, Spain's "
    "emergency services said, as the regional president Carlos Mazon asked for army help. "
    "Rivers rose two metres in six hours.",
)


def _page(title: str, body: str, day: str, site: str, slug: str) -> str:
    return (
        f'<html><head><title>{title}</title><meta property="article:published_time" '
        f'content="{day}T10:00:00Z"><link rel="canonical" href="https://{site}/{slug}">'
        f"</head><body><article><h1>{title}</h1><p>{body}</p><p>{body}</p></article>"
        "</body></html>"
    )


Pages = dict[str, tuple[tuple[str, str], str, str]]


def write_pages(folder: Path, pages: Pages) -> list[str]:
    """HTML files of ``pages`` (name → (title, body), day, site) in ``folder``."""
    folder.mkdir(exist_ok=True)
    paths = []
    for name, ((title, body), day, site) in pages.items():
        path = folder / f"{name}.html"
        path.write_text(_page(title, body, day, site, name), encoding="utf-8")
        paths.append(str(path))
    return paths


def _ingest(store: Store, folder: Path, pages: Pages) -> None:
    summary = ingest(write_pages(folder, pages), store, Options(read=True))
    assert summary.failed == 0


RUNS: list[Pages] = [
    {
        "budget1": (BUDGET_1, "2024-01-12", "nrk.no"),
        "chile1": (CHILE_1, "2024-03-04", "reuters.com"),
    },
    {"chile2": (CHILE_2, "2024-03-05", "apnews.com")},
    {"chile1-copy": (CHILE_1, "2024-09-01", "scraper.example")},
    {"budget2": (BUDGET_2, "2024-01-13", "vg.no"), "flood": (FLOOD, "2024-09-02", "elpais.com")},
]


def _id(store: Store, title: str, site: str | None = None) -> str:
    rows = store.db.execute("SELECT id, site FROM articles WHERE title = ?", (title,)).fetchall()
    return next(r[0] for r in rows if site is None or r[1] == site)


def test_spans_merge_the_days_near_new_articles() -> None:
    days = [day_of("2024-03-05T10:00:00", "2026-11-25T00:00:00"), day_of(None, "2024-03-20T9")]
    assert spans(days, 7) == [("2024-02-27", "2024-03-27")]
    assert spans(days, 2) == [("2024-03-03", "2024-03-07"), ("2024-03-18", "2024-03-22")]
    assert day_of("not a date", "2024-01-02T00:00:00") == day_of(None, "2024-01-02")


def test_a_window_takes_back_only_the_stories_near_the_new_articles(tmp_path: Path) -> None:
    with Store(tmp_path / "w.db") as store:
        _ingest(store, tmp_path / "r0", RUNS[0])
        first = connect(store, window=14)
        assert (first.new, first.replayed, first.stories) == (2, 2, 2)
        budget1, chile1 = _id(store, BUDGET_1[0]), _id(store, CHILE_1[0])
        budget_story = store.connections.story_of(budget1)
        chile_story = store.connections.story_of(chile1)
        frozen = store.connections.story(budget_story)
        toha = store.connections.links(chile1)
        toha_ids = set(toha.values()) & set(store.connections.links(budget1).values())
        assert len(toha_ids) == 1  # one Carolina Toha across both articles

        # A day later in March: the Chile story is open again, the January budget is not.
        _ingest(store, tmp_path / "r1", RUNS[1])
        second = connect(store, window=14)
        assert (second.new, second.replayed, dict(second.events)) == (1, 2, {"join": 1})
        chile2 = _id(store, CHILE_2[0])
        assert store.connections.story_of(chile2) == chile_story
        assert store.connections.story(budget_story) == frozen
        # The frozen budget article and the new one still name the same corpus entity.
        (toha_id,) = toha_ids
        assert toha_id in store.connections.links(chile2).values()
        assert toha_id in store.connections.links(budget1).values()
        entity = store.connections.entity(toha_id)
        assert entity is not None and set(entity.articles) == {budget1, chile1, chile2}

        # Months later, a scraper's copy of the March article: the March story is closed, but
        # the copy is found through the stored text, and it starts a story of its own.
        _ingest(store, tmp_path / "r2", RUNS[2])
        third = connect(store, window=14)
        copy = _id(store, CHILE_1[0], "scraper.example")
        assert third.replayed == 2  # the copy and its original, nothing else
        assert store.connections.originals([copy])[copy].original == chile1
        new_story = store.connections.story_of(copy)
        assert new_story not in (chile_story, budget_story)
        assert int(new_story[1:]) > max(int(chile_story[1:]), int(budget_story[1:]))
        assert store.connections.story(chile_story).articles == 2  # type: ignore[union-attr]

        # A late article dated in January reopens the budget story and joins it; the flood
        # goes with nothing.
        _ingest(store, tmp_path / "r3", RUNS[3])
        fourth = connect(store, window=14)
        assert fourth.new == 2
        assert store.connections.story_of(_id(store, BUDGET_2[0])) == budget_story
        assert store.connections.story_of(_id(store, FLOOD[0])) not in (
            budget_story,
            chile_story,
            new_story,
        )
        assert store.connections.unconnected() == 0
        assert store.integrity_check() == "ok"
        seqs = [r[0] for r in store.db.execute("SELECT seq FROM story_articles")]
        assert len(seqs) == len(set(seqs)) == 6
        # The stories naming each entity, kept run by run, are what a rebuild would give.
        kept = sorted(tuple(r) for r in store.db.execute("SELECT * FROM entity_stories"))
        store.db.execute("DELETE FROM entity_stories")
        store.db.execute(ENTITY_STORIES)
        assert kept == sorted(tuple(r) for r in store.db.execute("SELECT * FROM entity_stories"))
        assert len(kept) > 20


def partition(store: Store, sql: str) -> set[frozenset[object]]:
    """Groups of the rows of ``sql`` by their last column (ids aside: what is grouped)."""
    groups: dict[object, set[object]] = {}
    for r in store.db.execute(sql):
        groups.setdefault(r[-1], set()).add(tuple(r[:-1]) if len(r) > 2 else r[0])
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize("window", [14, 3650])
def test_a_window_gives_what_a_full_run_gives_when_news_is_local_in_time(
    tmp_path: Path, window: int
) -> None:
    # Every run here has its articles near each other in time (or far from all the others), so
    # what a window leaves out could not have joined: stories, copies and entities are the
    # same as a full run's, ids aside; and so they are when the window spans everything.
    results = []
    for name, win in (("full", None), ("windowed", window)):
        with Store(tmp_path / f"{name}.db") as store:
            for i, run in enumerate(RUNS):
                _ingest(store, tmp_path / f"{name}{i}", run)
                connect(store, window=win)
            results.append(
                (
                    partition(store, "SELECT article_id, story_id FROM story_articles"),
                    [
                        (r[0], r[1])
                        for r in store.db.execute(
                            "SELECT a.title || a.site, o.title || o.site FROM copies c "
                            "JOIN articles a ON a.id = c.article_id "
                            "JOIN articles o ON o.id = c.original_id"
                        )
                    ],
                    partition(store, "SELECT article_id, entity_id, corpus_id FROM entity_links"),
                    sorted(
                        (r[0], r[1], r[2])
                        for r in store.db.execute(
                            "SELECT name, articles, mentions FROM corpus_entities"
                        )
                    ),
                )
            )
    assert results[0] == results[1]
    stories, copies, links, _ = results[0]
    assert len(stories) == 4 and len(copies) == 1
    assert max(len(g) for g in links) == 4  # Carolina Toha, in four articles


def test_an_archive_connected_at_once_goes_slice_by_slice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(update, "SLICE_ARTICLES", 2)
    pages = {name: page for run in RUNS for name, page in run.items()}
    with Store(tmp_path / "a.db") as store:
        _ingest(store, tmp_path / "all", pages)
        summary = connect(store, window=14)
        # Three slices (January, March, September), each taking back only its own articles,
        # and the September copy's March original.
        assert (summary.new, summary.replayed, summary.stories) == (6, 7, 4)
        assert summary.copies == 1
        assert len(summary.events) and sum(summary.events.values()) == 6
        assert store.connections.unconnected() == 0
        chile = store.connections.story_of(_id(store, CHILE_1[0], "reuters.com"))
        assert store.connections.story_of(_id(store, CHILE_2[0])) == chile
        budget = store.connections.story_of(_id(store, BUDGET_1[0]))
        assert store.connections.story_of(_id(store, BUDGET_2[0])) == budget


def test_a_negative_window_is_refused(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store, pytest.raises(ValueError, match="days"):
        connect(store, window=-1)
