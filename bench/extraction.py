"""Extraction benchmark: crosswire against its peers, side by side on the same pages in one run.

Usage::

    .venv/bin/python bench/extraction.py                      # both data sets, all systems
    .venv/bin/python bench/extraction.py --limit 50 --systems crosswire,trafilatura
    .venv/bin/python bench/extraction.py --json bench-results.json

Data sets (read-only, from ``../shared/data/extraction`` beside the clone, see its README):

* ``wcxb``: WCXB dev split, article pages; truth = ``ground_truth.main_content`` (no title).
* ``fundus``: fundus parser test pages; truth = ``body``: summary, then every section's headline
  and paragraphs (title not included). The publisher JSON holds one entry per parser version
  (``V1``, ``V1_1``, ``V2`` ...); the pages ``<Publisher>_<date>.html.gz`` pair with them in order
  (oldest page = oldest version); ``meta.info`` gives each page's URL.

Main text per system: crosswire = the paragraphs with roles body, heading, lead, summary and label
(the article text a reader sees under the headline: neither ground truth counts the title, and
both leave image captions out, bar a few WCXB pages); trafilatura =
``trafilatura.extract(html, url=url)`` (defaults: comments on, tables on), and with
``favor_precision=True`` for the precision variant; readability-lxml =
``Document(html).summary()`` turned into text with block elements as line breaks; resiliparse =
``extract_plain_text(HTMLTree.parse(html), main_content=True)``.

Scores: token precision/recall/F1 per page, macro-averaged (see ``_score.py``); pages/second is the
number of pages over the summed time of the extraction calls alone (pages are decompressed and
decoded with crosswire's decoder beforehand, identically for every system). Systems run interleaved
page by page so that load from other processes hits them alike. Title and date columns: exact-match
accuracy of crosswire's ``title`` (after Unicode, quote, space and case normalisation) and
``published`` (same day) where the truth has a value.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _score import PRF, date_match, prf, title_match

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crosswire.extract.encoding import decode  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MAIN_ROLES = frozenset({"body", "heading", "lead", "summary", "label"})


@dataclass(slots=True)
class Page:
    id: str
    html: str
    truth: str
    url: str | None = None
    title: str | None = None
    date: str | None = None


# --------------------------------------------------------------------------- data sets


def _read_html(path: Path) -> str:
    return decode(gzip.decompress(path.read_bytes())).text


def load_wcxb(data: Path, limit: int | None) -> Iterator[Page]:
    base = data / "extraction" / "wcxb-dev-articles"
    files = sorted((base / "html").glob("*.html.gz"))
    for n, path in enumerate(files):
        if limit is not None and n >= limit:
            return
        stem = path.name.removesuffix(".html.gz")
        meta = json.loads((base / "ground-truth" / f"{stem}.json").read_text(encoding="utf-8"))
        gt = meta.get("ground_truth") or {}
        yield Page(
            id=stem,
            html=_read_html(path),
            truth=gt.get("main_content") or "",
            url=meta.get("url"),
            title=gt.get("title") or None,
            date=gt.get("publish_date") or None,
        )


def _version_key(name: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", name)]


def _fundus_truth(entry: dict[str, Any]) -> str:
    body = entry.get("body") or {}
    parts: list[str] = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        parts.extend(section.get("headline") or [])
        parts.extend(section.get("paragraphs") or [])
    return "\n\n".join(parts)


def load_fundus(data: Path, limit: int | None) -> Iterator[Page]:
    base = data / "extraction" / "fundus" / "test_data"
    n = 0
    for country in sorted(p for p in base.iterdir() if p.is_dir()):
        info_path = country / "meta.info"
        info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.exists() else {}
        for expected in sorted(country.glob("*.json")):
            publisher = expected.stem
            entries = json.loads(expected.read_text(encoding="utf-8"))
            pattern = re.compile(re.escape(publisher) + r"_\d{4}_\d{2}_\d{2}\.html\.gz")
            pages = sorted(
                p for p in country.glob(f"{publisher}_*.html.gz") if pattern.fullmatch(p.name)
            )
            versions = sorted(entries, key=_version_key)
            if len(pages) != len(versions):
                print(f"skipping {expected}: {len(pages)} pages for {len(versions)} versions")
                continue
            for path, version in zip(pages, versions, strict=True):
                if limit is not None and n >= limit:
                    return
                n += 1
                entry = entries[version]
                yield Page(
                    id=f"{country.name}/{path.name.removesuffix('.html.gz')}",
                    html=_read_html(path),
                    truth=_fundus_truth(entry),
                    url=(info.get(path.name) or {}).get("url"),
                    title=entry.get("title") or None,
                    date=entry.get("publishing_date") or None,
                )


DATASETS: dict[str, Callable[[Path, int | None], Iterator[Page]]] = {
    "wcxb": load_wcxb,
    "fundus": load_fundus,
}

# --------------------------------------------------------------------------- systems

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
        "dl",
        "main",
        "aside",
        "nav",
        "hr",
    ]
)


def html_fragment_text(fragment: str) -> str:
    """Visible text of an HTML fragment with block elements on their own lines."""
    import lxml.html

    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    out: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag.lower() in _BLOCK_TAGS
        if block:
            out.append("\n")
        if el.text and tag not in ("script", "style"):
            out.append(el.text)
        for child in el:
            walk(child)
        if block:
            out.append("\n")
        if el.tail:
            out.append(el.tail)

    walk(root)
    return re.sub(r"\n\s*\n+", "\n\n", "".join(out)).strip()


@dataclass(slots=True)
class Output:
    text: str
    title: str | None = None
    date: str | None = None


def run_crosswire(page: Page) -> Output:
    from crosswire.extract.html import extract_html

    art = extract_html(page.html, source=page.id, url=page.url)
    text = "\n\n".join(p.text for p in art.paragraphs if p.role in MAIN_ROLES)
    return Output(text, art.title, art.published)


def run_trafilatura(page: Page) -> Output:
    import trafilatura

    return Output(trafilatura.extract(page.html, url=page.url) or "")


def run_trafilatura_precision(page: Page) -> Output:
    import trafilatura

    return Output(trafilatura.extract(page.html, url=page.url, favor_precision=True) or "")


def run_readability(page: Page) -> Output:
    from readability import Document

    return Output(html_fragment_text(Document(page.html, url=page.url).summary()))


def run_resiliparse(page: Page) -> Output:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return Output(extract_plain_text(HTMLTree.parse(page.html), main_content=True))


SYSTEMS: dict[str, Callable[[Page], Output]] = {
    "crosswire": run_crosswire,
    "trafilatura": run_trafilatura,
    "trafilatura-precision": run_trafilatura_precision,
    "readability": run_readability,
    "resiliparse": run_resiliparse,
}
WITH_METADATA = frozenset({"crosswire"})

# --------------------------------------------------------------------------- run


@dataclass(slots=True)
class Result:
    system: str
    scores: list[PRF] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    titles: list[bool] = field(default_factory=list)
    dates: list[bool] = field(default_factory=list)
    pages: dict[str, dict[str, float]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        n = len(self.scores) or 1
        out: dict[str, Any] = {
            "system": self.system,
            "pages": len(self.scores),
            "precision": sum(s.precision for s in self.scores) / n,
            "recall": sum(s.recall for s in self.scores) / n,
            "f1": sum(s.f1 for s in self.scores) / n,
            "pages_per_second": len(self.scores) / self.seconds if self.seconds else None,
            "errors": self.errors,
        }
        if self.system in WITH_METADATA:
            out["title_accuracy"] = sum(self.titles) / len(self.titles) if self.titles else None
            out["title_pages"] = len(self.titles)
            out["date_accuracy"] = sum(self.dates) / len(self.dates) if self.dates else None
            out["date_pages"] = len(self.dates)
        return out


def run_dataset(pages: list[Page], systems: list[str]) -> list[Result]:
    results = {name: Result(name) for name in systems}
    for i, page in enumerate(pages):
        # rotate the order page by page so that no system always runs on a cold or warm cache
        order = systems[i % len(systems) :] + systems[: i % len(systems)]
        for name in order:
            res = results[name]
            t0 = time.perf_counter()
            try:
                out = SYSTEMS[name](page)
            except Exception as err:  # a peer crashing on a page scores zero for it
                out = Output("")
                res.errors += 1
                print(f"  {name} failed on {page.id}: {type(err).__name__}: {err}", file=sys.stderr)
            res.seconds += time.perf_counter() - t0
            score = prf(out.text, page.truth)
            res.scores.append(score)
            res.pages[page.id] = {"p": score.precision, "r": score.recall, "f1": score.f1}
            if name in WITH_METADATA:
                if page.title:
                    res.titles.append(title_match(out.title, page.title))
                if page.date:
                    res.dates.append(date_match(out.date, page.date))
    return [results[name] for name in systems]


def _fmt(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def print_table(dataset: str, summaries: list[dict[str, Any]]) -> None:
    header = ["system", "pages", "precision", "recall", "F1", "pages/s", "title acc", "date acc"]
    rows = []
    for s in summaries:
        rows.append(
            [
                s["system"],
                str(s["pages"]),
                _fmt(s["precision"]),
                _fmt(s["recall"]),
                _fmt(s["f1"]),
                _fmt(s["pages_per_second"], 1),
                _fmt(s.get("title_accuracy")) if "title_accuracy" in s else "",
                _fmt(s.get("date_accuracy")) if "date_accuracy" in s else "",
            ]
        )
    print(f"\n### {dataset}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    ap.add_argument("--datasets", default=",".join(DATASETS), help="comma-separated data sets")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated systems")
    ap.add_argument("--limit", type=int, default=None, help="at most N pages per data set")
    ap.add_argument("--json", type=Path, default=None, help="write summaries and per-page scores")
    args = ap.parse_args(argv)

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    for name in systems:
        if name not in SYSTEMS:
            ap.error(f"unknown system {name!r}; choose from {', '.join(SYSTEMS)}")
    for name in datasets:
        if name not in DATASETS:
            ap.error(f"unknown data set {name!r}; choose from {', '.join(DATASETS)}")
    if not args.data.is_dir():
        ap.error(f"data folder not found: {args.data} (pass --data)")

    # warm-up: import every system and run it once so import time is not counted
    warm = Page(
        "warm-up", "<html><body><article><p>" + "Warm up text. " * 40 + "</p></article>", ""
    )
    for name in systems:
        SYSTEMS[name](warm)

    report: dict[str, Any] = {"systems": systems, "limit": args.limit, "datasets": {}}
    for dataset in datasets:
        pages = list(DATASETS[dataset](args.data, args.limit))
        t0 = time.perf_counter()
        results = run_dataset(pages, systems)
        summaries = [r.summary() for r in results]
        print_table(dataset, summaries)
        print(f"\n({len(pages)} pages, {time.perf_counter() - t0:.0f} s wall)")
        report["datasets"][dataset] = {
            "summary": summaries,
            "pages": {r.system: r.pages for r in results},
        }
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
