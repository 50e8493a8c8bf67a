"""Reading interaction logs into the canonical table (nichegraph.graph.read / .schema)."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nichegraph.errors import InputError
from nichegraph.graph.read import SKIP_REASONS, Interactions, read_interactions
from nichegraph.graph.schema import (
    CANONICAL,
    HEADER_ALIASES,
    KIND_ALIASES,
    header_key,
    match_headers,
    normalise_kind,
    parse_mapping,
    parse_timestamps,
    parse_weights,
)

TIME = "datetime64[us, UTC]"

# One small log, written in every format; EXPECTED is its canonical table.
HEADER = ["source", "target", "kind", "timestamp", "platform", "weight", "text"]
ROWS = [
    ["alice", "bob", "RT", "2012-07-01T10:00:00Z", "Twitter", "2", "hello"],
    ["bob", "carol", "reply", "2012-07-01T12:30:00+02:00", " twitter ", "1.5", "hi, there"],
    [" carol ", "alice", "Mentions", "2012-07-02 08:00:00", "Reddit", "", ""],
    ["dave", "alice", "", "", "", "3", "plain"],
]


def expected_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": pd.Series(["alice", "bob", "carol", "dave"], dtype="str"),
            "target": pd.Series(["bob", "carol", "alice", "alice"], dtype="str"),
            "kind": pd.Series(["retweet", "reply", "mention", "interaction"], dtype="str"),
            "timestamp": pd.Series(
                pd.to_datetime(
                    ["2012-07-01 10:00", "2012-07-01 10:30", "2012-07-02 08:00", None], utc=True
                )
            ).astype(TIME),
            "platform": pd.Series(["twitter", "twitter", "reddit", None], dtype="str"),
            "weight": [2.0, 1.5, 1.0, 3.0],
            "text": pd.Series(["hello", "hi, there", "", "plain"], dtype="str"),
        }
    )


def csv_text(rows=ROWS, header=HEADER, sep=",") -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if sep in value or "\n" in value or '"' in value else value

    return "".join(sep.join(cell(v) for v in row) + "\n" for row in [header, *rows])


def write(path: Path, content: str | bytes, *, gz: bool = False) -> Path:
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def strings_frame(rows=ROWS, header=HEADER) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=header, dtype=object)


def input_error(data, **kwargs) -> str:
    """The message of the InputError that reading ``data`` raises; asserts it is one line."""
    with pytest.raises(InputError) as info:
        read_interactions(data, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message
    return message


def read_csv_text(tmp_path: Path, text: str, name: str = "log.csv", **kwargs) -> Interactions:
    return read_interactions(write(tmp_path / name, text), **kwargs)


# ---------------------------------------------------------------------------------- formats


def _make_input(kind: str, tmp_path: Path):
    if kind == "csv":
        return write(tmp_path / "log.csv", csv_text())
    if kind == "csv.gz":
        return write(tmp_path / "log.csv.gz", csv_text(), gz=True)
    if kind == "tsv":
        return write(tmp_path / "log.tsv", csv_text(sep="\t"))
    if kind == "tab":
        return write(tmp_path / "log.tab", csv_text(sep="\t"))
    if kind == "tsv.gz":
        return write(tmp_path / "log.tsv.gz", csv_text(sep="\t"), gz=True)
    if kind == "sniffed-semicolon":
        return write(tmp_path / "log.txt", csv_text(sep=";"))
    if kind == "sniffed-tab":
        return write(tmp_path / "log", csv_text(sep="\t"))
    if kind == "gzip-by-magic":
        return write(tmp_path / "log.csv", csv_text(), gz=True)
    if kind in ("parquet", "pq", "parquet-by-magic", "parquet.gz"):
        name = {"parquet": "log.parquet", "pq": "log.pq", "parquet-by-magic": "log.dat"}
        path = tmp_path / name.get(kind, "log.parquet.gz")
        pq.write_table(pa.Table.from_pandas(strings_frame(), preserve_index=False), path)
        if kind == "parquet.gz":
            path.write_bytes(gzip.compress(path.read_bytes()))
        return path
    if kind == "dataframe":
        return strings_frame()
    raise AssertionError(kind)


FORMATS = {
    "csv": ("csv", None),
    "csv.gz": ("csv", "gzip"),
    "tsv": ("tsv", None),
    "tab": ("tsv", None),
    "tsv.gz": ("tsv", "gzip"),
    "sniffed-semicolon": ("csv", None),
    "sniffed-tab": ("tsv", None),
    "gzip-by-magic": ("csv", "gzip"),
    "parquet": ("parquet", None),
    "pq": ("parquet", None),
    "parquet-by-magic": ("parquet", None),
    "parquet.gz": ("parquet", "gzip"),
    "dataframe": ("dataframe", None),
}


@pytest.mark.parametrize("kind", list(FORMATS))
def test_every_format_gives_the_same_canonical_table(kind, tmp_path):
    data = _make_input(kind, tmp_path)
    result = read_interactions(data)
    pd.testing.assert_frame_equal(result.table, expected_table())
    report = result.report
    assert (report.format, report.compression) == FORMATS[kind]
    assert report.source == ("<DataFrame>" if kind == "dataframe" else str(data))
    assert report.columns_found == tuple(HEADER)
    assert report.mapping == {c: c for c in CANONICAL}
    assert (report.rows_read, report.rows_kept, report.skipped) == (4, 4, {})
    assert report.kinds == {"interaction": 1, "mention": 1, "reply": 1, "retweet": 1}
    assert (report.time_min, report.time_max) == ("2012-07-01T10:00:00Z", "2012-07-02T08:00:00Z")
    assert report.problems == ("1 row(s) have no weight in column 'weight'; counted as 1.0",)


@pytest.mark.parametrize("kind", ["csv", "csv.gz", "parquet", "parquet.gz"])
def test_sha256_is_of_the_file_bytes_as_stored(kind, tmp_path):
    path = _make_input(kind, tmp_path)
    report = read_interactions(path).report
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_dataframe_has_no_fingerprint_and_input_is_not_modified():
    frame = strings_frame()
    before = frame.copy()
    report = read_interactions(frame).report
    assert report.sha256 is None and report.compression is None
    pd.testing.assert_frame_equal(frame, before)


def test_report_to_dict_is_json_ready():
    report = read_interactions(strings_frame()).report
    as_dict = report.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["columns_found"] == HEADER
    assert as_dict["problems"] == list(report.problems)
    assert set(as_dict) == {
        "source", "format", "compression", "sha256", "columns_found", "mapping", "rows_read",
        "rows_kept", "skipped", "kinds", "time_min", "time_max", "problems", "files",
    }  # fmt: skip


def test_only_canonical_columns_in_canonical_order(tmp_path):
    text = "extra,Text,target,source,kind\nx,hi,b,a,like\n"
    table = read_csv_text(tmp_path, text).table
    assert list(table.columns) == ["source", "target", "kind", "text"]
    assert table.iloc[0].tolist() == ["a", "b", "like", "hi"]


# -------------------------------------------------------------------------- header aliases


@pytest.mark.parametrize(
    ("header", "row", "expected_mapping"),
    [
        ("from,to", "a,b", {"source": "from", "target": "to"}),
        ("src,dst", "a,b", {"source": "src", "target": "dst"}),
        ("author,parent_author,body", "a,b,hi",
         {"source": "author", "target": "parent_author", "text": "body"}),
        ("UserA,UserB,Count", "a,b,2", {"source": "UserA", "target": "UserB", "weight": "Count"}),
        ("from_user,to_user,created_at,network", "a,b,2012-07-01,x",
         {"source": "from_user", "target": "to_user", "timestamp": "created_at",
          "platform": "network"}),
        ("Actor,Target,Action,Time,Site", "a,b,reply,2012-07-01,x",
         {"source": "Actor", "target": "Target", "kind": "Action", "timestamp": "Time",
          "platform": "Site"}),
        (" From User ,TO-USER,Interaction Type", "a,b,reply",
         {"source": "From User", "target": "TO-USER", "kind": "Interaction Type"}),
    ],
)  # fmt: skip
def test_header_aliases_are_recognised(header, row, expected_mapping, tmp_path):
    result = read_csv_text(tmp_path, f"{header}\n{row}\n")
    assert result.report.mapping == expected_mapping
    assert result.table["source"].tolist() == ["a"]
    assert result.table["target"].tolist() == ["b"]


def test_nodexl_export(tmp_path):
    text = (
        "Vertex 1,Vertex 2,Color,Relationship,Relationship Date (UTC),Tweet\n"
        "alice,bob,,Retweet,2012-07-01 10:00:00,RT @bob hi\n"
        "bob,carol,,Replies to,2012-07-01 11:00:00,@carol yes\n"
        "carol,alice,,MentionsInRetweet,2012-07-01 12:00:00,RT @x @alice\n"
        "dave,dave,,Tweet,2012-07-01 13:00:00,just posting\n"
    )
    result = read_csv_text(tmp_path, text)
    assert result.report.mapping == {
        "source": "Vertex 1",
        "target": "Vertex 2",
        "kind": "Relationship",
        "timestamp": "Relationship Date (UTC)",
        "text": "Tweet",
    }
    assert result.table["kind"].tolist() == ["retweet", "reply", "mention", "post"]
    assert result.table["timestamp"].iloc[-1] == pd.Timestamp("2012-07-01 13:00", tz="UTC")
    assert result.table["text"].iloc[0] == "RT @bob hi"


def test_exact_canonical_name_wins_over_alias_and_is_reported(tmp_path):
    result = read_csv_text(tmp_path, "from,source,target\nx,a,b\n")
    assert result.report.mapping == {"source": "source", "target": "target"}
    assert result.table["source"].tolist() == ["a"]
    assert result.report.problems == (
        "several columns look like source: using 'source', ignoring 'from'; "
        "choose another with --map source=COLUMN",
    )


def test_two_aliases_for_one_field_use_the_first_in_alias_order(tmp_path):
    # 'from' comes before 'src' in the alias list, whatever the file order
    result = read_csv_text(tmp_path, "src,from,to\nx,a,b\n")
    assert result.report.mapping["source"] == "from"
    assert result.table["source"].tolist() == ["a"]
    assert any("ignoring 'src'" in p for p in result.report.problems)


def test_header_aliases_cover_the_documented_names():
    documented = {
        "source": ["source", "from", "src", "author", "actor", "user", "usera", "from_user",
                   "vertex 1"],
        "target": ["target", "to", "dst", "parent_author", "userb", "to_user", "vertex 2"],
        "kind": ["kind", "type", "interaction", "interaction_type", "action", "relationship"],
        "timestamp": ["timestamp", "time", "date", "datetime", "created_at", "created_utc",
                      "relationship date (utc)"],
        "platform": ["platform", "network", "site"],
        "weight": ["weight", "count"],
        "text": ["text", "body", "content", "tweet", "message"],
    }  # fmt: skip
    for field, names in documented.items():
        for name in names:
            assert name in HEADER_ALIASES[field]
            assert match_headers([name.upper()])[0] == {field: name.upper()}


def test_header_key_ignores_case_spaces_underscores_hyphens():
    assert header_key(" Vertex_1 ") == header_key("vertex-1") == header_key("VERTEX 1")
    assert header_key("Relationship Date (UTC)") == "relationshipdate(utc)"


# ----------------------------------------------------------------------------------- --map


def test_mapping_names_columns(tmp_path):
    path = write(tmp_path / "log.csv", "who,whom,when\na,b,2012-07-01\n")
    result = read_interactions(
        path, mapping=parse_mapping(["source=who", "target=whom", "timestamp=when"])
    )
    assert result.report.mapping == {"source": "who", "target": "whom", "timestamp": "when"}
    assert result.table["timestamp"].tolist() == [pd.Timestamp("2012-07-01", tz="UTC")]


def test_mapping_overrides_recognised_headers(tmp_path):
    path = write(tmp_path / "log.csv", "from,to,handle\nx,b,a\n")
    result = read_interactions(path, mapping={"source": "handle"})
    assert result.report.mapping == {"source": "handle", "target": "to"}
    assert result.table["source"].tolist() == ["a"]


def test_mapping_matches_column_names_case_insensitively(tmp_path):
    path = write(tmp_path / "log.csv", "Who,Whom\na,b\n")
    result = read_interactions(path, mapping={"source": "who", "target": "WHOM"})
    assert result.report.mapping == {"source": "Who", "target": "Whom"}


def test_mapping_to_a_missing_column(tmp_path):
    path = write(tmp_path / "log.csv", "a,b,c\n1,2,3\n")
    message = input_error(path, mapping={"source": "foo", "target": "b"})
    assert message == f"--map source=foo: no column 'foo' in {path}; columns found: a, b, c"


def test_mapping_one_column_twice(tmp_path):
    path = write(tmp_path / "log.csv", "a,b\n1,2\n")
    message = input_error(path, mapping={"source": "a", "target": "a"})
    assert message == (
        "--map target=a: column 'a' is already mapped to source; each column can fill one "
        "field only"
    )


def test_mapping_unknown_field_and_wrong_type(tmp_path):
    assert input_error(strings_frame(), mapping={"sauce": "source"}).startswith(
        "--map sauce=source: unknown field 'sauce'; use one of source, target, kind"
    )
    assert "mapping must be a dict" in input_error(strings_frame(), mapping=["source=a"])


def test_parse_mapping():
    assert parse_mapping(["source=from_user", " Target = Vertex 2 "]) == {
        "source": "from_user",
        "target": "Vertex 2",
    }
    assert parse_mapping([]) == {}


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["source"], "--map source: expected FIELD=COLUMN, e.g. --map source=from_user; "
                     "FIELD is one of source, target, kind, timestamp, platform, weight, text"),
        (["source="], "--map source=: both sides must be non-empty; write FIELD=COLUMN, "
                      "e.g. --map source=from_user"),
        (["=a"], "--map =a: both sides must be non-empty"),
        (["who=a"], "--map who=a: unknown field 'who'; use one of source, target, kind, "
                    "timestamp, platform, weight, text"),
        (["source=a", "source=b"], "--map source=b: 'source' is mapped twice (also to 'a'); "
                                   "give each field once"),
    ],
)  # fmt: skip
def test_parse_mapping_errors(items, expected):
    with pytest.raises(InputError) as info:
        parse_mapping(items)
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------------------------ kinds


def test_kind_aliases_table():
    expected = {
        "retweet": ["rt", "retweet", "retweets", "retweeted", "boost", "reblog", "repost"],
        "mention": ["mt", "mention", "mentions", "mentionsinretweet", "mentionsinquote",
                    "mentionsinreplyto"],
        "reply": ["re", "reply", "replies", "replies to", "replied", "replied_to"],
        "quote": ["quote", "quotes", "quoted"],
        "comment": ["comment", "comments"],
        "like": ["like", "likes", "favorite", "favourite", "fav"],
        "post": ["tweet", "post"],
    }  # fmt: skip
    for canonical, raws in expected.items():
        for raw in raws:
            assert KIND_ALIASES[raw] == canonical


def test_normalise_kind():
    raw = pd.Series(["RT", " Replies To ", "", None, "Upvote", "FAV", "MentionsInReplyTo", "rt"],
                    index=[10, 11, 12, 13, 14, 15, 16, 17])  # fmt: skip
    result = normalise_kind(raw)
    assert result.tolist() == [
        "retweet", "reply", "interaction", "interaction", "upvote", "like", "mention", "retweet"
    ]  # fmt: skip
    assert result.index.tolist() == raw.index.tolist()
    assert result.dtype == "str"


def test_unknown_kinds_are_kept_and_reported(tmp_path):
    text = "source,target,kind\na,b,Upvote\nc,d,upvote\ne,f,rt\ng,h,Zap\n"
    report = read_csv_text(tmp_path, text).report
    assert list(report.kinds.items()) == [("upvote", 2), ("retweet", 1), ("zap", 1)]
    assert report.problems == (
        "kinds kept as given (not a known alias): 'upvote' (2 rows), 'zap' (1 row)",
    )


def test_no_kind_column_means_interaction(tmp_path):
    result = read_csv_text(tmp_path, "source,target\na,b\nc,d\n")
    assert result.table["kind"].tolist() == ["interaction", "interaction"]
    assert result.report.kinds == {"interaction": 2}


def test_kinds_are_sorted_by_count_then_name(tmp_path):
    text = "source,target,kind\n" + "a,b,reply\n" * 2 + "a,b,like\n" + "a,b,zap\n" * 3
    text += "a,b,comment\n"
    kinds = read_csv_text(tmp_path, text).report.kinds
    assert list(kinds.items()) == [("zap", 3), ("reply", 2), ("comment", 1), ("like", 1)]


# ------------------------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2012-07-01T10:00:00Z"], ["2012-07-01 10:00:00"]),
        (["2012-07-01T10:00:00.250Z"], ["2012-07-01 10:00:00.250"]),
        (["2012-07-01T12:00:00+02:00", "2012-07-01T05:00:00-05:00"],
         ["2012-07-01 10:00:00", "2012-07-01 10:00:00"]),
        (["2012-07-01 10:00:00", "2012-07-01"], ["2012-07-01 10:00:00", "2012-07-01 00:00:00"]),
        (["1341136800", "1341136801"], ["2012-07-01 10:00:00", "2012-07-01 10:00:01"]),
        (["1341136800.5"], ["2012-07-01 10:00:00.500"]),
        (["1341136800000", "1341136800123"], ["2012-07-01 10:00:00", "2012-07-01 10:00:00.123"]),
        (["0"], ["1970-01-01 00:00:00"]),
        (["Sun Jul 01 10:00:00 +0000 2012", "2012-07-01T10:00:01Z"],  # Twitter v1.1
         ["2012-07-01 10:00:00", "2012-07-01 10:00:01"]),
        (["Sun, 01 Jul 2012 12:00:00 +0200"], ["2012-07-01 10:00:00"]),  # RFC 2822
        (["2012-07-01 12:00:00 +0200"], ["2012-07-01 10:00:00"]),
        (["7/1/2012 10:00:00 PM", "07/13/2012 10:00"],  # US spreadsheet (13: month first)
         ["2012-07-01 22:00:00", "2012-07-13 10:00:00"]),
        (["1/7/2012 22:00", "13.07.2012 10:00"],  # European export (13: day first)
         ["2012-07-01 22:00:00", "2012-07-13 10:00:00"]),
        (["1 July 2012 10:00", "July 2, 2012"],  # left to dateutil
         ["2012-07-01 10:00:00", "2012-07-02 00:00:00"]),
    ],
)  # fmt: skip
def test_timestamps(values, expected, tmp_path):
    text = "source,target,timestamp\n" + "".join(f'a,b,"{v}"\n' for v in values)
    table = read_csv_text(tmp_path, text).table
    assert table["timestamp"].dtype == TIME
    assert table["timestamp"].tolist() == [pd.Timestamp(e, tz="UTC") for e in expected]


def test_unix_timestamps_are_reported_with_their_unit(tmp_path):
    report = read_csv_text(tmp_path, "source,target,time\na,b,1341136800\n").report
    assert report.problems == ("column 'time' holds numbers: read as Unix seconds",)
    report = read_csv_text(tmp_path, "source,target,time\na,b,1341136800000\n").report
    assert report.problems == ("column 'time' holds numbers: read as Unix milliseconds",)


def test_guessed_date_format_is_reported(tmp_path):
    text = "source,target,date\na,b,2012-07-01T00:00:00Z\nc,d,07/14/2012 10:00\n"
    result = read_csv_text(tmp_path, text)
    assert result.table["timestamp"].tolist()[1] == pd.Timestamp("2012-07-14 10:00", tz="UTC")
    assert result.report.problems == (
        "1 value(s) in column 'date' are not ISO-8601 and were read by their apparent format "
        "(month first, as row 2 '07/14/2012 10:00' shows), e.g. '07/14/2012 10:00' (row 2)",
    )


def test_empty_timestamps_are_kept_as_nat(tmp_path):
    text = "source,target,timestamp\na,b,\nc,d,2012-07-01\ne,f,  \n"
    result = read_csv_text(tmp_path, text)
    assert result.report.rows_kept == 3 and result.report.skipped == {}
    assert result.table["timestamp"].isna().tolist() == [True, False, True]


def test_all_empty_timestamp_column(tmp_path):
    result = read_csv_text(tmp_path, "source,target,timestamp\na,b,\n")
    assert result.table["timestamp"].dtype == TIME
    assert result.table["timestamp"].isna().all()
    assert (result.report.time_min, result.report.time_max) == (None, None)
    assert result.report.problems == ("column 'timestamp' has no timestamps (every cell is empty)",)


def test_dates_without_year_are_not_guessed():
    # dateutil would give "July 4" year 1 and "Monday" today's date
    parsed = parse_timestamps(
        pd.Series(["2012-07-01", "2012-07-02", "July 4", "Monday", "2012-07-03"]), column="t"
    )
    assert parsed.bad.tolist() == [False, False, True, True, False]
    assert parsed.values.isna().tolist() == [False, False, True, True, False]


def test_timestamps_from_a_dataframe():
    frame = pd.DataFrame(
        {
            "source": ["a", "b", "c"],
            "target": ["b", "c", "a"],
            "naive": pd.to_datetime(["2012-07-01 10:00", "2012-07-01 11:00", None]),
            "berlin": pd.to_datetime(["2012-07-01 12:00"] * 3).tz_localize("Europe/Berlin"),
            "epoch": [1341136800, 1341136800000, np.nan],
        }
    )
    ten = pd.Timestamp("2012-07-01 10:00", tz="UTC")
    for column, expected in [
        ("naive", [ten, ten + pd.Timedelta(hours=1), pd.NaT]),
        ("berlin", [ten] * 3),
        ("epoch", [ten, ten, pd.NaT]),
    ]:
        table = read_interactions(frame, mapping={"timestamp": column}).table
        assert table["timestamp"].dtype == TIME
        assert table["timestamp"].tolist() == expected


def test_a_column_that_does_not_hold_timestamps(tmp_path):
    text = "source,target,date\na,b,yesterday-ish\nc,d,soon\ne,f,later\n"
    message = input_error(write(tmp_path / "log.csv", text))
    assert message == (
        "column 'date' does not hold timestamps: 'yesterday-ish' (row 1) could not be parsed; "
        "3 of 3 values failed; map another column with --map timestamp=COLUMN"
    )


def test_row_numbers_count_rows_the_parser_dropped(tmp_path):
    # data row 1 is malformed (4 fields), so the first bad timestamp is data row 3
    text = "source,target,date\na,b,2012-07-01,extra\nc,d,\ne,f,nope\ng,h,never\n"
    message = input_error(write(tmp_path / "log.csv", text))
    assert "'nope' (row 3) could not be parsed; 2 of 2 values failed" in message


def test_row_numbers_of_a_file_read_in_parallel_blocks(tmp_path):
    """A file of several 8 MiB blocks is parsed on every core, which cannot number the rows it
    skips: one malformed row makes it read again on one thread, so the numbers stay right."""
    undated = "".join(f"user{i},user{i + 1},\n" for i in range(300_000))  # ~5 MB; 10 MB > a block
    text = "source,target,date\n" + undated + "a,b,2012-07-01,extra\n" + undated
    message = input_error(write(tmp_path / "log.csv", text + "c,d,nope\ne,f,never\n"))
    assert "'nope' (row 600002) could not be parsed; 2 of 2 values failed" in message


# ---------------------------------------------------------------------------------- weights


def test_parse_weights():
    parsed = parse_weights(pd.Series(["2", " 0.5 ", "", "-1", "x", "inf", "NaN", "1e2"]),
                           column="w")  # fmt: skip
    expected = [2.0, 0.5, 1.0, -1.0, 1.0, np.inf, np.nan, 100.0]
    np.testing.assert_array_equal(parsed.values.to_numpy(), expected)
    assert parsed.bad.tolist() == [False, False, False, False, True, False, False, False]
    assert parsed.invalid.tolist() == [False, False, False, True, False, True, True, False]
    assert parsed.notes == ("1 row(s) have no weight in column 'w'; counted as 1.0",)


def test_a_column_that_does_not_hold_weights(tmp_path):
    text = "source,target,weight\na,b,1\nc,d,heavy\ne,f,light\n"
    assert input_error(write(tmp_path / "log.csv", text)) == (
        "column 'weight' does not hold numeric weights: 'heavy' (row 2) is not a number; "
        "2 of 3 values failed; map another column with --map weight=COLUMN"
    )


def test_dataframe_weights():
    frame = pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"],
                          "weight": [1, np.nan, -2]})  # fmt: skip
    result = read_interactions(frame)
    assert result.table["weight"].dtype == np.float64
    assert result.table["weight"].tolist() == [1.0, 1.0]
    assert result.report.skipped == {"negative_weight": 1}
    bad = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": ["one", "two"]})
    assert input_error(bad).startswith(
        "column 'weight' does not hold numeric weights: 'one' (row 1) is not a number; 2 of 2"
    )


# ------------------------------------------------------------------------------- skip rules


def test_skipped_rows_are_counted_by_reason(tmp_path):
    text = (
        "source,target,timestamp,weight\n"
        "a,b,2012-07-01,1\n"  # 1 kept
        "a,b,2012-07-01\n"  # 2 malformed (3 fields)
        ",b,2012-07-01,1\n"  # 3 empty source
        "  ,,2012-07-01,1\n"  # 4 empty source (and target: counted once)
        "a,,2012-07-01,1\n"  # 5 empty target
        "a,  ,2012-07-01,1\n"  # 6 empty target
        "a,b,31/31/2012 99:00,1\n"  # 7 bad timestamp
        "a,b,not a date,x\n"  # 8 bad timestamp (and bad weight: counted once)
        "a,b,2012-07-02,abc\n"  # 9 bad weight
        "a,b,2012-07-02,-1\n"  # 10 negative weight
        "a,b,2012-07-02,inf\n"  # 11 non-finite weight
        "a,b,2012-07-02,nan\n"  # 12 non-finite weight
        "a,b,,0\n"  # 13 kept (no timestamp, weight 0)
        "a,b,c,d,e\n"  # 14 malformed (5 fields)
        "x,y,2012-07-03T00:00:00Z,2.5\n"  # 15 kept
    )
    result = read_csv_text(tmp_path, text)
    report = result.report
    assert report.rows_read == 15
    assert report.rows_kept == 3
    assert report.skipped == {
        "bad_timestamp": 2,
        "bad_weight": 1,
        "empty_source": 2,
        "empty_target": 2,
        "malformed_row": 2,
        "negative_weight": 3,
    }
    assert list(report.skipped) == sorted(report.skipped)
    assert set(report.skipped) <= set(SKIP_REASONS)
    assert report.rows_read == report.rows_kept + sum(report.skipped.values())
    assert result.table["source"].tolist() == ["a", "a", "x"]
    assert result.table["weight"].tolist() == [1.0, 0.0, 2.5]
    assert (report.time_min, report.time_max) == ("2012-07-01T00:00:00Z", "2012-07-03T00:00:00Z")


def test_handles_that_look_like_missing_values_are_kept(tmp_path):
    text = 'source,target\nnull,NA\nnan,None\n"",x\n'
    result = read_csv_text(tmp_path, text)
    assert result.table[["source", "target"]].values.tolist() == [["null", "NA"], ["nan", "None"]]
    assert result.report.skipped == {"empty_source": 1}


def test_all_rows_skipped(tmp_path):
    path = write(tmp_path / "log.csv", "source,target\n,b\na,\nx,y,z\n")
    assert input_error(path) == (
        f"{path}: all 3 data rows were skipped (empty_source: 1, empty_target: 1, "
        "malformed_row: 1); check the file and the column mapping (--map FIELD=COLUMN)"
    )


# ------------------------------------------------------------------------ strings and ids


def test_platform_and_text(tmp_path):
    text = 'source,target,platform,text\na,b, Mastodon ,"  two\nlines, quoted "\nc,d,,\n'
    table = read_csv_text(tmp_path, text).table
    assert table["platform"].tolist()[0] == "mastodon"
    assert pd.isna(table["platform"].tolist()[1])
    assert table["text"].tolist() == ["  two\nlines, quoted ", ""]


def test_unicode_handles_and_crlf_and_bom(tmp_path):
    text = "\ufeffsource,target\r\njosé,🙂user\r\n  spaced  ,b\r\n"
    table = read_csv_text(tmp_path, text).table
    assert table["source"].tolist() == ["josé", "spaced"]
    assert table["target"].tolist() == ["🙂user", "b"]


def test_leading_blank_lines(tmp_path):
    result = read_csv_text(tmp_path, "\n\nsource,target\na,b\n\nc,d\n")
    assert result.table["source"].tolist() == ["a", "c"]
    assert result.report.rows_read == 2


def test_dataframe_ids_become_strings():
    frame = pd.DataFrame({"source": [12, 13, 14], "target": [1.0, np.nan, 3.0]}, index=[7, 8, 9])
    result = read_interactions(frame)
    assert result.table["source"].tolist() == ["12", "14"]
    assert result.table["target"].tolist() == ["1", "3"]
    assert result.table.index.tolist() == [0, 1]
    assert result.report.skipped == {"empty_target": 1}


def test_explicit_separator(tmp_path):
    path = write(tmp_path / "log.csv", "source|target\na|b\n")
    assert read_interactions(path, sep="|").table["target"].tolist() == ["b"]
    tsv = write(tmp_path / "log.txt", "source\ttarget\na\tb\n")
    assert read_interactions(tsv, sep="\\t").report.format == "tsv"
    assert input_error(path, sep="||") == ("sep must be a single character, got '||'; e.g. ';'")


def test_wrong_separator_gives_a_hint(tmp_path):
    path = write(tmp_path / "log.csv", "source;target\na;b\n")
    assert input_error(path) == (
        f"{path} has no 'source' and no 'target' column; columns found: source;target; "
        "name them with --map source=COLUMN --map target=COLUMN, or pass --sep ';' if the "
        "file is ';'-separated"
    )


# --------------------------------------------------------------------------------- encoding


def test_latin1_file(tmp_path):
    data = "source,target,text\nrené,zoë,café\n".encode("latin-1")
    path = write(tmp_path / "log.csv", data)
    offset = data.index("é".encode("latin-1"))
    assert input_error(path) == (
        f"{path} is not valid utf-8 text (first bad byte at offset {offset}); "
        "pass --encoding latin-1 (or the file's encoding)"
    )
    table = read_interactions(path, encoding="latin-1").table
    assert table.iloc[0].tolist() == ["rené", "zoë", "interaction", "café"]


def test_bad_byte_offset_in_a_gzip_file_is_in_the_text(tmp_path):
    data = b"source,target\n" + b"a,b\n" * 100_000 + b"c,\xff\n"
    path = write(tmp_path / "log.csv.gz", data, gz=True)
    assert f"(first bad byte at offset {len(data) - 2})" in input_error(path)


def test_bad_byte_in_the_header(tmp_path):
    path = write(tmp_path / "log.csv", b"source,targ\xe9t\na,b\n")
    assert input_error(path).startswith(
        f"{path} is not valid utf-8 text (first bad byte at offset 11)"
    )


def test_unknown_encoding(tmp_path):
    path = write(tmp_path / "log.csv", "source,target\na,b\n")
    assert input_error(path, encoding="klingon") == (
        "encoding 'klingon' is not a known text encoding; pass a Python codec name such as "
        "utf-8 or latin-1"
    )


def test_utf16_file(tmp_path):
    path = write(tmp_path / "log.tsv", "source\ttarget\nä\tb\n".encode("utf-16"))
    assert read_interactions(path, encoding="utf-16").table["source"].tolist() == ["ä"]


# ----------------------------------------------------------------------------------- errors


def test_file_not_found(tmp_path):
    path = tmp_path / "nope.csv"
    assert input_error(path) == f"file not found: {path}"


def test_a_directory_without_logs(tmp_path):
    (tmp_path / "notes.md").write_text("not a log")
    assert input_error(tmp_path) == (
        f"{tmp_path} is a directory with no log files (looked for .csv, .tsv, .tab, .txt, "
        ".parquet, .pq, .xlsx, .xlsm, .json, .jsonl, .ndjson, .gml, .graphml, .gexf, .net, .paj, "
        ".pajek, .edgelist, .edges, .el, optionally .gz); pass the files themselves"
    )


@pytest.mark.parametrize(
    ("name", "content", "gz"),
    [("log.csv", b"", False), ("log.csv.gz", b"", True), ("log.csv", b"\n \n", False)],
)
def test_empty_file(name, content, gz, tmp_path):
    path = write(tmp_path / name, content, gz=gz)
    assert input_error(path) == (
        f"{path} is empty: expected a header line and at least one interaction row"
    )


@pytest.mark.parametrize(("name", "gz"), [("log.csv", False), ("log.csv.gz", True)])
def test_header_only(name, gz, tmp_path):
    path = write(tmp_path / name, "source,target\n\n", gz=gz)
    assert input_error(path) == f"{path} has a header but no data rows"


def test_missing_target_column(tmp_path):
    path = write(tmp_path / "log.csv", "source,b,c\n1,2,3\n")
    assert input_error(path) == (
        f"{path} has no 'target' column; columns found: source, b, c; "
        "name it with --map target=COLUMN"
    )


def test_missing_columns_in_a_dataframe():
    assert input_error(pd.DataFrame({"source": ["a"], "x": ["b"]})) == (
        "<DataFrame> has no 'target' column; columns found: source, x; "
        "name it with --map target=COLUMN"
    )
    assert input_error(pd.DataFrame()) == (
        "<DataFrame> is empty: expected columns and at least one interaction row"
    )
    assert input_error(pd.DataFrame({"source": [], "target": []})) == (
        "<DataFrame> has columns but no data rows"
    )


def test_not_a_path_or_frame():
    assert (
        input_error(42)
        == "cannot read interactions from a int; pass a file path or a pandas DataFrame"
    )


def test_unreadable_parquet(tmp_path):
    path = write(tmp_path / "log.parquet", b"PAR1 this is not really parquet")
    message = input_error(path)
    assert message.startswith(f"{path} could not be read as Parquet: ")
    assert "magic bytes" in message.lower()


def test_parquet_without_rows(tmp_path):
    path = tmp_path / "log.parquet"
    pq.write_table(pa.table({"source": pa.array([], pa.string()),
                             "target": pa.array([], pa.string())}), path)  # fmt: skip
    assert input_error(path) == f"{path} has columns but no data rows"


def test_parquet_reads_only_needed_columns_and_typed_values(tmp_path):
    path = tmp_path / "log.parquet"
    table = pa.table(
        {
            "from": pa.array([1, 2], pa.int64()),
            "to": pa.array(["x", "y"]).dictionary_encode(),
            "created_at": pa.array([1341136800, 1341136801], pa.timestamp("s")),
            "weight": pa.array([1, 2], pa.int32()),
            "blob": pa.array([b"\xff", b"\x00"]),
        }
    )
    pq.write_table(table, path)
    result = read_interactions(path)
    assert result.report.mapping == {"source": "from", "target": "to", "timestamp": "created_at",
                                     "weight": "weight"}  # fmt: skip
    assert result.table["source"].tolist() == ["1", "2"]
    assert result.table["target"].tolist() == ["x", "y"]
    assert result.table["timestamp"].tolist() == [
        pd.Timestamp("2012-07-01 10:00:00", tz="UTC"),
        pd.Timestamp("2012-07-01 10:00:01", tz="UTC"),
    ]
    assert result.table["weight"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize("damage", ["not-gzip", "truncated"])
def test_broken_gzip(damage, tmp_path):
    if damage == "not-gzip":
        path = write(tmp_path / "log.csv.gz", b"\x1f\x8b\x00 definitely not deflate")
        assert input_error(path).startswith(f"{path} is not a readable gzip file: ")
    else:
        rows = "".join(f"user{i},user{i * 7 % 1000},reply\n" for i in range(200_000))
        data = gzip.compress(("source,target,kind\n" + rows).encode())
        path = write(tmp_path / "log.csv.gz", data[: len(data) // 2])
        assert input_error(path).startswith(f"{path} could not be read as gzip-compressed CSV: ")


@pytest.mark.parametrize("odd", [None, "2021-02-29T00:00:00Z", "2026-06-01T01:00:00+01:00"])
def test_plain_utc_timestamps_read_as_pandas_iso8601_reads_them(odd):
    """Plain ``...Z`` columns go through Arrow; a column with an impossible date or an offset
    through pandas: the instants and the bad cells are pandas' either way."""
    rng = np.random.default_rng(5)
    secs = rng.integers(0, 2_000_000_000, 300).astype("datetime64[s]")
    text = pd.Series(np.datetime_as_string(secs) + "Z", dtype="str")
    text[::9] = text[::9].str.replace("Z", ".25Z")
    text[::7] = ""
    if odd is not None:
        text[3] = odd
    parsed = parse_timestamps(text, column="t")
    stripped = text.where(text != "")
    expected = pd.to_datetime(stripped, format="ISO8601", utc=True, errors="coerce")
    assert parsed.values.equals(expected.astype("datetime64[us, UTC]"))
    assert parsed.bad.tolist() == (stripped.notna() & expected.isna()).tolist()
