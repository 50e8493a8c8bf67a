"""What every format reader shares: the read options, an opened input file, the raw part.

A reader turns one input (or, for platform JSON, every file of its format at once) into a
:class:`RawPart`: a frame whose columns carry canonical names and raw values, the rows it
already skipped (counted by reason), the mapping it applied and notes. The canonicaliser in
:mod:`nichegraph.graph.read` then validates every part the same way.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import shutil
import tempfile
import weakref
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa

from ...errors import InputError
from ..schema import CANONICAL, REQUIRED, match_headers, parse_kind_aliases

__all__ = [
    "FORMATS",
    "PLATFORMS",
    "RawPart",
    "ReadOptions",
    "Resolved",
    "SourceFile",
    "check_mapping",
    "growing_blocks",
    "listing",
    "open_source",
    "reason",
    "renamed_columns",
    "resolve_mapping",
]

FORMATS: tuple[str, ...] = (
    "csv",
    "tsv",
    "parquet",
    "nodexl",
    "xapi",
    "reddit",
    "mastodon",
    "json",
    "gml",
    "graphml",
    "gexf",
    "pajek",
    "edgelist",
)
"""Format names accepted by ``format=`` / ``--format`` (``csv`` covers any separator)."""

PLATFORMS: dict[str, str] = {
    "nodexl": "twitter",
    "xapi": "twitter",
    "reddit": "reddit",
    "mastodon": "mastodon",
}
"""The ``platform`` a format implies, filled in where the input has no platform column."""

_MAGIC = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}
HEAD_BYTES = 1 << 16  # enough for a header line; kept for every file of a folder
IGNORED = ("-", "_", "")  # --columns names of fields to ignore
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class ReadOptions:
    """How to read a log (the keywords of :func:`~nichegraph.read_interactions`), checked when
    made: every bad value raises :class:`InputError` naming the option, before any reading.

    >>> ReadOptions(sep="\\t", header=False, columns="source,target").columns
    ('source', 'target')
    """

    format: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    sep: str | None = None
    encoding: str = "utf-8"
    header: bool = True
    columns: tuple[str, ...] | None = None
    kind_aliases: dict[str, str] = field(default_factory=dict)
    dayfirst: bool | None = None  # numeric dates: None = decided per column from its values

    def __post_init__(self) -> None:
        fmt, sep = self.format, self.sep
        if fmt is not None:
            fmt = str(fmt).strip().lower()
            if fmt not in FORMATS:
                raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        if sep is not None:
            sep = {"\\t": "\t", "tab": "\t", "space": " "}.get(sep, sep)
            if len(sep) != 1:
                raise InputError(f"sep must be a single character, got {sep!r}; e.g. ';'")
        try:
            encoding = codecs.lookup(self.encoding).name
        except (LookupError, TypeError):
            raise InputError(
                f"encoding {self.encoding!r} is not a known text encoding; pass a Python codec "
                "name such as utf-8 or latin-1"
            ) from None
        names = _check_columns(self.columns)
        if not self.header and names is None:
            raise InputError(
                "header=False needs columns naming the fields in order, e.g. "
                "columns=source,target,timestamp,kind"
            )
        set_ = object.__setattr__
        set_(self, "format", fmt)
        set_(self, "sep", sep)
        set_(self, "encoding", encoding)
        set_(self, "header", bool(self.header))
        set_(self, "columns", names)
        set_(self, "mapping", check_mapping(self.mapping))
        set_(self, "kind_aliases", parse_kind_aliases(self.kind_aliases))
        set_(self, "dayfirst", None if self.dayfirst is None else bool(self.dayfirst))

    @classmethod
    def make(cls, **options: Any) -> ReadOptions:
        """``ReadOptions(**options)`` (kept for callers of the former constructor)."""
        return cls(**options)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for ``run.json``)."""
        out = asdict(self)
        out["columns"] = list(self.columns) if self.columns is not None else None
        return out


def _check_columns(columns: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if columns is None:
        return None
    items = columns.split(",") if isinstance(columns, str) else list(columns)
    names = tuple(str(c).strip() for c in items)
    if not names or all(n in IGNORED for n in names):
        raise InputError(
            f"columns {columns!r} names no field; give one name per field, e.g. "
            "columns=source,target,timestamp,kind ('-' for a field to ignore)"
        )
    named = [n for n in names if n not in IGNORED]
    twice = sorted({n for n in named if named.count(n) > 1})
    if twice:
        raise InputError(
            f"columns {','.join(names)}: {twice[0]!r} is named twice; name each field once "
            "('-' for fields to ignore)"
        )
    return names


# ---------------------------------------------------------------------------- input files


@dataclass(frozen=True)
class SourceFile:
    """One input file: its path, compression (by magic bytes), fingerprint and first bytes."""

    path: Path
    compression: str | None
    suffix: str  # lower-case extension under any .gz/.zst
    sha256: str
    head: bytes  # the first HEAD_BYTES of the decompressed content
    name: str | None = None  # the path given, when ``path`` is a copy of a pipe's content

    @property
    def label(self) -> str:
        return self.name if self.name is not None else str(self.path)

    @property
    def truncated(self) -> bool:
        """Whether ``head`` is only the start of the content."""
        return len(self.head) >= HEAD_BYTES

    def open(self) -> pa.NativeFile:
        """The file's (decompressed) bytes as a stream."""
        return pa.input_stream(str(self.path), compression=self.compression)

    def first_line(self, limit: int = 1 << 28) -> bytes:
        """The content up to its first newline (an API page on one line can be large)."""
        if b"\n" in self.head or not self.truncated:
            return self.head.split(b"\n", 1)[0]
        parts, size = [self.head], len(self.head)
        with self.open() as f:
            f.read(len(self.head))
            while size < limit and (chunk := f.read(1 << 20)):
                parts.append(chunk.split(b"\n", 1)[0])
                size += len(chunk)
                if b"\n" in chunk:
                    break
        return b"".join(parts)

    def read_all(self) -> bytes:
        """The whole decompressed content (for small documents: JSON pages, workbooks)."""
        try:
            with self.open() as f:
                return f.read()
        except (pa.ArrowException, OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{self.label} could not be read: {reason(exc)}") from None

    def info(self, fmt: str, **extra: Any) -> dict[str, Any]:
        """The file's entry in :attr:`ReadReport.files`."""
        return {"path": self.label, "format": fmt, "compression": self.compression,
                "sha256": self.sha256, **extra}  # fmt: skip


def open_source(path: Path) -> SourceFile:
    """Check that ``path`` is a readable, non-empty file and sniff its compression.

    >>> open_source(Path("no/such.csv"))
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: file not found: no/such.csv
    """
    if not path.exists():
        raise InputError(f"file not found: {path}")
    data = path if path.is_file() else _spool(path)  # a FIFO or <(zcat log.gz) is read once
    try:
        return _inspect(path, data)
    except BaseException:
        if data != path:
            data.unlink(missing_ok=True)
        raise


def _inspect(path: Path, data: Path) -> SourceFile:
    """The :class:`SourceFile` of ``path`` whose bytes are in ``data`` (itself or a spool)."""
    label = str(path)
    empty = f"{label} is empty: expected a header line and at least one interaction row"
    try:
        if data.stat().st_size == 0:
            raise InputError(empty)
        with data.open("rb") as f:
            magic = f.read(4)
            f.seek(0)
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(f"{label} cannot be read: {reason(exc)}; check its permissions") from None
    compression = _MAGIC.get(magic[:2]) or _MAGIC.get(magic)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst"):
        suffixes.pop()
    try:
        with pa.input_stream(str(data), compression=compression) as f:
            head = f.read(HEAD_BYTES)
    except (pa.ArrowException, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{label} is not a readable {compression} file: {reason(exc)}") from None
    if not head.strip():
        raise InputError(empty)
    source = SourceFile(data, compression, suffixes[-1] if suffixes else "", digest, head,
                        name=None if data == path else label)  # fmt: skip
    if data != path:  # the spool goes when the reading is done
        weakref.finalize(source, data.unlink, missing_ok=True)
    return source


def _spool(path: Path) -> Path:
    """A pipe's whole content in a temporary file (formats are sniffed, then read again)."""
    fd, name = tempfile.mkstemp(prefix="nichegraph-", suffix=".spool")
    try:
        with os.fdopen(fd, "wb") as out, path.open("rb") as pipe:
            shutil.copyfileobj(pipe, out, 1 << 20)
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise InputError(f"{path} cannot be read: {reason(exc)}") from None
    return Path(name)


# ------------------------------------------------------------------------------- raw parts


@dataclass
class RawPart:
    """An input after format handling: canonical column names, raw values, provenance."""

    label: str
    format: str
    files: list[dict[str, Any]]
    columns_found: list[str]
    mapping: dict[str, str]
    frame: pd.DataFrame
    malformed: list[int] = field(default_factory=list)  # 1-based data rows the parser rejected
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # rows skipped by the reader itself
    dayfirst: bool | None = None  # the format's date order when a column does not settle it

    @property
    def compression(self) -> str | None:
        kinds = {f["compression"] for f in self.files}
        return kinds.pop() if len(kinds) == 1 else "mixed"


# -------------------------------------------------------------------------- column mapping


def check_mapping(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """``{field: column}`` with known canonical fields and non-empty column names."""
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


@dataclass
class Resolved:
    """The columns chosen for each canonical field, and notes on ambiguities."""

    mapping: dict[str, str]
    notes: list[str]

    def positions(self, columns: list[str]) -> dict[str, int]:
        return {f: columns.index(c) for f, c in self.mapping.items()}


def resolve_mapping(
    columns: list[str], explicit: dict[str, str], label: str, *, hint: str = ""
) -> Resolved:
    """Explicit ``--map`` choices, then recognised headers; both required fields or an error."""
    chosen: dict[str, str] = {}
    for field_, wanted in explicit.items():
        column = find_column(columns, wanted)
        if column is None:
            raise InputError(
                f"--map {field_}={wanted}: no column {wanted!r} in {label}; "
                f"columns found: {listing(columns)}"
            )
        other = next((f for f, c in chosen.items() if c == column), None)
        if other is not None:
            raise InputError(
                f"--map {field_}={wanted}: column {column!r} is already mapped to {other}; "
                "each column can fill one field only"
            )
        chosen[field_] = column
    usable = [c for c in columns if c not in IGNORED]
    auto, notes = match_headers(usable, skip_fields=chosen, skip_columns=chosen.values())
    chosen.update(auto)
    missing = [f for f in REQUIRED if f not in chosen]
    if missing:
        what = " and no ".join(repr(f) for f in missing)
        how = " ".join(f"--map {f}=COLUMN" for f in missing)
        raise InputError(
            f"{label} has no {what} column; columns found: {listing(columns)}; "
            f"name {'it' if len(missing) == 1 else 'them'} with {how}{hint}"
        )
    twice = next((c for c in chosen.values() if columns.count(c) > 1), None)
    if twice is not None:
        raise InputError(
            f"{label} has {columns.count(twice)} columns named {twice!r}; rename them so each "
            "name is used once (or name the fields with --columns, '-' for those to ignore)"
        )
    return Resolved({f: chosen[f] for f in CANONICAL if f in chosen}, notes)


def find_column(columns: list[str], wanted: str) -> str | None:
    """``wanted`` among ``columns``: exactly, else stripped, else ignoring case."""
    for candidate in (wanted, wanted.strip()):
        if candidate in columns:
            return candidate
    folded = [c for c in columns if c.strip().casefold() == wanted.strip().casefold()]
    return folded[0] if folded else None


def listing(columns: Sequence[str], limit: int = 20) -> str:
    """Column names for a message, at most ``limit`` of them.

    >>> listing(["a", "b", "c"], limit=2)
    'a, b, … (1 more)'
    """
    shown = ", ".join(columns[:limit]) if columns else "(none)"
    return shown + (f", … ({len(columns) - limit} more)" if len(columns) > limit else "")


MAX_BLOCK_BYTES = 1 << 30  # the largest single row or JSON line read (Arrow blocks grow to it)


def growing_blocks(parse: Callable[[int], T], block: int, label: str) -> T:
    """``parse(block_size)``, again with 4x the block while Arrow says one row or line did
    not fit in a block (a 20 MB cell is the file's business, not the user's)."""
    while True:
        try:
            return parse(block)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc):
                raise
            if block >= MAX_BLOCK_BYTES:
                raise InputError(
                    f"{label} has a row or line longer than {MAX_BLOCK_BYTES >> 20} MB "
                    "(an unclosed quote?); check the file around its largest record"
                ) from None
            block *= 4


def reason(exc: BaseException) -> str:
    """An exception's message on one line, at most 300 characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def renamed_columns(stored: list[str], opts: ReadOptions, label: str) -> list[str]:
    """``--columns`` in place of a table's own column names (one name per column)."""
    if opts.columns is None:
        return stored
    if len(opts.columns) != len(stored):
        raise InputError(
            f"--columns names {len(opts.columns)} fields but {label} has {len(stored)} "
            "columns; name every column, '-' for those to ignore"
        )
    return list(opts.columns)
