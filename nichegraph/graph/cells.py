"""Text cells held by Arrow (pandas' ``str`` columns): checks over the raw buffers.

A log's columns arrive from the readers as Arrow strings. Asking every cell whether it holds
a NUL or needs stripping costs a pass per column and a new array per answer; these look at
the bytes once (the value buffer, and the first and last byte of each cell), so the usual
answer, "none does", is cheap and the column is kept as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["arrow_strings", "cell_bytes", "distinct_cleaned", "may_hold_byte", "stripped"]


def arrow_strings(column: Any, *, convert: bool = False) -> pa.ChunkedArray | None:
    """The Arrow string array of ``column``: without a copy for an Arrow array or a pandas
    ``str`` column held by Arrow; with ``convert``, of any column Arrow reads as text (object
    columns are copied); else None.

    >>> arrow_strings(pd.Series(["a", None], dtype="str")).null_count, arrow_strings(pd.Series([1]))
    (1, None)
    >>> arrow_strings(pd.Series(["a"], dtype=object)), arrow_strings(["a"], convert=True).type
    (None, DataType(string))
    """
    if isinstance(column, pa.Array | pa.ChunkedArray):
        arr = column
    else:
        dtype = getattr(column, "dtype", None)
        held = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
        if not (held or convert):
            return None
        try:
            arr = pa.array(column.array if held else column)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
    arr = arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def cell_bytes(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string chunk's value offsets (``len + 1``) and its whole data buffer, as numpy views."""
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets, data = chunk.buffers()
    if not len(chunk) or offsets is None:
        return np.zeros(0, dtype=width), np.zeros(0, dtype=np.uint8)
    start = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
    return start, np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)


def may_hold_byte(arr: pa.ChunkedArray, byte: int) -> bool:
    """False when no cell of ``arr`` holds ``byte`` (one scan of the data buffers, not a
    search per cell); True when one may (a null cell's bytes count too).

    >>> nul = pa.chunked_array([["a", "b" + chr(0)]])
    >>> may_hold_byte(nul, 0), may_hold_byte(nul, ord("c")), may_hold_byte(nul, ord("b"))
    (True, False, True)
    """
    for chunk in arr.chunks:
        offsets, data = cell_bytes(chunk)
        if len(offsets) and offsets[-1] > offsets[0]:
            cells = data[offsets[0] : offsets[-1]]
            found = len(cells) - np.count_nonzero(cells) if byte == 0 else (cells == byte).any()
            if found:
                return True
    return False


def _may_strip(arr: pa.ChunkedArray) -> bool:
    """False when every cell of ``arr`` begins and ends with a printable ASCII character
    (``!`` to ``~``), so that stripping whitespace (ASCII or Unicode) changes none."""
    for chunk in arr.chunks:
        offsets, data = cell_bytes(chunk)
        full = offsets[1:] > offsets[:-1]
        ends = np.concatenate([data[offsets[:-1][full]], data[offsets[1:][full] - 1]])
        if ((ends < 0x21) | (ends > 0x7E)).any():
            return True
    return False


def stripped(text: pd.Series) -> pd.Series:
    """``text.str.strip()``; ``text`` itself when no cell begins or ends with anything but a
    printable ASCII character (a log's handles, kinds and dates: nothing to strip, no copy).

    >>> stripped(pd.Series([" a", "b"], dtype="str")).tolist()
    ['a', 'b']
    >>> plain = pd.Series(["a", "b"], dtype="str")
    >>> stripped(plain) is plain
    True
    """
    arr = arrow_strings(text)
    if arr is not None and not _may_strip(arr):
        return text
    return text.str.strip()


def distinct_cleaned(arr: pa.ChunkedArray) -> list[tuple[str, str]]:
    """Each distinct value of ``arr`` (nulls aside) and that value stripped of whitespace and
    lower-cased, as a reader cleans a kind or platform cell: a column whose few distinct
    values are clean already is kept as it is.

    >>> distinct_cleaned(pa.chunked_array([["X ", "y", None, "y"]]))
    [('X ', 'x'), ('y', 'y')]
    """
    names = pc.unique(arr).drop_null()
    cleaned = pc.utf8_lower(pc.utf8_trim_whitespace(names))
    return list(zip(names.to_pylist(), cleaned.to_pylist(), strict=True))
