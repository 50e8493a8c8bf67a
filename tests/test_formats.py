"""Real-world input formats: each fixture follows its platform's documented schema and must
give exactly the canonical interactions listed here (nichegraph.graph.formats)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from nichegraph.errors import InputError
from nichegraph.graph.build import build_graph
from nichegraph.graph.formats import FORMATS, ReadOptions, detect_format
from nichegraph.graph.formats.base import open_source
from nichegraph.graph.read import read_interactions

DATA = Path(__file__).parent / "data" / "formats"
TIME = "datetime64[us, UTC]"


def rows(result) -> list[tuple]:
    """(source, target, kind, ISO time) of every row."""
    t = result.table
    stamps = t["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return list(zip(t["source"], t["target"], t["kind"], stamps, strict=True))


def error(data, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        read_interactions(data, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


# ------------------------------------------------------------------------------ X API v2

XAPI_PAGE = [
    ("cern", "cern", "post", "2012-07-04T08:00:00"),  # no reply/reference/mention: a post
    ("ann_physics", "cern", "retweet", "2012-07-04T08:05:00"),  # "RT @CERN" not a mention too
    ("bob", "cern", "reply", "2012-07-04T09:00:00"),  # the leading @CERN is the reply
    ("bob", "physicsgirl", "mention", "2012-07-04T09:00:00"),
    ("physicsgirl", "cern", "quote", "2012-07-04T10:30:00"),  # quoted tweet's author
    ("bob", "nobelprize", "mention", "2012-07-04T11:00:00"),  # its retweet is unresolved
    ("bob", "physicsgirl", "mention", "2012-07-04T11:00:00"),
]


def test_xapi_page():
    result = read_interactions(DATA / "xapi_search_page.json")
    assert rows(result) == XAPI_PAGE
    report = result.report
    assert (report.format, report.rows_read, report.rows_kept) == ("xapi", 8, 7)
    assert report.skipped == {"unresolved_tweet": 1}  # retweet of a tweet not in includes
    assert set(result.table["platform"]) == {"twitter"}
    assert result.table["text"].iloc[1].startswith("RT @CERN: Big news from Geneva")
    assert report.files[0]["records"] == 5


def test_xapi_pages_across_files_resolve_duplicates_and_unknown_users():
    result = read_interactions([DATA / "xapi_search_page.json", DATA / "xapi_pages.jsonl"])
    # page 2 repeats tweet 4 (skipped once) and has a tweet by a user missing from includes
    # (its mention of CERN is skipped); page 3 replies to a user missing from includes
    # (skipped) but mentions @dana by username (kept); CERN resolves from the first file
    assert rows(result) == [*XAPI_PAGE, ("ann_physics", "dana", "mention", "2012-07-05T07:15:00")]
    assert result.report.skipped == {
        "duplicate_record": 1,
        "unresolved_tweet": 1,
        "unresolved_user": 2,
    }
    assert [f["records"] for f in result.report.files] == [5, 3]
    assert result.report.rows_read == 8 + 4


# --------------------------------------------------------------------------------- Reddit

REDDIT = [
    ("bob", "alice", "comment", "2012-07-04T08:01:00"),  # on alice's submission (t3_)
    ("alice", "bob", "reply", "2012-07-04T08:02:00"),  # to bob's comment (t1_)
    ("erin", "alice", "comment", "2012-07-04T08:06:00"),
    ("alice", "alice", "post", "2012-07-04T08:00:00"),  # the submission itself
]


def test_reddit_archive_in_two_files_parents_join_across_them(tmp_path):
    folder = tmp_path / "dump"
    folder.mkdir()
    for name in ("reddit_comments.jsonl", "reddit_submissions.jsonl"):
        shutil.copy(DATA / name, folder / name)
    result = read_interactions(folder)
    assert rows(result) == REDDIT
    assert result.report.skipped == {
        "deleted_author": 2,  # a [deleted] comment and a [deleted] submission
        "deleted_target": 1,  # a reply to the [deleted] comment
        "duplicate_record": 1,  # bob's comment twice
        "parent_missing": 1,  # a reply into last week's thread
    }
    assert (result.report.rows_read, result.report.format, result.report.source) == (
        9,
        "reddit",
        str(folder),
    )
    # created_utc is a string in one file and a number in the other
    assert result.table["text"].iloc[3] == "CERN announces a new boson\n\nDiscuss the seminar here."
    assert set(result.table["platform"]) == {"reddit"}


def test_reddit_created_utc_mixing_numbers_and_strings_in_one_file(tmp_path):
    path = tmp_path / "RC_2012-07.jsonl"
    records = [
        {"id": "a", "author": "ann", "parent_id": "t3_x", "created_utc": 1341388860},
        {"id": "b", "author": "bob", "parent_id": "t1_a", "created_utc": "1341388920"},
        {"id": "c", "author": "cy", "parent_id": "t1_b", "created_utc": 1341388980.0},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = read_interactions(path)
    assert rows(result) == [
        ("bob", "ann", "reply", "2012-07-04T08:02:00"),
        ("cy", "bob", "reply", "2012-07-04T08:03:00"),
    ]
    assert result.report.skipped == {"parent_missing": 1}


def test_reddit_parent_missing_without_the_submissions():
    result = read_interactions(DATA / "reddit_comments.jsonl")
    assert rows(result) == [("alice", "bob", "reply", "2012-07-04T08:02:00")]
    assert result.report.skipped["parent_missing"] == 3


# ------------------------------------------------------------------------------- Mastodon

MASTODON = [
    ("gargron@mastodon.social", "gargron@mastodon.social", "post", "2019-12-08T03:48:33"),
    ("alice@fosstodon.org", "gargron@mastodon.social", "reply", "2019-12-08T04:00:00"),
    ("alice@fosstodon.org", "bob@mastodon.social", "mention", "2019-12-08T04:00:00"),
    ("bob@mastodon.social", "gargron@mastodon.social", "retweet", "2019-12-08T04:10:00"),
]


@pytest.mark.parametrize("layout", ["array", "jsonl", "jsonl.gz", "jsonl.zst"])
def test_mastodon_statuses(layout, tmp_path):
    path = DATA / "mastodon_statuses.json"
    if layout != "array":
        lines = "".join(json.dumps(s) + "\n" for s in json.loads(path.read_text()))
        path = tmp_path / f"statuses.{layout}"
        packed = {"jsonl": None, "jsonl.gz": "gzip", "jsonl.zst": "zstd"}[layout]
        with pa.output_stream(str(path), compression=packed) as out:
            out.write(lines.encode())
    result = read_interactions(path)
    assert rows(result) == MASTODON
    assert result.report.skipped == {"unresolved_user": 1}  # reply to an account never seen
    assert result.table["text"].tolist() == [
        "Mastodon 3.0 is out & it's great\nRead the notes",
        "@Gargron congrats! cc @bob",
        "@Gargron congrats! cc @bob",
        "Mastodon 3.0 is out & it's great\nRead the notes",  # a boost carries what it boosts
    ]
    assert result.report.format == "mastodon"


# --------------------------------------------------------------------------------- NodeXL

NODEXL = [
    ("cern", "cern", "post", "2012-07-04T08:00:00"),
    ("ann_physics", "cern", "retweet", "2012-07-04T08:05:00"),
    ("bob", "cern", "reply", "2012-07-04T09:00:00"),
    ("bob", "physicsgirl", "mention", "2012-07-04T09:00:00"),
    ("physicsgirl", "cern", "quote", "2012-07-04T10:30:00"),
    ("physicsgirl", "atlas", "mention", "2012-07-04T10:30:00"),
    ("dana", "ann_physics", "mention", "2012-07-04T11:15:00"),
    ("dana", "cern", "retweet", "2012-07-04T11:15:00"),
    ("erin", "bob", "mention", "2012-07-04T12:00:00"),
]
NODEXL_MAPPING = {
    "source": "Vertex 1",
    "target": "Vertex 2",
    "kind": "Relationship",
    "timestamp": "Relationship Date (UTC)",
    "text": "Tweet + URLs in Tweet + Hashtags in Tweet",
}


def test_nodexl_csv_export():
    result = read_interactions(DATA / "nodexl_edges.csv")
    assert rows(result) == NODEXL
    assert result.report.format == "nodexl"
    assert result.report.mapping == NODEXL_MAPPING
    assert result.report.skipped == {}
    assert result.table["text"].iloc[4] == (
        "This is the one we waited for https://t.co/bbb\n"
        "https://home.cern/news https://arxiv.org/abs/1207.7214\n#higgs #lhc"
    )
    assert result.report.problems[:2] == (
        "1 line(s) above the header skipped (NodeXL group headings)",
        "1 NodeXL 'Tweet' row(s) are plain tweets: kept as kind 'post' (activity of their "
        "author, not an interaction)",
    )


def test_posts_are_activity_not_ties():
    graph = build_graph(read_interactions(DATA / "nodexl_edges.csv"))
    assert graph.report.dropped == {"post": 1}  # cern's plain tweet
    assert graph.report.rows_used == 8 and graph.n_edges == 8


def nodexl_workbook(path: Path, *, sheet: str = "Edges") -> Path:
    """The CSV fixture laid out as NodeXL saves it: group headings above the header, Excel
    dates, a Vertices sheet next to the Edges sheet."""
    from openpyxl import Workbook

    lines = (DATA / "nodexl_edges.csv").read_text().splitlines()
    table = pd.read_csv(DATA / "nodexl_edges.csv", skiprows=1, dtype=str, keep_default_na=False)
    book = Workbook()
    edges = book.active
    edges.title = sheet
    edges.append([c or None for c in lines[0].split(",")])
    edges.append(list(table.columns))
    for record in table.itertuples(index=False):
        cells = []
        for name, value in zip(table.columns, record, strict=True):
            if "Date" in name and value:
                value = dt.datetime.strptime(value, "%m/%d/%Y %H:%M")
            cells.append(value if value != "" else None)
        edges.append(cells)
    book.create_sheet("Vertices").append(["Vertex", "Color", "Shape"])
    book.save(path)
    return path


def test_nodexl_workbook_reads_like_its_csv_export(tmp_path):
    result = read_interactions(nodexl_workbook(tmp_path / "higgs.xlsx"))
    assert rows(result) == NODEXL
    assert result.report.format == "nodexl"
    assert result.report.mapping == NODEXL_MAPPING
    assert result.report.files[0]["sheet"] == "Edges"
    expected = read_interactions(DATA / "nodexl_edges.csv").table
    pd.testing.assert_series_equal(result.table["text"], expected["text"])


# ------------------------------------------------------------------ headerless and aliases


def test_headerless_log_with_kind_aliases_and_milliseconds(tmp_path):
    path = tmp_path / "activity.txt"
    path.write_text("ann bob 1341100972000 QT\nbob cy 1341100973000 FAV\ncy ann 1341100974000 RT\n")
    result = read_interactions(
        path, sep=" ", header=False, columns="source,target,timestamp,kind",
        kind_aliases=["QT=quote", "fav=like"],
    )  # fmt: skip
    assert rows(result) == [
        ("ann", "bob", "quote", "2012-07-01T00:02:52"),
        ("bob", "cy", "like", "2012-07-01T00:02:53"),
        ("cy", "ann", "retweet", "2012-07-01T00:02:54"),
    ]
    assert "column 'timestamp' holds numbers: read as Unix milliseconds" in result.report.problems
    assert not any("kinds kept as given" in p for p in result.report.problems)
    assert result.report.files[0]["sep"] == " " and result.report.files[0]["header"] is False


def test_ignored_columns_and_a_header_line_replaced(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("a,b,c,d\nx,ann,bob,RE\ny,bob,cy,MT\n")
    result = read_interactions(path, columns=["-", "source", "target", "kind"])
    assert result.table.values.tolist() == [["ann", "bob", "reply"], ["bob", "cy", "mention"]]
    assert "header line replaced by --columns: a, b, c, d" in result.report.problems


def test_headerless_data_gets_a_hint(tmp_path):
    path = tmp_path / "activity.txt"
    path.write_text("223789 213163 1341100972 MT\n")
    assert error(path).endswith(
        "or, if the first line is data, pass --no-header --columns with one name per field "
        "(4), e.g. --columns source,target,timestamp,kind"
    )


# ------------------------------------------------------------------ detection, several files


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("xapi_search_page.json", "xapi"),
        ("xapi_pages.jsonl", "xapi"),
        ("reddit_comments.jsonl", "reddit"),
        ("mastodon_statuses.json", "mastodon"),
        ("nodexl_edges.csv", "nodexl"),
    ],
)
def test_detect_format(name, expected):
    assert detect_format(open_source(DATA / name)).format == expected


def test_format_option_overrides_detection(tmp_path):
    path = tmp_path / "export.dat"  # an extension that says nothing
    shutil.copy(DATA / "reddit_comments.jsonl", path)
    assert read_interactions(path, format="reddit").report.format == "reddit"
    assert read_interactions(path).report.format == "reddit"  # detected from the keys
    assert error(path, format="csv").startswith(f"{path} has no 'source' and no 'target' column")
    assert error(path, format="yaml") == (f"unknown format 'yaml'; use one of {', '.join(FORMATS)}")


def test_several_formats_as_one_log(tmp_path):
    (tmp_path / "day1.csv").write_text("source,target,kind\nzoe,cern,reply\n")
    shutil.copy(DATA / "mastodon_statuses.json", tmp_path / "day2.json")
    shutil.copy(DATA / "reddit_comments.jsonl", tmp_path / "day3.jsonl.gz")
    gz = tmp_path / "day3.jsonl.gz"
    gz.write_bytes(gzip.compress(gz.read_bytes()))
    (tmp_path / "README.md").write_text("not a log: left out")
    result = read_interactions(str(tmp_path / "day*"))
    report = result.report
    assert [(Path(f["path"]).name, f["format"]) for f in report.files] == [
        ("day1.csv", "csv"),
        ("day2.json", "mastodon"),
        ("day3.jsonl.gz", "reddit"),
    ]
    assert report.format == "mixed" and report.compression == "mixed"
    assert pd.isna(result.table["platform"].iloc[0])  # the CSV has no platform column
    assert result.table["platform"].iloc[1:].tolist() == ["mastodon"] * 4 + ["reddit"]
    assert result.table["source"].tolist()[0] == "zoe"
    assert report.rows_kept == 1 + 4 + 1
    assert report.skipped == {"unresolved_user": 1, "deleted_author": 1, "deleted_target": 1,
                              "duplicate_record": 1, "parent_missing": 3}  # fmt: skip
    assert read_interactions(tmp_path).report.files == report.files  # the folder: same files
    assert json.loads(json.dumps(report.to_dict()))["files"][2]["compression"] == "gzip"


def test_read_options_are_checked_before_reading():
    assert ReadOptions(columns=" source , target ").columns == ("source", "target")
    with pytest.raises(InputError, match="header=False needs columns"):
        ReadOptions(header=False)
    with pytest.raises(InputError, match="'source' is named twice"):
        ReadOptions(columns="source,source,target")
    with pytest.raises(InputError, match="expected CODE=KIND"):
        ReadOptions(kind_aliases=["QT"])
