"""Quotations and reported speech with their speakers, as :class:`crosswire.records.Quote`.

Two sources of evidence are combined:

1. The attribution tagger (:mod:`crosswire.read.attribution`, a CRF trained on PolNeAR) marks
   source, cue and content spans of reported speech, direct or not.
2. Quote marks (:mod:`crosswire.read.quotemarks`) and the dependency parse
   (:mod:`crosswire.read.speakers`) find direct quotations the tagger missed, quoted fragments
   inside reported speech, and paragraphs that continue a quotation with no cue at all.

A quotation that starts a clause (at the paragraph start, or after ":" or ",") is *direct*; one
that starts mid-clause ("… said troops in Ukraine "would mark a significant escalation"") is a
*partial* quote inside reported speech; reported speech without quote marks is *indirect*.
Direct and partial quotes keep their quote marks in ``start``/``end``, as PolNeAR does.

Speakers are then tied to the article's entities: a speaker phrase naming an entity takes its id;
"he"/"she" take the nearest person named before them; "the agency" the nearest organisation;
a continuation paragraph takes the speaker of the paragraph before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from crosswire.read.quotemarks import Quoted, find_quoted
from crosswire.read.speakers import Cue, cues_in, is_cue, speaker_of
from crosswire.records import Entity, Quote, QuoteKind

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from crosswire.read.nlp import Block

Span = tuple[int, int]


class AttributionLike(Protocol):
    @property
    def content(self) -> Span: ...
    @property
    def cue(self) -> Span | None: ...
    @property
    def source(self) -> Span | None: ...


_PERSON_PRONOUNS = frozenset(("he", "she", "him", "her"))
_GROUP_PRONOUNS = frozenset(("they", "it"))
_ORG_NOUNS = frozenset(
    "agency ministry department group organisation organization company firm institute "
    "centre center office committee council party campaign union bank court army military "
    "service body network".split()
)
_STATE_NOUNS = frozenset("government country nation state regime administration kremlin".split())
_CLAUSE_OPENERS = frozenset(":,;—–(")
_BACK_PARAGRAPHS = 2
_CONTINUATION_COVER = 0.8
_MIN_CONTENT_TOKENS = 3
_FINITE = frozenset(("VBD", "VBZ", "VBP", "MD"))
_SUBJ_PRONOUNS = frozenset(("he", "she", "it", "they", "we", "i", "you"))
_BORROWING = frozenset(("conj", "advcl", "xcomp"))


@dataclass(slots=True)
class _Item:
    kind: QuoteKind
    content: Span
    cue: Span | None
    speaker: Span | None
    block: int
    from_tagger: bool = False


def _quote_kind(block_text: str, q: Quoted) -> QuoteKind:
    before = block_text[: q.start].rstrip()
    if not before or before[-1] in _CLAUSE_OPENERS or before[-1] in ".!?":
        return "direct"
    return "partial"


def _cue_for(block: Block, q: Quoted) -> Cue | None:
    doc = block.doc
    inside = doc.char_span(q.start, q.end, alignment_mode="expand")
    if inside is None:
        return None
    sents = {t.sent.start: t.sent for t in (doc[inside.start], doc[inside.end - 1])}
    best: tuple[int, Cue] | None = None
    for sent in sents.values():
        for tok in cues_in(sent):
            if inside.start <= tok.i < inside.end:
                continue
            dist = inside.start - tok.i if tok.i < inside.start else tok.i - inside.end
            cue = speaker_of(tok)
            if best is None or (cue.speaker_start is not None, -dist) > (
                best[1].speaker_start is not None,
                -best[0],
            ):
                best = (dist, cue)
    return best[1] if best else None


def _covers_paragraph(block_text: str, q: Quoted) -> bool:
    if block_text[: q.start].strip():
        return False
    return (q.end - q.start) >= _CONTINUATION_COVER * len(block_text.strip())


def _token_span(block: Block, start: int | None, end: int | None) -> Span | None:
    if start is None or end is None or end <= start:
        return None
    span = block.doc[start:end]
    return block.offsets(span)


def _rule_items(blocks: Sequence[Block]) -> list[_Item]:
    items: list[_Item] = []
    last_direct: _Item | None = None
    open_quote_from: int | None = None
    for block in blocks:
        text = block.doc.text
        for q in find_quoted(text):
            kind = _quote_kind(text, q)
            cue = _cue_for(block, q)
            content = (block.start + q.start, block.start + q.end)
            continues = (
                cue is None
                and _covers_paragraph(text, q)
                and last_direct is not None
                and (last_direct.block >= block.index - 1 or open_quote_from == block.index - 1)
            )
            if cue is not None:
                item = _Item(
                    kind=kind,
                    content=content,
                    cue=_token_span(block, cue.cue_start, cue.cue_end),
                    speaker=_token_span(block, cue.speaker_start, cue.speaker_end),
                    block=block.index,
                )
            elif continues and last_direct is not None:
                item = _Item("direct", content, None, last_direct.speaker, block.index)
            else:
                continue
            items.append(item)
            if item.kind == "direct":
                last_direct = item
            open_quote_from = block.index if not q.closed else open_quote_from
        if last_direct is not None and last_direct.block < block.index - 1:
            last_direct = None
    return items


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def _reported_content(cue: Token) -> tuple[int, int] | None:
    """Token range of what a cue reports: the complement clause of "said (that) …", or the rest
    of the sentence around "according to X"."""
    doc, sent = cue.doc, cue.sent
    if cue.lower_ == "according":
        phrase_end = doc[cue.i + 1].right_edge.i + 1
        if cue.i - sent.start >= sent.end - phrase_end:
            start, end = _trimmed(doc, sent.start, cue.i)
        else:
            start, end = _trimmed(doc, phrase_end, sent.end)
    else:
        comps = [c for c in cue.children if c.dep_ == "ccomp" and c.i > cue.i]
        if comps:
            start, end = comps[0].left_edge.i, comps[0].right_edge.i + 1
        elif _clause_follows(cue):
            # The parser lost the clause ("…, stating 1,500 troops were …" parsed as a
            # conjunct): take the rest of the sentence.
            start, end = cue.i + 1, sent.end
        else:
            return None
        while end > start and doc[end - 1].is_punct and doc[end - 1].text not in '"”’»':
            end -= 1
    return (start, end) if end - start >= _MIN_CONTENT_TOKENS else None


def _clause_follows(cue: Token) -> bool:
    """Whether the parse hung a cue verb inside the clause it reports ("stating 1,500 troops
    were …" parsed with "stating" as the subject of "were")."""
    doc, sent = cue.doc, cue.sent
    if cue.i + 1 >= sent.end or cue.pos_ != "VERB":
        return False
    nxt = doc[cue.i + 1]
    if nxt.is_punct:
        return False
    if nxt.pos_ in ("ADP", "PART", "ADV", "PRON") and nxt.lower_ not in _SUBJ_PRONOUNS:
        return False
    ancestors = {a.i for a in cue.ancestors}
    return any(t.tag_ in _FINITE and t.i in ancestors for t in doc[cue.i + 1 : sent.end])


def _reported_items(blocks: Sequence[Block]) -> list[_Item]:
    """Reported speech read off the parse: "X said (that) …", "…, stating …", "according to X"."""
    items: list[_Item] = []
    for block in blocks:
        for sent in block.doc.sents:
            for tok in cues_in(sent):
                content = _reported_content(tok)
                if content is None:
                    continue
                cue = speaker_of(tok)
                items.append(
                    _Item(
                        "indirect",
                        block.offsets(block.doc[content[0] : content[1]]),
                        _token_span(block, cue.cue_start, cue.cue_end),
                        _token_span(block, cue.speaker_start, cue.speaker_end),
                        block.index,
                    )
                )
    return items


def _cue_above(
    blocks: Sequence[Block], content: Span, block: int
) -> tuple[Span | None, Span | None]:
    """The cue verb governing a content span the tagger left without one, and its speaker."""
    b = blocks[block]
    span = b.doc.char_span(content[0] - b.start, content[1] - b.start, alignment_mode="expand")
    if span is None or not len(span):
        return None, None
    node = span.root
    while node.head.i != node.i:
        node = node.head
        if is_cue(node) and not (span.start <= node.i < span.end):
            found = speaker_of(node)
            return (
                _token_span(b, found.cue_start, found.cue_end),
                _token_span(b, found.speaker_start, found.speaker_end),
            )
    return None, None


def _borrowed_speaker(blocks: Sequence[Block], cue: Span, block: int) -> Span | None:
    """The speaker of a cue verb that has no subject of its own ("… but stated it had …")."""
    b = blocks[block]
    tok = b.doc.char_span(cue[0] - b.start, cue[1] - b.start, alignment_mode="expand")
    if tok is None or not len(tok):
        return None
    verb = tok.root
    if verb.dep_ not in _BORROWING or any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        return None
    found = speaker_of(verb)
    return _token_span(b, found.speaker_start, found.speaker_end)


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _inside(inner: Span, outer: Span) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _merge(
    rules: list[_Item],
    reported: list[_Item],
    tagged: Sequence[AttributionLike],
    blocks: Sequence[Block],
) -> list[_Item]:
    starts = [b.start for b in blocks]

    def block_of(pos: int) -> int:
        lo = 0
        for i, s in enumerate(starts):
            if s <= pos:
                lo = i
        return lo

    merged: list[_Item] = []
    used: set[int] = set()
    for att in tagged:
        inner = [i for i, r in enumerate(rules) if _inside(r.content, att.content)]
        direct = [i for i in inner if rules[i].kind == "direct"]
        kind: QuoteKind = "indirect"
        if direct and _quote_fills(att.content, rules[direct[0]].content):
            kind = "direct"
        item = _Item(kind, att.content, att.cue, att.source, block_of(att.content[0]), True)
        if kind == "indirect":
            item.content = _widened(item, reported)
        if item.cue is None:
            item.cue, speaker = _cue_above(blocks, item.content, item.block)
            item.speaker = item.speaker or speaker
        if item.speaker is None and item.cue is not None:
            item.speaker = _borrowed_speaker(blocks, item.cue, item.block)
        orphan = item.cue is None and item.speaker is None and not inner
        if orphan and any(_inside(item.content, r.content) for r in reported):
            continue  # a scrap of a clause the parse attributes whole, with its cue
        merged.append(item)
        for i in inner:
            used.add(i)
            r = rules[i]
            if kind == "direct" and r.kind == "direct":
                item.speaker = item.speaker or r.speaker
                item.cue = item.cue or r.cue
                continue
            merged.append(
                _Item("partial", r.content, att.cue or r.cue, att.source or r.speaker, r.block)
            )
    for i, r in enumerate(rules):
        if i in used or any(_overlaps(r.content, m.content) for m in merged if m.from_tagger):
            continue
        merged.append(r)
    # Reported speech the tagger missed; quotations already found take precedence.
    for r in reported:
        if not any(_overlaps(r.content, m.content) for m in merged):
            merged.append(r)
    return _one_per_content(merged, blocks)


def _one_per_content(items: list[_Item], blocks: Sequence[Block]) -> list[_Item]:
    """One item per quoted span. Where the tagger tied one content to two cues, the nearer cue
    (in the same paragraph, then by distance) keeps it; the other cue gets the clause the parse
    says it reports, if that is a different stretch of text, and is dropped otherwise (a cue
    paired with someone else's words would put them in the wrong mouth)."""

    def distance(it: _Item) -> tuple[bool, bool, int]:
        if it.cue is None:
            return True, True, 0
        home = blocks[it.block]
        elsewhere = not (home.start <= it.cue[0] < home.end)
        gap = max(it.cue[0] - it.content[1], it.content[0] - it.cue[1], 0)
        return elsewhere, it.speaker is None, gap

    groups: dict[tuple[str, Span], list[_Item]] = {}
    for it in items:
        groups.setdefault((it.kind, it.content), []).append(it)
    kept: list[_Item] = []
    losers: list[tuple[_Item, Span | None]] = []
    for group in groups.values():
        if len(group) == 1:
            kept.append(group[0])
            continue
        # The cue whose own clause (by the parse) is these words owns them; else the nearest.
        owns = [_own_content(blocks, it) for it in group]
        owned = [_share(own, it.content) for own, it in zip(owns, group, strict=True)]
        ranked = sorted(range(len(group)), key=lambda i: (-owned[i], distance(group[i])))
        kept.append(group[ranked[0]])
        losers.extend((group[i], owns[i]) for i in ranked[1:])
    for it, own in losers:
        if own is not None and not any(_overlaps(own, k.content) for k in kept):
            it.content, it.kind = own, "indirect"
            kept.append(it)
    return sorted(kept, key=lambda it: (it.content[0], it.content[1]))


def _share(own: Span | None, content: Span) -> float:
    if own is None:
        return 0.0
    common = min(own[1], content[1]) - max(own[0], content[0])
    return max(common, 0) / max(content[1] - content[0], 1)


def _own_content(blocks: Sequence[Block], item: _Item) -> Span | None:
    """The clause a cue reports according to the parse, as full-text offsets."""
    if item.cue is None:
        return None
    b = next((b for b in blocks if b.start <= item.cue[0] < b.end), None)
    if b is None:
        return None
    span = b.doc.char_span(item.cue[0] - b.start, item.cue[1] - b.start, alignment_mode="expand")
    if span is None or not len(span):
        return None
    found = _reported_content(span.root)
    return b.offsets(b.doc[found[0] : found[1]]) if found else None


def _widened(item: _Item, reported: list[_Item]) -> Span:
    """The tagger's content, or the parse's when the tagger kept only a scrap of the clause its
    cue reports (under half of it: "… has about 50 ready-to-fire [nuclear warheads], according
    to …")."""
    for r in reported:
        if r.cue == item.cue and _inside(item.content, r.content):
            tagged = item.content[1] - item.content[0]
            if tagged * 2 < r.content[1] - r.content[0]:
                return r.content
    return item.content


def _quote_fills(content: Span, quote: Span) -> bool:
    outside = (quote[0] - content[0]) + (content[1] - quote[1])
    return outside <= max(6, (quote[1] - quote[0]) // 10)


def _mention_index(entities: Sequence[Entity]) -> list[tuple[int, int, Entity]]:
    return sorted((m.start, m.end, e) for e in entities for m in e.mentions)


def _entity_at(index: list[tuple[int, int, Entity]], span: Span) -> Entity | None:
    """The entity a speaker phrase names: its first person, else the first entity in it.

    A speaker phrase may carry other names in its modifiers and appositions ("US Defense
    Secretary Lloyd Austin", "Alexander Kovalenko, an observer with the Information Resistance
    group"); the person is the speaker. Without a person, the phrase's first name is the body
    that speaks ("South Korea's spy agency").
    """
    inside = [ent for s, e, ent in index if s < span[1] and span[0] < e]
    people = [ent for ent in inside if ent.type == "PERSON"]
    return people[0] if people else (inside[0] if inside else None)


def _nearest_before(
    index: list[tuple[int, int, Entity]], pos: int, floor: int, types: frozenset[str]
) -> Entity | None:
    found: Entity | None = None
    for s, _, ent in index:
        if s >= pos:
            break
        if s >= floor and ent.type in types:
            found = ent
    return found


def _resolve(
    text: str,
    span: Span,
    index: list[tuple[int, int, Entity]],
    floor: int,
    previous: Entity | None,
) -> Entity | None:
    words = text[span[0] : span[1]].lower().split()
    if not words:
        return None
    if len(words) == 1 and words[0] in _PERSON_PRONOUNS:
        if previous is not None and previous.type == "PERSON":
            last_person = _nearest_before(index, span[0], floor, frozenset(("PERSON",)))
            return last_person or previous
        return _nearest_before(index, span[0], floor, frozenset(("PERSON",)))
    if len(words) == 1 and words[0] in _GROUP_PRONOUNS:
        if previous is not None and previous.type != "PERSON":
            return previous
        return None
    found = _entity_at(index, span)
    if found is not None:
        return found
    if words[0] in ("the", "this", "that") and len(words) <= 4:
        head = words[-1]
        if head in _ORG_NOUNS:
            return _nearest_before(index, span[0], floor, frozenset(("ORG",)))
        if head in _STATE_NOUNS:
            return _nearest_before(index, span[0], floor, frozenset(("GPE",)))
    return None


def find_quotes(
    text: str,
    blocks: Sequence[Block],
    entities: Sequence[Entity],
    tagged: Sequence[AttributionLike],
) -> list[Quote]:
    """Quotes of ``text`` (offsets index it), speakers tied to ``entities`` where possible."""
    items = _merge(_rule_items(blocks), _reported_items(blocks), tagged, blocks)
    index = _mention_index(entities)
    quotes: list[Quote] = []
    previous: Entity | None = None
    for it in items:
        floor = blocks[max(0, it.block - _BACK_PARAGRAPHS)].start if blocks else 0
        speaker = (
            _resolve(text, it.speaker, index, floor, previous) if it.speaker is not None else None
        )
        if speaker is not None:
            previous = speaker
        s, e = it.content
        quotes.append(
            Quote(
                kind=it.kind,
                text=text[s:e],
                start=s,
                end=e,
                speaker=speaker.id if speaker else None,
                speaker_name=text[it.speaker[0] : it.speaker[1]] if it.speaker else None,
                speaker_start=it.speaker[0] if it.speaker else None,
                speaker_end=it.speaker[1] if it.speaker else None,
                cue=text[it.cue[0] : it.cue[1]] if it.cue else None,
                cue_start=it.cue[0] if it.cue else None,
                cue_end=it.cue[1] if it.cue else None,
            )
        )
    return quotes
