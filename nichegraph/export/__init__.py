"""Writers: spreadsheet-safe CSV, JSON manifest, atomic run folders."""

from .csv import FORMULA_PREFIXES, atomic_write, csv_text, neutralise, write_csv
from .plan import plan_files, save_plan
from .run import check_outdir, json_text, write_run_folder
from .scan import SCAN_FILES, save_scan, scan_files

__all__ = [
    "FORMULA_PREFIXES",
    "SCAN_FILES",
    "atomic_write",
    "check_outdir",
    "csv_text",
    "json_text",
    "neutralise",
    "plan_files",
    "save_plan",
    "save_scan",
    "scan_files",
    "write_csv",
    "write_run_folder",
]
