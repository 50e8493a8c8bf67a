"""Aggregate logs beyond one machine with Spark (``pip install "nichegraph[spark]"``).

:func:`aggregate_spark` takes a Spark DataFrame with the canonical columns (from your own
``SparkSession``: a Databricks or EMR notebook, ``spark-submit``) and returns the edge
DataFrame, computed by the ``spark`` query of
:func:`~nichegraph.graph.engines.sql.aggregation_sql`; write it as Parquet and run
``nichegraph run --edges DIR`` on one machine. :func:`read_logs_spark` reads Parquet/CSV logs
whose columns are canonical (or renamed with ``mapping``) into such a DataFrame.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ...errors import InputError
from ..build import check_kinds_present, parse_kind_weights
from ..formats import expand_inputs
from ..schema import DEFAULT_KIND
from .sql import Aggregation

__all__ = ["aggregate_spark", "read_logs_spark", "spark_session"]

_views = itertools.count()


def spark_session(app: str = "nichegraph", **conf: str) -> Any:
    """The active ``SparkSession`` (as ``spark-submit`` configures it), else a ``local[*]`` one."""
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError(
            'the spark engine needs PySpark: pip install "nichegraph[spark]" (and a Java runtime)'
        ) from None
    builder = SparkSession.builder.appName(app)
    if not SparkConf().contains("spark.master"):
        builder = builder.master("local[*]")
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def read_logs_spark(
    spark: Any,
    data: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    mapping: Mapping[str, str] | None = None,
) -> Any:
    """A Spark DataFrame of Parquet/CSV logs (file, folder or glob) with canonical columns.

    CSV files need a header; ``mapping`` renames columns (``{"source": "from_user"}``).
    Kinds are taken as written (canonical names, e.g. ``reply``); timestamps are cast.
    """
    _, files = expand_inputs(data)
    parquet = [str(f) for f in files if f.name.endswith(".parquet")]
    csv = [str(f) for f in files if f.name.endswith((".csv", ".csv.gz"))]
    other = [str(f) for f in files if str(f) not in parquet + csv]
    if other:
        raise InputError(
            f"the spark engine reads Parquet and CSV logs; {other[0]} is neither "
            "(aggregate it with --engine duckdb, or convert it first)"
        )
    frames = []
    if parquet:
        frames.append(spark.read.parquet(*parquet))
    if csv:
        frames.append(spark.read.csv(csv, header=True))
    frame = frames[0] if len(frames) == 1 else frames[0].unionByName(frames[1], True)
    for field, column in (mapping or {}).items():
        if column not in frame.columns:
            raise InputError(f"--map {field}={column}: the logs have no column {column!r}")
        frame = frame.withColumnRenamed(column, field)
    return frame


def aggregate_spark(
    interactions: Any,
    *,
    kind_weights: Mapping[str, float] | None = None,
    half_life: str | float | pd.Timedelta | None = None,
    since: Any = None,
    until: Any = None,
) -> Any:
    """The edge DataFrame of a Spark DataFrame of interactions (canonical columns).

    ``interactions`` needs ``source`` and ``target``; ``kind``, ``timestamp`` and ``weight``
    are used when present. Returns ``source``, ``target``, ``weight``, ``n``, ``n_<kind>`` per
    kind in the data and, with timestamps, ``first_ts`` / ``last_ts``: the weights of
    :func:`~nichegraph.build_graph` for the same options. In a notebook::

        edges = aggregate_spark(spark.table("events"), half_life="30d")
        edges.write.parquet("s3://bucket/edges/")   # then: nichegraph run --edges edges/
    """
    from pyspark.sql import functions as F

    agg = Aggregation.make(kind_weights, half_life, since, until)
    cols = set(interactions.columns)
    missing = [c for c in ("source", "target") if c not in cols]
    if missing:
        raise InputError(
            f"the interactions have no {', '.join(missing)} column; columns found: "
            f"{', '.join(sorted(cols))}"
        )
    picked = [
        F.col("source").cast("string").alias("source"),
        F.col("target").cast("string").alias("target"),
        (F.col("kind").cast("string") if "kind" in cols else F.lit(DEFAULT_KIND)).alias("kind"),
        (F.col("weight").cast("double") if "weight" in cols else F.lit(1.0)).alias("weight"),
    ]
    if "timestamp" in cols:
        picked.append(F.col("timestamp").cast("timestamp").alias("timestamp"))
    frame = interactions.select(*picked)
    kinds = [r[0] for r in frame.select("kind").distinct().collect() if r[0] is not None]
    if kind_weights:  # as build_graph: a weight for a kind the log does not hold is an error
        check_kinds_present(parse_kind_weights(dict(kind_weights)), pd.DataFrame({"kind": kinds}))
    view = f"nichegraph_interactions_{next(_views)}"
    frame.createOrReplaceTempView(view)
    query = agg.sql(  # no global sort: it costs a cluster a shuffle; read_edges orders ties
        "spark", kinds=kinds, table=view, timestamps="timestamp" in cols, order=False
    )
    return interactions.sparkSession.sql(query)
