"""An article's text drawn with what was read in it: entity mentions (linked to the entity's
page), quotes with their speaker, numeric claims, and one highlighted range (a claim's
sentence, when the reader followed a claim here).

All text is escaped; the only markup is what this module writes. Spans overlap freely (a quote
holds names and numbers), so the text is cut at every span boundary and each piece is wrapped in
the spans active over it: the HTML stays well nested whatever the overlaps.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from crosswire.records import Reading


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str
    """``hl``, ``quote``, ``claim`` or ``ent``: outermost first when nested."""
    css: str
    anchor: str | None = None
    """``id`` given to the span's first piece, so a link can point at it."""
    title: str | None = None
    href: str | None = None


_ORDER = {"hl": 0, "quote": 1, "claim": 2, "ent": 3}


def spans_of(
    reading: Reading | None,
    corpus_ids: Mapping[str, str],
    names: Mapping[str, str],
    highlight: tuple[int, int] | None = None,
) -> list[Span]:
    """The spans to draw for one article's ``reading`` (``corpus_ids``: its entity ids → corpus
    ids, for links; ``names``: its entity ids → names, for quote titles)."""
    spans: list[Span] = []
    if highlight is not None:
        spans.append(Span(highlight[0], highlight[1], "hl", "hl", anchor="hl"))
    if reading is None:
        return spans
    for e in reading.entities:
        cid = corpus_ids.get(e.id)
        for m in e.mentions:
            spans.append(
                Span(
                    m.start,
                    m.end,
                    "ent",
                    f"ent ent-{e.type.lower()}",
                    title=f"{e.name} ({e.type})",
                    href=f"/entity/{cid}" if cid else None,
                )
            )
    for i, q in enumerate(reading.quotes):
        who = names.get(q.speaker or "") or q.speaker_name or "unattributed"
        spans.append(
            Span(q.start, q.end, "quote", f"quote quote-{q.kind}", anchor=f"quote-{i}", title=who)
        )
    for i, c in enumerate(reading.claims):
        what = " ".join(x for x in (c.measure, c.aspect) if x)
        spans.append(Span(c.start, c.end, "claim", "claim", anchor=f"claim-{i}", title=what))
    return spans


def annotate(text: str, spans: Sequence[Span]) -> Markup:
    """``text`` escaped, with ``spans`` drawn on it (out-of-range spans are clipped).

    A highlighted range (kind ``hl``) is one element, so that ``#hl`` holds all of it; the
    other spans are cut at its edges."""
    hl = next((s for s in spans if s.kind == "hl"), None)
    rest = [s for s in spans if s.kind != "hl"]
    if hl is None:
        return Markup(_draw(text, 0, len(text), rest))  # noqa: S704 - escaped in _draw
    n = len(text)
    a = max(0, min(hl.start, n))
    b = max(a, min(hl.end, n))  # an inverted range is empty: else text[b:a] is drawn twice
    anchor = f' id="{escape(hl.anchor)}"' if hl.anchor else ""
    middle = f'<span class="{escape(hl.css)}"{anchor}>{_draw(text, a, b, rest)}</span>'
    drawn = _draw(text, 0, a, rest) + middle + _draw(text, b, n, rest)
    return Markup(drawn)  # noqa: S704 - escaped in _draw


def _draw(text: str, lo: int, hi: int, spans: Sequence[Span]) -> str:
    """``text[lo:hi]`` escaped, with the parts of ``spans`` inside it drawn."""
    # A span cut at ``lo`` began before it: its anchor was given there already.
    clean = [
        Span(
            max(lo, s.start),
            min(hi, s.end),
            s.kind,
            s.css,
            s.anchor if s.start >= lo else None,
            s.title,
            s.href,
        )
        for s in spans
        if s.end > s.start and s.start < hi and s.end > lo
    ]
    cuts = sorted({lo, hi, *(s.start for s in clean), *(s.end for s in clean)})
    starts: dict[int, list[Span]] = {}
    for s in clean:
        starts.setdefault(s.start, []).append(s)
    active: list[Span] = []
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        active = [s for s in active if s.end > a] + starts.get(a, [])
        active.sort(key=lambda s: (_ORDER[s.kind], s.start, -s.end))
        piece = str(escape(text[a:b]))
        for s in reversed(active):
            piece = _wrap(s, piece, first=s.start == a)
        out.append(piece)
    return "".join(out)


def _wrap(s: Span, inner: str, *, first: bool) -> str:
    attrs = [f'class="{escape(s.css)}"']
    if first and s.anchor:
        attrs.append(f'id="{escape(s.anchor)}"')
    if s.title:
        attrs.append(f'title="{escape(s.title)}"')
    tag = "span"
    if s.href:
        tag = "a"
        attrs.append(f'href="{escape(s.href)}"')
    return f"<{tag} {' '.join(attrs)}>{inner}</{tag}>"


def mark_snippet(snippet: str, start: str, end: str) -> Markup:
    """A search snippet escaped, its matches (between ``start`` and ``end``) in ``<mark>``."""
    escaped = str(escape(snippet))
    # The markers are private-use characters a page may hold too: only a start closed by an end
    # is a match, and strays are dropped, so the <mark>s always balance.
    s, e = re.escape(start), re.escape(end)
    paired = re.sub(f"{s}((?:(?!{s}|{e}).)*){e}", r"<mark>\1</mark>", escaped, flags=re.S)
    marked = paired.replace(start, "").replace(end, "")
    return Markup(marked)  # noqa: S704 - escaped first; only <mark> added
