"""Pull the final code block out of a completion."""

from __future__ import annotations

import re

FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)```", re.DOTALL)
PYTHON_TAGS = {"python", "python3", "py", ""}


def extract_code(text: str) -> tuple[str | None, str]:
    """The last complete Python (or untagged) fenced block, or (None, why there is none)."""
    if not text or not text.strip():
        return None, "empty completion"
    fenced = FENCE.findall(text)
    blocks = [body for tag, body in fenced if tag.lower() in PYTHON_TAGS]
    if blocks:
        code = blocks[-1].strip("\n")
        return (code, "") if code.strip() else (None, "the last code block is empty")
    if fenced:
        return None, "no Python code block"
    if "```" in text:
        return None, "unterminated code block (the completion stopped inside it)"
    return None, "no code block"
