"""The run folder is swapped in whole: readers see the previous run or the new one, never a mix."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import nichegraph.export.run as runmod
from nichegraph.errors import InputError
from nichegraph.export.run import write_run_folder

OLD = {"segments.csv": "old\n", "run.json": "old\n", "scan.csv": "old\n", "scan.png": b"old\n"}
NEW = {"segments.csv": "new\n", "run.json": "new\n", "shortlist.csv": "new\n"}
BOTH = (*OLD, *NEW)


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def as_bytes(files):
    return {k: v if isinstance(v, bytes) else v.encode() for k, v in sorted(files.items())}


def test_a_plain_run_after_an_auto_run_leaves_no_scan_files(tmp_path):
    out = tmp_path / "run"
    write_run_folder(out, OLD, BOTH)
    write_run_folder(out, NEW, BOTH)
    assert contents(out) == as_bytes(NEW)  # scan.* of the previous run are gone
    assert os.listdir(tmp_path) == ["run"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_fault_between_the_steps_keeps_the_previous_run_whole(tmp_path, monkeypatch, exchange):
    out = tmp_path / "run"
    write_run_folder(out, OLD, BOTH)
    if not exchange:
        monkeypatch.setattr(runmod, "_exchange", lambda a, b: False)
    real_rename = os.rename
    calls = []

    def failing_rename(src, dst):  # the swap's last step fails (e.g. the disk went away)
        calls.append(dst)
        if Path(dst) == out and len(calls) == 2:  # moving the new run in, after the old left
            raise OSError("injected fault")
        return real_rename(src, dst)

    monkeypatch.setattr(runmod.os, "rename", failing_rename)
    if exchange:  # fault inside the atomic exchange itself
        monkeypatch.setattr(runmod, "_exchange", lambda a, b: (_ for _ in ()).throw(OSError("x")))
    with pytest.raises(OSError):
        write_run_folder(out, NEW, BOTH)
    assert contents(out) == as_bytes(OLD)
    assert os.listdir(tmp_path) == ["run"]  # no temporary folder left behind
    assert exchange or len(calls) == 3, calls  # aside, in (failed), back


def test_the_swap_is_one_atomic_exchange_on_linux(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("a")
    (b / "y").write_text("b")
    if sys.platform.startswith("linux"):
        assert runmod._exchange(a, b)
        assert os.listdir(b) == ["x"] and os.listdir(a) == ["y"]
    else:
        assert not runmod._exchange(a, b)


SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from nichegraph.export.run import write_run_folder

    class Slow(dict):
        def items(self):
            for i, kv in enumerate(super().items()):
                if i == 1:
                    print("writing", flush=True)
                    time.sleep(60)  # killed here, one file written
                yield kv

    write_run_folder(sys.argv[1], Slow({"segments.csv": "new\\n", "run.json": "new\\n"}),
                     ["scan.csv", "scan.png"])
    """
)


def test_a_killed_run_leaves_the_previous_run_and_its_temp_is_cleaned_next_time(tmp_path):
    out = tmp_path / "run"
    write_run_folder(out, OLD, BOTH)
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stale = [n for n in os.listdir(tmp_path) if n != "run"]
    assert len(stale) == 1 and stale[0].startswith(f".run.{proc.pid}.")  # what a kill leaves
    assert os.listdir(tmp_path / stale[0]) == ["segments.csv"]
    assert contents(out) == as_bytes(OLD)  # the previous run, untouched
    write_run_folder(out, NEW, BOTH)
    assert os.listdir(tmp_path) == ["run"] and contents(out) == as_bytes(NEW)


def test_a_running_writers_temp_folder_is_not_cleaned(tmp_path):
    busy = tmp_path / f".run.{os.getpid()}.0123abcd.tmp"  # this process is alive
    busy.mkdir()
    write_run_folder(tmp_path / "run", NEW)
    assert busy.exists()


READER = textwrap.dedent(
    """
    import json, os, sys, time
    out, stop = sys.argv[1], sys.argv[2]
    seen = {"runs": 0, "missing": 0, "vanished": 0, "mixed": []}
    while not os.path.exists(stop):
        try:
            fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            seen["missing"] += 1
            continue
        try:
            names = sorted(os.listdir(fd))
            if not names:
                raise FileNotFoundError  # opened just before its deletion emptied it
            tokens = set()
            for n in names:
                f = os.open(n, os.O_RDONLY, dir_fd=fd)
                tokens.add(os.read(f, 100).split(b"-")[0])
                os.close(f)
        except FileNotFoundError:  # the previous run is deleted after the swap
            seen["vanished"] += 1
            continue
        finally:
            os.close(fd)
        expected = {b"A": ["a.csv", "run.json", "scan.csv"], b"B": ["b.csv", "run.json"]}
        if len(tokens) != 1 or not set(names) <= set(expected[next(iter(tokens))]):
            seen["mixed"].append(names)
        seen["runs"] += 1
    print(json.dumps(seen))
    """
)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_reader_never_sees_a_mix(tmp_path, monkeypatch, exchange):
    """A reader process reads every file of the folder over and over while it is replaced."""
    import json

    if not exchange:
        monkeypatch.setattr(runmod, "_exchange", lambda a, b: False)
    out, stop = tmp_path / "run", tmp_path / "stop"
    runs = [
        {"a.csv": "A-1\n" * 200, "run.json": "A-2\n", "scan.csv": "A-3\n"},
        {"b.csv": "B-1\n" * 200, "run.json": "B-2\n"},
    ]
    names = {n for r in runs for n in r}
    write_run_folder(out, runs[0], names)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(out), str(stop)], stdout=subprocess.PIPE, text=True
    )
    time.sleep(0.3)  # let the reader start
    for i in range(150):
        write_run_folder(out, runs[(i + 1) % 2], names)
    stop.touch()
    seen = json.loads(reader.communicate(timeout=60)[0])
    assert seen["runs"] > 50, seen  # the reader really read while the folder was replaced
    assert seen["mixed"] == []
    if exchange:
        assert seen["missing"] == 0  # one atomic exchange: the folder is never missing


def test_a_symlinked_outdir_is_written_next_to_its_target(tmp_path, monkeypatch):
    elsewhere = tmp_path / "disk2" / "runs"
    elsewhere.mkdir(parents=True)
    link = tmp_path / "here" / "run"
    link.parent.mkdir()
    link.symlink_to(elsewhere / "x", target_is_directory=True)
    (elsewhere / "x").mkdir()
    made = []
    real_mkdir = Path.mkdir

    def spy(self, *a, **k):
        made.append(self)
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", spy)
    write_run_folder(link, NEW)
    assert any(p.parent == elsewhere and p.name.startswith(".x.") for p in made), made
    assert link.is_symlink() and contents(link) == as_bytes(NEW)
    assert os.listdir(link.parent) == ["run"]


SHM = Path("/dev/shm")


@pytest.mark.skipif(
    not SHM.is_dir() or SHM.stat().st_dev == Path("/tmp").stat().st_dev,
    reason="needs /dev/shm on another filesystem than the test folder",
)
def test_a_symlink_to_another_filesystem_does_not_fail_with_cross_device(tmp_path):
    import tempfile

    target = Path(tempfile.mkdtemp(dir=SHM)) / "run"
    try:
        link = tmp_path / "run"
        link.symlink_to(target, target_is_directory=True)
        write_run_folder(target, OLD, BOTH)
        write_run_folder(link, NEW, BOTH)
        assert contents(target) == as_bytes(NEW)
    finally:
        import shutil

        shutil.rmtree(target.parent)


def test_a_dangling_symlink_outdir_exits_2_and_writes_nothing(invoke, tmp_path):
    link = tmp_path / "run"
    link.symlink_to(tmp_path / "gone" / "run")
    with pytest.raises(InputError, match=r"is a symlink to .*which does not exist"):
        write_run_folder(link, NEW)
    log = tmp_path / "log.csv"
    log.write_text("source,target\na,b\nb,c\n")
    res = invoke(*["run", str(log), "-o", str(link)])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "does not exist; create that folder or choose another -o" in lines[0]
    assert sorted(os.listdir(tmp_path)) == ["log.csv", "run"] and link.is_symlink()


def test_a_mount_point_outdir_is_replaced_file_by_file(tmp_path, monkeypatch):
    out = tmp_path / "vol"
    write_run_folder(out, OLD, BOTH)
    monkeypatch.setattr(runmod.os.path, "ismount", lambda p: Path(p) == out)
    monkeypatch.setattr(runmod.os, "rename", lambda *a: pytest.fail("a mount point was renamed"))
    write_run_folder(out, NEW, BOTH)
    assert contents(out) == as_bytes(NEW) and os.listdir(tmp_path) == ["vol"]


def test_an_earlier_versions_stale_temp_folder_is_cleaned_once_an_hour_old(tmp_path):
    old, fresh = tmp_path / ".run.k2j3_x9q.tmp", tmp_path / ".run.a8b_c0de.tmp"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "segments.csv").write_text("partial")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    write_run_folder(tmp_path / "run", NEW)
    assert not old.exists() and fresh.exists()  # a fresh one may be a running write
