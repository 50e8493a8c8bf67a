"""Rolling windows: one seeded run per window, each started from the one before, chained ids.

The log is read once and cut into windows ``[start, start + window)`` every ``step`` from the
first timestamp's midnight (UTC). Each window is analysed with the previous window as
``previous`` (warm start, persistent ids, dormant segments kept in memory so they can come
back), then compared with it (:func:`~nichegraph.tracking.compare.compare_runs`, the volume
alerts against the trailing windows). A segment unmatched for ``gone_after`` windows is gone;
dormant before: its ``segment_gone`` alert fires when it is gone, not when it is first missed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..graph.build import parse_duration
from ..graph.read import read_interactions
from .alerts import Rules, alert, alert_frame
from .compare import CompareResult, compare_runs, volumes
from .lineage import Tracking, lifecycle, start_lineage
from .runs import RunView, run_view

__all__ = ["TIMELINE_COLUMNS", "WINDOW_COLUMNS", "TrackResult", "track_log"]

#: Columns of ``timeline.csv``.
TIMELINE_COLUMNS = [
    "window",
    "window_start",
    "window_end",
    "segment",
    "status",
    "size",
    "interactions",
    "label",
]
#: Columns of ``windows.csv``.
WINDOW_COLUMNS = [
    "window",
    "window_start",
    "window_end",
    "interactions",
    "people",
    "segments",
    "born",
    "gone",
    "kept_id_share",
    "run_id",
]
_EXTRAS = ("stability", "consensus", "pseudonymise", "key", "jobs")  # analyze's own keywords
_ISO = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, eq=False)
class TrackResult:
    """Every window's run and comparison, the timeline, the alerts and the lineage.

    ``windows``: :data:`WINDOW_COLUMNS`; ``timeline``: :data:`TIMELINE_COLUMNS`; ``alerts``:
    every window's alerts; ``runs`` / ``compares``: the window results (``compares[i]`` compares
    window ``i + 2`` with window ``i + 1``); ``summary``: ``track.json``.
    """

    windows: pd.DataFrame
    timeline: pd.DataFrame
    alerts: pd.DataFrame
    lineage: pd.DataFrame
    runs: tuple[Any, ...]
    compares: tuple[CompareResult, ...]
    summary: dict[str, Any]

    def save(self, outdir: str | Path, *, top: int = 8) -> Path:
        """Write the track folder (see :func:`nichegraph.export.tracking.write_track`)."""
        from ..export.tracking import write_track

        return write_track(self, outdir, top=top)


def _windows(stamps: pd.Series, window: pd.Timedelta, step: pd.Timedelta) -> list[tuple]:
    t = stamps.dropna()
    if t.empty:
        raise InputError("track needs timestamps: the log has no timestamp column or no values")
    first, last = t.min().floor("D"), t.max()
    out, start = [], first
    while start <= last:
        out.append((start, start + window))
        start = start + step
    return out


def _brand_count(table: pd.DataFrame, brand: Sequence[str]) -> int:
    wanted = {b.strip().lstrip("@").lower() for b in brand}
    target = table["target"].astype(str).str.lstrip("@").str.lower()
    return int(target.isin(wanted).sum())


def _kept_share(a: pd.Series | None, b: pd.Series) -> float | None:
    """Share of the people in a segment in both windows whose segment id stayed the same."""
    if a is None:
        return None
    common = a.index.intersection(b.index, sort=False)
    sa, sb = a.reindex(common).to_numpy(), b.reindex(common).to_numpy()
    both = (sa != 0) & (sb != 0)
    return round(float((sa[both] == sb[both]).mean()), 6) if both.any() else None


def _lifecycle_alerts(
    alerts: pd.DataFrame,
    lineage: pd.DataFrame,
    born_before: set[int],
    labels: dict[int, str],
    rules: Rules,
    end: str,
) -> pd.DataFrame:
    """Gone only when gone (not while dormant); a dormant segment that returns was not born."""
    status = lineage.set_index("segment")
    dormant = {str(s) for s in status.index[status["status"] == "dormant"]}
    revived = {str(s) for s in born_before}
    sid = alerts["subject_id"].astype(str)
    drop = ((alerts["kind"] == "segment_gone") & sid.isin(dormant)) | (
        (alerts["kind"] == "segment_born") & sid.isin(revived)
    )
    rows = alerts[~drop].to_dict("records")
    just_gone = status[(status["status"] == "gone") & (status["missed"] == rules.gone_after)]
    for s in just_gone.index:
        label = labels.get(int(s), "")
        msg = f"segment {s} ({label}) is gone: unmatched for {rules.gone_after} windows"
        rows.append(
            alert(
                rules,
                "segment_gone",
                end,
                ("segment", int(s)),
                label,
                ("windows_missed", rules.gone_after, "", rules.gone_after),
                msg,
            )
        )
    return alert_frame(rows)


def track_log(
    data: Any,
    *,
    window: str = "7d",
    step: str | None = None,
    rules: Rules | None = None,
    brand: Sequence[str] = (),
    warm_start: bool = True,
    freeze_previous: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    seed: int | None = None,
    **options: Any,
) -> TrackResult:
    """Analyse ``data`` window by window with chained, persistent segment ids.

    ``window`` / ``step``: durations (``7d``, ``1d``, ``12h``; ``step`` defaults to
    ``window``). ``options`` are :func:`~nichegraph.analyze`'s (``read=``, ``graph=``,
    ``segment=``, ``rank=`` objects or their fields; reading and ``people`` apply once to
    the whole log). ``brand``: accounts whose engagement is watched (``brand_spike``).
    ``warm_start=False`` detects each window from scratch and only matches ids.

    >>> import nichegraph as ng
    >>> log = ng.load_dataset("brand_chatter").log
    >>> res = track_log(log, window="14d", seed=1)
    >>> len(res.windows), list(res.timeline.columns[:4])
    (2, ['window', 'window_start', 'window_end', 'segment'])
    """
    from ..pipeline import analyze, run_options  # tracking drives the pipeline, not vice versa

    rules = rules or Rules()
    span, stride = parse_duration(window), parse_duration(step or window)
    extras = {k: options.pop(k) for k in _EXTRAS if k in options}
    people = options.pop("people", None)
    ropts, gopts, sopts, kopts = run_options(**options)
    if gopts.since or gopts.until:
        raise InputError("track makes its own windows; drop since / until")
    inter = read_interactions(data, ropts, people=people)
    table = inter.table
    if "timestamp" not in table:
        raise InputError("track needs timestamps: map a timestamp column (--map timestamp=...)")
    bounds = _windows(table["timestamp"], span, stride)
    pseudo = bool(extras.get("pseudonymise"))
    runs, compares, views, hist, wins, timeline, alerts = [], [], [], [], [], [], []
    last_members: dict[int, pd.Index] = {}
    prev: RunView | None = None
    for i, (start, end) in enumerate(bounds, 1):
        part = table[(table["timestamp"] >= start) & (table["timestamp"] < end)]
        s_iso, e_iso = start.strftime(_ISO), end.strftime(_ISO)
        if part.empty:
            continue
        res = analyze(
            part.reset_index(drop=True),
            previous=prev,
            warm_start=warm_start,
            freeze_previous=freeze_previous and prev is not None,
            graph=dataclasses.replace(gopts, since=s_iso, until=e_iso),
            segment=sopts,
            rank=kopts,
            seed=seed,
            **extras,
        )
        if res.tracking is None:  # the first window starts the lineage
            ids = [int(s) for s in res.segmentation.segments["segment"] if s != 0]
            first = Tracking({s: s for s in ids}, start_lineage(ids, run=i), {}, {"run": i})
            res = replace(res, tracking=first)
        lineage = lifecycle(res.tracking.lineage, rules.gone_after)
        res = replace(res, tracking=replace(res.tracking, lineage=lineage))
        view = run_view(res)
        vols = volumes(view)
        if brand:
            vols[("brand", "all")] = float(_brand_count(part, brand))
        born_before: set[int] = set()
        changes = None
        if prev is not None:
            cmp = compare_runs(
                prev, view, rules=rules, history=hist[-rules.history :], current=vols
            )
            born_before = {
                int(s) for s in cmp.segment_changes["segment_b"].dropna() if int(s) in last_members
            }
            labels = dict(zip(view.segments["segment"], view.segments["label"], strict=True))
            cmp_alerts = _lifecycle_alerts(cmp.alerts, lineage, born_before, labels, rules, e_iso)
            if pseudo:
                cmp_alerts.loc[cmp_alerts["subject_type"] == "brand", "subject_label"] = ""
            elif brand:
                cmp_alerts.loc[cmp_alerts["subject_type"] == "brand", "subject_label"] = ", ".join(
                    brand
                )
            cmp = replace(cmp, alerts=cmp_alerts)
            changes = cmp.segment_changes
            compares.append(cmp)
            alerts.append(cmp_alerts)
        for s, members in view.members[view.members != 0].groupby(view.members).groups.items():
            last_members[int(s)] = pd.Index(members)
        status = lineage.set_index("segment")["status"]
        dormant = {
            s: last_members[s] for s in status.index[status == "dormant"] if s in last_members
        }
        kept = _kept_share(prev.members if prev is not None else None, view.members)
        tracking = {**view.tracking, "run": i, "window_end": e_iso}
        prev = replace(
            view,
            manifest={**view.manifest, "tracking": tracking},
            lineage=lineage,
            dormant=dormant,
            names=res.tracking.names,
        )
        hist.append(vols)
        runs.append(res)
        views.append(view)
        seg = view.segments
        timeline.append(
            pd.DataFrame(
                {
                    "window": i,
                    "window_start": s_iso,
                    "window_end": e_iso,
                    "segment": seg["segment"],
                    "status": "active",
                    "size": seg["size"],
                    "interactions": seg["interactions"],
                    "label": [prev.label(int(s)) for s in seg["segment"]],
                }
            )
        )
        wins.append(
            {
                "window": i,
                "window_start": s_iso,
                "window_end": e_iso,
                "interactions": view.interactions,
                "people": len(view.members),
                "segments": len(seg),
                "born": int((changes["event"] == "born").sum())
                if changes is not None
                else len(seg),
                "gone": int((changes["event"] == "gone").sum()) if changes is not None else 0,
                "kept_id_share": kept,
                "run_id": view.run_id,
            }
        )
        if progress:
            progress(i, len(bounds), e_iso)
    if not runs:
        raise InputError("no window holds any interaction; check --window and the timestamps")
    all_alerts = alert_frame(pd.concat(alerts).to_dict("records")) if alerts else alert_frame([])
    timeline_frame = pd.concat(timeline, ignore_index=True)[TIMELINE_COLUMNS]
    windows_frame = pd.DataFrame(wins, columns=WINDOW_COLUMNS)
    kept = windows_frame["kept_id_share"].dropna()
    summary = {
        "window": str(window),
        "step": str(step or window),
        "windows": len(runs),
        "warm_start": "frozen" if freeze_previous else "initial" if warm_start else "none",
        "seed": runs[0].params["seed"],
        "input": inter.report.to_dict() if not pseudo else {"sha256": inter.report.sha256},
        "rules": rules.to_dict(),
        "mean_kept_id_share": round(float(kept.mean()), 6) if len(kept) else None,
        "segments_ever": len(prev.lineage) if prev.lineage is not None else 0,
        "alerts": {s: int((all_alerts["severity"] == s).sum()) for s in ("info", "warn", "crit")},
        "brand": list(brand) if not pseudo else len(brand),
    }
    return TrackResult(
        windows_frame,
        timeline_frame,
        all_alerts,
        prev.lineage,
        tuple(runs),
        tuple(compares),
        summary,
    )
