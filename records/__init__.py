"""The records that cross boundaries, typed and serialisable: what a problem is (Problem, its tests
and their coverage ladder), what the judge says (JudgeResult), what a mode returns (Attempt and its
trajectory of Steps) and what the store keeps (Sample, ModelRecord).

Every other folder imports them from here; this folder imports nothing of codefront's, so harness,
agents, tools and training can all depend on it without a cycle.
"""

from codefront.records.attempt import STEP_KINDS, Attempt, Call, End, Message, ModelReply, Step, ToolRun
from codefront.records.problem import (
    DEFAULT_LEVELS,
    DEFAULT_MEMORY_LIMIT_MB,
    DEFAULT_TIME_LIMIT_S,
    LeveledTest,
    Problem,
    Test,
    TestType,
    coverage_of,
    ladder,
)
from codefront.records.sample import Degeneration, ModelRecord, Sample
from codefront.records.verdicts import OUTCOME_OF, JudgeResult, Outcome, TestResult, Verdict

__all__ = [
    "DEFAULT_LEVELS",
    "DEFAULT_MEMORY_LIMIT_MB",
    "DEFAULT_TIME_LIMIT_S",
    "OUTCOME_OF",
    "STEP_KINDS",
    "Attempt",
    "Call",
    "Degeneration",
    "End",
    "JudgeResult",
    "LeveledTest",
    "Message",
    "ModelRecord",
    "ModelReply",
    "Outcome",
    "Problem",
    "Sample",
    "Step",
    "Test",
    "TestResult",
    "TestType",
    "ToolRun",
    "Verdict",
    "coverage_of",
    "ladder",
]
