"""Scale benchmark: copy detection and story grouping over a million synthetic news articles.

Usage::

    .venv/bin/python bench/scale.py --n 20000                      # both parts, one after another
    nice -n 10 .venv/bin/python bench/scale.py --part copies --json bench/results/scale-c.json
    nice -n 10 .venv/bin/python bench/scale.py --part stories --json bench/results/scale-s.json
    .venv/bin/python bench/scale.py --part engines --json bench/results/scale-engines.json

``--part engines`` is apart from the rest: ``crosswire ingest``'s engines side by side in one run.
A WARC.gz of real pages (``--warc``, default bench/results/throughput-80.warc.gz) is cut into
``--shards`` WARC files in a temporary folder, then ingested into a fresh database, read stage on
(as ``crosswire ingest`` does by default), by ``pipeline.ingest`` with ``Options(workers=N)`` and
by ``ingest_with_ray`` with N actors (Ray started for each run with N CPUs, its start-up counted),
for each N of ``--engine-workers`` (default 1,2). Per run: wall time and articles/s, the time to
the first stored article, the peak RSS (VmHWM) of each worker (a local extraction process; a Ray
actor with the extraction process it starts) and the largest total RSS of this process's tree
(Ray's own processes included), sampled from /proc every 0.25 s, and the load average.

No public set has a million news articles with their stories and copies known, and running the
read stage (spaCy) on a million texts would take days on two cores, so the articles are made
from real text (read-only, ``../shared/data``, see its README): paragraphs and sentences of the
PolNeAR news articles (US politics, 924), the ECB+ dev articles (413, detokenised), and English
WCXB article texts; headlines of all three; personal names taken from capitalised word pairs in
those texts; outlet domains of the WCXB and fundus pages; a hand list of real cities and the
towns the texts name after "in".

How a corpus is made (fixed ``--seed``, streamed: only a schedule of a few numpy arrays is held,
each text is made when it arrives and then dropped):

* **Stories** have power-law sizes (P(size = k) ∝ k^-2.2, 1 to 5,000 articles: about two thirds
  of stories are single articles, a long tail of big ones); each starts on a random day of two
  years and its articles follow over days (exponential delays, longer for big stories).
* A story is an **event**: one to four people (half the time real name pairs from the texts,
  so well-known names recur across stories), up to two organisations, a city and its country, a
  day, one to three numbers with units (23 pirates, 7.1 magnitude), a headline (a real one, two
  words in five replaced, with the first person's surname and the city) and 6-14 story
  sentences, one more per 8 articles (real sentences carrying the event's names, place, day and
  numbers).
* An **article** of a story: a headline (the story's, or that reworded), a lead with the event's
  numbers and date (one of four templates, reworded), zero to three of the story sentences
  (so articles of a story share some sentences verbatim), and filler until it has 300-800 words:
  real sentences, one word in four replaced by a word drawn from the texts' word frequencies and
  every number by a random one (so unrelated articles do not share sentences, as real ones
  rarely do), in paragraphs of two to four sentences. An update (a toll that rose) changes a
  number in 15% of them. Each has an outlet, a URL and a publication date.
* **Scraper copies** (``--copies``, 7% by default): a random earlier article run through
  ``bench/copies.py``'s ``make_copy`` (chrome, dropped and reordered paragraphs, excerpts,
  mojibake, "By: <url>" lines, canonical links, later dates), arriving within hours to days of
  it. Copy articles are built from the copy's lines directly (``extract`` is not timed here).
* Each article's :class:`StoryInput` carries what a reading would give: the event's people,
  organisations and places with their mention counts in the text, two to five background names,
  places with country codes, the event's day and month, and its numbers with units.

What is measured, per part, in one process each (so peak memory is that part's): wall time and
documents per second (with the time spent making the documents apart), peak RSS
(``getrusage`` ``ru_maxrss``) and RSS sampled at every twentieth of the run (the growth per document
between the first and last samples is what a document costs), the structure's own numpy bytes and
(copies) the bytes of its disk records. Quality sanity from the generator's truth: copy pairs
(every pair inside an original's group of copies against every pair inside a
``CopyIndex.groups()`` group) precision / recall, and the share of detected groups whose chosen
original is the true one; stories B-cubed precision / recall / F1 over every article.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from copies import Original, make_copy  # noqa: E402
from crosswire.connect.copies import CopyIndex  # noqa: E402
from crosswire.connect.features import StoryInput  # noqa: E402
from crosswire.connect.stories import StoryGrouper  # noqa: E402
from crosswire.records import Article, Paragraph  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
START = date(2023, 1, 1)
DAYS = 730

#: Real cities and their ISO country codes (a reading geocodes places to these).
CITIES = [
    ("London", "GB"), ("Manchester", "GB"), ("Paris", "FR"), ("Lyon", "FR"), ("Berlin", "DE"),
    ("Hamburg", "DE"), ("Munich", "DE"), ("Madrid", "ES"), ("Barcelona", "ES"), ("Valencia", "ES"),
    ("Rome", "IT"), ("Milan", "IT"), ("Naples", "IT"), ("Lisbon", "PT"), ("Porto", "PT"),
    ("Amsterdam", "NL"), ("Brussels", "BE"), ("Vienna", "AT"), ("Zurich", "CH"), ("Geneva", "CH"),
    ("Warsaw", "PL"), ("Krakow", "PL"), ("Prague", "CZ"), ("Budapest", "HU"), ("Athens", "GR"),
    ("Istanbul", "TR"), ("Ankara", "TR"), ("Kyiv", "UA"), ("Kharkiv", "UA"), ("Odesa", "UA"),
    ("Moscow", "RU"), ("Stockholm", "SE"), ("Oslo", "NO"), ("Helsinki", "FI"), ("Copenhagen", "DK"),
    ("Dublin", "IE"), ("Cairo", "EG"), ("Alexandria", "EG"), ("Lagos", "NG"), ("Abuja", "NG"),
    ("Nairobi", "KE"), ("Mombasa", "KE"), ("Addis Ababa", "ET"), ("Johannesburg", "ZA"),
    ("Cape Town", "ZA"), ("Kinshasa", "CD"), ("Khartoum", "SD"), ("Mogadishu", "SO"),
    ("Accra", "GH"), ("Dakar", "SN"), ("Casablanca", "MA"), ("Tunis", "TN"), ("Tripoli", "LY"),
    ("Baghdad", "IQ"), ("Tehran", "IR"), ("Riyadh", "SA"), ("Dubai", "AE"), ("Doha", "QA"),
    ("Beirut", "LB"), ("Damascus", "SY"), ("Amman", "JO"), ("Jerusalem", "IL"), ("Gaza", "PS"),
    ("Kabul", "AF"), ("Karachi", "PK"), ("Lahore", "PK"), ("Islamabad", "PK"), ("Mumbai", "IN"),
    ("New Delhi", "IN"), ("Chennai", "IN"), ("Kolkata", "IN"), ("Bengaluru", "IN"),
    ("Dhaka", "BD"), ("Colombo", "LK"), ("Kathmandu", "NP"), ("Beijing", "CN"), ("Shanghai", "CN"),
    ("Wuhan", "CN"), ("Hong Kong", "HK"), ("Taipei", "TW"), ("Tokyo", "JP"), ("Osaka", "JP"),
    ("Seoul", "KR"), ("Busan", "KR"), ("Pyongyang", "KP"), ("Manila", "PH"), ("Jakarta", "ID"),
    ("Bangkok", "TH"), ("Hanoi", "VN"), ("Singapore", "SG"), ("Kuala Lumpur", "MY"),
    ("Sydney", "AU"), ("Melbourne", "AU"), ("Auckland", "NZ"), ("Toronto", "CA"),
    ("Montreal", "CA"), ("Vancouver", "CA"), ("Ottawa", "CA"), ("New York", "US"),
    ("Washington", "US"), ("Chicago", "US"), ("Houston", "US"), ("Los Angeles", "US"),
    ("San Francisco", "US"), ("Seattle", "US"), ("Miami", "US"), ("Atlanta", "US"),
    ("Boston", "US"), ("Denver", "US"), ("Phoenix", "US"), ("Dallas", "US"), ("Detroit", "US"),
    ("Philadelphia", "US"), ("New Orleans", "US"), ("Mexico City", "MX"), ("Guadalajara", "MX"),
    ("Havana", "CU"), ("Bogota", "CO"), ("Caracas", "VE"), ("Lima", "PE"), ("Quito", "EC"),
    ("Santiago", "CL"), ("Antofagasta", "CL"), ("Buenos Aires", "AR"), ("Sao Paulo", "BR"),
    ("Rio de Janeiro", "BR"), ("Brasilia", "BR"),
]  # fmt: skip
UNITS = [
    "people", "dead", "injured", "pirates", "soldiers", "civilians", "students", "workers",
    "homes", "votes", "seats", "jobs", "flights", "vehicles", "magnitude", "million dollars",
    "billion euros", "percent", "arrests", "patients", "cases", "rockets", "migrants",
]  # fmt: skip
ORG_TAILS = ["Ministry", "Police", "Council", "Party", "Agency", "University", "Bank", "Group",
             "Commission", "Court", "Army", "Navy", "Union", "Institute", "Company"]  # fmt: skip
LEADS = [
    "{number} {unit} were reported in {city} on {weekday}, {month} {day}, {org} said.",
    "{org} said {number} {unit} were counted after the events of {weekday} in {city}.",
    "In {city} on {month} {day}, {person} confirmed that {number} {unit} were involved.",
    "Officials in {city} put the figure at {number} {unit} on {weekday}, {month} {day}.",
]
ANCHORS = [
    "{person} said on {weekday} that {s}",
    "In {city}, {s}",
    "{s} {person} told reporters in {city}.",
    "According to {org}, {s}",
    "{s} The {org} said it was following the situation in {city}.",
    "{person}, speaking in {city}, said: \u201c{s}\u201d",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip
_NOT_NAMES = frozenset(
    "The This That These Those When While After Before But And For From With Without Monday "
    "Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December New North South East West United It He She "
    "They We In On At As If Mr Mrs Ms Dr President Senator Governor House White Republican "
    "Democratic Democrats Republicans Party State States American Americans".split()
)


# --------------------------------------------------------------------------- real text


@dataclass
class Pools:
    paragraphs: list[str]
    sentences: list[str]
    titles: list[str]
    first: list[str]
    last: list[str]
    full_names: list[str]
    orgs: list[str]
    sites: list[str]
    words: list[str]
    """Word tokens of the texts (sampling one draws by frequency)."""
    places: list[tuple[str, str]]
    """The cities, and towns named after "in" in the texts (with a country drawn at random)."""


def _detok(text: str) -> str:
    for a, b in ((" ,", ","), (" .", "."), (" ;", ";"), (" :", ":"), ("( ", "("), (" )", ")"),
                 (" 's", "'s"), (" n't", "n't"), ("`` ", "\u201c"), (" ''", "\u201d"),
                 (" ?", "?"), (" !", "!")):  # fmt: skip
        text = text.replace(a, b)
    return text


def _english(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return (
        bool(letters)
        and sum(c.isascii() for c in letters) / len(letters) > 0.97
        and (" the " in text)
    )


_SENT = re.compile(r"(?<=[.!?\u201d])\s+(?=[A-Z\u201c\"])")
_NAME = re.compile(r"\b([A-Z][a-z]{2,})\s([A-Z][a-z]{2,})\b")
_PLACE = re.compile(r"\bin ([A-Z][a-z]{3,})\b")


def load_pools() -> Pools:
    texts: list[tuple[str, list[str]]] = []  # (title, paragraphs)
    for split in ("train", "dev"):
        for path in sorted((DATA / "quotes" / "polnear" / split / "text").glob("*.txt")):
            paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
            if len(paras) > 2:
                texts.append((paras[0], paras[1:]))
    with (DATA / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            lines = [_detok(x) for x in d["text"].split("\n") if x.strip()]
            if len(lines) > 2:
                texts.append(
                    (lines[0], [" ".join(lines[i : i + 3]) for i in range(1, len(lines), 3)])
                )
    sites: set[str] = set()
    for path in sorted((DATA / "extraction" / "wcxb-dev-articles" / "ground-truth").glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        g = d["ground_truth"]
        if d.get("url"):
            sites.add(re.sub(r"^https?://(www\.)?", "", d["url"]).split("/")[0])
        body = g.get("main_content") or ""
        if _english(body):
            paras = [p.strip() for p in body.split("\n") if len(p.split()) >= 12]
            if paras:
                texts.append((g.get("title") or paras[0][:80], paras))
    for meta in sorted((DATA / "extraction" / "fundus" / "test_data").glob("*/meta.info")):
        for v in json.loads(meta.read_text(encoding="utf-8")).values():
            sites.add(re.sub(r"^https?://(www\.)?", "", v["url"]).split("/")[0])
    paragraphs = [p for _, ps in texts for p in ps if 12 <= len(p.split()) <= 150]
    sentences = [s for p in paragraphs for s in _SENT.split(p) if 8 <= len(s.split()) <= 45]
    titles = [t for t, _ in texts if 4 <= len(t.split()) <= 20]
    names: Counter[tuple[str, str]] = Counter()
    for p in paragraphs:
        for a, b in _NAME.findall(p):
            if a not in _NOT_NAMES and b not in _NOT_NAMES:
                names[a, b] += 1
    full = [f"{a} {b}" for (a, b), c in names.most_common(3000) if c >= 2]
    first = sorted({a for (a, _b) in names})
    last = sorted({b for (_a, b) in names})
    orgs = [f"{w} {t}" for w in last[:400] for t in ORG_TAILS[:3]] + [
        f"{c} {t}" for c, _ in CITIES for t in ORG_TAILS
    ]
    words = [w for p in paragraphs[:20000] for w in p.split()]
    towns: Counter[str] = Counter(m for p in paragraphs for m in _PLACE.findall(p))
    known = {c for c, _ in CITIES}
    rng = random.Random(0)  # noqa: S311 - test data
    codes = sorted({cc for _, cc in CITIES})
    places = list(CITIES) + [
        (t, rng.choice(codes))
        for t, _ in towns.most_common()
        if t not in known and t not in _NOT_NAMES
    ]
    return Pools(
        paragraphs, sentences, titles, first, last, full, orgs, sorted(sites), words, places
    )


# --------------------------------------------------------------------------- the corpus


@dataclass
class Event:
    persons: list[str]
    orgs: list[str]
    city: tuple[str, str]
    day: date
    numbers: list[tuple[str, str]]
    headline: str
    sentences: list[str]


@dataclass
class Doc:
    id: str
    story: int
    original: int
    """Index of the original this is a copy of; its own index for an original."""
    title: str
    paragraphs: list[str]
    site: str
    url: str
    published: str
    canonical: str | None
    item: StoryInput


class Corpus:
    """The schedule of a synthetic corpus and the documents made from it, one at a time."""

    def __init__(self, pools: Pools, n: int, copy_share: float, seed: int) -> None:
        self.p = pools
        self.seed = seed
        rng = np.random.default_rng(seed)
        n_copies = round(n * copy_share)
        n_orig = n - n_copies
        # Story sizes: a truncated discrete power law, drawn until the originals are covered.
        k = np.arange(1, 5001)
        prob = k**-2.2
        prob /= prob.sum()
        sizes: list[int] = []
        total = 0
        while total < n_orig:
            draw = rng.choice(k, size=max(1024, (n_orig - total) // 3), p=prob)
            for s in draw.tolist():
                s = min(s, n_orig - total)
                sizes.append(s)
                total += s
                if total >= n_orig:
                    break
        self.sizes = np.array(sizes, dtype=np.int32)
        self.start = rng.uniform(0, DAYS, size=len(sizes))
        story = np.repeat(np.arange(len(sizes), dtype=np.int32), self.sizes)
        within = np.arange(n_orig) - np.repeat(np.cumsum(self.sizes) - self.sizes, self.sizes)
        # Big stories are followed for longer.
        spread = 0.5 + np.log1p(self.sizes[story].astype(np.float64))
        when = self.start[story] + rng.exponential(spread)
        self.orig_story = story
        self.orig_j = within.astype(np.int32)
        self.orig_time = when
        copy_of = rng.integers(0, n_orig, size=n_copies)
        copy_time = when[copy_of] + rng.exponential(0.5, size=n_copies)
        times = np.concatenate([when, copy_time])
        self.order = np.argsort(times, kind="stable").astype(np.int64)
        self.copy_of = copy_of.astype(np.int64)
        self.n_orig = n_orig
        self.n = n

    def truth(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """True original and true story of every document, by number (originals first)."""
        original = np.concatenate([np.arange(self.n_orig), self.copy_of])
        story = np.concatenate([self.orig_story, self.orig_story[self.copy_of]]).astype(np.int64)
        return original, story

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one corpus per run
    def event(self, s: int) -> Event:
        rng = random.Random(f"{self.seed}:event:{s}")  # noqa: S311 - test data
        p = self.p
        n_persons = rng.choice((1, 2, 2, 3, 4))
        persons = [
            rng.choice(p.full_names) if rng.random() < 0.5 else
            f"{rng.choice(p.first)} {rng.choice(p.last)}"
            for _ in range(n_persons)
        ]  # fmt: skip
        orgs = rng.sample(p.orgs, rng.choice((0, 1, 1, 2)))
        city = rng.choice(p.places)
        day = START + timedelta(days=int(self.start[s]))
        numbers = [
            (str(rng.choice((rng.randint(2, 40), rng.randint(2, 900), rng.randint(10, 99000)))),
             rng.choice(UNITS))
            for _ in range(rng.choice((1, 2, 3)))
        ]  # fmt: skip
        fields = self._fields(rng, persons, orgs, city, day, numbers)
        sentences = []
        # A quote or a detail is repeated by a handful of outlets, not by every one: big stories
        # have more of them.
        for _ in range(rng.randint(6, 14) + int(self.sizes[s]) // 8):
            s_ = rng.choice(p.sentences)
            sentences.append(rng.choice(ANCHORS).format(s=s_[0].lower() + s_[1:], **fields))
        # A headline of its own: a real one, two words in five replaced, with the event's actor.
        title = " ".join(
            w if rng.random() < 0.6 else rng.choice(p.words) for w in rng.choice(p.titles).split()
        )
        headline = f"{persons[0].split()[-1]}: {title} \u2014 {city[0]}"
        return Event(persons, orgs, city, day, numbers, headline, sentences)

    @staticmethod
    def _fields(rng: random.Random, persons: list[str], orgs: list[str], city: tuple[str, str],
                day: date, numbers: list[tuple[str, str]]) -> dict[str, str]:  # fmt: skip
        number, unit = rng.choice(numbers)
        return {
            "person": rng.choice(persons),
            "org": rng.choice(orgs) if orgs else "the government",
            "city": city[0],
            "weekday": _WEEKDAYS[day.weekday()],
            "month": _MONTHS[day.month - 1],
            "day": str(day.day),
            "number": number,
            "unit": unit,
        }

    def _filler(self, rng: random.Random) -> str:
        words = rng.choice(self.p.sentences).split()
        out = []
        for w in words:
            if any(c.isdigit() for c in w):
                w = str(rng.randint(2, 2000))
            elif rng.random() < 0.25:
                w = rng.choice(self.p.words)
            out.append(w)
        return " ".join(out)

    def _reword(self, rng: random.Random, sentence: str) -> str:
        out = []
        for w in sentence.split():
            if w[0].islower() and rng.random() < 0.25:
                w = rng.choice(self.p.words)
            out.append(w)
        return " ".join(out)

    def original(self, i: int) -> Doc:
        s, j = int(self.orig_story[i]), int(self.orig_j[i])
        ev = self.event(s)
        rng = random.Random(f"{self.seed}:doc:{i}")  # noqa: S311 - test data
        numbers = list(ev.numbers)
        if rng.random() < 0.15:  # an update: a toll that rose
            k = rng.randrange(len(numbers))
            numbers[k] = (str(int(numbers[k][0]) + rng.randint(1, 9)), numbers[k][1])
        fields = self._fields(rng, ev.persons, ev.orgs, ev.city, ev.day, numbers)
        title = ev.headline if rng.random() < 0.6 else self._reword(rng, ev.headline)
        # Outlets word their leads differently: the facts stay, a quarter of the other words go.
        lead = [self._reword(rng, rng.choice(LEADS).format(**fields))]
        own = rng.sample(ev.sentences, rng.choice((0, 1, 1, 2, 2, 3)))
        target = rng.randint(300, 800)
        sentences: list[str] = []
        words = sum(len(x.split()) for x in lead + own)
        while words < target:
            sentences.append(self._filler(rng))
            words += len(sentences[-1].split())
        for x in own:
            sentences.insert(rng.randrange(len(sentences) + 1), x)
        paragraphs = [" ".join(lead)]
        while sentences:
            k = rng.randint(2, 4)
            paragraphs.append(" ".join(sentences[:k]))
            sentences = sentences[k:]
        site = self.p.sites[(s * 7919 + j * 104729) % len(self.p.sites)]
        published = START + timedelta(days=float(self.orig_time[i]))
        url = f"https://{site}/{published.isoformat()}/story-{s}-{j}"
        text = "\n".join([title, *paragraphs])
        item = self._item(f"o{i}", text, ev, numbers, rng, published.isoformat(), site)
        return Doc(f"o{i}", s, i, title, paragraphs, site, url, published.isoformat(), None, item)

    def _item(self, aid: str, text: str, ev: Event, numbers: list[tuple[str, str]],
              rng: random.Random, published: str, site: str) -> StoryInput:  # fmt: skip
        entities: list[tuple[str, Any, int]] = []
        for name in ev.persons:
            last = name.split()[-1]
            entities.append((name, "PERSON", max(1, text.count(last))))
        for org in ev.orgs:
            entities.append((org, "ORG", max(1, text.count(org))))
        entities.append((ev.city[0], "GPE", max(1, text.count(ev.city[0]))))
        for _ in range(rng.randint(2, 5)):
            entities.append((rng.choice(self.p.full_names), "PERSON", 1))
        return StoryInput(
            id=aid,
            text=text,
            published=published,
            source=site,
            entities=tuple(entities),
            places=(ev.city[0].lower(), ev.city[1]),
            dates=(ev.day.isoformat(), ev.day.isoformat()[:7]),
            numbers=tuple(f"{v} {u}" for v, u in numbers),
        )

    def copy(self, c: int) -> Doc:
        i = int(self.copy_of[c])
        o = self.original(i)
        rng = random.Random(f"{self.seed}:copy:{c}")  # noqa: S311 - test data
        orig = Original(o.id, o.paragraphs, o.title, o.url, o.published, "synthetic")
        data, _tags, meta = make_copy(orig, c, rng, self.p.titles[:2000])
        lines = [x.strip() for x in data.decode("utf-8").split("\n") if x.strip()]
        site = meta["url"].split("/")[2]
        item = StoryInput(
            f"c{c}", "\n".join(lines), meta.get("published"), site, o.item.entities,
            o.item.places, o.item.dates, o.item.numbers,
        )  # fmt: skip
        return Doc(f"c{c}", o.story, i, lines[0], lines[1:], site, meta["url"],
                   meta.get("published") or "", meta.get("canonical_url"), item)  # fmt: skip

    def __iter__(self) -> Iterator[tuple[int, Doc]]:
        """(document number, document) in arrival order; copies are numbered after originals."""
        for k in self.order.tolist():
            if k < self.n_orig:
                yield k, self.original(k)
            else:
                yield k, self.copy(k - self.n_orig)


def to_article(d: Doc) -> Article:
    paras = [Paragraph(d.title, "title"), *(Paragraph(p, "body") for p in d.paragraphs)]
    return Article(id=d.id, source=d.id, url=d.url, site=d.site, title=d.title,
                   published=d.published or None, canonical_url=d.canonical,
                   paragraphs=paras)  # fmt: skip


# --------------------------------------------------------------------------- measuring


def rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def pair_scores(pred: npt.NDArray[np.int64], true: npt.NDArray[np.int64]) -> dict[str, float]:
    """Pair precision / recall of a predicted grouping against the true one (-1: alone)."""

    def pairs(labels: npt.NDArray[np.int64]) -> int:
        c = np.unique(labels[labels >= 0], return_counts=True)[1].astype(np.int64)
        return int((c * (c - 1) // 2).sum())

    both = np.where(pred >= 0, pred * (int(true.max()) + 1) + true, -1)
    tp, pp, tt = pairs(both), pairs(pred), pairs(true)
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    return {"pair precision": round(p, 4), "pair recall": round(r, 4),
            "pair F1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "true pairs": tt, "predicted pairs": pp}  # fmt: skip


def bcubed(pred: npt.NDArray[np.int64], gold: npt.NDArray[np.int64]) -> dict[str, float]:
    """B-cubed precision, recall and F1 over every document (see bench/stories.py)."""
    _, inv_p, n_p = np.unique(pred, return_inverse=True, return_counts=True)
    _, inv_g, n_g = np.unique(gold, return_inverse=True, return_counts=True)
    joint = inv_p.astype(np.int64) * (len(n_g) + 1) + inv_g
    _, inv_j, n_j = np.unique(joint, return_inverse=True, return_counts=True)
    both = n_j[inv_j].astype(np.float64)
    p = float(np.mean(both / n_p[inv_p]))
    r = float(np.mean(both / n_g[inv_g]))
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4)}  # fmt: skip


class Meter:
    """Time and memory as the run goes: samples at each tenth, progress on stderr; the samples
    so far go to ``checkpoint`` (JSON) as they are taken, and :meth:`over` tells when the run
    must stop (``deadline``, seconds since the epoch)."""

    def __init__(self, n: int, part: str, deadline: float | None = None,
                 checkpoint: Path | None = None) -> None:  # fmt: skip
        self.n, self.part = n, part
        self.deadline = deadline
        self.checkpoint = checkpoint
        self.t0 = time.perf_counter()
        # CPU time as well as wall time: on a shared machine the wall clock measures the other
        # jobs too, the process's CPU seconds do not.
        self.c0 = time.process_time()
        self.rss0 = rss()
        self.samples: list[dict[str, float]] = []
        self.work = 0.0
        self.made = 0.0
        self._next = 1

    def cpu(self) -> float:
        return time.process_time() - self.c0

    def over(self) -> bool:
        return self.deadline is not None and time.time() >= self.deadline

    def tick(self, done: int, extra: Callable[[], dict[str, Any]]) -> None:
        # ``extra`` is called only when a sample is taken: the grouper's memory_bytes walks
        # every story, and calling it per document made the run quadratic.
        if done * 20 >= self._next * self.n:
            self._next += 1
            self.sample(done, extra())
        if done % 5000 == 0 or done == self.n:
            now = time.perf_counter() - self.t0
            eta = now / done * (self.n - done)
            print(f"[{self.part}] {done:,}/{self.n:,} {now:,.0f}s ({done / now:,.0f}/s, "
                  f"make {self.made:,.0f}s) rss {rss() / 2**30:.2f} GB eta {eta:,.0f}s",
                  file=sys.stderr, flush=True)  # fmt: skip

    def sample(self, done: int, extra: dict[str, Any]) -> None:
        """Record time and memory now (once per document count)."""
        if done and (not self.samples or self.samples[-1]["docs"] != done):
            now = time.perf_counter() - self.t0
            r = rss()
            self.samples.append(
                {
                    "docs": done,
                    "s": round(now, 1),
                    "cpu s": round(self.cpu(), 1),
                    "rss MB": round(r / 2**20, 1),
                    "rss growth B/doc": round((r - self.rss0) / done),
                    **extra,
                }
            )
            if self.checkpoint:
                self.checkpoint.write_text(json.dumps({self.part: self.samples}, indent=1))


def growth(samples: list[dict[str, float]]) -> float:
    """RSS bytes per document between the first sample (5% of the run) and the last."""
    a, b = samples[0], samples[-1]
    return (b["rss MB"] - a["rss MB"]) * 2**20 / max(1, b["docs"] - a["docs"])


def run_copies(corpus: Corpus, directory: str | None, meter: Meter) -> dict[str, Any]:
    idx = CopyIndex(directory)

    def sizes() -> dict[str, Any]:
        return {"index MB": round(idx.memory_bytes() / 2**20, 1),
                "disk MB": round(idx.disk_bytes / 2**20, 1)}  # fmt: skip

    gen = iter(corpus)
    seq_of: list[int] = []
    done = 0
    for done in range(1, corpus.n + 1):
        if done % 1000 == 0 and meter.over():
            done -= 1
            break
        t = time.perf_counter()
        k, doc = next(gen)
        article = to_article(doc)
        t1 = time.perf_counter()
        idx.add(article)
        meter.work += time.perf_counter() - t1
        meter.made += t1 - t
        seq_of.append(k)
        meter.tick(done, sizes)
    meter.sample(done, sizes())
    t = time.perf_counter()
    groups = idx.groups()
    t_groups = time.perf_counter() - t
    wall = time.perf_counter() - meter.t0
    true_original, _ = corpus.truth()
    pred = np.full(corpus.n, -1, dtype=np.int64)
    seen = np.array(seq_of, dtype=np.int64)

    def num(aid: str) -> int:
        return int(aid[1:]) if aid[0] == "o" else corpus.n_orig + int(aid[1:])

    right = 0
    for g, group in enumerate(groups):
        members = [num(group.original), *(num(c.copy) for c in group.copies)]
        pred[members] = g
        truths = Counter(int(true_original[m]) for m in members)
        t_orig, count = truths.most_common(1)[0]
        right += count >= 2 and num(group.original) == t_orig
    # Only the documents that arrived count (all of them unless the run was stopped early).
    has_copy = np.bincount(true_original[seen], minlength=corpus.n) > 1
    true_labels = np.where(has_copy[true_original[seen]], true_original[seen], -1)
    scores = pair_scores(pred[seen], true_labels)
    return {
        "documents": done,
        "documents planned": corpus.n,
        "copies": int((seen >= corpus.n_orig).sum()),
        "wall s": round(wall, 1),
        "docs/s (wall)": round(done / wall, 1),
        "cpu s": round(meter.cpu(), 1),
        "docs per cpu s": round(done / meter.cpu(), 1),
        "add s": round(meter.work, 1),
        "docs/s (add)": round(done / meter.work, 1),
        "making documents s": round(meter.made, 1),
        "groups() s": round(t_groups, 1),
        "peak RSS MB": round(peak_rss() / 2**20, 1),
        "RSS before MB": round(meter.rss0 / 2**20, 1),
        "RSS growth per doc B (5%..end)": round(growth(meter.samples)),
        "index numpy bytes per doc": round(idx.memory_bytes() / done),
        "disk bytes per doc": round(idx.disk_bytes / done),
        "groups": len(groups),
        **scores,
        "original chosen right (share of detected groups)": round(right / max(1, len(groups)), 4),
        "samples": meter.samples,
    }


def run_stories(corpus: Corpus, meter: Meter) -> dict[str, Any]:
    grouper = StoryGrouper()

    def sizes() -> dict[str, Any]:
        return {"grouper numpy MB": round(grouper.memory_bytes() / 2**20, 1)}

    gen = iter(corpus)
    regroups: list[dict[str, float]] = []
    seq_of: list[int] = []
    done = 0
    for done in range(1, corpus.n + 1):
        if done % 1000 == 0 and meter.over():
            done -= 1
            break
        t = time.perf_counter()
        k, doc = next(gen)
        seq_of.append(k)
        t1 = time.perf_counter()
        before = grouper._next_regroup
        grouper.add(doc.item)
        t2 = time.perf_counter()
        if grouper._next_regroup != before:
            regroups.append({"docs": done, "s (add + regroup)": round(t2 - t1, 1)})
            print(f"[stories] regroup at {done:,}: {t2 - t1:,.1f}s", file=sys.stderr, flush=True)
        meter.work += t2 - t1
        meter.made += t1 - t
        meter.tick(done, sizes)
    meter.sample(done, sizes())
    t = time.perf_counter()
    grouper.regroup()
    t_final = time.perf_counter() - t
    wall = time.perf_counter() - meter.t0
    _, gold = corpus.truth()
    ids: dict[str, int] = {}
    seen = np.array(seq_of, dtype=np.int64)
    pred = np.empty(len(seen), dtype=np.int64)
    for i, k in enumerate(seq_of):
        aid = f"o{k}" if k < corpus.n_orig else f"c{k - corpus.n_orig}"
        pred[i] = ids.setdefault(grouper.story_of(aid), len(ids))
    sizes = np.unique(gold[seen], return_counts=True)[1]
    return {
        "documents": done,
        "documents planned": corpus.n,
        "gold stories": len(sizes),
        "singleton gold stories": int((sizes == 1).sum()),
        "largest gold story": int(sizes.max()),
        "wall s": round(wall, 1),
        "docs/s (wall)": round(done / wall, 1),
        "cpu s": round(meter.cpu(), 1),
        "docs per cpu s": round(done / meter.cpu(), 1),
        "add s (with automatic regroups)": round(meter.work, 1),
        "docs/s (add)": round(done / meter.work, 1),
        "making documents s": round(meter.made, 1),
        "automatic regroups": regroups,
        "final regroup s": round(t_final, 1),
        "peak RSS MB": round(peak_rss() / 2**20, 1),
        "RSS before MB": round(meter.rss0 / 2**20, 1),
        "RSS growth per doc B (5%..end)": round(growth(meter.samples)),
        "grouper numpy bytes per doc": round(grouper.memory_bytes() / done),
        "stories found": len(ids),
        "B-cubed": bcubed(pred, gold[seen]),
        "samples": meter.samples,
    }


def table(results: dict[str, Any]) -> str:
    rows = [
        "| part | docs | wall s | CPU s | docs/s (wall) | docs per CPU s | docs/s (part's work) "
        "| peak RSS MB | RSS B/doc (5%→end) | quality |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for part, r in results.items():
        if part == "copies":
            q = (f"pair P {r['pair precision']:.3f} / R {r['pair recall']:.3f}; original right "
                 f"{r['original chosen right (share of detected groups)']:.3f}")  # fmt: skip
        else:
            b = r["B-cubed"]
            q = f"B-cubed P {b['precision']:.3f} / R {b['recall']:.3f} / F1 {b['f1']:.3f}"
        rows.append(
            f"| {part} | {r['documents']:,} | {r['wall s']:,.0f} | {r['cpu s']:,.0f} | "
            f"{r['docs/s (wall)']:,.0f} | {r['docs per cpu s']:,.0f} | {r['docs/s (add)']:,.0f} | "
            f"{r['peak RSS MB']:,.0f} | "
            f"{r['RSS growth per doc B (5%..end)']:,} | {q} |"
        )
    return "\n".join(rows)


# --------------------------------------------------------------------------- engines


def split_warc(warc: Path, shards: int, folder: Path) -> list[Path]:
    """``warc`` (a WARC.gz of one gzip member per record, as bench/throughput.py writes them) cut
    into ``shards`` WARC.gz files of consecutive records."""
    import zlib

    data = warc.read_bytes()
    members, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        d.decompress(data[pos:])
        if not d.eof:
            raise SystemExit(f"{warc}: not a WARC.gz of whole gzip members")
        end = len(data) - len(d.unused_data)
        members.append(data[pos:end])
        pos = end
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-len(members) // shards)
    paths = []
    for s in range(shards):
        part = members[s * size : (s + 1) * size]
        if part:
            path = folder / f"shard-{s:03d}.warc.gz"
            path.write_bytes(b"".join(part))
            paths.append(path)
    return paths


class TreeSampler:
    """Samples this process's descendants every ``every`` seconds (Linux /proc): each one's
    peak RSS (VmHWM), command line and parent, and the largest total RSS of the whole tree."""

    def __init__(self, every: float = 0.25) -> None:
        import threading

        self.every = every
        self.procs: dict[int, dict[str, Any]] = {}
        self.tree_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        from crosswire.distributed.worker import descendants

        me = os.getpid()
        while not self._stop.is_set():
            total = rss()
            for pid in descendants(me):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                kb = {k: int(fields[k].split()[0]) for k in ("VmRSS", "VmHWM") if k in fields}
                p = self.procs.setdefault(pid, {"cmd": cmd, "ppid": int(fields["PPid"]), "hwm": 0})
                p["cmd"] = cmd if cmd.startswith("ray::") else p["cmd"]
                p["hwm"] = max(p["hwm"], kb.get("VmHWM", 0) * 1024)
                total += kb.get("VmRSS", 0) * 1024
            self.tree_peak = max(self.tree_peak, total)
            self._stop.wait(self.every)

    def subtree(self, pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            parent = todo.pop()
            for child, p in self.procs.items():
                if p["ppid"] == parent:
                    out.append(child)
                    todo.append(child)
        return out

    def actors(self) -> list[list[int]]:
        """Each Ray actor's own peak MB and its processes' (fork server, extraction process)."""
        mb = 2**20
        actors = [pid for pid, p in self.procs.items() if p["cmd"].startswith("ray::ShardWorker")]
        return [
            [round(self.procs[a]["hwm"] / mb), round(sum(self.procs[q]["hwm"] for q in
                                                         self.subtree(a)) / mb)]
            for a in actors
        ]  # fmt: skip

    def per_worker(self, engine: str) -> list[float]:
        """Peak MB of each worker: a local extraction process (a child of the fork server), or
        a Ray actor with the processes it started (its own extraction process)."""
        mb = 2**20
        if engine == "local":
            servers = {pid for pid, p in self.procs.items() if "forkserver" in p["cmd"]}
            return sorted(
                round(p["hwm"] / mb)
                for pid, p in self.procs.items()
                if pid in servers and p["ppid"] in servers
            )
        actors = [pid for pid, p in self.procs.items() if p["cmd"].startswith("ray::ShardWorker")]
        return sorted(
            round(sum(self.procs[q]["hwm"] for q in [a, *self.subtree(a)]) / mb) for a in actors
        )


def run_engines(warc: Path, shards: int, workers: Sequence[int], tmp: str | None) -> dict[str, Any]:
    """Articles/s and memory per worker: ``pipeline.ingest`` with N worker processes against
    ``ingest_with_ray`` with N actors, read stage on (as ``crosswire ingest``), same shards."""
    import shutil
    import tempfile

    from crosswire.distributed.ray_engine import ingest_with_ray
    from crosswire.pipeline import Options, ingest
    from crosswire.store.store import Store

    root = Path(tempfile.mkdtemp(prefix="crosswire-engines-", dir=tmp))
    try:
        paths = [str(p) for p in split_warc(warc, shards, root / "in")]
        results: dict[str, Any] = {}
        for engine in ("local", "ray"):
            for n in workers:
                name = f"{engine}, {n} worker{'s' if n > 1 else ''}"
                db = root / f"{engine}-{n}.db"
                options = Options(workers=n, read=True)
                first: list[float] = []

                def stored(_result: object, _outcome: str, first: list[float] = first) -> None:
                    if not first:
                        first.append(time.perf_counter())

                load0 = os.getloadavg()
                t0 = time.perf_counter()
                with TreeSampler() as sampler, Store(db) as store:
                    if engine == "local":
                        summary = ingest(paths, store, options, on_result=stored)
                    else:
                        summary = ingest_with_ray(
                            paths, store, options, workers=n, shards_dir=root / f"shards-{n}",
                            on_result=stored,
                        )  # fmt: skip
                wall = time.perf_counter() - t0
                articles = summary.new + summary.known
                per_worker = sampler.per_worker(engine)
                results[name] = {
                    "engine": engine,
                    "workers": n,
                    "shards": len(paths),
                    "articles": articles,
                    "failed": summary.failed,
                    "wall s": round(wall, 1),
                    "articles/s": round(articles / wall, 3) if wall else 0.0,
                    "first stored after s": round(first[0] - t0, 1) if first else None,
                    "peak RSS per worker MB": per_worker,
                    "ray actor itself / its processes MB": sampler.actors(),
                    "peak RSS of the process tree MB": round(sampler.tree_peak / 2**20),
                    "loadavg before/after": [round(load0[0], 2), round(os.getloadavg()[0], 2)],
                }
                print(f"[engines] {name}: {articles} articles in {wall:.1f}s, workers "
                      f"{per_worker} MB, tree {sampler.tree_peak / 2**20:,.0f} MB",
                      file=sys.stderr, flush=True)  # fmt: skip
        return results
    finally:
        shutil.rmtree(root, ignore_errors=True)


def engines_table(results: dict[str, Any]) -> str:
    rows = [
        "| engine | workers | shards | articles | wall s | articles/s | first stored after s "
        "| peak RSS per worker MB | process tree peak MB | load avg before → after |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in results.values():
        load = r["loadavg before/after"]
        rows.append(
            f"| {r['engine']} | {r['workers']} | {r['shards']} | {r['articles']} | "
            f"{r['wall s']:.1f} | {r['articles/s']:.2f} | {r['first stored after s']} | "
            f"{', '.join(str(m) for m in r['peak RSS per worker MB'])} | "
            f"{r['peak RSS of the process tree MB']:,} | {load[0]} → {load[1]} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="documents")
    ap.add_argument("--part", choices=("copies", "stories", "both", "engines"), default="both")
    ap.add_argument("--copies", type=float, default=0.07, help="share of scraper copies")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tmp", default=None, help="folder for the copy index's disk records")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    ap.add_argument(
        "--stop-at",
        default=None,
        help="UTC time HH:MM at which to stop adding documents and report on those added",
    )
    ap.add_argument(
        "--warc",
        type=Path,
        default=ROOT / "bench" / "results" / "throughput-80.warc.gz",
        help="engines: the pages (a WARC.gz of one gzip member per record)",
    )
    ap.add_argument("--shards", type=int, default=4, help="engines: WARC files to cut it into")
    ap.add_argument(
        "--engine-workers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 2],
        help="engines: worker counts to run each engine with (comma-separated)",
    )
    args = ap.parse_args(argv)
    if args.part == "engines":
        results = run_engines(args.warc, args.shards, args.engine_workers, args.tmp)
    elif args.part == "both":
        # One process per part, so that each part's peak memory is its own.
        results: dict[str, Any] = {}
        for part in ("copies", "stories"):
            out = Path(f"/tmp/crosswire-scale-{os.getpid()}-{part}.json")  # noqa: S108
            cmd = [sys.executable, __file__, "--n", str(args.n), "--part", part, "--copies",
                   str(args.copies), "--seed", str(args.seed), "--json", str(out)]  # fmt: skip
            if args.tmp:
                cmd += ["--tmp", args.tmp]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            results.update(json.loads(out.read_text())["results"])
            out.unlink()
    else:
        t = time.perf_counter()
        pools = load_pools()
        corpus = Corpus(pools, args.n, args.copies, args.seed)
        print(f"pools and schedule: {time.perf_counter() - t:.1f}s; {len(pools.paragraphs):,} "
              f"paragraphs, {len(pools.sentences):,} sentences, {len(pools.titles):,} titles, "
              f"{len(corpus.sizes):,} stories", file=sys.stderr)  # fmt: skip
        # The pools are read-only for the whole run: no point in the collector walking them.
        gc.collect()
        gc.freeze()
        deadline = None
        if args.stop_at:
            now = datetime.now(UTC)
            hh, mm = (int(x) for x in args.stop_at.split(":"))
            deadline = now.replace(hour=hh, minute=mm, second=0, microsecond=0).timestamp()
        checkpoint = args.json.with_suffix(".partial.json") if args.json else None
        meter = Meter(args.n, args.part, deadline, checkpoint)
        if args.part == "copies":
            results = {"copies": run_copies(corpus, args.tmp, meter)}
        else:
            results = {"stories": run_stories(corpus, meter)}
    report = {
        "command": "bench/scale.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": date.today().isoformat(),
        "machine": f"{platform.platform()}, {os.cpu_count()} cores",
        "results": results,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(engines_table(results) if args.part == "engines" else table(results))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
