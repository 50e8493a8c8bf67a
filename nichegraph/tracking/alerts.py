"""Alerts on structure and volume: the rules table, its TOML overrides, and the alert rows.

Every alert has the same columns (:data:`ALERT_COLUMNS`); ``alert_id`` is a stable hash of
its kind, subject and window end, so re-running a window gives the same ids and a consumer can
drop the ones it has seen.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..segments.result import FRINGE

__all__ = [
    "ALERT_COLUMNS",
    "SEVERITIES",
    "Rules",
    "alert_frame",
    "alert_id",
    "load_rules",
    "severity_at_least",
    "structure_alerts",
    "volume_alerts",
]

#: Columns of ``alerts.csv``.
ALERT_COLUMNS = [
    "alert_id",
    "window_end",
    "kind",
    "severity",
    "subject_type",
    "subject_id",
    "subject_label",
    "metric",
    "value",
    "baseline",
    "threshold",
    "message",
]
SEVERITIES = ("info", "warn", "crit")
_SEVERITY = {
    "volume_spike": "warn",
    "volume_drop": "warn",
    "brand_spike": "crit",
    "segment_born": "info",
    "segment_gone": "warn",
    "segment_split": "warn",
    "segment_merged": "warn",
    "segment_grew": "info",
    "segment_shrank": "info",
    "influencer_rise": "info",
    "influencer_fall": "info",
    "influencer_switch": "warn",
    "new_bridge": "info",
}


@dataclass(frozen=True)
class Rules:
    """Thresholds of segment events and alerts (override any of them in a TOML file).

    >>> Rules().spike_ratio, Rules().severity["segment_born"]
    (2.0, 'info')
    """

    link: float = 0.1  # Jaccard above which two segments are related
    inherit: float = 0.3  # Jaccard from which a segment inherits an id (one-to-one)
    part_share: float = 0.2  # split / merge: each part holds this share of source / target
    grow_ratio: float = 1.25  # grew: size ratio at least this ...
    shrink_ratio: float = 0.8  # shrank: size ratio at most this ...
    min_change: int = 5  # ... and at least this many people more / fewer
    spike_ratio: float = 2.0  # volume spike: at least this times the trailing mean ...
    drop_ratio: float = 0.5  # volume drop: at most this times the trailing mean ...
    z: float = 2.0  # ... and this many standard deviations away ...
    min_interactions: int = 50  # ... with at least this many interactions (now or before)
    history: int = 4  # windows in the trailing mean
    top: int = 3  # influencer rise / fall: entering / leaving a segment's top this
    bridge_new: float = 0.05  # new bridge: flow >= this share of the smaller internal weight
    bridge_old: float = 0.01  # ... where it was below this share
    gone_after: int = 3  # track: unmatched for this many windows = gone (dormant before)
    severity: dict[str, str] = field(default_factory=lambda: dict(_SEVERITY))

    def to_dict(self) -> dict[str, Any]:
        """Every threshold (echoed in ``compare.json``)."""
        return asdict(self)


def load_rules(path: str | Path | None = None, **overrides: Any) -> Rules:
    """:class:`Rules` from a TOML file: top-level keys are thresholds, ``[severity]`` maps an
    alert kind to ``info``, ``warn`` or ``crit``. Unknown keys are an error.

    >>> load_rules(None, spike_ratio=3).spike_ratio
    3.0
    """
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read rules file {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"rules file {path} is not valid TOML: {exc}") from None
    data.update(overrides)
    known = {f.name: f for f in fields(Rules)}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise InputError(f"unknown rule {key!r}; known: {', '.join(known)}")
        if key == "severity":
            out[key] = _severities(value)
            continue
        kind = int if known[key].type in ("int", int) else float
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise InputError(f"rule {key} must be a number >= 0, got {value!r}")
        out[key] = kind(value)
    return replace(Rules(), **out)


def _severities(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise InputError("rule severity must be a table of kind = 'info' | 'warn' | 'crit'")
    table = dict(_SEVERITY)
    for kind, sev in value.items():
        if kind not in _SEVERITY:
            raise InputError(f"unknown alert kind {kind!r}; known: {', '.join(_SEVERITY)}")
        if sev not in SEVERITIES:
            raise InputError(f"severity of {kind} must be info, warn or crit, got {sev!r}")
        table[kind] = sev
    return table


def severity_at_least(alerts: pd.DataFrame, level: str) -> bool:
    """Whether any alert is at ``level`` or above (``--fail-on``).

    >>> severity_at_least(alert_frame([]), "warn")
    False
    """
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return bool(alerts["severity"].map(rank).ge(rank[level]).any())


def alert_id(kind: str, subject_type: str, subject_id: Any, window_end: str) -> str:
    """Stable id of an alert: 16 hex digits of SHA-256 over kind, subject and window end.

    >>> alert_id("segment_born", "segment", 7, "2026-06-08") == alert_id(
    ...     "segment_born", "segment", 7, "2026-06-08")
    True
    """
    key = f"{kind}|{subject_type}|{subject_id}|{window_end}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def alert_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Alert rows as a table with :data:`ALERT_COLUMNS` (ids filled in), in a stable order."""
    frame = pd.DataFrame(list(rows), columns=ALERT_COLUMNS)
    if frame.empty:
        return frame
    frame["subject_id"] = frame["subject_id"].astype(str)
    frame["alert_id"] = [
        alert_id(k, t, s, w)
        for k, t, s, w in zip(
            frame["kind"],
            frame["subject_type"],
            frame["subject_id"],
            frame["window_end"],
            strict=True,
        )
    ]
    frame = frame.drop_duplicates("alert_id")
    order = frame["severity"].map({s: -i for i, s in enumerate(SEVERITIES)})
    frame = frame.assign(_o=order).sort_values(
        ["window_end", "_o", "kind", "subject_type", "subject_id"], kind="mergesort"
    )
    return frame.drop(columns="_o").reset_index(drop=True)


def alert(
    rules: Rules,
    kind: str,
    window_end: str,
    subject: tuple[str, Any],
    label: str,
    metric: tuple[str, Any, Any, Any],
    message: str,
) -> dict[str, Any]:
    """One alert row; ``metric`` is (name, value, baseline, threshold); ids come later."""
    name, value, baseline, threshold = metric
    return {
        "alert_id": "",
        "window_end": window_end,
        "kind": kind,
        "severity": rules.severity[kind],
        "subject_type": subject[0],
        "subject_id": subject[1],
        "subject_label": label,
        "metric": name,
        "value": value,
        "baseline": baseline,
        "threshold": threshold,
        "message": message,
    }


Volumes = Mapping[tuple[str, str], float]


def volume_alerts(
    current: Volumes,
    history: Sequence[Volumes],
    *,
    rules: Rules,
    window_end: str,
    labels: Mapping[tuple[str, str], str] | None = None,
) -> list[dict[str, Any]]:
    """Spikes and drops of interaction volume against the trailing mean of ``history``.

    ``current`` and each window of ``history`` map ``(subject_type, subject_id)`` (``overall``,
    ``segment``, ``brand``) to interactions. A spike is at least ``spike_ratio`` times the mean
    over the last ``history`` windows (those the subject was seen in), at least ``z``
    deviations above it (deviation: the windows' standard deviation, at least the Poisson
    ``sqrt(mean)``), and at least ``min_interactions``; a drop mirrors it (the mean had
    ``min_interactions``). Brand engagement only alerts on spikes (``brand_spike``).

    >>> r = volume_alerts({("overall", "all"): 400}, [{("overall", "all"): 100}] * 4,
    ...                   rules=Rules(), window_end="2026-06-08")
    >>> [(a["kind"], a["value"], a["baseline"]) for a in r]
    [('volume_spike', 400.0, 100.0)]
    """
    past = history[-rules.history :] if rules.history else []
    if not current or not past:
        return []
    keys = sorted(current, key=lambda k: (k[0], str(k[1])))
    value = np.array([current[k] for k in keys], dtype=float)
    table = np.array([[h.get(k, np.nan) for k in keys] for h in past], dtype=float)
    seen = ~np.isnan(table).all(axis=0)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(seen, table, 0.0), axis=0)
        dev = np.maximum(
            np.maximum(np.nanstd(np.where(seen, table, 0.0), axis=0), np.sqrt(mean)), 1.0
        )
    z = (value - mean) / dev
    up = seen & (value >= rules.spike_ratio * mean) & (z >= rules.z)
    up &= value >= rules.min_interactions
    brand = np.array([k[0] == "brand" for k in keys])
    down = seen & ~brand & (value <= rules.drop_ratio * mean) & (z <= -rules.z)
    down &= mean >= rules.min_interactions
    labels = labels or {}
    out = []
    for i in np.flatnonzero(up | down):
        (kind_t, sid), v, m = keys[i], float(value[i]), float(mean[i])
        label = labels.get(keys[i], "")
        who = f"{kind_t} {label or sid}"
        if up[i]:
            kind = "brand_spike" if brand[i] else "volume_spike"
            msg = f"{who}: {v:g} interactions, {v / max(m, 1e-9):.1f}× the trailing mean {m:.0f}"
            metric = ("interactions", v, round(m, 3), rules.spike_ratio)
        else:
            kind = "volume_drop"
            msg = f"{who}: {v:g} interactions, down from a trailing mean of {m:.0f}"
            metric = ("interactions", v, round(m, 3), rules.drop_ratio)
        out.append(alert(rules, kind, window_end, (kind_t, sid), label, metric, msg))
    return out


_KEPT = ("continued", "grew", "shrank", "split", "merged")


def _segment_alerts(changes: pd.DataFrame, rules: Rules, end: str) -> list[dict[str, Any]]:
    out = []
    for ev in ("born", "grew", "shrank"):
        for r in changes[changes["event"] == ev].itertuples():
            before = 0 if ev == "born" else r.size_a
            msg = f"segment {r.segment_b} ({r.label_b}) {ev}: {before} → {r.size_b} people"
            out.append(
                alert(
                    rules,
                    f"segment_{ev}",
                    end,
                    ("segment", r.segment_b),
                    r.label_b,
                    ("size", r.size_b, before, ""),
                    msg,
                )
            )
    for r in changes[changes["event"] == "gone"].itertuples():
        msg = f"segment {r.segment_a} ({r.label_a}) is gone ({r.size_a} people before)"
        out.append(
            alert(
                rules,
                "segment_gone",
                end,
                ("segment", r.segment_a),
                r.label_a,
                ("size", 0, r.size_a, ""),
                msg,
            )
        )
    for ev, by, other in (("split", "a", "b"), ("merged", "b", "a")):
        rows = changes[changes["event"] == ev]
        for sid, grp in rows.groupby(f"segment_{by}"):
            parts = ", ".join(map(str, grp[f"segment_{other}"].tolist()))
            label = grp[f"label_{by}"].iloc[0]
            msg = (
                f"segment {sid} ({label}) split into {parts}"
                if ev == "split"
                else f"segments {parts} merged into {sid} ({label})"
            )
            out.append(
                alert(
                    rules,
                    f"segment_{ev}",
                    end,
                    ("segment", sid),
                    label,
                    ("parts", len(grp), "", rules.part_share),
                    msg,
                )
            )
    return out


def _influencer_alerts(changes, infl, lab, rules: Rules, end: str) -> list[dict[str, Any]]:
    kept = changes["event"].isin(_KEPT)
    top = rules.top
    in_a = infl["rank_a"].le(top).fillna(False).astype(bool)
    in_b = infl["rank_b"].le(top).fillna(False).astype(bool)
    moved = infl["change"] == "moved"
    tracked_b = infl["segment_b"].isin(set(changes.loc[kept, "segment_b"].dropna()))
    tracked_a = infl["segment_a"].isin(set(changes.loc[kept, "segment_a"].dropna()))
    rise = in_b & tracked_b & (~in_a | moved)
    switch = in_a & moved & infl["segment_b"].notna() & infl["segment_b"].ne(FRINGE)
    fall = in_a & tracked_a & ~moved & ~in_b
    out = []
    for r in infl[rise].itertuples():
        label = lab.get(r.segment_b, "")
        before = r.rank_a if pd.notna(r.rank_a) else ""
        msg = f"{r.person} entered the top {top} of segment {r.segment_b} ({label}) at rank {r.rank_b}"  # noqa: E501
        out.append(
            alert(
                rules,
                "influencer_rise",
                end,
                ("person", r.person),
                label,
                ("rank", r.rank_b, before, top),
                msg,
            )
        )
    for r in infl[switch].itertuples():
        msg = f"{r.person} (top {top} of segment {r.segment_a}) switched to segment {r.segment_b}"
        out.append(
            alert(
                rules,
                "influencer_switch",
                end,
                ("person", r.person),
                lab.get(r.segment_b, ""),
                ("segment", r.segment_b, r.segment_a, ""),
                msg,
            )
        )
    for r in infl[fall].itertuples():
        now = r.rank_b if pd.notna(r.rank_b) else ""
        msg = f"{r.person} left the top {top} of segment {r.segment_a}"
        out.append(
            alert(
                rules,
                "influencer_fall",
                end,
                ("person", r.person),
                lab.get(r.segment_a, ""),
                ("rank", now, r.rank_a, top),
                msg,
            )
        )
    return out


def structure_alerts(
    changes: pd.DataFrame,
    influencers: pd.DataFrame,
    bridges: pd.DataFrame,
    labels: Mapping[int, str],
    *,
    rules: Rules,
    window_end: str,
) -> list[dict[str, Any]]:
    """Alerts for segment events, influencer moves and new bridges of one comparison.

    ``changes`` / ``influencers``: the comparison's ``segment_changes`` / ``influencer_changes``;
    ``bridges``: ``segment_x``, ``segment_y``, ``share_a``, ``share_b``, ``tracked``;
    ``labels``: run B's segment labels. A rise enters a continuing segment's top ``top``; a
    fall leaves it (the person stays in the segment); a switch is a top person who moved.
    """
    end = window_end
    out = _segment_alerts(changes, rules, end)
    out += _influencer_alerts(changes, influencers, labels, rules, end)
    new = bridges[
        bridges["tracked"]
        & (bridges["share_b"] >= rules.bridge_new)
        & (bridges["share_a"] < rules.bridge_old)
    ]
    for r in new.itertuples():
        x, y = labels.get(r.segment_x, ""), labels.get(r.segment_y, "")
        msg = (
            f"new bridge between segments {r.segment_x} and {r.segment_y}: flow "
            f"{r.share_b:.1%} of the smaller one's internal weight (was {r.share_a:.1%})"
        )
        out.append(
            alert(
                rules,
                "new_bridge",
                end,
                ("segment_pair", f"{r.segment_x}-{r.segment_y}"),
                f"{x} / {y}",
                ("flow_share", round(r.share_b, 6), round(r.share_a, 6), rules.bridge_new),
                msg,
            )
        )
    return out
