"""Places an article names, geocoded offline: coordinates, ISO country and kind.

One :class:`Place` per GPE or LOC entity that the gazetteer knows. Countries come from
``data/countries.csv`` (via :mod:`~crosswire.read.gazetteer`); cities of at least 15,000 people,
first-level regions (oblasts, krais, states, provinces) and each country's position come from
``data/places.tsv.gz``, built from GeoNames by ``tools/build_gazetteer.py``.

A name several places share ("Samara", "Tripoli") goes to the candidate in a country the article
names (as a country or by a demonym), then to the most populous. A name the gazetteer lacks gives
no place: nothing is guessed.
"""

from __future__ import annotations

import gzip
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from crosswire.read.gazetteer import countries_in, country_code, demonym_code, gazetteer
from crosswire.read.lexicon import DIVISIONS
from crosswire.records import Entity, Mention, Place, PlaceKind

if TYPE_CHECKING:
    from crosswire.read.nlp import Block

__all__ = ["Place", "find_places", "lookup"]


# "State" is no division word for span finding ("Islamic State"), but once an entity is already a
# place, "Rakhine State" names a region.
_REGION_WORDS = DIVISIONS | {"state", "republic", "autonomous"}
# Division words of regions named after their main city ("Belgorod region").
_CENTRE_WORDS = frozenset("oblast krai region province governorate prefecture voivodeship".split())
_APOSTROPHES = re.compile(r"['‘’`ʻʼʹ]")
_PAREN = re.compile(r"\([^)]*\)")
_SEPARATORS = re.compile(r"[-‐‑–.,/]")
# Letters Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ß": "ss", "æ": "ae", "ə": "a"})


class _Entry(NamedTuple):
    kind: PlaceKind
    name: str
    country: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True, slots=True)
class _Index:
    rows: list[list[str]]
    """The file's rows, split but not converted: most are never looked at."""
    by_key: dict[str, list[int]]
    """Normalised city or region name → rows."""
    by_base: dict[str, list[int]]
    """Region name without its division word ("kherson" for "Kherson Oblast") → regions."""
    by_centre: dict[str, list[int]]
    """Main city's name → regions, for "Belgorod region" where ISO has "Belgorodskaya oblast'"."""
    countries: dict[str, int]
    """ISO code → the country's row."""

    def entry(self, i: int) -> _Entry:
        kind, names, cc, lat, lon, pop = self.rows[i][:6]
        return _Entry(_KINDS[kind], names.split("|", 1)[0], cc, float(lat), float(lon), int(pop))

    def kind(self, i: int) -> str:
        return self.rows[i][0]

    def country(self, i: int) -> str:
        return self.rows[i][2]


_KINDS: dict[str, PlaceKind] = {"city": "city", "region": "region", "country": "country"}


def key(name: str) -> str:
    """``name`` reduced so that spellings of one place meet.

    Accents, apostrophes, hyphens and parentheses go; the romanisation variants GeoNames and ISO
    use for Slavic names meet the English ones ("Primorskiy kray" and "Primorsky Krai").
    """
    text = unicodedata.normalize("NFKD", _PAREN.sub(" ", name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _SEPARATORS.sub(" ", _APOSTROPHES.sub("", text.casefold().translate(_LETTERS)))
    words = text.split()
    out = []
    for i, w in enumerate(words):
        if i == 0 and w == "st" and len(words) > 1:
            w = "saint"
        elif w == "kray":
            w = "krai"
        elif len(w) > 4 and w.endswith(("iy", "yi", "yy", "ii")):
            w = w[:-2] + "y"
        out.append(w)
    return " ".join(out)


def _base(k: str) -> str | None:
    words = k.split()
    if len(words) > 1 and words[-1] in _REGION_WORDS:
        return " ".join(words[:-1])
    return None


@lru_cache(maxsize=1)
def _index() -> _Index:
    """The gazetteer, read once per process from the packaged file (about 0.1 s).

    The file carries each place's :func:`key` forms, computed when it was built, so loading only
    splits lines.
    """
    raw = resources.files("crosswire.read").joinpath("data/places.tsv.gz").read_bytes()
    rows = [line.split("\t") for line in gzip.decompress(raw).decode("utf-8").splitlines()[1:]]
    by_key: dict[str, list[int]] = {}
    by_base: dict[str, list[int]] = {}
    by_centre: dict[str, list[int]] = {}
    countries: dict[str, int] = {}
    for i, row in enumerate(rows):
        kind = row[0]
        if kind == "country":
            countries[row[2]] = i
            continue
        for k in row[6].split("|"):
            by_key.setdefault(k, []).append(i)
            if kind == "region":
                b = _base(k)
                if b is not None:
                    by_base.setdefault(b, []).append(i)
        if row[7]:
            by_centre.setdefault(row[7], []).append(i)
    return _Index(rows, by_key, by_base, by_centre, countries)


@lru_cache(maxsize=1)
def _capital_keys() -> dict[str, frozenset[str]]:
    """Country code → keys of its capital's spellings in ``countries.csv``."""
    return {
        code: frozenset(key(c) for c in country.capitals)
        for code, country in gazetteer().countries.items()
    }


def _is_capital(i: int) -> bool:
    idx = _index()
    if idx.kind(i) != "city":
        return False
    capitals = _capital_keys().get(idx.country(i), frozenset())
    return any(k in capitals for k in idx.rows[i][6].split("|"))


def _cities_first(found: Sequence[int]) -> list[int]:
    """``found`` less the regions named after a city of theirs or a capital of their country.

    "Kherson" is the city and the oblast, whose main city it is; "Washington" is the capital
    before the state: news names such a region with its division word. "Oregon" stays the state:
    the town of that name is elsewhere (Ohio).
    """
    idx = _index()
    drop: set[int] = set()
    for c in found:
        if idx.kind(c) != "city":
            continue
        keys = set(idx.rows[c][6].split("|"))
        capital = _is_capital(c)
        for r in found:
            same = idx.kind(r) == "region" and idx.country(r) == idx.country(c)
            if same and (capital or idx.rows[r][7] in keys):
                drop.add(r)
    return [i for i in found if i not in drop]


def _candidates(name: str) -> list[int]:
    """Rows ``name`` may mean: regions only when it ends in a division word."""
    idx = _index()
    k = key(name)
    if not k or (name.isupper() and len(name) <= 5):
        return []  # an acronym ("EU", "NATO") is no town
    base = _base(k)
    if base is None:
        return _cities_first(idx.by_key.get(k, []))
    for found in (
        idx.by_key.get(k, []),
        idx.by_base.get(base, []),
        # "Rakhine State" is the region GeoNames calls "Rakhine".
        idx.by_key.get(base, []),
        # "Belgorod region"; but "Los Angeles County" is no name for California.
        idx.by_centre.get(base, []) if k.split()[-1] in _CENTRE_WORDS else [],
    ):
        regions = [i for i in found if idx.kind(i) == "region"]
        if regions:
            return regions
    return []


_NEAR_KM = 400.0
"""A town this close to a region's point counts as placing the story in that region."""
_DOMINANT = 20
"""How many times larger than the article-country candidate a capital must be to win anyway."""
_DOUBLE = re.compile(r"(\w)\1")
_FINAL_YA = re.compile(r"(?<=[^aeiou\s])ya\b")


def _loose(k: str) -> str:
    """A key with doubled letters single and a final "-ya" as "-ia" ("Odessa", "Vinnytsya")."""
    return _FINAL_YA.sub("ia", _DOUBLE.sub(r"\1", k))


@lru_cache(maxsize=1)
def _loose_index() -> dict[str, list[int]]:
    """Loose key → rows, built the first time a name has no match in the article's countries."""
    out: dict[str, list[int]] = {}
    for k, rows in _index().by_key.items():
        out.setdefault(_loose(k), []).extend(rows)
    return out


def _loose_candidates(name: str, countries: frozenset[str]) -> list[int]:
    k = key(name)
    if len(k) < 5 or _base(k) is not None or name.isupper():
        return []
    idx = _index()
    return _cities_first(
        [i for i in _loose_index().get(_loose(k), []) if idx.country(i) in countries]
    )


def lookup(name: str, context: frozenset[str] = frozenset()) -> Place | None:
    """The place ``name`` most likely means, preferring countries in ``context``, else ``None``."""
    code = country_code(name)
    if code is not None:
        return _country_place(name, code)
    best = _choose([name], context)
    if best is None:
        return None
    return Place(name, best.lat, best.lon, best.country, best.kind)


def _country_place(name: str, code: str) -> Place | None:
    idx = _index()
    i = idx.countries.get(code)
    if i is None:
        return None
    e = idx.entry(i)
    return Place(name, e.lat, e.lon, code, "country")


def _choose(
    names: Sequence[str], context: frozenset[str], near: frozenset[str] = frozenset()
) -> _Entry | None:
    """The best entry for ``names``: in a country named ``near`` the mention, then anywhere in
    the article (a capital far larger than every namesake there counts as both), then matching
    most of the names, then the most populous."""
    idx = _index()
    hits: dict[int, int] = {}
    for n in dict.fromkeys(names):
        for i in _candidates(n):
            hits[i] = hits.get(i, 0) + 1
    local = near | context
    if local and not any(idx.country(i) in local for i in hits):
        # "Odessa" in an article about Ukraine is Odesa, not the Texan town: a looser spelling
        # match is taken, but only inside a country the article names.
        for n in dict.fromkeys(names):
            for i in _loose_candidates(n, local):
                hits[i] = hits.get(i, 0) + 1
    if not hits:
        return None

    def pop(i: int) -> int:
        return int(idx.rows[i][5])

    in_local = [pop(i) for i in hits if idx.country(i) in local]
    # A capital far larger than any namesake in the article's countries is still meant: "Moscow"
    # in an American story is not the Idaho town of 25,000.
    dominant = _DOMINANT * max(in_local) if in_local else None

    def rank(i: int) -> tuple[bool, bool, int, int]:
        cc = idx.country(i)
        capital = dominant is not None and _is_capital(i) and pop(i) >= dominant
        return (cc in near or capital, cc in context or capital, hits[i], pop(i))

    return idx.entry(max(hits, key=rank))


def _signals(entities: Sequence[Entity]) -> dict[str, set[str]]:
    """Countries the article names, as countries or through their people ("Russian"), each with
    the ids of the entities that name it."""
    codes: dict[str, set[str]] = {}
    for e in entities:
        if e.type in {"GPE", "NORP"}:
            # The model sometimes tags a demonym GPE ("Ukrainian officials").
            code = country_code(e.name) or demonym_code(e.name)
            if code is not None:
                codes.setdefault(code, set()).add(e.id)
    return codes


def _region_not_country(ent: Entity, code: str, placed: Sequence[Place]) -> _Entry | None:
    """The region of another country that a country's name also names, when the article places
    a town in it.

    "Georgia" beside Atlanta is the US state; beside Tbilisi, or in a story about the country
    that mentions Washington, it is the country. Taken only when the article names the country by
    that one name and nothing else (no capital, no "Georgian").
    """
    if ent.aliases or any(m.text != ent.name for m in ent.mentions):
        return None
    idx = _index()
    regions = [
        e
        for e in (idx.entry(i) for i in idx.by_key.get(key(ent.name), []))
        if e.kind == "region"
        and e.country != code
        and any(
            p.country == e.country and _km(p.lat, p.lon, e.lat, e.lon) <= _NEAR_KM for p in placed
        )
    ]
    return max(regions, key=lambda e: e.population) if regions else None


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def _near(blocks: Sequence[Block], mentions: Sequence[Mention]) -> frozenset[str]:
    """Countries named in the paragraphs that mention the place ("Tripoli, Lebanon")."""
    codes: set[str] = set()
    for b in blocks:
        if any(b.start <= m.start < b.end for m in mentions):
            codes |= countries_in(b.doc.text)
    return frozenset(codes)


def find_places(blocks: Sequence[Block], entities: Sequence[Entity]) -> list[Place]:
    """One place per GPE or LOC entity the gazetteer knows, in the entities' order.

    A country entity gets the country's position, a city or region its own; people and
    organisations are never geocoded. ``blocks`` are the parse the entities were read from: a
    country named in the same paragraph as the place outranks one named elsewhere.
    """
    signals = _signals(entities)
    context = frozenset(signals)
    found: dict[str, Place] = {}
    countries: list[tuple[Entity, str]] = []
    for ent in entities:
        if ent.type not in {"GPE", "LOC"}:
            continue
        code = country_code(ent.name)
        if code is not None:
            countries.append((ent, code))
            continue
        names = [ent.name, *ent.aliases, *(m.text for m in ent.mentions)]
        best = _choose(
            [n for n in names if country_code(n) is None], context, _near(blocks, ent.mentions)
        )
        if best is not None:
            found[ent.id] = Place(
                ent.name, best.lat, best.lon, best.country, best.kind, ent.id, tuple(ent.mentions)
            )
    # Countries last: the towns already placed tell whether a "Georgia" is the US state.
    placed = [p for p in found.values() if p.kind == "city"]
    for ent, code in countries:
        mentions = tuple(ent.mentions)
        region = None
        if not signals.get(code, set()) - {ent.id}:
            region = _region_not_country(ent, code, placed)
        if region is not None:
            r = region
            found[ent.id] = Place(ent.name, r.lat, r.lon, r.country, "region", ent.id, mentions)
            continue
        c = _country_place(ent.name, code)
        if c is not None:
            found[ent.id] = Place(c.name, c.lat, c.lon, code, "country", ent.id, mentions)
    return [found[e.id] for e in entities if e.id in found]
