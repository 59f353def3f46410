"""``crosswire export``: the store as files other tools read (pandas, DuckDB, spreadsheets,
Aleph)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from crosswire.cli.common import db_option, err, main, open_store, safe
from crosswire.cli.connect import connect_progress, ticker
from crosswire.errors import CrosswireError
from crosswire.export import ALL_FORMATS, FTM_TABLES, TABLES

if TYPE_CHECKING:
    from crosswire.export.run import Written
    from crosswire.export.writers import Tick
    from crosswire.store.store import Store

_DEFAULT_TABLES = ",".join(TABLES)


def _tables(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in TABLES]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown table {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(TABLES)}",
            param_hint="--tables",
        )
    return list(dict.fromkeys(names))


@main.command(name="export")
@db_option
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(ALL_FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl, csv and parquet write one file per table; ftm writes FollowTheMoney entities.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=True, dir_okay=True, path_type=Path),
    default=Path("export"),
    show_default=True,
    help="Folder to write into (created if missing; files of the same name are replaced).",
)
@click.option(
    "--tables",
    "-t",
    default=_DEFAULT_TABLES,
    show_default=True,
    help="Comma-separated tables to export.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def export_cmd(db: str, fmt: str, out: Path, tables: str, quiet: bool) -> None:
    """Export the stored articles, entities, quotes, claims and stories for other tools.

    \b
    Tables (one file each, named after the table: articles.jsonl, claims.parquet, …):
      articles        one row per article: provenance, title, date, text, story_id, copy_of
      paragraphs      each article's paragraphs with role and offsets
      entities        corpus entities (one real thing across articles): aliases, roles,
                      how many articles name it, and where a place is
      mentions        every place an article names an entity: offsets, words, corpus_id
      quotes          who said what: kind, words, offsets, speaker and corpus entity, cue
      claims          numbers: value, bounds, hedge, unit, measure, claimant, offsets
      stories         stories with their dates, counts, sources and article ids
      story_articles  story id, article id, arrival rank

    Everything found inside an article carries article_id and character offsets into that
    article's text, so text[start:end] is the words a fact came from. Columns are typed: lists
    are lists in JSON Lines and Parquet, JSON arrays in CSV; a missing value is null (an empty
    field in CSV). See docs/output.md ("Exports") for every column.

    --format ftm writes FollowTheMoney entities (entities.ftm.json, one per line): articles as
    Article, people as Person, organisations as Organization, countries and groups as
    LegalEntity, regions as Address; Mention and Documentation link an article to what it
    names, quotes and claims are Notes on who says them, stories are Events.

    The connections (stories, copies, corpus entities) are brought up to date first, and all
    files come from one snapshot of the database, so an ingest running meanwhile never makes
    them disagree.

    \b
    Examples:
      crosswire export --db news.db --format parquet --out export/
      python -c "import pandas as pd; print(pd.read_parquet('export/claims.parquet').head())"
      duckdb -c "SELECT speaker_entity_name, count(*) FROM 'export/quotes.parquet'
                 GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
      crosswire export --format csv --tables articles,claims --out sheets/
      crosswire export --format ftm --out ftm/
      ftm validate -i ftm/entities.ftm.json -o /dev/null     # check with the ftm tools
      ALEPH_HOST=https://aleph.example.org ALEPH_API_KEY=… \\
        alephclient write-entities -i ftm/entities.ftm.json -f my-collection
    """
    names = _tables(tables)
    if fmt == "ftm" and not set(names) & set(FTM_TABLES):
        raise click.BadParameter(
            f"{', '.join(names)} have no FollowTheMoney form (a story's Event lists its "
            f"articles); choose among {', '.join(FTM_TABLES)}",
            param_hint="--tables",
        )
    with open_store(db) as store:
        try:
            written = _run(store, fmt, out, names, quiet)
        except CrosswireError as exc:
            raise click.ClickException(str(exc)) from exc
    if not quiet:
        _summary(out, written)


def _run(store: Store, fmt: str, out: Path, names: list[str], quiet: bool) -> list[Written]:
    from crosswire.export.run import export

    # Connecting first, under its own bar, so the export's bars start on a connected store
    # (export() then finds nothing left to connect).
    if store.connections.unconnected():
        from crosswire.connect.update import ensure_connected

        with connect_progress(quiet) as connecting:
            task = connecting.add_task("connect", total=None)
            ensure_connected(store, ticker(connecting, task))
    bar = Progress(
        TextColumn("[bold]{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    )

    def starting(name: str, rows: int) -> Tick:
        task = bar.add_task(name, total=rows)
        return lambda n: bar.advance(task, n)

    with bar:
        return export(store, fmt, out, names, starting=starting)


def _summary(out: Path, written: list[Written]) -> None:
    table = Table("file", "rows", "size", box=box.SIMPLE_HEAD, title_justify="left")
    table.title = f"exported into {safe(str(out))}"
    for w in written:
        size = w.path.stat().st_size if w.path.exists() else 0
        table.add_row(safe(w.path.name), str(w.rows), _size(size))
        for schema, n in sorted(w.schemata.items()):
            table.add_row(f"  [dim]{schema}[/dim]", f"[dim]{n}[/dim]", "")
    err.print(table)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"
