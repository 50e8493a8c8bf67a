"""Segmentation options: one frozen, keyword-only object checked when it is made.

Its fields are the keywords of :func:`~nichegraph.segments.leiden.find_segments` (and of
:func:`~nichegraph.analyze`); error messages name the field, the CLI turns them into flags.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = ["BACKENDS", "OBJECTIVES", "SEGMENT_OPTIONS", "TIES", "SegmentOptions", "is_number"]

OBJECTIVES = ("modularity", "cpm")
BACKENDS = ("igraph", "leidenalg")
#: What ties weigh in detection: interactions counted (the default) or the graph's weights.
TIES = ("interactions", "weights")


def is_number(x: Any) -> bool:
    """A finite int or float (not a bool)."""
    return (
        isinstance(x, int | float | np.integer | np.floating)
        and not isinstance(x, bool)
        and bool(np.isfinite(x))
    )


def _positive_int(x: Any) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool) and x >= 1


@dataclass(frozen=True, kw_only=True)
class SegmentOptions:
    """How to split the graph into segments (see :func:`~nichegraph.find_segments`).

    ``resolution="auto"`` (modularity only) asks :func:`~nichegraph.analyze` to take
    :func:`~nichegraph.scan_resolution`'s recommendation. ``ties`` is what a tie weighs in
    every detection stage (top-level Leiden, splits, their tie test, refinement) and in the
    reported modularity and segment quality: ``"interactions"`` (how often the two people
    interacted; kinds weighed 0 are no tie) or ``"weights"`` (the graph's weights: kind weights,
    weight column, half-life decay).

    >>> SegmentOptions(resolution=2, min_size=3).resolution
    2.0
    >>> SegmentOptions(resolution=-1)
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: resolution must be a positive number or 'auto', got -1
    """

    objective: str = "modularity"
    resolution: float | str = 1.0
    min_gain: float | None = 0.1
    max_size: int | None = None
    min_size: int = 5
    backend: str = "igraph"
    ties: str = "interactions"

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise InputError(
                f"objective must be one of {', '.join(OBJECTIVES)}, got {self.objective!r}"
            )
        if self.backend not in BACKENDS:
            raise InputError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.ties not in TIES:
            raise InputError(f"ties must be one of {', '.join(TIES)}, got {self.ties!r}")
        r = self.resolution
        if isinstance(r, str) and r.strip().lower() == "auto":
            if self.objective == "cpm":
                raise InputError("resolution auto scans modularity; give a number with cpm")
            object.__setattr__(self, "resolution", "auto")
        elif not is_number(r) or r <= 0:
            raise InputError(f"resolution must be a positive number or 'auto', got {r!r}")
        else:
            object.__setattr__(self, "resolution", float(r))
        if not _positive_int(self.min_size):
            raise InputError(f"min_size must be an integer >= 1, got {self.min_size!r}")
        object.__setattr__(self, "min_size", int(self.min_size))
        m = self.max_size
        if m is not None and (not _positive_int(m) or m < max(2, self.min_size)):
            raise InputError(f"max_size must be an integer >= 2 and >= min_size, got {m!r}")
        if m is not None:
            object.__setattr__(self, "max_size", int(m))
        if self.min_gain is not None and not is_number(self.min_gain):
            raise InputError(f"min_gain must be a number, got {self.min_gain!r}")

    def for_graph(self, graph: Any) -> SegmentOptions:
        """These options as they apply to ``graph`` (an igraph graph): ``ties="interactions"``
        on a graph without interaction counts (edge attribute ``count``; e.g. an edge table
        without ``n``) becomes ``"weights"``, what detection weighs there.

        >>> import igraph as ig
        >>> g = ig.Graph([(0, 1)]); g.es["weight"] = [2.0]
        >>> SegmentOptions().for_graph(g).ties
        'weights'
        """
        if self.ties == "interactions" and "count" not in graph.es.attributes():
            return replace(self, ties="weights")
        return self

    def kwargs(self, *, resolution: bool = True) -> dict[str, Any]:
        """The keywords of :func:`find_segments` (without ``resolution`` if asked)."""
        out = asdict(self)
        if not resolution:
            del out["resolution"]
        return out


SEGMENT_OPTIONS: tuple[str, ...] = tuple(f.name for f in fields(SegmentOptions))
"""The names of the segmentation options, in order."""
