"""Story grouping benchmark: crosswire's stories against a TF-IDF clustering baseline on ECB+.

Usage::

    .venv/bin/python bench/stories.py                    # score, write bench/results/stories.json
    .venv/bin/python bench/stories.py --tune             # choose thresholds on topics 1-10 only
    .venv/bin/python bench/stories.py --seeds 1 --no-json

Data (read-only, ``../shared/data/stories/ecbplus-dev.jsonl``, see its README): 413 articles of
ECB+ topics 1-20 (15 and 17 are not in the dev part). Each topic pairs two real events of the
same kind (two rehab check-ins, two earthquakes); the gold story of an article is its
``subtopic``. Texts are tokenised (spaces around punctuation), one sentence a line, and are read
as they are. ECB+ has no publication dates, so time proximity plays no part here; only dates the
texts mention ("May 03 , 2013") count, as features.

Metric: B-cubed. For each article *i* with predicted story C(i) and gold story G(i),
precision(i) = |C(i) ∩ G(i)| / |C(i)| and recall(i) = |C(i) ∩ G(i)| / |G(i)|; precision and
recall are the means over articles, F1 their harmonic mean. Articles of every topic in a subset
are grouped together in one run, so confusing topics costs as much as confusing two events.

Systems, each on topics 1-10 (where thresholds were tuned), 11-20 (never seen while tuning) and
all 20:

* ``crosswire``: :class:`crosswire.connect.stories.StoryGrouper`, articles added one at a time in
  a random arrival order, then one :meth:`regroup`; not told the number of stories. Mean (and
  standard deviation) over ``--seeds`` orders.
* ``crosswire, text only``: the same with words alone (no entities, places, dates or numbers),
  its threshold tuned the same way: the ablation.
* ``crosswire, no evidence``: the full system without the evidence of agreeing and
  conflicting specifics (``evidence=0``; dates and numbers still count as features), at the
  threshold that was tuned for it before that evidence existed (0.20).
* ``crosswire, online only``: the full system without the final ``regroup`` (it still regroups
  by itself at 64, 128 and 256 articles).
* ``baseline``: scikit-learn ``TfidfVectorizer()`` (defaults) and average-link agglomerative
  clustering on cosine distance, **given the true number of stories**.

Speed: articles per second of grouping alone (``add`` for every article plus the final
``regroup``); reading (``crosswire.read.read``) is timed separately, once, and cached in
``--cache`` so later runs skip it.

``--tune`` grid-searches the join threshold on topics 1-10 (mean F1 over the seeds) for the full
and the text-only system and prints the curve; the chosen values are then written into
``THRESHOLD`` (``src/crosswire/connect/stories.py``) and ``TEXT_ONLY_THRESHOLD`` below by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import track
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crosswire.connect.features import StoryInput, story_input  # noqa: E402
from crosswire.connect.stories import EVIDENCE, THRESHOLD, WEIGHTS, StoryGrouper  # noqa: E402
from crosswire.records import Reading  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_CACHE = Path("/tmp/crosswire-bench-stories-readings.pkl")  # noqa: S108
#: Chosen by ``--tune`` on topics 1-10, like ``THRESHOLD``.
TEXT_ONLY_THRESHOLD = 0.14
#: The full system's threshold before conflicting / agreeing specifics were weighed (tuned the
#: same way then), for the ``no evidence`` ablation.
NO_EVIDENCE_THRESHOLD = 0.2
SUBSETS: dict[str, Callable[[int], bool]] = {
    "topics 1-10": lambda t: t <= 10,
    "topics 11-20": lambda t: t > 10,
    "all 20 topics": lambda t: True,
}

console = Console()


# --------------------------------------------------------------------------- data


def load(data: Path) -> list[dict[str, Any]]:
    path = data / "stories" / "ecbplus-dev.jsonl"
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def readings(rows: Sequence[dict[str, Any]], cache: Path) -> tuple[dict[str, Reading], float]:
    """Every article's reading, from the cache where it holds the same text; and the reading
    speed (articles/second) when any had to be read, else 0."""
    from crosswire.read import read

    stored: dict[str, Reading] = {}
    if cache.exists():
        stored = pickle.loads(cache.read_bytes())  # noqa: S301 - our own file in /tmp
    out: dict[str, Reading] = {}
    todo = []
    for r in rows:
        key = hashlib.sha256(r["text"].encode()).hexdigest()
        if key in stored:
            out[r["doc_id"]] = stored[key]
        else:
            todo.append((key, r))
    elapsed = 0.0
    for key, r in track(todo, description="reading", console=console, disable=not todo):
        t = time.perf_counter()
        stored[key] = out[r["doc_id"]] = read(r["text"])
        elapsed += time.perf_counter() - t
    if todo:
        cache.write_bytes(pickle.dumps(stored))
    return out, (len(todo) / elapsed if elapsed else 0.0)


# --------------------------------------------------------------------------- scoring


def bcubed(pred: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (see the module docstring)."""
    pairs = list(zip(pred, gold, strict=True))
    size_pred: dict[str, int] = {}
    size_gold: dict[str, int] = {}
    size_both: dict[tuple[str, str], int] = {}
    for p, g in pairs:
        size_pred[p] = size_pred.get(p, 0) + 1
        size_gold[g] = size_gold.get(g, 0) + 1
        size_both[p, g] = size_both.get((p, g), 0) + 1
    precision = statistics.fmean(size_both[p, g] / size_pred[p] for p, g in pairs)
    recall = statistics.fmean(size_both[p, g] / size_gold[g] for p, g in pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# --------------------------------------------------------------------------- systems


def run_crosswire(
    items: Sequence[StoryInput],
    seed: int,
    threshold: float,
    *,
    use_specifics: bool = True,
    final_regroup: bool = True,
    weights: Mapping[str, float] = WEIGHTS,
    evidence: float = EVIDENCE,
) -> tuple[dict[str, str], float, int]:
    """Story id per article, grouping time in seconds, and number of stories."""
    order = list(items)
    random.Random(seed).shuffle(order)  # noqa: S311 - arrival orders, not secrets
    t = time.perf_counter()
    grouper = StoryGrouper(threshold, weights, use_specifics=use_specifics, evidence=evidence)
    for item in order:
        grouper.add(item)
    if final_regroup:
        grouper.regroup()
    elapsed = time.perf_counter() - t
    stories = grouper.stories()
    return {a: s.id for s in stories for a in s.articles}, elapsed, len(stories)


def run_baseline(texts: Sequence[str], k: int) -> tuple[list[str], float]:
    """Cluster labels of TF-IDF + average link with ``k`` clusters, and the time it took."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    t = time.perf_counter()
    x = TfidfVectorizer().fit_transform(texts).toarray()
    labels = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(
        x
    )
    return [str(label) for label in labels], time.perf_counter() - t


def score_crosswire(
    items: Sequence[StoryInput],
    gold: dict[str, str],
    seeds: int,
    threshold: float,
    **kwargs: Any,
) -> dict[str, Any]:
    runs = []
    for seed in range(seeds):
        assigned, elapsed, n = run_crosswire(items, seed, threshold, **kwargs)
        ids = [it.id for it in items]
        p, r, f = bcubed([assigned[i] for i in ids], [gold[i] for i in ids])
        runs.append({"precision": p, "recall": r, "f1": f, "seconds": elapsed, "stories": n})
    return {
        "precision": statistics.fmean(x["precision"] for x in runs),
        "recall": statistics.fmean(x["recall"] for x in runs),
        "f1": statistics.fmean(x["f1"] for x in runs),
        "f1_sd": statistics.pstdev(x["f1"] for x in runs),
        "stories": statistics.fmean(x["stories"] for x in runs),
        "docs_per_s": len(items) * len(runs) / sum(x["seconds"] for x in runs),
        "threshold": threshold,
        "runs": runs,
    }


# --------------------------------------------------------------------------- main


def tune(items: Sequence[StoryInput], gold: dict[str, str], seeds: int) -> None:
    """Print mean B-cubed F1 over a grid of thresholds, and for the full system of entity
    weights and evidence strengths (``EVIDENCE``), on the given (topics 1-10) articles."""
    grid = [round(0.08 + 0.02 * i, 2) for i in range(12)]
    # (entity weight, evidence): None is the text-only system.
    configs: list[tuple[float, float] | None] = [
        None,
        (2.0, 0.0),
        (1.5, EVIDENCE),
        (2.0, EVIDENCE),
        (2.5, EVIDENCE),
        (2.0, 0.5),
        (2.0, 1.0),
    ]

    def label(c: tuple[float, float] | None) -> str:
        return "text only" if c is None else f"entities ×{c[0]:g}, evidence {c[1]:g}"

    table = Table(title="tuning on topics 1-10: mean B-cubed F1")
    table.add_column("threshold", justify="right")
    for c in configs:
        table.add_column(label(c), justify="right")
    best: dict[tuple[float, float] | None, tuple[float, float]] = {}
    for th in track(grid, description="tuning", console=console):
        row = [f"{th:.2f}"]
        for c in configs:
            weights = {**WEIGHTS, "e": c[0]} if c is not None else WEIGHTS
            s = score_crosswire(
                items,
                gold,
                seeds,
                th,
                use_specifics=c is not None,
                weights=weights,
                evidence=c[1] if c is not None else 0.0,
            )
            best[c] = max(best.get(c, (0.0, 0.0)), (s["f1"], th))
            row.append(f"{s['f1']:.3f}")
        table.add_row(*row)
    console.print(table)
    for c, (f1, th) in best.items():
        console.print(f"best for {label(c)}: threshold {th:.2f}, F1 {f1:.3f}")


def disagreements(
    rows: Sequence[dict[str, Any]],
    found: dict[str, Reading],
    items: Sequence[StoryInput],
    threshold: float,
) -> dict[str, Any]:
    """Cross-source numeric disagreements inside crosswire's stories (first arrival order), with
    a sample for a person to check. ECB+ gives no outlet for most articles, so each article is
    its own source; a number in an article's own voice is claimed by that article."""
    from crosswire.connect.lineup import SourcedClaim, line_up

    story_of, _, _ = run_crosswire(items, 0, threshold)
    outlet = {r["doc_id"]: (r.get("source_url") or r["doc_id"]) for r in rows}
    members: dict[str, list[str]] = {}
    for doc, story in story_of.items():
        members.setdefault(story, []).append(doc)
    flagged = []
    for story, docs in sorted(members.items()):
        claims = [SourcedClaim(d, c, outlet[d]) for d in sorted(docs) for c in found[d].claims]
        for m in line_up(claims):
            for d in m.disagreements:
                flagged.append(
                    {
                        "story": story,
                        "measure": m.label,
                        "why": d.why,
                        "sides": [
                            {"article": x.article, "sentence": x.claim.sentence} for x in (d.a, d.b)
                        ],
                    }
                )
    console.print(
        f"cross-source numeric disagreements in crosswire's stories: {len(flagged)} "
        f"(in {len({f['story'] for f in flagged})} stories); a sample:"
    )
    for f in flagged[:: max(1, len(flagged) // 5)][:5]:
        console.print(f"  [{f['story']}] {f['measure']}: {f['why']}")
        for side in f["sides"]:
            console.print(f"      {side['article']}: {side['sentence'][:150]}")
    return {"count": len(flagged), "items": flagged}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="readings cache (pickle)")
    ap.add_argument("--seeds", type=int, default=5, help="arrival orders to average over")
    ap.add_argument("--tune", action="store_true", help="choose thresholds on topics 1-10")
    ap.add_argument("--threshold", type=float, default=THRESHOLD, help="join threshold (full)")
    ap.add_argument(
        "--json", type=Path, default=ROOT / "bench" / "results" / "stories.json", help="results"
    )
    ap.add_argument("--no-json", action="store_true", help="do not write the results file")
    args = ap.parse_args(argv)

    rows = load(args.data)
    found, read_speed = readings(rows, args.cache)
    items = {r["doc_id"]: story_input(r["doc_id"], r["text"], found[r["doc_id"]]) for r in rows}
    gold = {r["doc_id"]: r["subtopic"] for r in rows}
    topic = {r["doc_id"]: int(r["topic"]) for r in rows}

    if args.tune:
        tune([it for i, it in items.items() if topic[i] <= 10], gold, args.seeds)
        return 0

    report: dict[str, Any] = {
        "data": "ecbplus-dev.jsonl",
        "articles": len(rows),
        "seeds": args.seeds,
        "read_docs_per_s": read_speed or None,
        "subsets": {},
    }
    for name, keep in SUBSETS.items():
        subset = [it for i, it in items.items() if keep(topic[i])]
        ids = [it.id for it in subset]
        k = len({gold[i] for i in ids})
        labels, seconds = run_baseline([it.text for it in subset], k)
        p, r, f = bcubed(labels, [gold[i] for i in ids])
        report["subsets"][name] = {
            "articles": len(subset),
            "gold_stories": k,
            "crosswire": score_crosswire(subset, gold, args.seeds, args.threshold),
            "crosswire, text only": score_crosswire(
                subset, gold, args.seeds, TEXT_ONLY_THRESHOLD, use_specifics=False
            ),
            "crosswire, no evidence": score_crosswire(
                subset, gold, args.seeds, NO_EVIDENCE_THRESHOLD, evidence=0.0
            ),
            "crosswire, online only": score_crosswire(
                subset, gold, args.seeds, args.threshold, final_regroup=False
            ),
            "baseline (true k)": {
                "precision": p,
                "recall": r,
                "f1": f,
                "stories": k,
                "docs_per_s": len(subset) / seconds,
            },
        }

    for name, sub in report["subsets"].items():
        table = Table(title=f"{name}: {sub['articles']} articles, {sub['gold_stories']} stories")
        for col in ("system", "precision", "recall", "F1", "stories", "articles/s"):
            table.add_column(col, justify="left" if col == "system" else "right")
        for system in (
            "crosswire",
            "crosswire, text only",
            "crosswire, no evidence",
            "crosswire, online only",
        ):
            s = sub[system]
            table.add_row(
                system,
                f"{s['precision']:.3f}",
                f"{s['recall']:.3f}",
                f"{s['f1']:.3f} ± {s['f1_sd']:.3f}",
                f"{s['stories']:.1f}",
                f"{s['docs_per_s']:.0f}",
            )
        b = sub["baseline (true k)"]
        table.add_row(
            "baseline (TF-IDF, true k)",
            f"{b['precision']:.3f}",
            f"{b['recall']:.3f}",
            f"{b['f1']:.3f}",
            str(b["stories"]),
            f"{b['docs_per_s']:.0f}",
        )
        console.print(table)
    if read_speed:
        console.print(f"reading (crosswire.read.read): {read_speed:.1f} articles/s")
    report["disagreements"] = disagreements(rows, found, list(items.values()), args.threshold)
    if not args.no_json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
        console.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
