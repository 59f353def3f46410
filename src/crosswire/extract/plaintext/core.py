"""Plain-text copies of news pages → :class:`~crosswire.records.Article`.

Content farms and scrapers hand analysts plain-text copies of articles with the copying site's
chrome glued on. Each non-empty line is one paragraph (hard-wrapped text is re-joined first).
The cascade:

1. lines: split, strip, cut editor credits out ("…(责任编辑:admin)"), re-join hard-wrapped prose;
2. chrome: every line is matched against whole-line chrome patterns (:mod:`.chrome`);
3. head: chrome, metadata and the site's name above the title, the title, then byline/date/source
   lines under it (:mod:`.headmeta`);
4. tail: the first end-of-article marker that qualifies starts the footer (:mod:`.tail`), with
   the date or source lines just above it, and each footer line gets a specific reason; without a
   marker, only a list of cut-off headlines qualifies;
5. body chrome: ads, share buttons, inline "Read more:" links and their lists are dropped in place;
6. roles (:mod:`.roles`): lead and section labels with their summaries at the top, then captions
   (cues in any language, grammar for English: :mod:`.captions`), headings, and body;
7. near-duplicate paragraphs are linked, never dropped (:mod:`.dedup_paragraphs`);
8. provenance: original URL from provenance lines, published date from a date line, else from the
   original's URL, else from the copy's own URL.

Nothing is dropped silently: every removed line is in ``Article.removed`` with its line and reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crosswire.extract.language import detect_language
from crosswire.extract.plaintext.chrome import (
    Chrome,
    classify,
    is_list_item,
    reporter_of,
    strip_credits,
)
from crosswire.extract.plaintext.dedup_paragraphs import Match, near_duplicates
from crosswire.extract.plaintext.headmeta import classify_head
from crosswire.extract.plaintext.lineshape import is_headline_like, is_prose, size
from crosswire.extract.plaintext.roles import assign_roles
from crosswire.extract.plaintext.tail import find_tail, headline_reasons, trailing_headlines
from crosswire.extract.plaintext.textlines import Line, split_lines
from crosswire.extract.provenance import date_from_url, site_of
from crosswire.records import Article, Duplicate, Paragraph, Removed, Role, article_id

__all__ = ["extract_text"]

EMPTY_ERROR = "empty document: no text"

_HEAD_SCAN = 15
_UNDER_TITLE_SCAN = 8
_RELATED_SCAN = 15
_TITLE_MAX = 30
_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+$", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n|\r|\n")
# Words that make a short line above the title an outlet's name ("The Daily Planet", "新浪新闻").
_SITE_NAME = re.compile(
    r"\b(?:news|times|post|daily|online|journal|herald|tribune|gazette|telegraph|chronicle|"
    r"observer|express|mirror|today|weekly|magazine|wire|press|media|network|insider|digest|"
    r"monitor|standard|courier|reporter|zeitung|nachrichten|rundschau|kurier|blatt|noticias|"
    r"diario|periódico|новости|газета|вести)\b|网|網|报|報|新闻|新聞|뉴스|ニュース",
    re.IGNORECASE,
)
# The shorter of two copies repeats the longer; "shorter" by more than this much containment.
_CLEARLY = 0.05
_SHORT_ROLES: frozenset[Role | None] = frozenset({"title", "heading", "label"})


@dataclass(slots=True)
class _Found:
    urls: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    head_dates: list[str] = field(default_factory=list)
    tail_dates: list[str] = field(default_factory=list)


def extract_text(
    text: str, *, source: str, url: str | None = None, content_hash: str = ""
) -> Article:
    """Turn a plain-text copy of a news page into an article; never raises on odd input."""
    article = Article(
        id=article_id(content_hash),
        source=source,
        url=url,
        site=site_of(url),
        kind="text",
        content_hash=content_hash,
    )
    try:
        _extract(text if isinstance(text, str) else str(text), article)
    except Exception as exc:  # a heuristic's bug must not lose the document
        _raw_lines(text, article, exc)
    if not article.paragraphs and EMPTY_ERROR not in article.errors:
        article.errors.append(EMPTY_ERROR)
    article.set_offsets()
    return article


def _raw_lines(text: object, article: Article, exc: Exception) -> None:
    article.paragraphs, article.removed, article.duplicates = [], [], []
    lines = _NEWLINE.split(text) if isinstance(text, str) else []
    for n, line in enumerate(lines, start=1):
        if line.strip():
            article.paragraphs.append(Paragraph(line.strip(), "body", line=n))
    article.errors.append(f"plain-text heuristics failed, lines kept as body: {exc!r}"[:300])


def _extract(text: str, article: Article) -> None:
    units = split_lines(text)
    if not units:
        return
    found = _Found()
    for u in units:
        u.text, u.credits = strip_credits(u.text)
        if not u.text:
            u.text = u.raw
            u.chrome = Chrome("credit", u.credits[0][1] if u.credits else "editor credit")
            u.credits = []
        else:
            u.chrome = classify(u.text)
        u.item = is_list_item(u.text)
    title, body_start = _head(units, found)
    texts = [u.text for u in units]
    chrome = [u.chrome for u in units]
    items = [u.item for u in units]
    tail = find_tail(texts, chrome, items, start=body_start)
    if tail is None:
        tail = trailing_headlines(texts, chrome, items, start=body_start)
    # "Posted 30 Oct 2024" or "Reuters" just above the footer belong to it.
    while (
        tail is not None
        and tail > body_start
        and chrome[tail - 1] is None
        and not items[tail - 1]
        and classify_head(texts[tail - 1]) is not None
    ):
        tail -= 1
    end = len(units) if tail is None else tail
    _drop_body_chrome(units[body_start:end], found)
    if tail is not None:
        _drop_tail(units[tail:], found)
    content = [u for u in units if u.reason is None]
    article.language = detect_language("\n".join(u.text for u in content[:200]))
    matches = near_duplicates([u.text for u in content])
    assign_roles(content, title, matches, english=article.language == "en")
    _fill(article, units, content, matches, found)


def _head(units: list[Line], found: _Found) -> tuple[Line | None, int]:
    """Mark the chrome around the title; return the title and where the body may start."""
    i = 0
    while i < min(len(units), _HEAD_SCAN) and _head_chrome(units[i], found, head=True):
        i += 1
    if i >= len(units) or units[i].chrome is not None or units[i].item:
        return None, i
    if _site_name(units, i):
        units[i].reason = "site name"
        i += 1
    if size(units[i].text) > _TITLE_MAX:
        return None, i
    title = units[i]
    i += 1
    limit = min(len(units), i + _UNDER_TITLE_SCAN)
    while i < limit:
        u = units[i]
        if u.text.casefold() == title.text.casefold():
            u.reason = "title repeated"
        elif not _head_chrome(u, found, head=True):
            break
        i += 1
    return title, i


def _site_name(units: list[Line], i: int) -> bool:
    """Whether line ``i`` is the copying site's name printed above the real title."""
    if i + 2 >= len(units) or any(u.chrome or u.item for u in units[i : i + 2]):
        return False
    name, title, lede = units[i].text, units[i + 1].text, units[i + 2].text
    words = name.split()
    named = _SITE_NAME.search(name) is not None or _DOMAIN.match(name) is not None
    capitalised = all(w[:1].isupper() or not w[:1].isalpha() for w in words)
    return (
        named
        and 1 <= len(words) <= 4
        and capitalised
        and len(name) <= 40
        and is_headline_like(title, max_size=_TITLE_MAX)
        and size(title) > size(name) + 2
        and is_prose(lede)
    )


def _head_chrome(u: Line, found: _Found, *, head: bool) -> bool:
    """Mark ``u`` removed if it is head or tail chrome (metadata, widgets); record what it says."""
    if u.chrome is not None and u.chrome.kind not in ("related", "nav"):
        _record(u.chrome, found, provenance=True)
        u.reason = u.chrome.reason
        return True
    meta = classify_head(u.text) if u.chrome is None else None
    if meta is None:
        return False
    u.reason = meta.reason
    if meta.byline:
        found.bylines.append(meta.byline)
    if meta.published:
        (found.head_dates if head else found.tail_dates).append(meta.published)
    if meta.url:
        found.urls.append(meta.url)
    if meta.source:
        found.sources.append(meta.source)
    return True


def _record(c: Chrome, found: _Found, *, provenance: bool) -> None:
    if c.url and c.kind == "provenance":
        found.urls.append(c.url)
    if provenance and c.kind == "source" and c.name:
        found.sources.append(c.name)


def _drop_body_chrome(units: list[Line], found: _Found) -> None:
    i = 0
    while i < len(units):
        u = units[i]
        i += 1
        if u.chrome is None or u.reason is not None:
            continue
        _record(u.chrome, found, provenance=False)
        u.reason = u.chrome.reason
        if u.chrome.kind == "source":
            u.reason = u.chrome.reason.replace("source line", "source note", 1)
        if u.chrome.kind == "related" and u.chrome.name is None and i < len(units):
            # The links under a "Related:" header: a bullet list, or else bare headline lines,
            # up to a blank line or the first line of another shape.
            bulleted = units[i].item
            j = i
            while (
                j < len(units)
                and j - i < _RELATED_SCAN
                and units[j].chrome is None
                and not (j > i and units[j].gap)
                and (
                    units[j].item
                    if bulleted
                    else not units[j].item and is_headline_like(units[j].text, max_size=25)
                )
            ):
                j += 1
            run = units[i:j]
            for v, reason in zip(run, headline_reasons([v.text for v in run]), strict=True):
                v.reason = reason
            i = j


def _drop_tail(units: list[Line], found: _Found) -> None:
    after: str | None = None
    run: list[Line] = []

    def flush() -> None:
        for v, reason in zip(
            run, headline_reasons([v.text for v in run], after=after), strict=True
        ):
            v.reason = reason
        run.clear()

    for u in units:
        if u.chrome is not None:
            flush()
            _record(u.chrome, found, provenance=True)
            u.reason = u.chrome.reason
            after = u.chrome.kind
        elif not u.item and _head_chrome(u, found, head=False):
            flush()
        else:
            run.append(u)
    flush()


def _fill(
    article: Article, units: list[Line], content: list[Line], matches: list[Match], found: _Found
) -> None:
    for u in content:
        article.paragraphs.append(Paragraph(u.text, u.role or "body", line=u.line))
        if u.role == "title":
            article.title = u.text
        for credit, why in u.credits:
            article.removed.append(Removed(credit, why, line=u.line))
    for u in units:
        if u.reason is not None:
            glued = sorted({why for _credit, why in u.credits})
            reason = " with ".join([u.reason, *glued])
            article.removed.append(Removed(u.raw, reason, line=u.line))
        if u.chrome is not None and u.chrome.kind == "credit":
            found.bylines.extend(filter(None, [reporter_of(u.text)]))
        found.bylines.extend(filter(None, (reporter_of(credit) for credit, _why in u.credits)))
    article.removed.sort(key=lambda r: r.line or 0)
    article.duplicates = _duplicates(content, matches)
    article.original_url = found.urls[0] if found.urls else None
    article.original_site = site_of(article.original_url)
    if article.original_site is None:
        domain = next((s for s in found.sources if _DOMAIN.match(s)), None)
        article.original_site = site_of("https://" + domain) if domain else None
    article.byline = found.bylines[0] if found.bylines else None
    article.published = next(
        iter(found.head_dates + found.tail_dates),
        date_from_url(article.original_url) or date_from_url(article.url),
    )


def _duplicates(content: list[Line], matches: list[Match]) -> list[Duplicate]:
    best: dict[int, Duplicate] = {}
    for m in matches:
        a, b = content[m.first], content[m.second]
        if not m.exact and (a.role in _SHORT_ROLES or b.role in _SHORT_ROLES):
            continue
        # The shorter copy repeats the longer; of two equal copies, a summary restates the body
        # and otherwise the later one repeats the earlier.
        restates = a.role in ("summary", "lead", "caption") and b.role == "body"
        if m.first_in_second > m.second_in_first + _CLEARLY or (
            restates and m.first_in_second >= m.second_in_first
        ):
            repeat, original, similarity = m.first, m.second, m.first_in_second
        else:
            repeat, original, similarity = m.second, m.first, m.second_in_first
        old = best.get(repeat)
        if old is None or similarity > old.similarity:
            best[repeat] = Duplicate(paragraph=repeat, same_as=original, similarity=similarity)
    # Near-equal paragraphs can point at each other round a loop; a loop has no original.
    for repeat in sorted(best):
        seen, at = {repeat}, best[repeat].same_as
        while at in best and at not in seen:
            seen.add(at)
            at = best[at].same_as
        if at in seen:
            del best[repeat]
    return sorted(best.values(), key=lambda d: d.paragraph)
