"""Bad input gets a clear per-document error; the run goes on; exit status says some failed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.store.store import Store

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


def test_fifo_is_skipped_in_a_folder_and_refused_by_name(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.html").write_text(GOOD)
    os.mkfifo(folder / "pipe.html")
    walked = CliRunner().invoke(main, ["extract", str(folder)])
    assert walked.exit_code == 0
    assert len(walked.stdout.splitlines()) == 1
    named = CliRunner().invoke(main, ["extract", str(folder / "pipe.html")])
    assert named.exit_code == 1
    assert "not a regular file" in named.stdout


def test_undecodable_file_name_is_stored_and_printed_as_utf8(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.html").write_text(GOOD)
    bad_name = os.fsencode(str(folder)) + b"/bad\xff.html"
    fd = os.open(bad_name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, GOOD.replace("Troops sent", "Other troops").encode())
    os.close(fd)
    result = CliRunner().invoke(main, ["extract", str(folder)])
    assert result.exit_code == 0, result.output
    sources = [json.loads(x)["source"] for x in result.stdout_bytes.decode("utf-8").splitlines()]
    assert any(s.endswith("bad\\xff.html") for s in sources)
    db = str(tmp_path / "x.db")
    stored = CliRunner().invoke(main, ["ingest", "-q", "--db", db, str(folder)])
    assert stored.exit_code == 0, stored.output
    with Store(db) as store:
        assert store.counts()["articles"] == 2


def test_fixed_input_clears_its_old_failure(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    page = folder / "page.html"
    page.write_bytes(b"")
    db = str(tmp_path / "x.db")
    assert CliRunner().invoke(main, ["ingest", "-q", "--db", db, str(folder)]).exit_code == 1
    page.write_text(GOOD)
    assert CliRunner().invoke(main, ["ingest", "-q", "--db", db, str(folder)]).exit_code == 0
    with Store(db) as store:
        assert store.counts()["failures"] == 0


def test_truncated_gzip_on_stdin_fails(tmp_path: Path) -> None:
    import gzip

    data = gzip.compress(GOOD.encode())[:60]
    result = CliRunner().invoke(main, ["extract", "-"], input=data)
    assert result.exit_code == 1
    assert "gzip" in result.stdout


def test_page_without_any_text_is_a_failure(tmp_path: Path) -> None:
    records = _run(tmp_path, "json.html", b'{"a": 1}')
    assert records["json.html"]["id"] is None
    assert records["_exit"]["code"] == 1


def test_control_characters_from_entities_never_reach_the_data(tmp_path: Path) -> None:
    page = GOOD.replace("<title>Troops</title>", "<title>A &#27;]0;pwned&#7; title</title>")
    page = page.replace("<h1>Troops sent</h1>", "<h1>Troops &#27;[31msent&#155;</h1>")
    records = _run(tmp_path, "esc.html", page.encode())
    record = records["esc.html"]
    blob = json.dumps(record, ensure_ascii=False)
    assert not any(
        (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F
        for c in str(record["title"]) + str(record["text"])
    ), blob


def test_read_commands_do_not_create_a_database(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    result = CliRunner().invoke(main, ["list", "--db", str(db)])
    assert result.exit_code == 1
    assert "no database" in result.stderr
    assert not db.exists()


def test_markup_in_db_path_is_shown_literally(tmp_path: Path) -> None:
    folder = tmp_path / "[red]"
    folder.mkdir()
    db = str(folder / "[bold]x.db")
    seed = str(SAMPLES / "north-korean-troops.txt")
    assert CliRunner().invoke(main, ["ingest", "-q", "--db", db, seed]).exit_code == 0
    result = CliRunner().invoke(main, ["list", "--db", db])
    assert result.exit_code == 0, result.output
    assert "[red]/[bold]x.db" in result.stdout
