"""Aggregate logs into the weighted edge table with DuckDB, under a memory limit.

Parquet files whose columns are already canonical and clean (string handles without
surrounding blanks, canonical kinds, typed timestamps, non-negative weights) are scanned by
DuckDB directly; every other file goes through nichegraph's own reader (one file at a time)
and is handed to DuckDB as Parquet in the temporary folder. The query is
:func:`~nichegraph.graph.engines.sql.aggregation_sql` for ``duckdb``, so the weights are those
of :func:`~nichegraph.build_graph`. With ``memory_limit`` DuckDB spills to ``temp_dir``, and
when the ties would not fit the table is aggregated in passes over ranges of sources
(:mod:`~nichegraph.graph.engines.passes`), so a folder of Parquet parts larger than memory
aggregates within the limit.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ...errors import InputError, NichegraphError
from ..build import BuildReport, check_kinds_present, parse_kind_weights
from ..formats import ReadOptions, expand_inputs
from ..formats.base import renamed_columns, resolve_mapping
from ..read import read_interactions
from ..schema import DEFAULT_KIND, normalise_kind
from .passes import clear_parts, memory_bytes, plan_passes, source_bounds, write_passes
from .sql import Aggregation

__all__ = ["Aggregated", "aggregate_duckdb"]

_RETRIES = 2
_BLANK = r"[\s\pZ\x{1c}-\x{1f}\x{85}]"


@dataclass(frozen=True)
class Aggregated:
    """An aggregation's edge table (``edges``, unless it was written to ``path``) and report.

    ``report`` is the :class:`~nichegraph.graph.build.BuildReport` the built-in aggregation
    gives; ``rows_read`` / ``skipped`` count the rows nichegraph's readers saw and skipped;
    ``passes`` is the number of source ranges aggregated one after another (and of parts).
    """

    edges: pa.Table | None
    report: BuildReport
    rows_read: int
    skipped: dict[str, int]
    path: Path | None = None
    passes: int = 1

    def to_dict(self) -> dict[str, Any]:
        """What ``aggregate.json`` holds."""
        return {
            "graph": self.report.to_dict(),
            "rows_read": self.rows_read,
            "skipped": self.skipped,
            "passes": self.passes,
        }


def _direct(path: Path, opts: ReadOptions) -> dict[str, str] | None:
    """canonical field → column of a Parquet file DuckDB may read as it is, else ``None``."""
    import pyarrow.parquet as pq  # on use (commands start 25 ms sooner)

    if path.suffix != ".parquet" or opts.format not in (None, "parquet"):
        return None
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError):
        return None  # the reader says what is wrong with it
    stored = [str(c) for c in schema.names]
    columns = renamed_columns(stored, opts, str(path))
    mapping = resolve_mapping(columns, opts.mapping, str(path)).mapping
    if set(mapping) - {"source", "target", "kind", "timestamp", "weight", "platform", "text"}:
        return None
    typed = {f: schema.field(stored[columns.index(c)]).type for f, c in mapping.items()}
    ok = {
        "source": pa.types.is_string,
        "target": pa.types.is_string,
        "kind": pa.types.is_string,
        "timestamp": pa.types.is_timestamp,
        "weight": lambda t: pa.types.is_floating(t) or pa.types.is_integer(t),
    }
    if not all(check(typed[f]) for f, check in ok.items() if f in typed):
        return None
    return {f: stored[columns.index(c)] for f, c in mapping.items()}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _select(files: list[Path], cols: Mapping[str, str], timestamps: bool) -> str:
    listing = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    src = f"read_parquet([{listing}], union_by_name = true)"
    parts = [f"{_quote(cols['source'])} AS source", f"{_quote(cols['target'])} AS target"]
    kind = _quote(cols["kind"]) if "kind" in cols else f"'{DEFAULT_KIND}'"
    parts.append(f"{kind} AS kind")
    if timestamps:
        ts = f"CAST({_quote(cols['timestamp'])} AS TIMESTAMPTZ)" if "timestamp" in cols else "NULL"
        parts.append(f'CAST({ts} AS TIMESTAMPTZ) AS "timestamp"')
    w = f"CAST({_quote(cols['weight'])} AS DOUBLE)" if "weight" in cols else "1.0e0"
    parts.append(f"{w} AS weight")
    return f"SELECT {', '.join(parts)} FROM {src}"


def _clean(con: Any, select: str, opts: ReadOptions) -> bool:
    """Whether every row of ``select`` is one the reader would keep unchanged."""
    bad = _rows(
        con,
        f"SELECT count(*) FROM ({select}) WHERE source IS NULL OR target IS NULL "
        f"OR source = '' OR target = '' OR weight IS NULL OR isnan(weight) OR weight < 0 "
        f"OR isinf(weight) OR regexp_matches(source, '^{_BLANK}|{_BLANK}$') "
        f"OR regexp_matches(target, '^{_BLANK}|{_BLANK}$')",
    )[0][0]
    if bad:
        return False
    kinds = [r[0] for r in _rows(con, f"SELECT DISTINCT kind FROM ({select})")]
    if any(k is None for k in kinds):
        return False
    canon = normalise_kind(pd.Series(kinds, dtype="str"), opts.kind_aliases).tolist()
    return canon == kinds


def _connect(memory_limit: str | None, temp_dir: str | None, threads: int | None) -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = false")
    try:
        if memory_limit is not None:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        if temp_dir is not None:
            con.execute(f"SET temp_directory = '{temp_dir}'")
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
    except duckdb.Error as exc:
        raise InputError(f"DuckDB refused an engine option: {str(exc).splitlines()[0]}") from None
    return con


def aggregate_duckdb(
    data: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
    *,
    kind_weights: Mapping[str, float] | None = None,
    half_life: str | float | pd.Timedelta | None = None,
    since: Any = None,
    until: Any = None,
    out: str | os.PathLike[str] | None = None,
    memory_limit: str | None = None,
    temp_dir: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    **read_options: Any,
) -> Aggregated:
    """Aggregate a log (file, folder, glob, list or DataFrame) into the weighted edge table.

    Options are those of :func:`~nichegraph.build_graph` (weights, half-life, window) and of
    :func:`~nichegraph.read_interactions` (``mapping``, ``format``, ...). ``memory_limit``
    (e.g. ``"1GiB"``) caps DuckDB's memory, spilling to ``temp_dir``; with ``out`` the table is
    written there as ``part-00000.parquet``, ``part-00001.parquet``, ... (one per pass, sorted
    by source and target across parts) instead of returned.

    >>> import pandas as pd
    >>> log = pd.DataFrame({"source": ["a", "a", "b"], "target": ["b", "b", "c"],
    ...                     "kind": ["reply", "like", "mention"]})
    >>> aggregate_duckdb(log).edges.to_pandas()[["source", "target", "weight", "n"]]
      source target  weight  n
    0      a      b     3.5  2
    1      b      c     1.5  1
    """
    import duckdb

    agg = Aggregation.make(kind_weights, half_life, since, until)
    opts_kw = {k: v for k, v in read_options.items() if k != "people"}
    opts = ReadOptions.make(**opts_kw)
    if temp_dir is not None:
        os.makedirs(temp_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=temp_dir, prefix="nichegraph-") as tmp:
        con = _connect(memory_limit, str(temp_dir or tmp), threads)
        try:
            groups, rows_read, skipped = _inputs(con, data, opts, opts_kw, Path(tmp))
            return _aggregate(con, groups, agg, out, rows_read, skipped, kind_weights, Path(tmp))
        except duckdb.OutOfMemoryException as exc:
            raise NichegraphError(
                f"DuckDB ran out of memory within --memory-limit {memory_limit or 'default'} "
                f"({str(exc).splitlines()[0]}); raise the limit or give --temp-dir on a disk "
                "with room to spill"
            ) from None
        finally:
            con.close()


def _inputs(
    con: Any, data: Any, opts: ReadOptions, read_kw: dict[str, Any], tmp: Path
) -> tuple[list[tuple[list[Path], dict[str, str]]], int, dict[str, int]]:
    """Files grouped by column mapping; files DuckDB cannot read as they are, read first."""
    import pyarrow.parquet as pq  # on use (commands start 25 ms sooner)

    paths: list[Path | pd.DataFrame]
    paths = [data] if isinstance(data, pd.DataFrame) else expand_inputs(data)[1]  # type: ignore
    direct: dict[tuple[tuple[str, str], ...], list[Path]] = {}
    converted: list[Path] = []
    rows_read, skipped = 0, {}
    for i, item in enumerate(paths):
        cols = None if isinstance(item, pd.DataFrame) else _direct(item, opts)
        if cols is not None:
            probe = _select([item], cols, "timestamp" in cols)
            if _clean(con, probe, opts):
                direct.setdefault(tuple(sorted(cols.items())), []).append(item)
                rows_read += pq.ParquetFile(item).metadata.num_rows
                continue
        inter = read_interactions(item, **read_kw)
        rows_read += inter.report.rows_read
        for k, v in inter.report.skipped.items():
            skipped[k] = skipped.get(k, 0) + v
        keep = [c for c in inter.table if c in ("source", "target", "kind", "timestamp", "weight")]
        table = inter.table[keep]
        if "weight" not in table:  # as the reader fills a part without weights
            table = table.assign(weight=1.0)
        part = tmp / f"read-{i:05d}.parquet"
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), part)
        converted.append(part)
    groups = [(files, dict(key)) for key, files in direct.items()]
    if converted:
        names = {c for f in converted for c in pq.read_schema(f).names}
        groups.append((converted, {c: c for c in names}))
    return groups, rows_read, dict(sorted(skipped.items()))


def _aggregate(
    con: Any,
    groups: list[tuple[list[Path], dict[str, str]]],
    agg: Aggregation,
    out: str | os.PathLike[str] | None,
    rows_read: int,
    skipped: dict[str, int],
    given: Mapping[str, float] | None,
    tmp: Path,
) -> Aggregated:
    import pyarrow.parquet as pq  # on use (commands start 25 ms sooner)

    timestamps = any("timestamp" in cols for _, cols in groups)
    if agg.needs_time and not timestamps:
        raise InputError(
            "--since/--until/--half-life need a timestamp column; the log has none "
            "(map one with --map timestamp=COLUMN)"
        )
    union = " UNION ALL ".join(_select(files, cols, timestamps) for files, cols in groups)
    con.execute(f"CREATE VIEW interactions AS {union}")
    stats = _stats(con, agg, timestamps)
    kinds = [r[0] for r in _rows(con, "SELECT DISTINCT kind FROM interactions")]
    if given:  # as build_graph: a weight for a kind the log does not hold is an error
        check_kinds_present(parse_kind_weights(dict(given)), pd.DataFrame({"kind": kinds}))
    ref = pd.Timestamp(stats["ref"]).tz_convert("UTC") if stats["ref"] is not None else None
    sql_kw = {"kinds": kinds, "timestamps": timestamps, "reference": ref}
    folder = Path(out) if out is not None else tmp / "edges"
    passes = _write(con, agg, sql_kw, folder, stats["ties"])
    totals = _totals(con, f"SELECT * FROM read_parquet('{_escape(folder)}/part-*.parquet')")
    n_edges, nodes, rows_used, used = totals
    dropped = {k: v for k, v in stats["dropped"].items() if v}
    zero = stats["kept"] - rows_used
    if zero:
        dropped["zero_weight"] = zero
    if rows_used == 0:
        why = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(dropped.items()))
        raise InputError(f"no interactions left to build a graph from ({why or 'empty log'})")
    report = BuildReport(
        rows_in=stats["rows_in"],
        rows_used=rows_used,
        dropped=dict(sorted(dropped.items())),
        nodes=nodes,
        edges=n_edges,
        reference_time=ref.isoformat() if ref is not None and agg.half_life else None,
        **agg.report_fields(sorted(used)),
    )
    edges = None if out is not None else pq.read_table(folder)
    return Aggregated(edges, report, rows_read, skipped, Path(out) if out else None, passes)


def _write(con: Any, agg: Aggregation, sql_kw: dict[str, Any], folder: Path, ties: int) -> int:
    """Write the sorted edge table to ``folder`` in as many passes as the memory limit needs
    (:mod:`~nichegraph.graph.engines.passes`); a pass that still runs out of memory makes
    the whole table start again with twice the passes (at most ``_RETRIES`` times)."""
    import duckdb

    limit = memory_bytes(_rows(con, "SELECT current_setting('memory_limit')")[0][0])
    n = plan_passes(ties, limit)
    for retry in range(_RETRIES + 1):
        try:
            return write_passes(con, lambda t: agg.sql("duckdb", table=t, **sql_kw), folder,
                                source_bounds(con, n * 2**retry))  # fmt: skip
        except duckdb.OutOfMemoryException:
            clear_parts(folder)
            if retry == _RETRIES:
                raise
    raise AssertionError("unreachable")


def _rows(con: Any, query: str) -> list[tuple[Any, ...]]:
    """All rows of ``query`` (fetched to the end: an unfinished result blocks the connection)."""
    return con.execute(query).fetchall()


def _escape(path: Path) -> str:
    return str(path).replace("'", "''")


def _stats(con: Any, agg: Aggregation, timestamps: bool) -> dict[str, Any]:
    """Rows in, rows dropped before weighing (by reason), rows kept, reference time."""
    inside = ["TRUE"]
    if agg.since is not None:
        inside.append(f"\"timestamp\" >= TIMESTAMPTZ '{agg.since.isoformat()}'")
    if agg.until is not None:
        inside.append(f"\"timestamp\" < TIMESTAMPTZ '{agg.until.isoformat()}'")
    window = agg.since is not None or agg.until is not None
    w = " AND ".join(inside)
    ref = f'MAX("timestamp") FILTER (WHERE {w} AND source <> target)' if timestamps else "NULL"
    undated = '"timestamp" IS NULL' if window else "FALSE"
    dated = '"timestamp" IS NOT NULL' if window else "FALSE"
    row = _rows(
        con,
        f"SELECT count(*), count(*) FILTER (WHERE {undated}), "
        f"count(*) FILTER (WHERE {dated} AND NOT ({w})), "
        f"count(*) FILTER (WHERE {w} AND source = target AND kind = 'post'), "
        f"count(*) FILTER (WHERE {w} AND source = target AND kind <> 'post'), "
        f"count(*) FILTER (WHERE {w} AND source <> target), "
        f"{ref}, approx_count_distinct(hash(source, target)) "
        f"FILTER (WHERE {w} AND source <> target) FROM interactions",
    )[0]
    dropped = {"undated": row[1], "outside_window": row[2], "post": row[3], "self_loop": row[4]}
    return {"rows_in": row[0], "dropped": dropped, "kept": row[5], "ref": row[6], "ties": row[7]}


def _totals(con: Any, select: str) -> tuple[int, int, int, list[str]]:
    """Edges, nodes, rows used and kinds used of the edge table."""
    cursor = con.execute(f"{select} LIMIT 0")
    cursor.fetchall()
    names = [d[0] for d in cursor.description]
    kinds = [c[2:] for c in names if c.startswith("n_")]
    sums = ", ".join(f'SUM("n_{k}")' for k in kinds)
    row = _rows(con, f"SELECT count(*), SUM(n){', ' + sums if sums else ''} FROM ({select})")[0]
    nodes = _rows(
        con,
        f"SELECT count(*) FROM (SELECT source FROM ({select}) UNION SELECT target FROM ({select}))",
    )[0][0]
    used = [k for k, v in zip(kinds, row[2:], strict=True) if v]
    return int(row[0]), int(nodes), int(row[1] or 0), used
