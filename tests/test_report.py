"""The HTML report: content, escaping, offline, byte-identical, re-rendered from the folder."""

import json
import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

import nichegraph as ng
from nichegraph.cli import cli
from nichegraph.report import load_run_folder, render_report, report_data

SAMPLE = ng.load_dataset("brand_chatter").path
HOSTILE = '<script>alert("x")</script>&"🙂'


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "sample"
    res = invoke("run", SAMPLE, "-o", out, "-q", "--seed", 3)
    assert res.exit_code == 0, res.output
    return out


def _hostile_log():
    rows = []
    for a, b in [("ann", "bo"), ("bo", "cy"), ("cy", "ann"), ("dee", "ann")] * 3:
        rows.append((a, b))
    rows += [(HOSTILE, "ann"), ("ann", HOSTILE), ("bo", HOSTILE), (HOSTILE, "cy")] * 2
    return pd.DataFrame(rows, columns=["source", "target"])


def test_report_shows_every_part_of_the_run(sample_run):
    html = (sample_run / "report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(sample_run / "segment_summary.csv")
    segments = summary[summary.segment != 0]
    # one card and one map circle per segment (the sample has fewer than 50)
    assert html.count('<article class="card"') == len(segments)
    assert html.count('class="seg"') == len(segments)
    for seg, label in zip(segments.segment, segments.label, strict=True):
        assert f'id="segment-{seg}"' in html
        assert label.replace("&", "&amp;") in html
    top = pd.read_csv(sample_run / "shortlist.csv").query("rank == 1")
    assert all(p in html for p in top.person)
    for part in ("How the network was made", "reciprocity", "components", "modularity",
                 "Data dictionary", 'id="dict-segment_summary"', "weekly activity",
                 "ties weigh interactions"):  # fmt: skip
        assert part in html
    assert html.count('class="spark"') == len(segments)
    assert ">nan<" not in html and "None" not in html  # empty profile fields are left out


def test_report_is_offline_and_has_no_script(sample_run):
    html = (sample_run / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html
    urls = set(re.findall(r"""(?:src|href)=["']([^"'#]+)""", html))
    assert urls <= {"columns.csv"}  # only the dictionary beside it, as a plain link
    assert "http://www.w3.org/2000/svg" in html  # the SVG namespace is not a request
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", html)


def test_same_seed_same_bytes_and_rerender_from_the_folder(sample_run, tmp_path):
    res = invoke("run", SAMPLE, "-o", tmp_path / "again", "-q", "--seed", 3)
    assert res.exit_code == 0
    first = (sample_run / "report.html").read_bytes()
    assert (tmp_path / "again" / "report.html").read_bytes() == first
    res = invoke("report", tmp_path / "again")
    assert res.exit_code == 0 and res.output.startswith("wrote ")
    assert (tmp_path / "again" / "report.html").read_bytes() == first


def test_handles_are_escaped_not_run():
    html = report_data(ng.analyze(_hostile_log(), min_size=1, seed=0))
    page = render_report(html)
    assert HOSTILE not in page and "<script" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#34;🙂" in page


def test_cards_limit_keeps_the_rest_in_the_table(sample_run):
    data = load_run_folder(sample_run)
    page = render_report(data, cards=3)
    assert page.count('<article class="card"') == 3
    n = int((data.tables["segment_summary"]["segment"] != 0).sum())
    assert page.count('<tr><td><span class="dot"') == n  # every segment in the table
    with pytest.raises(ng.InputError, match="cards must be"):
        render_report(data, cards=-1)


def test_the_report_commands_default_cards_are_the_pages():
    from nichegraph.report.render import CARDS

    option = next(p for p in cli.commands["report"].params if p.name == "cards")
    assert option.default == CARDS  # the CLI keeps a literal so `--help` needs no pandas


def test_plan_changes_and_alerts_add_their_sections(sample_run, tmp_path):
    shutil.copytree(sample_run, tmp_path / "run")
    sample_run = tmp_path / "run"
    data = load_run_folder(sample_run)
    plan = pd.DataFrame({"segment": [1, 2], "person": ["=evil", "bo"], "action": ["brief", "dm"]})
    page = render_report(data, plan=plan, alerts={"new segments": 2, "lost": "<b>"})
    assert 'id="plan"' in page and 'id="alerts"' in page and 'id="changes"' not in page
    assert page.index('id="plan"') < page.index('id="alerts"') < page.index('id="dictionary"')
    assert "=evil" in page and "&lt;b&gt;" in page
    # a part written by another command into the folder is picked up by `nichegraph report`
    (sample_run / "alerts.csv").write_text("segment,alert\n1,grew 40%\n")
    manifest = json.loads((sample_run / "run.json").read_text())
    manifest["files"].append("alerts.csv")
    (sample_run / "run.json").write_text(json.dumps(manifest))
    assert "grew 40%" in render_report(load_run_folder(sample_run))


def test_report_of_a_folder_that_is_not_a_run(tmp_path):
    res = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert res.exit_code == 2
    msg = f"{tmp_path} is not a run folder (no run.json); pass the folder `run` wrote"
    assert res.output == f"Error: {msg}\n"


def test_the_rows_a_page_shows_give_the_same_page(monkeypatch):
    """A run renders its page from the rows it shows (shown_texts); with the map's limits cut
    to the sample's size, the limits bite and the page still equals the one from every row."""
    from nichegraph.export.folder import table_texts
    from nichegraph.report import render

    res = ng.analyze(ng.load_dataset("brand_chatter").log, seed=3)
    tables = res.tables()
    texts = table_texts(res, tables)
    monkeypatch.setattr(render, "_MAP_LIMIT", 3)
    monkeypatch.setattr(render, "_MAP_SHOWN", 2)
    shown = render.shown_texts(texts, tables, cards=2)
    n_flows = len(tables["segment_flows"])
    assert 0 < shown["segment_flows"].count("\n") - 1 < n_flows  # some flows left out
    assert 0 < shown["influencers"].count("\n") - 1 < len(tables["influencers"])
    # only the profiles of the segments that may get one of the 2 cards
    assert 2 <= shown["segment_profiles"].count("\n") - 1 < len(tables["segment_profiles"]) - 1
    whole = render_report(report_data(res, texts), cards=2)
    assert render_report(report_data(res, shown), cards=2) == whole
    assert whole.count('class="flow"') > 0
