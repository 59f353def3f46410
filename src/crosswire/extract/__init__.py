"""Extract stage: a raw :class:`~crosswire.records.Document` in, a clean :class:`Article` out.

Cascade, stage by stage:

1. size guard (``max_bytes``) and binary sniffing — reject what is not a page;
2. :func:`~crosswire.extract.encoding.decode` — charset, mojibake, control characters;
3. kind: the container's word (file suffix, HTTP type) or a sniff of the first bytes;
4. HTML → :func:`~crosswire.extract.html.extract_html` (trafilatura + htmldate);
   plain text → :func:`~crosswire.extract.plaintext.extract_text` (copied pages with chrome).

Per-document time limits need a killable process: see :mod:`crosswire.extract.guard`.
"""

from __future__ import annotations

import re

from crosswire.errors import DocumentTooLargeError, EmptyDocumentError
from crosswire.extract.encoding import decode, strip_controls
from crosswire.ingest.files import DEFAULT_MAX_BYTES
from crosswire.records import Article, Document, Kind, Removed, article_id

__all__ = ["extract", "sniff_kind", "warmup"]

_HTML_SNIFF = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|div|article|p|br|span|table|a\s)[\s>/]",
    re.IGNORECASE,
)
_DOCUMENT_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)
# A tag longer than this is an attack or a generator bug, never content: lxml and every extractor
# spend seconds on 40,000 attributes. We keep the element and drop its attributes.
_MAX_TAG_CHARS = 32_768
# Every tag with attributes, quoted values read whole: 40,000 attributes whose values hold a ">"
# are one tag to lxml, so they must be one tag here too. Possessive quantifiers keep the scan
# linear on a tag that never closes.
_TAG_WITH_ATTRIBUTES = re.compile(
    r"""<([A-Za-z][\w:-]{0,40})\s(?:[^<>"']++|"[^"]*+"|'[^']*+')*+>"""
)


def sniff_kind(text: str) -> Kind:
    """``html`` when the start of ``text`` looks like markup, else ``text``."""
    head = text[:4096]
    return "html" if _HTML_SNIFF.search(head) else "text"


def _defuse_html(html: str) -> tuple[str, list[Removed]]:
    removed: list[Removed] = []

    def strip(m: re.Match[str]) -> str:
        if m.end() - m.start() < _MAX_TAG_CHARS:
            return m.group(0)
        removed.append(
            Removed(
                text=m.group(0)[:200] + "…",
                reason=f"oversized <{m.group(1)}> tag ({len(m.group(0)):,} characters of "
                "attributes) stripped before parsing",
            )
        )
        return f"<{m.group(1)}>"

    if len(html) > _MAX_TAG_CHARS:
        html = _TAG_WITH_ATTRIBUTES.sub(strip, html)
    return html, removed


def extract(doc: Document, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Turn one document into an article.

    Raises :class:`~crosswire.errors.DocumentError` (empty, binary, too large) when there is no
    article to speak of; softer problems (no main content found) come back in ``Article.errors``.
    """
    if len(doc.content) > max_bytes:
        raise DocumentTooLargeError(
            f"document too large: {len(doc.content):,} bytes exceeds the {max_bytes:,}-byte limit "
            "(raise it with --max-bytes)"
        )
    kind = doc.kind
    decoded = decode(doc.content, declared=doc.encoding, html=kind != "text")
    text = decoded.text
    if kind is None or (kind == "text" and _DOCUMENT_START.match(text)):
        # A saved page named .txt is still a page: only a full document start overrides the suffix.
        kind = sniff_kind(text)
    if kind == "html":
        from crosswire.extract.html import extract_html

        html, defused = _defuse_html(text)
        article = extract_html(html, source=doc.source, url=doc.url, content_hash=doc.content_hash)
        article.removed[:0] = defused
    else:
        from crosswire.extract.plaintext import extract_text

        article = extract_text(text, source=doc.source, url=doc.url, content_hash=doc.content_hash)
    article.kind = kind
    article.id = article.id or article_id(doc.content_hash)
    article.content_hash = doc.content_hash
    _strip_controls(article)
    if not any(p.text.strip() for p in article.paragraphs):
        why = "; ".join(article.errors) or "no text found"
        raise EmptyDocumentError(f"no article text: {why}")
    article.set_offsets()
    return article


def _strip_controls(article: Article) -> None:
    """Drop control characters that HTML entities (``&#27;``) bring back after decoding."""
    for name in ("title", "byline", "description"):
        value = getattr(article, name)
        if value:
            setattr(article, name, strip_controls(value))
    for p in article.paragraphs:
        p.text = strip_controls(p.text)
    for r in article.removed:
        r.text = strip_controls(r.text)


def warmup() -> None:
    """Import both extractors and run each once on a tiny input, so lazy loads happen up front."""
    doc = Document(source="<warmup>", content=b"Warm up\n\nThis is a line of text.\n")
    extract(doc)
    extract(Document(source="<warmup>", content=b"<html><body><p>Warm up.</p></body></html>"))
