"""Write a table's rows as JSON Lines, CSV or Parquet, a batch at a time.

Each file is written beside its final name and renamed into place when complete, so an
interrupted export never leaves a truncated file that looks whole.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from crosswire.export.tables import Column, ColumnType, Row, Table

SUFFIX: dict[str, str] = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}

Tick = Callable[[int], None]
"""Called with the number of rows just written."""

#: Rows per Parquet row group batch, and per progress tick for every format.
BATCH_ROWS = 1000
#: A batch is also cut when its strings pass this many characters, so a run of long articles
#: never holds more than this in memory (nor overflows an Arrow string array's 2 GiB offsets).
BATCH_CHARS = 32_000_000

_ARROW: dict[ColumnType, Any] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    # Parquet names a list's items "element"; naming them so here makes the schema read back
    # equal to the one written.
    "strings": pa.list_(pa.field("element", pa.string())),
}


def arrow_schema(table: Table) -> Any:
    """The Parquet schema of ``table``: one typed field per column, with its meaning attached."""
    return pa.schema(
        [
            pa.field(c.name, _ARROW[c.type], nullable=c.nullable, metadata={"doc": c.doc})
            for c in table.columns
        ],
        metadata={"table": table.name, "doc": table.doc},
    )


@contextmanager
def replacing(path: Path, mode: str) -> Iterator[IO[Any]]:
    """Open ``path``'s ``.part`` sibling for writing (``mode`` ``"b"`` or ``"t"``, UTF-8) and
    move it onto ``path`` once the block ends without an error."""
    part = path.with_name(path.name + ".part")
    try:
        if mode == "b":
            with part.open("wb") as fh:
                yield fh
        else:
            with part.open("w", encoding="utf-8", newline="") as fh:
                yield fh
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    chars = 0
    for row in rows:
        batch.append(row)
        chars += sum(len(v) for v in row if isinstance(v, str))
        if len(batch) >= BATCH_ROWS or chars >= BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def write_jsonl(table: Table, rows: Iterable[Row], path: Path, tick: Tick | None = None) -> int:
    names = table.names
    n = 0
    with replacing(path, "t") as fh:
        for batch in _batches(rows):
            fh.writelines(
                json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n"
                for row in batch
            )
            n += len(batch)
            if tick is not None:
                tick(len(batch))
    return n


def _csv_value(column: Column, value: Any) -> Any:
    if value is None:
        return ""
    if column.type == "strings":
        return json.dumps(value, ensure_ascii=False)
    return value


def write_csv(table: Table, rows: Iterable[Row], path: Path, tick: Tick | None = None) -> int:
    """RFC 4180 CSV with a header row: fields holding commas, quotes or line breaks are quoted;
    an empty field is a missing value; a list is a JSON array."""
    columns = table.columns
    n = 0
    with replacing(path, "t") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(table.names)
        for batch in _batches(rows):
            out.writerows(
                [_csv_value(c, v) for c, v in zip(columns, row, strict=True)] for row in batch
            )
            n += len(batch)
            if tick is not None:
                tick(len(batch))
    return n


def write_parquet(table: Table, rows: Iterable[Row], path: Path, tick: Tick | None = None) -> int:
    schema = arrow_schema(table)
    n = 0
    with replacing(path, "b") as fh, pq.ParquetWriter(fh, schema, compression="zstd") as writer:
        # A table with no rows still gets its schema: the writer puts it in the footer.
        for batch in _batches(rows):
            arrays = [
                pa.array([row[i] for row in batch], type=field.type)
                for i, field in enumerate(schema)
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            n += len(batch)
            if tick is not None:
                tick(len(batch))
    return n


WRITERS: dict[str, Callable[[Table, Iterable[Row], Path, Tick | None], int]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "parquet": write_parquet,
}
