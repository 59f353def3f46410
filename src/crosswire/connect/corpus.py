"""Stories over the stored corpus, and one story's detail: timeline, claims lined up with their
disagreements, and who said what; copies of one article are found first, so that a copy never
counts as a second source for a claim.

Stories are computed from the store on demand, replaying articles in the order they were first
stored, so the same database always gives the same stories and story ids. (Keeping the grouper's
state in the store, so that ingestion assigns stories as articles arrive, is the next step.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from crosswire.connect.copies import CopyIndex
from crosswire.connect.features import story_input
from crosswire.connect.lineup import Measure, SourcedClaim, line_up
from crosswire.connect.stories import Story, StoryGrouper
from crosswire.records import Article, Quote, Reading
from crosswire.store.sqlite import Store


@dataclass(slots=True)
class Corpus:
    """Stored articles, their readings and the stories they form."""

    stories: list[Story]
    articles: dict[str, Article]
    readings: dict[str, Reading]
    copies: CopyIndex


@dataclass(slots=True)
class SpeakerQuotes:
    """Everything one speaker is quoted saying in a story."""

    speaker: str
    quotes: list[tuple[str, Quote]] = field(default_factory=list)
    """``(article id, quote)`` pairs in timeline order."""


@dataclass(slots=True)
class StoryDetail:
    story: Story
    timeline: list[Article]
    measures: list[Measure]
    speakers: list[SpeakerQuotes]


def _stored(store: Store) -> Iterator[tuple[Article, Reading | None]]:
    for article in store.iter_in_arrival_order():
        yield article, store.reading(article.id)


def build_corpus(store: Store) -> Corpus:
    """Group every stored article into stories."""
    grouper = StoryGrouper()
    copies = CopyIndex()
    articles: dict[str, Article] = {}
    readings: dict[str, Reading] = {}
    for article, reading in _stored(store):
        articles[article.id] = article
        copies.add(article)
        if reading is not None:
            readings[article.id] = reading
        source = article.original_site or article.site or article.source
        grouper.add(story_input(article.id, article.text, reading, article.published, source))
    if articles:
        grouper.regroup()
    return Corpus(grouper.stories(), articles, readings, copies)


def story_detail(corpus: Corpus, story_id: str) -> StoryDetail:
    """The timeline, lined-up claims and speakers of one story; ``KeyError`` if unknown."""
    story = next((s for s in corpus.stories if s.id == story_id), None)
    if story is None:
        raise KeyError(story_id)
    timeline = sorted(
        (corpus.articles[a] for a in story.articles),
        key=lambda a: (a.published is None, a.published or "", a.id),
    )
    # A copy repeats its original's claims: only originals (and articles with no copy) count.
    claims = [
        SourcedClaim(a.id, c, a.original_site or a.site)
        for a in timeline
        if corpus.copies.original_of(a.id) == a.id
        for c in (corpus.readings[a.id].claims if a.id in corpus.readings else [])
    ]
    speakers: dict[str, SpeakerQuotes] = {}
    for a in timeline:
        reading = corpus.readings.get(a.id)
        if reading is None:
            continue
        names = {e.id: e.name for e in reading.entities}
        for q in reading.quotes:
            who = names.get(q.speaker or "") or q.speaker_name
            if who:
                speakers.setdefault(who, SpeakerQuotes(who)).quotes.append((a.id, q))
    ranked = sorted(speakers.values(), key=lambda s: -len(s.quotes))
    return StoryDetail(story, timeline, line_up(claims), ranked)
