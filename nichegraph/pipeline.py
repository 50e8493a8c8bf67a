"""The whole job in one call: read -> build -> segment -> rank -> shortlist, with provenance."""

from __future__ import annotations

import platform
import resource
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from ._random import check_seed
from .errors import InputError
from .export.csv import csv_text
from .export.run import check_outdir, json_text, write_run_folder
from .graph.build import (
    InteractionGraph,
    build_graph,
    parse_date,
    parse_duration,
    parse_kind_weights,
)
from .graph.read import Interactions, read_interactions
from .influencers.rank import _check_weights, rank_influencers, shortlist
from .segments.leiden import BACKENDS, OBJECTIVES, find_segments
from .segments.result import FRINGE, Segmentation

__all__ = ["OUTPUT_FILES", "AnalysisResult", "analyze"]

OUTPUT_FILES = (
    "segments.csv",
    "segment_summary.csv",
    "influencers.csv",
    "shortlist.csv",
    "run.json",
)

Progress = Callable[[str, str, float], None]


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    """Everything one analysis produced; ``save(dir)`` writes the run folder.

    ``segments`` (one row per person), ``summary`` (one row per segment), ``influencers`` (every
    measure, every ranked person), ``shortlist`` (top N per segment) are DataFrames.
    """

    interactions: Interactions
    graph: InteractionGraph
    segmentation: Segmentation
    influencers: pd.DataFrame
    shortlist: pd.DataFrame
    params: dict[str, Any]
    timings: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def segments(self) -> pd.DataFrame:
        """person, segment, path, role (``fringe`` for fringe members); fringe last."""
        frame = self.segmentation.to_frame()
        roles = self.influencers.set_index("person")["role"]
        frame["role"] = frame["person"].map(roles).fillna("fringe").astype(object)
        frame["_fringe"] = frame["segment"] == FRINGE
        frame = frame.sort_values(["_fringe", "segment", "person"], kind="mergesort")
        return frame.drop(columns="_fringe").reset_index(drop=True)

    @property
    def summary(self) -> pd.DataFrame:
        """Per-segment quality figures and the segment's top 3 influencers."""
        table = self.segmentation.segments.copy()
        top3 = (
            self.influencers[self.influencers["rank"] <= 3]
            .groupby("segment")["person"]
            .agg(lambda s: "; ".join(s))
        )
        table["top_influencers"] = table["segment"].map(top3).fillna("").astype(object)
        return table

    def manifest(self) -> dict[str, Any]:
        """The content of ``run.json``: versions, parameters, input, counts, quality, timings."""
        seg = self.segmentation
        import igraph
        import leidenalg

        return {
            "nichegraph": __version__,
            "parameters": self.params,
            "input": self.interactions.report.to_dict(),
            "graph": self.graph.report.to_dict(),
            "segmentation": {
                "segments": seg.n_segments,
                "fringe_people": seg.fringe_size,
                "modularity": round(seg.modularity, 6),
                "modularity_top_level": round(seg.modularity_top, 6),
                "splits_tried": seg.splits_tried,
                "splits_kept": seg.splits_kept,
                "oversize_segments": int(seg.segments["oversize"].sum()),
            },
            "influencers": {
                "ranked_people": len(self.influencers),
                "shortlist_rows": len(self.shortlist),
            },
            "files": list(OUTPUT_FILES),
            "versions": {
                "python": platform.python_version(),
                "igraph": igraph.__version__,
                "leidenalg": leidenalg.version,
                "numpy": np.__version__,
                "pandas": pd.__version__,
            },
            "timings": self.timings,
        }

    def files(self) -> dict[str, str]:
        """``{file name: text}`` of the run folder (CSV text is spreadsheet-safe)."""
        return {
            "segments.csv": csv_text(self.segments),
            "segment_summary.csv": csv_text(self.summary),
            "influencers.csv": csv_text(self.influencers),
            "shortlist.csv": csv_text(self.shortlist),
            "run.json": json_text(self.manifest()),
        }

    def save(self, outdir: str | Path) -> Path:
        """Write the five output files into ``outdir`` atomically; returns the folder."""
        return write_run_folder(outdir, self.files())


def _check_options(opts: dict[str, Any]) -> None:
    """Validate every option before any work is done."""
    if opts["objective"] not in OBJECTIVES:
        raise InputError(f"--objective must be one of {', '.join(OBJECTIVES)}")
    if opts["backend"] not in BACKENDS:
        raise InputError(f"--backend must be one of {', '.join(BACKENDS)}")
    r = opts["resolution"]
    if isinstance(r, bool) or not isinstance(r, int | float) or not np.isfinite(r) or r <= 0:
        raise InputError(f"--resolution must be a positive number, got {r!r}")
    top = opts["top"]
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InputError(f"--top must be a positive integer, got {top!r}")
    if not isinstance(opts["min_size"], int) or opts["min_size"] < 1:
        raise InputError(f"--min-size must be a positive integer, got {opts['min_size']!r}")
    mx = opts["max_size"]
    if mx is not None and (not isinstance(mx, int) or mx < max(2, opts["min_size"])):
        raise InputError(f"--max-size must be an integer >= 2 and >= --min-size, got {mx!r}")
    mg = opts["min_gain"]
    if mg is not None and (not isinstance(mg, int | float) or not np.isfinite(mg)):
        raise InputError(f"--min-gain must be a number, got {mg!r}")
    for name in ("since", "until"):
        if opts[name] is not None:
            parse_date(opts[name], f"--{name}")
    if opts["half_life"] is not None:
        parse_duration(opts["half_life"])
    if opts["kind_weights"]:
        parse_kind_weights(dict(opts["kind_weights"]))
    _check_weights(opts["score_weights"])


def analyze(
    data: Any,
    *,
    mapping: Mapping[str, str] | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
    kind_weights: Mapping[str, float] | None = None,
    half_life: str | float | None = None,
    since: Any = None,
    until: Any = None,
    objective: str = "modularity",
    resolution: float = 1.0,
    min_gain: float | None = 0.1,
    max_size: int | None = None,
    min_size: int = 5,
    backend: str = "igraph",
    score_weights: Mapping[str, float] | None = None,
    top: int = 10,
    outdir: str | Path | None = None,
    progress: Progress | None = None,
    seed: int | None = None,
) -> AnalysisResult:
    """Run every step on a log (path or DataFrame) and return an :class:`AnalysisResult`.

    Options are those of :func:`read_interactions`, :func:`build_graph`,
    :func:`find_segments`, :func:`rank_influencers` and :func:`shortlist`. Every option is
    checked before any work; with ``outdir`` the run folder is written (atomically) at the end.

    >>> import nichegraph as ng
    >>> res = ng.analyze(ng.load_dataset("brand_chatter").log, seed=1)
    >>> list(res.shortlist.columns[:4])
    ['segment', 'path', 'rank', 'person']
    """
    seed = check_seed(seed)
    params: dict[str, Any] = {
        "mapping": dict(mapping or {}),
        "sep": sep,
        "encoding": encoding,
        "kind_weights": dict(kind_weights or {}),
        "half_life": half_life,
        "since": None if since is None else str(since),
        "until": None if until is None else str(until),
        "objective": objective,
        "resolution": resolution,
        "min_gain": min_gain,
        "max_size": max_size,
        "min_size": min_size,
        "backend": backend,
        "score_weights": dict(score_weights) if score_weights else None,
        "top": top,
        "seed": seed,
    }
    _check_options(params)
    if outdir is not None:
        check_outdir(outdir)
    timings: dict[str, dict[str, float]] = {}

    def stage(name: str, fn: Callable[[], Any]) -> Any:
        if progress:
            progress(name, "start", 0.0)
        t0 = time.perf_counter()
        value = fn()
        dt = time.perf_counter() - t0
        timings[name] = {"seconds": round(dt, 3), "peak_rss_mb": _peak_rss_mb()}
        if progress:
            progress(name, "done", dt)
        return value

    inter: Interactions = stage(
        "read", lambda: read_interactions(data, mapping=mapping, sep=sep, encoding=encoding)
    )
    graph: InteractionGraph = stage(
        "build",
        lambda: build_graph(
            inter, kind_weights=kind_weights, half_life=half_life, since=since, until=until
        ),
    )
    seg: Segmentation = stage(
        "segment",
        lambda: find_segments(
            graph,
            objective=objective,
            resolution=resolution,
            min_gain=min_gain,
            max_size=max_size,
            min_size=min_size,
            backend=backend,
            seed=seed,
        ),
    )
    infl: pd.DataFrame = stage(
        "rank", lambda: rank_influencers(graph, seg, weights=score_weights, seed=seed)
    )
    short = shortlist(infl, top=top)
    result = AnalysisResult(inter, graph, seg, infl, short, params, timings)
    if outdir is not None:
        stage("write", lambda: result.save(outdir))
    return result
