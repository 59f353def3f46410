"""Web benchmark: latency of ``crosswire serve`` over a store of 100,000 articles.

Usage::

    nice -n 10 .venv/bin/python bench/web.py --build bench/results/web.db
    nice -n 10 .venv/bin/python bench/web.py --db bench/results/web.db --json bench/results/web.json

**The store** (``--build PATH``; reused when PATH already holds ``--articles`` connected
articles). Reading a page with spaCy costs about a tenth of a second, so 100,000 pages would take
hours on two cores; instead a few hundred real pages are ingested once and then multiplied in SQL:

1. *Templates* (cached in ``PATH.seed.db``): WCXB dev article pages, the fundus test pages of
   English-language countries (both HTML, ``../shared/data/extraction``) and the ECB+ dev
   articles (plain text, lightly detokenised), each through ``crosswire.pipeline.ingest`` with
   ``Options(read=True, workers=2)``: real extraction, entities, quotes, claims, times, places.
2. *Copies*: a template's *group* is its ECB+ subtopic (the real event several outlets covered)
   or, for an HTML page, the page alone. Events happen: a group is drawn (heavy-tailed weights,
   so a few groups are big running stories and most are small), then a day in two years, and
   each of its templates is carried by 0 to 200 outlets within three days (Zipf-distributed
   counts: most by one, a few by many, as with wire copy). Each carried copy is a new article with
   its own id, content hash, site (drawn from about 400 outlet domains), URL, date and arrival time,
   and every row the template has in every article and reading table (paragraphs, removed
   blocks, readings, entities and their spans, quotes, times, places, claims; sources point at
   the new URL). 30% of copies get ``" | Site"`` on their title; 25% get one extra closing
   paragraph (a real paragraph of another template, as an outlet's addendum), so they are near
   copies and not exact ones. The extra paragraph is appended after the last one, so every
   offset stored for the template (mentions, quotes, claims, times) still points at the same
   text in the copy. The FTS5 indexes fill through their insert triggers.
3. *Connect*: ``crosswire.connect.update.connect`` over all of them (stories, copies, corpus
   entities), timed: what a user pays to connect a 100,000-article archive in one run.

Keeping the template's text (instead of rewriting words) means most articles are syndicated
copies of a few hundred originals. That is the shape of a wire-heavy archive, and the cheap one
to make consistent: rewriting words would have to move every stored offset. It makes the store
*harder* for the web pages than a varied one of the same size: stories and copy groups are big
(thousands of articles in the largest), and a common word matches tens of thousands of articles.

**The load test** (``--db PATH``): the real server (``crosswire serve``) in a subprocess on
loopback with its default settings, a warm-up pass, then for each endpoint group ``--requests``
requests from ``--clients`` concurrent clients (threads, one ``httpx.Client`` each, keep-alive),
over URLs sampled from the store: story lists (pages, date/source/entity filters), stories big
and small, articles, entities, searches for names and words of the corpus. Per-request latency
is wall time from sending to the last byte; the table has median, 95th and 99th percentile and
maximum per group, and errors (any status other than 200).

**The mixed load** (``--db PATH --mixed SECONDS``): for a bounded time, ``--clients`` clients
each request URLs drawn from every endpoint group at random (the groups' URLs pooled), so pages
compete as they would with real readers; with ``--writer`` the server also takes the API token
and a ``--window`` of 30 days, and one more client POSTs a new page to ``/api/ingest`` (text
upload, a fresh headline and body each time) as fast as it is answered, so readers are served
while a writer stores and connects. The table has requests, errors, requests per second and
the latency percentiles of the reads, and the writes' count, errors and median. It is what
docs/reliability.md reports as the load test::

    .venv/bin/python bench/web.py --build bench/results/web10k.db --articles 10000
    .venv/bin/python bench/web.py --db bench/results/web10k.db --mixed 120 --writer \
        --json bench/results/load.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from crosswire.connect.update import connect  # noqa: E402
from crosswire.pipeline import Options, ingest  # noqa: E402
from crosswire.store.store import Store  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
WCXB = DATA / "extraction" / "wcxb-dev-articles" / "html"
FUNDUS = DATA / "extraction" / "fundus" / "test_data"
ECB = DATA / "stories" / "ecbplus-dev.jsonl"
FUNDUS_ENGLISH = ("us", "uk", "ca", "au", "za", "ind", "lb", "na", "tz", "my")
START = date(2024, 1, 1)
DAYS = 730


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- templates -----------------------------------------------------------------------------------

_DETOK = [
    (re.compile(r" ([,.;:!?%)\]])"), r"\1"),
    (re.compile(r"([(\[$]) "), r"\1"),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b"), r"\1"),
    (re.compile(r"`` ?"), '"'),
    (re.compile(r" ?''"), '"'),
]


def detokenise(text: str) -> str:
    # ECB+ is tokenised; displayed as is it would look like no news page does.
    for pattern, repl in _DETOK:
        text = pattern.sub(repl, text)
    return text


def ecb_subtopics() -> dict[str, str]:
    out = {}
    with ECB.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            out[str(row["doc_id"])] = str(row["subtopic"])
    return out


def build_seed(path: Path, n_wcxb: int) -> None:
    """Ingest the template pages into ``path`` (skipped when it is there)."""
    if path.exists():
        log(f"templates: reusing {path}")
        return
    tmp = path.with_suffix(".tmp")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    pages = sorted(WCXB.glob("*.html.gz"))[:n_wcxb]
    for cc in FUNDUS_ENGLISH:
        pages += sorted((FUNDUS / cc).glob("*.html.gz"))
    jsonl = path.with_name(path.stem + "-ecb.jsonl")
    with ECB.open(encoding="utf-8") as f, jsonl.open("w", encoding="utf-8") as out:
        for line in f:
            row = json.loads(line)
            out.write(json.dumps({"id": row["doc_id"], "text": detokenise(row["text"])}) + "\n")
    t0 = time.perf_counter()
    done = Counter[str]()

    def tick(_: object, outcome: str) -> None:
        done[outcome] += 1
        if sum(done.values()) % 50 == 0:
            log(f"templates: {sum(done.values())} read ({dict(done)})")

    with Store(tmp) as store:
        ingest([str(p) for p in pages], store, Options(read=True, workers=2), tick)
        ingest([str(jsonl)], store, Options(read=True, workers=2, plain=True), tick)
    tmp.rename(path)
    log(f"templates: {dict(done)} in {time.perf_counter() - t0:.0f} s")


# -- copies --------------------------------------------------------------------------------------

# Columns copied from the template as they are, per table (all but article_id).
_CHILD_TABLES = {
    "paragraphs": ("idx", "role", "text", "start", '"end"', "line"),
    "removed": ("idx", "text", "reason", "line"),
    "paragraph_duplicates": ("paragraph", "same_as", "similarity"),
    "readings": ("read_at", "crosswire_version"),
    "entities": ("id", "idx", "name", "type", "aliases"),
    "entity_spans": ("entity_id", "kind", "start", '"end"', "text"),
    "quotes": (
        "idx", "kind", "text", "start", '"end"', "speaker", "speaker_name", "speaker_start",
        "speaker_end", "cue", "cue_start", "cue_end",
    ),
    "times": ("idx", "text", "start", '"end"', "value", "grain", "interval_start", "interval_end"),
    "places": ("idx", "name", "lat", "lon", "country", "kind", "entity_id"),
    "claims": (
        "idx", "value", "low", "high", "vague", "approx", "change", "unit", "measure",
        "measure_key", "aspect", "status", "claimant", "claimant_name", "time", "text", "start",
        '"end"', "sentence", "sentence_start", "sentence_end",
    ),
}  # fmt: skip


def outlet_sites(templates: Sequence[sqlite3.Row], rng: random.Random) -> list[str]:
    """Real outlet domains from the templates and the fundus folder names, made up to ~300 with
    regional editions (``uk.``, ``edition.``) of them."""
    sites = {t["site"] for t in templates if t["site"]}
    for f in FUNDUS.glob("*/*.html.gz"):
        sites.add(f.name.split("_")[0].lower() + ".com")
    base = sorted(sites)
    out = set(base)
    prefixes = ("uk.", "edition.", "eu.", "news.", "m.", "local.", "amp.")
    while len(out) < max(300, len(base)):
        out.add(rng.choice(prefixes) + rng.choice(base))
    return sorted(out)


def _slug(title: str | None) -> str:
    words = re.findall(r"[a-z0-9]+", (title or "article").lower())[:8]
    return "-".join(words) or "article"


def plan_copies(
    templates: Sequence[sqlite3.Row], groups: dict[str, list[str]], n: int, seed: int
) -> list[tuple[str, int, int]]:
    """``n`` copies as (template id, day, second of day), in arrival (time) order."""
    rng = np.random.default_rng(seed)
    names = sorted(groups)
    weights = rng.pareto(1.2, len(names)) + 0.05
    weights /= weights.sum()
    plan: list[tuple[str, int, int]] = []
    while len(plan) < n:
        g = names[int(rng.choice(len(names), p=weights))]
        day = int(rng.integers(DAYS))
        for tid in groups[g]:
            if rng.random() < 0.3:  # not every article of an event is carried again
                continue
            for _ in range(min(int(rng.zipf(1.8)), 200)):
                d = min(DAYS - 1, day + int(rng.exponential(0.8)))
                plan.append((tid, d, int(rng.integers(86_400))))
    rng.shuffle(plan)
    plan = plan[:n]
    plan.sort(key=lambda p: (p[1], p[2]))
    return plan


def build_copies(seed_db: Path, path: Path, n: int, seed: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    Store(tmp).close()  # the schema, through the real migrations
    db = sqlite3.connect(tmp, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")
    db.execute("ATTACH DATABASE ? AS s", (str(seed_db),))
    templates = db.execute(
        "SELECT a.*, (SELECT max(idx) FROM s.paragraphs p WHERE p.article_id = a.id) AS last_p "
        "FROM s.articles a WHERE a.id IN (SELECT article_id FROM s.readings) ORDER BY a.id"
    ).fetchall()
    by_id = {t["id"]: t for t in templates}
    subtopic = ecb_subtopics()
    groups: dict[str, list[str]] = defaultdict(list)
    for t in templates:
        groups[subtopic.get(t["id"], t["id"])].append(t["id"])
    # Addenda: body paragraphs of 20-60 words from the templates.
    addenda = [
        r[0]
        for r in db.execute("SELECT text FROM s.paragraphs WHERE role = 'body'")
        if 20 <= len(r[0].split()) <= 60
    ]
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    sites = outlet_sites(templates, rng)
    plan = plan_copies(templates, groups, n, seed)
    log(f"copies: {len(templates)} templates in {len(groups)} groups, {len(sites)} sites")
    t0 = time.perf_counter()
    db.execute(
        "CREATE TEMP TABLE copy_map (new_id TEXT PRIMARY KEY, src_id TEXT NOT NULL, "
        "addendum TEXT, add_idx INTEGER, add_start INTEGER) WITHOUT ROWID"
    )
    db.execute("BEGIN")
    rows, mapping, sources = [], [], []
    for k, (tid, day, sec) in enumerate(plan):
        t = by_id[tid]
        site = rng.choice(sites)
        d = START + timedelta(days=day)
        stamp = datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(seconds=sec)
        content_hash = hashlib.sha256(f"{t['content_hash']}:{k}".encode()).hexdigest()
        new_id = content_hash[:16]
        url = f"https://{site}/{d:%Y/%m/%d}/{_slug(t['title'])}-{k}"
        title = t["title"]
        if title and rng.random() < 0.3:
            title = f"{title} | {site.split('.')[-2].capitalize()}"
        text = t["text"]
        addendum = add_idx = add_start = None
        if rng.random() < 0.25 and t["last_p"] is not None:
            addendum = rng.choice(addenda)
            add_idx, add_start = t["last_p"] + 1, len(text) + 2
            text = f"{text}\n\n{addendum}"
        rows.append(
            (
                new_id, content_hash, hashlib.sha256(text.encode()).hexdigest(), t["kind"], url,
                t["original_url"], site, t["original_site"], url, title, t["byline"],
                d.isoformat(), t["language"], t["description"], text, t["errors"],
                stamp.isoformat(timespec="seconds"), t["crosswire_version"],
            )
        )  # fmt: skip
        mapping.append((new_id, tid, addendum, add_idx, add_start))
        iso = stamp.isoformat(timespec="seconds")
        sources.append((url, new_id, iso, iso))
    cols = (
        "id, content_hash, text_hash, kind, url, original_url, site, original_site, "
        "canonical_url, title, byline, published, language, description, text, errors, "
        "extracted_at, crosswire_version"
    )
    db.executemany(f"INSERT INTO articles ({cols}) VALUES ({', '.join('?' * 18)})", rows)  # noqa: S608
    log(
        f"copies: {len(rows)} articles with their full-text index "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    db.executemany("INSERT INTO copy_map VALUES (?, ?, ?, ?, ?)", mapping)
    db.executemany("INSERT INTO sources VALUES (?, ?, ?, ?)", sources)
    for table, columns in _CHILD_TABLES.items():
        t1 = time.perf_counter()
        names = ", ".join(columns)
        picked = ", ".join(f"x.{c}" for c in columns)
        db.execute(
            f"INSERT INTO {table} (article_id, {names}) "  # noqa: S608 - constant names
            f"SELECT m.new_id, {picked} FROM copy_map m JOIN s.{table} x ON x.article_id = m.src_id"
        )
        log(f"copies: {table} in {time.perf_counter() - t1:.0f} s")
    db.execute(
        'INSERT INTO paragraphs (article_id, idx, role, text, start, "end", line) '
        "SELECT new_id, add_idx, 'body', addendum, add_start, add_start + length(addendum), NULL "
        "FROM copy_map WHERE addendum IS NOT NULL"
    )
    db.execute("COMMIT")
    db.execute("DETACH DATABASE s")
    db.execute("ANALYZE")
    db.close()
    log(f"copies: done in {time.perf_counter() - t0:.0f} s")
    tmp.rename(path.with_name(path.name + ".unconnected"))


def built(path: Path, n: int) -> bool:
    if not path.exists():
        return False
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (articles,) = db.execute("SELECT count(*) FROM articles").fetchone()
        (connected,) = db.execute("SELECT count(*) FROM story_articles").fetchone()
    finally:
        db.close()
    return bool(articles == n and connected == n)


def build(path: Path, n: int, n_wcxb: int, seed: int) -> dict[str, Any]:
    """Make (or reuse) the store at ``path``; returns what the build measured."""
    meta_path = path.with_name(path.name + ".build.json")
    if built(path, n):
        log(f"store: reusing {path} ({n} articles, connected)")
        return json.loads(meta_path.read_text()) if meta_path.exists() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    seed_db = path.with_name(path.stem + ".seed.db")
    build_seed(seed_db, n_wcxb)
    unconnected = path.with_name(path.name + ".unconnected")
    if not unconnected.exists():
        build_copies(seed_db, path, n, seed)
    log("connect: starting")
    t0 = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            log(f"connect: read {done}/{total} ({time.perf_counter() - t0:.0f} s)")

    with Store(unconnected) as store:
        summary = connect(store, progress)
    seconds = time.perf_counter() - t0
    rss_mb = _peak_rss_mb()
    log(f"connect: {summary} in {seconds:.0f} s, peak RSS {rss_mb:.0f} MB")
    unconnected.rename(path)
    meta = {
        "articles": n,
        "connect_seconds": round(seconds, 1),
        "connect_peak_rss_mb": round(rss_mb),
        "stories": summary.stories,
        "copies": summary.copies,
        "entities": summary.entities,
        "db_bytes": path.stat().st_size,
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    return meta


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- load test -----------------------------------------------------------------------------------


def sample_urls(path: Path, seed: int) -> dict[str, list[str]]:
    """Per endpoint group, the URLs to request (drawn from the store)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def col(sql: str, *args: Any) -> list[Any]:
        return [r[0] for r in db.execute(sql, args)]

    def some(sql: str, k: int) -> list[Any]:
        # Sampled here, not with ORDER BY random(): the same seed gives the same URLs.
        rows = col(sql)
        return rng.sample(rows, min(k, len(rows)))

    n_stories = col("SELECT count(*) FROM stories")[0]
    pages = max(1, -(-n_stories // 50))
    big = col("SELECT id FROM stories ORDER BY articles DESC, id LIMIT 20")
    stories = some("SELECT id FROM stories ORDER BY id", 400)
    articles = some("SELECT id FROM articles ORDER BY id", 400)
    top_entities = col("SELECT id FROM corpus_entities ORDER BY articles DESC, id LIMIT 20")
    entities = some("SELECT id FROM corpus_entities ORDER BY id", 400)
    sites = some("SELECT DISTINCT site FROM articles ORDER BY site", 200)
    names = col("SELECT name FROM corpus_entities ORDER BY articles DESC, id LIMIT 300")
    # Words of titles, a mix of common and rare ones.
    words = [
        w
        for t in some("SELECT DISTINCT title FROM articles WHERE title IS NOT NULL ORDER BY 1", 300)
        for w in re.findall(r"[A-Za-z]{4,}", t)
    ]
    db.close()
    queries = names + words + [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(100)]

    def days() -> str:
        a = START + timedelta(days=rng.randrange(DAYS))
        return f"since={a}&until={a + timedelta(days=rng.randrange(1, 60))}"

    def many(make: Callable[[], str], k: int = 400) -> list[str]:
        return [make() for _ in range(k)]

    q = httpx.QueryParams
    return {
        "/stories": many(lambda: f"/stories?page={rng.randrange(1, pages + 1)}"),
        "/stories.json": many(lambda: f"/stories.json?page={rng.randrange(1, pages + 1)}"),
        "/stories?source=": [f"/stories?{q(source=s)}" for s in sites],
        "/stories?entity=": many(lambda: f"/stories?entity={rng.choice(entities)}"),
        "/stories?entity= (top 20)": many(lambda: f"/stories?entity={rng.choice(top_entities)}"),
        "/stories?since=&until=": many(lambda: f"/stories?{days()}"),
        "/story/ID": [f"/story/{s}" for s in stories],
        "/story/ID.json": [f"/story/{s}.json" for s in stories],
        "/story/ID (20 largest)": [f"/story/{s}" for s in big],
        "/story/ID.json (20 largest)": [f"/story/{s}.json" for s in big],
        "/article/ID": [f"/article/{a}" for a in articles],
        "/article/ID.json": [f"/article/{a}.json" for a in articles],
        "/entity/ID": [f"/entity/{e}" for e in entities],
        "/entity/ID.json": [f"/entity/{e}.json" for e in entities],
        "/entity/ID (20 most named)": [f"/entity/{e}" for e in top_entities],
        "/search?q=": many(lambda: f"/search?{q(q=rng.choice(queries))}"),
        "/search.json?q=": many(lambda: f"/search.json?{q(q=rng.choice(queries))}"),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: Path, port: int, src: Path | None, extra: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("crosswire")
    env = dict(os.environ)
    if src is not None:  # another checkout's package, to compare before and after a change
        env["PYTHONPATH"] = str(src)
    proc = subprocess.Popen(
        [str(exe), "serve", "--db", str(db), "--port", str(port), *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/stories.json?per_page=1").status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start")


def timed_get(client: httpx.Client, url: str) -> tuple[float, str]:
    """Milliseconds from sending to the last byte, and the status (or the transport error)."""
    t0 = time.perf_counter()
    try:
        r = client.get(url)
        _ = r.content
        status = str(r.status_code)
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    return (time.perf_counter() - t0) * 1000, status


def fire(
    base: str, urls: Sequence[str], clients: int, timeout: float = 60
) -> tuple[list[float], Counter[str]]:
    """Request every URL once, ``clients`` at a time; latencies in ms and error statuses."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    it = iter(urls)

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=timeout) as client:
            while True:
                with lock:
                    url = next(it, None)
                if url is None:
                    return
                ms, status = timed_get(client, url)
                with lock:
                    latencies.append(ms)
                    if status != "200":
                        errors[status] += 1

    with ThreadPoolExecutor(clients) as pool:
        for f in [pool.submit(worker) for _ in range(clients)]:
            f.result()
    return latencies, errors


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def load_test(
    db: Path,
    clients: int,
    requests: int,
    seed: int,
    only: str | None,
    src: Path | None = None,
    timeout: float = 60,
) -> list[dict[str, Any]]:
    groups = sample_urls(db, seed)
    if only:
        groups = {k: v for k, v in groups.items() if re.search(only, k)}
    port = free_port()
    log(f"server: starting on 127.0.0.1:{port}")
    proc = start_server(db, port, src)
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    results = []
    try:
        for name, pool in groups.items():
            warm = pool[: min(len(pool), 2 * clients)]
            fire(base, warm, clients, timeout)
            urls = [rng.choice(pool) for _ in range(requests)]
            t0 = time.perf_counter()
            lat, errors = fire(base, urls, clients, timeout)
            wall = time.perf_counter() - t0
            row = {
                "endpoint": name,
                "requests": len(lat),
                "median_ms": round(statistics.median(lat), 1),
                "p95_ms": round(pct(lat, 95), 1),
                "p99_ms": round(pct(lat, 99), 1),
                "max_ms": round(max(lat), 1),
                "errors": sum(errors.values()),
                "error_statuses": dict(errors),
                "requests_per_s": round(len(lat) / wall, 1),
                # The machine is shared: the load says how much else was running.
                "load_1m": round(os.getloadavg()[0], 2),
            }
            results.append(row)
            log(
                f"{name}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms, "
                f"max {row['max_ms']} ms, errors {row['errors']}"
            )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    return results


TOKEN = "bench-token"  # noqa: S105 - a throwaway token for a loopback server


def mixed_load(
    db: Path, clients: int, seconds: float, seed: int, writer: bool, timeout: float = 60
) -> dict[str, Any]:
    """Every endpoint group at once for ``seconds``, optionally with a writer (module docstring)."""
    pool = [u for urls in sample_urls(db, seed).values() for u in urls]
    port = free_port()
    extra = ["--token", TOKEN, "--window", "30"] if writer else []
    proc = start_server(db, port, None, extra)
    base = f"http://127.0.0.1:{port}"
    fire(base, pool[: 4 * clients], clients, timeout)  # warm-up
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    reads: list[float] = []
    writes: list[float] = []
    errors: Counter[str] = Counter()
    write_errors: Counter[str] = Counter()

    def reader(i: int) -> None:
        rng = random.Random(seed * 1000 + i)  # noqa: S311 - reproducible test data
        with httpx.Client(base_url=base, timeout=timeout) as client:
            while time.monotonic() < stop:
                ms, status = timed_get(client, rng.choice(pool))
                with lock:
                    reads.append(ms)
                    if status != "200":
                        errors[status] += 1

    def write() -> None:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        n = 0
        with httpx.Client(base_url=base, timeout=timeout) as client:
            while time.monotonic() < stop:
                n += 1
                text = (
                    f"Bench harbour {n} reopens after storm\nThe harbour of Bench {n} reopened "
                    f"on Monday after {n + 2} days, the port authority said.\n"
                )
                files = {"file": (f"w{n}.txt", text.encode(), "text/plain")}
                t0 = time.perf_counter()
                try:
                    status = str(
                        client.post("/api/ingest", files=files, headers=headers).status_code
                    )
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    writes.append((time.perf_counter() - t0) * 1000)
                    if status != "201":
                        write_errors[status] += 1

    t0 = time.perf_counter()
    try:
        with ThreadPoolExecutor(clients + 1) as ex:
            futures = [ex.submit(reader, i) for i in range(clients)]
            if writer:
                futures.append(ex.submit(write))
            for f in futures:
                f.result()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    wall = time.perf_counter() - t0
    return {
        "seconds": round(wall, 1),
        "clients": clients,
        "reads": len(reads),
        "read_errors": sum(errors.values()),
        "read_error_statuses": dict(errors),
        "reads_per_s": round(len(reads) / wall, 1),
        "median_ms": round(statistics.median(reads), 1),
        "p95_ms": round(pct(reads, 95), 1),
        "p99_ms": round(pct(reads, 99), 1),
        "max_ms": round(max(reads), 1),
        "writes": len(writes),
        "write_errors": sum(write_errors.values()),
        "write_error_statuses": dict(write_errors),
        "write_median_ms": round(statistics.median(writes), 1) if writes else None,
        "load_1m": round(os.getloadavg()[0], 2),
    }


def mixed_table(r: dict[str, Any]) -> str:
    return "\n".join(
        [
            "| clients | seconds | reads | errors | reads/s | median ms | p95 ms | p99 ms | max ms "
            "| writes | write errors | write median ms | load |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['clients']} | {r['seconds']} | {r['reads']} | {r['read_errors']} | "
            f"{r['reads_per_s']} | {r['median_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r['writes']} | {r['write_errors']} | {r['write_median_ms']} | "
            f"{r['load_1m']} |",
        ]
    )


def table(results: Sequence[dict[str, Any]], clients: int) -> str:
    lines = [
        f"| endpoint ({clients} clients) | requests | median ms | p95 ms | p99 ms | max ms | "
        "req/s | errors | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p95 = f"**{r['p95_ms']}**" if r["p95_ms"] >= 100 else str(r["p95_ms"])
        lines.append(
            f"| `{r['endpoint']}` | {r['requests']} | {r['median_ms']} | {p95} | {r['p99_ms']} "
            f"| {r['max_ms']} | {r['requests_per_s']} | {r['errors']} | {r['load_1m']} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", type=Path, metavar="PATH", help="make (or reuse) the store")
    ap.add_argument("--db", type=Path, metavar="PATH", help="load-test the server over PATH")
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--wcxb", type=int, default=200, help="WCXB pages among the templates")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=400, help="per endpoint group")
    ap.add_argument("--only", help="endpoint groups matching this regex")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per request")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--src", type=Path, metavar="DIR", help="serve with the crosswire package under DIR"
    )
    ap.add_argument(
        "--mixed", type=float, metavar="SECONDS", help="every group at once for SECONDS"
    )
    ap.add_argument("--writer", action="store_true", help="with --mixed: a client POSTs pages")
    ap.add_argument("--json", type=Path, metavar="PATH", help="write the results here")
    args = ap.parse_args(argv)
    if not args.build and not args.db:
        ap.error("give --build PATH, --db PATH or both")
    out: dict[str, Any] = {}
    if args.build:
        out["build"] = build(args.build, args.articles, args.wcxb, args.seed)
    if args.db and args.mixed:
        out["mixed"] = mixed_load(args.db, args.clients, args.mixed, args.seed, args.writer)
        print(mixed_table(out["mixed"]))
    elif args.db:
        results = load_test(args.db, args.clients, args.requests, args.seed, args.only, args.src)
        out |= {"clients": args.clients, "requests": args.requests, "results": results}
        print(table(results, args.clients))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
