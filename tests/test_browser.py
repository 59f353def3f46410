"""`crosswire serve` in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright. The samples are ingested, served on a loopback port, and read the way a person
would: stories → the seed story → its disagreement → the claim's sentence highlighted in the
article; a search from the header. A page whose text and metadata carry script payloads is
served too, and no script of its runs.

Every page records what it requests and what it logs: any request off 127.0.0.1, any console
error (a Content-Security-Policy violation is one) or uncaught exception fails the test.

Screenshots go to ``tests/artifacts/`` (full pages); with ``CROSSWIRE_SCREENSHOTS=DIR`` the top
of each page is also saved to ``DIR`` (how ``docs/screenshots/`` for the README is made).

Without ``/usr/bin/chromium`` or the ``playwright`` package the tests are skipped, unless
``CROSSWIRE_REQUIRE_BROWSER=1`` (set by CI; ``tools/ensure_chromium.sh`` installs Chromium).
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import quote, urlsplit

import pytest
from click.testing import CliRunner

from crosswire.cli import main

from conftest import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Dialog, Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOST = "127.0.0.1"
VIEWPORT: ViewportSize = {"width": 1200, "height": 900}
ARTIFACTS = ROOT / "tests" / "artifacts"
REQUIRE = "CROSSWIRE_REQUIRE_BROWSER"
SCREENSHOTS = "CROSSWIRE_SCREENSHOTS"

# ---------------------------------------------------------------------------------------------
# The browser, the servers, and pages that watch what they do


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason} (and ${REQUIRE}=1); run: bash tools/ensure_chromium.sh")
    pytest.skip(f"{reason}; run `bash tools/ensure_chromium.sh` (or set ${REQUIRE}=1 to fail)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"no browser at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy


class Server:
    """The app on a free loopback port, served by uvicorn in a background thread."""

    def __init__(self, db: Path) -> None:
        import uvicorn

        from crosswire.serve.app import create_app
        from crosswire.serve.settings import Settings

        with socket.socket() as s:
            s.bind((HOST, 0))
            self.port = int(s.getsockname()[1])
        self.base = f"http://{HOST}:{self.port}"
        config = uvicorn.Config(
            create_app(Settings(db)), host=HOST, port=self.port, log_level="warning"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="crosswire-serve")

    def __enter__(self) -> Server:
        self._thread.start()
        for _ in range(600):  # until it answers (or its thread died)
            if not self._thread.is_alive():
                break
            if self._server.started:
                try:
                    with _LOCAL.open(f"{self.base}/stories.json") as r:
                        if r.status == 200:
                            return self
                except OSError:
                    pass
            time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"the server on {self.base} did not start")

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join()

    def json(self, path: str) -> Any:
        with _LOCAL.open(self.base + path) as r:
            return json.load(r)


def _ingest(db: Path, *inputs: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", "-q", "--db", str(db), *map(str, inputs)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def site(browser: Browser, samples_db: Path) -> Iterator[Server]:
    """The bundled samples (the seed among them), ingested with the CLI and served.

    ``samples_db`` (conftest) is that ingest, done once per run: the server only reads it."""
    with Server(samples_db) as server:
        yield server


def _on_host(url: str) -> bool:
    if url.startswith(("data:", "about:blank")):
        return True  # inline, never leaves the page
    return urlsplit(url).hostname == HOST


@dataclass
class Watched:
    """A page and everything it did that a test may hold against it."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        off_host = [u for u in self.requests if not _on_host(u)]
        assert not off_host, f"requests off {HOST}: {off_host}"
        assert not self.errors, f"console errors or uncaught exceptions: {self.errors}"
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
        assert self.requests, "the page recorded no requests at all"


OpenPage = Callable[..., Watched]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """``open_page(bypass_csp=False)``: a fresh page in its own context, watched; every page
    opened is checked again when the test ends."""
    contexts: list[BrowserContext] = []
    watched: list[Watched] = []

    def open_(*, bypass_csp: bool = False) -> Watched:
        context = browser.new_context(viewport=VIEWPORT, bypass_csp=bypass_csp)
        contexts.append(context)
        # Nothing off-host is even attempted on the network: it is recorded, then aborted.
        context.route(lambda url: not _on_host(url), lambda route: route.abort())
        w = Watched(context.new_page())
        w.page.on("request", lambda r: w.requests.append(r.url))
        w.page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
        w.page.on("pageerror", lambda e: w.errors.append(f"uncaught: {e}"))

        def dialog(d: Dialog) -> None:
            w.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        w.page.on("dialog", dialog)
        watched.append(w)
        return w

    yield open_
    try:
        for w in watched:
            w.assert_clean()
    finally:
        for c in contexts:
            c.close()


def _shoot(page: Page, name: str) -> None:
    """A full-page PNG in tests/artifacts/; the visible top also in $CROSSWIRE_SCREENSHOTS."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, full_page=True)
    if docs := os.environ.get(SCREENSHOTS):
        target = ROOT / docs if not Path(docs).is_absolute() else Path(docs)
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=target / name, full_page=False)


def _seed_story(site: Server) -> dict[str, Any]:
    stories = site.json("/stories.json")["items"]
    return next(s for s in stories if "North Korea" in s["title"])


# ---------------------------------------------------------------------------------------------
# Reading the seed story


def test_stories_page_leads_to_the_seed_disagreement(site: Server, open_page: OpenPage) -> None:
    from playwright.sync_api import expect

    w = open_page()
    page = w.page
    page.goto(f"{site.base}/stories")
    expect(page.locator("table.stories tbody tr")).to_have_count(6)
    link = page.locator("a.story-link", has_text="North Korea")
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_url(f"{site.base}/story/*")
    expect(page.locator("h1")).to_contain_text("North Korea")

    disagreement = page.locator("#disagreements details.disagreement")
    expect(disagreement).to_have_count(1)
    summary = disagreement.locator("summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Ukraine says some 11,000")
    expect(summary).to_contain_text("South Korea says 1,500")
    sides = disagreement.locator("li.side")
    expect(sides).to_have_count(2)
    expect(sides.nth(0)).to_contain_text("11,000 North Korean troops")
    expect(sides.nth(1)).to_contain_text("1,500 special forces troops")
    # Timeline and map are drawn and load from this host only (checked by assert_clean).
    expect(page.locator("#timeline svg")).to_have_count(1)
    assert f"{site.base}/map/land.svg" in w.requests
    w.assert_clean()


@pytest.mark.parametrize("who", ["Ukraine", "South Korea"])
def test_a_claim_link_lands_on_its_sentence_highlighted(
    site: Server, open_page: OpenPage, who: str
) -> None:
    from playwright.sync_api import expect

    story = _seed_story(site)
    (d,) = site.json(f"/story/{story['id']}.json")["disagreements"]
    sentence = next(side["sentence"] for side in d["sides"] if side["who"] == who)

    w = open_page()
    page = w.page
    page.goto(f"{site.base}/story/{story['id']}")
    page.locator("#disagreements a.to-sentence", has_text=who).click()
    page.wait_for_url(f"{site.base}/article/**")
    page.wait_for_load_state("load")

    hl = page.locator("#hl")
    expect(hl).to_have_count(1)
    expect(hl).to_be_in_viewport()
    background = hl.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(255, 224, 102)", background  # --hl in app.css
    # A quote inside the sentence does not paint over the highlight with its own colour.
    inner = page.locator("article.text .hl .quote").evaluate_all(
        "els => els.map(el => getComputedStyle(el).backgroundColor)"
    )
    assert inner and set(inner) == {background}, inner
    # One element holds the whole sentence, names, quotes and numbers drawn inside it.
    assert hl.text_content() == sentence
    expect(page.locator("article.text .hl")).to_have_count(1)
    w.assert_clean()


def test_search_from_the_header(site: Server, open_page: OpenPage) -> None:
    from playwright.sync_api import expect

    w = open_page()
    page = w.page
    page.goto(f"{site.base}/stories")
    box = page.locator("header form.search input[name=q]")
    box.fill("troops")
    box.press("Enter")
    page.wait_for_url(f"{site.base}/search?q=troops")
    expect(page.locator("h1")).to_contain_text("troops")
    articles = page.locator("#article-hits li")
    expect(articles.filter(has_text="North Korea's decision to send troops")).to_have_count(1)
    expect(articles.locator("mark").first).to_have_text("troops")
    quotes = page.locator("#quote-hits li")
    expect(quotes.filter(has_text="Volodymyr Zelenskyy").first).to_be_visible()
    expect(box).to_have_value("troops")
    # A quote hit links to the quote in its article.
    quotes.locator("a").first.click()
    page.wait_for_url(f"{site.base}/article/**")
    anchor = urlsplit(page.url).fragment
    assert anchor.startswith("quote-"), page.url
    expect(page.locator(f"article.text #{anchor}")).to_have_class(re.compile(r"\bquote\b"))
    expect(page.locator(f"article.text #{anchor}")).to_be_in_viewport()
    w.assert_clean()


def test_screenshots(site: Server, open_page: OpenPage) -> None:
    from playwright.sync_api import expect

    story = _seed_story(site)
    (d,) = site.json(f"/story/{story['id']}.json")["disagreements"]
    w = open_page()
    page = w.page
    page.goto(f"{site.base}/stories")
    _shoot(page, "stories.png")
    page.goto(f"{site.base}/story/{story['id']}")
    _shoot(page, "story.png")
    page.goto(site.base + d["sides"][0]["href"])
    expect(page.locator("#hl")).to_be_in_viewport()
    _shoot(page, "article.png")
    for name in ("stories.png", "story.png", "article.png"):
        assert (ARTIFACTS / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    w.assert_clean()


# ---------------------------------------------------------------------------------------------
# Script in the page's text and metadata is shown as text and never runs

XSS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload="window.__xss=1">',
    "</textarea><script>window.__xss=1</script>",
    '<b onmouseover="window.__xss=1">',
]
_E = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def _esc(text: str) -> str:
    return "".join(_E.get(c, c) for c in text)


def _hostile_page() -> str:
    script, img, svg, textarea, bold = (_esc(p) for p in XSS)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour deal {script} collapses after talks</title>
<meta property="og:title" content="Harbour deal {script} collapses after talks">
<meta property="og:description" content="Talks end {svg} without a deal">
<meta name="description" content="Talks end {svg} without a deal">
<meta name="author" content="Ann Reporter {img}">
<meta property="og:url" content="https://news.example/harbour?x={svg}">
<link rel="alternate" href="javascript:window.__xss=1">
<meta property="article:published_time" content="2024-11-02T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Harbour deal {script} collapses after talks</h1>
<p class="byline">By Ann Reporter {img}</p>
<p>The port authority in Rotterdam said on Saturday that 1,200 dock workers would strike after
talks with the shipping group collapsed {script} late on Friday.</p>
<p>"We will not accept {img} these terms," said Maria Kovalenko, a spokeswoman for the union,
adding that the strike could last weeks.</p>
<p>The shipping group said 800 workers had already agreed {svg} to the new contract, according
to a statement.</p>
<p>Kovalenko {bold}Kovalenko&lt;/b&gt; told reporters that {textarea} the union would not back
down. <a href="javascript:window.__xss=1">Read the statement</a> on the union's site.</p>
<p>Officials in the Netherlands said the harbour would stay open during the strike, which the
union said would begin on Monday.</p>
</article>
</body></html>
"""


@pytest.fixture(scope="module")
def hostile_site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("hostile")
    page = tmp / "harbour.html"
    page.write_text(_hostile_page(), encoding="utf-8")
    _ingest(tmp / "hostile.db", page)
    with Server(tmp / "hostile.db") as server:
        yield server


def _hostile_paths(site: Server) -> tuple[str, list[str]]:
    (story,) = site.json("/stories.json")["items"]
    detail = site.json(f"/story/{story['id']}.json")
    (article,) = [a["id"] for a in detail["timeline"]]
    entities = sorted({s["entity"] for s in detail["who_said_what"] if s["entity"]})
    entities += [e["id"] for e in site.json("/entities.json")["items"]]
    said = next(q for s in detail["who_said_what"] for q in s["quotes"])
    paths = [
        "/stories",
        f"/story/{story['id']}",
        f"/article/{article}",
        f"/article/{article}?hl={said['start']}-{said['end']}",
        "/entities",
        *(f"/entity/{e}" for e in dict.fromkeys(entities)),
        "/search?q=Kovalenko",
        "/search?q=window",
        "/search?q=" + quote(XSS[0]),
        "/search?q=" + quote(XSS[2]),
    ]
    return article, paths


_INJECTED = """() => {
  const bad = [];
  for (const s of document.scripts) {
    if (s.src !== location.origin + "/static/app.js" || s.textContent.trim()) bad.push(s.outerHTML);
  }
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.startsWith("on")) bad.push(el.outerHTML.slice(0, 200));
    }
  }
  for (const el of document.querySelectorAll("[href], [src], [action]")) {
    const url = el.getAttribute("href") || el.getAttribute("src") || el.getAttribute("action");
    if (/^\\s*javascript:/i.test(url)) bad.push(el.outerHTML.slice(0, 200));
  }
  for (const tag of ["svg img", "img", "textarea", "b", "iframe", "object", "embed"]) {
    for (const el of document.querySelectorAll("main " + tag)) {
      if (!el.closest("svg.timeline, svg.map")) bad.push(el.outerHTML.slice(0, 200));
    }
  }
  return bad;
}"""


@pytest.mark.parametrize("csp", ["with CSP", "CSP bypassed"])
def test_script_in_a_page_never_runs(hostile_site: Server, open_page: OpenPage, csp: str) -> None:
    """With the CSP on, nothing runs and nothing is even blocked (a blocked inline script would
    be a console error); with it bypassed, escaping alone keeps every payload inert."""
    from playwright.sync_api import expect

    article, paths = _hostile_paths(hostile_site)
    w = open_page(bypass_csp=csp == "CSP bypassed")
    page = w.page
    for path in paths:
        response = page.goto(hostile_site.base + path)
        assert response is not None and response.status == 200, path
        # Hover and click through everything a payload could have hooked.
        for el in page.locator("main h1, main .meta, main a.ent").all()[:6]:
            el.hover()
        assert page.evaluate("typeof window.__xss") == "undefined", path
        assert page.evaluate(_INJECTED) == [], path
    page.goto(f"{hostile_site.base}/article/{article}")
    text = page.locator("article.text")
    for payload in XSS:
        expect(text).to_contain_text(payload)
    expect(page.locator("main h1")).to_have_text(f"Harbour deal {XSS[0]} collapses after talks")
    assert XSS[0] in page.title()
    # the og:url, as text
    expect(page.locator(".provenance")).to_contain_text('news.example/harbour?x="><svg onload=')
    # The story lists who said what, payloads in the quotes shown as text.
    page.goto(f"{hostile_site.base}/stories")
    page.locator("a.story-link").click()
    expect(page.locator("#speakers")).to_contain_text(f"that {XSS[3]} the union would not")
    expect(page.locator("#speakers")).to_contain_text(f"We will not accept {XSS[1]} these terms")
    # The stories list and the search results show the title as text too.
    page.goto(f"{hostile_site.base}/stories")
    expect(page.locator("a.story-link")).to_have_text(
        f"Harbour deal {XSS[0]} collapses after talks"
    )
    page.goto(f"{hostile_site.base}/search?q=" + quote(XSS[0]))
    expect(page.locator("header form.search input[name=q]")).to_have_value(XSS[0])
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert not w.dialogs
    w.assert_clean()


def test_json_twins_are_json_in_the_browser(hostile_site: Server, open_page: OpenPage) -> None:
    _, paths = _hostile_paths(hostile_site)
    w = open_page()
    page = w.page
    page.goto(f"{hostile_site.base}/stories")
    for path in paths:
        base, _, query = path.partition("?")
        twin = f"{base}.json" + (f"?{query}" if query else "")
        fetched = page.evaluate(
            """async (url) => {
                const r = await fetch(url);
                const type = r.headers.get("content-type");
                return {status: r.status, type: type, body: await r.text()};
            }""",
            twin,
        )
        assert fetched["status"] == 200, twin
        assert fetched["type"] == "application/json", twin
        json.loads(fetched["body"])
        # Opened as a page, a twin is shown as text: nothing in it runs.
        response = page.goto(hostile_site.base + twin)
        assert response is not None
        assert response.headers["content-type"] == "application/json", twin
        assert response.headers["x-content-type-options"] == "nosniff"
        assert page.evaluate("typeof window.__xss") == "undefined", twin
    w.assert_clean()
