"""Page metadata: title, byline, publication date, canonical URL and the original a copy names.

Built on trafilatura's metadata readers (meta tags, OpenGraph, JSON-LD) and htmldate (original
publication date). We call the readers we need one by one instead of
``bare_extraction(with_metadata=True)``: that also harvests categories, tags and licence links
(whole-tree XPath scans we do not use), and its byline fallback deep-copies the tree; together
they cost more than the text extraction itself. The byline fallback here uses the byline blocks
that :func:`crosswire.extract.html.blocks.scan_page` already found in its single pass.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import examine_meta, extract_meta_json, extract_sitename
from trafilatura.settings import Document

from crosswire.extract.html.blocks import PageScan, norm
from crosswire.extract.provenance import clean_url, date_from_url, site_of

__all__ = ["PageMeta", "published_date", "read_metadata"]

LOG = logging.getLogger(__name__)

_ORIGINAL_META = ("original-source", "syndication-source", "original_source", "dc.source")
_TITLE_SPLIT = re.compile(r"\s+[|–—·•»-]\s+|\s+[-–—]{2}\s+|\s+::\s+")
_BYLINE_NOISE = re.compile(r"\d{1,2}[:.]\d{2}|\d{4}|https?://|@", re.IGNORECASE)


@dataclass(slots=True)
class PageMeta:
    title: str | None = None
    byline: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    site: str | None = None
    description: str | None = None
    html_language: str | None = None
    original_url: str | None = None


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if href.startswith("//"):
        href = "https:" + href
    elif base and not href.lower().startswith(("http://", "https://")):
        try:
            href = urljoin(base, href)
        except ValueError:
            return None
    return clean_url(href)


def _canonical(tree: HtmlElement, base: str | None) -> str | None:
    for el in tree.iterfind(".//head/link[@href]"):
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel:
            return _absolute(el.get("href"), base)
    for el in tree.iterfind(".//head/meta[@content]"):
        if (el.get("property") or el.get("name") or "").lower() == "og:url":
            return _absolute(el.get("content"), base)
    return None


def _declared_original(tree: HtmlElement) -> str | None:
    """``<meta name="original-source">`` / ``syndication-source`` (or such ``<link rel>``), when
    it holds an absolute URL (``DC.source`` often names a publication in words)."""
    for el in tree.iterfind(".//head/meta[@content]"):
        if (el.get("name") or el.get("property") or "").lower() in _ORIGINAL_META:
            url = _absolute(el.get("content"), None)
            if url:
                return url
    for el in tree.iterfind(".//head/link[@href]"):
        if (el.get("rel") or "").lower() in _ORIGINAL_META:
            url = _absolute(el.get("href"), None)
            if url:
                return url
    return None


def _h1_title(tree: HtmlElement) -> str | None:
    """The page's headline when it has one ``<h1>`` (or one inside ``<article>``)."""
    h1s = tree.findall(".//body//h1")
    if len(h1s) != 1:
        h1s = tree.findall(".//article//h1")
        if len(h1s) != 1:
            return None
    text = norm(" ".join(h1s[0].itertext()))
    return text if 3 <= len(text) <= 300 else None


def _title_tag(tree: HtmlElement) -> str | None:
    el = tree.find(".//head/title")
    if el is None:
        return None
    text = norm(el.text_content())
    return text or None


def _strip_site_name(title: str) -> str:
    """ "Headline | Site" → "Headline": drop short segments (site and section names) at either end
    of a title split on `` | ``, `` – ``, `` - ``, `` :: `` and the like."""
    parts = _TITLE_SPLIT.split(title)
    if len(parts) < 2:
        return title
    while len(parts) > 1 and len(parts[-1].split()) <= 4 and len(parts[-1]) < 40:
        parts.pop()
    while len(parts) > 1 and len(parts[0].split()) <= 3 and len(parts[0]) < 30:
        parts.pop(0)
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if 0 <= start < end else title


def choose_title(h1: str | None, meta_title: str | None, title_tag: str | None) -> str | None:
    """The headline: the ``<h1>`` when the metadata title agrees with it (one contains the other)
    or there is none, else the metadata title without its site-name segments."""
    named = meta_title or title_tag
    if h1:
        if not named or not meta_title:
            return h1
        low_h1, low_named = h1.casefold(), named.casefold()
        if low_h1 in low_named or low_named in low_h1:
            return h1
    if not named:
        return None
    return _strip_site_name(named)


def _byline(doc_author: str | None, scan: PageScan) -> str | None:
    if doc_author:
        return doc_author
    for cand in scan.byline_candidates:
        if not 3 < len(cand) < 120:
            continue
        author = normalize_authors(None, cand)
        if author and not _BYLINE_NOISE.search(author) and any(c.isalpha() for c in author):
            return author
    return None


def published_date(tree: HtmlElement, url: str | None) -> str | None:
    """Original publication date: htmldate's quick search (URL, meta tags, JSON-LD, ``<time>``
    and date-like elements, loose date patterns in the text), else the URL's month.

    Not htmldate's extensive search: it hands free-text dates to dateparser, whose first calls
    compile regexes for some two hundred locales (seconds), and it costs more than the whole text
    extraction on the pages that need it; +4 points of date accuracy on a general web sample,
    none on news pages."""
    return _find_date(tree, False, url, date.today().isoformat()) or date_from_url(url)


def _find_date(doc: HtmlElement | str, extensive: bool, url: str | None, today: str) -> str | None:
    try:
        found = find_date(
            doc, extensive_search=extensive, original_date=True, url=url, max_date=today
        )
    except Exception as err:  # htmldate on odd markup: the date is optional
        LOG.debug("htmldate failed: %s", err)
        return None
    return str(found) if found else None


def read_metadata(tree: HtmlElement, url: str | None, scan: PageScan) -> PageMeta:
    """Metadata of the page ``tree`` (``url``: the URL the caller knows it by, if any); all but
    ``published``, which :func:`published_date` reads."""
    doc: Document = examine_meta(tree)
    if doc.author and " " not in doc.author:
        doc.author = None  # a single token is a handle or a site name, not a byline
    if not (doc.author and doc.title):
        # JSON-LD (trafilatura's reader is slow-ish: only when the meta tags left a gap)
        try:
            doc = extract_meta_json(tree, doc)
        except Exception as err:  # trafilatura's JSON-LD reader on malformed JSON-LD
            LOG.debug("JSON-LD metadata failed: %s", err)
    doc.clean_and_trim()

    meta = PageMeta()
    canonical = _canonical(tree, url)
    meta.canonical_url = canonical
    meta.url = clean_url(url) or canonical
    meta.title = choose_title(_h1_title(tree), doc.title, _title_tag(tree))
    meta.byline = _byline(doc.author, scan)
    meta.description = doc.description or None
    meta.site = site_of(meta.url) or site_of(canonical)
    if meta.site is None:
        sitename = doc.sitename or extract_sitename(tree)
        meta.site = sitename.lstrip("@") if sitename else None
    lang = tree.get("lang") or tree.get("xml:lang")
    if lang:
        primary = lang.strip().split("-")[0].split("_")[0].lower()
        meta.html_language = primary if 2 <= len(primary) <= 3 and primary.isalpha() else None
    meta.original_url = _original(tree, meta, scan)
    return meta


def _original(tree: HtmlElement, meta: PageMeta, scan: PageScan) -> str | None:
    """The URL of the original this page copies, when it names one."""
    own = site_of(meta.url)
    declared = _declared_original(tree)
    if declared:
        return declared
    for href in scan.original_links:
        link = clean_url(href)
        if link and site_of(link) != own:
            return link
    canonical = meta.canonical_url
    if canonical and own and site_of(canonical) != own:
        return canonical
    return None
