"""Spreadsheet-safe CSV: text twins for tests, atomic file writes for runs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["FORMULA_PREFIXES", "atomic_write", "csv_text", "neutralise", "write_csv"]

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


def _float_text(values: np.ndarray) -> np.ndarray:
    """``"%.6g"`` of each float, ``""`` for NaN (what ``to_csv(float_format="%.6g")`` writes),
    formatted once per distinct bit pattern (``-0.0`` stays ``-0``) instead of pandas'
    per-cell formatter."""
    values = np.ascontiguousarray(values)
    bits, inverse = np.unique(values.view(f"i{values.itemsize}"), return_inverse=True)
    text = ["" if v != v else f"{v:.6g}" for v in bits.view(values.dtype).tolist()]
    return np.array(text, dtype=object)[inverse.reshape(-1)]


def csv_text(frame: pd.DataFrame) -> str:
    """The CSV text nichegraph writes for ``frame``: neutralised, ``\\n`` line ends, 6 digits.

    >>> csv_text(pd.DataFrame({"x": [1 / 3, float("nan"), 2.0], "n": ["-a", "b", "c"]}))
    "x,n\\n0.333333,'-a\\n,b\\n2,c\\n"
    """
    out = neutralise(frame)
    for i, dtype in enumerate(out.dtypes):  # by position: column names may repeat
        if isinstance(dtype, np.dtype) and dtype.kind == "f":
            out.isetitem(i, pd.Series(_float_text(out.iloc[:, i].to_numpy()), dtype=object))
    return out.to_csv(index=False, lineterminator="\n")


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
