"""``python -m nichegraph`` and the ``nichegraph`` command: the command line.

python-igraph imports ``matplotlib.pyplot`` as it loads whenever matplotlib is installed (for
``igraph.plot`` on matplotlib axes: ``igraph/drawing/matplotlib/utils.py: find_matplotlib``),
about a third of a second of CPU on every command. No command plots through igraph (the scan
plot uses matplotlib's ``Figure`` directly), so the command line loads igraph with matplotlib
hidden: igraph keeps its placeholder for matplotlib, and matplotlib itself stays importable.
``import nichegraph`` (the library) is untouched.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

__all__ = ["main"]


def _igraph_without_pyplot() -> None:
    """Import igraph while ``import matplotlib`` fails (only if neither is loaded yet)."""
    if "igraph" in sys.modules or "matplotlib" in sys.modules:
        return
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import igraph  # noqa: F401
    finally:
        del sys.modules["matplotlib"]


def main(argv: list[str] | None = None) -> None:
    """Run the command line (:func:`nichegraph.cli.main`) on ``argv`` (default: sys.argv),
    then exit without the interpreter's teardown (:func:`_exit_now`)."""
    _igraph_without_pyplot()
    from .cli import main as cli_main

    try:
        cli_main(argv)
    except SystemExit as exc:
        _exit_now(exc.code)
    _exit_now(0)


def _exit_now(code: object) -> None:
    """Exit with ``code`` as ``sys.exit`` would, after the ``atexit`` handlers (temporary
    files, worker pools, logging) and flushing the standard streams, but skipping the
    interpreter's teardown: it frees every object one by one and walks them all once more for
    the garbage collector, 0.3-0.5 s after a run of 1M rows or the Higgs log (every output file
    is written and closed before)."""
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, exit status 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`): said enough
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
