"""Delimited text logs (CSV, TSV, any one-character separator), with or without a header.

Arrow parses the file (only the columns used, every cell as text); rows with the wrong
number of fields are skipped and counted. Without a header line (``header=False``), the
fields are named by ``columns`` in order, e.g. SNAP's Higgs activity log::

    nichegraph run higgs-activity_time.txt.gz --sep ' ' --no-header \\
        --columns source,target,timestamp,kind -o runs/higgs
"""

from __future__ import annotations

import codecs
import csv
import re
import zlib
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from ...errors import InputError
from ..schema import header_key
from .base import (
    HEAD_BYTES,
    IGNORED,
    RawPart,
    ReadOptions,
    SourceFile,
    growing_blocks,
    reason,
    resolve_mapping,
)

__all__ = ["LINE_END", "choose_separator", "read_delimited"]

_BLOCK_BYTES = 1 << 23  # Arrow's first CSV block; grown when a single row does not fit
LINE_END = re.compile(r"\r\n|\r|\n")  # old Mac exports end lines with CR alone
_NUMBER = re.compile(r"^\s*[+-]?\d+(\.\d+)?\s*$")


def read_delimited(
    file: SourceFile,
    opts: ReadOptions,
    *,
    fmt: str = "csv",
    header_line: int = 0,
    extras: Mapping[str, tuple[str, ...]] | None = None,
) -> RawPart:
    """Read a delimited text file into a :class:`RawPart` of canonical columns.

    ``header_line`` is the 0-based index, among non-blank lines, of the header (NodeXL writes
    group headings above it). ``extras`` asks for more columns by header name, e.g.
    ``{"_urls": ("urls in tweet",)}``; they come as frame columns of those names.
    """
    encoding = opts.encoding
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    text = decoder.decode(file.head, final=not file.truncated)
    lines = LINE_END.split(text)  # the line ends Arrow knows
    nonblank = [i for i, line in enumerate(lines) if line]
    if not nonblank:
        raise InputError(
            f"{file.label} is empty: expected a header line and at least one interaction row"
        )
    first = nonblank[min(header_line, len(nonblank) - 1)]
    header = lines[first].lstrip("\ufeff")
    if any("\udc80" <= char <= "\udcff" for char in header):
        raise bad_text(file, encoding)
    sep = choose_separator(opts.sep, "tsv" if fmt == "tsv" else file.suffix, header)
    fields = [c.strip() for c in next(csv.reader([header], delimiter=sep), [])]
    notes: list[str] = []
    if header_line:
        notes.append(f"{header_line} line(s) above the header skipped (NodeXL group headings)")
    if opts.columns is not None:
        if len(opts.columns) != len(fields):
            what = "header" if opts.header else "first line"
            raise InputError(
                f"--columns names {len(opts.columns)} fields but the {what} of {file.label} "
                f"has {len(fields)} (separator {sep!r}): {header[:80]!r}; name every field, "
                "'-' for those to ignore"
            )
        names = list(opts.columns)
        if opts.header:
            notes.append(f"header line replaced by --columns: {', '.join(fields)}")
    else:
        names = fields
    skip_rows = first + 1 if opts.header else first
    hint = "" if not opts.header else _hints(names, sep)
    resolved = resolve_mapping(names, opts.mapping, file.label, hint=hint)
    positions = resolved.positions(names)
    keys = [header_key(n) for n in names]
    for name, wanted in (extras or {}).items():
        found = next((i for i, k in enumerate(keys) if k in map(header_key, wanted)), None)
        if found is not None and found not in positions.values():
            positions[name] = found
    internal = [f"c{i}" for i in range(len(names))]
    malformed: list[int] = []

    def on_invalid(row: Any) -> str:
        malformed.append(-1 if row.number is None else row.number - skip_rows)
        return "skip"

    kind = "TSV" if sep == "\t" else "CSV"
    packed = f"{file.compression}-compressed " if file.compression else ""
    what = f"{file.label} could not be read as {packed}{kind}"

    def parse(block: int, threads: bool = True) -> pa.Table:
        malformed.clear()
        return pacsv.read_csv(
            file.open(),
            read_options=pacsv.ReadOptions(
                column_names=internal,
                skip_rows=skip_rows,
                use_threads=threads,  # blocks parsed on every core; no row numbers for bad rows
                block_size=block,
                encoding="utf8" if encoding == "utf-8" else encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(internal, pa.string()),
                include_columns=[internal[i] for i in positions.values()],
                strings_can_be_null=False,
            ),
        )

    try:
        table = growing_blocks(parse, _BLOCK_BYTES, file.label)
        if malformed:  # read again on one thread, which numbers the rows it skips
            table = growing_blocks(lambda block: parse(block, False), _BLOCK_BYTES, file.label)
    except UnicodeDecodeError:
        raise bad_text(file, encoding) from None
    except (pa.ArrowException, OSError, EOFError, zlib.error) as exc:
        if "utf8" in str(exc).lower():
            raise bad_text(file, encoding) from None
        raise InputError(f"{what}: {reason(exc)}") from None
    if table.num_rows == 0 and not malformed:
        raise InputError(
            f"{file.label} has a header but no data rows"
            if opts.header
            else f"{file.label} has no data rows"
        )
    frame = table.to_pandas()
    frame.columns = list(positions)
    name = fmt if fmt not in ("csv", "tsv") else ("tsv" if sep == "\t" else "csv")
    info = file.info(name, sep=sep, header=opts.header, records=table.num_rows + len(malformed))
    return RawPart(
        file.label, name, [info], names, resolved.mapping, frame, sorted(malformed),
        notes + resolved.notes,
    )  # fmt: skip


def choose_separator(sep: str | None, suffix: str, header: str) -> str:
    """``sep`` if given, else by extension, else the most frequent of tab, comma, semicolon
    in the header line, else a space if it has one.

    >>> choose_separator(None, ".txt", "a b 12 RT"), choose_separator(None, ".txt", "a;b")
    (' ', ';')
    """
    if sep is not None:
        return sep
    if suffix == ".csv":
        return ","
    if suffix in (".tsv", ".tab", "tsv"):
        return "\t"
    counts = {c: header.count(c) for c in ("\t", ",", ";")}
    best = max(counts, key=lambda c: counts[c])  # ties keep the first: tab, comma, semicolon
    if counts[best]:
        return best
    return " " if " " in header.strip() else ","


def _hints(columns: list[str], sep: str) -> str:
    """What to try when the header names no source/target column."""
    if len(columns) == 1:
        for char, name in ((";", ";"), ("\t", "\\t"), (",", ","), ("|", "|")):
            if char in columns[0]:
                return f", or pass --sep '{name}' if the file is {name!r}-separated"
    if any(_NUMBER.match(c) for c in columns if c not in IGNORED):
        return (
            ", or, if the first line is data, pass --no-header --columns with one name per "
            f"field ({len(columns)}), e.g. --columns source,target,timestamp,kind"
        )
    return ""


def bad_text(file: SourceFile, encoding: str) -> InputError:
    """The error for undecodable text, naming the offset of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset, fed = None, 0
    with file.open() as f:
        while offset is None:
            chunk = f.read(HEAD_BYTES)
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
