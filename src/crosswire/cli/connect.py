"""Commands on the connected corpus: stories, one story, copies, and entities across articles.

Each brings the connections up to date first when some stored article is in no story yet (an
ingest run with ``--no-connect``, or a database from an older crosswire).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from crosswire.cli.common import db_option, err, main, open_store, safe

if TYPE_CHECKING:
    from crosswire.connect.corpus import StoryDetail
    from crosswire.connect.lineup import SourcedClaim
    from crosswire.store.store import Store

_JSON_HELP = "JSON on stdout instead of a table."


def connect_progress(quiet: bool = False) -> Progress:
    """A progress bar for the connect stage (on stderr; shown only while it runs)."""
    return Progress(
        TextColumn("[bold]connecting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    )


def _connected(store: Store) -> None:
    from crosswire.connect.update import ensure_connected

    if not store.connections.unconnected():
        return
    with connect_progress() as bar:
        task = bar.add_task("connect", total=None)
        ensure_connected(store, ticker(bar, task))


def ticker(bar: Progress, task: Any) -> Callable[[int, int], None]:
    def tick(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            bar.update(task, completed=done, total=total)

    return tick


@main.command(name="stories")
@db_option
@click.option(
    "--limit", "-n", type=click.IntRange(1), default=None, help="Most to list (default: all)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story (JSON Lines).")
def stories_cmd(db: str, limit: int | None, as_json: bool) -> None:
    """List the stories the stored articles form, largest first.

    Articles are grouped by their words, the people, organisations and places they name, their
    dates and numbers. A story keeps its id (s1, s2, …) as articles join it, and through splits
    and merges (the larger part keeps it); `crosswire story ID` shows its history.

    With --json, each story lists its articles' id and source (for JSON Lines input, the id is
    the record's own), and counts its copies and disagreements.
    """
    with open_store(db) as store:
        _connected(store)
        stories = store.connections.stories(limit)
        listing = store.connections.listing() if as_json else {}
    if as_json:
        for s in stories:
            record = asdict(s)
            record["articles"] = listing.get(s.id, [])
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    if not stories:
        err.print("no stories: ingest some articles first")
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("story", no_wrap=True)
    for name in ("articles", "copies", "disagree"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("dates", no_wrap=True)
    table.add_column("title", min_width=24, ratio=1)
    table.add_column("sources", max_width=16, overflow="ellipsis", no_wrap=True)
    for s in stories:
        dates = " – ".join(dict.fromkeys(d for d in (s.first, s.last) if d)) or "?"
        table.add_row(
            s.id,
            str(s.articles),
            str(s.copies or ""),
            str(s.disagreements or ""),
            dates,
            safe(s.title),
            safe(", ".join(s.sources[:4])),
        )
    Console().print(table)


@main.command(name="story")
@click.argument("story_id", metavar="ID")
@db_option
@click.option("--json", "as_json", is_flag=True, help="The story as one JSON object.")
def story_cmd(story_id: str, db: str, as_json: bool) -> None:
    """Show one story: timeline, claims lined up with disagreements, who said what, copies and
    how the story formed. ID is a story id (s1), or an article (id, id prefix, or the path or URL
    it was read from) to show the story it is in.

    A disagreement is two claims about the same measure, with the same aspect (both "already
    sent", say), from different claimants, whose values differ beyond their hedges. Copies of an
    article are never counted as a second source.
    """
    from crosswire.connect.corpus import story_detail

    with open_store(db) as store:
        _connected(store)
        sid = story_id if store.connections.story(story_id) else _story_of_article(store, story_id)
        try:
            detail = story_detail(store, sid or story_id)
        except KeyError as exc:
            raise click.ClickException(f"no story {story_id!r}; see `crosswire stories`") from exc
    if as_json:
        click.echo(json.dumps(_detail_record(detail), ensure_ascii=False, indent=2))
        return
    _print_detail(detail)


def _story_of_article(store: Store, ref: str) -> str | None:
    try:
        return store.connections.story_of(store.resolve_id(ref))
    except KeyError:
        return None


def _print_detail(detail: StoryDetail) -> None:
    out = Console()
    story = detail.story
    out.print(f"[bold]{safe(story.title)}[/bold]  [dim]{story.id}[/dim]")
    out.print()
    for a in detail.timeline:
        when = a.published or "????-??-??"
        copy = detail.copies.get(a.id)
        note = (
            f"  [yellow]copy of {copy.original}[/yellow]" if copy and copy.original != a.id else ""
        )
        out.print(f"[dim]{when:>10}[/dim]  {safe(a.title or a.source)}  [dim]{a.id}[/dim]{note}")
    for m in detail.measures:
        out.print()
        table = Table("claimant", "number", "aspect", "article", box=box.SIMPLE, title=m.label)
        for c in m.claims:
            table.add_row(
                safe(detail.claimant(c.article, c.claim)),
                safe(c.claim.text),
                safe(c.claim.aspect or ""),
                c.article,
            )
        out.print(table)
        for d in m.disagreements:
            out.print(f"[bold red]disagreement[/bold red] {safe(d.why)}")
    if detail.speakers:
        out.print()
        out.print("[bold]Who said what[/bold]")
        for sp in detail.speakers[:20]:
            role = f", {safe(sp.roles[0])}" if sp.roles else ""
            out.print(f"  [bold]{safe(sp.speaker)}[/bold]{role} ({len(sp.quotes)})")
            for _, q in sp.quotes[:3]:
                out.print(f"    {q.kind}: {safe(q.text[:160])}")
    if detail.events:
        out.print()
        out.print("[bold]History[/bold]")
        for e in detail.events:
            out.print(f"  [dim]{e.at}[/dim] {_event_text(e.kind, e.story, e.other, e.articles)}")


def _copy_of(detail: StoryDetail, article_id: str) -> str | None:
    copy = detail.copies.get(article_id)
    return copy.original if copy is not None and copy.original != article_id else None


def _event_text(kind: str, story: str, other: str | None, n: int) -> str:
    if kind == "start":
        return f"started {story}"
    if kind == "join":
        return f"an article joined {story}"
    if kind == "merge":
        return f"{other} merged into {story} ({n} articles)"
    if kind == "split":
        return f"{story} split off {other} ({n} articles)"
    return f"{n} articles moved from {other} to {story}"


def _detail_record(detail: StoryDetail) -> dict[str, Any]:
    def sourced(c: SourcedClaim) -> dict[str, Any]:
        return {
            "article": c.article,
            "claimant_entity": c.claimant,
            "who": detail.claimant(c.article, c.claim),
            **asdict(c.claim),
        }

    record = asdict(detail.story)
    by_id = {a.id: a for a in detail.timeline}
    record["articles"] = [
        {"id": a, "source": by_id[a].source, "title": by_id[a].title} for a in detail.members
    ]
    record["timeline"] = [
        {
            "id": a.id,
            "source": a.source,
            "title": a.title,
            "published": a.published,
            "copy_of": c.original
            if (c := detail.copies.get(a.id)) and c.original != a.id
            else None,
        }
        for a in detail.timeline
    ]
    record["measures"] = [
        {"label": m.label, "key": m.key, "claims": [sourced(c) for c in m.claims]}
        for m in detail.measures
    ]
    record["disagreements"] = [
        {"measure": m.label, "why": d.why, "sides": [sourced(d.a), sourced(d.b)]}
        for m in detail.measures
        for d in m.disagreements
    ]
    record["who_said_what"] = [
        {
            "speaker": s.speaker,
            "entity": s.entity,
            "roles": s.roles,
            "quotes": [{"article": a, **asdict(q)} for a, q in s.quotes],
        }
        for s in detail.speakers
    ]
    record["history"] = [asdict(e) for e in detail.events]
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
    with open_store(db) as store:
        _connected(store)
        groups = store.connections.copy_groups()
    if as_json:
        for g in groups:
            click.echo(json.dumps(asdict(g), ensure_ascii=False))
        return
    if not groups:
        err.print("no copies among the stored articles")
        return
    out = Console()
    for g in groups:
        out.print(safe(g.explain()))


@main.command(name="entities")
@db_option
@click.option(
    "--limit", "-n", type=click.IntRange(1), default=50, show_default=True, help="Most to list."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entity (JSON Lines).")
def entities_cmd(db: str, limit: int, as_json: bool) -> None:
    """List the people, organisations and places named across the stored articles, most
    written about first.

    One entity is one real thing across articles: "Volodymyr Zelensky", "Zelenskyy" and
    "Ukraine's president" in three articles are one entity with its aliases and roles. A
    surname alone is linked only while one known person bears it.
    """
    with open_store(db) as store:
        _connected(store)
        found = store.connections.entities(limit)
    if as_json:
        for e, n in found:
            record = asdict(e)
            record["articles"] = n
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    table = Table("entity", "name", "type", "articles", "also called", "roles", box=box.SIMPLE_HEAD)
    for e, n in found:
        table.add_row(
            e.id,
            safe(e.name),
            e.type,
            str(n),
            safe(", ".join(e.aliases[:4])),
            safe(", ".join(r.text for r in e.roles[:3])),
        )
    Console().print(table)


@main.command(name="entity")
@click.argument("name_or_id")
@db_option
@click.option("--json", "as_json", is_flag=True, help="The entity as one JSON object.")
def entity_cmd(name_or_id: str, db: str, as_json: bool) -> None:
    """Show one entity (by id, as `crosswire entities` lists it, or by name or alias): every
    quote by it and every claim it makes or that names it, across stories."""
    from crosswire.connect.corpus import entity_detail

    with open_store(db) as store:
        _connected(store)
        ids = [name_or_id] if store.connections.entity(name_or_id) else []
        ids = ids or [e.id for e in store.connections.find_entities(name_or_id)]
        if not ids:
            raise click.ClickException(f"no entity {name_or_id!r}; see `crosswire entities`")
        if len(ids) > 1:
            err.print(f"{len(ids)} entities go by {safe(name_or_id)!r}: {', '.join(ids)}")
        detail = entity_detail(store, ids[0])
    if as_json:
        record = asdict(detail.entity)
        record["quotes"] = [{"article": a, **asdict(q)} for a, q in detail.quotes]
        record["claims"] = [{"article": a, **asdict(c)} for a, c in detail.claims]
        record["stories"] = [asdict(s) for s in detail.stories]
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    out = Console()
    e = detail.entity
    out.print(f"[bold]{safe(e.name)}[/bold] ({e.type})  [dim]{e.id}[/dim]")
    if e.aliases:
        out.print(f"also called: {safe(', '.join(e.aliases))}")
    if e.roles:
        out.print(f"roles: {safe(', '.join(r.text for r in e.roles))}")
    out.print(f"named in {len(e.articles)} articles, {e.mentions} times")
    for s in detail.stories:
        out.print(f"  story [dim]{s.id}[/dim] {safe(s.title)}")
    if detail.quotes:
        out.print()
        out.print("[bold]Quoted[/bold]")
        for a, q in detail.quotes:
            out.print(f"  [dim]{a[:12]}[/dim] {q.kind}: {safe(q.text[:200])}")
    if detail.claims:
        out.print()
        out.print("[bold]Numbers[/bold]")
        for a, c in detail.claims:
            out.print(f"  [dim]{a[:12]}[/dim] {safe(c.text)} — {safe(c.sentence[:200])}")
