"""The README is a test: its quick start, its examples and its file tables match the code."""

import re
import shlex
from pathlib import Path

import pandas as pd

import nichegraph as ng

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [b.strip() for b in re.findall(r"```bash\n(.*?)```", quick, flags=re.S)]
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    run_cmd, test_cmd = commands
    assert run_cmd.startswith("pip install . && nichegraph run datasets/")
    assert test_cmd == 'pip install ".[test]" && pytest'
    assert test_cmd in (ROOT / ".ci" / "run").read_text()
    # the run command works on the shipped sample
    args = shlex.split(run_cmd.split("&& nichegraph ", 1)[1])
    assert (ROOT / args[1]).exists()


def test_quick_start_run_command(invoke, tmp_path):
    quick = README.split("## Quick start", 1)[1]
    cmd = re.search(r"nichegraph (run .*)", quick).group(1)
    args = shlex.split(cmd)
    args[1] = str(ROOT / args[1])
    args[args.index("-o") + 1] = str(tmp_path / "sample")
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "sample" / "shortlist.csv").exists()


def test_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for block in _blocks("python"):
        exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "runs" / "library" / "run.json").exists()
    assert len(namespace["top5"]) > 0


def _documented_columns(file_name):
    section = README.split(f"**`{file_name}`**", 1)[1].split("\n**", 1)[0]
    cols = []
    for row in re.findall(r"^\| (`[^|]+`) \|", section, flags=re.M):
        cols += re.findall(r"`([a-z_]+)`", row)
    return cols


def test_output_tables_document_every_column(tmp_path):
    result = ng.analyze(ng.load_dataset("brand_chatter").log)
    assert _documented_columns("segments.csv") == list(result.segments.columns)
    assert _documented_columns("segment_summary.csv") == list(result.summary.columns)
    measures = re.findall(
        r"^\| `([a-z_]+)` \|",
        README.split("**Influencers.**")[1].split("The **score**")[0],
        flags=re.M,
    )
    assert set(measures) | {"segment", "path", "rank", "person", "score", "role"} == set(
        result.influencers.columns
    )
    assert isinstance(result.summary, pd.DataFrame)


def test_tracking_tables_document_every_column():
    log = ng.load_dataset("brand_chatter").log
    before = ng.analyze(log, until="2026-06-15", seed=1)
    after = ng.analyze(log, since="2026-06-15", previous=before, seed=1)
    cmp = ng.compare_runs(before, after)
    for name, frame in [
        ("segment_changes.csv", cmp.segment_changes),
        ("influencer_changes.csv", cmp.influencer_changes),
        ("people_moves.csv", cmp.people_moves),
        ("alerts.csv", cmp.alerts),
        ("lineage.csv", after.tracking.lineage),
        ("labels.csv", after.labels),
    ]:
        assert _documented_columns(name) == list(frame.columns), name
    track = ng.track_log(log, window="14d", seed=1)
    assert _documented_columns("timeline.csv") == list(track.timeline.columns)
    assert _documented_columns("windows.csv") == list(track.windows.columns)
