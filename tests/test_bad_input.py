"""Bad input gets a clear per-document error; the run goes on; exit status says some failed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.store.sqlite import Store

from conftest import SAMPLES

GOOD = (
    "<html><head><title>Troops</title></head><body><article><h1>Troops sent</h1>"
    + ("<p>North Korea has sent thousands of troops to Russia, officials in Seoul said.</p>" * 6)
    + "</article></body></html>"
)


def _run(tmp_path: Path, name: str, content: bytes, *extra: str) -> dict[str, dict[str, object]]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    (folder / "zz-good.html").write_text(GOOD)
    result = CliRunner().invoke(main, ["extract", *extra, str(folder)])
    records = {
        Path(str(r["source"])).name: r
        for r in (json.loads(x) for x in result.stdout.splitlines() if x.strip())
    }
    assert records["zz-good.html"]["errors"] == [], "the good document after a bad one is processed"
    assert "Troops sent" in str(records["zz-good.html"]["text"])
    records["_exit"] = {"code": result.exit_code}
    return records


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("image.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "PNG image"),
        ("doc.html", b"%PDF-1.4\n" + bytes(range(256)) * 40, "PDF"),
        ("empty.html", b"", "empty document"),
        ("blank.txt", b"  \n\n \t ", "empty document"),
        ("noise.bin", bytes(range(256)) * 400, "binary"),
    ],
)
def test_unreadable_documents_fail_clearly(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    records = _run(tmp_path, name, content)
    assert records["_exit"]["code"] == 1
    assert records[name]["id"] is None
    assert message in " ".join(records[name]["errors"])  # type: ignore[arg-type]


def test_fifty_megabyte_page_is_refused(tmp_path: Path) -> None:
    page = b"<html><body>" + b"<p>" + b"word " * (10 * 1024 * 1024) + b"</p></body></html>"
    assert len(page) > 50 * 1024 * 1024
    records = _run(tmp_path, "huge.html", page)
    assert records["_exit"]["code"] == 1
    assert "too large" in " ".join(records["huge.html"]["errors"])  # type: ignore[arg-type]


def test_hundred_thousand_nested_divs_end_in_bounded_time(tmp_path: Path) -> None:
    page = b"<html><body>" + b"<div>" * 100_000 + b"<p>deep text</p>" + b"</div>" * 100_000
    records = _run(tmp_path, "deep.html", page, "--timeout", "20")
    # Either an article (possibly empty, with an error saying so) or a clear failure: never a hang.
    assert records["deep.html"]["errors"] or records["deep.html"]["text"] is not None


def test_forty_thousand_attributes_are_stripped_not_parsed(tmp_path: Path) -> None:
    attrs = " ".join(f'data-a{i}="x"' for i in range(40_000))
    page = (
        f"<html><head><title>Attrs</title></head><body><article><div {attrs}>"
        "<h1>Attribute storm</h1>"
        + "<p>North Korea has sent thousands of troops to Russia, officials said.</p>" * 6
        + "</div></article></body></html>"
    ).encode()
    records = _run(tmp_path, "attrs.html", page, "--timeout", "20")
    record = records["attrs.html"]
    assert "thousands of troops" in str(record["text"])
    assert any("oversized" in r["reason"] for r in record["removed"])  # type: ignore[index,union-attr]


def test_timeout_is_reported_and_run_goes_on(tmp_path: Path) -> None:
    attrs = " ".join(f'a{i}="x"' for i in range(2000))
    # Many mid-sized tags: under the oversized-tag guard, but slow enough for a 0.1 s limit.
    page = ("<html><body>" + f"<div {attrs}><p>text</p></div>" * 300 + "</body></html>").encode()
    records = _run(tmp_path, "slow.html", page, "--timeout", "0.1")
    assert "timed out" in " ".join(records["slow.html"]["errors"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("mixed.txt", b"Seoul said " + "Привет".encode("cp1251") + b" troops " * 20),
        ("nul.html", GOOD.replace("Troops sent", "Troops\x00 sent").encode()),
        ("surrogate.txt", "Zelenskyy \ud83d said so.\n".encode("utf-8", "surrogatepass") * 5),
        ("rtl.txt", "North Korea \u202esent\u202c troops to Russia, they said.\n".encode() * 5),
        ("latin1.html", GOOD.replace("Monday", "Montréal").encode("cp1252")),
    ],
)
def test_broken_encodings_still_give_articles(tmp_path: Path, name: str, content: bytes) -> None:
    records = _run(tmp_path, name, content)
    record = records[name]
    assert record["id"] is not None
    text = str(record["text"])
    assert "\x00" not in text
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def test_failures_are_stored_and_nothing_is_duplicated(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.html").write_bytes(b"")
    (folder / "good.txt").write_bytes((SAMPLES / "north-korean-troops.txt").read_bytes())
    db = str(tmp_path / "x.db")
    for _ in range(2):
        result = CliRunner().invoke(main, ["ingest", "-q", "--db", db, str(folder)])
        assert result.exit_code == 1
        assert "1 failed" in result.stderr
    with Store(db) as store:
        counts = store.counts()
        assert counts["articles"] == 1
        assert counts["failures"] == 1
        assert store.integrity_check() == "ok"
