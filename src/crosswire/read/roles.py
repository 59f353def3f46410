"""Roles and affiliations of a person as the text writes them, read off the dependency parse.

Three shapes cover most news copy:

* a pre-modifier run ending in a role noun: "US Defense Secretary Lloyd Austin",
  "Russia's President Vladimir Putin", "NATO chief Mark Rutte";
* an apposition: "Jenny Mathers, a senior lecturer in international politics at Aberystwyth
  University, said";
* an affiliation phrase: "Dr Bong Youngshik, from Yonsei University".
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from crosswire.read.lexicon import CALENDAR, HONORIFICS, POSSESSIVE, is_role_head

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_PRE_POS = frozenset({"NOUN", "PROPN", "ADJ"})
_AFFILIATION = frozenset({"from", "of", "at", "with"})
_MAX_PRE = 8
_BREAKS = frozenset({",", ";", ":", "(", ")", '"', "“", "”", "—", "–"})


def _word(text: str) -> bool:
    return any(c.isalpha() for c in text) and all(c.isalpha() or c in "-'’." for c in text)


def _titled(tok: Token) -> bool:
    """True if ``tok`` is a capitalised role word ("Secretary", "Minister", "Head")."""
    return tok.text[:1].isupper() and is_role_head(tok.lower_, tok.pos_)


def pre_role(doc: Doc, start: int, persons: Container[int], named: Container[int]) -> Span | None:
    """The role words right before a name starting at token ``start``, else ``None``.

    ``persons`` holds indices of tokens inside person names (a role never runs into another
    person); ``named`` holds tokens inside other names (organisations, places, groups), which a
    role may contain ("NATO chief").
    """
    i = start - 1
    while i >= 0 and start - i <= _MAX_PRE:
        tok = doc[i]
        if i in persons or tok.lower_ in CALENDAR:
            break  # "On Monday Prime Minister X": the day is no part of the role
        if tok.text in POSSESSIVE and tok.tag_ == "POS":
            i -= 1
            continue
        if i in named or (tok.pos_ in _PRE_POS and _word(tok.text)):
            i -= 1
            continue
        if tok.lower_ == "of" and i > 0 and _titled(doc[i - 1]):
            i -= 1  # "Secretary of State Antony Blinken"
            continue
        break
    first = i + 1
    if first >= start:
        return None
    last = doc[start - 1]
    if not is_role_head(last.lower_, last.pos_) and not any(
        t.lower_ == "of" and _titled(doc[t.i - 1]) for t in doc[first + 1 : start]
    ):
        return None
    while first < start and (doc[first].text in POSSESSIVE or doc[first].pos_ == "PUNCT"):
        first += 1
    return doc[first:start]


def _trim(doc: Doc, first: int, last: int) -> Span | None:
    while first <= last and (doc[first].pos_ in {"DET", "PUNCT"} or doc[first].is_space):
        first += 1
    while last >= first and (doc[last].pos_ == "PUNCT" or doc[last].is_space):
        last -= 1
    return doc[first : last + 1] if first <= last else None


def post_roles(
    doc: Doc, start: int, end: int, persons: Container[int], named: Container[int]
) -> list[Span]:
    """Appositions and affiliation phrases around a name spanning tokens ``start:end``.

    ``persons`` and ``named`` are as for :func:`pre_role`; an affiliation must contain a name
    ("from Yonsei University", not "at Monday's debate").
    """
    found: list[Span] = []
    root = doc[start:end].root
    if (
        root.dep_ == "appos"
        and root.head.i < start
        and is_role_head(root.head.lower_, root.head.pos_)
    ):
        # "The IAEA chief, Rafael Grossi, said": the name is in apposition to its role.
        span = _trim(doc, root.head.left_edge.i, root.head.i)
        if span is not None:
            found.append(span)
    after = _appositions(doc, start, end) or _affiliation(doc, end, persons, named)
    return found + after


def _appositions(doc: Doc, start: int, end: int) -> list[Span]:
    found: list[Span] = []
    appositions = [c for i in range(start, end) for c in doc[i].children if c.dep_ == "appos"]
    for tok in sorted(appositions, key=lambda t: t.i):
        if tok.i < end or not is_role_head(tok.lower_, tok.pos_):
            continue
        last = tok.right_edge.i
        for j in range(tok.i + 1, tok.right_edge.i + 1):
            # The parse can hang the next sentence's subject on the apposition ("… group
            # Mr Kovalenko wrote") or run past the clause's end.
            if doc[j].lower_.rstrip(".") in HONORIFICS or doc[j].text in _BREAKS:
                last = j - 1
                break
        first = max(tok.left_edge.i, end)
        # The parse can leave a pre-modifier outside the subtree ("the US vice-president").
        if doc[end].text == "," and not any(t.text == "," for t in doc[end + 1 : tok.i]):
            first = end + 1
        span = _trim(doc, first, last)
        if span is not None:
            found.append(span)
    return found


def _affiliation(doc: Doc, end: int, persons: Container[int], named: Container[int]) -> list[Span]:
    j = end
    if j < len(doc) and doc[j].text == ",":
        j += 1
    if j >= len(doc) or doc[j].lower_ not in _AFFILIATION or doc[j].pos_ != "ADP":
        return []
    k = j + 1
    while k < len(doc) and not doc[k].is_punct and k not in persons and k - j < 10:
        k += 1
    span = _trim(doc, j, k - 1)
    if span is None or not any(t.i in named for t in span[1:]):
        return []
    return [span]
