"""The `run_public_tests` tool: the solution file on the problem's public tests, through the judge's own
runner, so a pass here means what it means to the judge. The hidden tests never enter the sandbox."""

from __future__ import annotations

import json

from codefront.harness.judge.judge import OUTPUT_LIMIT_BYTES
from codefront.harness.problems import Problem
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
        # No uid switch and no sweep: in an episode those would kill the sandbox's other processes.
        isolation = {"netns": sandbox.judge_isolation.get("netns", True), "uid": None, "sweep": False}
        job = {"code": code, "test_type": problem.test_type, "func_name": problem.func_name,
               "checker": "json" if problem.test_type == "functional" else problem.checker,
               "time_limit_s": problem.time_limit_s, "memory_limit_mb": problem.memory_limit_mb,
               "output_limit_bytes": OUTPUT_LIMIT_BYTES, "stop_on_failure": False, "isolation": isolation,
               "tests": [{"index": i, "input": t.input, "output": t.output} for i, t in enumerate(problem.public_tests)]}  # fmt: skip
        timeout = len(problem.public_tests) * (problem.time_limit_s * 2.5 + 1.0) + 30.0
        result = await sandbox.exec(
            [*sandbox.python, sandbox.judge_runner], input=json.dumps(job), timeout=timeout
        )
        return report(problem, result.stdout, result.stderr)

    return Tool(
        "run_public_tests", f"Run {SOLUTION} on the public tests and report which pass.", {}, run_public_tests
    )


def report(problem: Problem, stdout: str, stderr: str) -> str:
    records = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    lines: list[str] = []
    for record in records:
        if "compile_error" in record:
            return f"{SOLUTION} does not compile: {record['compile_error']}"
        if "internal_error" in record:
            raise SandboxError(f"the test runner failed: {record['internal_error']}")
        if "index" not in record:
            continue
        test = problem.public_tests[record["index"]]
        name = f"test {record['index'] + 1} ({PUBLIC_DIR}/{record['index'] + 1}.in)"
        if record["verdict"] == "AC":
            lines.append(f"{name}: passed in {record['time_s']:.2f} s")
        else:
            lines.append(f"{name}: FAILED, {record['verdict']}: {record['detail']}\n"
                         f"  input: {test.input[:SHOWN_CHARS]!r}\n  expected: {test.output[:SHOWN_CHARS]!r}")  # fmt: skip
    if not any(r.get("done") for r in records):
        raise SandboxError(f"the test runner failed: {stderr.strip()[-300:]}")
    passed = sum(1 for r in records if r.get("verdict") == "AC")
    return f"{passed}/{len(problem.public_tests)} public tests passed\n" + "\n".join(lines)
