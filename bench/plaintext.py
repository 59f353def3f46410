"""Plain-text copy extraction on public data: what survives, what goes.

No public benchmark has plain-text copies with a copying site's chrome attached, so this builds two
measurable cases from ``../shared/data/extraction``:

* ``fundus``: every expected article (title, summary, section headlines, paragraphs) as plain text,
  one line each, with a content-farm footer appended (provenance line with editor credit, next
  article link, truncated related headlines, "Source:", "Read more:", a copyright line). Reported:
  share of body lines kept as ``body``, body lines removed, headlines found as ``heading``, footer
  lines removed.
* ``wcxb``: the human-checked clean main texts; every removed line is a false removal.

Usage::

    .venv/bin/python bench/plaintext.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crosswire.extract.plaintext import extract_text  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
FOOTER = [
    "By:https://www.example.com/news/2024-10-23/story/1234(责任编辑:admin)",
    "下一篇:Another story headline goes right here",
    "- US election: Harris admit",
    "- Live updates: Donald Trum",
    "- Rio Tinto wants Serbia",
    "- Matildas beat Germany for",
    "Source: Reuters",
    "Read more:",
    "- Oil prices slide as China demand worries deepen",
    "© 2024 Daily Markets Wire. All rights reserved.",
]


def fundus(data: Path) -> dict[str, float]:
    counts: Counter[tuple[str, str]] = Counter()
    pages = 0
    started = time.perf_counter()
    for path in sorted((data / "extraction" / "fundus" / "test_data").glob("*/*.json")):
        for version in json.loads(path.read_text(encoding="utf-8")).values():
            body = version.get("body") or {}
            parts = [("title", version.get("title") or "")]
            parts += [("summary", s) for s in body.get("summary", [])]
            for section in body.get("sections", []):
                parts += [("heading", h) for h in section.get("headline", [])]
                parts += [("body", p) for p in section.get("paragraphs", [])]
            parts = [(kind, " ".join(t.split())) for kind, t in parts if t.strip()]
            article = extract_text("\n".join([t for _, t in parts] + FOOTER), source=path.name)
            roles = {p.line: p.role for p in article.paragraphs}
            removed = {r.line for r in article.removed}
            for n, (kind, _text) in enumerate(parts, start=1):
                counts[(kind, roles.get(n, "removed"))] += 1
            for n in range(len(parts) + 1, len(parts) + len(FOOTER) + 1):
                counts[("footer", "removed" if n in removed else "kept")] += 1
            pages += 1
    elapsed = time.perf_counter() - started

    def total(kind: str) -> int:
        return sum(v for (k, _), v in counts.items() if k == kind)

    return {
        "pages": pages,
        "body kept as body": counts[("body", "body")] / total("body"),
        "body removed": counts[("body", "removed")] / total("body"),
        "headlines as heading": counts[("heading", "heading")] / total("heading"),
        "footer removed": counts[("footer", "removed")] / total("footer"),
        "pages/s": pages / elapsed,
    }


def wcxb(data: Path) -> dict[str, float]:
    lines = removed = pages = 0
    started = time.perf_counter()
    for path in sorted((data / "extraction" / "wcxb-dev-articles" / "ground-truth").glob("*.json")):
        page = json.loads(path.read_text(encoding="utf-8"))["ground_truth"]
        text = "\n".join(t for t in (page.get("title"), page.get("main_content")) if t)
        article = extract_text(text, source=path.name)
        lines += sum(1 for line in text.split("\n") if line.strip())
        removed += sum(1 for r in article.removed if r.reason != "title repeated")
        pages += 1
    elapsed = time.perf_counter() - started
    return {"pages": pages, "clean lines removed": removed / lines, "pages/s": pages / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    args = parser.parse_args()
    for name, run in (("fundus + farm footer", fundus), ("wcxb clean texts", wcxb)):
        print(f"\n### {name}\n\n| measure | value |\n|---|---:|")
        for key, value in run(args.data).items():
            if key == "pages":
                shown = f"{value:,.0f}"
            elif key == "pages/s":
                shown = f"{value:,.1f}"
            else:
                shown = f"{value:.1%}"
            print(f"| {key} | {shown} |")


if __name__ == "__main__":
    main()
