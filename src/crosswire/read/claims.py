"""Numeric claims: a quantity with what it counts, its hedge, aspect, claimant and time.

A quantity (:mod:`crosswire.read.quantities`) becomes a claim when it counts or measures
something; incidental numbers ("one of the countries", durations, which are time expressions)
are not claims. For each claim:

- **measure**: the counted noun phrase with its modifiers ("North Korean troops", "casualties on
  both sides"), as written and as a key for lining claims up: lowercase lemmas, the head noun's
  first ("troop north korean");
- **aspect**: the predicate that says what the number is about, as written ("had already been
  sent", "were already in Russia", "would end up supporting the invasion", "are preparing to
  send"), and a **status** read from it: ``done`` (past or perfect), ``expected`` (a modal
  future), ``planned`` (prepare, plan, intend …), or ``None``;
- **claimant**: the speaker of the quotation or reported speech whose words carry the number, or
  ``None`` for the article's own voice;
- **time**: the value of the time expression in the same sentence, if there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from crosswire.read.speakers import is_cue
from crosswire.records import Claim, Quote, TimeExpression

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from crosswire.read.nlp import Block
    from crosswire.read.quantities import Quantity

_PLAN_LEMMAS = frozenset("prepare plan intend aim seek expect schedule propose".split())
_FUTURE = frozenset(("will", "would", "shall", "'ll", "could", "might", "may"))
_TIME_UNITS = frozenset(("yr", "month", "week", "day", "h", "min", "s"))
_KEEP_DEPS = frozenset(("compound", "amod", "nmod", "poss", "nummod"))
_ATTACH_PREPS = frozenset(("of", "on", "in", "from", "at"))
_CLAUSES = frozenset(("relcl", "acl", "advcl", "ccomp", "xcomp", "conj", "cc", "appos"))
_DIMENSIONS = frozenset("long wide high deep tall thick old away across".split())


def _tokens(block: Block, start: int, end: int) -> Span | None:
    return block.doc.char_span(start - block.start, end - block.start, alignment_mode="expand")


def _counted(span: Span) -> Token:
    """The token a quantity counts: the noun its number modifies, or the noun after "of"."""
    root = span.root
    if root.pos_ == "NUM" and root.head.pos_ in ("NOUN", "PROPN") and root.head.i >= span.end:
        return root.head
    for child in root.rights:
        if child.lower_ == "of":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    return root


def _measure(noun: Token, span: Span) -> tuple[str, str]:
    """The measured phrase as written and normalised: the noun with its modifiers and an
    attached "of"/"on"/"in" phrase, without the quantity's own words."""
    doc = noun.doc
    keep = {noun.i}
    for child in noun.children:
        modifier = child.dep_ in _KEEP_DEPS and child.i < noun.i
        attached = child.dep_ == "prep" and child.lower_ in _ATTACH_PREPS and child.i > noun.i
        if modifier or attached:
            keep.update(t.i for t in child.subtree)
    keep -= set(range(span.start, span.end))
    keep = {i for i in keep if not doc[i].is_punct and doc[i].pos_ != "DET"}
    if not keep:
        return noun.text, noun.lemma_.lower()
    lo, hi = min(keep), max(keep)
    written = doc[lo : hi + 1].text
    # The head first: claims about "soldiers of North Korea" and "soldiers" share their key's
    # first word.
    normal = " ".join(doc[i].lemma_.lower() for i in [noun.i, *sorted(keep - {noun.i})])
    return written, normal


def _predicate(noun: Token) -> Token | None:
    """The verb that says what happens to the counted thing.

    A relative clause on the noun says it best ("10,000 soldiers … that they are preparing to
    send"); else the verb the noun is subject or object of. When that verb is a speech verb
    whose clause the parser lost ("stating 1,500 troops were already in Russia"), the verb
    right after the noun phrase is the predicate.
    """
    for child in noun.children:
        if child.dep_ in ("relcl", "acl") and child.i > noun.i:
            return child
    # "know 10,000 soldiers that they are preparing to send": a relative clause the parser
    # hung on the verb as its complement.
    governor = noun.head
    for child in governor.children if noun.dep_ == "dobj" else ():
        first = child.left_edge
        if child.dep_ == "ccomp" and first.i == noun.right_edge.i + 1 and first.lower_ == "that":
            return child
    head = noun
    while head.dep_ in ("pobj", "prep", "conj", "appos", "compound") and head.head.i != head.i:
        head = head.head
    if head.dep_ not in ("nsubj", "nsubjpass", "dobj", "attr", "npadvmod") or head.head.i == head.i:
        return None
    verb = head.head
    after = noun.right_edge.i + 1
    if is_cue(verb) and after < len(noun.doc) and noun.doc[after].pos_ in ("AUX", "VERB"):
        return noun.doc[after]
    return verb


def _subject_of_copula(token: Token) -> Token | None:
    """The subject a quantity is predicated of ("casualties … to be in the hundreds of
    thousands", "a border roughly 17 kilometres long")."""
    node = token
    for _ in range(4):
        if node.head.i == node.i:
            return None
        node = node.head
        if node.lower_ in _DIMENSIONS:
            # "a border roughly 17 kilometres long": the nearest noun before the measure
            before = [t for t in token.sent if t.i < token.i and t.pos_ in ("NOUN", "PROPN")]
            before = [t for t in before if t.i < token.left_edge.i]
            return before[-1] if before else None
        if node.pos_ in ("NOUN", "PROPN") and node.i != token.i:
            return node
        subjects = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
        if node.lemma_ == "be" and subjects:
            return subjects[0]
    return None


def _aspect(verb: Token) -> tuple[str, str | None]:
    """The predicate as written (auxiliaries, adverbs, particles, complements) and its status."""
    doc = verb.doc
    # "is preparing to hire 200 workers": the verbs the predicate is the open complement of
    # say what is done to the number too.
    top = verb
    while top.dep_ == "xcomp" and top.head.i != top.i:
        top = top.head
    chain = [top]
    node = top
    # "are preparing to send", "would end up supporting": follow open complements down.
    while True:
        nxt = [c for c in node.children if c.dep_ in ("xcomp",) and c.i > node.i]
        if not nxt:
            break
        node = nxt[0]
        chain.append(node)
    parts: set[int] = set()
    for v in chain:
        parts.add(v.i)
        for c in v.children:
            # "were already in Russia": after a copula, the place or state is the aspect.
            copular = c.dep_ == "prep" and v.lemma_ == "be"
            if c.dep_ in ("aux", "auxpass", "neg", "prt", "advmod", "acomp") or copular:
                parts.update(t.i for t in c.subtree)
    last = chain[-1]
    for c in last.children:
        if c.dep_ in ("dobj", "prep") and c.i > last.i and last.lemma_ != "be":
            # The object's head phrase, not its relative clauses: an aspect stays short.
            parts.update(t.i for t in c.subtree if not _in_clause(t, c))
            break
    lo, hi = min(parts), max(parts)
    words = [doc[i] for i in range(lo, hi + 1) if i in parts]
    gapless = hi - lo + 1 == len(words)
    written = doc[lo : hi + 1].text if gapless else " ".join(t.text for t in words)
    lemmas = {t.lemma_.lower() for t in chain}
    auxes = {c.lower_ for v in chain for c in v.children if c.dep_ in ("aux", "auxpass")}
    if lemmas & _PLAN_LEMMAS:
        status: str | None = "planned"
    elif auxes & _FUTURE:
        status = "expected"
    elif top.tag_ in ("VBD", "VBN") or auxes & {"had", "has", "have", "was", "were"}:
        status = "done"
    else:
        status = None
    return written.rstrip(" ,;:—–-"), status


def _in_clause(token: Token, top: Token) -> bool:
    """Whether ``token`` sits in a clause hanging below ``top`` (relative, adverbial …)."""
    node = token
    while node.i != top.i and node.head.i != node.i:
        if node.dep_ in _CLAUSES:
            return True
        node = node.head
    return False


def _claimant(quotes: Sequence[Quote], start: int, end: int) -> Quote | None:
    """The attribution whose words carry the number: the innermost quote around it."""
    around = [q for q in quotes if q.start <= start and end <= q.end]
    around.sort(key=lambda q: (q.end - q.start, q.kind != "partial"))
    for q in around:
        if q.speaker is not None or q.speaker_name is not None:
            return q
    return around[0] if around else None


def _is_claim(q: Quantity) -> bool:
    if q.unit in _TIME_UNITS:
        return False  # "for two-and-a-half years": a duration, among the time expressions
    words = q.text.lower().split()
    # "one of the countries", "not just one": a pronoun-like "one", not a count
    return not (q.value == 1 and q.unit is None and words and words[-1] in ("one", "a", "an"))


def find_claims(
    blocks: Sequence[Block],
    quantities: Sequence[Quantity],
    quotes: Sequence[Quote],
    times: Sequence[TimeExpression],
) -> list[Claim]:
    """Claims for the quantities of the parsed text (offsets index the full text)."""
    claims: list[Claim] = []
    starts = [b.start for b in blocks]
    for q in quantities:
        if not _is_claim(q):
            continue
        index = max((i for i, s in enumerate(starts) if s <= q.start), default=0)
        block = blocks[index]
        span = _tokens(block, q.start, q.end)
        if span is None or not len(span):
            continue
        noun = _counted(span)
        if q.unit is not None or q.noun is None or span.start <= noun.i < span.end:
            # a measure ("17 kilometres long") or a bare amount ("in the hundreds of
            # thousands"): what is measured is the noun the phrase describes
            noun = _subject_of_copula(span.root) or noun
        counted = noun.pos_ in ("NOUN", "PROPN") and not (span.start <= noun.i < span.end)
        measure, normal = _measure(noun, span) if counted else (None, None)
        verb = _predicate(noun) if counted else None
        aspect, status = _aspect(verb) if verb is not None else (None, None)
        sent = span.sent
        s_start, s_end = block.offsets(sent)
        when = [t for t in times if s_start <= t.start < s_end and t.grain != "duration"]
        said = _claimant(quotes, q.start, q.end)
        claims.append(
            Claim(
                value=q.value,
                low=q.low,
                high=q.high,
                vague=q.vague,
                approx=q.approx,
                change=q.change,
                unit=q.unit or q.noun,
                measure=measure or q.noun,
                measure_key=normal,
                aspect=aspect,
                status=status,
                claimant=said.speaker if said else None,
                claimant_name=said.speaker_name if said else None,
                time=when[0].value if when else None,
                text=q.text,
                start=q.start,
                end=q.end,
                sentence=sent.text,
                sentence_start=s_start,
                sentence_end=s_end,
            )
        )
    return claims
