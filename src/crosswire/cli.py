"""The ``crosswire`` command line: thin wrappers over :mod:`crosswire.pipeline` and the store.

Data goes to stdout (JSON Lines), progress and messages to stderr, so commands chain in a shell.
Exit status: 0 all fine, 1 some inputs failed (the rest were processed), 2 usage error.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from crosswire import __version__
from crosswire.errors import CrosswireError
from crosswire.extract.guard import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from crosswire.ingest.files import DEFAULT_MAX_BYTES, count_documents
from crosswire.pipeline import Options, extract_paths, ingest
from crosswire.records import Article, Failure, Reading
from crosswire.store.sqlite import ENV_DB, Store, default_db_path

if TYPE_CHECKING:
    from crosswire.connect.corpus import Corpus, StoryDetail
    from crosswire.connect.lineup import SourcedClaim
    from crosswire.connect.stories import Story

err = Console(stderr=True)

EPILOG_PATHS = (
    "PATH may be a file, a folder (read recursively; .gz files decompressed) or - for stdin. "
    "HTML and plain-text copies are told apart by file suffix, else by content. A folder walk "
    "skips hidden files, non-regular files (FIFOs, sockets), sidecar metadata (.json, .info, .ann, "
    ".md5, .sha256, .lock, .py) and LICENSE/NOTICE/README/COPYING/AUTHORS/CHANGELOG files."
)


def _options(
    max_bytes: int, timeout: float, workers: int, *, read: bool = False, plain: bool = False
) -> Options:
    return Options(
        max_bytes=max_bytes,
        timeout=timeout,
        workers=workers,
        memory_mb=DEFAULT_MEMORY_MB,
        read=read,
        plain=plain,
    )


def _record(result: Article | Failure) -> dict[str, Any]:
    """The JSON object for one result: the article's fields plus its reading, if any."""
    record = result.to_dict()
    if isinstance(result, Article) and result.reading is not None:
        record.update(result.reading.to_dict())
    return record


def limit_options(fn: Any) -> Any:
    fn = click.option(
        "--workers",
        "-w",
        type=click.IntRange(1, 256),
        default=1,
        show_default=True,
        help="Extraction processes to run in parallel.",
    )(fn)
    fn = click.option(
        "--timeout",
        type=click.FloatRange(0.1),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help="Seconds one document may take; a slower one is stopped and reported as failed.",
    )(fn)
    return click.option(
        "--max-bytes",
        type=click.IntRange(1),
        default=DEFAULT_MAX_BYTES,
        show_default=True,
        help="Largest document accepted (after decompression); larger ones are reported as failed.",
    )(fn)


def db_option(fn: Any) -> Any:
    return click.option(
        "--db",
        envvar=ENV_DB,
        default=default_db_path,
        show_default=f"${ENV_DB} or ./crosswire.db",
        type=click.Path(dir_okay=False),
        help="SQLite database file (created if missing).",
    )(fn)


def _open_store(path: str, *, create: bool = False) -> Store:
    try:
        return Store(path, create=create)
    except CrosswireError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="crosswire")
def main() -> None:
    """crosswire: who claims what, how many, when and where, and where the sources disagree.

    \b
    Start with:
      crosswire extract page.html            # one clean article as JSON
      crosswire analyze page.html            # … plus entities and who said what
      crosswire ingest pages/ --db news.db   # store a folder of pages
      crosswire list --db news.db            # what is stored
      crosswire show ID --db news.db         # one stored article
      crosswire stories --db news.db         # articles grouped into stories
      crosswire story s1 --db news.db        # claims lined up, disagreements
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@limit_options
@click.option("--pretty", is_flag=True, help="Indent the JSON (one object spans several lines).")
def extract(
    paths: tuple[str, ...], max_bytes: int, timeout: float, workers: int, pretty: bool
) -> None:
    """Extract clean articles and print one JSON object per document (JSON Lines).

    Each object has id, source, url, original_url, site, original_site, canonical_url, title,
    byline, published, language, description, kind, text, paragraphs (with role and offsets),
    removed (with reason), duplicates, errors and content_hash; a document that could not be read
    at all, or held no text, prints {"id": null, "source": ..., "errors": [...]}.
    See docs/output.md for the full contract.

    \b
    Examples:
      crosswire extract page.html
      crosswire extract copies/ | jq -r .title
      curl -s https://example.org/news | crosswire extract -
    """
    failed = 0
    for result in extract_paths(paths, _options(max_bytes, timeout, workers)):
        record = result.to_dict()
        if isinstance(result, Failure):
            failed += 1
            err.print(f"[red]failed[/red] {_safe(result.source)}: {_safe(result.error)}")
        click.echo(json.dumps(record, ensure_ascii=False, indent=2 if pretty else None))
    if failed:
        sys.exit(1)


extract.epilog = EPILOG_PATHS


@main.command(epilog=EPILOG_PATHS)
@click.argument("paths", nargs=-1, required=True)
@limit_options
@click.option(
    "--plain",
    is_flag=True,
    help="Take each input as clean article text: no extraction, offsets index the input "
    "unchanged (for scoring against annotated corpora). Paragraphs are its lines. A .jsonl "
    'file holds one {"id", "text"} object per line; each output carries its id.',
)
@click.option("--pretty", is_flag=True, help="Indent the JSON (one object spans several lines).")
def analyze(
    paths: tuple[str, ...], max_bytes: int, timeout: float, workers: int, plain: bool, pretty: bool
) -> None:
    """Extract and read articles: entities, quotes, claims, times, places (JSON Lines).

    Each object has every field of `crosswire extract` plus:

    \b
      entities  id, name, type (PERSON ORG GPE LOC NORP), aliases, roles and
                mentions ({start, end, text}); one entity per real thing
      quotes    kind (direct, partial, indirect), text, start, end, speaker
                (entity id or null), speaker_name/_start/_end (the words naming
                the speaker here: "she", "a spokesperson"), cue/_start/_end
      times     text, start, end, value (2024-10-21, 2024-W42, 2024-06, P2.5Y),
                grain, interval, against the publication date
      places    name, lat, lon, country (ISO), kind, entity, mentions
      claims    value or low/high, vague, approx (the hedge), change, unit,
                measure, aspect, status, claimant (entity id), claimant_name,
                time, start, end, sentence

    All offsets index the object's `text`. A direct or partial quote's span includes its quote
    marks. See docs/output.md.

    \b
    Examples:
      crosswire analyze page.html --pretty
      crosswire analyze story.txt | jq '.quotes[] | [.speaker_name, .text]'
      crosswire analyze --plain clean.txt
      crosswire analyze --plain texts.jsonl     # {"id": ..., "text": ...} per line
    """
    failed = 0
    options = _options(max_bytes, timeout, workers, read=True, plain=plain)
    for result in extract_paths(paths, options):
        if isinstance(result, Failure):
            failed += 1
            err.print(f"[red]failed[/red] {_safe(result.source)}: {_safe(result.error)}")
        click.echo(json.dumps(_record(result), ensure_ascii=False, indent=2 if pretty else None))
    if failed:
        sys.exit(1)


def _safe(text: str) -> str:
    """Escape rich markup in untrusted text before printing it to the terminal."""
    from rich.markup import escape

    return escape(text.replace("\x1b", "␛"))


@main.command(name="ingest", epilog=EPILOG_PATHS)
@click.argument("paths", nargs=-1, required=True)
@db_option
@limit_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary.")
@click.option(
    "--read/--no-read",
    default=True,
    show_default=True,
    help="Also read each article (entities, quotes) and store what is found.",
)
def ingest_cmd(
    paths: tuple[str, ...],
    db: str,
    max_bytes: int,
    timeout: float,
    workers: int,
    quiet: bool,
    read: bool,
) -> None:
    """Extract pages, read them, and store the results in the database.

    Re-ingesting the same page changes nothing (articles are keyed by a hash of their bytes),
    except that an article stored without its reading (--no-read, or an older crosswire) gets it.
    Failed documents are listed at the end and recorded in the database; the exit status is 1
    when any input failed.
    """
    store = _open_store(db, create=True)
    total = None if quiet else count_documents(paths)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=False,
    )
    with store, progress:
        task = progress.add_task("ingest", total=total, rate="")

        def tick(_result: Article | Failure, _outcome: str) -> None:
            progress.advance(task)
            speed = progress.tasks[0].speed
            progress.update(task, rate=f"{speed:.1f} docs/s" if speed else "")

        try:
            options = _options(max_bytes, timeout, workers, read=read)
            summary = ingest(paths, store, options, on_result=tick)
        except KeyboardInterrupt:
            progress.stop()
            err.print(
                "[yellow]interrupted[/yellow]: everything extracted so far is stored; "
                "run the same command again to finish (stored pages are not duplicated)"
            )
            sys.exit(130)
    for failure in summary.failures[:50]:
        err.print(f"[red]failed[/red] {_safe(failure.source)}: {_safe(failure.error)}")
    if len(summary.failures) > 50:
        err.print(f"… and {len(summary.failures) - 50} more failures (see the failures table)")
    err.print(
        f"[bold]{summary.total}[/bold] documents: [green]{summary.new} new[/green], "
        f"{summary.known} already known, "
        f"[{'red' if summary.failed else 'green'}]{summary.failed} failed[/] → {_safe(db)}"
    )
    if summary.failed:
        sys.exit(1)


@main.command(name="list")
@db_option
@click.option(
    "--limit", "-n", type=click.IntRange(1), default=50, show_default=True, help="Most to list."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article on stdout.")
def list_cmd(db: str, limit: int, as_json: bool) -> None:
    """List stored articles, newest first."""
    with _open_store(db) as store:
        articles = list(store.iter_articles(limit=limit))
        counts = store.counts()
    if as_json:
        for a in articles:
            click.echo(json.dumps(a.to_dict(), ensure_ascii=False))
        return
    table = Table(
        title=f"{counts['articles']} articles in {_safe(db)}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        caption="¶ paragraphs kept, rm blocks removed as chrome",
        caption_justify="left",
    )
    table.add_column("id", no_wrap=True, min_width=10)
    table.add_column("published", no_wrap=True, min_width=10)
    table.add_column("origin", no_wrap=True, max_width=15)
    table.add_column("title", ratio=1, min_width=20)
    table.add_column("¶", justify="right", no_wrap=True)
    table.add_column("rm", justify="right", no_wrap=True)
    for a in articles:
        table.add_row(
            a.id[:10],
            a.published or "",
            _safe(a.original_site or a.site or ""),
            _safe((a.title or "")[:120]),
            str(len(a.paragraphs)),
            str(len(a.removed)),
        )
    Console().print(table)
    if counts["failures"]:
        err.print(f"{counts['failures']} inputs failed; re-run ingest to retry them.")


@main.command()
@click.argument("article_id")
@db_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print the article as JSON (the extract contract)."
)
@click.option("--removed/--no-removed", default=False, help="Also show the removed boilerplate.")
def show(article_id: str, db: str, as_json: bool, removed: bool) -> None:
    """Show one stored article: provenance, paragraph roles, entities, quotes, claims.

    ARTICLE_ID may be any unambiguous prefix of the id shown by `crosswire list`, or the path or
    URL the article was ingested from.
    """
    with _open_store(db) as store:
        try:
            full = store.resolve_id(article_id)
        except KeyError as exc:
            raise click.ClickException(str(exc.args[0])) from exc
        article = store.get(full)
        article.reading = store.reading(full)
        sources = store.sources_of(full)
    if as_json:
        record = _record(article)
        record["sources"] = sources
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    out = Console()
    out.print(f"[bold]{_safe(article.title or '(no title)')}[/bold]")
    for label, value in (
        ("id", article.id),
        ("published", article.published),
        ("byline", article.byline),
        ("site", article.site),
        ("original", article.original_url or article.original_site),
        ("language", article.language),
        ("sources", ", ".join(s["location"] for s in sources)),
    ):
        if value:
            out.print(f"[dim]{label:>10}[/dim]  {_safe(str(value))}")
    dup_of = {d.paragraph: d.same_as for d in article.duplicates}
    style = {"title": "bold", "heading": "bold cyan", "label": "cyan", "caption": "italic dim"}
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="dim")
    grid.add_column(style="dim")
    grid.add_column(ratio=1)
    for i, p in enumerate(article.paragraphs):
        note = f" [dim](repeats ¶{dup_of[i]})[/dim]" if i in dup_of else ""
        grid.add_row(str(i), p.role, f"[{style.get(p.role, 'none')}]{_safe(p.text)}[/]{note}")
    out.print()
    out.print(grid)
    if article.removed:
        out.print()
        if removed:
            for r in article.removed:
                out.print(f"[dim]removed ({_safe(r.reason)}):[/dim] {_safe(r.text[:200])}")
        else:
            n = len(article.removed)
            out.print(f"[dim]{n} blocks removed as boilerplate (--removed to see them)[/dim]")
    if article.reading is not None:
        _print_reading(out, article.reading)
    for e in article.errors:
        out.print(f"[red]error:[/red] {_safe(e)}")


def _print_reading(out: Console, reading: Reading) -> None:
    names = {e.id: e.name for e in reading.entities}
    if reading.entities:
        out.print()
        table = Table("entity", "type", "also called", "roles", box=box.SIMPLE, title="Entities")
        for e in reading.entities:
            roles = "; ".join(dict.fromkeys(r.text for r in e.roles))
            table.add_row(_safe(e.name), e.type, _safe(", ".join(e.aliases)), _safe(roles))
        out.print(table)
    if reading.quotes:
        out.print()
        table = Table("speaker", "cue", "kind", "words", box=box.SIMPLE, title="Who said what")
        for q in reading.quotes:
            who = names.get(q.speaker or "") or q.speaker_name or "(unnamed)"
            if q.speaker and q.speaker_name and q.speaker_name != who:
                who = f"{who} ({q.speaker_name})"
            table.add_row(_safe(who), _safe(q.cue or ""), q.kind, _safe(q.text))
        out.print(table)
    if reading.claims:
        out.print()
        table = Table("claimant", "number", "measure", "aspect", box=box.SIMPLE, title="Claims")
        for c in reading.claims:
            who = names.get(c.claimant or "") or c.claimant_name or "(the article)"
            table.add_row(_safe(who), _safe(c.text), _safe(c.measure or ""), _safe(c.aspect or ""))
        out.print(table)
    if reading.times:
        out.print()
        when = ", ".join(f"{_safe(t.text)} → {t.value}" for t in reading.times)
        out.print(f"[bold]Times[/bold]  {when}")
    if reading.places:
        places = ", ".join(
            f"{_safe(p.name)} ({p.country} {p.lat:.2f},{p.lon:.2f})" for p in reading.places
        )
        out.print(f"[bold]Places[/bold]  {places}")


def _story_record(story: Story, corpus: Corpus) -> dict[str, Any]:
    record = asdict(story)
    record["articles"] = [
        {"id": a, "source": corpus.articles[a].source, "title": corpus.articles[a].title}
        for a in story.articles
    ]
    return record


@main.command(name="stories")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story (JSON Lines).")
def stories_cmd(db: str, as_json: bool) -> None:
    """List the stories the stored articles form, largest first.

    Articles are grouped by their words, the people, organisations and places they name, their
    dates and numbers. Story ids (s1, s2, …) are stable for a given database.
    """
    from crosswire.connect.corpus import build_corpus

    with _open_store(db) as store:
        corpus = build_corpus(store)
    if as_json:
        for story in corpus.stories:
            click.echo(json.dumps(_story_record(story, corpus), ensure_ascii=False))
        return
    table = Table("story", "articles", "dates", "title", "sources", box=box.SIMPLE_HEAD)
    for s in corpus.stories:
        dates = " – ".join(dict.fromkeys(d for d in (s.first, s.last) if d)) or "?"
        table.add_row(
            s.id, str(len(s.articles)), dates, _safe(s.title), _safe(", ".join(s.sources[:4]))
        )
    Console().print(table)


@main.command(name="story")
@click.argument("story_id")
@db_option
@click.option("--json", "as_json", is_flag=True, help="The story as one JSON object.")
def story_cmd(story_id: str, db: str, as_json: bool) -> None:
    """Show one story: timeline, claims lined up with disagreements, who said what.

    A disagreement is two claims about the same measure, with the same aspect (both "already
    sent", say), from different claimants, whose values differ beyond their hedges.
    """
    from crosswire.connect.corpus import build_corpus, story_detail

    with _open_store(db) as store:
        corpus = build_corpus(store)
    try:
        detail = story_detail(corpus, story_id)
    except KeyError as exc:
        raise click.ClickException(f"no story {story_id!r}; see `crosswire stories`") from exc
    if as_json:
        click.echo(json.dumps(_detail_record(detail, corpus), ensure_ascii=False, indent=2))
        return
    out = Console()
    out.print(f"[bold]{_safe(detail.story.title)}[/bold]  [dim]{detail.story.id}[/dim]")
    out.print()
    for a in detail.timeline:
        when = a.published or "????-??-??"
        out.print(f"[dim]{when:>10}[/dim]  {_safe(a.title or a.source)}  [dim]{a.id}[/dim]")
    for m in detail.measures:
        out.print()
        table = Table("claimant", "number", "aspect", "article", box=box.SIMPLE, title=m.label)
        for c in m.claims:
            reading = corpus.readings.get(c.article)
            names = {e.id: e.name for e in reading.entities} if reading else {}
            who = names.get(c.claim.claimant or "") or c.claim.claimant_name or "(the article)"
            table.add_row(_safe(who), _safe(c.claim.text), _safe(c.claim.aspect or ""), c.article)
        out.print(table)
        for d in m.disagreements:
            out.print(f"[bold red]disagreement[/bold red] {_safe(d.why)}")
    if detail.speakers:
        out.print()
        out.print("[bold]Who said what[/bold]")
        for sp in detail.speakers[:20]:
            out.print(f"  [bold]{_safe(sp.speaker)}[/bold] ({len(sp.quotes)})")
            for _, q in sp.quotes[:3]:
                out.print(f"    {q.kind}: {_safe(q.text[:160])}")


def _detail_record(detail: StoryDetail, corpus: Corpus) -> dict[str, Any]:
    def sourced(c: SourcedClaim) -> dict[str, Any]:
        return {"article": c.article, **asdict(c.claim)}

    record = _story_record(detail.story, corpus)
    record["timeline"] = [
        {"id": a.id, "published": a.published, "title": a.title, "source": a.source}
        for a in detail.timeline
    ]
    record["measures"] = [
        {
            "label": m.label,
            "key": m.key,
            "claims": [sourced(c) for c in m.claims],
        }
        for m in detail.measures
    ]
    record["disagreements"] = [
        {"measure": m.label, "why": d.why, "sides": [sourced(d.a), sourced(d.b)]}
        for m in detail.measures
        for d in m.disagreements
    ]
    record["who_said_what"] = [
        {"speaker": s.speaker, "quotes": [{"article": a, **asdict(q)} for a, q in s.quotes]}
        for s in detail.speakers
    ]
    return record


@main.command(name="duplicates")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per group (JSON Lines).")
def duplicates_cmd(db: str, as_json: bool) -> None:
    """List stored articles that copy one another, each group with its original and why.

    Copies are found by shared text (exact, or most of one text's word sequences inside the
    other's, so added page chrome and dropped or reordered paragraphs do not hide a copy). The
    original is the one a copy names as its source, else the canonical link's target, else the
    earliest dated, else the first stored; the rule used is printed with each group.
    """
    from crosswire.connect.corpus import build_corpus

    with _open_store(db) as store:
        corpus = build_corpus(store)
    groups = corpus.copies.groups()
    if as_json:
        for g in groups:
            click.echo(json.dumps(asdict(g), ensure_ascii=False))
        return
    if not groups:
        err.print("no copies among the stored articles")
        return
    out = Console()
    for g in groups:
        out.print(_safe(g.explain()))
