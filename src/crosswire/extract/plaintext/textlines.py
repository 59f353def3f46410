"""A plain-text page as lines: split, stripped, and re-joined where the text was hard-wrapped.

Lines split on ``\n``, ``\r\n`` and ``\r`` only, so line numbers match what an editor shows
(``str.splitlines`` would also split on form feeds and U+2028). Text wrapped at a fixed width
(e-mail, ``fmt``, some archives) is re-joined into paragraphs, or every wrapped line would become a
paragraph and short ones headings.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from crosswire.extract.plaintext.chrome import Chrome, is_list_item
from crosswire.extract.plaintext.lineshape import ends_sentence
from crosswire.records import Role

__all__ = ["Line", "split_lines"]

_NEWLINE = re.compile(r"\r\n|\r|\n")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"


@dataclass(slots=True)
class Line:
    """One paragraph-to-be of a plain-text page: a line, or a re-joined hard-wrapped block."""

    text: str
    line: int
    """1-based line of the input where it starts."""
    raw: str
    """The stripped input text, before editor credits were cut out."""
    credits: list[tuple[str, str]] = field(default_factory=list)
    """Editor credits and end marks cut out of the line, with their reasons."""
    chrome: Chrome | None = None
    item: bool = False
    """A list item ("- …", "1. …")."""
    role: Role | None = None
    reason: str | None = None
    """Why the line was removed, once it is."""
    gap: bool = False
    """A blank line comes before this one."""


def _clean(line: str) -> str:
    return line.strip().strip(_INVISIBLE).strip()


def _hard_wrapped(lines: list[str]) -> tuple[bool, int]:
    """Whether the text is wrapped at a fixed width (and the width): most line breaks fall
    mid-sentence, before a lower-case word or after a line filled to the width."""
    nonempty = [line for line in lines if line]
    if len(nonempty) < 8:
        return False, 0
    lengths = sorted(len(line) for line in nonempty)
    width = lengths[int(len(lengths) * 0.9)]
    if not 30 <= width <= 100:
        return False, width
    pairs = continued = 0
    for a, b in itertools.pairwise(lines):
        if a and b and not is_list_item(b):
            pairs += 1
            if b[0].islower() or (len(a) >= 0.8 * width and not ends_sentence(a)):
                continued += 1
    return pairs >= 5 and continued * 2 >= pairs, width


def split_lines(text: str) -> list[Line]:
    """The non-empty lines of ``text``, stripped; hard-wrapped paragraphs joined back into one."""
    lines = [_clean(line) for line in _NEWLINE.split(text)]
    wrapped, width = _hard_wrapped(lines)
    units: list[Line] = []
    joinable = False
    gap = False
    for n, line in enumerate(lines, start=1):
        if not line:
            joinable = False
            gap = True
            continue
        if wrapped and joinable and units and (line[0].islower() or not is_list_item(line)):
            last = units[-1]
            glue = "" if _cjk_edge(last.text[-1], line[0]) else " "
            last.text = last.raw = last.text + glue + line
        else:
            units.append(Line(line, n, line, gap=gap))
        joinable = len(line) >= 0.6 * width
        gap = False
    return units


def _cjk_edge(a: str, b: str) -> bool:
    return "\u3000" <= a <= "\u9fff" and "\u3000" <= b <= "\u9fff"
