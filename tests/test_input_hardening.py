"""Adversarial inputs (issue 8): each is read correctly, or exits 2 with one line saying what
is wrong and what to do, with nothing written — never an internal failure."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import nichegraph as ng
from nichegraph.cli import cli
from nichegraph.graph.formats.mastodon import plain_text

USERS = [f"u{i}" for i in range(12)]


def ring_rows(n: int) -> list[tuple[str, str]]:
    """``n`` interactions among 12 users: two tight groups of six, one tie between them."""
    rows = []
    for i in range(n):
        group = (i // 7) % 2 * 6
        a, b = group + i % 6, group + (i * 5 + 1) % 6
        rows.append((USERS[a], USERS[b if b != a else (a + 1) % 6 + group]))
    return rows


def write_log(path: Path, stamps: list[str] | None = None, kind: str = "reply") -> Path:
    rows = ring_rows(len(stamps) if stamps is not None else 60)
    head = "source,target,kind" + (",timestamp" if stamps is not None else "")
    lines = [head] + [
        f"{a},{b},{kind}" + (f",{stamps[i]}" if stamps is not None else "")
        for i, (a, b) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def run(tmp_path: Path, *args: object) -> tuple[object, Path]:
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["run", *map(str, args), "-o", str(out), "-q", "--seed", "1"])
    return res, out


def assert_exit_2(tmp_path: Path, *args: object, says: str) -> str:
    """``nichegraph run ARGS`` exits 2 with one line naming the problem; nothing written."""
    res, out = run(tmp_path, *args)
    lines = res.output.strip().splitlines()
    assert res.exit_code == 2, res.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.output
    assert says in lines[0], lines[0]
    assert "Traceback" not in res.output and "internal failure" not in res.output
    assert not out.exists()
    return lines[0]


def run_json(out: Path) -> dict:
    return json.loads((out / "run.json").read_text())


# ------------------------------------------------------------------ 2. day-first dates


def june(days: list[int], fmt: str = "{d:02d}/06/2026 14:05") -> list[str]:
    return [fmt.format(d=d) for d in days]


DAYS = [(i * 5) % 28 + 1 for i in range(60)]  # 1..28 of June, days <= 12 included


def test_day_first_column_is_settled_by_a_day_above_12(tmp_path):
    log = write_log(tmp_path / "eu.csv", june(DAYS))
    iso = write_log(tmp_path / "iso.csv", june(DAYS, "2026-06-{d:02d}T14:05:00Z"))
    got, want = ng.read_interactions(log), ng.read_interactions(iso)
    assert got.table["timestamp"].tolist() == want.table["timestamp"].tolist()
    assert (got.report.time_min, got.report.time_max) == (
        "2026-06-01T14:05:00Z",
        "2026-06-28T14:05:00Z",
    )
    assert "day first, as row" in " ".join(got.report.problems)
    # the whole path: a June window keeps every row (value by value, half went elsewhere)
    res, out = run(tmp_path, log, "--since", "2026-06-01", "--until", "2026-07-01")
    assert res.exit_code == 0, res.output
    assert run_json(out)["graph"]["dropped"].get("outside_window", 0) == 0


def test_month_first_column_is_settled_by_a_second_number_above_12(tmp_path):
    log = write_log(tmp_path / "us.csv", june(DAYS, "06/{d:02d}/2026 2:05:00 PM"))
    stamps = ng.read_interactions(log).table["timestamp"]
    assert stamps.dt.month.eq(6).all() and stamps.dt.hour.eq(14).all()


def test_ambiguous_column_exits_2_unless_the_order_is_given(tmp_path):
    log = write_log(tmp_path / "amb.csv", june([(i % 12) + 1 for i in range(60)]))
    line = assert_exit_2(tmp_path, log, says="read two ways")
    assert "--dayfirst" in line and "--monthfirst" in line and "'01/06/2026 14:05'" in line
    res, out = run(tmp_path, log, "--dayfirst")
    assert res.exit_code == 0, res.output
    read = run_json(out)["input"]
    assert (read["time_min"], read["time_max"]) == ("2026-06-01T14:05:00Z", "2026-06-12T14:05:00Z")
    months = ng.read_interactions(log, dayfirst=False).table["timestamp"].dt.month
    assert sorted(months.unique()) == list(range(1, 13))  # --monthfirst: 6 January ... 6 December


def test_dates_that_read_the_same_either_way_are_not_ambiguous(tmp_path):
    log = write_log(tmp_path / "same.csv", ["05/05/2026 10:00", "06.06.2026 10:00"] * 30)
    stamps = ng.read_interactions(log).table["timestamp"]
    assert set(stamps.dt.strftime("%m-%d")) == {"05-05", "06-06"}


def test_a_column_mixing_both_orders_exits_2(tmp_path):
    log = write_log(tmp_path / "mixed.csv", ["28/06/2026 10:00", "06/13/2026 10:00"] * 30)
    assert_exit_2(tmp_path, log, says="mixes day-first dates such as '28/06/2026 10:00'")


def test_a_forced_order_skips_and_counts_the_values_it_cannot_read(tmp_path):
    stamps = ["28/06/2026 10:00"] * 10 + ["03/06/2026 10:00"] * 50
    got = ng.read_interactions(write_log(tmp_path / "f.csv", stamps), dayfirst=False)
    assert got.report.skipped == {"bad_timestamp": 10}
    assert got.table["timestamp"].eq(pd.Timestamp("2026-03-06 10:00", tz="UTC")).all()


def test_since_until_dates_must_say_which_number_is_the_day(tmp_path):
    log = write_log(tmp_path / "eu.csv", june(DAYS))
    assert_exit_2(tmp_path, log, "--since", "03/06/2026", says="write it as YYYY-MM-DD")


def test_dayfirst_is_a_read_option_of_every_reading_command(tmp_path):
    log = write_log(tmp_path / "amb.csv", june([(i % 12) + 1 for i in range(60)]))
    res = CliRunner().invoke(cli, ["inspect", str(log), "--dayfirst", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["time_max"].startswith("2026-06-12")


# ------------------------------------------------------------ 3. kinds and half-life


def test_weight_for_a_kind_the_log_lacks_exits_2(tmp_path):
    log = write_log(tmp_path / "likes.csv", kind="like")
    line = assert_exit_2(tmp_path, log, "--weight", "likes=0", says="no kind 'likes'")
    assert "did you mean 'like'" in line and "kinds present: like" in line
    res, _ = run(tmp_path, log, "--weight", "like=2")
    assert res.exit_code == 0, res.output


def test_kind_alias_for_a_code_the_log_lacks_or_to_no_kind_exits_2(tmp_path):
    log = write_log(tmp_path / "qt.csv", kind="QT")
    assert_exit_2(tmp_path, log, "--kind-alias", "RT2=retweet", says="kinds present: qt")
    assert_exit_2(tmp_path, log, "--kind-alias", "QT=quoot", says="'quoot' is not a kind")
    got = ng.read_interactions(log, kind_aliases=["QT=quote"])
    assert got.report.kinds == {"quote": 60}


@pytest.mark.parametrize(
    ("value", "says"),
    [("30", "has no unit"), ("99999999999999d", "longer than 100,000 days"), ("0d", "positive")],
)
def test_half_life_needs_a_unit_and_a_sane_length(tmp_path, value, says):
    log = write_log(tmp_path / "t.csv", june(DAYS))
    assert_exit_2(tmp_path, log, "--half-life", value, says=says)


def test_non_numeric_score_weight_exits_2(tmp_path):
    log = write_log(tmp_path / "s.csv")
    assert_exit_2(tmp_path, log, "--score-weight", "pagerank=abc", says="'abc' is not a number")


# ------------------------------------------------------- 5. duplicate columns, NUL bytes


def test_a_header_naming_a_used_column_twice_exits_2(tmp_path):
    log = tmp_path / "dup.csv"
    log.write_text("source,source,target\n" + "".join(f"{a},{a},{b}\n" for a, b in ring_rows(60)))
    assert_exit_2(tmp_path, log, says="2 columns named 'source'")
    frame = pd.DataFrame([["a", "a", "b"]], columns=["source", "source", "target"])
    with pytest.raises(ng.InputError, match="2 columns named 'source'"):
        ng.read_interactions(frame)


def test_nul_characters_are_removed_from_handles_and_counted(tmp_path):
    log = tmp_path / "nul.csv"
    log.write_text("source,target\n" + "".join(f"{a}\x00,{b}\n" for a, b in ring_rows(60)))
    res, out = run(tmp_path, log)
    assert res.exit_code == 0, res.output
    for file in out.iterdir():
        assert b"\x00" not in file.read_bytes(), file.name
    notes = run_json(out)["input"]["problems"]
    assert "60 value(s) in column 'source' held NUL characters; they were removed" in notes
    assert set(ng.read_interactions(log).table["source"]) <= set(USERS)


# ------------------------------------------------------------------- 6. HTML entities


def test_mastodon_text_decodes_numeric_character_references():
    html = pd.Series(["<p>it&#8217;s &#x1F600; &amp;amp; &lt;b&gt;&nbsp;ok</p>", None])
    assert plain_text(html).tolist()[0] == "it’s 😀 &amp; <b> ok"


# ------------------------------------------------------------- 11. never an internal failure


def test_cr_only_line_endings_read_like_newlines(tmp_path):
    lf = write_log(tmp_path / "lf.csv", june(DAYS))
    cr = tmp_path / "cr.csv"
    cr.write_bytes(lf.read_bytes().replace(b"\n", b"\r"))
    got, want = ng.read_interactions(cr), ng.read_interactions(lf)
    assert got.report.rows_read == 60 and got.table.equals(want.table)
    res, _ = run(tmp_path, cr)
    assert res.exit_code == 0, res.output
    nodexl = Path(__file__).parent / "data" / "formats" / "nodexl_edges.csv"
    old_mac = tmp_path / "nodexl_cr.csv"
    old_mac.write_bytes(nodexl.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    got, want = ng.read_interactions(old_mac), ng.read_interactions(nodexl)
    assert got.report.format == "nodexl" and got.table.equals(want.table)


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl", "deep_second_line.jsonl"])
def test_deeply_nested_json_exits_2(tmp_path, name):
    deep = "[" * 50_000 + "]" * 50_000
    record = json.dumps({"source": "a", "target": "b"})
    text = {
        "deep.json": deep,
        "deep.jsonl": '{"source": ' + deep + ', "target": "b"}\n',
        "deep_second_line.jsonl": record + '\n{"source": ' + deep + ', "target": "b"}\n',
    }[name]
    (tmp_path / name).write_text(text)
    assert_exit_2(tmp_path, tmp_path / name, says="too deeply")


def test_a_20_mb_cell_is_read(tmp_path):
    log = tmp_path / "big.csv"
    rows = ring_rows(60)
    with log.open("w") as f:
        f.write("source,target,text\n")
        for i, (a, b) in enumerate(rows):
            f.write(f'{a},{b},"{"x" * (20 << 20) if i == 3 else "hi"}"\n')
    got = ng.read_interactions(log)
    assert got.report.rows_kept == 60 and got.table["text"].str.len()[3] == 20 << 20


def test_a_fifo_is_read_not_called_empty(tmp_path):
    content = write_log(tmp_path / "log.csv", june(DAYS)).read_bytes()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def writer(data: bytes) -> None:
        with open(fifo, "wb") as f:  # blocks until the reader opens the pipe
            f.write(data)

    thread = threading.Thread(target=writer, args=(content,), daemon=True)
    thread.start()
    res, out = run(tmp_path, fifo)
    thread.join(timeout=30)
    assert res.exit_code == 0, res.output
    read = run_json(out)["input"]
    assert read["rows_read"] == 60 and read["source"] == str(fifo)
    assert read["sha256"] == ng.read_interactions(tmp_path / "log.csv").report.sha256
    shutil.rmtree(out)
    thread = threading.Thread(target=writer, args=(b"",), daemon=True)  # empty is empty
    thread.start()
    assert_exit_2(tmp_path, fifo, says="is empty")
    thread.join(timeout=30)


def test_a_row_beyond_the_largest_block_is_an_input_error(tmp_path, monkeypatch):
    from nichegraph.graph.formats import base, delimited

    monkeypatch.setattr(delimited, "_BLOCK_BYTES", 1 << 14)
    monkeypatch.setattr(base, "MAX_BLOCK_BYTES", 1 << 16)
    log = tmp_path / "huge.csv"
    log.write_text("source,target,text\n" + "a,b,hi\n" * 5 + f'a,b,"{"x" * (1 << 20)}"\n')
    with pytest.raises(ng.InputError, match="has a row or line longer than"):
        ng.read_interactions(log)
    monkeypatch.setattr(base, "MAX_BLOCK_BYTES", 1 << 22)  # grown 16 KiB -> 64 KiB -> ... 4 MiB
    assert ng.read_interactions(log).report.rows_kept == 6
