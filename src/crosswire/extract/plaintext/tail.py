"""Where a copied article ends and the copying site's footer begins, and what each footer line is.

A copy's footer starts at an end-of-article marker: a provenance line, a next/previous-article link,
a copyright line, a tag list… (see :data:`.chrome.END_STRONG`). A strong marker
ends the article when the article is the bigger part of the page (a marker near the top is a note,
not an end) and at most a few prose lines (teasers) follow it; a weak one ("Source: Reuters",
"Read more:") only when no prose follows it. The first marker that qualifies wins, and everything
after it is footer.

Related-headline lists get a reason per line: such lists are printed cut to a fixed width
("Live updates: Donald Trum"), so their lengths pile up just under the cut, and sites print the
same list twice with different cuts — a title that is a prefix of an earlier one is a repeat.
"""

from __future__ import annotations

from collections.abc import Sequence

from crosswire.extract.plaintext.chrome import (
    END_STRONG,
    END_WEAK,
    Chrome,
    bullet_style,
    strip_bullet,
)
from crosswire.extract.plaintext.lineshape import ends_sentence, is_prose

__all__ = ["find_tail", "headline_reasons", "trailing_headlines"]

_MIN_RUN = 4
# Teasers of other stories after a "next article" link; more prose than this is the story going on.
_MAX_PROSE_AFTER = 3
# Items cut to a width end within a character of it (a trailing space or apostrophe is dropped).
_CUT_SLACK = 1
_PREFIX_KEY = 10
# Markers after which bare short lines are other stories' headlines.
_LINKING = frozenset({"related", "nav"})


def _content_prose(text: str, chrome: Chrome | None, item: bool) -> bool:
    return chrome is None and not item and is_prose(text)


def find_tail(
    texts: Sequence[str], chrome: Sequence[Chrome | None], items: Sequence[bool], *, start: int
) -> int | None:
    """Index of the first footer line at or after ``start``, or ``None`` when there is no marker."""
    n = len(texts)
    chars_after = [0] * (n + 1)
    lines_after = [0] * (n + 1)
    for i in range(n - 1, start - 1, -1):
        prose = _content_prose(texts[i], chrome[i], items[i])
        chars_after[i] = chars_after[i + 1] + (len(texts[i]) if prose else 0)
        lines_after[i] = lines_after[i + 1] + (1 if prose else 0)
    total = chars_after[start] if start < n else 0
    for i in range(start, n):
        c = chrome[i]
        if c is None:
            continue
        before = total - chars_after[i]
        if before == 0:
            continue
        strong = c.kind in END_STRONG and not c.weak
        if strong and before >= chars_after[i + 1] and lines_after[i + 1] <= _MAX_PROSE_AFTER:
            return _back_over_chrome(chrome, i, start)
        if (c.kind in END_WEAK or c.kind in END_STRONG) and lines_after[i + 1] == 0:
            return _back_over_chrome(chrome, i, start)
    return None


def _back_over_chrome(chrome: Sequence[Chrome | None], i: int, start: int) -> int:
    # "Share this article" just above "Source: …" belongs to the footer too.
    while i - 1 >= start and chrome[i - 1] is not None:
        i -= 1
    return i


def _truncated_runs(heads: list[str], styles: list[str]) -> list[bool]:
    """Per line, whether its run of same-style list lines is cut to a fixed width."""
    truncated = [h.endswith(("…", "...")) for h in heads]
    i = 0
    while i < len(heads):
        j = i
        while j < len(heads) and styles[j] == styles[i]:
            j += 1
        run = heads[i:j]
        lengths = [len(h) for h in run]
        if len(run) >= _MIN_RUN:
            cut = max(lengths)
            near_cut = sum(length >= cut - _CUT_SLACK for length in lengths)
            sentences = sum(ends_sentence(h) for h in run)
            if cut >= 12 and near_cut * 2 >= len(run) and sentences * 2 < len(run):
                truncated[i:j] = [True] * len(run)
        i = j
    return truncated


def headline_reasons(lines: Sequence[str], *, after: str | None = "related") -> list[str]:
    """A removal reason for each line of a run of related headlines (or other footer lines).

    ``after`` is the kind of the chrome line the run follows (``None``: nothing but the run): a
    bare line after a "Related" header or a next-article link is a headline, after a copyright or
    share line it is just footer text.
    """
    heads = [strip_bullet(t) for t in lines]
    styles = [bullet_style(t) for t in lines]
    truncated = _truncated_runs(heads, styles)
    seen: dict[str, list[str]] = {}
    reasons: list[str] = []
    for k, head in enumerate(heads):
        key = head.casefold().rstrip(" .…")
        bucket = seen.setdefault(key[:_PREFIX_KEY], [])
        repeated = len(key) >= _PREFIX_KEY and any(
            key.startswith(old) or old.startswith(key) for old in bucket
        )
        bucket.append(key)
        if repeated:
            reasons.append("related headline (repeated)")
        elif truncated[k]:
            reasons.append("related headline (truncated)")
        elif styles[k] or (after in _LINKING and not is_prose(head)):
            reasons.append("related headline")
        elif after == "related":
            reasons.append("related article teaser")
        else:
            reasons.append(f"footer text after the {after} line" if after else "footer text")
    return reasons


def trailing_headlines(
    texts: Sequence[str], chrome: Sequence[Chrome | None], items: Sequence[bool], *, start: int
) -> int | None:
    """Start of a related-headline list that ends the page without any marker above it.

    Only a list that shows the fixed-width cut qualifies: a list at the end of an article's body
    ("- Improved battery life") must not be taken for the site's links.
    """
    end = len(texts)
    while end > start and chrome[end - 1] is not None:
        end -= 1
    first = end
    while first > start and items[first - 1]:
        first -= 1
    if end - first < 4:
        return None
    run = [strip_bullet(t) for t in texts[first:end]]
    styles = [bullet_style(t) for t in texts[first:end]]
    if sum(_truncated_runs(run, styles)) * 2 >= len(run):
        return first
    return None
