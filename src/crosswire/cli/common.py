"""What every ``crosswire`` command shares: the command group, common options, the store, and
printing untrusted text safely."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console

from crosswire import __version__
from crosswire.errors import CrosswireError
from crosswire.extract.guard import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from crosswire.ingest.files import DEFAULT_MAX_BYTES
from crosswire.pipeline import Options
from crosswire.store.sqlite import ENV_DB, Store, default_db_path

err = Console(stderr=True)

EPILOG_PATHS = (
    "PATH may be a file, a folder (read recursively; .gz files decompressed) or - for stdin. "
    "HTML and plain-text copies are told apart by file suffix, else by content. A folder walk "
    "skips hidden files, non-regular files (FIFOs, sockets), sidecar metadata (.json, .info, .ann, "
    ".md5, .sha256, .lock, .py) and LICENSE/NOTICE/README/COPYING/AUTHORS/CHANGELOG files."
)


def options_from(
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
