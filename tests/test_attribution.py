"""The attribution tagger: behaviour on short sentences, and a quality floor on PolNeAR dev."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crosswire.read.attribution import Attribution, AttributionModelError, attribute, load_taggers
from crosswire.read.nlp import parse

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "quotes" / "polnear" / "dev"
# Exact F1 on the first 20 dev articles, measured with the shipped model (75.8 / 71.2 / 59.7),
# minus a few points: a retrained model may move a little, a broken one falls far.
FLOOR = {"speaker": 0.72, "cue": 0.67, "content": 0.56}


def _tag(text: str) -> list[Attribution]:
    return attribute(parse(text))


def _show(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0] : span[1]]


def test_indirect_speech_with_that() -> None:
    text = "The minister said that taxes would rise next year."
    (att,) = _tag(text)
    assert _show(text, att.source) == "The minister"
    assert _show(text, att.cue) == "said"
    content = _show(text, att.content)
    assert content is not None
    assert content.startswith("that taxes would rise")


def test_according_to() -> None:
    text = "The company lost two million dollars last year, according to police."
    atts = _tag(text)
    assert any(_show(text, a.cue) == "according to" for a in atts)
    assert any(_show(text, a.source) == "police" for a in atts)
    assert any("company lost two million dollars" in (_show(text, a.content) or "") for a in atts)


def test_direct_quote_with_the_speaker_after_it() -> None:
    text = "“We will not back down on this issue,” Senator Warren said on Tuesday."
    atts = _tag(text)
    assert atts
    att = atts[0]
    assert "We will not back down on this issue" in (_show(text, att.content) or "")
    assert _show(text, att.cue) == "said"
    assert _show(text, att.source) == "Senator Warren"


def test_no_attribution_in_plain_narration() -> None:
    assert _tag("The bridge was built in 1932. It is painted red.") == []


def test_offsets_index_the_full_multi_paragraph_text() -> None:
    text = (
        "Rain fell all day in the capital.\n\n"
        "The mayor said that the roads would reopen on Monday.\n\n"
        "Schools stayed open."
    )
    atts = _tag(text)
    assert atts
    att = atts[0]
    assert _show(text, att.source) == "The mayor"
    assert _show(text, att.cue) == "said"
    assert att.content[0] > text.index("\n\n")
    assert atts == sorted(atts, key=lambda a: a.content[0])


def test_empty_text_gives_nothing() -> None:
    assert attribute(parse("")) == []


def test_missing_model_file_says_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(AttributionModelError, match=r"train_attribution\.py"):
        load_taggers(
            str(tmp_path / "a.crfsuite"), str(tmp_path / "b.crfsuite"), str(tmp_path / "c.json")
        )


def test_corrupt_model_file_says_how_to_rebuild(tmp_path: Path) -> None:
    lexicon = tmp_path / "c.json"
    lexicon.write_text('{"head": {}, "inside": {}, "head_count": {}}', encoding="utf-8")
    bad = tmp_path / "a.crfsuite"
    bad.write_bytes(b"not a model")
    with pytest.raises(AttributionModelError, match=r"train_attribution\.py"):
        load_taggers(str(bad), str(bad), str(lexicon))


def test_quality_floor_on_polnear_dev() -> None:
    """Exact-match F1 on the first 20 dev articles stays near what was measured at training."""
    if not POLNEAR_DEV.is_dir():
        pytest.skip("../shared/data/quotes/polnear/dev is not beside the checkout")
    sys.path.insert(0, str(ROOT / "bench"))
    from _attribution_score import Scorer
    from crosswire.read.brat import load_corpus

    scorer = Scorer()
    for article in load_corpus(POLNEAR_DEV)[:20]:
        atts = attribute(parse(article.text))
        scorer.add(
            article,
            {
                "speaker": {a.source for a in atts if a.source},
                "cue": {a.cue for a in atts if a.cue},
                "content": {a.content for a in atts},
            },
        )
    table = scorer.table()
    f1 = {role: table[role]["exact"][2] for role in table}
    assert f1["speaker"] >= FLOOR["speaker"], f1
    assert f1["cue"] >= FLOOR["cue"], f1
    assert f1["content"] >= FLOOR["content"], f1
