"""Figures as PNG bytes: the same input gives the same bytes (no version or date inside).

matplotlib runs on its non-interactive Agg backend through an explicit ``Figure`` (pyplot and
its global state are never touched); ``savefig`` gets ``metadata={"Software": None}`` so the
PNG carries no matplotlib version, and PNG output holds no creation date.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from ..segments.scan import Scan

__all__ = ["scan_png", "timeline_png"]

_BLUE, _ORANGE, _GREY = "#1f77b4", "#d95f02", "#999999"
_PALETTE = (
    "#1f77b4",
    "#d95f02",
    "#1b9e77",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#17becf",
    "#666666",
)


def scan_png(scan: Scan, *, dpi: int = 100) -> bytes:
    """The resolution scan as a PNG: segments (top) and stability (bottom) against resolution
    on a log axis, the plateau shaded and the recommended resolution marked.

    >>> import pandas as pd
    >>> from nichegraph.segments.scan import SCAN_COLUMNS, Scan
    >>> t = pd.DataFrame([[0.5, 3, 10, 20, 0, 0.4, 1.0, True, True],
    ...                   [1.0, 3, 10, 20, 0, 0.4, 1.0, True, False]], columns=SCAN_COLUMNS)
    >>> png = scan_png(Scan(t, 0.5, "flat"))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", png == scan_png(Scan(t, 0.5, "flat"))
    (True, True)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, NullFormatter

    plain = FuncFormatter(lambda v, _: f"{v:g}")

    t = scan.table
    res = t["resolution"].to_numpy(dtype=float)
    fig = Figure(figsize=(7.5, 5.5))
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    plateau = t["plateau"].to_numpy(dtype=bool)
    for ax in (top, bottom):
        if plateau.any():
            ax.axvspan(res[plateau].min(), res[plateau].max(), color=_BLUE, alpha=0.08, lw=0)
        ax.axvline(scan.recommended, color=_ORANGE, lw=1.5, ls="--")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.grid(True, which="major", color="#dddddd", lw=0.6)
    top.plot(res, t["segments"], "o-", color=_BLUE, ms=4, label="segments (median of runs)")
    top.set_ylabel("segments")
    if (t["segments"] > 0).any():  # a log axis needs a positive value
        top.set_yscale("log")
        top.yaxis.set_major_formatter(plain)
    top.legend(loc="upper left", fontsize=8, frameon=False)
    bottom.plot(res, t["stability"], "o-", color=_GREY, ms=4)
    bottom.set_ylim(-0.05, 1.05)
    bottom.set_ylabel("stability (ARI of runs)")
    bottom.set_xlabel("resolution")
    row = t.loc[t["recommended"]].iloc[0]
    top.set_title(
        f"recommended resolution {scan.recommended:g}: {row['segments']:g} segments"
        + (" (shaded: stable plateau)" if plateau.any() else ""),
        fontsize=10,
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def timeline_png(timeline: pd.DataFrame, *, top: int = 8, dpi: int = 100) -> bytes:
    """Segment sizes over the windows of a track, one line per segment; the ``top`` largest
    (by their largest size) are coloured and labelled, the others grey.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"window": [1, 2, 1, 2], "window_start": ["2026-06-01T00:00:00Z",
    ...     "2026-06-08T00:00:00Z"] * 2, "segment": [1, 1, 2, 2], "size": [10, 12, 5, 0],
    ...     "label": ["a", "a", "b", "b"]})
    >>> timeline_png(t)[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 5))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    starts = timeline.drop_duplicates("window").sort_values("window")
    x_of = dict(zip(starts["window"], range(len(starts)), strict=True))
    wide = timeline.pivot_table(index="window", columns="segment", values="size", aggfunc="sum")
    wide = wide.reindex(starts["window"]).fillna(0)
    order = wide.max().sort_values(ascending=False, kind="mergesort").index
    labels = timeline.drop_duplicates("segment", keep="last").set_index("segment")["label"]
    xs = [x_of[w] for w in wide.index]
    for seg in order[top:]:  # the small ones first, underneath
        ax.plot(xs, wide[seg].to_numpy(), "-", lw=0.6, color=_GREY, alpha=0.5)
    for rank, seg in enumerate(order[:top]):
        lab = f"{seg}: {str(labels.get(seg, ''))[:40]}"
        ax.plot(
            xs,
            wide[seg].to_numpy(),
            "o-",
            ms=3,
            lw=1.6,
            color=_PALETTE[rank % len(_PALETTE)],
            label=lab,
        )
    ax.set_xticks(range(len(starts)))
    ax.set_xticklabels([str(s)[:10] for s in starts["window_start"]], rotation=30, fontsize=8)
    ax.set_xlabel("window start")
    ax.set_ylabel("people in segment")
    ax.grid(True, color="#dddddd", lw=0.6)
    n_seg = len(order)
    title = f"segment sizes over {len(starts)} windows ({n_seg} segments"
    ax.set_title(f"{title}; largest {min(top, n_seg)} labelled)", fontsize=10)
    if n_seg:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
