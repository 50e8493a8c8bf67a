"""Fixtures shared by the test modules.

``invoke``: the CLI in-process through click's CliRunner (``invoke("run", log, "-o", out)``;
values are turned to text, ``env=`` sets environment variables). ``planted``: a generated log
with planted segments and influencers, and its truth (small enough for every test).
"""

import pytest
from click.testing import CliRunner

from nichegraph.cli import cli
from nichegraph.synth import generate_log


def _run_cli(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture(scope="session")
def invoke():
    """``invoke(*args, env=None)`` runs ``nichegraph ARGS`` and returns click's Result."""
    return _run_cli


@pytest.fixture(scope="session")
def planted():
    """``planted(**generate_log options)``: a generated log with its planted truth, made once
    per set of options for the whole session (modules asking for the same log share it)."""
    cache = {}

    def make(**options):
        key = tuple(sorted(options.items()))
        if key not in cache:
            cache[key] = generate_log(**options)
        return cache[key]

    return make


def assert_dictionary_covers(folder):
    """Every column of every CSV table in ``folder`` has a line in its ``columns.csv``."""
    import pandas as pd

    described = pd.read_csv(folder / "columns.csv", keep_default_na=False)
    pairs = set(zip(described["table"], described["column"], strict=True))
    tables = [p for p in folder.glob("*.csv") if p.name != "columns.csv"]
    assert tables
    for path in tables:
        header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        missing = [c for c in header if (path.stem, c) not in pairs]
        assert not missing, f"{path.name}: {missing} not in columns.csv"
    assert (described["meaning"].str.len() > 5).all()
