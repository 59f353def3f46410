"""The read stage's fast rule step gives exactly the annotations of spaCy's own attribute ruler
and lemmatizer (it replaces them for speed; see crosswire.read.nlp)."""

from __future__ import annotations

from crosswire.read.nlp import _RULE_PIPES, _fast_rules, load

from conftest import ROOT

TEXTS = [
    "Ukraine's President Volodymyr Zelenskyy said on Tuesday that about 10,000 soldiers "
    "were being prepared, but he didn't say when they'd arrive.",
    "\"We're not going anywhere,\" the 45-year-old told reporters in Kyiv's Podil district.",
    "U.S. officials say it's 'deeply concerning' — the Pentagon's figures (3,000 troops) were "
    "revised; N. Korea's envoy isn't commenting, per AP/Reuters.",
    "Gov. Smith's aides were quoted as saying: 'I'm ready.' Dr. Jones, Ph.D., wasn't.",
]


def test_the_fast_rule_step_matches_spacy_exactly() -> None:
    nlp = load()
    fast = _fast_rules(nlp)
    assert fast is not None  # the stock pipeline is the one it was checked against
    lines = (ROOT / "samples" / "north-korean-troops.txt").read_text(encoding="utf-8")
    texts = TEXTS + [ln for ln in lines.split("\n") if ln.strip()]
    stock = list(nlp.pipe(texts))
    quick = [fast(d) for d in nlp.pipe(texts, disable=_RULE_PIPES)]
    fields = ("tag_", "pos_", "lemma_", "morph", "dep_", "head", "ent_type_", "ent_iob_")
    compared = 0
    for a, b in zip(stock, quick, strict=True):
        for x, y in zip(a, b, strict=True):
            compared += 1
            for f in fields:
                assert str(getattr(x, f)) == str(getattr(y, f)), (x.text, f)
    assert compared > 1000
