from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed"
SAMPLES = ROOT / "samples"

# Worker processes (forkserver) import task functions from this folder by module name.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def seed_path() -> Path:
    path = SEED / "north-korean-troops.txt"
    if not path.exists():
        pytest.skip("../shared/seed is not beside the checkout")
    return path
