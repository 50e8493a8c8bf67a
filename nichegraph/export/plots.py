"""Figures as PNG bytes: the same input gives the same bytes (no version or date inside).

matplotlib runs on its non-interactive Agg backend through an explicit ``Figure`` (pyplot and
its global state are never touched); ``savefig`` gets ``metadata={"Software": None}`` so the
PNG carries no matplotlib version, and PNG output holds no creation date.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..segments.scan import Scan

__all__ = ["scan_png"]

_BLUE, _ORANGE, _GREY = "#1f77b4", "#d95f02", "#999999"


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
