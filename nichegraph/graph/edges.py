"""Read a pre-aggregated edge table into the :class:`~nichegraph.InteractionGraph`.

An edge table has one row per tie: ``source``, ``target``, ``weight`` and optionally ``n``
(interactions behind the tie), ``n_<kind>`` (per kind), ``first_ts`` / ``last_ts``. It is what
``nichegraph aggregate``, :func:`~nichegraph.graph.engines.aggregate_spark` and the query of
``nichegraph sql`` produce. Duplicate pairs (several part files, several warehouse exports)
are summed. The graph is built exactly as :func:`~nichegraph.build_graph` builds it (vertices
in name order, edges in (source, target) order, ``given``/``received`` from ``n``), so the same
log aggregated either way gives the same segments and influencers for the same seed.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..errors import InputError
from .build import BuildReport, InteractionGraph, tie_graph
from .codes import group_codes, sorted_codes, text_codes

__all__ = ["EDGE_SUFFIXES", "read_edges"]

EDGE_SUFFIXES = (".parquet", ".csv", ".csv.gz", ".tsv")
"""File endings of edge table parts (a folder's other files, e.g. ``_SUCCESS``, are ignored)."""

_COUNT = ("n",)


def _parts(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.name.endswith(EDGE_SUFFIXES) and not p.name.startswith(("_", "."))
        )
        if not found:
            raise InputError(
                f"{path} holds no edge table parts ({', '.join(EDGE_SUFFIXES)}); "
                "write them with nichegraph aggregate"
            )
        return found
    if not path.exists():
        raise InputError(f"edge table {path} does not exist")
    return [path]


def _read(part: Path) -> pa.Table:
    try:
        if part.name.endswith(".parquet"):
            import pyarrow.parquet as pq  # on use: a run of a CSV log never loads it

            return pq.read_table(part)
        text_cols = pcsv.ConvertOptions(
            column_types={"source": pa.string(), "target": pa.string()},
            strings_can_be_null=False,
        )
        parse = pcsv.ParseOptions(delimiter="\t" if part.name.endswith(".tsv") else ",")
        return pcsv.read_csv(part, parse_options=parse, convert_options=text_cols)
    except (pa.ArrowException, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{part} could not be read as an edge table: {reason}") from None


def _frame(parts: list[Path]) -> tuple[pd.DataFrame, pa.ChunkedArray, pa.ChunkedArray]:
    """The numbers of every part as one frame, and the handle columns as Arrow (no Python
    string per cell: 100M ties are 200M handles)."""
    tables = [_read(p) for p in parts]
    for part, table in zip(parts, tables, strict=True):
        missing = [c for c in ("source", "target", "weight") if c not in table.column_names]
        if missing:
            raise InputError(
                f"{part} is not an edge table: no {', '.join(missing)} column (columns found: "
                f"{', '.join(table.column_names[:8])}); an edge table has source, target, weight"
            )
    table = pa.concat_tables(tables, promote_options="permissive")
    return table.drop_columns(["source", "target"]).to_pandas(), table["source"], table["target"]


def _empty(column: pa.ChunkedArray) -> np.ndarray:
    """Rows whose handle is missing or the empty text."""
    empty = pc.is_null(column)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        empty = pc.or_(empty, pc.fill_null(pc.equal(column, ""), False))
    return empty.to_numpy(zero_copy_only=False)


def _numbers(frame: pd.DataFrame, name: str, label: str, integer: bool) -> np.ndarray:
    values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (integer & (values != np.round(values)))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "a whole number >= 0" if integer else "a finite number >= 0"
        raise InputError(f"{label}: {name} must be {what}; row {i + 1} has {frame[name].iloc[i]!r}")
    return values.astype(np.int64) if integer else values


def read_edges(path: str | os.PathLike[str]) -> InteractionGraph:
    """The graph of an edge table: a Parquet/CSV file or a folder of part files.

    Rows with an empty ``source`` or ``target``, self-loops and zero weights are dropped and
    counted in the report; a negative or missing weight is an error. Without ``n`` each row
    counts as one interaction in the report, and the graph has no ``count`` attribute: its
    segments weigh the weights (:meth:`~nichegraph.SegmentOptions.for_graph`).

    >>> import pandas as pd, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "c", "b"],
    ...               "weight": [1.0, 2.0, 0.5], "n": [1, 2, 1]}).to_csv(f"{d}/e.csv", index=False)
    >>> g = read_edges(f"{d}/e.csv")
    >>> g.names, g.graph.es["weight"], g.graph.vs["given"]
    (['a', 'b', 'c'], [1.5, 2.0], [2, 2, 0])
    """
    parts = _parts(Path(path))
    label = str(path)
    frame, source, target = _frame(parts)
    rows_in = len(frame)
    kinds = sorted(c[2:] for c in frame.columns if c.startswith("n_") and len(c) > 2)
    counts = {
        "count": _numbers(frame, "n", label, True) if "n" in frame else np.ones(rows_in, np.int64)
    }
    for k in kinds:
        counts[f"n_{k}"] = _numbers(frame, f"n_{k}", label, True)
    weight = _numbers(frame, "weight", label, False)
    (src, tgt), vocabulary = text_codes(source, target)  # equal handles, equal codes
    dropped: dict[str, int] = {}
    keep = np.ones(rows_in, dtype=bool)
    for reason, mask in (
        ("empty_source", _empty(source)),
        ("empty_target", _empty(target)),
        ("self_loop", src == tgt),
        ("zero_weight", weight <= 0),
    ):
        dropped[reason] = int(counts["count"][keep & mask].sum())
        keep &= ~mask
    if not keep.any():
        why = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in dropped.items() if v)
        raise InputError(f"{label}: no ties left to build a graph from ({why or 'empty table'})")
    (s, t), names = sorted_codes([src, tgt], vocabulary, keep)  # names sorted, as build's
    weight = weight[keep]
    counts = {k: v[keep] for k, v in counts.items()}
    n = len(names)
    uniq, inv = group_codes(s * n + t)
    n_edges = len(uniq)
    if n_edges == len(s):  # no duplicate pairs: values pass through unchanged
        order = np.argsort(inv)
        sums = {"weight": weight[order], **{k: v[order] for k, v in counts.items()}}
    else:
        sums = {"weight": np.bincount(inv, weights=weight, minlength=n_edges)}
        sums |= {k: np.bincount(inv, weights=v, minlength=n_edges).astype(np.int64)
                 for k, v in counts.items()}  # fmt: skip
    used = [k for k in kinds if sums[f"n_{k}"].any()]
    es, et = uniq // n, uniq % n
    given = np.bincount(es, weights=sums["count"], minlength=n)
    received = np.bincount(et, weights=sums["count"], minlength=n)
    ties = {"weight": sums["weight"]} | ({"count": sums["count"]} if "n" in frame else {})
    ties |= {f"n_{k}": sums[f"n_{k}"] for k in used}
    g = tie_graph(names, es, et, given, received, ties.items())
    report = BuildReport(
        rows_in=rows_in,
        rows_used=int(sums["count"].sum()),
        dropped={k: v for k, v in sorted(dropped.items()) if v},
        nodes=n,
        edges=n_edges,
        kind_weights={},
        unknown_kinds=(),
        half_life=None,
        reference_time=None,
        since=None,
        until=None,
    )
    return InteractionGraph(graph=g, report=report, kinds=tuple(used))
