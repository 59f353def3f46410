"""The pages an RSS (0.9x, 1.0, 2.0) or Atom feed lists, parsed with feedparser.

No XML entity is ever expanded: a feed declaring any entity (``<!ENTITY``, the stuff of "billion
laughs" and external-entity attacks) is refused before feedparser sees it. feedparser alone is
not enough: it keeps declarations it deems safe (a plain-text value may still be referenced a
million times over) and its strip of the others is a regular expression a crafted DOCTYPE can
slip past. The check runs on the feed as feedparser would decode it, so a UTF-16 or other
encoding cannot hide a declaration. A DOCTYPE without entities (RSS 0.91's) is fine.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser  # type: ignore[import-untyped]
from feedparser.encodings import convert_to_utf8  # type: ignore[import-untyped]

from crosswire.ingest.filters import normalize_language
from crosswire.records import Link

_ENTITY_DECLARATION = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


class FeedError(ValueError):
    """The content is not a feed, or is refused (it declares XML entities)."""


def parse_feed(content: bytes, base_url: str | None) -> list[Link]:
    """The page links of a feed, in feed order, each URL once (fragments dropped), resolved
    against ``base_url``; only http(s) links are kept. :class:`FeedError` when the content
    declares XML entities or is no RSS or Atom feed at all."""
    headers: dict[str, str] = {}
    if base_url:
        headers["content-location"] = base_url
    decoded = convert_to_utf8(dict(headers), content, {})
    if _ENTITY_DECLARATION.search(decoded) or _ENTITY_DECLARATION.search(content):
        raise FeedError("refused: the feed declares XML entities, which are never expanded")
    # A stream, never the bytes themselves: feedparser takes a string for a URL or a file name.
    parsed = feedparser.parse(io.BytesIO(content), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        why = parsed.get("bozo_exception")
        raise FeedError(f"not an RSS or Atom feed{f': {why}' if why else ''}")
    language = _language(parsed.feed.get("language"))
    links: dict[str, Link] = {}
    for entry in parsed.entries:
        url = _page_url(entry, base_url)
        if url is None or url in links:
            continue
        title = entry.get("title")
        links[url] = Link(
            url=url,
            published=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
            title=(title.strip() or None) if isinstance(title, str) else None,
            language=_language(entry.get("language")) or language,
        )
    return list(links.values())


def _page_url(entry: Any, base_url: str | None) -> str | None:
    candidate = entry.get("link")
    if not candidate:
        # An RSS guid is the page's address unless it says isPermaLink="false"; feedparser
        # keeps it as the id.
        guid = entry.get("id")
        if isinstance(guid, str) and guid.lower().startswith(("http://", "https://")):
            candidate = guid
    if not isinstance(candidate, str) or not candidate.strip():
        return None
    url = urldefrag(urljoin(base_url or "", candidate.strip())).url
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else None


def _iso(value: struct_time | None) -> str | None:
    """feedparser gives dates as UTC ``struct_time``s."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    except (TypeError, ValueError):
        return None


def _language(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return normalize_language(value)
    except ValueError:
        return None
