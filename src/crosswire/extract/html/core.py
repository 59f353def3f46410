"""HTML page → :class:`~crosswire.records.Article`: trafilatura's article, and what it left out.

One parse of the page (:func:`parse_html`, trafilatura's parser settings) feeds three readers:

* :func:`~crosswire.extract.html.blocks.scan_page` — one linear walk listing every visible text
  block with its context (navigation, footer, caption, standfirst …);
* :func:`~crosswire.extract.html.meta.read_metadata` and
  :func:`~crosswire.extract.html.meta.published_date` — title, byline, original publication date
  (htmldate), canonical URL, site, and the original a syndicated copy names;
* :func:`trafilatura.bare_extraction` — the main text, as a tree of ``head``, ``p``, ``list``,
  ``quote`` and ``table`` elements (it works on its own copy of the tree): its rule-based
  extractor in recall mode on the page without its chrome, and its full balanced cascade only
  when that clearly missed text (see :func:`_extract_body`).

Kept paragraphs are traced back to their source block (by normalised text) to assign roles
(``lead``, ``caption``, ``summary`` …) and to drop what trafilatura kept of bylines, cookie
notices, footers and link lists at the ends. Every source block that ends up in no paragraph is
listed in ``Article.removed`` with the reason its context gives. A standfirst trafilatura dropped
(it often sits outside the article container) comes back as ``lead``, image captions inside the
article as ``caption``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from copy import copy
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml.etree import _Element
from lxml.html import HtmlElement, fromstring
from trafilatura.settings import Extractor
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, HTML_PARSER

from crosswire.extract.html.blocks import (
    BYLINE,
    CAPTION,
    COMMENTS,
    CONSENT,
    FOOTER,
    HEADER,
    KEYPOINTS,
    LEAD,
    NAVIGATION,
    Block,
    PageScan,
    drop_invisible,
    norm,
    scan_page,
)
from crosswire.extract.html.meta import PageMeta, published_date, read_metadata
from crosswire.extract.language import detect_language
from crosswire.extract.provenance import site_of
from crosswire.records import Article, Paragraph, Removed, Role, article_id

__all__ = ["extract_html"]

LOG = logging.getLogger(__name__)

MAX_REMOVED = 500
MAX_REMOVED_CHARS = 1000
_LEAD_MAX_BLOCKS = 2
_LEAD_MIN_CHARS = 40
_LEAD_MAX_CHARS = 1200
_BYLINE_MAX_CHARS = 150
_CAPTION_MAX_CHARS = 500
_MAX_CAPTIONS = 30
_LANG_QUICK = 150  # characters of text to confirm the declared language with
_LANG_SAMPLE = 1000  # characters to identify the language with
_MIN_SUBSTRING = 20
_LINK_DENSE = 0.5  # share of a block's text inside links
_EDGE_RUN = 2  # link-dense paragraphs in a row at an end of the text: related links, not article
_NEVER_ARTICLE = frozenset({CONSENT, FOOTER})
# libxml2 drops everything after a stray ``</html>``; a browser (HTML5) ignores the tag and keeps
# what follows in the body, so the tag goes before parsing (an ad or CMS block that pastes a whole
# document into a page would otherwise cut the article short).
_HTML_END_TAG = re.compile(r"</html\s*>", re.IGNORECASE)
_LABEL_TEXT = re.compile(
    r"^(?:key (?:points|facts|takeaways)|in (?:short|brief)|at a glance|summary|highlights|"
    r"the essentials|tl;?dr|das wichtigste(?: in kürze)?|in kürze|zusammenfassung|"
    r"l'essentiel|en bref|en resumen|lo más importante|in sintesi|samenvatting|sammendrag)\s*:?$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class _Para:
    text: str
    role: Role
    kind: str
    """trafilatura element the paragraph came from: head, p, item, quote, cell, other."""
    list_id: int = -1
    block: Block | None = None


# --------------------------------------------------------------------------- trafilatura body


_MAX_NESTING = 50
_NESTED_BLOCKS = frozenset({"p", "head", "list", "quote", "table", "code", "div"})
_SKIP_IN_TEXT = frozenset({"graphic"})
_SKIP_IN_CONTAINER = _NESTED_BLOCKS | _SKIP_IN_TEXT


def _text_of(el: _Element, skip: frozenset[str] = _SKIP_IN_TEXT) -> str:
    """Text of a trafilatura output element: ``lb`` as line breaks, ``skip`` subtrees left out."""
    parts: list[str] = []
    stack: list[tuple[_Element, bool]] = [(el, False)]
    # iterative, so that deeply nested markup cannot exhaust the recursion limit
    while stack:
        node, done = stack.pop()
        if done:
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        if node.tag == "lb":
            parts.append("\n")
            if node.tail:
                parts.append(node.tail)
            continue
        if node is not el and node.tag in skip:
            if node.tail:
                parts.append(node.tail)
            continue
        if node.text:
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _loose(text: str | None) -> Iterator[_Para]:
    if text and not text.isspace():
        lines = (" ".join(line.split()) for line in text.split("\n"))
        joined = "\n".join(line for line in lines if line)
        if joined:
            yield _Para(joined, "body", "other")


def _has_blocks(el: _Element) -> bool:
    return any(child.tag in _NESTED_BLOCKS for child in el)


class _BodyReader:
    """trafilatura's output tree (``head``, ``p``, ``list``/``item``, ``quote``, ``table``/``row``/
    ``cell`` …) as a flat list of paragraphs. Layout tables (cells holding paragraphs) and quotes
    holding paragraphs are read through; a data table gives one paragraph per row."""

    def __init__(self) -> None:
        self.lists = 0
        self.depth = 0

    def read(self, container: _Element) -> Iterator[_Para]:
        self.depth += 1
        try:
            if self.depth > _MAX_NESTING:  # pathological nesting: take the text as it is
                text = _text_of(container)
                if text:
                    yield _Para(text, "body", "other")
                return
            yield from _loose(container.text)
            for el in container:
                yield from self._element(el)
                yield from _loose(el.tail)  # text trafilatura left between elements
        finally:
            self.depth -= 1

    def _element(self, el: _Element) -> Iterator[_Para]:
        tag = el.tag
        if tag == "graphic":
            return
        if tag == "head":
            text = _text_of(el)
            if text:
                yield _Para(text, "heading", "head")
        elif tag == "list":
            self.lists += 1
            list_id = self.lists
            for item in el.iterchildren("item"):
                text = _text_of(item, _SKIP_IN_CONTAINER)
                if text:
                    yield _Para(text, "body", "item", list_id)
                if _has_blocks(item):
                    yield from self._nested(item)
        elif tag == "table":
            for row in el.iter("row"):
                cells = list(row.iterchildren("cell"))
                if any(_has_blocks(c) for c in cells):
                    for cell in cells:
                        text = _text_of(cell, _SKIP_IN_CONTAINER)
                        if text:
                            yield _Para(text, "body", "cell")
                        yield from self._nested(cell)
                else:
                    texts = [t for c in cells if (t := _text_of(c))]
                    if texts:
                        yield _Para(" | ".join(texts), "body", "cell")
        elif tag in ("quote", "div") and _has_blocks(el):
            text = _text_of(el, _SKIP_IN_CONTAINER)
            if text:
                yield _Para(text, "body", "quote" if tag == "quote" else "other")
            yield from self._nested(el)
        else:
            text = _text_of(el)
            if text:
                kind = "p" if tag == "p" else "quote" if tag == "quote" else "other"
                yield _Para(text, "body", kind)

    def _nested(self, el: _Element) -> Iterator[_Para]:
        self.depth += 1
        try:
            if self.depth > _MAX_NESTING:  # pathological nesting: the rest as one paragraph
                text = " ".join(_text_of(c) for c in el if c.tag in _NESTED_BLOCKS).strip()
                if text:
                    yield _Para(text, "body", "other")
                return
            for child in el:
                if child.tag in _NESTED_BLOCKS:
                    yield from self._element(child)
        finally:
            self.depth -= 1


def _body_paragraphs(body: _Element) -> Iterator[_Para]:
    return _BodyReader().read(body)


# --------------------------------------------------------------------------- matching


class _Kept:
    """What the article keeps, for telling which source blocks were dropped.

    A block is kept when a paragraph was traced to it, or when its text (20 characters or more)
    occurs in the kept text: trafilatura may merge or split blocks. Substring search is sublinear
    in practice (the needles are long), so this stays cheap on link-heavy pages.
    """

    def __init__(self, paras: list[_Para], title: str | None) -> None:
        self.orders = {p.block.order for p in paras if p.block is not None}
        texts = [norm(p.text) for p in paras]
        if title:
            texts.append(norm(title))
        self.exact = set(texts)
        self.text = "\n".join(texts)

    def __contains__(self, b: Block) -> bool:
        if b.order in self.orders or b.text in self.exact:
            return True
        return len(b.text) >= _MIN_SUBSTRING and b.text in self.text


def _index_blocks(scan: PageScan) -> tuple[dict[str, Block], dict[str, Block]]:
    exact: dict[str, Block] = {}
    prefix: dict[str, Block] = {}
    for b in scan.blocks:
        key = b.text.casefold()
        exact.setdefault(key, b)
        if len(key) >= 60:
            prefix.setdefault(key[:60], b)
    return exact, prefix


def _attach_blocks(paras: list[_Para], scan: PageScan) -> None:
    exact, prefix = _index_blocks(scan)
    for p in paras:
        key = norm(p.text).casefold()
        p.block = exact.get(key) or (prefix.get(key[:60]) if len(key) >= 60 else None)


# --------------------------------------------------------------------------- roles


def _same(a: str, b: str) -> bool:
    return norm(a).casefold() == norm(b).casefold()


def _is_description(text: str, description: str | None) -> bool:
    if not description:
        return False
    a, b = norm(text).casefold(), norm(description).casefold()
    if len(a) < 20 or len(b) < 20:
        return a == b
    return a == b or a.startswith(b[:80]) or b.startswith(a[:80])


def _assign_roles(paras: list[_Para], meta: PageMeta) -> list[_Para]:
    out: list[_Para] = []
    seen_body = False
    for i, p in enumerate(paras):
        block = p.block
        chrome = block.chrome if block else None
        part = block.part if block else None
        # the headline repeated at the top of the text is the title paragraph, not body
        if i < 4 and not seen_body and meta.title and _same(p.text, meta.title):
            continue
        if part == CAPTION and chrome is None:
            p.role = "caption"
            out.append(p)
            continue
        if (
            part == BYLINE
            and (chrome is None or chrome == HEADER)
            and len(p.text) <= _BYLINE_MAX_CHARS
        ):
            continue  # listed in ``removed`` with the other dropped blocks
        if (
            not seen_body
            and p.kind in ("p", "other")
            and (part == LEAD or _is_description(p.text, meta.description))
        ):
            p.role = "lead"
            out.append(p)
            continue
        if p.role == "heading":
            out.append(p)
            continue
        seen_body = seen_body or p.role == "body"
        out.append(p)
    out = _trim(out)
    _mark_summaries(out)
    return out


def _link_dense(p: _Para) -> bool:
    b = p.block
    return b is not None and b.link_chars > _LINK_DENSE * len(b.text)


def _trim(paras: list[_Para]) -> list[_Para]:
    """Drop what trafilatura kept of page chrome: paragraphs from cookie notices and footers, and
    runs of two or more link-dense paragraphs (related links, tag lists) at either end of the
    text. The dropped blocks are listed in ``removed`` like any other."""
    paras = [p for p in paras if p.block is None or p.block.chrome not in _NEVER_ARTICLE]
    dense = [_link_dense(p) for p in paras]
    end = len(paras)
    while end > 0 and (
        dense[end - 1] or (paras[end - 1].role == "heading" and end < len(paras) and dense[end])
    ):
        end -= 1
    if len(paras) - end < _EDGE_RUN:
        end = len(paras)
    start = 0
    while start < end and dense[start]:
        start += 1
    if start < _EDGE_RUN:
        start = 0
    return paras[start:end]


def _mark_summaries(paras: list[_Para]) -> None:
    """Bullet summaries at the top ("Key points: …") become ``label`` + ``summary``."""
    limit = min(len(paras), 8)
    for i in range(limit):
        p = paras[i]
        if p.kind != "item":
            if p.role == "body" and p.kind == "p" and len(p.text) > 200:
                return  # the running text has started
            continue
        list_id = p.list_id
        items = [q for q in paras[i:] if q.kind == "item" and q.list_id == list_id]
        in_box = any(q.block is not None and q.block.part == KEYPOINTS for q in items)
        label = paras[i - 1] if i > 0 else None
        labelled = label is not None and bool(_LABEL_TEXT.match(label.text.strip()))
        if in_box or labelled:
            if labelled and label is not None:
                label.role = "label"
            for q in items:
                q.role = "summary"
        return


def _recover_lead(paras: list[_Para], scan: PageScan, kept: _Kept, meta: PageMeta) -> list[_Para]:
    """Standfirst blocks above the article text that trafilatura did not keep."""
    first = next((p.block.order for p in paras if p.block is not None), None)
    if first is None:
        return []
    found: list[_Para] = []
    for b in scan.blocks:
        if b.order >= first:
            break
        if b.chrome not in (None, HEADER):
            continue
        lead_like = b.part == LEAD or (
            meta.description is not None and _is_description(b.text, meta.description)
        )
        if not lead_like or not _LEAD_MIN_CHARS <= len(b.text) <= _LEAD_MAX_CHARS:
            continue
        if b.link_chars > 0.3 * len(b.text) or b in kept:
            continue
        if meta.title and _same(b.text, meta.title):
            continue
        found.append(_Para(b.text, "lead", "p", block=b))
        if len(found) >= _LEAD_MAX_BLOCKS:
            break
    return found


def _restore_captions(paras: list[_Para], scan: PageScan, kept: _Kept) -> list[_Para]:
    """Image captions inside the article that trafilatura dropped (it drops ``<figure>``) go back
    in place with the ``caption`` role: not article text, but part of what the page reported."""
    orders = [p.block.order for p in paras if p.block is not None]
    if len(orders) < 2:
        return paras
    first, last = min(orders), max(orders)
    captions = [
        b
        for b in scan.blocks
        if b.part == CAPTION
        and b.chrome is None
        and first < b.order < last
        and len(b.text) <= _CAPTION_MAX_CHARS
        and b not in kept
    ][:_MAX_CAPTIONS]
    if not captions:
        return paras
    out: list[_Para] = []
    pending = iter(captions)
    nxt = next(pending, None)
    for p in paras:
        while nxt is not None and p.block is not None and nxt.order < p.block.order:
            out.append(_Para(nxt.text, "caption", "caption", block=nxt))
            nxt = next(pending, None)
        out.append(p)
    return out


# --------------------------------------------------------------------------- removed


def _reason(b: Block, before: int, after: int) -> str:
    if b.chrome is not None:
        return b.chrome
    if b.part == CAPTION:
        return "caption"
    if b.part == BYLINE:
        return "byline/dateline"
    if len(b.text) >= 10 and b.link_chars > 0.5 * len(b.text):
        return "link-dense block"
    if b.order > after:
        return "below-article boilerplate"
    if b.order < before:
        return "above-article boilerplate"
    return "not main content"


def _clip(text: str) -> str:
    if len(text) <= MAX_REMOVED_CHARS:
        return text
    return text[: MAX_REMOVED_CHARS - 1].rstrip() + "…"


def _removed_blocks(scan: PageScan, kept: _Kept, paras: list[_Para]) -> list[Removed]:
    orders = [p.block.order for p in paras if p.block is not None]
    before = min(orders) if orders else -1
    after = max(orders) if orders else -1
    out: list[Removed] = []
    group: tuple[int, str] | None = None
    buf: list[str] = []

    def flush() -> None:
        if buf and group is not None:
            out.append(Removed(_clip("\n".join(buf)), group[1]))
        buf.clear()

    for b in scan.blocks:
        if b in kept:
            continue
        reason = _reason(b, before, after)
        key = (b.container, reason)
        if key != group:
            flush()
            if len(out) >= MAX_REMOVED:
                break
            group = key
        if sum(len(t) for t in buf) <= MAX_REMOVED_CHARS:
            buf.append(b.text)
    else:
        flush()
    return out[:MAX_REMOVED]


# --------------------------------------------------------------------------- entry point


def _options(*, fast: bool = False, recall: bool = False) -> Extractor:
    # "txt" rather than "python": bare_extraction then hands back the body tree without also
    # rendering it to text, which we do not use. The tree is the same either way.
    return Extractor(
        output_format="txt",
        comments=False,
        tables=True,
        images=False,
        links=False,
        formatting=False,
        with_metadata=False,
        fast=fast,
        recall=recall,
    )


# Built once: an Extractor reads trafilatura's settings file in its constructor.
_FIRST = _options(fast=True, recall=True)
_FALLBACK = _options()
_FALLBACK_BELOW = 2500  # characters found by the first pass
_FALLBACK_MISSING = 1.5  # page paragraph text / text found, for a short result
_FALLBACK_MISSING_LONG = 4.0  # the same, for any result
_FALLBACK_GAIN = 1.5  # second pass taken when it finds this much more
_PARA_MIN = 80
_CHROME_KEEP_SHARE = 0.3
_DETACH_LABELS = frozenset({FOOTER, COMMENTS, CONSENT})


def _trafilatura_body(tree: HtmlElement, url: str | None, template: Extractor) -> _Element | None:
    options = copy(template)
    options.url = options.source = url
    doc = trafilatura.bare_extraction(tree, options=options)
    if doc is None or isinstance(doc, dict):
        return None
    body: _Element | None = doc.body
    return body


def _body_chars(body: _Element | None) -> int:
    return 0 if body is None else sum(len(t) for t in body.itertext())


def _paragraph_chars(scan: PageScan) -> int:
    """Characters of paragraph-like text on the page: blocks of 80 characters or more, outside
    page chrome, with few links."""
    return sum(
        len(b.text)
        for b in scan.blocks
        if b.chrome is None and len(b.text) >= _PARA_MIN and b.link_chars < 0.3 * len(b.text)
    )


def _detach_chrome(scan: PageScan) -> list[tuple[HtmlElement, HtmlElement]]:
    """Take page chrome out of the tree before trafilatura's first pass, leaving an empty
    placeholder (with the tail text) in each place; returns (placeholder, element) pairs.

    ``nav``/``aside``/``footer``/``menu`` elements (trafilatura's tree cleaning deletes them
    anyway, but only after XPath passes over the raw tree that spend a good part of its time in
    mega-menus and footers), containers whose class names a footer, comments or a cookie notice,
    and link lists whose class names navigation (it mostly drops those too). Its rule-based
    extractor gives the same result without them, except when one holds the page's text (a
    layout that puts everything in a ``<nav>``): containers with over 30% of the page's text
    stay. The balanced fallback (readability,
    justext) does look at the whole page: they go back before it runs.
    """
    total = sum(len(b.text) for b in scan.blocks)
    limit = _CHROME_KEEP_SHARE * total
    doomed = [el for el, chars in scan.opaque if chars <= limit]
    doomed += [
        el
        for el, chars, link_chars, label in scan.chrome_boxes
        if chars <= limit
        and (label in _DETACH_LABELS or (label == NAVIGATION and link_chars > 0.5 * chars))
    ]
    detached: list[tuple[HtmlElement, HtmlElement]] = []
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        placeholder: HtmlElement = parent.makeelement("span")
        placeholder.tail, el.tail = el.tail, None
        parent.replace(el, placeholder)
        detached.append((placeholder, el))
    return detached


def _reattach_chrome(detached: list[tuple[HtmlElement, HtmlElement]]) -> None:
    for placeholder, el in reversed(detached):
        parent = placeholder.getparent()
        if parent is not None:
            el.tail, placeholder.tail = placeholder.tail, None
            parent.replace(placeholder, el)


def _extract_body(
    tree: HtmlElement,
    url: str | None,
    scan: PageScan,
    detached: list[tuple[HtmlElement, HtmlElement]],
) -> _Element | None:
    """trafilatura's own extractor in recall mode; when that misses text, its full cascade too.

    First pass: ``fast`` + ``favor_recall``, i.e. trafilatura's rule-based extractor alone with
    the recall settings (keeps more of lists, divs and short paragraphs), no readability/justext
    comparison. On article pages that is as accurate as the default cascade at about half its
    cost. When the page holds clearly more paragraph-like text than it found (1.5 times as much
    when it found under 2,500 characters, 4 times otherwise), its rules may have missed the
    article: the default (balanced) cascade — readability and justext comparisons, recall
    escalation — runs as well and its result is taken when it is clearly longer. That second
    pass runs on a few pages in a hundred.
    """
    body = _trafilatura_body(tree, url, _FIRST)
    chars = _body_chars(body)
    para = _paragraph_chars(scan)
    if (chars < _FALLBACK_BELOW and para > _FALLBACK_MISSING * chars) or (
        para > _FALLBACK_MISSING_LONG * chars
    ):
        _reattach_chrome(detached)
        other = _trafilatura_body(tree, url, _FALLBACK)
        if _body_chars(other) > _FALLBACK_GAIN * chars:
            return other
    return body


def extract_html(
    html: str, *, source: str, url: str | None = None, content_hash: str = ""
) -> Article:
    """Turn one decoded HTML page into an :class:`Article`. Never raises on odd HTML: problems are
    reported in ``Article.errors``."""
    article = Article(id=article_id(content_hash), source=source, url=url, kind="html")
    article.content_hash = content_hash
    try:
        _fill(article, html, url)
    except Exception as err:  # a parser or extractor bug on some page must not stop a batch
        LOG.warning("HTML extraction failed for %s: %s", source, err, exc_info=True)
        article.errors.append(f"HTML extraction failed: {type(err).__name__}: {err}")
    article.set_offsets()
    return article


def _language(text: str, declared: str | None) -> str | None:
    """py3langid on the article text, checked against ``<html lang>``.

    py3langid's cost grows with the sample, so a short sample is tried first; when it agrees with
    the page's declared language that settles it. Otherwise (no declaration, a CMS default such
    as ``en`` on an isiZulu page, or a short sample misread) a longer sample decides."""
    if declared:
        quick = detect_language(text[:_LANG_QUICK])
        if quick == declared:
            return quick
    return detect_language(text[:_LANG_SAMPLE]) or declared


def parse_html(html: str) -> HtmlElement | None:
    """Parse a page the way trafilatura's ``load_html`` does, from UTF-8 bytes.

    Same parser and the same repairs (an XHTML doctype line, a self-closing ``<html/>``), but the
    string is handed to libxml2 as UTF-8 bytes instead of being scrubbed of control characters by
    a regex first: libxml2 turns those into U+FFFD itself, and the bytes path parses faster. Our
    decoder (:mod:`crosswire.extract.encoding`) has removed them already anyway. ``None`` when
    the input is empty or is not HTML at all (plain text with no element).
    """
    if not html or not html.strip():
        return None
    beginning = html[:50].lower()
    if "doctype" in beginning:
        first, sep, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", first, count=1) + sep + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            html = FAULTY_HTML.sub(r"\1>", html, count=1)
            break
    html = _HTML_END_TAG.sub("", html)
    try:
        tree: HtmlElement = fromstring(html.encode("utf-8", "replace"), parser=HTML_PARSER)
    except (ValueError, etree.ParserError) as err:
        LOG.debug("lxml could not parse the page: %s", err)
        return None
    if "html" not in beginning and len(tree) < 2 and tree.tag in ("span", "p") and not len(tree):
        return None  # a bare string: lxml wrapped plain text in one element
    return tree


def _fill(article: Article, html: str, url: str | None) -> None:
    tree = parse_html(html)
    if tree is None:
        article.errors.append("not parseable as HTML (empty, or no markup at all)")
        return
    drop_invisible(tree)
    scan = scan_page(tree)
    meta = read_metadata(tree, url, scan)
    article.url = meta.url
    article.canonical_url = meta.canonical_url
    article.site = meta.site
    article.title = meta.title
    article.byline = meta.byline
    article.description = meta.description
    article.original_url = meta.original_url or meta.canonical_url or meta.url
    article.original_site = site_of(article.original_url) or (
        meta.site if article.original_url is None else None
    )

    # before the chrome goes: WordPress & co. put "Posted on <time>" in an "entry-footer"
    article.published = published_date(tree, meta.url or meta.canonical_url)
    detached = _detach_chrome(scan)
    body = _extract_body(tree, meta.url, scan, detached)
    paras = list(_body_paragraphs(body)) if body is not None else []
    _attach_blocks(paras, scan)
    paras = _assign_roles(paras, meta)
    if not any(p.role != "caption" for p in paras):
        article.errors.append("no main content found")

    kept = _Kept(paras, meta.title)
    if paras:
        lead = _recover_lead(paras, scan, kept, meta)
        restored = _restore_captions(paras, scan, kept)
        if lead or len(restored) != len(paras):
            paras = lead + restored
            kept = _Kept(paras, meta.title)

    final: list[Paragraph] = []
    if meta.title:
        final.append(Paragraph(meta.title, "title"))
    final.extend(Paragraph(p.text, p.role) for p in paras)
    article.paragraphs = final
    article.removed = _removed_blocks(scan, kept, paras)
    text = "\n\n".join(p.text for p in paras if p.role != "caption")
    article.language = _language(text, meta.html_language)
