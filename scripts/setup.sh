#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine, as root: the system
# packages (Xvfb, Chromium, ImageMagick …) from Debian, then the npm packages from the
# lock file. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
