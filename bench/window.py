"""Windowed connect benchmark: the connect stage's cost per run, month after month, with and
without a time window, on a stream of synthetic news months.

Usage::

    .venv/bin/python bench/window.py --n 2000 --months 3                    # smoke test, ~1 min
    nice -n 10 .venv/bin/python bench/window.py --json bench/results/window.json   # ~15 min
    .venv/bin/python bench/window.py --window none      # both stores without a window

``crosswire.connect.update.connect(store)`` replays every stored article through its in-memory
indexes (stories, copies, corpus entities) on every run, so a run's time and memory grow with the
whole store. ``connect(store, window=DAYS)`` loads only the articles of the stories still open
(whose dates come within ``DAYS`` of a new article's date) and the new articles; older stories
stay frozen in the store. This bench shows what each run costs in both modes as the store grows.

The articles are bench/scale.py's synthetic ones (see its docstring: real sentences and names,
power-law story sizes, 7% scraper copies, known true stories and copies), ``--n`` of them
(default 24,000) with the generator's date span narrowed to the first ``--months`` calendar
months (default 6) from 1 January 2023, so each month holds about ``n / months`` articles;
those dated after the last month (the tails of late stories) are left out. Each article is
stored with a reading made from the generator's description of it, as the read stage would
give it (no spaCy, which would take hours here): its people, organisations and city as
entities whose mentions are the places the text names them (a person by surname), the city as a
geocoded place with its country, the event's day and month as time expressions, and its numbers
as claims with their counted noun as unit. The ``StoryInput`` that ``story_input`` makes from
such a reading is the one bench/scale.py gives the grouper.

Two SQLite stores in a temporary folder (``--tmp``) get the same articles, month by month in
arrival order, each month in one transaction, each article stamped as stored when it arrived
(``extracted_at``: the window places an undated article by when it was stored, and stamped with
the bench's own clock the undated third of the copies would all look new). After each month,
the connect stage runs on store A with ``window=None`` (full) and on store B with
``window=--window`` (default 14 days). Each run is its own process (``bench/window.py _connect
DB WINDOW``), started after the other has ended, so that its peak RSS is that run's alone. Per
run: wall and CPU seconds (user + system) of the ``connect`` call, the process's peak RSS
(``VmHWM``, imports included; the RSS before the call is in the JSON),
``ConnectSummary.replayed`` (the articles the run loaded into its indexes, summed over the
slices a windowed run cuts a month into; "-" if the summary has no such field) and the stories
stored. The machine may be shared: CPU seconds are what the run itself cost, wall seconds
include waiting for the other jobs. Each run also fingerprints the connect code it imported
(the JSON's ``code``); the table warns when it changed during the bench.

After the last month, both stores are scored against the generator's truth: stories by B-cubed
precision / recall / F1 over every stored article (``story_articles``), copies by pair precision
/ recall (every pair inside an original's group of copies against every pair inside a stored
copy group, ``copies``), as bench/scale.py scores them. What the window costs in accuracy is the
difference between the two lines.
"""

from __future__ import annotations

import argparse
import calendar
import hashlib
import inspect
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402
from crosswire.records import (  # noqa: E402
    Article,
    Claim,
    Entity,
    Mention,
    Place,
    Reading,
    TimeExpression,
)
from crosswire.store.store import Store  # noqa: E402

#: The code a connect run goes through, fingerprinted in each run: the stage is being worked on,
#: and a run whose rows come from two versions of it must say so.
CONNECT_CODE = [
    "connect/update.py", "connect/window.py", "connect/stories.py", "connect/copies.py",
    "connect/entities.py", "store/windowed.py", "store/connections.py",
]  # fmt: skip


# --------------------------------------------------------------------------- the articles


def reading_of(doc: scale.Doc, text: str) -> Reading:
    """What the read stage would find in ``text``, from the generator's description of it."""
    item = doc.item
    entities: list[Entity] = []
    for i, (name, etype, _count) in enumerate(item.entities):
        # A reading counts the mentions it finds; a person is mostly named by surname after the
        # first time (the generator counts them the same way).
        key = name.split()[-1] if etype == "PERSON" else name
        mentions = [Mention(m.start(), m.end(), key) for m in re.finditer(re.escape(key), text)]
        entities.append(Entity(f"e{i}", name, etype, mentions=mentions))
    places: list[Place] = []
    gpe = next((e for e in entities if e.type == "GPE"), None)
    if gpe is not None and len(item.places) == 2:
        places.append(
            Place(gpe.name, 0.0, 0.0, item.places[1], "city", gpe.id, tuple(gpe.mentions))
        )
    # connect reads only a time's value and grain and a claim's value and unit: times get no
    # offsets, a claim those of its first match in the text (none when it is not there).
    times = [TimeExpression(v, 0, 0, v, "day" if len(v) == 10 else "month") for v in item.dates]
    claims: list[Claim] = []
    for number in item.numbers:
        value, _, unit = number.partition(" ")
        found = text.find(number)
        start = max(found, 0)
        end = start + len(number) if found >= 0 else 0
        claims.append(
            Claim(
                value=float(value), low=float(value), high=float(value), vague=None,
                approx=None, change="=", unit=unit, measure=unit,
                measure_key=unit.split()[-1].lower(), aspect=None, status=None, claimant=None,
                claimant_name=None, time=None, text=text[start:end], start=start, end=end,
                sentence="", sentence_start=start, sentence_end=start,
            )
        )  # fmt: skip
    return Reading(entities=entities, times=times, places=places, claims=claims)


def stored_article(doc: scale.Doc) -> Article:
    article = scale.to_article(doc)
    # The store dedups on content_hash: to_article leaves it empty.
    article.content_hash = hashlib.sha256(f"{doc.id}\n{article.text}".encode()).hexdigest()
    article.reading = reading_of(doc, article.text)
    return article


def month_index(day: date) -> int:
    return (day.year - scale.START.year) * 12 + day.month - scale.START.month


Arrival = tuple[int, scale.Doc, str]
"""Document number, document, and when it arrived (ISO, the store's ``extracted_at`` form)."""


def months_of(corpus: scale.Corpus, months: int) -> list[list[Arrival]]:
    """The documents of the first ``months`` months by arrival time, each month in arrival order."""
    out: list[list[Arrival]] = [[] for _ in range(months)]
    start = datetime.combine(scale.START, datetime.min.time(), UTC)
    when = start
    for k, doc in corpus:
        # A copy's arrival time is not kept by the generator, only its place in the order: it
        # arrives with the original before it.
        if k < corpus.n_orig:
            when = max(when, start + timedelta(days=float(corpus.orig_time[k])))
        m = month_index(when.date())
        if m >= months:
            break
        out[m].append((k, doc, when.isoformat(timespec="seconds")))
    return out


def save_month(path: Path, docs: list[Arrival]) -> None:
    with Store(path) as store:
        store.begin()
        for _k, doc, _at in docs:
            store.save(stored_article(doc))
        # Stored as they arrived, as a live ingest stores them: the store stamps the wall clock,
        # which would date every undated article (a third of the copies) to the day of the run,
        # and the window places an undated article by when it was stored.
        store.db.executemany(
            "UPDATE articles SET extracted_at = ? WHERE id = ?",
            [(at, doc.id) for _k, doc, at in docs],
        )
        store.commit()


# --------------------------------------------------------------------------- one connect run


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def code_version() -> str:
    h = hashlib.sha256()
    for name in CONNECT_CODE:
        path = ROOT / "src" / "crosswire" / name
        h.update(path.read_bytes() if path.exists() else b"")
    return h.hexdigest()[:12]


def run_connect(db: str, window: int | None) -> dict[str, Any]:
    """One connect run on ``db`` in this process (a fresh one: its peak RSS is the run's)."""
    from crosswire.connect.update import connect

    code = code_version()
    kwargs: dict[str, Any] = {} if window is None else {"window": window}
    with Store(db) as store:
        rss0 = status_kb("VmRSS")
        t0, c0 = time.perf_counter(), time.process_time()
        summary = connect(store, **kwargs)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    replayed = getattr(summary, "replayed", None)
    return {
        "wall s": round(wall, 2),
        "cpu s": round(cpu, 2),
        "peak RSS MB": round(status_kb("VmHWM") / 1024, 1),
        "RSS before connect MB": round(rss0 / 1024, 1),
        "process cpu s": round(usage.ru_utime + usage.ru_stime, 2),
        "replayed": replayed,
        "articles": summary.articles,
        "new": summary.new,
        "stories": summary.stories,
        "copies": summary.copies,
        "entities": summary.entities,
        "code": code,
    }


def connect_in_child(db: Path, window: int | None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "_connect", str(db), "none" if window is None else str(window)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- quality


def number(article_id: str, n_orig: int) -> int:
    """The generator's document number of a stored article id (``o12``, ``c3``)."""
    return int(article_id[1:]) if article_id[0] == "o" else n_orig + int(article_id[1:])


def quality(db: Path, corpus: scale.Corpus, stored: list[int]) -> dict[str, Any]:
    true_original, true_story = corpus.truth()
    seen = np.array(stored, dtype=np.int64)
    with Store(db) as store:
        story_rows = store.db.execute("SELECT article_id, story_id FROM story_articles").fetchall()
        copy_rows = store.db.execute("SELECT article_id, original_id FROM copies").fetchall()
    story_of: dict[int, int] = {}
    ids: dict[str, int] = {}
    for aid, sid in story_rows:
        story_of[number(aid, corpus.n_orig)] = ids.setdefault(sid, len(ids))
    # An article in no story (there should be none) counts as a story of its own.
    pred = np.array([story_of.get(k, len(ids) + i) for i, k in enumerate(stored)], dtype=np.int64)
    stories = scale.bcubed(pred, true_story[seen])
    group = np.full(corpus.n, -1, dtype=np.int64)
    originals: dict[str, int] = {}
    for aid, oid in copy_rows:
        g = originals.setdefault(oid, len(originals))
        group[number(aid, corpus.n_orig)] = g
        group[number(oid, corpus.n_orig)] = g
    has_copy = np.bincount(true_original[seen], minlength=corpus.n) > 1
    true_labels = np.where(has_copy[true_original[seen]], true_original[seen], -1)
    return {
        "stories B-cubed": stories,
        "stories found": len(ids),
        "gold stories": len(np.unique(true_story[seen])),
        "copies": scale.pair_scores(group[seen], true_labels),
    }


# --------------------------------------------------------------------------- the run


def run(args: argparse.Namespace) -> dict[str, Any]:
    end = scale.START
    for _ in range(args.months):
        end += timedelta(days=calendar.monthrange(end.year, end.month)[1])
    # Corpus draws story starts over scale.DAYS when it is made: the months asked for, not two
    # years, so that each month holds a realistic share of the articles.
    scale.DAYS = (end - scale.START).days
    t = time.perf_counter()
    pools = scale.load_pools()
    corpus = scale.Corpus(pools, args.n, args.copies, args.seed)
    by_month = months_of(corpus, args.months)
    made = time.perf_counter() - t
    print(f"[window] {sum(map(len, by_month)):,} of {args.n:,} documents in {args.months} months "
          f"made in {made:.0f}s", file=sys.stderr, flush=True)  # fmt: skip
    root = Path(tempfile.mkdtemp(prefix="crosswire-window-", dir=args.tmp))
    dbs = {"full": root / "full.db", "windowed": root / "windowed.db"}
    windows = {"full": None, "windowed": args.window}
    rows: list[dict[str, Any]] = []
    stored: list[int] = []
    try:
        for m, docs in enumerate(by_month):
            t = time.perf_counter()
            for path in dbs.values():
                save_month(path, docs)
            stored.extend(k for k, _doc, _at in docs)
            saved = time.perf_counter() - t
            first = date(scale.START.year + m // 12, m % 12 + 1, 1)
            row: dict[str, Any] = {
                "month": first.strftime("%Y-%m"),
                "new articles": len(docs),
                "articles in store": len(stored),
                "save s (both stores)": round(saved, 1),
            }
            for mode, path in dbs.items():
                row[mode] = connect_in_child(path, windows[mode])
                r = row[mode]
                print(f"[window] {row['month']} {mode}: {len(stored):,} articles, replayed "
                      f"{r['replayed']}, {r['wall s']:.1f}s wall, {r['cpu s']:.1f}s CPU, "
                      f"{r['peak RSS MB']:.0f} MB", file=sys.stderr, flush=True)  # fmt: skip
            rows.append(row)
        scores = {mode: quality(path, corpus, stored) for mode, path in dbs.items()}
    finally:
        if args.keep:
            print(f"[window] stores kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return {"months": rows, "quality": scores, "code versions": sorted(code_versions(rows))}


def code_versions(rows: list[dict[str, Any]]) -> set[str]:
    return {row[mode]["code"] for row in rows for mode in ("full", "windowed")}


def table(results: dict[str, Any], window: int | None) -> str:
    def cells(r: dict[str, Any]) -> str:
        replayed = "-" if r["replayed"] is None else f"{r['replayed']:,}"
        return f"{replayed} | {r['wall s']:.1f} | {r['cpu s']:.1f} | {r['peak RSS MB']:,.0f}"

    w = "none" if window is None else f"{window} d"
    lines = [
        f"| month | articles in store | full: replayed | wall s | CPU s | peak RSS MB "
        f"| window {w}: replayed | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["months"]:
        lines.append(
            f"| {row['month']} | {row['articles in store']:,} | {cells(row['full'])} | "
            f"{cells(row['windowed'])} |"
        )
    lines.append("")
    for mode, q in results["quality"].items():
        b, c = q["stories B-cubed"], q["copies"]
        lines.append(
            f"{mode}: stories B-cubed P {b['precision']:.4f} / R {b['recall']:.4f} / "
            f"F1 {b['f1']:.4f} ({q['stories found']:,} stories, {q['gold stories']:,} true); "
            f"copy pairs P {c['pair precision']:.4f} / R {c['pair recall']:.4f}"
        )
    versions = code_versions(results["months"])
    if len(versions) > 1:
        lines.append(
            f"WARNING: the connect code changed during the run ({len(versions)} versions, "
            "see 'code' per run in the JSON): rows are not comparable across versions."
        )
    return "\n".join(lines)


def parse_window(text: str) -> int | None:
    return None if text.lower() == "none" else int(text)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_connect"]:
        # Internal: one connect run, its measures as JSON on the last line of stdout.
        print(json.dumps(run_connect(argv[1], parse_window(argv[2]))))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=24_000, help="documents to generate")
    ap.add_argument("--months", type=int, default=6, help="months they span (from 2023-01)")
    ap.add_argument(
        "--window",
        type=parse_window,
        default=14,
        help="days of the windowed connect (store B); 'none' runs store B without a window too",
    )
    ap.add_argument("--copies", type=float, default=0.07, help="share of scraper copies")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tmp", default=None, help="folder for the two temporary stores")
    ap.add_argument("--keep", action="store_true", help="keep the stores (their folder is shown)")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    args = ap.parse_args(argv)
    if args.window is not None:
        from crosswire.connect.update import connect

        if "window" not in inspect.signature(connect).parameters:
            ap.error("this connect() has no window argument: give --window none to run both "
                     "stores without one (a test of this script)")  # fmt: skip
    t0 = time.perf_counter()
    results = run(args)
    report = {
        "command": "bench/window.py " + " ".join(argv),
        "date": date.today().isoformat(),
        "machine": f"{platform.platform()}, {os.cpu_count()} cores",
        "n": args.n,
        "months": args.months,
        "window days": args.window,
        "copies share": args.copies,
        "seed": args.seed,
        "total wall s": round(time.perf_counter() - t0, 1),
        "results": results,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(table(results, args.window))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
