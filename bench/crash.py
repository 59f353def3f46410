"""Crash safety: ``crosswire ingest`` killed with ``kill -9`` at random moments and run again,
with readers asking the web API for stories and articles while it writes.

What is measured. A fixed corpus of real pages (ECB+ news articles as JSON Lines plain-text
copies, which form real multi-article stories; fundus news pages as HTML; the bundled samples
and the plain-text copy fixtures) is cut into ``--parts`` folders. A reference is made first,
uninterrupted: one ingest of every part into a fresh database (for the *fresh* runs), and one
database fed the parts one by one, one command each (for the *shared* runs).
It gives, for each step, the article ids with their text hashes, the stories as sets of
article ids, the row count of every table, and how long the ingest takes: until the schema
exists, until the articles are stored (the summary line), until it exits after connecting.

Then ``--runs`` runs (seeded RNG), alternating two kinds:

- fresh: every part into a new database: kills land in a first ingest;
- shared: one database kept across a cycle of ``--parts`` runs, run *k* ingesting part *k*:
  kills land on a store that already holds stories, copies and links (connecting joins the new
  articles to them), and that earlier kills have hit.

Each run starts the ingest (its own session, so the kill reaches any worker process) and sends
SIGKILL to the process group at a random time: 70% uniform over 95% of the reference's duration
(startup, migration, model warm-up, extraction and reading with a write about once a second,
connecting), 30% within a second of the end of storing (the summary line), where the last
write ends and connecting begins. A quarter of the runs also kill the resumed run the same
way. The same command is then run to completion and the database is checked against the
reference: the same article ids with the same text hashes (lost, extra), no article stored twice
(two articles for one source location, or one content hash), every article in exactly one story
and the same stories (partition of the articles) as uninterrupted, the same row count in every
table (readings complete), no orphan rows in any child table, ``PRAGMA integrity_check`` ok,
``PRAGMA foreign_key_check`` empty, the FTS5 index consistent, exit status 0. The phase each kill
landed in comes from the killed process's own output and the database it left: ``open`` (schema
not complete), ``warm-up`` (before the summary line, nothing committed yet by this run),
``extract+store`` (before the summary line, some articles committed), ``connect`` (summary
printed, the stories line not yet), ``exit`` (everything printed).

Every other run, a reader process (the FastAPI app of ``crosswire serve`` through starlette's
TestClient, on the same database, from the moment its schema exists) loops: the story list,
a story, each article of its timeline; it counts requests served, errors (an exception or a 5xx,
or a 404 for an article a story just listed: articles are never deleted) and stories that
vanished between the list and their page (a merge may do that; counted, not an error).

    .venv/bin/python bench/crash.py --runs 5                 # smoke
    .venv/bin/python bench/crash.py --json bench/results/crash.json   # 100 runs, ~50 min on 2 cores
    .venv/bin/python bench/crash.py --keep /tmp/crash        # keep the corpus and databases
    .venv/bin/python bench/crash.py --table bench/results/crash.json  # the table again

Needs ``../shared/data`` (the development data, beside the clone).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
EXE = str(Path(sys.executable).parent / "crosswire")

#: Tables whose rows belong to one article, by their ``article_id``.
CHILDREN = (
    "paragraphs",
    "removed",
    "paragraph_duplicates",
    "sources",
    "readings",
    "entities",
    "entity_spans",
    "quotes",
    "times",
    "places",
    "claims",
    "story_articles",
    "copies",
    "entity_links",
)

#: Row counts compared with the reference (everything an uninterrupted run leaves).
COUNTED = (
    "articles",
    *CHILDREN,
    "failures",
    "stories",
    "corpus_entities",
    "entity_stories",
    "quotes_fts",
)

#: Orphans: rows pointing to something that is not there.
ORPHANS = {
    **{
        t: f"SELECT count(*) FROM {t} WHERE article_id NOT IN (SELECT id FROM articles)"  # noqa: S608
        for t in CHILDREN
    },
    "entity_spans->entities": "SELECT count(*) FROM entity_spans s WHERE NOT EXISTS "
    "(SELECT 1 FROM entities e WHERE e.article_id = s.article_id AND e.id = s.entity_id)",
    "copies.original_id": "SELECT count(*) FROM copies WHERE original_id NOT IN "
    "(SELECT id FROM articles)",
    "entity_links->entities": "SELECT count(*) FROM entity_links l WHERE NOT EXISTS "
    "(SELECT 1 FROM entities e WHERE e.article_id = l.article_id AND e.id = l.entity_id)",
    "entity_links.corpus_id": "SELECT count(*) FROM entity_links WHERE corpus_id NOT IN "
    "(SELECT id FROM corpus_entities)",
    "story_articles.story_id": "SELECT count(*) FROM story_articles WHERE story_id NOT IN "
    "(SELECT id FROM stories)",
    "entity_stories.story_id": "SELECT count(*) FROM entity_stories WHERE story_id NOT IN "
    "(SELECT id FROM stories)",
    "entity_stories.corpus_id": "SELECT count(*) FROM entity_stories WHERE corpus_id NOT IN "
    "(SELECT id FROM corpus_entities)",
    "quotes_fts->quotes": "SELECT count(*) FROM quotes_fts f WHERE NOT EXISTS "
    "(SELECT 1 FROM quotes q WHERE q.article_id = f.article_id AND q.idx = f.idx)",
    "stories.articles": "SELECT count(*) FROM stories s WHERE s.articles != "
    "(SELECT count(*) FROM story_articles sa WHERE sa.story_id = s.id)",
}

SUMMARY = re.compile(r"^\d+ documents: ", re.MULTILINE)
CONNECTED = re.compile(r"^\d+ stories \(", re.MULTILINE)


# -- the corpus ---------------------------------------------------------------------------------


def _detokenise(text: str) -> str:
    # ECB+ comes tokenised ("Reid , 33 ,"); glue punctuation back so the reader sees prose.
    text = re.sub(r" ([,.;:!?%)'])", r"\1", text)
    text = re.sub(r"([($]) ", r"\1", text)
    return text.replace("`` ", '"').replace(" ''", '"').replace(" n't", "n't")


def build_corpus(folder: Path, parts: int, ecb: int, html: int) -> list[Path]:
    """``parts`` folders holding, dealt round robin, the first ``ecb`` ECB+ articles (one JSON
    Lines file per part), ``html`` fundus pages, the samples and the plain-text fixtures."""
    dirs = [folder / f"part-{k}" for k in range(parts)]
    for d in dirs:
        d.mkdir(parents=True)
    lines = (DATA / "stories" / "ecbplus-dev.jsonl").read_text(encoding="utf-8").splitlines()
    jsonl: list[list[str]] = [[] for _ in dirs]
    for i, line in enumerate(lines[:ecb]):
        doc = json.loads(line)
        record = {
            "id": doc["doc_id"],
            "text": _detokenise(doc["text"]),
            "url": f"https://ecb.example.org/{doc['topic']}/{doc['doc_id']}",
        }
        jsonl[i % parts].append(json.dumps(record, ensure_ascii=False))
    for d, recs in zip(dirs, jsonl, strict=True):
        (d / "ecb.jsonl").write_text("\n".join(recs) + "\n", encoding="utf-8")
    fundus = DATA / "extraction" / "fundus" / "test_data"
    pages = sorted((fundus / "us").glob("*.html.gz")) + sorted((fundus / "uk").glob("*.html.gz"))
    files = [
        *pages[:html],
        *sorted((ROOT / "samples" / "fundus").glob("*.html.gz")),
        ROOT / "samples" / "north-korean-troops.txt",
        *sorted((ROOT / "tests" / "fixtures" / "plaintext").glob("*.txt")),
    ]
    for i, src in enumerate(files):
        shutil.copyfile(src, dirs[i % parts] / src.name)
    return dirs


def documents(dirs: list[Path]) -> int:
    n = 0
    for d in dirs:
        for f in d.iterdir():
            n += len(f.read_text().splitlines()) if f.suffix == ".jsonl" else 1
    return n


# -- one ingest -------------------------------------------------------------------------------


@dataclass
class Outcome:
    returncode: int | None
    seconds: float
    phase: str
    at: float
    """Seconds after the start when killed (or the run's duration)."""
    stderr: str


def _ro(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def schema_done(db: Path, latest: int) -> bool:
    if not db.exists():
        return False
    try:
        with _ro(db) as conn:
            row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return row is not None and row[0] == latest
    except sqlite3.Error:
        return False


def phase_of(stderr: str, db: Path, latest: int) -> str:
    if CONNECTED.search(stderr):
        return "exit"
    if SUMMARY.search(stderr):
        return "connect"
    return "extract+store" if schema_done(db, latest) else "open"


def ingest(
    db: Path, inputs: list[Path], log: Path, latest: int, kill_at: float | None = None
) -> Outcome:
    """Run ``crosswire ingest`` on ``inputs``; with ``kill_at``, SIGKILL it that many seconds in
    (if it is still running)."""
    cmd = [EXE, "ingest", "-q", "--db", str(db), *map(str, inputs)]
    with log.open("wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        if kill_at is not None:
            while proc.poll() is None and time.monotonic() - t0 < kill_at:
                time.sleep(min(0.01, max(0.0, kill_at - (time.monotonic() - t0))))
            if proc.poll() is None:
                at = time.monotonic() - t0
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                text = log.read_text(errors="replace")
                return Outcome(None, at, phase_of(text, db, latest), at, text)
        proc.wait()
    seconds = time.monotonic() - t0
    return Outcome(proc.returncode, seconds, "done", seconds, log.read_text(errors="replace"))


def timed_reference(db: Path, inputs: list[Path], log: Path, latest: int) -> dict[str, float]:
    """An uninterrupted ingest, timed: schema created, articles stored, exit."""
    cmd = [EXE, "ingest", "-q", "--db", str(db), *map(str, inputs)]
    marks: dict[str, float] = {}
    with log.open("wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        while proc.poll() is None:
            now = time.monotonic() - t0
            if "schema" not in marks and schema_done(db, latest):
                marks["schema"] = now
            if "stored" not in marks and SUMMARY.search(log.read_text(errors="replace")):
                marks["stored"] = now
            time.sleep(0.02)
    marks["end"] = time.monotonic() - t0
    marks.setdefault("schema", 0.0)
    marks.setdefault("stored", marks["end"])
    if proc.returncode != 0:
        raise SystemExit(f"reference ingest failed:\n{log.read_text()}")
    return {k: round(v, 2) for k, v in marks.items()}


# -- the checks ---------------------------------------------------------------------------------


def snapshot(db: Path) -> dict[str, Any]:
    """What the database holds: articles with text hashes, stories as article sets, counts."""
    with _ro(db) as conn:
        articles = dict(conn.execute("SELECT id, text_hash FROM articles").fetchall())
        members: dict[str, list[str]] = {}
        for aid, sid in conn.execute("SELECT article_id, story_id FROM story_articles"):
            members.setdefault(sid, []).append(aid)
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in COUNTED
        }
    return {
        "articles": articles,
        "stories": sorted(sorted(m) for m in members.values()),
        "counts": counts,
    }


def check(db: Path, ref: dict[str, Any]) -> dict[str, Any]:
    got = snapshot(db)
    with sqlite3.connect(db, timeout=30) as conn:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        try:
            # FTS5's own check: the index agrees with the articles table it points into.
            conn.execute(
                "INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)"
            )
            fts = "ok"
        except sqlite3.DatabaseError as exc:
            fts = str(exc)
        q = conn.execute
        dup_hash = q("SELECT count(*) - count(DISTINCT content_hash) FROM articles").fetchone()[0]
        dup_source = q("SELECT count(*) - count(DISTINCT location) FROM sources").fetchone()[0]
        ungrouped = q(
            "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM story_articles)"
        ).fetchone()[0]
        unread = q(
            "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM readings)"
        ).fetchone()[0]
        orphans = {k: n for k, sql in ORPHANS.items() if (n := q(sql).fetchone()[0])}
    want, have = ref["articles"], got["articles"]
    changed = sum(1 for a in want.keys() & have.keys() if want[a] != have[a])
    counts = {
        t: (ref["counts"][t], got["counts"][t])
        for t in COUNTED
        if ref["counts"][t] != got["counts"][t]
    }
    integrity_ok = integrity == ["ok"] and not fk and fts == "ok"
    return {
        "expected": len(want),
        "stored": len(have),
        "lost": len(want.keys() - have.keys()),
        "extra": len(have.keys() - want.keys()),
        "text_changed": changed,
        "duplicated": dup_hash + dup_source,
        "ungrouped": ungrouped,
        "unread": unread,
        "stories": len(got["stories"]),
        "stories_expected": len(ref["stories"]),
        "grouping_differs": got["stories"] != ref["stories"],
        "count_mismatches": counts,
        "orphans": orphans,
        "integrity": integrity[:5],
        "foreign_key_violations": len(fk),
        "fts": fts,
        "integrity_ok": integrity_ok,
    }


# -- the reader -------------------------------------------------------------------------------


def reader(db: Path, stop: Path, out: Path, latest: int, seed: int) -> None:
    """Ask the web API for stories and their articles until ``stop`` exists; write counts."""
    import warnings

    warnings.filterwarnings("ignore")
    from fastapi.testclient import TestClient

    from crosswire.serve.app import create_app
    from crosswire.serve.settings import Settings

    rng = random.Random(seed)  # noqa: S311 - which story to open, not a secret
    stats: Counter[str] = Counter()
    messages: list[str] = []

    def fail(kind: str, text: str) -> None:
        stats[kind] += 1
        if len(messages) < 20:
            messages.append(f"{kind}: {text}"[:300])

    while not stop.exists() and not schema_done(db, latest):
        time.sleep(0.05)
    if not stop.exists():
        with TestClient(create_app(Settings(db))) as client:

            def get(path: str) -> Any:
                stats["requests"] += 1
                try:
                    r = client.get(path)
                except Exception as exc:
                    fail("errors", f"{path}: {type(exc).__name__}: {exc}")
                    return None
                if r.status_code >= 500:
                    fail("errors", f"{path}: {r.status_code} {r.text[:200]}")
                    return None
                stats[f"status {r.status_code}"] += 1
                return r

            while not stop.exists():
                listing = get("/stories.json")
                if listing is None or listing.status_code != 200:
                    time.sleep(0.05)
                    continue
                body = listing.json()
                items = body["items"]
                if len(items) != min(body["total"], body["per_page"]):
                    fail("inconsistent", f"list: {len(items)} items, total {body['total']}")
                if not items:
                    time.sleep(0.05)
                    continue
                story = rng.choice(items)
                detail = get(f"/story/{story['id']}.json")
                if detail is None:
                    continue
                if detail.status_code == 404:
                    stats["story vanished"] += 1
                    continue
                if detail.status_code != 200:
                    fail("errors", f"story {story['id']}: {detail.status_code}")
                    continue
                for entry in detail.json()["timeline"]:
                    page = get(f"/article/{entry['id']}.json")
                    if page is None:
                        continue
                    if page.status_code != 200:
                        fail("inconsistent", f"article {entry['id']}: {page.status_code}")
                time.sleep(0.02)
    out.write_text(json.dumps({"stats": dict(stats), "messages": messages}))


def start_reader(db: Path, work: Path, latest: int, seed: int) -> tuple[Any, Path, Path]:
    stop, out = work / "reader.stop", work / "reader.json"
    stop.unlink(missing_ok=True)
    out.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--reader", str(db), str(stop), str(out), str(seed)]
    return subprocess.Popen(cmd), stop, out


def stop_reader(proc: Any, stop: Path, out: Path) -> dict[str, Any]:
    stop.touch()
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if not out.exists():
        return {"stats": {"errors": 1}, "messages": ["reader died"]}
    return dict(json.loads(out.read_text()))


# -- the runs ---------------------------------------------------------------------------------


@dataclass
class Run:
    run: int
    kind: str
    step: int
    kills: list[dict[str, Any]] = field(default_factory=list)
    resume_seconds: float = 0.0
    returncode: int | None = None
    check: dict[str, Any] = field(default_factory=dict)
    reader: dict[str, Any] | None = None


def kill_time(rng: random.Random, marks: dict[str, float]) -> float:
    if rng.random() < 0.3:
        return max(0.05, marks["stored"] + rng.uniform(-1.0, 1.0))
    # Not quite to the end: a loaded machine runs slower than the reference did, and a kill
    # that comes after the exit tests nothing.
    return rng.uniform(0.05, 0.95 * marks["end"])


def one_run(
    i: int,
    kind: str,
    step: int,
    db: Path,
    inputs: list[Path],
    marks: dict[str, float],
    ref: dict[str, Any],
    work: Path,
    rng: random.Random,
    latest: int,
    with_reader: bool,
) -> Run:
    run = Run(i, kind, step)
    log = work / "ingest.log"
    reading = start_reader(db, work, latest, i) if with_reader else None
    try:
        stored_before = len(snapshot(db)["articles"]) if schema_done(db, latest) else 0
        attempts = 2 if rng.random() < 0.25 else 1
        for attempt in range(attempts):
            at = kill_time(rng, marks)
            got = ingest(db, inputs, log, latest, kill_at=at)
            if got.returncode is not None:
                run.kills.append({"attempt": attempt, "at": round(at, 2), "phase": "finished"})
                continue
            stored = len(snapshot(db)["articles"]) if schema_done(db, latest) else 0
            run.kills.append(
                {
                    "attempt": attempt,
                    "at": round(got.at, 2),
                    "fraction": round(got.at / marks["end"], 2),
                    "phase": got.phase,
                    "articles_committed": stored - stored_before,
                }
            )
        final = ingest(db, inputs, log, latest)
        run.resume_seconds = round(final.seconds, 2)
        run.returncode = final.returncode
        if final.returncode != 0:
            run.check["stderr"] = final.stderr[-2000:]
    finally:
        if reading is not None:
            run.reader = stop_reader(*reading)
    run.check.update(check(db, ref))
    return run


def failed(run: Run) -> bool:
    c = run.check
    return bool(
        run.returncode != 0
        or c["lost"]
        or c["extra"]
        or c["text_changed"]
        or c["duplicated"]
        or c["ungrouped"]
        or c["unread"]
        or c["orphans"]
        or not c["integrity_ok"]
        or c["count_mismatches"]
        or c["grouping_differs"]
        or (run.reader and (run.reader["stats"].get("errors") or 0))
        or (run.reader and (run.reader["stats"].get("inconsistent") or 0))
    )


def _phase(kill: dict[str, Any]) -> str:
    # Nothing committed yet by this run: the models were loading or the first documents were
    # being read (results are written about once a second).
    if kill["phase"] == "extract+store" and not kill.get("articles_committed"):
        return "warm-up"
    return str(kill["phase"])


def table(runs: list[Run]) -> str:
    head = (
        "| runs | kind | kills (in resume) "
        "| open / warm-up / extract+store / connect / exit / missed "
        "| articles expected | stored | lost | extra | duplicated | ungrouped | orphan rows "
        "| integrity failures | count or grouping differs | resume exit ≠ 0 "
        "| reader runs | requests | errors | inconsistent | stories vanished |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for kind in ("fresh", "shared", "all"):
        rs = [r for r in runs if kind in ("all", r.kind)]
        if not rs:
            continue
        kills = [k for r in rs for k in r.kills]
        phases = Counter(_phase(k) for k in kills)
        resumed = sum(1 for k in kills if k["attempt"] == 1 and k["phase"] != "finished")
        readers = [r.reader["stats"] for r in rs if r.reader]

        def total(key: str, rs: list[Run] = rs) -> int:
            return sum(int(r.check[key]) for r in rs)

        def rsum(key: str, readers: list[dict[str, int]] = readers) -> int:
            return sum(s.get(key, 0) for s in readers)

        cells = [
            len(rs),
            kind,
            f"{len(kills) - phases['finished']} ({resumed})",
            " / ".join(
                str(phases[p])
                for p in ("open", "warm-up", "extract+store", "connect", "exit", "finished")
            ),
            total("expected"),
            total("stored"),
            total("lost"),
            total("extra"),
            total("duplicated"),
            total("ungrouped"),
            sum(sum(r.check["orphans"].values()) for r in rs),
            sum(1 for r in rs if not r.check["integrity_ok"]),
            sum(1 for r in rs if r.check["count_mismatches"] or r.check["grouping_differs"]),
            sum(1 for r in rs if r.returncode != 0),
            len(readers),
            rsum("requests"),
            rsum("errors"),
            rsum("inconsistent"),
            rsum("story vanished"),
        ]
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--parts", type=int, default=4, help="folders the corpus is cut into")
    parser.add_argument("--ecb", type=int, default=28, help="ECB+ articles in the corpus")
    parser.add_argument("--html", type=int, default=4, help="fundus HTML pages in the corpus")
    parser.add_argument("--json", type=Path, help="write every run's record here")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    parser.add_argument("--table", type=Path, help="print the table of a --json file, and stop")
    parser.add_argument("--reader", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.table:
        record = json.loads(args.table.read_text())
        print(table([Run(**r) for r in record["runs"]]))
        return

    from crosswire.store.migrations import MIGRATIONS

    latest = MIGRATIONS[-1].version
    if args.reader:
        db, stop, out, seed = args.reader
        reader(Path(db), Path(stop), Path(out), latest, int(seed))
        return

    work = args.keep or Path(tempfile.mkdtemp(prefix="crosswire-crash-"))
    if work.exists() and args.keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    dirs = build_corpus(work / "corpus", args.parts, args.ecb, args.html)
    print(f"corpus: {documents(dirs)} documents in {len(dirs)} parts under {work / 'corpus'}")

    # The references: what an uninterrupted ingest leaves, and how long it takes.
    fresh_db = work / "ref-fresh.db"
    fresh_marks = timed_reference(fresh_db, dirs, work / "ref.log", latest)
    refs: dict[str, Any] = {"fresh": snapshot(fresh_db)}
    marks: dict[str, dict[str, float]] = {"fresh": fresh_marks}
    shared_db = work / "ref-shared.db"
    for step in range(args.parts):
        marks[f"shared-{step}"] = timed_reference(shared_db, [dirs[step]], work / "ref.log", latest)
        refs[f"shared-{step}"] = snapshot(shared_db)
    for name, m in marks.items():
        r = refs[name]
        print(
            f"reference {name}: {len(r['articles'])} articles, {len(r['stories'])} stories, "
            f"{r['counts']['copies']} copies, {r['counts']['entities']} entities; "
            f"schema {m['schema']} s, stored {m['stored']} s, end {m['end']} s",
            flush=True,
        )

    rng = random.Random(args.seed)  # noqa: S311 - kill times, not secrets
    runs: list[Run] = []
    cycle = args.parts
    shared_runs = 0
    t0 = time.monotonic()
    for i in range(args.runs):
        with_reader = i % 4 in (2, 3)  # every other run, both kinds
        if i % 2 == 0:
            kind, step, name = "fresh", 0, "fresh"
            db = work / "fresh.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            inputs = dirs
        else:
            kind = "shared"
            step = shared_runs % cycle
            shared_runs += 1
            db = work / "shared.db"
            if step == 0:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
            inputs = [dirs[step]]
            name = f"shared-{step}"
        run = one_run(
            i, kind, step, db, inputs, marks[name], refs[name], work, rng, latest, with_reader
        )
        runs.append(run)
        phases = ",".join(k["phase"] for k in run.kills)
        rstats = run.reader["stats"] if run.reader else {}
        print(
            f"run {i:3d} {kind:6s} step {step} kill {phases:22s} "
            f"stored {run.check['stored']}/{run.check['expected']} "
            f"{'FAIL' if failed(run) else 'ok'}"
            + (
                f" reader {rstats.get('requests', 0)} req {rstats.get('errors', 0)} err"
                if rstats
                else ""
            )
            + f"  [{time.monotonic() - t0:.0f} s]",
            flush=True,
        )
        if failed(run):
            print(json.dumps(asdict(run), indent=1)[:3000], flush=True)
        if args.json:
            _write(args.json, args, marks, refs, runs)

    print()
    print(table(runs))
    bad = [r.run for r in runs if failed(r)]
    print(f"\n{len(runs)} runs, {len(bad)} failed: {bad}; {time.monotonic() - t0:.0f} s")
    if args.json:
        _write(args.json, args, marks, refs, runs)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def _write(
    path: Path,
    args: argparse.Namespace,
    marks: dict[str, dict[str, float]],
    refs: dict[str, Any],
    runs: list[Run],
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "command": " ".join(["bench/crash.py", *sys.argv[1:]]),
        "seed": args.seed,
        "corpus": {"parts": args.parts, "ecb": args.ecb, "html": args.html},
        "reference": {
            name: {
                "seconds": marks[name],
                "articles": len(r["articles"]),
                "stories": len(r["stories"]),
                "counts": r["counts"],
            }
            for name, r in refs.items()
        },
        "table": table(runs),
        "runs": [asdict(r) for r in runs],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1))
    tmp.replace(path)


if __name__ == "__main__":
    main()
