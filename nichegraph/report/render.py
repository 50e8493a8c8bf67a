"""The run's HTML report: one self-contained page rendered from a run's tables.

:func:`render_report` is a pure function of a :class:`ReportData` (the run's tables, its
``run.json`` content and optional extra parts such as a plan, changes or alerts): Jinja2
templates shipped as package data, autoescaped (handles and texts are user input), charts as
inline SVG, no script and nothing loaded from elsewhere. It never re-runs an analysis, and
holds no clock time or timing, so the same run gives the same bytes. :func:`load_run_folder`
reads a run folder back, so ``nichegraph report RUN_DIR`` re-renders the same page.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..export.columns import dictionary
from ..export.layout import segment_layout
from .svg import segment_colour, segment_map_svg, sparkline_svg

__all__ = [
    "PART_FILES",
    "REPORT_FILE",
    "TABLES",
    "ReportData",
    "card_candidates",
    "load_run_folder",
    "read_tables",
    "render_report",
    "report_data",
    "shown_texts",
]

REPORT_FILE = "report.html"
TABLES = ("segments", "segment_summary", "influencers", "segment_profiles", "segment_flows")
"""The tables a report is made from (``NAME.csv`` in a run folder)."""

_TEXT_COLUMNS = {"path": str, "from_path": str, "to_path": str, "parent": str, "person": str}
_EXTRA_ORDER = ("plan", "actions", "changes", "compare", "alerts")
#: Tables other commands put beside a run's files, shown as report parts when present
#: (``plan`` writes ``plan.csv``).
PART_FILES = ("plan",)
_MAX_TABLE_ROWS = 1000
_MAX_EXTRA_ROWS = 200
_CARD_RANKS = 5  # people on a segment's card
CARDS = 50  # segments with a card, unless told
_MAP_LIMIT = 300  # segments laid out by their flows
_MAP_SHOWN = 150  # segments drawn on the map (more when more cards are asked for)


@dataclass(frozen=True, eq=False)
class ReportData:
    """What a report shows: ``tables`` (see :data:`TABLES`), ``manifest`` (``run.json``), and
    ``extras``: titled parts (a DataFrame or a dict each), e.g. ``{"plan": frame}``."""

    tables: Mapping[str, pd.DataFrame]
    manifest: Mapping[str, Any]
    extras: Mapping[str, pd.DataFrame | Mapping[str, Any]] = field(default_factory=dict)


def read_tables(texts: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """Tables from their CSV text (``{name: text}``), paths and handles kept as text.

    >>> t = read_tables({"segments": "person,segment,path\\n007,1,6.10\\n"})
    >>> t["segments"].astype(str).iloc[0].tolist()
    ['007', '1', '6.10']
    """
    out = {}
    for name, text in texts.items():
        head = text.split("\n", 1)[0].split(",")
        dtype = {c: t for c, t in _TEXT_COLUMNS.items() if c in head}
        out[name] = pd.read_csv(io.StringIO(text), dtype=dtype, keep_default_na=False,
                                na_values=[""])  # fmt: skip
    return out


def load_run_folder(run_dir: str | os.PathLike[str]) -> ReportData:
    """A run folder's tables, ``run.json`` and extra parts (``plan.csv``, ``changes.csv``,
    ``alerts.csv`` and any other table listed in ``run.json`` but not in :data:`TABLES`)."""
    import json

    folder = Path(run_dir)
    if not (folder / "run.json").is_file():
        raise InputError(f"{folder} is not a run folder (no run.json); pass the folder `run` wrote")
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    texts: dict[str, str] = {}
    for name in TABLES:
        csv, parquet = folder / f"{name}.csv", folder / f"{name}.parquet"
        if csv.is_file():
            texts[name] = csv.read_text(encoding="utf-8")
        elif parquet.is_file():
            from ..export.csv import csv_text

            texts[name] = csv_text(pd.read_parquet(parquet))
        elif name in ("segments", "segment_summary", "influencers"):
            raise InputError(f"{folder} has no {name}.csv; re-run `nichegraph run` to make it")
    tables = read_tables(texts)
    extras: dict[str, pd.DataFrame] = {}
    listed = [f for f in manifest.get("files", []) if isinstance(f, str)]
    listed += [f"{part}.csv" for part in PART_FILES if (folder / f"{part}.csv").is_file()]
    for name in sorted({Path(f).stem for f in listed if f.endswith(".csv")}):
        if name not in TABLES and name not in ("shortlist", "columns", "scan"):
            path = folder / f"{name}.csv"
            if path.is_file():
                extras[name] = read_tables({name: path.read_text(encoding="utf-8")})[name]
    return ReportData(tables, manifest, extras)


def report_data(
    result: Any, texts: Mapping[str, str] | None = None, manifest: Mapping[str, Any] | None = None
) -> ReportData:
    """The :class:`ReportData` of an analysis result: its tables as the run folder holds them
    (parsed from the same CSV text, so a re-render from the folder gives the same page);
    ``texts`` and ``manifest`` (``result.manifest()``) when already made.

    >>> import nichegraph as ng
    >>> sorted(report_data(ng.analyze(ng.load_dataset("brand_chatter").log)).tables)[:2]
    ['influencers', 'segment_flows']
    """
    from ..export.csv import csv_text
    from ..export.folder import table_texts

    texts = table_texts(result) if texts is None else texts  # the CSV text, if already made
    extras: dict[str, Any] = {}
    tracking = getattr(result, "tracking", None)
    if tracking is not None:  # as load_run_folder finds them in the folder
        extras = read_tables({"labels": csv_text(result.labels),
                              "lineage": csv_text(tracking.lineage)})  # fmt: skip
    manifest = result.manifest() if manifest is None else manifest
    return ReportData(read_tables({k: texts[k] for k in TABLES}), manifest, extras)


def shown_texts(
    texts: Mapping[str, str], tables: Mapping[str, pd.DataFrame], *, cards: int = CARDS
) -> dict[str, str]:
    """The CSV text of the rows a page with ``cards`` cards shows, for :func:`report_data`:
    the summary whole (its text taken from ``texts``), the header of ``segments`` (the page
    lists its columns), the profiles and ranks 1-5 of ``influencers`` of the segments that may
    get a card (:func:`card_candidates`) and the flows between two of the 300 largest segments
    (the map), plus the first flow (the map's link layer is drawn whenever there are flows).
    ``tables`` are the frames ``texts`` were made from; the page is the same as from the whole
    ``texts``, without parsing millions of rows.

    >>> import nichegraph as ng
    >>> from nichegraph.export.folder import table_texts
    >>> res = ng.analyze(ng.load_dataset("brand_chatter").log, seed=1)
    >>> tables = res.tables()
    >>> texts = table_texts(res, tables)
    >>> render_report(report_data(res, shown_texts(texts, tables))) == render_report(
    ...     report_data(res, texts))
    True
    """
    from ..export.csv import csv_text

    out = {"segment_summary": texts["segment_summary"]}
    out["segments"] = csv_text(tables["segments"].iloc[:0])  # the header
    summary = tables["segment_summary"]
    carded = card_candidates(summary, cards)
    profiles = tables["segment_profiles"]
    out["segment_profiles"] = csv_text(profiles[profiles["segment"].isin(carded).to_numpy()])
    infl = tables["influencers"]
    keep = (infl["rank"].to_numpy() <= _CARD_RANKS) & infl["segment"].isin(carded).to_numpy()
    out["influencers"] = csv_text(infl[keep])
    real = summary[summary["segment"] != 0].set_index("segment")["size"]
    mapped = real.sort_values(ascending=False, kind="mergesort").index[:_MAP_LIMIT]
    flows = tables["segment_flows"]
    ends = (flows[c].isin(mapped).to_numpy() for c in ("from_segment", "to_segment"))
    keep = np.logical_and(*ends)
    keep[:1] = True
    out["segment_flows"] = csv_text(flows[keep])
    return out


def card_candidates(summary: pd.DataFrame, cards: int) -> np.ndarray:
    """The segments that may get one of ``cards`` cards: every segment (fringe apart) at least
    as large as the ``cards``-th largest. Cards go by size, then by internal weight as the CSV
    text rounds it, so this set of whole sizes holds them whatever the rounding.

    >>> card_candidates(pd.DataFrame({"segment": [0, 1, 2, 3], "size": [9, 5, 4, 4]}), 2)
    array([1, 2, 3])
    """
    _check_cards(cards)
    real = summary[summary["segment"].to_numpy() != 0]
    size = real["size"].to_numpy()
    if cards == 0 or not len(size):
        return np.zeros(0, dtype=np.int64)
    least = np.sort(size)[::-1][min(cards, len(size)) - 1]
    return real["segment"].to_numpy()[size >= least]


def _check_cards(cards: Any) -> None:
    if isinstance(cards, bool) or not isinstance(cards, int) or cards < 0:
        raise InputError(f"cards must be a number of segments >= 0, got {cards!r}")


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("nichegraph.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _num
    return env


def _num(value: Any, digits: int = 3) -> str:
    """A number for people: thousands separated, ``digits`` significant digits for floats."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (
        isinstance(value, float) and value.is_integer() and abs(value) >= 1
    ):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10**digits else f"{value:.{digits}g}"
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [dict(zip(clean.columns, row, strict=True)) for row in clean.itertuples(index=False)]


def _weeks(text: Any) -> tuple[list[str], list[float]]:
    """``2026-W23 413; 2026-W24 399`` → (names, counts)."""
    names, values = [], []
    for item in str(text or "").split(";"):
        name, _, count = item.strip().rpartition(" ")
        try:
            values.append(float(count))
            names.append(name)
        except ValueError:
            continue
    return names, values


def _why(row: Mapping[str, Any]) -> str:
    """One line on why a person ranks: engagement share, reach, bridging."""
    parts = []
    share, reach = row.get("engagement_share"), row.get("reach")
    if share is not None:
        parts.append(f"receives {float(share):.0%} of the segment's engagement")
    if reach is not None:
        parts.append(f"from {int(reach):,} members")
    outside = row.get("outside_share")
    if outside is not None and float(outside) >= 0.25:
        parts.append(f"{float(outside):.0%} of their engagement comes from other segments")
    return ", ".join(parts)


def _method(manifest: Mapping[str, Any]) -> list[tuple[str, Any]]:
    params = manifest.get("parameters", {}) or {}
    inp = manifest.get("input", {}) or {}
    graph = manifest.get("graph", {}) or {}
    seg = manifest.get("segmentation", {}) or {}
    versions = manifest.get("versions", {}) or {}
    span = ""
    if inp.get("time_min"):
        span = f"{inp.get('time_min')} to {inp.get('time_max')}"
    weights = graph.get("kind_weights") or {}
    rows = [
        ("input", f"{inp.get('source', '')} ({inp.get('format', '')})"),
        ("rows read / kept", f"{_num(inp.get('rows_read'))} / {_num(inp.get('rows_kept'))}"),
        ("skipped rows", "; ".join(f"{k}: {v:,}" for k, v in (inp.get("skipped") or {}).items())
         or "none"),
        ("time span (UTC)", span or "no timestamps"),
        ("kind weights", "; ".join(f"{k} {v:g}" for k, v in weights.items()) or "none"),
        ("time decay (half-life)", graph.get("half_life") or "none"),
        ("method", f"Leiden ({params.get('backend')}), {params.get('objective')}, "
                   f"resolution {params.get('resolution')}, min gain {params.get('min_gain')}, "
                   f"min size {params.get('min_size')}"
                   + (f", ties weigh {params['ties']}" if params.get("ties") else "")),
        ("splits tried / kept", f"{seg.get('splits_tried', '')} / {seg.get('splits_kept', '')}"),
        ("seed", params.get("seed")),
        ("versions", f"nichegraph {manifest.get('nichegraph', '')}; "
         + "; ".join(f"{k} {v}" for k, v in versions.items())),
        ("pseudonymised", "yes" if manifest.get("pseudonymised") else "no"),
    ]  # fmt: skip
    return rows


def render_report(
    data: ReportData,
    *,
    cards: int = CARDS,
    plan: pd.DataFrame | Mapping[str, Any] | None = None,
    changes: pd.DataFrame | Mapping[str, Any] | None = None,
    alerts: pd.DataFrame | Mapping[str, Any] | None = None,
) -> str:
    """The report page as HTML text.

    ``cards`` segments (the largest, then the most engaged) get a card each; every segment is
    in the table (up to 1,000 rows; the rest are in ``segment_summary.csv``). ``plan``,
    ``changes`` and ``alerts`` (a DataFrame or a dict each) add their sections; so do
    ``data.extras``.

    >>> import nichegraph as ng
    >>> from nichegraph.report import report_data
    >>> html = render_report(report_data(ng.analyze(ng.load_dataset("brand_chatter").log)))
    >>> html.count('class="card"') > 5, "<script" in html, "http://" in html.replace(
    ...     "http://www.w3.org/2000/svg", "")
    (True, False, False)
    """
    _check_cards(cards)
    t = data.tables
    manifest = data.manifest
    summary = t["segment_summary"]
    real = summary[summary["segment"] != 0]
    flows = t.get("segment_flows")
    profiles = t.get("segment_profiles")
    infl = t["influencers"]
    sizes = real.set_index("segment")["size"]
    labels = (real.set_index("segment")["label"] if "label" in real
              else real.set_index("segment")["path"]).astype(str)  # fmt: skip
    layout = segment_layout(sizes, flows, limit=_MAP_LIMIT)
    shown = layout.head(max(cards, _MAP_SHOWN))
    order = real.sort_values(["size", "internal_weight", "segment"],
                             ascending=[False, False, True], kind="mergesort")  # fmt: skip
    prof = profiles.set_index("segment") if profiles is not None and len(profiles) else None
    chosen = order.head(cards)
    top = infl[(infl["rank"] <= _CARD_RANKS) & infl["segment"].isin(chosen["segment"])]
    by_seg: dict[Any, list[dict[str, Any]]] = {}
    for person in _records(top.sort_values(["segment", "rank"], kind="mergesort")):
        by_seg.setdefault(person["segment"], []).append(person)
    card_list = []
    for row in _records(chosen):
        seg = row["segment"]
        raw = prof.loc[seg].to_dict() if prof is not None and seg in prof.index else {}
        p = {k: v for k, v in raw.items() if not (v is None or (isinstance(v, float) and v != v))}
        names, values = _weeks(p.get("weekly_activity"))
        people = by_seg.get(seg, [])
        for person in people:
            person["why"] = _why(person)
        card_list.append({
            **row, "profile": p, "colour": segment_colour(seg), "people": people,
            "spark": sparkline_svg(values, names=names),
        })  # fmt: skip
    graph = manifest.get("graph", {}) or {}
    segm = manifest.get("segmentation", {}) or {}
    figures = [
        ("people", graph.get("nodes")), ("ties", graph.get("edges")),
        ("reciprocity", graph.get("reciprocity")), ("components", graph.get("components")),
        ("largest component", graph.get("largest_component")),
        ("segments", segm.get("segments")), ("fringe people", segm.get("fringe_people")),
        ("modularity", segm.get("modularity")),
    ]  # fmt: skip
    extras: dict[str, Any] = {}
    for name, part in (("plan", plan), ("changes", changes), ("alerts", alerts)):
        if part is not None:
            extras[name] = part
    for name, part in data.extras.items():
        extras.setdefault(name, part)
    sections = []
    for name in sorted(extras, key=lambda n: (_EXTRA_ORDER.index(n) if n in _EXTRA_ORDER
                                              else len(_EXTRA_ORDER), n)):  # fmt: skip
        part = extras[name]
        if isinstance(part, pd.DataFrame):
            sections.append(
                {
                    "name": name,
                    "columns": list(part.columns),
                    "total": len(part),
                    "rows": _records(part.head(_MAX_EXTRA_ROWS)),
                    "items": None,
                }
            )
        else:
            sections.append({"name": name, "items": list(dict(part).items()), "rows": None,
                             "columns": [], "total": 0})  # fmt: skip
    dict_tables = {k: v for k, v in t.items() if v is not None}
    words = dictionary(dict_tables)
    columns = ["segment", "path", "label", "size", "internal_weight", "density", "conductance",
               "stability", "top_influencers"]  # fmt: skip
    env = _environment()
    return env.get_template("report.html.j2").render(
        title="nichegraph report",
        method=_method(manifest),
        figures=[(k, v) for k, v in figures if v is not None],
        segmap=segment_map_svg(shown, labels, sizes, flows),
        mapped=len(shown),
        n_segments=len(real),
        table_columns=[c for c in columns if c in summary.columns],
        table_rows=_records(summary.head(_MAX_TABLE_ROWS)),
        table_total=len(summary),
        cards=card_list,
        sections=sections,
        dictionary=_records(words),
        colour=segment_colour,
    )
