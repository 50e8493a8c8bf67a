"""Rank the influencers of every segment and cut a shortlist.

The composite score of a person is the weighted mean of their percentile ranks, *within their
segment*, on each measure (:data:`COMPOSITE_WEIGHTS`; percentile = share of the segment's
members with a value at most theirs, ties averaged). Rank 1 is the highest score; ties are
broken by in-segment PageRank, then by name, so ranks are a permutation within each segment.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .._random import check_seed
from ..errors import InputError
from ..graph.arrays import edge_arrays, stable_order
from ..graph.build import InteractionGraph
from ..segments.result import FRINGE, Segmentation
from .measures import (
    IntraGraph,
    betweenness,
    coreness,
    in_strength,
    pagerank_global,
    pagerank_within,
    reach,
    split_edges,
)
from .roles import assign_roles, participation_of, within_z

__all__ = [
    "BETWEENNESS_PRECISION",
    "COMPOSITE_WEIGHTS",
    "INFLUENCER_COLUMNS",
    "RankOptions",
    "check_score_weights",
    "percentile_within",
    "rank_influencers",
    "ranked_order",
    "shortlist",
]

#: Default weights of the composite score (percentile ranks within the segment). Betweenness
#: is reported but weighs 0: an account that is engaged but never engages back has directed
#: betweenness 0, the lowest percentile of its segment, and its weight of 0.10 pushed such
#: accounts out of the top 3. Measured (bench/README.md, bench_truth): planted stars in the
#: found top 3 79% -> 87.5% at 100k rows, 77% -> 84% at 1M; Higgs log: the person with the
#: most unique engagers in the top 3 of 92.8% -> 100% of the 1,699 segments of >= 20 people
#: (1,095 of those people have betweenness 0); top-3 lists otherwise 93% the same.
COMPOSITE_WEIGHTS: dict[str, float] = {
    "pagerank": 0.40,
    "in_strength": 0.30,
    "reach": 0.25,
    "betweenness": 0.0,
    "coreness": 0.05,
}

#: Betweenness precision, ``(exact_max, epsilon)`` of :func:`~nichegraph.influencers.betweenness`:
#: ``"scored"`` when betweenness weighs in the score, ``"reported"`` when it is only a column
#: (weight 0, the default): there it cannot move a rank, and the looser one costs less (1M rows:
#: 1.3 -> 0.8 CPU s, 10M: 15 -> 9 s; values moved by 6e-4 on average, 0.057 at most).
BETWEENNESS_PRECISION: dict[str, tuple[int, float]] = {
    "scored": (1000, 0.1),
    "reported": (100, 0.2),
}

INFLUENCER_COLUMNS = [
    "segment",
    "path",
    "rank",
    "person",
    "score",
    "role",
    "pagerank",
    "in_strength",
    "reach",
    "betweenness",
    "coreness",
    "global_pagerank",
    "participation",
    "outside_share",
    "within_z",
    "engagement_share",
]


def check_score_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Validate composite score weights; returns all of them (unnamed ones at 0).

    >>> check_score_weights({"pagerank": 1})["reach"]
    0.0
    """
    if weights is None:
        return dict(COMPOSITE_WEIGHTS)
    unknown = sorted(set(weights) - set(COMPOSITE_WEIGHTS))
    if unknown:
        raise InputError(
            f"unknown score component {unknown[0]!r}; choose from {', '.join(COMPOSITE_WEIGHTS)}"
        )
    out = {m: 0.0 for m in COMPOSITE_WEIGHTS}
    for m, w in weights.items():
        try:
            out[m] = float(w)
        except (TypeError, ValueError):
            raise InputError(
                f"score weight {m}={w!r} is not a number; give one >= 0, e.g. {m}=0.5"
            ) from None
        if not np.isfinite(out[m]) or out[m] < 0:
            raise InputError(f"score weight {m}={w!r} must be a finite number >= 0")
    if sum(out.values()) <= 0:
        raise InputError("score weights must not all be zero")
    return out


@dataclass(frozen=True, kw_only=True)
class RankOptions:
    """How to rank and shortlist: ``score_weights`` of the composite score (``None``: the
    defaults, :data:`~nichegraph.influencers.COMPOSITE_WEIGHTS`) and the ``top`` people per
    segment kept in the shortlist.

    >>> RankOptions(score_weights={"pagerank": 1}, top=3).top
    3
    >>> RankOptions(top=0)
    Traceback (most recent call last):
    ...
    nichegraph.errors.InputError: top must be a positive integer, got 0
    """

    score_weights: dict[str, float] | None = None
    top: int = 10

    def __post_init__(self) -> None:
        weights: Mapping[str, Any] | None = self.score_weights
        if weights is not None and not isinstance(weights, Mapping):
            raise InputError(
                f"score_weights must be a mapping of measure to weight, got {weights!r}"
            )
        full = check_score_weights(weights)
        object.__setattr__(self, "score_weights", {m: full[m] for m in weights or {}} or None)
        top = self.top
        if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
            raise InputError(f"top must be a positive integer, got {top!r}")
        object.__setattr__(self, "top", int(top))


def rank_influencers(
    graph: InteractionGraph,
    segmentation: Segmentation,
    *,
    weights: Mapping[str, float] | None = None,
    damping: float = 0.85,
    exact_max: int | None = None,
    epsilon: float | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = 1,
) -> pd.DataFrame:
    """Score and rank every person within their segment (the fringe is not ranked).

    Measures, all inside the person's segment unless noted: ``pagerank`` (weighted, sums to 1
    per segment), ``in_strength`` (weighted engagement received), ``reach`` (distinct members
    who engaged), ``betweenness`` (normalised; sampled with error bound ``epsilon`` above
    ``exact_max`` members; ``None``: :data:`BETWEENNESS_PRECISION`, ``"scored"`` if betweenness
    weighs in the score, else ``"reported"``), ``coreness``; ``global_pagerank`` on the whole graph;
    ``participation``, ``outside_share``, ``within_z`` and ``role`` (see
    :mod:`nichegraph.influencers.roles`); ``engagement_share`` = share of the segment's internal
    engagement the person receives. ``weights`` overrides :data:`COMPOSITE_WEIGHTS`.
    ``progress(measure)`` is called before each measure is computed. Betweenness runs on up
    to ``jobs`` processes (``None`` or 0: every core; the result does not depend on it; ``run``
    passes its ``--jobs``).

    >>> import nichegraph as ng
    >>> data = ng.load_dataset("brand_chatter").log
    >>> g = ng.build_graph(data); seg = ng.find_segments(g)
    >>> inf = ng.rank_influencers(g, seg)
    >>> int(inf["rank"].min()), bool(inf.groupby("segment")["rank"].nunique().eq(
    ...     inf.groupby("segment").size()).all())
    (1, True)
    """
    w = check_score_weights(weights)
    if not 0 < damping < 1:
        raise InputError(f"damping must be between 0 and 1, got {damping}")
    seed = check_seed(seed)
    default_max, default_eps = BETWEENNESS_PRECISION["scored" if w["betweenness"] else "reported"]
    exact_max = default_max if exact_max is None else exact_max
    epsilon = default_eps if epsilon is None else epsilon
    g = graph.graph
    memb = np.asarray(segmentation.membership, dtype=np.int64)
    if len(memb) != g.vcount():
        raise InputError("segmentation does not belong to this graph (sizes differ)")
    e, wt = edge_arrays(g) if g.ecount() else (np.zeros((0, 2), dtype=np.int64), np.zeros(0))
    intra = split_edges(e, wt, memb)
    everyone = IntraGraph(len(memb), e[:, 0], e[:, 1], wt, np.zeros_like(memb))
    steps: dict[str, Callable[[], np.ndarray]] = {  # betweenness, shared out over jobs, last:
        "pagerank": lambda: pagerank_within(intra, damping=damping),  # by then a stage run
        "in_strength": lambda: in_strength(intra),  # beside this one (run's profiles) is done
        "reach": lambda: reach(intra),
        "coreness": lambda: coreness(intra),
        "global_pagerank": lambda: pagerank_global(  # stored by segment: memory locality
            everyone, damping=damping, layout=stable_order(memb)
        ),
        "betweenness": lambda: betweenness(
            intra, exact_max=exact_max, epsilon=epsilon, seed=seed, jobs=jobs
        )[0],
    }
    measures = {}
    for name, compute in steps.items():
        if progress:
            progress(name)
        measures[name] = compute()
    strength = measures["in_strength"]
    p, outside = participation_of(e, wt, memb)
    z = within_z(strength, memb)
    seg_total = np.bincount(memb, weights=strength)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(seg_total[memb] > 0, strength / seg_total[memb], 0.0)
    columns = {
        **measures,
        "participation": p,
        "outside_share": outside,
        "within_z": z,
        "engagement_share": share,
        "role": assign_roles(z, p),
    }

    keep = np.flatnonzero(memb != FRINGE)  # the fringe is not ranked
    seg = memb[keep]
    score = np.zeros(len(keep))
    for m, wm in w.items():
        if wm:
            score += wm * percentile_within(columns[m][keep], seg)
    score = score / sum(w.values())
    names = g.vs["name"] if len(memb) else []
    person = [names[i] for i in keep]
    in_order = all(map(operator.lt, person, itertools.islice(person, 1, None)))  # build_graph's
    order = ranked_order(seg, score, columns["pagerank"][keep], person, by_name=in_order)
    rows = keep[order]
    seg = seg[order]
    frame = {c: v[rows] for c, v in columns.items()}
    frame |= {
        "segment": seg,
        "path": np.asarray(segmentation.paths)[rows],
        "rank": np.arange(len(rows)) - np.searchsorted(seg, seg) + 1,  # sorted by segment
        "person": np.asarray(names, dtype=object)[rows] if len(rows) else np.zeros(0, object),
        "score": score[order],
    }
    for c in ("path", "person", "role"):
        frame[c] = _text(frame[c])
    return pd.DataFrame({c: frame[c] for c in INFLUENCER_COLUMNS})


def _text(values: np.ndarray) -> Any:
    """An object array of strings as the column pandas would make of it (its ``str`` dtype),
    converted by Arrow in one pass; anything else (empty, missing, not text) unchanged."""
    dtype = pd.Series(np.array(["x"], dtype=object)).dtype  # what pandas infers for text
    if not len(values) or getattr(dtype, "storage", None) != "pyarrow":
        return values
    try:
        arr = pa.array(values, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return values
    return values if arr.null_count else pd.array(arr, dtype=dtype)


def percentile_within(values: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Share of the segment's members with a value at most one's own, ties averaged.

    The same numbers as pandas' ``groupby(segment).rank(pct=True, method="average")``
    (missing values stay missing), with one sort for all segments.

    >>> percentile_within(np.array([3.0, 1.0, 1.0, 5.0, 2.0]), np.array([1, 1, 1, 2, 2])).tolist()
    [1.0, 0.5, 0.5, 1.0, 0.5]
    """
    values = np.asarray(values, dtype=float)
    segment = np.asarray(segment)
    if not np.isfinite(values).all():
        return pd.Series(values).groupby(segment).rank(pct=True, method="average").to_numpy()
    n = len(values)
    out = np.empty(n)
    if n == 0:
        return out
    order = _stably_by_segment(np.argsort(values), segment)  # within ties: any order
    v, s = values[order], segment[order]
    new_seg = np.diff(s, prepend=s[0] - 1) != 0
    new_tie = new_seg | (np.diff(v, prepend=v[0]) != 0)
    pos = np.arange(n)
    seg_start = np.maximum.accumulate(np.where(new_seg, pos, 0))
    seg_size = np.diff(np.append(np.flatnonzero(new_seg), n))[np.cumsum(new_seg) - 1]
    tie_start = np.flatnonzero(new_tie)
    tie_len = np.diff(np.append(tie_start, n))
    lo = tie_start - seg_start[tie_start] + 1  # ranks of a tie: lo .. lo + len - 1
    average = np.repeat((2 * lo + tie_len - 1) / 2, tie_len)
    out[order] = average / seg_size
    return out


def _stably_by_segment(order: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """``order`` sorted stably by ``segment[order]`` (:func:`~nichegraph.graph.arrays.
    stable_order`: one integer sort, 4x faster than a key of ``np.lexsort`` at 760k rows)."""
    return order[stable_order(segment[order])]


def ranked_order(
    segment: np.ndarray,
    score: np.ndarray,
    pagerank: np.ndarray,
    person: list[str],
    *,
    by_name: bool = False,
) -> np.ndarray:
    """Row order by segment, then score and PageRank (highest first), then name.
    ``by_name``: the rows are in name order already (``person`` is not read).

    >>> ranked_order(np.array([2, 1, 1]), np.array([0.5, 0.5, 0.5]), np.ones(3), ["a", "c", "b"])
    array([2, 1, 0])
    """
    order = _stably_by_segment(np.lexsort((-pagerank, -score)), segment)  # ties: row order
    if by_name:
        return order
    same = np.ones(len(order), dtype=bool)  # same keys as the row before: a tie by name
    for key in (segment, score, pagerank):
        k = key[order]
        same[1:] &= k[1:] == k[:-1]
    same[0] = False
    if not same.any():
        return order
    tied = np.flatnonzero(same | np.append(same[1:], False))  # every row of a tie run
    named = sorted(order[tied].tolist(), key=person.__getitem__)
    name_rank = np.zeros(len(order), dtype=np.int64)
    name_rank[named] = np.arange(len(named))
    return np.lexsort((name_rank, -pagerank, -score, segment))


def shortlist(influencers: pd.DataFrame, *, top: int = 10) -> pd.DataFrame:
    """The ``top`` best-ranked people of every segment who received engagement in it.

    A person nobody in their segment engaged with (``in_strength`` 0) is never shortlisted,
    so a segment with fewer such people lists fewer than ``top``.

    >>> import pandas as pd
    >>> inf = pd.DataFrame({"segment": [1, 1, 2, 2], "rank": [1, 2, 1, 2],
    ...                     "person": list("abcd"), "in_strength": [3.0, 1.0, 2.0, 0.0]})
    >>> shortlist(inf, top=2)["person"].tolist()
    ['a', 'b', 'c']
    """
    top = RankOptions(top=top).top  # checked there
    engaged = influencers["in_strength"] > 0
    return influencers[engaged & (influencers["rank"] <= top)].reset_index(drop=True)
