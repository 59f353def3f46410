"""Entities across articles: one corpus entity per real person, organisation, place or group.

Each article's entities (:func:`crosswire.read.entities.find_entities`) are linked into an
incremental :class:`EntityIndex` under rules that stay on the safe side:

* types must agree: people with people, organisations with organisations, groups with groups;
  GPE and LOC may join (one place is often labelled both ways);
* full names link when they are equal after normalisation (case, diacritics, punctuation,
  hyphens, leading titles), directly or through a full-name alias the article itself merged;
  countries link by their ISO code, a capital named as a place by its country;
* a misspelt full name links under the guards of :func:`~crosswire.read.gazetteer.close_names`,
  and only to the one entity it is close to;
* a one-word person name ("Putin") belongs to the one person in the corpus whose surname it is;
  when two known people share it ("Clinton": Hillary and Bill) each such mention stays its own
  entity in its own article, so the two people are never merged on a surname;
* an acronym ("NATO") belongs to the one organisation it spells, under the per-article rules;
  an acronym several organisations spell ("ICC") stays apart.

Surnames and acronyms are resolved against the whole index, not just what came before them, so
a surname seen before its full name still finds it, and one seen when a second namesake arrives
is let go. Corpus ids follow from the order of arrival alone: ``c`` and the serial number of the
entity's first anchoring mention in the index (``c1``, ``c4``, …). An entity keeps its id as
articles are added, unless two entities merge (the older id wins) or a surname or acronym
entity is absorbed by, or let go from, the one person or organisation it names.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from crosswire.read.entities import acronym, is_acronym
from crosswire.read.gazetteer import capital_code, close_names, country_code, fold
from crosswire.read.lexicon import HONORIFICS, TITLES
from crosswire.read.spans import AMBIGUOUS_CAPITALS
from crosswire.records import Entity, EntityType, Reading

__all__ = ["CorpusEntity", "CorpusRole", "EntityIndex", "index_readings"]

_Class = Literal["person", "org", "place", "group"]
_CLASS: dict[EntityType, _Class] = {
    "PERSON": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "NORP": "group",
}
_TYPE_ORDER: tuple[EntityType, ...] = ("PERSON", "ORG", "GPE", "LOC", "NORP")
_SUFFIXES = frozenset("jr sr ii iii iv".split())
# Lower-case words that still belong to a name ("Ursula von der Leyen").
_PARTICLES = frozenset("al bin da de del della der di dos du el ibn la le van von y".split())
_DASHES = "-‐‑‒–—"

_Key = tuple[_Class, str]


@dataclass(frozen=True, slots=True)
class CorpusRole:
    """A role as written ("NATO chief") and the articles, in arrival order, that give it."""

    text: str
    articles: tuple[str, ...]


@dataclass(slots=True)
class CorpusEntity:
    """One real thing across the corpus.

    ``name`` is the full name most articles use; ``aliases`` every other form any article uses,
    most frequent first; ``articles`` the ids of the articles naming it, in arrival order;
    ``mentions`` how many times they name it in all.
    """

    id: str
    name: str
    type: EntityType
    aliases: list[str] = field(default_factory=list)
    roles: list[CorpusRole] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    mentions: int = 0


_Kind = Literal["full", "surname", "acronym"]


@dataclass(slots=True)
class _Obs:
    """One article's entity as the index holds it."""

    serial: int
    article: str
    entity: Entity
    cls: _Class
    kind: _Kind
    """``full`` links by its keys; ``surname``/``acronym`` are resolved against the index."""
    word: str
    """The normalised surname or acronym, for the deferred kinds."""
    keys: tuple[_Key, ...] = ()


def normalise(text: str) -> str:
    """``text`` as names are compared: case-folded, without diacritics, punctuation or hyphens."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    for dash in _DASHES:
        plain = plain.replace(dash, " ")
    folded = fold(plain).replace("'", "")
    return " ".join(
        "".join(ch for ch in w if ch.isalnum())
        for w in folded.split()
        if any(ch.isalnum() for ch in w)
    )


def _invisible(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cf" for ch in text)


def _visible(e: Entity) -> Entity:
    """``e`` without format characters (zero-width joiners, bidi overrides) in its names: they
    are no letters, and a hostile page must not split one person in two with them, nor carry
    them into the corpus entity's name. The article keeps them (its offsets stay true)."""
    if not _invisible(e.name) and not any(_invisible(a) for a in e.aliases):
        return e

    def strip(text: str) -> str:
        return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")

    return replace(e, name=strip(e.name), aliases=[strip(a) for a in e.aliases])


def _name_word(word: str) -> bool:
    parts = [p for p in word.replace("'", "-").replace("’", "-").split("-") if p]
    return word.lower() in _PARTICLES or any(p[:1].isupper() for p in parts)


def _person_name(text: str) -> str | None:
    """The normalised full name ``text`` writes, titles stripped, or ``None`` if it is not one.

    Descriptions ("Ukraine's president"), single words and family names alone ("von der Leyen",
    "Ocasio-Cortez") are not full names.
    """
    words = text.split()
    while len(words) > 1 and fold(words[0]).rstrip(".") in HONORIFICS | TITLES:
        words = words[1:]
    if len(words) < 2 or any("'s" in w or "’s" in w for w in words):
        return None
    if words[0].lower() in _PARTICLES or not all(_name_word(w) for w in words):
        return None
    name = normalise(" ".join(words))
    return name if len(name.split()) >= 2 else None


def _surnames(name: str) -> list[str]:
    """The forms of a normalised full name's family name: "assad" and "al assad", never a
    given or middle name alone.
    """
    words = name.split()
    while len(words) > 2 and words[-1] in _SUFFIXES:
        words.pop()
    return [" ".join(words[i:]) for i in range(len(words) - 1, 0, -1)]


def _org_acronyms(e: Entity) -> set[str]:
    """Acronyms an organisation goes by: spelt from its full names, or merged by the article."""
    found = {a.replace(".", "") for a in e.aliases if is_acronym(a)}
    for n in (e.name, *e.aliases):
        if len(n.split()) > 1 and not is_acronym(n):
            spelt = acronym(n)
            if len(spelt) >= 2:
                found.add(spelt)
    return found


def _keys(e: Entity, cls: _Class) -> tuple[_Key, ...]:
    keys: list[_Key] = []

    def put(text: str) -> None:
        if text and (cls, text) not in keys:
            keys.append((cls, text))

    if cls == "person":
        for n in (e.name, *e.aliases):
            full = _person_name(n)
            if full is not None:
                put(full)
    elif cls == "org":
        # An acronym is no key: two organisations may spell the same one ("ICC").
        for n in (e.name, *e.aliases):
            if not is_acronym(n):
                put(normalise(n))
    elif cls == "place":
        code = country_code(e.name)
        if code is not None:
            put(f"country:{code}")
        else:
            put(normalise(e.name))
            cap = capital_code(e.name)
            # "Kyiv" and "Kiev" are one city; "Washington" may be the state.
            if cap is not None and fold(e.name) not in AMBIGUOUS_CAPITALS:
                put(f"capital:{cap}")
    else:
        name = normalise(e.name)
        # "Ukrainians" and "Ukrainian" are one group.
        put(name[:-1] if name.endswith("s") and len(name) > 4 else name)
    return tuple(keys)


def _block(key: _Key) -> tuple[_Class, tuple[str, ...]] | None:
    """Where fuzzy matches of ``key`` can be: same class, same initials (see ``close_names``)."""
    cls, text = key
    words = text.split()
    if len(words) < 2 or ":" in text:
        return None
    return cls, tuple(w[0] for w in words)


class EntityIndex:
    """Entities of many articles, linked into corpus entities as articles are added."""

    def __init__(self) -> None:
        self._obs: list[_Obs] = []
        self._parent: dict[int, int] = {}
        self._owner: dict[_Key, int] = {}
        self._blocks: dict[tuple[_Class, tuple[str, ...]], list[_Key]] = {}
        self._surnames: dict[str, set[int]] = {}
        self._acronyms: dict[str, set[int]] = {}
        self._by_article: dict[str, dict[str, _Obs]] = {}
        self._words: dict[tuple[_Kind, str], list[int]] = {}
        """Serials of the surnames and acronyms, by word."""

    # --- union-find over full-name observations; the root is the oldest serial -------------

    def _find(self, s: int) -> int:
        root = s
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[s] != root:
            self._parent[s], s = root, self._parent[s]
        return root

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    # --- adding -------------------------------------------------------------------------------

    def add(self, article_id: str, entities: Sequence[Entity]) -> dict[str, str]:
        """Link one article's entities; gives article-local entity id → corpus entity id.

        The ids given are those at this point: a later article can change them (see the module
        docstring); :meth:`lookup` always gives the current one. Adding an article id again
        changes nothing and gives its current links.
        """
        if article_id in self._by_article:
            return self._links(article_id)
        local: dict[str, _Obs] = {}
        self._by_article[article_id] = local
        new: list[_Obs] = []
        for e in entities:
            cls = _CLASS[e.type]
            obs = self._observe(article_id, e, cls)
            local[e.id] = obs
            self._obs.append(obs)
            if obs.kind != "full":
                self._words.setdefault((obs.kind, obs.word), []).append(obs.serial)
            new.append(obs)
        full = [o for o in new if o.kind == "full"]
        for o in full:
            self._parent[o.serial] = o.serial
        exact: set[int] = set()
        for o in full:
            for k in o.keys:
                owner = self._owner.get(k)
                if owner is None:
                    self._owner[k] = o.serial
                else:
                    self._union(o.serial, owner)
                    exact.add(o.serial)
        for o in full:
            if o.serial not in exact:
                self._fuzzy(o, full)
        for o in full:
            self._register(o)
        return self._links(article_id)

    def _observe(self, article_id: str, e: Entity, cls: _Class) -> _Obs:
        serial = len(self._obs) + 1
        e = _visible(e)
        if cls == "person" and _person_name(e.name) is None:
            return _Obs(serial, article_id, e, cls, "surname", normalise(e.name))
        if cls == "org" and is_acronym(e.name):
            return _Obs(serial, article_id, e, cls, "acronym", e.name.replace(".", ""))
        keys = _keys(e, cls)
        if not keys:
            # Nothing to link by (an unusual name): it stands alone.
            keys = ((cls, f"#{serial}"),)
        return _Obs(serial, article_id, e, cls, "full", "", keys)

    def _fuzzy(self, o: _Obs, same_article: list[_Obs]) -> None:
        """Join ``o`` to the one entity one of its full names misspells, if there is one."""
        hits: set[int] = set()
        for k in o.keys:
            block = _block(k)
            if block is None:
                continue
            for other in self._blocks.get(block, []):
                if close_names(k[1], other[1]):
                    hits.add(self._find(self._owner[other]))
        # Entities the article itself kept apart are not joined through the corpus.
        hits -= {self._find(x.serial) for x in same_article if x is not o}
        if len(hits) == 1:
            self._union(o.serial, hits.pop())

    def _register(self, o: _Obs) -> None:
        for k in o.keys:
            block = _block(k)
            if block is not None and k not in self._blocks.setdefault(block, []):
                self._blocks[block].append(k)
            if o.cls == "person" and not k[1].startswith("#"):
                for surname in _surnames(k[1]):
                    self._surnames.setdefault(surname, set()).add(o.serial)
        if o.cls == "org":
            for a in _org_acronyms(o.entity):
                self._acronyms.setdefault(a, set()).add(o.serial)

    # --- resolving ----------------------------------------------------------------------------

    def _target(self, o: _Obs) -> int | None:
        """Root serial of the entity a surname or acronym names, or ``None`` when unresolved."""
        table = self._surnames if o.kind == "surname" else self._acronyms
        roots = {self._find(s) for s in table.get(o.word, ())}
        if len(roots) != 1:
            return None
        (root,) = roots
        article = self._by_article[o.article].values()
        # The article kept it apart from that very entity: it must mean someone else.
        if any(x.kind == "full" and self._find(x.serial) == root for x in article):
            return None
        return root

    def _group(self, o: _Obs) -> int:
        """Serial that names the corpus entity ``o`` belongs to now."""
        if o.kind == "full":
            return self._find(o.serial)
        root = self._target(o)
        if root is not None:
            return root
        table = self._surnames if o.kind == "surname" else self._acronyms
        if table.get(o.word):
            # Several known entities go by this word: it is only this article's.
            return o.serial
        # Nobody in the corpus goes by a fuller name: same word, same entity ("Madonna").
        return self._words[o.kind, o.word][0]

    def _links(self, article_id: str) -> dict[str, str]:
        return {lid: f"c{self._group(o)}" for lid, o in self._by_article[article_id].items()}

    def links(self, article_id: str) -> dict[str, str]:
        """The article's entity ids → their corpus ids now (empty for an article not added)."""
        return self._links(article_id) if article_id in self._by_article else {}

    def lookup(self, article_id: str, entity_id: str) -> str | None:
        """The corpus id that an article's entity belongs to now, or ``None`` if not indexed."""
        o = self._by_article.get(article_id, {}).get(entity_id)
        return None if o is None else f"c{self._group(o)}"

    def entities(self) -> list[CorpusEntity]:
        """Every corpus entity, in order of id."""
        groups: dict[int, list[_Obs]] = {}
        for o in self._obs:
            groups.setdefault(self._group(o), []).append(o)
        return [_merge(f"c{g}", groups[g]) for g in sorted(groups)]


def _merge(cid: str, members: list[_Obs]) -> CorpusEntity:
    anchors = [o for o in members if o.kind == "full"] or members
    names = Counter(o.entity.name for o in anchors)
    full = [n for n in names if len(n.split()) > 1] or list(names)
    # Typos drop letters more often than they add them: on a tie the longer spelling wins.
    name = min(full, key=lambda n: (-names[n], -len(n.split()), -len(n), n))
    types = Counter(o.entity.type for o in members)
    etype = min(types, key=lambda t: (-types[t], _TYPE_ORDER.index(t)))
    forms: Counter[str] = Counter()
    articles: list[str] = []
    mentions = 0
    roles: dict[str, tuple[Counter[str], list[str]]] = {}
    for o in members:
        forms.update({o.entity.name, *o.entity.aliases} - {name})
        if o.article not in articles:
            articles.append(o.article)
        mentions += len(o.entity.mentions)
        for r in o.entity.roles:
            written, where = roles.setdefault(fold(r.text), (Counter(), []))
            written[r.text] += 1
            if o.article not in where:
                where.append(o.article)
    return CorpusEntity(
        id=cid,
        name=name,
        type=etype,
        aliases=sorted(forms, key=lambda a: (-forms[a], a)),
        roles=[
            CorpusRole(min(w, key=lambda t: (-w[t], t)), tuple(where))
            for w, where in roles.values()
        ],
        articles=articles,
        mentions=mentions,
    )


def index_readings(readings: Mapping[str, Reading] | Iterable[tuple[str, Reading]]) -> EntityIndex:
    """An index of the readings' entities, added in the order given (article id → reading).

    ``build_corpus(store).readings`` is in the order the articles were stored.
    """
    pairs = readings.items() if isinstance(readings, Mapping) else readings
    index = EntityIndex()
    for article_id, reading in pairs:
        index.add(article_id, reading.entities)
    return index
