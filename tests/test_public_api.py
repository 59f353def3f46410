"""The public surface is listed in one place; a drift fails here."""

from __future__ import annotations

import crosswire


def test_all_is_exactly_the_public_surface() -> None:
    assert sorted(crosswire.__all__) == [
        "Article",
        "Document",
        "Duplicate",
        "Failure",
        "Paragraph",
        "Removed",
        "__version__",
    ]
    for name in crosswire.__all__:
        assert hasattr(crosswire, name)


def test_pipeline_stages_exist_in_order() -> None:
    import importlib

    for stage in ("ingest", "extract", "read", "connect", "store", "serve"):
        module = importlib.import_module(f"crosswire.{stage}")
        assert module.__doc__, f"crosswire.{stage} says what the stage does"
