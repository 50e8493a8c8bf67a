"""Engines: the aggregation as SQL, DuckDB (out of core), edge tables, and what runs on them."""

import json

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import nichegraph as ng
from nichegraph.cli import cli
from nichegraph.graph.edges import read_edges
from nichegraph.graph.engines import DIALECTS, aggregate_duckdb, aggregation_sql
from nichegraph.graph.engines.load import aggregated_graph
from nichegraph.synth import generate_log

OPTIONS = [
    {},
    {"half_life": "10d"},
    {"half_life": "7d", "since": "2026-06-10", "until": "2026-08-01",
     "kind_weights": {"like": 0.2, "upvote": 4, "reply": 0}},
]  # fmt: skip


@pytest.fixture(scope="module")
def log():
    """A generated log with what the aggregation must handle: self-loops, posts, an unknown
    kind, row weights (some zero) and undated rows."""
    frame = (
        generate_log(n_rows=6000, seed=5, text=False)
        .log[["source", "target", "kind", "timestamp"]]
        .copy()
    )
    rng = np.random.default_rng(1)
    frame["weight"] = rng.choice([0.0, 0.5, 1.0, 1.7, 3.0], size=len(frame))
    frame.loc[::40, "target"] = frame.loc[::40, "source"]
    frame.loc[::80, "kind"] = "post"
    frame.loc[5::97, "kind"] = "upvote"
    frame.loc[7::150, "timestamp"] = pd.NaT
    return frame.reset_index(drop=True)


def assert_same_edges(edges: pd.DataFrame, graph: ng.InteractionGraph) -> None:
    """``edges`` (source, target, weight, n, n_<kind>) holds exactly ``graph``'s ties."""
    want = graph.edges_frame()
    edges = edges[edges["n"] > 0].reset_index(drop=True)
    assert edges["source"].tolist() == want["source"].tolist()
    assert edges["target"].tolist() == want["target"].tolist()
    np.testing.assert_allclose(edges["weight"], want["weight"], rtol=1e-9, atol=0)
    assert edges["n"].tolist() == want["count"].tolist()
    for kind in graph.kinds:
        assert edges[f"n_{kind}"].tolist() == want[f"n_{kind}"].tolist(), kind
    extra = [c for c in edges if c.startswith("n_") and c[2:] not in graph.kinds]
    assert all(edges[c].sum() == 0 for c in extra)


@pytest.mark.parametrize("options", OPTIONS)
def test_printed_duckdb_sql_equals_the_builtin_aggregation(log, options):
    graph = ng.build_graph(log, **options)
    assert graph.report.dropped["post"] and graph.report.dropped["zero_weight"]
    interactions = ng.read_interactions(log).table  # the canonical table a warehouse holds
    kinds = sorted(set(interactions["kind"]))
    query = aggregation_sql("duckdb", kinds=kinds, **options)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'America/New_York'")  # the query must not depend on it
    con.register("interactions", interactions)
    assert_same_edges(con.sql(query).to_arrow_table().to_pandas(), graph)


@pytest.mark.parametrize("options", OPTIONS)
def test_duckdb_engine_gives_the_builtin_edges_and_report(log, options):
    graph = ng.build_graph(log, **options)
    done = aggregate_duckdb(log, **options)
    assert_same_edges(done.edges.to_pandas(), graph)
    assert done.report == graph.report


def _write_parts(frame: pd.DataFrame, folder, n_parts: int) -> None:
    folder.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(frame)), n_parts)):
        pq.write_table(pa.Table.from_pandas(frame.iloc[part], preserve_index=False),
                       folder / f"part-{i}.parquet")  # fmt: skip


def test_parquet_folder_aggregates_under_a_tiny_memory_limit(tmp_path):
    big = generate_log(n_rows=150_000, seed=2, text=False).log
    big = big[["source", "target", "kind", "timestamp"]]
    _write_parts(big, tmp_path / "logs", 6)
    options = {"half_life": "14d"}
    tight = {"memory_limit": "24MB", "temp_dir": tmp_path / "spill", "threads": 1}
    done = aggregate_duckdb(tmp_path / "logs", out=tmp_path / "edges", **tight, **options)
    graph = ng.build_graph(ng.read_interactions(tmp_path / "logs"), **options)
    assert done.edges is None and done.report == graph.report
    parts = sorted((tmp_path / "edges").glob("part-*.parquet"))
    assert done.passes > 1 and len(parts) == done.passes  # the ties did not fit in one pass
    assert_same_edges(pd.read_parquet(tmp_path / "edges"), graph)
    # the parts in order are the table of one pass, sums included (Kahan sums: any order)
    whole = aggregate_duckdb(tmp_path / "logs", **options)
    assert whole.passes == 1 and pq.read_table(tmp_path / "edges").equals(whole.edges)
    again = aggregate_duckdb(tmp_path / "logs", out=tmp_path / "again", **tight, **options)
    assert [p.read_bytes() for p in parts] == [
        p.read_bytes() for p in sorted((tmp_path / "again").glob("part-*.parquet"))
    ]  # same input and limit: the same files
    assert again.to_dict() == done.to_dict()
    with pytest.raises(ng.NichegraphError, match="out of memory"):  # the limit is real
        aggregate_duckdb(tmp_path / "logs", memory_limit="1MB", threads=1)


def test_passes_split_sources_by_name_whatever_the_handles(log, monkeypatch):
    import nichegraph.graph.engines.duck as duck

    odd = log.copy()
    odd["source"] = odd["source"].str.replace("a", "'", regex=False)
    odd.loc[::3, "source"] = "Ünï " + odd.loc[::3, "source"]
    graph = ng.build_graph(odd, half_life="10d")
    monkeypatch.setattr(duck, "plan_passes", lambda ties, limit: 5)
    done = aggregate_duckdb(odd, half_life="10d")
    assert done.passes == 5
    assert_same_edges(done.edges.to_pandas(), graph)
    assert done.report == graph.report
    _, read_back = aggregated_graph(odd, half_life="10d")  # run --engine duckdb: 5 parts read
    assert read_back.names == graph.names
    assert_same_edges(read_back.edges_frame().rename(columns={"count": "n"}), graph)


def test_unclean_and_non_parquet_inputs_go_through_the_reader(tmp_path, log):
    messy = log.iloc[:2000].copy()
    messy["kind"] = messy["kind"].replace({"retweet": "RT", "reply": " Replies to "})
    messy.loc[3, "source"] = " " + messy.loc[3, "source"]
    messy.loc[4, "source"] = ""
    (tmp_path / "in").mkdir()
    pq.write_table(pa.Table.from_pandas(messy, preserve_index=False), tmp_path / "in/a.parquet")
    pq.write_table(pa.Table.from_pandas(log.iloc[2000:4000], preserve_index=False),
                   tmp_path / "in/b.parquet")  # fmt: skip
    log.iloc[4000:].to_csv(tmp_path / "in/c.csv", index=False)
    read = ng.read_interactions(tmp_path / "in")
    graph = ng.build_graph(read, half_life="10d")
    done = aggregate_duckdb(tmp_path / "in", half_life="10d")
    assert_same_edges(done.edges.to_pandas(), graph)
    assert done.skipped == {"empty_source": 1} == read.report.skipped
    assert done.rows_read == read.report.rows_read


def test_read_edges_sums_duplicates_and_counts_what_it_drops(tmp_path):
    (tmp_path / "e").mkdir()
    pd.DataFrame(
        {
            "source": ["a", "b", "c"],
            "target": ["b", "c", "c"],
            "weight": [1.0, 2.0, 4.0],
            "n": [1, 2, 3],
            "n_reply": [1, 0, 3],
        }
    ).to_parquet(tmp_path / "e/p1.parquet")
    pd.DataFrame(
        {
            "source": ["a", "", "d"],
            "target": ["b", "x", "a"],
            "weight": [0.5, 1, 0],
            "n": [2, 1, 1],
            "n_reply": [0, 1, 0],
        }
    ).to_csv(tmp_path / "e/p2.csv", index=False)
    (tmp_path / "e/_SUCCESS").write_text("")  # fmt: skip
    g = read_edges(tmp_path / "e")
    assert g.names == ["a", "b", "c"]
    assert g.edges_frame().to_dict("list") == {
        "source": ["a", "b"], "target": ["b", "c"], "weight": [1.5, 2.0], "count": [3, 2],
        "n_reply": [1, 0],
    }  # fmt: skip
    assert g.graph.vs["given"] == [3, 2, 0] and g.graph.vs["received"] == [0, 3, 2]
    assert g.report.dropped == {"empty_source": 1, "self_loop": 3, "zero_weight": 1}
    assert g.report.rows_used == 5


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [-1.0]}), "weight must be"),
        (pd.DataFrame({"source": ["a"], "target": ["b"], "n": [1]}), "no weight column"),
        (pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [1], "n": [1.5]}), "whole"),
    ],
)
def test_read_edges_rejects_bad_tables_in_one_line(tmp_path, frame, message):
    frame.to_csv(tmp_path / "e.csv", index=False)
    with pytest.raises(ng.InputError, match=message):
        read_edges(tmp_path / "e.csv")


def test_run_on_edges_gives_the_same_segments_and_influencers(tmp_path):
    runner = CliRunner()
    log = tmp_path / "log.csv"
    ng.load_dataset("brand_chatter").log.to_csv(log, index=False)
    opts = ["--half-life", "30d", "--seed", "3", "-q"]
    res = runner.invoke(cli, ["aggregate", str(log), "-o", str(tmp_path / "agg"), *opts[:2]])
    assert res.exit_code == 0, res.output
    runs = {
        "plain": [str(log), *opts],
        "edges": ["--edges", str(tmp_path / "agg"), *opts[2:]],
        "duckdb": [str(log), "--engine", "duckdb", "--memory-limit", "200MB", *opts],
    }
    for name, args in runs.items():
        res = runner.invoke(cli, ["run", *args, "-o", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    plain = tmp_path / "plain"
    for name in ("edges", "duckdb"):
        out = tmp_path / name
        for f in ("segments.csv", "influencers.csv", "shortlist.csv", "segment_flows.csv"):
            assert (out / f).read_bytes() == (plain / f).read_bytes(), (name, f)
        summary = pd.read_csv(out / "segment_summary.csv", keep_default_na=False)
        expected = pd.read_csv(plain / "segment_summary.csv", keep_default_na=False)
        assert (summary["label"] == "").all() and (expected["label"] != "").any()
        pd.testing.assert_frame_equal(summary.drop(columns="label"),
                                      expected.drop(columns="label"))  # fmt: skip
        assert pd.read_csv(out / "segment_profiles.csv").empty
        manifest = json.loads((out / "run.json").read_text())
        assert "segment_profiles.csv" in manifest["unavailable"]
        want = json.loads((plain / "run.json").read_text())["graph"]
        assert manifest["graph"] == want  # weights, half-life and drops carried over
    assert "unavailable" not in json.loads((plain / "run.json").read_text())
    scans = {}
    for name, args in (("plain", runs["plain"]), ("edges", runs["edges"])):
        out = tmp_path / f"scan-{name}"
        res = runner.invoke(cli, ["scan", *args, "--runs", "1", "--resolutions", "1,2", "-o", out])
        assert res.exit_code == 0, res.output
        scans[name] = (out / "scan.csv").read_bytes()
    assert scans["plain"] == scans["edges"]
    plans = {}
    for name, args in (("plain", runs["plain"]), ("edges", runs["edges"])):
        out = tmp_path / f"plan-{name}"
        res = runner.invoke(cli, ["plan", *args, "--budget", "5", "-q", "-o", out])
        assert res.exit_code == 0, res.output
        assert (out / "segments.csv").read_bytes() == (plain / "segments.csv").read_bytes()
        plans[name] = json.loads((out / "plan_summary.json").read_text())
    assert "responsiveness" in plans["edges"]["unavailable_measures"]  # needs the raw rows
    assert "responsiveness" not in plans["plain"]["unavailable_measures"]


def test_cli_usage_errors_are_one_line(tmp_path):
    runner = CliRunner()
    edges = tmp_path / "e.csv"
    pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [1.0]}).to_csv(edges, index=False)
    for args, message in [
        (["run", "-o", str(tmp_path / "o")], "no input"),
        (["run", str(edges), "--edges", str(edges), "-o", str(tmp_path / "o")], "not both"),
        (["run", "--edges", str(edges), "--half-life", "3d", "-o", str(tmp_path / "o")],
         "apply when the log is aggregated"),
        (["aggregate", str(edges), "-o", str(tmp_path)], "not an empty folder"),
        (["run", str(edges), "--memory-limit", "1GB", "-o", str(tmp_path / "o")],
         "add --engine duckdb"),
        (["sql", "--half-life", "soon"], "not a duration"),
    ]:  # fmt: skip
        res = runner.invoke(cli, args)
        assert res.exit_code == 2, (args, res.output)
        assert message in res.output and len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_sql_command_prints_every_dialect(log):
    runner = CliRunner()
    for dialect in DIALECTS:
        res = runner.invoke(cli, ["sql", "--dialect", dialect, "--half-life", "30d",
                                  "--since", "2026-06-01"])  # fmt: skip
        assert res.exit_code == 0, res.output
        assert "FROM interactions" in res.output and "AS weight" in res.output
    res = runner.invoke(cli, ["sql", "--weight", "upvote=4", "--half-life", "10d"])
    interactions = ng.read_interactions(log).table
    con = duckdb.connect()
    con.register("interactions", interactions)
    edges = con.sql(res.output).to_arrow_table().to_pandas()  # known kinds only: no n_upvote
    graph = ng.build_graph(log, kind_weights={"upvote": 4}, half_life="10d")
    got = edges.set_index(["source", "target"])["weight"]
    want = graph.edges_frame().set_index(["source", "target"])["weight"]
    np.testing.assert_allclose(got.loc[want.index], want, rtol=1e-9)


def test_an_edge_table_without_n_segments_on_its_weights(tmp_path):
    # without ``n`` the table has no interaction counts: segments weigh its weights, and
    # run.json says so (the same table with ``n`` counts interactions)
    log = generate_log(n_segments=4, n_rows=3_000, max_size=60, seed=5)
    graph = ng.build_graph(log.log)
    edges = pd.DataFrame(
        {"source": [graph.names[s] for s, _ in graph.graph.get_edgelist()],
         "target": [graph.names[t] for _, t in graph.graph.get_edgelist()],
         "weight": graph.graph.es["weight"], "n": graph.graph.es["count"]}
    )  # fmt: skip
    edges.drop(columns="n").to_csv(tmp_path / "no_n.csv", index=False)
    edges.to_csv(tmp_path / "with_n.csv", index=False)
    assert "count" not in read_edges(tmp_path / "no_n.csv").graph.es.attributes()
    for name, ties in (("no_n", "weights"), ("with_n", "interactions")):
        out = tmp_path / name
        res = CliRunner().invoke(cli, ["run", "--edges", str(tmp_path / f"{name}.csv"), "-o",
                                       str(out), "-q", "--seed", "2"])  # fmt: skip
        assert res.exit_code == 0, res.output
        assert json.loads((out / "run.json").read_text())["parameters"]["ties"] == ties
        seg = ng.find_segments(read_edges(tmp_path / f"{name}.csv"), seed=2, ties=ties)
        assert seg.params["ties"] == ties
        got = pd.read_csv(out / "segments.csv", dtype={"person": str}).set_index("person")
        want = seg.to_frame().set_index("person")["segment"]
        assert got["segment"].reindex(want.index).tolist() == want.tolist()
    seg = ng.find_segments(read_edges(tmp_path / "no_n.csv"), seed=2)  # the library does the same
    assert seg.params["ties"] == "weights"
