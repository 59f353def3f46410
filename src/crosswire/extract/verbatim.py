"""Clean text taken as it is (``--plain``): no chrome removal, no repair, offsets unchanged.

Annotated corpora give character offsets into their text files; scoring against them needs an
article whose ``text`` is the input itself, character for character.
"""

from __future__ import annotations

from crosswire.errors import BinaryContentError, DocumentTooLargeError, EmptyDocumentError
from crosswire.extract.encoding import decode, sniff_binary
from crosswire.ingest.files import DEFAULT_MAX_BYTES
from crosswire.records import Article, Document, Paragraph, article_id


def extract_verbatim(doc: Document, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """An article whose ``text`` is ``doc``'s text unchanged (one paragraph holding it all).

    UTF-8 input is taken byte for byte. Anything else is decoded like any page (charset
    detection, mojibake repair) and the article's ``errors`` say so, since offsets then index
    the decoded text rather than the raw bytes.
    """
    if len(doc.content) > max_bytes:
        raise DocumentTooLargeError(
            f"document too large: {len(doc.content):,} bytes exceeds the {max_bytes:,}-byte limit "
            "(raise it with --max-bytes)"
        )
    if not doc.content.strip():
        raise EmptyDocumentError("empty document: no bytes of text")
    binary = sniff_binary(doc.content)
    if binary:
        raise BinaryContentError(f"not a text document: looks like {binary}")
    errors: list[str] = []
    try:
        text = doc.content.decode("utf-8")
    except UnicodeDecodeError:
        decoded = decode(doc.content, declared=doc.encoding, html=False)
        text = decoded.text
        errors.append(f"input is not UTF-8: decoded as {decoded.encoding}")
    if not text.strip():
        raise EmptyDocumentError("empty document: no text")
    article = Article(
        id=article_id(doc.content_hash),
        source=doc.source,
        url=doc.url,
        kind="plain",
        paragraphs=[Paragraph(text=text, role="body")],
        errors=errors,
        content_hash=doc.content_hash,
    )
    article.set_offsets()
    return article
