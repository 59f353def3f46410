"""Stories: articles grouped as they arrive, by what they say and whom, where and when.

:class:`StoryGrouper` is online. Each :meth:`~StoryGrouper.add` weighs the new article's features
(:mod:`~crosswire.connect.features`) against the stories that share one of its rarest features,
found through an inverted index, and puts it in the most similar one, or starts a new story when
none reaches :data:`THRESHOLD`. Similarity to a story is average link: the mean cosine between the
article and the story's articles, which is one dot product with the sum of their vectors. When
both have dates, it is discounted by the gap between the article and the story's date range.
It is then weighed by the evidence of specifics both report: a day's date or a number with the
same unit on which they agree raises it, one on which they conflict (23 vs 26 pirates) lowers it
(:data:`AGREE_RATIO`, :data:`CONFLICT_RATIO`), which is what tells apart two similar events that
share their words, actors and places.

Arriving one at a time, early articles are weighed with few document frequencies and never see
the articles that come after them, so :meth:`~StoryGrouper.regroup` (run automatically each time
the number of articles doubles, and whenever the caller asks) re-weighs every article with the
current frequencies, splits a story whose articles fall into groups less similar than the
threshold (average-link clustering inside the story), moves each article that is now closer to
another story than to the rest of its own, and merges two stories whose average link reaches the
threshold. A story keeps its id through a regroup (its largest part, or the bigger side of a
merge, carries it on).

Work stays near-linear in the number of articles: candidates come only through the index, each
posting list keeps its most recent stories, only the few best-indexed candidates get an exact
similarity, and a story is only split-checked while clustering it is cheap. Past
:data:`FULL_REGROUP` articles a regroup re-examines only what arrived since the previous one
(see there), so all regroups together cost about what adding the articles did.

Memory per article is bounded: the grouper keeps an article's id, headline (its first line, not
its text), source and date, its :data:`~crosswire.connect.features.MAX_FEATURES` heaviest
features as numbered arrays (9 bytes each: number, count, weight), its specifics and names as
numbers, and its share of the inverted index. A story of :data:`KEEP_TOTAL` articles or more
keeps the sum of their vectors; a smaller one is compared article by article.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from crosswire.connect.features import (
    MAX_FEATURES,
    Slots,
    StoryInput,
    Vectorizer,
    features,
    slots,
)

__all__ = ["EVIDENCE", "THRESHOLD", "WEIGHTS", "Story", "StoryGrouper"]

#: Join a story when the average-link similarity reaches this; chosen with ``EVIDENCE`` on ECB+
#: topics 1-10 (``bench/stories.py --tune``; 0.20 before that evidence existed), reported on
#: topics 11-20 (whose errors motivated the evidence rule, but chose none of its numbers).
THRESHOLD = 0.18
#: Each feature group's weight after the group is normalised (see ``Vectorizer``): the words,
#: then named entities, places, dates and numbers. The entity weight was chosen with the
#: threshold on ECB+ topics 1-10 (F1 is flat within 0.01 for 1.5-3); places, dates and numbers
#: are sparse (many articles have none) and kept light so that one shared city or year cannot
#: make a story on its own.
WEIGHTS: Mapping[str, float] = {"w": 1.0, "e": 2.0, "p": 0.3, "d": 0.5, "n": 0.3}
#: A story's coverage mostly comes within days; a week beyond its date range halves similarity.
HALF_LIFE_DAYS = 7.0
#: An article's rarest features that it is indexed under and looks candidates up with.
KEYS = 24
#: Stories kept per posting list, most recent first: older ones are reached through other keys
#: or not at all, which bounds the work per article.
POSTINGS = 64
_NAMED_TYPES = frozenset({"PERSON", "ORG", "GPE", "LOC"})
#: Stories compared exactly with an article, of those the index finds.
CANDIDATES = 16
#: Stories this big are not split-checked (the check is quadratic in a story's size).
MAX_SPLIT = 400
#: Conflicting specifics. Two articles that both give a day's date, or a number with the same
#: unit (pirates, dead, magnitude; see ``features.slots``), either agree on one or conflict. How
#: much that says was measured on pairs of articles within ECB+ topics 1-10 (two events of the
#: same kind per topic), as likelihood ratios same event : other event. Dates: 65% of same-event
#: pairs agree vs 5% of other-event pairs (ratio 13), 35% vs 95% conflict (0.37). Numbers: 61%
#: vs 19% agree (3.2), 39% vs 81% conflict (0.48). Each kind an article and a story both report
#: multiplies their similarity by its ratio raised to ``EVIDENCE`` (tempered, since the words
#: already carry some of the same evidence); against a story, a kind counts by the share of its
#: articles that report it and the share of those that agree (the expected factor against one
#: of its articles). The product is bounded by ``MAX_EVIDENCE`` either way, so a few noisy
#: numbers cannot veto (or make) a story on their own.
#: ``EVIDENCE`` was tuned with the threshold on topics 1-10 (0.25 vs 0.5 and 1; an entity weight of
#: 2.5 at threshold 0.20 ties with 2 at 0.18 there, so the entity weight stays).
AGREE_RATIO: Mapping[str, float] = {"day": 13.0, "n": 3.2}
CONFLICT_RATIO: Mapping[str, float] = {"day": 0.37, "n": 0.48}
EVIDENCE = 0.25
MAX_EVIDENCE = 4.0
#: Dates this many days apart still agree (a night-time event is dated either day).
DAY_SLACK = 1


#: Above this many articles a regroup re-examines only what arrived since the previous one: the
#: stories that took new articles are split-checked, the new articles that are alone in their
#: story may move, and only stories that changed look for a merge; every article is still
#: re-weighed and every story's summed vector rebuilt. Below it, every story and article is
#: re-examined, as the ECB+ figures were measured. With regroups at each doubling, a partial
#: regroup re-examines at most half the articles, so all of them together cost about as much
#: as adding the articles did.
FULL_REGROUP = 1 << 13
#: A story this big keeps the sum of its articles' vectors; a smaller one is compared article by
#: article (the same sum, with less memory: a small story's vectors share few features).
KEEP_TOTAL = 16
#: A story this big keeps its specifics' counts; a smaller one counts them from its articles
#: when asked (most stories are small, and a dict per story costs hundreds of bytes).
KEEP_COUNTS = 8
#: Entries in each of the caches of articles' specifics and small stories' counts.
CACHE = 1 << 16

I32 = npt.NDArray[np.int32]
F32 = npt.NDArray[np.float32]
_SlotKey = str | tuple[str, str]


@dataclass(slots=True)
class Story:
    """A group of articles about one event."""

    id: str
    title: str
    """The first line (usually the headline) of the story's most central article."""
    first: str | None
    """The earliest publication date among its articles (ISO date), if any has one."""
    last: str | None
    articles: list[str]
    """Article ids in arrival order."""
    sources: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    """The names most of its articles share, most frequent first."""


class _Ragged:
    """Rows of numbers of varying length, appended and never removed, in parallel columns of
    chunked numpy arrays (a row never spans two chunks, so reading it makes views, not copies,
    and growing never copies what is stored)."""

    def __init__(self, *dtypes: type[np.generic], chunk: int = 1 << 20) -> None:
        self._dtypes = dtypes
        self._chunk = chunk
        self._cols: list[list[npt.NDArray[Any]]] = []
        self._fill: list[int] = []
        self._first: list[int] = []
        self._start = np.zeros(1024, dtype=np.int64)
        self._len = np.zeros(1024, dtype=np.int32)
        self.n = 0

    @property
    def nbytes(self) -> int:
        used = sum(f * sum(np.dtype(d).itemsize for d in self._dtypes) for f in self._fill)
        return used + self._start.nbytes + self._len.nbytes

    def append(self, *cols: npt.NDArray[Any]) -> int:
        k = len(cols[0])
        if not self._cols or self._fill[-1] + k > len(self._cols[-1][0]):
            # np.empty: pages of the new chunk take memory only once they are written.
            size = max(self._chunk, k)
            self._cols.append([np.empty(size, dtype=d) for d in self._dtypes])
            self._fill.append(0)
            self._first.append(self.n)
        c, off = len(self._cols) - 1, self._fill[-1]
        for arr, col in zip(self._cols[c], cols, strict=True):
            arr[off : off + k] = col
        self._fill[c] = off + k
        n = self.n
        if n == len(self._start):
            self._start = np.resize(self._start, 2 * n)
            self._len = np.resize(self._len, 2 * n)
        self._start[n] = (c << 32) | off
        self._len[n] = k
        self.n += 1
        return n

    def row(self, i: int) -> list[npt.NDArray[Any]]:
        s = int(self._start[i])
        c, off, k = s >> 32, s & 0xFFFFFFFF, int(self._len[i])
        return [a[off : off + k] for a in self._cols[c]]

    def chunks(self) -> Iterator[tuple[npt.NDArray[np.int64], list[npt.NDArray[Any]]]]:
        """Per chunk: each stored number's row (counted from the chunk's first), and views of
        the columns."""
        for c, cols in enumerate(self._cols):
            end = self._first[c + 1] if c + 1 < len(self._first) else self.n
            rows = np.repeat(np.arange(end - self._first[c]), self._len[self._first[c] : end])
            yield rows, [a[: self._fill[c]] for a in cols]


@dataclass(slots=True)
class _Story:
    id: str
    members: list[int]
    """Articles by arrival number, in arrival order."""
    ids: I32 | None = None
    """The features of the sum of its articles' vectors (sorted); ``None`` while it has one
    article, whose vector it then is."""
    w: F32 | None = None
    first: int = 0
    """Earliest and latest publication day (proleptic ordinals; 0 when none is dated)."""
    last: int = 0
    counts: Counter[_SlotKey] | None = None
    """How many of its articles report each kind of specific (key ``kind``) and each value
    (key ``(kind, value)``); kept once it has ``KEEP_COUNTS`` articles."""


def _near(kind: str, values: frozenset[str]) -> set[str]:
    """The values that agree with ``values`` (dates within ``DAY_SLACK`` days)."""
    if kind != "day" or not DAY_SLACK:
        return set(values)
    out = set(values)
    for v in values:
        d = _day(v)
        if d is not None:
            for k in range(1, DAY_SLACK + 1):
                out.add((d - timedelta(days=k)).isoformat())
                out.add((d + timedelta(days=k)).isoformat())
    return out


def _day(value: str | None) -> date | None:
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _summed(parts: list[tuple[I32, F32]]) -> tuple[I32, F32]:
    """The sum of sparse vectors, by sorted feature."""
    ids = np.concatenate([p[0] for p in parts])
    w = np.concatenate([p[1] for p in parts]).astype(np.float64)
    u, inv = np.unique(ids, return_inverse=True)
    return u.astype(np.int32), np.bincount(inv, weights=w, minlength=len(u)).astype(np.float32)


def _sparse_dot(a_ids: I32, a_w: F32, b_ids: I32, b_w: F32) -> float:
    """The dot product of two sparse vectors (sorted features): a binary search of the smaller's
    features in the larger's, so a big story's sum costs little more than a small one."""
    if len(a_ids) > len(b_ids):
        a_ids, a_w, b_ids, b_w = b_ids, b_w, a_ids, a_w
    if not len(a_ids):
        return 0.0
    at = b_ids.searchsorted(a_ids)
    np.minimum(at, len(b_ids) - 1, out=at)
    hit = b_ids[at] == a_ids
    return float(a_w[hit] @ b_w[at[hit]].astype(np.float64))


class StoryGrouper:
    """Groups articles into stories incrementally; see the module docstring for how.

    ``use_specifics=False`` compares words alone (no entities, places, dates or numbers).
    ``regroup_from`` is the first article count at which :meth:`regroup` runs by itself (then at
    every doubling); ``None`` leaves regrouping to the caller. ``full_regroup`` is the article
    count up to which a regroup re-examines everything (:data:`FULL_REGROUP`).

    Memory per article is bounded (see the module docstring); the text is not kept.
    """

    def __init__(
        self,
        threshold: float = THRESHOLD,
        weights: Mapping[str, float] = WEIGHTS,
        *,
        use_specifics: bool = True,
        half_life_days: float = HALF_LIFE_DAYS,
        regroup_from: int | None = 64,
        evidence: float = EVIDENCE,
        max_evidence: float = MAX_EVIDENCE,
        full_regroup: int = FULL_REGROUP,
    ) -> None:
        self.threshold = threshold
        self._log_agree = {k: evidence * math.log(r) for k, r in AGREE_RATIO.items()}
        self._log_conflict = {k: evidence * math.log(r) for k, r in CONFLICT_RATIO.items()}
        self._bound = math.log(max_evidence)
        self.use_specifics = use_specifics
        self.half_life_days = half_life_days
        self._vectorizer = Vectorizer(weights)
        # Per article, by arrival number.
        self._article: list[str] = []
        self._seq: dict[str, int] = {}
        self._title: list[str] = []
        self._source: list[str | None] = []
        self._day = np.zeros(1024, dtype=np.int32)
        self._story: list[_Story] = []
        self._feat = _Ragged(np.int32, np.uint8, np.float32)
        self._slot_rows = _Ragged(np.int32, chunk=1 << 16)
        self._name_rows = _Ragged(np.int32, chunk=1 << 16)
        # Interned values, numbered.
        self._slot_vocab: dict[tuple[str, str], int] = {}
        self._slot_names: list[tuple[str, str]] = []
        self._name_vocab: dict[str, int] = {}
        self._names: list[str] = []
        self._sources: dict[str, str] = {}
        self._stories: dict[str, _Story] = {}
        self._index: dict[int, str | list[str]] = {}
        self._facts_cache: dict[int, list[tuple[str, set[str], str]]] = {}
        self._counts_cache: dict[str, Counter[_SlotKey]] = {}
        self._ids = itertools.count(1)
        self._next_regroup = regroup_from
        self._full_regroup = full_regroup
        self._examined = 0
        """Articles before this arrival number were examined by the last regroup."""

    def __len__(self) -> int:
        return len(self._article)

    def memory_bytes(self) -> int:
        """Bytes in the grouper's numpy arrays (Python objects not included)."""
        arrays = self._feat.nbytes + self._slot_rows.nbytes + self._name_rows.nbytes
        stories = sum(
            s.ids.nbytes + s.w.nbytes
            for s in self._stories.values()
            if s.ids is not None and s.w is not None
        )
        return arrays + stories + self._day.nbytes

    # ------------------------------------------------------------------ articles

    def _append(self, item: StoryInput) -> int:
        """Store one article (not yet in a story) and learn its features' frequencies."""
        counts = features(item, self.use_specifics)
        vz = self._vectorizer
        ids, tf = vz.ids(counts)
        vz.learn_ids(ids)
        w = vz.weigh(ids, tf)
        if len(ids) > MAX_FEATURES:
            keep = np.argsort(-w, kind="stable")[:MAX_FEATURES]
            ids, tf = ids[keep], tf[keep]
            w = vz.weigh(ids, tf)
        order = np.argsort(ids)
        self._feat.append(ids[order], np.minimum(tf[order], 0xFF), w[order])
        sl: list[int] = []
        if self.use_specifics:
            for kind, values in slots(item).items():
                for v in sorted(values):
                    key = (kind, v)
                    n = self._slot_vocab.get(key)
                    if n is None:
                        n = self._slot_vocab[key] = len(self._slot_names)
                        self._slot_names.append(key)
                    sl.append(n)
        self._slot_rows.append(np.array(sl, dtype=np.int32))
        nm: list[int] = []
        for name in dict.fromkeys(n for n, t, _ in item.entities if t in _NAMED_TYPES):
            n = self._name_vocab.get(name)
            if n is None:
                n = self._name_vocab[name] = len(self._names)
                self._names.append(name)
            nm.append(n)
        self._name_rows.append(np.array(nm, dtype=np.int32))
        seq = len(self._article)
        self._article.append(item.id)
        self._seq[item.id] = seq
        title = next((ln.strip() for ln in item.text.splitlines() if ln.strip()), "")
        self._title.append(title if len(title) <= 160 else title[:159].rstrip() + "…")
        source = item.source
        self._source.append(self._sources.setdefault(source, source) if source else None)
        if seq == len(self._day):
            self._day = np.resize(self._day, 2 * seq)
        d = _day(item.published)
        self._day[seq] = d.toordinal() if d else 0
        return seq

    def _vec(self, seq: int) -> tuple[I32, F32]:
        ids, _, w = self._feat.row(seq)
        return ids, w

    def _slots(self, seq: int) -> Slots:
        out: dict[str, set[str]] = {}
        for n in self._slot_rows.row(seq)[0].tolist():
            kind, value = self._slot_names[n]
            out.setdefault(kind, set()).add(value)
        return {k: frozenset(v) for k, v in out.items()}

    def _reweigh(self) -> None:
        """Every article's vector again, with the current document frequencies."""
        for rows, (ids, tf, w) in self._feat.chunks():
            n_rows = int(rows[-1]) + 1 if len(rows) else 0
            if n_rows:
                w[:] = self._vectorizer.weigh(ids, tf, rows, n_rows)

    # ------------------------------------------------------------------ stories

    def _total(self, story: _Story) -> tuple[I32, F32]:
        """The sum of the story's article vectors (made on the spot for a small story)."""
        if story.ids is not None and story.w is not None:
            return story.ids, story.w
        if len(story.members) == 1:
            return self._vec(story.members[0])
        return _summed([self._vec(m) for m in story.members])

    def _dot(self, ids: I32, w: F32, story: _Story) -> float:
        """The dot product of a vector with the sum of the story's article vectors."""
        if story.ids is not None and story.w is not None:
            return _sparse_dot(ids, w, story.ids, story.w)
        return sum(_sparse_dot(ids, w, *self._vec(m)) for m in story.members)

    def _join(self, story: _Story, seq: int) -> None:
        self._counts_cache.pop(story.id, None)
        if story.ids is not None and story.w is not None:
            story.ids, story.w = _summed([(story.ids, story.w), self._vec(seq)])
        elif len(story.members) + 1 >= KEEP_TOTAL:
            story.ids, story.w = _summed([self._vec(m) for m in [*story.members, seq]])
        story.members.append(seq)
        self._story_set(seq, story)
        if story.counts is not None:
            story.counts.update(self._slot_keys(seq))
        elif len(story.members) >= KEEP_COUNTS:
            story.counts = self._counts(story)
        day = int(self._day[seq])
        if day:
            story.first = min(story.first, day) if story.first else day
            story.last = max(story.last, day)

    def _story_set(self, seq: int, story: _Story) -> None:
        if seq == len(self._story):
            self._story.append(story)
        else:
            self._story[seq] = story

    def _slot_keys(self, seq: int) -> list[_SlotKey]:
        keys: list[_SlotKey] = []
        for kind, values in self._slots(seq).items():
            keys.append(kind)
            keys.extend((kind, v) for v in values)
        return keys

    def _counts(self, story: _Story) -> Counter[_SlotKey]:
        if story.counts is not None:
            return story.counts
        out = self._counts_cache.get(story.id)
        if out is None:
            out = Counter()
            for m in story.members:
                out.update(self._slot_keys(m))
            if len(self._counts_cache) >= CACHE:
                self._counts_cache.clear()
            self._counts_cache[story.id] = out
        return out

    def _new_story(self, members: Iterable[int], story_id: str | None = None) -> _Story:
        """A story of ``members`` under ``story_id``, or a new id."""
        story = _Story(story_id or f"s{next(self._ids)}", sorted(members))
        self._counts_cache.pop(story.id, None)
        if len(story.members) >= KEEP_TOTAL:
            story.ids, story.w = _summed([self._vec(m) for m in story.members])
        days = self._day[story.members]
        days = days[days > 0]
        if len(days):
            story.first, story.last = int(days.min()), int(days.max())
        if len(story.members) >= KEEP_COUNTS:
            story.counts = self._counts(story)
        for m in story.members:
            self._story_set(m, story)
        self._stories[story.id] = story
        return story

    # ------------------------------------------------------------------ online

    def add(self, item: StoryInput) -> str:
        """Put one article in its story and give that story's id (a new story if need be).

        An id seen before keeps the story it is in.
        """
        if item.id in self._seq:
            return self._story[self._seq[item.id]].id
        seq = self._append(item)
        ids, w = self._vec(seq)
        day = int(self._day[seq])
        best, best_sim = None, self.threshold
        for story in self._candidates(ids, w):
            sim = self._similarity(ids, w, day, day, 1, story)
            sim *= self._specifics([seq], story)
            if sim >= best_sim:
                best, best_sim = story, sim
        if best is None:
            best = _Story(f"s{next(self._ids)}", [])
            self._stories[best.id] = best
        self._join(best, seq)
        self._index_under(best.id, ids, w)
        if self._next_regroup is not None and len(self._article) >= self._next_regroup:
            self._next_regroup *= 2
            self.regroup()
        return best.id

    def story_of(self, article_id: str) -> str:
        """The id of the story an article is in now (regrouping can move it)."""
        return self._story[self._seq[article_id]].id

    def _keys(self, ids: I32, w: F32) -> tuple[list[int], list[float]]:
        # The heaviest features are the rarest ones the article stresses: few stories share them,
        # so they find the candidates that matter without scanning every story.
        top = np.argsort(-w, kind="stable")[:KEYS]
        return ids[top].tolist(), w[top].tolist()

    def _index_under(self, story_id: str, ids: I32, w: F32) -> None:
        index = self._index
        for key in self._keys(ids, w)[0]:
            cur = index.get(key)
            if cur is None:
                # A lone posting stays a bare id: most keys are one story's.
                index[key] = story_id
            elif isinstance(cur, str):
                if cur != story_id:
                    index[key] = [cur, story_id]
            else:
                if story_id in cur:
                    cur.remove(story_id)
                cur.append(story_id)
                if len(cur) > POSTINGS:
                    del cur[0]

    def _candidates(self, ids: I32, w: F32) -> list[_Story]:
        # A cheap first score (the weight of the keys a story shares with the article) picks the
        # few stories worth an exact similarity, so the work per article stays bounded.
        shared: dict[str, float] = {}
        keys, weights = self._keys(ids, w)
        for key, x in zip(keys, weights, strict=True):
            posting = self._index.get(key)
            if posting is None:
                continue
            for sid in (posting,) if isinstance(posting, str) else posting:
                shared[sid] = shared.get(sid, 0.0) + x
        best = sorted(shared, key=shared.__getitem__, reverse=True)[:CANDIDATES]
        return [self._stories[s] for s in best if s in self._stories]

    def _similarity(
        self, ids: I32, w: F32, first: int, last: int, size: int, story: _Story
    ) -> float:
        """Average-link similarity of a group (summed vector ``ids``, ``w``, ``size`` articles,
        days ``first``..``last``) with ``story``, discounted by the gap between their dates."""
        sim = self._dot(ids, w, story) / (size * len(story.members))
        if not first or not last or not story.first or not story.last:
            return sim
        gap = max(story.first - last, first - story.last, 0)
        decay: float = 0.5 ** (gap / self.half_life_days)
        return sim * decay

    def _specifics(
        self, group: Iterable[int], story: _Story, leave_out: int | None = None
    ) -> float:
        """The factor conflicting and agreeing specifics put on the similarity of ``group``'s
        articles with ``story`` (leaving ``leave_out`` out of the story): geometric mean over the
        group's articles of the factor each gets against one of the story's articles, in
        expectation (see ``CONFLICT``)."""
        n_story = len(story.members) - (leave_out is not None)
        if n_story <= 0 or not self.use_specifics:
            return 1.0
        own = self._slots(leave_out) if leave_out is not None else {}
        counts: Counter[_SlotKey] | None = None
        total, n = 0.0, 0
        for seq in group:
            n += 1
            log = 0.0
            for kind, near, g in self._facts(seq):
                if counts is None:
                    counts = self._counts(story)
                reporting = counts.get(kind, 0) - (kind in own)
                if reporting <= 0:
                    continue
                hits = sum(counts.get((kind, v), 0) for v in near)
                if kind in own:
                    hits -= len(own[kind] & near)
                agreeing = min(1.0, hits / reporting)
                share = reporting / n_story
                log += share * (
                    agreeing * self._log_agree[g] + (1.0 - agreeing) * self._log_conflict[g]
                )
            total += min(max(log, -self._bound), self._bound)
        return math.exp(total / n) if n else 1.0

    def _facts(self, seq: int) -> list[tuple[str, set[str], str]]:
        """An article's specifics as compared: kind, the values that agree with its own, and the
        kind's group; the latest few are cached (one article meets up to ``CANDIDATES`` stories,
        and a story's articles are met again at each merge)."""
        out = self._facts_cache.get(seq)
        if out is None:
            if len(self._facts_cache) >= CACHE:
                self._facts_cache.clear()
            out = self._facts_cache[seq] = [
                (kind, _near(kind, vals), kind.partition(":")[0])
                for kind, vals in self._slots(seq).items()
            ]
        return out

    def _pair(self, a: Slots, b: Slots) -> float:
        """The specifics factor between two articles."""
        log = 0.0
        for kind, vals in a.items():
            other = b.get(kind)
            if other is not None:
                agreeing = bool(_near(kind, vals) & other)
                g = kind.partition(":")[0]
                log += self._log_agree[g] if agreeing else self._log_conflict[g]
        return math.exp(min(max(log, -self._bound), self._bound))

    # ------------------------------------------------------------------ regrouping

    def regroup(self, full: bool | None = None) -> None:
        """Re-weigh every article, then split stories that fall apart and merge those that
        belong together (see the module docstring).

        ``full`` re-examines every story and article; by default only up to ``full_regroup``
        articles, beyond which what arrived since the previous regroup is re-examined."""
        if full is None:
            full = len(self._article) <= self._full_regroup
        since = 0 if full else self._examined
        self._examined = len(self._article)
        self._reweigh()
        touched = {self._story[m].id for m in range(since, len(self._article))}
        old = self._stories
        self._stories = {}
        for story in old.values():
            # The largest part keeps the story's id, so a reader's link survives a split.
            if story.id in touched:
                parts = sorted(self._split(story.members), key=len, reverse=True)
            else:
                parts = [story.members]
            self._new_story(parts[0], story.id)
            for part in parts[1:]:
                touched.add(self._new_story(part).id)
        self._reindex()
        touched |= self._reassign(since, alone_only=not full)
        self._merge(None if full else touched)
        self._reindex()

    def _reassign(self, since: int, alone_only: bool = False) -> set[str]:
        # One k-means-like pass: an article that arrived before its story took shape, or was
        # split off alone, moves to the story it is now most similar to (by average link,
        # leaving itself out of its own story) when that beats staying and reaches the threshold.
        moves: dict[str, list[int]] = {}
        for seq in range(since, len(self._article)):
            own = self._story[seq]
            n = len(own.members)
            if alone_only and n > 1:
                continue
            ids, w = self._vec(seq)
            day = int(self._day[seq])
            stay = -1.0
            if n > 1:
                self_dot = float(np.dot(w.astype(np.float64), w))
                stay = (self._dot(ids, w, own) - self_dot) / (n - 1)
                stay *= self._specifics([seq], own, leave_out=seq)
            best, best_sim = None, max(stay, self.threshold)
            for other in self._candidates(ids, w):
                if other.id == own.id:
                    continue
                sim = self._similarity(ids, w, day, day, 1, other)
                sim *= self._specifics([seq], other)
                if sim > best_sim:
                    best, best_sim = other, sim
            if best is not None:
                moves.setdefault(best.id, []).append(seq)
        if not moves:
            return set()
        moved = {m for ms in moves.values() for m in ms}
        changed = set(moves) | {self._story[m].id for m in moved}
        groups = {
            sid: [m for m in st.members if m not in moved] if sid in changed else st.members
            for sid, st in self._stories.items()
        }
        for sid, ms in moves.items():
            groups[sid].extend(ms)
        old = self._stories
        self._stories = {}
        for sid, members in groups.items():
            if sid not in changed:
                self._stories[sid] = old[sid]
            elif members:
                self._new_story(members, sid)
        return {s for s in changed if s in self._stories}

    def _split(self, members: list[int]) -> list[list[int]]:
        if len(members) < 3 or len(members) > MAX_SPLIT:
            return [members]
        from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
        from sklearn.cluster import AgglomerativeClustering

        vecs = [self._vec(m) for m in members]
        n = len(vecs)
        x = csr_matrix(
            (
                np.concatenate([v[1] for v in vecs]).astype(np.float64),
                np.concatenate([v[0] for v in vecs]),
                np.concatenate([[0], np.cumsum([len(v[0]) for v in vecs])]),
            ),
            shape=(n, max(len(self._vectorizer), 1)),
        )
        sim = (x @ x.T).toarray()
        with_slots = [(i, s) for i, m in enumerate(members) if (s := self._slots(m))]
        for (i, a), (j, b) in itertools.combinations(with_slots, 2):
            f = self._pair(a, b)
            sim[i, j] *= f
            sim[j, i] *= f
        dist = 1.0 - sim
        np.fill_diagonal(dist, 0.0)
        labels = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=1.0 - self.threshold,
        ).fit_predict(dist)
        parts: dict[int, list[int]] = {}
        for m, label in zip(members, labels, strict=True):
            parts.setdefault(int(label), []).append(m)
        return list(parts.values())

    def _merge(self, touched: set[str] | None) -> None:
        # Greedy: each story in turn merges with its most similar partner, if that reaches the
        # threshold, and the merged story is compared afresh (average link, as in agglomerative
        # clustering), until a pass merges nothing. A full regroup (``touched`` None) looks at
        # every story in every pass; a partial one at the stories that changed.
        self._reindex()
        look = set(self._stories) if touched is None else touched
        while look:
            changed: set[str] = set()
            for sid in sorted(look):
                story = self._stories.get(sid)
                if story is None:  # merged away this pass
                    continue
                ids, w = self._total(story)
                best, best_sim = None, self.threshold
                size = len(story.members)
                for other in self._candidates(ids, w):
                    if other.id == story.id:
                        continue
                    sim = self._similarity(ids, w, story.first, story.last, size, other)
                    sim *= self._specifics(story.members, other)
                    if sim >= best_sim:
                        best, best_sim = other, sim
                if best is not None:
                    # The merged story goes on under the id of the bigger of the two.
                    keep = max(story, best, key=lambda s: len(s.members))
                    del self._stories[story.id], self._stories[best.id]
                    merged = self._new_story(story.members + best.members, keep.id)
                    self._index_under(merged.id, *self._total(merged))
                    changed.add(merged.id)
            look = (set(self._stories) if changed else set()) if touched is None else changed

    def _reindex(self) -> None:
        self._index = {}
        for story in self._stories.values():
            for m in story.members:
                self._index_under(story.id, *self._vec(m))

    # ------------------------------------------------------------------ persistence

    def restore(self, members: Iterable[tuple[StoryInput, str]], next_id: int = 1) -> None:
        """Take back articles already grouped, each with the id of the story it was in.

        This is how a grouper whose stories were stored picks up where it left off: no article
        is compared again, and the ones added afterwards join these stories or start new ones
        (with ids after the highest restored). Weights are learnt from all of them first, so
        the restored vectors are what a regroup would give them. Call once, before :meth:`add`.
        ``next_id`` is the lowest number a new story may take (stories not restored may hold
        the ones below it).
        """
        if self._article:
            raise RuntimeError("restore() must come before any article is added")
        groups: dict[str, list[int]] = {}
        for item, story_id in members:
            if item.id in self._seq:
                continue
            seq = self._append(item)
            self._story.append(_Story(story_id, []))  # a placeholder until the stories are made
            groups.setdefault(story_id, []).append(seq)
        self._reweigh()
        top = 0
        for story_id, seqs in groups.items():
            self._new_story(seqs, story_id)
            if story_id[1:].isdigit():
                top = max(top, int(story_id[1:]))
        self._ids = itertools.count(max(top + 1, next_id))
        self._reindex()
        self._examined = len(self._article)
        if self._next_regroup is not None:
            while self._next_regroup <= len(self._article):
                self._next_regroup *= 2

    def assignments(self) -> dict[str, str]:
        """Article id → id of the story it is in now, in arrival order."""
        return {a: s.id for a, s in zip(self._article, self._story, strict=True)}

    # ------------------------------------------------------------------ output

    def stories(self) -> list[Story]:
        """Every story, largest first (ties: the earliest started)."""
        out = [self._record(s) for s in self._stories.values()]
        out.sort(key=lambda s: (-len(s.articles), self._seq[s.articles[0]]))
        return out

    def _record(self, story: _Story) -> Story:
        central = max(story.members, key=lambda m: self._dot(*self._vec(m), story))
        names: Counter[int] = Counter()
        for m in story.members:
            names.update(self._name_rows.row(m)[0].tolist())
        n = len(story.members)
        return Story(
            id=story.id,
            title=self._title[central],
            first=date.fromordinal(story.first).isoformat() if story.first else None,
            last=date.fromordinal(story.last).isoformat() if story.last else None,
            articles=[self._article[m] for m in story.members],
            sources=sorted({s for m in story.members if (s := self._source[m])}),
            entities=[self._names[k] for k, c in names.most_common(5) if c > 1 or n == 1],
        )
