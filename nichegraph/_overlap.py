"""One computation in a forked child while this process does another: two independent stages
of a run on two cores, with the result (or the error) of the one computation run here.

The child inherits the caller's data (fork, copy on write: nothing is pickled on the way in)
and writes ``fn()``'s value, pickled, to an unnamed temporary file, then exits (a child that
finishes first frees its memory at once; no pipe to drain, no thread). An exception raised by
``fn`` in the child is raised again by :meth:`Background.result` (``MemoryError`` included);
if the child dies without an answer, or its answer cannot be pickled, ``fn`` runs again in
this process, so the caller always sees what one process would have: the same value or the
same error. Without fork (or with one job) ``fn`` simply runs when the result is asked for.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import resource
import signal
import tempfile
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ._memory import stages_frozen
from ._parallel import forks

__all__ = ["Background", "CpuSample", "cpu_sample", "cpu_seconds", "idle_jobs"]

T = TypeVar("T")


CpuSample = tuple[float, float, float]
"""``(wall seconds, CPU seconds every process of the machine used, this process's and its
waited children's)``: see :func:`cpu_sample`."""


def cpu_sample() -> CpuSample | None:
    """The machine's and this process's CPU time now (``/proc/stat``; None where there is none).

    >>> s = cpu_sample()
    >>> s is None or s[1] >= 0
    True
    """
    try:
        with open("/proc/stat", "rb") as fh:
            ticks = [int(x) for x in fh.readline().split()[1:9]]
        per_second = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait (steal: others' too)
    return time.perf_counter(), busy / per_second, cpu_seconds()


def cpu_seconds() -> float:
    """CPU seconds of this process and of the worker processes it has waited for.

    >>> cpu_seconds() > 0
    True
    """
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def idle_jobs(jobs: int | None, since: CpuSample | None = None) -> int | None:
    """``jobs`` if given; for ``None`` or 0 (every core), the cores the machine leaves idle: 1 when
    less than half a core would be free for a second process. Linux shares a busy machine
    fairly between login sessions, whatever the number of processes each runs: there a second
    process only splits the run's share. ``since`` (a :func:`cpu_sample` taken when the run
    started, at least a second ago) measures what other processes used since (the machine's
    CPU time minus this run's); without it, the 1-minute load average, which also counts this
    run and whatever ran in the last minutes (as ``make -l``).

    >>> idle_jobs(2)
    2
    """
    if jobs:  # a number of processes (checked by check_jobs)
        return jobs
    cores = os.cpu_count() or 1
    now = cpu_sample()
    if since is not None and now is not None and now[0] - since[0] >= 1.0:
        others = ((now[1] - since[1]) - (now[2] - since[2])) / (now[0] - since[0])
        return None if cores - 1 - max(others, 0.0) >= 0.5 else 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # no load average: trust the cores
        return None
    return None if cores - load >= 0.5 else 1


class Background(Generic[T]):
    """``fn()`` computed in a forked child when ``jobs`` allows two processes (see
    :func:`~nichegraph._parallel.forks`), else here on :meth:`result`.

    >>> job = Background(lambda: sum(range(10)), jobs=2)
    >>> job.result()
    45
    """

    def __init__(self, fn: Callable[[], T], jobs: int | None = 1) -> None:
        self._fn = fn
        self.pid = 0
        #: the child's CPU seconds and peak RSS (MiB; it starts at this process's RSS at the
        #: fork: pages shared copy-on-write count in both), once :meth:`result` returned
        self.usage: dict[str, float] = {}
        if not forks(jobs, 2):
            return
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in result/cancel
        parent = os.getpid()
        kept = stages_frozen()  # inside analyze's stages: frozen until it returns
        gc.freeze()  # the child's collections skip what exists now: fewer pages copied
        try:
            pid = os.fork()
        finally:
            if not kept:
                gc.unfreeze()
        if pid == 0:  # the child: never returns
            _child(fn, self._file.fileno(), parent)
        self.pid = pid

    def result(self) -> T:
        """``fn()``'s value, or its exception raised here."""
        if not self.pid:
            return self._fn()
        _, _, usage = os.wait4(self.pid, 0)
        self.pid = 0
        self.usage = {
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        }
        try:
            with self._file as answer:
                answer.seek(0)
                ok, value = pickle.load(answer)
        except Exception:  # died (killed, out of memory) or an unpicklable answer: run it here
            return self._fn()
        if ok:
            return value
        raise value

    def cancel(self) -> None:
        """Stop the child (when this process fails first); nothing if it was waited for."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
            self._file.close()


def _child(fn: Callable[[], Any], fd: int, parent: int) -> None:
    """Run ``fn``, write ``(ok, value or exception)`` pickled to ``fd``, exit at once (no
    atexit handlers, no flushing of buffers inherited from the parent)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
        _die_with_parent()
        if os.getppid() != parent:  # the parent died before we asked: nobody waits for us
            code = 1
            return
        try:
            answer: tuple[bool, Any] = (True, fn())
        except BaseException as exc:  # any error goes back to the parent
            answer = (False, exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # the parent runs fn itself
            data, code = b"", 1
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    finally:
        os._exit(code)


def _die_with_parent() -> None:
    """Ask Linux to kill this child if the parent dies (killed, it cannot cancel us)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the child finishes and exits by itself
        pass
