"""Quotations: quote-mark styles, direct vs partial, continuation paragraphs, speakers."""

from __future__ import annotations

import pytest

from crosswire.read.nlp import parse
from crosswire.read.quotemarks import find_quoted
from crosswire.read.quotes import find_quotes
from crosswire.records import Entity, Mention


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ('"We know," he said.', ['"We know,"']),
        ("She called it “very serious” and ‘odd’.", ["“very serious”", "‘odd’"]),
        ("Er sagte: „Das ist gut.“ Dann ging er.", ["„Das ist gut.“"]),
        ("« Nous savons », a-t-il dit.", ["« Nous savons »"]),
        ("Sie sagte: »Das stimmt.« Dann", ["»Das stimmt.«"]),
        ("Han sa: ”Det är bra”, igen.", ["”Det är bra”"]),
        ("他说「我们知道」。", ["「我们知道」"]),
        ("Russia's 'very wasteful way of fighting'", ["'very wasteful way of fighting'"]),
        ("It's the '90s and we don't care", []),
        ('"An open quotation runs to the end', ['"An open quotation runs to the end']),
    ],
)
def test_quote_mark_styles(text: str, quoted: list[str]) -> None:
    assert [text[q.start : q.end] for q in find_quoted(text)] == quoted


def _entity(text: str, eid: str, name: str, type_: str, *forms: str) -> Entity:
    mentions = []
    for form in forms:
        at = text.find(form)
        while at >= 0:
            mentions.append(Mention(at, at + len(form), form))
            at = text.find(form, at + 1)
    return Entity(id=eid, name=name, type=type_, mentions=mentions)  # type: ignore[arg-type]


TEXT = (
    "Dr Jenny Mathers, a lecturer at Aberystwyth University, said the war had dragged on.\n"
    '"A war Russia thought it would win easily has dragged on," she said.\n'
    '"Russia is struggling to recruit enough men."\n'
    'The minister said troops in Ukraine "would mark a significant escalation" in the war.\n'
    'The army used so-called "meat grinder" tactics.\n'
    'Later, a spokesperson told reporters: "We would consider supplying weapons."'
)


@pytest.fixture(scope="module")
def quotes() -> list[tuple[str, str, str | None, str | None, str | None]]:
    entities = [
        _entity(TEXT, "e1", "Jenny Mathers", "PERSON", "Dr Jenny Mathers"),
        _entity(TEXT, "e2", "Aberystwyth University", "ORG", "Aberystwyth University"),
        _entity(TEXT, "e3", "Russia", "GPE", "Russia"),
    ]
    found = find_quotes(TEXT, parse(TEXT), entities, [])
    for q in found:
        assert TEXT[q.start : q.end] == q.text
    return [(q.kind, q.text, q.speaker, q.speaker_name, q.cue) for q in found]


def test_pronoun_speaker_is_the_person_named_before(quotes: list[tuple[str, ...]]) -> None:
    assert ("direct", '"A war Russia thought it would win easily has dragged on,"', "e1", "she",
            "said") in quotes  # fmt: skip


def test_continuation_paragraph_keeps_the_speaker(quotes: list[tuple[str, ...]]) -> None:
    assert ("direct", '"Russia is struggling to recruit enough men."', "e1", "she", None) in quotes


def test_partial_quote_inside_reported_speech(quotes: list[tuple[str, ...]]) -> None:
    assert (
        "partial", '"would mark a significant escalation"', None, "The minister", "said"
    ) in quotes  # fmt: skip


def test_scare_quotes_are_no_quotation(quotes: list[tuple[str, ...]]) -> None:
    assert not any("meat grinder" in q[1] for q in quotes)


def test_described_speaker_after_colon(quotes: list[tuple[str, ...]]) -> None:
    assert (
        "direct", '"We would consider supplying weapons."', None, "a spokesperson", "told"
    ) in quotes  # fmt: skip
