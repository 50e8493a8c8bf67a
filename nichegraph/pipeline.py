"""The whole job in one call: read -> build -> segment -> rank -> shortlist, with provenance."""

from __future__ import annotations

import platform
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import __version__
from ._memory import between_stages, check_memory, frozen_stages, input_rows, out_of_memory, rss_mb
from ._options import route_options
from ._overlap import Background, cpu_sample, cpu_seconds, idle_jobs
from ._parallel import check_jobs
from ._random import check_seed
from ._repr import short_repr
from ._stages import Step, check_stability
from ._stages import segment_stage as _segment
from .errors import InputError
from .export import folder
from .export.folder import OUTPUT_FILES, REPLACEABLE, TABLE_NAMES, TRACKING_FILES
from .export.graphs import graph_tables, to_igraph, to_networkx
from .export.pseudonymise import Pseudonymiser, load_key, path_terms, protected_terms
from .export.run import check_outdir, write_run_folder
from .graph.build import GraphOptions, InteractionGraph, build_graph, network_figures
from .graph.codes import arrow_text, positions
from .graph.engines.load import UNAVAILABLE, check_engine, engine_graph
from .graph.formats import ReadOptions
from .graph.identity import load_people
from .graph.read import Interactions, read_interactions
from .influencers.rank import RankOptions, rank_influencers, shortlist
from .segments.flows import FLOW_COLUMNS, segment_flows
from .segments.options import SegmentOptions
from .segments.profiles import PROFILE_COLUMNS, profile_segments
from .segments.result import FRINGE, Segmentation
from .segments.scan import Scan, scan_resolution
from .segments.stability import Stability
from .tracking.lineage import Tracking, initial_membership
from .tracking.runs import LABEL_COLUMNS, RunView, as_view
from .tracking.warmstart import follow_previous

__all__ = [
    "OUTPUT_FILES",
    "RUN_OPTIONS",
    "TABLE_NAMES",
    "TRACKING_FILES",
    "AnalysisResult",
    "analyze",
    "run_options",
]

Progress = Callable[[str, str, float], None]
"""``progress(stage, event, seconds)``: event ``"start"``, a step, or ``"done"``."""


def _or_empty(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns) if frame is None else frame


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    """Everything one analysis produced; ``save(dir)`` writes the run folder.

    ``segments`` (one row per person), ``summary`` (one row per segment), ``influencers`` (every
    measure, every ranked person), ``shortlist`` (top N per segment) are DataFrames.
    """

    __repr__ = short_repr

    interactions: Interactions
    graph: InteractionGraph
    segmentation: Segmentation
    influencers: pd.DataFrame
    shortlist: pd.DataFrame
    params: dict[str, Any]
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    profiles: pd.DataFrame | None = None
    flows: pd.DataFrame | None = None
    pseudonymiser: Pseudonymiser | None = None
    stability: Stability | None = None
    scan: Scan | None = None
    unavailable: dict[str, str] = field(default_factory=dict)
    tracking: Tracking | None = None

    @property
    def segments(self) -> pd.DataFrame:
        """person, segment, path, role (``fringe`` for fringe members); fringe last."""
        frame = self.segmentation.to_frame()
        at = positions(frame["person"], self.influencers["person"])  # -1: not ranked
        role = np.append(self.influencers["role"].to_numpy(dtype=object), None)[at]
        frame["role"] = pd.Series(role, dtype=object).fillna("fringe")
        if self.stability is not None:  # share of seeds keeping them with their segment
            frame["confidence"] = self.stability.confidence
        if self.interactions.identity is not None:  # a people table: each person's handles
            handles = self.interactions.identity.handles_by_person()
            frame["handles"] = frame["person"].map(handles).astype(object).fillna("")
        keys = pa.table({"fringe": frame["segment"] == FRINGE, "segment": frame["segment"],
                         "person": arrow_text(frame["person"])})  # fmt: skip
        order = pc.sort_indices(keys, [(k, "ascending") for k in keys.column_names])
        return frame.take(order.to_numpy()).reset_index(drop=True)  # fringe last

    @property
    def summary(self) -> pd.DataFrame:
        """Per-segment quality figures and the segment's top 3 influencers."""
        table = self.segmentation.segments.copy()
        infl = self.influencers  # ranks 1-3 joined per segment, in row order (no groupby)
        seg = infl["segment"].to_numpy()[sel := np.flatnonzero(infl["rank"].to_numpy() <= 3)]
        order = np.argsort(seg, kind="stable")
        seg, who = seg[order], infl["person"].iloc[sel[order]].to_numpy(dtype=object)
        segs, at = np.unique(seg, return_index=True)
        top3 = pd.Series(["; ".join(who[a:b]) for a, b in pairwise([*at, len(seg)])], segs)
        table["top_influencers"] = table["segment"].map(top3).astype(object).fillna("")
        if self.stability is not None:  # mean best-match Jaccard over seeds; < 0.5 unstable
            stab = self.stability.segments.set_index("segment")
            table["stability"] = table["segment"].map(stab["stability"])
            table["unstable"] = table["segment"].map(stab["unstable"]).astype(object)
        if self.profiles is not None:
            labels = self.profiles.set_index("segment")["label"]
            table.insert(2, "label", table["segment"].map(labels).astype(object).fillna(""))
        return table

    @property
    def labels(self) -> pd.DataFrame:
        """``labels.csv``: each segment's id, the name a person gave it, its automatic label."""
        table = self.summary
        table = table[table["segment"] != FRINGE]
        names = self.tracking.names if self.tracking is not None else {}
        name = table["segment"].map(names).astype(object).fillna("")
        frame = {"segment": table["segment"], "name": name, "label": table.get("label", "")}
        return pd.DataFrame(frame, columns=LABEL_COLUMNS).reset_index(drop=True)

    def manifest(self, written_at: str | None = None) -> dict[str, Any]:
        """The content of ``run.json``: versions, parameters, input, counts, quality, timings;
        ``written_at`` (UTC, ISO 8601) when the run folder is written."""
        seg = self.segmentation
        import igraph
        import leidenalg

        data: dict[str, Any] = {
            "nichegraph": __version__,
            **({"written_at": written_at} if written_at is not None else {}),
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
            "files": folder.file_names(self),
            "versions": {
                "python": platform.python_version(),
                "igraph": igraph.__version__,
                "leidenalg": leidenalg.version,
                "numpy": np.__version__,
                "pandas": pd.__version__,
            },
            "timings": self.timings,
        }
        data["graph"].update(network_figures(self.graph))
        if self.unavailable:  # an edge table or an out-of-core aggregation: no raw log
            data["unavailable"] = dict(self.unavailable)
        if self.stability is not None:
            data["stability"] = self.stability.summary()
        if self.scan is not None:
            data["scan"] = {"recommended": self.scan.recommended, "reason": self.scan.reason}
        if self.tracking is not None:
            data["tracking"] = self.tracking.info
        if "consensus" in seg.params:
            data["segmentation"]["consensus"] = seg.params["consensus"]
        identity = self.interactions.identity
        if identity is not None:
            data["identity"] = identity.to_dict()
        data["pseudonymised"] = self.pseudonymiser is not None
        if self.pseudonymiser is None:
            return data
        data["pseudonymisation"] = {
            "method": "HMAC-SHA256 of the name with the key, first 16 hex digits, prefix p_",
            "text": "left out",
            "paths": "withheld",
        }
        return self.pseudonymiser.manifest(data)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's tables by name (:data:`TABLE_NAMES`)."""
        prof, flows = _or_empty(self.profiles, PROFILE_COLUMNS), _or_empty(self.flows, FLOW_COLUMNS)
        frames = (self.segments, self.summary, self.influencers, self.shortlist, prof, flows)
        return dict(zip(TABLE_NAMES, frames, strict=True))

    def to_networkx(self) -> Any:
        """A ``networkx.DiGraph`` of people (``segment``, ``path``, ``role``, ``score``, …)."""
        return to_networkx(graph_tables(self))

    def to_igraph(self) -> Any:
        """An ``igraph.Graph`` with the same attributes as :meth:`to_networkx`."""
        return to_igraph(graph_tables(self))

    def report_html(self, **parts: Any) -> str:
        """The HTML report; ``parts``: ``plan=``, ``changes=``, ``alerts=``, ``cards=``."""
        from .report import render_report, report_data

        data = report_data(self, parts.pop("texts", None), parts.pop("manifest", None))
        return render_report(data, **parts)

    def files(self, written_at: str | None = None) -> dict[str, str | bytes]:
        """``{file name: text or bytes}`` of the run folder; ``written_at`` for run.json."""
        return folder.run_files(self, written_at)

    def save(self, outdir: str | Path) -> Path:
        """Write the output files (:data:`OUTPUT_FILES`) into ``outdir`` atomically;
        ``run.json`` records the time (``written_at``)."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return write_run_folder(outdir, self.files(written_at=now), REPLACEABLE)


def _label(data: Any) -> str:
    return f"<{type(data).__name__}>" if not isinstance(data, str | Path) else str(data)


RUN_OPTIONS = (ReadOptions, GraphOptions, SegmentOptions, RankOptions)
"""The option classes of a run, in stage order; :func:`analyze` takes any of their fields."""


def run_options(
    read: ReadOptions | None = None,
    graph: GraphOptions | None = None,
    segment: SegmentOptions | None = None,
    rank: RankOptions | None = None,
    **options: Any,
) -> tuple[ReadOptions, GraphOptions, SegmentOptions, RankOptions]:
    """The four option objects of a run: those given, with each flat keyword in ``options``
    set on the one class that has a field of that name (unknown names raise InputError).

    >>> read, graph, segment, rank = run_options(resolution=2, top=3, sep=";")
    >>> segment.resolution, rank.top, read.sep
    (2.0, 3, ';')
    """
    given = {"read": read, "graph": graph, "segment": segment, "rank": rank}
    r, g, s, k = route_options(RUN_OPTIONS, given, options)
    return r, g, s, k


@frozen_stages
def analyze(
    data: Any = None,
    *,
    read: ReadOptions | None = None,
    graph: GraphOptions | None = None,
    segment: SegmentOptions | None = None,
    rank: RankOptions | None = None,
    people: Any = None,
    pseudonymise: bool = False,
    key: str | bytes | None = None,
    stability: int = 0,
    consensus: bool = False,
    previous: str | Path | RunView | AnalysisResult | None = None,
    freeze_previous: bool = False,
    warm_start: bool = True,
    jobs: int | None = None,
    export: str | list[str] | tuple[str, ...] | None = None,
    output_formats: str | list[str] | tuple[str, ...] | None = None,
    edges: str | Path | None = None,
    engine: str = "pandas",
    memory_limit: str | None = None,
    temp_dir: str | Path | None = None,
    outdir: str | Path | None = None,
    progress: Progress | None = None,
    seed: int | None = None,
    **options: Any,
) -> AnalysisResult:
    """Run every step on a log (path or DataFrame) and return an :class:`AnalysisResult`.

    Options are :class:`ReadOptions`, :class:`GraphOptions`, :class:`SegmentOptions` and
    :class:`RankOptions` objects (``read=``, ``graph=``, ``segment=``, ``rank=``), or any of
    their fields as flat keywords (``resolution=2.0, top=5``; see :func:`run_options`). Every
    option is checked before any work; with ``outdir`` the run folder is written (atomically)
    at the end.
    ``people`` (a people table) merges each person's handles into one node;
    ``pseudonymise=True`` replaces every handle with a keyed hash and leaves text out, with
    ``key`` or else ``$NICHEGRAPH_KEY`` (:mod:`nichegraph.export.pseudonymise`).
    ``resolution="auto"`` takes :func:`scan_resolution`'s recommendation (the scan's files join
    the run folder); ``stability=N`` re-runs the detection N times for a confidence per person
    and a stability per segment (:func:`segment_stability`); ``consensus=True`` keeps the
    consensus of those runs (N, else 10) as the segmentation (:func:`consensus_segments`).
    ``previous`` (a run folder, a result or a :class:`~nichegraph.tracking.RunView`) makes the
    segment ids persistent: Leiden starts from the previous partition (``freeze_previous=True``:
    previous members stay, only the others are placed; ``warm_start=False``: from scratch) and
    segments inherit the ids they match (:func:`~nichegraph.tracking.persistent_ids`);
    ``lineage.csv`` and ``labels.csv`` join the run folder. Pass the previous run's objective,
    resolution and seed too (:func:`~nichegraph.tracking.warmstart.previous_options`).
    ``export`` adds ``network.gexf``/``.graphml``; ``output_formats``: ``csv`` (default),
    ``parquet``, ``xlsx``; ``report.html`` and ``columns.csv`` are always written.
    ``edges`` (an edge table, :func:`~nichegraph.graph.edges.read_edges`) replaces ``data``;
    ``engine="duckdb"`` aggregates ``data`` out of core within ``memory_limit`` (spilling to
    ``temp_dir``); both never hold the raw log, so the profiles are unavailable
    (:data:`~nichegraph.graph.engines.load.UNAVAILABLE`, listed in ``run.json``).
    ``progress(stage, event, seconds)`` hears each stage's ``"start"``, its steps (segment:
    ``"split level 2 (40 segments)"``; stability: ``"run 2 of 10: …"``; rank: each measure;
    scan: ``"resolution 0.5 done (4 of 15)"``) and ``"done"``, with the seconds since the stage
    started. Running out of memory raises :class:`MemoryError` naming the stage; a run too
    large for the memory limit stops before reading or building (:class:`NichegraphError`).
    ``jobs``: processes for those runs, the scan and betweenness; from 2 the profiles and flows
    are computed in a forked process while this one ranks (``None``: every core, for these two
    only if other processes leave a core idle; the results are the same).

    >>> import nichegraph as ng
    >>> res = ng.analyze(ng.load_dataset("brand_chatter").log, seed=1)
    >>> list(res.shortlist.columns[:4])
    ['segment', 'path', 'rank', 'person']
    """
    seed = check_seed(seed)
    ropts, gopts, sopts, kopts = run_options(read, graph, segment, rank, **options)
    params: dict[str, Any] = {
        **asdict(ropts),
        **asdict(gopts),
        **asdict(sopts),
        **asdict(kopts),
        "seed": seed,
        "people": None if people is None else _label(people),
        "pseudonymise": bool(pseudonymise),
        "stability": check_stability(stability),
        "consensus": bool(consensus),
        "export": list(folder.check_exports(export)),
        "output_formats": list(folder.check_output_formats(output_formats)),
        "edges": None if edges is None else _label(edges),
        "engine": engine,
        "memory_limit": memory_limit,
    }
    check_jobs(jobs)
    since = cpu_sample()  # what other processes use from now on (idle_jobs)
    external = check_engine(data, edges, engine, memory_limit)  # aggregated outside: no raw log
    if previous is None and freeze_previous:
        raise InputError("--freeze-previous needs --previous RUN_DIR")
    prev = None if previous is None else as_view(previous)
    if prev is not None:
        params["previous"] = prev.run_id
        params["freeze_previous"] = bool(freeze_previous)
        params["warm_start"] = bool(warm_start)
    given = [*(data if isinstance(data, list | tuple) else [data]), people]  # paths to withhold
    people = None if people is None else load_people(people)
    if key is not None and not pseudonymise:
        raise InputError("a key is only used to pseudonymise; add --pseudonymise or drop the key")
    secret = load_key(key) if pseudonymise else None
    if outdir is not None:
        check_outdir(outdir, REPLACEABLE)
    timings: dict[str, dict[str, float]] = {}
    started, rows = dict[str, float](), dict[str, int]()  # stage start times, row counts

    def step(name: str) -> Step | None:
        """The reporter of stage ``name``'s steps (None without ``progress``)."""
        if progress is None:
            return None
        return lambda text: progress(name, text, time.perf_counter() - started[name])

    def stage(name: str, fn: Callable[[], Any]) -> Any:
        if progress:
            progress(name, "start", 0.0)
        t0 = started[name] = time.perf_counter()
        cpu0 = cpu_seconds()
        try:
            value = fn()
        except MemoryError as exc:  # one line naming the stage instead of an empty message
            raise MemoryError(out_of_memory(name, rows.get("kept"))) from exc
        dt, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        between_stages()  # what it freed goes back (the next one starts lower); rest frozen
        timings[name] = {
            "seconds": round(dt, 3),
            "cpu_seconds": round(cpu, 3),
            "peak_rss_mb": _peak_rss_mb(),
            "rss_mb": rss_mb(),
        }
        if progress:
            progress(name, "done", dt)
        return value

    aggregated: InteractionGraph | None = None
    if external:
        inter, aggregated = stage(
            "aggregate",
            lambda: engine_graph(data, edges, engine, memory_limit, temp_dir, people, ropts, gopts),
        )
        rows["kept"] = aggregated.n_edges  # what the later stages hold: the ties
    else:
        check_memory(input_rows(data), "read")  # the reader allocates in C++ (Arrow) too
        inter = stage("read", lambda: read_interactions(data, ropts, people=people))
        rows["kept"] = inter.report.rows_kept
    text = aggregated is not None or "text" in inter.table.columns  # ties: the larger figure
    check_memory(rows["kept"], "build", text)  # a C++ allocation failure (Leiden) would abort
    pseudo = None
    if secret is not None:
        extra = inter.identity.protected_terms() if inter.identity is not None else ()
        files = [f.get("path") for f in inter.report.files]
        table = inter.table
        names = (aggregated.names,) if aggregated else (table["source"], table["target"])
        pseudo = Pseudonymiser(
            secret, protected_terms(*names, extra), paths=path_terms([*given, edges, *files])
        )

    def build() -> tuple[Interactions, InteractionGraph]:
        g = aggregated or build_graph(inter, gopts)  # raw names: pseudonymised keeps vertex order
        return (inter, g) if pseudo is None else (pseudo.interactions(inter), pseudo.graph(g))

    inter, graph_ = stage("build", build)
    sopts = sopts.for_graph(graph_.graph)  # an edge table without ``n``: ties weigh weights
    params["ties"] = sopts.ties
    opts = sopts.kwargs(resolution=False)
    scan = None
    if sopts.resolution == "auto":
        report = step("scan")

        def scanned(i: int, total: int, r: float) -> None:
            if report:
                report(f"resolution {r:g} done ({i} of {total})")

        scan = stage(
            "scan",
            lambda: scan_resolution(graph_, seed=seed, progress=scanned, jobs=jobs, **opts),
        )
    opts["resolution"] = scan.recommended if scan is not None else sopts.resolution
    tracking: list[Tracking] = []

    def track(detect: Callable[[], Segmentation]) -> Segmentation:
        if prev is None:
            return detect()
        seg, t = follow_previous(
            detect, graph_, prev, opts, freeze=freeze_previous, seed=seed,
            warm=warm_start and not consensus,
        )  # fmt: skip
        tracking.append(t)
        return seg

    start = None
    if prev is not None and warm_start and not freeze_previous:
        start = initial_membership(graph_.graph.vs["name"], prev.members)
    seg, stab = _segment(graph_, opts, stability, consensus, seed, stage, step, track, start, jobs)
    spare = idle_jobs(jobs, since)  # by default, a second core only if the machine leaves one
    profiling = Background(  # segment profiles and flows: on a second core while ranking
        lambda: (
            _or_empty(None, PROFILE_COLUMNS)
            if external
            else profile_segments(
                inter, seg, since=gopts.since, until=gopts.until, built=graph_.rows
            ),
            segment_flows(graph_, seg),
        ),
        spare,
    )
    try:
        infl: pd.DataFrame = stage(
            "rank",
            lambda: rank_influencers(
                graph_, seg, weights=kopts.score_weights, seed=seed, progress=step("rank"),
                jobs=spare,
            ),
        )  # fmt: skip
        short = shortlist(infl, top=kopts.top)
        profiles, flows = stage("profile", profiling.result)
    finally:
        profiling.cancel()  # rank failed: stop the child
    if profiling.usage:  # the child's peak (its CPU counts in the stage's)
        t = timings["profile"]
        t["peak_rss_mb"] = max(t["peak_rss_mb"], profiling.usage["peak_rss_mb"])
    result = AnalysisResult(
        inter, graph_, seg, infl, short, params, timings, profiles=profiles, flows=flows,
        pseudonymiser=pseudo, stability=stab, scan=scan,
        unavailable=dict(UNAVAILABLE) if external else {},
        tracking=tracking[0] if tracking else None,
    )  # fmt: skip
    if outdir is not None:
        stage("write", lambda: result.save(outdir))
    return result
