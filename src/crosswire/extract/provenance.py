"""Where an article comes from: site names and dates read off URLs.

Built on courlan (URL cleaning, domains) rather than hand-rolled URL parsing.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

import courlan

# Dates in URL paths: /2024-10-23/, /2024/10/23/, /20241023/. htmldate's own URL extractor needs an
# Extractor options object and only returns full dates; this keeps month precision (/2024/10/).
_URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/_.]?(?P<m>0[1-9]|1[0-2])(?:[-/_.]?(?P<d>0[1-9]|[12]\d|3[01]))?(?!\d)"
)


@lru_cache(maxsize=4096)
def site_of(url: str | None) -> str | None:
    """The registrable domain of ``url`` without ``www.`` (``abc.net.au``), or ``None``.

    Cached: the same few URLs (given, canonical, original) come up several times per page.
    """
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    domain = courlan.extract_domain(url, fast=True)
    if isinstance(domain, str) and domain:
        return str(domain)
    return host.removeprefix("www.")


def date_from_url(url: str | None) -> str | None:
    """An ISO date (or ``YYYY-MM``) found in the URL's path, if plausible."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for m in _URL_DATE.finditer(path):
        y, mo, d = int(m["y"]), int(m["m"]), m["d"]
        try:
            if d is None:
                date(y, mo, 1)
                return f"{y:04d}-{mo:02d}"
            return date(y, mo, int(d)).isoformat()
        except ValueError:
            continue
    return None


def clean_url(url: str | None) -> str | None:
    """A syntactically valid absolute http(s) URL, or ``None``."""
    if not url:
        return None
    url = url.strip().strip("<>\"'()[]（）")
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.hostname else None
