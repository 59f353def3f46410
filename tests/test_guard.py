"""The guarded pool keeps a run going whatever one document does to its worker."""

from __future__ import annotations

from crosswire.extract.guard import GuardedPool
from crosswire.records import Article, Document, Failure

from _tasks import echo


def _docs(*contents: bytes) -> list[Document | Failure]:
    return [Document(source=f"doc{i}", content=c) for i, c in enumerate(contents)]


def test_timeout_kills_worker_and_run_goes_on() -> None:
    with GuardedPool(echo, workers=1, timeout=1.0) as pool:
        results = dict(pool.map(_docs(b"a", b"sleep", b"b")))
    assert isinstance(results[0], Article) and results[0].title == "a"
    assert isinstance(results[1], Failure) and "timed out" in results[1].error
    assert isinstance(results[2], Article) and results[2].title == "b"


def test_crash_exception_and_death_become_failures() -> None:
    with GuardedPool(echo, workers=2, timeout=20) as pool:
        results = dict(pool.map(_docs(b"boom", b"die", b"ok")))
    assert isinstance(results[0], Failure) and "kaboom" in results[0].error
    assert isinstance(results[1], Failure) and "died" in results[1].error
    assert isinstance(results[2], Article)


def test_memory_cap_becomes_failure() -> None:
    with GuardedPool(echo, workers=1, timeout=30, memory_mb=512) as pool:
        results = dict(pool.map(_docs(b"hog", b"fine")))
    assert isinstance(results[0], Failure)
    assert "memory" in results[0].error or "died" in results[0].error
    assert isinstance(results[1], Article)


def test_failures_pass_through_untouched() -> None:
    failure = Failure("x", "no such file or directory")
    with GuardedPool(echo) as pool:
        results = dict(pool.map([failure, Document(source="y", content=b"y")]))
    assert results[0] is failure
    assert isinstance(results[1], Article)
