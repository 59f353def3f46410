"""Time expressions normalised against the article's publication date.

"On Monday" in an article of Wednesday 2024-10-23 is 2024-10-21; "last week" is ISO week
2024-W42 (2024-10-14 to 2024-10-20); "by November" is the coming November, 2024-11; "In June" is
2024-06; "two-and-a-half years" is a duration, P2.5Y. Each value keeps its precision (a month
stays ``2024-06``), as follow-the-money dates do.

Candidates are the parser's DATE entities (with the preposition before them, which decides the
direction: "by November" looks ahead) and numeric durations. Relative expressions are resolved
here rather than by dateparser: its ``PREFER_DATES_FROM`` setting is global to a call, so "by
November" and "in June" in one article cannot both come out right, and tense decides which way a
weekday points ("on Friday, she said" vs "will meet on Friday").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from crosswire.records import Grain, TimeExpression

if TYPE_CHECKING:
    from spacy.tokens import Span

    from crosswire.read.nlp import Block


_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_LEAD_PREPS = frozenset("on by in since until till before after during from through".split())
_FORWARD_PREPS = frozenset(("by", "until", "till", "before"))
_FUTURE_AUX = frozenset(("will", "shall", "'ll", "wo"))
_UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y", "decade": "Y", "hour": "H"}
_NUMBER_WORDS = {
    "a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0,
    "six": 6.0, "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0, "eleven": 11.0,
    "twelve": 12.0, "fifteen": 15.0, "twenty": 20.0, "thirty": 30.0, "forty": 40.0,
    "fifty": 50.0, "hundred": 100.0, "several": None, "few": None, "many": None,
}  # fmt: skip
_DURATION = re.compile(
    r"\b(?P<num>\d+(?:\.\d+)?|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|fifteen|twenty|thirty|forty|fifty|hundred)(?P<half>-and-a-half)?)"
    r"[\s-]+(?P<unit>day|week|month|year|decade|hour)s?\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_DECADE = re.compile(r"^(?:the\s+)?(1[89]\d0|20\d0)s$")
_AGO = re.compile(r"^(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                  r"(?P<unit>day|week|month|year)s?\s+ago$")  # fmt: skip


def _tense(ent: Span) -> Literal["past", "future"] | None:
    """The tense of the verb the expression hangs from, when the parse shows one."""
    head = ent.root.head
    while head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
        head = head.head
    auxes = [c for c in head.children if c.dep_ in ("aux", "auxpass")]
    if any(c.lower_ in _FUTURE_AUX for c in auxes) or (
        head.lower_ == "going" and any(c.lower_ == "to" for c in head.children)
    ):
        return "future"
    if head.tag_ == "VBD" or any(c.tag_ == "VBD" for c in auxes):
        return "past"
    return None


def _week(d: date) -> tuple[str, tuple[str, str]]:
    year, week, _ = d.isocalendar()
    monday = d - timedelta(days=d.weekday())
    return f"{year}-W{week:02d}", (monday.isoformat(), (monday + timedelta(days=6)).isoformat())


def _month(year: int, month: int) -> tuple[str, tuple[str, str]]:
    last = calendar.monthrange(year, month)[1]
    return f"{year}-{month:02d}", (f"{year}-{month:02d}-01", f"{year}-{month:02d}-{last:02d}")


def _shift_month(d: date, months: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + months
    return index // 12, index % 12 + 1


def _number(word: str) -> float | None:
    try:
        return float(word)
    except ValueError:
        return _NUMBER_WORDS.get(word.lower())


def _resolve(
    phrase: str, anchor: date, *, forward: bool
) -> tuple[str, Grain, tuple[str, str] | None] | None:
    words = phrase.lower().replace(",", " ").split()
    if not words:
        return None
    if words[0] == "the" and len(words) > 1:
        words = words[1:]
    text = " ".join(words)
    if text in ("today", "tonight", "this morning", "this afternoon", "this evening"):
        return anchor.isoformat(), "day", None
    if text in ("yesterday", "last night"):
        return (anchor - timedelta(days=1)).isoformat(), "day", None
    if text == "tomorrow":
        return (anchor + timedelta(days=1)).isoformat(), "day", None
    rel = words[0] if words[0] in ("last", "this", "next", "previous", "coming") else None
    rest = words[1:] if rel else words
    step = {"last": -1, "previous": -1, "this": 0, "next": 1, "coming": 1}.get(rel or "", 0)
    if len(rest) == 1 and rest[0] == "week" and rel:
        value, span = _week(anchor + timedelta(weeks=step))
        return value, "week", span
    if len(rest) == 1 and rest[0] == "month" and rel:
        y, m = _shift_month(anchor, step)
        value, span = _month(y, m)
        return value, "month", span
    if len(rest) == 1 and rest[0] == "year" and rel:
        y = anchor.year + step
        return str(y), "year", (f"{y}-01-01", f"{y}-12-31")
    if len(rest) == 1 and rest[0] in _WEEKDAYS:
        wd = _WEEKDAYS[rest[0]]
        delta = wd - anchor.weekday()
        if rel in ("next", "coming") or (rel is None and forward):
            delta = delta if delta > 0 else delta + 7
        elif rel in ("last", "previous"):
            delta = delta - 7 if delta >= 0 else delta
        else:
            delta = delta if delta <= 0 else delta - 7
        return (anchor + timedelta(days=delta)).isoformat(), "day", None
    if len(rest) == 1 and rest[0] in _MONTHS:
        m = _MONTHS[rest[0]]
        if rel in ("next", "coming") or (rel is None and forward):
            y = anchor.year if m >= anchor.month else anchor.year + 1
        elif rel in ("last", "previous"):
            y = anchor.year if m < anchor.month else anchor.year - 1
        else:
            y = anchor.year if m <= anchor.month else anchor.year - 1
        value, span = _month(y, m)
        return value, "month", span
    m_ago = _AGO.match(text)
    if m_ago:
        n = _number(m_ago["n"]) or 1.0
        unit = m_ago["unit"]
        if unit == "day":
            return (anchor - timedelta(days=int(n))).isoformat(), "day", None
        if unit == "week":
            value, span = _week(anchor - timedelta(weeks=int(n)))
            return value, "week", span
        if unit == "month":
            y, mo = _shift_month(anchor, -int(n))
            return f"{y}-{mo:02d}", "month", None
        return str(anchor.year - int(n)), "year", None
    if _YEAR.match(text):
        return text, "year", (f"{text}-01-01", f"{text}-12-31")
    decade = _DECADE.match(text)
    if decade:
        y = int(decade[1])
        return f"{y // 10}", "decade", (f"{y}-01-01", f"{y + 9}-12-31")
    return _absolute(words)


def _absolute(words: list[str]) -> tuple[str, Grain, tuple[str, str] | None] | None:
    """Dates written out in full: "23 October 2024", "October 23, 2024", "October 2024"."""
    month = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    year = next((int(w) for w in words if _YEAR.match(w)), None)
    day = next((int(w) for w in (re.sub(r"(st|nd|rd|th)$", "", w) for w in words)
                if w.isdigit() and 1 <= int(w) <= 31), None)  # fmt: skip
    if month is None or year is None:
        return None
    if day is not None and day <= calendar.monthrange(year, month)[1]:
        return date(year, month, day).isoformat(), "day", None
    value, span = _month(year, month)
    return value, "month", span


def _duration(m: re.Match[str]) -> tuple[str, Grain] | None:
    n = _number(m["num"].split("-")[0])
    if n is None:
        return None
    if m["half"]:
        n += 0.5
    unit = m["unit"].lower()
    if unit == "decade":
        n *= 10
    amount = f"{n:g}"
    return (f"PT{amount}H" if unit == "hour" else f"P{amount}{_UNITS[unit]}"), "duration"


def find_times(blocks: Sequence[Block], published: str | None) -> list[TimeExpression]:
    """Time expressions of the parsed text; without a publication date only absolute ones and
    durations get a value (relative ones keep ``value=None``)."""
    anchor: date | None = None
    if published:
        try:
            anchor = date.fromisoformat(published[:10])
        except ValueError:
            anchor = None
    found: list[TimeExpression] = []
    for block in blocks:
        doc = block.doc
        taken: list[tuple[int, int]] = []
        for ent in doc.ents:
            if ent.label_ != "DATE":
                continue
            start_tok = ent.start
            before = doc[ent.start - 1] if ent.start else None
            lead = before is not None and before.lower_ in _LEAD_PREPS
            if lead and before is not None:
                start_tok = before.i
            span = doc[start_tok : ent.end]
            # "by November" looks ahead, unless the verb is past ("By Tuesday, they had met").
            tense = _tense(ent)
            forward = tense == "future" or (
                tense is None and before is not None and before.lower_ in _FORWARD_PREPS
            )
            got: tuple[str, Grain, tuple[str, str] | None] | None
            duration = _DURATION.fullmatch(ent.text.strip())
            try:
                if duration:
                    dur = _duration(duration)
                    got = (dur[0], dur[1], None) if dur else None
                elif anchor is not None:
                    got = _resolve(ent.text, anchor, forward=forward)
                else:
                    got = _absolute(ent.text.lower().replace(",", " ").split())
            except (ValueError, OverflowError):
                # No calendar holds it ("999999999 days ago", a 5,000-digit day, "3² October"):
                # one odd expression must not cost the article its whole reading.
                got = None
            if got is None:
                continue
            s, e = block.offsets(span)
            taken.append((span.start_char, span.end_char))
            found.append(TimeExpression(span.text, s, e, *got))
        for m in _DURATION.finditer(doc.text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            dur = _duration(m)
            if dur is not None:
                s = block.start + m.start()
                found.append(TimeExpression(m.group(), s, s + len(m.group()), dur[0], dur[1]))
    found.sort(key=lambda t: t.start)
    return found
