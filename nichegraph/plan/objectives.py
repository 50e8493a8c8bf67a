"""Campaign objectives as data: which measures count, how much, how people are picked.

:data:`OBJECTIVES` is the one table (printed in the README's "Campaign plan"). A person's
score is the weighted sum of their percentile ranks *within their segment* on each measure.
The starting weights follow research on influencer types: reach and bridging for awareness
(Granovetter's weak ties; Burt's structural holes), conversation, reciprocity and brand
affinity for support and reputation (Kozinets' community engagement; the "many small
advocates over celebrities" finding of Bakshy et al. 2011, "Everyone's an influencer"), and
reach into the segments that buy for leads. Change them only with a measured reason.

=========== ================================================================= ================
objective   weights                                                           pick
=========== ================================================================= ================
awareness   reach .30, reach_out .25, participation .15, amplification .15,   coverage
            pagerank .15
support     conversation .30, reciprocity .25, responsiveness .20,            score
            brand_affinity .15, coreness .10
reputation  brand_affinity .35, reciprocity .25, pagerank .25, conversation .15 score
leads       target_reach .35, target_conversation .25, brand_affinity .20,    coverage
            pagerank .20
=========== ================================================================= ================
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import InputError

__all__ = ["MEASURE_NEEDS", "METRICS", "OBJECTIVES", "PICK", "objective_weights"]

#: objective -> {measure: weight}; weights sum to 1.
OBJECTIVES: dict[str, dict[str, float]] = {
    "awareness": {
        "reach": 0.30,
        "reach_out": 0.25,
        "participation": 0.15,
        "amplification": 0.15,
        "pagerank": 0.15,
    },
    "support": {
        "conversation": 0.30,
        "reciprocity": 0.25,
        "responsiveness": 0.20,
        "brand_affinity": 0.15,
        "coreness": 0.10,
    },
    "reputation": {
        "brand_affinity": 0.35,
        "reciprocity": 0.25,
        "pagerank": 0.25,
        "conversation": 0.15,
    },
    "leads": {
        "target_reach": 0.35,
        "target_conversation": 0.25,
        "brand_affinity": 0.20,
        "pagerank": 0.20,
    },
}

#: How the budget is spent: ``coverage`` = most distinct audience (CELF), ``score`` = best
#: score within per-segment quotas (advocate-influencers first).
PICK: dict[str, str] = {
    "awareness": "coverage",
    "support": "score",
    "reputation": "score",
    "leads": "coverage",
}

#: The metric to watch per objective (per segment and per pick).
METRICS: dict[str, str] = {
    "awareness": "distinct people reached",
    "support": "reply share answered",
    "reputation": "advocates",
    "leads": "reach into target segments",
}

#: What a measure needs to be computable: ``timestamps`` in the log, a ``brand`` account.
MEASURE_NEEDS: dict[str, tuple[str, ...]] = {
    "responsiveness": ("timestamps",),
    "brand_affinity": ("timestamps", "brand"),
}

_MEASURES = sorted({m for w in OBJECTIVES.values() for m in w} | {"betweenness", "in_strength"})


def objective_weights(
    objective: str,
    overrides: Mapping[str, float] | None = None,
    *,
    unavailable: set[str] | frozenset[str] = frozenset(),
) -> tuple[dict[str, float], dict[str, float]]:
    """The weights used for ``objective``: ``overrides`` replace named weights, then weights of
    ``unavailable`` measures are shared out over the rest in proportion. Returns (weights used,
    weights shared out).

    >>> used, moved = objective_weights("reputation", unavailable={"brand_affinity"})
    >>> moved, round(used["pagerank"], 4), round(sum(used.values()), 6)
    ({'brand_affinity': 0.35}, 0.3846, 1.0)
    """
    if objective not in OBJECTIVES:
        raise InputError(f"--objective {objective!r} is not one of {', '.join(OBJECTIVES)}")
    weights = dict(OBJECTIVES[objective])
    for m, w in (overrides or {}).items():
        if m not in _MEASURES:
            raise InputError(
                f"--score-weight {m!r} is not a measure; choose from {', '.join(_MEASURES)}"
            )
        try:
            weights[m] = float(w)
        except (TypeError, ValueError):
            raise InputError(f"--score-weight {m}={w!r} is not a number") from None
        if not np.isfinite(weights[m]) or weights[m] < 0:
            raise InputError(f"--score-weight {m}={w!r} must be a finite number >= 0")
    weights = {m: w for m, w in weights.items() if w > 0}
    moved = {m: weights.pop(m) for m in sorted(weights) if m in unavailable}
    total = sum(weights.values())
    if total <= 0:
        raise InputError(
            f"no computable measure has a weight for {objective}"
            + (f" ({', '.join(moved)} need timestamps or --brand)" if moved else "")
        )
    return {m: w / total for m, w in weights.items()}, moved
