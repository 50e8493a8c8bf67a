"""Plain-text summaries for the terminal (the CLI's output; no effect on files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .graph.read import ReadReport
    from .pipeline import AnalysisResult

__all__ = ["format_read_report", "format_run_summary", "print_read_report", "print_run_summary"]


def _skipped(skipped: dict[str, int]) -> str:
    if not skipped:
        return "none"
    return ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in skipped.items())


def format_read_report(report: ReadReport) -> str:
    """What ``nichegraph inspect`` prints."""
    lines = [
        f"file        {report.source}",
        f"format      {report.format}" + (f" ({report.compression})" if report.compression else ""),
        f"columns     {', '.join(report.columns_found)}",
        "mapping     " + ", ".join(f"{k} <- {v}" for k, v in report.mapping.items()),
        f"rows        {report.rows_read:,} read, {report.rows_kept:,} kept",
        f"skipped     {_skipped(report.skipped)}",
        "kinds       " + (", ".join(f"{k} {v:,}" for k, v in report.kinds.items()) or "none"),
        f"dates       {report.time_min or '-'} .. {report.time_max or '-'}",
    ]
    lines += [f"problem     {p}" for p in report.problems]
    return "\n".join(lines)


def print_read_report(report: ReadReport) -> None:
    click.echo(format_read_report(report))


def format_run_summary(result: AnalysisResult, outdir: str, *, segments: int = 12) -> str:
    """What ``nichegraph run`` prints at the end: counts, then top influencers per segment."""
    rep, g, seg = result.interactions.report, result.graph.report, result.segmentation
    lines = [
        f"read {rep.rows_read:,} rows, kept {rep.rows_kept:,} (skipped: {_skipped(rep.skipped)})",
        f"graph {g.nodes:,} people, {g.edges:,} ties from {g.rows_used:,} interactions"
        + (f" (dropped: {_skipped(g.dropped)})" if g.dropped else ""),
        f"{seg.n_segments:,} segments, {seg.fringe_size:,} people in the fringe, "
        f"modularity {seg.modularity:.3f}",
        "",
        f"{'segment':<10}{'size':>7}  top influencers (score)",
    ]
    top = result.influencers[result.influencers["rank"] <= 3]
    by_seg = {
        s: ", ".join(f"{p} ({sc:.2f})" for p, sc in zip(f["person"], f["score"], strict=True))
        for s, f in top.groupby("segment", sort=False)
    }
    table = seg.segments[seg.segments["segment"] != 0]
    for row in table.head(segments).itertuples(index=False):
        lines.append(f"{row.path:<10}{row.size:>7,}  {by_seg.get(row.segment, '')}")
    if len(table) > segments:
        lines.append(f"… {len(table) - segments:,} more segments in segment_summary.csv")
    lines += [
        "",
        f"wrote {outdir}/ (segments.csv, segment_summary.csv, influencers.csv, "
        "shortlist.csv, run.json)",
    ]
    return "\n".join(lines)


def print_run_summary(result: AnalysisResult, outdir: str) -> None:
    click.echo(format_run_summary(result, outdir))
