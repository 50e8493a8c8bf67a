"""The ``sql`` and ``aggregate`` commands: the aggregation as warehouse SQL, and a log
aggregated by DuckDB (out of core) or Spark into an edge table for ``run --edges``.

Registered on the ``nichegraph`` group by :mod:`nichegraph.cli`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from .cli import cli
from .cli_options import common, graph_options, memory_options, reader_options

if TYPE_CHECKING:
    from .graph import GraphOptions, ReadOptions

__all__ = ["aggregate", "sql"]


@cli.command()
@click.option(
    "--dialect",
    type=click.Choice(["duckdb", "spark", "bigquery", "snowflake"]),
    default="duckdb",
    show_default=True,
    help="SQL dialect of the query.",
)
@click.option("--table", default="interactions", show_default=True, help="Table the query reads.")
@graph_options
@common
def sql(
    graph: GraphOptions, dialect: str, table: str, seed: int | None, quiet: bool, as_json: bool
) -> None:
    """Print the aggregation query for these options, to run it in a warehouse.

    It reads a table with the canonical columns (source, target, kind, timestamp, weight) and
    returns one row per tie: source, target, weight, n, n_KIND, first_ts, last_ts: the
    weights `run` computes. Save the result as Parquet or CSV and `run --edges` it.
    """
    from dataclasses import asdict

    from .graph.engines.sql import aggregation_sql

    weigh = {k: v or None for k, v in asdict(graph).items()}
    query = aggregation_sql(dialect, table=table, **weigh)
    click.echo(json.dumps({"dialect": dialect, "sql": query}) if as_json else query, nl=False)


@cli.command()
@click.option("-o", "--out", "outdir", required=True, help="Edge folder to write (new or empty).")
@reader_options
@graph_options
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="DuckDB on this machine (out of core), or Spark (spark-submit, or local).",
)
@memory_options[0]
@memory_options[1]
@common
def aggregate(
    data: Any,
    read: ReadOptions,
    graph: GraphOptions,
    outdir: str,
    engine: str,
    memory_limit: str | None,
    temp_dir: str | None,
    seed: int | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Aggregate LOG into an edge table (Parquet parts) for `run --edges`.

    Writes OUTDIR/part-*.parquet (source, target, weight, n, n_KIND, first_ts, last_ts) and
    OUTDIR/aggregate.json (options and counts). With --engine spark the logs are Parquet or
    CSV files with canonical columns (rename with --map).
    """
    from dataclasses import asdict

    from .export.edges import check_edge_folder, write_edge_folder

    if data is None:
        raise click.UsageError("Missing argument 'LOG...'.")
    check_edge_folder(outdir)
    weigh = {k: v or None for k, v in asdict(graph).items()}

    def write(folder: Any) -> dict[str, Any]:
        if engine == "duckdb":
            from .graph.engines.duck import aggregate_duckdb

            done = aggregate_duckdb(
                data, **weigh, out=folder, memory_limit=memory_limit, temp_dir=temp_dir,
                **asdict(read),
            )  # fmt: skip
            return {"engine": "duckdb", "parameters": weigh, **done.to_dict()}
        from .graph.engines.spark import aggregate_spark, read_logs_spark, spark_session

        spark = spark_session("nichegraph-aggregate")
        frame = read_logs_spark(spark, data, read.mapping)
        aggregate_spark(frame, **weigh).write.parquet(str(folder))
        return {"engine": "spark", "parameters": weigh}

    out = write_edge_folder(outdir, write)
    manifest = json.loads((out / "aggregate.json").read_text(encoding="utf-8"))
    if as_json:
        click.echo(json.dumps(manifest, indent=2, default=str))
    elif not quiet:
        info = manifest.get("graph")
        size = f"{info['edges']:,} ties between {info['nodes']:,} people; " if info else ""
        click.echo(f"wrote {out}/ ({size}run it with: nichegraph run --edges {out} -o OUTDIR)")
