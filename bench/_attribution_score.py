"""Span scores for attribution (PolNeAR): speaker, cue and content, exact and overlap match.

Definitions, used by ``bench/attribution.py`` and ``tools/train_attribution.py`` alike:

- A span is ``(start, end)`` in the article text, trimmed of surrounding whitespace. A gold span
  made of several pieces (brat's ``;``) is scored as its hull: first piece's start to last
  piece's end.
- Per article and per role, gold spans and predicted spans are sets (two attributions sharing a
  source span count it once).
- **Exact**: a predicted span is right when the same ``(start, end)`` is in the gold set.
- **Overlap**: predicted and gold spans are paired greedily, one to one, in text order; a pair
  counts when the two share at least one character.
- Precision, recall and F1 are micro-averaged over all articles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crosswire.read.brat import AnnotatedText, BratSpan

Span = tuple[int, int]
ROLES = ("speaker", "cue", "content")


def trim(text: str, span: Span) -> Span | None:
    """``span`` without surrounding whitespace, or ``None`` if nothing is left."""
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _hull(span: BratSpan) -> Span:
    return span.start, span.end


def gold_spans(article: AnnotatedText) -> dict[str, set[Span]]:
    """The gold span sets of one article, by role."""
    out: dict[str, set[Span]] = {r: set() for r in ROLES}
    for att in article.attributions:
        for role, spans in (("speaker", att.source), ("cue", att.cue), ("content", att.content)):
            for s in spans:
                t = trim(article.text, _hull(s))
                if t:
                    out[role].add(t)
    return out


@dataclass(slots=True)
class Counts:
    tp_exact: int = 0
    tp_overlap: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, predicted: set[Span], gold: set[Span]) -> None:
        self.predicted += len(predicted)
        self.gold += len(gold)
        self.tp_exact += len(predicted & gold)
        self.tp_overlap += _overlap_pairs(predicted, gold)

    def prf(self, *, exact: bool) -> tuple[float, float, float]:
        tp = self.tp_exact if exact else self.tp_overlap
        p = tp / self.predicted if self.predicted else 0.0
        r = tp / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def _overlap_pairs(predicted: Iterable[Span], gold: Iterable[Span]) -> int:
    free = sorted(gold)
    pairs = 0
    for ps, pe in sorted(predicted):
        for i, (gs, ge) in enumerate(free):
            if ps < ge and gs < pe:
                pairs += 1
                del free[i]
                break
    return pairs


class Scorer:
    """Accumulates counts over articles; ``table()`` gives P/R/F1 per role and match kind."""

    def __init__(self) -> None:
        self.counts = {r: Counts() for r in ROLES}

    def add(self, article: AnnotatedText, predicted: dict[str, set[Span]]) -> None:
        gold = gold_spans(article)
        for role in ROLES:
            pred = {t for s in predicted.get(role, set()) if (t := trim(article.text, s))}
            self.counts[role].add(pred, gold[role])

    def table(self) -> dict[str, dict[str, tuple[float, float, float]]]:
        return {
            role: {
                "exact": self.counts[role].prf(exact=True),
                "overlap": self.counts[role].prf(exact=False),
            }
            for role in ROLES
        }
