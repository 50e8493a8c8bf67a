"""Spreadsheet-safe CSV: text twins for tests, atomic file writes for runs."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["FORMULA_PREFIXES", "atomic_write", "csv_bytes", "csv_text", "neutralise", "write_csv"]

#: A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a ``'``.

    Only text columns are touched: a negative *number* stays a number.

    >>> neutralise(pd.DataFrame({"person": ["=HYPERLINK(1)", "ann"], "x": [-1, 2]})).values.tolist()
    [["'=HYPERLINK(1)", -1], ['ann', 2]]
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s) or s.dtype == object:
            text = s.astype("string")
            risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out[col] = s.astype(object).where(~risky, "'" + text.astype(object))
    return out


_RISKY = "^[" + "".join("\\" + c if c in "-\\]^" else c for c in FORMULA_PREFIXES) + "]"


def _float_text(values: np.ndarray) -> pa.Array:
    """``"%.6g"`` of each float, ``""`` for NaN (what ``to_csv(float_format="%.6g")`` writes),
    formatted once per distinct bit pattern (``-0.0`` stays ``-0``) instead of pandas'
    per-cell formatter."""
    values = np.ascontiguousarray(values)
    bits, inverse = np.unique(values.view(f"i{values.itemsize}"), return_inverse=True)
    text = ["" if v != v else f"{v:.6g}" for v in bits.view(values.dtype).tolist()]
    return pa.array(text, type=pa.large_string()).take(pa.array(inverse.reshape(-1)))


def _quoted(field: str) -> str:
    """``field`` as the csv module writes it (quoted when it must be)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([field, ""])
    return buf.getvalue()[:-2]


def _cells(column: pd.Series) -> pa.Array | None:
    """The CSV text of each cell of ``column`` as pandas' ``to_csv`` writes it after
    :func:`neutralise` (missing values empty, floats as ``%.6g``), or None for a column
    pandas must write."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        values = column.to_numpy()
        if dtype.kind == "f":
            return _float_text(values)
        if dtype.kind == "b":
            return pa.array(np.where(values, "True", "False"), type=pa.large_string())
        return pc.cast(pa.array(values), pa.large_string())  # as str(int)
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
            return None
        text = pa.array(column.to_numpy(), type=pa.large_string(), from_pandas=True)
    elif isinstance(dtype, pd.StringDtype):
        text = pa.array(column, from_pandas=True)  # no copy when Arrow holds it
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        text = text.cast(pa.large_string())
    else:
        return None
    text = text.fill_null("")
    risky = pc.match_substring_regex(text, _RISKY)  # as neutralise() does, in Arrow
    if pc.any(risky).as_py():
        quote, none = pa.scalar("'", pa.large_string()), pa.scalar("", pa.large_string())
        text = pc.if_else(risky, pc.binary_join_element_wise(quote, text, none), text)
    special = pc.match_substring_regex(text, r'[,"\r\n]').to_numpy(zero_copy_only=False)
    if special.any():  # rare: those few cells through the csv module itself
        rows = np.flatnonzero(special)
        fixed = [_quoted(v) for v in text.take(pa.array(rows)).to_pylist()]
        text = pc.replace_with_mask(text, pa.array(special), pa.array(fixed, pa.large_string()))
    return text


def _fast_csv(frame: pd.DataFrame) -> bytes | None:
    """``frame.to_csv(index=False, lineterminator="\\n", float_format="%.6g")``'s text as
    UTF-8, cells made column by column and rows joined by Arrow; None when a column or the
    header needs pandas (other dtypes, mixed objects, non-text labels, a single column)."""
    if frame.shape[1] < 2 or not all(isinstance(c, str) for c in frame.columns):
        return None
    columns = []
    for i in range(frame.shape[1]):
        cells = _cells(frame.iloc[:, i])
        if cells is None:
            return None
        columns.append(cells)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(list(frame.columns))
    if not len(frame):
        return header.getvalue().encode("utf-8")
    comma, newline = (pa.scalar(x, pa.large_string()) for x in (",", "\n"))
    rows = pc.binary_join_element_wise(*columns, comma)
    lines = pc.binary_join_element_wise(rows, pa.scalar("", pa.large_string()), newline)
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    body = lines.buffers()[2][start:end]
    return header.getvalue().encode("utf-8") + body.to_pybytes()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """:func:`csv_text` encoded as UTF-8, made without a round trip through ``str`` (a run's
    big tables go to their files as bytes).

    >>> csv_bytes(pd.DataFrame({"x": [0.5], "n": ["=a"]}))
    b"x,n\\n0.5,'=a\\n"
    """
    fast = _fast_csv(frame)  # neutralised cell by cell
    if fast is not None:
        return fast
    out = neutralise(frame)
    for i, dtype in enumerate(out.dtypes):  # by position: column names may repeat
        if isinstance(dtype, np.dtype) and dtype.kind == "f":
            text = _float_text(out.iloc[:, i].to_numpy()).to_numpy(zero_copy_only=False)
            out.isetitem(i, pd.Series(text, dtype=object))
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def csv_text(frame: pd.DataFrame) -> str:
    """The CSV text nichegraph writes for ``frame``: neutralised, ``\\n`` line ends, 6 digits.

    >>> csv_text(pd.DataFrame({"x": [1 / 3, float("nan"), 2.0], "n": ["-a", "b", "c"]}))
    "x,n\\n0.333333,'-a\\n,b\\n2,c\\n"
    """
    return csv_bytes(frame).decode("utf-8")


def atomic_write(path: str | os.PathLike[str], content: str | bytes) -> Path:
    """Write text (UTF-8, newlines as given) or bytes to ``path`` through a temporary file in
    the same folder, then rename: a reader never sees half a file. The usual permissions
    (``0o666`` less the umask) apply.

    >>> import tempfile, pathlib
    >>> p = atomic_write(pathlib.Path(tempfile.mkdtemp()) / "a.txt", "x\\r\\ny")
    >>> p.read_bytes()
    b'x\\r\\ny'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content.encode("utf-8") if isinstance(content, str) else content)
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as spreadsheet-safe CSV, atomically."""
    return atomic_write(path, csv_text(frame))
