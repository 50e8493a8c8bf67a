"""How much memory a run needs, checked before the graph is built, and what to say when short.

Measured with ``python bench/bench_memory.py`` (generated logs with text, one planted segment
per 500 rows): see README "Memory". A run's peak grows about linearly with the rows kept.
Leiden and igraph allocate in C++; an allocation failure there aborts the process (it cannot
be caught), so the pipeline compares the estimate with the memory it may use *before* the
build stage and stops with a clear message instead.
"""

from __future__ import annotations

import resource
from pathlib import Path

from .errors import NichegraphError

__all__ = ["check_memory", "estimate_gib", "out_of_memory"]

GIB = 1024**3
RSS_BASE_GIB, RSS_PER_MILLION_GIB = 0.17, 1.10
"""Peak resident memory: start-up plus this much per million rows."""
AS_BASE_GIB, AS_PER_MILLION_GIB = 1.10, 1.20
"""Peak address space (what ``ulimit -v`` / ``RLIMIT_AS`` limits)."""

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
_TRY = "try a shorter window (--since/--until), a larger --min-size, or more memory"


def estimate_gib(rows: int) -> tuple[float, float]:
    """(peak resident, peak address space) in GiB a run of ``rows`` interactions needs.

    >>> [round(x, 2) for x in estimate_gib(1_000_000)]
    [1.27, 2.3]
    """
    m = rows / 1e6
    return RSS_BASE_GIB + RSS_PER_MILLION_GIB * m, AS_BASE_GIB + AS_PER_MILLION_GIB * m


def out_of_memory(stage: str, rows: int | None = None) -> str:
    """The one-line message for a run that ran out of memory in ``stage``.

    >>> out_of_memory("segment", 2_000_000)
    'out of memory while finding segments (2,000,000 rows; a run needs about 2.4 GiB); try ...'
    """
    need = (
        ""
        if rows is None
        else f" ({rows:,} rows; a run needs about {estimate_gib(rows)[0]:.1f} GiB)"
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


def check_memory(rows: int) -> None:
    """Stop (:class:`NichegraphError`, exit 1) if a run of ``rows`` cannot fit in memory.

    Compares the estimated peak address space with ``RLIMIT_AS`` and the memory still to be
    taken with the system's available memory (Linux ``/proc``; elsewhere only the limit).

    >>> check_memory(1_000)
    """
    rss_need, as_need = estimate_gib(rows)
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and as_need * GIB > soft:
        raise NichegraphError(
            f"not enough memory: {rows:,} rows need about {as_need:.1f} GiB of address space, "
            f"the limit (ulimit -v) is {soft / GIB:.1f} GiB; {_TRY}"
        )
    available, rss = _available_kib(), _status_kib("VmRSS")
    if available is not None and rss is not None:
        more = rss_need * GIB - rss * 1024
        if more > available * 1024:
            raise NichegraphError(
                f"not enough memory: {rows:,} rows need about {rss_need:.1f} GiB, "
                f"{(available + rss) / 1024**2:.1f} GiB are available; {_TRY}"
            )
