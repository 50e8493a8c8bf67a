"""Micro-segments: Leiden detection, recursive splitting, quality figures."""

from .consensus import consensus_segments, segmentation_from_membership
from .flows import FLOW_COLUMNS, between_segment_weight, segment_flows
from .leiden import BACKENDS, OBJECTIVES, find_segments, leiden_membership, symmetrise
from .options import SegmentOptions
from .profiles import PROFILE_COLUMNS, profile_segments
from .quality import segment_quality
from .result import FRINGE, Segmentation
from .scan import Scan, scan_resolution
from .stability import Stability, run_memberships, segment_stability

__all__ = [
    "BACKENDS",
    "FLOW_COLUMNS",
    "FRINGE",
    "OBJECTIVES",
    "PROFILE_COLUMNS",
    "Scan",
    "SegmentOptions",
    "Segmentation",
    "Stability",
    "between_segment_weight",
    "consensus_segments",
    "find_segments",
    "leiden_membership",
    "profile_segments",
    "run_memberships",
    "scan_resolution",
    "segment_flows",
    "segment_quality",
    "segment_stability",
    "segmentation_from_membership",
    "symmetrise",
]
