"""Plan files: ``plan.csv``, ``plan_segments.csv``, ``plan_excluded.csv``, ``plan_summary.json``."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..plan.result import PLAN_FILES
from .columns import dictionary_csv
from .csv import csv_text
from .run import json_text, write_run_folder
from .scan import SCAN_FILES

__all__ = ["plan_files", "plan_report", "save_plan"]


def plan_files(plan: Any) -> dict[str, str | bytes]:
    """``{file name: text}`` of a :class:`~nichegraph.plan.Plan` (spreadsheet-safe CSV)."""
    return {
        "plan.csv": csv_text(plan.people),
        "plan_segments.csv": csv_text(plan.segments),
        "plan_excluded.csv": csv_text(plan.excluded),
        "plan_summary.json": json_text(plan.to_dict()),
    }


def plan_report(run: Any, plan_csv: str) -> str:
    """The run's report with the plan's section, from ``plan.csv``'s text (so ``nichegraph
    report`` on the folder renders the same page)."""
    return run.report_html(plan=_plan_part(plan_csv))


def _plan_part(plan_csv: str) -> Any:
    """The report's plan section, parsed from ``plan.csv``'s text."""
    from ..report import read_tables

    return read_tables({"plan": plan_csv})["plan"]


def save_plan(plan: Any, outdir: str | os.PathLike[str], *, run: Any = None) -> Path:
    """Write the plan files (and, with ``run``, the run's files, ``run.json`` stamped with the
    time) in ONE all-or-nothing write; a previous run or plan in ``outdir`` is replaced.

    >>> import nichegraph as ng, tempfile, os
    >>> res = ng.analyze(ng.load_dataset("brand_chatter").log, seed=1)
    >>> out = save_plan(ng.plan(res, budget=3), os.path.join(tempfile.mkdtemp(), "p"), run=res)
    >>> {"plan.csv", "plan_summary.json", "run.json", "shortlist.csv"} <= set(os.listdir(out))
    True
    """
    from .folder import run_files

    files: dict[str, str | bytes] = {}
    plan_texts = plan_files(plan)
    if run is not None:  # the run's files, its report with the plan's section: made once
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        files.update(run_files(run, now, plan=_plan_part(str(plan_texts["plan.csv"]))))
    plan_tables = {"plan": plan.people, "plan_segments": plan.segments,
                   "plan_excluded": plan.excluded}  # fmt: skip
    own, run_columns = dictionary_csv(plan_tables), files.get("columns.csv")
    files["columns.csv"] = (  # the run's columns, then the plan's
        own if run_columns is None else str(run_columns) + own.split("\n", 1)[1]
    )
    files.update(plan_texts)
    return write_run_folder(outdir, files, (*files, *SCAN_FILES, *PLAN_FILES, "columns.csv"))
