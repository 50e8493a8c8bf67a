"""The ``nichegraph`` command's entry point: it exits without the interpreter's teardown, but
with the same exit status, output and ``atexit`` handlers as a plain exit."""

import subprocess
import sys
from pathlib import Path

import nichegraph as ng
from nichegraph.pipeline import OUTPUT_FILES

REPO = Path(__file__).resolve().parents[1]
SAMPLE = ng.load_dataset("brand_chatter").path
WITH_HANDLER = (
    "import atexit; atexit.register(lambda: print('atexit ran', flush=True)); "
    "from nichegraph.__main__ import main; main()"
)


def _command(tmp_path, code, *args):
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )


def test_a_run_writes_its_folder_exits_0_and_runs_atexit_handlers(tmp_path):
    out = tmp_path / "out"
    res = _command(tmp_path, WITH_HANDLER, "run", SAMPLE, "-o", out, "--seed", "1")
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.endswith("atexit ran\n")  # after everything the command printed
    assert "wrote" in res.stdout and "Traceback" not in res.stderr
    assert set(OUTPUT_FILES) <= {p.name for p in out.iterdir()}


def test_bad_input_still_exits_2_with_one_line(tmp_path):
    out = tmp_path / "out"
    res = _command(tmp_path, WITH_HANDLER, "run", tmp_path / "missing.csv", "-o", out)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "missing.csv" in lines[0]
    assert res.stdout == "atexit ran\n" and not out.exists()


def test_exit_codes_follow_sys_exit():
    code = "from nichegraph.__main__ import _exit_now; _exit_now({})"
    for arg, status, err in [("None", 0, ""), ("3", 3, ""), ("'bye'", 1, "bye\n")]:
        res = subprocess.run([sys.executable, "-c", code.format(arg)], capture_output=True,
                             text=True, cwd=REPO, timeout=60)  # fmt: skip
        assert (res.returncode, res.stderr) == (status, err)
