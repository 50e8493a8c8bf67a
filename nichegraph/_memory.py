"""How much memory a run needs, checked before the graph is built, and what to say when short.

Measured with ``python bench/bench_memory.py`` (generated logs with text, one planted segment
per 500 rows): see README "Memory". A run's peak grows about linearly with the rows kept.
Leiden and igraph allocate in C++; an allocation failure there aborts the process (it cannot
be caught), so the pipeline compares the estimate with the memory it may use *before* the
build stage and stops with a clear message instead.
"""

from __future__ import annotations

import contextvars
import ctypes
import ctypes.util
import functools
import gc
import glob
import gzip
import os
import resource
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from .errors import NichegraphError

__all__ = [
    "between_stages",
    "check_memory",
    "estimate_gib",
    "frozen_stages",
    "input_rows",
    "out_of_memory",
    "release_memory",
    "rss_mb",
    "stages_frozen",
]

GIB = 1024**3
RSS_BASE_GIB, RSS_PER_MILLION_GIB, RSS_PER_MILLION_NO_TEXT_GIB = 0.23, 0.94, 0.37
"""Peak resident memory: start-up plus this much per million rows, for logs with a text column
and without (measured with ``bench/bench_memory.py`` and ``bench/bench_scale.py``, see README:
0.91 with text at 1M rows; 3.9 GiB at 10M rows without text)."""

_WHAT = {
    "read": "reading the log",
    "build": "building the graph",
    "scan": "scanning resolutions",
    "segment": "finding segments",
    "stability": "re-running the detection for stability",
    "rank": "ranking influencers",
    "profile": "profiling segments",
    "write": "writing the run folder",
}
BYTES_PER_ROW = 112
"""Uncompressed CSV bytes per row of the benchmark's logs (with text): rows from a file size."""
_TRY = "try a shorter window (--since/--until), fewer input files, or more memory"


def estimate_gib(rows: int, text: bool = True) -> float:
    """The peak resident memory in GiB a run of ``rows`` interactions needs (``text``: the log
    has a text column).

    >>> round(estimate_gib(1_000_000), 2), round(estimate_gib(10_000_000, text=False), 2)
    (1.17, 3.93)
    """
    per_million = RSS_PER_MILLION_GIB if text else RSS_PER_MILLION_NO_TEXT_GIB
    return RSS_BASE_GIB + per_million * rows / 1e6


def out_of_memory(stage: str, rows: int | None = None) -> str:
    """The one-line message for a run that ran out of memory in ``stage``.

    >>> out_of_memory("segment", 2_000_000)
    'out of memory while finding segments (2,000,000 rows; a run needs about 2.1 GiB); try ...'
    """
    need = (
        "" if rows is None else f" ({rows:,} rows; a run needs about {estimate_gib(rows):.1f} GiB)"
    )
    return f"out of memory while {_WHAT.get(stage, stage)}{need}; {_TRY}"


def _status_kib(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _available_kib() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def check_memory(rows: int, stage: str = "build", text: bool = True) -> None:
    """Stop (:class:`NichegraphError`, exit 1) before ``stage`` if ``rows`` cannot fit in memory.

    The pipeline checks twice: before reading (rows estimated from the input's size,
    :func:`input_rows`) and before building the graph (rows kept). The memory still to be
    taken (estimated peak minus what the process holds now) must fit both under
    ``RLIMIT_AS`` (on top of the address space mapped now) and in the system's available
    memory. Linux (``/proc``); elsewhere nothing is checked.

    >>> check_memory(1_000) is None  # a thousand rows fit
    True
    """
    need = estimate_gib(rows, text)
    size, rss, available = _status_kib("VmSize"), _status_kib("VmRSS"), _available_kib()
    if size is None or rss is None:
        return
    more = max(need * GIB - rss * 1024, 0)
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and size * 1024 + more > soft:
        raise NichegraphError(
            f"not enough memory for {_WHAT.get(stage, stage)}: {rows:,} rows need about "
            f"{(size * 1024 + more) / GIB:.1f} GiB "
            f"of address space, the limit (ulimit -v) is {soft / GIB:.1f} GiB; {_TRY}"
        )
    if available is not None and more > available * 1024:
        raise NichegraphError(
            f"not enough memory for {_WHAT.get(stage, stage)}: {rows:,} rows need about "
            f"{need:.1f} GiB, "
            f"{(available + rss) / 1024**2:.1f} GiB are available; {_TRY}"
        )


def _size(path: Path) -> int:
    """Uncompressed size of a file (gzip: from its trailer; other compression: x5)."""
    size = path.stat().st_size
    if path.suffix == ".gz" and size >= 18:
        with path.open("rb") as fh:
            fh.seek(-4, os.SEEK_END)
            return max(size, int.from_bytes(fh.read(4), "little"))  # modulo 4 GiB: a floor
    if path.suffix in (".bz2", ".xz", ".zst", ".zip", ".parquet", ".xlsx"):
        return 5 * size
    return size


def _files(item: Any) -> Iterable[Path]:
    if not isinstance(item, str | os.PathLike):
        return []
    text = os.fspath(item)
    if any(c in text for c in "*?["):
        return [Path(p) for p in glob.glob(text, recursive=True) if os.path.isfile(p)]
    path = Path(text)
    if path.is_dir():
        return [p for p in path.rglob("*") if p.is_file()]
    return [path] if path.is_file() else []


def input_rows(data: Any) -> int:
    """A rough row count of a log from its size on disk (0 for a DataFrame, already read).

    >>> input_rows("no/such/file.csv")
    0
    """
    items = data if isinstance(data, list | tuple) else [data]
    try:
        total = sum(_size(p) for item in items for p in _files(item))
    except (OSError, gzip.BadGzipFile):
        return 0
    return total // BYTES_PER_ROW


def _libc() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _libc()


def release_memory() -> None:
    """Give memory freed by a finished stage back to the system: Arrow's pool (mimalloc or
    jemalloc keep freed pages) and glibc's heap (``malloc_trim``), so the next stage starts
    from what is really held (at 1M rows: 746 -> 471 MiB after build). No-op elsewhere.

    >>> release_memory() is None
    True
    """
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pass
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


F = TypeVar("F", bound=Callable[..., Any])
_FREEZING = contextvars.ContextVar("nichegraph_freezing", default=False)


def frozen_stages(fn: F) -> F:
    """Decorate a staged computation: :func:`between_stages` freezes the objects alive then
    (``gc.freeze``), and they are unfrozen when ``fn`` returns. The cyclic collector's full
    passes then walk only what the running stage made, not the graph and tables held from
    earlier ones (10M rows: 3.0 -> 0.9 s of collection; forked workers also copy fewer
    pages). A caller that froze objects itself keeps its collector as it is.

    >>> frozen_stages(lambda: gc.get_freeze_count())() >= 0
    True
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _FREEZING.get() or gc.get_freeze_count():
            return fn(*args, **kwargs)
        token = _FREEZING.set(True)
        gc.freeze()  # what the caller holds
        try:
            return fn(*args, **kwargs)
        finally:
            _FREEZING.reset(token)
            gc.unfreeze()

    return wrapper  # type: ignore[return-value]


def stages_frozen() -> bool:
    """Whether this runs inside :func:`frozen_stages` (which unfreezes everything at its end).

    >>> stages_frozen()
    False
    """
    return _FREEZING.get()


def between_stages() -> None:
    """After a stage: :func:`release_memory`, then, inside :func:`frozen_stages`,
    freeze what is alive for the cyclic collector (objects still die by reference count).

    >>> between_stages() is None
    True
    """
    release_memory()
    if stages_frozen():
        gc.freeze()


def rss_mb() -> float | None:
    """The resident memory of this process now, in MiB (Linux; None elsewhere).

    >>> (rss_mb() or 1) > 0
    True
    """
    kib = _status_kib("VmRSS")
    return None if kib is None else round(kib / 1024, 1)
