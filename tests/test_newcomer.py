"""The newcomer's first run: README commands as written, serving defaults, progress and the starter tier."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codefront.harness.cli import app
from codefront.harness.eval.config import RunConfig
from codefront.harness.eval.recorder import Recorder
from codefront.harness.models.errors import ModelConfigError, ServeError
from codefront.harness.models.registry import load_registry, register_local_checkpoint
from codefront.harness.models.serve import (
    ServerInfo,
    _wait_healthy,
    core_plan,
    free_port,
    last_log_line,
    server_command,
    server_env,
)
from codefront.harness.models.spec import ModelSpec, cpu_dtype, parse_entry, read_cpu_flags
from codefront.harness.problems.builtin import load_builtin
from codefront.harness.problems.selection import Selection, select
from codefront.harness.results.store import DEFAULT_DB, Store
from codefront.records import OUTCOME_OF, Attempt, JudgeResult, Sample, Verdict
from codefront.training.pipeline import PipelineConfig
from codefront.training.pipeline_eval import Made, weight_groups


def solved_sample(problem: str, index: int) -> Sample:
    result = JudgeResult(problem, Verdict.AC, OUTCOME_OF[Verdict.AC], 4, 4, 8, 8, (), 0.1, 10.0)
    return Sample(
        run_id="run",
        model="smollm2-135m",
        model_key="key",
        mode="reasoning",
        problem=problem,
        difficulty="starter",
        index=index,
        attempt=Attempt(code="print(1)", completion_tokens=10),
        result=result,
    )


def test_report_without_db_reads_the_store_run_writes_by_default(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert RunConfig(models=("m",)).db == DEFAULT_DB
    DEFAULT_DB.parent.mkdir(parents=True)
    with Store(DEFAULT_DB) as store:
        store.add(solved_sample("sum-pair", 0))
    result = CliRunner().invoke(app, ["report", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert (row["model"], row["mode"], row["solve_rate"]) == ("smollm2-135m", "reasoning", 1.0)


def test_report_without_db_and_no_store_names_the_default_path(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["report"])
    assert result.exit_code == 2
    assert str(DEFAULT_DB) in result.output and "Missing option" not in result.output


def test_harness_help_says_what_the_tool_does():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "evaluat" in result.output.lower() and "wires" not in result.output


EPYC_FLAGS = "fpu vme de pse tsc msr sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma f16c"
SAPPHIRE_FLAGS = EPYC_FLAGS + " avx512f avx512bw avx512_bf16 amx_bf16 amx_tile amx_int8"


@pytest.mark.parametrize(
    ("flags", "dtype"),
    [
        (EPYC_FLAGS, "float32"),
        (EPYC_FLAGS + " avx512f avx512bw avx512_vnni", "float32"),
        (EPYC_FLAGS + " avx512f avx512_bf16", "bfloat16"),
        (EPYC_FLAGS + " amx_bf16 amx_tile", "bfloat16"),
        (SAPPHIRE_FLAGS, "bfloat16"),
        ("", "float32"),
    ],
)
def test_cpu_dtype_is_bfloat16_only_with_native_bf16(flags: str, dtype: str):
    assert cpu_dtype(flags.split()) == dtype


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        f"processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: {SAPPHIRE_FLAGS}\n\nprocessor\t: 1\n"
    )
    assert cpu_dtype(read_cpu_flags(cpuinfo)) == "bfloat16"
    assert read_cpu_flags(tmp_path / "missing") == frozenset()


def spec_from(entry: dict) -> ModelSpec:
    return parse_entry("m", {"checkpoint": "/ckpt", **entry}, "models.yaml", None, None)


def test_serving_dtype_follows_the_cpu_and_leaves_a_gpu_to_vllm():
    spec = spec_from({})
    assert spec.serving_dtype(gpu=False, cpu_flags=EPYC_FLAGS.split()) == "float32"
    assert spec.serving_dtype(gpu=False, cpu_flags=SAPPHIRE_FLAGS.split()) == "bfloat16"
    assert spec.serving_dtype(gpu=True, cpu_flags=EPYC_FLAGS.split()) is None


@pytest.mark.parametrize(
    "entry",
    [
        {"dtype": "bfloat16"},
        {"vllm_args": ["--dtype", "bfloat16"]},
        {"vllm_args": ["--dtype=bfloat16"]},
        {"dtype": "float32", "vllm_args": ["--dtype", "bfloat16"]},
    ],
)
def test_an_explicit_dtype_in_models_yaml_wins(entry: dict):
    spec = spec_from(entry)
    chosen = spec.serving_dtype(gpu=False, cpu_flags=EPYC_FLAGS.split())
    command = server_command(spec, Path("/ckpt"), 8000, gpu=False, dtype=chosen)
    (at,) = [i for i, arg in enumerate(command) if arg.startswith("--dtype")]
    assert command[at] == "--dtype=bfloat16" or command[at + 1] == "bfloat16"


def test_dtype_auto_passes_none_and_bad_dtypes_are_refused():
    assert spec_from({"dtype": "auto"}).serving_dtype(gpu=False, cpu_flags=()) is None
    with pytest.raises(ModelConfigError, match="dtype"):
        spec_from({"dtype": "fp8"})


def test_the_shipped_embedded_model_is_served_in_float32_on_this_kind_of_cpu():
    spec = load_registry().get("smollm2-135m")
    assert spec.serving_dtype(gpu=False, cpu_flags=EPYC_FLAGS.split()) == "float32"


@pytest.mark.parametrize(
    ("cores", "server", "harness"),
    [
        ((0,), (0,), (0,)),
        ((0, 1), (1,), (0,)),
        ((3, 2, 1, 0), (1, 2, 3), (0,)),
        (tuple(range(16)), tuple(range(4, 16)), (0, 1, 2, 3)),
    ],
)
def test_core_plan_gives_the_server_and_the_judge_cores_of_their_own(cores, server, harness):
    plan = core_plan(cores)
    assert (plan.server, plan.harness) == (server, harness)
    if len(cores) > 1:
        assert not set(plan.server) & set(plan.harness)


def test_server_threads_bind_to_the_planned_cores_unless_set(monkeypatch):
    plan = core_plan((0, 1, 2, 3))
    monkeypatch.delenv("VLLM_CPU_OMP_THREADS_BIND", raising=False)
    assert server_env(gpu=False, plan=plan)["VLLM_CPU_OMP_THREADS_BIND"] == "1,2,3"
    assert "VLLM_CPU_OMP_THREADS_BIND" not in server_env(gpu=True, plan=None)
    monkeypatch.setenv("VLLM_CPU_OMP_THREADS_BIND", "0-3")
    assert server_env(gpu=False, plan=plan)["VLLM_CPU_OMP_THREADS_BIND"] == "0-3"


async def test_a_server_that_exits_at_once_fails_with_its_log_tail(tmp_path: Path):
    log = tmp_path / "server.log"
    script = "import sys; print('loading weights'); print('ValueError: no such dtype'); sys.exit(3)"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=out, stderr=subprocess.STDOUT)
    state = tmp_path / "server.json"
    state.write_text("{}")
    info = ServerInfo("m", "/ckpt", free_port(), proc.pid, "w", "f", str(log), 0.0)
    with pytest.raises(ServeError) as caught:
        await _wait_healthy(info, proc, 60.0, state)
    message = str(caught.value)
    assert "exited with code 3 while starting" in message
    assert message.rstrip().endswith("ValueError: no such dtype") and "loading weights" in message
    assert not state.exists()


def test_last_log_line_is_the_last_non_empty_one(tmp_path: Path):
    log = tmp_path / "log"
    log.write_text("x" * 10_000 + "\nINFO loading model\nINFO Starting vLLM API server\n\n")
    assert last_log_line(str(log)) == "INFO Starting vLLM API server"
    assert last_log_line(str(tmp_path / "none")) == ""


def test_the_starter_tier_is_selected_by_difficulty_and_comes_first():
    suite = load_builtin()
    starter = select(suite, Selection(difficulty=("starter",)))
    assert {p.id for p in starter} == {
        "add-two",
        "distinct-count",
        "even-numbers",
        "larger-number",
        "list-maximum",
        "multiply-two",
        "reverse-letters",
        "reverse-line",
        "sum-list",
        "vowel-count",
    }
    assert suite[: len(starter)] == starter


def load_script(name: str):
    path = Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_main_job_ci_runs_is_exactly_the_readmes_command():
    readme_main_job = load_script("readme_main_job")
    readme = (readme_main_job.ROOT / "README.md").read_text()
    command = readme_main_job.main_job_command(readme)
    assert command.startswith("bash scripts/setup.sh && ")
    assert ".venv/bin/harness run --mode reasoning --model smollm2-135m" in command
    assert command.endswith(".venv/bin/harness report") and "\n" not in command
    assert f"```bash\n{command}\n```" in readme.split("Fresh machine", 1)[1].split("Tests —", 1)[0]


def test_main_job_extraction_takes_the_first_bash_block_after_the_heading():
    readme_main_job = load_script("readme_main_job")
    text = "# x\n```bash\nearlier\n```\n## Fresh machine: two commands\ntext\n```bash\nfirst\n```\n```bash\nsecond\n```\n"
    assert readme_main_job.main_job_command(text) == "first"
    with pytest.raises(ValueError, match="Fresh machine"):
        readme_main_job.main_job_command("# nothing here\n```bash\nls\n```\n")


def tiny_checkpoint(path: Path, weights: bytes) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text('{"model_type": "llama"}')
    (path / "model.safetensors").write_bytes(weights)
    return path


def test_the_pipeline_groups_names_that_serve_the_same_weights(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CODEFRONT_HOME", str(tmp_path / "home"))
    for name, weights in (("cov1", b"low"), ("cov4", b"low"), ("alpha0.5", b"mid"), ("alpha0", b"merged")):
        register_local_checkpoint(name, tiny_checkpoint(tmp_path / name, weights), {})
    made = [Made("cov1"), Made("cov4"), Made("alpha0", same_tensors_as="cov4"), Made("alpha0.5")]
    # cov4 has cov1's key; alpha0's files differ (its shards' metadata) but it has cov4's tensors.
    assert weight_groups(made, load_registry()) == [("cov1", "cov4", "alpha0"), ("alpha0.5",)]


def test_shared_weights_are_named_by_every_name_in_the_store(tmp_path: Path):
    with Store(tmp_path / "results.sqlite") as store:
        store.record_model("key", "smollm2-135m", {"weights_hash": "h", "coverage_level": 1})
        store.record_model("older", "smollm2-135m", {"weights_hash": "g"})
        store.add(solved_sample("sum-pair", 0))
        Recorder(store).name_weights({"key"}, "smollm2-135m = alpha0")
        models = {m.key: (m.name, m.identity) for m in store.models()}
    assert models["key"] == ("smollm2-135m = alpha0", {"weights_hash": "h", "coverage_level": 1})
    assert models["older"][0] == "smollm2-135m"  # other weights under the name, from other runs, keep it


@pytest.mark.parametrize(
    "dataset, given, chosen",
    [
        ("builtin", (), ("starter",)),
        ("builtin", ("all",), ()),
        ("builtin", ("easy",), ("easy",)),
        ("x.jsonl", (), ()),
    ],
)
def test_the_pipeline_trains_the_builtin_starter_tier_unless_told(dataset: str, given: tuple, chosen: tuple):
    assert PipelineConfig(dataset=dataset, difficulty=given).selection() == Selection(difficulty=chosen)
