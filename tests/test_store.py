"""The SQLite store: migrations, idempotent saves keyed by content hash, round-trips."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crosswire.errors import StoreError
from crosswire.records import (
    Article,
    Claim,
    Document,
    Duplicate,
    Entity,
    Failure,
    Mention,
    Paragraph,
    Place,
    Quote,
    Reading,
    Removed,
    TimeExpression,
    article_id,
)
from crosswire.store.migrations import MIGRATIONS
from crosswire.store.store import Store


def _article(content: bytes = b"<p>page</p>", source: str = "a.html") -> Article:
    doc = Document(source=source, content=content)
    a = Article(
        id=article_id(doc.content_hash),
        source=source,
        title="North Korea sends troops",
        original_url="https://www.abc.net.au/news/2024-10-23/x/1",
        original_site="abc.net.au",
        published="2024-10-23",
        language="en",
        paragraphs=[
            Paragraph("North Korea sends troops", "title"),
            Paragraph("Seoul warned Moscow.", "summary"),
            Paragraph("Seoul warned Moscow on Monday.", "body"),
        ],
        removed=[Removed("下一篇: another story", "next-article link", 60)],
        duplicates=[Duplicate(1, 2, 0.9)],
        content_hash=doc.content_hash,
    )
    a.set_offsets()
    return a


def test_schema_is_versioned(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        rows = store.db.execute("SELECT version FROM schema_migrations").fetchall()
        assert [r[0] for r in rows] == [m.version for m in MIGRATIONS]
        mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'now')")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open database"):
        Store(path)


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    original = _article()
    with Store(tmp_path / "x.db") as store:
        assert store.save(original) == "new"
        back = store.get(original.id)
    assert back.to_dict() == original.to_dict()


def test_same_page_twice_changes_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        assert store.save(_article()) == "new"
        before = store.counts()
        assert store.save(_article()) == "known"
        assert store.counts() == before


def test_same_page_from_two_locations_is_one_article_two_sources(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        store.save(_article(source="a.html"))
        assert store.save(_article(source="mirror/a.html")) == "known"
        counts = store.counts()
        assert counts["articles"] == 1
        assert counts["sources"] == 2
        assert [s["location"] for s in store.sources_of(_article().id)] == [
            "a.html",
            "mirror/a.html",
        ]


def test_failures_are_recorded_once_and_cleared_on_success(tmp_path: Path) -> None:
    a = _article()
    with Store(tmp_path / "x.db") as store:
        store.record_failure(Failure(a.source, "timed out", a.content_hash))
        store.record_failure(Failure(a.source, "timed out again", a.content_hash))
        assert store.counts()["failures"] == 1
        store.save(a)
        assert store.counts()["failures"] == 0


def test_id_prefix_resolution(tmp_path: Path) -> None:
    a = _article()
    with Store(tmp_path / "x.db") as store:
        store.save(a)
        assert store.resolve_id(a.id[:6]) == a.id
        with pytest.raises(KeyError):
            store.resolve_id("zzzz")


def test_rollback_leaves_no_partial_article(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        store.begin()
        store.save(_article())
        store.rollback()
        assert store.counts()["articles"] == 0
        assert store.integrity_check() == "ok"


def test_hostile_text_is_stored_verbatim_not_executed(tmp_path: Path) -> None:
    a = _article()
    a.title = "x'); DROP TABLE articles; --"
    with Store(tmp_path / "x.db") as store:
        store.save(a)
        assert store.get(a.id).title == a.title
        assert store.counts()["articles"] == 1


def test_interrupt_mid_article_keeps_the_batch_but_not_the_half_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _article(b"<p>one</p>", "one.html")
    second = _article(b"<p>two</p>", "two.html")
    real_save = Store._save

    def interrupted(self: Store, a: Article) -> str:
        real_save(self, a)  # every row written ...
        raise KeyboardInterrupt  # ... then Ctrl-C before the savepoint is released

    with Store(tmp_path / "x.db") as store:
        store.begin()
        store.save(first)
        monkeypatch.setattr(Store, "_save", interrupted)
        with pytest.raises(KeyboardInterrupt):
            store.save(second)
        store.commit()
        monkeypatch.undo()
        assert store.counts()["articles"] == 1
        assert (
            store.db.execute(
                "SELECT count(*) FROM paragraphs WHERE article_id = ?", (second.id,)
            ).fetchone()[0]
            == 0
        )
        assert store.get(first.id).title == first.title
        assert store.integrity_check() == "ok"


def _reading(a: Article) -> Reading:
    text = a.text
    at = text.find("Seoul")
    return Reading(
        entities=[
            Entity(
                id="e1",
                name="South Korea",
                type="GPE",
                aliases=["Seoul"],
                roles=[],
                mentions=[Mention(at, at + 5, "Seoul")],
            )
        ],
        quotes=[
            Quote(
                kind="indirect",
                text="Moscow",
                start=text.find("Moscow"),
                end=text.find("Moscow") + 6,
                speaker="e1",
                speaker_name="Seoul",
                speaker_start=at,
                speaker_end=at + 5,
                cue="warned",
                cue_start=text.find("warned"),
                cue_end=text.find("warned") + 6,
            )
        ],
    )


def test_reading_round_trips(tmp_path: Path) -> None:
    a = _article()
    a.reading = _reading(a)
    at = a.text.find("Monday")
    a.reading.times = [
        TimeExpression("on Monday", at - 3, at + 6, "2024-10-21", "day"),
        TimeExpression("last week", 0, 9, "2024-W42", "week", ("2024-10-14", "2024-10-20")),
    ]
    mention = a.reading.entities[0].mentions[0]
    a.reading.places = [Place("Seoul", 37.57, 126.98, "KR", "city", "e1", (mention,))]
    a.reading.claims = [
        Claim(
            value=1500.0,
            low=1500.0,
            high=1500.0,
            vague=None,
            approx="about",
            change="~",
            unit="troops",
            measure="special forces troops",
            measure_key="special force troop",
            aspect="were already in Russia",
            status="done",
            claimant="e1",
            claimant_name="Seoul",
            time="2024-10-21",
            text="about 1,500",
            start=0,
            end=11,
            sentence="Seoul warned Moscow on Monday.",
            sentence_start=0,
            sentence_end=30,
        )
    ]
    with Store(tmp_path / "x.db") as store:
        assert store.save(a) == "new"
        assert store.reading(a.id) == a.reading


def test_reading_is_added_to_an_article_stored_without_one(tmp_path: Path) -> None:
    a = _article()
    with Store(tmp_path / "x.db") as store:
        store.save(a)
        assert store.reading(a.id) is None
        a.reading = _reading(a)
        assert store.save(a) == "known"
        assert store.reading(a.id) == a.reading
        # Saving again neither duplicates nor loses anything.
        store.save(a)
        assert store.db.execute("SELECT count(*) FROM quotes").fetchone()[0] == 1
        assert store.db.execute("SELECT count(*) FROM entity_spans").fetchone()[0] == 1


def test_v1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    with Store(path) as store:
        store.save(_article())
        store.db.execute("DROP TABLE quotes")
        store.db.execute("DROP TABLE entity_spans")
        store.db.execute("DROP TABLE entities")
        store.db.execute("DROP TABLE readings")
        store.db.execute("DELETE FROM schema_migrations WHERE version = 2")
    with Store(path) as store:
        assert store.counts()["articles"] == 1
        assert store.reading(_article().id) is None
