"""Offline country gazetteer: names, common aliases, demonyms and capitals (``data/countries.csv``).

Lookups are exact first; :func:`fuzzy_country` only rescues a misspelling ("Untied States") when
no exact entry matches, and only under the guards of :func:`close_names`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import OSA


@dataclass(frozen=True, slots=True)
class Country:
    """One country: ISO 3166 alpha-2 code, English short name and the other ways news names it."""

    code: str
    name: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    capitals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gazetteer:
    countries: dict[str, Country]
    by_name: dict[str, str]
    """Folded country name or alias → code."""
    by_demonym: dict[str, str]
    by_capital: dict[str, str]


def fold(text: str) -> str:
    """``text`` compared loosely: case-folded, full stops and curly apostrophes normalised."""
    return " ".join(text.replace("’", "'").replace(".", "").casefold().split())


def _split(field: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in field.split("|") if p.strip())


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, read once per process from the packaged CSV."""
    raw = resources.files("crosswire.read").joinpath("data/countries.csv").read_text("utf-8")
    countries: dict[str, Country] = {}
    by_name: dict[str, str] = {}
    by_demonym: dict[str, str] = {}
    by_capital: dict[str, str] = {}
    for row in csv.DictReader(raw.splitlines()):
        c = Country(
            code=row["code"],
            name=row["name"],
            aliases=_split(row["aliases"]),
            demonyms=_split(row["demonyms"]),
            capitals=_split(row["capital"]),
        )
        countries[c.code] = c
        for n in (c.name, *c.aliases):
            by_name.setdefault(fold(n), c.code)
        for d in c.demonyms:
            by_demonym.setdefault(fold(d), c.code)
        for cap in c.capitals:
            by_capital.setdefault(fold(cap), c.code)
    # A city-state's capital is the country itself, never a stand-in for its government.
    for key in list(by_capital):
        if key in by_name:
            del by_capital[key]
    return Gazetteer(countries, by_name, by_demonym, by_capital)


def country_code(name: str) -> str | None:
    """Code of the country ``name`` names exactly (name or alias), else ``None``.

    Two-letter all-caps aliases ("US", "UK") must be written in capitals: "us" is a pronoun.
    """
    code = gazetteer().by_name.get(fold(name))
    if code is None:
        return None
    stripped = name.replace(".", "")
    if len(stripped) <= 3 and not stripped.isupper():
        return None
    return code


def demonym_code(word: str) -> str | None:
    """Code of the country whose people or adjective ``word`` is ("Ukrainian" → UA)."""
    return gazetteer().by_demonym.get(fold(word))


def capital_code(name: str) -> str | None:
    """Code of the country whose capital ``name`` is ("Seoul" → KR), else ``None``."""
    return gazetteer().by_capital.get(fold(name))


def close_names(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` are plausibly one name spelled two ways.

    A ratio alone would merge "Kim Jong Un" with "Kim Jong Il" and "Austria" with "Australia",
    so the names must have the same number of words, differ in exactly one word, and that word
    must be long (at least 5 letters), start with the same letter and be at most one edit away
    (a transposition counts as one) — two for words of 10 letters or more.
    """
    ta, tb = fold(a).split(), fold(b).split()
    if len(ta) != len(tb) or ta == tb:
        return False
    diff = [(x, y) for x, y in zip(ta, tb, strict=True) if x != y]
    if len(diff) != 1:
        return False
    x, y = diff[0]
    if min(len(x), len(y)) < 5 or x[0] != y[0]:
        return False
    allowed = 2 if min(len(x), len(y)) >= 10 else 1
    return OSA.distance(x, y) <= allowed


def fuzzy_country(name: str) -> str | None:
    """Code of the single country whose name or alias ``name`` misspells, else ``None``."""
    g = gazetteer()
    if fold(name) in g.by_name:
        return g.by_name[fold(name)]
    hits = {code for key, code in g.by_name.items() if close_names(name, key)}
    return hits.pop() if len(hits) == 1 else None


def countries_in(text: str) -> set[str]:
    """Codes of every country that ``text`` names by name, alias or demonym."""
    g = gazetteer()
    words = fold(text.replace("'s", " ").replace("-", " ")).split()
    found: set[str] = set()
    for i in range(len(words)):
        for n in range(1, 5):
            if i + n > len(words):
                break
            gram = " ".join(words[i : i + n])
            code = g.by_name.get(gram) or g.by_demonym.get(gram)
            if code is not None and (n > 1 or len(gram) > 3 or gram.upper() in text):
                found.add(code)
    return found
