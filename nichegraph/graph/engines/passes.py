"""Write DuckDB's edge table in passes over ranges of sources, each pass within the memory limit.

DuckDB's hash aggregation spills to disk, but not all of it: at 100M rows and ~46M ties it ran
out of memory within 1 GB (DuckDB 2.0.1). So when the ties (estimated with a HyperLogLog while
the log is counted) would not fit, the sources are cut into ranges holding equal numbers of rows
and each range is aggregated by its own query and written, sorted, as its own part file
(``part-00000.parquet``, ``part-00001.parquet``, ...). The ranges follow name order, so the parts
read in order are the whole table sorted by ``(source, target)`` — the same rows whatever the
number of passes — and the part layout depends only on the log and the memory limit.
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "BYTES_PER_TIE", "MAX_TIES_PER_PART", "clear_parts", "memory_bytes", "plan_passes",
    "source_bounds", "write_passes",
]  # fmt: skip

BYTES_PER_TIE = 400
"""Memory budget of one tie in a pass: DuckDB's aggregation and sort of 1.8M ties (six kinds,
first/last time, 2 threads) peaked at ~290 bytes per tie above the process's baseline; the
rest leaves room for the scan's buffers and a skewed range."""

MAX_TIES_PER_PART = 8_000_000
"""Ties per part even when memory allows more, so the part layout of a large table does not
depend on the memory limit."""

_UNITS = {"": 1, "B": 1, "BYTES": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}  # fmt: skip


def memory_bytes(setting: str) -> int:
    """Bytes of a DuckDB memory setting as it prints it (``'953.6 MiB'``, ``'1GB'``).

    >>> memory_bytes("953.6 MiB"), memory_bytes("1GB")
    (999922073, 1000000000)
    """
    found = re.fullmatch(r"\s*([\d.]+)\s*([A-Za-z]*)\s*", setting)
    if not found or found.group(2).upper() not in _UNITS:
        raise ValueError(f"not a memory size: {setting!r}")
    return int(float(found.group(1)) * _UNITS[found.group(2).upper()])


def plan_passes(ties: int, limit: int) -> int:
    """Passes for about ``ties`` ties within ``limit`` bytes of DuckDB memory.

    >>> plan_passes(46_000_000, 10**9), plan_passes(50_000, 10**9)
    (19, 1)
    """
    per_pass = max(1, min(MAX_TIES_PER_PART, limit // BYTES_PER_TIE))
    return max(1, math.ceil(ties / per_pass))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def source_bounds(con: Any, passes: int) -> list[str]:
    """The first source of each range after the first: ``passes`` ranges of equal rows (fewer
    when a very active source fills more than one)."""
    if passes <= 1:
        return []
    rows = con.execute(
        "WITH c AS (SELECT source, count(*) AS n FROM interactions GROUP BY source), "
        "w AS (SELECT source, sum(n) OVER (ORDER BY source) - n AS before, "
        "sum(n) OVER () AS total FROM c) "
        f"SELECT min(source) AS first FROM w GROUP BY floor(before * {passes} / total) "
        "ORDER BY first"
    ).fetchall()
    return [r[0] for r in rows[1:]]


def write_passes(con: Any, query: Callable[[str], str], folder: Path, bounds: list[str]) -> int:
    """Run ``query(table)`` (the sorted aggregation of ``table``) once per source range, each
    written to ``folder/part-NNNNN.parquet``; returns the number of parts."""
    folder.mkdir(parents=True, exist_ok=True)
    edges = [None, *bounds, None]
    for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
        where = [f"source >= {_literal(lo)}" if lo is not None else "TRUE"]
        if hi is not None:
            where.append(f"source < {_literal(hi)}")
        table = f"(SELECT * FROM interactions WHERE {' AND '.join(where)})"
        target = str(folder / f"part-{i:05d}.parquet").replace("'", "''")
        con.execute(f"COPY ({query(table)}) TO '{target}' (FORMAT parquet)")
    return len(edges) - 1


def clear_parts(folder: Path) -> None:
    """Remove the parts of an unfinished attempt."""
    for part in folder.glob("part-*.parquet"):
        part.unlink()
    if folder.exists() and not any(folder.iterdir()):
        shutil.rmtree(folder)
