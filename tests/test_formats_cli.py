"""Input formats from the command line: the Higgs log as shipped, and bad inputs (exit 2,
one line naming the problem, nothing written)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

import nichegraph as ng

DATA = Path(__file__).parent / "data"
HIGGS = DATA / "higgs_activity_50k.txt.gz"  # first 50,000 lines of SNAP's file, see README
HIGGS_OPTIONS = ["--sep", " ", "--no-header", "--columns", "source,target,timestamp,kind"]


# ------------------------------------------------------------------------- the Higgs slice


def test_higgs_slice_read_as_shipped():
    inter = ng.read_interactions(
        HIGGS, sep=" ", header=False, columns="source,target,timestamp,kind"
    )
    report = inter.report
    assert (report.rows_read, report.rows_kept, report.skipped) == (50_000, 50_000, {})
    # counted independently: awk '{print $4}' | sort | uniq -c on the 50,000 lines
    assert report.kinds == {"retweet": 28_605, "mention": 17_923, "reply": 3_472}
    assert (report.time_min, report.time_max) == ("2012-07-01T00:02:52Z", "2012-07-03T21:07:52Z")
    assert report.format == "csv" and report.compression == "gzip"
    assert report.files[0]["sep"] == " " and report.files[0]["header"] is False
    # the first line: 223789 213163 1341100972 MT
    first = inter.table.iloc[0]
    assert (first.source, first.target, first.kind) == ("223789", "213163", "mention")
    assert first.timestamp == pd.Timestamp("2012-07-01 00:02:52", tz="UTC")
    graph = ng.build_graph(inter)
    assert graph.report.dropped == {"self_loop": 737}  # awk '$1 == $2' | wc -l


def documented_higgs_command() -> list[str]:
    """The Higgs command of README's Input formats section, as arguments."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## Input formats", 1)[1]
    line = re.search(r"^nichegraph (run \S*higgs-activity_time\.txt\.gz .*)$", section, re.M)
    return shlex.split(line.group(1))


def test_higgs_slice_end_to_end_with_the_documented_command(invoke, tmp_path):
    args = documented_higgs_command()
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    url = re.search(r"^curl -LO (\S+)$", readme.split("## Input formats", 1)[1], re.M).group(1)
    assert args[1] == url.rsplit("/", 1)[1] == "higgs-activity_time.txt.gz"  # what curl fetched
    out = tmp_path / "higgs"
    args[1], args[args.index("-o") + 1] = str(HIGGS), str(out)  # the slice, a temporary folder
    res = invoke(*args, "--quiet")
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["input"]["format"] == "csv"
    assert manifest["input"]["files"][0]["header"] is False
    assert manifest["parameters"]["columns"] == ["source", "target", "timestamp", "kind"]
    assert manifest["parameters"]["header"] is False
    # the account the most distinct people engaged with leads its segment
    table = ng.read_interactions(
        HIGGS, sep=" ", header=False, columns="source,target,timestamp,kind"
    ).table
    table = table[table.source != table.target]
    star = table.groupby("target")["source"].nunique().idxmax()
    influencers = pd.read_csv(out / "influencers.csv", dtype={"person": str})
    assert influencers.loc[influencers.person == star, "rank"].item() == 1


def test_inspect_prints_the_detected_format_and_mapping(invoke):
    res = invoke("inspect", HIGGS, *HIGGS_OPTIONS)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[1] == "format      csv (gzip, separator ' ', no header)"
    assert (
        "mapping     source <- source, target <- target, kind <- kind, timestamp <- timestamp"
        in lines
    )
    assert "skipped     none" in lines


# ------------------------------------------------------------------------------ bad inputs


def malformed_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "comments.jsonl"
    good = {"id": "c1", "author": "bob", "parent_id": "t3_x", "created_utc": 1341388860}
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + '\n{"id": "c3", "author": }\n')
    return path


def workbook_without_edges(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(["Vertex 1", "Vertex 2"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("make", "options", "message"),
    [
        (
            malformed_jsonl,
            [],
            "{path} line 3 is not valid JSON (Expecting value, column 24); fix or remove "
            "that line",
        ),
        (
            workbook_without_edges,
            [],
            "{path} has no Edges sheet (sheets: Sheet1); NodeXL keeps interactions in its "
            "Edges worksheet: pass a NodeXL workbook, or export the sheet that holds them as CSV",
        ),
        (
            lambda tmp: HIGGS,
            ["--format", "yaml"],
            "unknown --format 'yaml'; use one of csv, tsv, parquet, nodexl, xapi, reddit, "
            "mastodon, json, gml, graphml, gexf, pajek, edgelist",
        ),
        (
            lambda tmp: HIGGS,
            ["--sep", " ", "--no-header", "--columns", "source,target,kind"],
            "--columns names 3 fields but the first line of {path} has 4 (separator ' '): "
            "'223789 213163 1341100972 MT'; name every field, '-' for those to ignore",
        ),
        (
            lambda tmp: HIGGS,
            ["--no-header"],
            "--no-header needs --columns naming the fields in order, e.g. "
            "--columns source,target,timestamp,kind",
        ),
        (
            lambda tmp: tmp / "missing" / "*.jsonl",
            [],
            "no file matches {path}; check the pattern",
        ),
    ],
    ids=["malformed-json-line", "no-edges-sheet", "unknown-format", "columns-count",
         "no-header-no-columns", "empty-glob"],
)  # fmt: skip
@pytest.mark.parametrize("command", ["run", "inspect"])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    invoke, command, make, options, message, tmp_path
):
    path = make(tmp_path)
    out = tmp_path / "out"
    args = [command, path, *options] + (["-o", out] if command == "run" else [])
    res = invoke(*args)
    assert res.exit_code == 2
    assert res.output == f"Error: {message.format(path=path)}\n"
    assert not out.exists()
