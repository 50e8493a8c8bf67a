"""What tracking needs of a run, read from a run folder or taken from an analysis result.

A :class:`RunView` holds only tables: each person's segment, each segment's size, label,
interactions and internal weight, the shortlist, the flows, the manifest, and (for a tracked
run) its lineage and the names people gave to segments (``labels.csv``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["LABEL_COLUMNS", "RunView", "as_view", "read_labels", "read_run", "run_id", "run_view"]

#: Columns of ``labels.csv``: names a person gives to segments (``label`` is the automatic one).
LABEL_COLUMNS = ["segment", "name", "label"]
_FORMULA = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def run_id(segments_csv: str | bytes) -> str:
    """A run's id: the first 12 hex digits of the SHA-256 of its ``segments.csv``.

    >>> run_id("person,segment\\nann,1\\n")
    '60d7eb94b2a5'
    """
    data = segments_csv.encode() if isinstance(segments_csv, str) else segments_csv
    return hashlib.sha256(data).hexdigest()[:12]


@dataclass(frozen=True, eq=False)
class RunView:
    """One run as tracking sees it (every table keyed by segment id; ``0`` = fringe).

    ``members``: person -> segment. ``segments``: ``segment``, ``size``, ``label``,
    ``interactions``, ``internal_weight`` (fringe excluded). ``shortlist``: ``segment``,
    ``rank``, ``person``, ``score``. ``flows``: ``from_segment``, ``to_segment``, ``weight``
    (counted in the ties the segmentation used, as ``internal_weight``). ``dormant``: dormant
    id -> its last members (kept in memory by ``track``; a run folder does not hold them, so a
    chain of ``run --previous`` cannot revive a dormant segment).
    """

    members: pd.Series
    segments: pd.DataFrame
    shortlist: pd.DataFrame
    flows: pd.DataFrame
    manifest: dict[str, Any]
    run_id: str
    lineage: pd.DataFrame | None = None
    names: dict[int, str] = field(default_factory=dict)
    dormant: dict[int, pd.Index] = field(default_factory=dict)

    @property
    def tracking(self) -> dict[str, Any]:
        """The manifest's ``tracking`` section (empty for an untracked run)."""
        return dict(self.manifest.get("tracking") or {})

    @property
    def interactions(self) -> int:
        """Interactions the run used."""
        graph = self.manifest.get("graph") or {}
        return int(graph.get("rows_used", self.segments["interactions"].sum()))

    @property
    def window_end(self) -> str:
        """The end of the run's data: its ``until`` (a track window's end), else its last time."""
        until = (self.manifest.get("parameters") or {}).get("until")
        end = until or (self.manifest.get("input") or {}).get("time_max")
        return str(end or "")

    def label(self, segment: int) -> str:
        """The name a person gave the segment, else its automatic label."""
        if self.names.get(segment):
            return self.names[segment]
        row = self.segments.loc[self.segments["segment"] == segment, "label"]
        return str(row.iloc[0]) if len(row) else ""


def _unneutralise(values: pd.Series) -> pd.Series:
    """Undo the spreadsheet guard of :func:`nichegraph.export.csv.csv_text` on read."""
    text = values.astype(str)
    guarded = text.str.startswith(_FORMULA)
    return text.where(~guarded, text.str.slice(1))


def _segment_table(summary: pd.DataFrame, profiles: pd.DataFrame | None) -> pd.DataFrame:
    table = summary[summary["segment"] != 0]
    out = pd.DataFrame(
        {
            "segment": table["segment"].to_numpy(dtype=np.int64),
            "size": table["size"].to_numpy(dtype=np.int64),
            "label": table["label"].fillna("").astype(str).to_numpy() if "label" in table else "",
            "internal_weight": table["internal_weight"].to_numpy(dtype=float),
        }
    )
    counts = (
        profiles.set_index("segment")["interactions"]
        if profiles is not None and len(profiles)
        else pd.Series(dtype=float)
    )
    out["interactions"] = out["segment"].map(counts).fillna(0).astype(np.int64).to_numpy()
    return out


def _flows(flows: pd.DataFrame | None, params: dict[str, Any] | None) -> pd.DataFrame:
    """``from_segment``, ``to_segment`` and ``weight`` of the segment flows, the weight counted
    in the ties the segmentation used (``interactions`` unless the run says ``ties`` =
    ``weights``, or predates the option), as the segments' ``internal_weight`` is."""
    cols = ["from_segment", "to_segment", "weight"]
    if flows is None:
        return pd.DataFrame(columns=cols)
    col = "interactions" if (params or {}).get("ties") == "interactions" else "weight"
    return flows[["from_segment", "to_segment", col]].set_axis(cols, axis=1)


def run_view(result: Any) -> RunView:
    """A :class:`RunView` of an :class:`~nichegraph.AnalysisResult` (no file read)."""
    from ..export.csv import csv_text

    segs = result.segments
    files_seg = csv_text(segs)
    members = pd.Series(segs["segment"].to_numpy(dtype=np.int64), index=segs["person"].astype(str))
    lineage = getattr(result, "lineage", None)
    return RunView(
        members=members,
        segments=_segment_table(result.summary, result.profiles),
        shortlist=result.shortlist[["segment", "rank", "person", "score"]].copy(),
        flows=_flows(result.flows, result.params),
        manifest=result.manifest(),
        run_id=run_id(files_seg),
        lineage=lineage,
        names=dict(getattr(result, "names", None) or {}),
    )


def read_labels(path: str | Path) -> dict[int, str]:
    """``{segment: name}`` from a ``labels.csv`` (columns ``segment``, ``name``; blanks skipped)."""
    try:
        table = pd.read_csv(path, dtype={"name": str}, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    if not {"segment", "name"} <= set(table.columns):
        raise InputError(f"{path} needs the columns segment and name")
    seg = pd.to_numeric(table["segment"], errors="coerce")
    if seg.isna().any():
        raise InputError(f"{path}: column segment must hold segment ids (whole numbers)")
    names = _unneutralise(table["name"]).str.strip()
    return {int(s): n for s, n in zip(seg, names, strict=True) if n}


def read_run(path: str | Path) -> RunView:
    """A :class:`RunView` of a run folder written by ``nichegraph run``."""
    folder = Path(path)
    need = ("segments.csv", "segment_summary.csv", "shortlist.csv", "run.json")
    missing = [f for f in need if not (folder / f).is_file()]
    if missing:
        raise InputError(f"{folder} is not a nichegraph run folder (missing {', '.join(missing)})")
    raw = (folder / "segments.csv").read_bytes()
    segs = pd.read_csv(folder / "segments.csv", dtype={"person": str}, keep_default_na=False)
    summary = pd.read_csv(folder / "segment_summary.csv", keep_default_na=False)
    summary["internal_weight"] = pd.to_numeric(summary["internal_weight"])
    profiles_path = folder / "segment_profiles.csv"
    profiles = pd.read_csv(profiles_path) if profiles_path.is_file() else None
    short = pd.read_csv(folder / "shortlist.csv", dtype={"person": str}, keep_default_na=False)
    short["person"] = _unneutralise(short["person"])
    flows_path = folder / "segment_flows.csv"
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    flows = _flows(
        pd.read_csv(flows_path) if flows_path.is_file() else None, manifest.get("parameters")
    )
    lineage_path = folder / "lineage.csv"
    lineage = (
        pd.read_csv(lineage_path, keep_default_na=False, dtype={"name": str, "parents": str})
        if lineage_path.is_file()
        else None
    )
    labels_path = folder / "labels.csv"
    return RunView(
        members=pd.Series(
            segs["segment"].to_numpy(dtype=np.int64), index=_unneutralise(segs["person"])
        ),
        segments=_segment_table(summary, profiles),
        shortlist=short[["segment", "rank", "person", "score"]],
        flows=flows,
        manifest=manifest,
        run_id=run_id(raw),
        lineage=lineage,
        names=read_labels(labels_path) if labels_path.is_file() else {},
    )


def as_view(run: Any) -> RunView:
    """A :class:`RunView` of a run folder path, an analysis result or a view."""
    if isinstance(run, RunView):
        return run
    if isinstance(run, str | Path):
        return read_run(run)
    return run_view(run)
