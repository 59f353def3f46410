"""The connect stage over the store: bring stories, copies and corpus entities up to date with the
stored articles, and record how the stories changed.

Stories are incremental across runs. The articles grouped by earlier runs are restored into the
grouper with the stories they are in (:meth:`StoryGrouper.restore`: no article is compared
again), and the new ones, in the order they were stored, join one of those stories or start
their own. A regroup (which can split, merge and move, see :mod:`crosswire.connect.stories`)
follows each run on corpora up to :data:`REGROUP_UP_TO` articles; above that, it comes each time
the corpus doubles. Every change is an event in the store's ``story_events``: an article
starting or joining a story, articles moved, a story split off another, two stories merged.

Copies and corpus entities are recomputed over all stored articles in their arrival order: a new
article can change which article of a group is the original (it may be the one the copies name),
or join two entities. Both indexes are deterministic in that order, so ids stay stable.

That replays every stored article on every run, so memory and time grow with the store. With a
``window`` of days (:mod:`crosswire.connect.window`), a run takes back only the stories whose
dates come within the window of a new article, with their articles; the copies are found among
those articles, the originals their stored copies name and any stored article with the same text;
the corpus entities link through the stored ones. Everything else stays in the store as it is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from crosswire.connect.copies import CopyIndex
from crosswire.connect.entities import EntityIndex
from crosswire.connect.features import StoryInput, story_input
from crosswire.connect.lineup import SourcedClaim, line_up
from crosswire.connect.stories import Story, StoryGrouper
from crosswire.connect.window import Relinker, day_of, spans
from crosswire.records import Article, Claim, StoryEvent, StorySummary
from crosswire.store.connections import Connected
from crosswire.store.store import Store
from crosswire.store.windowed import Rewrite, WindowTables

__all__ = [
    "REGROUP_UP_TO",
    "SLICE_ARTICLES",
    "ConnectSummary",
    "connect",
    "ensure_connected",
    "sourced_claims",
    "story_events",
]

#: Up to this many articles, every run ends with a full regroup (a few seconds at this size).
REGROUP_UP_TO = 20_000

#: With a window, new articles are connected in slices of about this many (whole days).
SLICE_ARTICLES = 50_000

Progress = Callable[[int, int], None]
"""Called with (articles done, articles in all) as the stage goes."""


@dataclass(slots=True)
class ConnectSummary:
    articles: int = 0
    new: int = 0
    """Articles put in a story for the first time by this run."""
    stories: int = 0
    copies: int = 0
    """Articles that copy another."""
    entities: int = 0
    events: Counter[str] = field(default_factory=Counter)
    replayed: int = 0
    """Articles this run read back into its indexes (all of them without a window)."""


def _source(article: Article) -> str | None:
    return article.original_site or article.site or article.source


def connect(
    store: Store, progress: Progress | None = None, window: int | None = None
) -> ConnectSummary:
    """Group the stored articles into stories, find copies and link entities across articles,
    and store the results (one transaction).

    ``window`` (days) bounds the run to the stories near the new articles (module docstring);
    ``None`` replays every stored article."""
    if window is not None:
        if window < 0:
            raise ValueError("window must be a number of days, 0 or more")
        return _connect_window(store, window, progress)
    tables = store.connections
    before = tables.assignments()
    total = store.counts()["articles"]
    grouper = StoryGrouper()
    copies = CopyIndex()
    entities = EntityIndex()
    restored: list[tuple[StoryInput, str]] = []
    new: list[StoryInput] = []
    claims: dict[str, list[Claim]] = {}
    outlets: dict[str, str | None] = {}
    links: list[tuple[str, str, str]] = []
    for done, article in enumerate(store.iter_in_arrival_order(), 1):
        reading = store.reading(article.id)
        copies.add(article)
        outlets[article.id] = article.original_site or article.site
        item = story_input(article.id, article.text, reading, article.published, _source(article))
        if article.id in before:
            restored.append((item, before[article.id]))
        else:
            new.append(item)
        if reading is not None:
            entities.add(article.id, reading.entities)
            if reading.claims:
                claims[article.id] = reading.claims
        if progress is not None:
            progress(done, total)
    # Restored in the order they were first grouped, so the next ids and arrival ranks match.
    rank = {a: i for i, a in enumerate(before)}
    restored.sort(key=lambda pair: rank[pair[0].id])
    grouper.restore(restored)
    for item in new:
        grouper.add(item)
    if new and len(rank) + len(new) <= REGROUP_UP_TO:
        grouper.regroup()
    after = grouper.assignments()
    events = story_events(before, after)

    groups = copies.groups()
    original = {link.copy: g.original for g in groups for link in g.copies}
    corpus_ids: dict[str, dict[str, str]] = {}
    for a in after:
        corpus_ids[a] = entities.links(a)
        links.extend((a, local, corpus) for local, corpus in corpus_ids[a].items())
    summaries = [_summary(s, original, claims, outlets, corpus_ids) for s in grouper.stories()]
    corpus_entities = entities.entities()
    store.begin()
    try:
        tables.replace(Connected(after, summaries, events, groups, corpus_entities, links))
        store.commit()
    except BaseException:
        store.rollback()
        raise
    return ConnectSummary(
        articles=len(after),
        new=len(new),
        stories=len(summaries),
        copies=len(original),
        entities=len(corpus_entities),
        events=Counter(e.kind for e in events),
        replayed=total,
    )


def _connect_window(store: Store, window: int, progress: Progress | None) -> ConnectSummary:
    # Many new articles at once (an archive) are connected in slices of their days, oldest
    # first, each its own transaction: what one slice holds is bounded by the slice and the
    # window, however long the archive. Slices are large because each one reads its open
    # stories back: cut by the window, a month would read its stories twice or more.
    tables = WindowTables(store.db)
    new = tables.unconnected()
    dates = tables.dates(new)
    day = {a: day_of(*dates[a]) for a in new}
    total = ConnectSummary(new=len(new))
    done = 0
    for batch in _slices(new, day):
        part = _connect_slice(store, tables, batch, day, dates, window, progress, done, len(new))
        done += len(batch)
        total.replayed += part.replayed
        total.events += part.events
        total.articles, total.stories = part.articles, part.stories
        total.copies, total.entities = part.copies, part.entities
    if not new:
        counts = tables.counts()
        total.articles, total.stories = counts["story_articles"], counts["stories"]
        total.copies, total.entities = counts["copies"], counts["corpus_entities"]
    return total


def _slices(new: list[str], day: Mapping[str, date]) -> list[list[str]]:
    """``new`` cut at day boundaries into slices of about :data:`SLICE_ARTICLES` (a day is
    never cut), oldest days first, each in the order the articles were stored."""
    order = sorted(range(len(new)), key=lambda i: (day[new[i]], i))
    slices: list[list[int]] = []
    last: date | None = None
    for i in order:
        d = day[new[i]]
        if not slices or (d != last and len(slices[-1]) >= SLICE_ARTICLES):
            slices.append([])
        slices[-1].append(i)
        last = d
    return [[new[i] for i in sorted(s)] for s in slices]


def _connect_slice(
    store: Store,
    tables: WindowTables,
    new: list[str],
    day: Mapping[str, date],
    dates: Mapping[str, tuple[str | None, str]],
    window: int,
    progress: Progress | None,
    base: int,
    total: int,
) -> ConnectSummary:
    days = [day[a] for a in new]
    first_stored = min(day_of(None, dates[a][1]) for a in new)
    since = (first_stored - timedelta(days=window)).isoformat()
    members = tables.members(tables.open_stories(spans(days, window), since))
    before = {a: s for a, s, _ in members}
    seqs = {a: q for a, _, q in members}
    seqs.update({a: i for i, a in enumerate(new, tables.next_seq())})
    grouped = [*before, *new]
    extra = (tables.stored_originals(list(before)) | tables.same_text(new)) - set(seqs)
    replay = tables.arrival([*grouped, *sorted(extra)])

    copies = CopyIndex()
    entities = Relinker(tables.stored_entities(), tables.top_number("corpus_entities", "c"))
    items: dict[str, StoryInput] = {}
    claims: dict[str, list[Claim]] = {}
    outlets: dict[str, str | None] = {}
    for done, article_id in enumerate(replay, 1):
        article = store.get(article_id)
        copies.add(article)
        if article_id in seqs:
            reading = store.reading(article_id)
            items[article_id] = story_input(
                article_id, article.text, reading, article.published, _source(article)
            )
            outlets[article_id] = article.original_site or article.site
            entities.add(article_id, reading.entities if reading is not None else [])
            if reading is not None and reading.claims:
                claims[article_id] = reading.claims
        if progress is not None:
            progress(base + len(new) * done // len(replay), total)

    grouper = StoryGrouper()
    grouper.restore(
        [(items[a], before[a]) for a in before], next_id=tables.top_number("stories", "s") + 1
    )
    for a in new:
        grouper.add(items.pop(a))
    items.clear()
    if new and len(grouped) <= REGROUP_UP_TO:
        grouper.regroup()
    after = grouper.assignments()
    events = story_events(before, after)

    groups = copies.groups()
    copies.close()
    original = {link.copy: g.original for g in groups for link in g.copies}
    linked = entities.finish(tables.old_links(list(before)), tables.entity_rows)
    summaries = [_summary(s, original, claims, outlets, linked.links) for s in grouper.stories()]
    rewrite = Rewrite(
        assignments={a: after[a] for a in sorted(after, key=seqs.__getitem__)},
        seqs=seqs,
        stories=summaries,
        open_stories=set(before.values()),
        events=events,
        copy_articles=sorted(set(seqs) | set(original)),
        copies=groups,
        links=[(a, lid, cid) for a, local in linked.links.items() for lid, cid in local.items()],
        entities=linked.entities,
        merged=linked.merged,
    )
    store.begin()
    try:
        tables.rewrite(rewrite)
        store.commit()
    except BaseException:
        store.rollback()
        raise
    counts = tables.counts()
    return ConnectSummary(
        articles=counts["story_articles"],
        new=len(new),
        stories=counts["stories"],
        copies=counts["copies"],
        entities=counts["corpus_entities"],
        events=Counter(e.kind for e in events),
        replayed=len(replay),
    )


def _summary(
    story: Story,
    original: Mapping[str, str],
    claims: Mapping[str, list[Claim]],
    outlets: Mapping[str, str | None],
    corpus_ids: Mapping[str, Mapping[str, str]],
) -> StorySummary:
    sourced = sourced_claims(story.articles, original, claims, outlets, corpus_ids)
    disagreements = sum(len(m.disagreements) for m in line_up(sourced)) if sourced else 0
    return StorySummary(
        id=story.id,
        title=story.title,
        first=story.first,
        last=story.last,
        articles=len(story.articles),
        sources=story.sources,
        entities=story.entities,
        copies=sum(a in original for a in story.articles),
        disagreements=disagreements,
    )


def sourced_claims(
    articles: Iterable[str],
    original: Mapping[str, str],
    claims: Mapping[str, Iterable[Claim]],
    outlets: Mapping[str, str | None],
    corpus_ids: Mapping[str, Mapping[str, str]],
) -> list[SourcedClaim]:
    """The claims of ``articles`` ready to line up: copies left out (a copy repeats its
    original's claims, and must not count as a second source), claimants as corpus entities."""
    return [
        SourcedClaim(a, c, outlets.get(a), corpus_ids.get(a, {}).get(c.claimant or ""))
        for a in articles
        if a not in original
        for c in claims.get(a, ())
    ]


def story_events(before: Mapping[str, str], after: Mapping[str, str]) -> list[StoryEvent]:
    """The changes that lead from one assignment of articles to stories to the next.

    A new article starts a story (the first one in a story id never seen before) or joins one.
    Articles already grouped that changed story are counted per (old, new) pair: a story that is
    gone with all its articles in one other story was merged into it; articles that went to a
    new story id were split off; otherwise they moved.
    """
    events: list[StoryEvent] = []
    old_ids = set(before.values())
    new_ids = set(after.values())
    flows: dict[str, Counter[str]] = defaultdict(Counter)
    for a, old in before.items():
        now = after.get(a)
        if now is not None and now != old:
            flows[old][now] += 1
    for old, targets in flows.items():
        gone = old not in new_ids
        if gone and len(targets) == 1:
            (target,) = targets
            events.append(StoryEvent("merge", target, old, articles=targets[target]))
            continue
        for target, n in targets.items():
            if target in old_ids:
                events.append(StoryEvent("move", target, old, articles=n))
            else:
                events.append(StoryEvent("split", target, old, articles=n))
    started: set[str] = set()
    for a, sid in after.items():
        if a in before:
            continue
        if sid not in old_ids and sid not in started and not _split_target(events, sid):
            started.add(sid)
            events.append(StoryEvent("start", sid, article=a))
        else:
            events.append(StoryEvent("join", sid, article=a))
    return events


def _split_target(events: list[StoryEvent], story_id: str) -> bool:
    return any(e.story == story_id and e.kind in ("split", "move") for e in events)


def ensure_connected(
    store: Store, progress: Progress | None = None, window: int | None = None
) -> ConnectSummary | None:
    """Run :func:`connect` if some stored article is in no story yet (an older database, or an
    ingest run with connecting turned off)."""
    if store.connections.unconnected() == 0:
        return None
    return connect(store, progress, window)
