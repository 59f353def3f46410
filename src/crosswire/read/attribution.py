"""Attributions in English news text: who (source) says, thinks or reports (cue) what (content).

Two linear-chain CRFs tag each paragraph block token by token with BIO labels: one marks sources
and cues, the other contents (a content often contains its own cue and source, "… ," he said,
"…", so the two cannot share one label layer). The models were trained on PolNeAR by
``tools/train_attribution.py`` and ship as package data in :mod:`crosswire.read.models`::

    attribution.crfsuite          sources and cues
    attribution-content.crfsuite  contents
    attribution.json              the cue lexicon counted from the training corpus

The content tagger also reads where the first tagger put cues and sources. Spans are then
linked: each cue takes the nearest content (same sentence first, else the same or an adjacent
paragraph) and the nearest source of its sentence; a content no cue took stands alone.

PolNeAR dev, exact-match F1 (see ``tools/train_attribution.py``): about 75 source, 70 cue,
55 content.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from crosswire.errors import CrosswireError
from crosswire.read.attribution_features import CueLexicon, block_features, with_cue_features

if TYPE_CHECKING:
    from crosswire.read.nlp import Block

MODEL_PACKAGE = "crosswire.read.models"
SRC_CUE_MODEL = "attribution.crfsuite"
CONTENT_MODEL = "attribution-content.crfsuite"
LEXICON = "attribution.json"
REBUILD = (
    ".venv/bin/python tools/train_attribution.py --train ../shared/data/quotes/polnear/train "
    "--dev ../shared/data/quotes/polnear/dev --out src/crosswire/read/models/attribution.crfsuite"
)

Span = tuple[int, int]


class AttributionModelError(CrosswireError):
    """The attribution model files are missing or unreadable."""


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attribution; offsets index the full text."""

    content: tuple[int, int]
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    """``None``: the text names no speaker for this content (or the tagger found none)."""


@dataclass(frozen=True, slots=True)
class _Model:
    src_cue: Any  # pycrfsuite.Tagger
    content: Any  # pycrfsuite.Tagger
    lexicon: CueLexicon


def _fail(what: str) -> AttributionModelError:
    return AttributionModelError(f"attribution model {what}; rebuild it with: {REBUILD}")


def load_taggers(src_cue_path: str, content_path: str, lexicon_path: str) -> _Model:
    """Open the two CRF models and the lexicon from files; raises AttributionModelError."""
    import pycrfsuite

    try:
        with open(lexicon_path, encoding="utf-8") as fh:  # noqa: PTH123
            lexicon = CueLexicon.from_json(json.load(fh))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _fail(f"lexicon {lexicon_path!r} is missing or corrupt") from exc
    taggers = []
    for path in (src_cue_path, content_path):
        tagger = pycrfsuite.Tagger()
        try:
            tagger.open(path)
        except (OSError, ValueError) as exc:
            raise _fail(f"file {path!r} is missing or corrupt") from exc
        taggers.append(tagger)
    return _Model(src_cue=taggers[0], content=taggers[1], lexicon=lexicon)


@lru_cache(maxsize=1)
def _model() -> _Model:
    """The shipped model, loaded once per process."""
    try:
        root = resources.files(MODEL_PACKAGE)
    except ModuleNotFoundError as exc:
        raise _fail(f"package {MODEL_PACKAGE!r} is missing") from exc
    paths = []
    for name in (SRC_CUE_MODEL, CONTENT_MODEL, LEXICON):
        item = root / name
        if not item.is_file():
            raise _fail(f"file {name!r} is missing from {MODEL_PACKAGE}")
        # Installed packages are plain directories, so the path stays valid after the context.
        with resources.as_file(item) as path:
            paths.append(str(path))
    return load_taggers(*paths)


def label_ranges(labels: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """BIO labels turned into token ranges ``(first, last + 1)``, by label type."""
    out: dict[str, list[tuple[int, int]]] = {}
    kind: str | None = None
    start = 0
    for i, label in enumerate(labels):
        tag, _, typ = label.partition("-")
        if kind is not None and (tag != "I" or typ != kind):
            out.setdefault(kind, []).append((start, i))
            kind = None
        if tag == "B" or (tag == "I" and kind is None):
            kind, start = typ, i
    if kind is not None:
        out.setdefault(kind, []).append((start, len(labels)))
    return out


def tag_block(model: _Model, block: Block) -> tuple[list[str], list[str]]:
    """The source/cue labels and the content labels of each token of ``block``."""
    feats = block_features(block, model.lexicon)
    if not feats:
        return [], []
    src_cue = list(model.src_cue.tag(feats))
    ranges = label_ranges(src_cue)
    cue_feats = with_cue_features(block, feats, ranges.get("CUE", []), ranges.get("SRC", []))
    content = list(model.content.tag(cue_feats))
    return src_cue, content


def label_spans(block: Block, labels: Sequence[str]) -> dict[str, list[Span]]:
    """BIO labels turned into full-text spans, by label type (``SRC``, ``CUE``, ``CNT``)."""
    doc = block.doc
    return {
        typ: [
            (block.start + doc[s].idx, block.start + doc[e - 1].idx + len(doc[e - 1].text))
            for s, e in ranges
        ]
        for typ, ranges in label_ranges(labels).items()
    }


def _gap(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def _inside(a: Span, b: Span) -> bool:
    return b[0] <= a[0] and a[1] <= b[1]


@dataclass(frozen=True, slots=True)
class _Found:
    span: Span
    block: int
    sentence: int


def _found(block: Block, k: int, spans: Sequence[Span]) -> list[_Found]:
    bounds = [block.offsets(s) for s in block.doc.sents]
    out = []
    for span in spans:
        sent = next((j for j, (s, e) in enumerate(bounds) if s <= span[0] < e), -1)
        out.append(_Found(span, k, sent))
    return out


def link(
    sources: Sequence[_Found], cues: Sequence[_Found], contents: Sequence[_Found]
) -> list[Attribution]:
    """Attributions from tagged spans: each cue takes the nearest content (same sentence first,
    then the same paragraph, then an adjacent one) and the nearest source of its sentence;
    contents no cue took stand alone."""
    result: list[Attribution] = []
    taken: set[Span] = set()
    for cue in cues:
        # "He said:" may introduce the next paragraph's quote; a paragraph of quote may be
        # followed by a one-line "…, she said." paragraph.
        near = [c for c in contents if -1 <= c.block - cue.block <= 1]
        if not near:
            continue
        content = min(
            near,
            key=lambda c: (
                c.block != cue.block,
                not (c.sentence == cue.sentence or _gap(c.span, cue.span) < 3),
                _gap(c.span, cue.span),
            ),
        )
        source = None
        mates = [
            s
            for s in sources
            if s.block == cue.block
            and s.sentence == cue.sentence
            and (not _inside(s.span, content.span) or _inside(cue.span, content.span))
        ]
        if mates:
            source = min(mates, key=lambda s: _gap(s.span, cue.span)).span
        taken.add(content.span)
        result.append(Attribution(content=content.span, cue=cue.span, source=source))
    result.extend(
        Attribution(content=c.span, cue=None, source=None) for c in contents if c.span not in taken
    )
    return result


def attribute_with(model: _Model, blocks: Sequence[Block]) -> list[Attribution]:
    """:func:`attribute` with an explicit model (for training and tests)."""
    sources: list[_Found] = []
    cues: list[_Found] = []
    contents: list[_Found] = []
    for k, block in enumerate(blocks):
        src_cue, content = tag_block(model, block)
        if not src_cue:
            continue
        spans = label_spans(block, src_cue)
        sources += _found(block, k, spans.get("SRC", []))
        cues += _found(block, k, spans.get("CUE", []))
        contents += _found(block, k, label_spans(block, content).get("CNT", []))
    result = link(sources, cues, contents)
    result.sort(key=lambda a: (a.content, a.cue or (-1, -1)))
    return result


def attribute(blocks: Sequence[Block]) -> list[Attribution]:
    """Every attribution found in ``blocks`` (from :func:`crosswire.read.nlp.parse`), sorted by
    content start. Raises :class:`AttributionModelError` if the shipped model is unusable."""
    return attribute_with(_model(), blocks)
