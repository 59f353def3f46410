"""Quantities in news text: "about 10,000 soldiers", "$2bn", "10-12%", "hundreds of thousands".

Two stages per paragraph. A lexer makes a few linear passes over the paragraph's characters
(digit numbers, numbers in words, vague amounts, and the URL and phone spans to stay out of) and
reads what is glued to each number — currency mark, scale ("bn", "million"), unit, "per day",
a second number that makes a range — with regexes anchored at the number, so the cost grows with
the text, not with the text times the numbers. Then the spaCy parse of the paragraph decides what
a number is about: the counted noun it modifies ("1,500 special forces troops"), the verb that
makes it a change ("rose 6.5%"), and whether it is a quantity at all rather than a year, a day of
the month, a time, a score, an age, a model name ("iPhone 11") or part of a named entity.

What is skipped: dates and years, times of day, ordinals, "aged 45", phone numbers, numbers in
URLs and e-mail addresses, sports scores ("3-2"), bullet-list page furniture, and any value that
does not fit in a float.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from crosswire.read import nlp
from crosswire.read.numbers import (
    DENOMINATORS,
    SCALES,
    UNITS,
    VAGUE,
    finite,
    parse_digits,
    parse_words,
    scale_of,
)
from crosswire.read.units import (
    CURRENCIES,
    TIME_UNITS,
    currency_before,
    rate_after,
    unit_after,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from crosswire.read.nlp import Block


@dataclass(frozen=True, slots=True)
class Quantity:
    """One quantity as written, with its value, hedge, unit and counted noun."""

    value: float | None
    """The number; ``None`` for a vague amount. For a range, ``None`` too: see low/high."""
    low: float | None
    high: float | None
    """Bounds of a range ("10,000 to 12,000") or of a vague amount ("thousands": 1,000–10,000);
    for a single value both equal ``value``."""
    vague: str | None
    """The vague amount as written, lowercased: "thousands", "tens of thousands", "dozens"."""
    approx: str | None
    """The hedge as written: "about", "some", "more than", "up to", "a total of"…"""
    change: str
    """``=`` exact, ``~`` approximate, ``>`` lower bound, ``<`` upper bound, ``up``/``down`` a
    rise or fall by or to this amount (NewsQuant's convention)."""
    unit: str | None
    """Normalised unit code ("km", "%", "USD", "USD/bbl"); ``None`` for a plain count."""
    unit_text: str | None
    noun: str | None
    """The counted noun phrase ("special forces troops"), when the parse shows one."""
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- lexer patterns

_DIGITS = re.compile(
    r"(?<![\d.,])(?P<sign>[-+\u2212](?=\.?\d))?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d|,\d)"
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?(?!\d|\.\d)"
    r"|\d{1,3}(?:[\u00a0\u202f\u2009 ]\d{3})+(?![\d]|[.,]\d)"
    r"|\d+(?:\.\d+)?"
    r"|\.\d+)"
)
_W = (
    "|".join(sorted(UNITS, key=len, reverse=True))
    + "|hundred|thousand|million|billion|trillion|lakh|crore|dozen|half|"
    + "|".join(sorted(DENOMINATORS, key=len, reverse=True))
)
_WORDS = re.compile(
    rf"(?i)\b(?:an?[ \-](?=(?:dozen|hundred|thousand|million|billion|trillion)\b)"
    rf"|half[ \-]an?[ \-](?=(?:dozen|million|billion|thousand)\b))?"
    rf"(?:{_W})(?:(?:[ \-]+and[ \-]+an?[ \-]+(?=half)"
    rf"|(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))[ \-]+and[ \-]+|[ \-]+)"
    rf"(?:{_W}))*\b"
)
_VAGUE = re.compile(
    r"(?i)\b(?:(?P<mult>tens|hundreds|dozens)[ ]of[ ])?"
    r"(?P<base>dozens|hundreds|thousands|millions|billions|trillions|scores(?=[ ]of\b))\b"
)
# The lookbehinds let an address or a host start only where its run of characters starts: else
# every position inside a long run ("9" * 100_000, "a.a.a…") is tried as a start and rescans the
# rest of the run, quadratic in its length.
_URL = re.compile(
    r"(?i)(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+"
    r"|(?<![\w-])(?<![\w-]\.)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*"
)
_PHONE = re.compile(
    r"(?<![\w.,])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{2,5}(?:[ .\-]\d{2,5}){1,4}(?![\w])"
)
_SCALE_ABBR = re.compile(r"(?P<sp> ?)(?P<s>bn|mn|mln|mil|tn|trn|[kKmMbBT])(?![\w])")
_SCALE_WORD = re.compile(
    r"[ \u00a0\-]+(?P<s>(?i:hundred|thousand|million|billion|trillion|lakh|crore))\b"
)
_RANGE_SEP = re.compile(r"\s*(?:to-|-\s*to|-|–|—|to|and|up to|out of)\s*")
_SCI = re.compile(r"\s*[×x*]\s*10\s*(?:\^|\*\*)?\s*(?P<exp>[-−]?\d{1,3})(?!\d)")
_ADDRESS = re.compile(
    r"\s+(?:[A-Z0-9][\w']*\.?\s+){0,3}(?:St|Street|Rd|Road|Ave|Avenue|Way|Lane|Ln|Drive|Dr"
    r"|Boulevard|Blvd|Place|Pl|Court|Ct|Terrace|Crescent|Highway|Hwy|Square|Sq)\b\.?"
)
_PENCE = re.compile(r"p(?!\w|\.[a-zA-Z])")
_DEGREES = re.compile(r"(?P<u>[CF])(?!\w|\.[a-zA-Z])")
_FRACTION = re.compile(r"/(?P<d>\d+)(?P<more>[/\d.,]\d*)?")
_HYPHEN_TIME = re.compile(r"-(?:year|month|week|day|hour|minute)s?\b")
_HEDGE = re.compile(
    r"(?i)(?:\b(?P<h>more than|less than|fewer than|greater than|at least|at most|up to"
    r"|as many as|as much as|as few as|no more than|no fewer than|no less than|not more than"
    r"|just under|just over|well over|well under|a total of|an estimated|approximately"
    r"|approx\.|about|around|roughly|some|nearly|almost|over|under|close to|upwards of"
    r"|in excess of|below|above|circa|an average of|maybe|perhaps|estimated|almost)"
    r"(?:,)?\s+|(?P<t>~|≈|<|>|≤|≥)\s*)$"
)
_HEDGE_CHANGE = {
    "~": "~", "≈": "~", ">": ">", "≥": ">", "<": "<", "≤": "<",
    "more than": ">", "greater than": ">", "at least": ">", "over": ">", "well over": ">",
    "just over": ">", "upwards of": ">", "in excess of": ">", "above": ">", "no fewer than": ">",
    "no less than": ">", "less than": "<", "fewer than": "<", "at most": "<", "up to": "<",
    "as many as": "<", "as much as": "<", "no more than": "<", "not more than": "<",
    "just under": "<", "well under": "<", "under": "<", "below": "<", "as few as": "~",
    "a total of": "=", "an average of": "=",
}  # fmt: skip
_UPDOWN = re.compile(r"(?i)\b(?P<d>up|down|minus)\s*-?\s*$")
_TIME_AFTER = re.compile(r"(?i)\s?(?::\d|[ap]\.m\.|[ap]m\b|h\d\d\b|GMT|UTC|BST)")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?,?\s*$")
_MONTH_AFTER = re.compile(rf"\s*(?:(?:st|nd|rd|th)\s+)?(?:of\s+)?(?:{_MONTHS})\b")
_AGE_BEFORE = re.compile(r"(?i)\b(?:aged?|ages)\s*$")
_YEAR_BEFORE = re.compile(r"(?i)(?:\b(?:A\.?D\.?|B\.?C\.?|CE|BCE|in|since|by|until)|')\s*$")
_FURNITURE = re.compile(r"^\s*(?:[-·•|>»*]\s*)+")
_LIST_MARK = re.compile(r"(?:\)\.?|\.)\s+\S")
_LISTNUM = re.compile(r"(?i)(?:\bno\.?|#|\bnumber|\bnr\.?)\s*$")

_UP = frozenset(
    "rise climb gain jump increase grow advance rally surge soar boost raise rebound spike leap "
    "edge swell expand hike lift up improve".split()
)
_DOWN = frozenset(
    "fall drop slide slip decline decrease lose shed tumble plunge sink dip slump cut reduce "
    "ease shrink contract retreat crash plummet lower down sag erode weaken tank dive".split()
)
_SKIP_ENTS = frozenset("PERSON ORG GPE LOC FAC PRODUCT EVENT WORK_OF_ART LAW LANGUAGE NORP".split())
_NOT_ONE_BEFORE = frozenset("no the this that any every each which last next".split())
_NOT_ONE_AFTER = frozenset("another day time way".split())


@dataclass(slots=True)
class _Expr:
    """A number being read: where it is and what has been read so far."""

    start: int
    end: int
    num_end: int  # end of the number and its scale, before any unit
    value: float | None
    low: float | None = None
    high: float | None = None
    raw: float | None = None  # value before the scale word
    scale: float | None = None
    integer: bool = False
    digits: str = ""
    words: bool = False
    vague: str | None = None
    sign: str = ""
    unit: str | None = None
    unit_text: str | None = None
    currency_prefix: bool = False
    fraction: bool = False


# --------------------------------------------------------------------------- lexing


def _read_scale(text: str, e: _Expr) -> None:
    pos = e.num_end
    m = _SCALE_WORD.match(text, pos)
    if m:
        mult = SCALES[m.group("s").lower()]
    else:
        m = _SCALE_ABBR.match(text, pos)
        if not m:
            return
        s = m.group("s")
        after = text[m.end() : m.end() + 30]
        nxt = re.match(r" ([a-z]+)", after)
        # with a space only the unambiguous forms, or "8 B people"
        if m.group("sp") and (s in ("k", "m", "b", "K") or (s in ("M", "B") and not nxt)):
            return
        plural_next = nxt is not None and (nxt.group(1).endswith("s") or nxt.group(1) == "people")
        if s in ("m", "b") and not e.currency_prefix and (s == "b" or not plural_next):
            return  # "100m" is metres unless a plural noun follows ("12.3m tonnes")
        if s == "T" and not e.currency_prefix:
            return  # "$2.174T" is trillions; "5 T" could be anything
        mult = scale_of(s) or 1.0
    if e.value is None:
        return
    e.raw = e.value
    e.scale = mult
    e.value = finite(e.value * mult)
    e.num_end = e.end = m.end()
    e.integer = False


def _read_unit(text: str, e: _Expr) -> None:
    found = unit_after(text, e.end)
    # "5G", "4G": mobile network generations, written glued to the digit
    if (
        found is None
        and e.digits in ("2", "3", "4", "5", "6")
        and text[e.end : e.end + 1] == "G"
        and not text[e.end + 1 : e.end + 2].isalnum()
    ):
        found = ("G", e.end + 1)
    # "164p": pence, glued; "9p.m." is a time and "5 p" is nothing
    if found is None and _PENCE.match(text, e.end) and e.unit is None:
        found = ("GBX", e.end + 1)
    # "30C", "-10C", "90F": weather-report temperatures, glued ("Group C" is not one)
    degrees = _DEGREES.match(text, e.end) if found is None and e.unit is None else None
    if degrees:
        found = ("°C" if degrees.group("u") == "C" else "°F", degrees.end())
    if found is None:
        if e.unit:
            rate = rate_after(text, e.end)
            if rate:
                e.unit = f"{e.unit}/{rate[0]}"
                e.unit_text = f"{e.unit_text} {text[e.end : rate[2]].strip()}"
                e.end = rate[2]
        return
    code, end = found
    if code == "lb" and e.scale is not None and e.scale >= 1e6:
        code = "GBP"  # "20 million pounds" is money; nobody weighs things in millions of pounds
    if e.unit and code not in CURRENCIES:
        return  # "$5 m" is five million dollars, handled by the scale; keep the currency
    if e.unit and code in CURRENCIES:
        e.end = end
        return
    e.unit = code
    e.unit_text = text[e.end : end].strip(" -")
    e.end = end
    rate = rate_after(text, e.end)
    if rate:
        e.unit = f"{code}/{rate[0]}"
        e.unit_text = text[e.num_end : rate[2]].strip(" -")
        e.end = rate[2]


def _lex_digits(text: str, m: re.Match[str]) -> _Expr | None:
    num = m.group("num")
    start = m.start()
    sign = m.group("sign") or ""
    numstart = m.start("num")
    if sign and start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-/"):
        if re.search(r"(?i)\bminus$", text[max(0, start - 6) : start]):
            sign = "minus"  # "minus-260 degrees"
            start -= 5
        elif re.search(r"(?i)\bto$", text[max(0, start - 3) : start]):
            sign = ""  # "200,000 to-260,000"
            start = numstart
        else:
            return None  # "COVID-19", "Hwasong-19", "1/2" — not a signed number
    value = parse_digits(("-" if sign == "minus" else sign) + num)
    if value is None:
        return None
    e = _Expr(start=start, end=m.end(), num_end=m.end(), value=value, digits=num, sign=sign)
    e.integer = re.fullmatch(r"\d+", num) is not None
    before = start if not sign or sign == "minus" else m.start("sign")
    cur = currency_before(text, before)
    if cur is not None:
        e.unit, e.start = cur
        e.unit_text = text[cur[1] : before].strip()
        e.currency_prefix = True
        if sign:
            e.start = min(e.start, m.start("sign"))
    elif numstart > 0 and (text[before - 1].isalpha() if before > 0 else False):
        return None  # "iPhone11", "M21", "A380"
    elif before > 0 and text[before - 1] in "$£€¥":
        return None
    if before > 0 and (
        text[before - 1] in "/^±"
        or (text[before - 1] == "+" and text[before - 2 : before - 1].isalnum())
    ):
        return None  # a fraction's or date's tail, an exponent, "J1149.5+6663"
    frac = _FRACTION.match(text, m.end())
    if frac:
        den = int(frac.group("d"))
        if not e.integer or frac.group("more") or not 0 < (e.value or 0) < den <= 16:
            return None  # "10/23/2024", "24/7", "9/11", "1/0": not a fraction of anything
        e.value = (e.value or 0) / den
        e.end = e.num_end = frac.end("d")
        e.integer = False
        e.fraction = True
        _read_unit(text, e)
        return e
    nxt = text[m.end() : m.end() + 1]
    if nxt.isalpha() and not _glued_ok(text, m.end()):
        return None  # "1e999", "3rd", "24th", "5x", "1990s"
    sci = _SCI.match(text, e.end)
    if sci and e.value is not None:
        try:
            e.value = finite(e.value * 10.0 ** int(sci.group("exp").replace("−", "-")))
        except OverflowError:
            return None
        e.end = e.num_end = sci.end()
    else:
        _read_scale(text, e)
    if e.value is None:
        return None
    _read_unit(text, e)
    return e


def _glued_ok(text: str, pos: int) -> bool:
    if _SCALE_ABBR.match(text, pos) or unit_after(text, pos):
        return True
    if _PENCE.match(text, pos) or _DEGREES.match(text, pos):
        return True
    return text[pos : pos + 1] == "G" and not text[pos + 1 : pos + 2].isalnum()


def _lex_words(text: str, m: re.Match[str]) -> _Expr | None:
    raw = m.group()
    value = parse_words(raw)
    if value is None:
        return None
    words = re.split(r"[ \-]+", raw.lower())
    if len(words) == 1 and (words[0] in SCALES or words[0] in ("dozen", "half")):
        return None  # a lone "hundred" or "million" without a count
    if words == ["one"]:
        prev = re.search(r"(\w+)\W*$", text[max(0, m.start() - 20) : m.start()])
        nxt = re.match(r"\W*(\w+)", text[m.end() : m.end() + 20])
        if (prev and prev.group(1).lower() in _NOT_ONE_BEFORE) or (
            nxt and nxt.group(1).lower() in _NOT_ONE_AFTER
        ):
            return None
    if _HYPHEN_TIME.match(text, m.end()):
        return None  # "a five-year award", "a two-month contract": a description, not a claim
    e = _Expr(start=m.start(), end=m.end(), num_end=m.end(), value=value, words=True)
    e.integer = float(value).is_integer()
    last = words[-1]
    if last in SCALES and len(words) > 1:
        e.scale = SCALES[last]
        e.raw = value / e.scale
    _read_unit(text, e)
    return e


def _lex_vague(text: str, m: re.Match[str]) -> _Expr:
    base = VAGUE[m.group("base").lower()]
    mult = {"tens": 10.0, "hundreds": 100.0, "dozens": 12.0}.get((m.group("mult") or "").lower())
    low = base * (mult or 1.0)
    e = _Expr(start=m.start(), end=m.end(), num_end=m.end(), value=None, low=low, high=low * 10)
    e.vague = m.group().lower()
    of_unit = re.match(r" of ((?:US |Australian |Canadian )?\w+)", text[m.end() : m.end() + 30])
    if of_unit:
        found = unit_after(" " + of_unit.group(1), 0)
        if found and found[0] in CURRENCIES | TIME_UNITS | {"t", "km", "mi", "l", "bbl", "kg"}:
            e.unit = found[0]
            e.unit_text = of_unit.group(1)
            e.end = m.end() + of_unit.end()
    return e


def _join_ranges(text: str, exprs: list[_Expr]) -> list[_Expr]:
    out: list[_Expr] = []
    i = 0
    while i < len(exprs):
        a = exprs[i]
        if i + 1 < len(exprs) and a.vague is None:
            b = exprs[i + 1]
            if b.fraction and a.integer and a.unit is None and text[a.end : b.start] == " ":
                # "2 1/2 in": a mixed number
                out.append(replace(b, start=a.start, value=(a.value or 0) + (b.value or 0)))
                i += 2
                continue

            sep = _RANGE_SEP.fullmatch(text, a.end, b.start) or _RANGE_SEP.fullmatch(
                text, a.num_end, b.start
            )
            if sep and b.vague is None and a.value is not None and b.value is not None:
                word = text[a.end : b.start].strip().lower()
                between = re.search(r"(?i)\bbetween\s+$", text[max(0, a.start - 9) : a.start])
                joined = _range(text, a, b, word, bool(between))
                if joined is not None:
                    out.append(joined)
                    i += 2
                    continue
                if word in ("-", "–") and _is_score(a, b):
                    i += 2
                    continue
        out.append(a)
        i += 1
    return out


def _is_score(a: _Expr, b: _Expr) -> bool:
    return a.integer and b.integer and a.unit is None and b.unit is None


def _year_like(e: _Expr) -> bool:
    return e.integer and len(e.digits) == 4 and e.unit is None and 1000 <= (e.value or 0) <= 2100


def _range(text: str, a: _Expr, b: _Expr, word: str, between: bool) -> _Expr | None:
    if word == "and" and not between:
        return None
    if _year_like(a) != _year_like(b) and len(a.digits) != len(b.digits):
        return None  # "from 20 mpg in 2008 to 29 mpg": a year is not a range end
    assert a.value is not None and b.value is not None
    if word == "out of":
        # "one out of three Germans": a proportion
        if not (a.integer and b.integer and 0 < a.value <= b.value):
            return None
        value = a.value / b.value
        return replace(b, start=a.start, value=value, low=value, high=value, integer=False)
    if a.unit and b.unit and a.unit != b.unit and not b.unit.startswith(a.unit + "/"):
        return None
    if a.unit and not b.unit and a.end != a.num_end and not b.integer:
        return None
    lo, hi = a.value, b.value
    if word in ("-", "–", "—") and _is_score(a, b) and lo >= hi:
        return None  # "3-2", "89-89": a score, not a range
    if a.scale is None and b.scale is not None and b.raw is not None and a.value <= b.raw:
        lo = a.value * b.scale  # "$89 to $93 billion", "four to five thousand"
    unit = b.unit or a.unit
    e = replace(b, start=a.start, value=None, low=min(lo, hi), high=max(lo, hi), unit=unit)
    e.unit_text = b.unit_text or a.unit_text
    if between:
        lead = re.search(r"(?i)between\s+$", text[max(0, a.start - 12) : a.start])
        if lead:
            e.start = a.start - len(lead.group())
    e.integer = False
    return e


def _lex(text: str) -> list[_Expr]:
    """Every candidate number in one paragraph, in order, with glued parts read."""
    blocked: list[tuple[int, int]] = [(m.start(), m.end()) for m in _URL.finditer(text)]
    for m in _PHONE.finditer(text):
        if _phone_like(m.group()):
            blocked.append((m.start(), m.end()))
    found: list[_Expr] = []
    for m in _DIGITS.finditer(text):
        if found and m.start() < found[-1].end:
            continue  # already read as part of the previous number ("1.99×10−30")
        e = _lex_digits(text, m)
        if e is not None:
            found.append(e)
    blocked = _merged(blocked)
    taken = _merged([(e.start, e.end) for e in found])
    for m in _VAGUE.finditer(text):
        if not _overlaps(m.start(), m.end(), taken):
            found.append(_lex_vague(text, m))
    taken = _merged([(e.start, e.end) for e in found])
    for m in _WORDS.finditer(text):
        if not _overlaps(m.start(), m.end(), taken):
            w = _lex_words(text, m)
            if w is not None:
                found.append(w)
    found.sort(key=lambda e: e.start)
    found = [e for e in found if not _overlaps(e.start, e.end, blocked)]
    return _join_ranges(text, found)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``[start, end)`` meets any of ``spans`` (sorted, disjoint); a binary search, so
    a paragraph of thousands of numbers stays linear-logarithmic."""
    k = bisect_right(spans, (start, sys.maxsize)) - 1
    if k >= 0 and spans[k][1] > start:
        return True
    return k + 1 < len(spans) and spans[k + 1][0] < end


def _phone_like(s: str) -> bool:
    groups = re.split(r"[ .\-()]+", s.strip("+() "))
    if s.startswith(("+", "(")):
        return len(re.sub(r"\D", "", s)) >= 7
    if len(groups) >= 3 and "." not in s:
        return any(len(g) != 3 for g in groups[1:]) or "-" in s
    return len(groups) >= 2 and groups[0].startswith("0") and len(groups[0]) > 1 and "." not in s


# --------------------------------------------------------------------------- parse-based reading


def _tokens(doc: Doc, start: int, end: int) -> Span | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span if span is not None and len(span) else None


def _root(span: Span) -> Token:
    inside = {t.i for t in span}
    roots = [t for t in span if t.head.i not in inside or t.head.i == t.i]
    return roots[-1] if roots else span[-1]


def _skip(text: str, e: _Expr, doc: Doc, span: Span | None, hedged: bool) -> bool:
    """True for a number that is not a quantity claim: date, year, time, age, name, list no."""
    before = text[max(0, e.start - 16) : e.start]
    after = text[e.end : e.end + 16]
    if _TIME_AFTER.match(after) or re.search(r"\d[:.]$", before):
        return True
    if _AGE_BEFORE.search(before) or _LISTNUM.search(before):
        return True
    if before.endswith("[") and after.startswith("]"):
        return True  # a footnote mark
    # "1) Tiny homes…", "(2) the fee", and "3. Blue Moving" at the head of a paragraph
    head_of_paragraph = e.start < 8 and not text[: e.start].strip(" \t•·-*")
    if (
        e.unit is None
        and e.integer
        and e.digits
        and _LIST_MARK.match(after)
        and (after.startswith(")") or head_of_paragraph)
    ):
        return True
    if e.unit is None and _ADDRESS.match(text, e.end):
        return True  # "49 Zorro Ranch Road", "16-18 Industrial Avenue"
    plain = e.unit is None and e.vague is None
    day = plain and e.value is not None and e.integer and 1 <= e.value <= 31 and e.digits
    if day and (_MONTH_BEFORE.search(before) or _MONTH_AFTER.match(after)):
        return True
    if plain and e.digits and e.integer and len(e.digits) == 4 and e.value is not None:
        if 1000 <= e.value <= 2100 and not hedged and not _counts_plural(span):
            return True
        if not hedged and (_MONTH_BEFORE.search(before) or _YEAR_BEFORE.search(before)):
            return True
    if (
        plain
        and e.value is None
        and e.low is not None
        and e.high is not None
        and len(e.digits) == 4
        and 1000 <= e.low <= e.high <= 2100
    ):
        return True  # "between A.D. 1000 and 1260", "from 1990 to 2000"
    if span is None or not plain:
        return False
    if (e.words or (e.integer and e.digits.isdigit())) and any(
        t.ent_type_ in _SKIP_ENTS for t in span
    ):
        return True  # a bare integer inside a name; "3,005.47" is a value even if NER says not
    first = span[0]
    nxt_i = span[-1].i + 1
    if e.digits and e.integer and "," not in e.digits and nxt_i < len(doc):
        follower = doc[nxt_i]
        if (
            follower.tag_ == "NNP"
            and follower.text[:1].isupper()
            and follower.ent_type_ not in ("NORP", "GPE")
        ):
            return True  # "787 Dreamliner", "737 Max jets", "2020 Escape": a model name
    if first.i > 0 and not hedged:
        prev = doc[first.i - 1]
        named = (prev.pos_ == "PROPN" and prev.tag_ == "NNP") or (
            prev.text[:1].isupper() and prev.is_alpha and not prev.is_sent_start
        )
        if named and prev.lower_ not in ("about", "some", "around", "over", "nearly", "almost"):
            return True  # "Game 6", "iPhone 11", "Stoxx 600", "Lang 20"
        if prev.text == "," and first.i > 1 and doc[first.i - 2].pos_ in ("PROPN", "NOUN"):
            nxt = doc[span[-1].i + 1] if span[-1].i + 1 < len(doc) else None
            if nxt is not None and nxt.text == ",":
                return True  # "Senard, 65, now faces …": an age in apposition
    return False


def _counts_plural(span: Span | None) -> bool:
    if span is None:
        return False
    root = _root(span)
    head = root.head
    between = span.doc[span[-1].i + 1 : head.i]
    first = span[0].i
    if len(between) and first > 0 and span.doc[first - 1].dep_ in ("det", "poss"):
        return False  # "the 1986 consultation regulations": a year describing the noun
    return (
        root.dep_ in ("nummod", "quantmod", "compound")
        and head.i > root.i
        and all(t.dep_ in ("amod", "compound") for t in between)
        and head.tag_ in ("NNS", "NNPS")
        and head.lemma_.lower() not in ("year", "month", "day", "week", "decade", "century")
    )


def _noun_phrase(doc: Doc, head: Token, floor: int) -> str:
    first = head.i
    i = head.i - 1
    while i > floor:
        t = doc[i]
        if t.dep_ not in ("compound", "amod", "nmod") or t.pos_ not in ("NOUN", "PROPN", "ADJ"):
            break
        if (i > 0 and doc[i - 1].text == "-") or doc[i + 1].text == "-":
            break  # "ready-to-fire": a hyphenated modifier is description, not the noun
        first = i
        i -= 1
    return str(doc[first : head.i + 1].text)


def _noun(doc: Doc, span: Span, e: _Expr) -> str | None:
    root = _root(span)
    last = span[-1].i
    head: Token | None = None
    if root.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod", "appos") and (
        root.head.i > last and root.head.pos_ in ("NOUN", "PROPN")
    ):
        head = root.head
    elif last + 1 < len(doc) and doc[last + 1].pos_ in ("NOUN", "ADJ") and e.vague is None:
        j = last + 1
        while j + 1 < len(doc) and doc[j + 1].pos_ in ("NOUN", "ADJ", "PROPN") and j < last + 4:
            j += 1
        if doc[j].pos_ == "NOUN":
            head = doc[j]
    if head is None:
        for child in root.children:
            if child.dep_ == "prep" and child.lower_ == "of" and child.i > last:
                objs = [c for c in child.children if c.dep_ == "pobj" and c.pos_ == "NOUN"]
                if objs:
                    return _noun_phrase(doc, objs[0], child.i)
    if head is None and root.dep_ == "pobj" and root.head.lower_ == "in":
        verb = root.head.head
        if verb.lemma_ == "be":
            subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subj and subj[0].pos_ == "NOUN":
                return _noun_phrase(doc, subj[0], max(0, subj[0].left_edge.i - 1))
    if head is None:
        return None
    return _noun_phrase(doc, head, last)


def _governor(span: Span) -> tuple[Token | None, str, int]:
    """The verb a quantity hangs from, how ("dobj", "prep:to", "conj"…), and the index of the
    token standing for the quantity in the parse."""
    node = _root(span)
    for _ in range(2):
        if node.dep_ in ("nummod", "quantmod", "compound") and node.head.i != node.i:
            node = node.head
    rel = node.dep_
    gov = node.head
    if rel == "conj":
        return gov, "conj", node.i
    if rel == "pobj" and gov.pos_ == "ADP":
        rel = "prep:" + gov.lower_
        gov = gov.head
    if gov.pos_ in ("VERB", "AUX") and gov.lemma_.lower() in _UP | _DOWN:
        return gov, rel, node.i
    return None, rel, node.i


def _direction(word: Token) -> str:
    lemma = word.lemma_.lower()
    return "up" if lemma in _UP else "down"


# --------------------------------------------------------------------------- assembly


def _candidates(text: str, doc: Doc) -> list[tuple[_Expr, Span | None, str | None]]:
    """The paragraph's numbers that are quantities, each with its tokens and its hedge; the
    expression's start is moved back over the hedge."""
    out = []
    for e in _lex(text):
        hm = _HEDGE.search(text, max(0, e.start - 24), e.start)
        hedge = (hm.group("h") or hm.group("t")) if hm else None
        span = _tokens(doc, e.start, e.num_end)
        if _skip(text, e, doc, span, hedge is not None):
            continue
        if hm:
            e.start = hm.start()
        out.append((e, span, hedge))
    return out


def _directions(doc: Doc, found: list[tuple[_Expr, Span | None, str | None]]) -> dict[int, str]:
    """``up``/``down`` for the quantities a verb of rising or falling governs, by position."""
    govs: list[tuple[Token | None, str, int]] = []
    for e, span, _ in found:
        whole = _tokens(doc, e.start, e.end) or span
        govs.append(_governor(whole) if whole is not None else (None, "", -1))
    node_of = {node: k for k, (_, _, node) in enumerate(govs) if node >= 0}
    direct = {g.i for g, rel, _ in govs if g is not None and not rel.startswith("prep:")}
    directions: dict[int, str] = {}
    for k, (gov, rel, _) in enumerate(govs):
        if gov is None:
            continue
        if rel == "conj":
            # "grew by 125,600 positions or 2.2 per cent": the conjunct shares the direction
            first = node_of.get(gov.i)
            if first is not None and first in directions:
                directions[k] = directions[first]
            continue
        # "climbed to 6.7% from 6.29%": the "to" amount is the change only when the verb has
        # no direct amount ("rose 6.5% to 164p"), and the "from" amount never is
        if rel == "prep:from" or (rel == "prep:to" and gov.i in direct):
            continue
        if rel in ("dobj", "npadvmod", "advmod", "attr", "prep:by", "prep:to", "obj", "acomp"):
            directions[k] = _direction(gov)
    return directions


def _paragraph(block: Block) -> list[Quantity]:
    """The quantities of one parsed paragraph, offsets in the full text."""
    doc = block.doc
    text = str(doc.text)
    if _FURNITURE.match(text) and not re.search(r"[.!?\"”]\s*$", text):
        return []  # "- ·US adds 2 more Chinese companies": a link list, not article text
    found = _candidates(text, doc)
    directions = _directions(doc, found)
    out: list[Quantity] = []
    for k, (e, span, hedge) in enumerate(found):
        change = "="
        value = e.value
        if hedge:
            change = _HEDGE_CHANGE.get(hedge.lower(), "~")
        elif e.sign == "+":
            change = "up"
        elif e.sign in ("-", "\u2212") and e.unit in (None, "%", "pp", "bp", "pt"):
            change = "down"  # "FTSE -0.6%"; but "-18 °C" is a level, not a fall
        else:
            ud = _UPDOWN.search(text, max(0, e.start - 8), e.start)
            if ud and ud.group("d").lower() == "minus":
                value = -value if value is not None else None
                e.start = ud.start()
            elif ud:
                change = "up" if ud.group("d").lower() == "up" else "down"
            elif k in directions:
                change = directions[k]
        noun = None
        if span is not None and (e.unit is None or (e.unit in CURRENCIES and e.vague)):
            noun = _noun(doc, span, e)
        if noun is not None and (len(noun) < 2 or not any(c.islower() for c in noun)):
            noun = None  # "2.5 F", "18 R": a letter is a unit nobody listed, not a noun
        if e.words and e.unit is None and noun is None:
            if e.value == 1:
                continue  # "get their hands on one": a pronoun, not a count
            if re.search(r"\bor\s+$", text[max(0, e.start - 4) : e.start]):
                continue  # "a minute or two": an idiom, not a count
        out.append(
            Quantity(
                value=value,
                low=e.low if e.low is not None else value,
                high=e.high if e.high is not None else value,
                vague=e.vague,
                approx=hedge,
                change=change,
                unit=e.unit,
                unit_text=e.unit_text,
                noun=noun,
                start=block.start + e.start,
                end=block.start + e.end,
                text=text[e.start : e.end],
            )
        )
    return out


def find_quantities(blocks: Sequence[Block]) -> list[Quantity]:
    """Every quantity in the parsed paragraphs, in text order, offsets in the full text."""
    out: list[Quantity] = []
    for block in blocks:
        out.extend(_paragraph(block))
    return out


def quantities_in(text: str) -> list[Quantity]:
    """Parse ``text`` (one paragraph per line) and give its quantities."""
    return find_quantities(nlp.parse(text))
