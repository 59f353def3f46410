"""Scoring helpers for the extraction benchmark: bag-of-words token P/R/F1, title and date matches.

Token scores
    Both texts are NFKC-normalised, lowercased (``str.casefold``) and cut into word tokens: runs
    of Unicode word characters (``\\w+``), except that Han ideographs and Japanese kana count one
    token per character (those scripts do not separate words with spaces, so ``\\w+`` would make a
    whole clause one token and one changed character would cost the whole clause). The two token
    multisets are intersected (``Counter &``); precision = overlap / predicted tokens, recall =
    overlap / true tokens, F1 their harmonic mean. An empty prediction scores P = R = F1 = 0
    unless the truth is empty too (then 1). Scores are computed per page and averaged over pages
    (macro average).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def tokens(text: str) -> list[str]:
    """Lowercased word tokens of ``text`` (CJK ideographs and kana: one per character)."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True, slots=True)
class PRF:
    precision: float
    recall: float
    f1: float


def prf(predicted: str | None, truth: str) -> PRF:
    """Bag-of-words precision, recall and F1 of ``predicted`` against ``truth``."""
    pred = Counter(tokens(predicted or ""))
    gold = Counter(tokens(truth))
    n_pred, n_gold = sum(pred.values()), sum(gold.values())
    if n_gold == 0:
        return PRF(1.0, 1.0, 1.0) if n_pred == 0 else PRF(0.0, 1.0, 0.0)
    if n_pred == 0:
        return PRF(0.0, 0.0, 0.0)
    overlap = sum((pred & gold).values())
    p, r = overlap / n_pred, overlap / n_gold
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f)


def _norm_title(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    s = (
        s.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    return " ".join(s.split()).casefold()


def title_match(predicted: str | None, truth: str) -> bool:
    """Exact match after Unicode (NFKC), quote, whitespace and case normalisation."""
    return bool(predicted) and _norm_title(predicted or "") == _norm_title(truth)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_match(predicted: str | None, truth: str) -> bool:
    """Same calendar day (``YYYY-MM-DD``) as written; times and time zones are ignored."""
    if not predicted:
        return False
    p, t = _DAY.match(predicted), _DAY.match(truth.strip())
    return bool(p and t and p.group(0) == t.group(0))
