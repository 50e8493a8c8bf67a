"""Which segments a campaign targets for an objective, why, and the metric to watch in each.

One row per segment (:data:`SEGMENT_COLUMNS`). Segments are put in priority order by the
figure that matters for the objective (:data:`PRIORITY`): awareness by the distinct people who
engage the segment's members, support by the conversation they receive, reputation by their
advocates, leads by their reach into the target segments. A segment is targeted unless
``--segments`` leaves it out, ``--top-segments N`` ranks it below N, or nobody in it can be
picked (every member excluded or without engagement received).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from .measures import CONVERSATION_KINDS, LogRows, distinct

__all__ = ["PRIORITY", "SEGMENT_COLUMNS", "resolve_segments", "segment_table"]

#: objective -> the segment figure that sets the priority order.
PRIORITY: dict[str, str] = {
    "awareness": "audience",
    "support": "conversation",
    "reputation": "advocates",
    "leads": "target_reach",
}

SEGMENT_COLUMNS = [
    "segment",
    "path",
    "label",
    "size",
    "engagement",
    "conversation",
    "audience",
    "target_reach",
    "advocates",
    "growth",
    "candidates",
    "priority",
    "targeted",
    "why",
    "metric",
    "metric_value",
    "picks",
]


def resolve_segments(
    items: Iterable[str | int] | None, labels: pd.Series, option: str
) -> list[int]:
    """Segment ids from ids or labels (``labels``: segment id -> label).

    >>> resolve_segments(["2", "shoes"], pd.Series({1: "shoes", 2: "bags"}), "--segments")
    [1, 2]
    """
    if items is None:
        return []
    by_label = {str(v).casefold(): int(k) for k, v in labels.items() if str(v)}
    ids: set[int] = set()
    for item in items:
        text = str(item).strip()
        if text.isdigit() and int(text) in labels.index:
            ids.add(int(text))
        elif text.casefold() in by_label:
            ids.add(by_label[text.casefold()])
        else:
            raise InputError(f"{option} {text!r} is neither a segment id nor a segment label")
    return sorted(ids)


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def segment_table(
    segments: pd.DataFrame,
    edges: np.ndarray,
    membership: np.ndarray,
    rows: LogRows,
    *,
    objective: str,
    metric: str,
    targets: Sequence[int],
    advocate: np.ndarray,
    candidates: pd.Series,
    answered: tuple[np.ndarray, np.ndarray],
    only: Sequence[int],
    top_segments: int | None,
) -> pd.DataFrame:
    """The per-segment table (``targeted`` and ``why`` filled, ``picks`` 0).

    ``segments``: segment, path, label, size (fringe left out); ``edges``: (source, target)
    vertex ids; ``candidates``: eligible people per segment; ``answered``: conversation rows'
    receivers and whether each was answered (for the support metric).
    """
    memb = np.asarray(membership, dtype=np.int64)
    k = int(memb.max()) + 1 if len(memb) else 1
    n = len(memb)
    s, t = edges[:, 0], edges[:, 1]
    audience_key = distinct(memb[t] * max(n, 1) + s)
    audience = np.bincount(audience_key // max(n, 1), minlength=k)
    in_target = np.isin(memb, list(targets))
    tk = distinct(memb[t[in_target[s]]] * max(n, 1) + s[in_target[s]])
    target_reach = np.bincount(tk // max(n, 1), minlength=k)
    talk = rows.is_kind(*CONVERSATION_KINDS)
    engagement = np.bincount(memb[rows.dst], minlength=k)
    conversation = np.bincount(memb[rows.dst[talk]], minlength=k)
    advocates = np.bincount(memb[advocate], minlength=k)
    growth = np.full(k, np.nan)
    if rows.has_time:
        sec = rows.seconds
        ok = np.isfinite(sec)
        mid = (np.nanmin(sec) + np.nanmax(sec)) / 2
        first = np.bincount(memb[rows.dst[ok & (sec < mid)]], minlength=k)
        second = np.bincount(memb[rows.dst[ok & (sec >= mid)]], minlength=k)
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(first > 0, second / np.maximum(first, 1) - 1, np.nan)
    recv, done = answered
    asked = np.bincount(memb[recv], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        answer_share = np.where(
            asked > 0, np.bincount(memb[recv[done]], minlength=k) / np.maximum(asked, 1), np.nan
        )

    table = segments[["segment", "path", "label", "size"]].copy().reset_index(drop=True)
    seg = table["segment"].to_numpy(dtype=np.int64)
    table["engagement"] = engagement[seg]
    table["conversation"] = conversation[seg]
    table["audience"] = audience[seg]
    table["target_reach"] = target_reach[seg] if len(targets) else np.nan
    table["advocates"] = advocates[seg]
    table["growth"] = growth[seg]
    table["candidates"] = table["segment"].map(candidates).fillna(0).astype(int)
    by = PRIORITY[objective]
    order = table.sort_values(
        [by, "engagement", "segment"], ascending=[False, False, True], kind="mergesort"
    )
    table["priority"] = 0
    table.loc[order.index, "priority"] = np.arange(1, len(table) + 1)
    chosen = table["segment"].isin(only) if len(only) else pd.Series(True, index=table.index)
    rank_among = table["priority"].where(chosen).rank(method="first")
    fig = by.replace("_", " ")
    cols = zip(table["priority"], table[by], chosen, rank_among, table["candidates"],
               table["growth"], table["size"], strict=True)  # fmt: skip
    why, targeted = [], []
    for priority, figure, picked, among, n_cand, grow, size in cols:
        place = f"{_ordinal(int(priority))} by {fig} ({figure:g})"
        if not picked:
            reason = "not in --segments"
        elif top_segments is not None and among > top_segments:
            reason = f"outside --top-segments {top_segments}"
        elif n_cand == 0:
            reason = "nobody eligible (excluded or no engagement)"
        else:
            growth = "" if np.isnan(grow) else f"; growth {grow:+.0%}"
            why.append(f"targeted: {place}; {int(size)} people{growth}")
            targeted.append(True)
            continue
        why.append(f"not targeted: {reason}; {place}")
        targeted.append(False)
    table["targeted"] = targeted
    table["why"] = why
    table["metric"] = metric
    values = {
        "awareness": audience[seg].astype(float),
        "support": answer_share[seg],
        "reputation": advocates[seg].astype(float),
        "leads": target_reach[seg].astype(float),
    }
    table["metric_value"] = values[objective]
    table["picks"] = 0
    return table.sort_values("priority", kind="mergesort")[SEGMENT_COLUMNS].reset_index(drop=True)
