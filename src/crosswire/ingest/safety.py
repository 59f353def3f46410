"""Which addresses a fetch may reach.

A URL given by a user, listed in a feed or found in a redirect may point at ``localhost``, a cloud
metadata address or a private range. Unless private addresses are allowed, a host is fetched only
if every address it resolves to is public, and the fetcher then connects to one of those checked
addresses itself (never letting the HTTP client resolve the name again, which a DNS answer
changing between the check and the connection would exploit).

Odd spellings of an address (``0x7f.1``, ``2130706433``, ``127.1``, ``[::ffff:127.0.0.1]``)
are resolved by the system's own parser before the check, so they are checked as what they mean.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedError(Exception):
    """The URL may not be fetched (scheme, address, robots.txt); the message says why."""


#: Special-purpose ranges that Python 3.11's ``is_global`` still calls global (later versions
#: learnt some of them): no news site is served from these.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(n)
    for n in (
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast, deprecated
        "::/96",  # IPv4-compatible IPv6, deprecated: ::127.0.0.1
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b:1::/48",  # local-use NAT64
        "fec0::/10",  # site-local, deprecated
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 segment identifiers
    )
)
#: The well-known NAT64 prefix: the address reached is the IPv4 one in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address: str) -> bool:
    """Whether an IP address is a public, unicast, globally routable one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
        elif ip.teredo is not None:
            ip = ip.teredo[1]
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip in net for net in _NOT_PUBLIC):
        return False
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """The addresses to connect to for ``host``; :class:`RefusedError` unless all are allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedError(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise RefusedError(f"{host} resolves to no address")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise RefusedError(
                    f"{host} resolves to {address}, a private, loopback or reserved address "
                    "(allow it with --allow-private)"
                )
    return addresses


def check_url(url: str, *, allow_private: bool = False) -> list[str]:
    """Check a URL's scheme and host; give the addresses it may be fetched from."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedError(f"only http and https URLs can be fetched, not {parts.scheme or 'none'}")
    if not parts.hostname:
        raise RefusedError("the URL has no host")
    if parts.username or parts.password:
        raise RefusedError("URLs with credentials are not fetched")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedError(f"bad port in {url}") from exc
    return resolve(parts.hostname, port, allow_private=allow_private)
