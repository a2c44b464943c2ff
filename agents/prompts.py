"""LiveCodeBench-style prompts: a stdin program, or a completion of the starter code. A run's id
hashes the texts they produce (agents/modes.py), so editing one starts a new run."""

from __future__ import annotations

from codefront.records import Problem

SYSTEM = (
    "You are an expert Python programmer. You will be given a programming problem and will write a "
    "correct, efficient Python 3 program that meets the specification and passes all tests, "
    "including large ones within the time and memory limits."
)


def task_text(problem: Problem) -> str:
    """The problem statement with the limits and the answer format the judge expects."""
    limits = f"Time limit: {problem.time_limit_s:g} s per test. Memory limit: {problem.memory_limit_mb} MB."
    if problem.test_type == "functional":
        how = (
            "Complete the following starter code; your class is called as `Solution().<method>(...)`. "
            "Enclose your final solution in one Python code block:\n"
            f"```python\n{problem.starter_code.rstrip()}\n```"
        )
    else:
        how = (
            "Read the input from standard input and write the answer to standard output (do not "
            "test on the sample inputs yourself). Enclose your final program in one Python code block:\n"
            "```python\n# your code here\n```"
        )
    return f"### Question:\n{problem.statement.strip()}\n\n{limits}\n\n### Format:\n{how}\n\n### Answer:\n"


def messages_for(problem: Problem, system_prompt: str | None = None) -> list[dict]:
    return [
        {"role": "system", "content": system_prompt or SYSTEM},
        {"role": "user", "content": task_text(problem)},
    ]
