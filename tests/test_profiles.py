"""Segment profiles, distinctive terms and flows between segments, against planted truth."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nichegraph as ng
from nichegraph.export.csv import csv_text
from nichegraph.segments import (
    FLOW_COLUMNS,
    PROFILE_COLUMNS,
    Segmentation,
    between_segment_weight,
)
from nichegraph.segments.text import STOP_WORDS, log_odds_z, tokenize
from nichegraph.synth import generate_log
from nichegraph.terminal import format_run_summary

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def planted(planted):  # the shared factory (conftest)
    s = planted(n_segments=30, n_rows=30_000, max_size=200, paired_segments=1, seed=11)
    return s, ng.analyze(s.log, seed=11)


def best_match(synth, result) -> pd.Series:
    """Planted segment -> the found segment holding most of its members."""
    found = result.segmentation.to_frame().set_index("person")["segment"]
    truth = synth.truth.assign(found=synth.truth["person"].map(found))
    return truth.groupby("segment")["found"].agg(lambda x: x.value_counts().index[0])


def items(cell: str) -> list[str]:
    return [x.rsplit(" (", 1)[0] for x in cell.split("; ")] if cell else []


def test_distinctive_terms_recover_planted_vocabularies(planted):
    synth, res = planted
    prof = res.profiles.set_index("segment")
    best = best_match(synth, res)
    hits = [
        len(set(items(prof.loc[f, "distinctive_terms"])[:5]) & set(synth.vocabularies[p])) >= 3
        for p, f in best.items()
    ]
    assert np.mean(hits) >= 0.9, hits
    # top hashtags of a segment are its planted hashtags
    tags = [items(prof.loc[f, "top_hashtags"])[0] in synth.vocabularies[p] for p, f in best.items()]
    assert np.mean(tags) >= 0.9
    every = {t for cell in prof["distinctive_terms"] for t in items(cell)}
    assert not every & STOP_WORDS


def test_labels_are_non_empty_distinct_and_in_every_output(planted, tmp_path):
    _, res = planted
    prof = res.profiles
    assert list(prof.columns) == PROFILE_COLUMNS
    real = prof[prof["segment"] != ng.FRINGE]
    assert (real["label"].str.len() > 0).all() and real["label"].is_unique
    assert list(prof["segment"]) == list(res.segmentation.segments["segment"])
    assert res.summary["label"].tolist() == prof["label"].tolist()
    text = format_run_summary(res, str(tmp_path))
    assert all(label[:30] in text for label in real["label"].head(12))  # long ones cut
    assert "top flow: " in text


def test_mixes_and_activity_match_a_direct_count(planted):
    _, res = planted
    prof = res.profiles.set_index("segment")
    table = res.interactions.table
    found = res.segmentation.to_frame().set_index("person")["segment"]
    rows = table[table["source"].map(found) == 1]
    assert prof.loc[1, "interactions"] == len(rows)
    share = rows["platform"].value_counts(normalize=True)
    top_platform, top_pct = prof.loc[1, "platform_mix"].split("; ")[0].split(" ")
    assert top_platform == share.index[0] and top_pct == f"{100 * share.iloc[0]:.0f}%"
    weekly = prof.loc[1, "weekly_activity"].split("; ")
    counts = [int(w.split(" ")[1]) for w in weekly]
    assert sum(counts) == len(rows)
    iso = rows["timestamp"].dt.isocalendar()
    by_week = iso.groupby(["year", "week"]).size()
    (year, week), n = by_week.idxmax(), by_week.max()
    assert f"{year}-W{week:02d} {n}" in weekly and prof.loc[1, "peak_week"] == f"{year}-W{week:02d}"
    assert prof.loc[1, "first_seen"] == rows["timestamp"].min().strftime("%Y-%m-%d")
    stamps = res.interactions.table["timestamp"].dropna()
    span_weeks = (stamps.max() - stamps.min()).total_seconds() / 604_800
    assert prof.loc[1, "per_week"] == pytest.approx(len(rows) / span_weeks)


def test_flows_sum_to_the_between_segment_weight(planted):
    _, res = planted
    flows = res.flows
    assert list(flows.columns) == FLOW_COLUMNS
    edges = res.graph.edges_frame()
    seg = res.segmentation.to_frame().set_index("person")["segment"]
    a, b = edges["source"].map(seg), edges["target"].map(seg)
    between = edges.loc[a != b, "weight"].sum()
    assert flows["weight"].sum() == pytest.approx(between, rel=1e-12)
    assert between_segment_weight(res.graph, res.segmentation) == pytest.approx(between, rel=1e-12)
    assert flows["interactions"].sum() == edges.loc[a != b, "count"].sum()
    # a segment's shares of its outgoing engagement, plus the share kept inside, sum to 1
    inside = edges[a == b].groupby(a[a == b])["weight"].sum()
    out = edges.groupby(a)["weight"].sum()
    total = flows.groupby("from_segment")["share_of_from"].sum() + (inside / out).reindex(
        flows["from_segment"].unique(), fill_value=0
    )
    assert np.allclose(total, 1.0)
    assert flows["weight"].is_monotonic_decreasing


def test_the_planted_pair_is_the_top_flow():
    shares = {}
    for pairs in (0, 1):
        s = generate_log(
            n_segments=30, n_rows=30_000, max_size=200, paired_segments=pairs, seed=5, text=False
        )
        res = ng.analyze(s.log, seed=5)
        best = best_match(s, res)
        pair = {int(best[0]), int(best[1])}
        flows = res.flows
        top2 = flows.head(2)
        is_pair = flows["from_segment"].isin(pair) & flows["to_segment"].isin(pair)
        shares[pairs] = flows.loc[is_pair, "share_of_from"].min()
        if pairs:
            assert {tuple(r) for r in top2[["from_segment", "to_segment"]].values} == {
                (min(pair), max(pair)),
                (max(pair), min(pair)),
            }
    assert shares[1] > 4 * shares[0]


def test_profiles_without_text_come_from_structure():
    s = generate_log(n_segments=8, n_rows=4_000, max_size=80, seed=2, text=False)
    res = ng.analyze(s.log, seed=2)
    prof = res.profiles[res.profiles["segment"] != ng.FRINGE]
    assert (prof["distinctive_terms"] == "").all() and (prof["top_hashtags"] == "").all()
    assert prof["label"].str.startswith("around ").all() and prof["label"].is_unique
    # the hub named in the label is a member of the segment
    seg = res.segmentation.to_frame().set_index("person")["segment"]
    hubs = prof["label"].str.removeprefix("around ").str.split(" · ").str[0]
    assert (hubs.map(seg).to_numpy() == prof["segment"].to_numpy()).all()
    assert (prof["platform_mix"] != "").all() and (prof["top_mentions_outside"] != "").all()


def hand_made():
    """Segment 1 = a, b, c; segment 2 = d, e; fringe = f."""
    log = pd.DataFrame(
        [
            ("a", "b", "reply", "Loving #Tea @d https://www.shop.example/x", "x"),
            ("b", "a", "reply", "@a tea tea", "x"),
            ("a", "d", "mention", "@d hello", "x"),
            ("c", "e", "like", None, "reddit"),
            ("c", "a", "comment", "@zed nice tea", "reddit"),
            ("d", "e", "reply", "coffee #beans", "x"),
            ("e", "a", "retweet", "RT @a: coffee", "x"),
            ("f", "a", "reply", "tea?", "x"),
        ],
        columns=["source", "target", "kind", "text", "platform"],
    )
    g = ng.build_graph(log)
    member = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 0}
    names = tuple(g.names)
    seg = Segmentation(
        names=names,
        membership=np.array([member[n] for n in names]),
        paths=np.array([("fringe" if member[n] == 0 else str(member[n])) for n in names]),
        segments=pd.DataFrame(
            {"segment": [1, 2, 0], "path": ["1", "2", "fringe"], "size": [3, 2, 1]}
        ),
        modularity=0.0,
        modularity_top=0.0,
    )
    return log, g, seg


def test_known_answer_on_a_hand_made_log():
    log, g, seg = hand_made()
    prof = ng.profile_segments(log, seg, min_count=1).set_index("segment")
    # d twice (text mention on row 0, target on row 2 counted once), e and zed (not a vertex)
    assert prof.loc[1, "top_mentions_outside"] == "d (2); e (1); zed (1)"
    assert prof.loc[2, "top_mentions_outside"] == "a (1)"
    assert prof.loc[1, "top_hashtags"] == "#tea (1)"
    assert prof.loc[1, "top_domains"] == "shop.example (1)"
    assert prof.loc[1, "kind_mix"] == "reply 40%; comment 20%; like 20%; mention 20%"
    assert prof.loc[1, "platform_mix"] == "x 60%; reddit 40%"
    # z-scores worked by hand from the formula; ties (0.457) in vocabulary order
    assert prof.loc[1, "distinctive_terms"] == (
        "#tea (0.5); hello (0.5); loving (0.5); nice (0.5); tea (0.4)"
    )
    assert prof.loc[2, "distinctive_terms"] == "coffee (1.4); #beans (0.9)"
    assert prof.loc[2, "label"] == "coffee, #beans"
    assert prof.loc[0, "label"] == "fringe" and prof.loc[1, "interactions"] == 5
    assert (prof["weekly_activity"] == "").all()  # no timestamps
    flows = ng.segment_flows(g, seg)
    got = {(r.from_segment, r.to_segment): r.weight for r in flows.itertuples()}
    # a->d mention 1.5; c->e like 0.5; e->a retweet 2; f->a reply 3 (fringe is segment 0)
    assert got == {(1, 2): 2.0, (2, 1): 2.0, (0, 1): 3.0}
    assert flows.iloc[0][["from_path", "to_path"]].tolist() == ["fringe", "1"]


def test_tokenizer_handles_urls_mentions_hashtags_and_unicode():
    t = tokenize(
        [
            "Check http://Example.COM/a?b=1 and www.foo.org, (@Jo_B) #Café #2026 ##double",
            "don't STOP believin' — naïve café’s 123 x",
            "@bsky.user.social: mail@host.com #tag1#tag2",
            "",
        ]
    ).frame()
    assert t.values.tolist() == [
        [0, "check", "word"],
        [0, "example.com", "domain"],
        [0, "foo.org", "domain"],
        [0, "Jo_B", "mention"],
        [0, "#café", "hashtag"],
        [0, "#double", "hashtag"],
        [1, "stop", "word"],
        [1, "believin", "word"],
        [1, "naïve", "word"],
        [1, "cafés", "word"],
        [2, "bsky.user.social", "mention"],
        [2, "mail", "word"],
        [2, "host", "word"],
        [2, "#tag1", "hashtag"],
        [2, "#tag2", "hashtag"],
    ]
    custom = tokenize(["the brand launch"], stop_words=STOP_WORDS | {"brand"}).frame()
    assert custom["token"].tolist() == ["launch"]


def test_log_odds_matches_the_formula_and_is_antisymmetric():
    rng = np.random.default_rng(0)
    yi, yj = rng.integers(0, 50, 200), rng.integers(0, 50, 200)
    ni, nj = yi.sum(), yj.sum()
    a, a0 = yi + yj, ni + nj
    delta = np.log((yi + a) / (ni + a0 - yi - a)) - np.log((yj + a) / (nj + a0 - yj - a))
    expect = delta / np.sqrt(1 / (yi + a) + 1 / (yj + a))
    keep = (yi + yj) > 0
    z = log_odds_z(yi, ni, yi + yj, ni + nj)
    assert np.allclose(z[keep], expect[keep])
    assert np.allclose(z, -log_odds_z(yj, nj, yi + yj, ni + nj))
    z1 = log_odds_z(np.array([40]), 100, np.array([50]), 1000)[0]
    assert z1 == pytest.approx(6.0317, abs=1e-4)  # worked example of the docstring


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"top": 0}, "top must be a positive integer, got 0"),
        ({"min_count": 1.5}, "min_count must be a positive integer, got 1.5"),
        ({"prior": -1}, "prior must be a positive number, got -1"),
    ],
)
def test_bad_options_raise_one_clear_error(kwargs, message):
    log, _, seg = hand_made()
    with pytest.raises(ng.InputError, match=message):
        ng.profile_segments(log, seg, **kwargs)


def test_flows_refuse_a_segmentation_of_another_graph():
    log, _, seg = hand_made()
    other = ng.build_graph(log.iloc[:3])
    with pytest.raises(ng.InputError, match="the segmentation was not made from this graph"):
        ng.segment_flows(other, seg)


def test_new_files_are_byte_identical_across_processes(tmp_path):
    sample = ng.load_dataset("brand_chatter").path
    files = ("segment_profiles.csv", "segment_flows.csv", "segment_summary.csv")
    texts = []
    for hashseed in ("1", "2"):
        out = tmp_path / hashseed
        env = {**os.environ, "PYTHONHASHSEED": hashseed, "PYTHONPATH": str(REPO)}
        code = "from nichegraph.cli import main; main()"
        cmd = [sys.executable, "-c", code, "run", str(sample), "-o", str(out), "-q", "--seed", "3"]
        subprocess.run(cmd, check=True, env=env, cwd=tmp_path)
        texts.append([(out / f).read_bytes() for f in files])
    assert texts[0] == texts[1]
    res = ng.analyze(sample, seed=3)
    assert csv_text(res.profiles).encode() == texts[0][0]


def test_readme_documents_every_profile_column_and_shows_real_output():
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Segment profiles", 1)[1].split("\n## ", 1)[0]
    documented = []
    for row in re.findall(r"^\| (`[^|]+`) \|", section, flags=re.M):
        documented += re.findall(r"`([a-z_]+)`", row)
    assert documented == PROFILE_COLUMNS[2:]
    example = re.findall(r"```\n(.*?)```", section, flags=re.S)[0].splitlines()
    assert example[0] == ",".join(PROFILE_COLUMNS)
    flows_section = readme.split("## Flows between segments", 1)[1]
    flows_example = re.findall(r"```\n(.*?)```", flows_section, flags=re.S)[0]
    res = ng.analyze(ng.load_dataset("brand_chatter").log, seed=42)  # the quick start's run
    assert csv_text(res.flows).startswith(flows_example)
    first = csv_text(res.profiles).splitlines()[1]
    assert first.startswith(example[1].split(" (", 1)[0])


def test_texts_without_tokens_give_an_empty_table_and_a_structural_profile():
    assert tokenize([None, "", "   ", "the a 42 x"]).frame().empty
    log = pd.DataFrame({"source": ["a", "b"], "target": ["b", "a"], "text": ["", "the"]})
    prof = ng.analyze(log, min_size=1, seed=1).profiles
    assert prof["label"].tolist() == ["around a"] and prof["distinctive_terms"].tolist() == [""]


def test_the_graphs_rows_give_the_same_profiles():
    """``built=graph.rows`` skips looking up the handles of the rows the graph was built from;
    rows it dropped (a post, a self-loop, rows outside the window) are still looked up."""
    s = generate_log(n_segments=6, n_rows=3_000, max_size=120, seed=4)
    log = s.log.copy()
    log.loc[0, "target"] = log.loc[0, "source"]  # a self-loop
    log.loc[1, "kind"] = "post"
    mid = log["timestamp"].sort_values().iloc[len(log) // 2]
    g = ng.build_graph(log, since=mid)
    assert 0 < g.rows.used.sum() < len(log)
    seg = ng.find_segments(g, seed=4, min_size=3)
    inter = ng.read_interactions(log)
    plain = ng.profile_segments(inter, seg, since=mid)
    fast = ng.profile_segments(inter, seg, since=mid, built=g.rows)
    pd.testing.assert_frame_equal(fast, plain)
    assert (plain["interactions"] > 0).all()
    other = ng.build_graph(log.iloc[::-1].reset_index(drop=True))  # rows of another table
    assert other.rows.rows_of(inter.table, np.array(seg.names, dtype=object)) is None


def test_activity_with_missing_stamps_matches_pandas_per_segment():
    # undated rows, a year boundary and a segment dated on one day only: first/last seen,
    # busiest weekday and weekly counts as pandas counts them from the dated rows
    rng = np.random.default_rng(3)
    n = 600
    src, dst = rng.integers(0, 40, n), rng.integers(0, 40, n)
    keep = src != dst
    stamps = pd.Timestamp("2025-12-20", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 30 * 86_400, n), unit="s"
    )
    table = pd.DataFrame(
        {"source": [f"p{i}" for i in src], "target": [f"p{j}" for j in dst], "timestamp": stamps}
    )[keep].reset_index(drop=True)
    table.loc[rng.random(len(table)) < 0.2, "timestamp"] = pd.NaT
    table.loc[table["source"] == "p0", "timestamp"] = pd.Timestamp("2026-01-05 10:00", tz="UTC")
    g = ng.build_graph(table)
    seg = ng.find_segments(g, seed=1)
    prof = ng.profile_segments(table, seg).set_index("segment")
    found = seg.to_frame().set_index("person")["segment"]
    dated = table.dropna(subset=["timestamp"]).assign(segment=lambda t: t["source"].map(found))
    for s, rows in dated.groupby("segment"):
        ts = rows["timestamp"]
        assert prof.loc[s, "first_seen"] == ts.min().strftime("%Y-%m-%d")
        assert prof.loc[s, "last_seen"] == ts.max().strftime("%Y-%m-%d")
        days = ts.dt.day_name().str[:3].value_counts()
        assert prof.loc[s, "busiest_weekday"] in days[days == days.max()].index
        weekly = [int(w.split(" ")[1]) for w in prof.loc[s, "weekly_activity"].split("; ")]
        assert sum(weekly) == len(rows) and len(weekly) == 5  # weeks 2025-W51 .. 2026-W03
