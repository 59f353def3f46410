"""Bytes to clean Unicode: charset detection, mojibake repair, control-character removal.

Order of evidence, strongest first: a byte-order mark, the charset the container declared (HTTP
header), a ``<meta charset>`` in the page, strict UTF-8, then charset-normalizer's statistical
guess. ftfy then repairs mojibake (UTF-8 read as Windows-1252 and the like) that an upstream
copier baked in.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer
import ftfy

from crosswire.errors import BinaryContentError, EmptyDocumentError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "ELF executable"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ", "xz data"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x00", "binary data"),
)
# C0 controls other than tab/newline/carriage return, DEL, and lone surrogates: they break parsers
# (a lone surrogate crashes some HTML libraries) and never carry meaning in article text.
_C0 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# C1 controls too, but only after ftfy: mojibake repair reads them ("â€\x9d" is a broken ”).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SNIFF = 8192


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    repaired: bool
    """True when ftfy changed the text (mojibake was fixed)."""


def _lookup(name: str | bytes | None) -> str | None:
    if not name:
        return None
    if isinstance(name, bytes):
        name = name.decode("ascii", "ignore")
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def _try(content: bytes, encoding: str | None) -> str | None:
    if encoding is None:
        return None
    # Pages declaring GB2312/GBK routinely hold GB18030-only characters: decode with the superset.
    if encoding in {"gb2312", "gbk"}:
        encoding = "gb18030"
    try:
        return content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def sniff_binary(content: bytes) -> str | None:
    """Name of the binary format ``content`` looks like, or ``None`` when it may be text."""
    head = content[:_SNIFF]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if not head:
        return None
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    # UTF-16 without a BOM is mostly NULs at every other byte: let the decoder try it.
    if controls / len(head) > 0.1 and not _looks_utf16(head):
        return "binary data"
    return None


def _looks_utf16(head: bytes) -> bool:
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = max(1, len(head) // 2)
    return max(even, odd) / half > 0.4 and min(even, odd) / half < 0.05


def _nearly_utf8(content: bytes) -> str | None:
    """UTF-8 damaged in the two ways real pages are: encoded lone surrogates (CESU-style output
    of some CMSs) and a multi-byte character cut off at the end of a truncated download.

    Anything else that fails UTF-8 goes to charset detection: a Windows-1252 page with two accented
    letters must keep them, not lose them to a lenient UTF-8 decode.
    """
    for cut in range(4):
        chunk = content[: len(content) - cut] if cut else content
        try:
            return chunk.decode("utf-8", errors="surrogatepass")
        except UnicodeDecodeError as exc:
            if exc.start < len(chunk) - 4:
                return None
    return None


def strip_controls(text: str) -> str:
    """``text`` without C0/C1 control characters (tab and newlines kept) or lone surrogates."""
    return _CONTROL.sub("", text)


def decode(content: bytes, *, declared: str | None = None, html: bool = True) -> Decoded:
    """Decode raw page bytes to clean text.

    Raises :class:`EmptyDocumentError` for empty or whitespace-only input and
    :class:`BinaryContentError` for content that is not text.
    """
    if not content.strip():
        raise EmptyDocumentError("empty document: no bytes of text")
    binary = sniff_binary(content)
    if binary:
        raise BinaryContentError(f"not a text document: looks like {binary}")

    text: str | None = None
    encoding = ""
    for bom, name in _BOMS:
        if content.startswith(bom):
            text, encoding = _try(content, name), name
            break
    if text is None:
        candidates = [_lookup(declared)]
        if html:
            m = _META_CHARSET.search(content[:_SNIFF])
            candidates.append(_lookup(m.group(1)) if m else None)
        candidates.append("utf-8")
        for enc in candidates:
            text = _try(content, enc)
            if text is not None:
                encoding = enc or ""
                break
    if text is None and _looks_utf16(content[:_SNIFF]):
        text = _try(content, "utf-16-le" if content[1::2][:64].count(0) else "utf-16-be")
        encoding = "utf-16"
    if text is None:
        text, encoding = _nearly_utf8(content), "utf-8"
    if text is None:
        best = charset_normalizer.from_bytes(content[: 1 << 20]).best()
        encoding = best.encoding if best is not None else "utf-8"
        text = content.decode(encoding, errors="replace")

    text = _C0.sub("", text)
    fixed = ftfy.fix_text(
        text,
        unescape_html=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        normalization="NFC",
    )
    fixed = _CONTROL.sub("", fixed)
    if not fixed.strip():
        raise EmptyDocumentError("empty document: no text after decoding")
    return Decoded(fixed, encoding, repaired=fixed != text)
