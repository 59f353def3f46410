"""Who speaks at a cue, read off the dependency parse.

A cue is a speech or cognition verb ("said", "told", "claimed", "estimate", "expects"), or the
preposition "according to". Its speaker is the verb's subject; a verb without one ("…, stating
that", "… to relay its concerns") borrows the subject of the verb it hangs from. The speaker's
words are the subject's noun phrase cut before appositions and relative clauses, so "Dr Bong
Youngshik, from Yonsei University" names the speaker as "Dr Bong Youngshik".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_CUE_WORDS = """
    say tell add write claim state explain note warn ask insist argue declare announce reply
    respond continue conclude admit acknowledge suggest recall describe comment tweet post report
    estimate expect believe think predict confirm deny allege assert contend maintain stress
    emphasise emphasize caution urge relay reveal disclose indicate testify vow pledge promise
    complain concede agree disagree repeat reiterate mention observe remark whisper shout tout
    boast lament accuse charge fear hope worry forecast project calculate
"""
CUE_LEMMAS = frozenset(_CUE_WORDS.split())
"""Lemmas that introduce speech, writing or belief: the open-class part of attribution cues."""

_SUBJECTS = ("nsubj", "nsubjpass")
_CLIMB = ("advcl", "xcomp", "conj", "ccomp", "acl", "relcl", "pcomp", "prep", "csubj")
_CUT = frozenset(("appos", "relcl", "acl", "punct", "cc", "conj", "prep", "advcl"))


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue and its speaker inside one spaCy ``Doc`` (token indices, end exclusive)."""

    cue_start: int
    cue_end: int
    speaker_start: int | None
    speaker_end: int | None


def is_cue(token: Token) -> bool:
    """Whether ``token`` is a speech/cognition verb or the "according" of "according to"."""
    if token.lower_ == "according" and token.i + 1 < len(token.doc):
        return token.doc[token.i + 1].lower_ == "to"
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in CUE_LEMMAS


def noun_phrase(head: Token) -> tuple[int, int]:
    """Token range of the phrase headed by ``head``, without appositions or trailing clauses."""
    start = head.left_edge.i
    end = head.i + 1
    for child in head.rights:
        if child.dep_ in _CUT:
            break
        end = child.right_edge.i + 1
    # A trailing comma or apposition may have been attached left of the head's right children.
    while end > start + 1 and head.doc[end - 1].is_punct:
        end -= 1
    return start, end


def _subject(verb: Token) -> Token | None:
    seen: set[int] = set()
    node: Token | None = verb
    while node is not None and node.i not in seen:
        seen.add(node.i)
        for child in node.children:
            if child.dep_ not in _SUBJECTS:
                continue
            if child.lower_ not in ("that", "which", "who"):
                return child
            # "… a draft law that states …": a relative pronoun stands for its antecedent; when
            # the parser missed the relative clause, the speaker is whoever governs the clause.
            if node.dep_ == "relcl":
                return node.head
        if node.dep_ in ("agent",):
            return None
        node = node.head if node.dep_ in _CLIMB and node.head.i != node.i else None
    return None


def speaker_of(cue: Token) -> Cue:
    """The cue at ``cue`` (a token for which :func:`is_cue` holds) and its speaker, if any."""
    doc = cue.doc
    if cue.lower_ == "according":
        to = doc[cue.i + 1]
        objs = [c for c in to.children if c.dep_ == "pobj"]
        if objs:
            s, e = noun_phrase(objs[0])
            return Cue(cue.i, cue.i + 2, s, e)
        return Cue(cue.i, cue.i + 2, None, None)
    subj = _subject(cue)
    if subj is None:
        return Cue(cue.i, cue.i + 1, None, None)
    s, e = noun_phrase(subj)
    return Cue(cue.i, cue.i + 1, s, e)


def cues_in(sent: Span) -> list[Token]:
    """Cue tokens of a sentence, in order."""
    return [t for t in sent if is_cue(t)]
