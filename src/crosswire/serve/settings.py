"""What ``crosswire serve`` is told: the database, the write token, limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from crosswire.ingest.files import DEFAULT_MAX_BYTES

ENV_TOKEN = "CROSSWIRE_TOKEN"  # noqa: S105 - the variable's name, not a secret


@dataclass(frozen=True, slots=True)
class Settings:
    db: str | Path
    """A SQLite file, or a ``postgresql://`` URL."""
    token: str | None = None
    """Bearer token that ``POST`` requests must carry; without one, writing is disabled."""
    allow_private: bool = False
    """Let ``POST /api/ingest`` fetch URLs on private, loopback and link-local addresses."""
    per_page: int = 50
    """Default page size of lists (a request may ask for up to :data:`MAX_PER_PAGE`)."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """Largest page accepted by upload or fetch."""
    fetch_timeout: float = 20.0
    window: int | None = None
    """Days: an ingested page is connected with the stories near its date only (see
    :func:`crosswire.connect.update.connect`); ``None`` replays every stored article."""


MAX_PER_PAGE = 500


def token_from_env() -> str | None:
    return os.environ.get(ENV_TOKEN) or None
