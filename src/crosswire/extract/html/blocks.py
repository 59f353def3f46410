"""One linear pass over a parsed page: its visible text blocks and what surrounds each of them.

trafilatura tells us what the article is; this scan tells us what the rest of the page was, so that
every dropped block can be listed with a reason (navigation, footer, related links …) and so that
kept paragraphs can be traced back to their markup (a caption, a standfirst, a byline).

A *block* is the text of one block-level element, not counting the text of block-level elements
nested inside it (those are blocks of their own). The pass is a single ``iterwalk`` over the tree,
linear in its size; script, style and other non-visible subtrees are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

__all__ = ["Block", "PageScan", "drop_invisible", "norm", "scan_page"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


BLOCK_TAGS = _words(
    "address article aside blockquote body button caption center dd details dialog div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main menu "
    "nav ol p pre section summary table tbody td tfoot th thead tr ul"
)
SKIP_TAGS = _words(
    "script style noscript template svg math head iframe object embed canvas select option "
    "textarea input audio video source picture map"
)

# Never visible text; every extractor drops them, but only after XPath passes over the whole tree:
# dropping them first makes those passes cheaper. JSON-LD scripts stay (metadata, forum detection),
# and so does <math> (trafilatura salvages formulas from it).
PRUNE_TAGS = _words("script style svg canvas iframe object embed")

# Context labels. "Strong" labels name page chrome: once inside such a container, everything is
# that chrome. "Weak" labels describe parts of an article (captions, bylines, standfirsts) and
# only apply when no strong container encloses them.
NAVIGATION = "navigation"
HEADER = "header"
FOOTER = "footer"
SIDEBAR = "sidebar/related"
COMMENTS = "comments"
FORM = "form"
CONSENT = "cookie/consent notice"
SUBSCRIBE = "newsletter/subscription"
SHARE = "share/social buttons"
ADVERT = "advertisement"
TAGS = "tags/topics"
CAPTION = "caption"
BYLINE = "byline"
LEAD = "lead"
KEYPOINTS = "key points"

STRONG = frozenset(
    {NAVIGATION, HEADER, FOOTER, SIDEBAR, COMMENTS, FORM, CONSENT, SUBSCRIBE, SHARE, ADVERT, TAGS}
)

_TAG_LABEL = {
    "nav": NAVIGATION,
    "menu": NAVIGATION,
    "header": HEADER,
    "footer": FOOTER,
    "aside": SIDEBAR,
    "form": FORM,
    "dialog": CONSENT,
    "figcaption": CAPTION,
    "figure": CAPTION,
    "address": BYLINE,
}

# Class/id keywords, by label, highest priority first. "^" asks for a word start before the keyword
# ("nav" but not "canvas"), "$" for a word end after it ("ad" but not "adjust").
_KEYWORD_TABLE: tuple[tuple[str, str], ...] = (
    (COMMENTS, "comment disqus discussion ^respond"),
    (CONSENT, "cookie consent gdpr ^cmp$"),
    (SUBSCRIBE, "newsletter signup sign-up ^subscribe ^subscription$ ^promo$"),
    (
        SHARE,
        "^share$ ^shares$ ^sharing$ ^social$ sharebar share-bar share-button share-tool "
        "social-share socialshare social-link social-icon sharedaddy follow-us",
    ),
    (
        SIDEBAR,
        "related recommend morestories more-stories morearticles more-articles read-more readmore "
        "most-popular mostpopular most-read mostread trending outbrain taboola also-read alsoread "
        "further-read teaser-list teaserlist sidebar ^rail$",
    ),
    (NAVIGATION, "breadcrumb pagination navbar ^nav$ ^menu ^navigation skip-link skiplink"),
    (FOOTER, "footer"),
    (HEADER, "masthead site-header siteheader topbar top-bar ^header$"),
    (ADVERT, "advert sponsor leaderboard ^ad$ ^ads$ ^ad-slot ^adslot"),
    (TAGS, "^tags$ tag-list ^taglist ^keywords$ ^topics$"),
    (KEYPOINTS, "key-points keypoints highlights tl-dr tldr takeaways ^summary-list"),
    (CAPTION, "caption credit ^copyright"),
    (BYLINE, "byline author dateline"),
    (
        LEAD,
        "^lead standfirst ^intro teaser summary ^dek$ deck subtitle sub-title subhead sub-head "
        "excerpt abstract vorspann chapeau chapo entradilla bajada",
    ),
)
_KEYWORDS: dict[str, tuple[int, str, bool, bool]] = {
    word.strip("^$"): (prio, label, word.startswith("^"), word.endswith("$"))
    for prio, (label, words) in enumerate(_KEYWORD_TABLE)
    for word in words.split()
}
_KEYWORD_RE = re.compile("|".join(sorted(map(re.escape, _KEYWORDS), key=len, reverse=True)))
_SEP = frozenset(" _-:/.")
# State modifiers describe the page, not the element: "has-sidebar", "is-sharing", "no-ads".
_STATE_CLASS = re.compile(
    r"(?:^|\s)(?:has|with|no|is|show|hide|enable|disable)[-_]\S*|\S*-(?:enabled|disabled)\b"
)
_CLASS_LABELS_CACHE_MAX = 50_000
_class_cache: dict[str, str | None] = {}


def _class_label(names: str) -> str | None:
    """The label a class/id string names (cached: a site repeats the same class strings)."""
    try:
        return _class_cache[names]
    except KeyError:
        pass
    low = names[:300].lower()
    best: tuple[int, str] | None = None
    if _KEYWORD_RE.search(low):  # most class strings name no chrome: one scan, done
        low = _STATE_CLASS.sub(" ", low)
        for m in _KEYWORD_RE.finditer(low):
            prio, label, word_start, word_end = _KEYWORDS[m.group()]
            if best is not None and prio >= best[0]:
                continue
            start, end = m.span()
            if word_start and start > 0 and low[start - 1] not in _SEP:
                continue
            if word_end and end < len(low) and low[end] not in _SEP:
                continue
            best = (prio, label)
    if len(_class_cache) >= _CLASS_LABELS_CACHE_MAX:
        _class_cache.clear()
    result = best[1] if best else None
    _class_cache[names] = result
    return result


_UNLABELLED = frozenset({"body", "article", "main"})
_OPAQUE = frozenset({"nav", "aside", "footer", "menu", "dialog"})
_BYLINE_INLINE = frozenset({"a", "span", "strong", "b", "em", "i", "small", "cite"})
_ORIGINALLY = re.compile(
    r"\b(?:originally|first)\s+(?:published|appeared|posted|ran)\b|\bappeared\s+first\s+on\b|"
    r"\bursprünglich\s+(?:erschienen|veröffentlicht)|\bpublié\s+initialement|"
    r"\bpublicado\s+originalmente",
    re.IGNORECASE,
)


def norm(text: str) -> str:
    """Whitespace-collapsed text: the key blocks and paragraphs are matched on."""
    return " ".join(text.split())


@dataclass(slots=True)
class Block:
    text: str
    """Whitespace-normalised visible text of the block."""
    order: int
    """Document position of the block element (pre-order index)."""
    tag: str
    chrome: str | None
    """Innermost strong (page chrome) label around the block, if any."""
    part: str | None
    """Innermost weak (article part) label around the block, if any."""
    container: int
    """Order of the element that gave the label (or of the parent block): groups removals."""
    chrome_from: int
    """Order of the element that gave ``chrome`` (-1: none)."""
    link_chars: int
    in_article: bool
    """Inside an ``<article>`` or ``<main>`` element."""


@dataclass(slots=True)
class PageScan:
    blocks: list[Block] = field(default_factory=list)
    byline_candidates: list[str] = field(default_factory=list)
    original_links: list[str] = field(default_factory=list)
    """``href`` of links in "Originally published at …" blocks."""
    opaque: list[tuple[HtmlElement, int]] = field(default_factory=list)
    """Outermost ``nav``/``aside``/``footer``/``menu``/``dialog`` elements, with text lengths."""
    chrome_boxes: list[tuple[HtmlElement, int, int, str]] = field(default_factory=list)
    """Outermost class-labelled chrome containers (not layout wrappers): element, text length,
    length of the text inside links, label."""
    elements: int = 0


class _Frame:
    __slots__ = (
        "chrome",
        "chrome_from",
        "container",
        "el",
        "in_article",
        "link_chars",
        "order",
        "part",
        "parts",
    )

    def __init__(
        self,
        el: HtmlElement,
        order: int,
        chrome: str | None,
        part: str | None,
        container: int,
        chrome_from: int,
        in_article: bool,
    ) -> None:
        self.el = el
        self.order = order
        self.parts: list[str] = []
        self.link_chars = 0
        self.chrome = chrome
        self.part = part
        self.container = container
        self.chrome_from = chrome_from
        self.in_article = in_article


_MAX_BYLINES = 8
_LAYOUT_SHARE = 0.3
_LAYOUT_MIN_CHARS = 500
_SENTINEL = HtmlElement()  # stands for "outside any block": never yielded by the walk


def _block_label(el: HtmlElement, tag: str) -> str | None:
    label = _TAG_LABEL.get(tag)
    if label is not None:
        return label
    keys = el.keys()
    if not keys:
        return None
    if "role" in keys:
        role = el.get("role")
        if role in ("navigation", "menu", "menubar"):
            return NAVIGATION
        if role == "contentinfo":
            return FOOTER
        if role == "complementary":
            return SIDEBAR
        if role == "banner":
            return HEADER
    names = el.get("class") if "class" in keys else None
    if "id" in keys:
        ident = el.get("id")
        names = f"{names} {ident}" if names else ident
    if names:
        return _class_label(names)
    if "itemprop" in keys and el.get("itemprop") == "author":
        return BYLINE
    return None


def _inline_byline(el: HtmlElement, tag: str) -> bool:
    if tag == "a" and el.get("rel") == "author":
        return True
    names = el.get("class")
    return bool(names) and _class_label(names) == BYLINE


def scan_page(tree: HtmlElement, *, max_elements: int = 200_000) -> PageScan:
    """Walk ``tree`` once and return its text blocks with their context.

    Context labels are read off block-level elements (and ``<a>``/``<span>`` bylines); inline
    elements only contribute text. Linear in the size of the tree; stops after ``max_elements``.
    """
    scan = PageScan()
    blocks = scan.blocks
    add_block = blocks.append
    bylines = scan.byline_candidates
    frames: list[_Frame] = [_Frame(_SENTINEL, 0, None, None, 0, -1, False)]
    # chrome containers trafilatura may keep (all but the opaque ones): order -> [label,
    # enclosing such container (or -1), index of its first block, characters of text inside,
    # element, characters inside links]
    class_chrome: dict[int, list[Any]] = {}
    block_tags, opaque, skip_tags, inline_tags = BLOCK_TAGS, _OPAQUE, SKIP_TAGS, _BYLINE_INLINE
    want_bylines = True
    top = frames[0]
    link_depth = 0
    order = 0
    walker = etree.iterwalk(tree, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            order += 1
            if order > max_elements:
                break
            if tag in block_tags:
                if tag in opaque:
                    # trafilatura always deletes these: one block for the whole container, read
                    # by lxml in C instead of walked here (menus and footers: a third of a page)
                    text = norm(" ".join(el.itertext()))
                    scan.opaque.append((el, len(text)))
                    if text:
                        add_block(
                            Block(
                                text,
                                order,
                                tag,
                                _TAG_LABEL[tag],
                                None,
                                order,
                                order,
                                len(text),
                                top.in_article,
                            )
                        )
                    walker.skip_subtree()
                    continue
                # sectioning roots: their classes list categories and page states, not chrome
                label = _block_label(el, tag) if tag not in _UNLABELLED else None
                chrome, part, in_article = top.chrome, top.part, top.in_article
                chrome_from = top.chrome_from
                container = top.container if (chrome or part) else top.order
                if label is not None:
                    container = order
                    if label in STRONG:
                        chrome, chrome_from = label, order
                        if tag not in _OPAQUE:
                            outer = top.chrome_from if top.chrome_from in class_chrome else -1
                            class_chrome[order] = [label, outer, len(blocks), 0, el, 0]
                    else:
                        part = label
                        if label == BYLINE and want_bylines and chrome in (None, HEADER):
                            bylines.append(norm(" ".join(el.itertext()))[:300])
                            want_bylines = len(bylines) < _MAX_BYLINES
                if tag == "article" or tag == "main":
                    in_article = True
                top = _Frame(el, order, chrome, part, container, chrome_from, in_article)
                frames.append(top)
            elif tag in skip_tags:
                walker.skip_subtree()
                continue
            elif tag == "br":
                top.parts.append("\n")
            elif tag in inline_tags:
                if tag == "a":
                    link_depth += 1
                if want_bylines and top.chrome in (None, HEADER) and _inline_byline(el, tag):
                    bylines.append(norm(" ".join(el.itertext()))[:300])
                    want_bylines = len(bylines) < _MAX_BYLINES
            text = el.text
            if text:
                top.parts.append(text)
                if link_depth:
                    top.link_chars += len(text)
        else:
            if top.el is el:
                frames.pop()
                frame, top = top, frames[-1]
                if frame.parts:
                    text = norm("".join(frame.parts))
                    if text:
                        add_block(
                            Block(
                                text,
                                frame.order,
                                tag,
                                frame.chrome,
                                frame.part,
                                frame.container,
                                frame.chrome_from,
                                frame.link_chars,
                                frame.in_article,
                            )
                        )
                        if (
                            len(text) < 600
                            and ("ubli" in text or "ppeared" in text or "rschien" in text)
                            and _ORIGINALLY.search(text)
                        ):
                            scan.original_links.extend(
                                href
                                for a in el.iter("a")
                                if (href := a.get("href")) and href.startswith("http")
                            )
                if frame.chrome_from == frame.order and frame.order in class_chrome:
                    box = class_chrome[frame.order]
                    inside = blocks[box[2] :]
                    box[3] = sum(len(b.text) for b in inside)
                    box[5] = sum(b.link_chars for b in inside)
            elif tag == "a":
                link_depth -= 1
            tail = el.tail
            if tail:
                top.parts.append(tail)
                if link_depth:
                    top.link_chars += len(tail)
    scan.elements = order
    blocks.sort(key=lambda b: b.order)
    if class_chrome:
        layout = _unlabel_layout(blocks, class_chrome)
        scan.chrome_boxes = [
            (box[4], box[3], box[5], box[0])
            for order_, box in class_chrome.items()
            if order_ not in layout and box[1] not in class_chrome
        ]
    return scan


def _unlabel_layout(blocks: list[Block], boxes: dict[int, list[Any]]) -> set[int]:
    """A class such as ``sidebar-grid__content`` on a wrapper of the article names a layout, not
    chrome; so does a ``<header>`` or ``<form>`` around the whole page. Such a container holding
    much of the page's text loses its label, and so do the containers inside it that carry the
    same label."""
    total = sum(len(b.text) for b in blocks)
    if total < _LAYOUT_MIN_CHARS:
        return set()
    layout = {order for order, box in boxes.items() if box[3] > _LAYOUT_SHARE * total}
    if not layout:
        return layout
    for order in sorted(boxes):  # outer containers start first
        label, outer = boxes[order][0], boxes[order][1]
        if outer in layout and boxes[outer][0] == label:
            layout.add(order)
    for b in blocks:
        if b.chrome_from in layout:
            b.chrome, b.chrome_from = None, -1
    return layout


def drop_invisible(tree: HtmlElement) -> None:
    """Remove script, style, SVG … subtrees (never text), keeping their tails and JSON data
    scripts (JSON-LD: metadata, dates)."""
    doomed = [
        el
        for el in tree.iter(*PRUNE_TAGS)
        if el.tag != "script" or "json" not in (el.get("type") or "").lower()
    ]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
