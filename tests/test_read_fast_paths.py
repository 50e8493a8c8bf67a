"""The reader's shortcuts (Arrow buffer checks, per-distinct-value work, Arrow casts) give
exactly what the per-row path gives, on tricky cells: blanks, whitespace of every kind, NUL,
case, aliases, mixed timestamp formats, large integers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from nichegraph.graph import cells, columns, read, schema
from nichegraph.graph.cells import may_hold_byte, stripped
from nichegraph.graph.read import read_interactions
from nichegraph.graph.schema import normalise_kind

NUL = chr(0)
HANDLES = ["ann", " bo", "cy ", "\tdi", "ed\u00a0", "\u3000fa", "gü", "", "ha" + NUL, "i j", "=k"]
KINDS = ["reply", "RT", " like", "", "Upvote", "mention", "reply", "QT", "like", "post", "LIKE"]
PLATFORMS = ["x", " X", "", "reddit", "Mastodon ", "x", "x", "", "bsky", "x", "x"]
TIMES = {
    "plain": [f"2026-06-01T00:00:0{i % 10}Z" for i in range(11)],
    "plain_blank": ["2026-06-01T00:00:00Z", "", *["2026-06-02 10:00:00Z"] * 9],
    "fraction": ["2026-06-01T00:00:00.5Z", *["2026-06-01T00:00:00Z"] * 10],
    "bad_month": ["2026-13-01T00:00:00Z", *["2026-06-01T00:00:00Z"] * 10],
    "leap_day": ["2024-02-29T00:00:00Z", "2021-02-29T00:00:00Z", *["2026-06-01T00:00:00Z"] * 9],
    "lower_z": ["2026-06-01T00:00:00z", *["2026-06-01T00:00:00Z"] * 10],
    "mixed": ["2026-06-01T00:00:00+02:00", "2026-06-01", *["2026-06-01T00:00:00Z"] * 9],
    "unix": ["1340000000", "-5", "+7", "007", "", *["1340000001"] * 6],
    "unix_ms": ["1340000000000", *["1340000000"] * 10],
    "unix_big": ["9007199254740993", *["1340000000"] * 10],
    "unix_float": ["1340000000.5", "1e9", *["1340000000"] * 9],
}


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every shortcut off: no column is seen as Arrow text, no fixed-width ISO check."""
    for module in (cells, columns, read, schema):
        monkeypatch.setattr(module, "arrow_strings", lambda text, **_: None)
    monkeypatch.setattr(columns, "_fixed_plain_iso", lambda values: False)


def _read_both(path, monkeypatch):
    fast = read_interactions(path)
    with monkeypatch.context() as m:
        _slow(m)
        slow = read_interactions(path)
    return fast, slow


@pytest.mark.parametrize("times", sorted(TIMES))
def test_shortcuts_read_what_the_per_row_path_reads(times, tmp_path, monkeypatch):
    frame = pd.DataFrame({"source": HANDLES, "target": ["zed"] * 11, "kind": KINDS,
                          "timestamp": TIMES[times], "platform": PLATFORMS})  # fmt: skip
    path = tmp_path / "log.csv"
    frame.to_csv(path, index=False)
    fast, slow = _read_both(path, monkeypatch)
    pd.testing.assert_frame_equal(fast.table, slow.table)
    assert fast.report == slow.report
    assert {"cy", "di", "fa"} <= set(fast.table["source"])  # stripped
    assert not any(NUL in v for v in fast.table["source"])


def test_canonical_columns_are_kept_as_they_are(tmp_path, monkeypatch):
    frame = pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"],
                          "kind": ["reply", "like", "reply"], "platform": ["x", "x", "bsky"],
                          "timestamp": ["2026-06-01T00:00:00Z"] * 3})  # fmt: skip
    path = tmp_path / "log.csv"
    frame.to_csv(path, index=False)
    fast, slow = _read_both(path, monkeypatch)
    pd.testing.assert_frame_equal(fast.table, slow.table)
    assert fast.report == slow.report


def test_normalise_kind_shortcut_respects_aliases():
    kinds = pd.Series(["like", "reply", "like"], dtype="str", name="kind")
    as_objects = kinds.astype(object)  # not Arrow text: the per-distinct path
    for aliases in (None, {"like": "favourite"}, {"reply": "reply"}):
        got = normalise_kind(kinds, aliases)
        assert got.tolist() == normalise_kind(as_objects, aliases).tolist()
        assert got.name == "kind" and str(got.dtype) == "str"
    assert normalise_kind(kinds, {"like": "favourite"}).tolist()[0] == "favourite"


def test_buffer_checks_on_sliced_chunks():
    arr = pa.array(["  x", "a" + NUL, "b", "c "])
    sliced = pa.chunked_array([arr.slice(2, 1), arr.slice(2, 2)])  # offsets not at 0
    assert not may_hold_byte(sliced, 0) and may_hold_byte(pa.chunked_array([arr.slice(1)]), 0)
    plain = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([arr.slice(2, 1)])))
    assert stripped(plain) is plain
    padded = pd.Series(pd.arrays.ArrowStringArray(sliced))
    assert stripped(padded).tolist() == ["b", "b", "c"]


def test_numbers_read_as_pandas_reads_them():
    text = pd.Series(["1", "+2", "-3", "007", None, "9007199254740991"], dtype="str")
    expected = pd.to_numeric(text, errors="coerce").astype("float64")
    np.testing.assert_array_equal(columns._numbers(text).to_numpy(), expected.to_numpy())
    big = pd.Series(["9007199254740993", "1"], dtype="str")  # past 2**53: pandas decides
    np.testing.assert_array_equal(
        columns._numbers(big).to_numpy(), pd.to_numeric(big).astype("float64").to_numpy()
    )
