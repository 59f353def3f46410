"""Rules that correct the small model's entity spans on news copy.

Each reads the tokens, tags and dependencies the shared parse already holds: a courtesy title
makes a person, an administrative-division word ends a place name, a gazetteer name the model
missed is still a country, and junk (lone lower-case words, bare titles) is dropped.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from crosswire.read.gazetteer import capital_code, country_code, demonym_code, fold
from crosswire.read.lexicon import (
    ACTOR_DEPS,
    ADDRESS_FORMS,
    CALENDAR,
    DIVISIONS,
    GOVERNMENT_NOUNS,
    HONORIFICS,
    LOCATIVE_PREPS,
    ORG_WORDS,
    PLACE_VERBS,
    POSSESSIVE,
    ROLE_NOUNS,
    TITLES,
    is_role_head,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


def bare(tok: Token) -> str:
    """The token lower-cased without an abbreviation's full stop ("Dr." → "dr")."""
    return tok.lower_.rstrip(".")


def is_cap_word(tok: Token) -> bool:
    """True if the token is a capitalised word (letters, hyphens, apostrophes only)."""
    text = tok.text
    return (
        text[:1].isupper()
        and any(c.isalpha() for c in text)
        and all(c.isalpha() or c in "-'’" for c in text)
    )


def honorific_spans(doc: Doc) -> list[tuple[int, int, int]]:
    """``(mention start, name start, name end)`` of each honorific before a capitalised name."""
    found = []
    i = 0
    while i < len(doc):
        tok = doc[i]
        if bare(tok) in HONORIFICS and tok.text[:1].isupper() and tok.pos_ == "PROPN":
            j = i + 1
            if j < len(doc) and doc[j].text == ".":
                j += 1
            k = j
            while (
                k < len(doc)
                and k - j < 4
                and is_cap_word(doc[k])
                # A headline's capitalised verb is no part of the name ("Dr Bong Warns").
                and (doc[k].pos_ == "PROPN" or doc[k].ent_type_ in {"PERSON", "ORG"})
                and bare(doc[k]) not in HONORIFICS | ADDRESS_FORMS
                and (bare(doc[k]) not in TITLES or k == j)
                and doc[k].text not in POSSESSIVE
            ):
                k += 1
            if k > j:
                found.append((i, j, k))
                i = k
                continue
        i += 1
    return found


def division_spans(doc: Doc) -> list[tuple[int, int]]:
    """``(start, end)`` of proper-noun runs ending in an administrative-division word."""
    found = []
    for tok in doc:
        if tok.lower_ not in DIVISIONS or not tok.text[:1].isupper() or tok.i == 0:
            continue
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is not None and (is_role_head(nxt.lower_, nxt.pos_) or nxt.lower_ in ORG_WORDS):
            continue  # "US District Judge", "State Department": a title or a body, not a place
        j = tok.i
        while (
            j > 0
            and tok.i - j < 3
            and doc[j - 1].pos_ == "PROPN"
            and is_cap_word(doc[j - 1])
            and demonym_code(doc[j - 1].text) is None
            and bare(doc[j - 1]) not in HONORIFICS | TITLES
        ):
            j -= 1
        if j < tok.i:
            found.append((j, tok.i + 1))
    return found


# Capitals that are also common first names, surnames or words: never matched without the model.
AMBIGUOUS_CAPITALS = frozenset(
    "male victoria washington kingston georgetown santiago lima moroni roseau".split()
)


def gazetteer_spans(doc: Doc, taken: Container[int]) -> list[tuple[int, int]]:
    """``(start, end)`` of country names and capitals the model left untagged ("to Kyiv")."""
    found = []
    i = 0
    while i < len(doc):
        run = 0
        while run < 4 and i + run < len(doc):
            t = doc[i + run]
            if t.i in taken or t.pos_ != "PROPN":
                break
            run += 1
        for n in range(run, 0, -1):
            text = doc[i : i + n].text
            if country_code(text) or (capital_code(text) and fold(text) not in AMBIGUOUS_CAPITALS):
                found.append((i, i + n))
                i += n - 1
                break
        i += 1
    return found


def trim_span(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """``start, end`` without leading determiners and trailing possessives or punctuation."""
    while start < end and (doc[start].pos_ == "DET" or doc[start].lower_ == "the"):
        start += 1
    while end > start and (doc[end - 1].text in POSSESSIVE or doc[end - 1].is_punct):
        end -= 1
    while start < end and doc[start].is_punct:
        start += 1
    return start, end


def affiliated(doc: Doc, end: int) -> bool:
    """True if ", from <Name>" or similar follows token ``end``: said of a person."""
    return (
        end + 2 < len(doc)
        and doc[end].text == ","
        and doc[end + 1].lower_ in {"from", "of", "at"}
        and doc[end + 1].pos_ == "ADP"
        and doc[end + 2].text[:1].isupper()
    )


def looks_personal(doc: Doc, start: int, end: int) -> bool:
    """True if an ORG span is better read as a person's name ("Bong Youngshik, from …")."""
    toks = doc[start:end]
    if not 2 <= len(toks) <= 3:
        return False
    if any(
        t.pos_ != "PROPN" or not is_cap_word(t) or t.text.isupper() or t.lower_ in ORG_WORDS
        for t in toks
    ):
        return False
    if country_code(toks.text) or any(demonym_code(t.text) for t in toks):
        return False
    before = doc[start - 1] if start > 0 else None
    # "Democratic pollster John Anzalone": a lower-case role noun right before the name.
    titled = (
        before is not None and before.text.islower() and is_role_head(before.lower_, before.pos_)
    )
    # Speaking alone proves nothing: "General Motors said" too.
    return titled or affiliated(doc, end)


def is_junk(doc: Doc, start: int, end: int, label: str) -> bool:
    """True if tokens ``start:end`` labelled ``label`` name nothing worth an entity."""
    span = doc[start:end]
    text = span.text
    if not any(c.isalpha() for c in text):
        return True
    if len(span) == 1 and not text[:1].isupper():
        return True
    if all(bare(t) in HONORIFICS | TITLES | ROLE_NOUNS for t in span):
        return True
    if all(
        t.lower_ in CALENDAR or t.like_num or not any(c.isalpha() for c in t.text) for t in span
    ):
        return True
    if label == "PERSON" and any(c.isdigit() for c in text):
        return True
    if label == "ORG" and len(span) == 1 and not text.isupper():
        root = span.root
        head = root.head
        if root.dep_ == "pobj" and head.lower_ == "of":
            head = head.head
        # "Defense" in "US Defense Secretary", "State" in "Secretary of State": a department
        # inside a job title.
        if head.i != root.i and head.pos_ != "ADP" and is_role_head(head.lower_, head.pos_):
            return root.dep_ in {"compound", "pobj"}
    return False


def capital_is_actor(span: Span) -> bool:
    """True if a capital city stands for its government here ("Seoul has warned Pyongyang")."""
    tok = span.root
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    if tok.dep_ == "dobj" and tok.head.lemma_.lower() in PLACE_VERBS:
        return False
    if tok.dep_ == "compound":
        return tok.head.lower_ in GOVERNMENT_NOUNS
    if tok.dep_ in ACTOR_DEPS:
        return True
    if tok.dep_ == "pobj":
        prep = tok.head
        word = prep.lower_
        if word in LOCATIVE_PREPS:
            return False
        if word in {"to", "from", "into", "towards", "toward", "for"}:
            # "supply weapons to Kyiv" is the government, "travel to Kyiv" and "left for
            # Moscow" the city.
            return prep.head.lemma_.lower() not in PLACE_VERBS
        return True
    return False
