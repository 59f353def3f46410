"""``crosswire ingest --engine ray``: the command's side of a Ray run (messages per shard)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import click
from rich.progress import Progress

from crosswire.cli.common import err, safe
from crosswire.errors import CrosswireError
from crosswire.pipeline import IngestSummary, Options
from crosswire.records import Article, Failure
from crosswire.store.store import Store

ENGINE_HELP = (
    "local: worker processes on this machine. ray: Ray actors (pip install 'crosswire[ray]'), "
    "one WARC or JSON Lines file (or 100 other files) per shard, on a Ray instance started for "
    "the run with --workers CPUs, or on the cluster at --address. Each shard's results are kept "
    "in --shards-dir, so running the same command again skips the shards already done; a "
    "shard whose worker dies is given to another (3 attempts)."
)
ADDRESS_HELP = (
    "Ray cluster to run on (auto, HOST:6379, ray://HOST:10001); its nodes need crosswire "
    "installed and must see PATHS and --shards-dir at the same paths. Default: a local Ray."
)
SHARDS_HELP = (
    "Folder for each shard's results and completion marker (--engine ray). Default: "
    "DB.shards beside the database file (for a PostgreSQL database, a folder in the system's "
    "temporary folder). Safe to delete once the ingest has finished."
)


def ingest_ray(
    paths: tuple[str, ...],
    store: Store,
    options: Options,
    *,
    address: str | None,
    shards_dir: str | None,
    progress: Progress,
    quiet: bool,
    on_result: Callable[[Article | Failure, str], None],
) -> IngestSummary:
    """Run :func:`~crosswire.distributed.ray_engine.ingest_with_ray`, printing what happens to
    shards (in ``quiet`` mode, only retries and failures)."""
    from crosswire.distributed.ray_engine import (
        ShardEvent,
        default_shards_dir,
        ingest_with_ray,
    )

    directory = Path(shards_dir) if shards_dir else default_shards_dir(store)
    kinds: Counter[str] = Counter()

    def on_shard(event: ShardEvent) -> None:
        kinds[event.kind] += 1
        label = safe(event.shard.label)
        if event.kind == "done" and not quiet and event.marker is not None:
            m = event.marker
            mem = m.get("memory", {})
            peak = mem.get("peak_mb", 0) + mem.get("children_peak_mb", 0)
            progress.console.print(
                f"[green]shard done[/green] {label}: {m['count']} results in "
                f"{m.get('seconds', 0):.1f} s (worker peak {peak:,.0f} MB)"
            )
        elif event.kind in ("retry", "failed", "corrupt"):
            colour = "yellow" if event.kind == "retry" else "red"
            progress.console.print(
                f"[{colour}]shard {event.kind}[/{colour}] {label}: {safe(event.message)}"
            )

    try:
        summary = ingest_with_ray(
            paths,
            store,
            options,
            address=address,
            workers=options.workers,
            shards_dir=directory,
            on_shard=on_shard,
            on_result=on_result,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    except CrosswireError as exc:
        raise click.ClickException(str(exc)) from exc
    err.print(
        f"shards in {safe(str(directory))}: {kinds['done']} run, "
        f"{kinds['finished before']} finished before, {kinds['retry']} retried, "
        f"{kinds['failed']} failed"
    )
    return summary
