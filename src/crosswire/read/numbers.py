"""Numbers as written in news text: digit strings in common separator styles and English words.

Everything here works on short strings already cut out of the text; nothing scans a whole page.
A value that overflows (``"9" * 400`` or a huge scale) comes back as ``None``, never ``inf``.
"""

from __future__ import annotations

import math
import re

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {
    "hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "lakh": 1e5, "crore": 1e7,
}  # fmt: skip
SCALE_ABBREV = {
    "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "mn": 1e6, "mil": 1e6, "mln": 1e6, "bn": 1e9,
    "b": 1e9, "B": 1e9, "bln": 1e9, "tn": 1e12, "trn": 1e12, "tr": 1e12, "T": 1e12,
}  # fmt: skip
DENOMINATORS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6,
    "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10,
}  # fmt: skip
VAGUE = {"dozens": 12.0, "scores": 20.0, "hundreds": 100.0, "thousands": 1e3, "millions": 1e6,
         "billions": 1e9, "trillions": 1e12}  # fmt: skip

NUMBER_WORDS = frozenset(UNITS) | frozenset(SCALES) | {"dozen", "half", "a", "an", "and"}

_SPACE = " \u00a0\u202f\u2009"


def finite(value: float) -> float | None:
    """``value`` if it is a finite float, else ``None``."""
    return value if math.isfinite(value) else None


def parse_digits(raw: str) -> float | None:
    """The value of a digit string: "10,000", "10.000.000", "1.234,5", "10 000", "10.5", ".5".

    A lone dot followed by exactly three digits is a thousands separator only when those digits
    are "000" ("10.000" is ten thousand, "1.500" stays one and a half): in English news a dot is
    almost always a decimal point, and "x.000" is not a way anyone writes a decimal.
    """
    s = raw.strip().replace("\u2212", "-")
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    for ch in _SPACE:
        if ch in s:
            head, _, tail = s.partition(ch)
            groups = s.split(ch)
            if all(len(g) == 3 for g in groups[1:4]) and 1 <= len(head) <= 3:
                s = "".join(groups)
            else:
                s = head if tail else s
    if "," in s and "." in s:
        # whichever separator comes last is the decimal mark
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        parts = s.split(",")
        if all(len(p) == 3 for p in parts[1:]):
            s = s.replace(",", "")
        elif len(parts) == 2:
            s = s.replace(",", ".")  # "2,5" — a decimal comma
        else:
            return None
    elif s.count(".") > 1:
        parts = s.split(".")
        if not all(len(p) == 3 for p in parts[1:]):
            return None
        s = s.replace(".", "")
    elif re.fullmatch(r"\d{1,3}\.000", s):
        s = s.replace(".", "")
    try:
        return finite(sign * float(s))
    except ValueError:
        return None


_WORD_SPLIT = re.compile(r"[\s\-\u2010\u2011]+")


def parse_words(raw: str) -> float | None:
    """The value of a number written in words: "twenty-five", "three hundred", "a dozen",
    "two-and-a-half", "half a million", "two-thirds", "one fourth"; ``None`` if it is not one."""
    words = [w for w in _WORD_SPLIT.split(raw.lower().strip()) if w]
    if not words:
        return None
    if len(words) == 2 and words[0] in UNITS and words[1] in DENOMINATORS:
        if words[1] == "half" and words[0] != "one":
            return None  # "two half" is not a fraction
        return UNITS[words[0]] / DENOMINATORS[words[1]]
    total = 0.0
    current = 0.0
    seen = False
    pending_half = False
    for i, w in enumerate(words):
        if w in ("and", "a", "an"):
            if w != "and" and i + 1 < len(words) and words[i + 1] == "half":
                pending_half = True
            continue
        if w in UNITS:
            current += UNITS[w]
        elif w == "hundred":
            current = (current or 1.0) * 100
        elif w in SCALES:
            total += (current or 1.0) * SCALES[w]
            current = 0.0
        elif w == "dozen":
            current = (current or 1.0) * 12
        elif w == "half":
            if pending_half or i == 0:
                current += 0.5
            else:
                return None
            pending_half = False
        else:
            return None
        seen = True
    if not seen:
        return None
    return finite(total + current)


def scale_of(word: str) -> float | None:
    """The multiplier of a scale word or abbreviation ("million", "bn", "m", "K")."""
    low = word.lower()
    if low in SCALES and low != "hundred":
        return SCALES[low]
    if low == "hundred":
        return 100.0
    return SCALE_ABBREV.get(word, SCALE_ABBREV.get(low if low not in ("b", "m", "k") else word))
