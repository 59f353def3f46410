"""Copy and syndication detection (crosswire.connect.copies) on small hand-made articles."""

from __future__ import annotations

import numpy as np
import pytest

from crosswire.connect.copies import CopyIndex, _Entry, _Postings, _Records, normalise_tokens
from crosswire.records import Article, Paragraph

STORY = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, "
    "after engineers found corrosion in three of its steel supports.",
    "Mayor Ana Ruiz said the decision was painful but unavoidable, and that buses and bicycles "
    "would still be allowed across while repairs go ahead.",
    "Engineers from the regional transport agency told councillors the bridge could carry about "
    "half the weight it was designed for, and that the repairs would take two years.",
    "Shop owners on the north bank warned that the closure would cut their trade, and asked the "
    "council for help with rents while the works continue through the summer.",
    "The council said it would open a temporary ferry service between the two banks in April and "
    "would review the timetable once the first month of traffic figures is known.",
    "Opposition councillors questioned why the corrosion had not been found during the last "
    "inspection in 2021, and asked for the full engineering report to be published.",
]

# Same story, same place, different reporting: a hard negative that must not be merged.
OTHER_STORY = [
    "Drivers face long detours from next spring after the city council decided on Tuesday to shut "
    "the harbour bridge to cars, following an inspection that found rusted supports.",
    "Council leader Ana Ruiz told reporters that closing the crossing was the only safe choice "
    "and promised that cyclists and buses could keep using it.",
    "Traders near the bridge said they feared losing customers and called for rent relief, while "
    "a ferry is expected to start running between the banks in April.",
    "The transport agency estimated the repair programme at two years and said the structure "
    "could now bear only half of its original design load.",
]


def art(
    id: str,
    paragraphs: list[str],
    *,
    url: str | None = None,
    published: str | None = None,
    original_url: str | None = None,
    canonical_url: str | None = None,
    title: str = "Harbour bridge to close to cars",
) -> Article:
    paras = [Paragraph(title, "title")] + [Paragraph(p, "body") for p in paragraphs]
    return Article(
        id=id,
        source=id,
        url=url,
        published=published,
        original_url=original_url,
        canonical_url=canonical_url,
        paragraphs=paras,
    )


def test_exact_copy_after_quote_and_space_changes() -> None:
    idx = CopyIndex()
    assert idx.add(art("orig", STORY, url="https://news.example/bridge")) is None
    reformatted = [p.replace("'", "’").replace(" ", "  ") for p in STORY]
    m = idx.add(art("copy", reformatted, url="https://farm.example/x"))
    assert m is not None and m.kind == "exact" and m.other == "orig"
    [g] = idx.groups()
    assert g.original == "orig" and [c.copy for c in g.copies] == ["copy"]
    assert "same text as orig" in g.copies[0].reason


def test_copy_with_chrome_added_is_contained() -> None:
    idx = CopyIndex()
    idx.add(art("orig", STORY, published="2024-10-23"))
    chrome = [
        "Home | World | Business | Sport | Sign in to read more stories like this one today",
        *STORY,
        "Related: ten things you did not know about bridges, and five more you will not believe",
        "Copyright 2024 Content Farm Ltd. All rights reserved. Terms of use and privacy policy.",
    ]
    m = idx.add(art("copy", chrome, published="2024-10-24"))
    assert m is not None and m.kind == "near"
    assert m.containment > 0.99 and m.jaccard < 0.9
    [g] = idx.groups()
    assert g.original == "orig" and g.rule == "earliest"
    assert "paragraphs not in orig" in g.copies[0].reason


def test_paragraphs_dropped_and_reordered() -> None:
    idx = CopyIndex()
    idx.add(art("orig", STORY))
    shuffled = [STORY[3], STORY[0], STORY[5], STORY[1], STORY[2]]  # one dropped, order changed
    m = idx.add(art("copy", shuffled))
    assert m is not None and m.containment > 0.99
    [g] = idx.groups()
    reason = g.copies[0].reason
    assert "paragraphs reordered" in reason and "1 of 6 paragraphs not copied" in reason
    assert g.rule == "first-seen"


def test_mojibake_copy_still_matches() -> None:
    idx = CopyIndex()
    text = [p.replace("said", "said that it’s") for p in STORY]
    idx.add(art("orig", text))
    garbled = [p.encode("utf-8").decode("cp1252", errors="replace") for p in text]
    assert any("â€" in p for p in garbled)
    m = idx.add(art("copy", garbled))
    assert m is not None and m.jaccard > 0.95


def test_same_topic_different_article_not_merged() -> None:
    idx = CopyIndex()
    idx.add(art("a", STORY, url="https://news.example/bridge"))
    assert idx.add(art("b", OTHER_STORY, url="https://news.example/bridge-2")) is None
    assert idx.groups() == []
    assert idx.original_of("b") == "b"


def test_provenance_line_beats_date_and_arrival_order() -> None:
    idx = CopyIndex()
    # The copy arrives first and claims an earlier date, but names its source's URL.
    idx.add(
        art(
            "copy",
            ["By: https://www.news.example/bridge/", *STORY[:5]],
            published="2024-10-01",
            original_url="https://www.news.example/bridge/",
        )
    )
    idx.add(art("orig", STORY, url="https://news.example/bridge", published="2024-10-23"))
    [g] = idx.groups()
    assert g.original == "orig" and g.rule == "provenance"
    assert "copy names its URL as its source" in g.why
    assert "names orig's URL as its source" in g.copies[0].reason
    assert idx.original_of("copy") == "orig"


def test_canonical_link_decides() -> None:
    idx = CopyIndex()
    idx.add(
        art(
            "syndicated",
            STORY,
            url="https://partner.example/b",
            canonical_url="https://news.example/b",
        )
    )
    idx.add(art("orig", STORY, url="https://news.example/b"))
    [g] = idx.groups()
    assert g.original == "orig" and g.rule == "canonical"


def test_earliest_date_decides() -> None:
    idx = CopyIndex()
    idx.add(
        art(
            "later",
            [*STORY, "An extra closing line added by the second site today."],
            published="2024-10-25",
        )
    )
    idx.add(art("earlier", STORY, published="2024-10-23T08:00:00"))
    [g] = idx.groups()
    assert g.original == "earlier" and g.rule == "earliest" and "2024-10-23" in g.why
    assert g.copies[0].copy == "later" and g.copies[0].reason
    assert "original earlier" in g.explain()


def test_quoted_paragraph_is_a_paragraph_match_not_a_copy() -> None:
    idx = CopyIndex()
    idx.add(art("orig", STORY))
    roundup = [*OTHER_STORY, STORY[1].replace("Mayor", "The mayor,"), "And in other news today."]
    assert idx.add(art("roundup", roundup)) is None
    matches = idx.paragraph_matches("roundup")
    assert [(m.paragraph, m.other, m.other_paragraph) for m in matches] == [(5, "orig", 2)]
    assert 0.6 <= matches[0].similarity < 1
    assert idx.paragraph_matches("orig")[0].other == "roundup"


def test_short_texts_only_match_exactly() -> None:
    idx = CopyIndex()
    idx.add(art("a", ["Live updates follow."]))
    assert idx.add(art("b", ["Live updates follow below."])) is None
    assert idx.add(art("c", ["Live updates follow!"])) is not None


def test_normalise_tokens() -> None:
    assert normalise_tokens("Don’t  STOP—now") == ["don", "t", "stop", "now"]
    assert normalise_tokens("北京时间") == ["北", "京", "时", "间"]


def test_excerpt_naming_its_source_is_a_copy() -> None:
    idx = CopyIndex()
    idx.add(art("orig", STORY, url="https://news.example/bridge"))
    excerpt = [*STORY[:3], "By: https://news.example/bridge"]
    m = idx.add(art("excerpt", excerpt, original_url="https://news.example/bridge"))
    assert m is not None and m.other == "orig" and m.jaccard < 0.8
    assert idx.original_of("excerpt") == "orig"


def test_query_string_tells_articles_apart() -> None:
    idx = CopyIndex()
    idx.add(art("a", STORY, url="https://query.example/fullpage.html?res=1"))
    idx.add(art("b", STORY[:5], url="https://query.example/fullpage.html?res=2&utm_source=x"))
    idx.add(art("c", STORY[:4], original_url="https://query.example/fullpage.html?res=1"))
    [g] = idx.groups()
    assert g.original == "a" and g.rule == "provenance"


# --- memory-bounded internals: disk records and posting tables -------------------------------


def _variant(k: int) -> list[str]:
    """Article ``k``: six paragraphs of words drawn at random, so different ``k`` share none."""
    import random

    rng = random.Random(k)  # noqa: S311 - test data, not secrets
    vocab = [f"w{k}x{i}" for i in range(400)]
    return [" ".join(rng.choices(vocab, k=30)) for _ in range(6)]


def test_records_on_disk_give_the_same_groups_and_matches_as_in_the_buffer() -> None:
    def build(buffer: int) -> CopyIndex:
        idx = CopyIndex()
        # A tiny write buffer puts every record but the last on disk; a huge one keeps them all.
        idx._records = _Records(buffer=buffer)
        for k in range(6):
            idx.add(art(f"o{k}", _variant(k), url=f"https://news.example/{k}"))
        for k in range(6):
            idx.add(art(f"c{k}", [*_variant(k)[:5], "Share this article"], published="2024-10-24"))
        idx.add(art("roundup", [*OTHER_STORY, _variant(2)[1]]))
        return idx

    on_disk, in_memory = build(1), build(1 << 30)
    assert on_disk.disk_bytes == in_memory.disk_bytes > 0
    assert on_disk._records._flushed > 0 and in_memory._records._flushed == 0
    assert [g.explain() for g in on_disk.groups()] == [g.explain() for g in in_memory.groups()]
    assert len(on_disk.groups()) == 6
    assert all(on_disk.original_of(f"c{k}") == f"o{k}" for k in range(6))
    assert on_disk.paragraph_matches("roundup") == in_memory.paragraph_matches("roundup")
    assert {m.other for m in on_disk.paragraph_matches("roundup")} == {"o2", "c2"}
    on_disk.close()


def test_a_record_decodes_to_what_was_encoded() -> None:
    idx = CopyIndex()
    idx.add(art("a", STORY, url="https://news.example/a", published="2024-10-23",
                original_url="https://wire.example/x"))  # fmt: skip
    e = idx._entry_at(0)
    assert (e.id, e.url, e.published, e.named) == (
        "a",
        "news.example/a",
        "2024-10-23",
        ("wire.example/x",),
    )
    assert e.paragraphs == list(range(1, len(STORY) + 1))
    assert np.array_equal(e.doc_set(), np.unique(e.shingles))
    assert sum(len(e.para_set(i)) for i in range(len(STORY))) == len(e.shingles)
    bare = _Entry.decode(0, idx._records.get(0), meta=False)
    assert np.array_equal(bare.shingles, e.shingles) and bare.id == ""


def test_postings_keep_the_first_cap_values_of_a_key_across_merges() -> None:
    table = _Postings(cap=3, dtype=np.uint32, flush=2)
    expected: dict[int, list[int]] = {}
    for v in range(40):
        key = v % 4 if v < 30 else 9
        table.add(key, v)
        expected.setdefault(key, [])
        if len(expected[key]) < 3:
            expected[key].append(v)
    assert len(table._keys) > 0  # some postings were merged into the arrays
    assert table.get_many([0, 1, 2, 3, 9, 5]) == [expected[k] for k in (0, 1, 2, 3, 9)] + [[]]


def test_unknown_article_is_a_key_error() -> None:
    idx = CopyIndex()
    idx.add(art("a", STORY))
    with pytest.raises(KeyError):
        idx.original_of("b")
    with pytest.raises(ValueError, match="already added"):
        idx.add(art("a", STORY))
