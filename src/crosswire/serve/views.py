"""What each page shows, as plain data: the JSON twin returns it as is, the HTML page renders
it (with the few drawn parts in :class:`Drawn`, which only the HTML needs).

Every function reads the store and never writes: connecting new articles happens at ingest
(and when the server starts).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from crosswire.connect.corpus import entity_detail, story_detail
from crosswire.records import Article, Claim
from crosswire.serve.charts import Dated, Pin, map_svg, timeline_svg
from crosswire.serve.errors import ApiError
from crosswire.serve.markup import annotate, mark_snippet, spans_of
from crosswire.store.search import MARK_END, MARK_START
from crosswire.store.store import Store

#: Articles a story page lists (originals first, then copies, each by date; one per text is
#: read, see ``story_detail``), and "joined" events it lists: a wire story can have thousands.
#: The page says how many it shows.
STORY_ARTICLES = 100
#: Copies an article page lists when it is an original (the JSON says how many there are).
ARTICLE_COPIES = 100
#: A search ranks the best matches among this many of the most recently stored (ranking every
#: match of a common word in a large archive takes seconds), and counts matches up to
#: SEARCH_COUNT_UP_TO; the page says when either bound was reached.
SEARCH_WINDOW = 1000
SEARCH_COUNT_UP_TO = 10_000
#: Articles an entity page reads for quotes and numbers, and stories and article ids it lists.
ENTITY_ARTICLES = 100


@dataclass(slots=True)
class Page:
    data: dict[str, Any]
    """The JSON twin's body."""
    drawn: dict[str, Markup] = field(default_factory=dict)
    """Markup only the HTML page shows (charts, annotated text, highlighted snippets)."""


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def links(self, path: str, total: int, params: dict[str, str | None]) -> dict[str, Any]:
        def url(page: int) -> str:
            query = {k: v for k, v in params.items() if v} | {
                "page": str(page),
                "per_page": str(self.per_page),
            }
            return f"{path}?{urlencode(query)}"

        last = max(1, -(-total // self.per_page))
        return {
            "page": self.page,
            "per_page": self.per_page,
            "total": total,
            "pages": last,
            "next": url(self.page + 1) if self.page < last else None,
            "prev": url(self.page - 1) if self.page > 1 else None,
        }


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _check_date(name: str, value: str | None) -> str | None:
    if value and _day(value) is None:
        raise ApiError(400, f"{name} must be a date as YYYY-MM-DD, not {value!r}")
    return value or None


def stories_page(
    store: Store,
    paging: Paging,
    *,
    since: str | None = None,
    until: str | None = None,
    source: str | None = None,
    entity: str | None = None,
    suffix: str = "",
) -> Page:
    filters = {
        "since": _check_date("since", since),
        "until": _check_date("until", until),
        "source": source or None,
        "entity": entity or None,
    }
    entity_name = None
    if entity:
        entity_name = store.connections.entity_names([entity]).get(entity)
        if entity_name is None:
            raise ApiError(404, f"no entity {entity!r}")
    tables = store.connections
    total = tables.count_stories(**filters)
    items = tables.stories(paging.per_page, paging.offset, **filters)
    data = {
        "items": [_as_plain(s) for s in items],
        "filters": filters | {"entity_name": entity_name},
        **paging.links(f"/stories{suffix}", total, filters),
    }
    return Page(data)


def story_page(store: Store, story_id: str) -> Page:
    try:
        detail = story_detail(store, story_id, connect=False, limit=STORY_ARTICLES)
    except KeyError:
        raise ApiError(404, f"no story {story_id!r}") from None
    flagged: dict[str, set[int]] = {}
    disagreements = []
    # Where each claim is in its article (list.index per claim was quadratic in the claims).
    first: dict[tuple[str, tuple[Any, ...]], int] = {}
    for article_id, reading in detail.readings.items():
        for i, claim in enumerate(reading.claims):
            first.setdefault((article_id, _claim_key(claim)), i)
    for m in detail.measures:
        for d in m.disagreements:
            sides = []
            for side in (d.a, d.b):
                idx = first[(side.article, _claim_key(side.claim))]
                flagged.setdefault(side.article, set()).add(idx)
                sides.append(_claim_row(detail.claimant(side.article, side.claim), side, idx))
            disagreements.append({"measure": m.label, "why": d.why, "sides": sides})
    measures = []
    for m in detail.measures:
        rows = []
        for c in m.claims:
            idx = first[(c.article, _claim_key(c.claim))]
            row = _claim_row(detail.claimant(c.article, c.claim), c, idx)
            row["flagged"] = idx in flagged.get(c.article, set())
            rows.append(row)
        measures.append({"label": m.label, "key": m.key, "claims": rows})
    timeline = []
    for a in detail.timeline:
        copy = detail.copies.get(a.id)
        timeline.append(
            {
                "id": a.id,
                "title": a.title or a.source,
                "published": a.published,
                "site": a.original_site or a.site,
                "source": a.source,
                "copy_of": copy.original if copy and copy.original != a.id else None,
                "copy_reason": copy.reason if copy and copy.original != a.id else None,
            }
        )
    speakers = [
        {
            "speaker": s.speaker,
            "entity": s.entity,
            "roles": s.roles,
            "quotes": [
                {"article": a, "kind": q.kind, "text": q.text, "start": q.start, "end": q.end}
                for a, q in s.quotes
            ],
        }
        for s in detail.speakers
    ]
    places: Counter[tuple[str, float, float]] = Counter()
    for reading in detail.readings.values():
        for p in reading.places:
            places[(p.name, p.lat, p.lon)] += 1
    history = [_as_plain(e) for e in detail.events]
    data = {
        "story": _as_plain(detail.story),
        "shown": {
            "articles": len(detail.timeline),
            "of": len(detail.members),
            "read": len(detail.readings),
            "history": len(history),
            "history_of": detail.events_total,
        },
        "timeline": timeline,
        "measures": measures,
        "disagreements": disagreements,
        "who_said_what": speakers,
        "places": [
            {"name": n, "lat": lat, "lon": lon, "articles": c}
            for (n, lat, lon), c in places.most_common()
        ],
        "history": history,
    }
    dated = [
        Dated(day, a.title or a.id, f"/article/{a.id}", a.id in flagged)
        for a in detail.timeline
        if (day := _day(a.published)) is not None
    ]
    pins = [Pin(lat, lon, n, c) for (n, lat, lon), c in places.items()]
    return Page(data, {"timeline": timeline_svg(dated), "map": map_svg(pins)})


def _claim_key(claim: Claim) -> tuple[Any, ...]:
    """What ``==`` compares of two claims, hashable."""
    return tuple(getattr(claim, n) for n in _CLAIM_FIELDS)


def _claim_row(who: str, c: Any, idx: int) -> dict[str, Any]:
    claim = c.claim
    return {
        "article": c.article,
        "claim": idx,
        "who": who,
        "claimant_entity": c.claimant,
        "text": claim.text,
        "value": claim.value,
        "low": claim.low,
        "high": claim.high,
        "unit": claim.unit,
        "measure": claim.measure,
        "aspect": claim.aspect,
        "status": claim.status,
        "approx": claim.approx,
        "time": claim.time,
        "sentence": claim.sentence,
        "start": claim.start,
        "end": claim.end,
        "sentence_start": claim.sentence_start,
        "sentence_end": claim.sentence_end,
        "href": f"/article/{c.article}?hl={claim.sentence_start}-{claim.sentence_end}#claim-{idx}",
    }


_FIELDS: dict[type, tuple[str, ...]] = {}
_ATOMS = frozenset({str, int, float, bool, type(None)})
_CLAIM_FIELDS = tuple(f.name for f in fields(Claim) if f.compare)


def _as_plain(value: Any) -> Any:
    """``dataclasses.asdict`` for the JSON twin (tuples come out as lists, which JSON does
    anyway), without its deep copies: an article's reading is thousands of small records, and
    ``asdict`` took most of the article page's time."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is list or kind is tuple:
        # A story's sources and entities are long lists of strings: no call per string.
        return [v if type(v) in _ATOMS else _as_plain(v) for v in value]
    if kind is dict:
        return {k: _as_plain(v) for k, v in value.items()}
    names = _FIELDS.get(kind)
    if names is None and hasattr(kind, "__dataclass_fields__"):
        names = _FIELDS[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {n: _as_plain(getattr(value, n)) for n in names}
    return value


#: The keys of ``Article.to_dict`` in its order.
_ARTICLE_KEYS = tuple(Article(id="", source="").to_dict())


def _article_dict(article: Article) -> dict[str, Any]:
    """``article.to_dict()``, faster (see :func:`_as_plain`)."""
    article.set_offsets()
    d = _as_plain(article)
    d["text"] = article.text
    return {k: d[k] for k in _ARTICLE_KEYS}


def _highlight(hl: str | None, n: int) -> tuple[int, int] | None:
    if not hl:
        return None
    start, sep, end = hl.partition("-")
    if not sep or not start.isdigit() or not end.isdigit() or int(start) >= int(end):
        raise ApiError(400, "hl must be START-END character offsets, as in 120-245")
    return min(int(start), n), min(int(end), n)


def article_page(store: Store, article_id: str, hl: str | None = None) -> Page:
    try:
        article = store.get(article_id)
    except KeyError:
        raise ApiError(404, f"no article {article_id!r}") from None
    reading = store.reading(article.id)
    tables = store.connections
    corpus_ids = tables.links(article.id)
    names = {e.id: e.name for e in reading.entities} if reading else {}
    copies = tables.originals([article.id])
    place = copies.get(article.id)
    copy_of = place.original if place and place.original != article.id else None
    # Only an original has copies to list; a wire story's can have thousands.
    links, n_copies = (
        tables.copies_of(article.id, ARTICLE_COPIES)
        if place and place.original == article.id
        else ([], 0)
    )
    copied_by = [{"id": link.copy, "reason": link.reason} for link in links]
    data = {
        "article": _article_dict(article),
        "reading": _as_plain(reading) if reading else None,
        "story": tables.story_of(article.id),
        "copy_of": copy_of,
        "copy_reason": place.reason if copy_of and place else None,
        "copied_by": copied_by,
        "copied_by_total": n_copies,
        "entity_links": corpus_ids,
        "sources": store.sources_of(article.id),
    }
    highlight = _highlight(hl, len(article.text))
    body = annotate(article.text, spans_of(reading, corpus_ids, names, highlight))
    return Page(data, {"text": body})


def entity_page(store: Store, corpus_id: str) -> Page:
    try:
        detail = entity_detail(store, corpus_id, connect=False, limit=ENTITY_ARTICLES)
    except KeyError:
        raise ApiError(404, f"no entity {corpus_id!r}") from None
    data = {
        "entity": _as_plain(detail.entity),
        "quotes": [{"article": a, **_as_plain(q)} for a, q in detail.quotes],
        "claims": [
            {
                "article": a,
                "href": f"/article/{a}?hl={c.sentence_start}-{c.sentence_end}",
                **_as_plain(c),
            }
            for a, c in detail.claims
        ],
        "stories": [_as_plain(s) for s in detail.stories],
        "shown": {
            "articles": len(detail.entity.articles),
            "of": detail.articles_total,
            "stories": len(detail.stories),
            "stories_of": detail.stories_total,
            "complete": not detail.limited,
        },
    }
    return Page(data)


def search_page(store: Store, q: str, paging: Paging, suffix: str = "") -> Page:
    q = q.strip()
    if len(q) > 200:
        raise ApiError(400, "a search is at most 200 characters")
    bounds = {"window": SEARCH_WINDOW, "count_up_to": SEARCH_COUNT_UP_TO}
    articles, n_articles = store.search.articles(q, paging.per_page, paging.offset, **bounds)
    quotes, n_quotes = store.search.quotes(q, paging.per_page, paging.offset, **bounds)
    data = {
        "q": q,
        "articles": [_as_plain(h) | {"snippet": _plain(h.snippet)} for h in articles],
        "quotes": [_as_plain(h) | {"snippet": _plain(h.snippet)} for h in quotes],
        "total_articles": n_articles,
        "total_quotes": n_quotes,
        "bounds": {
            "ranked_among_latest": SEARCH_WINDOW,
            "totals_at_least": [
                k
                for k, n in (("articles", n_articles), ("quotes", n_quotes))
                if n >= SEARCH_COUNT_UP_TO
            ],
            "ranked_partly": [
                k for k, n in (("articles", n_articles), ("quotes", n_quotes)) if n > SEARCH_WINDOW
            ],
        },
        **paging.links(f"/search{suffix}", max(n_articles, n_quotes), {"q": q}),
    }
    drawn = {f"a{i}": mark_snippet(h.snippet, MARK_START, MARK_END) for i, h in enumerate(articles)}
    drawn |= {f"q{i}": mark_snippet(h.snippet, MARK_START, MARK_END) for i, h in enumerate(quotes)}
    return Page(data, drawn)


def _plain(snippet: str) -> str:
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


def entities_page(store: Store, paging: Paging, suffix: str = "") -> Page:
    tables = store.connections
    total = int(store.db.execute("SELECT count(*) FROM corpus_entities").fetchone()[0])
    items = [
        _as_plain(e) | {"articles": n} for e, n in tables.entities(paging.per_page, paging.offset)
    ]
    return Page({"items": items, **paging.links(f"/entities{suffix}", total, {})})
