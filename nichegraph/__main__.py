"""``python -m nichegraph`` and the ``nichegraph`` command: the command line.

python-igraph imports ``matplotlib.pyplot`` as it loads whenever matplotlib is installed (for
``igraph.plot`` on matplotlib axes: ``igraph/drawing/matplotlib/utils.py: find_matplotlib``),
about a third of a second of CPU on every command. No command plots through igraph (the scan
plot uses matplotlib's ``Figure`` directly), so the command line loads igraph with matplotlib
hidden: igraph keeps its placeholder for matplotlib, and matplotlib itself stays importable.
``import nichegraph`` (the library) is untouched.
"""

from __future__ import annotations

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
    """Run the command line (:func:`nichegraph.cli.main`) on ``argv`` (default: sys.argv)."""
    _igraph_without_pyplot()
    from .cli import main as cli_main

    cli_main(argv)


if __name__ == "__main__":
    main()
