#!/usr/bin/env bash
# The whole test suite from a fresh clone: set up .venv, the Docker engine and sandbox image, lint, test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/docker-engine.sh
.venv/bin/harness sandbox build
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/pytest -q -p no:cacheprovider "$@"
