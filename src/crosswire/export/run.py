"""One export run: bring the connections up to date, then write each chosen table in one
format, all read from one snapshot of the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crosswire.connect.update import Progress, ensure_connected
from crosswire.errors import CrosswireError
from crosswire.export import ALL_FORMATS, FTM_FILE, FTM_TABLES
from crosswire.export.ftm import ftm_rows, write_ftm
from crosswire.export.tables import TABLES, count, snapshot
from crosswire.export.writers import SUFFIX, WRITERS, Tick
from crosswire.store.store import Store


class ExportPathError(CrosswireError):
    """The output folder cannot be used."""


@dataclass(slots=True)
class Written:
    """One file an export wrote: its path, the rows it holds, and for FtM the entities per
    schema."""

    path: Path
    rows: int
    schemata: dict[str, int] = field(default_factory=dict)


Starting = Callable[[str, int], Tick]
"""Called as a file is started with its name and how many rows it will read; returns the
per-batch tick for its progress."""


def prepare_out(out: Path) -> None:
    """Make the output folder, or say in words why it cannot be one."""
    if out.exists() and not out.is_dir():
        raise ExportPathError(f"--out {out} is a file, not a folder: give a folder to write into")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportPathError(f"cannot create the folder {out}: {exc.strerror or exc}") from exc


def export(
    store: Store,
    fmt: str,
    out: Path,
    tables: Sequence[str],
    *,
    starting: Starting | None = None,
    connecting: Progress | None = None,
) -> list[Written]:
    """Write ``tables`` of ``store`` into ``out`` as ``fmt`` (one file per table; for ``ftm``
    one file of entities), after connecting any article not yet in a story."""
    if fmt not in ALL_FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise ValueError(f"unknown table(s): {', '.join(unknown)}")
    prepare_out(out)
    ensure_connected(store, connecting)
    db = store.db
    written: list[Written] = []
    try:
        with snapshot(db):
            if fmt == "ftm":
                path = out / FTM_FILE
                tick = starting(path.name, ftm_rows(db, tables)) if starting else None
                schemata = write_ftm(db, [t for t in FTM_TABLES if t in tables], path, tick)
                written.append(Written(path, sum(schemata.values()), dict(schemata)))
                return written
            write = WRITERS[fmt]
            for name in tables:
                table = TABLES[name]
                path = out / f"{name}{SUFFIX[fmt]}"
                tick = starting(path.name, count(db, table)) if starting else None
                written.append(Written(path, write(table, table.rows(db), path, tick)))
    except OSError as exc:
        raise ExportPathError(f"cannot write into {out}: {exc.strerror or exc}") from exc
    return written
