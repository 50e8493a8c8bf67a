"""Options are defined once: frozen keyword-only classes that check themselves, give their
provenance by ``asdict()``, take flat keywords through one router and map to the CLI flags."""

import dataclasses
import json

import pytest

import nichegraph as ng
from nichegraph.cli_options import FLAGS, flag_message
from nichegraph.pipeline import RUN_OPTIONS

LOG = ng.load_dataset("brand_chatter").log


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (ng.ReadOptions, {"format": "yaml"}, "unknown format 'yaml'"),
        (ng.ReadOptions, {"sep": ";;"}, "sep must be a single character, got ';;'"),
        (ng.ReadOptions, {"header": False}, "header=False needs columns"),
        (ng.GraphOptions, {"kind_weights": {"reply": -1}}, "must be a finite number >= 0"),
        (ng.GraphOptions, {"since": "soon"}, "since 'soon' is not a date"),
        (ng.GraphOptions, {"since": "2026-02", "until": "2026-01"}, "since 2026-02 is not before"),
        (ng.SegmentOptions, {"resolution": -1}, "resolution must be a positive number or 'auto'"),
        (ng.SegmentOptions, {"objective": "cpm", "resolution": "auto"}, "resolution auto scans"),
        (ng.SegmentOptions, {"min_size": 0}, "min_size must be an integer >= 1, got 0"),
        (ng.SegmentOptions, {"backend": "x"}, "backend must be one of igraph, leidenalg"),
        (ng.SegmentOptions, {"ties": "kinds"}, "ties must be one of interactions, weights"),
        (ng.RankOptions, {"top": 0}, "top must be a positive integer, got 0"),
        (ng.RankOptions, {"score_weights": {"likes": 1}}, "unknown score component 'likes'"),
    ],
)
def test_options_validate_when_made_and_name_the_parameter(cls, kwargs, message):
    with pytest.raises(ng.InputError) as err:
        cls(**kwargs)
    assert str(err.value).startswith(message) or message in str(err.value)


def test_options_are_frozen_keyword_only_and_normalised():
    seg = ng.SegmentOptions(resolution=2, max_size=40)
    assert seg.resolution == 2.0 and isinstance(seg.resolution, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        seg.resolution = 3.0
    with pytest.raises(TypeError):
        ng.SegmentOptions("modularity")  # keyword-only
    assert ng.GraphOptions(kind_weights=["Reply=3"]).kind_weights == {"reply": 3.0}
    assert ng.ReadOptions(sep="tab", columns="a, b").sep == "\t"


def test_every_option_name_belongs_to_one_class_and_has_a_flag():
    names = [f.name for cls in RUN_OPTIONS for f in dataclasses.fields(cls)]
    assert len(names) == len(set(names))  # a flat keyword routes to exactly one class
    assert set(names) <= set(FLAGS)
    assert flag_message("min_size must be an integer >= 1, got 0").startswith("--min-size must")
    assert flag_message("unknown format 'x'; use csv") == "unknown --format 'x'; use csv"
    assert flag_message("no column 'top' in x.csv") == "no column 'top' in x.csv"  # not an option


def test_flat_keywords_route_to_their_class_and_provenance_is_asdict():
    res = ng.analyze(LOG, seed=1, resolution=2.0, top=3, kind_weights={"reply": 4}, min_size=3)
    read, graph, segment, rank = ng.run_options(
        resolution=2.0, top=3, kind_weights={"reply": 4}, min_size=3
    )
    assert (segment.resolution, segment.min_size, rank.top) == (2.0, 3, 3)
    expected = {
        **dataclasses.asdict(read),
        **dataclasses.asdict(graph),
        **dataclasses.asdict(segment),
        **dataclasses.asdict(rank),
    }
    assert {k: res.params[k] for k in expected} == expected
    assert json.loads(json.dumps(res.manifest()["parameters"]))["kind_weights"] == {"reply": 4.0}
    assert res.shortlist.groupby("segment").size().max() <= 3
    # the same run given as objects: the same parameters and the same segments
    obj = ng.analyze(LOG, seed=1, segment=segment, rank=rank, graph=graph)
    assert obj.params == res.params
    assert obj.segments.equals(res.segments)


def test_unknown_keyword_is_rejected_naming_it():
    with pytest.raises(ng.InputError, match="unknown option 'resolutoin'"):
        ng.analyze(LOG, resolutoin=2)
    with pytest.raises(ng.InputError, match="unknown option 'top'"):
        ng.find_segments(ng.build_graph(LOG), top=3)
    with pytest.raises(ng.InputError, match="expected a SegmentOptions, got a RankOptions"):
        ng.analyze(LOG, segment=ng.RankOptions())


def test_library_functions_take_an_options_object_or_keywords():
    g = ng.build_graph(LOG, ng.GraphOptions(kind_weights={"like": 0}))
    assert g.report.to_dict() == ng.build_graph(LOG, kind_weights={"like": 0}).report.to_dict()
    a = ng.find_segments(g, ng.SegmentOptions(resolution=2, min_size=3), seed=4)
    b = ng.find_segments(g, resolution=2, min_size=3, seed=4)
    assert (a.membership == b.membership).all() and a.params == b.params


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-size", "0"], "Error: --min-size must be an integer >= 1, got 0"),
        (["--max-size", "1"], "Error: --max-size must be an integer >= 2 and >= --min-size"),
        (["--since", "soon"], "Error: --since 'soon' is not a date"),
        (["--sep", ";;"], "Error: --sep must be a single character"),
        (["--format", "yaml"], "Error: unknown --format 'yaml'"),
        # every NAME=VALUE option is split by one parser, with one message
        (["--map", "source"], "Error: --map source: expected FIELD=COLUMN, e.g. --map source="),
        (["--kind-alias", "QT"], "Error: --kind-alias QT: expected CODE=KIND, e.g. --kind-alias"),
        (["--weight", "reply"], "Error: --weight reply: expected KIND=NUMBER, e.g. --weight"),
        (["--score-weight", "reach="], "Error: --score-weight reach=: both sides must be"),
        (["--ties", "kinds"], "Error: Invalid value for '--ties': 'kinds' is not one of"),
    ],
)
def test_cli_error_names_the_flag(invoke, tmp_path, args, message):
    res = invoke("run", ng.load_dataset("brand_chatter").path, "-o", tmp_path / "o", *args)
    assert res.exit_code == 2
    assert res.output.startswith(message), res.output
    assert res.output.count("\n") == 1  # one line
    assert not (tmp_path / "o").exists()


def test_cli_ties_reach_the_segmentation_and_run_json(invoke, tmp_path):
    """``--ties weights`` segments on the weights (as the library does) and run.json says so."""
    data = ng.load_dataset("brand_chatter")
    res = invoke("run", data.path, "-o", tmp_path / "o", "--ties", "weights", "--seed", "2")
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "o" / "run.json").read_text())
    assert manifest["parameters"]["ties"] == "weights"
    g = ng.build_graph(data.log)
    seg = ng.find_segments(g, ties="weights", seed=2)
    assert manifest["segmentation"]["modularity"] == round(seg.modularity, 6)
    assert manifest["segmentation"]["segments"] == seg.n_segments
    assert seg.modularity != ng.find_segments(g, seed=2).modularity  # counts: other ties
    # a run that follows it segments on the same ties unless told otherwise
    res = invoke("run", data.path, "-o", tmp_path / "next", "--previous", tmp_path / "o", "-q")
    assert res.exit_code == 0, res.output
    params = json.loads((tmp_path / "next" / "run.json").read_text())["parameters"]
    assert params["ties"] == "weights"
