"""The Spark engine in ``local[2]``: the same edges and weights as DuckDB and the built-in one.

Needs PySpark (``pip install ".[spark]"``; ``.ci/run`` installs it) and a Java runtime;
skipped, saying which, where one is missing.
"""

import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import nichegraph as ng
from nichegraph.cli import cli
from nichegraph.graph.edges import read_edges
from nichegraph.graph.engines import aggregate_duckdb
from nichegraph.synth import generate_log

pyspark = pytest.importorskip("pyspark", reason='PySpark is not installed: pip install ".[spark]"')
if shutil.which("java") is None:
    pytest.skip("no Java runtime (java) for Spark; .ci/run installs one", allow_module_level=True)


OPTIONS = {"half_life": "7d", "since": "2026-06-10", "kind_weights": {"like": 0.2, "upvote": 4}}


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("nichegraph-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def log():
    frame = generate_log(n_rows=3000, seed=7, text=False).log
    frame = frame[["source", "target", "kind", "timestamp"]].copy()
    frame["weight"] = np.random.default_rng(2).choice([0.0, 1.0, 2.5], size=len(frame))
    frame.loc[::30, "target"] = frame.loc[::30, "source"]
    frame.loc[3::70, "kind"] = "upvote"
    return frame.reset_index(drop=True)


def test_spark_aggregates_as_duckdb_and_the_builtin_do(spark, log, tmp_path):
    """``aggregate --engine spark`` (read_logs_spark, then aggregate_spark on the DataFrame)."""
    (tmp_path / "logs").mkdir()
    half = len(log) // 2
    log.iloc[:half].to_parquet(tmp_path / "logs/a.parquet")
    log.iloc[half:].to_parquet(tmp_path / "logs/b.parquet")
    out = tmp_path / "edges"
    args = ["aggregate", str(tmp_path / "logs"), "--engine", "spark", "-o", str(out), "-q"]
    weights = [f"--weight={k}={v}" for k, v in OPTIONS["kind_weights"].items()]
    res = CliRunner().invoke(
        cli, [*args, "--half-life", "7d", "--since", OPTIONS["since"], *weights]
    )
    assert res.exit_code == 0, res.output
    assert (out / "aggregate.json").exists() and list(out.glob("part-*.parquet"))
    spark_edges = pd.concat(pd.read_parquet(p) for p in out.glob("part-*.parquet"))
    duck = aggregate_duckdb(log, **OPTIONS).edges.to_pandas()
    assert sorted(c for c in spark_edges if c.startswith("n_")) == sorted(
        c for c in duck if c.startswith("n_")
    )
    got = read_edges(out).edges_frame()  # the graph run --edges segments
    want = ng.build_graph(log, **OPTIONS).edges_frame()
    assert len(want) > 1000 and "n_upvote" in want
    pd.testing.assert_frame_equal(got.drop(columns="weight"), want.drop(columns="weight"))
    np.testing.assert_allclose(got["weight"], want["weight"], rtol=1e-9, atol=0)
    pairs = list(zip(got["source"], got["target"], strict=True))
    from_duck = duck.set_index(["source", "target"]).loc[pairs]
    np.testing.assert_allclose(got["weight"], from_duck["weight"], rtol=1e-9, atol=0)
