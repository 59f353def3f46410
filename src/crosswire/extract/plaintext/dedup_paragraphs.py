"""Paragraphs that repeat inside one article: a summary restating a body paragraph, a copy glitch.

Containment of word 3-grams (character 4-grams for CJK text) of the shorter paragraph in the longer
one catches exact repeats, prefixes ("the summary is the body paragraph cut after its first clause")
and light edits alike, where an edit distance would be thrown by the length difference.

Candidates come from an inverted index of shingles, so the work is linear in the text for ordinary
articles; posting lists and the number of paragraphs compared are capped so a 100k-line input stays
bounded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Match", "near_duplicates"]

_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_MIN_WORDS = 8
_MIN_CJK_CHARS = 20
_MIN_EXACT_WORDS = 4
_MIN_EXACT_CJK = 10
_MAX_PARAGRAPHS = 5000
_MAX_POSTING = 64
_MAX_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class Match:
    """Paragraphs ``first`` < ``second`` share most of their text.

    ``first_in_second`` is the share of ``first``'s shingles found in ``second`` and vice versa;
    both are 1.0 for exact repeats.
    """

    first: int
    second: int
    first_in_second: float
    second_in_first: float

    @property
    def exact(self) -> bool:
        return self.first_in_second >= 1.0 and self.second_in_first >= 1.0


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _shingles(text: str) -> frozenset[int]:
    text = text[:_MAX_CHARS].casefold()
    if len(_CJK.findall(text[:2000])) * 3 >= min(len(text), 2000):
        chars = "".join(ch for ch in text if ch.isalnum())
        if len(chars) < _MIN_CJK_CHARS:
            return frozenset()
        return frozenset(hash(chars[k : k + 4]) for k in range(len(chars) - 3))
    words = _WORD.findall(text)
    if len(words) < _MIN_WORDS:
        return frozenset()
    return frozenset(hash((words[k], words[k + 1], words[k + 2])) for k in range(len(words) - 2))


def _exact_key(text: str) -> str | None:
    norm = _normal(text)
    if len(norm.split()) >= _MIN_EXACT_WORDS or len(_CJK.findall(norm)) >= _MIN_EXACT_CJK:
        return norm
    return None


def near_duplicates(texts: Sequence[str], *, threshold: float = 0.8) -> list[Match]:
    """Pairs of paragraphs where ``threshold`` of the shorter one's shingles are in the other.

    Short paragraphs (under 8 words / 20 CJK characters) only match exact repeats of at least 4
    words. Only the first 5,000 paragraphs are compared.
    """
    matches: dict[tuple[int, int], Match] = {}
    first_seen: dict[str, int] = {}
    index: dict[int, list[int]] = {}
    sizes: list[int] = []
    for i, text in enumerate(texts[:_MAX_PARAGRAPHS]):
        key = _exact_key(text)
        if key is not None:
            if key in first_seen:
                matches[(first_seen[key], i)] = Match(first_seen[key], i, 1.0, 1.0)
            else:
                first_seen[key] = i
        grams = _shingles(text)
        sizes.append(len(grams))
        if not grams:
            continue
        shared: Counter[int] = Counter()
        for g in grams:
            posting = index.setdefault(g, [])
            shared.update(posting)
            if len(posting) < _MAX_POSTING:
                posting.append(i)
        for j, count in shared.items():
            in_i, in_j = count / len(grams), count / sizes[j]
            if max(in_i, in_j) >= threshold and (j, i) not in matches:
                matches[(j, i)] = Match(j, i, round(in_j, 3), round(in_i, 3))
    return sorted(matches.values(), key=lambda m: (m.first, m.second))
