"""The command line, end to end with click's CliRunner."""

import gzip
import json
import os

import pandas as pd
import pytest

import nichegraph as ng
from nichegraph.influencers import INFLUENCER_COLUMNS
from nichegraph.pipeline import OUTPUT_FILES

SAMPLE = ng.load_dataset("brand_chatter").path


@pytest.fixture(scope="module")
def sample_run(invoke, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "sample"
    res = invoke("run", SAMPLE, "-o", out, "--top", 3)
    assert res.exit_code == 0, res.output
    return out, res


def test_run_writes_every_file_with_documented_columns(sample_run):
    out, res = sample_run
    assert sorted(os.listdir(out)) == sorted(OUTPUT_FILES)
    segments = pd.read_csv(out / "segments.csv")
    assert list(segments.columns) == ["person", "segment", "path", "role"]
    summary = pd.read_csv(out / "segment_summary.csv")
    assert list(summary.columns) == [
        "segment",
        "path",
        "label",
        "parent",
        "depth",
        "split_gain",
        "size",
        "internal_weight",
        "external_weight",
        "density",
        "conductance",
        "oversize",
        "top_influencers",
    ]
    influencers = pd.read_csv(out / "influencers.csv")
    assert list(influencers.columns) == INFLUENCER_COLUMNS
    shortlist = pd.read_csv(out / "shortlist.csv")
    assert list(shortlist.columns) == INFLUENCER_COLUMNS
    assert shortlist.groupby("segment").size().max() == 3
    # the terminal summary names the top influencer of segment 1
    top1 = influencers[(influencers.segment == 1) & (influencers["rank"] == 1)].person.item()
    assert top1 in res.output


def test_run_json_counts_match_the_files(sample_run):
    out, _ = sample_run
    manifest = json.loads((out / "run.json").read_text())
    rows = len(pd.read_csv(SAMPLE))
    assert manifest["input"]["rows_read"] == rows == 5000
    assert manifest["input"]["rows_kept"] + sum(manifest["input"]["skipped"].values()) == rows
    import hashlib

    assert manifest["input"]["sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    segments = pd.read_csv(out / "segments.csv")
    assert manifest["graph"]["nodes"] == len(segments)
    assert (
        manifest["segmentation"]["segments"]
        == segments.loc[segments.segment > 0, "segment"].nunique()
    )
    assert manifest["segmentation"]["fringe_people"] == int((segments.segment == 0).sum())
    assert manifest["influencers"]["shortlist_rows"] == len(pd.read_csv(out / "shortlist.csv"))
    assert manifest["parameters"]["top"] == 3 and manifest["parameters"]["seed"] == 42
    assert set(manifest["timings"]) == {"read", "build", "segment", "rank", "profile"}
    for t in manifest["timings"].values():  # resident now <= peak so far; CPU is counted
        assert set(t) == {"seconds", "cpu_seconds", "peak_rss_mb", "rss_mb"}
        assert 0 < t["rss_mb"] <= t["peak_rss_mb"] and t["cpu_seconds"] >= 0


def test_same_seed_byte_identical_outputs(invoke, tmp_path):
    for name in ("a", "b"):
        assert invoke("run", SAMPLE, "-o", tmp_path / name, "--seed", 7, "-q").exit_code == 0
    for f in OUTPUT_FILES:
        a, b = (tmp_path / "a" / f).read_text(), (tmp_path / "b" / f).read_text()
        if f == "run.json":
            a, b = json.loads(a), json.loads(b)
            for k in ("timings", "written_at"):  # when it ran, how long it took
                a.pop(k), b.pop(k)
        assert a == b, f


def test_formula_handles_are_neutralised(invoke, tmp_path):
    log = tmp_path / "log.csv"
    evil = '=HYPERLINK("http://evil","x")'
    rows = [(evil, "b"), ("b", evil), ("c", evil), ("b", "c"), ("c", "b"), ("@bob", evil)]
    pd.DataFrame(rows, columns=["source", "target"]).to_csv(log, index=False)
    assert invoke("run", log, "-o", tmp_path / "out", "--min-size", 1).exit_code == 0
    for f in ("segments.csv", "influencers.csv", "shortlist.csv", "segment_summary.csv"):
        text = (tmp_path / "out" / f).read_text()
        assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text and ",@bob" not in text
        assert "'=HYPERLINK" in text, f
    people = pd.read_csv(tmp_path / "out" / "segments.csv")["person"]
    assert "'@bob" in set(people)


def _write(path, text):
    path.write_text(text)
    return path


BAD_INPUTS = {
    "missing file": (lambda d: d / "nope.csv", [], "file not found"),
    "empty file": (lambda d: _write(d / "empty.csv", ""), [], "is empty"),
    "header only": (lambda d: _write(d / "h.csv", "source,target\n"), [], "no data rows"),
    "no source/target": (
        lambda d: _write(d / "c.csv", "a,b,when\nx,y,2026-01-01\n"),
        [],
        "columns found: a, b, when",
    ),
    "unknown map column": (
        lambda d: _write(d / "m.csv", "from,to\nx,y\n"),
        ["--map", "source=sender"],
        "no column 'sender'",
    ),
    "negative top": (
        lambda d: _write(d / "t.csv", "from,to\nx,y\n"),
        ["--top", "-3"],
        "--top must be a positive integer",
    ),
    "non-numeric weight": (
        lambda d: _write(d / "w.csv", "from,to,weight\nx,y,lots\ny,z,many\n"),
        [],
        "column 'weight'",
    ),
    "garbage timestamps": (
        lambda d: _write(d / "ts.csv", "from,to,date\nx,y,yesterday-ish\ny,z,soonish\n"),
        [],
        "does not hold timestamps",
    ),
    "undecodable bytes": (
        lambda d: (
            (d / "l1.csv").write_bytes("from,to\nJos\xe9,y\n".encode("latin-1")) and d / "l1.csv"
        ),
        [],
        "not valid utf-8",
    ),
    "bad option value": (
        lambda d: _write(d / "o.csv", "from,to\nx,y\n"),
        ["--resolution", "-1"],
        "--resolution must be a positive number",
    ),
    "not a number": (
        lambda d: _write(d / "n.csv", "from,to\nx,y\n"),
        ["--top", "ten"],
        "'ten' is not a valid integer",
    ),
    "bad half-life": (
        lambda d: _write(d / "hl.csv", "from,to,date\nx,y,2026-01-01\n"),
        ["--half-life", "soon"],
        "is not a duration",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_one_line_exit_2_nothing_written(invoke, tmp_path, case):
    make, extra, message = BAD_INPUTS[case]
    data = tmp_path / "data"
    data.mkdir()
    log = make(data)
    before = sorted(os.listdir(data))
    out = tmp_path / "out"
    res = invoke(*["run", str(log), "-o", str(out), *extra])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.output
    assert message in lines[0]
    assert "Traceback" not in res.output
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["data"]
    assert sorted(os.listdir(data)) == before


def test_skipped_rows_are_reported(invoke, tmp_path):
    log = _write(tmp_path / "log.csv", "from,to\na,b\n,b\nb,\nb,c\nc,a\n")
    res = invoke("run", log, "-o", tmp_path / "out", "--min-size", 1)
    assert res.exit_code == 0
    assert "1 empty source, 1 empty target" in res.output
    manifest = json.loads((tmp_path / "out" / "run.json").read_text())
    assert manifest["input"]["skipped"] == {"empty_source": 1, "empty_target": 1}


def test_inspect_reports_what_would_be_read(invoke, tmp_path):
    log = tmp_path / "nodexl.csv.gz"
    with gzip.open(log, "wt") as fh:
        fh.write(
            "Vertex 1,Vertex 2,Relationship,Relationship Date (UTC)\n"
            "ann,bob,Replies to,2026-03-01 10:00\nbob,ann,Retweet,2026-03-02 11:00\n"
            "cat,ann,Mentions,nonsense-date-2026\n"
        )
    res = invoke("inspect", log)
    assert res.exit_code == 0
    assert "source <- Vertex 1" in res.output and "target <- Vertex 2" in res.output
    assert "reply 1" in res.output and "retweet 1" in res.output
    assert "1 bad timestamp" in res.output
    res = invoke("inspect", log, "--json")
    report = json.loads(res.output)
    assert report["rows_read"] == 3 and report["skipped"] == {"bad_timestamp": 1}
    assert report["compression"] == "gzip"


def test_datasets_and_help(invoke):
    res = invoke("datasets")
    assert res.exit_code == 0 and "brand_chatter" in res.output
    for cmd in ([], ["run"], ["inspect"], ["datasets"]):
        res = invoke(*cmd, "--help")
        assert res.exit_code == 0 and "Usage:" in res.output
    assert invoke("--version").output.strip().endswith(ng.__version__)


def test_unexpected_failure_is_one_line_exit_1(invoke, tmp_path, monkeypatch):
    import nichegraph._stages as stages

    def boom(*a, **k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(stages, "find_segments", boom)
    log = _write(tmp_path / "log.csv", "from,to\na,b\nb,c\n")
    res = invoke(*["run", str(log), "-o", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "Error: internal failure (RuntimeError: kaboom); please report it"
    ]
    assert not (tmp_path / "out").exists()
