"""Read an interaction log (CSV, TSV, Parquet, gzip, or a DataFrame) into the canonical table.

:func:`read_interactions` is the only entry point. It detects the format, maps the columns
(:mod:`nichegraph.graph.schema`), validates and normalises every column with vectorised
pandas/Arrow operations, skips bad rows with a count per reason, and returns the table with a
:class:`ReadReport` of what it found (it goes into ``run.json`` and ``nichegraph inspect``).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import os
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import InputError
from .schema import (
    CANONICAL,
    DEFAULT_KIND,
    KIND_ALIASES,
    REQUIRED,
    as_text,
    match_headers,
    normalise_kind,
    parse_timestamps,
    parse_weights,
)

__all__ = ["SKIP_REASONS", "Interactions", "ReadReport", "read_interactions"]

SKIP_REASONS = (
    "malformed_row",
    "empty_source",
    "empty_target",
    "bad_timestamp",
    "bad_weight",
    "negative_weight",
)
"""Why a row can be skipped; a row is counted once, under the first reason that applies."""

_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"
_HEAD_BYTES = 1 << 20  # enough for the header line and the format sniffing
_BLOCK_BYTES = 1 << 23  # Arrow's CSV block: a single row (e.g. a long text) must fit


@dataclass(frozen=True)
class ReadReport:
    """What was read: detected format, column mapping, counts. JSON-ready via :meth:`to_dict`."""

    source: str
    format: str
    compression: str | None
    sha256: str | None
    columns_found: tuple[str, ...]
    mapping: dict[str, str]
    rows_read: int
    rows_kept: int
    skipped: dict[str, int]
    kinds: dict[str, int]
    time_min: str | None
    time_max: str | None
    problems: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-serialisable dict (tuples become lists)."""
        out = asdict(self)
        out["columns_found"] = list(self.columns_found)
        out["problems"] = list(self.problems)
        return out


@dataclass(frozen=True)
class Interactions:
    """The canonical interaction table (columns present, in ``CANONICAL`` order) and its report."""

    table: pd.DataFrame
    report: ReadReport


@dataclass
class _Raw:
    """An input after format handling: selected columns (canonical names) and provenance."""

    label: str
    format: str
    compression: str | None
    sha256: str | None
    columns_found: list[str]
    mapping: dict[str, str]
    frame: pd.DataFrame
    malformed: list[int]  # 1-based data row numbers of rows the parser rejected
    notes: list[str]


def read_interactions(
    data: str | os.PathLike[str] | pd.DataFrame,
    *,
    mapping: Mapping[str, str] | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
) -> Interactions:
    """Read an interaction log into the canonical table.

    ``data`` is a path to a CSV (``.csv``), TSV (``.tsv``/``.tab``) or Parquet
    (``.parquet``/``.pq``) file, optionally gzip-compressed (``.gz``, also detected by its
    magic bytes), or a pandas DataFrame. ``mapping`` names file columns for canonical fields
    (``{"source": "from_user"}``); other fields are recognised from common header names.
    ``sep`` overrides the separator (default: by extension, else sniffed from the header);
    ``encoding`` is the text encoding of CSV/TSV input.

    Raises :class:`~nichegraph.errors.InputError` (one line: the rule, the offending value,
    what to do) for unreadable input, missing columns, and columns that do not hold what
    their name says.

    >>> import pandas as pd
    >>> got = read_interactions(pd.DataFrame({"from": ["ann", " bob", ""], "to": ["bob", "cy", "x"],
    ...                                       "type": ["RT", "Replies to", "like"]}))
    >>> got.table[["source", "target", "kind"]].values.tolist()
    [['ann', 'bob', 'retweet'], ['bob', 'cy', 'reply']]
    >>> got.report.skipped, got.report.mapping["source"]
    ({'empty_source': 1}, 'from')
    """
    explicit = _check_mapping(mapping)
    if isinstance(data, pd.DataFrame):
        raw = _from_frame(data, explicit)
    elif isinstance(data, str | os.PathLike):
        raw = _from_path(Path(os.fspath(data)), explicit, sep=sep, encoding=encoding)
    else:
        raise InputError(
            f"cannot read interactions from a {type(data).__name__}; "
            "pass a file path or a pandas DataFrame"
        )
    return _canonicalise(raw)


# ---------------------------------------------------------------------------- column mapping


def _check_mapping(mapping: Mapping[str, str] | None) -> dict[str, str]:
    if mapping is not None and not isinstance(mapping, Mapping):
        raise InputError(
            f"mapping must be a dict of field -> column, got a {type(mapping).__name__}; "
            "e.g. {'source': 'from_user'} (CLI items go through parse_mapping)"
        )
    out: dict[str, str] = {}
    for key, column in (mapping or {}).items():
        field_ = str(key).strip().lower()
        if field_ not in CANONICAL:
            raise InputError(
                f"--map {key}={column}: unknown field {key!r}; use one of {', '.join(CANONICAL)}"
            )
        if not isinstance(column, str) or not column.strip():
            raise InputError(
                f"--map {key}={column!r}: the column must be a non-empty name; "
                "write FIELD=COLUMN, e.g. --map source=from_user"
            )
        out[field_] = column
    return out


def _resolve_mapping(columns: list[str], explicit: dict[str, str], label: str) -> _Resolved:
    chosen: dict[str, str] = {}
    for field_, wanted in explicit.items():
        column = _find_column(columns, wanted)
        if column is None:
            raise InputError(
                f"--map {field_}={wanted}: no column {wanted!r} in {label}; "
                f"columns found: {_listing(columns)}"
            )
        other = next((f for f, c in chosen.items() if c == column), None)
        if other is not None:
            raise InputError(
                f"--map {field_}={wanted}: column {column!r} is already mapped to {other}; "
                "each column can fill one field only"
            )
        chosen[field_] = column
    auto, notes = match_headers(columns, skip_fields=chosen, skip_columns=chosen.values())
    chosen.update(auto)
    missing = [f for f in REQUIRED if f not in chosen]
    if missing:
        what = " and no ".join(repr(f) for f in missing)
        how = " ".join(f"--map {f}=COLUMN" for f in missing)
        hint = _separator_hint(columns)
        raise InputError(
            f"{label} has no {what} column; columns found: {_listing(columns)}; "
            f"name {'it' if len(missing) == 1 else 'them'} with {how}{hint}"
        )
    ordered = {f: chosen[f] for f in CANONICAL if f in chosen}
    return _Resolved(ordered, notes)


@dataclass
class _Resolved:
    mapping: dict[str, str]
    notes: list[str]

    def positions(self, columns: list[str]) -> dict[str, int]:
        return {f: columns.index(c) for f, c in self.mapping.items()}


def _find_column(columns: list[str], wanted: str) -> str | None:
    for candidate in (wanted, wanted.strip()):
        if candidate in columns:
            return candidate
    folded = [c for c in columns if c.strip().casefold() == wanted.strip().casefold()]
    return folded[0] if folded else None


def _listing(columns: list[str], limit: int = 20) -> str:
    shown = ", ".join(columns[:limit]) if columns else "(none)"
    return shown + (f", … ({len(columns) - limit} more)" if len(columns) > limit else "")


def _separator_hint(columns: list[str]) -> str:
    if len(columns) != 1:
        return ""
    for char, name in ((";", ";"), ("\t", "\\t"), (",", ","), ("|", "|")):
        if char in columns[0]:
            return f", or pass --sep '{name}' if the file is {name!r}-separated"
    return ""


# ------------------------------------------------------------------------------- DataFrames


def _from_frame(frame: pd.DataFrame, explicit: dict[str, str]) -> _Raw:
    label = "<DataFrame>"
    columns = [str(c) for c in frame.columns]
    if not columns:
        raise InputError(f"{label} is empty: expected columns and at least one interaction row")
    resolved = _resolve_mapping(columns, explicit, label)
    if len(frame) == 0:
        raise InputError(f"{label} has columns but no data rows")
    selected = pd.DataFrame(
        {f: frame.iloc[:, i].reset_index(drop=True) for f, i in resolved.positions(columns).items()}
    )
    return _Raw(
        label, "dataframe", None, None, columns, resolved.mapping, selected, [], resolved.notes
    )


# ------------------------------------------------------------------------------------ files


@dataclass(frozen=True)
class _File:
    path: Path
    gz: bool
    suffix: str  # lower-case extension under any .gz
    sha256: str

    @property
    def label(self) -> str:
        return str(self.path)

    @property
    def compression(self) -> str | None:
        return "gzip" if self.gz else None

    def open(self) -> IO[bytes]:
        """The file's (decompressed) bytes."""
        return gzip.open(self.path, "rb") if self.gz else self.path.open("rb")


def _from_path(path: Path, explicit: dict[str, str], *, sep: str | None, encoding: str) -> _Raw:
    label = str(path)
    if not path.exists():
        raise InputError(f"file not found: {label}")
    if path.is_dir():
        raise InputError(
            f"{label} is a directory: expected an interaction log file (CSV, TSV or Parquet)"
        )
    empty = f"{label} is empty: expected a header line and at least one interaction row"
    if path.stat().st_size == 0:
        raise InputError(empty)
    try:
        with path.open("rb") as f:
            gz = f.read(2) == _GZIP_MAGIC
            f.seek(0)
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(f"{label} cannot be read: {_reason(exc)}; check its permissions") from None
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    file = _File(path, gz, suffixes[-1] if suffixes else "", digest)
    try:
        with file.open() as f:
            head = f.read(_HEAD_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{label} is not a readable gzip file: {_reason(exc)}") from None
    if not head.strip():
        raise InputError(empty)
    if head[:4] == _PARQUET_MAGIC or file.suffix in (".parquet", ".pq"):
        return _read_parquet(file, explicit)
    return _read_text(file, head, explicit, sep=sep, encoding=encoding)


def _read_parquet(file: _File, explicit: dict[str, str]) -> _Raw:
    try:
        if file.gz:
            with file.open() as f:
                parquet = pq.ParquetFile(pa.BufferReader(f.read()))
        else:
            parquet = pq.ParquetFile(file.path)
        columns = [str(c) for c in parquet.schema_arrow.names]
        resolved = _resolve_mapping(columns, explicit, file.label)
        table = parquet.read(columns=list(resolved.mapping.values()))
    except InputError:
        raise
    except (pa.ArrowException, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{file.label} could not be read as Parquet: {_reason(exc)}") from None
    if table.num_rows == 0:
        raise InputError(f"{file.label} has columns but no data rows")
    frame = table.to_pandas()
    frame.columns = list(resolved.mapping)
    return _Raw(
        file.label, "parquet", file.compression, file.sha256, columns, resolved.mapping, frame,
        [], resolved.notes,
    )  # fmt: skip


def _read_text(
    file: _File, head: bytes, explicit: dict[str, str], *, sep: str | None, encoding: str
) -> _Raw:
    try:
        encoding = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(
            f"unknown text encoding {encoding!r}; pass a Python codec name such as utf-8 or latin-1"
        ) from None
    # The header line, decoded; bad bytes further on are Arrow's to find (in used columns).
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    lines = decoder.decode(head, final=len(head) < _HEAD_BYTES).split("\n")
    blank_lines = next(i for i, line in enumerate(lines) if line.strip("\r") or i == len(lines) - 1)
    header = lines[blank_lines].rstrip("\r").lstrip("\ufeff")
    if any("\udc80" <= char <= "\udcff" for char in header):
        raise _bad_text(file, encoding)
    sep = _choose_separator(sep, file.suffix, header)
    fmt = "tsv" if sep == "\t" else "csv"
    columns = [c.strip() for c in next(csv.reader([header], delimiter=sep), [])]
    resolved = _resolve_mapping(columns, explicit, file.label)
    positions = resolved.positions(columns)
    names = [f"c{i}" for i in range(len(columns))]
    malformed: list[int] = []

    def on_invalid(row: Any) -> str:
        malformed.append(-1 if row.number is None else row.number - 1 - blank_lines)
        return "skip"

    what = f"{file.label} could not be read as {'gzip-compressed ' if file.gz else ''}{fmt.upper()}"
    try:
        table = pacsv.read_csv(
            pa.input_stream(str(file.path), compression=file.compression),
            read_options=pacsv.ReadOptions(
                column_names=names,
                skip_rows=blank_lines + 1,
                use_threads=False,  # keeps row numbers; gzip inflation is the bottleneck anyway
                block_size=_BLOCK_BYTES,
                encoding="utf8" if encoding == "utf-8" else encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                include_columns=[names[i] for i in positions.values()],
                strings_can_be_null=False,
            ),
        )
    except UnicodeDecodeError:
        raise _bad_text(file, encoding) from None
    except (pa.ArrowException, OSError, EOFError, zlib.error) as exc:
        if "utf8" in str(exc).lower():
            raise _bad_text(file, encoding) from None
        raise InputError(f"{what}: {_reason(exc)}") from None
    if table.num_rows == 0 and not malformed:
        raise InputError(f"{file.label} has a header but no data rows")
    frame = table.to_pandas()
    frame.columns = list(positions)
    return _Raw(
        file.label, fmt, file.compression, file.sha256, columns, resolved.mapping, frame,
        sorted(malformed), resolved.notes,
    )  # fmt: skip


def _choose_separator(sep: str | None, suffix: str, header: str) -> str:
    if sep is not None:
        sep = {"\\t": "\t", "tab": "\t"}.get(sep, sep)
        if len(sep) != 1:
            raise InputError(f"the separator must be a single character, got {sep!r}; e.g. ';'")
        return sep
    if suffix == ".csv":
        return ","
    if suffix in (".tsv", ".tab"):
        return "\t"
    counts = {c: header.count(c) for c in ("\t", ",", ";")}
    best = max(counts, key=lambda c: counts[c])  # ties keep the first: tab, comma, semicolon
    return best if counts[best] else ","


def _bad_text(file: _File, encoding: str) -> InputError:
    """The error for undecodable text, naming the offset of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset, fed = None, 0
    with file.open() as f:
        while offset is None:
            chunk = f.read(1 << 20)
            pending = len(decoder.getstate()[0])  # undecoded bytes carried from the last chunk
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                offset = fed - pending + exc.start
            if not chunk:
                break
            fed += len(chunk)
    where = f" (first bad byte at offset {offset})" if offset is not None else ""
    fix = "latin-1 (or the file's encoding)" if encoding == "utf-8" else "the file's encoding"
    return InputError(f"{file.label} is not valid {encoding} text{where}; pass --encoding {fix}")


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


# ------------------------------------------------------------------------- canonicalisation


class _Rows:
    """Turns positions in the parsed table into 1-based data row numbers of the input."""

    def __init__(self, malformed: list[int]) -> None:
        self._malformed = sorted(m for m in malformed if m > 0)

    def number(self, position: int) -> int:
        row = position + 1
        for m in self._malformed:  # rows the parser dropped shift every later row by one
            if m > row:
                break
            row += 1
        return row


def _canonicalise(raw: _Raw) -> Interactions:
    frame, mapping, notes = raw.frame, raw.mapping, list(raw.notes)
    n = len(frame)
    rows = _Rows(raw.malformed)
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    skipped["malformed_row"] = len(raw.malformed)
    keep = np.ones(n, dtype=bool)

    def skip(reason: str, mask: np.ndarray) -> None:
        skipped[reason] += int(np.count_nonzero(keep & mask))
        keep[mask] = False

    columns: dict[str, pd.Series] = {}
    for name in ("source", "target"):
        values = as_text(frame[name]).str.strip()
        skip(f"empty_{name}", (values.isna() | (values == "")).to_numpy(dtype=bool))
        columns[name] = values
    columns["kind"] = (
        normalise_kind(as_text(frame["kind"]))
        if "kind" in frame
        else pd.Series(DEFAULT_KIND, index=frame.index, dtype="str")
    )
    if "timestamp" in frame:
        parsed = parse_timestamps(
            frame["timestamp"], column=mapping["timestamp"], row_number=rows.number
        )
        skip("bad_timestamp", parsed.bad)
        columns["timestamp"] = parsed.values
        notes += parsed.notes
    if "weight" in frame:
        parsed = parse_weights(frame["weight"], column=mapping["weight"], row_number=rows.number)
        skip("bad_weight", parsed.bad)
        skip("negative_weight", parsed.invalid)
        columns["weight"] = parsed.values
        notes += parsed.notes
    if "platform" in frame:
        platform = as_text(frame["platform"]).str.strip().str.lower()
        columns["platform"] = platform.mask(platform == "")
    if "text" in frame:
        columns["text"] = as_text(frame["text"])

    rows_read = n + len(raw.malformed)
    reasons = {k: v for k, v in sorted(skipped.items()) if v}
    if not keep.any():
        why = ", ".join(f"{k}: {v}" for k, v in reasons.items())
        raise InputError(
            f"{raw.label}: all {rows_read} data rows were skipped ({why}); "
            "check the file and the column mapping (--map FIELD=COLUMN)"
        )
    table = pd.DataFrame({name: columns[name] for name in CANONICAL if name in columns})
    if not keep.all():
        table = table[keep].reset_index(drop=True)

    counts = table["kind"].value_counts()
    kinds = dict(
        sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    )
    known = {*KIND_ALIASES.values(), DEFAULT_KIND}
    unknown = [(k, v) for k, v in kinds.items() if k not in known]
    if unknown:
        shown = ", ".join(f"{k!r} ({v} row{'s' if v != 1 else ''})" for k, v in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        notes.append(f"kinds kept as given (not a known alias): {shown}{more}")
    time_min = time_max = None
    if "timestamp" in table and table["timestamp"].notna().any():
        time_min, time_max = _iso(table["timestamp"].min()), _iso(table["timestamp"].max())

    report = ReadReport(
        source=raw.label,
        format=raw.format,
        compression=raw.compression,
        sha256=raw.sha256,
        columns_found=tuple(raw.columns_found),
        mapping=dict(mapping),
        rows_read=rows_read,
        rows_kept=len(table),
        skipped=reasons,
        kinds=kinds,
        time_min=time_min,
        time_max=time_max,
        problems=tuple(notes),
    )
    return Interactions(table, report)


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.isoformat().replace("+00:00", "Z")
