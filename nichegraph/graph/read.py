"""Read interaction logs — files of any supported format, or a DataFrame — into the canonical table.

:func:`read_interactions` is the only entry point. It expands folders and globs, detects each
file's format (:mod:`nichegraph.graph.formats`: CSV/TSV with or without a header, Parquet,
NodeXL, X API v2, Reddit, Mastodon, flat JSON), lets the format's reader turn it into raw
canonical columns, then validates and normalises every column with vectorised pandas/Arrow
operations, skips bad rows with a count per reason, and returns the table with a
:class:`ReadReport` of what it found (it goes into ``run.json`` and ``nichegraph inspect``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._options import make_options
from .._repr import short_repr
from ..errors import InputError
from .cells import arrow_strings, distinct_cleaned, may_hold_byte, stripped
from .columns import TIME_DTYPE
from .formats import PLATFORMS, RawPart, ReadOptions, expand_inputs, from_frame, read_files
from .identity import IdentityReport, PeopleTable, load_people, merge_identities
from .schema import (
    CANONICAL,
    DEFAULT_KIND,
    KIND_ALIASES,
    as_text,
    normalise_kind,
    parse_timestamps,
    parse_weights,
)

__all__ = ["SKIP_REASONS", "Interactions", "ReadReport", "read_interactions"]

SKIP_REASONS = (
    "malformed_row",
    "duplicate_record",
    "deleted_author",
    "deleted_target",
    "parent_missing",
    "unresolved_user",
    "unresolved_tweet",
    "empty_source",
    "empty_target",
    "bad_timestamp",
    "bad_weight",
    "negative_weight",
)
"""Why a row can be skipped; a row is counted once, under the first reason that applies.

The first seven come from the format readers (a record seen twice; a deleted author or
parent author; a parent, user or tweet the input does not contain), the rest from the
checks every input goes through."""


@dataclass(frozen=True)
class ReadReport:
    """What was read: detected format, column mapping, counts. JSON-ready via :meth:`to_dict`.

    ``files`` has one entry per file read (path, format, compression, sha256, records);
    with several files, ``format``/``compression`` are ``mixed`` when they differ and
    ``sha256`` fingerprints the files' digests in order.
    """

    __repr__ = short_repr

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
    files: tuple[dict[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-serialisable dict (tuples become lists)."""
        out = asdict(self)
        out["columns_found"] = list(self.columns_found)
        out["problems"] = list(self.problems)
        out["files"] = [dict(f) for f in self.files]
        return out


@dataclass(frozen=True)
class Interactions:
    """The canonical interaction table (columns present, in ``CANONICAL`` order) and its report.

    ``identity`` says what a people table merged (``read_interactions(..., people=...)``).
    """

    __repr__ = short_repr

    table: pd.DataFrame
    report: ReadReport
    identity: IdentityReport | None = None


def read_interactions(
    data: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
    options: ReadOptions | None = None,
    *,
    people: str | os.PathLike[str] | pd.DataFrame | PeopleTable | None = None,
    **kw: Any,
) -> Interactions:
    """Read an interaction log into the canonical table.

    ``data`` is a file path, a folder (its log files), a glob (``"logs/*.jsonl.gz"``), a list
    of these (read as one log, formats may differ), or a pandas DataFrame. Formats are
    detected from content and extension (the options are a :class:`ReadOptions` or its fields as
    keywords; keywords win): CSV/TSV, Parquet, NodeXL (``.xlsx`` Edges sheet or
    CSV export), X API v2 pages, Reddit and Mastodon JSON, flat JSON records; any of them
    gzip- or zstd-compressed. ``format`` overrides the detection (one of
    :data:`~nichegraph.graph.formats.FORMATS`). ``mapping`` names columns for canonical fields
    (``{"source": "from_user"}``); other fields are recognised from common header names.
    ``sep`` overrides the separator; ``header=False`` reads a file without a header line whose
    fields ``columns`` names in order (``"source,target,timestamp,kind"``, ``-`` to ignore
    one); ``encoding`` is the text encoding of delimited input. ``kind_aliases`` extends the
    kind table (``{"QT": "quote"}`` or ``["QT=quote"]``). ``people`` (a people table: file or
    DataFrame with ``person``, ``platform``, ``handle``) merges each person's handles into one
    node, reported in ``.identity`` (:mod:`nichegraph.graph.identity`). Numeric dates
    (``28/06/2026``) are read in one order per column: ``dayfirst=True``/``False`` forces it,
    ``None`` lets the column's values settle it (:func:`~nichegraph.graph.columns.date_order`).

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
    opts = make_options(ReadOptions, options, **kw)
    table = None if people is None else load_people(people)  # validated before the log is read
    if isinstance(data, pd.DataFrame):
        label, parts = "<DataFrame>", [from_frame(data, opts)]
    elif isinstance(data, str | os.PathLike | list | tuple):
        label, paths = expand_inputs(data)
        parts = read_files(paths, opts)
    else:
        raise InputError(
            f"cannot read interactions from a {type(data).__name__}; "
            "pass a file path or a pandas DataFrame"
        )
    if opts.kind_aliases:
        _check_aliases_used(opts.kind_aliases, parts)
    done = [_canonicalise(part, opts) for part in parts]
    known = {*KIND_ALIASES.values(), DEFAULT_KIND, *opts.kind_aliases.values()}
    inter = _combine(label, done, known)
    return inter if table is None else merge_identities(inter, table)


# ------------------------------------------------------------------------- canonicalisation


def _check_aliases_used(aliases: Mapping[str, str], parts: list[RawPart]) -> None:
    """Each ``--kind-alias CODE=KIND``: CODE occurs in the log's kinds, and KIND is a kind
    nichegraph knows or one the log holds; else the alias would silently do nothing."""
    raw: set[str] = set()
    for part in parts:
        if "kind" in part.frame:
            raw.update(as_text(part.frame["kind"]).dropna().str.strip().str.lower().unique())
    present = sorted(set(normalise_kind(pd.Series(sorted(raw), dtype="str"))) | raw)
    known = sorted({*KIND_ALIASES.values(), DEFAULT_KIND})
    for code, kind in aliases.items():
        if code not in raw:
            holds = f"kinds present: {', '.join(present)}" if raw else "it has no kind column"
            raise InputError(f"--kind-alias {code}={kind}: the log has no kind {code!r}; {holds}")
        if kind not in known and kind not in present:
            raise InputError(
                f"--kind-alias {code}={kind}: {kind!r} is not a kind; use one of "
                f"{', '.join(known)}, or a kind present: {', '.join(present)}"
            )


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


def _canonicalise(raw: RawPart, opts: ReadOptions) -> Interactions:
    frame, mapping, notes = raw.frame, raw.mapping, list(raw.notes)
    n = len(frame)
    rows = _Rows(raw.malformed)
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    for reason, count in raw.skipped.items():
        skipped[reason] = skipped.get(reason, 0) + count
    skipped["malformed_row"] += len(raw.malformed)
    keep = np.ones(n, dtype=bool)

    def skip(reason: str, mask: np.ndarray) -> None:
        skipped[reason] += int(np.count_nonzero(keep & mask))
        keep[mask] = False

    columns: dict[str, pd.Series] = {}
    text_of = {
        name: _without_nul(as_text(frame[name]), mapping.get(name, name), notes)
        for name in ("source", "target", "kind", "platform", "text")
        if name in frame
    }
    for name in ("source", "target"):
        values = stripped(text_of[name])
        skip(f"empty_{name}", (values.isna() | (values == "")).to_numpy(dtype=bool))
        columns[name] = values
    columns["kind"] = (
        normalise_kind(text_of["kind"], opts.kind_aliases)
        if "kind" in frame
        else pd.Series(DEFAULT_KIND, index=frame.index, dtype="str")
    )
    if "timestamp" in frame:
        parsed = parse_timestamps(
            frame["timestamp"],
            column=mapping["timestamp"],
            row_number=rows.number,
            dayfirst=opts.dayfirst,
            default_order=raw.dayfirst,
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
        columns["platform"] = _platforms(text_of["platform"])
    elif raw.format in PLATFORMS:
        columns["platform"] = pd.Series(PLATFORMS[raw.format], index=frame.index, dtype="str")
        notes.append(f"platform {PLATFORMS[raw.format]!r} filled in from the format")
    if "text" in frame:
        columns["text"] = text_of["text"]

    rows_read = n + len(raw.malformed) + sum(raw.skipped.values())
    reasons = {k: v for k, v in sorted(skipped.items()) if v}
    if not keep.any():
        why = ", ".join(f"{k}: {v}" for k, v in reasons.items()) or "no rows"
        raise InputError(
            f"{raw.label}: all {rows_read} data rows were skipped ({why}); "
            "check the file and the column mapping (--map FIELD=COLUMN)"
        )
    table = pd.DataFrame({name: columns[name] for name in CANONICAL if name in columns})
    if not keep.all():
        table = table[keep].reset_index(drop=True)
    report = ReadReport(
        source=raw.label,
        format=raw.format,
        compression=raw.compression,
        sha256=raw.files[0]["sha256"] if len(raw.files) == 1 else _fingerprint(raw.files),
        columns_found=tuple(raw.columns_found),
        mapping=dict(mapping),
        rows_read=rows_read,
        rows_kept=len(table),
        skipped=reasons,
        kinds={},
        time_min=None,
        time_max=None,
        problems=tuple(notes),
        files=tuple(raw.files),
    )
    return Interactions(table, report)


def _without_nul(values: pd.Series, column: str, notes: list[str]) -> pd.Series:
    """``values`` with NUL characters removed (they are never part of a handle or a kind and
    would go raw into the output files); the cells changed are counted in ``notes``."""
    arr = arrow_strings(values)
    if arr is not None and not may_hold_byte(arr, 0):
        return values
    has_nul = values.str.contains("\x00", regex=False, na=False)
    n = int(has_nul.sum())
    if not n:
        return values
    notes.append(f"{n} value(s) in column {column!r} held NUL characters; they were removed")
    return values.str.replace("\x00", "", regex=False)


def _platforms(text: pd.Series) -> pd.Series:
    """Platform names stripped and lower-cased, empty ones missing; ``text`` itself when no
    distinct value would change (a log names a handful of platforms)."""
    arr = arrow_strings(text)
    if arr is not None and all(name and name == c for name, c in distinct_cleaned(arr)):
        return text
    platform = text.str.strip().str.lower()
    return platform.mask(platform == "")


def _combine(label: str, parts: list[Interactions], known: set[str]) -> Interactions:
    """One table and report from the parts (several files), with kinds and dates counted."""
    reports = [p.report for p in parts]
    if len(parts) == 1:
        table, first = parts[0].table, reports[0]
        notes = list(first.problems)
    else:
        table = pd.concat([_aligned(p.table, parts) for p in parts], ignore_index=True)
        first = reports[0]
        notes = [f"{r.source}: {note}" for r in reports for note in r.problems]
    if len(parts) == 1:
        files = reports[0].files
    else:  # each file says how it was mapped
        files = tuple({**f, "mapping": r.mapping} for r in reports for f in r.files)
    counts = table["kind"].value_counts()
    kinds = dict(
        sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    )
    unknown = [(k, v) for k, v in kinds.items() if k not in known]
    if unknown:
        shown = ", ".join(f"{k!r} ({v} row{'s' if v != 1 else ''})" for k, v in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        notes.append(f"kinds kept as given (not a known alias): {shown}{more}")
    time_min = time_max = None
    if "timestamp" in table and table["timestamp"].notna().any():
        time_min, time_max = _iso(table["timestamp"].min()), _iso(table["timestamp"].max())
    skipped: dict[str, int] = {}
    for r in reports:
        for k, v in r.skipped.items():
            skipped[k] = skipped.get(k, 0) + v
    report = ReadReport(
        source=label if len(parts) > 1 or len(files) > 1 else first.source,
        format=_same([r.format for r in reports]),
        compression=_same([r.compression for r in reports]),
        sha256=first.sha256 if len(files) <= 1 else _fingerprint(list(files)),
        columns_found=tuple(dict.fromkeys(c for r in reports for c in r.columns_found)),
        mapping=_same([r.mapping for r in reports], different={}),
        rows_read=sum(r.rows_read for r in reports),
        rows_kept=len(table),
        skipped=dict(sorted(skipped.items())),
        kinds=kinds,
        time_min=time_min,
        time_max=time_max,
        problems=tuple(notes),
        files=files if first.format != "dataframe" else (),
    )
    return Interactions(table, report)


def _aligned(table: pd.DataFrame, parts: list[Interactions]) -> pd.DataFrame:
    """``table`` with every column any part has (typed empty cells where it has none)."""
    present = {c for p in parts for c in p.table.columns}
    out = {}
    for name in CANONICAL:
        if name not in present:
            continue
        if name in table:
            out[name] = table[name]
        elif name == "timestamp":
            out[name] = pd.Series(pd.NaT, index=table.index, dtype=TIME_DTYPE)
        elif name == "weight":
            out[name] = pd.Series(1.0, index=table.index, dtype="float64")
        else:
            out[name] = pd.Series(np.nan, index=table.index, dtype="str")
    return pd.DataFrame(out)


def _same(values: list[Any], different: Any = "mixed") -> Any:
    """The value all parts share, else ``different``."""
    return values[0] if all(v == values[0] for v in values) else different


def _fingerprint(files: list[dict[str, Any]]) -> str:
    digests = "\n".join(str(f["sha256"]) for f in files)
    return hashlib.sha256(digests.encode()).hexdigest()


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.isoformat().replace("+00:00", "Z")
