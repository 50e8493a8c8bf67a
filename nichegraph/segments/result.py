"""The :class:`Segmentation` result: membership, hierarchy, per-segment table, provenance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._repr import short_repr

__all__ = ["FRINGE", "Segmentation", "path_text"]

#: Segment id of the fringe: people in segments smaller than ``min_size``.
FRINGE = 0


def path_text(path: Sequence[int]) -> str:
    """The text form of a hierarchical path: ``s`` then the levels joined by dots.

    The leading ``s`` keeps spreadsheets from reading a path as a number or a date (``4.2``
    would become 4.2 and ``6.10`` the same number as ``6.1``); the root's parent is ``""``.

    >>> path_text((4,)), path_text((6, 10)), path_text(())
    ('s4', 's6.10', '')
    """
    return "s" + ".".join(map(str, path)) if len(path) else ""


@dataclass(frozen=True, eq=False)
class Segmentation:
    """Hierarchical micro-segments of an interaction graph.

    ``membership[v]`` is the leaf segment id of vertex ``v`` (``1`` = largest segment, ``0`` =
    fringe), ``paths[v]`` its hierarchical path (``"s4.2"``, see :func:`path_text`; ``"fringe"``).
    ``segments`` has one row per leaf segment (fringe last) with its size and quality figures;
    ``params`` records everything needed to reproduce it (objective, resolution, sizes, seed,
    library versions).
    """

    __repr__ = short_repr

    names: tuple[str, ...]
    membership: np.ndarray
    paths: np.ndarray
    segments: pd.DataFrame
    modularity: float
    modularity_top: float
    splits_tried: int = 0
    splits_kept: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def n_segments(self) -> int:
        """Number of segments, fringe excluded."""
        return int((self.segments["segment"] != FRINGE).sum())

    @property
    def fringe_size(self) -> int:
        """Number of people in the fringe."""
        return int((self.membership == FRINGE).sum())

    def to_frame(self) -> pd.DataFrame:
        """One row per person: ``person``, ``segment``, ``path``."""
        return pd.DataFrame(
            {"person": list(self.names), "segment": self.membership, "path": self.paths}
        )
