"""Quantity benchmark: crosswire against quantulum3 0.10.0 on NewsQuant, side by side in one run.

Usage::

    .venv/bin/python bench/quantities.py                    # dev set, both systems
    .venv/bin/python bench/quantities.py --data path/to/newsquant.json --json out.json
    .venv/bin/python bench/quantities.py --errors 40        # also print crosswire's misses

Data: ``../shared/data/quantities/newsquant-dev.json`` (219 sentences; see the shared README).
Each sentence is given to each system alone, as one paragraph.

Matching, per sentence, one-to-one and greedy in gold order:

* **value**: a predicted quantity matches a gold one when their ``(low, high)`` pairs are equal
  within 1e-6 relative (1e-9 absolute near zero). Gold ``"a-b"`` is the range (a, b), a single
  value v is (v, v); both pairs are sorted, so "4.8 to 4.7" equals (4.7, 4.8). A predicted vague
  amount ("thousands") is its range (1000, 10000); a prediction without any number never matches.
* **value+unit**: value matches and so does the unit. The gold unit is ``normalized_unit``
  ("kilometre", "dollar", "worker"; "-" for none). The predicted unit is the unit's long name
  (``crosswire.read.units.unit_name``, quantulum3's ``unit.name``) or, for a plain count, the
  counted noun, or "-". Both are lowercased, stripped of "%"-prefixes and compared word-wise on
  the last word after a crude singularisation (trailing "es"/"s" dropped), so "special forces
  troops" matches "troop" and "mile per hour" matches "mile per hour"; "dimensionless" is "-".
* **value+change**: value matches and the change label (``=``, ``~``, ``>``, ``<``, ``up``,
  ``down``) is equal. quantulum3 has no change; it is scored as always ``=``.

Precision = matches / predictions, recall = matches / gold quantities, micro-averaged over all
sentences; F1 their harmonic mean. Speed: sentences per second over the summed time of the
extraction calls (crosswire's includes its spaCy parse; model loading is done before timing).
quantulum3's shipped classifier does not load with current scikit-learn; it is retrained at
bench start (``train_classifier``, about 5 s) into a temporary directory, never into the repo.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crosswire.read.quantities import quantities_in  # noqa: E402
from crosswire.read.units import unit_name  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "quantities" / "newsquant-dev.json"
DEFAULT_JSON = ROOT / "bench" / "results" / "quantities.json"
METRICS = ("value", "value+unit", "value+change")
# NewsQuant, all 590 sentences, F1 (satya77/CQE_Evaluation); published, not measured here.
REFERENCE = {"CQE": (92.0, 85.6), "quantulum3": (73.0, 47.2)}

console = Console(width=None if sys.stdout.isatty() else 120)


@dataclass(frozen=True, slots=True)
class Item:
    low: float
    high: float
    unit: str
    change: str
    text: str = ""


# --------------------------------------------------------------------------- gold

_NUM = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^\s*({_NUM})\s*-\s*({_NUM})\s*$")


def gold_value(raw: str) -> tuple[float, float] | None:
    """(low, high) of a NewsQuant value: "12.5", "1.99E-29", "10000.0-100000.0", "-5"."""
    try:
        v = float(raw)
        return v, v
    except ValueError:
        pass
    m = _RANGE.match(raw)
    if not m:
        return None
    a, b = float(m.group(1)), float(m.group(2))
    return min(a, b), max(a, b)


def unit_key(unit: str | None) -> str:
    """The comparable form of a unit name or noun phrase (see the module docstring)."""
    if not unit:
        return "-"
    u = unit.lower().strip()
    u = re.sub(r"^%\s*", "", u)
    if u in ("-", "dimensionless", ""):
        return "-"
    word = re.findall(r"[a-z$%]+", u)
    if not word:
        return u
    last = word[-1]
    if " per " in f" {u} ":
        last = u  # a rate compares whole: "dollar per barrel"
    return _singular(last)


def _singular(word: str) -> str:
    """A crude English singular: "bosses" → "boss", "deputies" → "deputy", "men" → "man"."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    for plural, single in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"),
                           ("xes", "x"), ("men", "man"), ("s", "")):  # fmt: skip
        if word.endswith(plural):
            return word[: -len(plural)] + single
    return word


def load(path: Path) -> list[tuple[str, list[Item]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for row in data:
        items = []
        for q in row["quantities"]:
            v = gold_value(str(q["value"]))
            if v is None:
                continue
            items.append(Item(v[0], v[1], unit_key(q["normalized_unit"]), q["change"]))
        out.append((row["text"], items))
    return out


# --------------------------------------------------------------------------- systems


def crosswire(text: str) -> list[Item]:
    out = []
    for q in quantities_in(text):
        if q.low is None or q.high is None:
            continue
        unit = unit_name(q.unit) if q.unit else q.noun
        out.append(Item(min(q.low, q.high), max(q.low, q.high), unit_key(unit), q.change, q.text))
    return out


def make_quantulum(workdir: Path) -> tuple[Callable[[str], list[Item]], str]:
    """quantulum3's parser as ``text -> items``, retraining its classifier into ``workdir`` if
    the shipped one fails to load (it does with current scikit-learn, see KNOWN.md)."""
    import warnings

    from quantulum3 import classifier, parser

    warnings.filterwarnings("ignore", module="sklearn")
    warnings.filterwarnings("ignore", module="quantulum3")
    path: str | None = None
    note = "shipped classifier"
    try:
        classifier.classifier()
    except Exception:
        path = str(workdir / "clf.joblib")
        classifier.train_classifier(store=True, output_path=path)
        note = "classifier retrained at bench start"

    def run(text: str) -> list[Item]:
        out = []
        try:
            found = parser.parse(text, classifier_path=path)
        except Exception:
            return []
        for q in found:
            value = float(q.value)
            spread = float(q.uncertainty or 0.0)  # a range comes back as midpoint ± half-width
            if not (math.isfinite(value) and math.isfinite(spread)):
                continue
            name = q.unit.name if q.unit is not None else None
            low, high = value - spread, value + spread
            out.append(Item(low, high, unit_key(name), "=", q.surface))
        return out

    return run, note


# --------------------------------------------------------------------------- scoring


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _match(p: Item, g: Item, metric: str) -> bool:
    if not (_close(p.low, g.low) and _close(p.high, g.high)):
        return False
    if metric == "value+unit":
        return p.unit == g.unit
    if metric == "value+change":
        return p.change == g.change
    return True


def count(pred: list[Item], gold: list[Item], metric: str) -> int:
    used: set[int] = set()
    n = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and _match(p, g, metric):
                used.add(i)
                n += 1
                break
    return n


def prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def run_system(
    fn: Callable[[str], list[Item]], data: list[tuple[str, list[Item]]]
) -> tuple[dict[str, Any], list[tuple[str, list[Item], list[Item]]]]:
    tp = dict.fromkeys(METRICS, 0)
    npred = ngold = 0
    elapsed = 0.0
    rows = []
    for text, gold in data:
        t0 = time.perf_counter()
        pred = fn(text)
        elapsed += time.perf_counter() - t0
        npred += len(pred)
        ngold += len(gold)
        for m in METRICS:
            tp[m] += count(pred, gold, m)
        rows.append((text, gold, pred))
    scores: dict[str, Any] = {}
    for m in METRICS:
        p, r, f = prf(tp[m], npred, ngold)
        scores[m] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
    scores["predicted"] = npred
    scores["gold"] = ngold
    scores["sentences_per_s"] = round(len(data) / elapsed, 1) if elapsed else None
    return scores, rows


def show_errors(rows: list[tuple[str, list[Item], list[Item]]], limit: int) -> None:
    shown = 0
    for text, gold, pred in rows:
        if count(pred, gold, "value+unit") == len(gold) == len(pred):
            continue
        console.print(f"[bold]{text}[/]")
        console.print("  gold:", [(g.low, g.high, g.unit, g.change) for g in gold])
        console.print("  pred:", [(p.low, p.high, p.unit, p.change, p.text) for p in pred])
        shown += 1
        if shown >= limit:
            return


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON)
    ap.add_argument("--errors", type=int, default=0, help="print this many crosswire errors")
    ap.add_argument("--no-peer", action="store_true", help="crosswire only")
    args = ap.parse_args(argv)

    data = load(args.data)
    quantities_in("warm-up: 5 km.")  # load the spaCy model outside the timing
    shown = os.path.relpath(args.data, ROOT)  # no machine-specific absolute path in results
    results: dict[str, Any] = {"data": shown, "sentences": len(data), "systems": {}}
    cw, cw_rows = run_system(crosswire, data)
    results["systems"]["crosswire"] = cw
    if not args.no_peer:
        with tempfile.TemporaryDirectory(prefix="quantulum3-clf-") as tmp:
            qfn, note = make_quantulum(Path(tmp))
            qfn("warm-up: 5 km.")
            q, _ = run_system(qfn, data)
        q["note"] = note
        results["systems"]["quantulum3 0.10.0"] = q

    table = Table(title=f"NewsQuant ({args.data.name}, {len(data)} sentences)")
    for col in ("system", "metric", "P", "R", "F1", "sent/s"):
        table.add_column(col, justify="left" if col in ("system", "metric") else "right")
    for name, s in results["systems"].items():
        for k, m in enumerate(METRICS):
            p, r, f = (f"{100 * s[m][x]:.1f}" for x in ("precision", "recall", "f1"))
            speed = str(s["sentences_per_s"]) if k == 0 else ""
            table.add_row(name if k == 0 else "", m, p, r, f, speed)
        table.add_section()
    for name, figures in REFERENCE.items():
        for k, (m, f) in enumerate(zip(METRICS, figures, strict=False)):
            table.add_row(
                f"{name}, all 590, published" if k == 0 else "", m, "", "", f"{f:.1f}", ""
            )
    console.print(table)
    if args.errors:
        show_errors(cw_rows, args.errors)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    console.print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
