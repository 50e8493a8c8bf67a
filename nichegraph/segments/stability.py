"""Stability over seeds: how much of a segmentation survives re-running the detection.

Leiden is randomised: another seed can move people, split or merge segments. Re-running the
detection ``runs`` times (seeds derived from one root seed) and comparing each run with the
reference segmentation gives

* a **confidence** per person: the share of runs in which they land with the majority of
  their reference segment (in the run's segment that holds most of that segment's members);
* a **stability** per segment: the mean, over runs, of its best-match Jaccard index (the
  largest ``|S ∩ C| / |S ∪ C|`` over the run's segments ``C``), as in Hennig's cluster-wise
  stability (Hennig 2007, *Computational Statistics & Data Analysis* 52: 258-271). A segment
  whose stability is below :data:`UNSTABLE_BELOW` = 0.5 is flagged ``unstable``: in a typical
  run it has dissolved (Hennig's reading of a mean Jaccard at or below 0.5).

People in the fringe (segment 0) have no segment to agree with: their confidence is NaN, and
in every run the fringe counts as singletons, never as one group.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from .._options import make_options
from .._parallel import forks, parallel_map
from .._random import check_seed, spawn_seeds
from .._repr import short_repr
from ..errors import InputError
from ..graph.arrays import best_in_groups
from ..graph.build import InteractionGraph
from .leiden import find_segments
from .options import SEGMENT_OPTIONS, SegmentOptions
from .result import FRINGE, Segmentation

__all__ = [
    "DEFAULT_RUNS",
    "SEGMENT_OPTIONS",
    "UNSTABLE_BELOW",
    "Stability",
    "run_memberships",
    "segment_stability",
    "singleton_fringe",
]

#: Runs when none is given.
DEFAULT_RUNS = 10
#: A segment whose mean best-match Jaccard is below this is flagged ``unstable``.
UNSTABLE_BELOW = 0.5


@dataclass(frozen=True, eq=False)
class Stability:
    """Per-person confidence and per-segment stability of a segmentation over ``runs`` seeds.

    ``confidence[v]`` is aligned with vertex ids (NaN for the fringe); ``segments`` has one row
    per segment (fringe excluded): ``segment``, ``size``, ``stability``, ``unstable``.
    ``memberships`` (runs x people, fringe as ``0``) keeps the runs themselves.
    """

    __repr__ = short_repr

    names: tuple[str, ...]
    membership: np.ndarray
    confidence: np.ndarray
    segments: pd.DataFrame
    runs: int
    memberships: np.ndarray | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def mean_stability(self) -> float:
        """Mean stability of the segments (NaN without segments)."""
        s = self.segments["stability"]
        return float(s.mean()) if len(s) else float("nan")

    @property
    def unstable(self) -> list[int]:
        """Ids of the segments flagged unstable."""
        return self.segments.loc[self.segments["unstable"], "segment"].tolist()

    def share_confident(self, threshold: float = 0.9) -> float:
        """Share of people outside the fringe whose confidence is at least ``threshold``."""
        c = self.confidence[self.membership != FRINGE]
        return float((c >= threshold).mean()) if len(c) else float("nan")

    def summary(self) -> dict[str, Any]:
        """What ``run.json`` records: runs, seed, threshold, mean stability, unstable
        segments, share of people with confidence >= 0.9 (``None`` where undefined)."""

        def num(x: float) -> float | None:
            return round(x, 6) if np.isfinite(x) else None

        return {
            **self.params,
            "mean_stability": num(self.mean_stability),
            "unstable_segments": len(self.unstable),
            "share_confidence_0.9": num(self.share_confident(0.9)),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per person: ``person``, ``segment``, ``confidence``."""
        return pd.DataFrame(
            {"person": list(self.names), "segment": self.membership, "confidence": self.confidence}
        )


def singleton_fringe(membership: np.ndarray) -> np.ndarray:
    """``membership`` with every fringe member (``0``) in a segment of their own.

    >>> singleton_fringe(np.array([1, 0, 2, 0])).tolist()
    [1, 3, 2, 4]
    """
    m = np.asarray(membership, dtype=np.int64).copy()
    fringe = m == FRINGE
    m[fringe] = (m.max() if len(m) else 0) + 1 + np.arange(int(fringe.sum()))
    return m


def _options(segmentation: Segmentation | None, options: dict[str, Any]) -> dict[str, Any]:
    """Every segmentation option: ``options``, else the segmentation's, else the default."""
    base = {}
    if segmentation is not None:
        base = {k: segmentation.params[k] for k in SEGMENT_OPTIONS if k in segmentation.params}
    return make_options(SegmentOptions, **{**base, **options}).kwargs()


def _check_runs(runs: Any, name: str = "runs") -> int:
    if isinstance(runs, bool) or not isinstance(runs, int | np.integer) or runs < 1:
        raise InputError(f"{name} must be a positive integer, got {runs!r}")
    return int(runs)


def run_memberships(
    graph: InteractionGraph | ig.Graph,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = 1,
    **options: Any,
) -> np.ndarray:
    """Leaf memberships of ``runs`` runs of :func:`find_segments`, one row per run.

    Run ``i`` uses the ``i``-th seed of ``spawn_seeds(seed, runs)``; ``options`` are those of
    :func:`find_segments` (objective, resolution, min_gain, max_size, min_size, backend).
    ``progress(step)`` hears each run's steps (``"run 2 of 10: split level 1 (40 segments)"``;
    with worker processes only ``"run 2 of 10: done"``).
    ``jobs`` processes make runs side by side (``None``: every core; same rows as one job).

    >>> import nichegraph as ng
    >>> g = ng.build_graph(ng.load_dataset("brand_chatter").log)
    >>> run_memberships(g, runs=2, seed=1).shape == (2, g.n_nodes)
    True
    """
    runs = _check_runs(runs)
    opts = _options(None, options)
    seeds = spawn_seeds(seed, runs)
    if progress is not None and forks(jobs, runs):  # workers cannot report their steps
        rows = parallel_map(
            lambda s: find_segments(graph, **opts, seed=s).membership,
            seeds,
            jobs,
            done=lambda i: progress(f"run {i + 1} of {runs}: done"),
        )
        return np.vstack(rows).astype(np.int32)
    steps = [
        None if progress is None else functools.partial(_step, progress, i + 1, runs)
        for i in range(runs)
    ]
    rows = parallel_map(
        lambda i: find_segments(graph, **opts, seed=seeds[i], progress=steps[i]).membership,
        range(runs),
        jobs,
    )
    return np.vstack(rows).astype(np.int32)


def _step(progress: Callable[[str], None], i: int, runs: int, step: str) -> None:
    progress(f"run {i} of {runs}: {step}")


def _compare(reference: np.ndarray, run: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(agrees with the majority per person, best-match Jaccard per reference segment).

    ``reference`` holds segment ids ``1..k-1`` (fringe people are left out by the caller),
    ``run`` any labels (fringe already made singletons).
    """
    run_size = np.bincount(run)
    inside = reference != FRINGE
    r, c = reference[inside], run[inside]
    if not len(r):  # everyone in the fringe: no segment to agree with
        return np.zeros(len(reference), dtype=bool), np.zeros(k)
    ref_size = np.bincount(r, minlength=k)
    pairs, inter = np.unique(r * np.int64(len(run_size)) + c, return_counts=True)
    seg, cl = pairs // len(run_size), pairs % len(run_size)
    # the run segment holding most of each reference segment (ties: the smallest label)
    first = best_in_groups(seg, inter, cl)
    majority = np.full(k, -1, dtype=np.int64)
    majority[seg[first]] = cl[first]
    agree = np.zeros(len(reference), dtype=bool)
    agree[inside] = c == majority[r]
    jac = inter / (ref_size[seg] + run_size[cl] - inter)
    best = np.zeros(k)
    np.maximum.at(best, seg, jac)
    return agree, best


def segment_stability(
    graph: InteractionGraph | ig.Graph,
    segmentation: Segmentation,
    *,
    runs: int = DEFAULT_RUNS,
    memberships: np.ndarray | None = None,
    keep_runs: bool = True,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = 1,
    **options: Any,
) -> Stability:
    """Re-run the detection ``runs`` times and measure how well ``segmentation`` survives.

    The runs repeat the options recorded in ``segmentation.params`` (override any of them by
    keyword) with the seeds ``spawn_seeds(seed, runs)``; ``seed`` defaults to the
    segmentation's own. ``memberships`` (runs x people) reuses runs made before, e.g. by
    :func:`run_memberships`. Confidence and stability are defined in the module docstring.
    ``progress`` and ``jobs`` are passed to :func:`run_memberships`.

    >>> import nichegraph as ng
    >>> g = ng.build_graph(ng.load_dataset("brand_chatter").log)
    >>> st = ng.segment_stability(g, ng.find_segments(g, seed=1), runs=3, seed=1)
    >>> st.share_confident(0.9) > 0.8, list(st.segments.columns)
    (True, ['segment', 'size', 'stability', 'unstable'])
    """
    reference = np.asarray(segmentation.membership, dtype=np.int64)
    n = len(reference)
    if seed is None:
        seed = segmentation.params.get("seed")
    seed = check_seed(seed)
    if memberships is None:
        opts = _options(segmentation, options)
        memberships = run_memberships(
            graph, runs=runs, seed=seed, progress=progress, jobs=jobs, **opts
        )
    else:
        memberships = np.asarray(memberships)
        if memberships.ndim != 2 or memberships.shape[1] != n or len(memberships) == 0:
            raise InputError(
                f"memberships must be runs x {n} people, got shape {memberships.shape}"
            )
    k = int(reference.max()) + 1 if n else 1
    agree = np.zeros(n)
    best = np.zeros(k)
    for row in memberships:
        a, b = _compare(reference, singleton_fringe(row), k)
        agree += a
        best += b
    n_runs = len(memberships)
    confidence = np.where(reference != FRINGE, agree / n_runs, np.nan)
    ids = np.arange(1, k)
    stability = best[1:] / n_runs
    table = pd.DataFrame(
        {
            "segment": ids,
            "size": np.bincount(reference, minlength=k)[1:],
            "stability": stability,
            "unstable": stability < UNSTABLE_BELOW,
        }
    )
    return Stability(
        names=segmentation.names,
        membership=reference,
        confidence=confidence,
        segments=table,
        runs=n_runs,
        memberships=memberships if keep_runs else None,
        params={"runs": n_runs, "seed": seed, "unstable_below": UNSTABLE_BELOW},
    )
