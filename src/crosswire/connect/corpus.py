"""Views over the connected store: one story's detail (timeline, claims lined up with their
disagreements, who said what, copies, history) and one corpus entity's quotes and claims.

They read what :func:`crosswire.connect.update.connect` stored, running it first when some
stored article is in no story yet, and only load the articles they show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crosswire.connect.entities import CorpusEntity
from crosswire.connect.lineup import Measure, line_up
from crosswire.connect.update import Progress, ensure_connected, sourced_claims
from crosswire.records import (
    Article,
    Claim,
    Quote,
    Reading,
    StoryEvent,
    StorySummary,
)
from crosswire.store.connections import CopyOf
from crosswire.store.sqlite import Store

__all__ = [
    "EntityDetail",
    "SpeakerQuotes",
    "StoryDetail",
    "entity_detail",
    "stories",
    "story_detail",
]


@dataclass(slots=True)
class SpeakerQuotes:
    """Everything one speaker is quoted saying in a story."""

    speaker: str
    entity: str | None = None
    """The speaker's corpus entity id, when the speaker is a named entity."""
    roles: list[str] = field(default_factory=list)
    """Roles the articles give the speaker ("NATO chief"), most used first."""
    quotes: list[tuple[str, Quote]] = field(default_factory=list)
    """``(article id, quote)`` pairs in timeline order."""


@dataclass(slots=True)
class StoryDetail:
    story: StorySummary
    members: list[str]
    """The story's article ids in arrival order."""
    timeline: list[Article]
    """The story's articles by publication date (undated last)."""
    readings: dict[str, Reading]
    measures: list[Measure]
    speakers: list[SpeakerQuotes]
    copies: dict[str, CopyOf]
    """The story's articles that are in a copy group, with their original."""
    events: list[StoryEvent]
    names: dict[str, str]
    """Corpus entity id → name, for every corpus entity the story's articles name."""

    def claimant(self, article_id: str, claim: Claim) -> str:
        """Who makes ``claim``: the claimant's name, else the outlet's voice."""
        reading = self.readings.get(article_id)
        if reading is not None and claim.claimant:
            for e in reading.entities:
                if e.id == claim.claimant:
                    return e.name
        return claim.claimant_name or "(the article)"


@dataclass(slots=True)
class EntityDetail:
    entity: CorpusEntity
    quotes: list[tuple[str, Quote]]
    """What the entity is quoted saying, ``(article id, quote)``."""
    claims: list[tuple[str, Claim]]
    """Numbers the entity puts forward, or whose sentence names it."""
    stories: list[StorySummary]


def stories(
    store: Store, limit: int | None = None, offset: int = 0, progress: Progress | None = None
) -> list[StorySummary]:
    """Stored stories, largest first, connecting new articles first if there are any."""
    ensure_connected(store, progress)
    return store.connections.stories(limit, offset)


def story_detail(
    store: Store, story_id: str, progress: Progress | None = None, *, connect: bool = True
) -> StoryDetail:
    """Everything about one story; ``KeyError`` if there is no such story. ``connect=False``
    reads what is stored without connecting new articles first (a server's read path)."""
    if connect:
        ensure_connected(store, progress)
    tables = store.connections
    story = tables.story(story_id)
    if story is None:
        raise KeyError(story_id)
    members = tables.members(story_id)
    articles = [store.get(a) for a in members]
    timeline = sorted(articles, key=lambda a: (a.published is None, a.published or "", a.id))
    readings = {a.id: r for a in timeline if (r := store.reading(a.id)) is not None}
    copies = tables.originals(members)
    original = {a: c.original for a, c in copies.items() if c.original != a}
    corpus_ids = {a.id: tables.links(a.id) for a in timeline}
    claims = {a: r.claims for a, r in readings.items()}
    outlets = {a.id: a.original_site or a.site for a in timeline}
    measures = line_up(
        sourced_claims([a.id for a in timeline], original, claims, outlets, corpus_ids)
    )
    names: dict[str, str] = {}
    for ids in corpus_ids.values():
        for cid in ids.values():
            if cid not in names:
                entity = tables.entity(cid)
                if entity is not None:
                    names[cid] = entity.name
    speakers = _speakers(timeline, readings, corpus_ids, names)
    return StoryDetail(
        story,
        members,
        timeline,
        readings,
        measures,
        speakers,
        copies,
        tables.events(story_id),
        names,
    )


def _speakers(
    timeline: list[Article],
    readings: dict[str, Reading],
    corpus_ids: dict[str, dict[str, str]],
    names: dict[str, str],
) -> list[SpeakerQuotes]:
    # One speaker across articles is one corpus entity, whatever each article calls them.
    speakers: dict[str, SpeakerQuotes] = {}
    roles: dict[str, dict[str, int]] = {}
    for a in timeline:
        reading = readings.get(a.id)
        if reading is None:
            continue
        local = {e.id: e for e in reading.entities}
        for q in reading.quotes:
            entity = local.get(q.speaker or "")
            cid = corpus_ids[a.id].get(entity.id) if entity is not None else None
            who = names.get(cid or "") or (entity.name if entity else None) or q.speaker_name
            if not who:
                continue
            key = cid or f"name:{who}"
            sq = speakers.setdefault(key, SpeakerQuotes(who, cid))
            sq.quotes.append((a.id, q))
            if entity is not None:
                counts = roles.setdefault(key, {})
                for r in entity.roles:
                    counts[r.text] = counts.get(r.text, 0) + 1
    for key, sq in speakers.items():
        counts = roles.get(key, {})
        sq.roles = sorted(counts, key=lambda t: (-counts[t], t))
    return sorted(speakers.values(), key=lambda s: (-len(s.quotes), s.speaker))


def entity_detail(
    store: Store, corpus_id: str, progress: Progress | None = None, *, connect: bool = True
) -> EntityDetail:
    """One corpus entity with its quotes and claims across stories; ``KeyError`` if unknown."""
    if connect:
        ensure_connected(store, progress)
    tables = store.connections
    entity = tables.entity(corpus_id)
    if entity is None:
        raise KeyError(corpus_id)
    quotes: list[tuple[str, Quote]] = []
    claims: list[tuple[str, Claim]] = []
    local: dict[str, set[str]] = {}
    for article_id, entity_id in tables.linked(corpus_id):
        local.setdefault(article_id, set()).add(entity_id)
    copies = tables.originals(entity.articles)
    for article_id in entity.articles:
        if article_id in copies and copies[article_id].original != article_id:
            continue  # a copy repeats its original's quotes and numbers
        reading = store.reading(article_id)
        if reading is None:
            continue
        own = local.get(article_id, set())
        spans = [(m.start, m.end) for e in reading.entities if e.id in own for m in e.mentions]
        quotes.extend((article_id, q) for q in reading.quotes if q.speaker in own)
        for c in reading.claims:
            about = any(c.sentence_start <= s and e <= c.sentence_end for s, e in spans)
            if c.claimant in own or about:
                claims.append((article_id, c))
    story_ids = dict.fromkeys(tables.story_of(a) for a in entity.articles)
    found = [s for sid in story_ids if sid is not None and (s := tables.story(sid)) is not None]
    return EntityDetail(entity, quotes, claims, found)
