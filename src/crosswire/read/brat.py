"""Read attribution annotations in brat standoff format (PolNeAR's layout).

Each annotated article is a ``text/<name>.txt`` file and one or more
``attributions/<name>_<annotator>.ann`` files. An ``.ann`` file holds text-bound lines
(``T1<TAB>Source 178 196<TAB>The New York Times``; ``;`` joins the pieces of a discontinuous span)
and event lines tying them together (``E1<TAB>Attribution:T4 Content:T3 Cue:T2 Source:T1``).
``Attribution-no-source`` events have no Source. Other lines (notes, ``#`` comments) are skipped.

This module is used to train and score the attribution tagger; nothing here runs at analysis time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

Piece = tuple[int, int]


@dataclass(frozen=True, slots=True)
class BratSpan:
    """One text-bound annotation: its label and its pieces as ``(start, end)`` character offsets."""

    label: str
    pieces: tuple[Piece, ...]

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


@dataclass(slots=True)
class GoldAttribution:
    """One annotated attribution. Each role may have several spans (rare) or none."""

    source: list[BratSpan] = field(default_factory=list)
    cue: list[BratSpan] = field(default_factory=list)
    content: list[BratSpan] = field(default_factory=list)
    has_source: bool = True


@dataclass(slots=True)
class AnnotatedText:
    name: str
    text: str
    attributions: list[GoldAttribution]


def _parse_pieces(spec: str) -> tuple[str, tuple[Piece, ...]] | None:
    label, _, offsets = spec.partition(" ")
    pieces: list[Piece] = []
    for part in offsets.split(";"):
        bounds = part.split()
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
            return None
        pieces.append((int(bounds[0]), int(bounds[1])))
    return (label, tuple(pieces)) if pieces else None


def parse_ann(ann: str) -> list[GoldAttribution]:
    """The attributions of one ``.ann`` file's contents."""
    spans: dict[str, BratSpan] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    for line in ann.splitlines():
        cols = line.split("\t")
        if len(cols) < 2:
            continue
        if cols[0].startswith("T"):
            parsed = _parse_pieces(cols[1])
            if parsed:
                spans[cols[0]] = BratSpan(*parsed)
        elif cols[0].startswith("E"):
            pairs = [a.partition(":") for a in cols[1].split() if ":" in a]
            if pairs:
                events.append((pairs[0][0], [(r, t) for r, _, t in pairs[1:]]))
    result: list[GoldAttribution] = []
    for kind, args in events:
        if not kind.startswith("Attribution"):
            continue
        gold = GoldAttribution(has_source=kind == "Attribution")
        for role, ref in args:
            span = spans.get(ref)
            if span is None:
                continue
            role_key = role.rstrip("0123456789").lower()
            if role_key in ("source", "cue", "content"):
                getattr(gold, role_key).append(span)
        result.append(gold)
    return result


def load_corpus(folder: Path) -> list[AnnotatedText]:
    """Every article under ``folder`` (``text/`` + ``attributions/``), sorted by name.

    Where an article has several annotators' files, the first in sort order is used.
    """
    texts = sorted((folder / "text").glob("*.txt"))
    anns = sorted((folder / "attributions").glob("*.ann"))
    by_article: dict[str, Path] = {}
    for ann in anns:
        article = ann.stem.rsplit("_", 1)[0]
        by_article.setdefault(article, ann)
    corpus = []
    for path in texts:
        ann_path = by_article.get(path.stem)
        if ann_path is None:
            continue
        corpus.append(
            AnnotatedText(
                name=path.stem,
                text=path.read_text(encoding="utf-8"),
                attributions=parse_ann(ann_path.read_text(encoding="utf-8")),
            )
        )
    return corpus
