"""Option groups shared by the ``nichegraph`` commands.

Each group is a decorator that adds its click options and hands the command one dict of
library keyword arguments (``read_kw``, ``graph_kw``, ``segment_kw``), so commands stay short and
every command spells an option the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from .errors import InputError

__all__ = ["common", "graph_options", "pairs", "reader_options", "segment_options"]

Command = Callable[..., Any]


def pairs(items: tuple[str, ...], option: str) -> dict[str, str]:
    """Parse repeated ``NAME=VALUE`` options into a dict.

    >>> pairs(("betweenness=0.3",), "--score-weight")
    {'betweenness': '0.3'}
    """
    out: dict[str, str] = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise InputError(f"{option} {item!r} is not NAME=VALUE")
        out[key.strip()] = val.strip()
    return out


def _apply(fn: Command, options: list[Callable[[Command], Command]]) -> Command:
    for option in reversed(options):
        fn = option(fn)
    return fn


def common(fn: Command) -> Command:
    """--seed, --quiet, --json: every command has them."""
    return _apply(
        fn,
        [
            click.option(
                "--seed",
                type=int,
                default=None,
                help="Random seed (default 42); same seed, same output.",
            ),
            click.option("--quiet", "-q", is_flag=True, help="No progress or summary."),
            click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON."),
        ],
    )


def reader_options(fn: Command) -> Command:
    """How to read the LOG arguments; the command receives ``read_kw`` for read_interactions."""

    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        logs: tuple[str, ...],
        maps: tuple[str, ...],
        sep: str | None,
        encoding: str,
        fmt: str | None,
        no_header: bool,
        columns: str | None,
        kind_alias: tuple[str, ...],
        dayfirst: bool | None,
        **kw: Any,
    ) -> Any:
        from .graph.schema import parse_mapping
        from .samples import dataset_path

        logs = tuple(dataset_path(log) for log in logs)  # a shipped sample by name
        kw["read_kw"] = {
            "data": logs[0] if len(logs) == 1 else list(logs),
            "mapping": parse_mapping(maps),
            "sep": sep,
            "encoding": encoding,
            "format": fmt,
            "header": not no_header,
            "columns": columns,
            "kind_aliases": list(kind_alias),
            "dayfirst": dayfirst,
        }
        return fn(*args, **kw)

    return _apply(
        wrapper,
        [
            click.argument("logs", nargs=-1, required=True, metavar="LOG..."),
            click.option(
                "--map",
                "maps",
                multiple=True,
                metavar="CANONICAL=COLUMN",
                help="Use a file column as a canonical one, e.g. --map source=from_user.",
            ),
            click.option(
                "--sep",
                default=None,
                help="Field separator (default: from the extension, else sniffed).",
            ),
            click.option(
                "--encoding",
                default="utf-8",
                show_default=True,
                help="Text encoding of CSV/TSV logs.",
            ),
            click.option(
                "--format",
                "fmt",
                default=None,
                metavar="FORMAT",
                help="Input format instead of detection: csv, tsv, parquet, nodexl, "
                "xapi, reddit, mastodon, json.",
            ),
            click.option(
                "--no-header",
                is_flag=True,
                help="The file has no header line; name its fields with --columns.",
            ),
            click.option(
                "--columns",
                default=None,
                metavar="NAMES",
                help="Comma-separated names of the fields, in order ('-' to ignore "
                "one), e.g. source,target,timestamp,kind; with --no-header, required.",
            ),
            click.option(
                "--kind-alias",
                "kind_alias",
                multiple=True,
                metavar="CODE=KIND",
                help="Read an interaction code as a kind, e.g. --kind-alias QT=quote.",
            ),
            click.option(
                "--dayfirst/--monthfirst",
                default=None,
                help="Order of numeric dates such as 03/06/2026 (default: settled per column "
                "by a value that reads one way only, e.g. 28/06/2026; error if none does).",
            ),
        ],
    )


def graph_options(fn: Command) -> Command:
    """How to weigh and window interactions; the command receives ``graph_kw`` for build_graph."""

    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        kind_weights: tuple[str, ...],
        half_life: str | None,
        since: str | None,
        until: str | None,
        **kw: Any,
    ) -> Any:
        from .graph.build import parse_kind_weights

        kw["graph_kw"] = {
            "kind_weights": parse_kind_weights(kind_weights) if kind_weights else None,
            "half_life": half_life,
            "since": since,
            "until": until,
        }
        return fn(*args, **kw)

    return _apply(
        wrapper,
        [
            click.option(
                "--weight",
                "kind_weights",
                multiple=True,
                metavar="KIND=W",
                help="Weight of one interaction of a kind, e.g. --weight reply=3.",
            ),
            click.option(
                "--half-life", default=None, help="Time decay half-life, e.g. 30d, 12h, 2w."
            ),
            click.option("--since", default=None, help="Keep interactions at or after this date."),
            click.option("--until", default=None, help="Keep interactions before this date."),
        ],
    )


def segment_options(fn: Command) -> Command:
    """How to split and keep segments; the command receives ``segment_kw`` for find_segments."""

    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        min_gain: float,
        no_refine: bool,
        max_size: int | None,
        min_size: int,
        backend: str,
        **kw: Any,
    ) -> Any:
        kw["segment_kw"] = {
            "min_gain": None if no_refine else min_gain,
            "max_size": max_size,
            "min_size": min_size,
            "backend": backend,
        }
        return fn(*args, **kw)

    return _apply(
        wrapper,
        [
            click.option(
                "--min-gain",
                type=float,
                default=0.1,
                show_default=True,
                help="Modularity a sub-split must gain over a random graph with the same degrees.",
            ),
            click.option(
                "--no-refine",
                is_flag=True,
                help="Keep Leiden's communities as they are (no structure-tested sub-splits).",
            ),
            click.option(
                "--max-size",
                type=int,
                default=None,
                help="Hard cap: split segments above this size, structure or not.",
            ),
            click.option(
                "--min-size",
                type=int,
                default=5,
                show_default=True,
                help="Segments smaller than this go to the fringe.",
            ),
            click.option(
                "--backend",
                type=click.Choice(["igraph", "leidenalg"]),
                default="igraph",
                show_default=True,
                help="Leiden implementation.",
            ),
        ],
    )
