"""Pseudonymised outputs: no raw handle anywhere, stable per key, the same analysis renamed."""

import json
import os
import re

import pandas as pd
import pytest
from _crossplatform import GROUP, all_handles, make_log, people_table, person

import nichegraph as ng
from nichegraph.export.pseudonymise import Pseudonymiser, load_key, pseudonym
from nichegraph.pipeline import OUTPUT_FILES

KEY_A = "a-long-enough-test-key-number-one"
KEY_B = "another-long-enough-test-key-two"
PSEUDO = re.compile(r"^p_[0-9a-f]{16}$")
UNSEEN = "@WQuornTok02"  # listed, not in the log


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The cross-platform log and people table, in folders named after the people in them."""
    root = tmp_path_factory.mktemp("inputs")
    folder = root / "WQuorn_03 and w.quorn.gram04"
    folder.mkdir()
    log = folder / "export of wilquornr05.csv"
    make_log().to_csv(log, index=False)
    people = folder / f"{person(1)} people.csv"
    table = people_table()
    table.loc[len(table)] = [person(2), "tiktok", UNSEEN]  # named in a note of run.json
    table.to_csv(people, index=False)
    return log, people


def run(invoke, log, people, out, key, *extra):
    args = ["run", str(log), "-o", str(out), "--people", str(people), "--pseudonymise", *extra]
    return invoke(*args, env={"NICHEGRAPH_KEY": key})


@pytest.fixture(scope="module")
def runs(invoke, inputs, tmp_path_factory):
    log, people = inputs
    base = tmp_path_factory.mktemp("pseudo")
    results = {}
    for name, key in (("a1", KEY_A), ("a2", KEY_A), ("b", KEY_B)):
        res = run(invoke, log, people, base / name, key)
        assert res.exit_code == 0, res.output
        results[name] = (base / name, res.output)
    return results


def test_no_output_file_contains_any_raw_handle(runs):
    out, terminal = runs["a1"]
    assert sorted(os.listdir(out)) == sorted(OUTPUT_FILES)
    terms = {t.casefold() for t in all_handles() | {UNSEEN, UNSEEN[1:]}}
    assert len(terms) > 150  # names, handles in every notation, persons
    for name in OUTPUT_FILES:
        text = (out / name).read_bytes().decode("utf-8").casefold()
        leaks = sorted(t for t in terms if t in text)
        assert not leaks, (name, leaks[:5])
    assert not [t for t in terms if t in terminal.casefold()]  # the terminal summary too
    assert "hello" not in (out / "segment_profiles.csv").read_text()  # text is left out


def test_outputs_hold_pseudonyms_and_the_manifest_says_so(runs):
    out, _ = runs["a1"]
    seg = pd.read_csv(out / "segments.csv", keep_default_na=False)
    assert seg["person"].str.fullmatch(PSEUDO.pattern).all()
    items = seg.loc[seg["handles"] != "", "handles"].str.split("; ").explode()
    assert len(items) == 3 * GROUP + 1
    assert items.str.fullmatch(r"(instagram|reddit|tiktok|x):p_[0-9a-f]{16}").all()
    infl = pd.read_csv(out / "influencers.csv")
    assert infl["person"].str.fullmatch(PSEUDO.pattern).all()
    summary = pd.read_csv(out / "segment_summary.csv", keep_default_na=False)
    tops = summary["top_influencers"].str.split("; ").explode()
    assert tops[tops != ""].str.fullmatch(PSEUDO.pattern).all()
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["pseudonymised"] is True
    assert manifest["input"]["source"] == "<withheld>"
    assert manifest["parameters"]["people"] == "<withheld>"
    assert manifest["identity"]["source"] == "<withheld>"
    assert manifest["identity"]["nodes_before"] - manifest["identity"]["nodes_after"] == 40
    assert manifest["identity"]["notes"] == ["<withheld>"]  # it quotes the unseen handle
    text = (out / "run.json").read_text()
    assert KEY_A not in text and pseudonym(KEY_A, KEY_A.encode()) not in text


def test_same_key_same_outputs_other_key_other_pseudonyms(runs):
    (a1, _), (a2, _), (b, _) = runs["a1"], runs["a2"], runs["b"]
    for name in OUTPUT_FILES:
        x, y = (a1 / name).read_text(), (a2 / name).read_text()
        if name == "run.json":
            x, y = json.loads(x), json.loads(y)
            for k in ("timings", "written_at"):  # when it ran, how long it took
                x.pop(k), y.pop(k)
        assert x == y, name
    seg_a = pd.read_csv(a1 / "segments.csv")
    seg_b = pd.read_csv(b / "segments.csv")
    assert not set(seg_a["person"]) & set(seg_b["person"])
    # the analysis itself does not depend on the key
    assert seg_a["segment"].value_counts().sort_index().tolist() == (
        seg_b["segment"].value_counts().sort_index().tolist()
    )


def test_pseudonymised_run_is_the_raw_run_renamed():
    log, people = make_log(), people_table()
    raw = ng.analyze(log, people=people, seed=5)
    hidden = ng.analyze(log, people=people, pseudonymise=True, key=KEY_A, seed=5)
    key = KEY_A.encode()
    renamed = raw.segments.assign(person=[pseudonym(p, key) for p in raw.segments["person"]])
    cols = ["person", "segment", "path", "role"]
    assert set(map(tuple, renamed[cols].values)) == set(map(tuple, hidden.segments[cols].values))
    assert "text" not in hidden.interactions.table and "text" in raw.interactions.table


def test_manifest_withholds_text_that_quotes_a_handle():
    p = Pseudonymiser(b"0123456789abcdef", frozenset({"WQuorn_03"}))
    got = p.manifest(
        {
            "input": {
                "problems": ["value 'wquorn_03' read as a date", "12 rows skipped"],
                "kinds": {"reply": 3, "dm_to_WQUORN_03": 1},
                "files": [{"path": "/data/neutral.csv", "sha256": "ab"}],
            },
            "versions": {"pandas": "3"},
        }
    )
    assert got == {
        "input": {
            "problems": ["<withheld>", "12 rows skipped"],
            "kinds": {"reply": 3, "<withheld> 2": 1},
            "files": [{"path": "<withheld>", "sha256": "ab"}],
        },
        "versions": {"pandas": "3"},
    }


def test_key_sources():
    assert load_key(environ={"NICHEGRAPH_KEY": KEY_A}) == KEY_A.encode()
    assert load_key(KEY_B, environ={"NICHEGRAPH_KEY": KEY_A}) == KEY_B.encode()
    assert pseudonym("ann", b"k" * 16) != pseudonym("ann", b"j" * 16)
    assert PSEUDO.match(pseudonym("ann", b"k" * 16))


def _write(path, text):
    path.write_text(text)
    return path


BAD_KEYS = {
    "no key": ([], None, "--pseudonymise needs a key: set NICHEGRAPH_KEY or pass --key-file"),
    "empty key file": (["--key-file", "EMPTY"], None, "is empty; --pseudonymise needs a key"),
    "short key": ([], "short", "NICHEGRAPH_KEY is 5 bytes; a key needs at least 16"),
    "missing key file": (["--key-file", "nope.key"], None, "key file"),
    "key without --pseudonymise": (
        ["--key-file", "GOOD"],
        None,
        "a key is only used to pseudonymise; add --pseudonymise",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_KEYS))
def test_bad_key_exit_2_one_line_nothing_written(invoke, tmp_path, monkeypatch, case):
    extra, env_key, message = BAD_KEYS[case]
    monkeypatch.delenv("NICHEGRAPH_KEY", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    log = _write(data / "log.csv", "source,target\na,b\nb,c\n")
    files = {"EMPTY": _write(data / "empty.key", "\n"), "GOOD": _write(data / "good.key", KEY_A)}
    extra = [str(files.get(e, data / e)) if i % 2 else e for i, e in enumerate(extra)]
    flag = [] if case == "key without --pseudonymise" else ["--pseudonymise"]
    out = tmp_path / "out"
    env = {"NICHEGRAPH_KEY": env_key} if env_key else {}
    res = invoke(*["run", str(log), "-o", str(out), *flag, *extra], env=env)
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.output
    assert message in lines[0]
    assert not out.exists() and sorted(os.listdir(tmp_path)) == ["data"]


def test_key_file_is_used(invoke, tmp_path, inputs, runs):
    log, people = inputs
    key = _write(tmp_path / "k.key", KEY_A + "\n")
    res = invoke(
        *["run", str(log), "-o", str(tmp_path / "o"), "--people", str(people), "--pseudonymise",
         "--key-file", str(key), "-q"],
        env={"NICHEGRAPH_KEY": KEY_B},
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    a1, _ = runs["a1"]
    assert (tmp_path / "o" / "segments.csv").read_text() == (a1 / "segments.csv").read_text()


@pytest.mark.parametrize("how", ["folder", "files"])
def test_no_output_byte_holds_an_input_path_or_handle(invoke, tmp_path, how):
    """Folder and multi-file input read with --columns over a first line of handles: per-file
    notes name each file and quote the replaced line; neither may reach an output byte."""
    from nichegraph.synth import generate_log

    folder = tmp_path / "Quorn Wilma exports"
    folder.mkdir()
    log = generate_log(n_segments=3, n_rows=300, max_size=30, text=False, seed=2).log
    paths = []
    for i, part in enumerate((log.iloc[:150], log.iloc[150:])):
        path = folder / f"wilma.quorn{i} dump.csv"
        first = f"firstline_src{i},firstline_tgt{i},reply\n"  # read as a header: replaced
        rows = part[["source", "target", "kind"]].to_csv(index=False, header=False)
        path.write_text(first + rows)
        paths.append(path)
    out = tmp_path / "out"
    inputs = [str(folder)] if how == "folder" else [str(p) for p in paths]
    res = invoke(
        "run",
        *inputs,
        "--columns",
        "source,target,kind",
        "-o",
        out,
        "--pseudonymise",
        env={"NICHEGRAPH_KEY": KEY_A},
    )
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "run.json").read_text())
    notes = manifest["input"]["problems"]
    assert len(notes) == 2 and all("header line replaced by --columns" in n for n in notes)
    handles = {*log["source"], *log["target"]} | {f"firstline_{s}{i}" for s in ("src", "tgt")
                                                    for i in (0, 1)}  # fmt: skip
    components = {c for p in paths for c in p.resolve().parts if len(c.strip("/")) >= 3}
    terms = {t.casefold() for t in handles | components | {str(p) for p in paths}}
    assert {"quorn wilma exports", "firstline_src1"} <= terms
    for name in sorted(os.listdir(out)):
        text = (out / name).read_bytes().decode("utf-8", "replace").casefold()
        leaks = sorted(t for t in terms if t in text)
        assert not leaks, (name, leaks[:5])


def test_graph_files_and_workbook_hold_no_raw_handle(invoke, inputs, tmp_path):
    log, people = inputs
    out = tmp_path / "x"
    res = run(
        invoke, log, people, out, KEY_A, "--export", "gexf,graphml", "--output-format", "xlsx"
    )
    assert res.exit_code == 0, res.output
    terms = {t.casefold() for t in all_handles() | {UNSEEN, UNSEEN[1:]}}
    for name in ("network.gexf", "network.graphml", "report.html"):
        text = (out / name).read_text(encoding="utf-8").casefold()
        assert not sorted(t for t in terms if t in text), name
    import zipfile

    with zipfile.ZipFile(out / "tables.xlsx") as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist()).casefold()
    assert not sorted(t for t in terms if t in text)
    from click.testing import CliRunner

    from nichegraph.cli import cli

    res = CliRunner().invoke(
        cli, ["export", str(out), "--format", "gexf", "-o", str(tmp_path / "n")]
    )
    assert res.exit_code == 2 and "is pseudonymised" in res.output
