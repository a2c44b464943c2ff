"""Run the README's main-job command exactly as README.md writes it (the first bash block after the
"Fresh machine" heading), timed, so the README and what CI runs cannot drift apart."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^#+ Fresh machine", re.MULTILINE)
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


def main_job_command(readme: str) -> str:
    """The first bash block after the "Fresh machine" heading; ValueError when there is none."""
    heading = HEADING.search(readme)
    if heading is None:
        raise ValueError('README.md has no "Fresh machine" heading')
    block = BASH_BLOCK.search(readme, heading.end())
    if block is None:
        raise ValueError('README.md has no bash block after "Fresh machine"')
    return block.group(1).strip()


def main() -> int:
    command = main_job_command((ROOT / "README.md").read_text(encoding="utf-8"))
    print(f"README main job: {command}", flush=True)
    started = time.monotonic()
    code = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=ROOT).returncode
    print(f"README main job: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
