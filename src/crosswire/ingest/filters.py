"""Which pages a run keeps: by publication date, language, host and URL pattern.

Filters are checked twice: on a URL or a listed link before anything is fetched or extracted
(host, URL pattern, and the date or language a feed or sitemap gives), and on the article after
extraction (its publication date and detected language, and its URL when the input had none).

``url_pattern`` is a shell-style glob (``*``, ``?``, ``[...]``) matched against the whole URL,
case-sensitively as URL paths are: ``*/politics/*``, ``https://*.example.org/2024/*``. A glob
rather than a regular expression because the dots and slashes of a URL then need no escaping.
"""

from __future__ import annotations

import calendar
import contextlib
import re
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from crosswire.records import Article, Link

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_LANGUAGE = re.compile(r"[a-z]{2}")


def normalize_host(host: str) -> str:
    """A host as filters compare it: lowercase, ASCII (IDNA), no port, no trailing dot, no
    leading ``www.``. Takes a bare host, ``host:port`` or a URL."""
    host = host.strip()
    if "://" in host:
        host = urlsplit(host).hostname or ""
    else:
        host = host.split("/", 1)[0].rsplit("@", 1)[-1]
        if host.startswith("["):
            host = host[1:].split("]", 1)[0]
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
    return _bare(host)


def _bare(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    # Users type "bücher.de"; URLs carry "xn--bcher-kva.de".
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    return host.removeprefix("www.")


def normalize_language(code: str) -> str:
    """The ISO 639-1 part of a language tag: ``en-US`` → ``en``; :class:`ValueError` if none."""
    primary = code.strip().lower().replace("_", "-").split("-", 1)[0]
    if not _LANGUAGE.fullmatch(primary):
        raise ValueError(f"not an ISO 639-1 language code: {code!r} (use two letters, e.g. en)")
    return primary


def period(value: str) -> tuple[date, date] | None:
    """The first and last day an ISO date, month or year (``2024-10``) covers; a datetime's date
    is taken as written, in its own time zone. ``None`` when it is not such a date."""
    match = _ISO_DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        if day is not None:
            one = date(int(year), int(month), int(day))
            return one, one
        if month is not None:
            last = calendar.monthrange(int(year), int(month))[1]
            return date(int(year), int(month), 1), date(int(year), int(month), last)
        return date(int(year), 1, 1), date(int(year), 12, 31)
    except ValueError:
        return None


@dataclass(frozen=True)
class Filters:
    """What to keep. Every field left empty keeps everything; set fields must all match.

    ``hosts``: a host matches itself and its subdomains, a leading ``www.`` ignored on both
    sides (``bbc.co.uk`` keeps ``www.bbc.co.uk`` and ``news.bbc.co.uk``). ``since``/``until``
    are inclusive; a date of month or year precision passes when its period overlaps them.
    An article with no publication date (or no detected language) fails a date (language)
    filter: nothing says it belongs.
    """

    since: date | None = None
    until: date | None = None
    languages: frozenset[str] = field(default_factory=frozenset)
    """ISO 639-1 codes."""
    hosts: frozenset[str] = field(default_factory=frozenset)
    url_pattern: str | None = None
    """A shell-style glob over the whole URL (see the module docs)."""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "languages", frozenset(normalize_language(c) for c in self.languages)
        )
        object.__setattr__(self, "hosts", frozenset(normalize_host(h) for h in self.hosts))

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.since or self.until or self.languages or self.hosts or self.url_pattern)

    def url_reason(self, url: str) -> str | None:
        """Why ``url`` is filtered out (host or URL pattern), or ``None`` when it passes."""
        if self.hosts:
            host = _bare(urlsplit(url).hostname or "")
            if not any(host == h or host.endswith("." + h) for h in self.hosts):
                return (
                    f"host {host or '(none)'} is not among --host {', '.join(sorted(self.hosts))}"
                )
        if self.url_pattern is not None and not fnmatchcase(url, self.url_pattern):
            return f"URL does not match --url-pattern {self.url_pattern}"
        return None

    def accept_url(self, url: str) -> bool:
        """Whether a URL passes the host and URL-pattern filters."""
        return self.url_reason(url) is None

    def date_reason(self, published: str | None, *, missing_ok: bool = False) -> str | None:
        """Why a publication date is filtered out, or ``None`` when it passes."""
        if self.since is None and self.until is None:
            return None
        span = period(published) if published else None
        if span is None:
            return None if missing_ok else "no publication date (a date filter is set)"
        first, last = span
        if self.since is not None and last < self.since:
            return f"published {published}, before --since {self.since.isoformat()}"
        if self.until is not None and first > self.until:
            return f"published {published}, after --until {self.until.isoformat()}"
        return None

    def language_reason(self, language: str | None, *, missing_ok: bool = False) -> str | None:
        """Why a language is filtered out, or ``None`` when it passes."""
        if not self.languages:
            return None
        try:
            code = normalize_language(language) if language else None
        except ValueError:
            code = None
        if code is None:
            return None if missing_ok else "no detected language (a language filter is set)"
        if code not in self.languages:
            return f"language {code} is not among --lang {', '.join(sorted(self.languages))}"
        return None

    def accept_link(self, link: Link) -> bool:
        """Whether a link from a feed or sitemap is worth fetching: its host and URL pass, and so
        do the date and language the listing gives (a listing without them passes; the article
        is checked again once extracted)."""
        return (
            self.url_reason(link.url) is None
            and self.date_reason(link.published, missing_ok=True) is None
            and self.language_reason(link.language, missing_ok=True) is None
        )

    def accept_article(self, article: Article) -> str | None:
        """Why an extracted article is filtered out, or ``None`` when it is kept. Its URL (the
        container's, else the page's canonical link) is checked too, so pages read from files
        are filtered by host and pattern as well; one without any URL then fails."""
        if self.hosts or self.url_pattern is not None:
            if not article.url:
                return "no URL (a --host or --url-pattern filter is set)"
            reason = self.url_reason(article.url)
            if reason:
                return reason
        return self.date_reason(article.published) or self.language_reason(article.language)
