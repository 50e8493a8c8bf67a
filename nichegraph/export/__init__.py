"""Writers: spreadsheet-safe CSV, Parquet and xlsx tables, JSON manifest, GEXF/GraphML,
atomic run folders."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (nichegraph._lazy)
    from .columns import COLUMN_MEANINGS, dictionary
    from .csv import FORMULA_PREFIXES, atomic_write, csv_text, neutralise, write_csv
    from .graphs import graph_tables, graph_tables_from_run
    from .graphxml import (
        GRAPH_FORMATS,
        GraphTables,
        clean_attributes,
        gexf_text,
        graphml_text,
        write_graph,
    )
    from .plan import plan_files, save_plan
    from .run import check_outdir, json_text, write_run_folder
    from .scan import SCAN_FILES, save_scan, scan_files
    from .tables import OUTPUT_FORMATS, parquet_bytes, xlsx_bytes

__getattr__, __dir__ = lazy_exports(__name__, __file__)

__all__ = [
    "COLUMN_MEANINGS",
    "FORMULA_PREFIXES",
    "GRAPH_FORMATS",
    "OUTPUT_FORMATS",
    "SCAN_FILES",
    "GraphTables",
    "atomic_write",
    "check_outdir",
    "clean_attributes",
    "csv_text",
    "dictionary",
    "gexf_text",
    "graph_tables",
    "graph_tables_from_run",
    "graphml_text",
    "json_text",
    "neutralise",
    "parquet_bytes",
    "plan_files",
    "save_plan",
    "save_scan",
    "scan_files",
    "write_csv",
    "write_graph",
    "write_run_folder",
    "xlsx_bytes",
]
