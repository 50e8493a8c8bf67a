"""Reading interaction logs and aggregating them into a weighted directed graph."""

from .build import (
    DEFAULT_KIND_WEIGHTS,
    BuildReport,
    GraphOptions,
    InteractionGraph,
    build_graph,
    parse_duration,
    parse_kind_weights,
)
from .formats import ReadOptions
from .read import Interactions, ReadReport, read_interactions
from .schema import CANONICAL, HEADER_ALIASES, KIND_ALIASES, parse_mapping

__all__ = [
    "CANONICAL",
    "DEFAULT_KIND_WEIGHTS",
    "HEADER_ALIASES",
    "KIND_ALIASES",
    "BuildReport",
    "GraphOptions",
    "InteractionGraph",
    "Interactions",
    "ReadOptions",
    "ReadReport",
    "build_graph",
    "parse_duration",
    "parse_kind_weights",
    "parse_mapping",
    "read_interactions",
]
