"""The docs are tests: every docstring example runs, every public function documents itself."""

import ast
import doctest
import importlib
import inspect
import pkgutil

import pytest

import nichegraph as ng

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(ng.__path__, "nichegraph.") if "_datasets" not in m.name
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def examples_in_source(source: str) -> int:
    """How many docstrings (at any depth: nested functions too) hold a ``>>>`` example."""
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    nodes = [n for n in ast.walk(ast.parse(source)) if isinstance(n, kinds)]
    return sum(">>>" in (ast.get_docstring(n, clean=False) or "") for n in nodes)


def collected(module) -> list[doctest.DocTest]:
    """The docstring examples doctest collects from ``module`` (and would run)."""
    tests = doctest.DocTestFinder().find(module)
    return [t for t in tests if t.examples and t.filename == module.__file__]


def test_the_checks_catch_an_example_that_runs_nothing():
    source = 'def f():\n    def g():\n        """>>> 1 + 1\n        2\n        """\n'
    assert examples_in_source(source) == 1  # doctest never collects a nested function's
    silent = doctest.DocTestParser().get_doctest(">>> x = 1\n", {}, "x", "x.py", 0)
    assert not any(e.want or e.exc_msg for e in silent.examples)


@pytest.mark.parametrize("name", MODULES)
def test_every_docstring_example_runs_and_checks_something(name):
    module = importlib.import_module(name)
    tests = collected(module)
    source = inspect.getsource(module)
    assert len(tests) == examples_in_source(source), f"{name}: an example doctest never runs"
    for test in tests:  # an example whose lines all print nothing checks nothing
        assert any(e.want or e.exc_msg for e in test.examples), f"{test.name} checks nothing"


@pytest.mark.parametrize("name", ng.__all__)
def test_public_api_is_documented(name):
    obj = getattr(ng, name)
    if inspect.isfunction(obj) or inspect.isclass(obj):
        assert inspect.getdoc(obj), f"{name} has no docstring"
    if inspect.isfunction(obj):
        assert ">>>" in inspect.getdoc(obj), f"{name} has no usage example"
