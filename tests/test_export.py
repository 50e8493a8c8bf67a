"""Writers: spreadsheet-safe CSV text and atomic run folders."""

import os

import numpy as np
import pandas as pd
import pytest

from nichegraph.errors import InputError
from nichegraph.export import csv_text, neutralise, write_csv, write_run_folder


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_formula_cells_are_neutralised(cell):
    out = neutralise(pd.DataFrame({"person": [cell, "ann"]}))
    assert out["person"].tolist() == ["'" + cell, "ann"]


def test_numbers_are_left_alone_and_text_is_exact():
    frame = pd.DataFrame({"person": ["=cmd|' /C calc'!A0", "bob"], "z": [-1.5, 2.0]})
    assert csv_text(frame) == "person,z\n'=cmd|' /C calc'!A0,-1.5\nbob,2\n"


def test_csv_text_writes_what_pandas_to_csv_writes():
    """csv_text makes and neutralises its cells column by column (Arrow); the bytes are
    pandas' (6 digits) after neutralise()."""
    rng = np.random.default_rng(3)
    n = 400
    words = np.array(["a", "b,c", 'q"x', "two\nlines", "cr\rx", "", "ünï", " sp", "None",
                      "=1+1", "-x", "+y", "@z", "\tt", "\rr", "=a,b"])  # fmt: skip
    floats = rng.standard_normal(n) * 10.0 ** rng.integers(-9, 9, n)
    floats[::7], floats[::11], floats[::13] = np.nan, -0.0, np.inf
    text = pd.Series(words[rng.integers(0, len(words), n)], dtype="str")
    text[::5] = np.nan
    objects = pd.Series(list(words[rng.integers(0, len(words), n)]), dtype=object)
    objects[::3] = None
    frame = pd.DataFrame({"f": floats, "i": rng.integers(-(10**12), 10**12, n),
                          "b": rng.random(n) < 0.5, "s": text, "o": objects,
                          "mixed": pd.Series(range(n), dtype=object).where(text.isna(), "x"),
                          "f32": floats.astype(np.float32)})  # fmt: skip
    for part in (frame, frame.iloc[:0], frame[["f"]], frame[["s", "i"]], frame[["mixed", "f"]]):
        expected = neutralise(part).to_csv(index=False, lineterminator="\n", float_format="%.6g")
        assert csv_text(part) == expected


def test_write_csv_is_atomic_and_leaves_no_temp(tmp_path):
    path = write_csv(pd.DataFrame({"a": [1]}), tmp_path / "x.csv")
    assert path.read_text() == "a\n1\n"
    assert os.listdir(tmp_path) == ["x.csv"]


def test_run_folder_new_and_replace(tmp_path):
    out = tmp_path / "run"
    write_run_folder(out, {"a.csv": "1\n", "b.json": "{}\n"})
    assert sorted(os.listdir(out)) == ["a.csv", "b.json"]
    write_run_folder(out, {"a.csv": "2\n", "c.png": b"png"}, replaceable=["b.json"])
    assert sorted(os.listdir(out)) == ["a.csv", "c.png"]  # b.json of the previous run is gone
    assert (out / "a.csv").read_text() == "2\n"
    assert sorted(os.listdir(tmp_path)) == ["run"]  # no temporary folder left behind


def test_a_folder_with_foreign_files_is_never_replaced(tmp_path):
    out = tmp_path / "run"
    write_run_folder(out, {"a.csv": "1\n"})
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"holds files this run would not write \(notes.txt\)"):
        write_run_folder(out, {"a.csv": "2\n"})
    assert (out / "notes.txt").read_text() == "mine" and (out / "a.csv").read_text() == "1\n"


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    calls = []

    def boom(self, *a, **k):
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        return orig(self, *a, **k)

    from pathlib import Path

    orig = Path.write_text
    monkeypatch.setattr(Path, "write_text", boom)
    with pytest.raises(OSError, match="disk full"):
        write_run_folder(tmp_path / "run", {"a.csv": "1\n", "b.csv": "2\n"})
    assert os.listdir(tmp_path) == []
