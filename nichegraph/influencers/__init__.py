"""Influencers of each segment: measures, roles, composite ranking, shortlist."""

from .measures import (
    betweenness,
    coreness,
    in_strength,
    intra_graph,
    pagerank_global,
    pagerank_within,
    pivots_needed,
    reach,
)
from .rank import (
    BETWEENNESS_PRECISION,
    COMPOSITE_WEIGHTS,
    INFLUENCER_COLUMNS,
    RankOptions,
    rank_influencers,
    shortlist,
)
from .roles import assign_roles, participation, within_z

__all__ = [
    "BETWEENNESS_PRECISION",
    "COMPOSITE_WEIGHTS",
    "INFLUENCER_COLUMNS",
    "RankOptions",
    "assign_roles",
    "betweenness",
    "coreness",
    "in_strength",
    "intra_graph",
    "pagerank_global",
    "pagerank_within",
    "participation",
    "pivots_needed",
    "rank_influencers",
    "reach",
    "shortlist",
    "within_z",
]
