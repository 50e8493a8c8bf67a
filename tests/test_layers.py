"""Stages import one way (graph -> segments -> influencers -> plan); algorithms write no files.

Every module's imports are parsed, those inside functions included, so a lazy import cannot
slip past."""

import ast
from pathlib import Path

import pytest

import nichegraph

ROOT = Path(nichegraph.__file__).parent
OUTPUT = ("export", "report", "cli", "cli_options", "pipeline", "terminal")
RULES = {
    # package: modules it must never import (prefixes under nichegraph.)
    "graph": (*OUTPUT, "segments", "influencers", "plan", "tracking"),
    "segments": (*OUTPUT, "influencers", "plan", "tracking"),
    "influencers": (*OUTPUT, "plan", "tracking"),
    "plan": (*OUTPUT, "tracking"),
}
CLICK_ALLOWED = ("nichegraph.cli", "nichegraph.cli_options")


def imports(source: str, module: str, is_package: bool = False) -> set[str]:
    """Absolute names of everything ``module``'s source imports, at any depth."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        yield ".".join(parts), path.read_text(encoding="utf-8"), is_package


def violations(name: str, found: set[str]) -> list[str]:
    bad = []
    stage = name.split(".")[1] if name.count(".") >= 1 else ""
    for target in found:
        clicky = target == "click" or target.startswith("click.")
        if clicky and not name.startswith(CLICK_ALLOWED):
            bad.append(f"{name} imports click")
        for banned in RULES.get(stage, ()):
            prefix = f"nichegraph.{banned}"
            if target == prefix or target.startswith(prefix + "."):
                bad.append(f"{name} imports {target}")
    return bad


def test_the_checker_sees_imports_inside_functions_and_relative_ones():
    src = "def f():\n    from ...export.run import write_run_folder\n    import click\n"
    found = imports(src, "nichegraph.segments.sub.mod")
    assert "nichegraph.export.run" in found and "click" in found
    assert sorted(violations("nichegraph.segments.sub.mod", found)) == [
        "nichegraph.segments.sub.mod imports click",
        "nichegraph.segments.sub.mod imports nichegraph.export.run",
        "nichegraph.segments.sub.mod imports nichegraph.export.run.write_run_folder",
    ]
    assert violations(
        "nichegraph.graph.read", imports("from ..segments import x", "nichegraph.graph.read")
    )
    assert not violations(
        "nichegraph.pipeline", imports("from .export import csv", "nichegraph.pipeline")
    )


MODULES = list(modules())


@pytest.mark.parametrize("module", MODULES, ids=[m[0] for m in MODULES])
def test_module_imports_respect_the_layers(module):
    name, source, is_package = module
    assert violations(name, imports(source, name, is_package)) == []
