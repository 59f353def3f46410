"""Copy detection benchmark: synthetic scraper copies of real pages, traced to their originals.

Usage::

    .venv/bin/python bench/copies.py                 # score, write bench/results/copies.json
    .venv/bin/python bench/copies.py --seed 2 --no-json

Originals (real article texts, read-only from ``../shared/data``, see its README): the main
content of WCXB dev article pages (ground truth, with their URL and date), the fundus parser test
bodies (with their URL), all 413 ECB+ dev articles (which are hard negatives: two real events per
topic, several outlets per event, so many articles share a topic and most of their names), plus
the project's seed and its five sample HTML pages run through :func:`crosswire.extract.extract`.

Copies, made as content farms make them (fixed ``--seed``): a random share of the originals gets
one to three copies, each a plain-text page run through :func:`crosswire.extract.extract` (so the
extractor's chrome removal and its reading of "By: <url>" lines are part of what is measured)
with a random mix of: chrome lines added at the top and bottom (navigation, share buttons,
"Related" headlines of *other* articles, copyright), 10-30% of paragraphs dropped, paragraphs
reordered, an excerpt (the first 40-60%), whitespace and quote-style changes, mojibake (UTF-8
read as cp1252), and a provenance line "By: <original URL>". Each copy then gets the metadata a
page might have: a later date, a canonical link to the original, or nothing. Originals and
copies arrive in one random order, so a copy often arrives before its original.

Metrics. Pairs: the true pairs are every pair inside an original's group (original and its
copies); the predicted pairs every pair inside a :meth:`CopyIndex.groups` group; precision,
recall and F1 over pairs. Copies traced: share of copies whose predicted original
(:meth:`CopyIndex.original_of`) is their true original. Original choice: over detected groups
(the true original grouped with at least one of its copies), share whose chosen original is the
true one, and by the rule that chose it. Recall is also given per transformation. Speed:
documents per second of :meth:`CopyIndex.add` alone over the whole stream (extraction of the
copies is timed apart); memory: tracemalloc's growth while the index is built, per document (the
shingle records the index keeps in its temporary file are counted apart).

Peer: datasketch 2.0.0 (``MinHash(num_perm=128)`` with ``update_batch`` over the same shingles,
``MinHashLSH(threshold=0.5)``), when installed: its MinHash+LSH speed, and the candidate recall
(true pairs that become LSH candidates) of its LSH against crosswire's bands alone (without the
paragraph keys and named sources that add candidates in the full system).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import platform
import random
import re
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from crosswire.connect.copies import CopyIndex, _overlap, _shingles, normalise_tokens  # noqa: E402
from crosswire.extract import extract  # noqa: E402
from crosswire.records import Article, Document, Paragraph  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


@dataclass
class Original:
    id: str
    paragraphs: list[str]
    title: str
    url: str | None
    published: str | None
    origin: str
    topic: str | None = None


@dataclass
class Item:
    article: Article
    truth: str
    """The id of the true original (itself for an original)."""
    tags: list[str] = field(default_factory=list)


#: Real copies among the originals. The detector proposed these ECB+ pairs; each was then read
#: and confirmed as the same wire or press-release text on two sites: The Hindu and a defence.pk
#: forum repost; pardaphash and bharatwaves (down to the typo "Somani brigands"); freerepublic
#: and a blogspot repost; two unattributed copies of one Canadian Press story; AP's story on
#: vancouverdesi and bigstory.ap.org, and AP excerpts on pba-online (inside ESPN's AP copy) and
#: Times of India (inside the Daily Mail's); a UCS press release and its Common Dreams copy.
#: Real copies the detector missed in ECB+ would count as neither: recall is measured on the
#: synthetic copies. Originals with one URL (the bundled samples are fundus test pages; fundus
#: has two versions of one taz page) are joined by URL.
REAL_COPIES = [
    ("ecb-12_1ecbplus", "ecb-12_3ecbplus"),
    ("ecb-12_4ecbplus", "ecb-12_8ecbplus"),
    ("ecb-12_6ecbplus", "ecb-12_9ecbplus"),
    ("ecb-18_13ecb", "ecb-18_5ecb"),
    ("ecb-7_10ecbplus", "ecb-7_9ecbplus"),
    ("ecb-7_11ecbplus", "ecb-7_1ecbplus"),
    ("ecb-7_2ecbplus", "ecb-7_4ecbplus"),
    ("ecb-9_3ecbplus", "ecb-9_9ecbplus"),
]


def _url_key(url: str | None) -> str | None:
    if not url:
        return None
    return re.sub(r"^https?://(www\.)?", "", url).split("#")[0].rstrip("/")


def _paras(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n+", text) if p.strip()]


def load_originals(limit_wcxb: int, limit_fundus: int) -> list[Original]:
    out: list[Original] = []
    gt = sorted((DATA / "extraction" / "wcxb-dev-articles" / "ground-truth").glob("*.json"))
    for path in gt:
        d = json.loads(path.read_text(encoding="utf-8"))
        g = d["ground_truth"]
        paras = _paras(g.get("main_content") or "")
        if len(" ".join(paras).split()) < 80:
            continue
        date_ = (g.get("publish_date") or "")[:10] or None
        out.append(
            Original(f"wcxb-{path.stem}", paras, g.get("title") or "", d.get("url"), date_, "wcxb")
        )
        if sum(o.origin == "wcxb" for o in out) >= limit_wcxb:
            break
    n_fundus = 0
    for meta_path in sorted((DATA / "extraction" / "fundus" / "test_data").glob("*/meta.info")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        for pub_json in sorted(meta_path.parent.glob("*.json")):
            cases = json.loads(pub_json.read_text(encoding="utf-8"))
            pages = sorted(k for k in meta if k.startswith(pub_json.stem + "_"))
            for (key, case), page in zip(sorted(cases.items()), pages, strict=False):
                body = case.get("body") or {}
                paras = list(body.get("summary") or [])
                for sec in body.get("sections") or []:
                    paras += sec.get("headline") or []
                    paras += sec.get("paragraphs") or []
                if len(" ".join(paras).split()) < 80 or n_fundus >= limit_fundus:
                    continue
                n_fundus += 1
                out.append(
                    Original(
                        f"fundus-{pub_json.stem}-{key}",
                        paras,
                        case.get("title") or "",
                        meta[page]["url"],
                        (case.get("publishing_date") or "")[:10] or None,
                        "fundus",
                    )
                )
    with (DATA / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            lines = d["text"].split("\n")
            title = lines.pop(0) if len(lines) > 2 else ""
            # ECB+ has no paragraphs: three sentences a paragraph, as news sites write.
            paras = [" ".join(lines[i : i + 3]) for i in range(0, len(lines), 3)]
            out.append(
                Original(
                    f"ecb-{d['doc_id']}", paras, title, d.get("source_url"), None, "ecb+",
                    topic=d["subtopic"],
                )
            )  # fmt: skip
    return out


def sample_articles() -> list[Article]:
    seed = (ROOT / "samples" / "north-korean-troops.txt").read_bytes()
    docs = [Document(source="seed", content=seed, kind="text")]
    for p in sorted((ROOT / "samples" / "fundus").glob("*.html.gz")):
        docs.append(Document(source=p.name, content=gzip.decompress(p.read_bytes()), kind="html"))
    return [extract(d) for d in docs]


def to_article(o: Original) -> Article:
    paras = [Paragraph(o.title, "title")] if o.title else []
    paras += [Paragraph(p, "body") for p in o.paragraphs]
    site = re.sub(r"^https?://(www\.)?", "", o.url).split("/")[0] if o.url else None
    return Article(id=o.id, source=o.id, url=o.url, site=site, title=o.title or None,
                   published=o.published, paragraphs=paras)  # fmt: skip


NAV = [
    "Home | News | World | Business | Tech | Sport | Entertainment | Video",
    "Advertisement",
    "Share this article: Facebook Twitter WhatsApp Email",
    "Subscribe to our newsletter for the latest headlines every morning",
    "Trending now",
]
FOOT = [
    "Copyright © 2024 Daily Aggregator Network. All rights reserved.",
    "Terms of Service | Privacy Policy | Contact us | About",
    "Disclaimer: this article was published automatically and has not been edited.",
]


def make_copy(
    o: Original, k: int, rng: random.Random, titles: list[str]
) -> tuple[bytes, list[str], dict[str, Any]]:
    """A scraper's copy of ``o`` as plain-text bytes, its transformation tags and its metadata."""
    paras = list(o.paragraphs)
    tags: list[str] = []
    ops = [
        op
        for op in ("chrome", "drop", "reorder", "excerpt", "quotes", "mojibake")
        if rng.random() < 0.45
    ]
    if "excerpt" in ops and "drop" in ops:
        ops.remove("drop")
    if "drop" in ops and len(paras) >= 4:
        n = max(1, round(len(paras) * rng.uniform(0.1, 0.3)))
        keep = sorted(rng.sample(range(len(paras)), len(paras) - n))
        paras = [paras[i] for i in keep]
        tags.append("paragraphs dropped")
    if "excerpt" in ops and len(paras) >= 4:
        paras = paras[: max(2, round(len(paras) * rng.uniform(0.4, 0.6)))]
        tags.append("excerpt")
    if "reorder" in ops and len(paras) >= 3:
        i, j = rng.sample(range(len(paras)), 2)
        paras[i], paras[j] = paras[j], paras[i]
        if rng.random() < 0.5:
            start = rng.randrange(len(paras))
            block = paras[start:]
            rng.shuffle(block)
            paras[start:] = block
        tags.append("reordered")
    lines = [o.title, *paras] if o.title else paras
    if "chrome" in ops:
        top = rng.sample(NAV, rng.randint(1, 3))
        bottom = [
            "Related stories",
            *("- " + t for t in rng.sample(titles, 4) if t),
            *rng.sample(FOOT, 2),
        ]
        lines = top + lines + bottom
        tags.append("chrome")
    provenance = bool(o.url) and rng.random() < 0.4
    if provenance:
        line = f"By:{o.url}" if rng.random() < 0.5 else f"By: {o.url}"
        if rng.random() < 0.5:
            lines.insert(0, line)
        else:
            lines.append(line)
        tags.append("provenance line")
    text = "\n".join(lines)
    if "quotes" in ops:
        text = text.replace("’", "'").replace("“", '"').replace("”", '"').replace(" ", "  ")
        text = text.replace("'", "’") if rng.random() < 0.5 else text
        tags.append("quotes/spaces")
    data = text.encode("utf-8")
    if "mojibake" in ops:
        data = text.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
        tags.append("mojibake")
    if not tags:
        tags.append("verbatim")
    meta: dict[str, Any] = {"url": f"https://copies-{k}.example/{o.id}", "signal": "none"}
    r = rng.random()
    if r < 0.15 and o.url:
        meta["canonical_url"] = o.url
        meta["signal"] = "canonical"
    elif r < 0.65 and o.published:
        d = date.fromisoformat(o.published[:10]) + timedelta(days=rng.randint(1, 5))
        meta["published"] = d.isoformat()
        meta["signal"] = "later date"
    elif r < 0.65:
        # The hard case for the date rule: the copy is dated, its original is not.
        meta["published"] = (date(2024, 1, 1) + timedelta(days=rng.randint(0, 365))).isoformat()
        meta["signal"] = "copy dated, original undated"
    if provenance:
        meta["signal"] = "provenance"
    return data, tags, meta


def build(
    seed: int, share: float, limit_wcxb: int, limit_fundus: int, order: str
) -> tuple[list[Item], dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    originals = load_originals(limit_wcxb, limit_fundus)
    items = [Item(to_article(o), o.id) for o in originals]
    samples = sample_articles()
    items += [Item(a, a.id) for a in samples]
    for a in samples:
        # The seed is a copy whose own URL is unknown: the source it names stands in for it.
        a.url = a.url or a.original_url
        body = [p.text for p in a.paragraphs if p.role != "title"]
        originals.append(Original(a.id, body, a.title or "", a.url, a.published, "samples"))
    titles = [o.title for o in originals if o.title]
    # Fewer than 40 words is not an article to copy (ECB+ has a few such fragments); they stay
    # in the corpus as negatives.
    copied = [
        o
        for o in originals
        if (o.origin == "samples" or rng.random() < share)
        and len(" ".join(o.paragraphs).split()) >= 40
    ]
    t_extract = 0.0
    n_copies = 0
    for o in copied:
        for k in range(rng.choice((1, 1, 2, 3))):
            data, tags, meta = make_copy(o, k, rng, titles)
            t0 = time.perf_counter()
            a = extract(Document(source=f"{o.id}-copy{k}.txt", content=data, kind="text"))
            t_extract += time.perf_counter() - t0
            a.id = f"{o.id}~copy{k}"
            a.url = meta["url"]
            a.site = meta["url"].split("/")[2]
            a.canonical_url = meta.get("canonical_url")
            # The plain-text extractor may guess a date from the provenance URL; a page would
            # carry its own, so the copy's date is the scenario's.
            a.published = meta.get("published")
            items.append(Item(a, o.id, [*tags, "signal: " + meta["signal"]]))
            n_copies += 1
    # Truth classes: an original and its real copies (same URL, or confirmed by reading).
    parent = {it.article.id: it.article.id for it in items}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    by_url: dict[str, str] = {}
    for o in originals:
        key = _url_key(o.url)
        if key and key in by_url:
            parent[find(o.id)] = find(by_url[key])
        elif key:
            by_url[key] = o.id
    for first, second in REAL_COPIES:
        if first in parent and second in parent:
            parent[find(second)] = find(first)
    for it in items:
        it.truth = find(it.truth)
    if order == "random":
        rng.shuffle(items)
    else:
        # Each original at a random time, each copy within a while after its original.
        when = {it.article.id: rng.random() for it in items if "~copy" not in it.article.id}
        for it in items:
            if "~copy" in it.article.id:
                when[it.article.id] = when[it.article.id.split("~copy")[0]] + rng.uniform(0, 0.2)
        items.sort(key=lambda it: when[it.article.id])
    info = {
        "real copies among originals (joined in the truth)": sum(
            find(o.id) != o.id for o in originals
        ),
        "originals": Counter(o.origin for o in originals),
        "copies": n_copies,
        "copied originals": len(copied),
        "extract copies s": round(t_extract, 2),
    }
    return items, info


def _doc_shingles(a: Article) -> Any:
    import numpy as np

    sets = [_shingles(normalise_tokens(p.text)) for p in a.paragraphs if p.role != "title"]
    return np.unique(np.concatenate(sets)) if sets else np.empty(0, np.uint64)


def pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for members in groups.values():
        out.update(itertools.combinations(sorted(members), 2))
    return out


def score(items: list[Item]) -> dict[str, Any]:
    idx = CopyIndex()
    t0 = time.perf_counter()
    for it in items:
        idx.add(it.article)
    t_add = time.perf_counter() - t0
    t0 = time.perf_counter()
    groups = idx.groups()
    t_groups = time.perf_counter() - t0
    truth: dict[str, list[str]] = defaultdict(list)
    for it in items:
        truth[it.truth].append(it.article.id)
    pred = {g.original: [g.original, *(c.copy for c in g.copies)] for g in groups}
    tp_set, pp_set = pairs(truth), pairs(pred)
    tp = len(tp_set & pp_set)
    p = tp / len(pp_set) if pp_set else 1.0
    r = tp / len(tp_set) if tp_set else 1.0
    truth_of = {it.article.id: it.truth for it in items}
    # Any original of a truth class is a right answer (they are the same page or wire text).
    originals_of: dict[str, set[str]] = defaultdict(set)
    for it in items:
        if "~copy" not in it.article.id:
            originals_of[it.truth].add(it.article.id)
    copies = [it for it in items if "~copy" in it.article.id]
    traced = sum(idx.original_of(it.article.id) in originals_of[it.truth] for it in copies)
    by_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for it in copies:
        ok = idx.original_of(it.article.id) == idx.original_of(it.truth)
        for t in it.tags:
            by_tag[t][0] += ok
            by_tag[t][1] += 1
    choice: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for g in groups:
        members = [g.original, *(c.copy for c in g.copies)]
        true_originals = {truth_of[m] for m in members}
        for t in true_originals:
            if originals_of[t] & set(members) and sum(truth_of[m] == t for m in members) >= 2:
                choice[g.rule][0] += g.original in originals_of[t]
                choice[g.rule][1] += 1
    n_choice = sum(v[1] for v in choice.values())
    false_pairs = sorted(pp_set - tp_set)
    examples = [
        {"pair": fp, "true originals": [truth_of[fp[0]], truth_of[fp[1]]]}
        for fp in false_pairs[:10]
    ]
    example_groups = [g.explain() for g in groups[:3]]
    byid = {it.article.id: it for it in items}
    missed = []
    for it in copies:
        if idx.original_of(it.article.id) != idx.original_of(it.truth):
            o = byid[it.truth]
            jac, cont, _ = _overlap(_doc_shingles(it.article), _doc_shingles(o.article))
            missed.append({"copy": it.article.id, "tags": it.tags, "jaccard": round(jac, 3),
                           "containment": round(cont, 3), "words": [len(it.article.text.split()),
                           len(o.article.text.split())]})  # fmt: skip
    choice_by_signal: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for it in copies:
        sig = next(t for t in it.tags if t.startswith("signal: "))[8:]
        choice_by_signal[sig][0] += idx.original_of(it.article.id) in originals_of[it.truth]
        choice_by_signal[sig][1] += 1
    return {
        "documents": len(items),
        "true pairs": len(tp_set),
        "predicted pairs": len(pp_set),
        "pair precision": round(p, 4),
        "pair recall": round(r, 4),
        "pair F1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
        "copies traced to their original": round(traced / len(copies), 4),
        "original choice accuracy": round(sum(v[0] for v in choice.values()) / max(1, n_choice), 4),
        "original choice by rule": {
            k: {"right": v[0], "of": v[1]} for k, v in sorted(choice.items())
        },
        "recall by transformation": {k: round(v[0] / v[1], 4) for k, v in sorted(by_tag.items())},
        "count by transformation": {k: v[1] for k, v in sorted(by_tag.items())},
        "copies traced, by the copy's signal": {
            k: {"right": v[0], "of": v[1]} for k, v in sorted(choice_by_signal.items())
        },
        "false pairs (first 10)": examples,
        "missed copies": len(missed),
        "missed (first 10)": missed[:10],
        "docs per s (add)": round(len(items) / t_add, 1),
        "groups() s": round(t_groups, 3),
        "example groups": example_groups,
        "_idx": idx,
    }


def memory(items: list[Item]) -> dict[str, Any]:
    words = sum(len(normalise_tokens(it.article.text)) for it in items) / len(items)
    paras = sum(len(it.article.paragraphs) for it in items) / len(items)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    idx = CopyIndex()
    for it in items:
        idx.add(it.article)
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    disk = idx.disk_bytes
    idx.close()
    return {
        "bytes per document": round(used / len(items)),
        "disk bytes per document (shingle records)": round(disk / len(items)),
        "mean words per document": round(words),
        "mean paragraphs per document": round(paras, 1),
        "bytes per word": round(used / len(items) / max(1.0, words), 1),
    }


def peer(items: list[Item], idx: CopyIndex) -> dict[str, Any] | None:
    try:
        from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]
    except ImportError:
        return None
    import numpy as np

    from crosswire.connect import copies as cc

    truth: dict[str, list[str]] = defaultdict(list)
    for it in items:
        truth[it.truth].append(it.article.id)
    true_pairs = pairs(truth)
    shingle_sets: dict[str, Any] = {}
    for it in items:
        tokens = normalise_tokens(
            "\n".join(p.text for p in it.article.paragraphs if p.role != "title")
        )
        shingle_sets[it.article.id] = cc._shingles(tokens)
    # datasketch: MinHash over the same 64-bit shingle hashes (as bytes), LSH insert + query.
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    ds_cands: set[tuple[str, str]] = set()
    t0 = time.perf_counter()
    for aid, s in shingle_sets.items():
        m = MinHash(num_perm=128)
        m.update_batch([x.tobytes() for x in s])
        for other in lsh.query(m):
            ds_cands.add((min(aid, other), max(aid, other)))
        lsh.insert(aid, m)
    t_ds = time.perf_counter() - t0
    # crosswire's numpy MinHash and bands over the same shingles.
    bands: list[dict[int, list[str]]] = [defaultdict(list) for _ in range(cc.BANDS)]
    cw_cands: set[tuple[str, str]] = set()
    t0 = time.perf_counter()
    for aid, s in shingle_sets.items():
        sig = cc._minhash(s)
        keys = idx._band_keys(sig)
        for band, key in zip(bands, keys, strict=True):
            for other in band[key]:
                cw_cands.add((min(aid, other), max(aid, other)))
            band[key].append(aid)
    t_cw = time.perf_counter() - t0
    del np
    return {
        "datasketch MinHash+LSH docs/s": round(len(items) / t_ds, 1),
        "crosswire numpy MinHash+bands docs/s": round(len(items) / t_cw, 1),
        "candidate recall, datasketch LSH(threshold=0.5)": round(
            len(ds_cands & true_pairs) / len(true_pairs), 4
        ),
        "candidate recall, crosswire bands alone": round(
            len(cw_cands & true_pairs) / len(true_pairs), 4
        ),
        "candidates, datasketch": len(ds_cands),
        "candidates, crosswire bands": len(cw_cands),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--share", type=float, default=0.35, help="share of originals that get copies")
    ap.add_argument("--wcxb", type=int, default=350, help="WCXB pages to use")
    ap.add_argument("--fundus", type=int, default=150, help="fundus bodies to use")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "copies.json")
    ap.add_argument("--no-json", action="store_true")
    args = ap.parse_args(argv)
    results: dict[str, Any] = {}
    for order in ("random", "copies after originals"):
        items, info = build(args.seed, args.share, args.wcxb, args.fundus, order)
        print(f"corpus ({order} order): {len(items)} documents; {json.dumps(info)}")
        results[order] = score(items)
        idx = results[order].pop("_idx")
    mem = memory(items)
    peer_result = peer(items, idx)
    report = {
        "command": "bench/copies.py " + " ".join(argv or sys.argv[1:]),
        "date": date.today().isoformat(),
        "machine": platform.platform(),
        "seed": args.seed,
        "corpus": info,
        "crosswire": results,
        "memory": mem,
        "peer": peer_result,
    }
    print(json.dumps(report, indent=1, default=str))
    if not args.no_json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
