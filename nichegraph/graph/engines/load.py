"""The graph of a run whose log is aggregated elsewhere: an edge table, or DuckDB out of core.

Such a run never holds the raw log, so what needs each interaction's text, time, kind or
platform (the segment profiles and the labels drawn from them) is unavailable:
:data:`UNAVAILABLE` says which files and why, and ``run.json`` repeats it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import InputError
from ..build import InteractionGraph
from ..edges import read_edges
from ..read import Interactions, ReadReport
from .duck import aggregate_duckdb

__all__ = ["ENGINES", "UNAVAILABLE", "aggregated_graph", "check_engine", "engine_graph"]

ENGINES = ("pandas", "duckdb")
"""Engines of ``run``: ``pandas`` (the built-in aggregation of the log read in memory; the
default) and ``duckdb`` (out of core, under ``--memory-limit``)."""

UNAVAILABLE = {
    "segment_profiles.csv": "needs the raw log (each interaction's text, time, kind and "
    "platform); an edge table holds only the aggregated ties, so the file has no rows and "
    "segment_summary.csv has empty labels",
}


def _with_upstream(graph: InteractionGraph, manifest: Path) -> InteractionGraph:
    """The graph with the options and drops of ``nichegraph aggregate`` (its aggregate.json)."""
    if not manifest.is_file():
        return graph
    try:
        upstream = json.loads(manifest.read_text(encoding="utf-8")).get("graph") or {}
    except (OSError, ValueError):
        return graph
    keep = ("dropped", "kind_weights", "half_life", "reference_time", "since", "until")
    fields = {k: upstream[k] for k in keep if k in upstream}
    dropped = dict(fields.get("dropped") or {})
    for reason, count in graph.report.dropped.items():  # dropped again when read back
        dropped[reason] = dropped.get(reason, 0) + count
    fields["dropped"] = dict(sorted(dropped.items()))
    fields["unknown_kinds"] = tuple(upstream.get("unknown_kinds", ()))
    fields["rows_in"] = upstream.get("rows_in", graph.report.rows_in)
    return InteractionGraph(graph.graph, replace(graph.report, **fields), graph.kinds)


def aggregated_graph(
    data: Any = None,
    *,
    edges: str | os.PathLike[str] | None = None,
    engine: str = "duckdb",
    memory_limit: str | None = None,
    temp_dir: str | os.PathLike[str] | None = None,
    kind_weights: Mapping[str, float] | None = None,
    half_life: str | float | None = None,
    since: Any = None,
    until: Any = None,
    **read_options: Any,
) -> tuple[Interactions, InteractionGraph]:
    """The graph of ``edges`` (an edge table), or of the log ``data`` aggregated by DuckDB.

    Returns ``(interactions, graph)`` where ``interactions`` has an empty table and a report
    of what was read (format ``edges`` or ``duckdb``).

    >>> import nichegraph as ng
    >>> inter, g = aggregated_graph(ng.load_dataset("brand_chatter").log)
    >>> g.n_edges == ng.build_graph(ng.load_dataset("brand_chatter").log).n_edges
    True
    """
    if (edges is None) == (data is None):
        raise InputError("give a log or an edge table (--edges), not both and not neither")
    if edges is not None:
        given = [n for n, v in (("--weight", kind_weights), ("--half-life", half_life),
                                ("--since", since), ("--until", until)) if v]  # fmt: skip
        if given:
            raise InputError(
                f"{', '.join(given)} apply when the log is aggregated; an edge table is already "
                "weighed (pass them to nichegraph aggregate or nichegraph sql)"
            )
        graph = _with_upstream(read_edges(edges), Path(edges) / "aggregate.json")
        label, fmt, rows_read, skipped = str(edges), "edges", graph.report.rows_in, {}
    else:
        if engine != "duckdb":
            raise InputError(f"--engine must be one of {', '.join(ENGINES)}, got {engine!r}")
        if read_options.get("people") is not None:
            raise InputError(
                "--people merges handles while the log is read in memory; "
                "use it without --engine duckdb"
            )
        read_options.pop("people", None)
        if temp_dir is not None:
            os.makedirs(temp_dir, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=temp_dir, prefix="nichegraph-edges-") as tmp:
            agg = aggregate_duckdb(
                data, kind_weights=kind_weights, half_life=half_life, since=since, until=until,
                out=tmp, memory_limit=memory_limit, temp_dir=temp_dir, **read_options,
            )  # fmt: skip
            graph = read_edges(tmp)
        graph = InteractionGraph(graph.graph, agg.report, graph.kinds)
        label = data if isinstance(data, str | os.PathLike) else f"<{type(data).__name__}>"
        label, fmt, rows_read, skipped = str(label), "duckdb", agg.rows_read, agg.skipped
    report = ReadReport(
        source=label,
        format=fmt,
        compression=None,
        sha256=None,
        columns_found=(),
        mapping={},
        rows_read=rows_read,
        rows_kept=rows_read - sum(skipped.values()),
        skipped=skipped,
        kinds={k: int(sum(graph.graph.es[f"n_{k}"])) for k in graph.kinds},
        time_min=None,
        time_max=None,
        files=({"path": str(Path(label))},) if fmt == "edges" else (),
    )
    table = pd.DataFrame({c: pd.Series([], dtype="str") for c in ("source", "target", "kind")})
    return Interactions(table, report), graph


def check_engine(
    data: Any, edges: Any, engine: str = "pandas", memory_limit: str | None = None
) -> bool:
    """Check ``analyze``'s input and engine options; True when the graph is aggregated outside
    (an edge table or DuckDB: no raw log).

    >>> check_engine("log.csv", None), check_engine(None, "edges/")
    (False, True)
    """
    if (data is None) == (edges is None):
        raise InputError(
            "give LOG... or --edges PATH, not both" if edges is not None
            else "no input: give a LOG (or an edge table with --edges PATH)"
        )  # fmt: skip
    if engine not in ENGINES:
        raise InputError(f"--engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if memory_limit is not None and (engine != "duckdb" or edges is not None):
        raise InputError("--memory-limit caps the DuckDB engine: add --engine duckdb with a LOG")
    return edges is not None or engine != "pandas"


def engine_graph(
    data: Any,
    edges: Any,
    engine: str,
    memory_limit: str | None,
    temp_dir: Any,
    people: Any,
    read: Any,
    graph: Any,
) -> tuple[Interactions, InteractionGraph]:
    """:func:`aggregated_graph` with a run's ReadOptions and GraphOptions (``analyze``'s call).

    >>> import nichegraph as ng
    >>> _, g = engine_graph(ng.load_dataset("brand_chatter").log, None, "duckdb", None, None,
    ...                     None, ng.ReadOptions(), ng.GraphOptions())
    >>> g.n_edges > 0
    True
    """
    weigh = {k: getattr(graph, k) or None for k in ("kind_weights", "half_life", "since", "until")}
    return aggregated_graph(
        data, edges=edges, engine=engine, memory_limit=memory_limit, temp_dir=temp_dir,
        people=people, **weigh, **asdict(read),
    )  # fmt: skip
