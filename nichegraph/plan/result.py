"""The frozen :class:`Plan`: the picks, the segments, the exclusions, a summary, provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["PLAN_COLUMNS", "PLAN_FILES", "Plan"]

#: Columns of ``plan.csv`` (``change`` and the previous plan's own columns follow with
#: ``previous``).
PLAN_COLUMNS = [
    "pick",
    "person",
    "platform",
    "segment",
    "label",
    "role",
    "score",
    "audience_new",
    "audience_total",
    "audience_exclusive",
    "why",
    "action",
    "metric",
    "metric_value",
    "advocate",
    "customer",
    "likely_bot",
]

PLAN_FILES = ("plan.csv", "plan_segments.csv", "plan_excluded.csv", "plan_summary.json")


@dataclass(frozen=True, eq=False)
class Plan:
    """A campaign plan: ``people`` (one row per pick, ``plan.csv``), ``segments`` (one row per
    segment, ``plan_segments.csv``), ``excluded`` (one row per person and rule,
    ``plan_excluded.csv``), ``summary`` (``plan_summary.json``), ``params`` (the options) and
    ``measures`` (every ranked person with every campaign measure and their score;
    ``responsiveness`` and ``reply_latency_h`` are NaN unless the objective is support or its
    weights use responsiveness).
    :func:`nichegraph.save_plan` writes the files.
    """

    people: pd.DataFrame
    segments: pd.DataFrame
    excluded: pd.DataFrame
    summary: dict[str, Any]
    params: dict[str, Any]
    measures: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """Summary and parameters as plain data (``plan_summary.json``)."""
        return {**self.summary, "parameters": self.params}
