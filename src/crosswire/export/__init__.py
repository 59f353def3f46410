"""Exports of the store: flat tables as JSON Lines, CSV or Parquet, and FollowTheMoney entities
for Aleph (``crosswire export``; the columns and the FtM mapping are in docs/output.md).

``tables`` declares the tables and streams their rows, ``writers`` writes them in each format,
``ftm`` maps them to FollowTheMoney entities, ``run.export`` does one whole export. Only the
light names are imported here: pyarrow and followthemoney take a second to import, which every
``crosswire`` command would otherwise pay.
"""

from crosswire.export.tables import TABLES, Column, Table

#: ``--format`` choices: one file per table, or (``ftm``) one file of FollowTheMoney entities.
ALL_FORMATS = ("jsonl", "csv", "parquet", "ftm")
#: The file ``--format ftm`` writes.
FTM_FILE = "entities.ftm.json"
#: The tables with a FollowTheMoney form, in the order their entities are written (an entity
#: comes after those it refers to).
FTM_TABLES = ("articles", "entities", "mentions", "quotes", "claims", "stories")

__all__ = ["ALL_FORMATS", "FTM_FILE", "FTM_TABLES", "TABLES", "Column", "Table"]
