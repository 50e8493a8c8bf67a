"""Compare a plan with the previous one: who is new, kept, moved or dropped; carry notes over."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .result import PLAN_COLUMNS

__all__ = ["CHANGES", "compare_previous"]

#: ``change`` values: new pick, kept in the same segment, moved to another segment, dropped.
CHANGES = ("new", "kept", "moved", "dropped")


def _text(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), "", dtype=object)
    text = frame[col].astype(object).where(frame[col].notna(), "").astype(str)
    return text.str.replace(r"^(\d+)\.0$", r"\1", regex=True).to_numpy(dtype=object)  # 3.0 = 3


def _same_segment(now: pd.DataFrame, before: pd.DataFrame) -> np.ndarray:
    """Same segment: by label when both plans have one (ids renumber between runs), else id."""
    lab_now, lab_before = _text(now, "label"), _text(before, "label")
    both = (lab_now != "") & (lab_before != "")
    return np.where(both, lab_now == lab_before, _text(now, "segment") == _text(before, "segment"))


def compare_previous(
    current: pd.DataFrame, previous: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``current`` with a ``change`` column and the previous plan's own columns (e.g.
    ``status``, ``notes``) carried over by person; previous picks no longer picked are
    appended as ``dropped`` rows (no ``pick``). Returns the table and counts per change.

    >>> now = pd.DataFrame({c: [None] * 2 for c in PLAN_COLUMNS})
    >>> now["person"] = ["ann", "bo"]; now["segment"] = [1, 2]; now["pick"] = [1, 2]
    >>> now["label"] = ""
    >>> before = pd.DataFrame({"person": ["ann", "cy"], "segment": [1, 3], "notes": ["hi", ""]})
    >>> out, counts = compare_previous(now, before)
    >>> out[["person", "change", "notes"]].values.tolist()
    [['ann', 'kept', 'hi'], ['bo', 'new', nan], ['cy', 'dropped', '']]
    >>> counts
    {'new': 1, 'kept': 1, 'moved': 0, 'dropped': 1}
    """
    prev = previous.copy()
    if "pick" in prev and "change" in prev:  # a plan.csv that itself listed dropped people
        prev = prev[prev["change"].astype(str) != "dropped"]
    prev = prev.drop_duplicates("person").reset_index(drop=True)
    prev["person"] = prev["person"].astype(str)
    own = [c for c in prev.columns if c not in (*PLAN_COLUMNS, "change")]
    before = prev.set_index("person")
    out = current.copy()
    was = out["person"].isin(before.index).to_numpy()
    matched = before.reindex(out["person"])
    same = _same_segment(out.reset_index(drop=True), matched.reset_index(drop=True))
    out["change"] = np.where(~was, "new", np.where(same, "kept", "moved"))
    for col in own:
        out[col] = matched[col].to_numpy()
    dropped = prev[~prev["person"].isin(out["person"])].copy()
    if len(dropped):
        dropped["pick"] = None
        dropped["change"] = "dropped"
        out = pd.concat(
            [out, dropped[[c for c in out.columns if c in dropped.columns]]], ignore_index=True
        )
    counts = {c: int((out["change"] == c).sum()) for c in CHANGES}
    return out, counts
