"""Two stages on two cores: the profile stage in a forked child while ``run`` ranks, and
betweenness on ``--jobs`` processes; the same files and the same errors as one job."""

import gc
import json
import os

import pytest
from click.testing import CliRunner

import nichegraph as ng
from nichegraph._memory import between_stages, frozen_stages
from nichegraph._overlap import Background
from nichegraph.cli import cli
from nichegraph.errors import InputError
from nichegraph.pipeline import OUTPUT_FILES
from nichegraph.segments.profiles import profile_segments

SAMPLE = ng.load_dataset("brand_chatter").path


def test_background_answers_from_a_child_with_two_jobs_and_here_with_one():
    here = os.getpid()
    assert Background(os.getpid, jobs=2).result() != here
    assert Background(os.getpid, jobs=1).result() == here
    job = Background(lambda: list(range(100_000)), jobs=2)
    assert job.result() == list(range(100_000))  # larger than a pipe's buffer
    assert job.usage["cpu_seconds"] >= 0 and job.usage["peak_rss_mb"] > 0


def test_a_fork_inside_analyzes_stages_keeps_them_frozen():
    @frozen_stages
    def staged():
        between_stages()
        frozen = gc.get_freeze_count()
        Background(os.getpid, jobs=2).result()
        return frozen, gc.get_freeze_count()

    before, after = staged()
    assert before > 0 and after >= before  # not unfrozen by the fork
    assert gc.get_freeze_count() == 0  # given back by analyze's end
    Background(os.getpid, jobs=2).result()  # outside: frozen for the fork only
    assert gc.get_freeze_count() == 0


def _fails():
    raise InputError("column 'x' is missing")


def test_background_raises_the_childs_error_here():
    with pytest.raises(InputError, match=r"^column 'x' is missing$"):
        Background(_fails, jobs=2).result()


def test_a_child_that_dies_or_answers_unpicklably_is_run_here():
    here = os.getpid()

    def dies_in_child():
        if os.getpid() != here:
            os._exit(9)  # as if killed: no answer
        return "here"

    assert Background(dies_in_child, jobs=2).result() == "here"
    unpicklable = Background(lambda: (os.getpid(), lambda: None), jobs=2).result()
    assert unpicklable[0] == here


def test_cancel_stops_the_child():
    job = Background(lambda: __import__("time").sleep(60), jobs=2)
    pid = job.pid
    assert pid
    job.cancel()
    with pytest.raises(ProcessLookupError):  # reaped: gone
        os.kill(pid, 0)


def _run(tmp_path, name, jobs, monkeypatch, profile=profile_segments):
    pids = tmp_path / f"{name}.pid"

    def recorded(*args, **kwargs):
        pids.write_text(str(os.getpid()))
        return profile(*args, **kwargs)

    monkeypatch.setattr("nichegraph.pipeline.profile_segments", recorded)
    out = tmp_path / name
    res = CliRunner().invoke(
        cli, ["run", str(SAMPLE), "-o", str(out), "-q", "--seed", "3", "--jobs", str(jobs)]
    )
    return res, out, int(pids.read_text()) if pids.exists() else None


def test_run_folder_is_the_same_with_one_or_two_jobs(tmp_path, monkeypatch):
    one, a, pid1 = _run(tmp_path, "one", 1, monkeypatch)
    two, b, pid2 = _run(tmp_path, "two", 2, monkeypatch)
    assert one.exit_code == two.exit_code == 0, (one.output, two.output)
    assert pid1 == os.getpid() and pid2 != os.getpid()  # profiled here / in a child
    assert sorted(os.listdir(a)) == sorted(os.listdir(b)) == sorted(OUTPUT_FILES)
    for f in OUTPUT_FILES:
        x, y = (a / f).read_bytes(), (b / f).read_bytes()
        if f == "run.json":
            x, y = json.loads(x), json.loads(y)
            assert set(x.pop("timings")) == set(y.pop("timings"))
            x.pop("written_at"), y.pop("written_at")
        assert x == y, f


@pytest.mark.parametrize("error", [InputError("profile: bad window"), MemoryError()])
def test_an_error_while_profiling_in_the_child_is_the_same_one_line(tmp_path, monkeypatch, error):
    def fails(*args, **kwargs):
        raise error

    results = [_run(tmp_path, f"o{jobs}", jobs, monkeypatch, fails) for jobs in (1, 2)]
    (one, a, pid1), (two, b, pid2) = results
    assert pid1 == os.getpid() and pid2 != os.getpid()
    assert one.exit_code == two.exit_code == (2 if isinstance(error, InputError) else 1)
    assert one.stderr == two.stderr and len(two.stderr.splitlines()) == 1
    assert two.stderr.startswith("Error: ") and "Traceback" not in two.output
    if isinstance(error, MemoryError):
        assert "out of memory while profiling segments" in two.stderr
    assert not a.exists() and not b.exists()


def test_the_child_dies_with_a_killed_parent(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import time; from nichegraph._overlap import Background\n"
        "job = Background(lambda: time.sleep(60), jobs=2); print(job.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    os.kill(child, 0)  # running
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(100):  # Linux delivers the parent-death signal at once
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the child outlived its parent")


def test_idle_cores_are_measured_from_what_others_used_since_the_run_started(monkeypatch):
    from nichegraph import _overlap

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.9, 1.9, 1.9))  # an earlier run's trail
    assert _overlap.idle_jobs(None) == 1  # without a window: the load average decides
    since = (100.0, 500.0, 10.0)  # wall, the machine's CPU, this run's CPU
    samples = {
        "alone": (110.0, 509.0, 19.0),  # the machine's CPU was all this run's: both cores
        "shared": (110.0, 518.0, 19.0),  # others used 0.9 of a core: one job
        "too soon": (100.5, 501.0, 10.1),  # under a second: the load average
    }
    for case, want in [("alone", None), ("shared", 1), ("too soon", 1)]:
        monkeypatch.setattr(_overlap, "cpu_sample", lambda c=case: samples[c])
        assert _overlap.idle_jobs(None, since) == want, case
        assert _overlap.idle_jobs(2, since) == 2
    monkeypatch.undo()
    real = _overlap.cpu_sample()
    assert real is None or (real[1] >= 0 and real[2] >= 0)


def test_every_core_means_the_idle_ones_for_the_profiles_and_betweenness(tmp_path, monkeypatch):
    from nichegraph import _overlap
    from nichegraph._overlap import idle_jobs

    monkeypatch.setattr(_overlap, "cpu_sample", lambda: None)  # the load average decides
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (6.0, 6.0, 6.0))  # busy: one job
    assert idle_jobs(None) == idle_jobs(0) == 1 and idle_jobs(2) == 2
    busy, _, pid = _run(tmp_path, "busy", 0, monkeypatch)
    assert busy.exit_code == 0 and pid == os.getpid()
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))  # this run alone: both
    assert idle_jobs(None) is None and idle_jobs(0) is None
    idle, _, pid = _run(tmp_path, "idle", 0, monkeypatch)
    assert idle.exit_code == 0 and pid != os.getpid()
