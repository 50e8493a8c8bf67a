"""run --previous, compare and track from the command line; rolling windows end to end."""

import json

import numpy as np
import pandas as pd
import pytest
from _planted_events import BRAND, LATER, WEEK1, planted_weeks, segment_of
from click.testing import CliRunner
from conftest import assert_dictionary_covers

import nichegraph as ng
from nichegraph.cli import cli
from nichegraph.tracking.alerts import ALERT_COLUMNS
from nichegraph.tracking.runs import RunView


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("log") / "weeks.csv"
    pd.concat(planted_weeks(4)).to_csv(path, index=False)
    return path


def _track(log_file, out):
    """The documented weekly track of the planted log, seed 3, brand spike rules on."""
    args = ["track", log_file, "--window", "7d", "-o", out, "--seed", "3", "--brand", BRAND, "-q"]
    res = CliRunner().invoke(cli, [str(a) for a in args])
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def tracked(log_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("track") / "t"
    _track(log_file, out)
    return out


def _window_segments(folder, n):
    return pd.read_csv(folder / "windows" / f"{n:02d}" / "segments.csv")


def test_track_compare_folders_carry_a_report_with_the_changes(tracked):
    assert_dictionary_covers(tracked)
    page = (tracked / "compare" / "02" / "report.html").read_text(encoding="utf-8")
    assert 'id="changes"' in page and 'id="alerts"' in page
    assert not (tracked / "compare" / "01").exists()  # the first window has nothing before it


def test_track_keeps_a_continued_segment_id_across_windows(tracked):
    ids = [segment_of(_window_segments(tracked, n), WEEK1["c"]) for n in (1, 2, 3, 4)]
    assert len(set(ids)) == 1
    timeline = pd.read_csv(tracked / "timeline.csv")
    assert list(timeline.columns) == ng.tracking.track.TIMELINE_COLUMNS
    c_rows = timeline[timeline["segment"] == ids[0]]
    assert c_rows["window"].tolist() == [1, 2, 3, 4] and c_rows["size"].between(60, 63).all()
    assert (tracked / "timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_track_gone_only_after_three_windows(tracked):
    g = segment_of(_window_segments(tracked, 1), WEEK1["g"])
    alerts = pd.read_csv(tracked / "alerts.csv")
    gone = alerts[(alerts["kind"] == "segment_gone") & (alerts["subject_id"] == str(g))]
    assert gone["window_end"].tolist() == ["2026-06-29T00:00:00Z"]  # end of window 4
    lineage = pd.read_csv(tracked / "lineage.csv", keep_default_na=False).set_index("segment")
    assert lineage.loc[g, "status"] == "gone" and lineage.loc[g, "missed"] == 3
    history = [
        pd.read_csv(tracked / "windows" / f"{n:02d}" / "lineage.csv").set_index("segment")
        for n in (2, 3)
    ]
    assert [h.loc[g, "status"] for h in history] == ["dormant", "dormant"]
    # window 2's comparison records the pairwise event; the alert waited for the lineage
    changes = pd.read_csv(tracked / "compare" / "02" / "segment_changes.csv")
    assert g in changes.loc[changes["event"] == "gone", "segment_a"].tolist()


def test_track_alerts_the_planted_events_once(tracked):
    alerts = pd.read_csv(tracked / "alerts.csv")
    assert list(alerts.columns) == ALERT_COLUMNS and alerts["alert_id"].is_unique
    w2 = alerts[alerts["window_end"] == "2026-06-15T00:00:00Z"]
    assert {"segment_split", "segment_merged", "segment_born", "segment_grew"} <= set(w2["kind"])
    r_seg = segment_of(_window_segments(tracked, 2), LATER["r"])
    rise = w2[(w2["kind"] == "influencer_rise") & (w2["subject_id"] == "r7")]
    assert rise["value"].tolist() == [1] and str(r_seg) in rise["message"].iloc[0]
    later = alerts[alerts["window_end"] > "2026-06-15T00:00:00Z"]
    assert not later["kind"].isin(["segment_split", "segment_merged", "segment_born"]).any()


def test_track_alerts_the_new_bridge_and_the_brand_spike_in_week_4(tracked):
    alerts = pd.read_csv(tracked / "alerts.csv", keep_default_na=False)
    w4 = alerts[alerts["window_end"] == "2026-06-29T00:00:00Z"]
    c = segment_of(_window_segments(tracked, 4), LATER["c"])
    n = segment_of(_window_segments(tracked, 4), LATER["n"])
    bridge = w4[w4["kind"] == "new_bridge"]
    assert bridge["subject_id"].tolist() == [f"{min(c, n)}-{max(c, n)}"]
    assert float(bridge["value"].iloc[0]) >= 0.05 and float(bridge["baseline"].iloc[0]) < 0.01
    brand = alerts[alerts["kind"] == "brand_spike"]
    assert brand["window_end"].tolist() == ["2026-06-29T00:00:00Z"]
    assert brand[["severity", "value", "baseline", "subject_label"]].values.tolist() == [
        ["crit", "300.0", "60.0", BRAND]
    ]
    assert (alerts["kind"] == "new_bridge").sum() == 1  # only the planted one


def test_track_is_byte_identical_with_a_seed(log_file, tracked, tmp_path):
    out = tmp_path / "again"
    _track(log_file, out)
    files = sorted(p.relative_to(tracked) for p in tracked.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    for rel in files:
        if rel.name == "run.json":  # identical apart from the timings
            one, two = (json.loads((d / rel).read_text()) for d in (tracked, out))
            assert {**one, "timings": 0} == {**two, "timings": 0}
        else:
            assert (tracked / rel).read_bytes() == (out / rel).read_bytes(), rel


def test_run_previous_then_compare_and_fail_on(tmp_path):
    weeks = planted_weeks(2)
    for i, w in enumerate(weeks, 1):
        w.to_csv(tmp_path / f"w{i}.csv", index=False)
    run = CliRunner().invoke
    r1 = run(
        cli,
        [
            "run",
            str(tmp_path / "w1.csv"),
            "-o",
            str(tmp_path / "r1"),
            "--seed",
            "7",
            "--resolution",
            "1.5",
            "-q",
        ],
    )
    assert r1.exit_code == 0, r1.output
    r2 = run(
        cli,
        [
            "run",
            str(tmp_path / "w2.csv"),
            "-o",
            str(tmp_path / "r2"),
            "--previous",
            str(tmp_path / "r1"),
            "-q",
        ],
    )
    assert r2.exit_code == 0, r2.output
    params = json.loads((tmp_path / "r2" / "run.json").read_text())["parameters"]
    assert (params["seed"], params["resolution"]) == (7, 1.5)  # followed from the previous run
    args = ["compare", str(tmp_path / "r1"), str(tmp_path / "r2"), "-o", str(tmp_path / "c")]
    ok = run(cli, [*args, "-q"])
    assert ok.exit_code == 0, ok.output
    page = (tmp_path / "c" / "report.html").read_text(encoding="utf-8")  # r2's, with the changes
    assert 'id="changes"' in page and 'id="alerts"' in page and 'id="cards"' in page
    for folder in ("r2", "c"):  # a tracked run (lineage, labels) and a comparison
        assert_dictionary_covers(tmp_path / folder)
    summary = json.loads((tmp_path / "c" / "compare.json").read_text())
    assert summary["ids"].startswith("persistent") and summary["events"]["split"] == 2
    assert summary["rules"]["inherit"] == 0.3
    fail = run(cli, [*args, "--fail-on", "warn", "-q"])
    assert fail.exit_code == 3 and (tmp_path / "c" / "alerts.csv").exists()
    rules = tmp_path / "rules.toml"
    rules.write_text(
        "part_share = 0.6\nspike_ratio = 100\ndrop_ratio = 0\ntop = 0\n"
        '[severity]\nsegment_merged = "info"\nsegment_gone = "info"\n'
        'segment_split = "info"\n'
    )
    quiet = run(cli, [*args, "--rules", str(rules), "--fail-on", "warn", "-q"])
    assert quiet.exit_code == 0, quiet.output
    summary = json.loads((tmp_path / "c" / "compare.json").read_text())
    assert summary["rules"]["part_share"] == 0.6 and summary["events"]["split"] == 0


def test_compare_writes_alerts_header_when_nothing_happened(tmp_path):
    log = planted_weeks(1)[0]
    ng.analyze(log, seed=1, outdir=tmp_path / "a")
    ng.analyze(log, seed=1, outdir=tmp_path / "b")
    res = CliRunner().invoke(
        cli,
        [
            "compare",
            str(tmp_path / "a"),
            str(tmp_path / "b"),
            "-o",
            str(tmp_path / "c"),
            "--fail-on",
            "warn",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "c" / "alerts.csv").read_text() == ",".join(ALERT_COLUMNS) + "\n"
    changes = pd.read_csv(tmp_path / "c" / "segment_changes.csv")
    assert set(changes["event"]) == {"continued"} and (changes["jaccard"] == 1).all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "LOG", "-o", "OUT", "--freeze-previous"], "need --previous"),
        (["run", "LOG", "-o", "OUT", "--previous", "NOPE"], "not a nichegraph run folder"),
        (["compare", "NOPE", "NOPE", "-o", "OUT"], "not a nichegraph run folder"),
        (["track", "LOG", "-o", "OUT", "--window", "soon"], "is not a duration"),
        (["track", "LOG", "-o", "OUT", "--rules", "RULES"], "unknown rule 'loud'"),
    ],
)
def test_bad_tracking_input_is_one_line_and_writes_nothing(tmp_path, args, message):
    log = tmp_path / "log.csv"
    planted_weeks(1)[0].to_csv(log, index=False)
    (tmp_path / "rules.toml").write_text("loud = 1\n")
    names = {
        "LOG": str(log),
        "OUT": str(tmp_path / "out"),
        "NOPE": str(tmp_path / "nope"),
        "RULES": str(tmp_path / "rules.toml"),
    }
    res = CliRunner().invoke(cli, [names.get(a, a) for a in args])
    assert res.exit_code == 2, res.output
    assert message in res.output and len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def _big_view(n, k, seed, run_id, previous=None):
    rng = np.random.default_rng(seed)
    seg = np.arange(n) * k // n + 1
    flip = rng.random(n) < 0.1
    seg[flip] = rng.integers(1, k + 1, int(flip.sum()))
    ids = np.arange(1, k + 1)
    size = np.bincount(seg, minlength=k + 1)[1:]
    people = pd.Index(np.char.add("p", np.arange(n).astype(str)).astype(object))
    segments = pd.DataFrame(
        {
            "segment": ids,
            "size": size,
            "label": "",
            "internal_weight": 3.0 * size,
            "interactions": 5 * size,
        }
    )
    short = pd.DataFrame(
        {
            "segment": np.repeat(ids, 3),
            "rank": np.tile([1, 2, 3], k),
            "person": people[(np.repeat(ids, 3) - 1) * (n // k) + np.tile([0, 1, 2], k)],
            "score": 0.5,
        }
    )
    flows = pd.DataFrame({"from_segment": ids[:-1], "to_segment": ids[1:], "weight": 1.0})
    manifest = {"graph": {"rows_used": 5 * n}, "tracking": {"previous_run": previous}}
    return RunView(pd.Series(seg, index=people), segments, short, flows, manifest, run_id)


def test_compare_on_a_million_people():
    """Right on 1M people x 20k segments; its time is measured in bench/bench_tracking.py
    (performance is measured there, not asserted here: the test machines are shared)."""
    a = _big_view(1_000_000, 20_000, 1, "A")
    b = _big_view(1_000_000, 20_000, 2, "B", previous="A")
    res = ng.compare_runs(a, b)
    assert res.summary["people"]["common"] == 1_000_000
    assert (
        res.summary["events"]["continued"]
        + res.summary["events"]["grew"]
        + res.summary["events"]["shrank"]
        == 20_000
    )
