"""Train the attribution tagger (two CRFs + cue lexicon) on PolNeAR and score it on dev.

    .venv/bin/python tools/train_attribution.py --train ../shared/data/quotes/polnear/train \
        --dev ../shared/data/quotes/polnear/dev --out src/crosswire/read/models/attribution.crfsuite

Writes ``attribution.crfsuite`` (sources and cues), ``attribution-content.crfsuite`` (contents) and
``attribution.json`` (cue lexicon) into the folder of ``--out``. spaCy parses of the corpora are
cached under ``--cache`` (default ``$TMPDIR/crosswire-attribution-cache``) so reruns skip parsing.

The content tagger reads the cues and sources the first tagger finds; on the training set those
come from taggers trained on the other fold (2-fold jackknife), so they are as noisy as at run
time. L-BFGS is deterministic: the same data and options give the same model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import pickle
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _attribution_score import ROLES, Scorer, gold_spans  # noqa: E402
from crosswire.read.attribution import (  # noqa: E402
    CONTENT_MODEL,
    LEXICON,
    attribute_with,
    label_ranges,
    label_spans,
    load_taggers,
    tag_block,
)
from crosswire.read.attribution_features import (  # noqa: E402
    CueLexicon,
    block_features,
    with_cue_features,
)
from crosswire.read.brat import AnnotatedText, load_corpus  # noqa: E402
from crosswire.read.nlp import MODEL, Block, load, parse  # noqa: E402

SEED = 13
FOLDS = 2
ITERATIONS = 100
CACHE = Path(tempfile.gettempdir()) / "crosswire-attribution-cache"
Span = tuple[int, int]


def progress(label: str, i: int, n: int, t0: float) -> None:
    """One overwriting status line on stderr."""
    el = time.time() - t0
    sys.stderr.write(f"\r{label}: {i}/{n} ({el:.0f}s)")
    if i == n:
        sys.stderr.write("\n")
    sys.stderr.flush()


def parsed(corpus: list[AnnotatedText], cache: Path, label: str) -> list[list[Block]]:
    """The blocks of every article, parsed once and then read back from ``cache``."""
    from spacy.tokens import DocBin

    key = hashlib.sha256(MODEL.encode())
    for art in corpus:
        key.update(art.name.encode())
        key.update(art.text.encode())
    path = cache / f"{label}-{key.hexdigest()[:16]}.pkl"
    nlp = load()
    t0 = time.time()
    if path.exists():
        with path.open("rb") as fh:
            stored = pickle.load(fh)  # noqa: S301 - our own cache file
        out = []
        for starts, data in stored:
            docs = list(DocBin().from_bytes(data).get_docs(nlp.vocab))
            out.append(
                [
                    Block(start=s, doc=d, index=i)
                    for i, (s, d) in enumerate(zip(starts, docs, strict=True))
                ]
            )
        return out
    out = []
    stored = []
    for i, art in enumerate(corpus):
        blocks = parse(art.text)
        db = DocBin(store_user_data=False)
        for b in blocks:
            db.add(b.doc)
        stored.append(([b.start for b in blocks], db.to_bytes()))
        out.append(blocks)
        progress(f"parse {label}", i + 1, len(corpus), t0)
    cache.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        pickle.dump(stored, fh)
    return out


def token_range(block: Block, span: Span) -> tuple[int, int] | None:
    """First and last+1 token of ``block`` overlapping ``span``, or None."""
    idx = [
        t.i
        for t in block.doc
        if block.start + t.idx < span[1] and block.start + t.idx + len(t.text) > span[0]
    ]
    return (idx[0], idx[-1] + 1) if idx else None


def encode(art: AnnotatedText, blocks: list[Block]) -> tuple[list[list[str]], list[list[str]]]:
    """Gold BIO labels per block: source/cue layer and content layer.

    Overlaps within a layer cannot be encoded: the longer span wins (for contents that is the
    outermost one), a later span touching labelled tokens is dropped.
    """
    gold = gold_spans(art)
    a_layer = [["O"] * len(b.doc) for b in blocks]
    c_layer = [["O"] * len(b.doc) for b in blocks]

    def put(layer: list[list[str]], spans: Sequence[Span], typ: str) -> int:
        lost = 0
        for span in sorted(spans, key=lambda s: s[0] - s[1]):
            ok = False
            for k, b in enumerate(blocks):
                if span[1] <= b.start or span[0] >= b.end:
                    continue
                r = token_range(b, span)
                if r is None or any(layer[k][j] != "O" for j in range(*r)):
                    continue
                layer[k][r[0]] = "B-" + typ
                for j in range(r[0] + 1, r[1]):
                    layer[k][j] = "I-" + typ
                ok = True
            lost += not ok
        return lost

    lost = put(a_layer, sorted(gold["cue"]), "CUE")
    lost += put(a_layer, sorted(gold["speaker"]), "SRC")
    lost += put(c_layer, sorted(gold["content"]), "CNT")
    STATS["unencodable"] += lost
    return a_layer, c_layer


STATS: Counter[str] = Counter()


def build_lexicon(corpus: list[AnnotatedText], parses: list[list[Block]]) -> CueLexicon:
    """Cue lexicon counted from the training gold: lemma shares heading / inside cues."""
    total: Counter[str] = Counter()
    head: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    for art, blocks in zip(corpus, parses, strict=True):
        cues = gold_spans(art)["cue"]
        for b in blocks:
            for t in b.doc:
                total[t.lemma_.lower()] += 1
            for span in cues:
                if span[1] <= b.start or span[0] >= b.end:
                    continue
                r = token_range(b, span)
                if r is None:
                    continue
                toks = [b.doc[j] for j in range(*r)]
                for t in toks:
                    inside[t.lemma_.lower()] += 1
                # The head: the token whose syntactic head lies outside the span.
                roots = [t for t in toks if not (r[0] <= t.head.i < r[1]) or t.head.i == t.i]
                verbs = [t for t in roots if t.pos_ in ("VERB", "AUX")] or roots
                if verbs:
                    head[verbs[0].lemma_.lower()] += 1
    return CueLexicon(
        head={w: round(c / total[w], 4) for w, c in head.items() if total[w]},
        inside={w: round(c / total[w], 4) for w, c in inside.items() if total[w] and c >= 2},
        head_count=dict(head),
    )


def train_one(
    xs: list[list[list[str]]], ys: list[list[str]], path: str, params: dict[str, object]
) -> None:
    """Train one CRF and write it to ``path``."""
    import pycrfsuite

    random.seed(SEED)
    trainer = pycrfsuite.Trainer(verbose=False)
    for x, y in zip(xs, ys, strict=True):
        if x:
            trainer.append(x, y)
    trainer.set_params(params)
    trainer.train(path)


def run_parallel(
    label: str,
    jobs: list[tuple[list[list[list[str]]], list[list[str]], str, dict[str, object]]],
) -> None:
    """Train several CRFs at once, one process each (forked: the data is shared, not copied)."""
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=train_one, args=job) for job in jobs]
    t0 = time.time()
    for p in procs:
        p.start()
    while any(p.is_alive() for p in procs):
        time.sleep(2)
        sys.stderr.write(f"\r{label}: training {len(procs)} CRFs... {time.time() - t0:.0f}s")
        sys.stderr.flush()
    sys.stderr.write("\n")
    if any(p.exitcode for p in procs):
        sys.exit(f"training failed ({label})")


def score(
    corpus: list[AnnotatedText], predicted: list[dict[str, set[Span]]]
) -> dict[str, dict[str, tuple[float, float, float]]]:
    sc = Scorer()
    for art, pred in zip(corpus, predicted, strict=True):
        sc.add(art, pred)
    return sc.table()


def print_table(title: str, table: dict[str, dict[str, tuple[float, float, float]]]) -> None:
    print(f"\n{title}")
    print(f"{'role':8} {'exact P':>8} {'R':>6} {'F1':>6}   {'overlap P':>9} {'R':>6} {'F1':>6}")
    for role in ROLES:
        e, o = table[role]["exact"], table[role]["overlap"]
        print(
            f"{role:8} {e[0] * 100:8.1f} {e[1] * 100:6.1f} {e[2] * 100:6.1f}   "
            f"{o[0] * 100:9.1f} {o[1] * 100:6.1f} {o[2] * 100:6.1f}"
        )


def oracle(corpus: list[AnnotatedText], parses: list[list[Block]]) -> None:
    """Score of gold labels after BIO encoding: the ceiling the token encoding allows."""
    preds = []
    for art, blocks in zip(corpus, parses, strict=True):
        a_layer, c_layer = encode(art, blocks)
        pred: dict[str, set[Span]] = {r: set() for r in ROLES}
        for b, a, c in zip(blocks, a_layer, c_layer, strict=True):
            sp = label_spans(b, a)
            pred["speaker"].update(sp.get("SRC", []))
            pred["cue"].update(sp.get("CUE", []))
            pred["content"].update(label_spans(b, c).get("CNT", []))
        preds.append(pred)
    print_table("dev ceiling of the BIO encoding (gold labels decoded)", score(corpus, preds))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--dev", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=CACHE, help="parse cache folder")
    # Defaults as tuned on dev: strong L1 both prunes the model (~6 MB) and scores best.
    ap.add_argument("--iterations", type=int, default=ITERATIONS, help="L-BFGS iterations")
    ap.add_argument("--c1", type=float, default=1.0, help="L1 weight")
    # Contents want sparser models still (dev exact F1: c1 0.5 -> 51.4, 1.0 -> 54.8, 2.0 -> 55.7).
    ap.add_argument("--c1-content", type=float, default=2.0, help="L1 weight, content tagger")
    ap.add_argument("--c2", type=float, default=0.01, help="L2 weight")
    ap.add_argument("--minfreq", type=int, default=3, help="drop features seen fewer times")
    args = ap.parse_args()
    random.seed(SEED)
    t_start = time.time()

    train = load_corpus(args.train)
    dev = load_corpus(args.dev)
    print(f"{len(train)} train / {len(dev)} dev articles")
    train_p = parsed(train, args.cache, "train")
    dev_p = parsed(dev, args.cache, "dev")
    print(f"parsed or loaded in {time.time() - t_start:.0f}s")

    lex = build_lexicon(train, train_p)
    out_dir = args.out.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    lex_path = out_dir / LEXICON
    lex_path.write_text(json.dumps(lex.to_json(), sort_keys=True), encoding="utf-8")
    print(f"cue lexicon: {len(lex.head)} head lemmas")

    t0 = time.time()
    xs: list[list[list[str]]] = []
    ya: list[list[str]] = []
    yc: list[list[str]] = []
    fold_of: list[int] = []
    for i, (art, blocks) in enumerate(zip(train, train_p, strict=True)):
        a_layer, c_layer = encode(art, blocks)
        xs.extend(block_features(b, lex) for b in blocks)
        ya.extend(a_layer)
        yc.extend(c_layer)
        fold_of.extend([i % FOLDS] * len(blocks))
        if (i + 1) % 20 == 0 or i + 1 == len(train):
            progress("features", i + 1, len(train), t0)
    print(f"gold spans lost to the BIO encoding (train): {STATS['unencodable']}")
    STATS.clear()
    oracle(dev, dev_p)

    params: dict[str, object] = {
        "c1": args.c1,
        "c2": args.c2,
        "max_iterations": args.iterations,
        "feature.minfreq": args.minfreq,
        "feature.possible_transitions": True,
    }
    content_params = {**params, "c1": args.c1_content}
    t_train = time.time()
    # The content tagger reads the cues the source/cue tagger finds. To train it on cues as
    # noisy as at run time, the train set's cues come from taggers trained on the other folds.
    work = Path(tempfile.mkdtemp(prefix="attribution-folds-"))
    fold_paths = [str(work / f"fold{f}.crfsuite") for f in range(FOLDS)]
    run_parallel(
        "cue taggers for the folds",
        [
            (
                [x for x, k in zip(xs, fold_of, strict=True) if k != f],
                [y for y, k in zip(ya, fold_of, strict=True) if k != f],
                fold_paths[f],
                params,
            )
            for f in range(FOLDS)
        ],
    )
    import pycrfsuite

    taggers = []
    for path in fold_paths:
        tagger = pycrfsuite.Tagger()
        tagger.open(path)
        taggers.append(tagger)
    xc: list[list[list[str]]] = []
    t0 = time.time()
    blocks_flat = [b for blocks in train_p for b in blocks]
    for n, (b, x, k) in enumerate(zip(blocks_flat, xs, fold_of, strict=True)):
        ranges = label_ranges(taggers[k].tag(x)) if x else {}
        xc.append(with_cue_features(b, x, ranges.get("CUE", []), ranges.get("SRC", [])))
        if (n + 1) % 2000 == 0 or n + 1 == len(blocks_flat):
            progress("content features", n + 1, len(blocks_flat), t0)
    content_path = out_dir / CONTENT_MODEL
    run_parallel(
        "final taggers",
        [(xs, ya, str(args.out), params), (xc, yc, str(content_path), content_params)],
    )
    shutil.rmtree(work, ignore_errors=True)
    train_time = time.time() - t_train
    print(f"trained in {train_time:.0f}s")

    model = load_taggers(str(args.out), str(content_path), str(lex_path))
    raw: list[dict[str, set[Span]]] = []
    linked: list[dict[str, set[Span]]] = []
    t0 = time.time()
    words = 0
    for blocks in dev_p:
        words += sum(len(b.doc) for b in blocks)
        atts = attribute_with(model, blocks)
        linked.append(
            {
                "speaker": {a.source for a in atts if a.source},
                "cue": {a.cue for a in atts if a.cue},
                "content": {a.content for a in atts},
            }
        )
    t_tag = time.time() - t0
    for blocks in dev_p:
        pred: dict[str, set[Span]] = {r: set() for r in ROLES}
        for b in blocks:
            sa, sc = tag_block(model, b)
            if not sa:
                continue
            sp = label_spans(b, sa)
            pred["speaker"].update(sp.get("SRC", []))
            pred["cue"].update(sp.get("CUE", []))
            pred["content"].update(label_spans(b, sc).get("CNT", []))
        raw.append(pred)
    print_table("dev, raw tagged spans", score(dev, raw))
    print_table("dev, attribute() output (linked)", score(dev, linked))
    size = sum(p.stat().st_size for p in (args.out, content_path, lex_path))
    print(f"\ntagging: {words / t_tag:.0f} tokens/s (attribute() alone, parse excluded)")
    print(f"model size: {size / 1e6:.1f} MB; total time {time.time() - t_start:.0f}s")


if __name__ == "__main__":
    main()
