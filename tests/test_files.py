"""Reading inputs: folders recurse, .gz is transparent, limits hold after decompression."""

from __future__ import annotations

import gzip
from pathlib import Path

from crosswire.ingest.files import count_documents, iter_documents, read_file
from crosswire.records import Document, Failure


def test_folder_recursion_in_stable_order_skipping_sidecars(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.html").write_text("<p>two</p>")
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / ".hidden.html").write_text("<p>no</p>")
    (tmp_path / "LICENSE").write_text("MIT")
    with gzip.open(tmp_path / "b" / "3.html.gz", "wb") as gz:
        gz.write(b"<p>three</p>")
    docs = list(iter_documents([str(tmp_path)]))
    assert all(isinstance(d, Document) for d in docs)
    names = [Path(d.source).name for d in docs]
    assert names == ["a.txt", "2.html", "3.html.gz"]
    assert [d.content for d in docs if isinstance(d, Document)][2] == b"<p>three</p>"
    assert [d.kind for d in docs if isinstance(d, Document)] == ["text", "html", "html"]
    assert count_documents([str(tmp_path)]) == 3


def test_missing_path_is_a_failure_not_an_exception(tmp_path: Path) -> None:
    (result,) = list(iter_documents([str(tmp_path / "nope.html")]))
    assert isinstance(result, Failure)
    assert "no such file" in result.error


def test_too_large_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * 5000 + b"</p>")
    result = read_file(big, max_bytes=1000)
    assert isinstance(result, Failure)
    assert "too large" in result.error and "--max-bytes" in result.error


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    with gzip.open(bomb, "wb") as gz:
        for _ in range(64):
            gz.write(b"\0" * (1 << 20))
    assert bomb.stat().st_size < 200_000
    result = read_file(bomb, max_bytes=10 << 20)
    assert isinstance(result, Failure)
    assert "decompressed document too large" in result.error


def test_broken_gzip_is_a_failure(tmp_path: Path) -> None:
    broken = tmp_path / "x.html.gz"
    data = gzip.compress(b"<p>hello</p>" * 1000)
    broken.write_bytes(data[: len(data) // 2])
    result = read_file(broken)
    assert isinstance(result, Failure)
    assert "gzip" in result.error
