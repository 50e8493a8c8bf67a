"""Micro-segments: Leiden detection, recursive splitting, quality figures."""

from .leiden import BACKENDS, OBJECTIVES, find_segments, leiden_membership, symmetrise
from .quality import segment_quality
from .result import FRINGE, Segmentation

__all__ = [
    "BACKENDS",
    "FRINGE",
    "OBJECTIVES",
    "Segmentation",
    "find_segments",
    "leiden_membership",
    "segment_quality",
    "symmetrise",
]
