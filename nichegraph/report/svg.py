"""Charts as inline SVG text: the segment map and weekly sparklines.

Hand-written SVG (no plotting library, no script): every text is XML-escaped, numbers are
rounded so the same data gives the same bytes, and each chart carries a ``<title>`` per mark
so a reader can hover for the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd
from markupsafe import Markup

__all__ = ["PALETTE", "segment_colour", "segment_map_svg", "sparkline_svg"]

PALETTE = (
    "#1f77b4", "#d95f02", "#2ca02c", "#9467bd", "#e7298a", "#8c564b", "#17becf", "#bcbd22",
    "#e6ab02", "#7570b3", "#66a61e", "#a6761d", "#e41a1c", "#377eb8", "#4daf4a", "#984ea3",
)  # fmt: skip
"""Colours by segment id (``PALETTE[(id - 1) % 16]``); the fringe is grey."""

FRINGE_COLOUR = "#999999"


def segment_colour(segment: int) -> str:
    """The colour of a segment id, the same in the report and in GEXF/GraphML.

    >>> segment_colour(1), segment_colour(17), segment_colour(0)
    ('#1f77b4', '#1f77b4', '#999999')
    """
    return FRINGE_COLOUR if int(segment) <= 0 else PALETTE[(int(segment) - 1) % len(PALETTE)]


def _f(v: float) -> str:
    return f"{v:.1f}"


def segment_map_svg(
    layout: pd.DataFrame,
    labels: pd.Series,
    sizes: pd.Series,
    flows: pd.DataFrame | None = None,
    *,
    width: int = 860,
    height: int = 560,
    max_links: int = 150,
) -> Markup:
    """Segments as circles (area ∝ members, coloured by id) linked by their heaviest flows.

    ``layout`` is :func:`nichegraph.export.layout.segment_layout`'s frame; ``labels`` and
    ``sizes`` are indexed by segment id; ``flows`` has ``from_segment``, ``to_segment``,
    ``weight``. Each circle has ``class="seg"`` and ``data-segment``.

    >>> lay = pd.DataFrame({"segment": [1, 2], "x": [-0.5, 0.5], "y": [0.0, 0.0], "r": [0.2, 0.1]})
    >>> svg = segment_map_svg(lay, pd.Series({1: "a&b", 2: "c"}), pd.Series({1: 9, 2: 4}))
    >>> svg.count('class="seg"'), "a&amp;b" in svg
    (2, True)
    """
    pad = 30.0
    ext_x = float((layout["x"].abs() + layout["r"]).max()) if len(layout) else 1.0
    ext_y = float((layout["y"].abs() + layout["r"]).max()) if len(layout) else 1.0
    sx = (width / 2 - pad) / max(ext_x, 1e-9)
    sy = (height / 2 - pad) / max(ext_y, 1e-9)
    unit = min(sx, sy)  # radii: circles stay circles
    cx0, cy0 = width / 2, height / 2

    def px(v: float) -> float:
        return cx0 + v * sx

    def py(v: float) -> float:
        return cy0 - v * sy

    pos = layout.set_index("segment")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="segmap" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="segment map">'
    ]
    if flows is not None and len(flows):
        f = flows[flows["from_segment"].isin(pos.index) & flows["to_segment"].isin(pos.index)]
        f = f[f["from_segment"] != f["to_segment"]]
        f = f.sort_values(["weight", "from_segment", "to_segment"], ascending=[False, True, True],
                          kind="mergesort").head(max_links)  # fmt: skip
        top = float(f["weight"].max()) if len(f) else 1.0
        parts.append('<g class="links" stroke="#888" fill="none">')
        for a, b, w in zip(f["from_segment"], f["to_segment"], f["weight"], strict=True):
            pa, pb = pos.loc[a], pos.loc[b]
            sw = 0.5 + 5.0 * float(w) / top
            parts.append(
                f'<line class="flow" x1="{_f(px(pa.x))}" y1="{_f(py(pa.y))}" x2="{_f(px(pb.x))}" '
                f'y2="{_f(py(pb.y))}" stroke-width="{sw:.2f}" stroke-opacity="0.45">'
                f"<title>{escape(str(a))} → {escape(str(b))}: weight {float(w):g}</title></line>"
            )
        parts.append("</g>")
    parts.append('<g class="segments">')
    for seg, row in pos.iterrows():
        rr = max(2.0, float(row.r) * unit)
        label = escape(str(labels.get(seg, "")))
        parts.append(
            f'<a href="#segment-{int(seg)}"><circle class="seg" data-segment="{int(seg)}" '
            f'cx="{_f(px(row.x))}" cy="{_f(py(row.y))}" r="{_f(rr)}" '
            f'fill="{segment_colour(seg)}" fill-opacity="0.75" stroke="#fff">'
            f"<title>segment {int(seg)}: {label} ({int(sizes.get(seg, 0)):,} members)</title>"
            "</circle></a>"
        )
        if rr >= 14:
            parts.append(
                f'<text x="{_f(px(row.x))}" y="{_f(py(row.y) + 4)}" text-anchor="middle" '
                f'font-size="11" fill="#111" pointer-events="none">{int(seg)}</text>'
            )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def sparkline_svg(
    values: Sequence[float], *, names: Sequence[str] = (), width: int = 160, height: int = 32
) -> Markup:
    """A bar sparkline of ``values`` (e.g. interactions per week), one ``<rect>`` per value.

    >>> s = sparkline_svg([1, 3, 2], names=["W1", "W2", "W3"])
    >>> s.count("<rect"), "W2: 3" in s
    (3, True)
    >>> sparkline_svg([])
    Markup('')
    """
    vals = [float(v) for v in values]
    if not vals:
        return Markup("")
    top = max(vals) or 1.0
    bw = width / len(vals)
    bars = []
    for i, v in enumerate(vals):
        h = max(1.0, (height - 2) * v / top) if v > 0 else 0.0
        name = escape(str(names[i])) if i < len(names) else str(i + 1)
        bars.append(
            f'<rect x="{i * bw + 0.5:.1f}" y="{height - h:.1f}" width="{max(bw - 1, 0.5):.1f}" '
            f'height="{h:.1f}" fill="#1f77b4"><title>{name}: {v:g}</title></rect>'
        )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">' + "".join(bars) + "</svg>"
    )
