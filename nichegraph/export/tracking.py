"""Write what tracking produced: a comparison folder and a track folder (atomically)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

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
)


#: What a previous track folder holds (top level): replaced as a whole by the next one.
TRACK_FILES = (
    "timeline.csv",
    "timeline.png",
    "windows.csv",
    "alerts.csv",
    "lineage.csv",
    "track.json",
    "windows",
    "compare",
)


def compare_files(result: CompareResult) -> dict[str, str]:
    """``{file name: text}`` of a comparison folder (:data:`COMPARE_FILES`)."""
    return {
        "segment_changes.csv": csv_text(result.segment_changes),
        "influencer_changes.csv": csv_text(result.influencer_changes),
        "people_moves.csv": csv_text(result.people_moves),
        "alerts.csv": csv_text(result.alerts),
        "compare.json": json_text(result.summary),
    }


def write_compare(result: CompareResult, outdir: str | os.PathLike[str]) -> Path:
    """Write the comparison folder ``outdir`` all at once."""
    return write_run_folder(outdir, compare_files(result), COMPARE_FILES)


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
    }
    numbers = result.windows["window"].tolist()
    width = max(2, len(str(max(numbers))))
    for n, run in zip(numbers, result.runs, strict=True):
        for name, text in run.files().items():
            out[f"windows/{n:0{width}d}/{name}"] = text
    for n, cmp in zip(numbers[1:], result.compares, strict=True):
        for name, text in compare_files(cmp).items():
            out[f"compare/{n:0{width}d}/{name}"] = text
    return out


def write_track(result: TrackResult, outdir: str | os.PathLike[str], *, top: int = 8) -> Path:
    """Write the track folder ``outdir`` all at once."""
    return write_run_folder(outdir, track_files(result, top=top), TRACK_FILES)
