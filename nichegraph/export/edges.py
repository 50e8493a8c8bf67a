"""Write an edge folder (``nichegraph aggregate``) whole or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError
from .run import json_text

__all__ = ["check_edge_folder", "write_edge_folder"]


def check_edge_folder(outdir: str | os.PathLike[str]) -> Path:
    """Fail before any work if ``outdir`` exists and is not an empty folder.

    An edge folder is read as the sum of its parts, so stale parts must never mix in.
    """
    out = Path(outdir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(
            f"{out} exists and is not an empty folder; an edge folder is read as the sum of its "
            "parts, so choose a new -o"
        )
    return out


def write_edge_folder(
    outdir: str | os.PathLike[str], write: Callable[[Path], dict[str, Any]]
) -> Path:
    """Call ``write(folder)`` on a fresh temporary folder (it writes the parts there and returns
    what ``aggregate.json`` holds), then move the folder into place in one step."""
    out = check_edge_folder(outdir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        parts = tmp / "edges"
        manifest = write(parts)
        (parts / "aggregate.json").write_text(json_text(manifest), encoding="utf-8")
        if out.exists():
            out.rmdir()
        parts.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
