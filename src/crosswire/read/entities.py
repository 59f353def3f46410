"""People, organisations, places and groups of one article, one entity per real thing.

The small spaCy model's entity spans are the starting point; general rules then fix what it gets
wrong on news copy and merge every name of one thing:

* a courtesy title ("Dr", "Mr") followed by capitalised words is a person, whatever the model said;
  a proper-noun run ending in an administrative-division word ("Primorsky Krai") is a place
  (these span rules live in :mod:`~crosswire.read.spans`);
* titles are stripped from names, determiners and possessive endings from every span;
* countries are matched against an offline gazetteer (names, aliases such as "US", demonyms,
  capitals); a misspelt country name ("Untied States") is matched under strict guards;
* a capital standing for its government (subject, object or possessor: "Seoul has warned") is an
  alias of the country; a capital used as a place ("in Pyongyang") is its own place entity;
* surnames, honorific + family name and guarded misspellings link to a person's full name;
  acronyms link to their expansion; descriptions ("Ukraine's president") link to the one person
  whose role says the same;
* roles are read off the parse by :mod:`~crosswire.read.roles`.

Nothing here runs a second model pass: the rules read the tokens, tags and dependencies the shared
parse already holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crosswire.read.gazetteer import (
    capital_code,
    close_names,
    countries_in,
    country_code,
    demonym_code,
    fold,
    fuzzy_country,
    gazetteer,
)
from crosswire.read.lexicon import (
    FUNCTION_WORDS,
    HONORIFICS,
    ORG_WORDS,
    POSSESSIVE,
    TITLES,
    is_role_head,
)
from crosswire.read.roles import post_roles, pre_role
from crosswire.read.spans import (
    AMBIGUOUS_CAPITALS,
    bare,
    capital_is_actor,
    division_spans,
    gazetteer_spans,
    honorific_spans,
    is_junk,
    looks_personal,
    trim_span,
)
from crosswire.records import Entity, EntityType, Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from crosswire.read.nlp import Block

__all__ = ["find_entities"]

_LABELS: dict[str, EntityType] = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "GPE",
    "LOC": "LOC",
    "NORP": "NORP",
    "FAC": "LOC",
}
# Labels the model often puts on a real name ("Telegram" as PRODUCT, "Dr Mathers" as
# WORK_OF_ART): such a span is kept only when it repeats a name found elsewhere.
_SECONDARY = frozenset({"PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"})
_PLURAL_NORP = "s"


@dataclass(slots=True)
class _Cand:
    """One span that names something, before merging."""

    block: Block
    start: int
    end: int
    mstart: int
    """First token of the mention: the honorific when there is one ("Dr Bong")."""
    label: str
    rule: bool = False
    """The type was decided by a rule and outranks the model's label."""
    honorific: bool = False
    key: str | None = None
    """Country code for a country, demonym or capital used as a government."""
    roles: list[Mention] = field(default_factory=list)
    was_person: bool = False
    """The model called it a person but the gazetteer knows it as a place."""
    fuzzy: bool = False
    """The country key came from a guarded misspelling match."""
    name: str = field(init=False)
    folded: str = field(init=False)
    tokens: list[str] = field(init=False)
    mention: Mention = field(init=False)

    def __post_init__(self) -> None:
        doc = self.block.doc
        name = doc[self.start : self.end]
        self.name = name.text
        self.folded = fold(self.name)
        self.tokens = [t.text for t in name]
        span = doc[self.mstart : self.end]
        s, e = self.block.offsets(span)
        self.mention = Mention(s, e, span.text)

    @property
    def doc(self) -> Doc:
        return self.block.doc


def _collect(block: Block) -> list[_Cand]:
    """Candidate spans of one paragraph, model spans corrected by the rules."""
    doc = block.doc
    taken: dict[int, _Cand] = {}
    cands: list[_Cand] = []

    def add(c: _Cand, override: bool) -> None:
        idx = range(c.mstart, c.end)
        clash = {id(taken[i]) for i in idx if i in taken}
        if clash and not override:
            return
        for old in [o for o in cands if id(o) in clash]:
            cands.remove(old)
            for i in range(old.mstart, old.end):
                taken.pop(i, None)
        cands.append(c)
        for i in idx:
            taken[i] = c

    for m, s, e in honorific_spans(doc):
        add(_Cand(block, s, e, m, "PERSON", rule=True, honorific=True), override=True)
    for s, e in division_spans(doc):
        code = country_code(doc[s:e].text)
        if code is not None:
            add(_Cand(block, s, e, s, "GPE", rule=True, key=code), override=True)
            continue
        # An organisation the model found with the same words keeps its label.
        if not any(x.start == s and x.end == e and x.label_ == "ORG" for x in doc.ents):
            add(_Cand(block, s, e, s, "LOC", rule=True), override=True)
    for ent in doc.ents:
        label = ent.label_
        if label not in _LABELS and label not in _SECONDARY:
            continue
        s, e = trim_span(doc, ent.start, ent.end)
        if s >= e:
            continue
        kind = _LABELS.get(label, label)
        mstart = s
        rule = False
        if kind in {"PERSON", "ORG", "GPE"} or label in _SECONDARY:
            # Leading titles ("President Biden") are the role, not the name; a courtesy title
            # makes a person of any span, a job title is stripped only from a person's name
            # ("General Motors" keeps its "General").
            while s < e - 1:
                word = bare(doc[s])
                if word in HONORIFICS:
                    kind, rule = "PERSON", True
                elif word not in TITLES or kind != "PERSON":
                    break
                s += 1
            mstart = ent.start if rule else s
            mstart, _ = trim_span(doc, mstart, e)
        if kind == "PERSON":
            # "Clinton's van": the model ran past the possessive.
            cut = [t.i for t in doc[s:e] if t.text in POSSESSIVE and t.i > s]
            e = cut[0] if cut else e
        if kind == "ORG" and looks_personal(doc, s, e):
            kind, rule = "PERSON", True
        if is_junk(doc, s, e, kind):
            continue
        add(_Cand(block, s, e, mstart, kind, rule=rule), override=False)

    for s, e in gazetteer_spans(doc, taken):
        add(_Cand(block, s, e, s, "GPE"), override=False)

    cands.sort(key=lambda c: c.mstart)
    for c in cands:
        _classify_place(c)
    persons = {i for c in cands if c.label == "PERSON" for i in range(c.mstart, c.end)}
    named = {i for c in cands if c.label != "PERSON" for i in range(c.mstart, c.end)}
    for c in cands:
        if c.label != "PERSON":
            continue
        others = persons - set(range(c.mstart, c.end))
        spans = []
        pre = pre_role(doc, c.mstart, others, named)
        if pre is not None:
            spans.append(pre)
        spans.extend(post_roles(doc, c.start, c.end, others, named))
        for sp in spans:
            s, e = block.offsets(sp)
            c.roles.append(Mention(s, e, sp.text))
    return cands


def _classify_place(c: _Cand) -> None:
    """Set the country key of a candidate naming a country, its people or its capital."""
    name = c.name
    code = country_code(name)
    if c.label == "PERSON" and not c.rule:
        if code is None and len(c.tokens) == 1 and demonym_code(name):
            c.label, c.key = "NORP", demonym_code(name)
            return
        # The small model calls some capitals people ("warned Kyiv"); a gazetteer name wins
        # unless a courtesy title says otherwise.
        if code is None and (capital_code(name) is None or fold(name) in AMBIGUOUS_CAPITALS):
            return
        c.label, c.was_person = "GPE", True
    if code is not None and c.label in {"GPE", "LOC", "ORG", "NORP"}:
        c.label, c.key, c.rule = "GPE", code, True
        return
    if c.label == "NORP":
        c.key = demonym_code(name)
        return
    if c.label not in {"GPE", "LOC"}:
        return
    cap = capital_code(name)
    if cap is not None:
        if capital_is_actor(c.doc[c.start : c.end]):
            c.label, c.key = "GPE", cap
        return
    code = fuzzy_country(name)
    if code is not None:
        c.label, c.key, c.rule, c.fuzzy = "GPE", code, True, True


@dataclass(slots=True)
class _Cluster:
    label: str
    cands: list[_Cand] = field(default_factory=list)
    key: str | None = None
    descriptions: list[Mention] = field(default_factory=list)
    forms: set[str] = field(default_factory=set)
    """Folded names of the members."""
    full_forms: list[str] = field(default_factory=list)
    """Distinct names of more than one word, as written."""

    def __post_init__(self) -> None:
        members, self.cands = self.cands, []
        for c in members:
            self.add(c)

    def add(self, c: _Cand) -> None:
        self.cands.append(c)
        self.forms.add(c.folded)
        if len(c.tokens) > 1 and c.name not in self.full_forms:
            self.full_forms.append(c.name)

    @property
    def first(self) -> int:
        return min([c.mention.start for c in self.cands] + [d.start for d in self.descriptions])


def _surname_match(short: _Cand, cluster: _Cluster, first_names: bool = False) -> bool:
    """True if a shorter name ("Putin", "Dr Bong") refers to a full name in ``cluster``.

    With ``first_names``, a bare leading name also matches ("Xi" for Xi Jinping, "Mark" in a
    feature that calls Mark Rutte by his first name).
    """
    toks = [fold(t) for t in short.tokens]
    for full in cluster.full_forms:
        ftoks = fold(full).split()
        if len(ftoks) <= len(toks):
            continue
        if ftoks[-len(toks) :] == toks:
            return True
        # An honorific goes with the family name, which comes first in Korean, Chinese and
        # Hungarian names: "Dr Bong" is Bong Youngshik.
        if (short.honorific or first_names) and ftoks[: len(toks)] == toks:
            return True
        if len(toks) == 1 and close_names(toks[0], ftoks[-1]):
            return True
    return False


def _confirmed_by(c: _Cand, cluster: _Cluster) -> bool:
    """True if a person's short name ends ``c``'s name, or with a title starts it.

    "Lester Holt" labelled an organisation is the person when "Holt" is one elsewhere; "Bong
    Youngshik" is when "Dr Bong" is.
    """
    if not 2 <= len(c.tokens) <= 3 or any(
        t.lower() in ORG_WORDS or not t[:1].isupper() or t.isupper() for t in c.tokens
    ):
        return False
    toks = [fold(t) for t in c.tokens]
    for p in cluster.cands:
        short = [fold(t) for t in p.tokens]
        if p.label != "PERSON" or len(short) >= len(toks):
            continue
        if short == toks[-len(short) :] or (p.honorific and short == toks[: len(short)]):
            return True
    return False


def _merge_people(cands: list[_Cand]) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    # Longer names first, so that a surname finds the full name whatever the order in the text.
    order = sorted(cands, key=lambda c: (-len(c.tokens), c.mention.start))
    for c in order:
        exact = [k for k in clusters if c.folded in k.forms]
        if exact:
            exact[0].add(c)
            continue
        close = [k for k in clusters if any(close_names(c.name, f) for f in k.forms if " " in f)]
        if len(close) == 1 and len(c.tokens) > 1:
            close[0].add(c)
            continue
        short = [k for k in clusters if _surname_match(c, k)]
        if not short:
            # Family name first ("Xi" for Xi Jinping) only when no one else bears the name.
            short = [k for k in clusters if _surname_match(c, k, first_names=True)]
        if len(short) == 1:
            short[0].add(c)
            continue
        clusters.append(_Cluster("PERSON", [c]))
    return clusters


def acronym(name: str) -> str:
    """The initials a name spells ("Stockholm International Peace Research Institute" → SIPRI)."""
    words = [w for w in name.replace("-", " ").split() if w.lower() not in FUNCTION_WORDS]
    return "".join(w[0] for w in words if w[:1].isupper()).upper()


def is_acronym(name: str) -> bool:
    """Whether a name is written as an acronym ("NATO", "U.N.")."""
    bare = name.replace(".", "")
    return 2 <= len(bare) <= 7 and bare.isupper() and bare.isalpha()


def _merge_named(cands: list[_Cand], label: str) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    for c in sorted(cands, key=lambda c: (-len(c.tokens), c.mention.start)):
        found = [k for k in clusters if c.folded in k.forms]
        if not found and is_acronym(c.name):
            bare = c.name.replace(".", "")
            found = [k for k in clusters if any(acronym(x.name) == bare for x in k.cands)]
        if not found and len(c.tokens) > 1:
            found = [k for k in clusters if any(close_names(c.name, f) for f in k.forms)]
        if len(found) == 1 or (found and not is_acronym(c.name)):
            found[0].add(c)
        else:
            clusters.append(_Cluster(label, [c]))
    return clusters


def _norp_key(c: _Cand) -> str:
    # Keyed by the word, not the country: "Scottish" and "British" are different groups.
    name = c.folded
    return name[:-1] if name.endswith(_PLURAL_NORP) and len(name) > 4 else name


def _cluster(cands: list[_Cand]) -> list[_Cluster]:
    by_key: dict[tuple[str, str], _Cluster] = {}
    persons: list[_Cand] = []
    orgs: list[_Cand] = []
    places: list[_Cand] = []
    secondary: list[_Cand] = []
    surnames = {fold(c.tokens[-1]) for c in cands if c.label == "PERSON" and len(c.tokens) > 1}
    named = {c.key for c in cands if c.key is not None and not c.fuzzy}
    for c in cands:
        if c.fuzzy and len(c.tokens) == 1 and c.key not in named:
            # One misspelt word is too weak alone ("Columbia" is not Colombia): the country
            # must also be named properly somewhere in the article.
            c.key, c.rule = None, False
        if c.was_person and c.folded in surnames:
            # "Jordan" after "Michael Jordan" is the man, not the country.
            c.label, c.key = "PERSON", None
        if c.label == "GPE" and c.key is not None:
            by_key.setdefault(("GPE", c.key), _Cluster("GPE", key=c.key)).add(c)
        elif c.label == "NORP":
            key = _norp_key(c)
            by_key.setdefault(("NORP", key), _Cluster("NORP", key=c.key)).add(c)
        elif c.label == "PERSON":
            persons.append(c)
        elif c.label == "ORG":
            orgs.append(c)
        elif c.label in {"GPE", "LOC"}:
            places.append(c)
        else:
            secondary.append(c)
    people = _merge_people(persons)
    # The model sometimes labels a person's repeated surname as an organisation.
    kept_orgs = []
    for c in orgs:
        owner = [
            k for k in people if c.folded in k.forms or _surname_match(c, k) or _confirmed_by(c, k)
        ]
        if len(owner) == 1 and not c.name.isupper():
            c.label = "PERSON"
            owner[0].add(c)
        else:
            kept_orgs.append(c)
    organisations = _merge_named(kept_orgs, "ORG")
    # A place name once labelled GPE and once LOC is still one place.
    place_clusters: dict[str, _Cluster] = {}
    for c in places:
        if not c.rule:
            owner = [
                k
                for k in people
                if c.folded in k.forms or _surname_match(c, k) or _confirmed_by(c, k)
            ]
            if len(owner) == 1:
                # "Epstein" tagged as a place in an article about Jeffrey Epstein is the man.
                c.label = "PERSON"
                owner[0].add(c)
                continue
        # "Kyiv" and "Kiev" are one city: capitals are keyed by their country.
        cap = capital_code(c.name)
        k = place_clusters.setdefault(f"capital:{cap}" if cap else c.folded, _Cluster(c.label))
        k.add(c)
        if c.rule:
            k.label = c.label
    clusters = [*by_key.values(), *people, *organisations, *place_clusters.values()]
    for c in secondary:
        same = [k for k in clusters if c.folded in k.forms]
        if len(same) == 1:
            same[0].add(c)
    return clusters


def _descriptions(blocks: Sequence[Block], people: list[_Cluster]) -> None:
    """Link "Ukraine's president" / "the Ukrainian president" to the one person so described."""
    roles = [r for k in people for c in k.cands for r in c.roles]
    for block in blocks:
        doc = block.doc
        for tok in doc:
            if not is_role_head(tok.lower_, tok.pos_) or tok.pos_ not in {"NOUN", "PROPN"}:
                continue
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if nxt is not None and (nxt.pos_ == "PROPN" or bare(nxt) in HONORIFICS):
                continue  # a name follows: this is a role, not a description
            first = tok.i
            while first > 0 and doc[first - 1].pos_ == "ADJ" and doc[first - 1].text.islower():
                first -= 1
            phrase = fold(doc[first : tok.i + 1].text)
            code = None
            s = first - 1
            if s >= 1 and doc[s].text in POSSESSIVE:
                j = s
                while j > 0 and doc[j - 1].pos_ == "PROPN":
                    j -= 1
                code = country_code(doc[j:s].text)
                s = j
            elif s >= 0 and demonym_code(doc[s].text):
                j = s
                while (
                    j > 0 and doc[j - 1].pos_ in {"PROPN", "ADJ"} and doc[j - 1].text[:1].isupper()
                ):
                    j -= 1
                code = demonym_code(doc[j : s + 1].text) or demonym_code(doc[s].text)
                s = j
            if code is None:
                continue
            span = doc[s : tok.i + 1]
            start, end = block.offsets(span)
            if any(r.start < end and start < r.end for r in roles):
                continue  # "Russia's foreign minister, Sergei Lavrov": a role, already read
            matches = [
                k
                for k in people
                if any(
                    fold(r.text).endswith(phrase) and code in countries_in(r.text)
                    for c in k.cands
                    for r in c.roles
                )
            ]
            if len(matches) == 1:
                matches[0].descriptions.append(Mention(start, end, span.text))


def _join_same_names(clusters: list[_Cluster]) -> list[_Cluster]:
    """Clusters of one name under different model labels ("Twitter" as ORG and PERSON), joined.

    Countries and groups keep their own clusters: their keys already decide.
    """
    by_name: dict[str, _Cluster] = {}
    out: list[_Cluster] = []
    for k in sorted(clusters, key=lambda k: -len(k.cands)):
        if k.key is not None or k.label == "NORP":
            out.append(k)
            continue
        name = fold(_canonical(k))
        host = by_name.get(name)
        if host is None:
            by_name[name] = k
            out.append(k)
            continue
        for c in k.cands:
            host.add(c)
        host.descriptions.extend(k.descriptions)
        host.label = _entity_type(host)
    return out


def _canonical(cluster: _Cluster) -> str:
    if cluster.label == "GPE" and cluster.key is not None:
        return gazetteer().countries[cluster.key].name
    names = [c.name for c in cluster.cands if c.label not in _SECONDARY]
    names = names or [c.name for c in cluster.cands]
    counts = Counter(names)
    full = [n for n in names if " " in n] or names
    # The full name the article uses most ("Hillary Clinton", not a one-off "Crooked Hillary
    # Clinton"); typos drop letters more often than they add them, so on a tie the longer
    # spelling wins.
    return max(full, key=lambda n: (counts[n], len(n.split()), len(n), -names.index(n)))


def _entity_type(cluster: _Cluster) -> EntityType:
    ruled = [c.label for c in cluster.cands if c.rule and c.label in _LABELS]
    votes = Counter(ruled or [c.label for c in cluster.cands if c.label in _LABELS])
    label = votes.most_common(1)[0][0] if votes else cluster.label
    return _LABELS.get(label, "ORG")


def find_entities(blocks: Sequence[Block]) -> list[Entity]:
    """The article's entities in order of first mention, ids ``e1``, ``e2``, …

    Every offset indexes the full text the blocks were parsed from.
    """
    cands = [c for b in blocks for c in _collect(b)]
    clusters = _join_same_names(_cluster(cands))
    _descriptions(blocks, [k for k in clusters if k.label == "PERSON"])
    clusters.sort(key=lambda k: k.first)
    out: list[Entity] = []
    seen: set[tuple[int, int]] = set()
    for k in clusters:
        name = _canonical(k)
        etype = _entity_type(k)
        mentions: list[Mention] = []
        for m in sorted([c.mention for c in k.cands] + k.descriptions, key=lambda m: m.start):
            if (m.start, m.end) not in seen:
                seen.add((m.start, m.end))
                mentions.append(m)
        if not mentions:
            continue
        aliases: list[str] = []
        for m in mentions:
            if m.text != name and m.text not in aliases:
                aliases.append(m.text)
        spans = {(r.start, r.end): r for c in k.cands for r in c.roles}
        # "his US counterpart" and "US counterpart" are one role read two ways: keep the longer.
        roles = sorted(
            (
                r
                for r in spans.values()
                if not any(
                    o.start <= r.start and r.end <= o.end and (o.start, o.end) != (r.start, r.end)
                    for o in spans.values()
                )
            ),
            key=lambda r: r.start,
        )
        out.append(
            Entity(
                id=f"e{len(out) + 1}",
                name=name,
                type=etype,
                aliases=aliases,
                roles=roles,
                mentions=mentions,
            )
        )
    return out
