"""Write a run folder atomically: every file is written to a temporary folder first."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["check_outdir", "json_text", "write_run_folder"]


def json_text(data: Mapping[str, Any]) -> str:
    """Stable JSON text (2-space indent, trailing newline)."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def check_outdir(outdir: str | os.PathLike[str]) -> Path:
    """Fail early (before any work) if ``outdir`` cannot become a run folder."""
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise InputError(f"output folder {out} exists and is not a folder; choose another -o")
    parent = out.parent if out.parent != Path("") else Path(".")
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK):
        raise InputError(f"cannot write to {probe}; choose another -o")
    return out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_run_folder(outdir: str | os.PathLike[str], files: Mapping[str, str | bytes]) -> Path:
    """Write ``{file name: text or bytes}`` into ``outdir`` without ever leaving half a run behind.

    All files go to a temporary sibling folder; a new ``outdir`` is then renamed into place in
    one step, an existing one gets each file replaced atomically (other files are left alone).
    """
    out = check_outdir(outdir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a run folder is not
        for name, text in files.items():
            if isinstance(text, bytes):  # e.g. a PNG
                (tmp / name).write_bytes(text)
            else:
                (tmp / name).write_text(text, encoding="utf-8", newline="")
        if not out.exists():
            os.rename(tmp, out)
            return out
        for name in files:
            os.replace(tmp / name, out / name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out
