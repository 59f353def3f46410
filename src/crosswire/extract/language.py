"""Language identification with py3langid (its model ships inside the package: no download)."""

from __future__ import annotations

import py3langid

_MIN_CHARS = 20


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or ``None`` when there is too little text to tell."""
    sample = text[:5000]
    if sum(ch.isalpha() for ch in sample) < _MIN_CHARS:
        return None
    lang, _score = py3langid.classify(sample)
    return str(lang)
