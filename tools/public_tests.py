"""The `run_public_tests` tool: the solution file on the problem's public tests, through the judge's own
runner and job, so a pass here means what it means to the judge. The hidden tests never enter the sandbox."""

from __future__ import annotations

from codefront.harness.judge.judge import JudgeOptions, judge_job, run_job
from codefront.harness.judge.runner.wire import CompileError, InternalError, TestCase, TestReport
from codefront.records import Problem
from codefront.sandbox.base import Sandbox, SandboxError
from codefront.tools.base import Tool, ToolError
from codefront.tools.files import read_text

SOLUTION = "solution.py"
PUBLIC_DIR = "tests/public"
SHOWN_CHARS = 300


async def copy_public_tests(sandbox: Sandbox, problem: Problem) -> None:
    """tests/public/1.in, 1.out, ... so the model can run them by hand too."""
    for i, test in enumerate(problem.public_tests, 1):
        await sandbox.write_file(f"{PUBLIC_DIR}/{i}.in", test.input)
        await sandbox.write_file(f"{PUBLIC_DIR}/{i}.out", test.output)


def public_tests_tool(sandbox: Sandbox, problem: Problem) -> Tool:
    async def run_public_tests() -> str:
        if not problem.public_tests:
            return "this problem has no public tests"
        code = await read_text(sandbox, SOLUTION)
        if not code.strip():
            raise ToolError(f"{SOLUTION} is empty")
        tests = [TestCase(i, t.input, t.output) for i, t in enumerate(problem.public_tests)]
        job = judge_job(problem, code, tests, JudgeOptions(all_tests=True))
        # Unprivileged: the tests share the episode's user, and no sweep touches its other processes.
        return report(problem, await run_job(sandbox, job, privileged=False))

    return Tool(
        "run_public_tests", f"Run {SOLUTION} on the public tests and report which pass.", {}, run_public_tests
    )


def report(problem: Problem, events: list) -> str:
    lines: list[str] = []
    for event in events:
        if isinstance(event, CompileError):
            return f"{SOLUTION} does not compile: {event.message}"
        if isinstance(event, InternalError):
            raise SandboxError(f"the test runner failed: {event.message}")
        if not isinstance(event, TestReport):
            continue
        test = problem.public_tests[event.index]
        name = f"test {event.index + 1} ({PUBLIC_DIR}/{event.index + 1}.in)"
        if event.verdict == "AC":
            lines.append(f"{name}: passed in {event.time_s:.2f} s")
        else:
            lines.append(f"{name}: FAILED, {event.verdict}: {event.detail}\n"
                         f"  input: {test.input[:SHOWN_CHARS]!r}\n  expected: {test.output[:SHOWN_CHARS]!r}")  # fmt: skip
    passed = sum(1 for e in events if isinstance(e, TestReport) and e.verdict == "AC")
    return f"{passed}/{len(problem.public_tests)} public tests passed\n" + "\n".join(lines)
