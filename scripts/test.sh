#!/usr/bin/env bash
# The whole test suite from a fresh clone: set up .venv, the Docker engine and sandbox image, lint, test;
# then, on a full run (no pytest arguments), the README's main-job command as README.md writes it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/docker-engine.sh
.venv/bin/harness sandbox build
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/pytest -q -p no:cacheprovider "$@"
if [ "$#" -eq 0 ]; then
    exec .venv/bin/python scripts/readme_main_job.py
fi
