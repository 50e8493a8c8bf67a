"""The HTML report: templates and inline SVG, rendered from a run's tables.

``report_data(result)`` takes an :class:`nichegraph.AnalysisResult`; :func:`load_run_folder`
reads a run folder; :func:`render_report` turns either into one offline HTML page.
"""

from .render import (
    PART_FILES,
    REPORT_FILE,
    TABLES,
    ReportData,
    load_run_folder,
    read_tables,
    render_report,
    report_data,
)
from .svg import PALETTE, segment_colour, segment_map_svg, sparkline_svg

__all__ = [
    "PALETTE",
    "PART_FILES",
    "REPORT_FILE",
    "TABLES",
    "ReportData",
    "load_run_folder",
    "read_tables",
    "render_report",
    "report_data",
    "segment_colour",
    "segment_map_svg",
    "sparkline_svg",
]
