"""Byline, date, source and breadcrumb lines around a copied article's title (and in its footer).

These shapes are only trusted next to the title or in the footer: in the body, "By Tuesday, top
officials…" or a line that happens to hold a date belongs to the story. A metadata line may pack
several items ("2024-10-23 10:20:15　来源：新华网　作者：张三",
"By Jane Smith | Reuters | Oct 23, 2024"): it is split into pieces and read only if *every* piece
is metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crosswire.extract.plaintext.chrome import has_url, is_widget, source_of
from crosswire.extract.plaintext.textdates import find_date, is_date_line

__all__ = ["HeadMeta", "classify_head"]

_MAX_CHARS = 200
_MAX_PIECES = 12

_PLACE_PREFIX = r"(?:you\s+are\s+here|当前位置|當前位置|您的位置|现在位置)\s*[:：]\s*"
_BREADCRUMB = re.compile(
    r"^(?:" + _PLACE_PREFIX + r")?[^>»›\n]{1,40}(?:\s*[>»›]\s*[^>»›\n]{1,60}){1,8}$",
    re.IGNORECASE,
)
_HOME = re.compile(
    r"^(?:" + _PLACE_PREFIX + r")?"
    r"(?:home|start|startseite|accueil|inicio|portada|главная|首页|首頁|主页|ホーム|홈|news)$",
    re.IGNORECASE,
)
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:(?:written|words|story|reported|text)\s+by|by|von|par|por|di|door|af|av|od|от)"
    r"(?:\s*[:：/／]\s*|\s+)(?=\S)|"
    r"(?:autor|autorin|auteur|autore|autora|author|reporter|автор|авторы|text|texto)"
    r"\s*[:：]\s*|"
    r"(?:作者|记者|記者|文|撰文|撰稿|기자)\s*[:：/／]?\s*)",
    re.IGNORECASE,
)
_NAME_PARTICLES = frozenset(
    str.split("de van von der den da di du la le al bin el dos das del ter ten st mc y")
)
_NAME_JOINERS = re.compile(
    r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|\bи\b|\bта\b|、|，)\s*"
)
_NAME_PLACE = re.compile(r"\s+(?:in|aus|à|en|в|из)\s+(?=[A-ZÀ-ÖØ-ÞА-ЯЁ])")
_CJK = re.compile(r"[\u3400-\u9fff\uac00-\ud7af]")
_META_SPLIT = re.compile(r"\s*[|｜·•]\s*|\s+[–—-]\s+|\s{2,}|\u3000+")
_META_KEYS = re.compile(
    r"(?=(?:来源|來源|作者|编辑|編輯|责任编辑|責任編輯|记者|記者|发布时间|發佈時間|发布日期|"
    r"时间|時間|日期|浏览|瀏覽|阅读|閱讀|点击|點擊|字号|字號)\s*[:：])"
)
_META_NOISE = re.compile(
    r"^(?:(?:浏览|瀏覽|阅读|閱讀|点击|點擊|浏览次数|阅读量|views?|reads?)\s*[:：]?\s*\d[\d,]*|"
    r"\d[\d,]*\s*(?:views?|reads?|次浏览|次阅读|comments?)|"
    r"字号\s*[:：]?.{0,12}|字號\s*[:：]?.{0,12}|[大中小](?:\s+[大中小]){1,2}|"
    r"\d+\s*(?:min|mins|minute|minutes)\.?\s+read|updated|aktualisiert|"
    r"\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.|uhr|[a-z]{2,4}))?)$",
    re.IGNORECASE,
)
_AGENCIES = re.compile(
    r"^(?:reuters|ap|associated press|afp|dpa|epd|kna|apa|sda|ansa|efe|europa press|tass|"
    r"ria novosti|interfax|ukrinform|xinhua|新华社|新華社|中新社|中新网|中新網|人民网|人民網|"
    r"央视新闻|kyodo|yonhap|bloomberg|upi|aap|pa|pa media|ani|pti|ians|anadolu|bernama|cna|"
    r"abc news|bbc news|cnn)$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class HeadMeta:
    """What a byline / date / source line in the head or footer of a copy says."""

    reason: str
    byline: str | None = None
    published: str | None = None
    source: str | None = None
    url: str | None = None


def _byline_name(text: str) -> str | None:
    """The name(s) in a byline's text if it reads as names ("Jane Smith and John Doe, Reuters")."""
    text = _NAME_PLACE.split(text, maxsplit=1)[0].strip(" ,;:|")
    if not text or len(text) > 100 or has_url(text) or any(ch.isdigit() for ch in text):
        return None
    if _CJK.search(text):
        parts = [p for p in re.split(r"[\s、，,]+", text) if p]
        return text if len(parts) <= 6 and all(1 <= len(p) <= 5 for p in parts) else None
    words = [w for piece in _NAME_JOINERS.split(text) for w in piece.split()]
    sentence_end = text.endswith((".", "!", "?")) and not re.search(r"\b\w\.$", text)
    if not 1 <= len(words) <= 12 or sentence_end:
        return None
    for w in words:
        core = w.strip("().'’\"")
        if not core or core.casefold() in _NAME_PARTICLES or re.fullmatch(r"\w\.?", core):
            continue
        if not core[0].isupper():
            return None
    return text


def _meta_piece(piece: str, meta: HeadMeta) -> bool:
    """Read one piece of a metadata line into ``meta``; ``False`` if the piece is not metadata."""
    piece = piece.strip(" ,;|")
    if not piece:
        return True
    is_date, iso = is_date_line(piece)
    if is_date:
        meta.published = meta.published or iso
        return True
    if _META_NOISE.match(piece) or is_widget(piece):
        return True
    source = source_of(piece)
    if source is not None:
        meta.url = meta.url or source[0]
        meta.source = meta.source or source[1]
        return True
    if _AGENCIES.match(piece):
        meta.source = meta.source or piece
        return True
    if m := _BYLINE_PREFIX.match(piece):
        rest = piece[m.end() :]
        # Run-on head lines ("By Jane Smith October 23, 2024"): the date is a piece of its own.
        if find_date(rest):
            cut = re.search(r"\s(?=\S*\d)", rest)
            if cut:
                rest, tail = rest[: cut.start()], rest[cut.start() :]
                if not _meta_piece(tail, meta):
                    return False
        name = _byline_name(rest)
        if name:
            meta.byline = meta.byline or name
            return True
    return False


def _breadcrumb(text: str) -> bool:
    if not _BREADCRUMB.match(text) or len(text.split()) > 16 or has_url(text) or "<" in text:
        return False
    pieces = re.split(r"\s*[>»›]\s*", text)
    homeward = len(pieces) >= 3 or _HOME.match(pieces[0]) is not None
    return homeward and all(len(p.split()) <= 6 for p in pieces)


def classify_head(text: str) -> HeadMeta | None:
    """What a byline, date, source or breadcrumb line says; ``None`` for any other line."""
    if not 0 < len(text) <= _MAX_CHARS:
        return None
    if _breadcrumb(text):
        return HeadMeta("breadcrumb")
    meta = HeadMeta("metadata line")
    pieces = [p for chunk in _META_SPLIT.split(text) for p in _META_KEYS.split(chunk)]
    if len(pieces) > _MAX_PIECES or not all(_meta_piece(p, meta) for p in pieces):
        return None
    found = [
        name
        for name, value in (
            ("byline", meta.byline),
            ("date line", meta.published),
            ("source line", meta.source or meta.url),
        )
        if value
    ]
    if not found:
        if not is_date_line(text)[0]:
            return None
        found = ["date line"]
    if found == ["source line"] and meta.source:
        found = [f'source line ("{meta.source}")']
    meta.reason = found[0] if len(found) == 1 else "metadata line (" + ", ".join(found) + ")"
    return meta
