"""Inputs that are already tables: pandas DataFrames, Parquet files and JSON records.

Their columns are mapped to canonical fields by name (:func:`resolve_mapping`), exactly as
the header of a CSV file is; only the mapped columns are read.
"""

from __future__ import annotations

import zlib

import pandas as pd
import pyarrow as pa
import pyarrow.json as pj

from ...errors import InputError
from .base import (
    RawPart,
    ReadOptions,
    SourceFile,
    growing_blocks,
    reason,
    renamed_columns,
    resolve_mapping,
)
from .jsonio import json_error, load_document

__all__ = ["from_frame", "read_json_table", "read_parquet"]


def from_frame(frame: pd.DataFrame, opts: ReadOptions) -> RawPart:
    """A DataFrame's mapped columns (the frame itself is not modified).

    >>> part = from_frame(pd.DataFrame({"from": ["a"], "to": ["b"]}), ReadOptions())
    >>> part.mapping, part.frame.columns.tolist()
    ({'source': 'from', 'target': 'to'}, ['source', 'target'])
    """
    label = "<DataFrame>"
    columns = renamed_columns([str(c) for c in frame.columns], opts, label)
    if not columns:
        raise InputError(f"{label} is empty: expected columns and at least one interaction row")
    resolved = resolve_mapping(columns, opts.mapping, label)
    if len(frame) == 0:
        raise InputError(f"{label} has columns but no data rows")
    selected = pd.DataFrame(
        {f: frame.iloc[:, i].reset_index(drop=True) for f, i in resolved.positions(columns).items()}
    )
    info = {"path": label, "format": "dataframe", "compression": None, "sha256": None,
            "records": len(frame)}  # fmt: skip
    return RawPart(
        label, "dataframe", [info], columns, resolved.mapping, selected, notes=resolved.notes
    )


def read_parquet(file: SourceFile, opts: ReadOptions) -> RawPart:
    """A Parquet file's mapped columns, typed as stored."""
    import pyarrow.parquet as pq  # on use: 25 ms of every command's start otherwise

    try:
        if file.compression:
            parquet = pq.ParquetFile(pa.BufferReader(file.read_all()))
        else:
            parquet = pq.ParquetFile(file.path)
        stored = [str(c) for c in parquet.schema_arrow.names]
        columns = renamed_columns(stored, opts, file.label)
        resolved = resolve_mapping(columns, opts.mapping, file.label)
        wanted = [stored[i] for i in resolved.positions(columns).values()]
        table = parquet.read(columns=wanted)
    except InputError:
        raise
    except (pa.ArrowException, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{file.label} could not be read as Parquet: {reason(exc)}") from None
    if table.num_rows == 0:
        raise InputError(f"{file.label} has columns but no data rows")
    frame = table.to_pandas()
    frame.columns = list(resolved.mapping)
    info = file.info("parquet", records=table.num_rows)
    return RawPart(
        file.label, "parquet", [info], columns, resolved.mapping, frame, notes=resolved.notes
    )


def read_json_table(file: SourceFile, opts: ReadOptions, layout: str | None) -> RawPart:
    """Flat JSON records (JSON Lines or an array of objects) whose keys name the columns."""
    if layout == "document":
        table = pd.DataFrame.from_records(load_document(file))
        stored = [str(c) for c in table.columns]
        n_rows = len(table)
    else:
        try:

            def parse(block: int) -> pa.Table:
                with file.open() as stream:
                    return pj.read_json(stream, read_options=pj.ReadOptions(block_size=block))

            arrow = growing_blocks(parse, 1 << 24, file.label)
        except pa.ArrowInvalid as exc:
            raise json_error(file, exc) from None
        stored = [str(c) for c in arrow.column_names]
        n_rows = arrow.num_rows
    columns = renamed_columns(stored, opts, file.label)
    resolved = resolve_mapping(columns, opts.mapping, file.label)
    if n_rows == 0:
        raise InputError(f"{file.label} has no records")
    frame = pd.DataFrame()
    for field_, i in resolved.positions(columns).items():
        if layout == "document":
            values = table.iloc[:, i].reset_index(drop=True)
            nested = values.map(lambda v: isinstance(v, dict | list)).to_numpy(dtype=bool).any()
        else:
            values, nested = None, pa.types.is_nested(arrow.column(i).type)
        if nested:
            raise InputError(
                f"JSON field {stored[i]!r} holds objects or lists, not text or numbers; map a "
                "scalar field, or pass --format for the platform the file comes from"
            )
        frame[field_] = values if values is not None else arrow.column(i).to_pandas()
    info = file.info("json", records=n_rows)
    return RawPart(file.label, "json", [info], columns, resolved.mapping, frame,
                   notes=resolved.notes)  # fmt: skip
