"""Persistent ids, compare and alerts against planted segment events (known answers)."""

import itertools

import numpy as np
import pandas as pd
import pytest
from _planted_events import LATER, WEEK1, planted_weeks, segment_of

import nichegraph as ng
from nichegraph.tracking import assign, overlap_table, read_run, run_view
from nichegraph.tracking.alerts import ALERT_COLUMNS, Rules, load_rules, volume_alerts
from nichegraph.tracking.lineage import initial_membership


@pytest.fixture(scope="module")
def weeks():
    return planted_weeks(2)


@pytest.fixture(scope="module")
def runs(weeks):
    r1 = ng.analyze(weeks[0], seed=1)
    r2 = ng.analyze(weeks[1], seed=1, previous=run_view(r1))
    return r1, r2


@pytest.fixture(scope="module")
def compared(runs):
    return ng.compare_runs(*runs)


def _rows(changes, event):
    return changes[changes["event"] == event]


def test_every_planted_event_is_found_with_its_ids(runs, compared):
    r1, r2 = runs
    a = {g: segment_of(r1.segments, m) for g, m in WEEK1.items()}
    b = {g: segment_of(r2.segments, m) for g, m in LATER.items()}
    ch = compared.segment_changes
    # C continues with its id
    c = ch[ch["segment_a"] == a["c"]]
    assert c[["event", "segment_b"]].values.tolist() == [["continued", a["c"]]]
    assert b["c"] == a["c"]
    # S splits in two; one part keeps S's id, the other gets a new one
    split = _rows(ch, "split")
    assert set(split["segment_a"]) == {a["s"]}
    assert set(split["segment_b"]) == {b["s1"], b["s2"]} and a["s"] in {b["s1"], b["s2"]}
    # M1 and M2 merge into M, which keeps one of their ids
    merged = _rows(ch, "merged")
    assert set(merged["segment_a"]) == {a["m1"], a["m2"]} and set(merged["segment_b"]) == {b["m"]}
    assert b["m"] in {a["m1"], a["m2"]}
    # G is gone, N is born with an id never used before, D doubled and kept its id
    assert _rows(ch, "gone")["segment_a"].tolist() == [a["g"]]
    assert _rows(ch, "born")["segment_b"].tolist() == [b["n"]]
    assert b["n"] > max(a.values())
    grew = _rows(ch, "grew")
    assert grew[["segment_a", "segment_b", "size_a", "size_b"]].values.tolist() == [
        [a["d"], a["d"], 40, 80]
    ]
    assert set(ch["event"]) == {"continued", "split", "merged", "gone", "born", "grew"}


def test_the_rising_influencer_is_first_and_alerted(runs, compared):
    r1, r2 = runs
    seg_r = segment_of(r2.segments, LATER["r"])
    assert seg_r == segment_of(r1.segments, WEEK1["r"])
    row = compared.influencer_changes.set_index("person").loc["r7"]
    assert row["segment_b"] == seg_r and row["rank_b"] == 1 and row["change"] in ("rose", "entered")
    al = compared.alerts
    rise = al[(al["kind"] == "influencer_rise") & (al["subject_id"] == "r7")]
    assert rise["value"].tolist() == [1] and rise["severity"].tolist() == ["info"]
    # r0, the old star, is still in the segment: it fell (or left the shortlist), it did not move
    old = compared.influencer_changes.set_index("person").loc["r0"]
    assert old["change"] in ("fell", "left") and old["segment_b"] == seg_r
    fall = al[(al["kind"] == "influencer_fall") & (al["subject_id"] == "r0")]
    assert fall["baseline"].tolist() == [1]


def test_structure_alerts_name_the_events(compared):
    al = compared.alerts
    assert list(al.columns) == ALERT_COLUMNS
    kinds = set(al["kind"])
    assert {"segment_split", "segment_merged", "segment_gone", "segment_born", "segment_grew"} <= (
        kinds
    )
    assert al["alert_id"].is_unique and al["alert_id"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_untracked_runs_compare_to_the_same_events(weeks, runs, compared):
    cold = ng.compare_runs(runs[0], ng.analyze(weeks[1], seed=1))
    assert cold.summary["ids"].startswith("matched")
    assert compared.summary["ids"].startswith("persistent")
    assert cold.summary["events"] == compared.summary["events"]


def test_people_moves_and_counts(runs, compared):
    people = compared.summary["people"]
    r1, r2 = runs
    assert people["entrants"] == len(LATER["n"]) + 40  # newcomers of N and of D
    assert people["leavers"] == len(WEEK1["g"])
    assert people["stayed"] + people["moved"] == people["common"]
    # the split half that got a new id moved; merged people followed their segment
    moved = set(compared.people_moves["person"])
    s_new = segment_of(r2.segments, LATER["s1"]) != segment_of(r1.segments, WEEK1["s"])
    half = set(LATER["s1"] if s_new else LATER["s2"])
    assert half <= moved and not (set(LATER["m"]) & moved)


def test_persistent_ids_reach_every_output(runs):
    r1, r2 = runs
    ids = set(r2.segmentation.segments["segment"]) - {0}
    assert set(r2.segments["segment"]) - {0} == ids
    assert set(r2.summary["segment"]) - {0} == ids
    assert set(r2.influencers["segment"]) <= ids and set(r2.shortlist["segment"]) <= ids
    assert set(r2.profiles["segment"]) - {0} == ids
    flows = set(r2.flows["from_segment"]) | set(r2.flows["to_segment"])
    assert flows - {0} <= ids
    before = set(r1.segmentation.segments["segment"]) - {0}
    book = r2.tracking.lineage.set_index("segment")
    assert set(book.index) == ids | before  # every id ever used, none reused
    missing = sorted(before - ids)  # G, and the merged segment that lost its id
    assert segment_of(r1.segments, WEEK1["g"]) in missing and len(missing) == 2
    assert (book.loc[missing, "status"] == "dormant").all() and (
        book.loc[missing, "missed"] == 1
    ).all()
    assert (book.loc[sorted(ids), "status"] == "active").all()


def test_names_follow_the_id_through_run_folders(tmp_path, weeks):
    ng.analyze(weeks[0], seed=1, outdir=tmp_path / "w1")
    seg_c = segment_of(pd.read_csv(tmp_path / "w1" / "segments.csv"), WEEK1["c"])
    (tmp_path / "w1" / "labels.csv").write_text(f"segment,name\n{seg_c},Coffee nerds\n")
    r2 = ng.analyze(weeks[1], seed=1, previous=tmp_path / "w1", outdir=tmp_path / "w2")
    labels = pd.read_csv(tmp_path / "w2" / "labels.csv", keep_default_na=False)
    assert labels.set_index("segment").loc[seg_c, "name"] == "Coffee nerds"
    assert (labels["name"] != "").sum() == 1
    assert segment_of(r2.segments, LATER["c"]) == seg_c
    cmp = ng.compare_runs(tmp_path / "w1", tmp_path / "w2")
    row = cmp.segment_changes[cmp.segment_changes["segment_a"] == seg_c].iloc[0]
    assert row["label_a"] == row["label_b"] == "Coffee nerds"
    assert read_run(tmp_path / "w2").tracking["previous_run"] == read_run(tmp_path / "w1").run_id


def test_freeze_previous_keeps_every_previous_member(runs, weeks):
    r1 = runs[0]
    frozen = ng.analyze(weeks[1], seed=1, previous=run_view(r1), freeze_previous=True)
    a = r1.segments.set_index("person")["segment"]
    b = frozen.segments.set_index("person")["segment"]
    common = a.index.intersection(b.index)
    left = a[common].map(a[common].value_counts())  # members of the segment still present
    stay = (a[common] != 0) & (left >= 5)  # a segment left with fewer than 5 is fringe
    assert stay.sum() > 300 and (a[common][stay] == b[common][stay]).all()  # nobody moved
    n_seg = segment_of(frozen.segments, LATER["n"])
    assert n_seg not in set(a) and (b[LATER["n"]] == n_seg).all()  # newcomers form N
    assert frozen.manifest()["tracking"]["warm_start"] == "frozen"


def test_initial_membership_starts_from_the_previous_segments():
    prev = pd.Series({"a": 3, "b": 3, "c": 9, "d": 0})
    start = initial_membership(["e", "a", "c", "b", "d"], prev)
    assert start[1] == start[3] and len(set(start.tolist())) == 4
    assert sorted(set(start.tolist())) == [0, 1, 2, 3]


def test_overlap_and_assignment_match_brute_force():
    rng = np.random.default_rng(3)
    for _ in range(20):
        people = [f"p{i}" for i in range(60)]
        a = pd.Series(rng.integers(0, 6, 60), index=people)
        b = pd.Series(rng.integers(0, 5, 55), index=people[5:])
        ov = overlap_table(a, b)
        common = people[5:]
        for row in ov.itertuples():
            sa = {p for p in common if a[p] == row.segment_a}
            sb = {p for p in common if b[p] == row.segment_b}
            assert row.overlap == len(sa & sb) and row.jaccard == len(sa & sb) / len(sa | sb)
        chosen = assign(ov, inherit=0.15)
        cand = ov[ov["jaccard"] >= 0.15]
        best = 0.0  # brute force over one-to-one subsets of the candidate pairs
        pairs = list(cand[["segment_a", "segment_b", "jaccard"]].itertuples(index=False))
        for k in range(len(pairs) + 1):
            for sub in itertools.combinations(pairs, k):
                if len({p[0] for p in sub}) == k and len({p[1] for p in sub}) == k:
                    best = max(best, sum(p[2] for p in sub))
        assert chosen["jaccard"].sum() == pytest.approx(best)
        assert chosen["segment_a"].is_unique and chosen["segment_b"].is_unique


def test_volume_alerts_need_ratio_deviation_and_volume():
    hist = [{("segment", "1"): v} for v in (100, 110, 90, 100, 5)]
    spike = volume_alerts({("segment", "1"): 260}, hist[:4], rules=Rules(), window_end="w")
    assert [(a["kind"], a["baseline"]) for a in spike] == [("volume_spike", 100.0)]
    assert volume_alerts({("segment", "1"): 180}, hist[:4], rules=Rules(), window_end="w") == []
    drop = volume_alerts({("segment", "1"): 30}, hist[:4], rules=Rules(), window_end="w")
    assert [a["kind"] for a in drop] == ["volume_drop"]
    small = [{("segment", "1"): v} for v in (10, 12, 11, 10)]  # below 50 interactions: quiet
    assert volume_alerts({("segment", "1"): 40}, small, rules=Rules(), window_end="w") == []
    # the trailing mean covers the last 4 windows only
    late = volume_alerts({("segment", "1"): 300}, hist, rules=Rules(), window_end="w")
    assert late and late[0]["baseline"] == pytest.approx(np.mean([110, 90, 100, 5]))


def test_rules_from_toml_and_their_errors(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('spike_ratio = 3\ntop = 1\n[severity]\nsegment_born = "crit"\n')
    rules = load_rules(path)
    assert rules.spike_ratio == 3.0 and rules.top == 1 and rules.severity["segment_born"] == "crit"
    path.write_text("spike = 3\n")
    with pytest.raises(ng.InputError, match="unknown rule 'spike'"):
        load_rules(path)
    path.write_text('[severity]\nsegment_born = "loud"\n')
    with pytest.raises(ng.InputError, match="info, warn or crit"):
        load_rules(path)
