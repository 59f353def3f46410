"""Quoted stretches of a paragraph, in every common quote-mark style.

Handles straight double quotes, curly “…”, guillemets «…» and »…«, German/Polish „…“ and „…”,
Swedish ”…”, single curly ‘…’ and ‚…‘, straight single '…', and CJK 「…」『…』. A single quote
or apostrophe only opens or closes where it cannot be an apostrophe (not between two letters:
"don't", "Russia's"). A quotation left open at the end of a paragraph runs to the paragraph's end:
news style reopens a quotation that continues in the next paragraph without closing the first.
"""

from __future__ import annotations

from dataclasses import dataclass

_CLOSERS: dict[str, tuple[str, ...]] = {
    '"': ('"',),
    "“": ("”", "“"),
    "„": ("“", "”"),
    "«": ("»",),
    "»": ("«",),
    "”": ("”",),
    "‘": ("’",),
    "‚": ("‘", "’"),
    "'": ("'",),
    "「": ("」",),
    "『": ("』",),
}
_SINGLE = frozenset("'‘’‚")
_OPEN_BEFORE = frozenset(" \t\n([{—–-/:;,") | frozenset(_CLOSERS)


@dataclass(frozen=True, slots=True)
class Quoted:
    """A quoted stretch: ``start``/``end`` include the marks (``end`` past the closing mark, or the
    paragraph end when the quotation is left open); offsets are relative to the paragraph."""

    start: int
    end: int
    closed: bool

    @property
    def inner(self) -> tuple[int, int]:
        return self.start + 1, self.end - 1 if self.closed else self.end


_UNAMBIGUOUS = frozenset("「『」』")


def _can_open(text: str, i: int) -> bool:
    ch = text[i]
    if ch in _UNAMBIGUOUS:
        return True  # CJK corner brackets are quotation marks and nothing else
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace():
        return ch == "«"  # French sets guillemets off with spaces: « Nous savons »
    if ch in _SINGLE:
        return before in _OPEN_BEFORE and (after.isalnum() or after in '…"“')
    return before in _OPEN_BEFORE or not before.isalnum()


def _can_close(text: str, i: int) -> bool:
    if text[i] in _UNAMBIGUOUS:
        return True
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isspace():
        return text[i] == "»"
    if text[i] in _SINGLE:
        # "Russia's", "don't", "the '90s": an apostrophe between letters or before a digit.
        return not (before.isalnum() and after.isalnum())
    return not after.isalnum() or after.isupper()


def find_quoted(text: str, *, min_chars: int = 2) -> list[Quoted]:
    """The top-level quoted stretches of ``text``; quotes nested inside them are not listed."""
    found: list[Quoted] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _CLOSERS and _can_open(text, i):
            closers = _CLOSERS[ch]
            j = i + 1
            while j < n and not (text[j] in closers and _can_close(text, j)):
                j += 1
            if j < n:
                if j - i - 1 >= min_chars:
                    found.append(Quoted(i, j + 1, closed=True))
                i = j + 1
                continue
            if ch not in _SINGLE and n - i - 1 >= min_chars:
                found.append(Quoted(i, n, closed=False))
                break
        i += 1
    return found
