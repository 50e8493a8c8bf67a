"""What a run tells its user: JSON errors, short reprs, the write time, progress, memory."""

import gc
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

import nichegraph as ng
import nichegraph.cli as cli_module
from nichegraph._memory import between_stages, check_memory, estimate_gib, frozen_stages
from nichegraph.cli import cli
from nichegraph.errors import NichegraphError
from nichegraph.synth import generate_log


@pytest.fixture(scope="module")
def log_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("log") / "log.csv"
    generate_log(n_segments=6, n_rows=3000, max_size=80, seed=4).log.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "args, code, says",
    [
        (["run", "nothing-here.csv", "-o", "{tmp}/out", "--json"], 2, "nothing-here.csv"),
        (["run", "{log}", "-o", "{tmp}/out", "--top", "0", "--json"], 2, "--top"),
        (["run", "{log}", "-o", "{tmp}/out", "--no-such-option", "--json"], 2, "no-such-option"),
    ],
)
def test_json_errors_are_one_json_object_on_stdout(tmp_path, log_path, args, code, says):
    argv = [a.format(tmp=tmp_path, log=log_path) for a in args]
    res = CliRunner().invoke(cli, argv)
    assert res.exit_code == code
    assert res.stderr == ""
    error = json.loads(res.stdout)
    assert set(error) == {"error", "exit_code"} and error["exit_code"] == code
    assert says in error["error"] and "\n" not in error["error"]
    assert not (tmp_path / "out").exists()


def test_a_runtime_failure_with_json_exits_1_as_json(tmp_path, log_path, monkeypatch):
    def short(rows, stage, text=True):
        raise NichegraphError(f"not enough memory for {'many' if rows else 'no'} rows")

    monkeypatch.setattr("nichegraph.pipeline.check_memory", short)
    res = CliRunner().invoke(cli, ["run", str(log_path), "-o", str(tmp_path / "o"), "--json"])
    assert res.exit_code == 1 and "Error" not in res.stderr  # progress lines only
    assert json.loads(res.stdout) == {
        "error": "not enough memory for many rows",
        "exit_code": 1,
    }


def test_result_objects_have_a_short_repr(log_path):
    res = ng.analyze(log_path, stability=2, resolution="auto", seed=1)
    objects = [
        res,
        res.segmentation,
        res.interactions,
        res.interactions.report,
        res.graph,
        res.graph.report,
        res.stability,
        res.scan,
        ng.load_dataset("brand_chatter"),
    ]
    for obj in objects:
        text = repr(obj)
        assert text.startswith(type(obj).__name__ + "(")
        assert len(text) < 1500 and len(text.splitlines()) <= 20, (type(obj).__name__, text)
    assert "<DataFrame 3000 rows x " in repr(res.interactions)


def test_run_json_records_when_it_was_written(tmp_path, log_path):
    before = datetime.now(UTC).replace(microsecond=0)
    res = CliRunner().invoke(cli, ["run", str(log_path), "-o", str(tmp_path / "o"), "--json"])
    after = datetime.now(UTC)
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "o" / "run.json").read_text())
    written = datetime.strptime(manifest["written_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= written <= after + timedelta(seconds=1)
    assert json.loads(res.stdout) == manifest  # --json prints what run.json holds


def test_analyze_reports_the_steps_of_long_stages(log_path):
    events = []
    ng.analyze(log_path, stability=2, seed=1, progress=lambda *e: events.append(e))
    steps = {}
    for stage, event, seconds in events:
        assert seconds >= 0
        if event not in ("start", "done"):
            steps.setdefault(stage, []).append(event)
    assert steps["segment"][0] == "top-level Leiden"
    assert any(e.startswith("split ") for e in steps["segment"])
    assert steps["rank"] == [
        "pagerank", "in_strength", "reach", "coreness", "global_pagerank", "betweenness"
    ]  # fmt: skip
    assert {e.split(":")[0] for e in steps["stability"]} == {"run 1 of 2", "run 2 of 2"}
    stages = [s for s, e, _ in events if e == "done"]
    assert stages == ["read", "build", "segment", "stability", "rank", "profile"]


def test_the_cli_prints_steps_at_most_every_interval_and_none_when_quiet(
    tmp_path, log_path, monkeypatch
):
    args = ["run", str(log_path), "-o", str(tmp_path / "o")]
    monkeypatch.setattr(cli_module, "PROGRESS_EVERY", 0.0)
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0
    assert "nichegraph: rank: betweenness (" in res.stderr
    assert "nichegraph: segment: top-level Leiden (" in res.stderr
    assert CliRunner().invoke(cli, [*args, "-q"]).stderr == ""
    monkeypatch.setattr(cli_module, "PROGRESS_EVERY", 3600.0)
    quiet_steps = CliRunner().invoke(cli, args).stderr
    assert "nichegraph: rank: " not in quiet_steps and "rank done in" in quiet_steps


def test_memory_check_compares_the_estimate_with_the_limit():
    import resource

    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    need = estimate_gib(50_000_000)
    code = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({int((need - 1) * 1024**3)}, {hard}))
        from nichegraph._memory import check_memory
        try:
            check_memory(50_000_000)
        except Exception as exc:
            print(exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.startswith("not enough memory for building the graph: 50,000,000 rows need")
    assert "(ulimit -v)" in out
    check_memory(10_000)  # a small run passes


def test_memory_check_knows_logs_without_text_need_less():
    """A log without text needs 0.37 GiB per million rows, not 0.94 (10M rows ran in 3.9 GiB):
    under a limit between the two estimates, the text-less run is let through. (10M rows: the
    lean estimate, 3.9 GiB, must also fit in the machine's available memory.)"""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    lean, full = estimate_gib(10_000_000, text=False), estimate_gib(10_000_000)
    assert full > 2 * lean
    code = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({int((lean + 3) * 1024**3)}, {hard}))
        from nichegraph._memory import check_memory
        check_memory(10_000_000, text=False)
        print("fits")
        check_memory(10_000_000)
        """
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.stdout == "fits\n" and "not enough memory" in res.stderr


TIGHT = textwrap.dedent(
    """
    import resource, sys
    import nichegraph.cli, nichegraph.pipeline, nichegraph.terminal, pandas, igraph, leidenalg
    size = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size + 40 * 1024**2, resource.RLIM_INFINITY))
    nichegraph.cli.main(sys.argv[1:])
    """
)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc (Linux)")
def test_running_out_of_memory_exits_1_with_one_line_naming_the_stage(tmp_path):
    log = tmp_path / "big.csv"
    frame = generate_log(n_segments=12, n_rows=60_000, max_size=500, seed=1).log
    frame.to_csv(log, index=False)
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", TIGHT, "run", str(log), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines
    assert "memory" in lines[0] and "try a shorter window" in lines[0]
    assert any(w in lines[0] for w in ("reading the log", "building the graph")), lines[0]
    assert not out.exists()


def test_a_memory_error_in_a_stage_is_one_line_naming_it(tmp_path, log_path, monkeypatch):
    def exhausted(*args, **kwargs):
        raise MemoryError()  # what numpy / pandas raise: no message

    monkeypatch.setattr("nichegraph.pipeline.rank_influencers", exhausted)
    res = CliRunner().invoke(cli, ["run", str(log_path), "-o", str(tmp_path / "o"), "-q"])
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr == (
        "Error: out of memory while ranking influencers (3,000 rows; a run needs about 0.2 GiB); "
        "try a shorter window (--since/--until), fewer input files, or more memory\n"
    )
    assert not (tmp_path / "o").exists()


def test_stages_freeze_what_earlier_stages_hold_and_give_it_back(log_path):
    seen = []

    @frozen_stages
    def staged():
        seen.append(gc.get_freeze_count())  # the caller's objects, frozen at the start
        held = [[i] for i in range(1000)]  # a stage's result
        between_stages()
        seen.append(gc.get_freeze_count())  # frozen with it
        return held

    assert gc.get_freeze_count() == 0
    staged()
    assert seen[0] > 0 and seen[1] >= seen[0] + 1000
    assert gc.get_freeze_count() == 0  # all given back
    gc.freeze()  # a caller that froze objects itself: left as it is
    try:
        mine = gc.get_freeze_count()
        staged()
        assert seen[2:] == [mine, mine] and gc.get_freeze_count() == mine
    finally:
        gc.unfreeze()
    between_stages()  # outside a staged call: nothing frozen
    assert gc.get_freeze_count() == 0
    ng.analyze(log_path, seed=0)
    assert gc.get_freeze_count() == 0
