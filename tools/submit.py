"""The `submit` tool: the model says solution.py is its answer, which ends the episode."""

from __future__ import annotations

from codefront.tools.base import Submitted, Tool


async def submit() -> str:
    raise Submitted


SUBMIT = Tool("submit", "Submit solution.py as your final answer; this ends the episode.", {}, submit)
