"""Roles of the kept lines of a plain-text page: title, lead, label, summary, caption, heading…

* Section labels ("In short:", "Key points:", "L'essentiel :") are short lines ending in a colon in
  the first lines under the title; the lines before the first label are the lead (caption or
  standfirst). A label's summary runs to the next label; under the last label it is a bullet list,
  or one paragraph plus those that follow while the body repeats them further down.
* Without labels, the line right under the title is the lead only if it reads as a photo caption.
* Captions: explicit cues in any language, caption grammar for English (:mod:`.captions`).
* Headings: short lines that do not end like a sentence, between prose (or a list) and prose; a
  run of short lines is a list or a poem, not a heading each.
"""

from __future__ import annotations

import re

from crosswire.extract.plaintext.captions import explicit_caption, implicit_captions
from crosswire.extract.plaintext.dedup_paragraphs import Match
from crosswire.extract.plaintext.lineshape import is_headline_like, is_prose, size
from crosswire.extract.plaintext.textlines import Line
from crosswire.records import Role

__all__ = ["assign_roles"]

_LABEL_SCAN = 3
_LABEL_LOOKAHEAD = 8
_CAPTION_MAX = 45
_PRONOUN_START = re.compile(r"^(?:he|she|they|it|we|i|you|this|that|there)\b", re.IGNORECASE)
_LABEL_QUESTION = re.compile(
    r"^(?:what(?:'s|’s| is)? next|why (?:it|this) matters|what (?:happened|we know|now)|"
    r"what does (?:it|this) mean)\b",
    re.IGNORECASE,
)
# A quotation standing alone as a section heading: „Ich muss da raus“, 'He put me in a hole'.
_QUOTED_LINE = re.compile(r"^[\"'“‘«„»‹›「『].{2,}[\"'”’»«‹›」』“]$")
_SHORT_ROLES: frozenset[Role | None] = frozenset({"title", "heading", "label"})


def _is_label(content: list[Line], j: int) -> bool:
    u = content[j]
    text = u.text
    if u.item or u.role is not None or len(text) > 48 or not 1 <= size(text) <= 5:
        return False
    if not (text[0].isupper() or not text[0].isascii()):
        return False
    colon = text.endswith((":", "：")) and not text.endswith("::")
    if not colon and not (text.endswith(("?", "？")) and _LABEL_QUESTION.match(text)):
        return False
    nxt = content[j + 1] if j + 1 < len(content) else None
    return nxt is not None and not nxt.text.endswith((":", "："))


def assign_roles(
    content: list[Line], title: Line | None, matches: list[Match], *, english: bool
) -> None:
    """Give every line of ``content`` (the kept lines, in order) a role."""
    k = 0
    if title is not None and content and content[0] is title:
        title.role = "title"
        k = 1
    later = {m.first for m in matches if m.first_in_second >= 0.8}
    label_at = next(
        (j for j in range(k, min(k + _LABEL_SCAN, len(content))) if _is_label(content, j)), None
    )
    lead_slot = k if title is not None and label_at is None else -1
    if label_at is not None:
        for j in range(k, label_at):
            content[j].role = "lead"
        k = _summaries(content, label_at, later)
    texts = [u.text for u in content]
    eligible = [j >= k and u.role is None and not u.item for j, u in enumerate(content)]
    lead = [j == lead_slot for j in range(len(content))]
    grammar = (
        implicit_captions(texts, eligible=eligible, lead=lead, body_from=1 if title else 0)
        if english
        else [False] * len(texts)
    )
    for j in range(k, len(content)):
        u = content[j]
        if u.role is not None:
            continue
        if u.item:
            u.role = "body"
        elif (size(u.text) <= _CAPTION_MAX and explicit_caption(u.text)) or grammar[j]:
            u.role = "lead" if j == lead_slot else "caption"
    for j in range(k, len(content)):
        if content[j].role is None and _is_heading(content, j):
            content[j].role = "heading"
    for u in content:
        if u.role is None:
            u.role = "body"


def _summaries(content: list[Line], j: int, later: set[int]) -> int:
    """Mark label/summary blocks from the label at ``j``; return where the body starts."""
    n = len(content)
    while j < n and _is_label(content, j):
        content[j].role = "label"
        j += 1
        nxt = next(
            (m for m in range(j + 1, min(j + _LABEL_LOOKAHEAD, n)) if _is_label(content, m)), None
        )
        if nxt is not None:
            for m in range(j, nxt):
                content[m].role = "summary"
            j = nxt
            continue
        if j < n and content[j].item:
            while j < n and content[j].item:
                content[j].role = "summary"
                j += 1
        elif j < n:
            content[j].role = "summary"
            j += 1
            # A summary that restates the body runs on while its paragraphs recur further down.
            while j < n and j in later and not content[j].item and not _is_label(content, j):
                content[j].role = "summary"
                j += 1
        break
    return j


def _is_heading(content: list[Line], j: int) -> bool:
    u = content[j]
    text = u.text
    if u.item or j == 0 or j + 1 >= len(content):
        return False
    question = text.endswith(("?", "？")) and 3 <= size(text) <= 12
    if not (is_headline_like(text, max_size=12) or question):
        return False
    first = text[0]
    if first.islower() or _PRONOUN_START.match(text) or not any(ch.isalpha() for ch in text):
        return False
    if first in "\"'“‘«„»‹›「『" and not _QUOTED_LINE.match(text):
        return False
    prev, nxt = content[j - 1], content[j + 1]
    if prev.role in _SHORT_ROLES:
        return False
    prev_ok = prev.item or prev.role in ("caption", "summary", "lead") or is_prose(prev.text)
    next_ok = nxt.item or (is_prose(nxt.text) and size(nxt.text) > size(text))
    return prev_ok and next_ok
