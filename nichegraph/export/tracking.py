"""Write what tracking produced: a comparison folder and a track folder (atomically)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..report.render import ReportData
from .columns import dictionary_csv
from .csv import csv_text
from .run import json_text, write_run_folder

if TYPE_CHECKING:
    from ..tracking.compare import CompareResult
    from ..tracking.track import TrackResult

__all__ = [
    "COMPARE_FILES",
    "TRACK_FILES",
    "compare_files",
    "track_files",
    "write_compare",
    "write_track",
]

#: Files of a comparison folder.
COMPARE_FILES = (
    "segment_changes.csv",
    "influencer_changes.csv",
    "people_moves.csv",
    "alerts.csv",
    "compare.json",
    "columns.csv",
)


#: What a previous track folder holds (top level): replaced as a whole by the next one.
TRACK_FILES = (
    "timeline.csv",
    "timeline.png",
    "windows.csv",
    "alerts.csv",
    "lineage.csv",
    "track.json",
    "columns.csv",
    "windows",
    "compare",
)


def compare_files(result: CompareResult, after: Any = None) -> dict[str, str]:
    """``{file name: text}`` of a comparison folder (:data:`COMPARE_FILES`); with ``after``
    (the later run: a run folder's :class:`~nichegraph.report.ReportData` or an analysis
    result) also ``report.html``: that run's report with the changes and the alerts."""
    out = {
        "segment_changes.csv": csv_text(result.segment_changes),
        "influencer_changes.csv": csv_text(result.influencer_changes),
        "people_moves.csv": csv_text(result.people_moves),
        "alerts.csv": csv_text(result.alerts),
        "compare.json": json_text(result.summary),
        "columns.csv": dictionary_csv(
            {
                "segment_changes": result.segment_changes,
                "influencer_changes": result.influencer_changes,
                "people_moves": result.people_moves,
                "alerts": result.alerts,
            }
        ),
    }
    if after is not None:
        from ..report import read_tables, render_report, report_data

        data = after if isinstance(after, ReportData) else report_data(after)
        parts = read_tables({"changes": out["segment_changes.csv"], "alerts": out["alerts.csv"]})
        out["report.html"] = render_report(data, changes=parts["changes"], alerts=parts["alerts"])
    return out


def write_compare(
    result: CompareResult, outdir: str | os.PathLike[str], *, after: Any = None
) -> Path:
    """Write the comparison folder ``outdir`` all at once (``after``: see
    :func:`compare_files`)."""
    return write_run_folder(outdir, compare_files(result, after), (*COMPARE_FILES, "report.html"))


def track_files(result: TrackResult, *, top: int = 8) -> dict[str, str | bytes]:
    """``{path: text or bytes}`` of a track folder: ``timeline.csv``, ``timeline.png``,
    ``windows.csv``, ``alerts.csv``, ``lineage.csv``, ``track.json``, every window's run folder
    (``windows/NN/``) and every window's comparison with the one before (``compare/NN/``)."""
    from .plots import timeline_png

    out: dict[str, str | bytes] = {
        "timeline.csv": csv_text(result.timeline),
        "timeline.png": timeline_png(result.timeline, top=top),
        "windows.csv": csv_text(result.windows),
        "alerts.csv": csv_text(result.alerts),
        "lineage.csv": csv_text(result.lineage),
        "track.json": json_text(result.summary),
        "columns.csv": dictionary_csv(
            {
                "timeline": result.timeline,
                "windows": result.windows,
                "alerts": result.alerts,
                "lineage": result.lineage,
            }
        ),
    }
    numbers = result.windows["window"].tolist()
    width = max(2, len(str(max(numbers))))
    for n, run in zip(numbers, result.runs, strict=True):
        for name, text in run.files().items():
            out[f"windows/{n:0{width}d}/{name}"] = text
    for n, cmp, run in zip(numbers[1:], result.compares, result.runs[1:], strict=True):
        for name, text in compare_files(cmp, run).items():
            out[f"compare/{n:0{width}d}/{name}"] = text
    return out


def write_track(result: TrackResult, outdir: str | os.PathLike[str], *, top: int = 8) -> Path:
    """Write the track folder ``outdir`` all at once."""
    return write_run_folder(outdir, track_files(result, top=top), TRACK_FILES)
