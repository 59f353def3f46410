"""What story grouping compares: one article's words and specifics, weighted as documents arrive.

An article becomes a :class:`StoryInput` (its text plus the names, places, dates and numbers the
read stage found in it), then a set of features in five groups, each prefixed so they never
collide: ``w:`` content words of the text, ``e:`` named people, organisations and places,
``p:`` geocoded places and their countries, ``d:`` dates the article mentions, ``n:`` the
numbers it reports with their units. :class:`Vectorizer` weighs them TF-IDF style with document
frequencies counted as articles arrive, so nothing has to be fitted beforehand.

Two articles about two similar events (two earthquakes, two shootings) share most of their
words; what tells them apart are the specifics, which is why the non-word groups carry their own
weight rather than being drowned among a few hundred words.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from crosswire.records import EntityType, Reading

__all__ = [
    "GROUPS",
    "MAX_FEATURES",
    "Slots",
    "StoryInput",
    "Vector",
    "Vectorizer",
    "dot",
    "features",
    "slots",
    "story_input",
]

Vector = dict[str, float]
#: An article's specifics by kind (see :func:`slots`): kind -> the values it reports.
Slots = dict[str, frozenset[str]]

#: Feature groups, by prefix.
GROUPS: tuple[str, ...] = ("w", "e", "p", "d", "n")

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_TITLES = frozenset("mr mrs ms dr sir president rep sen gov gen the".split())
#: NORP ("American", "French") names a group, not a party to the event: it counts as a word.
_NAMED: frozenset[EntityType] = frozenset({"PERSON", "ORG", "GPE", "LOC"})
#: Time values more precise than a year, or a year (a four-digit value), count as specifics;
#: durations ("P90D") and weeks say little about which event an article reports.
_DATE = re.compile(r"^\d{4}(?:-\d{2}){0,2}$")
#: Lines at the top of a text (headline, lead) whose words count twice.
LEAD_LINES = 2


@functools.cache
def _stop_words() -> frozenset[str]:
    # Imported on first use: scikit-learn takes seconds to import, and only this list is needed.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    reporting = {"said", "says", "say", "told", "according", "year", "old"}
    return frozenset(ENGLISH_STOP_WORDS) | reporting


@dataclass(frozen=True, slots=True)
class StoryInput:
    """One article as story grouping sees it."""

    id: str
    text: str
    published: str | None = None
    """ISO date (or datetime) of publication; ``None`` when unknown."""
    source: str | None = None
    """Site or outlet, for the story's list of sources."""
    entities: tuple[tuple[str, EntityType, int], ...] = ()
    """Names with their type and how many times the article uses them: each entity's canonical
    name with its number of mentions, then its other names (aliases) once each."""
    places: tuple[str, ...] = ()
    """Geocoded place names, lowercased, and their ISO country codes."""
    dates: tuple[str, ...] = ()
    """Dates the article mentions, as ISO values of day, month or year precision."""
    numbers: tuple[str, ...] = ()
    """Reported numbers with their unit, such as ``7.3 magnitude`` or ``12 people``."""


def story_input(
    article_id: str,
    text: str,
    reading: Reading | None = None,
    published: str | None = None,
    source: str | None = None,
) -> StoryInput:
    """The :class:`StoryInput` of an article from its text and (optional) reading."""
    if reading is None:
        return StoryInput(article_id, text, published, source)
    entities: list[tuple[str, EntityType, int]] = []
    for e in reading.entities:
        entities.append((e.name, e.type, max(1, len(e.mentions))))
        entities.extend((a, e.type, 1) for a in e.aliases if a != e.name)
    places: list[str] = []
    for p in reading.places:
        places.append(p.name.lower())
        places.append(p.country)
    dates = [
        t.value
        for t in reading.times
        if t.value and t.grain in ("day", "month", "year") and _DATE.match(t.value)
    ]
    numbers = [
        f"{_number(c.value)} {c.unit or c.measure_key or ''}".strip()
        for c in reading.claims
        if c.value is not None
    ]
    return StoryInput(
        id=article_id,
        text=text,
        published=published,
        source=source,
        entities=tuple(entities),
        places=tuple(places),
        dates=tuple(dates),
        numbers=tuple(numbers),
    )


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _name_keys(name: str, etype: EntityType) -> Iterable[str]:
    words = [w.lower() for w in _WORD.findall(name)]
    words = [w for w in words if w not in _TITLES]
    if not words:
        return ()
    keys = [" ".join(words)]
    # Each outlet (and each run of the entity tagger) cuts names differently: "Reid" for "Tara
    # Reid", "Banstead High Street" for "Banstead". The words of a name, as entity features,
    # let those meet; IDF keeps the generic ones ("high", "street") light.
    if len(words) > 1:
        stop = _stop_words()
        keys.extend(w for w in words if len(w) > 2 and w not in stop)
    return keys


def features(item: StoryInput, use_specifics: bool = True) -> Counter[str]:
    """The article's feature counts: content words, and unless ``use_specifics`` is false,
    entity names, places, dates and numbers (each group under its own prefix)."""
    stop = _stop_words()
    lines = [ln for ln in item.text.lower().splitlines() if ln.strip()]
    lead = _WORD.findall("\n".join(lines[:LEAD_LINES]))
    # Counted in C, then filtered once per distinct word: the same counts, in the same order
    # (first use), as a loop over every word, in a third of the time.
    seen: Counter[str] = Counter()
    # News puts the event's who, what and where first (headline, lead): count twice.
    seen.update(lead)
    seen.update(lead)
    seen.update(_WORD.findall("\n".join(lines[LEAD_LINES:])))
    counts: Counter[str] = Counter(
        {
            "w:" + w: c
            for w, c in seen.items()
            # Bare numbers are noise as words, except years ("2008" vs "2013" events).
            if (len(w) == 4 if w.isdigit() else len(w) > 1 and w not in stop)
        }
    )
    if not use_specifics:
        return counts
    for name, etype, mentions in item.entities:
        if etype in _NAMED:
            for key in _name_keys(name, etype):
                # How often an article names someone says how central they are to its event.
                counts["e:" + key] += mentions
    for place in item.places:
        counts["p:" + place] += 1
    for date in item.dates:
        counts["d:" + date] += 1
    for number in item.numbers:
        counts["n:" + number] += 1
    return counts


#: Features an article keeps (its heaviest, weighed when it arrives): memory per article stays
#: bounded however long it is. Chosen on ECB+ topics 1-10 (``bench/stories.py``; half of its
#: articles have over 122 features, a tenth over 300): 192 is within 0.002 of keeping every
#: feature on every subset, 128 costs 0.006 on topics 1-10.
MAX_FEATURES = 192


class Vectorizer:
    """TF-IDF weights for feature counts, with document frequencies learnt as articles arrive.

    ``weights`` scales each group after it has been normalised on its own, so a group's share of
    the similarity does not depend on how many features it happens to have; the whole vector is
    then normalised, so the dot product of two vectors is their cosine.

    Features are numbered as they are first seen (:attr:`vocab`); document frequencies and
    groups are numpy arrays by number, so an article's features can be kept as two small arrays
    (:meth:`ids`) and weighed again in one vectorised pass (:meth:`weigh`).
    """

    __slots__ = ("_df", "_group", "_scale", "n_docs", "vocab", "weights")

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.weights = weights
        self.n_docs = 0
        self.vocab: dict[str, int] = {}
        self._df = np.zeros(1024, dtype=np.int32)
        self._group = np.zeros(1024, dtype=np.uint8)
        # Group g's weight, by group number (the last number: a group that is not weighed).
        self._scale = np.array([weights.get(g, 0.0) for g in GROUPS] + [0.0])

    def __len__(self) -> int:
        return len(self.vocab)

    def ids(self, counts: Mapping[str, int]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """The feature numbers of ``counts`` (new ones numbered) and their counts."""
        vocab = self.vocab
        out = np.empty(len(counts), dtype=np.int32)
        for i, f in enumerate(counts):
            n = vocab.get(f)
            if n is None:
                n = vocab[f] = len(vocab)
                if n == len(self._df):
                    self._df = np.resize(self._df, 2 * n)
                    self._group = np.resize(self._group, 2 * n)
                self._df[n] = 0
                self._group[n] = _GROUP_NUMBER.get(f[0], len(GROUPS))
            out[i] = n
        return out, np.fromiter(counts.values(), dtype=np.int64, count=len(counts))

    def learn(self, counts: Mapping[str, int]) -> None:
        """Count one more document holding the features of ``counts``."""
        self.learn_ids(self.ids(counts)[0])

    def learn_ids(self, ids: npt.NDArray[np.int32]) -> None:
        """Count one more document holding the (distinct) features numbered ``ids``."""
        self.n_docs += 1
        self._df[ids] += 1

    def idf(self, feature: str) -> float:
        """Smoothed inverse document frequency (scikit-learn's formula)."""
        n = self.vocab.get(feature)
        df = int(self._df[n]) if n is not None else 0
        return math.log((self.n_docs + 1) / (df + 1)) + 1.0

    def weigh(
        self,
        ids: npt.NDArray[np.int32],
        tf: npt.NDArray[np.integer[Any]],
        rows: npt.NDArray[np.int64] | None = None,
        n_rows: int = 1,
    ) -> npt.NDArray[np.float64]:
        """The weights of features ``ids`` with counts ``tf``: unit length per row (``rows``
        gives each feature's row when several vectors are weighed at once; zero weights for a
        row with nothing weighted)."""
        if rows is None:
            rows = np.zeros(len(ids), dtype=np.int64)
        groups = self._group[ids].astype(np.int64)
        w = (1.0 + np.log(tf.astype(np.float64))) * (
            np.log((self.n_docs + 1) / (self._df[ids].astype(np.float64) + 1.0)) + 1.0
        )
        w *= self._scale[groups] > 0.0
        slot = rows * (len(GROUPS) + 1) + groups
        norms = np.sqrt(np.bincount(slot, weights=w * w, minlength=n_rows * (len(GROUPS) + 1)))
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(w > 0.0, w * self._scale[groups] / norms[slot], 0.0)
            total = np.sqrt(np.bincount(rows, weights=w * w, minlength=n_rows))
            out: npt.NDArray[np.float64] = np.where(total[rows] > 0.0, w / total[rows], 0.0)
        return out

    def vector(self, counts: Mapping[str, int]) -> Vector:
        """The unit-length weighted vector of ``counts`` (empty when nothing is weighted)."""
        ids, tf = self.ids(counts)
        w = self.weigh(ids, tf)
        return {f: float(v) for f, v in zip(counts, w, strict=True) if v > 0.0}


_GROUP_NUMBER = {g: i for i, g in enumerate(GROUPS)}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The dot product of two sparse vectors."""
    # The key-view intersection runs in C over the smaller dict: twice as fast as a lookup loop.
    return sum([a[f] * b[f] for f in a.keys() & b.keys()])


#: Units of measure that say nothing about which event is reported (time of day, ages and
#: durations are written many ways for one event; currency amounts are often background).
_VAGUE_UNITS = frozenset("p.m a.m pm am gmt ist et d mo wk yr year hours hour min s".split())


def slots(item: StoryInput) -> Slots:
    """The article's specifics by kind, for telling apart two events that share their words:
    ``day`` the dates of day precision it mentions, and ``n:UNIT`` the numbers it reports per
    unit (the unit's last word, so "23 Somali pirates" and "23 pirates" are both ``n:pirate``).

    Two articles that give the same kind different values (23 vs 26 pirates, 15 September vs 11
    November) likely report different events; the same value, likely the same one."""
    out: dict[str, set[str]] = {}
    for d in item.dates:
        if len(d) == 10:
            out.setdefault("day", set()).add(d)
    for n in item.numbers:
        value, _, unit = n.partition(" ")
        words = [w for w in _WORD.findall(unit.lower()) if w.isalpha()]
        if not words or value in ("0", "1"):
            continue
        head = words[-1]
        if len(head) < 3 or head in _VAGUE_UNITS:
            continue
        out.setdefault(
            "n:" + (head[:-1] if head.endswith("s") and len(head) > 3 else head), set()
        ).add(value)
    return {k: frozenset(v) for k, v in out.items()}
