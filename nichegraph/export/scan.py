"""The files of a resolution scan: ``scan.csv``, ``scan.png``, ``scan.json``.

The scan itself (:func:`nichegraph.scan_resolution`) writes nothing; this module turns its
:class:`~nichegraph.segments.Scan` into files, for ``nichegraph scan`` and for a run folder of
``run --resolution auto``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..segments.scan import Scan
from .csv import csv_text
from .plots import scan_png
from .run import json_text, write_run_folder

__all__ = ["SCAN_FILES", "save_scan", "scan_files"]

#: Files ``nichegraph scan`` writes (and ``run --resolution auto`` adds to the run folder).
SCAN_FILES = ("scan.csv", "scan.png", "scan.json")


def scan_files(scan: Scan) -> dict[str, str | bytes]:
    """``{file name: content}`` of :data:`SCAN_FILES` (the PNG as bytes).

    >>> import nichegraph as ng
    >>> g = ng.build_graph(ng.load_dataset("brand_chatter").log)
    >>> sorted(scan_files(ng.scan_resolution(g, resolutions=[1, 2], runs=1, seed=1)))
    ['scan.csv', 'scan.json', 'scan.png']
    """
    return {
        "scan.csv": csv_text(scan.table),
        "scan.png": scan_png(scan),
        "scan.json": json_text(scan.to_dict()),
    }


def save_scan(scan: Scan, outdir: str | os.PathLike[str]) -> Path:
    """Write :data:`SCAN_FILES` into ``outdir`` atomically; returns the folder.

    >>> import nichegraph as ng, tempfile, os
    >>> g = ng.build_graph(ng.load_dataset("brand_chatter").log)
    >>> out = save_scan(ng.scan_resolution(g, resolutions=[1], runs=1), tempfile.mkdtemp() + "/s")
    >>> sorted(os.listdir(out))
    ['scan.csv', 'scan.json', 'scan.png']
    """
    return write_run_folder(outdir, scan_files(scan))
