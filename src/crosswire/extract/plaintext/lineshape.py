"""The shape of a line of text: how long it is, whether it ends a sentence, whether it is prose.

Lengths count words for space-separated scripts and half the characters for CJK, so that thresholds
("a heading has at most 12 words") mean about the same in Chinese as in English.
"""

from __future__ import annotations

import re

__all__ = ["ends_sentence", "is_headline_like", "is_prose", "size"]

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_CLOSERS = "\"'”’»」』)）]】›> \t"
_TERMINAL = frozenset(".!?…。！？;；")
# Words a cut-off or wrapped line ends on, never a heading ("Life goes on" may end on a particle).
_FUNCTION_WORDS = frozenset(
    str.split(
        """the a an and or of to for with from as but nor is are was were be that which who
    der die das und oder von zu mit für im auf den dem des ein eine le la les et ou de du des à en
    pour avec au aux un une el los las y o del por con para al il lo gli e di da per che
    и или в на с по к от для что"""
    )
)
_SIZE_SAMPLE = 3000


def size(text: str) -> int:
    """Words, counting two CJK characters as one word."""
    sample = text[:_SIZE_SAMPLE]
    cjk = len(_CJK.findall(sample))
    words = len(_CJK.sub(" ", sample).split())
    result = words + (cjk + 1) // 2
    return result if len(text) <= _SIZE_SAMPLE else max(result, 500)


def ends_sentence(text: str) -> bool:
    core = text.rstrip(_CLOSERS)
    return bool(core) and core[-1] in _TERMINAL


def is_prose(text: str) -> bool:
    """A sentence-like line: ends like a sentence and is not tiny, or is long whatever its end."""
    n = size(text)
    return (ends_sentence(text) and n >= 6) or n >= 20


def is_headline_like(text: str, *, max_size: int = 14) -> bool:
    """A short line that does not end like a sentence, a list lead-in or a cut-off phrase."""
    n = size(text)
    if not 1 <= n <= max_size or len(text) > 160:
        return False
    if ends_sentence(text) or text.rstrip(_CLOSERS).endswith(
        (":", "：", ",", "，", "、", "-", "–")
    ):
        return False
    words = text.rstrip(_CLOSERS).split()
    return bool(words) and words[-1].casefold() not in _FUNCTION_WORDS
