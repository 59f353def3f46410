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

import charset_normalizer
import feedparser  # type: ignore[import-untyped]
import feedparser.encodings  # type: ignore[import-untyped]
from feedparser.encodings import convert_to_utf8

from crosswire.ingest.filters import normalize_language
from crosswire.records import Link

_ENTITY_DECLARATION = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
# feedparser's lenient parser takes "&#N" with or without the semicolon.
_CHAR_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


#: Bytes of a feed looked at to guess its encoding when the declared one does not decode it.
DETECT_SAMPLE = 64 * 1024


def _detect_encoding(data: bytes) -> str:
    # feedparser's own guess is chardet's, pure Python and as slow as 0.4 ms a byte on some
    # feeds (a 300 KB one took half a minute, outside any worker's time limit);
    # charset_normalizer, which reads pages, takes milliseconds on a bounded sample.
    best = charset_normalizer.from_bytes(data[:DETECT_SAMPLE]).best()
    return best.encoding if best is not None else ""


# feedparser looks its detector up by this name at each call.
feedparser.encodings.lazy_chardet_encoding = _detect_encoding


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
    # The UTF-8 text (its declaration rewritten to say so) rather than the raw bytes, so that
    # references to no character are replaced first: feedparser's lenient parser crashes on
    # them (OverflowError, or a ValueError that loses every other link of the feed).
    # A stream, never the bytes themselves: feedparser takes a string for a URL or a file name.
    text = _CHAR_REFERENCE.sub(_valid_reference, decoded)
    parsed = feedparser.parse(io.BytesIO(text), response_headers=headers)
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


def _valid_reference(match: re.Match[bytes]) -> bytes:
    digits = match.group(1) or match.group(2)
    if len(digits) <= 8:
        code = int(digits, 16) if match.group(1) else int(digits)
        if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return match.group(0)
    return b"&#xFFFD;"


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
    try:
        url = urldefrag(urljoin(base_url or "", candidate.strip())).url
        parts = urlsplit(url)
    except ValueError:  # "http://[" and the like: one bad entry must not lose the whole feed
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


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
