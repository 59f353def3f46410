"""Write a hostile corpus: malformed news pages and attack-sized inputs, the same bytes per seed.

    .venv/bin/python tools/hostile.py --out /tmp/hostile --n 3000 --big
    /usr/bin/time -v .venv/bin/crosswire ingest -q /tmp/hostile --db /tmp/hostile.db \\
        --timeout 20 --max-bytes 64000000

(``--max-bytes`` above the 50 MB page lets it reach the extractor instead of being refused at the
door; ``/usr/bin/time -v`` gives the peak RSS of the parent, the workers' is capped per process.)

What it writes under ``--out``:

* ``malformed/``: ``--n`` pages built from the bundled news text, each with one to four damages
  drawn from :data:`MUTATIONS` (unclosed and misnested tags, broken and huge numeric entities, raw
  NUL bytes, lone surrogates and other invalid UTF-8, bidi overrides and zero-width characters
  inside person names, numbers thousands of digits long, unclosed comments and scripts, ...).
  A file's name says which damages it carries.
* ``special/``: each attack once: 100,000-deep nesting (closed, unclosed, mixed elements),
  40,000 attributes (plain, quoted ``>`` in values, slash-separated), billion-laughs XML as a
  sitemap, a feed and a page, a gzip bomb ``.html.gz``, a WARC whose one record is a gzip bomb,
  JSON Lines with deep nesting and huge integers, a page of 100,000 tiny paragraphs.
* with ``--big`` also a 50 MB page and a 1 GB gzip bomb (kept out of the repository and CI).

Nothing here is committed as data: tests call :func:`write_corpus` into a temporary folder.

Measured on 2 shared cores (2026-11-26, ``--workers 2``, seed 9): 1,913 of the 3,000 malformed
pages (the run was cut for time) gave 1,817 articles and 96 failures, each with one error: 73
pages whose lying UTF-16/32 byte-order mark turns them to noise, 19 with no main content left,
2 mostly NUL bytes, 2 pages of 24 and 30 MB over the 20 s limit; 57 articles kept with their
reading stopped at 75 % of the limit; 321,328 stored offsets all index their text. The 31
``special/`` documents: 16 stored, 1 known, 14 failed (bombs too large, deep tables with no
content left, deep or huge JSON lines, the 50 MB page and 100,000 paragraphs over the limit).
Peak RSS of any process: 1.4 GB (a worker on a 52 MB malformed page), the parent 0.5 GB.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_TEXTS = (
    ROOT / "samples" / "north-korean-troops.txt",
    ROOT / "tests" / "fixtures" / "plaintext" / "wire-copy-en.txt",
    ROOT / "tests" / "fixtures" / "plaintext" / "clean-en.txt",
)
_FALLBACK = (
    "North Korea has sent thousands of troops to Russia, Volodymyr Zelenskyy said on Monday. "
    '"We know about 10,000 soldiers," he added. Seoul said 1,500 special forces had left.'
)
PEOPLE = (
    "Volodymyr Zelenskyy", "Vladimir Putin", "Kim Jong Un", "Christine Lagarde", "Yoon Suk Yeol",
    "Mark Rutte", "Antony Blinken", "Jenny Mathers", "Lloyd Austin", "Sergei Shoigu",
)  # fmt: skip
BIDI = ("\u202e", "\u202d", "\u202a", "\u202b", "\u2066", "\u2067", "\u2068", "\u200f")
POP_BIDI = ("\u202c", "\u2069")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad")
ENTITIES = (
    "&#0;", "&#x0;", "&#xD800;", "&#xDFFF;", "&#55296;", "&#99999999999;", "&#x110000;",
    "&#xFFFFFFFFFFFFFFFF;", "&#;", "&#x;", "&amp", "&ampamp;", "&nbsp", "&#-1;", "&#1114112;",
    "&#x1F600", "&#27;[31m", "&#128;", "&#155;", "&#65279;", "&lt", "&notin;&notit;", "&#x7f;",
    "&#" + "9" * 5000 + ";", "&#x" + "f" * 3000 + ";", "&" + "a" * 4000 + ";", "&#0000000065;",
)  # fmt: skip
RAW_BYTES = (
    b"\x00", b"\x00" * 40, b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0\xbd\xed\xb8\x80",
    b"\xff\xfe", b"\xc0\xaf", b"\xe2\x80", b"\xf4\x90\x80\x80", b"\x80\x80\x80", b"\x1b[2J",
)  # fmt: skip


def sentences() -> list[str]:
    """Sentences of real-looking news text from the bundled samples and fixtures."""
    out: list[str] = []
    for path in _TEXTS:
        if path.exists():
            text = path.read_text(encoding="utf-8")
            out += [s.strip() for s in re.split(r"(?<=[.!?\"])\s+", text) if len(s.strip()) > 30]
    return out or [_FALLBACK]


def _digits(rng: random.Random) -> str:
    n = rng.choice((400, 1_000, 4_301, 5_000, 20_000))
    body = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(n - 1))
    form = rng.randrange(8)
    if form == 0:
        return ",".join([body[:1], *(["000"] * (n // 3))])
    if form == 1:
        return "0." + body
    if form == 2:
        return "1e" + body[:n]
    if form == 3:
        return "$" + body + " billion"
    if form == 4:
        return body + "%"
    if form == 5:
        return "-" + body + " km"
    if form == 6:
        return body + "." + body
    return body


# -- damages: each takes the page as a list of chunks (str or bytes) and the generator -------------
Chunks = list[str | bytes]


def _insert(chunks: Chunks, rng: random.Random, piece: str | bytes) -> None:
    chunks.insert(rng.randrange(1, len(chunks)), piece)


def unclosed(chunks: Chunks, rng: random.Random) -> None:
    for i, c in enumerate(chunks):
        if isinstance(c, str) and c.startswith("</") and rng.random() < 0.6:
            chunks[i] = ""


def misnested(chunks: Chunks, rng: random.Random) -> None:
    pieces = (
        "<b><i>", "</b></i>", "<table><p>", "<tr><td>", "</td></tr></table>", "<li>", "</ul>",
        "<td><p><b>", "</p></td>", "<a href='x'><div><a href='y'>", "</a></div>", "<table>",
        "<ul><table><li>", "</table></li>", "<p><table><tr><p>", "<select><p>", "<caption>",
        "<frameset>", "</html><body>", "<head><p>", "<form><form></form>", "<h1><h2><h3>",
    )  # fmt: skip
    for _ in range(rng.randint(3, 40)):
        _insert(chunks, rng, rng.choice(pieces))


def stray_closers(chunks: Chunks, rng: random.Random) -> None:
    for _ in range(rng.randint(5, 200)):
        _insert(chunks, rng, rng.choice(("</div>", "</table>", "</html>", "</body>", "</p>")))


def broken_entities(chunks: Chunks, rng: random.Random) -> None:
    for _ in range(rng.randint(3, 30)):
        _insert(chunks, rng, rng.choice(ENTITIES))


def raw_bytes(chunks: Chunks, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 20)):
        _insert(chunks, rng, rng.choice(RAW_BYTES))


def bidi_names(chunks: Chunks, rng: random.Random) -> None:
    _damage_names(chunks, rng, BIDI)


def zero_width_names(chunks: Chunks, rng: random.Random) -> None:
    _damage_names(chunks, rng, ZERO_WIDTH)


def _damage_names(chunks: Chunks, rng: random.Random, marks: tuple[str, ...]) -> None:
    for i, c in enumerate(chunks):
        if not isinstance(c, str) or c.startswith("<"):
            continue
        for name in PEOPLE:
            if name in c:
                at = rng.randrange(len(name) + 1)
                bad = name[:at] + rng.choice(marks) + name[at:]
                if marks is BIDI and rng.random() < 0.5:
                    bad += rng.choice(POP_BIDI)
                c = c.replace(name, bad)
        chunks[i] = c


def long_numbers(chunks: Chunks, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(PEOPLE)
        unit = rng.choice(("troops", "people", "dollars", "shells", "soldiers had been sent"))
        _insert(chunks, rng, f"<p>{name} said {_digits(rng)} {unit} were involved.</p>")


def open_raw_text(chunks: Chunks, rng: random.Random) -> None:
    tag = rng.choice(
        ("<!--", "<script>", "<style>", "<textarea>", "<title>", "<xmp>", "<noscript>",
         "<plaintext>", "<![CDATA[", "<?php ", "<!DOCTYPE x [", "<template>", "<iframe>")
    )  # fmt: skip
    _insert(chunks, rng, tag)


def foreign_content(chunks: Chunks, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 5)):
        _insert(chunks, rng, rng.choice(("<svg><p>", "<math><mi><table>", "<svg><foreignObject>")))


def long_token(chunks: Chunks, rng: random.Random) -> None:
    _insert(chunks, rng, "<p>" + rng.choice("xQ-_.") * rng.choice((10_000, 100_000)) + "</p>")


def quote_storm(chunks: Chunks, rng: random.Random) -> None:
    marks = ('"', "\u201c", "\u201d", "'", "\u00ab", "\u00bb", " said ", " told ")
    storm = "".join(rng.choice(marks) + rng.choice(PEOPLE) for _ in range(rng.randint(200, 2000)))
    _insert(chunks, rng, f"<p>{storm}</p>")


def capital_run(chunks: Chunks, rng: random.Random) -> None:
    words = " ".join(rng.choice(PEOPLE).split()[0] for _ in range(rng.randint(500, 5000)))
    _insert(chunks, rng, f"<p>{words} said.</p>")


def bad_metadata(chunks: Chunks, rng: random.Random) -> None:
    date = rng.choice(
        ("99999-99-99", "2024-13-45T99:99:99Z", "0000-00-00", "9" * 3000, "", "2024-02-30",
         "-2024-10-10", "2024-10-10T09:00:00+99:00", "\x00")
    )  # fmt: skip
    deep = "[" * rng.choice((1000, 100_000))
    meta = (
        f'<meta property="article:published_time" content="{html.escape(date)}">'
        f'<script type="application/ld+json">{deep}</script>'
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": '
        f'"{date}", "author": {{"name": "{"A" * 5000}"}}, "x": 1{"0" * 5000}}}</script>'
        f'<link rel="canonical" href="http://[::1{"a" * 2000}/">'
    )
    chunks.insert(1, meta)


def lying_charset(chunks: Chunks, rng: random.Random) -> None:
    charset = rng.choice(("utf-16", "utf-7", "x-evil", "utf-32", "iso-2022-jp", "cp1252", "ascii"))
    chunks.insert(1, f'<meta charset="{charset}">')


def bom_garbage(chunks: Chunks, rng: random.Random) -> None:
    boms = (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf", b"\x00\x00\xfe\xff")
    chunks.insert(0, rng.choice(boms))


def many_paragraphs(chunks: Chunks, rng: random.Random) -> None:
    line = rng.choice(chunks[2:-2]) if len(chunks) > 4 else "<p>Troops.</p>"
    _insert(chunks, rng, (line if isinstance(line, str) else "<p>x</p>") * rng.randint(200, 3000))


def odd_whitespace(chunks: Chunks, rng: random.Random) -> None:
    for i, c in enumerate(chunks):
        if isinstance(c, str) and not c.startswith("<"):
            chunks[i] = c.replace(" ", rng.choice(("\r", "\x0b", "\x0c", "\u2028", "\u3000", "\t")))


MUTATIONS: dict[str, Callable[[Chunks, random.Random], None]] = {
    f.__name__.replace("_", "-"): f
    for f in (
        unclosed, misnested, stray_closers, broken_entities, raw_bytes, bidi_names,
        zero_width_names, long_numbers, open_raw_text, foreign_content, long_token, quote_storm,
        capital_run, bad_metadata, lying_charset, bom_garbage, many_paragraphs, odd_whitespace,
    )
}  # fmt: skip


def base_page(rng: random.Random, lines: list[str]) -> Chunks:
    """A plausible article as chunks: tags and text apart, so damages can cut between them."""
    start = rng.randrange(max(1, len(lines) - 12))
    body = lines[start : start + rng.randint(4, 12)]
    title = html.escape(body[0][:120])
    person = rng.choice(PEOPLE)
    chunks: Chunks = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{title}</title>",
        f'<meta property="article:published_time" content="2024-10-{rng.randint(1, 28):02d}">',
        "</head><body><article>",
        f"<h1>{title}</h1>",
        f'<p class="byline">By {rng.choice(PEOPLE)}</p>',
    ]
    for sentence in body:
        chunks += ["<p>", html.escape(sentence), "</p>"]
    chunks += ["<p>", f"{person} said the figures were wrong.", "</p>"]
    chunks += ["</article></body></html>"]
    return chunks


def malformed_page(i: int, rng: random.Random, lines: list[str]) -> tuple[str, bytes]:
    """Page ``i``: its file name (which damages it carries) and its bytes."""
    chunks = base_page(rng, lines)
    chosen = rng.sample(sorted(MUTATIONS), rng.randint(1, 4))
    for name in chosen:
        MUTATIONS[name](chunks, rng)
    data = b"".join(
        c if isinstance(c, bytes) else c.encode("utf-8", "surrogatepass") for c in chunks
    )
    return f"{i:05d}-{'+'.join(chosen)}.html", data


# -- the attacks, once each ---------------------------------------------------------------------
def _article(text: str = "") -> str:
    return (
        "<article><h1>Troops sent</h1>"
        + "<p>North Korea has sent thousands of troops to Russia, Kim Jong Un said.</p>" * 4
        + text
        + "</article>"
    )


def _laughs(root: str, inner: str) -> str:
    decl = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{k} "{f"&lol{k - 1};" * 10}">' for k in range(1, 10)
    )
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{decl}]>{inner}'


def special_cases() -> dict[str, bytes]:
    """Each attack once, by file name; sizes stay in the megabytes."""
    deep = 100_000
    attrs = 40_000
    out: dict[str, bytes] = {
        "deep-divs.html": (
            "<html><body>" + "<div>" * deep + _article() + "</div>" * deep + "</body></html>"
        ).encode(),
        "deep-unclosed.html": ("<html><body>" + _article() + "<div><span>" * deep).encode(),
        "deep-mixed.html": (
            "<html><body>"
            + "<table><tr><td><ul><li><b><blockquote><q>" * (deep // 8)
            + _article()
            + "</body></html>"
        ).encode(),
        "deep-inline.html": ("<html><body>" + _article() + "<b><i>" * deep + "x").encode(),
        "attrs-plain.html": (
            "<html><body><article><p "
            + " ".join(f'data-a{i}="x"' for i in range(attrs))
            + ">"
            + _article()
            + "</p></article></body></html>"
        ).encode(),
        "attrs-quoted-gt.html": (
            "<html><body><div "
            + " ".join(f'a{i}=">"' for i in range(attrs))
            + ">"
            + _article()
            + "</div></body></html>"
        ).encode(),
        "attrs-slash.html": (
            "<html><body><div/"
            + "/".join(f"a{i}=x" for i in range(attrs))
            + ">"
            + _article()
            + "</div></body></html>"
        ).encode(),
        "attrs-duplicate.html": (
            "<html><body><div " + 'id="x" ' * attrs + ">" + _article() + "</div></body></html>"
        ).encode(),
        "laughs-sitemap.xml": _laughs(
            "urlset",
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            "<url><loc>https://example.org/&lol9;</loc></url></urlset>",
        ).encode(),
        "laughs-feed.xml": _laughs(
            "rss",
            '<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
            "<link>https://example.org/a</link><description>&lol9;</description></item>"
            "</channel></rss>",
        ).encode(),
        "laughs-page.html": _laughs(
            "html", "<html><body>" + _article("<p>&lol9; said Kim Jong Un.</p>") + "</body></html>"
        ).encode(),
        "laughs-page.xhtml": _laughs(
            "html",
            '<html xmlns="http://www.w3.org/1999/xhtml"><body>'
            + _article("<p>&lol9;</p>")
            + "</body></html>",
        ).encode(),
        "tiny-paragraphs.html": (
            "<html><body><article>" + "<p>a</p>" * 100_000 + "</article></body></html>"
        ).encode(),
        "huge-number.txt": (
            "Troops sent\n\n"
            + "North Korea has sent "
            + "9" * 100_000
            + " troops to Russia, officials in Seoul said on Monday.\n"
        ).encode(),
        "nul-flood.html": b"<html><body>" + b"\x00" * 2_000_000 + _article().encode(),
        "surrogate-flood.txt": b"Kim Jong Un said " + b"\xed\xa0\x80" * 500_000 + b" on Monday.\n",
        "bidi-flood.txt": ("Kim \u202eJong\u202c Un said so. " * 20_000).encode(),
        "records.jsonl": _jsonl(),
        "bomb.html.gz": _gzip_bomb(100 * 1024 * 1024),
        "bomb.warc.gz": _bomb_warc(100 * 1024 * 1024),
    }
    return out


def _jsonl() -> bytes:
    good = {"url": "https://example.org/a", "html": "<html><body>" + _article() + "</body></html>"}
    lines = [
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 100_000,
        '{"id": 1' + "0" * 5000 + ', "text": "Kim Jong Un said 10 troops left."}',
        '{"id": "x", "text": "Kim Jong Un said ' + "9" * 5000 + ' troops left."}',
        '{"text": "Kim \\ud800 Jong Un said 10 troops left on Monday."}',
        '{"text": "Kim\\u0000Jong Un said 10 troops left on Monday."}',
        '{"html": 5}',
        "NaN",
        json.dumps(good),
    ]
    return ("\n".join(lines) + "\n").encode()


def _gzip_bomb(size: int) -> bytes:
    """A gzip member of a page's start and ``size`` zero bytes, never all held at once."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [packer.compress(b"<html><body><p>")]
    block = b"\0" * (1 << 20)
    for _ in range(size // len(block)):
        out.append(packer.compress(block))
    out.append(packer.flush())
    return b"".join(out)


def _bomb_warc(size: int) -> bytes:
    def record(target: str, body: bytes, encoding: str | None) -> bytes:
        coding = f"Content-Encoding: {encoding}\r\n" if encoding else ""
        http = (
            f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{coding}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        head = (
            "WARC/1.0\r\nWARC-Type: response\r\n"
            f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{len(target):012d}>\r\n"
            f"WARC-Date: 2024-10-24T08:00:00Z\r\nWARC-Target-URI: {target}\r\n"
            "Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n"
        ).encode()
        return gzip.compress(head + http + b"\r\n\r\n", mtime=0)

    page = ("<html><body>" + _article() + "</body></html>").encode()
    return record("https://example.org/bomb", _gzip_bomb(size), "gzip") + record(
        "https://example.org/fine-after-the-bomb", page, None
    )


def big_cases() -> dict[str, Callable[[Path], None]]:
    """Writers for the cases too large for the repository or CI, by file name."""

    def fifty_mb(path: Path) -> None:
        para = "<p>" + " ".join(sentences()[:6]) + "</p>\n"
        with path.open("w", encoding="utf-8") as fh:
            fh.write("<html><head><title>Fifty megabytes</title></head><body><article>")
            while fh.tell() < 50 * 1024 * 1024:
                fh.write(para)
            fh.write("</article></body></html>")

    def gigabyte_bomb(path: Path) -> None:
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = b"\0" * (1 << 20)
        with path.open("wb") as fh:
            fh.write(packer.compress(b"<html><body><p>"))
            for _ in range(1024):
                fh.write(packer.compress(block))
            fh.write(packer.flush())

    return {"fifty-mb.html": fifty_mb, "gigabyte-bomb.html.gz": gigabyte_bomb}


def write_corpus(
    out: Path, n: int, *, seed: int = 9, special: bool = True, big: bool = False
) -> list[Path]:
    """Write the corpus under ``out``; the files written, in order."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable corpus, not a secret
    lines = sentences()
    written: list[Path] = []
    folder = out / "malformed"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name, data = malformed_page(i, rng, lines)
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    if special or big:
        (out / "special").mkdir(parents=True, exist_ok=True)
    if special:
        for name, data in special_cases().items():
            path = out / "special" / name
            path.write_bytes(data)
            written.append(path)
    if big:
        for name, writer in big_cases().items():
            path = out / "special" / name
            writer(path)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--n", type=int, default=3000, help="malformed pages (default 3000)")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--no-special", action="store_true", help="only the malformed pages")
    parser.add_argument("--big", action="store_true", help="add a 50 MB page and a 1 GB gzip bomb")
    args = parser.parse_args(argv)
    written = write_corpus(
        args.out, args.n, seed=args.seed, special=not args.no_special, big=args.big
    )
    size = sum(p.stat().st_size for p in written)
    print(f"{len(written)} files, {size / 1e6:.1f} MB, in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
