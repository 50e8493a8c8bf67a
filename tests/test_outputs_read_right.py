"""Issue 8, items 1, 4, 7 and 13: what a reader acts on is right on screen, in a spreadsheet,
in the shortlist and in the weekly rates; the shipped sample runs by name and reads like an
audience."""

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import nichegraph as ng
from nichegraph._themes import THEMES
from nichegraph.terminal import format_run_summary

SAMPLE = ng.load_dataset("brand_chatter")
PATH_COLUMNS = {
    "segments.csv": ["path"],
    "segment_summary.csv": ["path", "parent"],
    "influencers.csv": ["path"],
    "shortlist.csv": ["path"],
    "segment_flows.csv": ["from_path", "to_path"],
}


@pytest.fixture(scope="module")
def sample(invoke, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "sample"
    res = invoke("run", "brand_chatter", "-o", out, "--seed", 3)  # a shipped sample by name
    assert res.exit_code == 0, res.output
    return out, res.output


def test_terminal_shows_the_segment_id_the_csvs_use(sample):
    out, printed = sample
    summary = pd.read_csv(out / "segment_summary.csv", dtype={"path": str})
    shortlist = pd.read_csv(out / "shortlist.csv")
    rows = [line.split() for line in printed.splitlines() if line[:7].strip().isdigit()]
    assert len(rows) >= 5
    for cells in rows:
        seg, path = int(cells[0]), cells[1]
        assert summary.loc[summary["segment"] == seg, "path"].item() == path
        top = shortlist[(shortlist["segment"] == seg) & (shortlist["rank"] == 1)]["person"].item()
        assert top in " ".join(cells[2:])  # the number on screen filters the right people


def _paths(out):
    for name, cols in PATH_COLUMNS.items():
        frame = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        for col in cols:
            yield name, col, frame[col]


def test_paths_are_never_numbers_dates_or_times(sample):
    out, _ = sample
    seen = 0
    for _name, _col, values in _paths(out):
        values = values[values != ""]
        seen += len(values)
        assert values.str.match(r"^(s\d+(\.\d+)*|fringe)$").all()
        assert pd.to_numeric(values, errors="coerce").isna().all()
        dates = pd.to_datetime(values, errors="coerce", format="mixed")
        assert dates.isna().all()
    assert seen > 400


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_keeps_paths_as_text(sample, tmp_path):
    """Open every CSV with paths in LibreOffice Calc (headless) and read back the cell types."""
    import openpyxl

    out, _ = sample
    names = list(PATH_COLUMNS)
    for name in names:
        shutil.copy(out / name, tmp_path / name)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", "xlsx", "--outdir", str(tmp_path), *names],
        cwd=tmp_path, check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    checked = 0
    for name, cols in PATH_COLUMNS.items():
        sheet = openpyxl.load_workbook(tmp_path / name.replace(".csv", ".xlsx")).active
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        expected = pd.read_csv(out / name, dtype=str, keep_default_na=False)
        for col in cols:
            j = header.index(col)
            cells = [r[j] for r in sheet.iter_rows(min_row=2, values_only=True)]
            assert all(v is None or isinstance(v, str) for v in cells), (name, col)
            assert [v or "" for v in cells] == expected[col].tolist()
            checked += len(cells)
    assert checked > 400


def test_shortlist_never_lists_people_nobody_engaged_with():
    # segment 1: a hub everyone replies to, plus lurkers who only act; ties inside the segment
    hub = [(f"a{i}", "hub") for i in range(8)] * 3
    lurk = [(f"a{i}", f"a{(i + 1) % 4}") for i in range(4)]
    other = [(f"b{i}", "bhub") for i in range(8)] * 3 + [("b1", "b2"), ("b2", "b1")]
    log = pd.DataFrame(hub + lurk + other, columns=["source", "target"])
    res = ng.analyze(log, min_size=3, top=10, seed=1)
    inf, short = res.influencers, res.shortlist
    assert (inf["in_strength"] == 0).any()  # there are people nobody engaged with
    assert (short["in_strength"] > 0).all()
    engaged = inf[inf["in_strength"] > 0].groupby("segment").size()
    assert short.groupby("segment").size().to_dict() == engaged.clip(upper=10).to_dict()


def test_shortlist_on_real_data_keeps_only_engaged_people():
    from pathlib import Path

    higgs = Path(__file__).parent / "data" / "higgs_activity_50k.txt.gz"
    res = ng.analyze(
        higgs, sep=" ", header=False, columns="source,target,timestamp,kind", top=10, seed=1
    )
    short, inf = res.shortlist, res.influencers
    assert len(short) and (short["in_strength"] > 0).all()
    n_engaged = int((inf["in_strength"] > 0).groupby(inf["segment"]).sum().clip(upper=10).sum())
    assert len(short) == n_engaged < 10 * res.segmentation.n_segments


def test_per_week_uses_the_covered_span_not_calendar_weeks():
    # 7 days, Wednesday to Tuesday: two ISO weeks touched, one week covered
    t0 = pd.Timestamp("2026-07-01 00:00", tz="UTC")
    n = 70
    stamps = [t0 + pd.Timedelta(days=7) * i / (n - 1) for i in range(n)]
    people = [f"p{i % 7}" for i in range(n)]
    log = pd.DataFrame({"source": people, "target": ["hub"] * n, "timestamp": stamps})
    res = ng.analyze(log, min_size=3, seed=1)
    prof = res.profiles.set_index("segment")
    assert prof.loc[1, "weekly_activity"].count(";") == 1  # two ISO weeks in the profile
    assert prof.loc[1, "per_week"] == pytest.approx(n, rel=1e-6)  # not n / 2


def test_datasets_shows_each_files_path(invoke):
    res = invoke("datasets")
    assert res.exit_code == 0
    assert f"path: {SAMPLE.path}" in res.output
    assert ng.list_datasets()["path"].map(lambda p: p.is_file()).all()


def test_sample_labels_read_like_real_interests(sample):
    out, _ = sample
    truth = SAMPLE.truth.set_index("person")["segment"]
    seg = pd.read_csv(out / "segments.csv").set_index("person")["segment"]
    prof = pd.read_csv(out / "segment_profiles.csv", keep_default_na=False)
    vocab = {i: set(w) | set(t) for i, (_, w, t) in enumerate(THEMES)}
    hits = 0
    for row in prof[prof["segment"] != 0].itertuples():
        planted = truth[seg[seg == row.segment].index].value_counts().index[0]
        terms = [t.strip() for t in row.label.split(",")]
        hits += np.mean([t in vocab[planted] for t in terms]) == 1.0
    assert hits >= 0.8 * (len(prof) - 1)


def test_run_summary_is_built_from_ids(sample):
    res = ng.analyze(SAMPLE.log, seed=3)
    text = format_run_summary(res, "out")
    assert "segment  path" in text and " s1 " in text
