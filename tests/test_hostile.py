"""A hostile corpus through the whole ingest (issue 9): malformed pages by the dozen and each attack
once (tools/hostile.py writes them). The run ends; every document is stored or has one clear
failure; a re-run stores nothing twice; stored text is clean and every offset indexes it.

The full corpus (3,000 pages, a 50 MB page, a 1 GB gzip bomb) is the long command in
tools/hostile.py's docstring; this file keeps to what CI can afford.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from crosswire.ingest.jsonl import record_document
from crosswire.pipeline import IngestSummary, Options, ingest
from crosswire.read import read
from crosswire.records import Article, Document, Failure
from crosswire.store.store import Store

from conftest import ROOT


def _load_hostile() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile", ROOT / "tools" / "hostile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hostile = _load_hostile()

MALFORMED = 30
# 100,000 paragraphs cost trafilatura alone more than this file's time budget; the long run
# has it (it ends as a per-document timeout).
LEFT_TO_THE_LONG_RUN = ("tiny-paragraphs.html",)
OPTIONS = Options(read=True, timeout=30, workers=2)
# The re-run checks storing, which is keyed by the page's bytes: reading again would only double
# the file's run time (a reading is never what makes an article new).
AGAIN = Options(read=False, timeout=30, workers=2)
CRASHES = ("extractor crashed", "process died", "read stage failed")


def _documents_in(folder: Path) -> int:
    """How many documents the corpus holds: one per file, a record per JSON Lines line and
    per WARC page."""
    total = 0
    for path in folder.rglob("*"):
        if path.name.endswith(".jsonl"):
            total += sum(1 for line in path.read_bytes().splitlines() if line.strip())
        elif path.name.endswith(".warc.gz"):
            total += 2  # the bomb and the page after it (tools/hostile.py's _bomb_warc)
        elif path.is_file():
            total += 1
    return total


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    hostile.write_corpus(out, MALFORMED, seed=9)
    for name in LEFT_TO_THE_LONG_RUN:
        (out / "special" / name).unlink()
    return out


@pytest.fixture(scope="module")
def runs(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[IngestSummary], list[dict[str, str]]]:
    """The corpus ingested twice into one store: the summaries and each run's outcome by
    source."""
    db = tmp_path_factory.mktemp("db") / "hostile.db"
    summaries, outcomes = [], []
    for options in (OPTIONS, AGAIN):
        seen: dict[str, str] = {}

        def note(result: Article | Failure, outcome: str, seen: dict[str, str] = seen) -> None:
            assert result.source not in seen, f"{result.source} reported twice"
            seen[result.source] = outcome

        with Store(str(db)) as store:
            summaries.append(ingest([str(corpus)], store, options, on_result=note))
        outcomes.append(seen)
    return db, summaries, outcomes


def test_every_document_is_stored_or_fails_once_with_a_clear_error(
    corpus: Path, runs: tuple[Path, list[IngestSummary], list[dict[str, str]]]
) -> None:
    db, (first, _), (outcomes, _) = runs
    assert first.total == _documents_in(corpus) == len(outcomes)
    assert first.failed == len(first.failures)
    for failure in first.failures:
        assert failure.error.strip(), failure.source
        assert "\n" not in failure.error
        assert not failure.error.startswith(CRASHES), (failure.source, failure.error)
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT location FROM sources")}
        failed = [row[0] for row in conn.execute("SELECT location FROM failures")]
    assert len(failed) == len(set(failed)) == first.failed
    assert not stored & set(failed)
    assert stored | set(failed) == set(outcomes)


def test_a_rerun_stores_nothing_twice(
    runs: tuple[Path, list[IngestSummary], list[dict[str, str]]],
) -> None:
    db, (first, again), (before, after) = runs
    assert again.new == 0
    assert again.known == first.new + first.known
    assert again.failed == first.failed
    assert before.keys() == after.keys()
    with Store(str(db)) as store:
        counts = store.counts()
        assert counts["articles"] == first.new
        assert counts["failures"] == first.failed
        assert store.integrity_check() == "ok"


def _articles(db: Path) -> list[Article]:
    with Store(str(db)) as store:
        articles = list(store.iter_articles())
        for article in articles:
            article.reading = store.reading(article.id)
    return articles


def test_stored_text_is_clean_and_every_offset_indexes_it(
    runs: tuple[Path, list[IngestSummary], list[dict[str, str]]],
) -> None:
    articles = _articles(runs[0])
    assert articles
    for a in articles:
        text = a.text
        for field in (text, a.title or "", a.byline or "", *(p.text for p in a.paragraphs)):
            assert "\x00" not in field, a.source
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in field), a.source
        for p in a.paragraphs:
            assert text[p.start : p.end] == p.text
        r = a.reading
        if r is None:
            continue
        spans: list[tuple[str | None, int | None, int | None]] = []
        for e in r.entities:
            spans += [(m.text, m.start, m.end) for m in (*e.mentions, *e.roles)]
        for q in r.quotes:
            spans += [
                (q.text, q.start, q.end),
                (q.speaker_name, q.speaker_start, q.speaker_end),
                (q.cue, q.cue_start, q.cue_end),
            ]
        for t in r.times:
            spans.append((t.text, t.start, t.end))
        for c in r.claims:
            spans += [(c.text, c.start, c.end), (c.sentence, c.sentence_start, c.sentence_end)]
        for surface, start, end in spans:
            if start is None or end is None:
                continue
            assert text[start:end] == surface, (a.source, surface, start, end)


def test_names_with_hidden_characters_keep_their_offsets(
    runs: tuple[Path, list[IngestSummary], list[dict[str, str]]],
) -> None:
    hidden = set(hostile.BIDI + hostile.POP_BIDI + hostile.ZERO_WIDTH)
    found = 0
    for a in _articles(runs[0]):
        for e in a.reading.entities if a.reading else []:
            for m in e.mentions:
                if hidden & set(m.text):
                    found += 1
                    assert a.text[m.start : m.end] == m.text
    assert found, "the corpus puts bidi and zero-width characters inside names; none was read"


def test_each_attack_gets_its_own_outcome(
    runs: tuple[Path, list[IngestSummary], list[dict[str, str]]],
) -> None:
    db, (first, _), (outcomes, _) = runs
    errors = {Path(f.source).name: f.error for f in first.failures}
    assert "too large" in errors["bomb.html.gz"]
    bomb_records = [s for s in outcomes if "bomb.warc.gz#" in s]
    assert sorted(outcomes[s] for s in bomb_records) == ["failed", "new"]
    assert errors["records.jsonl:1"] == "not a JSON object: nested too deeply"
    assert errors["records.jsonl:2"] == "not a JSON object: nested too deeply"
    assert "too many digits" in errors["records.jsonl:3"]
    for name in ("records.jsonl:4", "records.jsonl:5", "records.jsonl:6", "huge-number.txt"):
        assert any(s.endswith(name) and o != "failed" for s, o in outcomes.items()), name
    with Store(str(db)) as store:
        for name in ("laughs-page.html", "laughs-page.xhtml", "laughs-sitemap.xml"):
            location = next(s for s in outcomes if s.endswith(name))
            if outcomes[location] == "failed":
                continue
            text = store.get(store.resolve_id(location)).text
            # Entities are never expanded: the page keeps its few hundred characters.
            assert "lollollol" not in text
            assert len(text) < 5000


# -- regressions for what the hostile corpus found ------------------------------------------------


def test_deep_or_huge_json_lines_fail_one_line_not_the_run() -> None:
    deep = record_document(b"[" * 100_000, "x:1", 1)
    assert isinstance(deep, Failure)
    assert deep.error == "not a JSON object: nested too deeply"
    huge = record_document(b'{"id": 1' + b"0" * 5000 + b', "text": "t"}', "x:2", 2)
    assert isinstance(huge, Failure)
    assert "too many digits" in huge.error


@pytest.mark.parametrize(
    "sentence",
    [
        "It happened 999999999 days ago, Kim Jong Un said.",
        "It happened 99999999999 weeks ago, Kim Jong Un said.",
        "On 3\u00b2 October 2024 Kim Jong Un said so.",
        "On " + "1" * 5000 + " October 2024 Kim Jong Un said so.",
    ],
)
def test_dates_no_calendar_holds_do_not_cost_the_reading(sentence: str) -> None:
    reading = read(sentence, published="2024-10-10")
    assert any(e.name == "Kim Jong Un" for e in reading.entities)


def test_a_stray_html_end_tag_does_not_cut_the_article() -> None:
    from crosswire.extract import extract

    paragraphs = "".join(
        f"<p>North Korea has sent {n} thousand troops to Russia, officials said on Monday.</p>"
        for n in range(6)
    )
    page = (
        "<!doctype html><html><head><title>T</title></head><body><article><h1>Troops</h1>"
        f"</body></html><!-- ad -->{paragraphs}</article></body></html>"
    )
    article = extract(Document("stray.html", page.encode()))
    assert article.text.count("thousand troops") == 6


@pytest.mark.parametrize("value", ['">"', "'<>'", '"a > b"'])
def test_forty_thousand_attributes_with_brackets_in_quotes_are_stripped(value: str) -> None:
    # A ">" inside the quoted values used to hide the tag from the oversized-tag guard, and lxml
    # then spent 19 s on it.
    from crosswire.extract import extract

    attrs = " ".join(f"a{i}={value}" for i in range(40_000))
    page = (
        f"<html><body><div {attrs}><article><h1>Troops</h1>"
        + "<p>North Korea has sent thousands of troops to Russia, officials said.</p>" * 4
        + "</article></div></body></html>"
    )
    article = extract(Document("attrs.html", page.encode()))
    assert "thousands of troops" in article.text
    assert any("oversized <div>" in r.reason for r in article.removed)


def _one(tmp_path: Path, name: str, content: bytes, timeout: float) -> Article | Failure:
    path = tmp_path / name
    path.write_bytes(content)
    with Store(str(tmp_path / "one.db")) as store:
        results: list[Article | Failure] = []
        ingest(
            [str(path)],
            store,
            Options(read=True, timeout=timeout),
            on_result=lambda r, _o: results.append(r),
        )
    (result,) = results
    return result


def test_a_long_digit_run_is_read_within_the_limit(tmp_path: Path) -> None:
    # Reading 100,000 digits took 76 s before (an address pattern tried every position of the
    # run); the per-document limit is the only clock here.
    text = b"Troops sent\n\nNorth Korea has sent " + b"9" * 100_000 + b" troops, Seoul said.\n"
    result = _one(tmp_path, "digits.txt", text, timeout=20)
    assert isinstance(result, Article), result
    assert result.reading is not None, result.errors


def test_a_reading_past_the_limit_keeps_its_article(tmp_path: Path) -> None:
    page = (
        "<html><body><article><h1>Troops sent</h1>"
        + "<p>North Korea has sent thousands of troops to Russia, Kim Jong Un said.</p>" * 3
        + "<p>" + '"' * 60_000 + "</p></article></body></html>"
    ).encode()  # fmt: skip
    result = _one(tmp_path, "quotes.html", page, timeout=8)
    assert isinstance(result, Article), result
    assert result.reading is None
    assert any(e.startswith("read stage stopped") for e in result.errors), result.errors
    with Store(str(tmp_path / "one.db")) as store:
        assert store.counts()["articles"] == 1


def _peak_rss_kb(root: int) -> int:
    """The largest peak RSS (VmHWM) among ``root`` and its live descendants, from /proc.

    Why not ``RUSAGE_CHILDREN``: extraction workers are children of multiprocessing's forkserver,
    which nobody waits for, so their usage never reaches the process that started the run."""
    procs: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            status = (entry / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue  # ended while we looked
        hwm = re.search(r"VmHWM:\s+(\d+)", status)
        procs[int(entry.name)] = (ppid, int(hwm.group(1)) if hwm else 0)
    peak = 0
    for pid, (_, hwm) in procs.items():
        ancestor = pid
        while ancestor not in (root, 0, 1) and ancestor in procs:
            ancestor = procs[ancestor][0]
        if ancestor == root:
            peak = max(peak, hwm)
    return peak


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_memory_stays_bounded_on_the_big_cases(tmp_path: Path) -> None:
    inputs = tmp_path / "big"
    inputs.mkdir()
    for name, writer in hostile.big_cases().items():
        writer(inputs / name)
    # A limit above the 50 MB page, so that it is parsed rather than refused at the door.
    script = (
        "from crosswire.pipeline import Options, ingest\n"
        "from crosswire.store.store import Store\n"
        f"with Store({str(tmp_path / 'big.db')!r}) as store:\n"
        f"    s = ingest([{str(inputs)!r}], store, Options(read=True, timeout=10, "
        "max_bytes=64_000_000))\n"
        "print(s.new + s.known, s.failed, [f.error for f in s.failures])\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak_kb = 0
    while run.poll() is None:
        peak_kb = max(peak_kb, _peak_rss_kb(run.pid))
        time.sleep(0.2)
    out, err = run.communicate()
    assert run.returncode == 0, err
    stored, failed, errors = out.split(" ", 2)
    assert int(stored) + int(failed) == 2, out
    assert "too large" in errors, out  # the gigabyte bomb, refused after 64 MB of it
    # Far below the 4 GB a worker may map: neither the page nor the bomb is held many times over.
    assert 0 < peak_kb < 2 * 1024 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
