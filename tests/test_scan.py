"""Resolution scan: the recommendation against planted truth, the rule on known tables, the
plot, the `scan` command and `run --resolution auto`."""

import io
import json
import os

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import nichegraph as ng
from nichegraph.export.scan import SCAN_FILES, scan_files
from nichegraph.pipeline import OUTPUT_FILES
from nichegraph.segments.scan import (
    DEFAULT_RESOLUTIONS,
    SCAN_COLUMNS,
    Scan,
    _recommend,
)

SAMPLE = ng.load_dataset("brand_chatter").path
QUICK = "0.2,0.5,1,2,5"  # a short grid for the command-line tests


@pytest.fixture(scope="module")
def planted_scan(planted):
    sample = planted(n_segments=30, n_rows=30_000, mix=0.2, text=False, seed=1)
    graph = ng.build_graph(sample.log)
    return graph, ng.scan_resolution(graph, seed=1)


def test_recommended_resolution_gives_the_planted_number_of_segments(planted_scan):
    graph, scan = planted_scan
    assert scan.table["resolution"].tolist() == list(DEFAULT_RESOLUTIONS)
    assert list(scan.table.columns) == SCAN_COLUMNS
    row = scan.recommended_row
    assert abs(row["segments"] - 30) <= 0.2 * 30
    assert row["plateau"] and row["stability"] >= 0.9
    seg = ng.find_segments(graph, resolution=scan.recommended, seed=1)  # what run would do
    assert abs(seg.n_segments - 30) <= 0.2 * 30
    assert "widest stable plateau" in scan.reason and f"{scan.recommended:g}" in scan.reason
    # far above the plateau genuine segments are cut up: more segments, less agreement
    top = scan.table.iloc[-1]
    assert top["segments"] >= 2 * row["segments"] and top["stability"] < row["stability"]


def table(segments, stability, modularity=None):
    n = len(segments)
    return pd.DataFrame(
        {
            "resolution": np.geomspace(0.1, 10, n),
            "segments": np.asarray(segments, dtype=float),
            "modularity": np.full(n, 0.5) if modularity is None else modularity,
            "stability": np.asarray(stability, dtype=float),
        }
    )


def test_rule_picks_the_most_stable_point_of_the_widest_plateau():
    t = table([1, 1, 6, 18, 20, 20, 21, 30, 45], [1, 1, 0.7, 0.95, 0.99, 1, 0.98, 0.8, 0.7])
    pick, plateau, reason = _recommend(t)
    assert plateau == (3, 7) and pick == 5
    assert reason.startswith("the segment count stays between 18 and 21")


def test_rule_breaks_ties_by_stability_then_middle():
    # two plateaus of 3 points: the more stable one wins
    t = table([10, 10, 10, 30, 30, 30], [0.6, 0.6, 0.6, 0.9, 0.9, 0.9])
    pick, plateau, _ = _recommend(t)
    assert plateau == (3, 6) and pick == 4  # equal stability: the middle point


def test_rule_ignores_unstable_stretches_and_says_the_structure_is_weak():
    t = table([1, 9, 24, 43, 65, 99], [np.nan, 0.03, 0.04, 0.07, 0.1, 0.11])
    pick, plateau, reason = _recommend(t)
    assert plateau == (0, 0) and pick == 5
    assert "the segment structure is weak" in reason
    t = table([9, 10, 10], [0.2, 0.3, 0.25])  # flat but unstable: no plateau either
    assert _recommend(t)[1] == (0, 0)
    pick, _, reason = _recommend(table([1, 1, 1], [1, 1, 1]))
    assert pick == 2 and "fewer than 2 segments" in reason


def test_plot_is_a_valid_png_and_the_same_bytes_every_time(planted_scan):
    _, scan = planted_scan
    files = scan_files(scan)
    png = files["scan.png"]
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG" and image.size == (750, 550)
    assert b"matplotlib" not in png.lower()  # no version stamp in the metadata
    again = Scan(scan.table.copy(), scan.recommended, scan.reason, dict(scan.params))
    again = scan_files(again)
    assert again == files


def test_bad_options_are_input_errors():
    g = ng.build_graph(pd.DataFrame({"source": list("abc"), "target": list("bca")}))
    with pytest.raises(ng.InputError, match="every resolution must be a positive number"):
        ng.scan_resolution(g, resolutions=[1, -2])
    with pytest.raises(ng.InputError, match="default scan grid is for modularity"):
        ng.scan_resolution(g, objective="cpm")
    with pytest.raises(ng.InputError, match="not resolution="):
        ng.scan_resolution(g, resolution=1)


def test_scan_command_writes_files_prints_the_choice_and_is_deterministic(invoke, tmp_path):
    outs = []
    for name in ("a", "b"):
        res = invoke("scan", SAMPLE, "-o", tmp_path / name, "--resolutions", QUICK, "--runs", 2)
        assert res.exit_code == 0, res.output
        outs.append(res.output)
    assert sorted(os.listdir(tmp_path / "a")) == sorted(SCAN_FILES)
    for f in SCAN_FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    csv = pd.read_csv(tmp_path / "a" / "scan.csv")
    assert list(csv.columns) == SCAN_COLUMNS
    assert csv["resolution"].tolist() == [0.2, 0.5, 1, 2, 5]
    data = json.loads((tmp_path / "a" / "scan.json").read_text())
    assert data["recommended"] == csv.loc[csv["recommended"], "resolution"].item()
    assert f"recommended resolution {data['recommended']:g}: {data['reason']}" in outs[0]
    assert data["parameters"]["runs"] == 2 and data["parameters"]["seed"] == 42


def test_run_resolution_auto_uses_the_recommendation(invoke, tmp_path):
    runs = []
    for name in ("a", "b"):
        res = invoke("run", SAMPLE, "-o", tmp_path / name, "--resolution", "auto", "-q")
        assert res.exit_code == 0, res.output
        runs.append(tmp_path / name)
    a, b = runs
    assert sorted(os.listdir(a)) == sorted([*OUTPUT_FILES, *SCAN_FILES])
    for f in os.listdir(a):
        x, y = (a / f).read_bytes(), (b / f).read_bytes()
        if f == "run.json":
            x, y = json.loads(x), json.loads(y)
            for k in ("timings", "written_at"):  # when it ran, how long it took
                x.pop(k), y.pop(k)
        assert x == y, f
    scan = json.loads((a / "scan.json").read_text())
    manifest = json.loads((a / "run.json").read_text())
    assert manifest["scan"]["recommended"] == scan["recommended"]
    assert manifest["parameters"]["resolution"] == "auto"
    assert "scan" in manifest["timings"] and manifest["files"][-3:] == list(SCAN_FILES)
    segments = pd.read_csv(a / "segments.csv")
    graph = ng.build_graph(ng.read_interactions(SAMPLE))
    expected = ng.find_segments(graph, resolution=scan["recommended"], seed=42)
    assert segments.loc[segments.segment > 0, "segment"].nunique() == expected.n_segments


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "--resolution", "abc"], "--resolution must be a positive number or 'auto'"),
        (["run", "--resolution", "auto", "--objective", "cpm"], "--resolution auto scans"),
        (["run", "--stability", "-1"], "--stability must be a number of runs >= 0, got -1"),
        (["scan", "--resolutions", "0.5,x"], "--resolutions must be numbers separated by"),
        (["scan", "--resolutions", "0,1"], "every resolution must be a positive number, got 0"),
        (["scan", "--runs", "0"], "runs must be a positive integer, got 0"),
    ],
)
def test_bad_options_exit_2_with_one_line_and_write_nothing(invoke, tmp_path, args, message):
    out = tmp_path / "out"
    res = invoke(*[args[0], str(SAMPLE), "-o", str(out), *args[1:]])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert not out.exists() and os.listdir(tmp_path) == []
