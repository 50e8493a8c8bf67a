"""Which files to read, which format each one is in, and which reader reads it.

:func:`expand_inputs` turns a path, a folder, a glob or several of them into a sorted list of
files; :func:`detect_format` names a file's format from its content first (magic bytes, JSON
keys, header line) and its extension second; ``--format`` overrides the detection.
:func:`read_files` opens and checks every file before parsing any, then reads delimited,
Parquet, NodeXL, flat JSON and graph files (GML, GraphML, GEXF, Pajek, edge lists) one by
one, and the platform JSON formats (X API, Reddit, Mastodon) all their files together,
because a reply's target may sit in another file.
"""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InputError
from ..schema import header_key
from .base import RawPart, ReadOptions, SourceFile, open_source
from .delimited import LINE_END, read_delimited
from .graphfile import GRAPH_FILE_FORMATS, GRAPH_SUFFIXES, graph_file_format, read_graph_file
from .jsonio import parse_document, too_deep
from .mastodon import read_mastodon
from .nodexl import read_nodexl
from .reddit import read_reddit
from .tabular import read_json_table, read_parquet
from .xapi import read_xapi

__all__ = [
    "GROUPED",
    "LOG_SUFFIXES",
    "Detected",
    "detect_format",
    "expand_inputs",
    "read_files",
    "resolve_format",
    "sniff_json",
]

LOG_SUFFIXES = (
    ".csv", ".tsv", ".tab", ".txt", ".parquet", ".pq", ".xlsx", ".xlsm", ".json", ".jsonl",
    ".ndjson", *GRAPH_SUFFIXES,
)  # fmt: skip
"""Extensions (under any ``.gz``/``.zst``) of the files a folder contributes."""

_JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_NODEXL_HEADER = re.compile(r"(?:^|\W)vertex1(?:\W|$)")
_NODEXL_TARGET = re.compile(r"(?:^|\W)vertex2(?:\W|$)")
_HEADER_SEARCH_LINES = 10  # NodeXL puts group headings above the Edges table's header


@dataclass(frozen=True)
class Detected:
    """A file's format; ``layout`` is ``lines``/``document`` for JSON, ``header_line`` the
    0-based line (among non-blank lines) of a NodeXL CSV header."""

    format: str
    layout: str | None = None
    header_line: int = 0


def expand_inputs(data: str | os.PathLike[str] | Sequence[Any]) -> tuple[str, list[Path]]:
    """``(label, files)``: a file, a folder (its log files, sorted), a glob, or several.

    >>> expand_inputs("no/such/*.csv")
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: no file matches no/such/*.csv; check the pattern
    """
    items = [data] if isinstance(data, str | os.PathLike) else list(data)
    if not items:
        raise InputError("no input given: pass a log file, a folder or a glob")
    files: list[Path] = []
    for item in items:
        if not isinstance(item, str | os.PathLike):
            raise InputError(
                f"cannot read interactions from a {type(item).__name__}; "
                "pass a file path or a pandas DataFrame"
            )
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _log_file(p, path))
            if not found:
                raise InputError(
                    f"{text} is a directory with no log files (looked for "
                    f"{', '.join(LOG_SUFFIXES)}, optionally .gz); pass the files themselves"
                )
            files += found
        elif not path.exists() and glob.has_magic(text):
            found = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not found:
                raise InputError(f"no file matches {text}; check the pattern")
            files += found
        else:
            files.append(path)
    unique = list(dict.fromkeys(files))
    label = os.fspath(items[0]) if len(items) == 1 else ", ".join(os.fspath(i) for i in items)
    return label, unique


def _log_file(path: Path, folder: Path) -> bool:
    """A regular, non-hidden file under ``folder`` with a log extension."""
    if not path.is_file() or any(p.startswith(".") for p in path.relative_to(folder).parts):
        return False
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst"):
        suffixes.pop()
    return bool(suffixes) and suffixes[-1] in LOG_SUFFIXES


def detect_format(file: SourceFile, encoding: str = "utf-8") -> Detected:
    """The format of ``file``: by magic bytes, JSON keys or header line, then by extension."""
    head = file.head
    if head[:4] == b"PAR1" or file.suffix in (".parquet", ".pq"):
        return Detected("parquet")
    if head[:4] == b"PK\x03\x04" or file.suffix in _XLSX_SUFFIXES:
        return Detected("nodexl", layout="workbook")
    graph = graph_file_format(head, file.suffix)
    if graph is not None:
        return Detected(graph)
    start = head.lstrip()[:1]
    if start in (b"{", b"[") or file.suffix in _JSON_SUFFIXES:
        layout, first = sniff_json(file)
        return Detected(json_format(first), layout=layout)
    line = nodexl_header_line(head, encoding)
    if line is not None:
        return Detected("nodexl", header_line=line)
    return Detected("tsv" if file.suffix in (".tsv", ".tab") else "csv")


def nodexl_header_line(head: bytes, encoding: str) -> int | None:
    """The index (among non-blank lines) of a NodeXL ``Vertex 1``/``Vertex 2`` header."""
    text = head.decode(encoding, errors="replace")
    lines = [line for line in LINE_END.split(text)[: _HEADER_SEARCH_LINES * 2] if line.strip()]
    for i, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        key = header_key(line.replace("\t", ","))
        if _NODEXL_HEADER.search(key) and _NODEXL_TARGET.search(key):
            return i
    return None


def json_format(record: Any) -> str:
    """Which platform a JSON record (a page, status, comment) comes from.

    >>> json_format({"data": [], "includes": {}}), json_format({"author": "a", "parent_id": "t3_x"})
    ('xapi', 'reddit')
    >>> json_format({"account": {"acct": "a"}, "reblog": None}), json_format({"from": "a"})
    ('mastodon', 'json')
    """
    if not isinstance(record, dict):
        return "json"
    keys = set(record)
    if "data" in keys and (keys & {"includes", "meta"} or isinstance(record["data"], list)):
        return "xapi"
    if "author" in keys and keys & {"parent_id", "link_id", "subreddit"}:
        return "reddit"
    if isinstance(record.get("account"), dict) and keys & {"reblog", "mentions", "uri"}:
        return "mastodon"
    return "json"


def sniff_json(file: SourceFile) -> tuple[str, Any]:
    """``(layout, first record)``: ``lines`` (JSON Lines) or ``document`` (one JSON value)."""
    text = file.head.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    decoder = json.JSONDecoder()
    if stripped.startswith("{"):
        if "\n" in stripped or not file.truncated:
            first_line = stripped.split("\n", 1)[0]
        else:  # one long first line (an API page): read on to its end
            first_line = file.first_line().decode("utf-8", errors="replace").strip("\ufeff \r\t")
        try:
            return "lines", json.loads(first_line)
        except json.JSONDecodeError:
            pass  # a pretty-printed document, or a bad first line
        except RecursionError:
            raise too_deep(file.label, " line 1") from None
    if stripped.startswith("["):
        try:
            element, _ = decoder.raw_decode(stripped, len(stripped) - len(stripped[1:].lstrip()))
            return "document", element
        except json.JSONDecodeError:
            if not file.truncated and stripped[1:].lstrip().startswith("]"):
                return "document", None
        except RecursionError:
            raise too_deep(file.label) from None
    if not stripped.startswith(("{", "[")):
        return "lines", None  # a .json file that is not JSON: the reader names the line
    content = text if not file.truncated else file.read_all().decode("utf-8", errors="replace")
    value = parse_document(content, file.label)
    first = value[0] if isinstance(value, list) and value else value
    return "document", first


# ------------------------------------------------------------------------------- readers


GROUPED: dict[str, Callable[[list[tuple[SourceFile, str | None]], ReadOptions], RawPart]] = {
    "xapi": read_xapi,
    "reddit": read_reddit,
    "mastodon": read_mastodon,
}
"""Formats whose files are read together, and their readers."""


def resolve_format(file: SourceFile, opts: ReadOptions) -> Detected:
    """The detected format of ``file``, or ``opts.format`` when given (with its layout)."""
    fmt = opts.format
    if fmt is None:
        return detect_format(file, opts.encoding)
    if fmt in ("xapi", "reddit", "mastodon", "json"):
        return Detected(fmt, layout=sniff_json(file)[0])
    if fmt == "nodexl":
        if file.head[:4] == b"PK\x03\x04" or file.suffix in (".xlsx", ".xlsm"):
            return Detected("nodexl", layout="workbook")
        return Detected("nodexl", header_line=nodexl_header_line(file.head, opts.encoding) or 0)
    return Detected(fmt)


def read_files(paths: list[Path], opts: ReadOptions) -> list[RawPart]:
    """One raw part per file, or per platform-JSON format; in the order of ``paths``."""
    files = [open_source(p) for p in paths]
    plan = [(f, resolve_format(f, opts)) for f in files]
    parts: list[RawPart | str] = []
    groups: dict[str, list[tuple[SourceFile, str | None]]] = {}
    for file, det in plan:
        if det.format in GROUPED:
            if det.format not in groups:
                parts.append(det.format)  # placeholder: the group's place in the order
            groups.setdefault(det.format, []).append((file, det.layout))
        else:
            parts.append(_read_one(file, det, opts))
    return [GROUPED[p](groups[p], opts) if isinstance(p, str) else p for p in parts]


def _read_one(file: SourceFile, det: Detected, opts: ReadOptions) -> RawPart:
    if det.format == "parquet":
        return read_parquet(file, opts)
    if det.format == "nodexl":
        return read_nodexl(file, opts, layout=det.layout, header_line=det.header_line)
    if det.format == "json":
        return read_json_table(file, opts, det.layout)
    if det.format in GRAPH_FILE_FORMATS:
        return read_graph_file(file, opts, det.format)
    return read_delimited(file, opts, fmt=det.format)
