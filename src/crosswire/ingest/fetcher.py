"""A polite, safe HTTP fetcher for news pages, feeds and sitemaps.

Polite: robots.txt is honoured (protego: wildcards, longest match, crawl-delay), each host gets
at most ``per_host`` requests at a time and a pause between them (``delay``, or the host's
crawl-delay if longer, capped), the user agent says who we are, and a failing host is retried
only a few times with growing pauses (a ``Retry-After`` is respected up to a cap).

Safe: only http(s); the name is resolved and every address checked (see
:mod:`crosswire.ingest.safety`), then the fetcher connects to the checked address itself (the
``Host`` header and TLS server name stay the original host, so virtual hosting and certificate
checks work); each redirect is a new request checked the same way, at most ``max_redirects``;
the body is read up to ``max_bytes`` *after* decompression, so a gzip bomb stops at the cap.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from protego import Protego

from crosswire import __version__
from crosswire.ingest.files import DEFAULT_MAX_BYTES
from crosswire.ingest.safety import RefusedError, check_url
from crosswire.records import Document, Failure, Kind

USER_AGENT = f"crosswire/{__version__} (news analysis; +https://github.com/crosswire/crosswire)"
#: The name robots.txt rules are matched against.
ROBOTS_AGENT = "crosswire"
_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
#: A crawl-delay or Retry-After longer than this is capped: the run would otherwise stall.
MAX_WAIT = 60.0
ROBOTS_MAX_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class Policy:
    """How the fetcher behaves; the defaults suit a news crawl of many hosts."""

    user_agent: str = USER_AGENT
    timeout: float = 20.0
    """Seconds for connecting, and between two reads of the body."""
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    retries: int = 2
    """Further attempts after a timeout, a connection error, 429 or 5xx."""
    backoff: float = 1.0
    """Seconds before the first retry; doubled each time."""
    delay: float = 1.0
    """Seconds between two requests to the same host."""
    per_host: int = 2
    """Requests to one host at a time."""
    allow_private: bool = False
    robots: bool = True


@dataclass(slots=True)
class Fetched:
    """What a fetch got: a page, or (for a conditional request) that nothing changed."""

    url: str
    """The URL asked for."""
    final_url: str
    status: int
    document: Document | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(slots=True)
class _Host:
    slots: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0
    robots: Protego | None = None
    robots_loaded: bool = False
    crawl_delay: float = 0.0


class Fetcher:
    """Fetch pages under a :class:`Policy`; safe to share between threads. Close it (or use it
    as a context manager) to release connections."""

    def __init__(self, policy: Policy = Policy()) -> None:
        self.policy = policy
        # trust_env=False: a proxy from the environment would resolve names itself, skipping
        # the address check.
        # No kept-alive connections: a pooled TLS connection to one address could otherwise
        # carry a request for another host name served there, under the first one's
        # certificate check.
        self._client = httpx.Client(
            timeout=policy.timeout,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self._hosts: dict[str, _Host] = {}
        self._guard = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- public -------------------------------------------------------------------------------

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched | Failure:
        """GET ``url`` (following redirects, honouring robots.txt); a :class:`Failure` says
        why nothing could be had. ``etag``/``last_modified`` make it conditional."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return self._follow(url, headers)
        except RefusedError as exc:
            return Failure(url, f"refused: {exc}")
        except httpx.TimeoutException:
            return Failure(url, f"timed out after {self.policy.timeout:g} s")
        except httpx.HTTPError as exc:
            return Failure(url, f"fetch failed: {type(exc).__name__}: {exc}")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (always, when robots are not honoured)."""
        if not self.policy.robots:
            return True
        host = self._host(url)
        self._load_robots(url, host)
        return host.robots is None or host.robots.can_fetch(url, ROBOTS_AGENT)

    # -- internals ----------------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._guard:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host(threading.Semaphore(self.policy.per_host))
            return host

    def _load_robots(self, url: str, host: _Host) -> None:
        with host.lock:
            if host.robots_loaded:
                return
            host.robots_loaded = True
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        try:
            response = self._request(robots_url, {}, ROBOTS_MAX_BYTES)
        except (RefusedError, httpx.HTTPError):
            return  # unreachable robots.txt: the page fetch will fail or succeed on its own
        status, _, body, _ = response
        if 400 <= status < 500:
            return  # no robots.txt: everything is allowed
        if status >= 500 or body is None:
            # A server error on robots.txt means "not now" (and one too large to read cannot be
            # honoured): fetch nothing from this host.
            host.robots = Protego.parse("User-agent: *\nDisallow: /")
            return
        robots = Protego.parse(body.decode("utf-8", errors="replace"))
        host.robots = robots
        delay = robots.crawl_delay(ROBOTS_AGENT)
        if delay:
            host.crawl_delay = min(float(delay), MAX_WAIT)

    def _follow(self, url: str, headers: dict[str, str]) -> Fetched | Failure:
        current = url
        for _ in range(self.policy.max_redirects + 1):
            if not self.allowed(current):
                return Failure(url, f"robots.txt disallows {current}")
            status, response_headers, body, location = self._with_retries(current, headers)
            if location is not None:
                current = urljoin(current, location)
                continue
            if status == 304:
                return Fetched(url, current, status, None, *_validators(response_headers))
            if status >= 400:
                return Failure(url, f"HTTP {status} from {current}")
            if body is None:
                return Failure(url, f"page larger than {self.policy.max_bytes} bytes")
            ctype = response_headers.get("content-type", "")
            document = Document(
                source=url,
                content=body,
                url=current,
                kind=_kind(ctype),
                encoding=_charset(ctype),
            )
            return Fetched(url, current, status, document, *_validators(response_headers))
        return Failure(url, f"more than {self.policy.max_redirects} redirects")

    def _with_retries(
        self, url: str, headers: dict[str, str]
    ) -> tuple[int, httpx.Headers, bytes | None, str | None]:
        wait = self.policy.backoff
        for attempt in range(self.policy.retries + 1):
            last = attempt == self.policy.retries
            try:
                status, response_headers, body, location = self._request(
                    url, headers, self.policy.max_bytes
                )
            except (httpx.TimeoutException, httpx.TransportError):
                if last:
                    raise
                time.sleep(wait)
                wait *= 2
                continue
            if status in _RETRY_STATUS and not last:
                time.sleep(min(_retry_after(response_headers) or wait, MAX_WAIT))
                wait *= 2
                continue
            return status, response_headers, body, location
        raise AssertionError("unreachable")

    def _request(
        self, url: str, headers: dict[str, str], limit: int
    ) -> tuple[int, httpx.Headers, bytes | None, str | None]:
        """One GET to a checked address: status, headers, body (``None`` past ``limit``) and
        the redirect target, if it is one."""
        addresses = check_url(url, allow_private=self.policy.allow_private)
        parts = urlsplit(url)
        hostname = parts.hostname or ""
        address = addresses[0]
        literal = f"[{address}]" if ":" in address else address
        netloc = literal if parts.port is None else f"{literal}:{parts.port}"
        target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        host_header = parts.netloc.rsplit("@", 1)[-1]
        request_headers = {"User-Agent": self.policy.user_agent, "Host": host_header, **headers}
        extensions = {"sni_hostname": hostname} if parts.scheme == "https" else {}
        host = self._host(url)
        with self._slot(host):
            request = self._client.build_request(
                "GET", target, headers=request_headers, extensions=extensions
            )
            response = self._client.send(request, stream=True)
            try:
                if response.is_redirect and "location" in response.headers:
                    return response.status_code, response.headers, b"", response.headers["location"]
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        return response.status_code, response.headers, None, None
                return response.status_code, response.headers, bytes(body), None
            finally:
                response.close()

    @contextmanager
    def _slot(self, host: _Host) -> Iterator[None]:
        with host.slots:
            with host.lock:
                pause = max(self.policy.delay, host.crawl_delay)
                now = time.monotonic()
                start = max(now, host.next_at)
                host.next_at = start + pause
            if start > now:
                time.sleep(start - now)
            yield


def _validators(headers: httpx.Headers) -> tuple[str | None, str | None]:
    return headers.get("etag"), headers.get("last-modified")


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _kind(content_type: str) -> Kind | None:
    ctype = content_type.lower()
    if "html" in ctype:
        return "html"
    if ctype.startswith("text/plain"):
        return "text"
    return None


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip().strip('"') or None
    return None
