"""Commands on single pages and the stored articles: extract, analyze, ingest, list, show."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Any

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

from crosswire.cli.common import (
    EPILOG_PATHS,
    db_option,
    err,
    main,
    open_store,
    run_options,
    safe,
    window_option,
)
from crosswire.cli.engines import ADDRESS_HELP, ENGINE_HELP, SHARDS_HELP, ingest_ray
from crosswire.ingest.files import count_documents
from crosswire.ingest.filters import Filters
from crosswire.pipeline import Options, extract_paths, ingest
from crosswire.records import Article, Failure, Reading
from crosswire.store.db import redact


def _record(result: Article | Failure) -> dict[str, Any]:
    """The JSON object for one result: the article's fields plus its reading, if any."""
    record = result.to_dict()
    if isinstance(result, Article) and result.reading is not None:
        record.update(result.reading.to_dict())
    return record


class _Skips:
    """Counts what the filters skip, for a closing line on stderr."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _source: str, _reason: str) -> None:
        self.count += 1

    def report(self, filters: Filters | None) -> None:
        if filters is not None:
            err.print(f"{self.count} skipped (filter)")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@run_options
@click.option("--pretty", is_flag=True, help="Indent the JSON (one object spans several lines).")
def extract(
    paths: tuple[str, ...],
    options: Options,
    pretty: bool,
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
      crosswire extract crawl.warc.gz --host bbc.co.uk --since 2024-10-01
    """
    failed = 0
    skips = _Skips()
    for result in extract_paths(paths, options, skips):
        record = result.to_dict()
        if isinstance(result, Failure):
            failed += 1
            err.print(f"[red]failed[/red] {safe(result.source)}: {safe(result.error)}")
        click.echo(json.dumps(record, ensure_ascii=False, indent=2 if pretty else None))
    skips.report(options.filters)
    if failed:
        sys.exit(1)


extract.epilog = EPILOG_PATHS


@main.command(epilog=EPILOG_PATHS)
@click.argument("paths", nargs=-1, required=True)
@run_options
@click.option(
    "--plain",
    is_flag=True,
    help="Take each input as clean article text: no extraction, offsets index the input "
    "unchanged (for scoring against annotated corpora). Paragraphs are its lines. A .jsonl "
    'file holds one {"id", "text"} object per line; each output carries its id.',
)
@click.option("--pretty", is_flag=True, help="Indent the JSON (one object spans several lines).")
def analyze(
    paths: tuple[str, ...],
    options: Options,
    plain: bool,
    pretty: bool,
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
    skips = _Skips()
    options = replace(options, read=True, plain=plain)
    for result in extract_paths(paths, options, skips):
        if isinstance(result, Failure):
            failed += 1
            err.print(f"[red]failed[/red] {safe(result.source)}: {safe(result.error)}")
        click.echo(json.dumps(_record(result), ensure_ascii=False, indent=2 if pretty else None))
    skips.report(options.filters)
    if failed:
        sys.exit(1)


@main.command(name="ingest", epilog=EPILOG_PATHS)
@click.argument("paths", nargs=-1, required=True)
@db_option
@run_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary.")
@click.option(
    "--read/--no-read",
    default=True,
    show_default=True,
    help="Also read each article (entities, quotes) and store what is found.",
)
@click.option(
    "--connect/--no-connect",
    default=True,
    show_default=True,
    help="Then group the stored articles into stories, trace copies to their originals and "
    "link entities across articles (else the first `crosswire stories` does it).",
)
@window_option
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help=ENGINE_HELP,
)
@click.option("--address", metavar="ADDRESS", default=None, help=ADDRESS_HELP)
@click.option("--shards-dir", type=click.Path(file_okay=False), default=None, help=SHARDS_HELP)
def ingest_cmd(
    paths: tuple[str, ...],
    db: str,
    options: Options,
    quiet: bool,
    read: bool,
    connect: bool,
    window: int | None,
    engine: str,
    address: str | None,
    shards_dir: str | None,
) -> None:
    """Extract pages, read them, and store the results in the database.

    Re-ingesting the same page changes nothing (articles are keyed by a hash of their bytes),
    except that an article stored without its reading (--no-read, or an older crosswire) gets it.
    Failed documents are listed at the end and recorded in the database; the exit status is 1
    when any input failed. Pages the filters (--since, --lang, --host, ...) leave out are not
    stored and are counted as skipped.

    With --engine ray the work is cut into shards (one per WARC or JSON Lines file, or per 100
    other files) run by Ray actors, here or on a cluster; each shard's results are written to
    --shards-dir and then stored by this process. Running the same command again skips the
    shards already done.

    \b
    Examples:
      crosswire ingest pages/ --db news.db
      crosswire ingest CC-NEWS-20241023.warc.gz --lang en --host reuters.com --since 2024-10-23
      crosswire ingest crawl/*.warc.gz --db news.db --engine ray --workers 2
      crosswire ingest CC-NEWS-2024*.warc.gz --db news.db --window 30   # connect month by month
      crosswire ingest /shared/crawl/ --db news.db --engine ray --address auto \\
          --workers 16 --shards-dir /shared/shards
    """
    if engine != "ray" and (address or shards_dir):
        raise click.UsageError("--address and --shards-dir go with --engine ray")
    store = open_store(db, create=True)
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
            options = replace(options, read=read)
            if engine == "ray":
                summary = ingest_ray(
                    paths,
                    store,
                    options,
                    address=address,
                    shards_dir=shards_dir,
                    progress=progress,
                    quiet=quiet,
                    on_result=tick,
                )
            else:
                summary = ingest(paths, store, options, on_result=tick)
        except KeyboardInterrupt:
            progress.stop()
            err.print(
                "[yellow]interrupted[/yellow]: everything extracted so far is stored; "
                "run the same command again to finish (stored pages are not duplicated)"
            )
            sys.exit(130)
    for failure in summary.failures[:50]:
        err.print(f"[red]failed[/red] {safe(failure.source)}: {safe(failure.error)}")
    if len(summary.failures) > 50:
        err.print(f"… and {len(summary.failures) - 50} more failures (see the failures table)")
    err.print(
        f"[bold]{summary.total}[/bold] documents: [green]{summary.new} new[/green], "
        f"{summary.known} already known, "
        + (f"{summary.skipped} skipped (filter), " if options.filters is not None else "")
        + f"[{'red' if summary.failed else 'green'}]{summary.failed} failed[/] → {safe(redact(db))}"
    )
    if connect:
        _connect(db, quiet, window)
    if summary.failed:
        sys.exit(1)


def _connect(db: str, quiet: bool, window: int | None) -> None:
    from crosswire.cli.connect import connect_progress, ticker
    from crosswire.connect.update import connect

    with open_store(db) as store, connect_progress(quiet) as bar:
        task = bar.add_task("connect", total=None)
        result = connect(store, ticker(bar, task), window=window)
    events = ", ".join(f"{n} {kind}" for kind, n in sorted(result.events.items()))
    scope = "" if window is None else f" ({result.replayed} taken back in a {window}-day window)"
    err.print(
        f"[bold]{result.stories}[/bold] stories ({events or 'no change'}), "
        f"{result.copies} copies, {result.entities} entities across {result.articles} articles"
        + scope
    )


@main.command(name="list")
@db_option
@click.option(
    "--limit", "-n", type=click.IntRange(1), default=50, show_default=True, help="Most to list."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article on stdout.")
def list_cmd(db: str, limit: int, as_json: bool) -> None:
    """List stored articles, newest first."""
    with open_store(db) as store:
        articles = list(store.iter_articles(limit=limit))
        counts = store.counts()
    if as_json:
        for a in articles:
            click.echo(json.dumps(a.to_dict(), ensure_ascii=False))
        return
    table = Table(
        title=f"{counts['articles']} articles in {safe(redact(db))}",
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
            safe(a.original_site or a.site or ""),
            safe((a.title or "")[:120]),
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
    with open_store(db) as store:
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
    out.print(f"[bold]{safe(article.title or '(no title)')}[/bold]")
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
            out.print(f"[dim]{label:>10}[/dim]  {safe(str(value))}")
    dup_of = {d.paragraph: d.same_as for d in article.duplicates}
    style = {"title": "bold", "heading": "bold cyan", "label": "cyan", "caption": "italic dim"}
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="dim")
    grid.add_column(style="dim")
    grid.add_column(ratio=1)
    for i, p in enumerate(article.paragraphs):
        note = f" [dim](repeats ¶{dup_of[i]})[/dim]" if i in dup_of else ""
        grid.add_row(str(i), p.role, f"[{style.get(p.role, 'none')}]{safe(p.text)}[/]{note}")
    out.print()
    out.print(grid)
    if article.removed:
        out.print()
        if removed:
            for r in article.removed:
                out.print(f"[dim]removed ({safe(r.reason)}):[/dim] {safe(r.text[:200])}")
        else:
            n = len(article.removed)
            out.print(f"[dim]{n} blocks removed as boilerplate (--removed to see them)[/dim]")
    if article.reading is not None:
        _print_reading(out, article.reading)
    for e in article.errors:
        out.print(f"[red]error:[/red] {safe(e)}")


def _print_reading(out: Console, reading: Reading) -> None:
    names = {e.id: e.name for e in reading.entities}
    if reading.entities:
        out.print()
        table = Table("entity", "type", "also called", "roles", box=box.SIMPLE, title="Entities")
        for e in reading.entities:
            roles = "; ".join(dict.fromkeys(r.text for r in e.roles))
            table.add_row(safe(e.name), e.type, safe(", ".join(e.aliases)), safe(roles))
        out.print(table)
    if reading.quotes:
        out.print()
        table = Table("speaker", "cue", "kind", "words", box=box.SIMPLE, title="Who said what")
        for q in reading.quotes:
            who = names.get(q.speaker or "") or q.speaker_name or "(unnamed)"
            if q.speaker and q.speaker_name and q.speaker_name != who:
                who = f"{who} ({q.speaker_name})"
            table.add_row(safe(who), safe(q.cue or ""), q.kind, safe(q.text))
        out.print(table)
    if reading.claims:
        out.print()
        table = Table("claimant", "number", "measure", "aspect", box=box.SIMPLE, title="Claims")
        for c in reading.claims:
            who = names.get(c.claimant or "") or c.claimant_name or "(the article)"
            table.add_row(safe(who), safe(c.text), safe(c.measure or ""), safe(c.aspect or ""))
        out.print(table)
    if reading.times:
        out.print()
        when = ", ".join(f"{safe(t.text)} → {t.value}" for t in reading.times)
        out.print(f"[bold]Times[/bold]  {when}")
    if reading.places:
        places = ", ".join(
            f"{safe(p.name)} ({p.country} {p.lat:.2f},{p.lon:.2f})" for p in reading.places
        )
        out.print(f"[bold]Places[/bold]  {places}")
