"""Fetch one page by URL, refusing what a hostile link could use to reach inside the network.

A URL given by a user (or by a page) may point at ``localhost``, a cloud metadata address or a
private range. Unless ``allow_private`` is set, every address the host resolves to must be
public; the address actually connected to is checked again before the body is read (a DNS
answer that changes between the two would otherwise slip through), and each redirect is
followed by hand and checked the same way. The body is read up to ``max_bytes`` only.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import httpx

from crosswire import __version__
from crosswire.records import Document, Failure, Kind

USER_AGENT = f"crosswire/{__version__} (+https://github.com/crosswire)"
MAX_REDIRECTS = 5


class RefusedError(Exception):
    """The URL may not be fetched (scheme, address); the message says why."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Raise :class:`RefusedError` unless ``url`` is http(s) and (unless allowed) public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedError(f"only http and https URLs can be fetched, not {parts.scheme or 'none'}")
    host = parts.hostname
    if not host:
        raise RefusedError("the URL has no host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise RefusedError(f"cannot resolve {host}: {exc.strerror}") from exc
    for info in infos:
        address = str(info[4][0])
        if not _public(address):
            raise RefusedError(
                f"{host} resolves to {address}, a private, loopback or reserved address "
                "(allow it with --allow-private)"
            )


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    max_bytes: int,
    timeout: float = 20.0,
) -> Document | Failure:
    """The page at ``url`` as a :class:`Document`, or a :class:`Failure` saying why not."""
    try:
        return _fetch(url, allow_private=allow_private, max_bytes=max_bytes, timeout=timeout)
    except RefusedError as exc:
        return Failure(url, f"refused: {exc}")
    except httpx.TimeoutException:
        return Failure(url, f"timed out after {timeout:g} s")
    except httpx.HTTPError as exc:
        return Failure(url, f"fetch failed: {type(exc).__name__}: {exc}")


def _fetch(url: str, *, allow_private: bool, max_bytes: int, timeout: float) -> Document | Failure:
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"}
    with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, allow_private=allow_private)
            with client.stream("GET", current) as response:
                _check_peer(response, allow_private)
                if response.is_redirect and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                if response.status_code >= 400:
                    return Failure(url, f"HTTP {response.status_code} from {current}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        return Failure(url, f"page larger than {max_bytes} bytes")
                ctype = response.headers.get("content-type", "")
                kind: Kind | None = None
                if "html" in ctype:
                    kind = "html"
                elif ctype.startswith("text/plain"):
                    kind = "text"
                return Document(
                    source=url,
                    content=bytes(body),
                    url=str(response.url),
                    kind=kind,
                    encoding=response.charset_encoding,
                )
    return Failure(url, f"more than {MAX_REDIRECTS} redirects")


def _check_peer(response: httpx.Response, allow_private: bool) -> None:
    if allow_private:
        return
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and not _public(str(peer[0])):
        raise RefusedError(f"connected to {peer[0]}, a private, loopback or reserved address")
