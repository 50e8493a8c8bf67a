"""Aggregation engines: the built-in one's weights as SQL, DuckDB and Spark, and edge tables.

:func:`aggregation_sql` prints the aggregation of :func:`~nichegraph.build_graph` for DuckDB,
Spark, BigQuery or Snowflake; :func:`aggregate_duckdb` runs it on logs under a memory limit;
:func:`aggregate_spark` on a Spark DataFrame; :func:`read_edges` turns an edge table (from any
of them) into the same :class:`~nichegraph.InteractionGraph`.
"""

from .duck import Aggregated, aggregate_duckdb
from .sql import DIALECTS, Aggregation, aggregation_sql

__all__ = ["DIALECTS", "Aggregated", "Aggregation", "aggregate_duckdb", "aggregation_sql"]
