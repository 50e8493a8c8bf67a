"""Compare two runs: what happened to each segment, each influencer and each person.

Segments are related through :func:`~nichegraph.tracking.matching.overlap_table` (people
present in both runs). When run B was tracked from run A (``run --previous A``) a segment that
keeps its id continued; otherwise the one-to-one assignment at Jaccard >= ``inherit`` decides.
Events (:data:`EVENTS`): a source whose linked parts (Jaccard > ``link``) each hold at least
``part_share`` of it split; a target fed that way by two or more sources merged; a continued
segment grew / shrank when its size ratio is >= ``grow_ratio`` / <= ``shrink_ratio`` and it
changed by at least ``min_change`` people; a segment of A with no such relation is gone, one of
B is born.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..segments.result import FRINGE
from .alerts import Rules, alert_frame, structure_alerts, volume_alerts
from .matching import assign, common_people, overlap_table
from .runs import RunView, as_view

__all__ = [
    "CHANGE_COLUMNS",
    "EVENTS",
    "INFLUENCER_COLUMNS",
    "MOVE_COLUMNS",
    "CompareResult",
    "compare_runs",
    "volumes",
]

EVENTS = ("continued", "grew", "shrank", "split", "merged", "born", "gone")
#: Columns of ``segment_changes.csv``.
CHANGE_COLUMNS = [
    "event",
    "segment_a",
    "segment_b",
    "size_a",
    "size_b",
    "jaccard",
    "label_a",
    "label_b",
]
#: Columns of ``influencer_changes.csv``.
INFLUENCER_COLUMNS = [
    "person",
    "segment_a",
    "segment_b",
    "rank_a",
    "rank_b",
    "score_a",
    "score_b",
    "change",
]
#: Columns of ``people_moves.csv``.
MOVE_COLUMNS = ["person", "segment_a", "segment_b"]


@dataclass(frozen=True, eq=False)
class CompareResult:
    """Two runs compared: DataFrames for the report, ``summary`` for ``compare.json``.

    ``save(outdir)`` writes ``segment_changes.csv``, ``influencer_changes.csv``,
    ``people_moves.csv``, ``alerts.csv`` and ``compare.json`` (atomically).
    """

    segment_changes: pd.DataFrame
    influencer_changes: pd.DataFrame
    people_moves: pd.DataFrame
    bridges: pd.DataFrame
    alerts: pd.DataFrame
    summary: dict[str, Any]

    def save(self, outdir: str | Path) -> Path:
        """Write the comparison folder (see :func:`nichegraph.export.tracking.write_compare`)."""
        from ..export.tracking import write_compare

        return write_compare(self, outdir)


def volumes(view: RunView) -> dict[tuple[str, str], float]:
    """Interactions overall and per segment: ``{(subject_type, subject_id): count}``."""
    out: dict[tuple[str, str], float] = {("overall", "all"): float(view.interactions)}
    for s, n in zip(view.segments["segment"], view.segments["interactions"], strict=True):
        out[("segment", str(int(s)))] = float(n)
    return out


def _int(values: Any) -> pd.Series:
    return pd.Series(values, dtype="Int64")


def _events(
    a: RunView,
    b: RunView,
    ov: pd.DataFrame,
    matched: pd.DataFrame,
    rules: Rules,
    labels: tuple[dict[int, str], dict[int, str]],
) -> pd.DataFrame:
    links = ov[ov["jaccard"] > rules.link]
    split_parts = links[links["share_of_a"] >= rules.part_share]
    merge_parts = links[links["share_of_b"] >= rules.part_share]
    sources = split_parts.groupby("segment_a").size()
    targets = merge_parts.groupby("segment_b").size()
    merged = merge_parts[merge_parts["segment_b"].isin(targets[targets >= 2].index)]
    split = split_parts[split_parts["segment_a"].isin(sources[sources >= 2].index)]
    split = split.merge(merged[["segment_a", "segment_b"]], how="left", indicator=True)
    split = split[split["_merge"] == "left_only"].drop(columns="_merge")
    done_a = set(split["segment_a"]) | set(merged["segment_a"])
    done_b = set(split["segment_b"]) | set(merged["segment_b"])
    cont = matched[~matched["segment_a"].isin(done_a) & ~matched["segment_b"].isin(done_b)]
    size_a = a.segments.set_index("segment")["size"]
    size_b = b.segments.set_index("segment")["size"]
    parts = []
    for event, table in (("merged", merged), ("split", split), ("continued", cont)):
        parts.append(
            pd.DataFrame(
                {
                    "event": event,
                    "segment_a": table["segment_a"],
                    "segment_b": table["segment_b"],
                    "jaccard": table["jaccard"],
                }
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    rows["size_a"] = rows["segment_a"].map(size_a)
    rows["size_b"] = rows["segment_b"].map(size_b)
    ratio = rows["size_b"] / rows["size_a"]
    diff = rows["size_b"] - rows["size_a"]
    is_cont = rows["event"] == "continued"
    rows.loc[is_cont & (ratio >= rules.grow_ratio) & (diff >= rules.min_change), "event"] = "grew"
    rows.loc[is_cont & (ratio <= rules.shrink_ratio) & (-diff >= rules.min_change), "event"] = (
        "shrank"
    )
    seen_a, seen_b = set(rows["segment_a"]), set(rows["segment_b"])
    gone = size_a[~size_a.index.isin(seen_a)]
    born = size_b[~size_b.index.isin(seen_b)]
    rows = pd.concat(
        [
            rows,
            pd.DataFrame({"event": "gone", "segment_a": gone.index, "size_a": gone.to_numpy()}),
            pd.DataFrame({"event": "born", "segment_b": born.index, "size_b": born.to_numpy()}),
        ],
        ignore_index=True,
    )
    for col in ("segment_a", "segment_b", "size_a", "size_b"):
        rows[col] = _int(rows[col])
    rows["label_a"] = rows["segment_a"].map(labels[0]).fillna("")
    rows["label_b"] = rows["segment_b"].map(labels[1]).fillna("")
    order = rows["event"].map({e: i for i, e in enumerate(EVENTS)})
    rows = rows.assign(_o=order).sort_values(
        ["segment_a", "segment_b", "_o"], na_position="last", kind="mergesort"
    )
    return rows.drop(columns="_o")[CHANGE_COLUMNS].reset_index(drop=True)


def _labels(view: RunView) -> dict[int, str]:
    out = dict(zip(view.segments["segment"].astype(int), view.segments["label"], strict=True))
    out.update({k: v for k, v in view.names.items() if v})
    return out


def _follow(ids: np.ndarray, to_b: Mapping[int, int]) -> np.ndarray:
    """Run A's segment ids as run B's (``-1`` where a segment has no successor)."""
    top = max([int(ids.max()) if len(ids) else 0, *to_b.keys(), 0]) + 1
    lookup = np.full(top + 1, -1, dtype=np.int64)
    if to_b:
        lookup[np.fromiter(to_b.keys(), np.int64)] = np.fromiter(to_b.values(), np.int64)
    return lookup[np.where(ids < 0, top, ids)]


def _influencers(a: RunView, b: RunView, to_b: Mapping[int, int]) -> pd.DataFrame:
    sa = a.shortlist.rename(columns={"segment": "segment_a", "rank": "rank_a", "score": "score_a"})
    sb = b.shortlist.rename(columns={"segment": "segment_b", "rank": "rank_b", "score": "score_b"})
    t = sa.merge(sb, on="person", how="outer")
    # where the person is in B even outside the shortlist (a fall out of it is not a move)
    t["segment_b"] = t["segment_b"].fillna(t["person"].map(b.members))
    seg_a = _follow(t["segment_a"].fillna(-1).to_numpy(dtype=np.int64), to_b)
    change = np.select(
        [
            t["rank_a"].isna(),
            t["rank_b"].isna() & t["segment_b"].isna(),
            seg_a != t["segment_b"].fillna(-2),
            t["rank_b"].isna(),
            t["rank_b"] < t["rank_a"],
            t["rank_b"] > t["rank_a"],
        ],
        ["entered", "left", "moved", "left", "rose", "fell"],
        "kept",
    )
    t["change"] = change
    for col in ("segment_a", "segment_b", "rank_a", "rank_b"):
        t[col] = _int(t[col])
    t = t.sort_values(
        ["segment_b", "rank_b", "segment_a", "rank_a", "person"],
        na_position="last",
        kind="mergesort",
    )
    return t[INFLUENCER_COLUMNS].reset_index(drop=True)


def _moves(a: RunView, b: RunView, to_b: Mapping[int, int]) -> tuple[pd.DataFrame, dict]:
    common, sa, sb = common_people(a.members, b.members)
    mapped = _follow(sa, {**to_b, FRINGE: FRINGE})
    moved = np.flatnonzero(mapped != sb)
    # by segment_a, segment_b, then in run B's order (its segments.csv: by person)
    moved = moved[np.lexsort((moved, sb[moved], sa[moved]))]
    moves = pd.DataFrame({"person": common[moved], "segment_a": sa[moved], "segment_b": sb[moved]})
    pairs = moves.groupby(["segment_a", "segment_b"]).size().rename("people").reset_index()
    pairs = pairs.sort_values(["people", "segment_a", "segment_b"], ascending=[False, True, True])
    stats = {
        "common": len(common),
        "stayed": len(common) - len(moved),
        "moved": len(moved),
        "entrants": int(len(b.members) - len(common)),
        "leavers": int(len(a.members) - len(common)),
        "moves_by_pair": pairs.head(100).to_dict("records"),
    }
    return moves.reset_index(drop=True), stats


def _bridges(a: RunView, b: RunView, to_b: Mapping[int, int]) -> pd.DataFrame:
    """Flow between each pair of segments as a share of the smaller internal weight, A and B."""

    def shares(view: RunView, rename: Mapping[int, int] | None) -> pd.Series:
        f = view.flows[
            (view.flows["from_segment"] != FRINGE) & (view.flows["to_segment"] != FRINGE)
        ]
        x, y = f["from_segment"].astype(int), f["to_segment"].astype(int)
        if rename is not None:
            x, y = x.map(rename), y.map(rename)
        keep = x.notna() & y.notna()
        lo, hi = np.minimum(x[keep], y[keep]).astype(int), np.maximum(x[keep], y[keep]).astype(int)
        w = (
            pd.Series(f["weight"][keep].to_numpy(float))
            .groupby([lo.to_numpy(), hi.to_numpy()])
            .sum()
        )
        internal = view.segments.set_index("segment")["internal_weight"]
        if rename is not None:
            internal = internal[internal.index.isin(list(rename))]
            internal = internal.rename(index=lambda s: rename[int(s)])
        small = np.minimum(
            internal.reindex(w.index.get_level_values(0)).to_numpy(),
            internal.reindex(w.index.get_level_values(1)).to_numpy(),
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            return pd.Series(np.where(small > 0, w.to_numpy() / small, np.inf), index=w.index)

    share_b = shares(b, None)
    share_a = shares(a, dict(to_b))
    tracked = set(to_b.values())
    idx = share_b.index
    out = pd.DataFrame(
        {
            "segment_x": idx.get_level_values(0) if len(idx) else [],
            "segment_y": idx.get_level_values(1) if len(idx) else [],
            "share_a": share_a.reindex(idx).fillna(0.0).to_numpy(),
            "share_b": share_b.to_numpy(),
        }
    )
    out["tracked"] = out["segment_x"].isin(tracked) & out["segment_y"].isin(tracked)
    return out


def _run_card(view: RunView) -> dict[str, Any]:
    return {
        "run_id": view.run_id,
        "input_sha256": (view.manifest.get("input") or {}).get("sha256"),
        "window_end": view.window_end,
        "interactions": view.interactions,
        "segments": len(view.segments),
        "people": len(view.members),
    }


def compare_runs(
    a: Any,
    b: Any,
    *,
    rules: Rules | None = None,
    history: Sequence[Mapping[tuple[str, str], float]] | None = None,
    current: Mapping[tuple[str, str], float] | None = None,
) -> CompareResult:
    """Compare run ``a`` (before) with run ``b`` (after): folders, results or views.

    ``history``: the interaction volumes (:func:`volumes`) of the windows before ``b`` for the
    volume alerts (default: ``a``'s alone); ``current``: ``b``'s (default :func:`volumes`).

    >>> import nichegraph as ng
    >>> log = ng.load_dataset("brand_chatter").log
    >>> res = ng.compare_runs(ng.analyze(log, seed=1), ng.analyze(log, seed=1))
    >>> sorted(set(res.segment_changes["event"]))
    ['continued']
    """
    rules = rules or Rules()
    a, b = as_view(a), as_view(b)
    ov = overlap_table(a.members, b.members)
    tracked = b.tracking.get("previous_run") == a.run_id
    if tracked:  # b took its ids from a: same id = continued
        matched = ov[ov["segment_a"] == ov["segment_b"]]
    else:
        matched = assign(ov, inherit=rules.inherit)
    to_b = dict(
        zip(matched["segment_a"].astype(int), matched["segment_b"].astype(int), strict=True)
    )
    labels = (_labels(a), _labels(b))
    changes = _events(a, b, ov, matched, rules, labels)
    merged = changes[changes["event"] == "merged"]
    follow = {
        **dict(zip(merged["segment_a"].astype(int), merged["segment_b"].astype(int), strict=True)),
        **to_b,
    }  # a merged segment's people went with it
    infl = _influencers(a, b, follow)
    moves, people = _moves(a, b, follow)
    bridges = _bridges(a, b, to_b)
    end = b.window_end
    rows = structure_alerts(changes, infl, bridges, labels[1], rules=rules, window_end=end)
    by_key = {("segment", str(s)): lab for s, lab in labels[1].items()}
    vol_b = dict(current) if current is not None else volumes(b)
    rows += volume_alerts(
        vol_b,
        list(history) if history is not None else [volumes(a)],
        rules=rules,
        window_end=end,
        labels=by_key,
    )
    alerts = alert_frame(rows)
    import igraph
    import scipy

    summary = {
        "nichegraph": __version__,
        "run_a": _run_card(a),
        "run_b": _run_card(b),
        "ids": "persistent (b tracked from a)" if tracked else "matched (one-to-one assignment)",
        "rules": rules.to_dict(),
        "events": {e: int((changes["event"] == e).sum()) for e in EVENTS},
        "influencers": infl["change"].value_counts().sort_index().astype(int).to_dict(),
        "people": people,
        "alerts": {s: int((alerts["severity"] == s).sum()) for s in ("info", "warn", "crit")},
        "versions": {
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "igraph": igraph.__version__,
        },
    }
    return CompareResult(changes, infl, moves, bridges, alerts, summary)
