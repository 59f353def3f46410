"""``crosswire watch``: poll feeds and sitemaps on a schedule, ingesting only new articles."""

from __future__ import annotations

import sys
import time

import click

from crosswire.cli.common import db_option, err, main, open_store, safe, window_option

DEFAULT_EVERY = 900


@main.command(name="watch")
@click.argument("sources", nargs=-1, required=True, metavar="FEED_OR_SITEMAP_URL...")
@db_option
@click.option(
    "--every",
    type=click.IntRange(30),
    default=DEFAULT_EVERY,
    show_default=True,
    help="Seconds between two polls of the sources.",
)
@click.option("--once", is_flag=True, help="Poll once and exit (for cron or systemd timers).")
@click.option(
    "--delay",
    type=click.FloatRange(0.0),
    default=1.0,
    show_default=True,
    help="Seconds between two requests to one host (a longer robots.txt crawl-delay wins).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Pages fetched at a time, across hosts.",
)
@click.option("--allow-private", is_flag=True, help="Fetch from private and loopback addresses.")
@click.option("--read/--no-read", default=True, show_default=True, help="Read each new article.")
@window_option
def watch_cmd(
    sources: tuple[str, ...],
    db: str,
    every: int,
    once: bool,
    delay: float,
    threads: int,
    allow_private: bool,
    read: bool,
    window: int | None,
) -> None:
    """Poll RSS/Atom feeds and (news) sitemaps, and ingest the new articles they list.

    Each poll asks each source whether it changed since last time (ETag and Last-Modified:
    an unchanged feed costs one short request), fetches only pages not stored yet, honouring
    robots.txt and a pause per host, then reads, stores and connects them as `ingest` does.

    \b
      crosswire watch https://example.org/rss.xml https://example.org/news-sitemap.xml \\
          --db news.db --every 600
      crosswire watch https://example.org/rss.xml --db news.db --once   # from cron
    """
    from crosswire.connect.update import connect
    from crosswire.ingest.fetcher import Fetcher, Policy
    from crosswire.ingest.watch import poll
    from crosswire.pipeline import Options

    bad = [s for s in sources if not s.lower().startswith(("http://", "https://"))]
    if bad:
        raise click.UsageError(f"not an http(s) URL: {bad[0]}")
    policy = Policy(delay=delay, allow_private=allow_private)
    with Fetcher(policy) as fetcher:
        while True:
            with open_store(db, create=True) as store:
                try:
                    result = poll(store, sources, fetcher, Options(read=read), threads=threads)
                except KeyboardInterrupt:
                    err.print("[yellow]interrupted[/yellow]: what was stored is kept")
                    sys.exit(130)
                for failure in result.failed_sources:
                    err.print(f"[red]failed[/red] {safe(failure.source)}: {safe(failure.error)}")
                ingested = result.ingest
                err.print(
                    f"{time.strftime('%Y-%m-%d %H:%M:%S')} {result.sources} sources "
                    f"({result.unchanged} unchanged): {result.web.listed} pages listed, "
                    f"{result.web.known} known, {result.web.filtered} filtered, "
                    f"[green]{ingested.new} new[/green], {ingested.failed} failed"
                )
                if ingested.new:
                    connect(store, window=window)
            if once:
                return
            time.sleep(every)
