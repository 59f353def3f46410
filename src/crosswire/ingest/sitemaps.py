"""The pages a sitemap lists (``urlset``, with Google News extensions), and the sitemaps a
sitemap index lists (``sitemapindex``), which the fetching side follows to a depth limit.

Parsed with defusedxml, refusing any DTD: sitemaps never need one, and without it no entity can
expand. Gzip-compressed sitemaps are decompressed up to a cap. Namespaces are matched by local
name only, since sites get them wrong (``http://www.google.com/schemas/sitemap/0.84``, none at
all, the news namespace under another prefix).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from crosswire.ingest.filters import normalize_language
from crosswire.records import Link

#: The sitemap protocol's own limit on an uncompressed sitemap.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


class SitemapError(ValueError):
    """The content is not a sitemap, is refused (a DTD), or is too large."""


@dataclass(slots=True)
class Sitemap:
    links: list[Link] = field(default_factory=list)
    """Pages of a ``urlset``, each URL once, in document order."""
    sitemaps: list[str] = field(default_factory=list)
    """Sitemaps of a ``sitemapindex``, each once, in document order."""


def parse_sitemap(
    content: bytes, base_url: str | None, *, max_bytes: int = MAX_SITEMAP_BYTES
) -> Sitemap:
    """A sitemap or sitemap index (gzip-compressed or not) read into links and child sitemaps.

    ``published`` is a news sitemap's ``publication_date``, else ``lastmod``; ``title`` and
    ``language`` come from ``news:news``. URLs are resolved against ``base_url``, fragments
    dropped, and only http(s) ones kept. :class:`SitemapError` when the content is not a
    sitemap, declares a DTD or decompresses past ``max_bytes``.
    """
    if content[:2] == b"\x1f\x8b":
        content = _gunzip(content, max_bytes)
    elif len(content) > max_bytes:
        raise SitemapError(f"sitemap larger than {max_bytes:,} bytes")
    try:
        root: Element = fromstring(
            content, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise SitemapError(f"refused: the sitemap declares a DTD or entities ({exc})") from exc
    except ParseError as exc:
        raise SitemapError(f"not a well-formed XML sitemap: {exc}") from exc
    except (LookupError, ValueError) as exc:
        # expat's word on an XML declaration naming an unknown or multi-byte encoding.
        raise SitemapError(f"unreadable sitemap encoding: {exc}") from exc
    kind = _local(root.tag)
    sitemap = Sitemap()
    if kind == "sitemapindex":
        seen: set[str] = set()
        for child in root:
            if _local(child.tag) == "sitemap":
                url = _url(_text(child, "loc"), base_url)
                if url is not None and url not in seen:
                    seen.add(url)
                    sitemap.sitemaps.append(url)
    elif kind == "urlset":
        links: dict[str, Link] = {}
        for child in root:
            if _local(child.tag) == "url":
                link = _link(child, base_url)
                if link is not None and link.url not in links:
                    links[link.url] = link
        sitemap.links = list(links.values())
    else:
        raise SitemapError(f"not a sitemap: the root element is <{kind}>")
    return sitemap


def _link(element: Element, base_url: str | None) -> Link | None:
    url = _url(_text(element, "loc"), base_url)
    if url is None:
        return None
    news = _child(element, "news")
    publication = _child(news, "publication") if news is not None else None
    language = _text(publication, "language") if publication is not None else None
    try:
        code = normalize_language(language) if language else None
    except ValueError:
        code = None
    return Link(
        url=url,
        published=(_text(news, "publication_date") if news is not None else None)
        or _text(element, "lastmod"),
        title=_text(news, "title") if news is not None else None,
        language=code,
    )


def _gunzip(content: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(content, limit + 1)
    except zlib.error as exc:
        raise SitemapError(f"broken gzip data: {exc}") from exc
    if len(out) > limit:
        raise SitemapError(f"sitemap larger than {limit:,} bytes once decompressed")
    return out


def _local(tag: object) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: Element | None, name: str) -> str | None:
    child = _child(element, name) if element is not None else None
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _url(value: str | None, base_url: str | None) -> str | None:
    if not value:
        return None
    try:
        url = urldefrag(urljoin(base_url or "", value)).url
        parts = urlsplit(url)
    except ValueError:  # "http://[" and the like: one bad entry must not lose the whole sitemap
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None
