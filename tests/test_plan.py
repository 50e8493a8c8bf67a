"""Campaign plans on a planted log: who is picked, who is excluded and why; the plan command."""

import json
import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _campaign import campaign_log
from click.testing import CliRunner
from conftest import assert_dictionary_covers

import nichegraph as ng
from nichegraph.cli import cli
from nichegraph.plan import METRICS, OBJECTIVES, PICK, PLAN_COLUMNS, SEGMENT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


@pytest.fixture(scope="module")
def planted():
    log, _ = campaign_log()
    return log, ng.analyze(log, seed=1)


def _rules(p):
    return p.excluded.groupby("person")["rule"].agg(set).to_dict()


def test_awareness_picks_the_bridge_and_never_both_twins(planted):
    _, res = planted
    p = ng.plan(res, objective="awareness", budget=6, brand="brandco")
    people = p.people["person"].tolist()
    assert people[0] == "bridge_bo"
    assert p.people.loc[0, "role"] == "connector"
    assert p.people.loc[0, "action"] == "share launch content across segments"
    assert not {"twin_a", "twin_b"} <= set(people)
    assert {"celeb_max", "brandco"}.isdisjoint(people)
    s = p.summary
    assert s["audience_covered"] == p.people["audience_new"].sum() > s["topk_audience_covered"]
    assert (p.people["audience_new"] > 0).all()
    assert [x["person"] for x in s["picks"]] == people


def test_twins_share_one_audience_so_only_one_is_picked_in_their_segment(planted):
    _, res = planted
    twin_segment = res.influencers.set_index("person").loc["twin_a", "segment"]
    p = ng.plan(res, objective="awareness", budget=10, segments=[str(twin_segment)])
    picked = set(p.people["person"])
    assert len(picked & {"twin_a", "twin_b"}) <= 1
    assert set(p.people["segment"]) == {twin_segment}


def test_support_picks_the_inner_circle_advocate_and_excludes_with_rules(planted):
    _, res = planted
    p = ng.plan(res, objective="support", budget=6, brand="brandco")
    first = p.people.iloc[0]
    assert first["person"] == "fan_ivy" and first["role"] == "advocate-influencer"
    assert first["action"] == "invite to lead the answer squad" and first["advocate"]
    rules = _rules(p)
    assert rules["celeb_max"] == {"celebrity"}
    assert "bot" in rules["bot_zz"] and rules["brandco"] == {"brand"}
    bot = p.excluded[(p.excluded["person"] == "bot_zz") & (p.excluded["rule"] == "bot")].iloc[0]
    assert {"reposts", "duplicates", "clockwork"} <= set(bot["value"].split("; "))
    assert p.summary["excluded"]["bot"] >= 1 and p.summary["advocates"] >= 1
    # one pick per segment (an even share of 6 over 6 segments)
    assert p.people["segment"].value_counts().max() == 1


def test_bots_are_flagged_but_not_excluded_for_awareness(planted):
    _, res = planted
    p = ng.plan(res, objective="awareness", budget=3, keep=["bot_zz"])
    assert "bot" not in set(p.excluded["rule"])
    assert p.measures.set_index("person").loc["bot_zz", "likely_bot"]


def test_keep_overrides_exclusions_and_max_reach(planted):
    _, res = planted
    p = ng.plan(res, objective="awareness", budget=3, max_reach="10%")
    limit = 0.10 * res.graph.n_nodes
    cel = p.excluded[p.excluded["rule"] == "celebrity"]
    reach = p.measures.set_index("person")["reach"]
    assert set(cel["person"]) == set(reach[reach > limit].index)
    assert "celeb_max" in set(cel["person"])
    kept = ng.plan(res, objective="awareness", budget=1, keep="celeb_max", max_reach="10%")
    assert "celeb_max" not in set(kept.excluded["person"])
    assert kept.people["person"].tolist() == ["celeb_max"]  # the largest audience, now allowed


def test_nobody_below_min_reach_or_without_engagement_is_picked(planted):
    _, res = planted
    for objective in ("awareness", "support", "reputation"):
        p = ng.plan(res, objective=objective, budget=12, min_reach=0)
        reach = p.measures.set_index("person")["reach"]
        assert (reach[p.people["person"]] > 0).all()
    p = ng.plan(res, objective="support", budget=12, min_reach=5)
    assert (reach[p.people["person"]] >= 5).all()
    low = p.excluded[p.excluded["rule"] == "min_reach"]
    assert set(low["person"]) == set(reach[reach < 5].index)


def test_weights_of_unavailable_measures_are_shared_out(planted):
    log, res = planted
    p = ng.plan(res, objective="reputation", budget=3)  # no --brand: no brand_affinity
    assert p.summary["weights_shared_out"] == {"brand_affinity": 0.35}
    assert set(p.summary["weights"]) == {"reciprocity", "pagerank", "conversation"}
    assert sum(p.summary["weights"].values()) == pytest.approx(1, abs=1e-5)
    undated = ng.analyze(log.drop(columns="timestamp"), seed=1)
    q = ng.plan(undated, objective="support", budget=3, brand="brandco")
    assert q.summary["unavailable_measures"] == ["brand_affinity", "responsiveness"]
    w = ng.plan(res, objective="awareness", budget=3, score_weights={"reach": 1, "reach_out": 0})
    assert "reach_out" not in w.summary["weights"]
    assert w.summary["weights"]["reach"] == pytest.approx(1 / 1.45, abs=1e-6)


def test_leads_covers_only_target_audience(planted):
    _, res = planted
    seg = res.segmentation
    target = int(seg.segments["segment"].iloc[0])
    p = ng.plan(res, objective="leads", budget=4, target_segments=[target])
    memb = pd.Series(seg.membership, index=res.graph.names)
    edges = res.graph.edges_frame()
    from_target = edges[edges["source"].map(memb) == target]
    audience = set(from_target[from_target["target"].isin(p.people["person"])]["source"])
    assert p.summary["audience_covered"] == len(audience)
    assert (p.segments["target_reach"] >= 0).all()
    with pytest.raises(ng.InputError, match="needs --target-segments"):
        ng.plan(res, objective="leads", budget=4)


def test_segments_quotas_and_top_segments(planted):
    _, res = planted
    p = ng.plan(res, objective="awareness", budget=8, per_segment=2, min_per_segment=1)
    counts = p.people["segment"].value_counts()
    assert counts.max() <= 2 and len(counts) == len(p.segments)
    p = ng.plan(res, objective="support", budget=4, top_segments=2)
    targeted = p.segments[p.segments["targeted"]]
    assert targeted["priority"].tolist() == [1, 2]
    assert set(p.people["segment"]) <= set(targeted["segment"])
    assert p.segments["why"].str.contains("outside --top-segments 2").sum() == len(p.segments) - 2
    assert list(p.segments.columns) == SEGMENT_COLUMNS
    assert p.segments.set_index("segment")["picks"].sum() == len(p.people)


def test_previous_plan_marks_changes_and_carries_notes(planted):
    _, res = planted
    before = ng.plan(res, objective="awareness", budget=4).people.copy()
    before["notes"] = [f"called {i}" for i in range(len(before))]
    before.loc[1, "segment"] = 99
    before.loc[1, "label"] = "elsewhere"
    before = pd.concat([before, pd.DataFrame({"person": ["gone_guy"], "notes": ["left"]})])
    p = ng.plan(res, objective="awareness", budget=5, previous=before)
    change = p.people.set_index("person")["change"]
    assert change[before["person"].iloc[0]] == "kept"
    assert change[before["person"].iloc[1]] == "moved"
    assert change["gone_guy"] == "dropped" and change.value_counts()["new"] == 1
    assert p.people.set_index("person").loc[before["person"].iloc[0], "notes"] == "called 0"
    assert p.summary["previous"] == {"new": 1, "kept": 3, "moved": 1, "dropped": 1}


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"objective": "fame"}, "--objective 'fame'"),
        ({"budget": 0}, "--budget must be an integer >= 1"),
        ({"per_segment": 1, "min_per_segment": 2}, "--min-per-segment 2 is above"),
        ({"score_weights": {"fame": 1}}, "'fame' is not a measure"),
        ({"segments": ["nope"]}, "--segments 'nope' is neither"),
        ({"max_reach": "lots"}, "--max-reach must be"),
    ],
)
def test_bad_options_are_one_line_errors(planted, kw, message):
    with pytest.raises(ng.InputError, match=re.escape(message)):
        ng.plan(planted[1], **kw)


def test_readme_objectives_table_is_the_code_table():
    section = README.split("## Campaign plan", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z]+)` \| (.+?) \| (\w+) \| (.+?) \|$", section, flags=re.M)
    table = {o: dict(re.findall(r"`([a-z_]+)` ([\d.]+)", w)) for o, w, _, _ in rows}
    assert {o: {m: float(v) for m, v in w.items()} for o, w in table.items()} == OBJECTIVES
    assert {o: p for o, _, p, _ in rows} == PICK and {o: m for o, _, _, m in rows} == METRICS


def _documented(file_name):
    section = README.split(f"**`{file_name}`**", 1)[1].split("\n**", 1)[0]
    return [c for row in re.findall(r"^\| (`[^|]+`) \|", section, flags=re.M)
            for c in re.findall(r"`([a-z_]+)`", row)]  # fmt: skip


def test_readme_documents_every_plan_column(planted):
    p = ng.plan(planted[1], objective="support", budget=3, brand="brandco")
    assert _documented("plan.csv") == PLAN_COLUMNS == list(p.people.columns)
    assert _documented("plan_segments.csv") == list(p.segments.columns)
    assert _documented("plan_excluded.csv") == list(p.excluded.columns)


def test_plan_command_writes_run_and_plan_files_byte_identically(tmp_path, planted):
    log, _ = planted
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    brands = tmp_path / "brand.txt"
    brands.write_text("# our accounts\n@brandco\n")
    args = ["plan", str(path), "--objective", "support", "--budget", "5", "--brand", str(brands),
            "--exclude", "twin_a,twin_b", "--seed", "3", "-q"]  # fmt: skip
    runner = CliRunner()
    for out in ("a", "b"):
        res = runner.invoke(cli, [*args, "-o", str(tmp_path / out)])
        assert res.exit_code == 0, res.output
    files = sorted(f.name for f in (tmp_path / "a").iterdir())
    expected = {"plan.csv", "plan_segments.csv", "plan_excluded.csv", "plan_summary.json"}
    assert expected | {"run.json", "segments.csv", "shortlist.csv"} <= set(files)
    for name in files:
        if name != "run.json":  # run.json holds timings
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    summary = json.loads((tmp_path / "a" / "plan_summary.json").read_text())
    assert summary["parameters"]["brand"] == ["brandco"]
    assert summary["excluded"]["exclude"] == 2 and summary["budget"] == 5
    plan_csv = pd.read_csv(tmp_path / "a" / "plan.csv")
    assert plan_csv["person"].iloc[0] == "fan_ivy" and len(plan_csv) == 5
    assert_dictionary_covers(tmp_path / "a")  # run and plan tables, one line a column
    page = (tmp_path / "a" / "report.html").read_bytes()  # the run's report with the plan
    assert b'id="plan"' in page and b"fan_ivy" in page
    res = runner.invoke(cli, ["report", str(tmp_path / "a")])  # re-rendered from the folder
    assert res.exit_code == 0, res.output
    assert (tmp_path / "a" / "report.html").read_bytes() == page


def test_plan_command_bad_input_exits_2_and_writes_nothing(tmp_path, planted):
    log, _ = planted
    path = tmp_path / "log.csv"
    log.head(500).to_csv(path, index=False)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["plan", str(path), "-o", str(out), "--objective", "leads"])
    assert res.exit_code == 2
    assert "needs --target-segments" in res.output and not out.exists()
    res = CliRunner().invoke(cli, ["plan", str(path), "-o", str(out), "--budget", "0"])
    assert res.exit_code == 2 and not out.exists()
    assert "read done" not in res.output  # refused before any work


def test_readme_plan_command_runs(tmp_path):
    section = README.split("## Campaign plan", 1)[1].split("\n## ", 1)[0]
    cmd = re.search(r"```bash\nnichegraph (plan .*)\n```", section).group(1)
    args = shlex.split(cmd)
    args[1] = str(ROOT / args[1])
    args[args.index("-o") + 1] = str(tmp_path / "plan")
    res = CliRunner().invoke(cli, [*args, "-q"])
    assert res.exit_code == 0, res.output
    picks = pd.read_csv(tmp_path / "plan" / "plan.csv")
    assert len(picks) == 8 and "zobeme1756" not in set(picks["person"])
    summary = json.loads((tmp_path / "plan" / "plan_summary.json").read_text())
    assert summary["excluded"]["brand"] == 1 and summary["handles_not_found"] == {}
    written = [f.name for f in (tmp_path / "plan").iterdir()]
    assert np.isin(["plan.csv", "shortlist.csv"], written).all()


def test_customers_are_marked_like_advocates(planted):
    _, res = planted
    inf = res.influencers
    seg_of_ivy = inf.loc[inf["person"] == "fan_ivy", "segment"].iloc[0]
    leader = inf[(inf["segment"] != seg_of_ivy) & (inf["rank"] == 1)]["person"].iloc[0]
    p = ng.plan(res, objective="reputation", budget=6, customers=[leader, "nobody_here"])
    m = p.measures.set_index("person")
    assert m.loc[leader, "customer"] and m.loc[leader, "campaign_role"] == "advocate-influencer"
    assert leader in set(p.people["person"])
    assert p.summary["handles_not_found"] == {"customers": 1}


def test_pseudonymised_plan_matches_brand_and_leaks_no_handle(tmp_path, planted):
    log, _ = planted
    res = ng.analyze(log, seed=1, pseudonymise=True, key="k" * 32)
    p = ng.plan(res, objective="support", budget=4, brand="@brandco", exclude="twin_a")
    assert p.summary["excluded"]["brand"] == 1 and p.summary["excluded"]["exclude"] == 1
    ng.save_plan(p, tmp_path / "out", run=res)
    raw = set(log["source"]) | set(log["target"])
    for f in (tmp_path / "out").glob("plan*"):
        text = f.read_text()
        assert not [h for h in ("brandco", "fan_ivy", "twin_a", "celeb_max") if h in text]
    assert p.people["person"].str.startswith("p_").all() and not raw & set(p.people["person"])


def test_readme_lists_every_plan_option():
    run_opts = {o for p in cli.commands["run"].params for o in p.opts if o.startswith("--")}
    plan_opts = {o for p in cli.commands["plan"].params for o in p.opts if o.startswith("--")}
    table = README.split("`plan` options (besides `run`'s):", 1)[1].split("\n\n", 2)[1]
    documented = set(re.findall(r"`(--[a-z-]+)", table))
    assert plan_opts - run_opts <= documented
    assert run_opts <= plan_opts  # every run option; --objective and --score-weight: the plan's


def test_plan_previous_folder_tracks_the_run_and_compares_the_plan(tmp_path, planted):
    log, _ = planted
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    base = ["plan", str(path), "--budget", "4", "-q", "--seed", "2"]
    runner = CliRunner()
    assert runner.invoke(cli, [*base, "-o", str(tmp_path / "one")]).exit_code == 0
    notes = pd.read_csv(tmp_path / "one" / "plan.csv")
    notes["notes"] = "briefed"
    notes.to_csv(tmp_path / "one" / "plan.csv", index=False)
    res = runner.invoke(
        cli, [*base, "-o", str(tmp_path / "two"), "--previous", str(tmp_path / "one")]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "two" / "lineage.csv").exists()  # tracked as by `run --previous`
    again = pd.read_csv(tmp_path / "two" / "plan.csv")
    assert set(again["change"]) <= {"new", "kept", "moved", "dropped"}
    assert (again.loc[again["change"] == "kept", "notes"] == "briefed").all()
    assert (again["change"] == "kept").sum() >= 2
