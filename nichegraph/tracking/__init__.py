"""Measure and iterate: persistent segment ids, comparing runs, rolling windows, alerts."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (nichegraph._lazy)
    from .alerts import ALERT_COLUMNS, Rules, load_rules
    from .compare import CompareResult, compare_runs
    from .lineage import Tracking, initial_membership, persistent_ids, relabel_segmentation
    from .matching import assign, overlap_table
    from .runs import RunView, read_run, run_view
    from .track import TrackResult, track_log

__getattr__, __dir__ = lazy_exports(__name__, __file__)

__all__ = [
    "ALERT_COLUMNS",
    "CompareResult",
    "Rules",
    "RunView",
    "TrackResult",
    "Tracking",
    "assign",
    "compare_runs",
    "initial_membership",
    "load_rules",
    "overlap_table",
    "persistent_ids",
    "read_run",
    "relabel_segmentation",
    "run_view",
    "track_log",
]
