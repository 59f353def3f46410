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
from crosswire.store.store import Store

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
    limited: bool = False
    """Whether the timeline has only some of the story's articles (``limit``); ``members``
    has all of them."""
    events_total: int = 0
    """How many events the story's history has (``events`` keeps the first ``limit`` joins)."""

    local_names: dict[str, dict[str, str]] = field(default_factory=dict)
    """Article id → its entity ids → names, filled as :meth:`claimant` needs them."""

    def claimant(self, article_id: str, claim: Claim) -> str:
        """Who makes ``claim``: the claimant's name, else the outlet's voice."""
        if claim.claimant:
            names = self.local_names.get(article_id)
            if names is None:
                # Once per article: a page asks this for every claim of the story.
                reading = self.readings.get(article_id)
                entities = reading.entities if reading is not None else []
                names = self.local_names[article_id] = {e.id: e.name for e in entities}
            if claim.claimant in names:
                return names[claim.claimant]
        return claim.claimant_name or "(the article)"


@dataclass(slots=True)
class EntityDetail:
    entity: CorpusEntity
    quotes: list[tuple[str, Quote]]
    """What the entity is quoted saying, ``(article id, quote)``."""
    claims: list[tuple[str, Claim]]
    """Numbers the entity puts forward, or whose sentence names it."""
    stories: list[StorySummary]
    limited: bool = False
    """Whether only some of the articles naming it were read (``limit``), or only some of its
    stories listed: :attr:`stories_total` has how many there are."""
    stories_total: int = 0
    articles_total: int = 0
    """How many articles name it (``entity.articles`` holds at most ``limit`` of them)."""


def stories(
    store: Store, limit: int | None = None, offset: int = 0, progress: Progress | None = None
) -> list[StorySummary]:
    """Stored stories, largest first, connecting new articles first if there are any."""
    ensure_connected(store, progress)
    return store.connections.stories(limit, offset)


def story_detail(
    store: Store,
    story_id: str,
    progress: Progress | None = None,
    *,
    connect: bool = True,
    limit: int | None = None,
) -> StoryDetail:
    """Everything about one story; ``KeyError`` if there is no such story. ``connect=False``
    reads what is stored without connecting new articles first (a server's read path).

    ``limit`` bounds the work for a server (a wire story can have thousands of articles, and
    loading one with its reading costs a dozen queries, or hundreds of rows for a page full of
    numbers): the timeline has at most ``limit`` articles, originals before copies, each by
    date, with their metadata and no text, and one article per text is read: the original, or
    the first copy when the original is in another story (a copy repeats its original's quotes
    and numbers, and never counts as a second source). ``copies`` then covers the timeline's
    articles, and ``events`` every split, merge and move but only the first ``limit`` joins."""
    if connect:
        ensure_connected(store, progress)
    tables = store.connections
    story = tables.story(story_id)
    if story is None:
        raise KeyError(story_id)
    members = tables.members(story_id)
    if limit is None:
        copies = tables.originals(members)
        original = {a: c.original for a, c in copies.items() if c.original != a}
        articles = [store.get(a) for a in members]
        skip: set[str] = set()
        events = tables.events(story_id)
    else:
        shown = tables.first_articles(story_id, limit)
        copies = tables.copy_places(shown)
        original = {a: c.original for a, c in copies.items() if c.original != a}
        briefs = tables.briefs(shown)
        articles = [_brief_article(a, briefs[a]) for a in shown if a in briefs]
        # One article per text is read: the original, or the first copy of an original that is
        # not in this story.
        texts: set[str] = set()
        skip = set()
        for a in shown:
            if original.get(a, a) in texts:
                skip.add(a)
            texts.add(original.get(a, a))
        events, events_total = tables.history(story_id, limit)
    timeline = sorted(articles, key=lambda a: (a.published is None, a.published or "", a.id))
    readings = {
        a.id: r for a in timeline if a.id not in skip and (r := store.reading(a.id)) is not None
    }
    corpus_ids = {a.id: tables.links(a.id) for a in timeline}
    claims = {a: r.claims for a, r in readings.items()}
    outlets = {a.id: a.original_site or a.site for a in timeline}
    measures = line_up(
        sourced_claims([a.id for a in timeline], original, claims, outlets, corpus_ids)
    )
    names = tables.entity_names({cid for ids in corpus_ids.values() for cid in ids.values()})
    speakers = _speakers(timeline, readings, corpus_ids, names)
    return StoryDetail(
        story,
        members,
        timeline,
        readings,
        measures,
        speakers,
        copies,
        events,
        names,
        limited=len(timeline) < len(members),
        events_total=len(events) if limit is None else events_total,
    )


def _brief_article(article_id: str, brief: dict[str, str | None]) -> Article:
    """An article with the metadata a timeline shows and no text."""
    return Article(
        id=article_id,
        source=brief["source"] or "",
        title=brief["title"],
        published=brief["published"],
        site=brief["site"],
        original_site=brief["original_site"],
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
    store: Store,
    corpus_id: str,
    progress: Progress | None = None,
    *,
    connect: bool = True,
    limit: int | None = None,
) -> EntityDetail:
    """One corpus entity with its quotes and claims across stories; ``KeyError`` if unknown.

    ``limit`` caps the work for an entity named in thousands of articles: how many article ids
    the entity lists, how many articles are read for quotes and numbers (the first ones that
    copy no other, in arrival order) and how many of its stories are listed."""
    if connect:
        ensure_connected(store, progress)
    tables = store.connections
    entity = tables.entity(corpus_id, limit)
    if entity is None:
        raise KeyError(corpus_id)
    quotes: list[tuple[str, Quote]] = []
    claims: list[tuple[str, Claim]] = []
    # A copy repeats its original's quotes and numbers, so only originals are read.
    originals = tables.naming(corpus_id, None if limit is None else limit + 1, originals=True)
    limited = limit is not None and len(originals) > limit
    for article_id in originals[:limit]:
        reading = store.reading(article_id)
        if reading is None:
            continue
        own = {e for e, c in tables.links(article_id).items() if c == corpus_id}
        spans = [(m.start, m.end) for e in reading.entities if e.id in own for m in e.mentions]
        quotes.extend((article_id, q) for q in reading.quotes if q.speaker in own)
        for c in reading.claims:
            about = any(c.sentence_start <= s and e <= c.sentence_end for s, e in spans)
            if c.claimant in own or about:
                claims.append((article_id, c))
    found, total = tables.stories_naming(corpus_id, limit)
    named = tables.naming_count(corpus_id)
    return EntityDetail(
        entity,
        quotes,
        claims,
        found,
        limited=limited or len(found) < total or len(entity.articles) < named,
        stories_total=total,
        articles_total=named,
    )
