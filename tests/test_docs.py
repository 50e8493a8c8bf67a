"""The docs are tests: every docstring example runs, every public function documents itself."""

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


@pytest.mark.parametrize("name", ng.__all__)
def test_public_api_is_documented(name):
    obj = getattr(ng, name)
    if inspect.isfunction(obj) or inspect.isclass(obj):
        assert inspect.getdoc(obj), f"{name} has no docstring"
    if inspect.isfunction(obj):
        assert ">>>" in inspect.getdoc(obj), f"{name} has no usage example"
