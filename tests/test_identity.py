"""One person across platforms: handle normalisation, merging, the segment it reveals, errors."""

import json
import os

import pandas as pd
import pytest
from _crossplatform import GROUP, PLATFORMS, handle, in_log, make_log, people_table, person

import nichegraph as ng
from nichegraph.graph.handles import normalise_handles
from nichegraph.graph.identity import load_people, merge_identities


@pytest.mark.parametrize(
    ("platform", "raw", "expected"),
    [
        ("x", ["@Ann_K", "ann_k", " @ANN_K "], "ann_k"),
        ("twitter", ["@Ann_K"], "ann_k"),
        ("Instagram", ["@Ann.Gram", "ann.gram"], "ann.gram"),
        ("tiktok", ["@AnnTok"], "anntok"),
        ("bsky", ["@Ann.bsky.social", "ann.BSKY.social"], "ann.bsky.social"),
        ("reddit", ["u/Ann_R", "/u/ann_r", "ANN_R"], "ann_r"),
        ("mastodon", ["@Ann@Mastodon.Social", "ann@mastodon.social"], "ann@mastodon.social"),
        ("mastodon", ["https://mastodon.social/@Ann"], "ann@mastodon.social"),
        ("some-forum", ["@Ann", "Ann"], "Ann"),  # unknown platform: case is kept
        ("x", ["https://twitter.com/Ann_K", "x.com/@ann_k/", "https://x.com/ANN_K?s=20"], "ann_k"),
        ("instagram", ["https://www.instagram.com/ann.gram/"], "ann.gram"),
        ("tiktok", ["https://www.tiktok.com/@AnnTok"], "anntok"),
        ("bluesky", ["https://bsky.app/profile/Ann.bsky.social"], "ann.bsky.social"),
        ("reddit", ["https://old.reddit.com/user/Ann_R/", "reddit.com/u/ann_r"], "ann_r"),
    ],
)
def test_each_platform_compares_handles_by_its_own_rules(platform, raw, expected):
    assert normalise_handles(pd.Series(raw), platform).tolist() == [expected] * len(raw)


def test_unknown_platform_keeps_case_apart():
    got = normalise_handles(pd.Series(["@Ann", "ann"]), "some-forum").tolist()
    assert got == ["Ann", "ann"]


def _group_handles() -> set[str]:
    return {in_log(p, i, v) for p in PLATFORMS for i in range(GROUP) for v in (0, 1)}


def test_group_only_visible_across_platforms_is_found_after_merging():
    log = make_log()
    group = _group_handles()
    raw = ng.analyze(log, seed=1).segments
    inside = raw[raw["segment"] != ng.FRINGE]
    # per platform the group is isolated pairs: no segment is theirs (a pair is in the fringe,
    # or joins the background community its stray interaction goes to, with other pairs)
    share = inside["person"].isin(group).groupby(inside["segment"]).mean()
    assert (share < 0.5).all()

    merged = ng.analyze(log, people=people_table(), seed=1)
    seg = merged.segments
    persons = {person(i) for i in range(GROUP)}
    members = seg[seg["person"].isin(persons)]
    assert members["segment"].nunique() == 1 and members["segment"].iloc[0] != ng.FRINGE
    segment = seg[seg["segment"] == members["segment"].iloc[0]]
    assert set(segment["person"]) == persons  # exactly the group, nobody else
    # one node per person, no handle of theirs left as a node of its own
    names = merged.graph.names
    assert all(names.count(p) == 1 for p in persons)
    assert not group & set(names)
    ident = merged.interactions.identity
    assert (ident.nodes_before, ident.nodes_after) == (155, 115)
    assert ident.people_merged == GROUP and ident.handles_in_log == 3 * GROUP
    assert ident.handles_merged == len(group)  # every notation of every handle
    row = segment[segment["person"] == person(0)].iloc[0]
    assert row["handles"] == "instagram:w.quorn.gram00; reddit:u/WilQuornR00; x:@WQuorn_00"


def test_read_interactions_applies_the_people_table():
    log = pd.DataFrame(
        {
            "source": ["@Ann_K", "u/ann_r", "cy", "bo"],
            "target": ["cy", "cy", "ANN_K", "cy"],
            "platform": ["Twitter", "reddit", "x", "x"],
        }
    )
    people = pd.DataFrame(
        {"person": ["Ann", "Ann"], "platform": ["x", "reddit"], "handle": ["ann_k", "/u/Ann_R"]}
    )
    got = ng.read_interactions(log, people=people)
    assert got.table[["source", "target"]].values.tolist() == [
        ["Ann", "cy"],
        ["Ann", "cy"],
        ["cy", "Ann"],
        ["bo", "cy"],
    ]
    rep = got.identity.to_dict()
    assert rep["rows_relabelled"] == 3 and rep["people_merged"] == 1
    assert (rep["nodes_before"], rep["nodes_after"]) == (5, 3)
    assert ng.read_interactions(log).identity is None


def test_rows_without_platform_match_only_a_handle_naming_one_person():
    log = pd.DataFrame({"source": ["@ann_k", "ann_r", "bo", "dee"], "target": ["bo"] * 3 + ["cy"]})
    people = pd.DataFrame(
        {
            "person": ["Ann", "Ann", "Bo X", "Bo Reddit"],
            "platform": ["x", "reddit", "x", "reddit"],
            "handle": ["Ann_K", "u/Ann_R", "@bo", "u/bo"],
        }
    )
    got = ng.read_interactions(log, people=people)
    assert got.table["source"].tolist() == ["Ann", "Ann", "bo", "dee"]
    assert got.table["target"].tolist() == ["bo", "bo", "bo", "cy"]  # 'bo' names two people
    ident = got.identity
    assert ident.unplatformed_matched == 2 and ident.ambiguous == 1
    assert any("'bo'" in n for n in ident.notes)


def test_duplicates_are_counted_and_unlisted_handles_reported():
    people = load_people(
        pd.DataFrame(
            {
                "person": ["Ann", "Ann", "Ann"],
                "platform": ["x", "twitter", "reddit"],
                "handle": ["@Ann", "ann", "u/ann_gone"],
            }
        )
    )
    assert people.duplicate_rows == 1 and len(people.entries) == 2
    log = ng.read_interactions(
        pd.DataFrame({"source": ["ann"], "target": ["b"], "platform": ["x"]})
    )
    ident = merge_identities(log, people).identity
    assert ident.handles_in_log == 1
    assert ident.notes == ("1 handle(s) in the people table are not in the log: reddit:u/ann_gone",)


def test_person_name_that_is_also_an_unlisted_handle_is_an_error():
    log = ng.read_interactions(
        pd.DataFrame(
            {"source": ["ann_k", "ann"], "target": ["b", "b"], "platform": ["x", "reddit"]}
        )
    )
    people = pd.DataFrame({"person": ["ann"], "platform": ["x"], "handle": ["ann_k"]})
    with pytest.raises(ng.InputError, match="person 'ann' is also a handle on reddit"):
        merge_identities(log, people)


def test_cli_run_with_people_shows_handles_and_counts_merges(invoke, tmp_path):
    log, people = tmp_path / "log.csv", tmp_path / "people.csv"
    make_log().to_csv(log, index=False)
    people_table().to_csv(people, index=False)
    out = tmp_path / "out"
    res = invoke(*["run", str(log), "-o", str(out), "--people", str(people), "-q"])
    assert res.exit_code == 0, res.output
    seg = pd.read_csv(out / "segments.csv", keep_default_na=False)
    assert list(seg.columns) == ["person", "segment", "path", "role", "handles"]
    row = seg[seg["person"] == person(3)].iloc[0]
    assert row["handles"] == "; ".join(f"{p}:{handle(p, 3)}" for p in sorted(PLATFORMS))
    assert (seg["handles"] != "").sum() == GROUP
    manifest = json.loads((out / "run.json").read_text())
    ident = manifest["identity"]
    assert ident["source"] == str(people) and ident["people"] == GROUP
    assert ident["nodes_before"] - ident["nodes_after"] == 40
    assert manifest["parameters"]["people"] == str(people)
    assert manifest["pseudonymised"] is False


def _write(path, text):
    path.write_text(text)
    return path


BAD_PEOPLE = {
    "handle listed for two people": (
        "person,platform,handle\nAnn,x,@Ann_K\nBo,twitter,ann_k\n",
        "handle x:@Ann_K is listed for two people, 'Ann' (row 1) and 'Bo' (row 2 as ann_k)",
    ),
    "missing columns": (
        "name,handle\nAnn,@ann\n",
        "has no 'person' and no 'platform' column; columns found: name, handle",
    ),
    "empty table": ("", "is empty"),
    "header only": ("person,platform,handle\n", "has a header but no rows"),
    "empty handle": ("person,platform,handle\nAnn,x,@ann\nBo,x,@\n", "row 2: empty handle"),
    "name clash": ("person,platform,handle\nfrom_a,reddit,u/zed\n", "person 'from_a' is also"),
}


@pytest.mark.parametrize("case", sorted(BAD_PEOPLE))
def test_bad_people_table_exit_2_one_line_nothing_written(invoke, tmp_path, case):
    text, message = BAD_PEOPLE[case]
    data = tmp_path / "data"
    data.mkdir()
    log = _write(data / "log.csv", "source,target,platform\nfrom_a,b,x\nb,c,x\n")
    people = _write(data / "people.csv", text)
    out = tmp_path / "out"
    res = invoke(*["run", str(log), "-o", str(out), "--people", str(people)])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: people table "), res.output
    assert message in lines[0]
    assert not out.exists() and sorted(os.listdir(tmp_path)) == ["data"]
    assert sorted(os.listdir(data)) == ["log.csv", "people.csv"]


def test_missing_people_file_is_exit_2(invoke, tmp_path):
    log = _write(tmp_path / "log.csv", "source,target\na,b\n")
    res = invoke(
        *["run", str(log), "-o", str(tmp_path / "o"), "--people", str(tmp_path / "nope.csv")]
    )
    assert res.exit_code == 2 and "people table" in res.output and "not found" in res.output
    assert not (tmp_path / "o").exists()
