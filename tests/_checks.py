"""Assertions shared by tests of `crosswire analyze` output."""

from __future__ import annotations

from typing import Any


def assert_offsets_index_text(record: dict[str, Any]) -> None:
    """Every quote, speaker, cue, mention, role, time and claim span is the words it names."""
    text = record["text"]
    for q in record["quotes"]:
        assert text[q["start"] : q["end"]] == q["text"]
        if q["speaker_start"] is not None:
            assert text[q["speaker_start"] : q["speaker_end"]] == q["speaker_name"]
        if q["cue_start"] is not None:
            assert text[q["cue_start"] : q["cue_end"]] == q["cue"]
    for e in record["entities"]:
        for m in e["mentions"] + e["roles"]:
            assert text[m["start"] : m["end"]] == m["text"]
    for t in record.get("times", []):
        assert text[t["start"] : t["end"]] == t["text"]
    for c in record.get("claims", []):
        assert text[c["start"] : c["end"]] == c["text"]
        assert text[c["sentence_start"] : c["sentence_end"]] == c["sentence"]
