"""Independent runs on several cores: the same results as one after another, in input order.

Each task must be a deterministic function of its item (every randomized step takes its own
seed), so the answer never depends on the number of jobs. Workers are forked (Linux) and
inherit the caller's data (a graph is not copied per task); where forking is unavailable
the tasks run in this process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from .errors import InputError

__all__ = ["check_jobs", "forks", "parallel_map"]

T = TypeVar("T")
_TASK: dict[str, Any] = {}


def check_jobs(jobs: int | None) -> int:
    """Number of worker processes: ``None`` or ``0`` means every core.

    >>> check_jobs(1)
    1
    >>> check_jobs(None) == (os.cpu_count() or 1)
    True
    """
    if jobs is None or (isinstance(jobs, int) and not isinstance(jobs, bool) and jobs == 0):
        return os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise InputError(f"--jobs must be a number of processes >= 1 (0: every core), got {jobs!r}")
    return jobs


def _run(i: int) -> Any:
    return _TASK["fn"](_TASK["items"][i])


def parallel_map(
    fn: Callable[[Any], T],
    items: Sequence[Any],
    jobs: int | None = 1,
    done: Callable[[int], None] | None = None,
) -> list[T]:
    """``[fn(x) for x in items]``, on up to ``jobs`` processes (see :func:`check_jobs`);
    ``done(i)`` is called in this process as the ``i``-th result arrives (in order).

    >>> parallel_map(lambda x: x * x, [1, 2, 3], jobs=2)
    [1, 4, 9]
    """
    out: list[T] = []
    if not forks(jobs, len(items)):  # one job, no fork, or already inside a worker
        for i, x in enumerate(items):
            out.append(fn(x))
            if done:
                done(i)
        return out
    _TASK.update(fn=fn, items=items)
    try:
        ctx = mp.get_context("fork")
        workers = min(check_jobs(jobs), len(items))
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            for i, result in enumerate(pool.map(_run, range(len(items)))):
                out.append(result)
                if done:
                    done(i)
        return out
    finally:
        _TASK.clear()


def forks(jobs: int | None, n_items: int) -> bool:
    """Whether :func:`parallel_map` would run ``n_items`` tasks in worker processes."""
    return (
        min(check_jobs(jobs), n_items) >= 2 and "fork" in mp.get_all_start_methods() and not _TASK
    )
