"""A package's re-exports, imported on first use (PEP 562), as scientific-python's
``lazy_loader.attach_stub`` does.

``import nichegraph.cli`` then costs only what a command uses: a run never loads the planner,
the run comparison (``scipy.optimize``) or the plots. The package's ``__init__.py`` keeps
ordinary ``from .module import name`` lines under ``if TYPE_CHECKING:`` (read by type
checkers, linters and the layer test) and hands itself to :func:`lazy_exports`, which reads
those lines back to know where each name lives.

>>> import nichegraph
>>> import nichegraph.plan.planner  # the subpackage loads: `nichegraph.plan` stays the function
>>> "plan" in dir(nichegraph), callable(nichegraph.plan)
(True, True)
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["lazy_exports"]


def _exports(init_file: str) -> dict[str, tuple[str, str]]:
    """``{name: (relative module, name there)}`` from the ``if TYPE_CHECKING:`` imports."""
    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"))
    found: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        test = node.test if isinstance(node, ast.If) else None
        if not (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"):
            continue
        for stmt in node.body:  # type: ignore[attr-defined]
            if isinstance(stmt, ast.ImportFrom) and stmt.level:
                module = "." * stmt.level + (stmt.module or "")
                for alias in stmt.names:
                    found[alias.asname or alias.name] = (module, alias.name)
    return found


def lazy_exports(package: str, init_file: str) -> tuple[Callable[[str], Any], Callable[[], list]]:
    """``(__getattr__, __dir__)`` for ``package``: a re-exported name is imported from its
    module when first read (and kept in the package); any other name is tried as a
    submodule, as ``import package.name`` would give it. A re-exported name that is also a
    submodule's name (``nichegraph.plan``) keeps the re-export when the submodule loads."""
    where = _exports(init_file)

    class LazyPackage(types.ModuleType):
        def __setattr__(self, name: str, value: Any) -> None:
            if name in where and isinstance(value, types.ModuleType):  # the import system
                return
            super().__setattr__(name, value)

    sys.modules[package].__class__ = LazyPackage

    def __getattr__(name: str) -> Any:
        namespace = sys.modules[package].__dict__
        if name in where:
            module, attr = where[name]
            value = getattr(importlib.import_module(module, package), attr)
        else:
            try:
                value = importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*sys.modules[package].__dict__, *where})

    return __getattr__, __dir__
