"""What every ``crosswire`` command shares: the command group, common options, the store, and
printing untrusted text safely."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

import click
from rich.console import Console

from crosswire import __version__
from crosswire.errors import CrosswireError
from crosswire.extract.guard import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from crosswire.ingest.files import DEFAULT_MAX_BYTES
from crosswire.ingest.filters import Filters, normalize_host, normalize_language
from crosswire.pipeline import Options
from crosswire.store.store import ENV_DB, Store, default_db_path

err = Console(stderr=True)

EPILOG_PATHS = (
    "PATH may be a file, a folder (read recursively; .gz files decompressed) or - for stdin. "
    "A .warc or .warc.gz file (a web archive, e.g. Common Crawl's CC-NEWS) gives its HTML "
    "responses, each with its URL; requests, images and other records are passed over, and "
    "broken records are skipped and counted. A .jsonl file holds one page or text per line: "
    '{"url", "html"} is extracted like a page, {"id", "text", "url"} like a plain-text copy. '
    "HTML and plain-text copies are told apart by file suffix, else by content. A folder walk "
    "skips hidden files, non-regular files (FIFOs, sockets), sidecar metadata (.json, .info, .ann, "
    ".md5, .sha256, .lock, .py) and LICENSE/NOTICE/README/COPYING/AUTHORS/CHANGELOG files."
)


def run_options(fn: Any) -> Any:
    """The limits (``--workers``, ``--timeout``, ``--max-bytes``), fetching (``--delay``,
    ``--allow-private``) and filter options, handed to the command as one ``options``
    argument (:class:`~crosswire.pipeline.Options`; the command sets ``read`` and ``plain``)."""

    @functools.wraps(fn)
    def command(
        *args: Any,
        max_bytes: int,
        timeout: float,
        workers: int,
        allow_private: bool,
        fetch_delay: float,
        filters: Filters | None,
        **kwargs: Any,
    ) -> Any:
        options = Options(
            max_bytes=max_bytes,
            timeout=timeout,
            workers=workers,
            memory_mb=DEFAULT_MEMORY_MB,
            filters=filters,
            allow_private=allow_private,
            fetch_delay=fetch_delay,
        )
        return fn(*args, options=options, **kwargs)

    return limit_options(filter_options(command))


def _host(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> set[str]:
    hosts = {normalize_host(v) for v in values}
    if "" in hosts:
        raise click.BadParameter("give a host name such as bbc.co.uk")
    return hosts


def _languages(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> set[str]:
    try:
        return {normalize_language(v) for v in values}
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def filter_options(fn: Any) -> Any:
    """``--since``, ``--until``, ``--lang``, ``--host`` and ``--url-pattern``, handed to the
    command as one ``filters`` argument (``None`` when none is given)."""

    @functools.wraps(fn)
    def command(
        *args: Any,
        since: datetime | None,
        until: datetime | None,
        lang: set[str],
        host: set[str],
        url_pattern: str | None,
        **kwargs: Any,
    ) -> Any:
        filters = Filters(
            since=_day(since),
            until=_day(until),
            languages=frozenset(lang),
            hosts=frozenset(host),
            url_pattern=url_pattern,
        )
        if filters.since and filters.until and filters.since > filters.until:
            raise click.BadParameter("--since is after --until", param_hint="--since")
        return fn(*args, filters=filters if filters.active else None, **kwargs)

    day = click.DateTime(formats=["%Y-%m-%d"])
    options = [
        click.option(
            "--since",
            type=day,
            metavar="YYYY-MM-DD",
            help="Keep articles published on or after this day. An article with no "
            "publication date is skipped; a month-precise date counts if the month overlaps.",
        ),
        click.option(
            "--until",
            type=day,
            metavar="YYYY-MM-DD",
            help="Keep articles published on or before this day (same rules as --since).",
        ),
        click.option(
            "--lang",
            multiple=True,
            callback=_languages,
            metavar="CODE",
            help="Keep articles in this language (ISO 639-1: en, de, fr); repeat for several. "
            "An article whose language is not detected is skipped.",
        ),
        click.option(
            "--host",
            multiple=True,
            callback=_host,
            metavar="HOST",
            help="Keep pages from this host and its subdomains (bbc.co.uk keeps "
            "www.bbc.co.uk and news.bbc.co.uk); repeat for several. A page with no URL "
            "(a local file without a canonical link) is skipped.",
        ),
        click.option(
            "--url-pattern",
            metavar="GLOB",
            help="Keep pages whose whole URL matches this shell-style glob: * any text, "
            "? one character, [abc] one of these; e.g. '*/politics/*' or "
            "'https://*.example.org/2024/*'. Quote it so the shell leaves it alone.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def limit_options(fn: Any) -> Any:
    fn = click.option(
        "--allow-private",
        is_flag=True,
        help="Let URL inputs, and the pages their feeds and sitemaps list, be fetched from "
        "private, loopback and link-local addresses (refused by default).",
    )(fn)
    fn = click.option(
        "--delay",
        "fetch_delay",
        type=click.FloatRange(0.0),
        default=1.0,
        show_default=True,
        help="Seconds between two requests to one host, for URL inputs (a longer robots.txt "
        "crawl-delay wins).",
    )(fn)
    fn = click.option(
        "--workers",
        "-w",
        type=click.IntRange(1, 256),
        default=1,
        show_default=True,
        help="Processes that extract and read documents in parallel (each loads the models once).",
    )(fn)
    fn = click.option(
        "--timeout",
        type=click.FloatRange(0.1),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help="Seconds one document may take; a slower one is stopped and reported as failed "
        "(reading past 75% of it is given up, and the article kept without its reading).",
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
        help="SQLite database file (created if missing), or a PostgreSQL URL such as "
        "postgresql://user@host/crosswire (the database must exist; the schema is created).",
    )(fn)


ENV_WINDOW = "CROSSWIRE_CONNECT_WINDOW"


def window_option(fn: Any) -> Any:
    return click.option(
        "--window",
        type=click.IntRange(0),
        envvar=ENV_WINDOW,
        default=None,
        metavar="DAYS",
        show_default=f"${ENV_WINDOW} or none: every stored article",
        help="Connect only the stories whose dates come within DAYS of a new article's; the "
        "older ones stay as stored. Bounds the connect stage's memory and time by the window, "
        "not the archive (30 suits news; see docs/scaling.md).",
    )(fn)


def open_store(path: str, *, create: bool = False) -> Store:
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


def safe(text: str) -> str:
    """Escape rich markup in untrusted text before printing it to the terminal."""
    from rich.markup import escape

    return escape(text.replace("\x1b", "␛"))
