"""``ng.plan``: a campaign :class:`Plan` of an analysis, which can ``save`` itself.

The planning algorithms live in :mod:`nichegraph.plan` and write no files; this thin layer
(like :mod:`nichegraph.pipeline` for :class:`~nichegraph.AnalysisResult`) adds the writer.
"""

from __future__ import annotations

import functools
import os
from dataclasses import fields
from pathlib import Path
from typing import Any

from .export.plan import save_plan
from .plan import Plan as PlanData
from .plan import plan as make_plan

__all__ = ["Plan", "plan"]


class Plan(PlanData):
    """A campaign plan (see :class:`nichegraph.plan.Plan`) with :meth:`save`.

    >>> import nichegraph as ng, tempfile, os
    >>> res = ng.analyze(ng.load_dataset("brand_chatter").log, seed=1)
    >>> out = ng.plan(res, budget=3).save(os.path.join(tempfile.mkdtemp(), "p"))
    >>> sorted(os.listdir(out))
    ['columns.csv', 'plan.csv', 'plan_excluded.csv', 'plan_segments.csv', 'plan_summary.json']
    """

    def save(self, outdir: str | os.PathLike[str], *, run: Any = None) -> Path:
        """Write the plan files into ``outdir`` all-or-nothing; with ``run`` (the
        :class:`~nichegraph.AnalysisResult` it was made from) the run's files join them."""
        return save_plan(self, outdir, run=run)


@functools.wraps(make_plan)
def plan(result: Any, **options: Any) -> Plan:
    data = make_plan(result, **options)
    return Plan(**{f.name: getattr(data, f.name) for f in fields(data)})
