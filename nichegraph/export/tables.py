"""Tables as Parquet files (typed columns) and as one Excel workbook (one sheet per table).

Both are byte-stable: Parquet carries no clock time, and the workbook's document dates and
zip entry times are fixed. In the workbook the header row is frozen and filtered, text cells
that a spreadsheet would run as a formula are neutralised as in CSV (prefixed with ``'``),
characters Excel cannot hold are replaced, and segment ids and paths are text, so a path like
``6.10`` never becomes the number 6.1.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from .csv import neutralise

__all__ = ["OUTPUT_FORMATS", "WORKBOOK", "check_output_formats", "parquet_bytes", "xlsx_bytes"]

OUTPUT_FORMATS = ("csv", "parquet", "xlsx")
WORKBOOK = "tables.xlsx"
"""The workbook's file name in a run folder."""

_TEXT_IDS = ("segment", "path", "parent", "from_segment", "from_path", "to_segment", "to_path",
             "person")  # fmt: skip
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FIXED = "2000-01-01T00:00:00Z"


def check_output_formats(formats: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Validated, de-duplicated formats in the order given (default ``("csv",)``).

    >>> check_output_formats("xlsx,csv"), check_output_formats(None)
    (('xlsx', 'csv'), ('csv',))
    """
    if formats is None:
        return ("csv",)
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for item in items:
        for f in str(item).split(","):
            f = f.strip().lower()
            if not f:
                continue
            if f not in OUTPUT_FORMATS:
                raise InputError(
                    f"unknown --output-format {f!r}; use one or more of {', '.join(OUTPUT_FORMATS)}"
                )
            if f not in out:
                out.append(f)
    if not out:
        raise InputError("--output-format names no format; use csv, parquet and/or xlsx")
    return tuple(out)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as Parquet: numbers and booleans typed, text as UTF-8 strings.

    >>> import pyarrow.parquet as pq
    >>> b = parquet_bytes(pd.DataFrame({"path": ["6.10"], "size": [3]}))
    >>> schema = pq.read_table(io.BytesIO(b)).schema
    >>> str(schema.field("path").type).endswith("string"), str(schema.field("size").type)
    (True, 'int64')
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    clean = frame.reset_index(drop=True).copy()
    for col in clean.columns:
        if clean[col].dtype == object:
            clean[col] = clean[col].map(lambda v: None if v is None or v != v else str(v))
    table = pa.Table.from_pandas(clean, preserve_index=False)
    table = table.replace_schema_metadata(None)  # no pandas version inside
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    out = neutralise(frame.reset_index(drop=True))
    for col in out.columns:
        s = out[col]
        if col in _TEXT_IDS:
            out[col] = s.astype(object).where(s.notna(), None).map(
                lambda v: None if v is None else str(v))  # fmt: skip
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.astype(object).where(s.notna(), None).map(
                lambda v: None if v is None else _ILLEGAL.sub("\ufffd", str(v)))  # fmt: skip
        elif pd.api.types.is_float_dtype(s):
            out[col] = s.astype(object).where(np.isfinite(s.to_numpy(dtype=float)), None)
    return out


def xlsx_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """One workbook, one sheet per table (sheet names cut to Excel's 31 characters).

    >>> from openpyxl import load_workbook
    >>> wb = load_workbook(io.BytesIO(xlsx_bytes({"segments": pd.DataFrame(
    ...     {"person": ["=cmd", "ann"], "path": ["6.10", "6.1"]})})))
    >>> ws = wb["segments"]
    >>> [c.value for c in ws["A"]], [c.value for c in ws["B"]], ws.freeze_panes
    (['person', "'=cmd", 'ann'], ['path', '6.10', '6.1'], 'A2')
    """
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "nichegraph"
    for name, frame in tables.items():
        ws = wb.create_sheet(title=name[:31])
        ws.freeze_panes = "A2"
        ncol = max(len(frame.columns), 1)
        ws.auto_filter.ref = f"A1:{get_column_letter(ncol)}{max(len(frame), 0) + 1}"
        cells = _cells(frame)
        ws.append([str(c) for c in frame.columns])
        for row in cells.itertuples(index=False):
            out = []
            for v in row:
                if isinstance(v, str):
                    cell = WriteOnlyCell(ws, value=v)
                    cell.data_type = "s"  # never a formula, never a number
                    out.append(cell)
                elif isinstance(v, np.generic):
                    out.append(v.item())
                else:
                    out.append(v)
            ws.append(out)
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed entry times and fixed document dates (byte-stable output)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>"
                                 + _FIXED.encode(), content)  # fmt: skip
            entry = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()
