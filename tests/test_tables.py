"""Tables as xlsx and Parquet, and the data dictionary (columns.csv)."""

import io

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import nichegraph as ng
from nichegraph.cli import cli
from nichegraph.export import COLUMN_MEANINGS, dictionary, xlsx_bytes
from nichegraph.pipeline import TABLE_NAMES

SAMPLE = ng.load_dataset("brand_chatter").path


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _log():
    rows = [("=HYPERLINK(1)", "ann"), ("ann", "+bo"), ("+bo", "=HYPERLINK(1)"), ("cy", "ann")]
    rows += [("ann", "bo2"), ("bo2", "cy"), ("cy", "bo2"), ("@dee", "ann"), ("ann", "@dee")]
    return pd.DataFrame(rows * 3, columns=["source", "target"])


def test_xlsx_one_sheet_per_table_frozen_filtered_and_safe(tmp_path):
    res = ng.analyze(_log(), min_size=1, output_formats="xlsx", outdir=tmp_path / "r", seed=0)
    files = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert files == ["columns.csv", "report.html", "run.json", "tables.xlsx"]
    wb = load_workbook(tmp_path / "r" / "tables.xlsx")
    assert wb.sheetnames == list(TABLE_NAMES)
    for name, frame in res.tables().items():
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref.startswith("A1:")
        assert [c.value for c in ws[1]] == list(frame.columns)
        assert ws.max_row == len(frame) + 1
    people = [c.value for c in wb["segments"]["A"][1:]]
    assert "'=HYPERLINK(1)" in people and "'+bo" in people and "'@dee" in people
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)
    # segment ids and paths are text cells
    header = [c.value for c in wb["segments"][1]]
    col = header.index("path") + 1
    assert all(isinstance(r[col - 1].value, str) for r in wb["segments"].iter_rows(min_row=2))


def test_a_path_like_6_10_stays_text_and_numbers_stay_numbers():
    frame = pd.DataFrame({"segment": [6, 61], "path": ["6.10", "6.1"], "size": [3, 4],
                          "density": [0.5, float("nan")]})  # fmt: skip
    ws = load_workbook(io.BytesIO(xlsx_bytes({"segment_summary": frame})))["segment_summary"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows == [["6", "6.10", 3, 0.5], ["61", "6.1", 4, None]]


def test_same_run_same_workbook_bytes():
    tables = {"segments": pd.DataFrame({"person": ["a"], "segment": [1], "path": ["1"]})}
    assert xlsx_bytes(tables) == xlsx_bytes(tables)


def test_parquet_columns_are_typed_and_csv_can_be_left_out(tmp_path):
    res = invoke("run", SAMPLE, "-o", tmp_path / "r", "-q", "--output-format", "parquet")
    assert res.exit_code == 0, res.output
    out = tmp_path / "r"
    assert {p.name for p in out.glob("*.csv")} == {"columns.csv"}
    infl = pq.read_table(out / "influencers.parquet")
    types = {f.name: str(f.type) for f in infl.schema}
    assert types["rank"] == "int64" and types["score"] == "double"
    assert types["path"].endswith("string") and types["person"].endswith("string")
    segs = pq.read_table(out / "segments.parquet").to_pandas()
    assert len(segs) == 411
    # the report can be made again from the Parquet files alone
    assert invoke("report", out).exit_code == 0


def test_bad_output_format_fails_before_any_work(tmp_path):
    res = CliRunner().invoke(cli, ["run", str(SAMPLE), "-o", str(tmp_path / "r"),
                                   "--output-format", "csv,ods"])  # fmt: skip
    assert res.exit_code == 2
    assert res.output == (
        "Error: unknown --output-format 'ods'; use one or more of csv, parquet, xlsx\n"
    )
    assert not (tmp_path / "r").exists()


def test_the_dictionary_explains_every_column_of_every_table(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("person,platform,handle\nAnn,x,@zobeme1756\nAnn,reddit,u/bifu_14\n")
    res = ng.analyze(SAMPLE, stability=2, people=people, outdir=tmp_path / "r", seed=0)
    words = pd.read_csv(tmp_path / "r" / "columns.csv")
    assert list(words.columns) == ["table", "column", "meaning"]
    for name, frame in res.tables().items():
        assert words[words.table == name]["column"].tolist() == list(frame.columns)
    assert words["meaning"].str.len().min() > 5
    assert {"confidence", "handles"} <= set(words[words.table == "segments"].column)
    html = (tmp_path / "r" / "report.html").read_text()
    assert 'id="dict-segments"' in html and 'href="#dict-segment_summary"' in html
    with pytest.raises(KeyError, match=r"segments\.mystery has no meaning"):
        dictionary({"segments": pd.DataFrame(columns=["mystery"])})
    assert set(COLUMN_MEANINGS) >= set(TABLE_NAMES)
