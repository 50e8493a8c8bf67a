"""The segment stage of :func:`nichegraph.analyze`: a plain or consensus segmentation and,
with ``stability`` runs, its stability (split from ``pipeline`` to keep it one screenful)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import InputError
from .graph.build import InteractionGraph
from .segments.consensus import consensus_segments
from .segments.leiden import find_segments
from .segments.result import Segmentation
from .segments.stability import DEFAULT_RUNS, Stability, run_memberships, segment_stability

__all__ = ["Step", "check_stability", "segment_stage"]

Step = Callable[[str], None]
"""A stage's step reporter: ``step(text)``."""


def check_stability(stability: Any) -> int:
    """``stability`` (runs) if it is an integer >= 0, else InputError naming it.

    >>> check_stability(3)
    3
    """
    if isinstance(stability, bool) or not isinstance(stability, int) or stability < 0:
        raise InputError(f"stability must be a number of runs >= 0, got {stability!r}")
    return stability


def segment_stage(
    graph: InteractionGraph,
    opts: dict[str, Any],
    stability: int,
    consensus: bool,
    seed: int,
    stage: Callable[[str, Callable[[], Any]], Any],
    step: Callable[[str], Step | None],
    track: Callable[[Callable[[], Segmentation]], Segmentation],
    start: Any = None,
    jobs: int | None = 1,
) -> tuple[Segmentation, Stability | None]:
    """The segmentation (plain or consensus) and, with ``stability`` runs, its stability.

    ``track`` runs the detection it is given and renames the segments (persistent ids);
    ``start`` warm-starts a plain run.
    """
    if not consensus:
        seg = stage(
            "segment",
            lambda: track(
                lambda: find_segments(
                    graph,
                    **opts,
                    seed=seed,
                    progress=step("segment"),
                    initial_membership=start,
                    jobs=jobs,
                )
            ),
        )
        if not stability:
            return seg, None
        return seg, stage(
            "stability",
            lambda: segment_stability(
                graph, seg, runs=stability, seed=seed, progress=step("stability"), jobs=jobs
            ),
        )
    n_runs = stability or DEFAULT_RUNS
    runs = stage(
        "stability",
        lambda: run_memberships(
            graph, runs=n_runs, seed=seed, progress=step("stability"), jobs=jobs, **opts
        ),
    )
    seg = stage(
        "segment",
        lambda: track(lambda: consensus_segments(graph, memberships=runs, seed=seed, **opts)),
    )
    return seg, segment_stability(graph, seg, memberships=runs) if stability else None
