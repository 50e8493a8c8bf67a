"""Fixtures shared by the test modules: ``invoke`` (the CLI through click's CliRunner)."""

import pytest
from click.testing import CliRunner

from nichegraph.cli import cli


def run_cli(*args):
    """Run ``nichegraph ARGS`` (any values, turned to text); returns click's Result."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def invoke():
    """``invoke("run", log, "-o", out)``: the CLI in-process."""
    return run_cli
