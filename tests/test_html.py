"""HTML extraction: roles, removed blocks with reasons, provenance, and odd input."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from crosswire.extract.html import MAX_REMOVED_CHARS, extract_html
from crosswire.records import Article

FUNDUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction" / "fundus"

BODY = [
    "The city council voted on Tuesday to expand the tram network by twelve kilometres, "
    "ending a debate that had divided the council for more than two years.",
    "Supporters said the new lines would connect the northern suburbs to the centre in under "
    "twenty minutes, while opponents warned about the cost of the works.",
    "The first section is expected to open in 2027, according to the transport department, "
    "which will publish a detailed timetable for the construction next month.",
    "Residents along the planned route will be invited to a series of public meetings, where "
    "engineers will present the designs for the stations and the depots.",
]

NAV = '<nav><ul><li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li></ul></nav>'
FOOTER = '<footer><p>© 2024 Example Times. <a href="/imprint">Imprint</a></p></footer>'
RELATED = (
    '<aside class="related"><h3>Related</h3><ul><li><a href="/a">Bus fares to rise</a></li>'
    '<li><a href="/b">Bridge closed for repairs</a></li></ul></aside>'
)
COMMENTS = (
    '<div id="comments" class="comments-area"><h3>2 comments</h3>'
    '<div class="comment"><p>Finally, about time this happened in our town.</p></div>'
    '<div class="comment"><p>What a waste of taxpayer money, again and again.</p></div></div>'
)


def page(
    *,
    head: str = "",
    before: str = "",
    article: str = "",
    after: str = "",
    body: list[str] | None = None,
) -> str:
    paragraphs = "".join(
        p if p.startswith("<") else f"<p>{p}</p>" for p in (BODY if body is None else body)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Council approves tram extension | Example Times</title>{head}</head>"
        f"<body>{NAV}{before}<main><article><h1>Council approves tram extension</h1>"
        f"{article}{paragraphs}</article></main>{after}{FOOTER}"
        "<script>var tracking = 'do not list this script source';</script></body></html>"
    )


def roles(article: Article) -> list[tuple[str, str]]:
    return [(p.role, p.text) for p in article.paragraphs]


def reasons(article: Article) -> dict[str, str]:
    """Removed text → reason (texts joined per entry)."""
    return {r.text: r.reason for r in article.removed}


def test_title_body_and_offsets() -> None:
    art = extract_html(page(), source="t.html", url="https://example.com/news/tram")
    assert art.errors == []
    assert art.paragraphs[0].role == "title"
    assert art.paragraphs[0].text == "Council approves tram extension"
    assert art.title == "Council approves tram extension"
    body = [p.text for p in art.paragraphs if p.role == "body"]
    assert body == BODY
    # the headline appears once, as the title paragraph
    assert sum(p.text == art.title for p in art.paragraphs) == 1
    for p in art.paragraphs:
        assert art.text[p.start : p.end] == p.text
    assert art.language == "en"
    assert art.site == "example.com"
    assert art.url == "https://example.com/news/tram"


def test_lead_heading_caption_roles() -> None:
    html = page(
        head='<meta name="description" content="The council approved the plan by a wide margin.">',
        article=(
            '<p class="standfirst">The council approved the plan by a wide margin after '
            "two years of debate.</p>"
        ),
        body=[
            BODY[0],
            BODY[1],
            "<h2>What happens next</h2>",
            BODY[2],
            '<p class="caption">Photo: the tram depot in the north of the city.</p>',
            BODY[3],
        ],
    )
    art = extract_html(html, source="t.html")
    got = roles(art)
    assert got[0][0] == "title"
    assert got[1] == (
        "lead",
        "The council approved the plan by a wide margin after two years of debate.",
    )
    assert ("heading", "What happens next") in got
    assert ("caption", "Photo: the tram depot in the north of the city.") in got
    assert [t for r, t in got if r == "body"] == BODY


def test_standfirst_outside_the_article_is_recovered_as_lead() -> None:
    lead = "Twelve kilometres of new track will link the northern suburbs to the centre."
    html = page(before=f'<div class="article-header"><p class="lead">{lead}</p></div>')
    art = extract_html(html, source="t.html")
    assert art.paragraphs[1].role == "lead"
    assert art.paragraphs[1].text == lead


def test_key_points_become_label_and_summary() -> None:
    html = page(
        article=(
            "<p>Key points:</p><ul><li>The network grows by twelve kilometres.</li>"
            "<li>The first section opens in 2027.</li></ul>"
        )
    )
    art = extract_html(html, source="t.html")
    got = roles(art)
    assert ("label", "Key points:") in got
    assert ("summary", "The network grows by twelve kilometres.") in got
    assert ("summary", "The first section opens in 2027.") in got


def test_removed_blocks_have_reasons() -> None:
    art = extract_html(page(after=RELATED + COMMENTS), source="t.html")
    removed = reasons(art)
    assert removed["Home Politics"] == "navigation"
    assert removed["© 2024 Example Times. Imprint"] == "footer"
    assert removed["Related Bus fares to rise Bridge closed for repairs"] == "sidebar/related"
    comment_entries = [t for t, r in removed.items() if r == "comments"]
    assert any("waste of taxpayer money" in t for t in comment_entries)
    # script source is never listed, and nothing kept is listed as removed
    assert not any("tracking" in r.text for r in art.removed)
    assert not any(BODY[0][:40] in r.text for r in art.removed)


def test_byline_is_removed_from_the_text_and_read_as_byline() -> None:
    art = extract_html(
        page(article='<p class="byline">By Jane Doe, Transport Correspondent</p>'),
        source="t.html",
    )
    assert art.byline is not None and "Jane Doe" in art.byline
    assert "By Jane Doe" not in art.text
    assert reasons(art).get("By Jane Doe, Transport Correspondent") == "byline/dateline"


def test_removed_is_bounded() -> None:
    links = "".join(f'<li><a href="/{i}">Story number {i}</a></li>' for i in range(3000))
    long_nav = f"<div class='sidebar'><ul>{links}</ul></div>"
    many = "".join(f"<div class='widget-{i}'><span>Box {i}</span></div>" for i in range(800))
    art = extract_html(page(after=long_nav + many), source="t.html")
    assert 0 < len(art.removed) <= 500
    assert all(len(r.text) <= MAX_REMOVED_CHARS for r in art.removed)
    assert any(r.text.endswith("…") for r in art.removed)


def test_metadata_from_meta_tags() -> None:
    head = (
        '<meta name="author" content="Jane Doe">'
        '<meta property="article:published_time" content="2024-10-23T08:15:00+02:00">'
        '<meta property="og:title" content="Council approves tram extension">'
    )
    art = extract_html(page(head=head), source="t.html")
    assert art.byline == "Jane Doe"
    assert art.published == "2024-10-23"


def test_canonical_url_fills_url_when_caller_gave_none() -> None:
    head = '<link rel="canonical" href="https://www.example.com/news/tram-extension">'
    art = extract_html(page(head=head), source="t.html")
    assert art.canonical_url == "https://www.example.com/news/tram-extension"
    assert art.url == art.canonical_url
    assert art.original_url == art.canonical_url
    assert art.site == "example.com" and art.original_site == "example.com"


def test_canonical_on_another_host_names_the_original() -> None:
    head = '<link rel="canonical" href="https://www.abc.net.au/news/tram">'
    art = extract_html(page(head=head), source="t.html", url="https://copycat.example/tram")
    assert art.url == "https://copycat.example/tram"
    assert art.site == "copycat.example"
    assert art.original_url == "https://www.abc.net.au/news/tram"
    assert art.original_site == "abc.net.au"


def test_original_source_meta_and_originally_published_link() -> None:
    head = '<meta name="original-source" content="https://www.reuters.com/world/tram">'
    art = extract_html(page(head=head), source="t.html", url="https://aggregator.example/x")
    assert art.original_url == "https://www.reuters.com/world/tram"
    assert art.original_site == "reuters.com"

    credit = (
        '<p>This article was originally published at <a href="https://theconversation.com/'
        'trams-123">The Conversation</a>.</p>'
    )
    art = extract_html(page(after=credit), source="t.html", url="https://blog.example/trams")
    assert art.original_url == "https://theconversation.com/trams-123"
    assert art.original_site == "theconversation.com"

    feed = (
        '<p>The post <a href="https://news.example.org/2024/trams">Trams</a> appeared first on '
        '<a href="https://news.example.org">Example News</a>.</p>'
    )
    art = extract_html(page(after=feed), source="t.html", url="https://scraper.example/trams")
    assert art.original_url == "https://news.example.org/2024/trams"
    assert art.original_site == "example.org"


def test_no_original_means_the_page_itself() -> None:
    art = extract_html(page(), source="t.html", url="https://www.example.com/news/tram")
    assert art.original_url == "https://www.example.com/news/tram"
    assert art.original_site == "example.com"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "just some words, no markup at all",
        "\x00\x01\x02<<<>>>",
        "<html></html>",
        "<html><body><div></div></body></html>",
        "<html><body>" + "<div>" * 5000 + "deep" + "</div>" * 5000 + "</body></html>",
        "<html><body><p>unclosed <b>tags <i>everywhere<table><tr><td>cell",
        "<?xml version='1.0' encoding='iso-8859-1'?><html><body><p>é</p></body></html>",
        "<html><body>" + "<p>\ud800 lone surrogate</p>" + "</body></html>",
    ],
)
def test_odd_input_gives_errors_not_exceptions(html: str) -> None:
    art = extract_html(html, source="odd.html", content_hash="ab" * 32)
    assert isinstance(art, Article)
    assert art.id == "ab" * 8
    if not any(p.role == "body" for p in art.paragraphs):
        assert art.errors, "an article without text says why"


def _tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


@pytest.mark.skipif(not FUNDUS.is_dir(), reason="../shared/data is not beside the checkout")
def test_three_fundus_pages() -> None:
    """Real pages: the text matches the publisher's expected body (token F1 > 0.85)."""
    cases = [("us", "APNews"), ("de", "BR"), ("uk", "TheGuardian")]
    for country, publisher in cases:
        folder = FUNDUS / "test_data" / country
        expected = json.loads((folder / f"{publisher}.json").read_text(encoding="utf-8"))
        first_version = sorted(expected, key=lambda v: [int(x) for x in re.findall(r"\d+", v)])[0]
        truth = expected[first_version]
        pages = sorted(
            p
            for p in folder.glob(f"{publisher}_*.html.gz")
            if re.fullmatch(re.escape(publisher) + r"_\d{4}_\d{2}_\d{2}\.html\.gz", p.name)
        )
        html = gzip.decompress(pages[0].read_bytes()).decode("utf-8", "replace")
        art = extract_html(html, source=pages[0].name)
        assert art.errors == []
        body = truth["body"]
        gold = " ".join(
            body.get("summary", [])
            + [t for s in body["sections"] for t in s.get("headline", []) + s["paragraphs"]]
        )
        text = " ".join(p.text for p in art.paragraphs if p.role not in ("title", "caption"))
        pred, true = _tokens(text), _tokens(gold)
        overlap = sum((pred & true).values())
        f1 = 2 * overlap / (sum(pred.values()) + sum(true.values()))
        assert f1 > 0.85, (publisher, f1)
        assert art.title and art.published and art.removed
