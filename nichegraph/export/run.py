"""Write a run folder all-or-nothing: a reader sees the previous run or the new one, never a mix.

The whole new folder is written to a hidden sibling ``.NAME.<pid>.<random>.tmp`` next to the
*resolved* target (a symlinked ``-o`` is followed, so the rename never crosses filesystems),
then swapped in with one system call:

* Linux: ``renameat2(RENAME_EXCHANGE)`` exchanges the new folder and the previous one in one
  atomic step; a lookup of the folder at any instant finds one complete run, and the folder is
  never missing. The previous run (now under the temporary name) is deleted afterwards.
* A new target, or a filesystem / system without ``RENAME_EXCHANGE``: ``rename``. Replacing a
  previous run then takes two renames (previous run moved aside, new one moved in), so for
  microseconds the folder is missing, but it never holds a mix; on failure the previous run is
  moved back.
* A target that is a mount point (a Docker volume mounted *at* ``-o``) cannot be renamed:
  the new files are written next to the old ones inside it and each is swapped in with an
  atomic ``os.replace``; files of the previous run that the new one lacks are removed after.
  Each file is whole, but a reader may see a mix while this runs.

Temporary folders left by a killed run (their process is gone) are removed by the next write
into the same parent folder, and so are those of earlier versions (``.NAME.<random>.tmp``,
no process id) once they are an hour old.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["check_outdir", "json_text", "swap_folders", "write_run_folder"]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp$")
_LEGACY_TMP = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")  # earlier versions: no pid
_LEGACY_AGE = 3600.0  # seconds: an older legacy temporary folder belongs to no running write


def json_text(data: Mapping[str, Any]) -> str:
    """Stable JSON text (2-space indent, trailing newline)."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _resolve(out: Path) -> Path:
    """``out`` with symlinks followed; a dangling symlink is an :class:`InputError`."""
    if out.is_symlink() and not out.exists():
        target = os.readlink(out)
        raise InputError(
            f"output folder {out} is a symlink to {target}, which does not exist; "
            "create that folder or choose another -o"
        )
    return Path(os.path.realpath(out))


def check_outdir(outdir: str | os.PathLike[str], replaceable: Collection[str] = ()) -> Path:
    """Fail early (before any work) if ``outdir`` cannot become a run folder.

    An existing folder is replaced as a whole, so it may only hold files named in
    ``replaceable`` (a previous run's): anything else is an :class:`InputError`, never deleted.
    Returns the resolved target (symlinks followed).

    >>> check_outdir("runs/first").name
    'first'
    """
    real = _resolve(Path(outdir))
    if real.exists() and not real.is_dir():
        raise InputError(f"output folder {outdir} exists and is not a folder; choose another -o")
    if real.is_dir():
        names = {n for n in os.listdir(real) if not _TMP.match(n)}  # not a killed run's temp
        foreign = sorted(names - set(replaceable))
        if foreign:
            more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            shown = ", ".join(foreign[:3]) + more
            raise InputError(
                f"output folder {outdir} holds files this run would not write ({shown}) and is "
                "replaced as a whole; choose another -o or move them away"
            )
    probe = real if os.path.ismount(real) else real.parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK):
        raise InputError(f"cannot write to {probe}; choose another -o")
    return real


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange folders ``a`` and ``b`` (Linux ``renameat2``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # glibc < 2.28, musl
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False  # the filesystem (or a seccomp filter) does not support the exchange
    raise OSError(err, os.strerror(err), str(b))


def swap_folders(new: Path, target: Path, aside: Path) -> Path | None:
    """Put folder ``new`` at ``target``; returns where the previous ``target`` now is (or None).

    One atomic exchange where the system supports it (the previous run is then at ``new``),
    else two renames via ``aside`` (the previous run is moved back if the second one fails).
    """
    if not target.exists():
        os.rename(new, target)
        return None
    if _exchange(new, target):
        return new
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise
    return aside


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process
        return True
    return True


def _clean_stale(parent: Path, name: str) -> None:
    """Remove temporary folders of earlier runs into ``parent/name`` whose process is gone."""
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        m = _TMP.match(entry.name)
        old = None if m else _LEGACY_TMP.match(entry.name)
        dead = m is not None and m["name"] == name and not _alive(int(m["pid"]))
        aged = old is not None and old["name"] == name
        if dead or (aged and now - entry.stat().st_mtime > _LEGACY_AGE):
            shutil.rmtree(entry.path, ignore_errors=True)


def _write_files(folder: Path, files: Mapping[str, str | bytes]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)  # "windows/01/segments.csv"
        if isinstance(text, bytes):  # e.g. a PNG
            (folder / name).write_bytes(text)
        else:
            (folder / name).write_text(text, encoding="utf-8", newline="")


def _replace_inside(target: Path, files: Mapping[str, str | bytes]) -> None:
    """Mount-point target: write beside the old files, replace each atomically, drop the rest."""
    _clean_stale(target, target.name)
    tmp = target / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    tmp.mkdir()
    try:
        _write_files(tmp, files)
        for name in files:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / name, target / name)
        tops = {name.split("/")[0] for name in files}
        for entry in os.scandir(target):
            if entry.name not in tops and not entry.name.startswith("."):
                shutil.rmtree(entry.path) if entry.is_dir() else os.unlink(entry.path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_run_folder(
    outdir: str | os.PathLike[str],
    files: Mapping[str, str | bytes],
    replaceable: Collection[str] = (),
) -> Path:
    """Write ``{file name: text or bytes}`` as the folder ``outdir``, replacing it as a whole.

    The folder ends up holding exactly ``files`` (files of a previous run are not kept); until
    the swap succeeds the previous run is untouched, and a failure leaves no temporary folder.
    An existing folder may only hold files named in ``files`` or ``replaceable``
    (:func:`check_outdir`).

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "run"
    >>> _ = write_run_folder(out, {"a.csv": "x\\n1\\n"})
    >>> _ = write_run_folder(out, {"b.csv": "y\\n2\\n"}, replaceable=["a.csv"])
    >>> sorted(p.name for p in out.iterdir())
    ['b.csv']
    """
    out = Path(outdir)
    real = check_outdir(out, {*(f.split("/")[0] for f in files), *replaceable})
    if real.is_dir() and os.path.ismount(real):
        _replace_inside(real, files)
        return out
    real.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(real.parent, real.name)
    stem = f".{real.name}.{os.getpid()}"
    tmp = real.parent / f"{stem}.{secrets.token_hex(4)}.tmp"
    aside = real.parent / f"{stem}.{secrets.token_hex(4)}.tmp"
    tmp.mkdir()  # mode 0o777 minus the umask, like any folder
    try:
        _write_files(tmp, files)
        swap_folders(tmp, real, aside)
    finally:
        for leftover in (tmp, aside):
            if leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
    return out
