#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (tests/test_browser.py,
# driven by the playwright package from the lock file; `playwright install` is not used: it
# downloads a browser). Installs it with apt-get when we are root or sudo works without a
# password; otherwise says what to do. Always exits 0: the tests decide whether a missing
# browser is a skip or (with CROSSWIRE_REQUIRE_BROWSER=1) a failure.
set -uo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  echo "chromium: found at $CHROMIUM"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: not found at $CHROMIUM and apt-get is not available." >&2
  echo "  Install Chromium so that $CHROMIUM exists, or the browser tests are skipped." >&2
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "chromium: not found at $CHROMIUM; install it as root:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends chromium" >&2
  exit 0
fi

echo "chromium: installing Debian's chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
if "${as_root[@]}" apt-get install -y --no-install-recommends chromium \
  || { "${as_root[@]}" apt-get update && "${as_root[@]}" apt-get install -y --no-install-recommends chromium; }; then
  echo "chromium: installed at $CHROMIUM"
else
  echo "chromium: apt-get could not install it; the browser tests will say so." >&2
fi
exit 0
