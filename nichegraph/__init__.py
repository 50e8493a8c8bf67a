"""nichegraph: find the micro-segments of an audience and the people who move each one.

>>> import nichegraph as ng
>>> result = ng.analyze(ng.load_dataset("brand_chatter").log)
>>> result.segmentation.n_segments > 5
True
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (nichegraph._lazy): `import nichegraph` stays light
    from .campaign import Plan, plan
    from .errors import InputError, NichegraphError
    from .export.plan import save_plan
    from .graph import (
        DEFAULT_KIND_WEIGHTS,
        GraphOptions,
        InteractionGraph,
        Interactions,
        ReadOptions,
        ReadReport,
        build_graph,
        read_interactions,
    )
    from .graph.edges import read_edges
    from .graph.engines import aggregate_duckdb, aggregation_sql
    from .influencers import COMPOSITE_WEIGHTS, RankOptions, rank_influencers, shortlist
    from .pipeline import AnalysisResult, analyze, run_options
    from .plan import OBJECTIVES
    from .samples import Dataset, list_datasets, load_dataset
    from .segments import (
        FRINGE,
        Scan,
        Segmentation,
        SegmentOptions,
        Stability,
        consensus_segments,
        find_segments,
        profile_segments,
        scan_resolution,
        segment_flows,
        segment_stability,
    )
    from .tracking import CompareResult, Rules, TrackResult, compare_runs, load_rules, track_log

__getattr__, __dir__ = lazy_exports(__name__, __file__)

__all__ = [
    "COMPOSITE_WEIGHTS",
    "DEFAULT_KIND_WEIGHTS",
    "FRINGE",
    "OBJECTIVES",
    "AnalysisResult",
    "CompareResult",
    "Dataset",
    "GraphOptions",
    "InputError",
    "InteractionGraph",
    "Interactions",
    "NichegraphError",
    "Plan",
    "RankOptions",
    "ReadOptions",
    "ReadReport",
    "Rules",
    "Scan",
    "SegmentOptions",
    "Segmentation",
    "Stability",
    "TrackResult",
    "__version__",
    "aggregate_duckdb",
    "aggregation_sql",
    "analyze",
    "build_graph",
    "compare_runs",
    "consensus_segments",
    "find_segments",
    "list_datasets",
    "load_dataset",
    "load_rules",
    "plan",
    "profile_segments",
    "rank_influencers",
    "read_edges",
    "read_interactions",
    "run_options",
    "save_plan",
    "scan_resolution",
    "segment_flows",
    "segment_stability",
    "shortlist",
    "track_log",
]
