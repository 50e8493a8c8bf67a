"""Plain-text summaries for the terminal (the CLI's output; no effect on files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .graph.read import ReadReport
    from .pipeline import AnalysisResult
    from .plan.result import Plan
    from .segments.scan import Scan

__all__ = [
    "format_plan",
    "format_read_report",
    "format_run_summary",
    "format_scan",
]


def _skipped(skipped: dict[str, int]) -> str:
    if not skipped:
        return "none"
    return ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in skipped.items())


def format_read_report(report: ReadReport) -> str:
    """What ``nichegraph inspect`` prints."""
    lines = [
        f"file        {report.source}",
        f"format      {report.format}" + _format_details(report),
        *_file_lines(report),
        f"columns     {', '.join(report.columns_found)}",
        "mapping     " + (_mapping(report.mapping) or "per file"),
        f"rows        {report.rows_read:,} read, {report.rows_kept:,} kept",
        f"skipped     {_skipped(report.skipped)}",
        "kinds       " + (", ".join(f"{k} {v:,}" for k, v in report.kinds.items()) or "none"),
        f"dates       {report.time_min or '-'} .. {report.time_max or '-'}",
    ]
    lines += [f"problem     {p}" for p in report.problems]
    return "\n".join(lines)


def _format_details(report: ReadReport) -> str:
    details = [report.compression] if report.compression else []
    if len(report.files) == 1:
        if "sep" in report.files[0]:
            details.append(f"separator {report.files[0]['sep']!r}")
        if report.files[0].get("header") is False:
            details.append("no header")
    return f" ({', '.join(details)})" if details else ""


def _mapping(mapping: dict[str, str]) -> str:
    return ", ".join(f"{k} <- {v}" for k, v in mapping.items())


def _file_lines(report: ReadReport) -> list[str]:
    if len(report.files) < 2:
        return []
    lines = []
    for f in report.files:
        lines.append(f"  {f['path']}: {f['format']}, {f.get('records', 0):,} records")
        if not report.mapping and f.get("mapping"):
            lines.append("    " + _mapping(f["mapping"]))
    return lines


_LABEL_WIDTH = 34


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_run_summary(result: AnalysisResult, outdir: str, *, segments: int = 12) -> str:
    """What ``nichegraph run`` prints at the end: counts, then label and top influencers per
    segment, then the top flow between segments."""

    rep, g, seg = result.interactions.report, result.graph.report, result.segmentation
    lines = [
        f"read {rep.rows_read:,} rows, kept {rep.rows_kept:,} (skipped: {_skipped(rep.skipped)})",
        f"graph {g.nodes:,} people, {g.edges:,} ties from {g.rows_used:,} interactions"
        + (f" (dropped: {_skipped(g.dropped)})" if g.dropped else ""),
        f"{seg.n_segments:,} segments, {seg.fringe_size:,} people in the fringe, "
        f"modularity {seg.modularity:.3f}",
        "",
        f"{'segment':>7}  {'path':<9}{'size':>7}  {'label':<{_LABEL_WIDTH}}  "
        "top influencers (score)",
    ]
    top = result.influencers[result.influencers["rank"] <= 3]
    by_seg = {
        s: ", ".join(f"{p} ({sc:.3f})" for p, sc in zip(f["person"], f["score"], strict=True))
        for s, f in top.groupby("segment", sort=False)
    }
    labels = {} if result.profiles is None else dict(result.profiles[["segment", "label"]].values)
    table = seg.segments[seg.segments["segment"] != 0]
    for row in table.head(segments).itertuples(index=False):
        label = _fit(str(labels.get(row.segment, "")), _LABEL_WIDTH)
        lines.append(
            f"{row.segment:>7}  {row.path:<9}{row.size:>7,}  {label:<{_LABEL_WIDTH}}  "
            f"{by_seg.get(row.segment, '')}"
        )
    if len(table) > segments:
        lines.append(f"… {len(table) - segments:,} more segments in segment_summary.csv")
    if result.flows is not None and len(result.flows):
        f = result.flows.iloc[0]
        lines.append(
            f"top flow: segment {f.from_segment} -> {f.to_segment}, {f.share_of_from:.0%} of "
            f"{f.from_segment}'s engagement (segment_flows.csv)"
        )
    if result.stability is not None:
        st = result.stability
        lines.append(
            f"stability over {st.runs} seeds: mean {st.mean_stability:.2f}, "
            f"{len(st.unstable):,} unstable segments, {st.share_confident(0.9):.0%} of people "
            "with confidence >= 0.9"
        )
    if result.scan is not None:
        lines.append(f"resolution {result.scan.recommended:g} (auto): {result.scan.reason}")
    from .export.folder import file_names

    files = file_names(result)
    lines += [
        "",
        f"wrote {outdir}/ ({', '.join(files)})",
    ]
    return "\n".join(lines)


def format_scan(scan: Scan) -> str:
    """What ``nichegraph scan`` prints: the table, then the recommendation and why."""
    t = scan.table
    lines = [
        f"{'resolution':>10}  {'segments':>8}  {'median size':>11}  {'largest':>8}  "
        f"{'fringe':>7}  {'modularity':>10}  {'stability':>9}",
    ]
    for r in t.itertuples(index=False):
        mark = "  <- recommended" if r.recommended else ("  plateau" if r.plateau else "")
        lines.append(
            f"{r.resolution:>10g}  {r.segments:>8g}  {r.median_size:>11g}  {r.largest_size:>8g}  "
            f"{r.fringe:>7g}  {r.modularity:>10.3f}  {r.stability:>9.3f}{mark}"
        )
    lines += ["", f"recommended resolution {scan.recommended:g}: {scan.reason}"]
    return "\n".join(lines)


def format_plan(plan: Plan, outdir: str) -> str:
    """What ``nichegraph plan`` prints: the picks, the audience against the plain top-K."""
    s = plan.summary
    lines = [
        f"objective   {s['objective']} ({s['pick_method']})",
        f"picked      {s['picked']} of {s['budget']} from {s['candidates']:,} candidates in "
        f"{s['segments_targeted']} of {s['segments_total']} segments",
        f"audience    {s['audience_covered']:,} {s['audience']} "
        f"(plain top-{s['budget']} by score: {s['topk_audience_covered']:,})",
        "excluded    " + (", ".join(f"{v:,} {k}" for k, v in s["excluded"].items()) or "nobody"),
        "",
        f"{'#':>3}  {'person':<24} {'segment':>7}  {'role':<20} {'new':>6}  action",
    ]
    picks = plan.people[plan.people["pick"].notna()]
    for row in picks.itertuples(index=False):
        lines.append(
            f"{int(row.pick):>3}  {_fit(str(row.person), 24):<24} {row.segment:>7}  "
            f"{row.role:<20} {int(row.audience_new):>6}  {row.action}"
        )
    lines += ["", f"wrote {outdir}/ (run files, plan.csv, plan_segments.csv, plan_excluded.csv, "
              "plan_summary.json)"]  # fmt: skip
    return "\n".join(lines)
