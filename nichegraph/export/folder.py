"""The files of a run folder, made from an analysis result.

The tables in the chosen formats (``NAME.csv``, ``NAME.parquet``, sheets of ``tables.xlsx``),
the data dictionary (``columns.csv``), ``run.json``, the report (made from the same CSV text,
so ``nichegraph report RUN_DIR`` re-renders the same page), the network exports and the
scan. :func:`nichegraph.export.run.write_run_folder` writes them all or nothing.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..report.render import CARDS, shown_texts
from .columns import dictionary
from .csv import csv_bytes, csv_text
from .graphs import graph_tables
from .graphxml import GRAPH_FORMATS, check_exports, graph_bytes
from .run import json_text
from .scan import SCAN_FILES, scan_files
from .tables import WORKBOOK, check_output_formats, parquet_bytes, xlsx_bytes

__all__ = [
    "OUTPUT_FILES",
    "REPLACEABLE",
    "TABLE_NAMES",
    "TRACKING_FILES",
    "check_exports",
    "check_output_formats",
    "file_names",
    "run_files",
    "table_texts",
]

TABLE_NAMES = (
    "segments",
    "segment_summary",
    "influencers",
    "shortlist",
    "segment_profiles",
    "segment_flows",
)
"""The run's tables, written as ``NAME.csv`` (and/or ``NAME.parquet``, sheets of tables.xlsx)."""

OUTPUT_FILES = (*(f"{t}.csv" for t in TABLE_NAMES), "columns.csv", "run.json", "report.html")
"""The files of a default run folder."""
TRACKING_FILES = ("lineage.csv", "labels.csv")
"""Extra files of a tracked run (``previous=``)."""

REPLACEABLE = (
    *TRACKING_FILES,
    *(f"{t}.{ext}" for t in TABLE_NAMES for ext in ("csv", "parquet")),
    WORKBOOK,
    *OUTPUT_FILES,
    *GRAPH_FORMATS.values(),
    *SCAN_FILES,
)
"""Every file a previous run into the same folder may hold."""


def table_texts(result: Any, tables: dict[str, Any] | None = None) -> dict[str, str]:
    """``{table: CSV text}`` of ``result``'s tables (or of ``tables``, already made from it):
    spreadsheet-safe, as ``NAME.csv`` holds it."""
    tables = result.tables() if tables is None else tables
    with ThreadPoolExecutor(max_workers=2) as pool:
        made = _submit(pool, csv_bytes, tables)
        return {name: made[name].result().decode("utf-8") for name in tables}


def _submit(pool: ThreadPoolExecutor, fn: Any, tables: dict[str, Any]) -> dict[str, Future]:
    """``fn(frame)`` of each table on ``pool``, the largest first: Arrow's joins and casts,
    numpy's sorts and Parquet's encoding release the GIL, so one table's formatting overlaps
    another's and the rest of the run folder."""
    order = sorted(tables, key=lambda name: -tables[name].size)
    return {name: pool.submit(fn, tables[name]) for name in order}


def _formats(result: Any) -> tuple[str, ...]:
    return tuple(result.params.get("output_formats") or ("csv",))


def file_names(result: Any) -> list[str]:
    """The files :func:`run_files` gives for ``result``, in order (``run.json`` lists them).

    >>> import nichegraph as ng
    >>> file_names(ng.analyze(ng.load_dataset("brand_chatter").log, output_formats="xlsx"))
    ['tables.xlsx', 'columns.csv', 'run.json', 'report.html']
    """
    formats = _formats(result)
    names = [f"{t}.csv" for t in TABLE_NAMES] if "csv" in formats else []
    names += [f"{t}.parquet" for t in TABLE_NAMES] if "parquet" in formats else []
    names += [WORKBOOK] if "xlsx" in formats else []
    names += ["columns.csv", "run.json", "report.html"]
    names += [GRAPH_FORMATS[f] for f in result.params.get("export") or ()]
    names += list(SCAN_FILES if result.scan is not None else ())
    return names + list(TRACKING_FILES if result.tracking is not None else ())


def run_files(
    result: Any, written_at: str | None = None, **report_parts: Any
) -> dict[str, str | bytes]:
    """``{file name: text or bytes}`` of ``result``'s run folder, in :func:`file_names` order;
    ``written_at`` goes into ``run.json`` only (the report stays byte-identical);
    ``report_parts`` go to the report (:meth:`~nichegraph.AnalysisResult.report_html`: e.g.
    ``plan=``)."""
    formats = _formats(result)
    tables = result.tables()
    paged = ("segment_summary",)  # the report parses its text whole
    written = TABLE_NAMES if "csv" in formats else paged  # no CSV files: no other CSV text
    with ThreadPoolExecutor(max_workers=2) as pool:  # the tables while the rest is made
        csv = _submit(pool, csv_bytes, {t: tables[t] for t in paged})
        csv.update(_submit(pool, csv_bytes, {t: tables[t] for t in written if t not in csv}))
        parquet = _submit(pool, parquet_bytes, tables) if "parquet" in formats else {}
        texts = {t: csv[t].result().decode("utf-8") for t in paged}
        out = _run_files(result, tables, texts, written_at, report_parts)
        files: dict[str, str | bytes] = {}
        if "csv" in formats:
            files.update({f"{t}.csv": csv[t].result() for t in TABLE_NAMES})
        files.update({f"{t}.parquet": parquet[t].result() for t in TABLE_NAMES if t in parquet})
    return {**files, **out}


def _run_files(
    result: Any,
    tables: dict[str, Any],
    texts: dict[str, str],
    written_at: str | None,
    report_parts: dict[str, Any],
) -> dict[str, str | bytes]:
    """The files after the tables' CSV and Parquet ones (``texts``: the summary's CSV text,
    for the report)."""
    out: dict[str, str | bytes] = {}
    if "xlsx" in _formats(result):
        out[WORKBOOK] = xlsx_bytes(tables)
    scan = result.scan
    described = {**tables, **({"scan": scan.table} if scan is not None else {})}
    if result.tracking is not None:
        described.update(lineage=result.tracking.lineage, labels=result.labels)
    out["columns.csv"] = csv_text(dictionary(described))
    manifest = result.manifest(written_at)  # the report reads neither the time nor timings
    out["run.json"] = json_text(manifest)
    cards = report_parts.get("cards", CARDS)  # the rows the page shows: the same page, less parsing
    shown = shown_texts(texts, tables, cards=cards)
    out["report.html"] = result.report_html(texts=shown, manifest=manifest, **report_parts)
    exports = result.params.get("export") or ()
    if exports:
        people_and_ties = graph_tables(result)
        for fmt in exports:
            out[GRAPH_FORMATS[fmt]] = graph_bytes(people_and_ties, fmt)
    if scan is not None:  # --resolution auto: the scan that chose it
        out.update(scan_files(scan))
    if result.tracking is not None:  # previous=: persistent ids, their history and names
        out["lineage.csv"] = csv_text(result.tracking.lineage)
        out["labels.csv"] = csv_text(result.labels)
    return out
